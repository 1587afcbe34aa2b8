/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for classify.c: every row of the answer table of DESIGN §1
 * (clean, listed, refused, bogus, ignored, error) on zones shaped like
 * Spamhaus ZEN, URIBL and a list without a listed set, and verdict names.
 */
#include <check.h>

#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "zone.h"

#define Q(a, b, c, d)                                                      \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	    (uint32_t)(d))

/* Longest list of codes a row holds. */
#define ROW_MAX 8

enum zone_shape {
	SHAPE_ZEN,   /* listed 127.0.0.2-127.0.0.11, refused 127.255.255.0/24 */
	SHAPE_URIBL, /* domain zone: listed &2 &4 &8, refused 127.0.0.1 */
	SHAPE_ANY,   /* no listed set, refused 127.255.255.0/24 */
	SHAPE_BARE,  /* no listed set, no refused set */
};

/*
 * Build a zone of the given shape. The items are parsed from their config
 * text, so the test also holds for what the config loader would make.
 */
static void
zone_build(struct zone *z, enum zone_shape shape)
{
	static const char *const sets[][2][ROW_MAX] = {
		[SHAPE_ZEN] = { { "127.0.0.2-127.0.0.11" },
		    { "127.255.255.0/24" } },
		[SHAPE_URIBL] = { { "&2", "&4", "&8" }, { "127.0.0.1" } },
		[SHAPE_ANY] = { { NULL }, { "127.255.255.0/24" } },
		[SHAPE_BARE] = { { NULL }, { NULL } },
	};
	const char *const *listed = sets[shape][0];
	const char *const *refused = sets[shape][1];
	char err[256];

	memset(z, 0, sizeof(*z));
	z->type = shape == SHAPE_URIBL ? ZONE_DOMAIN : ZONE_IP;
	z->listed = calloc(ROW_MAX, sizeof(*z->listed));
	z->refused = calloc(ROW_MAX, sizeof(*z->refused));
	ck_assert(z->listed != NULL && z->refused != NULL);
	for (size_t i = 0; i < ROW_MAX && listed[i] != NULL; i++, z->nlisted++)
		ck_assert_msg(code_item_parse(listed[i], &z->listed[i], err,
				  sizeof(err)) == 0, "%s: %s", listed[i], err);
	for (size_t i = 0; i < ROW_MAX && refused[i] != NULL;
	    i++, z->nrefused++)
		ck_assert_msg(code_item_parse(refused[i], &z->refused[i], err,
				  sizeof(err)) == 0, "%s: %s", refused[i], err);
}

static const struct classify_row {
	const char *name;
	enum zone_shape shape;
	uint8_t status; /* enum answer_status, or a nonsense value */
	size_t naddrs;
	uint32_t addrs[ROW_MAX];
	enum verdict want;
} classify_rows[] = {
	/* Clean: only these may ever end a listing. */
	{ "NXDOMAIN", SHAPE_ZEN, ANSWER_NXDOMAIN, 0, { 0 }, VERDICT_CLEAN },
	{ "NXDOMAIN ignores stray addrs", SHAPE_ZEN, ANSWER_NXDOMAIN, 1,
	    { Q(127, 0, 0, 2) }, VERDICT_CLEAN },
	{ "NODATA", SHAPE_ZEN, ANSWER_NODATA, 0, { 0 }, VERDICT_CLEAN },
	{ "NOERROR without A", SHAPE_ZEN, ANSWER_RECORDS, 0, { 0 },
	    VERDICT_CLEAN },
	{ "NOERROR without A, URIBL", SHAPE_URIBL, ANSWER_RECORDS, 0, { 0 },
	    VERDICT_CLEAN },
	{ "NXDOMAIN, no listed set", SHAPE_BARE, ANSWER_NXDOMAIN, 0, { 0 },
	    VERDICT_CLEAN },

	/* Listed. */
	{ "zen: 127.0.0.2", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 2) }, VERDICT_LISTED },
	{ "zen: range end 127.0.0.11", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 11) }, VERDICT_LISTED },
	{ "zen: several codes", SHAPE_ZEN, ANSWER_RECORDS, 3,
	    { Q(127, 0, 0, 2), Q(127, 0, 0, 4), Q(127, 0, 0, 10) },
	    VERDICT_LISTED },
	{ "zen: listed among ignored", SHAPE_ZEN, ANSWER_RECORDS, 3,
	    { Q(127, 0, 0, 12), Q(127, 0, 0, 3), Q(127, 0, 1, 2) },
	    VERDICT_LISTED },
	{ "zen: listed code repeated", SHAPE_ZEN, ANSWER_RECORDS, 2,
	    { Q(127, 0, 0, 4), Q(127, 0, 0, 4) }, VERDICT_LISTED },

	/* Refused wins over listed: such an answer is never a listing. */
	{ "zen: 127.255.255.252", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(127, 255, 255, 252) }, VERDICT_REFUSED },
	{ "zen: 127.255.255.254", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(127, 255, 255, 254) }, VERDICT_REFUSED },
	{ "zen: 127.255.255.255", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(127, 255, 255, 255) }, VERDICT_REFUSED },
	{ "zen: refused beats listed", SHAPE_ZEN, ANSWER_RECORDS, 2,
	    { Q(127, 0, 0, 2), Q(127, 255, 255, 254) }, VERDICT_REFUSED },
	{ "zen: refused first beats listed", SHAPE_ZEN, ANSWER_RECORDS, 2,
	    { Q(127, 255, 255, 254), Q(127, 0, 0, 2) }, VERDICT_REFUSED },
	{ "zen: refused + bogus", SHAPE_ZEN, ANSWER_RECORDS, 2,
	    { Q(127, 255, 255, 252), Q(192, 0, 2, 1) }, VERDICT_REFUSED },
	{ "zen: bogus + refused", SHAPE_ZEN, ANSWER_RECORDS, 2,
	    { Q(192, 0, 2, 1), Q(127, 255, 255, 252) }, VERDICT_REFUSED },
	{ "zen: refused + bogus + listed", SHAPE_ZEN, ANSWER_RECORDS, 3,
	    { Q(127, 0, 0, 2), Q(198, 51, 100, 7), Q(127, 255, 255, 255) },
	    VERDICT_REFUSED },

	/* Bogus: anything outside 127/8 makes the whole answer suspect. */
	{ "zen: bogus alone", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(192, 0, 2, 1) }, VERDICT_BOGUS },
	{ "zen: bogus among listed", SHAPE_ZEN, ANSWER_RECORDS, 3,
	    { Q(127, 0, 0, 2), Q(127, 0, 0, 4), Q(192, 0, 2, 1) },
	    VERDICT_BOGUS },
	{ "zen: bogus first, then listed", SHAPE_ZEN, ANSWER_RECORDS, 2,
	    { Q(10, 0, 0, 2), Q(127, 0, 0, 2) }, VERDICT_BOGUS },
	{ "zen: 128.0.0.2 is not 127/8", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(128, 0, 0, 2) }, VERDICT_BOGUS },
	{ "zen: 126.255.255.255 is not 127/8", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(126, 255, 255, 255) }, VERDICT_BOGUS },
	{ "zen: 0.0.0.0", SHAPE_ZEN, ANSWER_RECORDS, 1, { 0 },
	    VERDICT_BOGUS },
	{ "zen: bogus among ignored", SHAPE_ZEN, ANSWER_RECORDS, 2,
	    { Q(127, 0, 0, 12), Q(192, 0, 2, 1) }, VERDICT_BOGUS },

	/* Ignored: 127/8 outside both sets counts as clean. */
	{ "zen: 127.0.0.12 ignored", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 12) }, VERDICT_IGNORED },
	{ "zen: 127.0.0.1 ignored", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 1) }, VERDICT_IGNORED },
	{ "zen: 127.0.1.2 ignored", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(127, 0, 1, 2) }, VERDICT_IGNORED },
	{ "zen: 127.255.254.255 ignored", SHAPE_ZEN, ANSWER_RECORDS, 1,
	    { Q(127, 255, 254, 255) }, VERDICT_IGNORED },
	{ "zen: several ignored", SHAPE_ZEN, ANSWER_RECORDS, 2,
	    { Q(127, 0, 0, 12), Q(127, 0, 0, 200) }, VERDICT_IGNORED },

	/* URIBL: a domain zone with bit masks and a refusal of 127.0.0.1. */
	{ "uribl: 127.0.0.1 refused", SHAPE_URIBL, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 1) }, VERDICT_REFUSED },
	{ "uribl: black 127.0.0.2", SHAPE_URIBL, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 2) }, VERDICT_LISTED },
	{ "uribl: grey 127.0.0.4", SHAPE_URIBL, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 4) }, VERDICT_LISTED },
	{ "uribl: red 127.0.0.8", SHAPE_URIBL, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 8) }, VERDICT_LISTED },
	{ "uribl: all three 127.0.0.14", SHAPE_URIBL, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 14) }, VERDICT_LISTED },
	{ "uribl: refusal beats 127.0.0.14", SHAPE_URIBL, ANSWER_RECORDS, 2,
	    { Q(127, 0, 0, 14), Q(127, 0, 0, 1) }, VERDICT_REFUSED },
	{ "uribl: 127.0.0.16 tests no bit", SHAPE_URIBL, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 16) }, VERDICT_IGNORED },
	{ "uribl: 127.0.0.3 has bit 2", SHAPE_URIBL, ANSWER_RECORDS, 1,
	    { Q(127, 0, 0, 3) }, VERDICT_LISTED },
	{ "uribl: 10.0.0.2 is bogus, not a mask hit", SHAPE_URIBL,
	    ANSWER_RECORDS, 1, { Q(10, 0, 0, 2) }, VERDICT_BOGUS },

	/* No listed set: any 127/8 outside refused lists (RFC 5782 §6). */
	{ "any: 127.0.0.2", SHAPE_ANY, ANSWER_RECORDS, 1, { Q(127, 0, 0, 2) },
	    VERDICT_LISTED },
	{ "any: 127.0.0.1", SHAPE_ANY, ANSWER_RECORDS, 1, { Q(127, 0, 0, 1) },
	    VERDICT_LISTED },
	{ "any: 127.1.2.3", SHAPE_ANY, ANSWER_RECORDS, 1, { Q(127, 1, 2, 3) },
	    VERDICT_LISTED },
	{ "any: 127.255.255.254 refused", SHAPE_ANY, ANSWER_RECORDS, 1,
	    { Q(127, 255, 255, 254) }, VERDICT_REFUSED },
	{ "any: refused beats listed", SHAPE_ANY, ANSWER_RECORDS, 2,
	    { Q(127, 0, 0, 2), Q(127, 255, 255, 254) }, VERDICT_REFUSED },
	{ "any: 192.0.2.1 bogus", SHAPE_ANY, ANSWER_RECORDS, 1,
	    { Q(192, 0, 2, 1) }, VERDICT_BOGUS },
	{ "bare: 127.255.255.254 listed", SHAPE_BARE, ANSWER_RECORDS, 1,
	    { Q(127, 255, 255, 254) }, VERDICT_LISTED },
	{ "bare: bogus among listed", SHAPE_BARE, ANSWER_RECORDS, 2,
	    { Q(127, 0, 0, 2), Q(8, 8, 8, 8) }, VERDICT_BOGUS },

	/* Errors: never a state change, whatever came with them. */
	{ "error without addrs", SHAPE_ZEN, ANSWER_ERROR, 0, { 0 },
	    VERDICT_ERROR },
	{ "error with a listed addr", SHAPE_ZEN, ANSWER_ERROR, 1,
	    { Q(127, 0, 0, 2) }, VERDICT_ERROR },
	{ "error with a refused addr", SHAPE_ZEN, ANSWER_ERROR, 1,
	    { Q(127, 255, 255, 254) }, VERDICT_ERROR },
	{ "error with a bogus addr", SHAPE_ZEN, ANSWER_ERROR, 1,
	    { Q(192, 0, 2, 1) }, VERDICT_ERROR },
	{ "error, no listed set", SHAPE_BARE, ANSWER_ERROR, 1,
	    { Q(127, 0, 0, 2) }, VERDICT_ERROR },
	{ "unknown status is an error", SHAPE_ZEN, 42, 1,
	    { Q(127, 0, 0, 2) }, VERDICT_ERROR },
};

START_TEST(test_classify)
{
	const struct classify_row *r = &classify_rows[_i];
	struct answer a;
	struct zone z;
	enum verdict v;

	zone_build(&z, r->shape);
	memset(&a, 0, sizeof(a));
	a.status = r->status;
	a.naddrs = (uint8_t)r->naddrs;
	a.ttl = 300;
	a.error = r->status == ANSWER_ERROR ? "timeout" : NULL;
	memcpy(a.addrs, r->addrs, r->naddrs * sizeof(*a.addrs));
	v = classify_answer(&z, &a);
	ck_assert_msg(v == r->want, "%s: %s, want %s", r->name,
	    verdict_name(v), verdict_name(r->want));
	zone_clear(&z);
}
END_TEST

/*
 * Full answers (ANSWER_MAX_ADDRS distinct records, as dnsmsg keeps them):
 * every record counts wherever it stands, the first and the last as much
 * as the rest, and a count past the array is an error, never read in part.
 */
static const struct full_row {
	const char *name;
	unsigned naddrs;
	unsigned at; /* index of the odd record out */
	uint32_t fill, odd;
	enum verdict want;
} full_rows[] = {
	{ "full of ignored, listed last", ANSWER_MAX_ADDRS,
	    ANSWER_MAX_ADDRS - 1, Q(127, 0, 0, 12), Q(127, 0, 0, 2),
	    VERDICT_LISTED },
	{ "full of listed, refused last", ANSWER_MAX_ADDRS,
	    ANSWER_MAX_ADDRS - 1, Q(127, 0, 0, 2), Q(127, 255, 255, 254),
	    VERDICT_REFUSED },
	{ "full of listed, bogus last", ANSWER_MAX_ADDRS,
	    ANSWER_MAX_ADDRS - 1, Q(127, 0, 0, 2), Q(192, 0, 2, 1),
	    VERDICT_BOGUS },
	{ "full of listed, refused first", ANSWER_MAX_ADDRS, 0,
	    Q(127, 0, 0, 2), Q(127, 255, 255, 254), VERDICT_REFUSED },
	{ "full of bogus, refused at 40", ANSWER_MAX_ADDRS, 40,
	    Q(8, 8, 8, 8), Q(127, 255, 255, 254), VERDICT_REFUSED },
	{ "17 records, refused 17th", 17, 16, Q(127, 0, 0, 2),
	    Q(127, 255, 255, 254), VERDICT_REFUSED },
	{ "17 records, bogus 17th", 17, 16, Q(127, 0, 0, 2), Q(8, 8, 8, 8),
	    VERDICT_BOGUS },
	{ "full of ignored, nothing listed", ANSWER_MAX_ADDRS, 0,
	    Q(127, 0, 0, 12), Q(127, 0, 0, 13), VERDICT_IGNORED },
	{ "a record past naddrs is not read", 16, 16, Q(127, 0, 0, 2),
	    Q(127, 255, 255, 254), VERDICT_LISTED },
	{ "count one past the array", ANSWER_MAX_ADDRS + 1, 0,
	    Q(127, 0, 0, 2), Q(127, 0, 0, 2), VERDICT_ERROR },
	{ "count far past the array", 200, 0, Q(127, 0, 0, 12),
	    Q(127, 0, 0, 4), VERDICT_ERROR },
};

START_TEST(test_full)
{
	const struct full_row *r = &full_rows[_i];
	struct answer a;
	struct zone z;
	enum verdict v;

	zone_build(&z, SHAPE_ZEN);
	memset(&a, 0, sizeof(a));
	a.status = ANSWER_RECORDS;
	a.naddrs = (uint8_t)r->naddrs;
	for (size_t i = 0; i < ANSWER_MAX_ADDRS; i++)
		a.addrs[i] = i == r->at ? r->odd : r->fill;
	v = classify_answer(&z, &a);
	ck_assert_msg(v == r->want, "%s: %s, want %s", r->name,
	    verdict_name(v), verdict_name(r->want));
	zone_clear(&z);
}
END_TEST

static const struct name_row {
	const char *name;
	int verdict;
	const char *text;
} name_rows[] = {
	{ "clean", VERDICT_CLEAN, "clean" },
	{ "listed", VERDICT_LISTED, "listed" },
	{ "refused", VERDICT_REFUSED, "refused" },
	{ "bogus", VERDICT_BOGUS, "bogus" },
	{ "ignored", VERDICT_IGNORED, "ignored" },
	{ "error", VERDICT_ERROR, "error" },
	{ "suppressed", VERDICT_SUPPRESSED, "suppressed" },
	{ "count is out of range", VERDICT_COUNT, "unknown" },
	{ "far out of range", 1000, "unknown" },
};

START_TEST(test_name)
{
	const struct name_row *r = &name_rows[_i];
	const char *got = verdict_name((enum verdict)r->verdict);

	ck_assert_msg(got != NULL && strcmp(got, r->text) == 0,
	    "%s: \"%s\", want \"%s\"", r->name, got != NULL ? got : "(null)",
	    r->text);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
classify_suite(void)
{
	Suite *s = suite_create("classify");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_classify, 0, NROWS(classify_rows));
	tcase_add_loop_test(tc, test_full, 0, NROWS(full_rows));
	tcase_add_loop_test(tc, test_name, 0, NROWS(name_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(classify_suite());
}

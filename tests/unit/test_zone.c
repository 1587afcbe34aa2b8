/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for zone.c: parsing code items (every form and every error
 * message), matching them (ranges, CIDRs, URIBL-style bit masks), the
 * listed and refused sets, labels, zone types and code formatting.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zone.h"

#define Q(a, b, c, d)                                                      \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	    (uint32_t)(d))

/* Longest list of strings a row holds; NULL ends a shorter one. */
#define ROW_MAX 8

/*
 * Build a zone from strings: listed and refused code items, and labels
 * written as in the config ("CODE LABEL"). The zone owns what it holds,
 * so zone_clear frees it and the sanitizer sees any leak.
 */
static void
zone_build(struct zone *z, const char *const *listed,
    const char *const *refused, const char *const *labels)
{
	char err[256];

	memset(z, 0, sizeof(*z));
	z->listed = calloc(ROW_MAX, sizeof(*z->listed));
	z->refused = calloc(ROW_MAX, sizeof(*z->refused));
	z->labels = calloc(ROW_MAX, sizeof(*z->labels));
	ck_assert(z->listed != NULL && z->refused != NULL && z->labels != NULL);
	for (size_t i = 0; i < ROW_MAX && listed[i] != NULL; i++, z->nlisted++)
		ck_assert_msg(code_item_parse(listed[i], &z->listed[i], err,
				  sizeof(err)) == 0, "%s: %s", listed[i], err);
	for (size_t i = 0; i < ROW_MAX && refused[i] != NULL;
	    i++, z->nrefused++)
		ck_assert_msg(code_item_parse(refused[i], &z->refused[i], err,
				  sizeof(err)) == 0, "%s: %s", refused[i], err);
	for (size_t i = 0; i < ROW_MAX && labels[i] != NULL; i++) {
		char buf[64], *sp;

		ck_assert(strlen(labels[i]) < sizeof(buf));
		strcpy(buf, labels[i]);
		sp = strchr(buf, ' ');
		ck_assert_msg(sp != NULL, "label row \"%s\"", labels[i]);
		*sp = '\0';
		ck_assert_msg(code_item_parse(buf, &z->labels[i].item, err,
				  sizeof(err)) == 0, "%s: %s", buf, err);
		z->labels[i].label = strdup(sp + 1);
		ck_assert(z->labels[i].label != NULL);
		z->nlabels++;
	}
}

/* Longer than any code item can be. */
#define LONG_CODE                                                          \
	"127.0.0.2-127.0.0.3-127.0.0.4-127.0.0.5-127.0.0.6-127.0.0.7-127.0.0.8"

/* Parsing: every accepted form and every error, with its exact text. */
static const struct parse_row {
	const char *name;
	const char *in;
	int rc;
	uint8_t kind;
	uint32_t lo, hi;
	const char *err;
} parse_rows[] = {
	{ "single code", "127.0.0.2", 0, CODE_RANGE, Q(127, 0, 0, 2),
	    Q(127, 0, 0, 2), NULL },
	{ "single refusal code", "127.255.255.254", 0, CODE_RANGE,
	    Q(127, 255, 255, 254), Q(127, 255, 255, 254), NULL },
	{ "range", "127.0.0.2-127.0.0.11", 0, CODE_RANGE, Q(127, 0, 0, 2),
	    Q(127, 0, 0, 11), NULL },
	{ "range of one", "127.0.0.5-127.0.0.5", 0, CODE_RANGE,
	    Q(127, 0, 0, 5), Q(127, 0, 0, 5), NULL },
	{ "range across octets", "127.0.0.250-127.0.1.3", 0, CODE_RANGE,
	    Q(127, 0, 0, 250), Q(127, 0, 1, 3), NULL },
	{ "CIDR /24", "127.0.0.0/24", 0, CODE_RANGE, Q(127, 0, 0, 0),
	    Q(127, 0, 0, 255), NULL },
	{ "CIDR Spamhaus refusals", "127.255.255.0/24", 0, CODE_RANGE,
	    Q(127, 255, 255, 0), Q(127, 255, 255, 255), NULL },
	{ "CIDR /8", "127.0.0.0/8", 0, CODE_RANGE, Q(127, 0, 0, 0),
	    Q(127, 255, 255, 255), NULL },
	{ "CIDR /32", "127.0.0.4/32", 0, CODE_RANGE, Q(127, 0, 0, 4),
	    Q(127, 0, 0, 4), NULL },
	{ "CIDR /30", "127.0.0.4/30", 0, CODE_RANGE, Q(127, 0, 0, 4),
	    Q(127, 0, 0, 7), NULL },
	{ "CIDR /0", "0.0.0.0/0", 0, CODE_RANGE, 0, UINT32_MAX, NULL },
	{ "mask bare number", "&6", 0, CODE_MASK, 6, 0, NULL },
	{ "mask bare 1", "&1", 0, CODE_MASK, 1, 0, NULL },
	{ "mask bare 255", "&255", 0, CODE_MASK, 255, 0, NULL },
	{ "mask dotted quad", "&127.0.0.6", 0, CODE_MASK, 6, 0, NULL },
	{ "mask dotted quad, higher octets", "&127.0.1.2", 0, CODE_MASK,
	    Q(0, 0, 1, 2), 0, NULL },
	{ "bad octet", "127.0.0.300", -EINVAL, 0, 0, 0,
	    "invalid code \"127.0.0.300\": expected a dotted quad, a range "
	    "a-b, a CIDR a/n or &MASK" },
	{ "empty", "", -EINVAL, 0, 0, 0,
	    "invalid code \"\": expected a dotted quad, a range a-b, a CIDR "
	    "a/n or &MASK" },
	{ "three octets", "127.0.0", -EINVAL, 0, 0, 0,
	    "invalid code \"127.0.0\": expected a dotted quad, a range a-b, a "
	    "CIDR a/n or &MASK" },
	{ "word", "listed", -EINVAL, 0, 0, 0,
	    "invalid code \"listed\": expected a dotted quad, a range a-b, a "
	    "CIDR a/n or &MASK" },
	{ "leading space", " 127.0.0.2", -EINVAL, 0, 0, 0,
	    "invalid code \" 127.0.0.2\": expected a dotted quad, a range "
	    "a-b, a CIDR a/n or &MASK" },
	{ "IPv6 code", "::1", -EINVAL, 0, 0, 0,
	    "invalid code \"::1\": expected a dotted quad, a range a-b, a "
	    "CIDR a/n or &MASK" },
	{ "range without end", "127.0.0.2-", -EINVAL, 0, 0, 0,
	    "invalid code \"127.0.0.2-\": expected a dotted quad, a range "
	    "a-b, a CIDR a/n or &MASK" },
	{ "range with a bad end", "127.0.0.2-127.0.0.256", -EINVAL, 0, 0, 0,
	    "invalid code \"127.0.0.2-127.0.0.256\": expected a dotted quad, "
	    "a range a-b, a CIDR a/n or &MASK" },
	{ "range of three", "127.0.0.2-127.0.0.3-127.0.0.4", -EINVAL, 0, 0,
	    0, "invalid code \"127.0.0.2-127.0.0.3-127.0.0.4\": expected a "
	    "dotted quad, a range a-b, a CIDR a/n or &MASK" },
	{ "range backwards", "127.0.0.9-127.0.0.2", -EINVAL, 0, 0, 0,
	    "invalid range \"127.0.0.9-127.0.0.2\": first code is after the "
	    "last" },
	{ "CIDR host bits", "127.0.0.1/24", -EINVAL, 0, 0, 0,
	    "invalid CIDR \"127.0.0.1/24\": host bits are set" },
	{ "CIDR prefix too long", "127.0.0.0/33", -EINVAL, 0, 0, 0,
	    "invalid code \"127.0.0.0/33\": expected a dotted quad, a range "
	    "a-b, a CIDR a/n or &MASK" },
	{ "CIDR without prefix", "127.0.0.0/", -EINVAL, 0, 0, 0,
	    "invalid code \"127.0.0.0/\": expected a dotted quad, a range "
	    "a-b, a CIDR a/n or &MASK" },
	{ "CIDR negative prefix", "127.0.0.0/-8", -EINVAL, 0, 0, 0,
	    "invalid code \"127.0.0.0/-8\": expected a dotted quad, a range "
	    "a-b, a CIDR a/n or &MASK" },
	{ "CIDR prefix with junk", "127.0.0.0/24x", -EINVAL, 0, 0, 0,
	    "invalid code \"127.0.0.0/24x\": expected a dotted quad, a range "
	    "a-b, a CIDR a/n or &MASK" },
	{ "too long", LONG_CODE, -EINVAL, 0, 0, 0,
	    "invalid code \"" LONG_CODE "\": expected a dotted quad, a range "
	    "a-b, a CIDR a/n or &MASK" },
	{ "mask zero", "&0", -EINVAL, 0, 0, 0,
	    "invalid mask \"&0\": it tests no bit" },
	{ "mask of the 127 octet only", "&127.0.0.0", -EINVAL, 0, 0, 0,
	    "invalid mask \"&127.0.0.0\": it tests no bit" },
	{ "mask empty", "&", -EINVAL, 0, 0, 0,
	    "invalid mask \"&\": expected &N (1-255, the last octet) or "
	    "&a.b.c.d" },
	{ "mask 256", "&256", -EINVAL, 0, 0, 0,
	    "invalid mask \"&256\": expected &N (1-255, the last octet) or "
	    "&a.b.c.d" },
	{ "mask negative", "&-2", -EINVAL, 0, 0, 0,
	    "invalid mask \"&-2\": expected &N (1-255, the last octet) or "
	    "&a.b.c.d" },
	{ "mask word", "&red", -EINVAL, 0, 0, 0,
	    "invalid mask \"&red\": expected &N (1-255, the last octet) or "
	    "&a.b.c.d" },
};

START_TEST(test_parse)
{
	const struct parse_row *r = &parse_rows[_i];
	/* A sentinel shows that a failed parse leaves ret alone. */
	struct code_item item = { 7, 0xdeadbeef, 0xfeedface };
	char err[256] = "";
	int rc;

	rc = code_item_parse(r->in, &item, err, sizeof(err));
	ck_assert_msg(rc == r->rc, "%s: rc %d, want %d (%s)", r->name, rc,
	    r->rc, err);
	if (r->rc != 0) {
		ck_assert_msg(strcmp(err, r->err) == 0,
		    "%s: message\n  got  %s\n  want %s", r->name, err, r->err);
		ck_assert_msg(item.kind == 7 && item.lo == 0xdeadbeef &&
			item.hi == 0xfeedface,
		    "%s: ret written on failure", r->name);
		return;
	}
	ck_assert_msg(item.kind == r->kind, "%s: kind %u, want %u", r->name,
	    item.kind, r->kind);
	ck_assert_msg(item.lo == r->lo, "%s: lo %08x, want %08x", r->name,
	    item.lo, r->lo);
	if (r->kind == CODE_RANGE)
		ck_assert_msg(item.hi == r->hi, "%s: hi %08x, want %08x",
		    r->name, item.hi, r->hi);
}
END_TEST

/* A message is cut to the buffer and still ends in NUL. */
START_TEST(test_parse_short_err)
{
	struct code_item item;
	char err[16];

	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(code_item_parse("junk", &item, err, sizeof(err)),
	    -EINVAL);
	ck_assert_str_eq(err, "invalid code \"j");
}
END_TEST

static const struct match_row {
	const char *name;
	const char *item;
	uint32_t code;
	bool match;
} match_rows[] = {
	{ "single: itself", "127.0.0.2", Q(127, 0, 0, 2), true },
	{ "single: next", "127.0.0.2", Q(127, 0, 0, 3), false },
	{ "single: previous", "127.0.0.2", Q(127, 0, 0, 1), false },
	{ "range: first", "127.0.0.2-127.0.0.11", Q(127, 0, 0, 2), true },
	{ "range: inside", "127.0.0.2-127.0.0.11", Q(127, 0, 0, 7), true },
	{ "range: last", "127.0.0.2-127.0.0.11", Q(127, 0, 0, 11), true },
	{ "range: before", "127.0.0.2-127.0.0.11", Q(127, 0, 0, 1), false },
	{ "range: after", "127.0.0.2-127.0.0.11", Q(127, 0, 0, 12), false },
	{ "range: other /24", "127.0.0.2-127.0.0.11", Q(127, 0, 1, 4), false },
	{ "CIDR: network", "127.0.0.0/24", Q(127, 0, 0, 0), true },
	{ "CIDR: broadcast", "127.0.0.0/24", Q(127, 0, 0, 255), true },
	{ "CIDR: next net", "127.0.0.0/24", Q(127, 0, 1, 0), false },
	{ "CIDR: 127.255.255.252", "127.255.255.0/24",
	    Q(127, 255, 255, 252), true },
	{ "CIDR: 127.255.255.254", "127.255.255.0/24",
	    Q(127, 255, 255, 254), true },
	{ "CIDR: 127.255.255.255", "127.255.255.0/24",
	    Q(127, 255, 255, 255), true },
	{ "CIDR: 127.255.254.255", "127.255.255.0/24",
	    Q(127, 255, 254, 255), false },
	{ "CIDR /8: non-127", "127.0.0.0/8", Q(128, 0, 0, 2), false },
	{ "CIDR /0: anything", "0.0.0.0/0", Q(192, 0, 2, 1), true },
	{ "URIBL &2 on .14", "&2", Q(127, 0, 0, 14), true },
	{ "URIBL &4 on .14", "&4", Q(127, 0, 0, 14), true },
	{ "URIBL &8 on .14", "&8", Q(127, 0, 0, 14), true },
	{ "URIBL &1 on .14", "&1", Q(127, 0, 0, 14), false },
	{ "URIBL &2 on .2", "&2", Q(127, 0, 0, 2), true },
	{ "URIBL &2 on .4", "&2", Q(127, 0, 0, 4), false },
	{ "URIBL &8 on .6", "&8", Q(127, 0, 0, 6), false },
	{ "URIBL refusal .1 under &14", "&14", Q(127, 0, 0, 1), false },
	{ "mask any bit of several", "&6", Q(127, 0, 0, 4), true },
	{ "mask dotted quad", "&127.0.0.6", Q(127, 0, 0, 2), true },
	{ "mask ignores the 127 octet", "&127.0.0.6", Q(127, 0, 0, 8),
	    false },
	{ "mask on a higher octet", "&127.0.1.0", Q(127, 0, 1, 0), true },
	{ "mask, code 127.0.0.0", "&255", Q(127, 0, 0, 0), false },
	{ "mask: non-127 code", "&2", Q(10, 0, 0, 2), false },
	{ "mask: 128.0.0.6", "&127.0.0.6", Q(128, 0, 0, 6), false },
	{ "mask: 126.255.255.255", "&255", Q(126, 255, 255, 255), false },
	{ "mask: 0.0.0.255", "&255", Q(0, 0, 0, 255), false },
};

START_TEST(test_match)
{
	const struct match_row *r = &match_rows[_i];
	struct code_item item;
	char err[256];

	ck_assert_msg(code_item_parse(r->item, &item, err, sizeof(err)) == 0,
	    "%s: %s", r->name, err);
	ck_assert_msg(code_item_match(&item, r->code) == r->match,
	    "%s: %s against %08x: want %s", r->name, r->item, r->code,
	    r->match ? "a match" : "no match");
}
END_TEST

static const struct loopback_row {
	const char *name;
	uint32_t code;
	bool loopback;
} loopback_rows[] = {
	{ "127.0.0.0", Q(127, 0, 0, 0), true },
	{ "127.0.0.2", Q(127, 0, 0, 2), true },
	{ "127.255.255.255", Q(127, 255, 255, 255), true },
	{ "126.255.255.255", Q(126, 255, 255, 255), false },
	{ "128.0.0.0", Q(128, 0, 0, 0), false },
	{ "0.0.0.127", Q(0, 0, 0, 127), false },
	{ "192.0.2.1", Q(192, 0, 2, 1), false },
};

START_TEST(test_loopback)
{
	const struct loopback_row *r = &loopback_rows[_i];

	ck_assert_msg(code_is_loopback(r->code) == r->loopback,
	    "%s: want %d", r->name, r->loopback);
}
END_TEST

/* The listed and refused sets, as a zone answers for one code. */
static const struct set_row {
	const char *name;
	const char *listed[ROW_MAX];
	const char *refused[ROW_MAX];
	uint32_t code;
	bool is_listed, is_refused;
} set_rows[] = {
	{ "zen: SBL", { "127.0.0.2-127.0.0.11" }, { "127.255.255.0/24" },
	    Q(127, 0, 0, 2), true, false },
	{ "zen: PBL end", { "127.0.0.2-127.0.0.11" }, { "127.255.255.0/24" },
	    Q(127, 0, 0, 11), true, false },
	{ "zen: .12 not listed", { "127.0.0.2-127.0.0.11" },
	    { "127.255.255.0/24" }, Q(127, 0, 0, 12), false, false },
	{ "zen: refusal .254", { "127.0.0.2-127.0.0.11" },
	    { "127.255.255.0/24" }, Q(127, 255, 255, 254), false, true },
	{ "several listed items", { "127.0.0.2", "127.0.0.4-127.0.0.7",
	    "127.0.0.10/31" }, { NULL }, Q(127, 0, 0, 11), true, false },
	{ "several listed items, gap", { "127.0.0.2", "127.0.0.4-127.0.0.7",
	    "127.0.0.10/31" }, { NULL }, Q(127, 0, 0, 3), false, false },
	{ "several refused items", { NULL }, { "127.0.0.1",
	    "127.255.255.252" }, Q(127, 255, 255, 252), true, true },
	{ "no listed set: any 127/8", { NULL }, { NULL },
	    Q(127, 1, 2, 3), true, false },
	{ "no listed set: 127.0.0.1", { NULL }, { NULL }, Q(127, 0, 0, 1),
	    true, false },
	{ "no listed set: not outside 127/8", { NULL }, { NULL },
	    Q(10, 0, 0, 2), false, false },
	{ "URIBL: refusal .1", { "&14" }, { "127.0.0.1" }, Q(127, 0, 0, 1),
	    false, true },
	{ "URIBL: .14", { "&14" }, { "127.0.0.1" }, Q(127, 0, 0, 14), true,
	    false },
	{ "mask set: non-127", { "&14" }, { NULL }, Q(192, 0, 2, 14), false,
	    false },
};

START_TEST(test_sets)
{
	const struct set_row *r = &set_rows[_i];
	struct zone z;
	static const char *const none[] = { NULL };

	zone_build(&z, r->listed, r->refused, none);
	ck_assert_msg(zone_code_listed(&z, r->code) == r->is_listed,
	    "%s: listed, want %d", r->name, r->is_listed);
	ck_assert_msg(zone_code_refused(&z, r->code) == r->is_refused,
	    "%s: refused, want %d", r->name, r->is_refused);
	zone_clear(&z);
}
END_TEST

static const char *const zen_labels[] = { "127.0.0.2 SBL", "127.0.0.3 SBL",
	"127.0.0.4-127.0.0.7 XBL", "127.0.0.10-127.0.0.11 PBL", NULL };
static const char *const uribl_labels[] = { "&2 black", "&4 grey",
	"&8 red", NULL };
static const char *const overlap_labels[] = { "127.0.0.0/24 any",
	"127.0.0.2 two", "127.0.0.2-127.0.0.3 low", NULL };

static const struct label_row {
	const char *name;
	const char *const *labels;
	uint32_t codes[ROW_MAX];
	size_t ncodes, max;
	const char *want[ROW_MAX];
} label_rows[] = {
	{ "one code", zen_labels, { Q(127, 0, 0, 4) }, 1, 8, { "XBL" } },
	{ "several codes", zen_labels,
	    { Q(127, 0, 0, 2), Q(127, 0, 0, 4), Q(127, 0, 0, 10) }, 3, 8,
	    { "SBL", "XBL", "PBL" } },
	{ "order of the codes", zen_labels,
	    { Q(127, 0, 0, 10), Q(127, 0, 0, 2) }, 2, 8, { "PBL", "SBL" } },
	{ "same label twice by range", zen_labels,
	    { Q(127, 0, 0, 4), Q(127, 0, 0, 5), Q(127, 0, 0, 7) }, 3, 8,
	    { "XBL" } },
	{ "same label from two entries", zen_labels,
	    { Q(127, 0, 0, 2), Q(127, 0, 0, 3) }, 2, 8, { "SBL" } },
	{ "same code twice", zen_labels,
	    { Q(127, 0, 0, 11), Q(127, 0, 0, 11) }, 2, 8, { "PBL" } },
	{ "code without a label", zen_labels, { Q(127, 0, 0, 9) }, 1, 8,
	    { NULL } },
	{ "unlabelled among labelled", zen_labels,
	    { Q(127, 0, 0, 9), Q(127, 0, 0, 6) }, 2, 8, { "XBL" } },
	{ "no codes", zen_labels, { 0 }, 0, 8, { NULL } },
	{ "max cuts", zen_labels,
	    { Q(127, 0, 0, 2), Q(127, 0, 0, 4), Q(127, 0, 0, 10) }, 3, 2,
	    { "SBL", "XBL" } },
	{ "max zero", zen_labels, { Q(127, 0, 0, 2) }, 1, 0, { NULL } },
	{ "mask: .14 is all three", uribl_labels, { Q(127, 0, 0, 14) }, 1, 8,
	    { "black", "grey", "red" } },
	{ "mask: .6 then .2", uribl_labels,
	    { Q(127, 0, 0, 6), Q(127, 0, 0, 2) }, 2, 8, { "black", "grey" } },
	{ "mask: .8 then .2", uribl_labels,
	    { Q(127, 0, 0, 8), Q(127, 0, 0, 2) }, 2, 8, { "red", "black" } },
	{ "mask: refusal .1", uribl_labels, { Q(127, 0, 0, 1) }, 1, 8,
	    { NULL } },
	{ "mask: non-127 code", uribl_labels, { Q(10, 0, 0, 14) }, 1, 8,
	    { NULL } },
	{ "one code, several entries", overlap_labels, { Q(127, 0, 0, 2) },
	    1, 8, { "any", "two", "low" } },
	{ "several entries, max cuts", overlap_labels, { Q(127, 0, 0, 2) },
	    1, 2, { "any", "two" } },
};

START_TEST(test_labels)
{
	const struct label_row *r = &label_rows[_i];
	static const char *const none[] = { NULL };
	const char *got[ROW_MAX + 1];
	size_t n, want = 0;
	struct zone z;

	while (want < ROW_MAX && r->want[want] != NULL)
		want++;
	for (size_t i = 0; i <= ROW_MAX; i++)
		got[i] = NULL;
	zone_build(&z, none, none, r->labels);
	n = zone_labels(&z, r->codes, r->ncodes, got, r->max);
	ck_assert_msg(n == want, "%s: %zu labels, want %zu", r->name, n,
	    want);
	for (size_t i = 0; i < want; i++)
		ck_assert_msg(got[i] != NULL && strcmp(got[i], r->want[i]) == 0,
		    "%s: label %zu is \"%s\", want \"%s\"", r->name, i,
		    got[i] != NULL ? got[i] : "(null)", r->want[i]);
	/* Nothing past max is touched. */
	for (size_t i = r->max; i <= ROW_MAX; i++)
		ck_assert_msg(got[i] == NULL, "%s: wrote past max", r->name);
	zone_clear(&z);
}
END_TEST

static const struct accept_row {
	const char *name;
	enum zone_type type;
	enum target_kind kind;
	bool accepts;
} accept_rows[] = {
	{ "ip takes IPv4", ZONE_IP, TARGET_IPV4, true },
	{ "ip takes IPv6", ZONE_IP, TARGET_IPV6, true },
	{ "ip refuses domains", ZONE_IP, TARGET_DOMAIN, false },
	{ "ip4 takes IPv4", ZONE_IP4, TARGET_IPV4, true },
	{ "ip4 refuses IPv6", ZONE_IP4, TARGET_IPV6, false },
	{ "ip4 refuses domains", ZONE_IP4, TARGET_DOMAIN, false },
	{ "ip6 refuses IPv4", ZONE_IP6, TARGET_IPV4, false },
	{ "ip6 takes IPv6", ZONE_IP6, TARGET_IPV6, true },
	{ "ip6 refuses domains", ZONE_IP6, TARGET_DOMAIN, false },
	{ "domain refuses IPv4", ZONE_DOMAIN, TARGET_IPV4, false },
	{ "domain refuses IPv6", ZONE_DOMAIN, TARGET_IPV6, false },
	{ "domain takes domains", ZONE_DOMAIN, TARGET_DOMAIN, true },
};

START_TEST(test_accepts)
{
	const struct accept_row *r = &accept_rows[_i];
	struct zone z;

	memset(&z, 0, sizeof(z));
	z.type = (uint8_t)r->type;
	ck_assert_msg(zone_accepts(&z, r->kind) == r->accepts, "%s: want %d",
	    r->name, r->accepts);
}
END_TEST

static const struct type_row {
	const char *name;
	const char *text;
	int rc;
	enum zone_type type;
} type_rows[] = {
	{ "ip", "ip", 0, ZONE_IP },
	{ "ip4", "ip4", 0, ZONE_IP4 },
	{ "ip6", "ip6", 0, ZONE_IP6 },
	{ "domain", "domain", 0, ZONE_DOMAIN },
	{ "empty", "", -EINVAL, 0 },
	{ "ipv4 is not a type", "ipv4", -EINVAL, 0 },
	{ "upper case", "IP", -EINVAL, 0 },
	{ "trailing space", "ip ", -EINVAL, 0 },
};

START_TEST(test_type)
{
	const struct type_row *r = &type_rows[_i];
	enum zone_type type = (enum zone_type)99;
	int rc = zone_type_parse(r->text, &type);

	ck_assert_msg(rc == r->rc, "%s: rc %d, want %d", r->name, rc, r->rc);
	if (r->rc != 0) {
		ck_assert_msg((int)type == 99, "%s: ret written", r->name);
		return;
	}
	ck_assert_msg(type == r->type, "%s: type %d, want %d", r->name, type,
	    r->type);
	ck_assert_msg(strcmp(zone_type_name(type), r->text) == 0,
	    "%s: name \"%s\"", r->name, zone_type_name(type));
}
END_TEST

/* Names of values outside the enum, as a corrupt config might hold. */
static const struct type_name_row {
	const char *name;
	int type;
	const char *text;
} type_name_rows[] = {
	{ "ip", ZONE_IP, "ip" },
	{ "ip4", ZONE_IP4, "ip4" },
	{ "ip6", ZONE_IP6, "ip6" },
	{ "domain", ZONE_DOMAIN, "domain" },
	{ "one past the last", ZONE_DOMAIN + 1, "unknown" },
	{ "far out of range", 200, "unknown" },
};

START_TEST(test_type_name)
{
	const struct type_name_row *r = &type_name_rows[_i];
	const char *got = zone_type_name((enum zone_type)r->type);

	ck_assert_msg(got != NULL && strcmp(got, r->text) == 0,
	    "%s: \"%s\", want \"%s\"", r->name, got != NULL ? got : "(null)",
	    r->text);
}
END_TEST

static const struct format_row {
	const char *name;
	uint32_t code;
	const char *text;
} format_rows[] = {
	{ "listed", Q(127, 0, 0, 2), "127.0.0.2" },
	{ "refusal", Q(127, 255, 255, 252), "127.255.255.252" },
	{ "zero", 0, "0.0.0.0" },
	{ "all ones", UINT32_MAX, "255.255.255.255" },
	{ "bogus", Q(192, 0, 2, 10), "192.0.2.10" },
};

START_TEST(test_format)
{
	const struct format_row *r = &format_rows[_i];
	char buf[16];

	code_format(r->code, buf);
	ck_assert_msg(strcmp(buf, r->text) == 0, "%s: \"%s\", want \"%s\"",
	    r->name, buf, r->text);
}
END_TEST

START_TEST(test_clear)
{
	static const char *const listed[] = { "127.0.0.2", NULL };
	static const char *const refused[] = { "127.0.0.1", NULL };
	struct zone z;

	zone_clear(NULL);
	zone_build(&z, listed, refused, zen_labels);
	z.name = strdup("zen.spamhaus.org");
	ck_assert(z.name != NULL);
	zone_clear(&z);
	ck_assert(z.name == NULL && z.listed == NULL && z.nlisted == 0);
	ck_assert(z.labels == NULL && z.nlabels == 0);
	/* Clearing twice is harmless. */
	zone_clear(&z);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
zone_suite(void)
{
	Suite *s = suite_create("zone");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse, 0, NROWS(parse_rows));
	tcase_add_test(tc, test_parse_short_err);
	tcase_add_loop_test(tc, test_match, 0, NROWS(match_rows));
	tcase_add_loop_test(tc, test_loopback, 0, NROWS(loopback_rows));
	tcase_add_loop_test(tc, test_sets, 0, NROWS(set_rows));
	tcase_add_loop_test(tc, test_labels, 0, NROWS(label_rows));
	tcase_add_loop_test(tc, test_accepts, 0, NROWS(accept_rows));
	tcase_add_loop_test(tc, test_type, 0, NROWS(type_rows));
	tcase_add_loop_test(tc, test_type_name, 0, NROWS(type_name_rows));
	tcase_add_loop_test(tc, test_format, 0, NROWS(format_rows));
	tcase_add_test(tc, test_clear);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(zone_suite());
}

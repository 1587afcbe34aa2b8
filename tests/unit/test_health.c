/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for health.c: the zone state for every pair of test point
 * verdicts (RFC 5782 §5), the state names, the test points themselves
 * for IPv4, IPv6 and domain zones, and the points a zone with its own
 * test_listed / test_unlisted really probes.
 */
#include <check.h>

#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "zone.h"

/*
 * Every positive × negative pair of the seven verdicts. The order is the
 * one health.h documents: refused, then bogus, then lists-all (negative
 * listed or ignored), then dead (positive neither listed nor ignored, or
 * negative not clean), else ok. Suppressed never comes from classify; a
 * point answered that way is no evidence the list works, so it is dead.
 */
static const struct decide_row {
	const char *name;
	enum verdict positive, negative;
	enum zone_health want;
} decide_rows[] = {
	{ "clean/clean", VERDICT_CLEAN, VERDICT_CLEAN, HEALTH_DEAD },
	{ "clean/listed", VERDICT_CLEAN, VERDICT_LISTED, HEALTH_LISTS_ALL },
	{ "clean/refused", VERDICT_CLEAN, VERDICT_REFUSED, HEALTH_REFUSED },
	{ "clean/bogus", VERDICT_CLEAN, VERDICT_BOGUS, HEALTH_BOGUS },
	{ "clean/ignored", VERDICT_CLEAN, VERDICT_IGNORED, HEALTH_LISTS_ALL },
	{ "clean/error", VERDICT_CLEAN, VERDICT_ERROR, HEALTH_DEAD },
	{ "clean/suppressed", VERDICT_CLEAN, VERDICT_SUPPRESSED, HEALTH_DEAD },

	{ "listed/clean", VERDICT_LISTED, VERDICT_CLEAN, HEALTH_OK },
	{ "listed/listed", VERDICT_LISTED, VERDICT_LISTED, HEALTH_LISTS_ALL },
	{ "listed/refused", VERDICT_LISTED, VERDICT_REFUSED, HEALTH_REFUSED },
	{ "listed/bogus", VERDICT_LISTED, VERDICT_BOGUS, HEALTH_BOGUS },
	{ "listed/ignored", VERDICT_LISTED, VERDICT_IGNORED,
	    HEALTH_LISTS_ALL },
	{ "listed/error", VERDICT_LISTED, VERDICT_ERROR, HEALTH_DEAD },
	{ "listed/suppressed", VERDICT_LISTED, VERDICT_SUPPRESSED,
	    HEALTH_DEAD },

	{ "refused/clean", VERDICT_REFUSED, VERDICT_CLEAN, HEALTH_REFUSED },
	{ "refused/listed", VERDICT_REFUSED, VERDICT_LISTED, HEALTH_REFUSED },
	{ "refused/refused", VERDICT_REFUSED, VERDICT_REFUSED,
	    HEALTH_REFUSED },
	{ "refused/bogus", VERDICT_REFUSED, VERDICT_BOGUS, HEALTH_REFUSED },
	{ "refused/ignored", VERDICT_REFUSED, VERDICT_IGNORED,
	    HEALTH_REFUSED },
	{ "refused/error", VERDICT_REFUSED, VERDICT_ERROR, HEALTH_REFUSED },
	{ "refused/suppressed", VERDICT_REFUSED, VERDICT_SUPPRESSED,
	    HEALTH_REFUSED },

	{ "bogus/clean", VERDICT_BOGUS, VERDICT_CLEAN, HEALTH_BOGUS },
	{ "bogus/listed", VERDICT_BOGUS, VERDICT_LISTED, HEALTH_BOGUS },
	{ "bogus/refused", VERDICT_BOGUS, VERDICT_REFUSED, HEALTH_REFUSED },
	{ "bogus/bogus", VERDICT_BOGUS, VERDICT_BOGUS, HEALTH_BOGUS },
	{ "bogus/ignored", VERDICT_BOGUS, VERDICT_IGNORED, HEALTH_BOGUS },
	{ "bogus/error", VERDICT_BOGUS, VERDICT_ERROR, HEALTH_BOGUS },
	{ "bogus/suppressed", VERDICT_BOGUS, VERDICT_SUPPRESSED,
	    HEALTH_BOGUS },

	{ "ignored/clean", VERDICT_IGNORED, VERDICT_CLEAN, HEALTH_OK },
	{ "ignored/listed", VERDICT_IGNORED, VERDICT_LISTED,
	    HEALTH_LISTS_ALL },
	{ "ignored/refused", VERDICT_IGNORED, VERDICT_REFUSED,
	    HEALTH_REFUSED },
	{ "ignored/bogus", VERDICT_IGNORED, VERDICT_BOGUS, HEALTH_BOGUS },
	{ "ignored/ignored", VERDICT_IGNORED, VERDICT_IGNORED,
	    HEALTH_LISTS_ALL },
	{ "ignored/error", VERDICT_IGNORED, VERDICT_ERROR, HEALTH_DEAD },
	{ "ignored/suppressed", VERDICT_IGNORED, VERDICT_SUPPRESSED,
	    HEALTH_DEAD },

	{ "error/clean", VERDICT_ERROR, VERDICT_CLEAN, HEALTH_DEAD },
	{ "error/listed", VERDICT_ERROR, VERDICT_LISTED, HEALTH_LISTS_ALL },
	{ "error/refused", VERDICT_ERROR, VERDICT_REFUSED, HEALTH_REFUSED },
	{ "error/bogus", VERDICT_ERROR, VERDICT_BOGUS, HEALTH_BOGUS },
	{ "error/ignored", VERDICT_ERROR, VERDICT_IGNORED, HEALTH_LISTS_ALL },
	{ "error/error", VERDICT_ERROR, VERDICT_ERROR, HEALTH_DEAD },
	{ "error/suppressed", VERDICT_ERROR, VERDICT_SUPPRESSED, HEALTH_DEAD },

	{ "suppressed/clean", VERDICT_SUPPRESSED, VERDICT_CLEAN, HEALTH_DEAD },
	{ "suppressed/listed", VERDICT_SUPPRESSED, VERDICT_LISTED,
	    HEALTH_LISTS_ALL },
	{ "suppressed/refused", VERDICT_SUPPRESSED, VERDICT_REFUSED,
	    HEALTH_REFUSED },
	{ "suppressed/bogus", VERDICT_SUPPRESSED, VERDICT_BOGUS,
	    HEALTH_BOGUS },
	{ "suppressed/ignored", VERDICT_SUPPRESSED, VERDICT_IGNORED,
	    HEALTH_LISTS_ALL },
	{ "suppressed/error", VERDICT_SUPPRESSED, VERDICT_ERROR, HEALTH_DEAD },
	{ "suppressed/suppressed", VERDICT_SUPPRESSED, VERDICT_SUPPRESSED,
	    HEALTH_DEAD },
};

START_TEST(test_decide)
{
	const struct decide_row *r = &decide_rows[_i];
	enum zone_health h = health_decide(r->positive, r->negative);

	ck_assert_msg(h == r->want, "%s: %s, want %s", r->name,
	    health_name(h), health_name(r->want));
}
END_TEST

/* The table holds every pair exactly once. */
START_TEST(test_decide_complete)
{
	int seen[VERDICT_COUNT][VERDICT_COUNT] = { { 0 } };
	size_t n = sizeof(decide_rows) / sizeof(decide_rows[0]);

	ck_assert_uint_eq(n, VERDICT_COUNT * VERDICT_COUNT);
	for (size_t i = 0; i < n; i++)
		seen[decide_rows[i].positive][decide_rows[i].negative]++;
	for (int p = 0; p < VERDICT_COUNT; p++)
		for (int q = 0; q < VERDICT_COUNT; q++)
			ck_assert_msg(seen[p][q] == 1,
			    "pair %s/%s appears %d times",
			    verdict_name((enum verdict)p),
			    verdict_name((enum verdict)q), seen[p][q]);
}
END_TEST

static const struct name_row {
	const char *name;
	int health;
	const char *text;
} name_rows[] = {
	{ "unknown", HEALTH_UNKNOWN, "unknown" },
	{ "ok", HEALTH_OK, "ok" },
	{ "dead", HEALTH_DEAD, "dead" },
	{ "lists-all", HEALTH_LISTS_ALL, "lists-all" },
	{ "refused", HEALTH_REFUSED, "refused" },
	{ "bogus", HEALTH_BOGUS, "bogus" },
	{ "count is out of range", HEALTH_COUNT, "unknown" },
	{ "far out of range", 1000, "unknown" },
};

START_TEST(test_name)
{
	const struct name_row *r = &name_rows[_i];
	const char *got = health_name((enum zone_health)r->health);

	ck_assert_msg(got != NULL && strcmp(got, r->text) == 0,
	    "%s: \"%s\", want \"%s\"", r->name, got != NULL ? got : "(null)",
	    r->text);
}
END_TEST

static const struct point_row {
	const char *name;
	enum target_kind kind;
	bool positive;
	uint8_t addr[16];   /* IPv4 and IPv6 */
	const char *domain; /* domain zones */
} point_rows[] = {
	{ "IPv4 positive 127.0.0.2", TARGET_IPV4, true, { 127, 0, 0, 2 },
	    NULL },
	{ "IPv4 negative 127.0.0.1", TARGET_IPV4, false, { 127, 0, 0, 1 },
	    NULL },
	{ "IPv6 positive ::ffff:7f00:2", TARGET_IPV6, true,
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x7f, 0, 0, 2 },
	    NULL },
	{ "IPv6 negative ::ffff:7f00:1", TARGET_IPV6, false,
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x7f, 0, 0, 1 },
	    NULL },
	{ "domain positive test", TARGET_DOMAIN, true, { 0 }, "test" },
	{ "domain negative invalid", TARGET_DOMAIN, false, { 0 },
	    "invalid" },
};

START_TEST(test_point)
{
	const struct point_row *r = &point_rows[_i];
	struct target t;

	/* Garbage first: every field must be written. */
	memset(&t, 0xa5, sizeof(t));
	health_test_point(r->kind, r->positive, &t);
	ck_assert_msg(t.kind == r->kind, "%s: kind %u, want %u", r->name,
	    t.kind, r->kind);
	ck_assert_msg(t.group == 0, "%s: group %u, want 0", r->name, t.group);
	if (r->kind == TARGET_DOMAIN) {
		ck_assert_msg(t.u.domain != NULL &&
			strcmp(t.u.domain, r->domain) == 0,
		    "%s: \"%s\", want \"%s\"", r->name,
		    t.u.domain != NULL ? t.u.domain : "(null)", r->domain);
		return;
	}
	/* IPv4 uses addr[0..3]; the rest is zero as for parsed targets. */
	for (size_t i = 0; i < sizeof(t.u.addr); i++)
		ck_assert_msg(t.u.addr[i] == r->addr[i],
		    "%s: byte %zu is %u, want %u", r->name, i, t.u.addr[i],
		    r->addr[i]);
}
END_TEST

/*
 * The point a zone really probes: its own test_listed / test_unlisted, the
 * RFC 5782 §5 point of its type by default, none when set to "none" or
 * when test_points = no. A domain zone without a positive point keeps the
 * INVALID negative one.
 */
static const struct zone_point_row {
	const char *name;
	enum zone_type type;
	bool test_points;
	enum test_point_mode mode;
	const char *set; /* TEST_POINT_SET: the point, parsed below */
	bool positive;
	const char *want; /* formatted, or NULL: no point */
} zone_point_rows[] = {
	{ "ip default positive", ZONE_IP, true, TEST_POINT_DEFAULT, NULL, true,
	    "127.0.0.2" },
	{ "ip default negative", ZONE_IP, true, TEST_POINT_DEFAULT, NULL,
	    false, "127.0.0.1" },
	{ "ip4 own positive", ZONE_IP4, true, TEST_POINT_SET, "127.0.0.3",
	    true, "127.0.0.3" },
	{ "ip6 default positive", ZONE_IP6, true, TEST_POINT_DEFAULT, NULL,
	    true, "::ffff:127.0.0.2" },
	{ "ip6 own negative", ZONE_IP6, true, TEST_POINT_SET, "::1", false,
	    "::1" },
	{ "domain default positive", ZONE_DOMAIN, true, TEST_POINT_DEFAULT,
	    NULL, true, "test" },
	{ "domain own positive", ZONE_DOMAIN, true, TEST_POINT_SET,
	    "dbltest.com", true, "dbltest.com" },
	{ "domain positive none", ZONE_DOMAIN, true, TEST_POINT_NONE, NULL,
	    true, NULL },
	{ "domain keeps INVALID without a positive point", ZONE_DOMAIN, true,
	    TEST_POINT_DEFAULT, NULL, false, "invalid" },
	{ "ip negative none", ZONE_IP, true, TEST_POINT_NONE, NULL, false,
	    NULL },
	{ "test_points = no: no positive", ZONE_DOMAIN, false, TEST_POINT_SET,
	    "dbltest.com", true, NULL },
	{ "test_points = no: no negative", ZONE_IP, false, TEST_POINT_DEFAULT,
	    NULL, false, NULL },
};

START_TEST(test_zone_point)
{
	const struct zone_point_row *r = &zone_point_rows[_i];
	struct test_point *p;
	struct zone z;
	struct target t;
	char text[TARGET_TEXT_MAX], err[128];
	bool got;

	memset(&z, 0, sizeof(z));
	z.type = (uint8_t)r->type;
	z.test_points = r->test_points;
	/* The other point is "none": it must not leak into this one. */
	z.test_listed.mode = z.test_unlisted.mode = TEST_POINT_NONE;
	p = r->positive ? &z.test_listed : &z.test_unlisted;
	p->mode = (uint8_t)r->mode;
	if (r->mode == TEST_POINT_SET)
		ck_assert(r->type == ZONE_DOMAIN ?
		    target_parse_domain(r->set, &p->t, err, sizeof(err)) == 0 :
		    target_parse_ip(r->set, &p->t, err, sizeof(err)) == 0);
	got = health_zone_point(&z, r->positive, &t);
	ck_assert_msg(got == (r->want != NULL), "%s: %s", r->name,
	    got ? "a point" : "no point");
	if (got) {
		ck_assert(target_format(&t, text, sizeof(text)) == 0);
		ck_assert_msg(strcmp(text, r->want) == 0, "%s: %s, want %s",
		    r->name, text, r->want);
	}
	zone_clear(&z);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_decide, 0, NROWS(decide_rows));
	tcase_add_test(tc, test_decide_complete);
	tcase_add_loop_test(tc, test_name, 0, NROWS(name_rows));
	tcase_add_loop_test(tc, test_point, 0, NROWS(point_rows));
	tcase_add_loop_test(tc, test_zone_point, 0, NROWS(zone_point_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(health_suite());
}

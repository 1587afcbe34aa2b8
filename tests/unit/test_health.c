/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for health.c: the zone state for every pair of test point
 * verdicts (RFC 5782 §5), the state names, the test points themselves
 * for IPv4, IPv6 and domain zones, the points a zone with its own
 * test_listed / test_unlisted really probes, the hysteresis that holds a
 * zone's state until probes agree, and the early-probe window.
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

/*
 * Hysteresis from a fresh candidate-free track: every accepted state ×
 * every decision, with need 1, 2 and 3 in the three columns. SAME leaves
 * the state and no candidate; PENDING leaves the state with the decision
 * as candidate, agreed once; CHANGED takes the decision as state. From
 * UNKNOWN only OK is accepted at once; a round that decided nothing
 * (UNKNOWN, or out of range) changes nothing.
 */
#define S HEALTH_STEP_SAME
#define P HEALTH_STEP_PENDING
#define C HEALTH_STEP_CHANGED
#define H_OUT_OF_RANGE 200 /* no state has this value */

static const struct track_row {
	int state, decided;
	enum health_step want[3]; /* need 1, 2, 3 */
} track_rows[] = {
	{ HEALTH_UNKNOWN, HEALTH_UNKNOWN, { S, S, S } },
	{ HEALTH_UNKNOWN, HEALTH_OK, { C, C, C } },
	{ HEALTH_UNKNOWN, HEALTH_DEAD, { C, P, P } },
	{ HEALTH_UNKNOWN, HEALTH_LISTS_ALL, { C, P, P } },
	{ HEALTH_UNKNOWN, HEALTH_REFUSED, { C, P, P } },
	{ HEALTH_UNKNOWN, HEALTH_BOGUS, { C, P, P } },
	{ HEALTH_UNKNOWN, H_OUT_OF_RANGE, { S, S, S } },

	{ HEALTH_OK, HEALTH_UNKNOWN, { S, S, S } },
	{ HEALTH_OK, HEALTH_OK, { S, S, S } },
	{ HEALTH_OK, HEALTH_DEAD, { C, P, P } },
	{ HEALTH_OK, HEALTH_LISTS_ALL, { C, P, P } },
	{ HEALTH_OK, HEALTH_REFUSED, { C, P, P } },
	{ HEALTH_OK, HEALTH_BOGUS, { C, P, P } },
	{ HEALTH_OK, H_OUT_OF_RANGE, { S, S, S } },

	{ HEALTH_DEAD, HEALTH_UNKNOWN, { S, S, S } },
	{ HEALTH_DEAD, HEALTH_OK, { C, P, P } },
	{ HEALTH_DEAD, HEALTH_DEAD, { S, S, S } },
	{ HEALTH_DEAD, HEALTH_LISTS_ALL, { C, P, P } },
	{ HEALTH_DEAD, HEALTH_REFUSED, { C, P, P } },
	{ HEALTH_DEAD, HEALTH_BOGUS, { C, P, P } },
	{ HEALTH_DEAD, H_OUT_OF_RANGE, { S, S, S } },

	{ HEALTH_LISTS_ALL, HEALTH_UNKNOWN, { S, S, S } },
	{ HEALTH_LISTS_ALL, HEALTH_OK, { C, P, P } },
	{ HEALTH_LISTS_ALL, HEALTH_DEAD, { C, P, P } },
	{ HEALTH_LISTS_ALL, HEALTH_LISTS_ALL, { S, S, S } },
	{ HEALTH_LISTS_ALL, HEALTH_REFUSED, { C, P, P } },
	{ HEALTH_LISTS_ALL, HEALTH_BOGUS, { C, P, P } },
	{ HEALTH_LISTS_ALL, H_OUT_OF_RANGE, { S, S, S } },

	{ HEALTH_REFUSED, HEALTH_UNKNOWN, { S, S, S } },
	{ HEALTH_REFUSED, HEALTH_OK, { C, P, P } },
	{ HEALTH_REFUSED, HEALTH_DEAD, { C, P, P } },
	{ HEALTH_REFUSED, HEALTH_LISTS_ALL, { C, P, P } },
	{ HEALTH_REFUSED, HEALTH_REFUSED, { S, S, S } },
	{ HEALTH_REFUSED, HEALTH_BOGUS, { C, P, P } },
	{ HEALTH_REFUSED, H_OUT_OF_RANGE, { S, S, S } },

	{ HEALTH_BOGUS, HEALTH_UNKNOWN, { S, S, S } },
	{ HEALTH_BOGUS, HEALTH_OK, { C, P, P } },
	{ HEALTH_BOGUS, HEALTH_DEAD, { C, P, P } },
	{ HEALTH_BOGUS, HEALTH_LISTS_ALL, { C, P, P } },
	{ HEALTH_BOGUS, HEALTH_REFUSED, { C, P, P } },
	{ HEALTH_BOGUS, HEALTH_BOGUS, { S, S, S } },
	{ HEALTH_BOGUS, H_OUT_OF_RANGE, { S, S, S } },
};

static const char *
step_name(enum health_step s)
{
	return s == S ? "same" : s == P ? "pending" : s == C ? "changed" :
	    "?";
}

/* The name of a state or decision, the out-of-range one included. */
static const char *
track_name(int h)
{
	return h == H_OUT_OF_RANGE ? "out-of-range" :
	    health_name((enum zone_health)h);
}

START_TEST(test_track)
{
	const struct track_row *r = &track_rows[_i / 3];
	unsigned need = (unsigned)(_i % 3) + 1;
	enum health_step want = r->want[need - 1], got;
	struct health_track t = { (uint8_t)r->state, HEALTH_UNKNOWN, 0 };
	uint8_t want_state = (uint8_t)r->state, want_cand = HEALTH_UNKNOWN;
	uint8_t want_agree = 0;

	got = health_track_step(&t, (enum zone_health)r->decided, need);
	if (want == C)
		want_state = (uint8_t)r->decided;
	if (want == P) {
		want_cand = (uint8_t)r->decided;
		want_agree = 1;
	}
	ck_assert_msg(got == want && t.state == want_state &&
		t.cand == want_cand && t.agree == want_agree,
	    "%s + %s, need %u: %s %s/%s/%u, want %s %s/%s/%u",
	    track_name(r->state), track_name(r->decided), need,
	    step_name(got), track_name(t.state), track_name(t.cand), t.agree,
	    step_name(want), track_name(want_state), track_name(want_cand),
	    want_agree);
}
END_TEST

/* The table holds every state × decision exactly once. */
START_TEST(test_track_complete)
{
	int seen[HEALTH_COUNT][HEALTH_COUNT + 1] = { { 0 } };
	size_t n = sizeof(track_rows) / sizeof(track_rows[0]);

	ck_assert_uint_eq(n, HEALTH_COUNT * (HEALTH_COUNT + 1));
	for (size_t i = 0; i < n; i++) {
		int d = track_rows[i].decided;

		seen[track_rows[i].state][d == H_OUT_OF_RANGE ? HEALTH_COUNT :
		    d]++;
	}
	for (int st = 0; st < HEALTH_COUNT; st++)
		for (int d = 0; d <= HEALTH_COUNT; d++)
			ck_assert_msg(seen[st][d] == 1,
			    "%s + %s appears %d times", track_name(st),
			    d == HEALTH_COUNT ? "out-of-range" : track_name(d),
			    seen[st][d]);
}
END_TEST

/*
 * Runs of probe rounds from a fresh track: each round's decision and the
 * step it must give, then the state, candidate and count at the end.
 */
#define U HEALTH_UNKNOWN
#define OK HEALTH_OK
#define DEAD HEALTH_DEAD
#define ALL HEALTH_LISTS_ALL
#define REF HEALTH_REFUSED
#define BOG HEALTH_BOGUS

struct round {
	bool used; /* false: the run is over */
	int decided;
	enum health_step want;
};

#define R(d, w) { true, d, w }

static const struct seq_row {
	const char *name;
	unsigned need;
	struct round rounds[10];
	int state, cand;
	unsigned agree;
} seq_rows[] = {
	{ "first ok is taken at once", 2, { R(OK, C) }, OK, U, 0 },
	{ "first dead needs two", 2, { R(DEAD, P), R(DEAD, C) }, DEAD, U,
	    0 },
	{ "first dead then ok: ok at once", 2, { R(DEAD, P), R(OK, C) }, OK,
	    U, 0 },
	{ "one lost probe does not kill a zone", 2,
	    { R(OK, C), R(DEAD, P), R(OK, S), R(DEAD, P), R(OK, S) }, OK,
	    U, 0 },
	{ "two dead rounds in a row do", 2,
	    { R(OK, C), R(DEAD, P), R(DEAD, C), R(DEAD, S) }, DEAD, U, 0 },
	{ "recovery needs agreement too", 2,
	    { R(OK, C), R(DEAD, P), R(DEAD, C), R(OK, P), R(OK, C) }, OK,
	    U, 0 },
	{ "need 3: two agreeing rounds still pending", 3,
	    { R(OK, C), R(REF, P), R(REF, P) }, OK, REF, 2 },
	{ "need 3: the third agreeing round changes", 3,
	    { R(OK, C), R(REF, P), R(REF, P), R(REF, C) }, REF, U, 0 },
	{ "need 3: the state itself breaks the run", 3,
	    { R(OK, C), R(REF, P), R(REF, P), R(OK, S), R(REF, P),
		R(REF, P) },
	    OK, REF, 2 },
	{ "a different candidate starts again at one", 3,
	    { R(OK, C), R(REF, P), R(REF, P), R(BOG, P), R(BOG, P) }, OK,
	    BOG, 2 },
	{ "a different candidate, then agreement", 2,
	    { R(OK, C), R(REF, P), R(BOG, P), R(BOG, C) }, BOG, U, 0 },
	{ "unknown rounds neither agree nor break", 2,
	    { R(OK, C), R(ALL, P), R(U, P), R(U, P), R(ALL, C) }, ALL, U,
	    0 },
	{ "unknown rounds with nothing waiting", 2,
	    { R(OK, C), R(U, S), R(H_OUT_OF_RANGE, S) }, OK, U, 0 },
	{ "a candidate waits through an out-of-range round", 3,
	    { R(DEAD, P), R(H_OUT_OF_RANGE, P), R(DEAD, P) }, U, DEAD, 2 },
	{ "need 0 acts as 1", 0, { R(DEAD, C), R(REF, C), R(REF, S) }, REF,
	    U, 0 },
	{ "need 1: every change at once", 1,
	    { R(OK, C), R(DEAD, C), R(OK, C), R(ALL, C), R(BOG, C) }, BOG,
	    U, 0 },
	{ "from unknown, a bad first state needs need rounds", 3,
	    { R(BOG, P), R(BOG, P), R(BOG, C) }, BOG, U, 0 },
	{ "from unknown, candidates swap before agreeing", 2,
	    { R(DEAD, P), R(REF, P), R(REF, C) }, REF, U, 0 },
};

/*
 * The same with a candidate waiting (agreed once): every accepted state ×
 * every decision, need 1, 2 and 3. A decision agreeing with the candidate
 * counts two; the state itself drops it; another decision replaces it at
 * one; a round that decided nothing leaves it waiting. After PENDING the
 * track holds cand_after, agreed agree_after times.
 */
static const struct pending_row {
	int state, cand, decided;
	enum health_step want[3]; /* need 1, 2, 3 */
	int cand_after;
	unsigned agree_after;
} pending_rows[] = {
	{ U, DEAD, U, { P, P, P }, DEAD, 1 },
	{ U, DEAD, OK, { C, C, C }, U, 0 },
	{ U, DEAD, DEAD, { C, C, P }, DEAD, 2 },
	{ U, DEAD, ALL, { C, P, P }, ALL, 1 },
	{ U, DEAD, REF, { C, P, P }, REF, 1 },
	{ U, DEAD, BOG, { C, P, P }, BOG, 1 },
	{ U, DEAD, H_OUT_OF_RANGE, { P, P, P }, DEAD, 1 },

	{ OK, DEAD, U, { P, P, P }, DEAD, 1 },
	{ OK, DEAD, OK, { S, S, S }, U, 0 },
	{ OK, DEAD, DEAD, { C, C, P }, DEAD, 2 },
	{ OK, DEAD, ALL, { C, P, P }, ALL, 1 },
	{ OK, DEAD, REF, { C, P, P }, REF, 1 },
	{ OK, DEAD, BOG, { C, P, P }, BOG, 1 },
	{ OK, DEAD, H_OUT_OF_RANGE, { P, P, P }, DEAD, 1 },

	{ DEAD, REF, U, { P, P, P }, REF, 1 },
	{ DEAD, REF, OK, { C, P, P }, OK, 1 },
	{ DEAD, REF, DEAD, { S, S, S }, U, 0 },
	{ DEAD, REF, ALL, { C, P, P }, ALL, 1 },
	{ DEAD, REF, REF, { C, C, P }, REF, 2 },
	{ DEAD, REF, BOG, { C, P, P }, BOG, 1 },
	{ DEAD, REF, H_OUT_OF_RANGE, { P, P, P }, REF, 1 },

	{ ALL, OK, U, { P, P, P }, OK, 1 },
	{ ALL, OK, OK, { C, C, P }, OK, 2 },
	{ ALL, OK, DEAD, { C, P, P }, DEAD, 1 },
	{ ALL, OK, ALL, { S, S, S }, U, 0 },
	{ ALL, OK, REF, { C, P, P }, REF, 1 },
	{ ALL, OK, BOG, { C, P, P }, BOG, 1 },
	{ ALL, OK, H_OUT_OF_RANGE, { P, P, P }, OK, 1 },

	{ REF, BOG, U, { P, P, P }, BOG, 1 },
	{ REF, BOG, OK, { C, P, P }, OK, 1 },
	{ REF, BOG, DEAD, { C, P, P }, DEAD, 1 },
	{ REF, BOG, ALL, { C, P, P }, ALL, 1 },
	{ REF, BOG, REF, { S, S, S }, U, 0 },
	{ REF, BOG, BOG, { C, C, P }, BOG, 2 },
	{ REF, BOG, H_OUT_OF_RANGE, { P, P, P }, BOG, 1 },

	{ BOG, ALL, U, { P, P, P }, ALL, 1 },
	{ BOG, ALL, OK, { C, P, P }, OK, 1 },
	{ BOG, ALL, DEAD, { C, P, P }, DEAD, 1 },
	{ BOG, ALL, ALL, { C, C, P }, ALL, 2 },
	{ BOG, ALL, REF, { C, P, P }, REF, 1 },
	{ BOG, ALL, BOG, { S, S, S }, U, 0 },
	{ BOG, ALL, H_OUT_OF_RANGE, { P, P, P }, ALL, 1 },
};

START_TEST(test_track_pending)
{
	const struct pending_row *r = &pending_rows[_i / 3];
	unsigned need = (unsigned)(_i % 3) + 1;
	enum health_step want = r->want[need - 1], got;
	struct health_track t = { (uint8_t)r->state, (uint8_t)r->cand, 1 };
	uint8_t want_state = (uint8_t)r->state, want_cand = HEALTH_UNKNOWN;
	uint8_t want_agree = 0;

	got = health_track_step(&t, (enum zone_health)r->decided, need);
	if (want == C)
		want_state = (uint8_t)r->decided;
	if (want == P) {
		want_cand = (uint8_t)r->cand_after;
		want_agree = (uint8_t)r->agree_after;
	}
	ck_assert_msg(got == want && t.state == want_state &&
		t.cand == want_cand && t.agree == want_agree,
	    "%s waiting for %s + %s, need %u: %s %s/%s/%u, want %s %s/%s/%u",
	    track_name(r->state), track_name(r->cand), track_name(r->decided),
	    need, step_name(got), track_name(t.state), track_name(t.cand),
	    t.agree, step_name(want), track_name(want_state),
	    track_name(want_cand), want_agree);
}
END_TEST

/* Every accepted state appears with every decision exactly once. */
START_TEST(test_track_pending_complete)
{
	int seen[HEALTH_COUNT][HEALTH_COUNT + 1] = { { 0 } };
	size_t n = sizeof(pending_rows) / sizeof(pending_rows[0]);

	ck_assert_uint_eq(n, HEALTH_COUNT * (HEALTH_COUNT + 1));
	for (size_t i = 0; i < n; i++) {
		int d = pending_rows[i].decided;

		ck_assert(pending_rows[i].cand != pending_rows[i].state);
		seen[pending_rows[i].state][d == H_OUT_OF_RANGE ?
		    HEALTH_COUNT : d]++;
	}
	for (int st = 0; st < HEALTH_COUNT; st++)
		for (int d = 0; d <= HEALTH_COUNT; d++)
			ck_assert_msg(seen[st][d] == 1,
			    "%s + %s appears %d times", track_name(st),
			    d == HEALTH_COUNT ? "out-of-range" : track_name(d),
			    seen[st][d]);
}
END_TEST

START_TEST(test_track_seq)
{
	const struct seq_row *r = &seq_rows[_i];
	struct health_track t = { 0 };
	enum health_step got;

	for (size_t k = 0; k < sizeof(r->rounds) / sizeof(r->rounds[0]) &&
	    r->rounds[k].used; k++) {
		const struct round *d = &r->rounds[k];

		got = health_track_step(&t, (enum zone_health)d->decided,
		    r->need);
		ck_assert_msg(got == d->want, "%s: round %zu (%s): %s, want %s",
		    r->name, k + 1, track_name(d->decided), step_name(got),
		    step_name(d->want));
	}
	ck_assert_msg(t.state == r->state && t.cand == r->cand &&
		t.agree == r->agree,
	    "%s: ends %s/%s/%u, want %s/%s/%u", r->name, track_name(t.state),
	    track_name(t.cand), t.agree, track_name(r->state),
	    track_name(r->cand), r->agree);
}
END_TEST

/* need is kept in the track's 8-bit count: above 255 it acts as 255. */
START_TEST(test_track_need_cap)
{
	struct health_track t = { HEALTH_OK, HEALTH_UNKNOWN, 0 };

	for (unsigned k = 1; k < UINT8_MAX; k++)
		ck_assert_msg(health_track_step(&t, HEALTH_DEAD, 100000) == P,
		    "round %u changed early", k);
	ck_assert_uint_eq(t.agree, UINT8_MAX - 1);
	ck_assert(health_track_step(&t, HEALTH_DEAD, 100000) == C);
	ck_assert_uint_eq(t.state, HEALTH_DEAD);
}
END_TEST

#undef S
#undef P
#undef C

/*
 * The early-probe window: runs of verdicts added in order, then the
 * counts it holds and whether it calls the zone's answers bad.
 */
#define V_OUT_OF_RANGE 99 /* no verdict has this value */

struct vrun {
	int v;
	unsigned count;
};

static const struct window_row {
	const char *name;
	struct vrun runs[4];
	unsigned n, bad;
	bool want;
} window_rows[] = {
	{ "empty", { { 0, 0 } }, 0, 0, false },
	{ "31 errors: too few to tell", { { VERDICT_ERROR, 31 } }, 31, 31,
	    false },
	{ "32 errors", { { VERDICT_ERROR, 32 } }, 32, 32, true },
	{ "32 refused", { { VERDICT_REFUSED, 32 } }, 32, 32, true },
	{ "32 bogus", { { VERDICT_BOGUS, 32 } }, 32, 32, true },
	{ "32 clean", { { VERDICT_CLEAN, 32 } }, 32, 0, false },
	{ "half bad is enough",
	    { { VERDICT_CLEAN, 16 }, { VERDICT_REFUSED, 16 } }, 32, 16, true },
	{ "just under half is not",
	    { { VERDICT_CLEAN, 17 }, { VERDICT_BOGUS, 15 } }, 32, 15, false },
	{ "listed is good", { { VERDICT_LISTED, 17 }, { VERDICT_ERROR, 16 } },
	    33, 16, false },
	{ "ignored is good",
	    { { VERDICT_IGNORED, 16 }, { VERDICT_ERROR, 16 } }, 32, 16, true },
	{ "every bad kind counts",
	    { { VERDICT_REFUSED, 11 }, { VERDICT_BOGUS, 11 },
		{ VERDICT_ERROR, 11 }, { VERDICT_CLEAN, 33 } },
	    66, 33, true },
	{ "suppressed is not counted",
	    { { VERDICT_SUPPRESSED, 100 }, { VERDICT_ERROR, 31 } }, 31, 31,
	    false },
	{ "out of range is not counted",
	    { { V_OUT_OF_RANGE, 100 }, { VERDICT_REFUSED, 40 } }, 40, 40,
	    true },
	{ "255 answers are kept whole", { { VERDICT_CLEAN, 255 } }, 255, 0,
	    false },
	{ "the 256th halves both counts",
	    { { VERDICT_CLEAN, 255 }, { VERDICT_ERROR, 1 } }, 128, 0, false },
	{ "halving keeps half bad",
	    { { VERDICT_CLEAN, 128 }, { VERDICT_ERROR, 128 } }, 128, 64,
	    true },
	{ "halving keeps under half",
	    { { VERDICT_CLEAN, 129 }, { VERDICT_ERROR, 127 } }, 128, 63,
	    false },
	{ "a long good run: 127 errors are not yet enough",
	    { { VERDICT_CLEAN, 10000 }, { VERDICT_ERROR, 127 } }, 143, 71,
	    false },
	{ "a long good run: 128 errors are",
	    { { VERDICT_CLEAN, 10000 }, { VERDICT_ERROR, 128 } }, 144, 72,
	    true },
	{ "a million errors never overflow", { { VERDICT_ERROR, 1000000 } },
	    192, 192, true },
};

START_TEST(test_window)
{
	const struct window_row *r = &window_rows[_i];
	struct health_window w = { 0, 0 };
	bool got;

	for (size_t k = 0; k < sizeof(r->runs) / sizeof(r->runs[0]); k++)
		for (unsigned j = 0; j < r->runs[k].count; j++)
			health_window_add(&w, (enum verdict)r->runs[k].v);
	got = health_window_bad(&w);
	ck_assert_msg(w.n == r->n && w.bad == r->bad && got == r->want,
	    "%s: %u/%u %s, want %u/%u %s", r->name, w.n, w.bad,
	    got ? "bad" : "fine", r->n, r->bad, r->want ? "bad" : "fine");
	health_window_reset(&w);
	ck_assert_msg(w.n == 0 && w.bad == 0 && !health_window_bad(&w),
	    "%s: reset left %u/%u", r->name, w.n, w.bad);
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
	tcase_add_loop_test(tc, test_track, 0, 3 * NROWS(track_rows));
	tcase_add_test(tc, test_track_complete);
	tcase_add_loop_test(tc, test_track_pending, 0,
	    3 * NROWS(pending_rows));
	tcase_add_test(tc, test_track_pending_complete);
	tcase_add_loop_test(tc, test_track_seq, 0, NROWS(seq_rows));
	tcase_add_test(tc, test_track_need_cap);
	tcase_add_loop_test(tc, test_window, 0, NROWS(window_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(health_suite());
}

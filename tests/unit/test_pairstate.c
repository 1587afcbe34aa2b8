/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for pairstate.c as transition tables: every stable state x
 * every answer class x confirm 1-3, with the zone ok or going not ok
 * mid-way; then named sequences (errors between agreeing answers, flapping,
 * code changes, reminders, suppression) and saturating counters.
 */
#include <check.h>

#include "unit.h"
#include <stdint.h>
#include <string.h>

#include "pairstate.h"

#define MIN(x) ((uint64_t)(x) * UINT64_C(60000))
#define HOUR(x) ((uint64_t)(x) * UINT64_C(3600000))

/* A start far from zero: monotonic clocks never read 0. */
#define T0 HOUR(1000)
#define DELAY MIN(1)
#define IVAL MIN(10)

#define NONE PAIRSTATE_EV_NONE
#define LISTED PAIRSTATE_EV_LISTED
#define DELISTED PAIRSTATE_EV_DELISTED
#define CHANGED PAIRSTATE_EV_CHANGED
#define REMINDER PAIRSTATE_EV_REMINDER

/* Code sets, by name; SET_NONE for answers without codes. */
enum set { SET_NONE, SET_A, SET_B, SET_C, SET_COUNT };

static const uint32_t set_codes[SET_COUNT][2] = {
	[SET_A] = { 0x7f000002 },
	[SET_B] = { 0x7f000004 },
	[SET_C] = { 0x7f000002, 0x7f00000a },
};
static const size_t set_len[SET_COUNT] = { 0, 1, 1, 2 };

static struct pairstate_input
input(enum verdict v, enum set s)
{
	struct pairstate_input in = { .verdict = (uint8_t)v };

	if (v == VERDICT_LISTED)
		in.codes_hash = pairstate_codes_hash(set_codes[s], set_len[s],
		    &in.ncodes);
	return in;
}

/* Where a row starts: built through the API, at T0, with confirm 1. */
enum start { ST_UNKNOWN, ST_CLEAN, ST_LISTED_A, ST_COUNT };

static void
start_state(struct pairstate *ps, enum start st)
{
	const struct pairstate_params one = { 1, DELAY, IVAL, 0 };
	struct pairstate_input in;

	pairstate_init(ps);
	if (st == ST_UNKNOWN)
		return;
	in = input(st == ST_CLEAN ? VERDICT_CLEAN : VERDICT_LISTED, SET_A);
	pairstate_step(ps, &in, &one, T0, NULL);
}

static void
assert_stable(const struct pairstate *ps, enum pairstate_kind k,
    enum set s, const char *name)
{
	struct pairstate_input in = input(VERDICT_LISTED, s);

	ck_assert_msg(ps->stable == k, "%s: stable %s, want %s", name,
	    pairstate_kind_name(ps->stable), pairstate_kind_name(k));
	if (k == PAIRSTATE_LISTED)
		ck_assert_msg(ps->codes_hash == in.codes_hash &&
			ps->ncodes == in.ncodes, "%s: wrong code set", name);
}

/*
 * The transition table proper: from each start, `confirm` answers of one
 * class, each confirm_delay apart, end in this state with this event on
 * the last answer and nothing on those before.
 */
struct cell {
	enum verdict verdict;
	enum set set;
	enum pairstate_kind to;
	enum set to_set;
	enum pairstate_event ev;
	bool change; /* a candidate is pending before the last answer */
	bool error;  /* counted in errors */
};

#define CLASSES 8
static const struct cell cells[ST_COUNT][CLASSES] = {
	[ST_UNKNOWN] = {
	    { VERDICT_CLEAN, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_NONE, true, false },
	    { VERDICT_IGNORED, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_NONE, true, false },
	    { VERDICT_LISTED, SET_A, PAIRSTATE_LISTED, SET_A,
		PAIRSTATE_EV_LISTED, true, false },
	    { VERDICT_LISTED, SET_B, PAIRSTATE_LISTED, SET_B,
		PAIRSTATE_EV_LISTED, true, false },
	    { VERDICT_REFUSED, SET_NONE, PAIRSTATE_UNKNOWN, SET_NONE,
		PAIRSTATE_EV_NONE, false, true },
	    { VERDICT_BOGUS, SET_NONE, PAIRSTATE_UNKNOWN, SET_NONE,
		PAIRSTATE_EV_NONE, false, true },
	    { VERDICT_ERROR, SET_NONE, PAIRSTATE_UNKNOWN, SET_NONE,
		PAIRSTATE_EV_NONE, false, true },
	    { VERDICT_SUPPRESSED, SET_NONE, PAIRSTATE_UNKNOWN, SET_NONE,
		PAIRSTATE_EV_NONE, false, false },
	},
	[ST_CLEAN] = {
	    { VERDICT_CLEAN, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_NONE, false, false },
	    { VERDICT_IGNORED, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_NONE, false, false },
	    { VERDICT_LISTED, SET_A, PAIRSTATE_LISTED, SET_A,
		PAIRSTATE_EV_LISTED, true, false },
	    { VERDICT_LISTED, SET_B, PAIRSTATE_LISTED, SET_B,
		PAIRSTATE_EV_LISTED, true, false },
	    { VERDICT_REFUSED, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_NONE, false, true },
	    { VERDICT_BOGUS, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_NONE, false, true },
	    { VERDICT_ERROR, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_NONE, false, true },
	    { VERDICT_SUPPRESSED, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_NONE, false, false },
	},
	[ST_LISTED_A] = {
	    { VERDICT_CLEAN, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_DELISTED, true, false },
	    { VERDICT_IGNORED, SET_NONE, PAIRSTATE_CLEAN, SET_NONE,
		PAIRSTATE_EV_DELISTED, true, false },
	    { VERDICT_LISTED, SET_A, PAIRSTATE_LISTED, SET_A,
		PAIRSTATE_EV_NONE, false, false },
	    { VERDICT_LISTED, SET_B, PAIRSTATE_LISTED, SET_B,
		PAIRSTATE_EV_CHANGED, true, false },
	    { VERDICT_REFUSED, SET_NONE, PAIRSTATE_LISTED, SET_A,
		PAIRSTATE_EV_NONE, false, true },
	    { VERDICT_BOGUS, SET_NONE, PAIRSTATE_LISTED, SET_A,
		PAIRSTATE_EV_NONE, false, true },
	    { VERDICT_ERROR, SET_NONE, PAIRSTATE_LISTED, SET_A,
		PAIRSTATE_EV_NONE, false, true },
	    { VERDICT_SUPPRESSED, SET_NONE, PAIRSTATE_LISTED, SET_A,
		PAIRSTATE_EV_NONE, false, false },
	},
};

static const enum pairstate_kind start_kind[ST_COUNT] = {
	PAIRSTATE_UNKNOWN, PAIRSTATE_CLEAN, PAIRSTATE_LISTED,
};

#define MATRIX_ROWS (ST_COUNT * CLASSES * 3)

static void
cell_of(int i, enum start *st, const struct cell **c, unsigned *confirm)
{
	*confirm = (unsigned)(i % 3) + 1;
	*st = (enum start)(i / 3 / CLASSES);
	*c = &cells[*st][i / 3 % CLASSES];
}

/* The zone stays ok: confirm agreeing answers decide. */
START_TEST(test_matrix_zone_ok)
{
	const struct cell *c;
	struct pairstate ps;
	struct pairstate_params p = { 0, DELAY, IVAL, 0 };
	struct pairstate_input in;
	enum pairstate_event ev = PAIRSTATE_EV_NONE;
	enum start st;
	uint64_t t = T0, due = 0;
	char name[96];

	cell_of(_i, &st, &c, &p.confirm);
	snprintf(name, sizeof(name), "start %d, %s set %d, confirm %u", st,
	    verdict_name(c->verdict), c->set, p.confirm);
	start_state(&ps, st);
	in = input(c->verdict, c->set);
	for (unsigned k = 1; k <= p.confirm; k++) {
		t += DELAY;
		ev = pairstate_step(&ps, &in, &p, t, &due);
		if (k < p.confirm) {
			ck_assert_msg(ev == PAIRSTATE_EV_NONE, "%s: early %s",
			    name, pairstate_event_name(ev));
			ck_assert_msg(pairstate_pending(&ps) == c->change,
			    "%s: pending at %u", name, k);
			ck_assert_msg(due == t + (c->change ? DELAY : IVAL),
			    "%s: due at %u", name, k);
		}
	}
	ck_assert_msg(ev == c->ev, "%s: event %s, want %s", name,
	    pairstate_event_name(ev), pairstate_event_name(c->ev));
	assert_stable(&ps, c->to, c->to_set, name);
	ck_assert_msg(!pairstate_pending(&ps), "%s: still pending", name);
	ck_assert_msg(due == t + IVAL && ps.due_ms == due, "%s: due", name);
	ck_assert_msg(ps.errors == (c->error ? p.confirm : 0), "%s: errors %u",
	    name, ps.errors);
}
END_TEST

/*
 * The zone goes not ok one answer short of a change: the candidate is
 * dropped, so confirm - 1 more answers change nothing and one more does.
 */
START_TEST(test_matrix_zone_not_ok)
{
	const struct pairstate_input sup = input(VERDICT_SUPPRESSED, SET_NONE);
	const struct cell *c;
	struct pairstate ps;
	struct pairstate_params p = { 0, DELAY, IVAL, 0 };
	struct pairstate_input in;
	enum pairstate_event ev = PAIRSTATE_EV_NONE;
	enum start st;
	uint64_t t = T0;
	char name[96];

	cell_of(_i, &st, &c, &p.confirm);
	snprintf(name, sizeof(name), "start %d, %s set %d, confirm %u", st,
	    verdict_name(c->verdict), c->set, p.confirm);
	start_state(&ps, st);
	in = input(c->verdict, c->set);
	for (int round = 0; round < 2; round++) {
		for (unsigned k = 1; k < p.confirm; k++) {
			ev = pairstate_step(&ps, &in, &p, t += DELAY, NULL);
			ck_assert_msg(ev == NONE, "%s: early", name);
		}
		if (round == 0) {
			ev = pairstate_step(&ps, &sup, &p, t += DELAY, NULL);
			ck_assert_msg(ev == PAIRSTATE_EV_NONE, "%s: sup", name);
			ck_assert_msg(!pairstate_pending(&ps), "%s: kept",
			    name);
			assert_stable(&ps, start_kind[st], SET_A, name);
		}
	}
	ev = pairstate_step(&ps, &in, &p, t += DELAY, NULL);
	ck_assert_msg(ev == c->ev, "%s: event %s, want %s", name,
	    pairstate_event_name(ev), pairstate_event_name(c->ev));
	assert_stable(&ps, c->to, c->to_set, name);
}
END_TEST

/* One step of a named sequence: the answer, its time and what it gives. */
struct step {
	bool live; /* false: past the last step */
	enum verdict verdict;
	enum set set;
	int64_t t; /* ms after T0 (before it when negative) */
	enum pairstate_event ev;
	uint64_t due; /* ms after T0; NO_DUE: not checked */
};

#define NO_DUE UINT64_MAX
#define STEPS_MAX 12
#define C(t, ev) { true, VERDICT_CLEAN, SET_NONE, (t), (ev), NO_DUE }
#define I(t, ev) { true, VERDICT_IGNORED, SET_NONE, (t), (ev), NO_DUE }
#define L(s, t, ev) { true, VERDICT_LISTED, (s), (t), (ev), NO_DUE }
#define E(t) { true, VERDICT_ERROR, SET_NONE, (t), NONE, NO_DUE }
#define R(t) { true, VERDICT_REFUSED, SET_NONE, (t), NONE, NO_DUE }
#define B(t) { true, VERDICT_BOGUS, SET_NONE, (t), NONE, NO_DUE }
#define S(t) { true, VERDICT_SUPPRESSED, SET_NONE, (t), NONE, NO_DUE }
#define CD(t, ev, d) { true, VERDICT_CLEAN, SET_NONE, (t), (ev), (d) }
#define LD(s, t, ev, d) { true, VERDICT_LISTED, (s), (t), (ev), (d) }
#define ED(t, d) { true, VERDICT_ERROR, SET_NONE, (t), NONE, (d) }
#define SD(t, d) { true, VERDICT_SUPPRESSED, SET_NONE, (t), NONE, (d) }

static const struct seq_row {
	const char *name;
	enum start start;
	struct pairstate_params p;
	struct step steps[STEPS_MAX];
	enum pairstate_kind to;
	enum set to_set;
	bool pending;
	unsigned errors;
	uint64_t listed_ms; /* pairstate_listed_ms at the last step */
} seq_rows[] = {
	{ "first clean is silent, confirm 1", ST_UNKNOWN,
	    { 1, DELAY, IVAL, 0 }, { CD(0, NONE, IVAL) },
	    PAIRSTATE_CLEAN, SET_NONE, false, 0, 0 },
	{ "first clean is silent, confirm 3 re-asks after the delay",
	    ST_UNKNOWN, { 3, DELAY, IVAL, 0 },
	    { CD(0, NONE, DELAY), CD(DELAY, NONE, 2 * DELAY),
		CD(2 * DELAY, NONE, 2 * DELAY + IVAL) },
	    PAIRSTATE_CLEAN, SET_NONE, false, 0, 0 },
	{ "first listing needs confirm answers too", ST_UNKNOWN,
	    { 2, DELAY, IVAL, 0 },
	    { LD(SET_A, 0, NONE, DELAY),
		LD(SET_A, DELAY, LISTED, DELAY + IVAL) },
	    PAIRSTATE_LISTED, SET_A, false, 0, 0 },
	{ "listed then delisted, with its duration", ST_CLEAN,
	    { 2, DELAY, IVAL, 0 },
	    { L(SET_A, 0, NONE), L(SET_A, DELAY, LISTED),
		L(SET_A, HOUR(2), NONE), C(HOUR(5), NONE),
		CD(HOUR(5) + DELAY, DELISTED, HOUR(5) + DELAY + IVAL) },
	    PAIRSTATE_CLEAN, SET_NONE, false, 0, HOUR(5) },
	{ "ignored answers are clean: they delist", ST_LISTED_A,
	    { 1, DELAY, IVAL, 0 }, { I(HOUR(3), DELISTED) },
	    PAIRSTATE_CLEAN, SET_NONE, false, 0, HOUR(3) },
	{ "listed again after a delisting starts a new listing", ST_LISTED_A,
	    { 1, DELAY, IVAL, 0 },
	    { C(HOUR(1), DELISTED), L(SET_A, HOUR(2), LISTED),
		L(SET_A, HOUR(3), NONE) },
	    PAIRSTATE_LISTED, SET_A, false, 0, HOUR(1) },
	{ "an error between agreeing answers does not break the run",
	    ST_CLEAN, { 2, DELAY, IVAL, 0 },
	    { LD(SET_A, 0, NONE, DELAY), ED(DELAY, 2 * DELAY),
		LD(SET_A, 2 * DELAY, LISTED, 2 * DELAY + IVAL) },
	    PAIRSTATE_LISTED, SET_A, false, 0, 0 },
	{ "refused, bogus and errors between agreeing answers", ST_CLEAN,
	    { 3, DELAY, IVAL, 0 },
	    { L(SET_A, 0, NONE), R(1), B(2), L(SET_A, 3, NONE), E(4),
		L(SET_A, 5, LISTED) },
	    PAIRSTATE_LISTED, SET_A, false, 0, 0 },
	{ "errors never delist", ST_LISTED_A, { 1, DELAY, IVAL, 0 },
	    { E(HOUR(1)), R(HOUR(2)), B(HOUR(3)), E(HOUR(4)) },
	    PAIRSTATE_LISTED, SET_A, false, 4, HOUR(4) },
	{ "errors are counted in a row and reset by an answer", ST_CLEAN,
	    { 1, DELAY, IVAL, 0 },
	    { E(1), E(2), R(3), B(4), C(5, NONE), E(6), E(7) },
	    PAIRSTATE_CLEAN, SET_NONE, false, 2, 0 },
	{ "an error with nothing pending waits a whole interval", ST_CLEAN,
	    { 2, DELAY, IVAL, 0 }, { ED(0, IVAL) },
	    PAIRSTATE_CLEAN, SET_NONE, false, 1, 0 },
	{ "an error while pending keeps the short delay", ST_CLEAN,
	    { 3, DELAY, IVAL, 0 },
	    { LD(SET_A, 0, NONE, DELAY), ED(DELAY, 2 * DELAY),
		ED(2 * DELAY, 3 * DELAY) },
	    PAIRSTATE_CLEAN, SET_NONE, true, 2, 0 },
	{ "flapping listed/clean never confirms a listing", ST_CLEAN,
	    { 2, DELAY, IVAL, 0 },
	    { L(SET_A, 0, NONE), C(1, NONE), L(SET_A, 2, NONE), C(3, NONE),
		L(SET_A, 4, NONE) },
	    PAIRSTATE_CLEAN, SET_NONE, true, 0, 0 },
	{ "flapping clean/listed never confirms a delisting", ST_LISTED_A,
	    { 2, DELAY, IVAL, 0 },
	    { C(1, NONE), L(SET_A, 2, NONE), C(3, NONE), L(SET_A, 4, NONE),
		C(5, NONE) },
	    PAIRSTATE_LISTED, SET_A, true, 0, 5 },
	{ "flapping from unknown: listed, clean, listed", ST_UNKNOWN,
	    { 2, DELAY, IVAL, 0 },
	    { L(SET_A, 0, NONE), C(1, NONE), L(SET_A, 2, NONE) },
	    PAIRSTATE_UNKNOWN, SET_NONE, true, 0, 0 },
	{ "code change after confirm answers keeps the start", ST_LISTED_A,
	    { 2, DELAY, IVAL, 0 },
	    { L(SET_B, HOUR(1), NONE), L(SET_B, HOUR(1) + DELAY, CHANGED),
		L(SET_B, HOUR(2), NONE) },
	    PAIRSTATE_LISTED, SET_B, false, 0, HOUR(2) },
	{ "code change interrupted by the old codes", ST_LISTED_A,
	    { 2, DELAY, IVAL, 0 },
	    { L(SET_B, 1, NONE), L(SET_A, 2, NONE), L(SET_B, 3, NONE),
		L(SET_B, 4, CHANGED) },
	    PAIRSTATE_LISTED, SET_B, false, 0, 4 },
	{ "a second new code set restarts the count", ST_LISTED_A,
	    { 2, DELAY, IVAL, 0 },
	    { L(SET_B, 1, NONE), L(SET_C, 2, NONE), L(SET_C, 3, CHANGED) },
	    PAIRSTATE_LISTED, SET_C, false, 0, 3 },
	{ "listing with other codes than a pending one restarts", ST_CLEAN,
	    { 2, DELAY, IVAL, 0 },
	    { L(SET_A, 1, NONE), L(SET_B, 2, NONE), L(SET_B, 3, LISTED) },
	    PAIRSTATE_LISTED, SET_B, false, 0, 0 },
	{ "reminder a remind after the listing, then again", ST_LISTED_A,
	    { 1, DELAY, IVAL, HOUR(1) },
	    { L(SET_A, MIN(50), NONE), L(SET_A, HOUR(1), REMINDER),
		L(SET_A, MIN(110), NONE), L(SET_A, HOUR(2), REMINDER),
		L(SET_A, HOUR(2) + 1, NONE) },
	    PAIRSTATE_LISTED, SET_A, false, 0, HOUR(2) + 1 },
	{ "remind 0: no reminder, ever", ST_LISTED_A, { 1, DELAY, IVAL, 0 },
	    { L(SET_A, HOUR(1), NONE), L(SET_A, HOUR(24 * 365), NONE) },
	    PAIRSTATE_LISTED, SET_A, false, 0, HOUR(24 * 365) },
	{ "reminder counts from the listing it follows", ST_CLEAN,
	    { 1, DELAY, IVAL, MIN(30) },
	    { L(SET_A, HOUR(5), LISTED), L(SET_A, HOUR(5) + MIN(29), NONE),
		L(SET_A, HOUR(5) + MIN(30), REMINDER) },
	    PAIRSTATE_LISTED, SET_A, false, 0, MIN(30) },
	{ "a code change resets the reminder", ST_LISTED_A,
	    { 1, DELAY, IVAL, HOUR(1) },
	    { L(SET_B, MIN(50), CHANGED), L(SET_B, HOUR(1), NONE),
		L(SET_B, MIN(109), NONE), L(SET_B, MIN(110), REMINDER) },
	    PAIRSTATE_LISTED, SET_B, false, 0, MIN(110) },
	{ "no reminder on an error, only on the next listed answer",
	    ST_LISTED_A, { 1, DELAY, IVAL, HOUR(1) },
	    { E(HOUR(2)), R(HOUR(2) + 1), L(SET_A, HOUR(2) + 2, REMINDER) },
	    PAIRSTATE_LISTED, SET_A, false, 0, HOUR(2) + 2 },
	{ "no reminder while the zone is not ok", ST_LISTED_A,
	    { 1, DELAY, IVAL, HOUR(1) },
	    { S(HOUR(2)), S(HOUR(3)), L(SET_A, HOUR(4), REMINDER) },
	    PAIRSTATE_LISTED, SET_A, false, 0, HOUR(4) },
	{ "no reminder on an answer with other codes", ST_LISTED_A,
	    { 2, DELAY, IVAL, HOUR(1) },
	    { L(SET_B, HOUR(2), NONE), L(SET_A, HOUR(2) + DELAY, REMINDER) },
	    PAIRSTATE_LISTED, SET_A, false, 0, HOUR(2) + DELAY },
	{ "reminder while a delisting is pending, which it drops",
	    ST_LISTED_A, { 2, DELAY, IVAL, HOUR(1) },
	    { C(HOUR(2), NONE), L(SET_A, HOUR(2) + DELAY, REMINDER),
		C(HOUR(3), NONE) },
	    PAIRSTATE_LISTED, SET_A, true, 0, HOUR(3) },
	{ "a clock that goes back reminds nothing", ST_LISTED_A,
	    { 1, DELAY, IVAL, HOUR(1) },
	    { L(SET_A, -(int64_t)HOUR(2), NONE) },
	    PAIRSTATE_LISTED, SET_A, false, 0, 0 },
	{ "zone not ok drops the pending listing", ST_CLEAN,
	    { 2, DELAY, IVAL, 0 },
	    { L(SET_A, 0, NONE), SD(1, 1 + IVAL), L(SET_A, 2, NONE),
		L(SET_A, 3, LISTED) },
	    PAIRSTATE_LISTED, SET_A, false, 0, 0 },
	{ "zone not ok keeps a listing and delists nothing", ST_LISTED_A,
	    { 1, DELAY, IVAL, 0 },
	    { S(HOUR(1)), S(HOUR(2)), C(HOUR(3), DELISTED) },
	    PAIRSTATE_CLEAN, SET_NONE, false, 0, HOUR(3) },
	{ "zone not ok neither counts nor clears errors", ST_CLEAN,
	    { 1, DELAY, IVAL, 0 },
	    { E(1), E(2), S(3), S(4) },
	    PAIRSTATE_CLEAN, SET_NONE, false, 2, 0 },
	{ "confirm 0 acts as 1", ST_CLEAN, { 0, DELAY, IVAL, 0 },
	    { L(SET_A, 0, LISTED) },
	    PAIRSTATE_LISTED, SET_A, false, 0, 0 },
	{ "due saturates instead of wrapping", ST_CLEAN,
	    { 1, DELAY, UINT64_MAX - 5, 0 },
	    { CD(0, NONE, UINT64_MAX - T0) },
	    PAIRSTATE_CLEAN, SET_NONE, false, 0, 0 },
};

START_TEST(test_sequence)
{
	const struct seq_row *r = &seq_rows[_i];
	const struct step *s;
	struct pairstate ps;
	struct pairstate_input in;
	enum pairstate_event ev;
	uint64_t due, t = T0;

	start_state(&ps, r->start);
	for (int k = 0; k < STEPS_MAX && r->steps[k].live; k++) {
		s = &r->steps[k];
		t = (uint64_t)((int64_t)T0 + s->t);
		in = input(s->verdict, s->set);
		due = 0;
		ev = pairstate_step(&ps, &in, &r->p, t, &due);
		ck_assert_msg(ev == s->ev, "%s: step %d: %s, want %s", r->name,
		    k, pairstate_event_name(ev), pairstate_event_name(s->ev));
		if (s->due != NO_DUE)
			ck_assert_msg(due == (s->due > UINT64_MAX - T0 ?
			    UINT64_MAX : T0 + s->due),
			    "%s: step %d: due %llu", r->name, k,
			    (unsigned long long)(due - T0));
	}
	assert_stable(&ps, r->to, r->to_set, r->name);
	ck_assert_msg(pairstate_pending(&ps) == r->pending, "%s: pending",
	    r->name);
	ck_assert_msg(ps.errors == r->errors, "%s: errors %u, want %u",
	    r->name, ps.errors, r->errors);
	ck_assert_msg(pairstate_listed_ms(&ps, t) == r->listed_ms,
	    "%s: listed for %llu", r->name,
	    (unsigned long long)pairstate_listed_ms(&ps, t));
}
END_TEST

/* Code sets are told apart by content, whatever the order or repetition. */
static const struct hash_row {
	const char *name;
	uint32_t a[4];
	size_t na;
	uint32_t b[4];
	size_t nb;
	bool same;
	uint8_t count_a;
} hash_rows[] = {
	{ "same single code", { 0x7f000002 }, 1, { 0x7f000002 }, 1, true, 1 },
	{ "order does not matter", { 0x7f000002, 0x7f000004 }, 2,
	    { 0x7f000004, 0x7f000002 }, 2, true, 2 },
	{ "repetition does not matter", { 0x7f000002, 0x7f000002 }, 2,
	    { 0x7f000002 }, 1, true, 1 },
	{ "repetition and order", { 4, 2, 4, 2 }, 4, { 2, 4 }, 2, true, 2 },
	{ "different codes", { 0x7f000002 }, 1, { 0x7f000004 }, 1, false, 1 },
	{ "a code more", { 0x7f000002 }, 1, { 0x7f000002, 0x7f000004 }, 2,
	    false, 1 },
	{ "a pair repeated is not two codes", { 2, 2 }, 2, { 2, 4 }, 2,
	    false, 1 },
	{ "empty set", { 0 }, 0, { 0x7f000002 }, 1, false, 0 },
	{ "zero code is a code", { 0 }, 1, { 0 }, 0, false, 1 },
};

START_TEST(test_codes_hash)
{
	const struct hash_row *r = &hash_rows[_i];
	uint8_t na = 99, nb = 99;
	uint32_t ha = pairstate_codes_hash(r->a, r->na, &na);
	uint32_t hb = pairstate_codes_hash(r->b, r->nb, &nb);

	ck_assert_msg((ha == hb && na == nb) == r->same, "%s", r->name);
	ck_assert_msg(na == r->count_a, "%s: count %u", r->name, na);
	ck_assert_uint_eq(pairstate_codes_hash(r->a, r->na, NULL), ha);
}
END_TEST

/* Counters saturate: a long outage or a huge confirm never wraps. */
static const struct sat_row {
	const char *name;
	enum verdict verdict;
	unsigned confirm;
	unsigned n;	    /* answers fed */
	unsigned event_at;  /* the answer (1-based) that is LISTED; 0 none */
	unsigned errors;
} sat_rows[] = {
	{ "errors stop at 65535", VERDICT_ERROR, 1, 70000, 0, 65535 },
	{ "refused stop at 65535 too", VERDICT_REFUSED, 1, 65536, 0, 65535 },
	{ "confirm 255 takes 255 answers", VERDICT_LISTED, 255, 255, 255, 0 },
	{ "confirm 256 acts as 255", VERDICT_LISTED, 256, 300, 255, 0 },
	{ "confirm UINT_MAX acts as 255", VERDICT_LISTED, UINT32_MAX, 300,
	    255, 0 },
	{ "confirm 254 takes 254 answers", VERDICT_LISTED, 254, 254, 254, 0 },
};

START_TEST(test_saturation)
{
	const struct sat_row *r = &sat_rows[_i];
	const struct pairstate_params p = { r->confirm, DELAY, IVAL, 0 };
	struct pairstate_input in = input(r->verdict, SET_A);
	enum pairstate_event ev;
	struct pairstate ps;
	unsigned seen = 0;

	start_state(&ps, ST_CLEAN);
	for (unsigned k = 1; k <= r->n; k++) {
		ev = pairstate_step(&ps, &in, &p, T0 + k, NULL);
		if (ev == PAIRSTATE_EV_LISTED) {
			ck_assert_msg(seen == 0, "%s: listed twice", r->name);
			seen = k;
		} else {
			ck_assert_msg(ev == PAIRSTATE_EV_NONE, "%s", r->name);
		}
	}
	ck_assert_msg(seen == r->event_at, "%s: listed at %u", r->name, seen);
	ck_assert_msg(ps.errors == r->errors, "%s: errors %u", r->name,
	    ps.errors);
	/* An answer after a saturated run still clears the count. */
	in = input(VERDICT_CLEAN, SET_NONE);
	pairstate_step(&ps, &in, &p, T0 + r->n + 1, NULL);
	ck_assert_uint_eq(ps.errors, 0);
}
END_TEST

/* Small enough for an array of every pair in flight or pending. */
START_TEST(test_size_and_names)
{
	struct pairstate ps, zero;

	ck_assert_uint_le(sizeof(struct pairstate), 48);
	memset(&ps, 0xa5, sizeof(ps));
	pairstate_init(&ps);
	memset(&zero, 0, sizeof(zero));
	ck_assert_int_eq(memcmp(&ps, &zero, sizeof(ps)), 0);
	ck_assert(ps.stable == PAIRSTATE_UNKNOWN && !pairstate_pending(&ps));
	ck_assert(!pairstate_idle(&ps));
	ck_assert_uint_eq(pairstate_listed_ms(&ps, T0), 0);
	start_state(&ps, ST_CLEAN);
	ck_assert(pairstate_idle(&ps));
	start_state(&ps, ST_LISTED_A);
	ck_assert(!pairstate_idle(&ps));
	ck_assert_str_eq(pairstate_kind_name(PAIRSTATE_UNKNOWN), "unknown");
	ck_assert_str_eq(pairstate_kind_name(PAIRSTATE_CLEAN), "clean");
	ck_assert_str_eq(pairstate_kind_name(PAIRSTATE_LISTED), "listed");
	ck_assert_str_eq(pairstate_event_name(PAIRSTATE_EV_NONE), "none");
	ck_assert_str_eq(pairstate_event_name(PAIRSTATE_EV_LISTED), "listed");
	ck_assert_str_eq(pairstate_event_name(PAIRSTATE_EV_DELISTED),
	    "delisted");
	ck_assert_str_eq(pairstate_event_name(PAIRSTATE_EV_CHANGED),
	    "changed");
	ck_assert_str_eq(pairstate_event_name(PAIRSTATE_EV_REMINDER),
	    "reminder");
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int
main(void)
{
	Suite *s = suite_create("pairstate");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_matrix_zone_ok, 0, MATRIX_ROWS);
	tcase_add_loop_test(tc, test_matrix_zone_not_ok, 0, MATRIX_ROWS);
	tcase_add_loop_test(tc, test_sequence, 0, N(seq_rows));
	tcase_add_loop_test(tc, test_codes_hash, 0, N(hash_rows));
	tcase_add_loop_test(tc, test_saturation, 0, N(sat_rows));
	tcase_add_test(tc, test_size_and_names);
	suite_add_tcase(s, tc);
	return unit_run(s);
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for bucket.c: a token bucket starts full, refuses when empty,
 * refills at its rate up to its burst, says how long to wait, lets all
 * through when unlimited, and gains nothing from a clock that goes back.
 */
#include <check.h>

#include "unit.h"
#include <math.h>
#include <stdlib.h>

#include "bucket.h"

#define MS(x) ((uint64_t)(x) * UINT64_C(1000000))
#define SEC(x) ((uint64_t)(x) * UINT64_C(1000000000))

/* A start time far from zero, so "before the start" is representable. */
#define T0 SEC(1000)

enum op {
	OP_END,
	OP_TAKE,  /* bucket_take at t must return ok */
	OP_TAKEN, /* n takes at t must all return ok */
	OP_WAIT,  /* bucket_wait_ns at t must lie in [lo, hi] */
};

struct step {
	uint8_t op;
	uint64_t t; /* ns after T0, or before it when back is set */
	bool back;
	bool ok;
	unsigned n;
	uint64_t lo, hi;
};

#define STEPS_MAX 12

#define TAKE(t, ok) { OP_TAKE, (t), false, (ok), 0, 0, 0 }
#define TAKE_BACK(t, ok) { OP_TAKE, (t), true, (ok), 0, 0, 0 }
#define TAKEN(t, n) { OP_TAKEN, (t), false, true, (n), 0, 0 }
#define WAIT(t, lo, hi) { OP_WAIT, (t), false, false, 0, (lo), (hi) }
#define WAIT_BACK(t, lo, hi) { OP_WAIT, (t), true, false, 0, (lo), (hi) }

static const struct script_row {
	const char *name;
	double rate, burst;
	struct step steps[STEPS_MAX];
} script_rows[] = {
	{ "starts full with burst tokens", 10, 5,
	    { WAIT(0, 0, 0), TAKEN(0, 5), TAKE(0, false) } },
	{ "refuses when empty, again and again", 10, 2,
	    { TAKEN(0, 2), TAKE(0, false), TAKE(0, false), TAKE(MS(1), false),
		TAKE(MS(50), false) } },
	{ "refills at rate: 10/s is one per 100 ms", 10, 1,
	    { TAKE(0, true), TAKE(MS(99), false), TAKE(MS(101), true),
		TAKE(MS(199), false), TAKE(MS(202), true) } },
	{ "refills at rate: 2 tokens in 200 ms", 10, 5,
	    { TAKEN(0, 5), TAKEN(MS(201), 2), TAKE(MS(201), false) } },
	{ "slow rate 0.5/s", 0.5, 1,
	    { TAKE(0, true), TAKE(MS(1999), false), TAKE(MS(2001), true) } },
	{ "fast rate 1000/s", 1000, 1,
	    { TAKE(0, true), TAKE(MS(1), true), TAKE(MS(1), false),
		TAKEN(MS(3), 1) } },
	{ "caps at burst after a long idle", 10, 3,
	    { TAKEN(0, 3), TAKEN(SEC(3600), 3), TAKE(SEC(3600), false) } },
	{ "caps at burst: full bucket gains nothing", 100, 4,
	    { TAKEN(SEC(10), 4), TAKE(SEC(10), false) } },
	{ "fractional burst holds whole tokens only", 10, 2.5,
	    { TAKEN(0, 2), TAKE(0, false) } },
	{ "burst below one still lets one out", 10, 0.2,
	    { TAKE(0, true), TAKE(0, false), TAKE(MS(101), true) } },
	{ "burst zero still lets one out", 10, 0,
	    { TAKE(0, true), TAKE(0, false) } },
	{ "unlimited: rate 0", 0, 1,
	    { TAKEN(0, 1000), WAIT(0, 0, 0), TAKE_BACK(SEC(5), true),
		WAIT_BACK(SEC(5), 0, 0) } },
	{ "unlimited: negative rate", -5, 1,
	    { TAKEN(0, 100), WAIT(0, 0, 0) } },
	{ "wait: empty 10/s waits 100 ms", 10, 1,
	    { TAKE(0, true), WAIT(0, MS(100), MS(100) + 2) } },
	{ "wait: half refilled waits half", 10, 1,
	    { TAKE(0, true), WAIT(MS(50), MS(50), MS(50) + 2) } },
	{ "wait: zero when a token is there", 10, 1,
	    { TAKE(0, true), WAIT(MS(101), 0, 0) } },
	{ "wait does not take", 10, 1,
	    { WAIT(0, 0, 0), WAIT(0, 0, 0), TAKE(0, true), TAKE(0, false) } },
	{ "back in time adds nothing", 10, 2,
	    { TAKEN(0, 2), TAKE_BACK(SEC(1), false), TAKE_BACK(SEC(10), false),
		TAKE(0, false) } },
	{ "back in time counts no time twice", 10, 5,
	    { TAKEN(0, 5), TAKE_BACK(SEC(100), false), TAKE(MS(50), false),
		TAKE(MS(101), true), TAKE(MS(101), false) } },
	{ "back in time before the start", 10, 1,
	    { TAKE_BACK(SEC(1), true), TAKE_BACK(SEC(1), false),
		TAKE(MS(50), false), TAKE(MS(101), true) } },
	{ "wait back in time counts from the later stamp", 10, 1,
	    { TAKE(MS(500), true), WAIT_BACK(SEC(1), MS(100), MS(100) + 2),
		WAIT(MS(550), MS(50), MS(50) + 2) } },
	{ "tiny rate waits at most UINT64_MAX", 1e-12, 1,
	    { TAKE(0, true), WAIT(0, UINT64_MAX, UINT64_MAX) } },
};

static uint64_t
step_time(const struct step *s)
{
	return s->back ? T0 - s->t : T0 + s->t;
}

START_TEST(test_script)
{
	const struct script_row *r = &script_rows[_i];
	struct bucket b;

	bucket_init(&b, r->rate, r->burst, T0);
	for (size_t i = 0; i < STEPS_MAX && r->steps[i].op != OP_END; i++) {
		const struct step *s = &r->steps[i];
		uint64_t now = step_time(s), w;
		bool ok;

		switch (s->op) {
		case OP_TAKE:
			ok = bucket_take(&b, now);
			ck_assert_msg(ok == s->ok, "%s: step %zu: take %s, "
			    "want %s", r->name, i, ok ? "ok" : "refused",
			    s->ok ? "ok" : "refused");
			break;
		case OP_TAKEN:
			for (unsigned k = 0; k < s->n; k++)
				ck_assert_msg(bucket_take(&b, now),
				    "%s: step %zu: take %u of %u refused",
				    r->name, i, k + 1, s->n);
			break;
		case OP_WAIT:
			w = bucket_wait_ns(&b, now);
			ck_assert_msg(w >= s->lo && w <= s->hi,
			    "%s: step %zu: wait %llu ns, want %llu..%llu",
			    r->name, i, (unsigned long long)w,
			    (unsigned long long)s->lo,
			    (unsigned long long)s->hi);
			break;
		default:
			ck_abort_msg("%s: step %zu: bad op", r->name, i);
		}
	}
}
END_TEST

/*
 * bucket_wait_ns is a promise: a take after waiting that long succeeds,
 * one clearly before it does not. Each row drains a bucket, lets some
 * time pass, asks, and tries both on copies of the same bucket.
 */
static const struct wait_row {
	const char *name;
	double rate, burst;
	unsigned drain;
	uint64_t elapsed; /* ns after draining, before asking */
} wait_rows[] = {
	{ "10/s just drained", 10, 1, 1, 0 },
	{ "10/s burst 5 drained", 10, 5, 5, 0 },
	{ "10/s 30 ms in", 10, 1, 1, MS(30) },
	{ "10/s 99 ms in", 10, 1, 1, MS(99) },
	{ "3/s (period not whole ns)", 3, 1, 1, 0 },
	{ "3/s 1 ns in", 3, 1, 1, 1 },
	{ "7/s 123456789 ns in", 7, 2, 2, 123456789 },
	{ "0.1/s", 0.1, 1, 1, SEC(3) },
	{ "20/s", 20, 20, 20, MS(7) },
	{ "1e6/s", 1e6, 1, 1, 0 },
	{ "1e9/s", 1e9, 1, 1, 0 },
	{ "1e-3/s", 1e-3, 1, 1, SEC(17) },
	{ "token already there", 10, 2, 1, 0 },
};

START_TEST(test_wait)
{
	const struct wait_row *r = &wait_rows[_i];
	struct bucket b, before, after;
	uint64_t now, w, margin;
	double tokens, ideal;

	bucket_init(&b, r->rate, r->burst, T0);
	for (unsigned k = 0; k < r->drain; k++)
		ck_assert_msg(bucket_take(&b, T0), "%s: drain %u refused",
		    r->name, k + 1);
	now = T0 + r->elapsed;
	w = bucket_wait_ns(&b, now);
	after = b;
	ck_assert_msg(bucket_take(&after, now + w),
	    "%s: take refused after waiting %llu ns", r->name,
	    (unsigned long long)w);

	/* What the bucket holds at now, and so the exact time to wait. */
	tokens = fmin(b.tokens + (double)r->elapsed * r->rate / 1e9, b.burst);
	if (tokens >= 1.0) {
		ck_assert_msg(w == 0, "%s: wait %llu ns with a token there",
		    r->name, (unsigned long long)w);
		return;
	}
	ideal = (1.0 - tokens) * 1e9 / r->rate;
	ck_assert_msg((double)w >= ideal && (double)w <= ideal + 3.0,
	    "%s: wait %llu ns, want %.1f ns plus rounding", r->name,
	    (unsigned long long)w, ideal);

	/*
	 * Clearly before: short of the wait by a thousandth of the token's
	 * period (at least 1 ns) beyond the rounding nanosecond.
	 */
	margin = (uint64_t)ceil(1e9 / r->rate / 1000.0);
	if (margin < 1)
		margin = 1;
	if (w <= margin + 1)
		return;
	before = b;
	ck_assert_msg(!bucket_take(&before, now + w - 1 - margin),
	    "%s: take ok %llu ns before the wait of %llu ns ended", r->name,
	    (unsigned long long)(margin + 1), (unsigned long long)w);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
bucket_suite(void)
{
	Suite *s = suite_create("bucket");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_script, 0, NROWS(script_rows));
	tcase_add_loop_test(tc, test_wait, 0, NROWS(wait_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(bucket_suite());
}

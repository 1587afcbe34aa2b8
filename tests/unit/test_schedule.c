/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for schedule.c: due times at fixed numbers, the properties a
 * whole cycle must have (inside the cycle, in order, no burst, seeded),
 * the warm-up, the max_qps floor, the daily budget and its UTC day.
 */
#include <check.h>

#include "unit.h"
#include <math.h>
#include <stdlib.h>

#include "schedule.h"

#define SEC(x) ((uint64_t)(x) * UINT64_C(1000))
#define MIN(x) SEC((uint64_t)(x) * 60)
#define HOUR(x) MIN((uint64_t)(x) * 60)
#define DAY(x) HOUR((uint64_t)(x) * 24)
#define P24 (UINT64_C(1) << 24)
#define P40 (UINT64_C(1) << 40)

/* A monotonic cycle start far from zero. */
#define T0 UINT64_C(1000000000)

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/*
 * For checks run millions of times: Check's ck_assert_msg records every
 * passing assertion with a write, which would make a whole cycle slow.
 */
#define LOOP_ASSERT(cond, ...) do {				\
		if (!(cond))						\
			ck_abort_msg(__VA_ARGS__);			\
	} while (0)

static const struct due_row {
	const char *name;
	uint64_t start, pos, count, interval;
	uint32_t jitter;
	uint64_t seed, want; /* want: ms after start */
} due_rows[] = {
	{ "1 pair, 1 s: at the start", T0, 0, 1, SEC(1), 0, 1, 0 },
	{ "3 pairs, 1 s: second at 333", T0, 1, 3, SEC(1), 0, 1, 333 },
	{ "3 pairs, 1 s: last at 666", T0, 2, 3, SEC(1), 0, 1, 666 },
	{ "65536 over 1 s: first", T0, 0, 65536, SEC(1), 0, 1, 0 },
	{ "65536 over 1 s: last", T0, 65535, 65536, SEC(1), 0, 1, 999 },
	{ "65536 over 1 h: second", T0, 1, 65536, HOUR(1), 0, 1, 54 },
	{ "65536 over 1 h: last", T0, 65535, 65536, HOUR(1), 0, 1,
	    3599945 },
	{ "2^24 over 1 s: second shares ms 0", T0, 1, P24, SEC(1), 0, 1, 0 },
	{ "2^24 over 1 s: last", T0, P24 - 1, P24, SEC(1), 0, 1, 999 },
	{ "2^24 over 1 d: second", T0, 1, P24, DAY(1), 0, 1, 5 },
	{ "2^24 over 1 d: last", T0, P24 - 1, P24, DAY(1), 0, 1,
	    86399994 },
	{ "2^24 over 7 d: last", T0, P24 - 1, P24, DAY(7), 0, 1,
	    604799963 },
	{ "2^40 over 2^40 ms: product needs 80 bits", T0, P40 - 1, P40, P40,
	    0, 1, P40 - 1 },
	{ "position past the end counts as the last", T0, 9, 3, SEC(1), 0, 1,
	    666 },
	{ "no pairs: the start", T0, 0, 0, HOUR(1), 1000, 1, 0 },
	{ "interval 0: the start", T0, 5, 10, 0, 1000, 1, 0 },
	{ "start 0 is fine", 0, 1, 3, SEC(1), 0, 1, 333 },
	/* Jittered rows: offsets from splitmix64, worked out independently. */
	{ "1 pair, 1 s, 10 %", T0, 0, 1, SEC(1), 100, 1, 3 },
	{ "3 pairs, 1 s, 10 %", T0, 1, 3, SEC(1), 100, 1, 363 },
	{ "65536 over 1 h, 10 %: first", T0, 0, 65536, HOUR(1), 100, 42, 1 },
	{ "65536 over 1 h, 10 %: second", T0, 1, 65536, HOUR(1), 100, 42,
	    56 },
	{ "65536 over 1 h, 10 %: last", T0, 65535, 65536, HOUR(1), 100, 42,
	    3599948 },
	{ "65536 over 1 h, 100 %: second", T0, 1, 65536, HOUR(1), 1000, 42,
	    81 },
	{ "65536 over 1 h, 100 %: other seed", T0, 1, 65536, HOUR(1), 1000,
	    43, 65 },
	{ "jitter over 100 % counts as 100 %", T0, 1, 65536, HOUR(1), 5000,
	    42, 81 },
	{ "65536 over 1 d, 100 %: middle", T0, 12345, 65536, DAY(1), 1000, 7,
	    16276442 },
	{ "2^24 over 1 d, 100 %: second", T0, 1, P24, DAY(1), 1000, 7, 7 },
	{ "2^24 over 1 d, 100 %: last", T0, P24 - 1, P24, DAY(1), 1000, 7,
	    86399995 },
	{ "2^24 over 1 d, 10 %: slot too short to move", T0, P24 - 1, P24,
	    DAY(1), 100, 7, 86399994 },
	{ "2^24 over 1 s, 100 %: no room under 1 ms", T0, P24 - 1, P24,
	    SEC(1), 1000, 7, 999 },
	{ "1 pair over 1 d, 100 %: anywhere in the day", T0, 0, 1, DAY(1),
	    1000, 99, 35849597 },
	{ "1 pair over 1 d, 10 %: first tenth", T0, 0, 1, DAY(1), 100, 99,
	    3584959 },
};

START_TEST(test_due)
{
	const struct due_row *r = &due_rows[_i];
	uint64_t got = schedule_due_ms(r->start, r->pos, r->count,
	    r->interval, r->jitter, r->seed);

	ck_assert_msg(got == r->start + r->want, "%s: due %llu, want %llu",
	    r->name, (unsigned long long)(got - r->start),
	    (unsigned long long)r->want);
}
END_TEST

START_TEST(test_due_saturates)
{
	uint64_t s = UINT64_MAX - 10;

	ck_assert_uint_eq(schedule_due_ms(s, 2, 3, SEC(1), 0, 1), UINT64_MAX);
	ck_assert_uint_eq(schedule_due_ms(s, 0, 3, SEC(1), 0, 1), s);
}
END_TEST

/*
 * A whole cycle: every due time inside it, positions in order (jitter
 * stays inside a slot), each offset under its share of the slot, and no
 * window of L ms holding L*count/interval + 2 due times or more, checked
 * for windows of one slot and of ten. Positions are walked with a stride
 * where a cycle has millions of pairs.
 */
static const struct cycle_row {
	const char *name;
	uint64_t count, interval;
	uint32_t jitter;
	uint64_t seed, stride;
} cycle_rows[] = {
	{ "65536 over 1 h, no jitter", 65536, HOUR(1), 0, 1, 1 },
	{ "65536 over 1 h, 10 %", 65536, HOUR(1), 100, 1, 1 },
	{ "65536 over 1 h, 100 %", 65536, HOUR(1), 1000, 1, 1 },
	{ "65536 over 1 h, 100 %, other seed", 65536, HOUR(1), 1000,
	    UINT64_C(0xdeadbeefcafe), 1 },
	{ "65536 over 1 d, 100 %", 65536, DAY(1), 1000, 3, 1 },
	{ "65536 over 100 s, 100 % (uneven slots)", 65536, SEC(100), 1000, 5,
	    1 },
	{ "65536 over 1 s, 100 % (many per ms)", 65536, SEC(1), 1000, 5, 1 },
	{ "1000 over 1 s, 100 % (1 ms slots)", 1000, SEC(1), 1000, 9, 1 },
	{ "7 over 1 s, 100 %", 7, SEC(1), 1000, 9, 1 },
	{ "1 over 1 d, 100 %", 1, DAY(1), 1000, 9, 1 },
	{ "2^24 over 1 d, 100 %, every 16th", P24, DAY(1), 1000, 11, 16 },
	{ "2^24 over 1 s, 10 %, every 16th", P24, SEC(1), 100, 11, 16 },
};

/* Fewer than L*count/interval + 2 due times in a window of L ms. */
static bool
within_bound(uint64_t k, uint64_t len, uint64_t count, uint64_t interval)
{
	return (double)k * (double)interval <
	    (double)len * (double)count + 2.0 * (double)interval;
}

static void
check_windows(const char *name, const uint64_t *due, size_t n,
    uint64_t len, uint64_t count, uint64_t interval)
{
	size_t hi = 0;

	for (size_t lo = 0; lo < n; lo++) {
		while (hi < n && due[hi] < due[lo] + len)
			hi++;
		LOOP_ASSERT(within_bound(hi - lo, len, count, interval),
		    "%s: %zu due times in the %llu ms from %llu", name,
		    hi - lo, (unsigned long long)len,
		    (unsigned long long)(due[lo] - T0));
	}
}

START_TEST(test_cycle)
{
	const struct cycle_row *r = &cycle_rows[_i];
	size_t n = (size_t)((r->count + r->stride - 1) / r->stride), i = 0;
	uint64_t *due = malloc(n * sizeof(*due)), slot_len;

	ck_assert_ptr_nonnull(due);
	for (uint64_t p = 0; p < r->count; p += r->stride, i++) {
		uint64_t d = schedule_due_ms(T0, p, r->count, r->interval,
		    r->jitter, r->seed);
		uint64_t lo = T0 + p * r->interval / r->count;
		uint64_t hi = T0 + (p + 1) * r->interval / r->count;
		uint64_t span = (hi - lo) * r->jitter / 1000;

		LOOP_ASSERT(d >= T0 && d < T0 + r->interval,
		    "%s: pos %llu due %llu outside the cycle", r->name,
		    (unsigned long long)p, (unsigned long long)(d - T0));
		LOOP_ASSERT(d >= lo && (d == lo || d < lo + span),
		    "%s: pos %llu due %llu outside its slot [%llu, +%llu)",
		    r->name, (unsigned long long)p,
		    (unsigned long long)(d - T0),
		    (unsigned long long)(lo - T0), (unsigned long long)span);
		LOOP_ASSERT(i == 0 || d >= due[i - 1],
		    "%s: pos %llu due before the one before", r->name,
		    (unsigned long long)p);
		due[i] = d;
	}
	slot_len = (r->interval + r->count - 1) / r->count;
	check_windows(r->name, due, n, slot_len, r->count, r->interval);
	check_windows(r->name, due, n, 10 * slot_len, r->count, r->interval);
	free(due);
}
END_TEST

/* Jitter is seeded: repeatable, different for another seed, and using
 * its share of each slot, not just a corner of it. */
static const struct seed_row {
	const char *name;
	uint64_t count, interval;
	uint32_t jitter;
	uint64_t seed_a, seed_b;
	unsigned min_differ_pct; /* positions whose due time differs */
} seed_rows[] = {
	{ "65536 over 1 d, 10 %", 65536, DAY(1), 100, 1, 2, 95 },
	{ "65536 over 1 d, 100 %", 65536, DAY(1), 1000, 1, 2, 99 },
	{ "65536 over 1 h, 10 % (5 ms of room)", 65536, HOUR(1), 100, 7,
	    UINT64_C(0x8000000000000007), 75 },
	{ "256 over 1 h, 100 %, seeds one bit apart", 256, HOUR(1), 1000, 4,
	    5, 99 },
	{ "no jitter: seed changes nothing", 65536, DAY(1), 0, 1, 2, 0 },
};

START_TEST(test_seed)
{
	const struct seed_row *r = &seed_rows[_i];
	uint64_t differ = 0;
	double sum = 0, room = 0;

	for (uint64_t p = 0; p < r->count; p++) {
		uint64_t a = schedule_due_ms(T0, p, r->count, r->interval,
		    r->jitter, r->seed_a);
		uint64_t b = schedule_due_ms(T0, p, r->count, r->interval,
		    r->jitter, r->seed_b);
		uint64_t lo = T0 + p * r->interval / r->count;
		uint64_t hi = T0 + (p + 1) * r->interval / r->count, span;

		LOOP_ASSERT(a == schedule_due_ms(T0, p, r->count,
		    r->interval, r->jitter, r->seed_a),
		    "%s: pos %llu not repeatable", r->name,
		    (unsigned long long)p);
		differ += a != b;
		sum += (double)(a - lo);
		span = (hi - lo) * r->jitter / 1000;
		room += span > 0 ? (double)(span - 1) : 0;
	}
	ck_assert_msg(differ * 100 >= r->min_differ_pct * r->count,
	    "%s: only %llu of %llu positions moved with the seed", r->name,
	    (unsigned long long)differ, (unsigned long long)r->count);
	if (r->jitter == 0) {
		ck_assert_msg(differ == 0 && sum == 0, "%s: moved", r->name);
		return;
	}
	/* Offsets uniform over 0 .. span-1 average half of span-1. */
	ck_assert_msg(sum > 0.45 * room && sum < 0.55 * room,
	    "%s: offsets average %.3f of their room", r->name, sum / room);
}
END_TEST

static const struct warmup_row {
	const char *name;
	uint64_t count, interval;
	double qps;
	uint64_t want;
} warmup_rows[] = {
	{ "small zone, no limit: a minute", 100, HOUR(1), 0, MIN(1) },
	{ "small zone, fast limit: a minute", 10, HOUR(1), 1000, MIN(1) },
	{ "interval under a minute: the interval", 100, SEC(30), 0, SEC(30) },
	{ "/16 at 20 q/s: as fast as max_qps allows", 65536, HOUR(1), 20,
	    3276800 },
	{ "/16 at 20 q/s, 30 min interval: the interval", 65536, MIN(30), 20,
	    MIN(30) },
	{ "no pairs: a minute", 0, HOUR(1), 5, MIN(1) },
	{ "interval 0: 0", 100, 0, 0, 0 },
};

START_TEST(test_warmup)
{
	const struct warmup_row *r = &warmup_rows[_i];
	uint64_t got = schedule_warmup_ms(r->count, r->interval, r->qps);

	ck_assert_msg(got == r->want, "%s: warm-up %llu ms, want %llu",
	    r->name, (unsigned long long)got, (unsigned long long)r->want);
}
END_TEST

static const struct rate_row {
	const char *name;
	uint64_t count, interval;
	double qps;
	uint64_t want_ms;
	double want_qps;
} rate_rows[] = {
	{ "/16 at 20 q/s over 1 h", 65536, HOUR(1), 20, 3276800, 18.2044 },
	{ "/16 at 10 q/s cannot meet 1 h", 65536, HOUR(1), 10, 6553600,
	    18.2044 },
	{ "rounds up: 3 at 7 q/s", 3, SEC(1), 7, 429, 3 },
	{ "slowest rate: 1 at 0.01 q/s", 1, SEC(100), 0.01, 100000, 0.01 },
	{ "no limit", 65536, HOUR(1), 0, 0, 18.2044 },
	{ "negative limit is no limit", 1, SEC(1), -1, 0, 1 },
	{ "no pairs", 0, SEC(1), 5, 0, 0 },
	{ "interval 0: no rate", 10, 0, 5, 2000, 0 },
	{ "saturates", UINT64_MAX, DAY(1), 1e-12, UINT64_MAX, 2.135e14 },
};

START_TEST(test_rate)
{
	const struct rate_row *r = &rate_rows[_i];
	uint64_t ms = schedule_min_cycle_ms(r->count, r->qps);
	double qps = schedule_spread_qps(r->count, r->interval);

	ck_assert_msg(ms == r->want_ms, "%s: min cycle %llu ms, want %llu",
	    r->name, (unsigned long long)ms, (unsigned long long)r->want_ms);
	ck_assert_msg(fabs(qps - r->want_qps) <= 1e-4 * fmax(1, r->want_qps),
	    "%s: spread %g q/s, want %g", r->name, qps, r->want_qps);
	if (r->qps > 0 && r->interval > 0)
		ck_assert_msg((ms > r->interval) == (qps > r->qps),
		    "%s: min cycle and spread rate disagree", r->name);
}
END_TEST

static const struct per_cycle_row {
	const char *name;
	uint64_t targets, want;
} per_cycle_rows[] = {
	{ "no targets: the test points", 0, 2 },
	{ "one target: spare rounds up", 1, 4 },
	{ "100 targets", 100, 107 },
	{ "a /16", 65536, 65536 + 2 + 3277 },
	{ "saturates", UINT64_MAX, UINT64_MAX },
};

START_TEST(test_per_cycle)
{
	const struct per_cycle_row *r = &per_cycle_rows[_i];

	ck_assert_msg(schedule_cycle_queries(r->targets) == r->want,
	    "%s: %llu, want %llu", r->name,
	    (unsigned long long)schedule_cycle_queries(r->targets),
	    (unsigned long long)r->want);
}
END_TEST

static const struct budget_row {
	const char *name;
	uint64_t per_cycle, interval, budget, want;
	bool stretched;
} budget_rows[] = {
	{ "fits", 1000, HOUR(1), 100000, HOUR(1), false },
	{ "just fits: 24 cycles of 1000", 1000, HOUR(1), 24000, HOUR(1),
	    false },
	{ "one short: stretched, rounded up", 1000, HOUR(1), 23999, 3600151,
	    true },
	{ "/16 on a 300,000 a day list every 30 min", 65536 + 2 + 3277,
	    MIN(30), 300000, 19818720, true },
	{ "/16 on a 300,000 a day list every 6 h fits", 65536 + 2 + 3277,
	    HOUR(6), 300000, HOUR(6), false },
	{ "3 a cycle, 7 a day", 3, 1, 7, 37028572, true },
	{ "interval 0 with a budget", 10, 0, 864000, 1000, true },
	{ "zero budget is unlimited", UINT64_MAX, SEC(1), 0, SEC(1), false },
	{ "no queries fit anything", 0, SEC(1), 1, SEC(1), false },
	{ "huge cycle, budget 1: saturates", UINT64_MAX, HOUR(1), 1,
	    UINT64_MAX, true },
	{ "huge numbers that fit", UINT64_MAX / 2, UINT64_MAX, UINT64_MAX,
	    UINT64_MAX, false },
	{ "huge budget, 1 ms interval", UINT64_MAX / SCHEDULE_DAY_MS, 1,
	    UINT64_MAX, 1, false },
};

START_TEST(test_budget)
{
	const struct budget_row *r = &budget_rows[_i];
	bool st = !r->stretched;
	uint64_t got = schedule_budget_interval(r->per_cycle, r->interval,
	    r->budget, &st);

	ck_assert_msg(got == r->want && st == r->stretched,
	    "%s: %llu ms%s, want %llu%s", r->name, (unsigned long long)got,
	    st ? " (stretched)" : "", (unsigned long long)r->want,
	    r->stretched ? " (stretched)" : "");
	ck_assert_uint_eq(schedule_budget_interval(r->per_cycle, r->interval,
	    r->budget, NULL), r->want);
	/* The stretched interval fits; one ms less would not. */
	if (r->stretched && got < UINT64_MAX) {
		ck_assert_uint_eq(schedule_budget_interval(r->per_cycle, got,
		    r->budget, &st), got);
		ck_assert_msg(!st, "%s: %llu ms does not fit", r->name,
		    (unsigned long long)got);
		schedule_budget_interval(r->per_cycle, got - 1, r->budget, &st);
		ck_assert_msg(st, "%s: %llu ms fits too", r->name,
		    (unsigned long long)(got - 1));
	}
}
END_TEST

/* 2026-12-01 23:59:59 UTC. */
#define DEC1_LAST INT64_C(1796169599)

static const struct day_row {
	const char *name;
	int64_t unix_s, want;
} day_rows[] = {
	{ "the epoch", 0, 0 },
	{ "23:59:59 of day 0", 86399, 0 },
	{ "00:00:00 of day 1", 86400, 1 },
	{ "2026-12-01 23:59:59", DEC1_LAST, 20788 },
	{ "2026-12-02 00:00:00", DEC1_LAST + 1, 20789 },
	{ "1969-12-31 23:59:59", -1, -1 },
	{ "1969-12-31 00:00:00", -86400, -1 },
	{ "1969-12-30 23:59:59", -86401, -2 },
	{ "far future", INT64_MAX, INT64_MAX / 86400 },
	{ "far past", INT64_MIN, INT64_MIN / 86400 - 1 },
};

START_TEST(test_day)
{
	const struct day_row *r = &day_rows[_i];
	int64_t got = schedule_utc_day(r->unix_s);

	ck_assert_msg(got == r->want, "%s: day %lld, want %lld", r->name,
	    (long long)got, (long long)r->want);
}
END_TEST

enum day_op {
	DAY_END,
	DAY_TAKE, /* schedule_budget_take returns ok */
	DAY_LEFT, /* schedule_budget_left returns left */
};

struct day_step {
	uint8_t op;
	int64_t t; /* seconds after DEC1_LAST */
	bool ok;
	uint64_t left;
};

#define TAKE(t, ok) { DAY_TAKE, (t), (ok), 0 }
#define LEFT(t, n) { DAY_LEFT, (t), false, (n) }

static const struct count_row {
	const char *name;
	uint64_t budget;
	struct day_step steps[12];
} count_rows[] = {
	{ "a day's budget spent, then midnight", 3,
	    { LEFT(-2, 3), TAKE(-2, true), TAKE(-1, true), TAKE(0, true),
		LEFT(0, 0), TAKE(0, false), LEFT(1, 3), TAKE(1, true),
		LEFT(1, 2), LEFT(86400, 2), LEFT(86401, 3) } },
	{ "a refused take counts nothing", 1,
	    { TAKE(0, true), TAKE(0, false), TAKE(0, false), LEFT(0, 0),
		TAKE(1, true), LEFT(1, 0) } },
	{ "clock set back a day keeps today's count", 2,
	    { TAKE(1, true), TAKE(2, true), TAKE(3, false), TAKE(0, false),
		LEFT(-86400, 0), TAKE(-86400, false), LEFT(86401, 2) } },
	{ "days skipped start afresh", 2,
	    { TAKE(0, true), TAKE(0, true), LEFT(10 * 86400, 2),
		TAKE(10 * 86400, true), LEFT(10 * 86400, 1) } },
	{ "unlimited", 0,
	    { LEFT(0, UINT64_MAX), TAKE(0, true), TAKE(0, true),
		LEFT(0, UINT64_MAX) } },
};

START_TEST(test_count)
{
	const struct count_row *r = &count_rows[_i];
	struct schedule_day d = { 0 };

	for (size_t i = 0; i < 12 && r->steps[i].op != DAY_END; i++) {
		const struct day_step *s = &r->steps[i];
		int64_t now = DEC1_LAST + s->t;
		uint64_t left;
		bool ok;

		if (s->op == DAY_TAKE) {
			ok = schedule_budget_take(&d, now, r->budget);
			ck_assert_msg(ok == s->ok, "%s: step %zu: take %s",
			    r->name, i, ok ? "ok" : "refused");
			continue;
		}
		left = schedule_budget_left(&d, now, r->budget);
		ck_assert_msg(left == s->left, "%s: step %zu: %llu left, "
		    "want %llu", r->name, i, (unsigned long long)left,
		    (unsigned long long)s->left);
	}
}
END_TEST

/* However the takes fall over three days, none passes its budget. */
START_TEST(test_count_never_passes)
{
	struct schedule_day d = { 0 };
	uint64_t per_day[3] = { 0 };
	int64_t start = DEC1_LAST - 86399;

	for (int64_t t = 0; t < 3 * 86400; t += 7)
		for (int k = 0; k < 3; k++)
			if (schedule_budget_take(&d, start + t, 1000))
				per_day[t / 86400]++;
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(per_day[i], 1000);
}
END_TEST

static Suite *
schedule_suite(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_due, 0, NROWS(due_rows));
	tcase_add_test(tc, test_due_saturates);
	tcase_add_loop_test(tc, test_cycle, 0, NROWS(cycle_rows));
	tcase_add_loop_test(tc, test_seed, 0, NROWS(seed_rows));
	tcase_add_loop_test(tc, test_warmup, 0, NROWS(warmup_rows));
	tcase_add_loop_test(tc, test_rate, 0, NROWS(rate_rows));
	tcase_add_loop_test(tc, test_per_cycle, 0, NROWS(per_cycle_rows));
	tcase_add_loop_test(tc, test_budget, 0, NROWS(budget_rows));
	tcase_add_loop_test(tc, test_day, 0, NROWS(day_rows));
	tcase_add_loop_test(tc, test_count, 0, NROWS(count_rows));
	tcase_add_test(tc, test_count_never_passes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(schedule_suite());
}

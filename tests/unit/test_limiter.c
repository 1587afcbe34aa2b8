/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for limiter.c: max_qps alone, the daily budget alone, both
 * together, the UTC day turning and a clock set back, reloads that keep
 * today's count and change the rate, the exact wait until midnight, and
 * no limits at all. Each row is a script of steps on one limiter.
 */
#include <check.h>

#include "unit.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "limiter.h"

#define MS(x) ((uint64_t)(x) * UINT64_C(1000000))
#define SEC(x) MS((uint64_t)(x) * 1000)
#define HOURS(x) ((int64_t)(x) * 3600)

/* A monotonic start far from zero; step times are offsets from it. */
#define T0 UINT64_C(1000000000000)

/* 2023-11-15 00:00:00 UTC, and 10:00 that day. */
#define D0 INT64_C(1700006400)
#define U0 (D0 + HOURS(10))

enum lop {
	LIM_END,    /* the script is over */
	LIM_TAKE,   /* one take: want 1 (taken) or 0 */
	LIM_TAKES,  /* arg takes: want how many succeeded */
	LIM_WAIT,   /* want limiter_wait_ns */
	LIM_USED,   /* want limiter_used_today */
	LIM_SET,    /* limiter_set(qps, arg) */
	LIM_DENIED, /* want denied_budget */
	LIM_TAKEN,  /* want taken */
};

struct lstep {
	enum lop op;
	uint64_t ns; /* after T0 */
	int64_t unix_s;
	uint64_t arg;
	double qps;
	uint64_t want;
};

#define TAKE(ns, u, ok) { LIM_TAKE, ns, u, 0, 0, ok }
#define TAKES(ns, u, n, ok) { LIM_TAKES, ns, u, n, 0, ok }
#define WAIT(ns, u, w) { LIM_WAIT, ns, u, 0, 0, w }
#define USED(u, n) { LIM_USED, 0, u, 0, 0, n }
#define SET(ns, qps, budget) { LIM_SET, ns, 0, budget, qps, 0 }
#define DENIED(n) { LIM_DENIED, 0, 0, 0, 0, n }
#define TAKEN(n) { LIM_TAKEN, 0, 0, 0, 0, n }

#define NS_MAX UINT64_MAX
/* bucket_wait_ns: ceil(missing tokens / rate) plus one nanosecond. */
#define TOKEN_NS(qps) ((uint64_t)(1e9 / (qps)) + 1)

static const struct lrow {
	const char *name;
	double qps;
	uint64_t budget;
	struct lstep steps[16];
} lrows[] = {
	{ "qps only: one second's burst, then one per 1/qps", 10, 0, {
		TAKES(0, U0, 20, 10),
		WAIT(0, U0, TOKEN_NS(10)),
		TAKE(MS(99), U0, 0),
		TAKE(MS(100) + 1, U0, 1),
		TAKE(MS(100) + 1, U0, 0),
		USED(U0, 11),
		TAKEN(11),
		DENIED(0),
	} },
	{ "qps below 1: a burst of one", 0.5, 0, {
		TAKES(0, U0, 5, 1),
		WAIT(0, U0, SEC(2) + 1),
		TAKE(SEC(2) - 1, U0, 0),
		TAKE(SEC(2) + 1, U0, 1),
	} },
	{ "qps only: a long pause refills no more than the burst", 4, 0, {
		TAKES(0, U0, 4, 4),
		TAKES(SEC(3600), U0, 10, 4),
		TAKEN(8),
	} },
	{ "budget only", 0, 5, {
		TAKES(0, U0, 10, 5),
		DENIED(5),
		TAKEN(5),
		USED(U0, 5),
		WAIT(0, U0, SEC(HOURS(14))),
		TAKE(SEC(1000), U0 + 1000, 0),
		DENIED(6),
	} },
	{ "both: the bucket first, then the budget", 10, 15, {
		TAKES(0, U0, 20, 10),
		DENIED(0),
		TAKES(SEC(1), U0 + 1, 20, 5),
		DENIED(15),
		TAKEN(15),
		USED(U0 + 1, 15),
		/* Tokens are back, the budget is not: midnight decides. */
		WAIT(SEC(1), U0 + 1, SEC(HOURS(14) - 1)),
	} },
	{ "both: a spent budget costs no token", 1, 1, {
		TAKE(0, U0, 1),
		TAKE(SEC(1), U0 + 1, 0),
		DENIED(1),
		/* The refused take left the token: the next day has it. */
		TAKE(SEC(1), D0 + 86400, 1),
		TAKE(SEC(1), D0 + 86400, 0),
		DENIED(2),
		TAKEN(2),
	} },
	{ "both: a missing token is no budget denial", 1, 10, {
		TAKE(0, U0, 1),
		TAKE(0, U0, 0),
		DENIED(0),
		USED(U0, 1),
		WAIT(0, U0, TOKEN_NS(1)),
	} },
	{ "both: the bucket's wait when later than midnight", 0.25, 1, {
		TAKE(0, D0 + 86399, 1),
		WAIT(0, D0 + 86399, SEC(4) + 1),
		TAKE(SEC(2), D0 + 86401, 0),
		TAKE(SEC(4) + 1, D0 + 86403, 1),
	} },
	{ "budget spent, then the next UTC day reopens it", 0, 3, {
		TAKES(0, U0, 5, 3),
		TAKES(0, D0 + 86399, 5, 0),
		WAIT(0, D0 + 86399, SEC(1)),
		USED(D0 + 86400, 0),
		WAIT(0, D0 + 86400, 0),
		TAKES(0, D0 + 86400, 5, 3),
		USED(D0 + 86400, 3),
		DENIED(9),
		TAKEN(6),
	} },
	{ "clock set back a day keeps the count", 0, 3, {
		TAKES(0, U0, 3, 3),
		TAKE(0, U0 - 86400, 0),
		USED(U0 - 86400, 3),
		/* The count is the later day's: that day has to end. */
		WAIT(0, U0 - 86400, SEC(86400 + HOURS(14))),
		TAKE(0, U0, 0),
		TAKE(0, D0 + 86400, 1),
		USED(D0 + 86400, 1),
	} },
	{ "a count in the far future: the wait saturates", 0, 1, {
		TAKE(0, INT64_C(1000000000000000), 1),
		TAKE(0, U0, 0),
		WAIT(0, U0, NS_MAX),
	} },
	{ "the longest wait that fits in 64 bits of ns, and a day more",
	    0, 1, {
		TAKE(0, D0 + INT64_C(213502) * 86400, 1),
		WAIT(0, D0 + 1, SEC(UINT64_C(213502) * 86400 + 86399)),
		TAKE(0, D0 + INT64_C(213503) * 86400, 1),
		WAIT(0, D0 + 1, NS_MAX),
	} },
	{ "before 1970: the day floors", 0, 1, {
		TAKE(0, -1, 1),
		TAKE(0, -1, 0),
		WAIT(0, -1, SEC(1)),
		USED(-1, 1),
		USED(0, 0),
		TAKE(0, 0, 1),
		WAIT(0, -86400, SEC(86400 * 2)),
	} },
	{ "the last second there is: one day's remainder", 0, 1, {
		TAKE(0, INT64_MAX, 1),
		WAIT(0, INT64_MAX, SEC(86400 - 55807)),
		/* Every day there is to wait: more than 64 bits of ns. */
		WAIT(0, INT64_MIN, NS_MAX),
	} },
	{ "wait until midnight, exact to the second", 0, 1, {
		TAKE(0, D0, 1),
		WAIT(0, D0, SEC(86400)),
		WAIT(0, D0 + 1, SEC(86399)),
		WAIT(0, U0, SEC(HOURS(14))),
		WAIT(0, D0 + 86399, SEC(1)),
		WAIT(0, D0 + 86400, 0),
	} },
	{ "limiter_set keeps today's count", 0, 5, {
		TAKES(0, U0, 5, 5),
		SET(0, 0, 5),
		TAKE(0, U0, 0),
		USED(U0, 5),
		SET(0, 0, 8),
		TAKES(0, U0, 5, 3),
		SET(0, 0, 2),
		TAKE(0, U0, 0),
		USED(U0, 8),
		DENIED(4),
		TAKEN(8),
		SET(0, 0, 0),
		TAKES(0, U0, 4, 4),
		USED(U0, 12),
	} },
	{ "limiter_set lowers the rate: no fresh burst", 10, 0, {
		TAKES(0, U0, 10, 10),
		SET(0, 5, 0),
		TAKE(0, U0, 0),
		WAIT(0, U0, TOKEN_NS(5)),
		TAKE(TOKEN_NS(5), U0, 1),
	} },
	{ "limiter_set lowers the burst: tokens capped", 100, 0, {
		SET(0, 2, 0),
		TAKES(0, U0, 10, 2),
	} },
	{ "limiter_set raises the rate: the old rate's tokens first", 1, 0, {
		TAKE(0, U0, 1),
		SET(MS(500), 100, 0),
		/* Half a token from the old rate; half more at 100/s. */
		WAIT(MS(500), U0, MS(5) + 1),
		TAKE(MS(504), U0, 0),
		TAKE(MS(505) + 1, U0, 1),
	} },
	{ "limiter_set raises the burst: filled at the new rate", 1, 0, {
		SET(SEC(10), 100, 0),
		TAKES(SEC(10), U0, 10, 1),
		TAKES(SEC(11), U0, 200, 100),
	} },
	{ "limiter_set to unlimited and back to a rate", 1, 0, {
		TAKE(0, U0, 1),
		SET(0, 0, 0),
		TAKES(0, U0, 100, 100),
		WAIT(0, U0, 0),
		SET(0, 2, 0),
		TAKES(0, U0, 10, 2),
		TAKEN(103),
	} },
	{ "unlimited", 0, 0, {
		TAKES(0, U0, 100000, 100000),
		WAIT(0, U0, 0),
		USED(U0, 100000),
		DENIED(0),
		TAKEN(100000),
	} },
	{ "a rate that is no number is unlimited", -5, 0, {
		TAKES(0, U0, 1000, 1000),
		WAIT(0, U0, 0),
	} },
};

static void
lstep_run(const char *name, size_t k, struct limiter *l,
    const struct lstep *s)
{
	uint64_t got = 0;

	switch (s->op) {
	case LIM_TAKE:
		got = limiter_take(l, T0 + s->ns, s->unix_s) ? 1 : 0;
		break;
	case LIM_TAKES:
		for (uint64_t i = 0; i < s->arg; i++)
			got += limiter_take(l, T0 + s->ns, s->unix_s) ? 1 : 0;
		break;
	case LIM_WAIT:
		got = limiter_wait_ns(l, T0 + s->ns, s->unix_s);
		break;
	case LIM_USED:
		got = limiter_used_today(l, s->unix_s);
		break;
	case LIM_SET:
		limiter_set(l, s->qps, s->arg, T0 + s->ns);
		ck_assert_msg(l->max_qps == s->qps && l->budget == s->arg,
		    "%s: step %zu: limits %g/%" PRIu64 ", want %g/%" PRIu64,
		    name, k, l->max_qps, l->budget, s->qps, s->arg);
		return;
	case LIM_DENIED:
		got = l->denied_budget;
		break;
	case LIM_TAKEN:
		got = l->taken;
		break;
	default:
		ck_abort_msg("%s: step %zu: bad op", name, k);
	}
	ck_assert_msg(got == s->want, "%s: step %zu: %" PRIu64 ", want %"
	    PRIu64, name, k, got, s->want);
}

START_TEST(test_limiter)
{
	const struct lrow *r = &lrows[_i];
	struct limiter l;

	limiter_init(&l, r->qps, r->budget, T0);
	ck_assert(l.max_qps == r->qps && l.budget == r->budget);
	ck_assert(l.taken == 0 && l.denied_budget == 0);
	for (size_t k = 0; k < sizeof(r->steps) / sizeof(r->steps[0]) &&
	    r->steps[k].op != LIM_END; k++)
		lstep_run(r->name, k, &l, &r->steps[k]);
}
END_TEST

/* limiter_init writes every field: garbage before it changes nothing. */
START_TEST(test_init_garbage)
{
	struct limiter l;

	memset(&l, 0xa5, sizeof(l));
	limiter_init(&l, 2, 3, T0);
	ck_assert_uint_eq(l.taken, 0);
	ck_assert_uint_eq(l.denied_budget, 0);
	ck_assert_uint_eq(limiter_used_today(&l, U0), 0);
	ck_assert(limiter_take(&l, T0, U0));
	ck_assert(limiter_take(&l, T0, U0));
	ck_assert(!limiter_take(&l, T0, U0));
	ck_assert_uint_eq(limiter_used_today(&l, U0), 2);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
limiter_suite(void)
{
	Suite *s = suite_create("limiter");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_limiter, 0, NROWS(lrows));
	tcase_add_test(tc, test_init_garbage);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(limiter_suite());
}

/* SPDX-License-Identifier: ISC */
/*
 * A zone's query limiter: a token bucket for max_qps and a per-UTC-day
 * count for daily_budget, taken together or not at all. Pure: both clocks
 * are arguments.
 */
#include <string.h>

#include "limiter.h"

#define NS_PER_S UINT64_C(1000000000)

/* One second's worth of queries, at least one (bucket_init's floor). */
static double
limiter_burst(double max_qps)
{
	return max_qps > 1.0 ? max_qps : 1.0;
}

void
limiter_init(struct limiter *l, double max_qps, uint64_t daily_budget,
    uint64_t now_ns)
{
	memset(l, 0, sizeof(*l));
	bucket_init(&l->bucket, max_qps, limiter_burst(max_qps), now_ns);
	/* No day counted yet: the first take starts whichever day it is,
	 * even one before 1970, where day 0 would look like a later day. */
	l->day.day = INT64_MIN;
	l->max_qps = max_qps;
	l->budget = daily_budget;
}

void
limiter_set(struct limiter *l, double max_qps, uint64_t daily_budget,
    uint64_t now_ns)
{
	struct bucket *b = &l->bucket;
	double burst = limiter_burst(max_qps);

	/*
	 * An unlimited bucket holds nothing worth keeping, and a bucket
	 * that becomes unlimited needs nothing kept: start afresh. From one
	 * rate to another the tokens stay, capped at the new burst, so a
	 * reload never hands out a burst the old rate had not earned.
	 */
	if (!(b->rate > 0.0) || !(max_qps > 0.0)) {
		bucket_init(b, max_qps, burst, now_ns);
	} else {
		bucket_refill(b, now_ns);
		b->rate = max_qps;
		b->burst = burst;
		if (b->tokens > burst)
			b->tokens = burst;
	}
	l->max_qps = max_qps;
	/* The day's count stays as it is: only the limit it is held to
	 * changes. */
	l->budget = daily_budget;
}

static bool
limiter_spent(const struct limiter *l, int64_t unix_s)
{
	return schedule_budget_left(&l->day, unix_s, l->budget) == 0;
}

bool
limiter_take(struct limiter *l, uint64_t now_ns, int64_t unix_s)
{
	/* No budget: no day can be spent, only counted (once per query,
	 * so the question is not asked). */
	if (l->budget == 0) {
		if (!bucket_take(&l->bucket, now_ns))
			return false;
		(void)schedule_budget_take(&l->day, unix_s, 0);
		l->taken++;
		return true;
	}
	/* The budget first: a spent day must not cost a token. */
	if (limiter_spent(l, unix_s)) {
		l->denied_budget++;
		return false;
	}
	if (!bucket_take(&l->bucket, now_ns))
		return false;
	/* Cannot fail: limiter_spent said a query is left today. */
	(void)schedule_budget_take(&l->day, unix_s, l->budget);
	l->taken++;
	return true;
}

/*
 * Nanoseconds from unix_s until the budget reopens: the start of the day
 * after the counted one, which is the next midnight unless the clock was
 * set back to before the counted day. Worked from the remainder of the
 * day so no product of a day index overflows; saturates at UINT64_MAX.
 */
static uint64_t
limiter_reopen_ns(const struct limiter *l, int64_t unix_s)
{
	int64_t today = schedule_utc_day(unix_s);
	int64_t into = unix_s % SCHEDULE_DAY_S;
	uint64_t extra, secs;

	if (into < 0)
		into += SCHEDULE_DAY_S;
	/* Whole days still to pass after tonight's midnight. Day indexes
	 * come from 64-bit seconds, so their difference cannot overflow. */
	extra = l->day.day > today ? (uint64_t)(l->day.day - today) : 0;
	if (extra > UINT64_MAX / NS_PER_S / (uint64_t)SCHEDULE_DAY_S)
		return UINT64_MAX;
	secs = (uint64_t)(SCHEDULE_DAY_S - into) +
	    extra * (uint64_t)SCHEDULE_DAY_S;
	if (secs > UINT64_MAX / NS_PER_S)
		return UINT64_MAX;
	return secs * NS_PER_S;
}

uint64_t
limiter_wait_ns(const struct limiter *l, uint64_t now_ns, int64_t unix_s)
{
	uint64_t wait = bucket_wait_ns(&l->bucket, now_ns), reopen;

	if (limiter_spent(l, unix_s)) {
		reopen = limiter_reopen_ns(l, unix_s);
		if (reopen > wait)
			wait = reopen;
	}
	return wait;
}

uint64_t
limiter_used_today(const struct limiter *l, int64_t unix_s)
{
	/* As schedule_budget_left counts: a later day starts at zero, an
	 * earlier one (the clock set back) still sees today's count. */
	return schedule_utc_day(unix_s) > l->day.day ? 0 : l->day.used;
}

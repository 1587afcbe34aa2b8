/* SPDX-License-Identifier: ISC */
/*
 * A zone's query limiter: max_qps as a token bucket and daily_budget as a
 * count per UTC day, for every query the zone receives. Pure: the caller
 * passes the monotonic time in ns and the wall-clock UTC time in seconds.
 */
#ifndef RBLMON_LIMITER_H
#define RBLMON_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

#include "bucket.h"
#include "schedule.h"

/*
 * One per zone. Every kind of query the zone receives (target checks,
 * test-point probes, TXT follow-ups, confirmations, live checks) goes
 * through limiter_take. The fields are for reading; change them only
 * through the functions below.
 */
struct limiter {
	struct bucket bucket;
	struct schedule_day day;
	double max_qps;	 /* 0: unlimited */
	uint64_t budget; /* queries per UTC day; 0: unlimited */
	uint64_t taken;	 /* queries taken, ever */
	/* Takes refused because the day's budget was spent. */
	uint64_t denied_budget;
};

/*
 * Start a limiter of max_qps queries per second (0, or anything not
 * positive: unlimited) with a burst of one second's worth (at least 1),
 * full at now_ns, and daily_budget queries per UTC day (0: unlimited),
 * none used yet. All counters zero.
 */
void limiter_init(struct limiter *l, double max_qps, uint64_t daily_budget,
    uint64_t now_ns);

/*
 * New limits (a reload). Today's count is kept, so a reload never reopens
 * a day's budget (a lower budget may leave none today, a higher one gives
 * back the difference). The bucket keeps the tokens it holds, at most the
 * new burst, so a reload never grants a fresh burst either; from
 * unlimited to a rate the bucket starts full. taken and denied_budget are
 * kept.
 */
void limiter_set(struct limiter *l, double max_qps, uint64_t daily_budget,
    uint64_t now_ns);

/*
 * Take one query: true when the bucket has a token and today's budget a
 * query left; both are then used (taken counts it). Otherwise false and
 * nothing is used; when the reason is the spent budget, denied_budget
 * counts it. unix_s decides the UTC day (schedule_budget_take: a clock set
 * back to an earlier day keeps today's count).
 */
bool limiter_take(struct limiter *l, uint64_t now_ns, int64_t unix_s);

/*
 * Nanoseconds until limiter_take could succeed: 0 now; else the bucket's
 * wait, and, when today's budget is spent, the time until the budget
 * reopens (the next UTC midnight from unix_s, or, with the clock set back
 * to before the counted day, the end of that day), whichever is later.
 * Saturates at UINT64_MAX.
 */
uint64_t limiter_wait_ns(const struct limiter *l, uint64_t now_ns,
    int64_t unix_s);

/* Queries taken on the UTC day of unix_s (0 once a later day begins). */
uint64_t limiter_used_today(const struct limiter *l, int64_t unix_s);

#endif

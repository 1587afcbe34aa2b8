/* SPDX-License-Identifier: ISC */
/*
 * Due times and budget maths for a zone's sweep. Pure: the caller passes
 * the monotonic cycle start in milliseconds and, for the daily budget,
 * the wall-clock UTC time in seconds; nothing here reads a clock.
 */
#ifndef RBLMON_SCHEDULE_H
#define RBLMON_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#define SCHEDULE_DAY_MS UINT64_C(86400000)
#define SCHEDULE_DAY_S INT64_C(86400)

/* The first cycle is spread over at least this long (unless the interval
 * is shorter), so a fresh start shows results within a minute. */
#define SCHEDULE_WARMUP_MS UINT64_C(60000)

/* Queries a cycle costs beyond one per target: the two test points, and a
 * spare for TXT follow-ups and confirming re-queries. */
#define SCHEDULE_PROBE_QUERIES 2
#define SCHEDULE_SPARE_PERCENT 5

/*
 * The due time of the pair at position (0 .. count-1) of a cycle of count
 * pairs that starts at cycle_start_ms and lasts interval_ms. The interval
 * is cut into count slots, slot p being [p*interval/count,
 * (p+1)*interval/count); the pair is due at its slot's start plus a seeded
 * offset below jitter_permille thousandths of its slot (1000 = anywhere in
 * the slot; values above 1000 count as 1000). So every due time lies in
 * [cycle_start, cycle_start + interval), the order of positions is kept,
 * and any window of L ms holds fewer than L*count/interval + 2 due times:
 * never a burst. The same arguments always give the same time. A position
 * past the end counts as the last; count or interval 0 gives
 * cycle_start_ms. The sum saturates at UINT64_MAX.
 */
uint64_t schedule_due_ms(uint64_t cycle_start_ms, uint64_t position,
    uint64_t count, uint64_t interval_ms, uint32_t jitter_permille,
    uint64_t seed);

/*
 * The length the first cycle is spread over: max(SCHEDULE_WARMUP_MS, the
 * time max_qps needs for count queries), but never longer than
 * interval_ms. Pass it to schedule_due_ms as the interval of the first
 * cycle; the next cycle still starts one effective interval after the
 * first, so the warm-up changes no budget.
 */
uint64_t schedule_warmup_ms(uint64_t count, uint64_t interval_ms,
    double max_qps);

/*
 * The shortest cycle max_qps allows for count queries, in ms (rounded up);
 * 0 when max_qps <= 0 (no limit). A cycle longer than the interval means
 * max_qps cannot meet it: the caller warns.
 */
uint64_t schedule_min_cycle_ms(uint64_t count, double max_qps);

/* The rate, in queries per second, that spreading count queries evenly
 * over interval_ms implies (0 when interval_ms is 0). */
double schedule_spread_qps(uint64_t count, uint64_t interval_ms);

/*
 * Queries one cycle of a zone with targets pairs costs, for the budget:
 * targets + SCHEDULE_PROBE_QUERIES + SCHEDULE_SPARE_PERCENT % of targets
 * (rounded up). Saturates at UINT64_MAX.
 */
uint64_t schedule_cycle_queries(uint64_t targets);

/*
 * The interval a zone runs at under daily_budget (queries per UTC day,
 * 0 = unlimited) when each cycle costs per_cycle queries: interval_ms
 * when per_cycle * cycles per day fits, else the smallest interval that
 * fits, ceil(per_cycle * day / daily_budget), saturating at UINT64_MAX.
 * ret_stretched, when not NULL, says whether it was stretched.
 */
uint64_t schedule_budget_interval(uint64_t per_cycle, uint64_t interval_ms,
    uint64_t daily_budget, bool *ret_stretched);

/* The UTC day index (days since 1970-01-01) of a POSIX time in seconds;
 * floors, so times before 1970 give negative days. */
int64_t schedule_utc_day(int64_t unix_s);

/* A zone's queries counted per UTC day. Zeroed memory is a valid start. */
struct schedule_day {
	int64_t day;   /* schedule_utc_day of the count */
	uint64_t used; /* queries taken that day */
};

/*
 * Queries still allowed today under budget (0 = unlimited: UINT64_MAX).
 * The count starts again when the day index moves forward; a clock set
 * back to an earlier day keeps today's count, so a jump never reopens a
 * day's budget.
 */
uint64_t schedule_budget_left(const struct schedule_day *d, int64_t unix_s,
    uint64_t budget);

/* Take one query from today's budget: true and counted when one is left,
 * false (nothing counted) when the day is spent. */
bool schedule_budget_take(struct schedule_day *d, int64_t unix_s,
    uint64_t budget);

#endif

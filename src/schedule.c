/* SPDX-License-Identifier: ISC */
/*
 * Due times and budget maths for a zone's sweep: pairs spread evenly over
 * the interval with a seeded offset inside each pair's slot, a short
 * warm-up for the first cycle, and the daily budget that stretches it.
 */
#include "schedule.h"

#include <math.h>
#include <stddef.h>

/* Products of two 64-bit values (position x interval, queries x day) need
 * 128 bits; GCC and Clang have them on every target Debian builds. */
__extension__ typedef unsigned __int128 u128;

static uint64_t
sat64(u128 v)
{
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/* floor(a * b / c), c > 0, saturating. */
static uint64_t
muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	return sat64((u128)a * b / c);
}

/* splitmix64's finaliser: cheap, and every input bit moves every output
 * bit, so neighbouring positions get unrelated offsets. */
static uint64_t
mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

uint64_t
schedule_due_ms(uint64_t cycle_start_ms, uint64_t position, uint64_t count,
    uint64_t interval_ms, uint32_t jitter_permille, uint64_t seed)
{
	uint64_t slot, next, span, off = 0, rel;

	if (count == 0 || interval_ms == 0)
		return cycle_start_ms;
	if (position >= count)
		position = count - 1;
	if (jitter_permille > 1000)
		jitter_permille = 1000;

	/* position < count, so slot < interval: no saturation here. */
	slot = muldiv(position, interval_ms, count);
	next = muldiv(position + 1, interval_ms, count);

	/*
	 * The offset stays inside the pair's own slot: slots do not
	 * overlap, so jitter can reorder nothing and never piles pairs
	 * up, however unlucky the seed. A slot under 1 ms has no room.
	 */
	span = muldiv(next - slot, jitter_permille, 1000);
	if (span > 0)
		off = (uint64_t)(((u128)mix64(seed ^ mix64(position)) * span)
		    >> 64);

	rel = slot + off;
	if (cycle_start_ms > UINT64_MAX - rel)
		return UINT64_MAX;
	return cycle_start_ms + rel;
}

uint64_t
schedule_min_cycle_ms(uint64_t count, double max_qps)
{
	double ms;

	if (!(max_qps > 0) || count == 0)
		return 0;
	ms = ceil((double)count * 1000.0 / max_qps);
	/* 2^64 is exact as a double; anything at or past it saturates. */
	if (!(ms < 18446744073709551616.0))
		return UINT64_MAX;
	return (uint64_t)ms;
}

uint64_t
schedule_warmup_ms(uint64_t count, uint64_t interval_ms, double max_qps)
{
	uint64_t w = schedule_min_cycle_ms(count, max_qps);

	if (w < SCHEDULE_WARMUP_MS)
		w = SCHEDULE_WARMUP_MS;
	return w < interval_ms ? w : interval_ms;
}

double
schedule_spread_qps(uint64_t count, uint64_t interval_ms)
{
	if (interval_ms == 0)
		return 0;
	return (double)count * 1000.0 / (double)interval_ms;
}

uint64_t
schedule_cycle_queries(uint64_t targets)
{
	u128 spare = ((u128)targets * SCHEDULE_SPARE_PERCENT + 99) / 100;

	return sat64((u128)targets + SCHEDULE_PROBE_QUERIES + spare);
}

uint64_t
schedule_budget_interval(uint64_t per_cycle, uint64_t interval_ms,
    uint64_t daily_budget, bool *ret_stretched)
{
	u128 need = (u128)per_cycle * SCHEDULE_DAY_MS;
	uint64_t fit;
	bool stretched = false;

	/*
	 * per_cycle queries every interval_ms fit when per_cycle * day <=
	 * budget * interval_ms: whole-number maths, no rounding of
	 * cycles per day in either direction.
	 */
	if (daily_budget != 0 && need > (u128)daily_budget * interval_ms) {
		fit = sat64((need + daily_budget - 1) / daily_budget);
		if (fit > interval_ms) {
			interval_ms = fit;
			stretched = true;
		}
	}
	if (ret_stretched != NULL)
		*ret_stretched = stretched;
	return interval_ms;
}

int64_t
schedule_utc_day(int64_t unix_s)
{
	int64_t q = unix_s / SCHEDULE_DAY_S;

	/* C division truncates toward zero; days floor. */
	if (unix_s % SCHEDULE_DAY_S < 0)
		q--;
	return q;
}

/* The count that applies at unix_s: today's, or zero on a later day. */
static uint64_t
day_used(const struct schedule_day *d, int64_t unix_s)
{
	return schedule_utc_day(unix_s) > d->day ? 0 : d->used;
}

uint64_t
schedule_budget_left(const struct schedule_day *d, int64_t unix_s,
    uint64_t budget)
{
	uint64_t used = day_used(d, unix_s);

	if (budget == 0)
		return UINT64_MAX;
	return used >= budget ? 0 : budget - used;
}

bool
schedule_budget_take(struct schedule_day *d, int64_t unix_s, uint64_t budget)
{
	int64_t today = schedule_utc_day(unix_s);

	if (today > d->day) {
		d->day = today;
		d->used = 0;
	}
	if (budget != 0 && d->used >= budget)
		return false;
	if (d->used < UINT64_MAX)
		d->used++;
	return true;
}

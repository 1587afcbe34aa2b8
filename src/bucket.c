/* SPDX-License-Identifier: ISC */
/*
 * Token bucket: a zone's queries per second with a bounded burst. The
 * caller passes the monotonic time, so this is pure and testable.
 */
#include <math.h>

#include "bucket.h"

/* Anything but a positive rate (0, or a nonsense value) means unlimited. */
static bool
bucket_unlimited(const struct bucket *b)
{
	return !(b->rate > 0.0);
}

void
bucket_init(struct bucket *b, double rate, double burst, uint64_t now_ns)
{
	b->rate = rate;
	/* A bucket that cannot hold one token would never let a query out. */
	b->burst = burst >= 1.0 ? burst : 1.0;
	b->tokens = b->burst;
	b->last_ns = now_ns;
}

void
bucket_refill(struct bucket *b, uint64_t now_ns)
{
	/*
	 * The clock is monotonic; should it seem to go back, add nothing and
	 * keep the later stamp, so no time is ever counted twice.
	 */
	if (now_ns <= b->last_ns)
		return;
	b->tokens += (double)(now_ns - b->last_ns) * b->rate / 1e9;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->last_ns = now_ns;
}

bool
bucket_take(struct bucket *b, uint64_t now_ns)
{
	if (bucket_unlimited(b))
		return true;
	bucket_refill(b, now_ns);
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

uint64_t
bucket_wait_ns(const struct bucket *b, uint64_t now_ns)
{
	struct bucket copy = *b;
	double wait;

	if (bucket_unlimited(b))
		return 0;
	bucket_refill(&copy, now_ns);
	if (copy.tokens >= 1.0)
		return 0;
	/*
	 * Round up, and one nanosecond more absorbs the rounding of the
	 * refill, so bucket_take succeeds once this much time has passed.
	 */
	wait = ceil((1.0 - copy.tokens) * 1e9 / copy.rate) + 1.0;
	if (wait >= 18446744073709551615.0)
		return UINT64_MAX;
	return (uint64_t)wait;
}

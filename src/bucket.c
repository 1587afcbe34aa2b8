/* SPDX-License-Identifier: ISC */
/*
 * Token bucket: a zone's queries per second with a bounded burst. The
 * caller passes the monotonic time, so this is pure and testable.
 */
#include <math.h>

#include "bucket.h"

void
bucket_init(struct bucket *b, double rate, double burst, uint64_t now_ns)
{
	b->rate = rate;
	b->burst = burst < 1.0 ? 1.0 : burst;
	b->tokens = b->burst;
	b->last_ns = now_ns;
}

static void
bucket_refill(struct bucket *b, uint64_t now_ns)
{
	if (now_ns <= b->last_ns)
		return; /* time never goes back; if it seems to, wait */
	b->tokens += (double)(now_ns - b->last_ns) * b->rate / 1e9;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->last_ns = now_ns;
}

bool
bucket_take(struct bucket *b, uint64_t now_ns)
{
	if (b->rate <= 0)
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

	if (b->rate <= 0)
		return 0;
	bucket_refill(&copy, now_ns);
	if (copy.tokens >= 1.0)
		return 0;
	/* One nanosecond more absorbs rounding. */
	return (uint64_t)ceil((1.0 - copy.tokens) * 1e9 / copy.rate) + 1;
}

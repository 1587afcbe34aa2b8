/* SPDX-License-Identifier: ISC */
/*
 * Token bucket for per-zone query rates. Pure: the caller passes the
 * monotonic time in nanoseconds.
 */
#ifndef RBLMON_BUCKET_H
#define RBLMON_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct bucket {
	double rate;   /* tokens per second; 0 = unlimited */
	double burst;  /* most tokens held */
	double tokens;
	uint64_t last_ns;
};

/* A bucket that starts full. rate 0 means unlimited. */
void bucket_init(struct bucket *b, double rate, double burst,
    uint64_t now_ns);

/*
 * Add the tokens earned up to now_ns at the current rate (at most burst).
 * A clock that seems to go back adds nothing. bucket_take does this
 * itself; call it before changing the rate, so time gone by is not
 * credited at the new one.
 */
void bucket_refill(struct bucket *b, uint64_t now_ns);

/* Take one token if there is one. */
bool bucket_take(struct bucket *b, uint64_t now_ns);

/* Nanoseconds until a token is there (0 if one is there now). */
uint64_t bucket_wait_ns(const struct bucket *b, uint64_t now_ns);

#endif

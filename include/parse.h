/* SPDX-License-Identifier: ISC */
/*
 * Typed, range-checked parsers for configuration values: durations,
 * unsigned integers, rates and booleans. Pure; they never print.
 */
#ifndef RBLMON_PARSE_H
#define RBLMON_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * "250ms", "2s", "30m", "1h", "1d"; a bare number means seconds.
 * Returns 0 and writes milliseconds, -EINVAL on a malformed value,
 * -ERANGE when it is outside [min_ms, max_ms].
 */
int parse_duration_ms(const char *s, uint64_t min_ms, uint64_t max_ms,
    uint64_t *ret_ms);

/* Decimal unsigned integer in [min, max]. -EINVAL or -ERANGE. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/* Non-negative decimal number such as "20" or "0.5", at most max. */
int parse_rate(const char *s, double max, double *ret);

/* yes/no, true/false, on/off, 1/0 (case-insensitive). -EINVAL otherwise. */
int parse_bool(const char *s, bool *ret);

#endif

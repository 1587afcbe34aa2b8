/* SPDX-License-Identifier: ISC */
/*
 * The outcome of one (target, zone) query as every consumer sees it: the
 * verdict with the codes, TTL, TXT reason or error that came with it.
 * Neutral: the report, the listing state, alerts and metrics read it
 * without knowing the engine that produced it. Pure.
 */
#ifndef RBLMON_RESULT_H
#define RBLMON_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Borrowed for the call it is passed to: copy what must outlive it. The
 * codes are every distinct A record of the answer (classify.h), in
 * answer order; txt is escaped (escape.h).
 */
struct result {
	uint8_t verdict;       /* enum verdict (classify.h) */
	uint8_t ncodes;
	bool confirming;       /* a re-query asked to confirm a change */
	uint32_t ttl;	       /* smallest TTL of the records, 0 if none */
	const uint32_t *codes; /* host byte order */
	const char *txt;       /* listed with TXT: the reason, else NULL */
	const char *error;     /* VERDICT_ERROR: what went wrong */
};

/*
 * The codes as "127.0.0.2,127.0.0.4" into buf (NUL-terminated, cut at a
 * comma when it does not fit). Returns the length written.
 */
size_t result_codes_format(const uint32_t *codes, size_t n, char *buf,
    size_t len);

#endif

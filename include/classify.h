/* SPDX-License-Identifier: ISC */
/*
 * Classification of one DNS answer for one (target, zone) pair into the
 * verdicts of the design: listed, clean, refused, bogus, ignored, error.
 * Pure: the resolver fills a struct answer, this module decides.
 */
#ifndef RBLMON_CLASSIFY_H
#define RBLMON_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zone;

/*
 * Distinct A records of one answer. Identical records count once; an
 * answer with more distinct ones than this is an error, never trimmed:
 * a refusal or a hijacked address must be seen wherever it stands.
 */
#define ANSWER_MAX_ADDRS 64

enum answer_status {
	ANSWER_RECORDS,	 /* NOERROR; addrs holds the A records (maybe none) */
	ANSWER_NXDOMAIN, /* the name does not exist */
	ANSWER_NODATA,	 /* NOERROR without records of the type asked */
	ANSWER_ERROR,	 /* timeout, SERVFAIL, REFUSED, malformed, network */
};

struct answer {
	uint8_t status;	 /* enum answer_status */
	uint8_t naddrs;	 /* distinct A records, in answer order */
	/*
	 * ANSWER_ERROR from a connection-level failure (a closed TCP
	 * connection, a socket error): c-ares 1.18 fails every query in
	 * flight to that server at once, so the pair is worth asking again.
	 */
	bool conn_failed;
	uint32_t ttl;	 /* smallest TTL of the kept records */
	uint32_t addrs[ANSWER_MAX_ADDRS]; /* host byte order */
	const char *error; /* ANSWER_ERROR: static text, e.g. "timeout" */
	const char *txt;   /* TXT queries: escaped text, else NULL */
};

enum verdict {
	VERDICT_CLEAN,
	VERDICT_LISTED,
	VERDICT_REFUSED,
	VERDICT_BOGUS,
	VERDICT_IGNORED,
	VERDICT_ERROR,
	VERDICT_SUPPRESSED, /* never from classify: the zone is not healthy */
	VERDICT_COUNT
};

/*
 * Classify an answer for zone z (DESIGN §1): errors are errors; NXDOMAIN,
 * NODATA and NOERROR without A are clean; any refused code makes it
 * refused; any code outside 127/8 makes it bogus; any listed code makes it
 * listed; other 127/8 codes are ignored. Refused and bogus win over listed:
 * an answer we cannot trust never becomes a listing. Every one of the
 * naddrs records is looked at; naddrs past ANSWER_MAX_ADDRS is an error.
 */
enum verdict classify_answer(const struct zone *z, const struct answer *a);

/* "clean", "listed", ... as printed and in JSON. */
const char *verdict_name(enum verdict v);

#endif

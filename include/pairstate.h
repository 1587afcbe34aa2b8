/* SPDX-License-Identifier: ISC */
/*
 * The listing state of one (target, zone) pair: unknown, clean or listed,
 * changed only after `confirm` consecutive agreeing answers, and what is to
 * be announced. Pure: the caller passes each answer's verdict and the
 * monotonic time; the state is a small fixed struct with no heap.
 */
#ifndef RBLMON_PAIRSTATE_H
#define RBLMON_PAIRSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"

/* The stable state, and the kind of a pending candidate. */
enum pairstate_kind {
	PAIRSTATE_UNKNOWN, /* no answer accepted yet; as a candidate: none */
	PAIRSTATE_CLEAN,
	PAIRSTATE_LISTED,
};

/* What one step has to announce (DESIGN §5 event names). */
enum pairstate_event {
	PAIRSTATE_EV_NONE,
	PAIRSTATE_EV_LISTED,   /* unknown or clean -> listed */
	PAIRSTATE_EV_DELISTED, /* listed -> clean */
	PAIRSTATE_EV_CHANGED,  /* listed -> listed with another code set */
	PAIRSTATE_EV_REMINDER, /* a standing listing, `remind` after the last */
};

/*
 * The code set of a listing is kept as a fingerprint of its distinct codes
 * (independent of their order) and their count, never as the codes: the
 * store keeps the codes of standing listings, this only tells sets apart.
 */
struct pairstate {
	uint64_t first_seen_ms;	 /* current or last listing began; 0: never */
	uint64_t last_change_ms; /* last accepted change of any kind */
	uint64_t last_remind_ms; /* last announcement of the listing */
	uint64_t due_ms;	 /* when this pair wants its next query */
	uint32_t codes_hash;	 /* stable listing's code set */
	uint32_t cand_hash;	 /* pending candidate's code set */
	uint16_t errors;	 /* error/refused/bogus in a row, saturating */
	uint8_t stable;		 /* enum pairstate_kind */
	uint8_t cand;		 /* pairstate_kind; UNKNOWN: none pending */
	uint8_t agree;		 /* agreeing answers for cand, saturating */
	uint8_t ncodes;		 /* distinct codes of the stable listing */
	uint8_t cand_ncodes;	 /* distinct codes of the candidate */
};

/* One classified answer for the pair. */
struct pairstate_input {
	uint8_t verdict;     /* enum verdict */
	uint8_t ncodes;	     /* VERDICT_LISTED: distinct listed codes */
	uint32_t codes_hash; /* VERDICT_LISTED: pairstate_codes_hash() */
};

struct pairstate_params {
	unsigned confirm;	   /* answers a change needs; 0 acts as 1 */
	uint64_t confirm_delay_ms; /* re-query delay while a change pends */
	uint64_t interval_ms;	   /* the pair's normal period */
	uint64_t remind_ms;	   /* re-announce a standing listing; 0 = off */
};

/* Most agreeing answers a change can ask for (the counter is 8 bits). */
#define PAIRSTATE_CONFIRM_MAX 255

/* A pair nothing is known about (all zero, so a zeroed array is fine). */
void pairstate_init(struct pairstate *ps);

/*
 * Fingerprint of the codes of a listed answer: the same for any order and
 * any repetition of the same codes. Pass the codes the zone counts as
 * listed. *ret_count gets the number of distinct codes (saturating at 255).
 * A collision between two sets only hides a `changed` event.
 */
uint32_t pairstate_codes_hash(const uint32_t *codes, size_t n,
    uint8_t *ret_count);

/*
 * Feed one answer taken at now_ms and return what to announce (NONE for
 * nothing). *ret_due_ms (if not NULL) gets when the pair wants its next
 * query: now + confirm_delay while a change is pending, else now +
 * interval (saturating). The rules:
 *
 * - clean and ignored answers are clean; listed answers carry their code
 *   set. An answer that agrees with the stable state drops any pending
 *   candidate. One that differs starts a candidate (or counts toward the
 *   one pending, if it agrees with it; a different one replaces it with a
 *   count of one); the candidate becomes the stable state after `confirm`
 *   agreeing answers in a row.
 * - unknown -> clean is silent; unknown or clean -> listed is LISTED;
 *   listed -> clean is DELISTED (pairstate_listed_ms() says for how long);
 *   listed -> listed with another code set is CHANGED.
 * - error, refused and bogus answers are no answer: they count in
 *   `errors` (reset by the next clean or listed answer), never change the
 *   stable state, and neither advance nor reset a pending candidate, so an
 *   error between two agreeing answers does not break their run.
 * - VERDICT_SUPPRESSED (the zone is not ok) changes nothing and drops the
 *   pending candidate: answers from before and after an outage never add
 *   up to a change. It announces nothing, reminders included.
 * - REMINDER: a listed answer with the stable code set, when remind_ms is
 *   not 0 and at least remind_ms have passed since the last LISTED,
 *   CHANGED or REMINDER. Only an answer can remind: silence proves nothing.
 *
 * A now_ms earlier than a stored time counts as no time passed.
 */
enum pairstate_event pairstate_step(struct pairstate *ps,
    const struct pairstate_input *in, const struct pairstate_params *p,
    uint64_t now_ms, uint64_t *ret_due_ms);

/*
 * How long the pair has been listed (now - first seen) when it is listed;
 * once clean again (after DELISTED), how long the listing that ended
 * lasted; 0 when it was never listed. A listing is first seen when it is
 * accepted (its confirming answer); a code change keeps that time. Times
 * are monotonic and above 0, so a first_seen_ms of 0 means never.
 */
uint64_t pairstate_listed_ms(const struct pairstate *ps, uint64_t now_ms);

/* True when a change is waiting for confirmation. */
bool pairstate_pending(const struct pairstate *ps);

/*
 * True for a clean pair with nothing pending and no errors: a caller may
 * forget it (a fresh unknown state behaves the same: its first clean
 * answer is silent, its first listing is announced).
 */
bool pairstate_idle(const struct pairstate *ps);

/* "unknown", "clean", "listed". */
const char *pairstate_kind_name(enum pairstate_kind k);

/* "none", "listed", "delisted", "changed", "reminder". */
const char *pairstate_event_name(enum pairstate_event e);

#endif

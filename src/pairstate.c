/* SPDX-License-Identifier: ISC */
/*
 * Confirmation state machine of one (target, zone) pair (DESIGN §1): a
 * change of listing state is accepted only after `confirm` agreeing
 * answers, errors never change anything, and each accepted change or
 * standing listing yields the one event to announce.
 */
#include <string.h>

#include "pairstate.h"

void
pairstate_init(struct pairstate *ps)
{
	memset(ps, 0, sizeof(*ps));
}

/* murmur3's finaliser: every input bit reaches every output bit. */
static uint32_t
pairstate_mix(uint32_t x)
{
	x ^= x >> 16;
	x *= UINT32_C(0x85ebca6b);
	x ^= x >> 13;
	x *= UINT32_C(0xc2b2ae35);
	x ^= x >> 16;
	return x;
}

uint32_t
pairstate_codes_hash(const uint32_t *codes, size_t n, uint8_t *ret_count)
{
	uint32_t sum = 0;
	size_t i, j, distinct = 0;

	/*
	 * A sum of mixed codes does not depend on their order; a code seen
	 * before is skipped, so repetitions do not count. Answers hold at
	 * most ANSWER_MAX_ADDRS codes, so the quadratic search is small.
	 */
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && codes[j] != codes[i]; j++)
			;
		if (j < i)
			continue;
		sum += pairstate_mix(codes[i]);
		distinct++;
	}
	if (ret_count != NULL)
		*ret_count = distinct > 255 ? 255 : (uint8_t)distinct;
	return pairstate_mix(sum ^ (uint32_t)distinct);
}

static uint64_t
pairstate_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
pairstate_since(uint64_t now_ms, uint64_t then_ms)
{
	return now_ms > then_ms ? now_ms - then_ms : 0;
}

static unsigned
pairstate_confirm(const struct pairstate_params *p)
{
	if (p->confirm < 1)
		return 1;
	if (p->confirm > PAIRSTATE_CONFIRM_MAX)
		return PAIRSTATE_CONFIRM_MAX;
	return p->confirm;
}

static void
pairstate_drop_candidate(struct pairstate *ps)
{
	ps->cand = PAIRSTATE_UNKNOWN;
	ps->agree = 0;
	ps->cand_hash = 0;
	ps->cand_ncodes = 0;
}

/* Whether an answer of kind k (and its codes) is the stable state. */
static bool
pairstate_is_stable(const struct pairstate *ps, uint8_t k,
    const struct pairstate_input *in)
{
	if (ps->stable != k)
		return false;
	return k != PAIRSTATE_LISTED || (ps->codes_hash == in->codes_hash &&
	    ps->ncodes == in->ncodes);
}

static bool
pairstate_is_candidate(const struct pairstate *ps, uint8_t k,
    const struct pairstate_input *in)
{
	if (ps->cand != k)
		return false;
	return k != PAIRSTATE_LISTED || (ps->cand_hash == in->codes_hash &&
	    ps->cand_ncodes == in->ncodes);
}

/* The candidate is confirmed: make it the stable state, say what it means. */
static enum pairstate_event
pairstate_accept(struct pairstate *ps, uint64_t now_ms)
{
	enum pairstate_event ev = PAIRSTATE_EV_NONE;
	uint8_t from = ps->stable;

	if (ps->cand == PAIRSTATE_LISTED) {
		/* A code change keeps the listing's start. */
		if (from == PAIRSTATE_LISTED) {
			ev = PAIRSTATE_EV_CHANGED;
		} else {
			ev = PAIRSTATE_EV_LISTED;
			ps->first_seen_ms = now_ms;
		}
		ps->last_remind_ms = now_ms;
		ps->codes_hash = ps->cand_hash;
		ps->ncodes = ps->cand_ncodes;
	} else {
		/* A first clean answer is not news; an ended listing is. */
		if (from == PAIRSTATE_LISTED)
			ev = PAIRSTATE_EV_DELISTED;
		ps->codes_hash = 0;
		ps->ncodes = 0;
	}
	ps->stable = ps->cand;
	ps->last_change_ms = now_ms;
	pairstate_drop_candidate(ps);
	return ev;
}

/* An answer that agrees with the stable state: maybe remind. */
static enum pairstate_event
pairstate_standing(struct pairstate *ps, const struct pairstate_params *p,
    uint64_t now_ms)
{
	pairstate_drop_candidate(ps);
	if (ps->stable != PAIRSTATE_LISTED || p->remind_ms == 0)
		return PAIRSTATE_EV_NONE;
	if (pairstate_since(now_ms, ps->last_remind_ms) < p->remind_ms)
		return PAIRSTATE_EV_NONE;
	ps->last_remind_ms = now_ms;
	return PAIRSTATE_EV_REMINDER;
}

/* A clean or listed answer (k). */
static enum pairstate_event
pairstate_answer(struct pairstate *ps, uint8_t k,
    const struct pairstate_input *in, const struct pairstate_params *p,
    uint64_t now_ms)
{
	ps->errors = 0;
	if (pairstate_is_stable(ps, k, in))
		return pairstate_standing(ps, p, now_ms);
	if (pairstate_is_candidate(ps, k, in)) {
		/* At most PAIRSTATE_CONFIRM_MAX: the change is made there. */
		ps->agree++;
	} else {
		ps->cand = k;
		ps->agree = 1;
		ps->cand_hash = k == PAIRSTATE_LISTED ? in->codes_hash : 0;
		ps->cand_ncodes = k == PAIRSTATE_LISTED ? in->ncodes : 0;
	}
	if (ps->agree < pairstate_confirm(p))
		return PAIRSTATE_EV_NONE;
	return pairstate_accept(ps, now_ms);
}

enum pairstate_event
pairstate_step(struct pairstate *ps, const struct pairstate_input *in,
    const struct pairstate_params *p, uint64_t now_ms, uint64_t *ret_due_ms)
{
	enum pairstate_event ev = PAIRSTATE_EV_NONE;

	switch (in->verdict) {
	case VERDICT_CLEAN:
	case VERDICT_IGNORED:
		ev = pairstate_answer(ps, PAIRSTATE_CLEAN, in, p, now_ms);
		break;
	case VERDICT_LISTED:
		ev = pairstate_answer(ps, PAIRSTATE_LISTED, in, p, now_ms);
		break;
	case VERDICT_SUPPRESSED:
		pairstate_drop_candidate(ps);
		break;
	default:
		/* error, refused, bogus, and anything unknown: no answer. */
		if (ps->errors < UINT16_MAX)
			ps->errors++;
		break;
	}
	ps->due_ms = pairstate_add(now_ms, pairstate_pending(ps) ?
	    p->confirm_delay_ms : p->interval_ms);
	if (ret_due_ms != NULL)
		*ret_due_ms = ps->due_ms;
	return ev;
}

uint64_t
pairstate_listed_ms(const struct pairstate *ps, uint64_t now_ms)
{
	/* Monotonic clocks start well above 0, so 0 means "never listed". */
	if (ps->stable == PAIRSTATE_LISTED)
		return pairstate_since(now_ms, ps->first_seen_ms);
	if (ps->stable == PAIRSTATE_CLEAN && ps->first_seen_ms != 0)
		return pairstate_since(ps->last_change_ms, ps->first_seen_ms);
	return 0;
}

bool
pairstate_pending(const struct pairstate *ps)
{
	return ps->cand != PAIRSTATE_UNKNOWN;
}

bool
pairstate_idle(const struct pairstate *ps)
{
	return ps->stable == PAIRSTATE_CLEAN && !pairstate_pending(ps) &&
	    ps->errors == 0;
}

const char *
pairstate_kind_name(enum pairstate_kind k)
{
	switch (k) {
	case PAIRSTATE_UNKNOWN:
		return "unknown";
	case PAIRSTATE_CLEAN:
		return "clean";
	case PAIRSTATE_LISTED:
		return "listed";
	}
	return "?";
}

const char *
pairstate_event_name(enum pairstate_event e)
{
	switch (e) {
	case PAIRSTATE_EV_NONE:
		return "none";
	case PAIRSTATE_EV_LISTED:
		return "listed";
	case PAIRSTATE_EV_DELISTED:
		return "delisted";
	case PAIRSTATE_EV_CHANGED:
		return "changed";
	case PAIRSTATE_EV_REMINDER:
		return "reminder";
	}
	return "?";
}

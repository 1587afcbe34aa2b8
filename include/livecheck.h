/* SPDX-License-Identifier: ISC */
/*
 * Live checks: one (target, zone) query asked now, on behalf of a person
 * (rblmonctl check, explain), outside the sweep but through the zone's
 * limiter, with the TXT reason of a listing. Bounded: a few dozen at
 * once. Changes no listing state; the answer goes to the asker only.
 */
#ifndef RBLMON_LIVECHECK_H
#define RBLMON_LIVECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolver.h"
#include "result.h"

struct event_base;
struct livecheck;
struct target;
struct zone;

/* Checks waiting or running at once; livecheck_start refuses past it. */
#define LIVECHECK_MAX 64
/*
 * A check whose zone has no token for longer than this (its daily budget
 * is spent) fails at once instead of waiting.
 */
#define LIVECHECK_WAIT_MAX_MS 10000

/* How the checks reach DNS and the zones' limiters. */
struct livecheck_io {
	/* As sweep_io.query: 0 and cb later exactly once, or -errno. */
	int (*query)(void *ctx, uint32_t zone, const char *qname,
	    enum resolver_qtype type, resolver_cb *cb, void *cb_arg);
	/* Drop every query of these checks; their callbacks never come. */
	void (*cancel)(void *ctx);
	/* A token of the zone's limiter now (sweep_zone_take). */
	bool (*take)(void *ctx, uint32_t zone, uint64_t *ret_wait_ns);
	void *ctx;
};

/*
 * The outcome: res as struct result (codes and txt valid during the
 * call), and how long it took from livecheck_start, in milliseconds.
 */
typedef void livecheck_cb(const struct result *res, uint64_t ms, void *arg);

/* Checks on base through io. Returns 0 or -ENOMEM. */
int livecheck_new(struct event_base *base, const struct livecheck_io *io,
    struct livecheck **ret);

/*
 * Check target t on zone z (index zi of io's zones; z must stay valid
 * until cb): an A query when a token is there, and when it is listed and
 * z asks TXT, a TXT query through the limiter too. cb is called exactly
 * once, later, from the loop (never from inside this call). Returns 0,
 * -EBUSY when LIVECHECK_MAX checks are under way, -EINVAL when the zone
 * does not take t's kind, or -ENOMEM.
 */
int livecheck_start(struct livecheck *lc, const struct zone *z, uint32_t zi,
    const struct target *t, livecheck_cb *cb, void *arg);

/* Checks waiting or running now. */
size_t livecheck_pending(const struct livecheck *lc);

/*
 * Finish every check now with an error result saying why (static text,
 * e.g. "the configuration was reloaded"), calling each cb from inside
 * this call; their queries are cancelled first. Before the zones the
 * checks point at go away.
 */
void livecheck_abort(struct livecheck *lc, const char *why);

/* Abort (with "the daemon is stopping") and free. NULL ok. */
void livecheck_free(struct livecheck *lc);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * The engine: every zone sweeps its targets in cycles, each pair due at
 * its place in the zone's interval (schedule.h), under a global in-flight
 * window and the zone's limiter (max_qps and daily budget); its test
 * points are probed every cycle (and early when answers turn bad), and
 * its health changes after agreeing probes only. Once mode is one cycle
 * of the same engine, as fast as the limits allow. Holds no per-pair
 * objects: a cursor per zone and a fixed array of in-flight slots.
 */
#ifndef RBLMON_SWEEP_H
#define RBLMON_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "diagnose.h"
#include "health.h"
#include "limiter.h"
#include "resolver.h"
#include "result.h"

struct config;
struct event_base;
struct sweep;

/*
 * Pairs whose answer failed at the connection level (answer.conn_failed)
 * are asked once more, one at a time through their zone's limiter, when
 * the zone has nothing else in flight; at most this many per cycle of a
 * sweep, past that they stay errors.
 */
#define SWEEP_REASK_MAX 1024

/* Agreeing probe rounds the daemon needs to change a zone's state. */
#define SWEEP_HEALTH_NEED 2

/*
 * The result of one (target, zone) pair, valid during the callback (codes
 * point into the answer: copy what must outlive it).
 */
struct sweep_result {
	uint32_t target; /* index into config->targets */
	uint32_t zone;	 /* index into config->zones */
	struct result res;
};

/* What a zone did in one cycle, handed over when the cycle ends. */
struct sweep_cycle {
	uint64_t started_ms;	/* monotonic */
	uint64_t ended_ms;
	uint64_t interval_ms;	/* the effective interval (budget applied) */
	uint64_t queries;	/* every kind, probes and TXT included */
	uint64_t by_verdict[VERDICT_COUNT]; /* first answers of its pairs */
	bool swept;		/* false: the zone was not ok, nothing sent */
};

struct sweep_callbacks {
	/*
	 * Every answered pair. In once mode every pair exactly once unless
	 * stopped (plus the pair's confirming re-queries, marked).
	 */
	void (*result_cb)(const struct sweep_result *r, void *arg);
	/*
	 * A zone's accepted health changed (from HEALTH_UNKNOWN at first),
	 * with what its test points got (for diagnose.h). In once mode
	 * every zone once, before any of its results.
	 */
	void (*zone_cb)(uint32_t zone, enum zone_health from,
	    enum zone_health to, const struct diagnose_probe probes[2],
	    void *arg);
	/* Continuous mode: a zone finished a cycle. May be NULL. */
	void (*cycle_cb)(uint32_t zone, const struct sweep_cycle *cy,
	    void *arg);
	/*
	 * Once mode: after the last result; or when the sweep cannot go on
	 * (no token will ever be due), with pairs left (see sweep_progress).
	 * The sweep may be freed from here.
	 */
	void (*done_cb)(void *arg);
	void *arg;
};

/*
 * How the sweep reaches DNS and the clocks: the real resolvers, or a
 * fake in tests. Every query is the io's own: cancel drops them all.
 */
struct sweep_io {
	/*
	 * A query for zone's resolver, as resolver_query: 0, and then cb is
	 * called exactly once, later, from the event loop; or a negative
	 * errno, and no cb at all.
	 */
	int (*query)(void *ctx, uint32_t zone, const char *qname,
	    enum resolver_qtype type, resolver_cb *cb, void *cb_arg);
	/* Drop every query of this io; their callbacks are never called. */
	void (*cancel)(void *ctx);
	/* Monotonic time in nanoseconds. */
	uint64_t (*now_ns)(void *ctx);
	/* Wall-clock POSIX seconds (for the daily budget's UTC day). */
	int64_t (*wall_s)(void *ctx);
	void *ctx;
};

/* What a zone keeps across a reload: its health and today's budget. */
struct sweep_carry {
	bool valid;
	struct health_track track;
	struct limiter limiter;
};

struct sweep_options {
	/*
	 * One cycle of every zone, as fast as the limits allow, then
	 * done_cb; not ok zones' pairs are reported suppressed. Otherwise
	 * every zone cycles for ever over its interval.
	 */
	bool once;
	unsigned health_need;	   /* agreeing probe rounds; 0 acts as 1 */
	uint64_t confirm_delay_ms; /* sweep_confirm's wait */
	/* Per zone of the config, or NULL: carried from a previous sweep. */
	const struct sweep_carry *carry;
};

/* The io of resolver r (every zone asks it) and the system clocks. */
void sweep_io_resolver(struct resolver *r, struct sweep_io *ret);

/*
 * Prepare a sweep of config c (which must outlive it) through io, with
 * its timers on base. Returns 0 or -ENOMEM.
 */
int sweep_new(struct event_base *base, const struct sweep_io *io,
    const struct config *c, const struct sweep_options *o,
    const struct sweep_callbacks *cbs, struct sweep **ret);

/* Start sending queries; results arrive from the event loop. */
void sweep_start(struct sweep *s);

/*
 * Send what is due and what the zones' limiters allow at io->now_ns().
 * The sweep's own wake timer calls this; a test that moves its clock
 * may too.
 */
void sweep_poll(struct sweep *s);

/*
 * When the wake timer is due (io->now_ns() time), or UINT64_MAX when it
 * is not armed.
 */
uint64_t sweep_wake_at(const struct sweep *s);

/*
 * Ask the pair again confirm_delay_ms from now (a change waits for its
 * confirmation). Its answer comes with res.confirming set. 0 or -ENOMEM.
 */
int sweep_confirm(struct sweep *s, uint32_t zone, uint32_t target);

/* A zone's accepted health, and what to carry into a next sweep. */
enum zone_health sweep_zone_health(const struct sweep *s, uint32_t zone);
void sweep_zone_carry(const struct sweep *s, uint32_t zone,
    struct sweep_carry *ret);
/* Queries a zone took today (its daily budget's count). */
uint64_t sweep_zone_used_today(const struct sweep *s, uint32_t zone);
/* A zone's interval after its daily budget: longer when stretched. */
uint64_t sweep_zone_interval(const struct sweep *s, uint32_t zone,
    bool *ret_stretched);

/*
 * The last decided probe round of a zone: what its positive and negative
 * test point got, in ret; returns when it was decided (wall clock), 0
 * before the first and for a zone that probes no point.
 */
int64_t sweep_zone_probes(const struct sweep *s, uint32_t zone,
    struct diagnose_probe ret[2]);

/*
 * Take one token of zone's limiter now for a query sent outside the
 * sweep (a live check), so that it counts against max_qps and the daily
 * budget like the sweep's own. false when none is left now, with the
 * wait until one is in *ret_wait_ns.
 */
bool sweep_zone_take(struct sweep *s, uint32_t zone, uint64_t *ret_wait_ns);

/*
 * Continuous mode: start a new cycle of zone now, every pair from the
 * first (an open cycle's too) spread over the warm-up, with a probe
 * round first; the next cycle follows an interval later. Returns whether
 * the zone's pairs will be swept (it is ok); false in once mode.
 */
bool sweep_now(struct sweep *s, uint32_t zone);

/*
 * Stop early: send nothing more and cancel the queries in flight. In
 * once mode pairs whose listing is known but whose TXT was pending are
 * reported listed (without TXT) and pairs waiting for their second
 * asking as errors, from inside this call; every other pair not
 * reported stays unchecked, and zones not decided yet get no zone_cb.
 * done_cb is not called. Not from inside one of the sweep's callbacks.
 */
void sweep_stop(struct sweep *s);

/* Once mode: pairs finished so far and in all. */
void sweep_progress(const struct sweep *s, uint64_t *ret_done,
    uint64_t *ret_total);

/* Stop (as sweep_stop, without its results) and free. NULL ok. */
void sweep_free(struct sweep *s);

#endif

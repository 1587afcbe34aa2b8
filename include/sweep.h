/* SPDX-License-Identifier: ISC */
/*
 * One sweep: every target on every zone once. Probes each zone's test
 * points first, then queries the zone's targets through a global in-flight
 * window and the zone's token bucket, and reports every (target, zone)
 * result and every zone's health through callbacks. Holds no per-pair
 * objects: a cursor per zone and a fixed array of in-flight slots.
 */
#ifndef RBLMON_SWEEP_H
#define RBLMON_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "diagnose.h"
#include "health.h"
#include "resolver.h"

struct config;
struct event_base;
struct sweep;

/*
 * Pairs whose answer failed at the connection level (answer.conn_failed)
 * are asked once more, one at a time through their zone's bucket, when
 * every first query has been answered; at most this many in one sweep,
 * past that they stay errors.
 */
#define SWEEP_REASK_MAX 1024

/*
 * The result of one (target, zone) pair, valid during the callback (codes
 * point into the answer: copy what must outlive it).
 */
struct sweep_result {
	uint32_t target; /* index into config->targets */
	uint32_t zone;	 /* index into config->zones */
	uint8_t verdict; /* enum verdict */
	uint8_t ncodes;
	const uint32_t *codes; /* the answer's ncodes A records */
	const char *txt;   /* escaped TXT text for listed pairs, or NULL */
	const char *error; /* VERDICT_ERROR: what went wrong */
};

struct sweep_callbacks {
	/* Every pair at most once (exactly once unless stopped). */
	void (*result_cb)(const struct sweep_result *r, void *arg);
	/*
	 * Every zone's health, once, before any of its results, with what
	 * its positive and negative test points got (for diagnose.h).
	 */
	void (*zone_cb)(uint32_t zone, enum zone_health h,
	    const struct diagnose_probe probes[2], void *arg);
	/*
	 * After the last result; or when the sweep cannot go on (no token
	 * will ever be due), with pairs left (see sweep_progress). The
	 * sweep may be freed from here.
	 */
	void (*done_cb)(void *arg);
	void *arg;
};

/*
 * How the sweep reaches DNS and the clock: the real resolver
 * (sweep_io_resolver), or a fake one in tests.
 */
struct sweep_io {
	/*
	 * As resolver_query: 0, and then cb is called exactly once, later,
	 * from the event loop; or a negative errno, and no cb at all.
	 */
	int (*query)(void *ctx, const char *qname, enum resolver_qtype type,
	    resolver_cb *cb, void *cb_arg);
	/* Drop every pending query; their callbacks are never called. */
	void (*cancel)(void *ctx);
	/* Monotonic time in nanoseconds. */
	uint64_t (*now_ns)(void *ctx);
	void *ctx;
};

/* The io of resolver r and CLOCK_MONOTONIC, written to *ret. */
void sweep_io_resolver(struct resolver *r, struct sweep_io *ret);

/*
 * Prepare a sweep of config c (which must outlive it) through io, with
 * its timers on base. Returns 0 or -ENOMEM.
 */
int sweep_new(struct event_base *base, const struct sweep_io *io,
    const struct config *c, const struct sweep_callbacks *cbs,
    struct sweep **ret);

/* Start sending queries; results arrive from the event loop. */
void sweep_start(struct sweep *s);

/*
 * Send what the zones' buckets allow at io->now_ns(). The sweep's own
 * wake timer calls this; a test that moves its clock may too.
 */
void sweep_poll(struct sweep *s);

/*
 * When the wake timer is due (io->now_ns() time), or UINT64_MAX when it
 * is not armed: the nearest time a waiting zone's bucket has a token.
 */
uint64_t sweep_wake_at(const struct sweep *s);

/*
 * Stop early: send nothing more and cancel the queries in flight. Pairs
 * whose listing is known but whose TXT was pending are reported listed
 * (without TXT) and pairs waiting for their second asking as errors,
 * from inside this call; every other pair not reported stays unchecked,
 * and zones not decided yet get no zone_cb. done_cb is not called.
 * Not from inside one of the sweep's callbacks.
 */
void sweep_stop(struct sweep *s);

/* Pairs finished so far and in all. */
void sweep_progress(const struct sweep *s, uint64_t *ret_done,
    uint64_t *ret_total);

/* Stop (as sweep_stop, without its results) and free. NULL ok. */
void sweep_free(struct sweep *s);

#endif

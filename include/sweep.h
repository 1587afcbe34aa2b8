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
#include "health.h"

struct config;
struct event_base;
struct resolver;
struct sweep;

/* The result of one (target, zone) pair, valid during the callback. */
struct sweep_result {
	uint32_t target; /* index into config->targets */
	uint32_t zone;	 /* index into config->zones */
	uint8_t verdict; /* enum verdict */
	uint8_t ncodes;
	uint32_t codes[ANSWER_MAX_ADDRS]; /* the answer's A records */
	const char *txt;   /* escaped TXT text for listed pairs, or NULL */
	const char *error; /* VERDICT_ERROR: what went wrong */
};

struct sweep_callbacks {
	/* Every pair, exactly once. */
	void (*result_cb)(const struct sweep_result *r, void *arg);
	/* Every zone's health, once, before any of its results. */
	void (*zone_cb)(uint32_t zone, enum zone_health h, void *arg);
	/* After the last result. The sweep may be freed from here. */
	void (*done_cb)(void *arg);
	void *arg;
};

/*
 * Prepare a sweep of config c (which must outlive it) on resolver r.
 * Returns 0 or -ENOMEM.
 */
int sweep_new(struct event_base *base, struct resolver *r,
    const struct config *c, const struct sweep_callbacks *cbs,
    struct sweep **ret);

/* Start sending queries; results arrive from the event loop. */
void sweep_start(struct sweep *s);

/* Pairs finished so far and in all. */
void sweep_progress(const struct sweep *s, uint64_t *ret_done,
    uint64_t *ret_total);

/*
 * Stop and free. If queries are still in flight, every pending query of
 * the resolver is cancelled (a resolver serves one sweep at a time).
 * NULL ok.
 */
void sweep_free(struct sweep *s);

#endif

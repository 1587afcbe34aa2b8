/* SPDX-License-Identifier: ISC */
/*
 * The monitor: the one place where the parts meet. It owns the running
 * configuration generation, the resolvers (one per nameserver list,
 * shared by the zones that use it), the engine (sweep.h), the listing
 * state of every pair (pairstate.h, keyed by stable keys across reloads),
 * the state store and the alerts. The daemon runs it for ever; --once
 * runs one cycle of it and watches the results go by.
 */
#ifndef RBLMON_MONITOR_H
#define RBLMON_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagnose.h"
#include "health.h"

struct config;
struct event_base;
struct monitor;
struct sweep_result;

/* What --once watches: every first answer and every zone's health. */
struct monitor_observer {
	void (*result_cb)(const struct sweep_result *r, void *arg);
	void (*zone_cb)(uint32_t zone, enum zone_health h,
	    const struct diagnose_probe probes[2], void *arg);
	/* The cycle is over (or cannot go on: see monitor_progress). */
	void (*done_cb)(void *arg);
	void *arg;
};

struct monitor_options {
	/*
	 * One cycle as fast as the limits allow (confirmations asked at
	 * once), then observer->done_cb. Without a state_db, once mode keeps
	 * no listing state and announces nothing.
	 */
	bool once;
	const struct monitor_observer *observer; /* NULL: none */
	/* A zone finished a cycle (for STATUS=); may be NULL. */
	void (*cycle_cb)(void *arg);
	void *cycle_arg;
};

/*
 * A monitor of config c on base. On success it owns c. Opens the state
 * store (moving a corrupt one aside), loads the standing listings and
 * zone states, and announces alerts left unsent by a crash. Returns 0,
 * or a negative errno with a message in err (c stays the caller's).
 */
int monitor_new(struct event_base *base, struct config *c,
    const struct monitor_options *o, struct monitor **ret, char *err,
    size_t errlen);

/* Start checking. */
void monitor_start(struct monitor *m);

/*
 * Swap in config c (owned by the monitor on success): surviving pairs
 * keep their state, removed pairs and zones leave memory and the store,
 * new pairs are scheduled. Returns 0 or -ENOMEM (err says; the old
 * configuration keeps running and c stays the caller's).
 */
int monitor_reload(struct monitor *m, struct config *c, char *err,
    size_t errlen);

/*
 * Stop: send nothing more, abandon the queries in flight, write the store
 * and announce what it holds. Once mode reports the pairs already decided
 * to the observer. Not from inside an observer callback.
 */
void monitor_stop(struct monitor *m);

/* Once mode, after done_cb: write the store and announce its events. */
void monitor_finish(struct monitor *m);

/* Once mode: pairs finished so far and in all. */
void monitor_progress(const struct monitor *m, uint64_t *ret_done,
    uint64_t *ret_total);

/* The servers the [rblmond] nameservers resolve to, for messages. */
void monitor_servers(const struct monitor *m, char *buf, size_t len);

/* The running configuration. */
const struct config *monitor_config(const struct monitor *m);

/* One line for STATUS=: the last cycles' figures. Returns its length. */
size_t monitor_status(const struct monitor *m, char *buf, size_t len);

/* Transactions the store committed, events announced. */
uint64_t monitor_transactions(const struct monitor *m);
uint64_t monitor_announced(const struct monitor *m);

/* Free (after monitor_stop, or it stops first). NULL ok. */
void monitor_free(struct monitor *m);

#endif

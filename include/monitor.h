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

#include "classify.h"
#include "diagnose.h"
#include "health.h"

struct config;
struct pairstate;
struct result;
struct store;
struct target;
struct zone;
struct event_base;
struct monitor;
struct sweep_cycle;
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

/*
 * What the control socket and the metrics read: a zone's figures since
 * start-up, the listing states, and the two doors that change what the
 * daemon does (a live check, a cycle now). See monitor_view.c.
 */

/* Distinct error reasons counted per zone; the rest count as "other". */
#define MONITOR_ERROR_REASONS 8

struct monitor_tally {
	uint64_t queries;		     /* sent, of every kind */
	uint64_t answers[VERDICT_COUNT];     /* pair answers by verdict */
	const char *reason[MONITOR_ERROR_REASONS]; /* static texts */
	uint64_t errors[MONITOR_ERROR_REASONS + 1]; /* [last]: other */
	uint64_t live_checks;		     /* asked by monitor_check */
};

struct monitor_zone_info {
	const struct zone *zone;
	enum zone_health state;
	int64_t since_s;	/* in that state since (wall); 0: start-up */
	uint64_t interval_ms;	/* effective, budget applied */
	bool stretched;
	uint64_t used_today;	/* queries counted today (UTC) */
	struct diagnose_probe probes[2]; /* the last decided round */
	int64_t last_probe_s;	/* when; 0: none yet */
	const struct sweep_cycle *last; /* last finished cycle, or NULL */
	int64_t last_end_s;
	const struct monitor_tally *tally;
};

/* Zone zi of the running configuration, valid until the loop runs on. */
void monitor_zone_info(const struct monitor *m, uint32_t zi,
    struct monitor_zone_info *ret);

/* Every pair state at once: what `status` and the metrics count. */
struct monitor_counts {
	uint64_t listed;	 /* standing listed pairs */
	uint64_t listed_targets; /* targets with at least one */
	uint64_t errors;	 /* pairs whose last answers were errors */
	uint64_t pending;	 /* pairs whose change waits to be confirmed */
};

/*
 * Count the pair states into *ret and, when per_zone is not NULL, the
 * listed pairs of each zone into per_zone[0..nzones). Returns 0 or
 * -ENOMEM (nothing written).
 */
int monitor_counts(const struct monitor *m, struct monitor_counts *ret,
    uint64_t *per_zone);

/*
 * The state of pair (target ti, zone zi) in *ret; false when it has none
 * (never answered, or clean and settled: it is clean).
 */
bool monitor_pair(const struct monitor *m, uint32_t ti, uint32_t zi,
    struct pairstate *ret);

/* Call cb for every pair holding a state, in no order. */
void monitor_each_pair(const struct monitor *m,
    void (*cb)(uint32_t ti, uint32_t zi, const struct pairstate *ps,
    void *arg), void *arg);

/* The state store, NULL when none (readers only: store_history...). */
struct store *monitor_store(const struct monitor *m);

/* Wall clock at start-up, the configuration's generation (1, 2, ...). */
int64_t monitor_started(const struct monitor *m);
uint32_t monitor_generation(const struct monitor *m);
/* Announced alerts of kind k (enum incident_kind). */
uint64_t monitor_alerts(const struct monitor *m, unsigned k);
/* Alert commands that failed or timed out. */
uint64_t monitor_hook_failures(const struct monitor *m);
/* Is the state store failing to write? */
bool monitor_storage_failing(const struct monitor *m);

/*
 * A live check of target t on zone zi of the running configuration
 * (livecheck.h: through the zone's limiter, answered later from the
 * loop, never from inside this call; a reload or a stop answers it with
 * an error). -ENOTSUP in once mode; else as livecheck_start.
 */
int monitor_check(struct monitor *m, uint32_t zi, const struct target *t,
    void (*cb)(const struct result *res, uint64_t ms, void *arg), void *arg);

/* Start zone zi's cycle now (sweep_now); true when it will be swept. */
bool monitor_sweep_now(struct monitor *m, uint32_t zi);

/* The monotonic clock the monitor runs on, in milliseconds. */
uint64_t monitor_now_ms(void);

/* Free (after monitor_stop, or it stops first). NULL ok. */
void monitor_free(struct monitor *m);

#endif

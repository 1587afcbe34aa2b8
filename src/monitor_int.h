/* SPDX-License-Identifier: ISC */
/*
 * Internal to the monitor (monitor.c: generations, resolvers, reload and
 * lifecycle; monitor_state.c: answers to listing states, events, the
 * store and announcements): the state they share. Not part of any other
 * module's view.
 */
#ifndef RBLMON_MONITOR_INT_H
#define RBLMON_MONITOR_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "monitor.h"
#include "pairstate.h"
#include "pairtable.h"
#include "incident.h"
#include "sweep.h"

struct event; /* libevent's */
struct hook;
struct livecheck;
struct resolver;
struct store;

/* Store writes are batched this often; a failing store is retried with
 * a backoff that doubles up to MONITOR_RETRY_MAX_MS. */
#define MONITOR_FLUSH_MS 1000
#define MONITOR_RETRY_MAX_MS 60000
/* A stopping daemon waits this long at most for its alert commands. */
#define MONITOR_STOP_HOOKS_MS 10000

/* One config generation: a snapshot, its engine and its resolvers. */
struct monitor_gen {
	struct monitor *m;
	struct config *c;
	struct sweep *s;
	struct resolver **zone_res; /* per zone */
	uint32_t id;
};

/* A resolver shared by every zone with the same nameservers. */
struct monitor_res {
	char *key; /* nameservers, timeout and tries */
	struct resolver *r;
	unsigned refs;
};

/* What the monitor keeps of a zone beside the engine. */
struct monitor_zone {
	uint8_t announced;	   /* enum zone_health; HEALTH_OK: none down */
	int64_t since_s;	   /* since when it is in that state (wall) */
	struct sweep_cycle last;   /* its last finished cycle */
	bool have_last;
	int64_t last_end_s;	   /* when it ended (wall) */
	/* Since start-up (kept across reloads while the zone stays). */
	struct monitor_tally tally;
};

struct monitor {
	int64_t started_s; /* wall */
	struct livecheck *live; /* the daemon's live checks; NULL: once */
	uint64_t alerts[INCIDENT_KIND_COUNT]; /* announced, by kind */
	uint64_t hook_failures_before; /* of alert commands set up before */
	struct event_base *base;
	struct monitor_options o;
	struct monitor_gen *g;
	struct monitor_res *res;
	size_t nres;
	uint32_t next_gen;

	bool stateful; /* listing states kept (the daemon, or a state_db) */
	struct pairtable pairs;
	struct monitor_zone *zones;
	struct pairstate_params params;

	struct store *store;
	struct hook *hook;
	int facility;
	struct event *flush_ev;
	bool storage_failed;
	uint64_t retry_at_ms;
	uint64_t backoff_ms;
	uint64_t events_unflushed;
	uint64_t announced;
	bool oom_said;
	bool stopped;
};

int64_t monitor_wall_s(void);

/* monitor_state.c */
void monitor_pair_result(struct monitor *m, const struct sweep_result *r);
void monitor_zone_changed(struct monitor *m, uint32_t zone,
    enum zone_health from, enum zone_health to,
    const struct diagnose_probe probes[2]);
void monitor_raise(struct monitor *m, struct incident *ev);
void monitor_flush(struct monitor *m, bool force);
int monitor_store_open(struct monitor *m, char *err, size_t errlen);
int monitor_restore(struct monitor *m);
void monitor_set_params(struct monitor *m);

#endif

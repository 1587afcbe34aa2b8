/* SPDX-License-Identifier: ISC */
/*
 * Internal to the store (store.c: schema, open, write queue, flush;
 * store_read.c: the readers): the state they share. Not part of any
 * other module's view; with them, the only place sqlite3.h is seen.
 */
#ifndef RBLMON_STORE_INT_H
#define RBLMON_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <sqlite3.h>

#include "incident.h"
#include "store.h"

#define STORE_ERR_MAX 256

/* The columns every event reader selects, in struct incident order. */
#define EVENT_COLUMNS                                                      \
	"id, time, kind, severity, target, grp, zone, codes, labels, txt,"   \
	" delist_url, state, detail, since, duration, redelivery"

/* The statements a flush runs, prepared once at open. */
enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_PAIR_PUT,
	ST_PAIR_DEL,
	ST_ZONE_PUT,
	ST_ZONE_DEL,
	ST_ZONE_PAIRS_DEL,
	ST_EVENT_ADD,
	ST_MARK,
	ST_COUNT
};


/*
 * A queued pair or zone change. Its key (class, target, zone) finds the
 * earlier change it replaces: pair puts and deletes share class 'P'; a
 * zone put ('Z') replaces a zone put, a zone delete ('D') replaces both
 * and every queued change of that zone's pairs. A zone put never replaces
 * a zone delete, which also removes the zone's pairs.
 */
enum { OP_PAIR_PUT, OP_PAIR_DEL, OP_ZONE_PUT, OP_ZONE_DEL };

struct store_op {
	TAILQ_ENTRY(store_op) link; /* s->ops, in order */
	struct store_op *hnext;	    /* hash chain */
	uint32_t hash;
	uint8_t kind;
	char cls;
	struct store_pair p; /* zone ops: zone, state, first_seen_s = since */
	char buf[];	     /* the strings */
};

/* A queued event. announced: given to the callback as not durable. */
struct store_ev {
	TAILQ_ENTRY(store_ev) link;
	struct incident ev; /* strings point into buf */
	bool announced;
	char buf[];
};

/* A queued update of an event row's sent and redelivery flags. */
struct store_mark {
	int64_t id;
	uint8_t sent, redelivery;
};

TAILQ_HEAD(store_ops, store_op);
TAILQ_HEAD(store_evs, store_ev);

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	char *path;
	char *moved; /* where a corrupt file went, or NULL */
	uint64_t transactions;
	size_t max_queued;
	size_t nqueued; /* ops + events + marks */
	struct store_ops ops;
	struct store_op **hash;
	size_t nhash, nops; /* buckets (a power of 2), ops in them */
	struct store_evs evs;
	struct store_mark *marks;
	size_t nmarks, marks_cap;
	bool busy; /* inside a callback or a read: no flush */
	char errmsg[STORE_ERR_MAX];
};

/* SQLite result code -> negative errno. */
int store_sql_errno(int rc);
/* Remember SQLite's message for store_last_error(); returns
 * store_sql_errno(rc). */
int store_fail_sql(struct store *s, int rc, const char *what);

/* Queue an update of event id's sent and redelivery flags (store.c). */
int store_queue_mark(struct store *s, int64_t id, uint8_t sent,
    uint8_t redelivery);
/* Column i of the current row as text, "" for NULL (store_read.c). */
const char *store_col_text(sqlite3_stmt *st, int i);

#endif

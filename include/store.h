/* SPDX-License-Identifier: ISC */
/*
 * rblmond's state in SQLite (DESIGN §5, §6): the standing non-clean
 * (target, zone) pairs, zone states, and the append-only event history
 * that is also the alert outbox. Writes are queued in memory and written
 * in one transaction per flush. Nothing outside this module sees SQLite.
 */
#ifndef RBLMON_STORE_H
#define RBLMON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct incident;
struct store;

/*
 * Most entries the write queue holds by default (pair and zone changes,
 * events and marks together; a change or an event takes about 150 bytes
 * plus its strings, a mark 16). Changes of the same key replace each
 * other in the queue, so while the disk refuses writes the queue grows
 * with the keys changed and the events added, not with time: 2^18 holds
 * a whole listed /16 on four zones.
 */
#define STORE_QUEUE_MAX ((size_t)1 << 18)

struct store_options {
	uint32_t busy_timeout_ms; /* 0: 5000 */
	uint64_t max_pages;	  /* 0: no limit; else max_page_count */
	size_t max_queued;	  /* 0: STORE_QUEUE_MAX */
};

/* A standing non-clean pair; strings never NULL (NULL is taken as ""). */
struct store_pair {
	const char *target, *zone;
	const char *state;  /* "listed" */
	const char *codes;  /* "127.0.0.2,127.0.0.4" */
	const char *labels; /* "SBL,XBL" */
	const char *txt;
	int64_t first_seen_s, last_seen_s; /* wall clock */
};

/* A zone's health state ("ok", "dead", ...) and since when (wall clock). */
struct store_zone {
	const char *zone;
	const char *state;
	int64_t since_s;
};

/*
 * Open (creating it and its schema if missing) the state database at
 * path: WAL journal, synchronous=FULL, the busy timeout, and a
 * `PRAGMA quick_check`. A file that is not a database or fails the check
 * is moved aside (rename, with its -wal and -shm) to
 * "<path>.corrupt-YYYYmmddTHHMMSSZ" (".2", ".3"... when that name is
 * taken), never overwritten or deleted, and a fresh database is made in
 * its place: store_moved_aside() then says where it went and
 * store_last_error() why. Older schema versions are migrated. o may be
 * NULL for the defaults. Returns 0, or a negative errno with a message
 * naming the path in err: -ENOENT (no such folder), -EACCES (permission,
 * or a read-only file), -ENOTSUP (written by a newer rblmon), -EINVAL
 * (a database that is not rblmon's), -EIO, -ENOMEM.
 */
int store_open(const char *path, const struct store_options *o,
    struct store **ret, char *err, size_t errlen);

/* Where a corrupt file was moved at open, or NULL when none was. */
const char *store_moved_aside(const struct store *s);

/*
 * The text of the last failure (a flush, a read, or why a file was moved
 * aside at open), for the caller's log line or storage-error event; ""
 * when nothing failed.
 */
const char *store_last_error(const struct store *s);

/* Close. Queued writes are dropped: flush first. NULL ok. */
void store_close(struct store *s);

/*
 * Queue operations: no I/O, strings copied, written by the next
 * store_flush(), in order. A pair or zone change replaces an earlier
 * queued change of the same key (the last one wins). Each returns 0,
 * -ENOMEM, or -ENOBUFS when the queue is full (nothing was queued).
 */

/* Insert or replace the pair's row (every column from p). */
int store_pair_put(struct store *s, const struct store_pair *p);
/* Remove the pair's row (the pair is clean again). */
int store_pair_del(struct store *s, const char *target, const char *zone);
/* Insert or replace the zone's row. */
int store_zone_put(struct store *s, const struct store_zone *z);
/* Remove the zone's row and every pair of that zone. */
int store_zone_del(struct store *s, const char *zone);
/*
 * Append an event (ev->id is ignored). -EINVAL for a kind or severity out
 * of range. On -ENOBUFS or -ENOMEM the event is not in the outbox: the
 * caller announces it itself.
 */
int store_event_add(struct store *s, const struct incident *ev);
/* Mark the stored event row id as announced. An id of 0 is ignored. */
int store_mark_sent(struct store *s, int64_t id);

/* Entries queued and not yet written. */
size_t store_queued(const struct store *s);

/*
 * Called by store_flush() for events, one call each, in the order they
 * were added. durable: committed, and ev->id is its row id (announce it,
 * then store_mark_sent(id)). Not durable: the write failed, ev->id is 0;
 * announce it anyway, and the store keeps it queued and writes it already
 * marked sent once a flush succeeds. ev is valid during the call. The
 * callback may queue operations; it must not flush or close the store.
 */
typedef void store_event_cb(const struct incident *ev, bool durable,
    void *arg);

/*
 * Write everything queued in one transaction (BEGIN IMMEDIATE .. COMMIT);
 * nothing queued: 0 without one. After the commit, cb gets every event
 * added since the last flush that it was not given yet, durable. When the
 * transaction fails it is rolled back, everything stays queued for the
 * next flush, and cb gets the events it was not given yet, not durable
 * (each event reaches cb once, whatever happens). cb may be NULL: then
 * events are only written (and a failure hands nothing out). Returns 0,
 * -ENOSPC (SQLITE_FULL: disk full or max_pages reached), -EIO (I/O error,
 * corruption), -EBUSY (locked by another process past the busy timeout,
 * or called from a callback), -ENOMEM, -EROFS. Committed rows are never
 * lost to a failed flush, and a later one may succeed.
 */
int store_flush(struct store *s, store_event_cb *cb, void *arg);

/* Transactions committed since open (by store_flush(): one per flush). */
uint64_t store_transactions(const struct store *s);

/*
 * Change the page limit (PRAGMA max_page_count; 0: no limit) for the
 * rest of the session. A limit below the file's current size holds it at
 * its current size. Returns 0 or a negative errno.
 */
int store_set_max_pages(struct store *s, uint64_t max_pages);

/*
 * Readers of the committed state (queued writes are not seen). Each calls
 * cb per row with strings valid during the call; a non-zero return stops
 * the walk and is returned. Otherwise 0, or a negative errno on a read
 * failure. Callbacks may queue operations; they must not flush or close
 * the store (store_flush() answers -EBUSY).
 */
typedef int store_pair_cb(const struct store_pair *p, void *arg);
typedef int store_zone_cb(const struct store_zone *z, void *arg);
typedef int store_row_cb(const struct incident *ev, void *arg);

/* Every standing pair, ordered by zone then target. */
int store_load_pairs(struct store *s, store_pair_cb *cb, void *arg);
/* Every zone, ordered by name. */
int store_load_zones(struct store *s, store_zone_cb *cb, void *arg);
/*
 * The outbox at start-up: every row not marked sent, in id order, with
 * ev->id set and ev->redelivery true. Each row handed out is also queued
 * to get redelivery=1 on disk at the next flush (so history shows it was
 * announced again); announce it, then store_mark_sent(ev->id).
 */
int store_unsent(struct store *s, store_row_cb *cb, void *arg);
/*
 * Events newest first, of one target (NULL: all), at most limit of them
 * (0: none). ev->redelivery tells rows that were announced again.
 */
int store_history(struct store *s, const char *target, unsigned limit,
    store_row_cb *cb, void *arg);

/*
 * Paged readers, for answers written a piece at a time: standing pairs
 * after (target, zone) in (target, zone) order (target NULL: from the
 * first), at most limit; every pair of one target by zone; events of
 * one target (NULL: all) with an id below before_id (0: the newest),
 * newest first, at most limit.
 */
int store_pairs_after(struct store *s, const char *target, const char *zone,
    unsigned limit, store_pair_cb *cb, void *arg);
int store_target_pairs(struct store *s, const char *target, store_pair_cb *cb,
    void *arg);
int store_history_before(struct store *s, const char *target,
    int64_t before_id, unsigned limit, store_row_cb *cb, void *arg);

#endif

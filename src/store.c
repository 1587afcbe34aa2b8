/* SPDX-License-Identifier: ISC */
/*
 * rblmond's state in SQLite: the schema and its migrations, the checks at
 * open (a corrupt file is moved aside), the in-memory write queue and its
 * one-transaction flush with the outbox callbacks. The readers are in
 * store_read.c; store_int.h is their shared view. No other module
 * includes sqlite3.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "incident.h"
#include "store.h"
#include "store_int.h"

/* The schema version this file writes (PRAGMA user_version). */
#define STORE_VERSION 2
#define STORE_BUSY_DEFAULT 5000
/* PRAGMA max_page_count for "no limit": SQLite's own largest. */
#define STORE_PAGES_UNLIMITED UINT64_C(0xfffffffe)

/*
 * Migration i takes a database from version i to i + 1; a fresh file
 * starts at version 0 and runs them all, so a new database and a migrated
 * one are made by the same statements. Version 1: the tables. Version 2:
 * events.redelivery, and an index over the outbox.
 */
static const char *const migrations[STORE_VERSION] = {
	"CREATE TABLE pairs ("
	" target TEXT NOT NULL, zone TEXT NOT NULL, state TEXT NOT NULL,"
	" codes TEXT NOT NULL DEFAULT '', labels TEXT NOT NULL DEFAULT '',"
	" txt TEXT NOT NULL DEFAULT '',"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (target, zone)) WITHOUT ROWID;"
	"CREATE TABLE zones ("
	" zone TEXT NOT NULL PRIMARY KEY, state TEXT NOT NULL,"
	" since INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,"
	" kind TEXT NOT NULL, severity TEXT NOT NULL,"
	" target TEXT NOT NULL DEFAULT '', grp TEXT NOT NULL DEFAULT '',"
	" zone TEXT NOT NULL DEFAULT '', codes TEXT NOT NULL DEFAULT '',"
	" labels TEXT NOT NULL DEFAULT '', txt TEXT NOT NULL DEFAULT '',"
	" delist_url TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',"
	" detail TEXT NOT NULL DEFAULT '', since INTEGER NOT NULL DEFAULT 0,"
	" duration INTEGER NOT NULL DEFAULT 0,"
	" sent INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX events_target ON events (target, id);",

	"ALTER TABLE events ADD COLUMN"
	" redelivery INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX events_unsent ON events (id) WHERE sent = 0;",
};

static const char *const statements[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_PAIR_PUT] = "INSERT OR REPLACE INTO pairs (target, zone, state,"
			" codes, labels, txt, first_seen, last_seen)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_PAIR_DEL] = "DELETE FROM pairs WHERE target = ? AND zone = ?",
	[ST_ZONE_PUT] = "INSERT OR REPLACE INTO zones (zone, state, since)"
			" VALUES (?, ?, ?)",
	[ST_ZONE_DEL] = "DELETE FROM zones WHERE zone = ?",
	[ST_ZONE_PAIRS_DEL] = "DELETE FROM pairs WHERE zone = ?",
	[ST_EVENT_ADD] = "INSERT INTO events (time, kind, severity, target,"
			 " grp, zone, codes, labels, txt, delist_url, state,"
			 " detail, since, duration, redelivery, sent)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
			 " ?, ?)",
	[ST_MARK] = "UPDATE events SET sent = max(sent, ?),"
		    " redelivery = max(redelivery, ?) WHERE id = ?",
};


/* SQLite result code -> negative errno. */
int
store_sql_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_IOERR:
		return rc == SQLITE_IOERR_NOMEM ? -ENOMEM : -EIO;
	default:
		return -EIO;
	}
}

/* Remember SQLite's message for store_last_error(); returns sql_errno. */
int
store_fail_sql(struct store *s, int rc, const char *what)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", what,
	    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	return store_sql_errno(rc);
}

/* Run a prepared statement to its end and reset it: SQLITE_DONE or not. */
static int
run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

/* ---- the write queue ---- */

static uint32_t
key_hash(char cls, const char *target, const char *zone)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	h = (h ^ (uint8_t)cls) * 16777619u;
	for (const char *c = target; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	h = (h ^ 0xffu) * 16777619u;
	for (const char *c = zone; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	return h;
}

static const char *
nz(const char *p)
{
	return p != NULL ? p : "";
}

/*
 * Copy n strings into one block after a header of hsize bytes; dst[i]
 * points at the copy of src[i] (NULL counts as ""). NULL on ENOMEM.
 */
static void *
pack(size_t hsize, const char *const *src, const char **dst, size_t n)
{
	size_t len[16], total = hsize;
	char *block, *p;

	for (size_t i = 0; i < n; i++) {
		len[i] = strlen(nz(src[i])) + 1;
		total += len[i];
	}
	if ((block = calloc(1, total)) == NULL)
		return NULL;
	p = block + hsize;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, nz(src[i]), len[i]);
		dst[i] = p;
		p += len[i];
	}
	return block;
}

static struct store_op *
op_find(const struct store *s, char cls, const char *target,
    const char *zone, uint32_t h)
{
	struct store_op *op;

	if (s->nhash == 0)
		return NULL;
	for (op = s->hash[h & (s->nhash - 1)]; op != NULL; op = op->hnext)
		if (op->hash == h && op->cls == cls &&
		    strcmp(op->p.target, target) == 0 &&
		    strcmp(op->p.zone, zone) == 0)
			return op;
	return NULL;
}

/* Make room for one more op in the hash: 0 or -ENOMEM. */
static int
hash_grow(struct store *s)
{
	struct store_op **nh, *op, *next;
	size_t n;

	if (s->nops < s->nhash)
		return 0;
	n = s->nhash != 0 ? s->nhash * 2 : 64;
	if ((nh = calloc(n, sizeof(*nh))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < s->nhash; i++)
		for (op = s->hash[i]; op != NULL; op = next) {
			next = op->hnext;
			op->hnext = nh[op->hash & (n - 1)];
			nh[op->hash & (n - 1)] = op;
		}
	free(s->hash);
	s->hash = nh;
	s->nhash = n;
	return 0;
}

static void
op_remove(struct store *s, struct store_op *op)
{
	struct store_op **pp = &s->hash[op->hash & (s->nhash - 1)];

	while (*pp != op)
		pp = &(*pp)->hnext;
	*pp = op->hnext;
	TAILQ_REMOVE(&s->ops, op, link);
	s->nops--;
	s->nqueued--;
	free(op);
}

static void
op_append(struct store *s, struct store_op *op)
{
	struct store_op **b = &s->hash[op->hash & (s->nhash - 1)];

	op->hnext = *b;
	*b = op;
	TAILQ_INSERT_TAIL(&s->ops, op, link);
	s->nops++;
	s->nqueued++;
}

static struct store_op *
op_new(uint8_t kind, char cls, const struct store_pair *p)
{
	const char *src[6] = { p->target, p->zone, p->state, p->codes,
		p->labels, p->txt };
	const char *dst[6];
	struct store_op *op = pack(sizeof(*op), src, dst, 6);

	if (op == NULL)
		return NULL;
	op->kind = kind;
	op->cls = cls;
	op->p = (struct store_pair){ dst[0], dst[1], dst[2], dst[3], dst[4],
		dst[5], p->first_seen_s, p->last_seen_s };
	op->hash = key_hash(cls, op->p.target, op->p.zone);
	return op;
}

/*
 * Queue a change that replaces the queued one of the same key (if any).
 * zdel: a zone delete, which also replaces the zone's put and every queued
 * change of its pairs.
 */
static int
queue_op(struct store *s, uint8_t kind, char cls, const struct store_pair *p)
{
	struct store_op *op, *old, *next;
	size_t gone = 0;
	bool zdel = kind == OP_ZONE_DEL;

	if ((op = op_new(kind, cls, p)) == NULL)
		return -ENOMEM;
	old = op_find(s, cls, op->p.target, op->p.zone, op->hash);
	if (zdel) {
		TAILQ_FOREACH(old, &s->ops, link)
			if (strcmp(old->p.zone, op->p.zone) == 0)
				gone++;
	} else if (old != NULL)
		gone = 1;
	if (s->nqueued - gone >= s->max_queued) {
		free(op);
		return -ENOBUFS;
	}
	if (hash_grow(s) != 0) {
		free(op);
		return -ENOMEM;
	}
	if (zdel) {
		for (old = TAILQ_FIRST(&s->ops); old != NULL; old = next) {
			next = TAILQ_NEXT(old, link);
			if (strcmp(old->p.zone, op->p.zone) == 0)
				op_remove(s, old);
		}
	} else if (old != NULL)
		op_remove(s, old);
	op_append(s, op);
	return 0;
}

int
store_pair_put(struct store *s, const struct store_pair *p)
{
	return queue_op(s, OP_PAIR_PUT, 'P', p);
}

int
store_pair_del(struct store *s, const char *target, const char *zone)
{
	struct store_pair p = { .target = target, .zone = zone };

	return queue_op(s, OP_PAIR_DEL, 'P', &p);
}

int
store_zone_put(struct store *s, const struct store_zone *z)
{
	struct store_pair p = { .target = "", .zone = z->zone,
		.state = z->state, .first_seen_s = z->since_s };

	return queue_op(s, OP_ZONE_PUT, 'Z', &p);
}

int
store_zone_del(struct store *s, const char *zone)
{
	struct store_pair p = { .target = "", .zone = zone };

	return queue_op(s, OP_ZONE_DEL, 'D', &p);
}

int
store_event_add(struct store *s, const struct incident *ev)
{
	const char *src[10] = { ev->target, ev->group, ev->zone, ev->codes,
		ev->labels, ev->txt, ev->delist_url, ev->state, ev->detail };
	const char *dst[10];
	struct store_ev *e;

	if (ev->kind >= INCIDENT_KIND_COUNT || ev->severity >= SEVERITY_COUNT)
		return -EINVAL;
	if (s->nqueued >= s->max_queued)
		return -ENOBUFS;
	if ((e = pack(sizeof(*e), src, dst, 9)) == NULL)
		return -ENOMEM;
	e->ev = *ev;
	e->ev.id = 0;
	e->ev.target = dst[0];
	e->ev.group = dst[1];
	e->ev.zone = dst[2];
	e->ev.codes = dst[3];
	e->ev.labels = dst[4];
	e->ev.txt = dst[5];
	e->ev.delist_url = dst[6];
	e->ev.state = dst[7];
	e->ev.detail = dst[8];
	TAILQ_INSERT_TAIL(&s->evs, e, link);
	s->nqueued++;
	return 0;
}

int
store_queue_mark(struct store *s, int64_t id, uint8_t sent,
    uint8_t redelivery)
{
	if (id <= 0)
		return 0;
	if (s->nqueued >= s->max_queued)
		return -ENOBUFS;
	if (s->nmarks == s->marks_cap) {
		size_t n = s->marks_cap != 0 ? s->marks_cap * 2 : 64;
		struct store_mark *m = realloc(s->marks, n * sizeof(*m));

		if (m == NULL)
			return -ENOMEM;
		s->marks = m;
		s->marks_cap = n;
	}
	s->marks[s->nmarks++] = (struct store_mark){ id, sent, redelivery };
	s->nqueued++;
	return 0;
}

int
store_mark_sent(struct store *s, int64_t id)
{
	return store_queue_mark(s, id, 1, 0);
}

size_t
store_queued(const struct store *s)
{
	return s->nqueued;
}

/* Drop every queued pair and zone change and every mark. */
static void
drop_ops(struct store *s)
{
	struct store_op *op;

	while ((op = TAILQ_FIRST(&s->ops)) != NULL) {
		TAILQ_REMOVE(&s->ops, op, link);
		free(op);
	}
	if (s->nhash != 0)
		memset(s->hash, 0, s->nhash * sizeof(*s->hash));
	s->nqueued -= s->nops + s->nmarks;
	s->nops = 0;
	s->nmarks = 0;
}

/* ---- the flush ---- */

static int
bind_texts(sqlite3_stmt *st, int first, const char *const *v, int n)
{
	int rc = SQLITE_OK;

	for (int i = 0; i < n && rc == SQLITE_OK; i++)
		rc = sqlite3_bind_text(st, first + i, v[i], -1, SQLITE_STATIC);
	return rc;
}

static int
write_op(struct store *s, const struct store_op *op)
{
	const struct store_pair *p = &op->p;
	const char *v[6] = { p->target, p->zone, p->state, p->codes,
		p->labels, p->txt };
	sqlite3_stmt *st;
	int rc;

	switch (op->kind) {
	case OP_PAIR_PUT:
		st = s->st[ST_PAIR_PUT];
		if ((rc = bind_texts(st, 1, v, 6)) == SQLITE_OK &&
		    (rc = sqlite3_bind_int64(st, 7, p->first_seen_s)) ==
			SQLITE_OK)
			rc = sqlite3_bind_int64(st, 8, p->last_seen_s);
		break;
	case OP_PAIR_DEL:
		st = s->st[ST_PAIR_DEL];
		rc = bind_texts(st, 1, v, 2);
		break;
	case OP_ZONE_PUT:
		st = s->st[ST_ZONE_PUT];
		if ((rc = bind_texts(st, 1, v + 1, 2)) == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 3, p->first_seen_s);
		break;
	default: /* OP_ZONE_DEL */
		st = s->st[ST_ZONE_PAIRS_DEL];
		if ((rc = bind_texts(st, 1, v + 1, 1)) != SQLITE_OK ||
		    (rc = run(st)) != SQLITE_DONE)
			break;
		st = s->st[ST_ZONE_DEL];
		rc = bind_texts(st, 1, v + 1, 1);
		break;
	}
	if (rc == SQLITE_OK)
		rc = run(st);
	else
		sqlite3_clear_bindings(st);
	return rc;
}

static int
write_event(struct store *s, struct store_ev *e)
{
	const struct incident *ev = &e->ev;
	const char *v[11] = { incident_kind_name(ev->kind),
		severity_name(ev->severity), ev->target, ev->group, ev->zone,
		ev->codes, ev->labels, ev->txt, ev->delist_url, ev->state,
		ev->detail };
	sqlite3_stmt *st = s->st[ST_EVENT_ADD];
	int rc;

	if ((rc = sqlite3_bind_int64(st, 1, ev->time_s)) == SQLITE_OK &&
	    (rc = bind_texts(st, 2, v, 11)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int64(st, 13, ev->since_s)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int64(st, 14, ev->duration_s)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(st, 15, ev->redelivery)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(st, 16, e->announced)) == SQLITE_OK)
		rc = run(st);
	else
		sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE)
		e->ev.id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static int
write_mark(struct store *s, const struct store_mark *m)
{
	sqlite3_stmt *st = s->st[ST_MARK];
	int rc;

	if ((rc = sqlite3_bind_int(st, 1, m->sent)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(st, 2, m->redelivery)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int64(st, 3, m->id)) == SQLITE_OK)
		return run(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* The whole queue in one transaction: 0, or a negative errno (rolled back). */
static int
write_queue(struct store *s)
{
	struct store_op *op;
	struct store_ev *e;
	int rc;

	if ((rc = run(s->st[ST_BEGIN])) != SQLITE_DONE)
		goto fail;
	TAILQ_FOREACH(op, &s->ops, link)
		if ((rc = write_op(s, op)) != SQLITE_DONE)
			goto fail;
	TAILQ_FOREACH(e, &s->evs, link)
		if ((rc = write_event(s, e)) != SQLITE_DONE)
			goto fail;
	for (size_t i = 0; i < s->nmarks; i++)
		if ((rc = write_mark(s, &s->marks[i])) != SQLITE_DONE)
			goto fail;
	if ((rc = run(s->st[ST_COMMIT])) != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	rc = store_fail_sql(s, rc, "write");
	/* SQLite rolls some failures back itself (a full disk may). */
	if (!sqlite3_get_autocommit(s->db))
		run(s->st[ST_ROLLBACK]);
	TAILQ_FOREACH(e, &s->evs, link)
		e->ev.id = 0;
	return rc;
}

int
store_flush(struct store *s, store_event_cb *cb, void *arg)
{
	struct store_evs done = TAILQ_HEAD_INITIALIZER(done);
	struct store_ev *e, *last;
	int r;

	if (s->busy)
		return -EBUSY;
	if (s->nqueued == 0)
		return 0;
	r = write_queue(s);
	s->busy = true;
	if (r == 0) {
		drop_ops(s);
		TAILQ_CONCAT(&done, &s->evs, link);
		while ((e = TAILQ_FIRST(&done)) != NULL) {
			TAILQ_REMOVE(&done, e, link);
			s->nqueued--;
			if (cb != NULL && !e->announced)
				cb(&e->ev, true, arg);
			free(e);
		}
	} else if (cb != NULL) {
		/* Events the callback queues stay for the next flush. */
		last = TAILQ_LAST(&s->evs, store_evs);
		TAILQ_FOREACH(e, &s->evs, link) {
			if (!e->announced) {
				e->announced = true;
				cb(&e->ev, false, arg);
			}
			if (e == last)
				break;
		}
	}
	s->busy = false;
	return r;
}

uint64_t
store_transactions(const struct store *s)
{
	return s->transactions;
}

/* ---- open and close ---- */

/* Every commit on the connection counts, so a flush that took more than
 * one transaction would show. */
static int
count_commit(void *arg)
{
	((struct store *)arg)->transactions++;
	return 0;
}

/* A failure at open: the message names the path; errno from the OS. */
static int
open_fail(struct store *s, int rc, const char *what, char *err,
    size_t errlen)
{
	int e = s->db != NULL ? sqlite3_system_errno(s->db) : 0;
	int prim = rc & 0xff;

	if (s->db == NULL)
		snprintf(err, errlen, "%s: %s: %s", s->path, what,
		    sqlite3_errstr(rc));
	else if (e != 0 && prim == SQLITE_CANTOPEN)
		snprintf(err, errlen, "%s: %s: %s", s->path, what,
		    strerror(e));
	else
		snprintf(err, errlen, "%s: %s: %s", s->path, what,
		    sqlite3_errmsg(s->db));
	if (e != 0 && (prim == SQLITE_CANTOPEN || prim == SQLITE_PERM))
		return -e;
	return prim == SQLITE_CANTOPEN ? -EIO : store_sql_errno(rc);
}

static int
db_open(struct store *s, uint32_t busy_ms, char *err, size_t errlen)
{
	int rc = sqlite3_open_v2(s->path, &s->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);

	if (rc != SQLITE_OK) {
		rc = open_fail(s, rc, "cannot open", err, errlen);
		sqlite3_close(s->db);
		s->db = NULL;
		return rc;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, (int)(busy_ms > INT32_MAX ? INT32_MAX :
	    busy_ms));
	/*
	 * Until the file is known to be sound, closing must not checkpoint
	 * a WAL into it (or delete the WAL): a corrupt file is moved aside
	 * byte for byte.
	 */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	return 0;
}

/* 0: sound; 1: corrupt (why in s->errmsg); or a negative errno. */
static int
db_check(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && strcmp(store_col_text(st, 0), "ok") == 0) {
		r = 0;
	} else if (rc == SQLITE_ROW) {
		/* The first finding after the "*** in database main ***"
		 * heading line says enough. */
		const char *t = store_col_text(st, 0), *nl = strchr(t, '\n');

		if (strncmp(t, "*** ", 4) == 0 && nl != NULL) {
			t = nl + 1;
			nl = strchr(t, '\n');
		}
		snprintf(s->errmsg, sizeof(s->errmsg), "quick_check: %.*s",
		    (int)(nl != NULL ? (size_t)(nl - t) : strlen(t)), t);
		r = 1;
	} else if ((rc & 0xff) == SQLITE_NOTADB ||
	    (rc & 0xff) == SQLITE_CORRUPT) {
		snprintf(s->errmsg, sizeof(s->errmsg), "%s",
		    sqlite3_errmsg(s->db));
		r = 1;
	} else
		r = open_fail(s, rc, "cannot read", err, errlen);
	sqlite3_finalize(st);
	return r;
}

static bool
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 || errno != ENOENT;
}

/*
 * Move the (closed) corrupt file and its -wal and -shm to a free
 * "<path>.corrupt-STAMP[.N]" name. The WAL must go with it: left behind,
 * it would be replayed into the fresh file.
 */
static int
move_aside(struct store *s, char *err, size_t errlen)
{
	static const char *const side[] = { "", "-wal", "-shm" };
	size_t n = strlen(s->path) + 48;
	char stamp[32], *name = malloc(n), *from = malloc(n), *to = malloc(n);
	time_t now = time(NULL);
	struct tm tm;
	int r = -ENOMEM;

	if (name == NULL || from == NULL || to == NULL)
		goto fail;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (unsigned i = 1;; i++) {
		bool taken = false;

		snprintf(name, n, i == 1 ? "%s.corrupt-%s" : "%s.corrupt-%s.%u",
		    s->path, stamp, i);
		for (size_t k = 0; k < 3 && !taken; k++) {
			snprintf(to, n, "%s%s", name, side[k]);
			taken = exists(to);
		}
		if (!taken)
			break;
		if (i == 1000) {
			r = -EEXIST;
			snprintf(err, errlen, "%s: corrupt (%s), and no free "
			    "name to move it aside", s->path, s->errmsg);
			goto fail;
		}
	}
	for (size_t k = 0; k < 3; k++) {
		snprintf(from, n, "%s%s", s->path, side[k]);
		snprintf(to, n, "%s%s", name, side[k]);
		if (rename(from, to) != 0 && (k == 0 || errno != ENOENT)) {
			r = -errno;
			snprintf(err, errlen, "%s: corrupt (%s), and cannot "
			    "be moved to %s: %s", s->path, s->errmsg, to,
			    strerror(errno));
			goto fail;
		}
	}
	s->moved = name;
	name = NULL;
	r = 0;
fail:
	free(name);
	free(from);
	free(to);
	return r;
}

/* The first column of the first row of sql, as an integer. */
static int
query_int(struct store *s, const char *sql, int *ret)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ret = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Bring the schema to STORE_VERSION in one transaction. */
static int
migrate(struct store *s, char *err, size_t errlen)
{
	char sql[64];
	int rc, version = 0, tables = 0, r;

	if ((rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL)) != SQLITE_OK)
		return open_fail(s, rc, "cannot lock", err, errlen);
	if ((rc = query_int(s, "PRAGMA user_version", &version)) != SQLITE_OK ||
	    (rc = query_int(s, "SELECT count(*) FROM sqlite_master",
	    &tables)) != SQLITE_OK) {
		r = open_fail(s, rc, "cannot read the schema", err, errlen);
		goto fail;
	}
	if (version < 0) {
		snprintf(err, errlen, "%s: not an rblmon state database "
		    "(schema version %d)", s->path, version);
		r = -EINVAL;
		goto fail;
	}
	if (version > STORE_VERSION) {
		snprintf(err, errlen, "%s: schema version %d, newer than this "
		    "rblmon knows (%d): written by a newer rblmon", s->path,
		    version, STORE_VERSION);
		r = -ENOTSUP;
		goto fail;
	}
	if (version == 0 && tables > 0) {
		snprintf(err, errlen, "%s: not an rblmon state database "
		    "(tables, and no schema version)", s->path);
		r = -EINVAL;
		goto fail;
	}
	for (int v = version; v < STORE_VERSION; v++)
		if ((rc = sqlite3_exec(s->db, migrations[v], NULL, NULL,
		    NULL)) != SQLITE_OK)
			goto sql_fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_VERSION);
	if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) !=
	    SQLITE_OK)
		goto sql_fail;
	return 0;
sql_fail:
	snprintf(sql, sizeof(sql), "cannot migrate from schema version %d",
	    version);
	r = open_fail(s, rc, sql, err, errlen);
fail:
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

int
store_set_max_pages(struct store *s, uint64_t max_pages)
{
	char sql[64];
	int rc;

	if (max_pages == 0 || max_pages > STORE_PAGES_UNLIMITED)
		max_pages = STORE_PAGES_UNLIMITED;
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %llu",
	    (unsigned long long)max_pages);
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : store_fail_sql(s, rc, "max_page_count");
}

/* Settings, schema and statements of an open, sound file. */
static int
db_setup(struct store *s, uint64_t max_pages, char *err, size_t errlen)
{
	int rc, r;

	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		snprintf(err, errlen, "%s: cannot write: read-only", s->path);
		return -EACCES;
	}
	/* The version is checked before anything is written: a file a
	 * newer rblmon wrote is left as it is. */
	if ((rc = sqlite3_exec(s->db, "PRAGMA synchronous = FULL", NULL, NULL,
	    NULL)) != SQLITE_OK)
		return open_fail(s, rc, "cannot set up", err, errlen);
	if ((r = migrate(s, err, errlen)) != 0)
		return r;
	if ((rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL,
	    NULL)) != SQLITE_OK)
		return open_fail(s, rc, "cannot set up", err, errlen);
	if (max_pages != 0 && (r = store_set_max_pages(s, max_pages)) != 0) {
		snprintf(err, errlen, "%s: %s", s->path, s->errmsg);
		return r;
	}
	for (int i = 0; i < ST_COUNT; i++)
		if ((rc = sqlite3_prepare_v3(s->db, statements[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL)) != SQLITE_OK)
			return open_fail(s, rc, "cannot prepare", err,
			    errlen);
	return 0;
}

int
store_open(const char *path, const struct store_options *o,
    struct store **ret, char *err, size_t errlen)
{
	struct store_options def = { 0 };
	struct store *s;
	uint32_t busy;
	int r;

	if (o == NULL)
		o = &def;
	busy = o->busy_timeout_ms != 0 ? o->busy_timeout_ms :
	    STORE_BUSY_DEFAULT;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		r = -ENOMEM;
		goto fail;
	}
	TAILQ_INIT(&s->ops);
	TAILQ_INIT(&s->evs);
	s->max_queued = o->max_queued != 0 ? o->max_queued : STORE_QUEUE_MAX;
	if ((r = db_open(s, busy, err, errlen)) != 0 ||
	    (r = db_check(s, err, errlen)) < 0)
		goto fail;
	if (r == 1) {
		sqlite3_close(s->db);
		s->db = NULL;
		if ((r = move_aside(s, err, errlen)) != 0 ||
		    (r = db_open(s, busy, err, errlen)) != 0)
			goto fail;
	}
	if ((r = db_setup(s, o->max_pages, err, errlen)) != 0)
		goto fail;
	sqlite3_commit_hook(s->db, count_commit, s);
	*ret = s;
	return 0;
fail:
	store_close(s);
	return r;
}

const char *
store_moved_aside(const struct store *s)
{
	return s->moved;
}

const char *
store_last_error(const struct store *s)
{
	return s->errmsg;
}

void
store_close(struct store *s)
{
	struct store_ev *e;

	if (s == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	drop_ops(s);
	while ((e = TAILQ_FIRST(&s->evs)) != NULL) {
		TAILQ_REMOVE(&s->evs, e, link);
		free(e);
	}
	free(s->hash);
	free(s->marks);
	free(s->moved);
	free(s->path);
	free(s);
}

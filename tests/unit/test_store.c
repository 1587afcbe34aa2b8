/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for store.c against real SQLite files in a temporary folder:
 * the schema and its migration, reopening, the outbox (commit, announce,
 * mark sent, redelivery), batching, queue coalescing and its cap, corrupt
 * files moved aside, a full disk, and history. Raw SQL (this file only)
 * builds old and foreign files and checks what the store wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "incident.h"
#include "store.h"
#include "unit.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char dir[64];
static char dbpath[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/rblmon-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/state.db", dir);
}

static void
teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (unlink(p) != 0)
			rmdir(p);
	}
	closedir(d);
	rmdir(dir);
}

/* ---- helpers ---- */

static struct store *
open_ok(const struct store_options *o)
{
	struct store *s = NULL;
	char err[512];
	int r = store_open(dbpath, o, &s, err, sizeof(err));

	ck_assert_msg(r == 0, "store_open: %d: %s", r, err);
	ck_assert_ptr_nonnull(s);
	return s;
}

static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, msg);
}

/* The first column of the first row of sql, as text (static buffer). */
static const char *
raw_text(const char *path, const char *sql)
{
	static char out[512];
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *st = NULL;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, sizeof(out), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static long
raw_long(const char *path, const char *sql)
{
	return strtol(raw_text(path, sql), NULL, 10);
}

static void
assert_integrity(const char *path)
{
	ck_assert_str_eq(raw_text(path, "PRAGMA integrity_check"), "ok");
}

/* A whole file's bytes (malloc'd), and its length. */
static char *
slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*ret_len = (size_t)n;
	return buf;
}

static void
spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static void
assert_same_bytes(const char *path, const char *want, size_t wlen)
{
	size_t len;
	char *got = slurp(path, &len);

	ck_assert_msg(len == wlen && memcmp(got, want, len) == 0,
	    "%s: %zu bytes, not the %zu bytes it had", path, len, wlen);
	free(got);
}

static struct incident
mkevent(enum incident_kind k, const char *target, int64_t t)
{
	return (struct incident){ .time_s = t, .kind = (uint8_t)k,
		.severity = SEVERITY_WARNING, .target = target, .group = "",
		.zone = "zen.example", .codes = "127.0.0.2", .labels = "SBL",
		.txt = "", .delist_url = "", .state = "", .detail = "" };
}

static void
put_pair(struct store *s, const char *target, const char *zone,
    const char *codes)
{
	struct store_pair p = { target, zone, "listed", codes, "SBL",
		"txt here", 100, 200 };

	ck_assert_int_eq(store_pair_put(s, &p), 0);
}

static void
flush_ok(struct store *s)
{
	int r = store_flush(s, NULL, NULL);

	ck_assert_msg(r == 0, "flush: %d: %s", r, store_last_error(s));
}

/* What the flush callback saw. */
#define SEEN_MAX 256
struct seen {
	size_t n;
	struct {
		int64_t id, time;
		bool durable, redelivery;
		uint8_t kind;
		char target[64];
	} e[SEEN_MAX];
	struct store *mark; /* mark each durable event sent */
	struct store *flush; /* try a flush from the callback */
	int flush_r;
	bool add;	     /* add an event from the callback */
};

static void
seen_one(struct seen *sn, const struct incident *ev, bool durable)
{
	ck_assert_uint_lt(sn->n, SEEN_MAX);
	sn->e[sn->n].id = ev->id;
	sn->e[sn->n].time = ev->time_s;
	sn->e[sn->n].durable = durable;
	sn->e[sn->n].redelivery = ev->redelivery;
	sn->e[sn->n].kind = ev->kind;
	snprintf(sn->e[sn->n].target, sizeof(sn->e[0].target), "%s",
	    ev->target);
	sn->n++;
}

static void
seen_cb(const struct incident *ev, bool durable, void *arg)
{
	struct seen *sn = arg;

	seen_one(sn, ev, durable);
	if (sn->mark != NULL && durable)
		ck_assert_int_eq(store_mark_sent(sn->mark, ev->id), 0);
	if (sn->flush != NULL)
		sn->flush_r = store_flush(sn->flush, NULL, NULL);
	if (sn->add) {
		struct incident e =
		    mkevent(INCIDENT_REMINDER, "added-in-cb", 99);

		ck_assert_int_eq(store_event_add(sn->flush, &e), 0);
	}
}

static int
seen_row_cb(const struct incident *ev, void *arg)
{
	struct seen *sn = arg;

	seen_one(sn, ev, true);
	if (sn->mark != NULL)
		ck_assert_int_eq(store_mark_sent(sn->mark, ev->id), 0);
	return 0;
}

/* Pairs as "target@zone=codes;..." and zones as "zone=state@since;...". */
struct dump {
	char buf[4096];
	size_t n;
};

static void
dump_add(struct dump *d, const char *item)
{
	int k = snprintf(d->buf + d->n, sizeof(d->buf) - d->n, "%s%s",
	    d->n != 0 ? ";" : "", item);

	ck_assert(k > 0 && (size_t)k < sizeof(d->buf) - d->n);
	d->n += (size_t)k;
}

static int
dump_pair_cb(const struct store_pair *p, void *arg)
{
	char item[256];

	snprintf(item, sizeof(item), "%s@%s=%s", p->target, p->zone,
	    p->codes);
	dump_add(arg, item);
	return 0;
}

static int
dump_zone_cb(const struct store_zone *z, void *arg)
{
	char item[256];

	snprintf(item, sizeof(item), "%s=%s@%lld", z->zone, z->state,
	    (long long)z->since_s);
	dump_add(arg, item);
	return 0;
}

static const char *
dump_pairs(struct store *s, struct dump *d)
{
	d->n = 0;
	d->buf[0] = '\0';
	ck_assert_int_eq(store_load_pairs(s, dump_pair_cb, d), 0);
	return d->buf;
}

static const char *
dump_zones(struct store *s, struct dump *d)
{
	d->n = 0;
	d->buf[0] = '\0';
	ck_assert_int_eq(store_load_zones(s, dump_zone_cb, d), 0);
	return d->buf;
}

static size_t
count_history(struct store *s)
{
	struct seen *sn = calloc(1, sizeof(*sn));
	size_t n;

	ck_assert_ptr_nonnull(sn);
	ck_assert_int_eq(store_history(s, NULL, 100000, seen_row_cb, sn), 0);
	n = sn->n;
	free(sn);
	return n;
}

/* ---- schema, reopen, migration ---- */

START_TEST(test_schema_created)
{
	struct store *s = open_ok(NULL);

	ck_assert_ptr_null(store_moved_aside(s));
	ck_assert_str_eq(store_last_error(s), "");
	ck_assert_int_eq(raw_long(dbpath, "PRAGMA user_version"), 2);
	ck_assert_str_eq(raw_text(dbpath, "PRAGMA journal_mode"), "wal");
	ck_assert_str_eq(raw_text(dbpath,
	    "SELECT group_concat(name, ',') FROM (SELECT name FROM"
	    " sqlite_master WHERE type = 'table' ORDER BY name)"),
	    "events,pairs,sqlite_sequence,zones");
	ck_assert_str_eq(raw_text(dbpath,
	    "SELECT group_concat(name, ',') FROM pragma_table_info('events')"),
	    "id,time,kind,severity,target,grp,zone,codes,labels,txt,"
	    "delist_url,state,detail,since,duration,sent,redelivery");
	ck_assert_str_eq(raw_text(dbpath,
	    "SELECT group_concat(name, ',') FROM pragma_table_info('pairs')"),
	    "target,zone,state,codes,labels,txt,first_seen,last_seen");
	ck_assert_str_eq(raw_text(dbpath,
	    "SELECT group_concat(name, ',') FROM pragma_table_info('zones')"),
	    "zone,state,since");
	ck_assert_uint_eq(store_transactions(s), 0);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

START_TEST(test_reopen_keeps_state)
{
	struct store *s = open_ok(NULL);
	struct store_zone z1 = { "b.example", "ok", 10 };
	struct store_zone z2 = { "a.example", "dead", 20 };
	struct incident ev = mkevent(INCIDENT_LISTED, "192.0.2.1", 1000);
	struct dump d;
	struct seen *sn = calloc(1, sizeof(*sn));

	ck_assert_ptr_nonnull(sn);
	put_pair(s, "192.0.2.1", "b.example", "127.0.0.2");
	put_pair(s, "192.0.2.2", "a.example", "127.0.0.4");
	ck_assert_int_eq(store_zone_put(s, &z1), 0);
	ck_assert_int_eq(store_zone_put(s, &z2), 0);
	ev.group = "mail-out";
	ev.txt = "Listed \\x07 here";
	ev.delist_url = "https://example/?q=192.0.2.1";
	ev.since_s = 900;
	ev.duration_s = 77;
	ev.severity = SEVERITY_CRITICAL;
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ev = mkevent(INCIDENT_ZONE_DOWN, "", 1001);
	ev.state = "dead";
	ev.detail = "127.0.0.2 not listed";
	ev.severity = SEVERITY_INFO;
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ck_assert_uint_eq(store_queued(s), 6);
	flush_ok(s);
	ck_assert_uint_eq(store_queued(s), 0);
	store_close(s);

	s = open_ok(NULL);
	ck_assert_str_eq(dump_pairs(s, &d),
	    "192.0.2.2@a.example=127.0.0.4;192.0.2.1@b.example=127.0.0.2");
	ck_assert_str_eq(dump_zones(s, &d), "a.example=dead@20;b.example=ok@10");
	ck_assert_str_eq(raw_text(dbpath,
	    "SELECT state || '|' || labels || '|' || txt || '|' ||"
	    " first_seen || '|' || last_seen FROM pairs WHERE zone ="
	    " 'b.example'"), "listed|SBL|txt here|100|200");
	ck_assert_int_eq(store_history(s, NULL, 10, seen_row_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 2);
	ck_assert_int_eq(sn->e[0].kind, INCIDENT_ZONE_DOWN);
	ck_assert_int_eq(sn->e[1].kind, INCIDENT_LISTED);
	ck_assert_str_eq(raw_text(dbpath,
	    "SELECT group_concat(kind || '|' || severity || '|' || target ||"
	    " '|' || grp || '|' || zone || '|' || codes || '|' || labels ||"
	    " '|' || txt || '|' || delist_url || '|' || state || '|' ||"
	    " detail || '|' || since || '|' || duration || '|' || time, '#')"
	    " FROM events"),
	    "listed|critical|192.0.2.1|mail-out|zen.example|127.0.0.2|SBL|"
	    "Listed \\x07 here|https://example/?q=192.0.2.1|||900|77|1000#"
	    "zone-down|info|||zen.example|127.0.0.2|SBL|||dead|"
	    "127.0.0.2 not listed|0|0|"
	    "1001");
	free(sn);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

/* Every field of an event read back as written. */
struct field_seen {
	struct incident ev;
	char str[9][128];
	int n;
};

static int
field_cb(const struct incident *ev, void *arg)
{
	struct field_seen *f = arg;
	const char *src[9] = { ev->target, ev->group, ev->zone, ev->codes,
		ev->labels, ev->txt, ev->delist_url, ev->state, ev->detail };

	f->ev = *ev;
	for (int i = 0; i < 9; i++)
		snprintf(f->str[i], sizeof(f->str[i]), "%s", src[i]);
	f->n++;
	return 0;
}

START_TEST(test_event_fields)
{
	struct store *s = open_ok(NULL);
	struct incident ev = { .time_s = 1700000000, .kind = INCIDENT_DELISTED,
		.severity = SEVERITY_INFO, .target = "2001:db8::25",
		.group = "mx", .zone = "z.example", .codes = "127.0.0.3",
		.labels = "CSS", .txt = "why", .delist_url = "https://u",
		.state = "st", .detail = "det", .since_s = 1690000000,
		.duration_s = 10000000 };
	const char *want[9] = { "2001:db8::25", "mx", "z.example", "127.0.0.3",
		"CSS", "why", "https://u", "st", "det" };
	struct field_seen f = { 0 };

	ck_assert_int_eq(store_event_add(s, &ev), 0);
	flush_ok(s);
	ck_assert_int_eq(store_history(s, "2001:db8::25", 5, field_cb, &f), 0);
	ck_assert_int_eq(f.n, 1);
	ck_assert_int_eq(f.ev.id, 1);
	ck_assert_int_eq(f.ev.time_s, 1700000000);
	ck_assert_int_eq(f.ev.kind, INCIDENT_DELISTED);
	ck_assert_int_eq(f.ev.severity, SEVERITY_INFO);
	ck_assert(!f.ev.redelivery);
	ck_assert_int_eq(f.ev.since_s, 1690000000);
	ck_assert_int_eq(f.ev.duration_s, 10000000);
	for (int i = 0; i < 9; i++)
		ck_assert_str_eq(f.str[i], want[i]);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

/* The version 1 layout, as rblmon wrote it: no events.redelivery. */
static const char v1_schema[] =
    "CREATE TABLE pairs (target TEXT NOT NULL, zone TEXT NOT NULL,"
    " state TEXT NOT NULL, codes TEXT NOT NULL DEFAULT '',"
    " labels TEXT NOT NULL DEFAULT '', txt TEXT NOT NULL DEFAULT '',"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " PRIMARY KEY (target, zone)) WITHOUT ROWID;"
    "CREATE TABLE zones (zone TEXT NOT NULL PRIMARY KEY,"
    " state TEXT NOT NULL, since INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " time INTEGER NOT NULL, kind TEXT NOT NULL, severity TEXT NOT NULL,"
    " target TEXT NOT NULL DEFAULT '', grp TEXT NOT NULL DEFAULT '',"
    " zone TEXT NOT NULL DEFAULT '', codes TEXT NOT NULL DEFAULT '',"
    " labels TEXT NOT NULL DEFAULT '', txt TEXT NOT NULL DEFAULT '',"
    " delist_url TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',"
    " detail TEXT NOT NULL DEFAULT '', since INTEGER NOT NULL DEFAULT 0,"
    " duration INTEGER NOT NULL DEFAULT 0,"
    " sent INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX events_target ON events (target, id);"
    "INSERT INTO pairs VALUES ('192.0.2.9', 'zen.example', 'listed',"
    " '127.0.0.4', 'XBL', 'old txt', 5, 6);"
    "INSERT INTO zones VALUES ('zen.example', 'ok', 7);"
    "INSERT INTO events (time, kind, severity, target, sent) VALUES"
    " (1, 'listed', 'warning', '192.0.2.9', 1),"
    " (2, 'changed', 'warning', '192.0.2.9', 0);"
    "PRAGMA user_version = 1;";

START_TEST(test_migrate_v1)
{
	sqlite3 *db = raw_open(dbpath);
	struct store *s;
	struct seen *sn = calloc(1, sizeof(*sn));
	struct dump d;

	ck_assert_ptr_nonnull(sn);
	raw_exec(db, v1_schema);
	sqlite3_close(db);

	s = open_ok(NULL);
	ck_assert_int_eq(raw_long(dbpath, "PRAGMA user_version"), 2);
	ck_assert_str_eq(raw_text(dbpath,
	    "SELECT group_concat(redelivery) FROM events"), "0,0");
	ck_assert_str_eq(dump_pairs(s, &d), "192.0.2.9@zen.example=127.0.0.4");
	ck_assert_str_eq(dump_zones(s, &d), "zen.example=ok@7");
	ck_assert_int_eq(store_unsent(s, seen_row_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 1);
	ck_assert_int_eq(sn->e[0].id, 2);
	ck_assert_int_eq(sn->e[0].kind, INCIDENT_CHANGED);
	/* New rows continue the old ids. */
	{
		struct incident ev = mkevent(INCIDENT_REMINDER, "192.0.2.9", 3);

		sn->n = 0;
		ck_assert_int_eq(store_event_add(s, &ev), 0);
		ck_assert_int_eq(store_flush(s, seen_cb, sn), 0);
		ck_assert_uint_eq(sn->n, 1);
		ck_assert_int_eq(sn->e[0].id, 3);
	}
	store_close(s);
	free(sn);
	assert_integrity(dbpath);
}
END_TEST

/* Files store_open() refuses, and what it says. */
static const struct refuse_row {
	const char *name;
	const char *sql;  /* run on a raw database at dbpath first; NULL: none */
	const char *path; /* relative to the folder; NULL: dbpath */
	int want;
	const char *msg; /* in the message, after the path */
} refuse_rows[] = {
	{ "newer schema version", "CREATE TABLE t (x); PRAGMA user_version = 3;",
	    NULL, -ENOTSUP, "schema version 3, newer than this rblmon knows" },
	{ "much newer schema version", "PRAGMA user_version = 999;", NULL,
	    -ENOTSUP, "schema version 999" },
	{ "someone else's database", "CREATE TABLE t (x);", NULL, -EINVAL,
	    "not an rblmon state database" },
	{ "no such folder", NULL, "missing/state.db", -ENOENT,
	    "No such file or directory" },
	{ "a folder, not a file", NULL, "", -EISDIR, "Is a directory" },
};

START_TEST(test_refused)
{
	const struct refuse_row *r = &refuse_rows[_i];
	struct store *s = (struct store *)&s;
	char err[512], path[300], *before = NULL;
	size_t blen = 0;
	int got;

	if (r->path != NULL)
		snprintf(path, sizeof(path), "%s/%s", dir, r->path);
	else
		snprintf(path, sizeof(path), "%s", dbpath);
	if (r->sql != NULL) {
		sqlite3 *db = raw_open(path);

		raw_exec(db, r->sql);
		sqlite3_close(db);
		before = slurp(path, &blen);
	}
	got = store_open(path, NULL, &s, err, sizeof(err));
	ck_assert_msg(got == r->want, "%s: %d, want %d (%s)", r->name, got,
	    r->want, err);
	ck_assert_msg(s == (struct store *)&s, "%s: *ret written", r->name);
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0 &&
	    strstr(err, r->msg) != NULL, "%s: message \"%s\"", r->name, err);
	if (before != NULL) {
		/* Refused, and left as it was. */
		assert_same_bytes(path, before, blen);
		assert_integrity(path);
		free(before);
	}
}
END_TEST

/* ---- the outbox ---- */

START_TEST(test_outbox)
{
	struct store *s = open_ok(NULL);
	struct seen *sn = calloc(1, sizeof(*sn));
	struct seen *un = calloc(1, sizeof(*un));
	const char *targets[3] = { "192.0.2.1", "192.0.2.2", "192.0.2.3" };

	ck_assert_ptr_nonnull(sn);
	ck_assert_ptr_nonnull(un);
	for (int i = 0; i < 3; i++) {
		struct incident ev =
		    mkevent(INCIDENT_LISTED, targets[i], 10 + i);

		ck_assert_int_eq(store_event_add(s, &ev), 0);
	}
	sn->mark = s;
	ck_assert_int_eq(store_flush(s, seen_cb, sn), 0);
	ck_assert_uint_eq(store_transactions(s), 1);
	ck_assert_uint_eq(sn->n, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert(sn->e[i].durable);
		ck_assert_int_eq(sn->e[i].id, i + 1);
		ck_assert_str_eq(sn->e[i].target, targets[i]);
		ck_assert(!sn->e[i].redelivery);
	}
	/* Committed unsent before the marks are written. */
	ck_assert_int_eq(raw_long(dbpath,
	    "SELECT count(*) FROM events WHERE sent = 0"), 3);
	ck_assert_uint_eq(store_queued(s), 3);
	ck_assert_int_eq(store_flush(s, seen_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 3);
	ck_assert_uint_eq(store_transactions(s), 2);
	ck_assert_int_eq(raw_long(dbpath,
	    "SELECT count(*) FROM events WHERE sent = 1"), 3);
	ck_assert_int_eq(store_unsent(s, seen_row_cb, un), 0);
	ck_assert_uint_eq(un->n, 0);
	/* An empty queue makes no transaction. */
	ck_assert_int_eq(store_flush(s, seen_cb, sn), 0);
	ck_assert_uint_eq(store_transactions(s), 2);
	/* Id 0 (an event handed out not durable) is no mark. */
	ck_assert_int_eq(store_mark_sent(s, 0), 0);
	ck_assert_uint_eq(store_queued(s), 0);
	free(sn);
	free(un);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

START_TEST(test_unsent_after_restart)
{
	struct store *s = open_ok(NULL);
	struct seen *sn = calloc(1, sizeof(*sn));
	struct incident ev;

	ck_assert_ptr_nonnull(sn);
	ev = mkevent(INCIDENT_LISTED, "192.0.2.1", 1);
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ev = mkevent(INCIDENT_ZONE_DOWN, "", 2);
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ev = mkevent(INCIDENT_LISTED, "192.0.2.3", 3);
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ck_assert_int_eq(store_flush(s, seen_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 3);
	/* Only the second was marked before the "crash". */
	ck_assert_int_eq(store_mark_sent(s, sn->e[1].id), 0);
	flush_ok(s);
	store_close(s);

	s = open_ok(NULL);
	sn->n = 0;
	ck_assert_int_eq(store_unsent(s, seen_row_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 2);
	ck_assert_int_eq(sn->e[0].id, 1);
	ck_assert_int_eq(sn->e[1].id, 3);
	ck_assert(sn->e[0].redelivery && sn->e[1].redelivery);
	ck_assert_str_eq(sn->e[1].target, "192.0.2.3");
	/* Handed out again, not yet marked: still unsent after another
	 * restart, and flagged redelivered on disk. */
	flush_ok(s);
	store_close(s);
	ck_assert_str_eq(raw_text(dbpath, "SELECT group_concat(id || ':' ||"
	    " sent || redelivery) FROM events"), "1:01,2:10,3:01");

	s = open_ok(NULL);
	sn->n = 0;
	sn->mark = s;
	ck_assert_int_eq(store_unsent(s, seen_row_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 2);
	flush_ok(s);
	store_close(s);
	ck_assert_str_eq(raw_text(dbpath, "SELECT group_concat(id || ':' ||"
	    " sent || redelivery) FROM events"), "1:11,2:10,3:11");

	s = open_ok(NULL);
	sn->n = 0;
	sn->mark = NULL;
	ck_assert_int_eq(store_unsent(s, seen_row_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 0);
	/* History shows which were announced again. */
	ck_assert_int_eq(store_history(s, NULL, 10, seen_row_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 3);
	ck_assert(sn->e[0].redelivery && !sn->e[1].redelivery &&
	    sn->e[2].redelivery);
	free(sn);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

START_TEST(test_callback_guards)
{
	struct store *s = open_ok(NULL);
	struct seen *sn = calloc(1, sizeof(*sn));
	struct incident ev = mkevent(INCIDENT_LISTED, "192.0.2.1", 1);

	ck_assert_ptr_nonnull(sn);
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	sn->flush = s;
	sn->flush_r = 1;
	sn->add = true;
	ck_assert_int_eq(store_flush(s, seen_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 1);
	ck_assert_int_eq(sn->flush_r, -EBUSY);
	/* The event added from the callback waits for the next flush. */
	ck_assert_uint_eq(store_queued(s), 1);
	sn->flush = NULL;
	sn->add = false;
	ck_assert_int_eq(store_flush(s, seen_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 2);
	ck_assert_str_eq(sn->e[1].target, "added-in-cb");
	ck_assert_int_eq(sn->e[1].id, 2);
	ev.kind = INCIDENT_KIND_COUNT;
	ck_assert_int_eq(store_event_add(s, &ev), -EINVAL);
	ev.kind = INCIDENT_LISTED;
	ev.severity = SEVERITY_COUNT;
	ck_assert_int_eq(store_event_add(s, &ev), -EINVAL);
	ck_assert_uint_eq(store_queued(s), 0);
	free(sn);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

/* ---- batching and the queue ---- */

START_TEST(test_batching)
{
	struct store *s = open_ok(NULL);
	uint64_t t0 = store_transactions(s);
	char target[32];

	for (int i = 0; i < 20000; i++) {
		snprintf(target, sizeof(target), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		put_pair(s, target, "zen.example", "127.0.0.2");
	}
	ck_assert_uint_eq(store_queued(s), 20000);
	flush_ok(s);
	ck_assert_uint_eq(store_transactions(s), t0 + 1);
	ck_assert_uint_eq(store_queued(s), 0);
	ck_assert_int_eq(raw_long(dbpath, "SELECT count(*) FROM pairs"),
	    20000);
	/* The same keys again replace each other in the queue. */
	for (int i = 0; i < 20000; i++) {
		snprintf(target, sizeof(target), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		put_pair(s, target, "zen.example", "127.0.0.3");
		put_pair(s, target, "zen.example", "127.0.0.4");
	}
	ck_assert_uint_eq(store_queued(s), 20000);
	flush_ok(s);
	ck_assert_uint_eq(store_transactions(s), t0 + 2);
	ck_assert_int_eq(raw_long(dbpath,
	    "SELECT count(*) FROM pairs WHERE codes = '127.0.0.4'"), 20000);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

/*
 * Queued operations and the state they leave. Ops: "P t z codes" put,
 * "D t z" pair delete, "Z z state" zone put, "X z" zone delete. before:
 * committed first; ops: queued together and flushed once.
 */
static const struct queue_row {
	const char *name;
	const char *before[4];
	const char *ops[6];
	size_t queued; /* after the ops, before the flush */
	const char *pairs, *zones;
} queue_rows[] = {
	{ "put twice: the last wins", { NULL },
	    { "P a z1 1", "P a z1 2" }, 1, "a@z1=2", "" },
	{ "put then delete: gone", { NULL },
	    { "P a z1 1", "D a z1" }, 1, "", "" },
	{ "delete then put: there", { "P a z1 1" },
	    { "D a z1", "P a z1 2" }, 1, "a@z1=2", "" },
	{ "delete a committed pair", { "P a z1 1", "P b z1 1" },
	    { "D a z1" }, 1, "b@z1=1", "" },
	{ "other keys kept apart", { NULL },
	    { "P a z1 1", "P a z2 2", "P b z1 3", "Z z1 ok" }, 4,
	    "a@z1=1;b@z1=3;a@z2=2", "z1=ok@5" },
	{ "zone delete takes its committed pairs",
	    { "P a z1 1", "P b z1 1", "P a z2 1", "Z z1 ok" },
	    { "X z1" }, 1, "a@z2=1", "" },
	{ "zone delete drops its queued pairs, not others", { NULL },
	    { "P a z1 1", "P b z1 1", "P a z2 1", "Z z1 ok", "X z1" }, 2,
	    "a@z2=1", "" },
	{ "put after a zone delete survives", { "P b z1 1" },
	    { "P a z1 1", "X z1", "P a z1 2" }, 2, "a@z1=2", "" },
	{ "zone put after a zone delete: zone back, old pairs gone",
	    { "P a z1 1", "Z z1 dead" }, { "X z1", "Z z1 ok" }, 2, "",
	    "z1=ok@5" },
	{ "zone put twice: the last wins", { NULL },
	    { "Z z1 dead", "Z z1 ok" }, 1, "", "z1=ok@5" },
	{ "zone delete twice", { "Z z1 ok" }, { "X z1", "X z1" }, 1, "", "" },
};

static void
apply_op(struct store *s, const char *op)
{
	char kind, a[32] = "", b[32] = "", c[32] = "";
	struct store_zone z = { a, b, 5 };

	ck_assert_int_ge(sscanf(op, "%c %31s %31s %31s", &kind, a, b, c), 2);
	switch (kind) {
	case 'P':
		put_pair(s, a, b, c);
		break;
	case 'D':
		ck_assert_int_eq(store_pair_del(s, a, b), 0);
		break;
	case 'Z':
		ck_assert_int_eq(store_zone_put(s, &z), 0);
		break;
	case 'X':
		ck_assert_int_eq(store_zone_del(s, a), 0);
		break;
	default:
		ck_abort_msg("bad op %s", op);
	}
}

START_TEST(test_queue)
{
	const struct queue_row *r = &queue_rows[_i];
	struct store *s = open_ok(NULL);
	struct dump d;

	for (int i = 0; i < NROWS(r->before) && r->before[i] != NULL; i++)
		apply_op(s, r->before[i]);
	flush_ok(s);
	for (int i = 0; i < NROWS(r->ops) && r->ops[i] != NULL; i++)
		apply_op(s, r->ops[i]);
	ck_assert_msg(store_queued(s) == r->queued, "%s: %zu queued, want %zu",
	    r->name, store_queued(s), r->queued);
	flush_ok(s);
	ck_assert_msg(strcmp(dump_pairs(s, &d), r->pairs) == 0,
	    "%s: pairs \"%s\", want \"%s\"", r->name, d.buf, r->pairs);
	ck_assert_msg(strcmp(dump_zones(s, &d), r->zones) == 0,
	    "%s: zones \"%s\", want \"%s\"", r->name, d.buf, r->zones);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

START_TEST(test_queue_cap)
{
	struct store_options o = { .max_queued = 3 };
	struct store *s = open_ok(&o);
	struct store_pair p = { "a", "z", "listed", "", "", "", 1, 1 };
	struct store_zone z = { "z", "ok", 1 };
	struct incident ev = mkevent(INCIDENT_LISTED, "a", 1);

	ck_assert_int_eq(store_pair_put(s, &p), 0);
	p.target = "b";
	ck_assert_int_eq(store_pair_put(s, &p), 0);
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ck_assert_uint_eq(store_queued(s), 3);
	p.target = "c";
	ck_assert_int_eq(store_pair_put(s, &p), -ENOBUFS);
	ck_assert_int_eq(store_pair_del(s, "c", "z"), -ENOBUFS);
	ck_assert_int_eq(store_zone_put(s, &z), -ENOBUFS);
	ck_assert_int_eq(store_event_add(s, &ev), -ENOBUFS);
	ck_assert_int_eq(store_mark_sent(s, 1), -ENOBUFS);
	/* A change that replaces a queued one still fits. */
	p.target = "b";
	p.codes = "127.0.0.9";
	ck_assert_int_eq(store_pair_put(s, &p), 0);
	ck_assert_int_eq(store_pair_del(s, "a", "z"), 0);
	/* And so does a zone delete that drops as many as it adds. */
	ck_assert_int_eq(store_zone_del(s, "z"), 0);
	ck_assert_uint_eq(store_queued(s), 2);
	flush_ok(s);
	ck_assert_uint_eq(store_queued(s), 0);
	ck_assert_int_eq(store_mark_sent(s, 1), 0);
	flush_ok(s);
	ck_assert_int_eq(raw_long(dbpath, "SELECT count(*) FROM pairs"), 0);
	ck_assert_int_eq(raw_long(dbpath, "SELECT sent FROM events"), 1);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

/* ---- corruption ---- */

/* Write a corrupt database at dbpath in one of several ways. */
enum { BAD_GARBAGE, BAD_GARBAGE_WAL, BAD_PAGE, BAD_HEADER };

static const struct corrupt_row {
	const char *name;
	int how;
	bool wal;	 /* a -wal file was there and moves along */
	const char *why; /* in store_last_error() */
} corrupt_rows[] = {
	{ "garbage", BAD_GARBAGE, false, "not a database" },
	{ "garbage with a -wal next to it", BAD_GARBAGE_WAL, true,
	    "not a database" },
	{ "a real database with a page overwritten", BAD_PAGE, false,
	    "quick_check: " },
	{ "a real database with its header torn", BAD_HEADER, false,
	    "not a database" },
};

static void
make_corrupt(int how)
{
	char wal[300], page[4096];
	struct store *s;

	if (how == BAD_GARBAGE || how == BAD_GARBAGE_WAL) {
		for (size_t i = 0; i < sizeof(page); i++)
			page[i] = (char)(i * 7 + 3);
		spit(dbpath, page, 3000);
		if (how == BAD_GARBAGE_WAL) {
			snprintf(wal, sizeof(wal), "%s-wal", dbpath);
			spit(wal, page + 100, 500);
		}
		return;
	}
	/* A real database with enough rows for several pages. */
	s = open_ok(NULL);
	for (int i = 0; i < 400; i++) {
		char t[32];

		snprintf(t, sizeof(t), "192.0.2.%d-%d", i % 256, i);
		put_pair(s, t, "zen.example", "127.0.0.2");
	}
	flush_ok(s);
	store_close(s);
	{
		int fd = open(dbpath, O_WRONLY);
		off_t at = how == BAD_PAGE ? 4096 : 16;

		ck_assert_int_ge(fd, 0);
		memset(page, 0x5a, sizeof(page));
		/* BAD_PAGE: page 2, the root of pairs. BAD_HEADER: the
		 * page size and the rest of the header. */
		ck_assert_int_eq(pwrite(fd, page,
		    how == BAD_PAGE ? 4096 : 84, at), how == BAD_PAGE ? 4096 :
		    84);
		close(fd);
	}
}

/* name is "<dbpath>.corrupt-YYYYmmddTHHMMSSZ" or that plus ".N". */
static void
assert_aside_name(const char *name)
{
	size_t n = strlen(dbpath);
	const char *t = name + n + strlen(".corrupt-");

	ck_assert_msg(strncmp(name, dbpath, n) == 0 &&
	    strncmp(name + n, ".corrupt-", 9) == 0, "name %s", name);
	ck_assert_msg(strlen(t) >= 16 && t[8] == 'T' && t[15] == 'Z' &&
	    (t[16] == '\0' || t[16] == '.'), "stamp in %s", name);
	for (int i = 0; i < 15; i++)
		if (i != 8)
			ck_assert_msg(t[i] >= '0' && t[i] <= '9', "stamp in %s",
			    name);
}

START_TEST(test_corrupt)
{
	const struct corrupt_row *r = &corrupt_rows[_i];
	struct store *s;
	char *before, *wal_before = NULL, wal[300], moved[400];
	size_t blen, wlen = 0;
	struct dump d;

	make_corrupt(r->how);
	before = slurp(dbpath, &blen);
	snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	if (r->wal)
		wal_before = slurp(wal, &wlen);

	s = open_ok(NULL);
	ck_assert_msg(store_moved_aside(s) != NULL, "%s: not moved", r->name);
	snprintf(moved, sizeof(moved), "%s", store_moved_aside(s));
	assert_aside_name(moved);
	ck_assert_msg(strstr(store_last_error(s), r->why) != NULL,
	    "%s: reason \"%s\"", r->name, store_last_error(s));
	assert_same_bytes(moved, before, blen);
	if (r->wal) {
		char mwal[420];

		snprintf(mwal, sizeof(mwal), "%s-wal", moved);
		assert_same_bytes(mwal, wal_before, wlen);
	}
	/* A fresh database in its place, and it works. */
	ck_assert_str_eq(dump_pairs(s, &d), "");
	put_pair(s, "192.0.2.1", "zen.example", "127.0.0.2");
	flush_ok(s);
	store_close(s);
	ck_assert_int_eq(raw_long(dbpath, "PRAGMA user_version"), 2);
	ck_assert_int_eq(raw_long(dbpath, "SELECT count(*) FROM pairs"), 1);
	assert_integrity(dbpath);
	/* A sound file is not moved again. */
	s = open_ok(NULL);
	ck_assert_ptr_null(store_moved_aside(s));
	store_close(s);

	/* A second corruption finds another name and keeps the first. */
	make_corrupt(BAD_GARBAGE);
	s = open_ok(NULL);
	ck_assert_ptr_nonnull(store_moved_aside(s));
	assert_aside_name(store_moved_aside(s));
	ck_assert_str_ne(store_moved_aside(s), moved);
	assert_same_bytes(moved, before, blen);
	store_close(s);
	assert_integrity(dbpath);
	free(before);
	free(wal_before);
}
END_TEST

/* ---- a full disk ---- */

START_TEST(test_disk_full)
{
	struct store *s = open_ok(NULL);
	struct store_options o = { .max_pages = 1 };
	struct seen *sn = calloc(1, sizeof(*sn));
	char big[2001];
	struct incident ev;

	ck_assert_ptr_nonnull(sn);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* Committed before the disk fills. */
	put_pair(s, "192.0.2.1", "zen.example", "127.0.0.2");
	ev = mkevent(INCIDENT_LISTED, "192.0.2.1", 1);
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	flush_ok(s);
	store_close(s);

	/* max_pages 1 holds the file at its size: any growth fails. */
	s = open_ok(&o);
	for (int i = 0; i < 50; i++) {
		ev = mkevent(INCIDENT_LISTED, "198.51.100.1", 100 + i);
		ev.detail = big;
		ck_assert_int_eq(store_event_add(s, &ev), 0);
	}
	put_pair(s, "198.51.100.1", "zen.example", "127.0.0.4");
	ck_assert_int_eq(store_flush(s, seen_cb, sn), -ENOSPC);
	ck_assert_msg(strstr(store_last_error(s), "full") != NULL, "%s",
	    store_last_error(s));
	ck_assert_uint_eq(sn->n, 50);
	for (int i = 0; i < 50; i++) {
		ck_assert(!sn->e[i].durable);
		ck_assert_int_eq(sn->e[i].id, 0);
		ck_assert_int_eq(sn->e[i].time, 100 + i);
	}
	ck_assert_uint_eq(store_queued(s), 51);
	ck_assert_uint_eq(store_transactions(s), 0);
	/* Failing again hands out only what is new. */
	ev = mkevent(INCIDENT_STORAGE_ERROR, "", 200);
	ev.detail = "database or disk is full";
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ck_assert_int_eq(store_flush(s, seen_cb, sn), -ENOSPC);
	ck_assert_uint_eq(sn->n, 51);
	ck_assert_int_eq(sn->e[50].kind, INCIDENT_STORAGE_ERROR);
	ck_assert(!sn->e[50].durable);
	ck_assert_int_eq(store_flush(s, seen_cb, sn), -ENOSPC);
	ck_assert_uint_eq(sn->n, 51);
	/* What was committed before is all there, and sound. */
	ck_assert_uint_eq(count_history(s), 1);
	ck_assert_int_eq(raw_long(dbpath, "SELECT count(*) FROM pairs"), 1);
	assert_integrity(dbpath);

	/* Space comes back: one transaction writes it all, nothing is
	 * handed out twice, and what was handed out is stored as sent. */
	ck_assert_int_eq(store_set_max_pages(s, 0), 0);
	ev = mkevent(INCIDENT_DELISTED, "192.0.2.1", 300);
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ck_assert_int_eq(store_flush(s, seen_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 52);
	ck_assert(sn->e[51].durable);
	ck_assert_int_eq(sn->e[51].id, 53);
	ck_assert_uint_eq(store_transactions(s), 1);
	ck_assert_uint_eq(store_queued(s), 0);
	ck_assert_uint_eq(count_history(s), 53);
	ck_assert_int_eq(raw_long(dbpath,
	    "SELECT count(*) FROM events WHERE sent = 1"), 51);
	ck_assert_str_eq(raw_text(dbpath, "SELECT group_concat(id) FROM"
	    " events WHERE sent = 0"), "1,53");
	ck_assert_int_eq(raw_long(dbpath, "SELECT count(*) FROM pairs"), 2);
	free(sn);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

/*
 * A write that fails in the middle of a batch (a trigger another
 * connection put there; SQLite does not roll such a failure back by
 * itself): nothing of the batch is visible, the write lock is released,
 * and once the cause is gone the next flush writes the whole batch.
 */
START_TEST(test_failed_write_rolls_back)
{
	struct store *s = open_ok(NULL);
	struct seen *sn = calloc(1, sizeof(*sn));
	struct incident ev = mkevent(INCIDENT_LISTED, "b", 5);
	sqlite3 *db;

	ck_assert_ptr_nonnull(sn);
	put_pair(s, "a", "z", "1");
	flush_ok(s);
	db = raw_open(dbpath);
	raw_exec(db, "CREATE TRIGGER poison BEFORE INSERT ON pairs"
	    " WHEN NEW.target = 'poison' BEGIN"
	    " SELECT RAISE(ABORT, 'poisoned'); END;");
	put_pair(s, "b", "z", "1");
	put_pair(s, "poison", "z", "1");
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ck_assert_int_eq(store_flush(s, seen_cb, sn), -EIO);
	ck_assert_msg(strstr(store_last_error(s), "poisoned") != NULL, "%s",
	    store_last_error(s));
	ck_assert_uint_eq(sn->n, 1);
	ck_assert(!sn->e[0].durable);
	ck_assert_uint_eq(store_queued(s), 3);
	ck_assert_int_eq(raw_long(dbpath, "SELECT count(*) FROM pairs"), 1);
	ck_assert_int_eq(raw_long(dbpath, "SELECT count(*) FROM events"), 0);
	/* Busy (and so a failure here) if the transaction were still open. */
	raw_exec(db, "DROP TRIGGER poison");
	sqlite3_close(db);
	ck_assert_int_eq(store_flush(s, seen_cb, sn), 0);
	ck_assert_uint_eq(sn->n, 1);
	ck_assert_int_eq(raw_long(dbpath, "SELECT count(*) FROM pairs"), 3);
	ck_assert_str_eq(raw_text(dbpath, "SELECT target || sent FROM events"),
	    "b1");
	free(sn);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

/* ---- history ---- */

static const struct history_row {
	const char *name;
	const char *target; /* NULL: all */
	unsigned limit;
	const char *want; /* times, newest first */
} history_rows[] = {
	{ "all", NULL, 10, "5,4,3,2,1" },
	{ "all, limit 2", NULL, 2, "5,4" },
	{ "one target", "a", 10, "5,3,1" },
	{ "one target, limit 1", "a", 1, "5" },
	{ "another target", "b", 10, "2" },
	{ "unknown target", "zzz", 10, "" },
	{ "limit 0", NULL, 0, "" },
	{ "huge limit", "c", 4000000000u, "4" },
};

static int
history_cb(const struct incident *ev, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 64 - n, "%s%lld", n != 0 ? "," : "",
	    (long long)ev->time_s);
	return 0;
}

static int
stop_cb(const struct incident *ev, void *arg)
{
	(void)ev;
	(*(int *)arg)++;
	return 42;
}

START_TEST(test_history)
{
	const struct history_row *r = &history_rows[_i];
	const char *targets[5] = { "a", "b", "a", "c", "a" };
	struct store *s = open_ok(NULL);
	char out[64] = "";
	int calls = 0;

	for (int i = 0; i < 5; i++) {
		struct incident ev =
		    mkevent(INCIDENT_LISTED, targets[i], i + 1);

		ck_assert_int_eq(store_event_add(s, &ev), 0);
	}
	flush_ok(s);
	ck_assert_int_eq(store_history(s, r->target, r->limit, history_cb,
	    out), 0);
	ck_assert_msg(strcmp(out, r->want) == 0, "%s: \"%s\", want \"%s\"",
	    r->name, out, r->want);
	/* A callback's non-zero value stops the walk and comes back. */
	ck_assert_int_eq(store_history(s, NULL, 10, stop_cb, &calls), 42);
	ck_assert_int_eq(calls, 1);
	store_close(s);
	assert_integrity(dbpath);
}
END_TEST

START_TEST(test_close_null)
{
	store_close(NULL);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("schema");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_schema_created);
	tcase_add_test(tc, test_reopen_keeps_state);
	tcase_add_test(tc, test_event_fields);
	tcase_add_test(tc, test_migrate_v1);
	tcase_add_loop_test(tc, test_refused, 0, NROWS(refuse_rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("outbox");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_outbox);
	tcase_add_test(tc, test_unsent_after_restart);
	tcase_add_test(tc, test_callback_guards);
	tcase_add_loop_test(tc, test_history, 0, NROWS(history_rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("queue");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_batching);
	tcase_add_loop_test(tc, test_queue, 0, NROWS(queue_rows));
	tcase_add_test(tc, test_queue_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_corrupt, 0, NROWS(corrupt_rows));
	tcase_add_test(tc, test_disk_full);
	tcase_add_test(tc, test_failed_write_rolls_back);
	tcase_add_test(tc, test_close_null);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(store_suite());
}

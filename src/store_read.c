/* SPDX-License-Identifier: ISC */
/*
 * The store's readers: standing pairs and zone states at start-up, the
 * unsent events of the outbox, and the event history, each row handed to
 * a callback. Only committed rows are seen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "incident.h"
#include "store.h"
#include "store_int.h"

const char *
store_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

/* A row of EVENT_COLUMNS; false for a kind or severity we do not know. */
static bool
row_event(sqlite3_stmt *st, struct incident *ev)
{
	enum incident_kind k;
	enum severity sv;

	if (incident_kind_parse(store_col_text(st, 2), &k) != 0 ||
	    severity_parse(store_col_text(st, 3), &sv) != 0)
		return false;
	*ev = (struct incident){
		.id = sqlite3_column_int64(st, 0),
		.time_s = sqlite3_column_int64(st, 1),
		.kind = (uint8_t)k,
		.severity = (uint8_t)sv,
		.target = store_col_text(st, 4),
		.group = store_col_text(st, 5),
		.zone = store_col_text(st, 6),
		.codes = store_col_text(st, 7),
		.labels = store_col_text(st, 8),
		.txt = store_col_text(st, 9),
		.delist_url = store_col_text(st, 10),
		.state = store_col_text(st, 11),
		.detail = store_col_text(st, 12),
		.since_s = sqlite3_column_int64(st, 13),
		.duration_s = sqlite3_column_int64(st, 14),
		.redelivery = sqlite3_column_int(st, 15) != 0,
	};
	return true;
}

/* Which reader walks the rows. */
enum { READ_PAIRS, READ_ZONES, READ_UNSENT, READ_HISTORY };

struct reader {
	int what;
	store_pair_cb *pair_cb;
	store_zone_cb *zone_cb;
	store_row_cb *row_cb;
	void *arg;
};

/* One row to its callback; the callback's value. */
static int
read_row(struct store *s, sqlite3_stmt *st, const struct reader *rd)
{
	struct store_pair p;
	struct store_zone z;
	struct incident ev;

	switch (rd->what) {
	case READ_PAIRS:
		p = (struct store_pair){ store_col_text(st, 0), store_col_text(st, 1),
			store_col_text(st, 2), store_col_text(st, 3), store_col_text(st, 4),
			store_col_text(st, 5), sqlite3_column_int64(st, 6),
			sqlite3_column_int64(st, 7) };
		return rd->pair_cb(&p, rd->arg);
	case READ_ZONES:
		z = (struct store_zone){ store_col_text(st, 0), store_col_text(st, 1),
			sqlite3_column_int64(st, 2) };
		return rd->zone_cb(&z, rd->arg);
	default:
		if (!row_event(st, &ev))
			return 0;
		if (rd->what == READ_UNSENT) {
			ev.redelivery = true;
			/* Only history shows the flag: a full queue loses
			 * it, never the announcement. */
			(void)store_queue_mark(s, ev.id, 0, 1);
		}
		return rd->row_cb(&ev, rd->arg);
	}
}

/* A parameter of a query: text when text is not NULL, else num. */
struct read_bind {
	const char *text;
	int64_t num;
};

/* Run the query sql with its n parameters, row by row. */
static int
read_rows_bound(struct store *s, const char *sql, const struct read_bind *b,
    int n, const struct reader *rd)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (s->busy)
		return -EBUSY;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	/* Copied: a paging caller rewrites its key from the row callback. */
	for (int i = 0; i < n && rc == SQLITE_OK; i++)
		rc = b[i].text != NULL ? sqlite3_bind_text(st, i + 1,
		    b[i].text, -1, SQLITE_TRANSIENT) :
		    sqlite3_bind_int64(st, i + 1, b[i].num);
	if (rc != SQLITE_OK) {
		r = store_fail_sql(s, rc, "read");
		goto out;
	}
	s->busy = true;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = read_row(s, st, rd)) != 0)
			break;
	s->busy = false;
	if (r == 0 && rc != SQLITE_DONE)
		r = store_fail_sql(s, rc, "read");
out:
	sqlite3_finalize(st);
	return r;
}

/* Run the query sql (binding target and limit if given), row by row. */
static int
read_rows(struct store *s, const char *sql, const char *target, int limit,
    const struct reader *rd)
{
	struct read_bind b[2] = { { NULL, 0 }, { NULL, 0 } };
	int n = 0;

	if (target != NULL)
		b[n++] = (struct read_bind){ target, 0 };
	if (limit >= 0)
		b[n++] = (struct read_bind){ NULL, limit };
	return read_rows_bound(s, sql, b, n, rd);
}

#define PAIR_COLUMNS "target, zone, state, codes, labels, txt, first_seen," \
	" last_seen"

int
store_pairs_after(struct store *s, const char *target, const char *zone,
    unsigned limit, store_pair_cb *cb, void *arg)
{
	struct reader rd = { .what = READ_PAIRS, .pair_cb = cb, .arg = arg };
	struct read_bind b[3] = {
		{ target, 0 }, { zone != NULL ? zone : "", 0 },
		{ NULL, limit > INT32_MAX ? INT32_MAX : limit },
	};

	if (target == NULL)
		return read_rows_bound(s, "SELECT " PAIR_COLUMNS " FROM pairs"
		    " ORDER BY target, zone LIMIT ?", &b[2], 1, &rd);
	return read_rows_bound(s, "SELECT " PAIR_COLUMNS " FROM pairs"
	    " WHERE (target, zone) > (?, ?) ORDER BY target, zone LIMIT ?",
	    b, 3, &rd);
}

int
store_target_pairs(struct store *s, const char *target, store_pair_cb *cb,
    void *arg)
{
	struct reader rd = { .what = READ_PAIRS, .pair_cb = cb, .arg = arg };
	struct read_bind b = { target, 0 };

	return read_rows_bound(s, "SELECT " PAIR_COLUMNS " FROM pairs"
	    " WHERE target = ? ORDER BY zone", &b, 1, &rd);
}

int
store_history_before(struct store *s, const char *target, int64_t before_id,
    unsigned limit, store_row_cb *cb, void *arg)
{
	struct reader rd = { .what = READ_HISTORY, .row_cb = cb,
		.arg = arg };
	struct read_bind b[3] = {
		{ NULL, before_id > 0 ? before_id : INT64_MAX },
		{ target, 0 },
		{ NULL, limit > INT32_MAX ? INT32_MAX : limit },
	};

	if (limit == 0)
		return 0;
	if (target == NULL) {
		b[1] = b[2];
		return read_rows_bound(s, "SELECT " EVENT_COLUMNS " FROM events"
		    " WHERE id < ? ORDER BY id DESC LIMIT ?", b, 2, &rd);
	}
	return read_rows_bound(s, "SELECT " EVENT_COLUMNS " FROM events"
	    " WHERE id < ? AND target = ? ORDER BY id DESC LIMIT ?", b, 3,
	    &rd);
}

int
store_load_pairs(struct store *s, store_pair_cb *cb, void *arg)
{
	struct reader rd = { .what = READ_PAIRS, .pair_cb = cb, .arg = arg };

	return read_rows(s,
	    "SELECT " PAIR_COLUMNS " FROM pairs ORDER BY zone, target",
	    NULL, -1, &rd);
}

int
store_load_zones(struct store *s, store_zone_cb *cb, void *arg)
{
	struct reader rd = { .what = READ_ZONES, .zone_cb = cb, .arg = arg };

	return read_rows(s, "SELECT zone, state, since FROM zones"
			    " ORDER BY zone",
	    NULL, -1, &rd);
}

int
store_unsent(struct store *s, store_row_cb *cb, void *arg)
{
	struct reader rd = { .what = READ_UNSENT, .row_cb = cb, .arg = arg };

	return read_rows(s,
	    "SELECT " EVENT_COLUMNS " FROM events WHERE sent = 0"
	    " ORDER BY id",
	    NULL, -1, &rd);
}

int
store_history(struct store *s, const char *target, unsigned limit,
    store_row_cb *cb, void *arg)
{
	struct reader rd = { .what = READ_HISTORY, .row_cb = cb,
		.arg = arg };
	int n = limit > INT32_MAX ? INT32_MAX : (int)limit;

	if (n == 0)
		return 0;
	if (target == NULL)
		return read_rows(s,
		    "SELECT " EVENT_COLUMNS " FROM events"
		    " ORDER BY id DESC LIMIT ?",
		    NULL, n, &rd);
	return read_rows(s,
	    "SELECT " EVENT_COLUMNS " FROM events WHERE target = ?"
	    " ORDER BY id DESC LIMIT ?",
	    target, n, &rd);
}

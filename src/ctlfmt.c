/* SPDX-License-Identifier: ISC */
/*
 * rblmonctl's text for every command's answer: key: value blocks and
 * tables whose columns follow their longest cell, UTC times and short
 * durations. Every string of an answer is escaped before it is shown; a
 * field that is missing or of the wrong type shows as "-".
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ctlfmt.h"
#include "ctlfmt_int.h"
#include "ctlproto.h"

/* Latest time shown (9999-12-31 23:59:59 UTC); later ones show as "-". */
#define CTLFMT_TIME_MAX INT64_C(253402300799)

static void
fb_pad(struct fbuf *b, size_t n)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		fb_add(b, spaces, k);
		n -= k;
	}
}

/* Columns a cleaned string takes: one per character. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* A string, or "-". */
static void
put_str(struct fbuf *b, const json_t *v)
{
	const char *s = str(v);

	if (s != NULL)
		fb_clean(b, s, NULL);
	else
		fb_puts(b, "-");
}

/* A number as it came (integers without a point), or "-". */
static void
put_num(struct fbuf *b, const json_t *v)
{
	int64_t i;

	if (integer(v, &i))
		fb_printf(b, "%" PRId64, i);
	else if (json_is_real(v))
		fb_printf(b, "%.15g", json_real_value(v));
	else
		fb_puts(b, "-");
}

/* "3 targets", "1 target", "- targets". */
static void
put_count(struct fbuf *b, const json_t *v, const char *one,
    const char *many)
{
	int64_t i;

	put_num(b, v);
	fb_printf(b, " %s", integer(v, &i) && i == 1 ? one : many);
}

static void
fmt_time(struct fbuf *b, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || t > CTLFMT_TIME_MAX || gmtime_r(&tt, &tm) == NULL) {
		fb_puts(b, "-");
		return;
	}
	fb_printf(b, "%04d-%02d-%02d %02d:%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* Unix seconds as "2026-12-01 14:03Z" (UTC, to the minute), or "-". */
static void
put_time(struct fbuf *b, const json_t *v)
{
	int64_t t;

	if (json_is_real(v) && isfinite(json_real_value(v)) &&
	    fabs(json_real_value(v)) < 9.0e15)
		t = (int64_t)floor(json_real_value(v));
	else if (!integer(v, &t))
		t = -1;
	fmt_time(b, t);
}

static void
put_dur(struct fbuf *b, const json_t *v)
{
	fmt_dur(b, json_is_number(v) ? json_number_value(v) : -1);
}

/* The strings of an array joined with sep, or "-". */
static void
put_list(struct fbuf *b, const json_t *v, const char *sep)
{
	size_t i, shown = 0;
	json_t *e;

	json_array_foreach(v, i, e) {
		if (str(e) == NULL)
			continue;
		if (shown++ > 0)
			fb_puts(b, sep);
		fb_clean(b, str(e), NULL);
	}
	if (shown == 0)
		fb_puts(b, "-");
}

/*
 * A table: every cell and note in one text, NUL-terminated, found by
 * offset. Offset 0 holds "-", which every cell starts as. Notes are
 * whole indented lines printed under their row.
 */
struct table {
	const char *const *heads; /* ncols of them, or NULL: no header */
	size_t ncols, nrows, cap, col;
	size_t gap; /* spaces between columns */
	struct fbuf text;
	size_t *cells; /* nrows * ncols */
	size_t *notes; /* per row, or SIZE_MAX */
	bool failed;
};

static void
tbl_init(struct table *t, const char *const *heads, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->heads = heads;
	t->ncols = ncols;
	/* "key: value" blocks have a header of none and one blank. */
	t->gap = heads != NULL ? 2 : 1;
	fb_add(&t->text, "-", 2);
}

static void
tbl_clear(struct table *t)
{
	free(t->text.p);
	free(t->cells);
	free(t->notes);
}

static void
tbl_row(struct table *t)
{
	if (t->failed)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap != 0 ? t->cap * 2 : 16;
		size_t *c = NULL, *n;

		if (cap > SIZE_MAX / sizeof(*c) / t->ncols)
			goto fail;
		c = realloc(t->cells, cap * t->ncols * sizeof(*c));
		if (c == NULL)
			goto fail;
		t->cells = c;
		if ((n = realloc(t->notes, cap * sizeof(*n))) == NULL)
			goto fail;
		t->notes = n;
		t->cap = cap;
	}
	for (size_t k = 0; k < t->ncols; k++)
		t->cells[t->nrows * t->ncols + k] = 0;
	t->notes[t->nrows] = SIZE_MAX;
	t->nrows++;
	t->col = 0;
	return;
fail:
	t->failed = true;
}

/* The next cell of the last row: append to the returned text, then end. */
static struct fbuf *
cell_begin(struct table *t)
{
	if (!t->failed && t->nrows > 0 && t->col < t->ncols)
		t->cells[(t->nrows - 1) * t->ncols + t->col] = t->text.len;
	t->col++;
	return &t->text;
}

static void
cell_end(struct table *t)
{
	size_t k = t->col - 1;

	if (t->failed || t->nrows == 0 || k >= t->ncols)
		return;
	/* A cell left empty shows "-" like a missing field. */
	if (t->cells[(t->nrows - 1) * t->ncols + k] == t->text.len)
		t->cells[(t->nrows - 1) * t->ncols + k] = 0;
	else
		fb_add(&t->text, "", 1);
}

static void
cell_str(struct table *t, const json_t *v)
{
	put_str(cell_begin(t), v);
	cell_end(t);
}

static void
cell_num(struct table *t, const json_t *v)
{
	put_num(cell_begin(t), v);
	cell_end(t);
}

static void
cell_time(struct table *t, const json_t *v)
{
	put_time(cell_begin(t), v);
	cell_end(t);
}

static void
cell_list(struct table *t, const json_t *v)
{
	put_list(cell_begin(t), v, ",");
	cell_end(t);
}

/* "  key: text" and a newline, when v is a non-empty string. */
static void
put_note(struct fbuf *b, const char *key, const json_t *v)
{
	if (str(v) == NULL)
		return;
	fb_printf(b, "  %s: ", key);
	fb_clean(b, str(v), "\n    ");
	fb_puts(b, "\n");
}

/* A note line under the last row of t. */
static void
note_str(struct table *t, const char *key, const json_t *v)
{
	size_t *n;

	if (str(v) == NULL || t->failed || t->nrows == 0)
		return;
	n = &t->notes[t->nrows - 1];
	if (*n == SIZE_MAX)
		*n = t->text.len;
	else if (!t->text.failed)
		t->text.len--; /* over the NUL that ended the notes before */
	put_note(&t->text, key, v);
	fb_add(&t->text, "", 1);
}

static void
tbl_line(const struct table *t, struct fbuf *out, const char *const *cells,
    const size_t *w)
{
	for (size_t k = 0; k < t->ncols; k++) {
		fb_puts(out, cells[k]);
		if (k + 1 < t->ncols)
			fb_pad(out, w[k] - width(cells[k]) + t->gap);
	}
	fb_puts(out, "\n");
}

/* Print t to out: columns as wide as their widest cell, gap apart. */
static void
tbl_render(struct table *t, struct fbuf *out)
{
	size_t *w = calloc(t->ncols, sizeof(*w));
	const char **line = calloc(t->ncols, sizeof(*line));

	if (w == NULL || line == NULL || t->failed || t->text.failed) {
		out->failed = true;
		goto done;
	}
	for (size_t k = 0; t->heads != NULL && k < t->ncols; k++)
		w[k] = width(t->heads[k]);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t k = 0; k < t->ncols; k++) {
			size_t cw;

			cw = width(t->text.p + t->cells[r * t->ncols + k]);

			if (cw > w[k])
				w[k] = cw;
		}
	if (t->heads != NULL)
		tbl_line(t, out, t->heads, w);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t k = 0; k < t->ncols; k++)
			line[k] = t->text.p + t->cells[r * t->ncols + k];
		tbl_line(t, out, line, w);
		if (t->notes[r] != SIZE_MAX)
			fb_puts(out, t->text.p + t->notes[r]);
	}
done:
	free(line);
	free(w);
}

/* A "key: value" block is a table of two columns without a header. */
static struct fbuf *
kv_begin(struct table *t, const char *key)
{
	struct fbuf *b;

	tbl_row(t);
	b = cell_begin(t);
	fb_printf(b, "%s:", key);
	cell_end(t);
	return cell_begin(t);
}

static void
kv_str(struct table *t, const char *key, const json_t *v)
{
	put_str(kv_begin(t, key), v);
	cell_end(t);
}

/* Fill the last row of t from e, one element of the array. */
typedef void tbl_row_cb(struct table *t, const json_t *e);

/*
 * A table under heads (ncols of them) with a row per element of arr,
 * filled by row. When none is not NULL it stands instead of a table for
 * an array that is empty or no array.
 */
static void
tbl_array(struct fbuf *out, const json_t *arr, const char *const *heads,
    size_t ncols, tbl_row_cb *row, const char *none)
{
	struct table t;
	json_t *e;
	size_t i;

	if (none != NULL && json_array_size(arr) == 0) {
		fb_puts(out, none);
		return;
	}
	tbl_init(&t, heads, ncols);
	json_array_foreach(arr, i, e) {
		tbl_row(&t);
		row(&t, e);
	}
	tbl_render(&t, out);
	tbl_clear(&t);
}

/* Each command's text. */
typedef void ctlfmt_fn(const json_t *a, int64_t now, struct fbuf *out);

static void
status_cycle(struct table *t, const json_t *a, int64_t now)
{
	json_t *c = get(a, "cycle"), *bs = get(c, "by_status"), *v;
	const char *key;
	struct fbuf *b;
	int64_t ended;
	bool first = true;

	b = kv_begin(t, "last cycle");
	if (!json_is_object(c)) {
		fb_puts(b, json_is_null(c) ? "none finished yet" : "-");
		cell_end(t);
		return;
	}
	fb_puts(b, "ended ");
	put_time(b, get(c, "ended"));
	if (integer(get(c, "ended"), &ended) && now >= ended &&
	    ended >= 0) {
		fb_puts(b, " (");
		fmt_dur(b, (double)(now - ended));
		fb_puts(b, " ago)");
	}
	fb_puts(b, ", longest ");
	put_dur(b, get(c, "seconds"));
	fb_puts(b, ", ");
	put_count(b, get(c, "queries"), "query", "queries");
	cell_end(t);
	if (!json_is_object(bs))
		return;
	b = kv_begin(t, "by status");
	json_object_foreach(bs, key, v) {
		fb_puts(b, first ? "" : ", ");
		fb_clean(b, key, NULL);
		fb_puts(b, " ");
		put_num(b, v);
		first = false;
	}
	cell_end(t);
}

static void
status_rest(struct table *t, const json_t *a)
{
	json_t *s = get(a, "store"), *al = get(a, "alerts");
	json_t *c = get(a, "control"), *f = get(s, "failing");
	struct fbuf *b;

	b = kv_begin(t, "store");
	put_str(b, get(s, "path"));
	fb_puts(b, ", ");
	put_count(b, get(s, "commits"), "commit", "commits");
	fb_puts(b, json_is_boolean(f) ? (json_is_true(f) ? ", FAILING" :
	    ", ok") : ", -");
	cell_end(t);
	b = kv_begin(t, "alerts");
	put_num(b, get(al, "announced"));
	fb_puts(b, " announced, ");
	put_count(b, get(al, "hook_failures"), "hook failure",
	    "hook failures");
	cell_end(t);
	b = kv_begin(t, "control");
	put_count(b, get(c, "clients"), "client", "clients");
	fb_puts(b, ", ");
	put_num(b, get(c, "accepted"));
	fb_puts(b, " accepted, ");
	put_count(b, get(c, "requests"), "request", "requests");
	fb_puts(b, ", ");
	put_num(b, get(c, "bad_requests"));
	fb_puts(b, " bad, ");
	put_num(b, get(c, "dropped_slow"));
	fb_puts(b, " dropped slow, ");
	put_num(b, get(c, "dropped_idle"));
	fb_puts(b, " dropped idle");
	cell_end(t);
}

static void
fmt_status(const json_t *a, int64_t now, struct fbuf *out)
{
	json_t *not_ok = get(a, "zones_not_ok");
	struct table t;
	struct fbuf *b;
	int64_t up;

	tbl_init(&t, NULL, 2);
	b = kv_begin(&t, "version");
	fb_puts(b, "rblmond ");
	put_str(b, get(a, "version"));
	fb_puts(b, ", protocol ");
	put_num(b, get(a, "protocol"));
	fb_puts(b, ", pid ");
	put_num(b, get(a, "pid"));
	fb_puts(b, ", uid ");
	put_num(b, get(a, "uid"));
	cell_end(&t);
	b = kv_begin(&t, "started");
	put_time(b, get(a, "started"));
	fb_puts(b, ", up ");
	if (integer(get(a, "uptime"), &up))
		fmt_dur(b, (double)up);
	else
		put_dur(b, get(a, "uptime"));
	cell_end(&t);
	b = kv_begin(&t, "config");
	put_str(b, get(a, "config"));
	fb_puts(b, ", generation ");
	put_num(b, get(a, "generation"));
	cell_end(&t);
	put_num(kv_begin(&t, "targets"), get(a, "targets"));
	cell_end(&t);
	b = kv_begin(&t, "zones");
	put_num(b, get(a, "zones"));
	fb_puts(b, ", ");
	put_num(b, get(a, "zones_ok"));
	fb_puts(b, " ok");
	if (json_array_size(not_ok) > 0) {
		fb_puts(b, ", not ok: ");
		put_list(b, not_ok, ", ");
	}
	cell_end(&t);
	put_num(kv_begin(&t, "pairs"), get(a, "pairs"));
	cell_end(&t);
	b = kv_begin(&t, "listed");
	put_count(b, get(a, "listed"), "pair", "pairs");
	fb_puts(b, " on ");
	put_count(b, get(a, "listed_targets"), "target", "targets");
	cell_end(&t);
	put_num(kv_begin(&t, "errors"), get(a, "errors"));
	cell_end(&t);
	put_num(kv_begin(&t, "pending"), get(a, "pending"));
	cell_end(&t);
	put_dur(kv_begin(&t, "interval max"), get(a, "interval_max"));
	cell_end(&t);
	status_cycle(&t, a, now);
	status_rest(&t, a);
	tbl_render(&t, out);
	tbl_clear(&t);
}

static void
targets_row(struct table *t, const json_t *e)
{
	cell_str(t, get(e, "target"));
	cell_str(t, get(e, "group"));
	cell_num(t, get(e, "listed"));
}

static void
fmt_targets(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "TARGET", "GROUP", "LISTED" };

	(void)now;
	tbl_array(out, get(a, "targets"), heads, 3, targets_row,
	    "no targets\n");
}

static void
zones_row(struct table *t, const json_t *e)
{
	const char *state = str(get(e, "state"));
	json_t *budget = get(e, "budget");
	struct fbuf *b;

	cell_str(t, get(e, "zone"));
	cell_str(t, get(e, "state"));
	cell_time(t, get(e, "since"));
	cell_time(t, get(e, "last_probe"));
	b = cell_begin(t);
	put_num(b, get(e, "used_today"));
	fb_puts(b, "/");
	if (json_is_null(budget))
		fb_puts(b, "unlimited");
	else
		put_num(b, budget);
	cell_end(t);
	b = cell_begin(t);
	put_dur(b, get(e, "interval"));
	if (is_true(get(e, "stretched")))
		fb_puts(b, " stretched");
	cell_end(t);
	cell_str(t, get(e, "severity"));
	if (state == NULL || strcmp(state, "ok") != 0)
		note_str(t, "reason", get(e, "reason"));
}

static void
fmt_zones(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "ZONE", "STATE", "SINCE",
		"LAST-PROBE", "QUERIES-TODAY/BUDGET", "INTERVAL", "SEVERITY" };

	(void)now;
	tbl_array(out, get(a, "zones"), heads, 7, zones_row, "no zones\n");
}

static void
listed_row(struct table *t, const json_t *e)
{
	cell_str(t, get(e, "target"));
	cell_str(t, get(e, "zone"));
	cell_list(t, get(e, "codes"));
	cell_list(t, get(e, "labels"));
	cell_time(t, get(e, "since"));
	note_str(t, "txt", get(e, "txt"));
	note_str(t, "delist", get(e, "delist"));
}

static void
fmt_listed(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "TARGET", "ZONE", "CODES",
		"LABELS", "SINCE" };

	(void)now;
	tbl_array(out, get(a, "listed"), heads, 5, listed_row,
	    "no standing listings\n");
}

static void
show_row(struct table *t, const json_t *e)
{
	cell_str(t, get(e, "zone"));
	cell_str(t, get(e, "status"));
	cell_list(t, get(e, "codes"));
	cell_list(t, get(e, "labels"));
	cell_time(t, get(e, "since"));
	cell_time(t, get(e, "last_seen"));
	note_str(t, "txt", get(e, "txt"));
	note_str(t, "delist", get(e, "delist"));
}

static void
fmt_show(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "ZONE", "STATUS", "CODES",
		"LABELS", "SINCE", "LAST-SEEN" };
	json_t *w = get(a, "watched");
	struct table t;

	(void)now;
	tbl_init(&t, NULL, 2);
	kv_str(&t, "target", get(a, "target"));
	fb_puts(kv_begin(&t, "watched"), json_is_boolean(w) ?
	    (json_is_true(w) ? "yes" : "no") : "-");
	cell_end(&t);
	kv_str(&t, "group", get(a, "group"));
	tbl_render(&t, out);
	tbl_clear(&t);
	fb_puts(out, "\n");
	tbl_array(out, get(a, "zones"), heads, 6, show_row,
	    "no zone takes this target\n");
}

static void
check_row(struct table *t, const json_t *e)
{
	const char *zs = str(get(e, "zone_state"));

	cell_str(t, get(e, "zone"));
	cell_str(t, get(e, "status"));
	cell_list(t, get(e, "codes"));
	cell_list(t, get(e, "labels"));
	cell_num(t, get(e, "ms"));
	note_str(t, "txt", get(e, "txt"));
	note_str(t, "error", get(e, "error"));
	if (zs != NULL && strcmp(zs, "ok") != 0)
		note_str(t, "zone state", get(e, "zone_state"));
}

/* The table of live checks, for check and explain; none as tbl_array. */
static void
checks_table(const json_t *checks, struct fbuf *out, const char *none)
{
	static const char *const heads[] = { "ZONE", "STATUS", "CODES",
		"LABELS", "MS" };

	tbl_array(out, checks, heads, 5, check_row, none);
}

static void
fmt_check(const json_t *a, int64_t now, struct fbuf *out)
{
	(void)now;
	fb_puts(out, "target: ");
	put_str(out, get(a, "target"));
	fb_puts(out, "\n\n");
	checks_table(get(a, "checks"), out, "no zone takes this target\n");
}

/* history's DETAILS: codes, labels, how long a listing stood. */
static void
history_details(struct fbuf *b, const json_t *e)
{
	size_t start = b->len;

	if (json_array_size(get(e, "codes")) > 0)
		put_list(b, get(e, "codes"), ",");
	if (json_array_size(get(e, "labels")) > 0) {
		fb_puts(b, b->len > start ? " " : "");
		put_list(b, get(e, "labels"), ",");
	}
	if (is_number(get(e, "duration"))) {
		fb_puts(b, b->len > start ? " after " : "after ");
		put_dur(b, get(e, "duration"));
	}
	if (is_true(get(e, "redelivery")))
		fb_puts(b, b->len > start ? " (redelivered)" : "redelivered");
}

static void
history_row(struct table *t, const json_t *e)
{
	cell_time(t, get(e, "time"));
	cell_str(t, get(e, "event"));
	cell_str(t, get(e, "target"));
	cell_str(t, get(e, "zone"));
	history_details(cell_begin(t), e);
	cell_end(t);
	note_str(t, "txt", get(e, "txt"));
}

static void
fmt_history(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "TIME", "EVENT", "TARGET",
		"ZONE", "DETAILS" };

	(void)now;
	tbl_array(out, get(a, "events"), heads, 5, history_row,
	    "no events\n");
}

static void
fmt_sweep(const json_t *a, int64_t now, struct fbuf *out)
{
	json_t *zones = get(a, "zones"), *e;
	size_t i, n;

	(void)now;
	if (!json_is_array(zones)) {
		fb_puts(out, "sweep started\n");
		return;
	}
	n = json_array_size(zones);
	fb_printf(out, "sweep started on %zu %s%s\n", n, n == 1 ? "zone" :
	    "zones", n > 0 ? ":" : "");
	json_array_foreach(zones, i, e) {
		fb_puts(out, "  ");
		put_str(out, e);
		fb_puts(out, "\n");
	}
}

static void
fmt_reload(const json_t *a, int64_t now, struct fbuf *out)
{
	(void)now;
	fb_puts(out, "configuration reloaded, generation ");
	put_num(out, get(a, "generation"));
	fb_puts(out, "\n");
}

/* The exposition text as the daemon wrote it. */
static void
fmt_metrics(const json_t *a, int64_t now, struct fbuf *out)
{
	const char *m = json_string_value(get(a, "metrics"));
	size_t n = json_string_length(get(a, "metrics"));

	(void)now;
	if (n == 0) { /* also when it is no string */
		fb_puts(out, "-\n");
		return;
	}
	fb_add(out, m, n);
	if (m[n - 1] != '\n')
		fb_puts(out, "\n");
}

static void
diagnose_row(struct table *t, const json_t *e)
{
	cell_str(t, get(e, "zone"));
	cell_str(t, get(e, "state"));
	cell_str(t, get(e, "reason"));
}

static void
fmt_diagnose(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "ZONE", "STATE", "REASON" };
	json_t *e;
	size_t i, shown = 0;

	(void)now;
	json_array_foreach(get(a, "causes"), i, e) {
		const char *c = str(get(e, "cause"));

		if (c != NULL && strcmp(c, "none") == 0)
			continue;
		fb_puts(out, shown++ > 0 ? "\n" : "");
		put_str(out, get(e, "cause"));
		fb_puts(out, ": ");
		put_list(out, get(e, "zones"), ", ");
		fb_puts(out, "\n");
		put_note(out, "evidence", get(e, "evidence"));
		put_note(out, "advice", get(e, "advice"));
	}
	if (json_array_size(get(a, "zones")) == 0) {
		if (shown == 0)
			fb_puts(out, "every zone is ok\n");
		return;
	}
	if (shown == 0)
		fb_puts(out, "no cause shared by the zones that are not ok; "
		    "each one's reason:\n");
	fb_puts(out, "\n");
	tbl_array(out, get(a, "zones"), heads, 3, diagnose_row, NULL);
}

static void
fmt_explain(const json_t *a, int64_t now, struct fbuf *out)
{
	struct table t;
	const char *ex = str(get(a, "explanation"));

	(void)now;
	tbl_init(&t, NULL, 2);
	kv_str(&t, "kind", get(a, "kind"));
	kv_str(&t, "target", get(a, "target"));
	kv_str(&t, "zone", get(a, "zone"));
	kv_str(&t, "list", get(a, "list"));
	tbl_render(&t, out);
	tbl_clear(&t);
	if (ex != NULL) {
		fb_puts(out, "\n");
		fb_clean(out, ex, "\n");
		fb_puts(out, "\n");
	}
	fb_puts(out, "\n");
	if (json_array_size(get(a, "checks")) > 0)
		checks_table(get(a, "checks"), out, NULL);
	else if (str(get(a, "note")) != NULL) {
		fb_puts(out, "not checked live: ");
		fb_clean(out, str(get(a, "note")), "\n");
		fb_puts(out, "\n");
	}
	else if (is_false(get(a, "checked")))
		fb_puts(out, "not checked live (that needs root or the "
		    "daemon's user, and a target in the text)\n");
	else
		fb_puts(out, "no live checks\n");
}

static void
fmt_version(const json_t *a, int64_t now, struct fbuf *out)
{
	(void)now;
	fb_puts(out, "rblmond ");
	put_str(out, get(a, "version"));
	fb_puts(out, ", protocol ");
	put_num(out, get(a, "protocol"));
	fb_puts(out, "\n");
}

static void
fmt_help(const json_t *a, int64_t now, struct fbuf *out)
{
	struct table t;
	struct fbuf *b;
	json_t *e;
	size_t i;

	(void)now;
	if (json_array_size(get(a, "commands")) == 0) {
		fb_puts(out, "no commands\n");
		return;
	}
	tbl_init(&t, NULL, 2);
	t.gap = 2; /* a list, not a block of keys */
	json_array_foreach(get(a, "commands"), i, e) {
		const char *acc = str(get(e, "access"));

		tbl_row(&t);
		cell_str(&t, str(get(e, "usage")) != NULL ? get(e, "usage") :
		    get(e, "name"));
		b = cell_begin(&t);
		put_str(b, get(e, "help"));
		if (acc != NULL && strcmp(acc, "write") == 0)
			fb_puts(b, " (root or the daemon's user)");
		cell_end(&t);
	}
	tbl_render(&t, out);
	tbl_clear(&t);
}

static ctlfmt_fn *const ctlfmt_fns[CTLPROTO_CMD_COUNT] = {
	[CTLPROTO_STATUS] = fmt_status,
	[CTLPROTO_TARGETS] = fmt_targets,
	[CTLPROTO_ZONES] = fmt_zones,
	[CTLPROTO_LISTED] = fmt_listed,
	[CTLPROTO_SHOW] = fmt_show,
	[CTLPROTO_CHECK] = fmt_check,
	[CTLPROTO_HISTORY] = fmt_history,
	[CTLPROTO_SWEEP] = fmt_sweep,
	[CTLPROTO_RELOAD] = fmt_reload,
	[CTLPROTO_METRICS] = fmt_metrics,
	[CTLPROTO_DIAGNOSE] = fmt_diagnose,
	[CTLPROTO_EXPLAIN] = fmt_explain,
	[CTLPROTO_VERSION_CMD] = fmt_version,
	[CTLPROTO_HELP] = fmt_help,
};

int
ctlfmt_format(unsigned cmd, const json_t *answer, int64_t now,
    char **ret_text)
{
	struct fbuf b = { 0 };

	if (cmd >= CTLPROTO_CMD_COUNT || ctlfmt_fns[cmd] == NULL)
		return -EINVAL;
	ctlfmt_fns[cmd](answer, now, &b);
	return fb_finish(&b, ret_text);
}

/* SPDX-License-Identifier: ISC */
/*
 * rblmonctl's words: request lines checked as the daemon checks them,
 * answers decoded, the human text of every command (key: value blocks and
 * tables whose columns follow their longest cell), and the Nagios verdict
 * on a status answer. Every string of an answer is escaped before it is
 * shown; a field that is missing or of the wrong type shows as "-".
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ctlfmt.h"
#include "ctlproto.h"
#include "escape.h"

/* Bytes of a mistyped command name quoted back. */
#define CTLFMT_QUOTE_MAX 32
/* "explain " before the text of an explain request. */
#define CTLFMT_EXPLAIN_ROOM (CTLPROTO_LINE_MAX - 8)
/* Latest time shown (9999-12-31 23:59:59 UTC); later ones show as "-". */
#define CTLFMT_TIME_MAX INT64_C(253402300799)

/* Text built up; after a failed allocation every append is a no-op. */
struct fbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static bool
fb_room(struct fbuf *b, size_t more)
{
	size_t want;
	char *np;

	if (b->failed)
		return false;
	if (b->cap > b->len && more < b->cap - b->len)
		return true;
	want = b->cap != 0 ? b->cap : 256;
	while (want - b->len <= more) {
		if (want > SIZE_MAX / 2)
			goto fail;
		want *= 2;
	}
	if ((np = realloc(b->p, want)) == NULL)
		goto fail;
	b->p = np;
	b->cap = want;
	return true;
fail:
	b->failed = true;
	return false;
}

/* Append s[0..n); the text stays NUL-terminated after it. */
static void
fb_add(struct fbuf *b, const char *s, size_t n)
{
	if (!fb_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
fb_puts(struct fbuf *b, const char *s)
{
	fb_add(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
fb_printf(struct fbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!fb_room(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

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

/*
 * Append s with every control character (C0, DEL, and C1 as U+0080 to
 * U+009F) written as \xNN, so that no answer can move a terminal's
 * cursor; a newline becomes nl instead when nl is not NULL. jansson
 * hands out valid UTF-8, which is kept.
 */
static void
fb_clean(struct fbuf *b, const char *s, const char *nl)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; p[i] != '\0'; i++) {
		size_t run = i;

		while (p[run] >= 0x20 && p[run] != 0x7f && !(p[run] == 0xc2 &&
		    p[run + 1] >= 0x80 && p[run + 1] <= 0x9f))
			run++;
		fb_add(b, s + i, run - i);
		if (p[run] == '\0')
			break;
		i = run;
		if (p[i] == '\n' && nl != NULL) {
			fb_puts(b, nl);
		} else if (p[i] == 0xc2) {
			fb_printf(b, "\\xc2\\x%02x", p[i + 1]);
			i++;
		} else {
			fb_printf(b, "\\x%02x", p[i]);
		}
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

/* NULL-safe access to an answer. */
static json_t *
get(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static const char *
str(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && s[0] != '\0' ? s : NULL;
}

static bool
integer(const json_t *v, int64_t *ret)
{
	double d;

	if (json_is_integer(v)) {
		*ret = (int64_t)json_integer_value(v);
		return true;
	}
	if (!json_is_real(v))
		return false;
	d = json_real_value(v);
	if (d != floor(d) || d < -9.0e15 || d > 9.0e15)
		return false;
	*ret = (int64_t)d;
	return true;
}

/*
 * jansson's json_is_* macros name their argument twice; these take it
 * once, so that a lookup can be their argument.
 */
static bool
is_true(const json_t *v)
{
	return json_is_true(v);
}

static bool
is_false(const json_t *v)
{
	return json_is_false(v);
}

static bool
is_number(const json_t *v)
{
	return json_is_number(v);
}

static bool
is_boolean(const json_t *v)
{
	return json_is_boolean(v);
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

/*
 * Seconds as the two largest units: "41s", "41.2s", "5m12s", "2h13m",
 * "3d4h"; a unit that is zero is left out ("30m", "1h"). Under a minute
 * tenths are kept when there are any.
 */
static void
fmt_dur(struct fbuf *b, double d)
{
	uint64_t s, hi, lo;
	const char *u1, *u2;

	if (!(d >= 0) || d >= 1.0e15) {
		fb_puts(b, "-");
		return;
	}
	if (d < 59.95) {
		if (d == floor(d))
			fb_printf(b, "%.0fs", d);
		else
			fb_printf(b, "%.1fs", d);
		return;
	}
	s = (uint64_t)(d + 0.5);
	if (s < 3600) {
		hi = s / 60, lo = s % 60, u1 = "m", u2 = "s";
	} else if (s < 86400) {
		hi = s / 3600, lo = s % 3600 / 60, u1 = "h", u2 = "m";
	} else {
		hi = s / 86400, lo = s % 86400 / 3600, u1 = "d", u2 = "h";
	}
	fb_printf(b, "%" PRIu64 "%s", hi, u1);
	if (lo != 0)
		fb_printf(b, "%" PRIu64 "%s", lo, u2);
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
fmt_targets(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "TARGET", "GROUP", "LISTED" };
	struct table t;
	json_t *e;
	size_t i;

	(void)now;
	if (json_array_size(get(a, "targets")) == 0) {
		fb_puts(out, "no targets\n");
		return;
	}
	tbl_init(&t, heads, 3);
	json_array_foreach(get(a, "targets"), i, e) {
		tbl_row(&t);
		cell_str(&t, get(e, "target"));
		cell_str(&t, get(e, "group"));
		cell_num(&t, get(e, "listed"));
	}
	tbl_render(&t, out);
	tbl_clear(&t);
}

static void
fmt_zones(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "ZONE", "STATE", "SINCE",
		"LAST-PROBE", "QUERIES-TODAY/BUDGET", "INTERVAL", "SEVERITY" };
	struct table t;
	struct fbuf *b;
	json_t *e, *budget;
	size_t i;

	(void)now;
	if (json_array_size(get(a, "zones")) == 0) {
		fb_puts(out, "no zones\n");
		return;
	}
	tbl_init(&t, heads, 7);
	json_array_foreach(get(a, "zones"), i, e) {
		const char *state = str(get(e, "state"));

		tbl_row(&t);
		cell_str(&t, get(e, "zone"));
		cell_str(&t, get(e, "state"));
		cell_time(&t, get(e, "since"));
		cell_time(&t, get(e, "last_probe"));
		b = cell_begin(&t);
		put_num(b, get(e, "used_today"));
		fb_puts(b, "/");
		budget = get(e, "budget");
		if (json_is_null(budget))
			fb_puts(b, "unlimited");
		else
			put_num(b, budget);
		cell_end(&t);
		b = cell_begin(&t);
		put_dur(b, get(e, "interval"));
		if (is_true(get(e, "stretched")))
			fb_puts(b, " stretched");
		cell_end(&t);
		cell_str(&t, get(e, "severity"));
		if (state == NULL || strcmp(state, "ok") != 0)
			note_str(&t, "reason", get(e, "reason"));
	}
	tbl_render(&t, out);
	tbl_clear(&t);
}

static void
fmt_listed(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "TARGET", "ZONE", "CODES",
		"LABELS", "SINCE" };
	struct table t;
	json_t *e;
	size_t i;

	(void)now;
	if (json_array_size(get(a, "listed")) == 0) {
		fb_puts(out, "no standing listings\n");
		return;
	}
	tbl_init(&t, heads, 5);
	json_array_foreach(get(a, "listed"), i, e) {
		tbl_row(&t);
		cell_str(&t, get(e, "target"));
		cell_str(&t, get(e, "zone"));
		cell_list(&t, get(e, "codes"));
		cell_list(&t, get(e, "labels"));
		cell_time(&t, get(e, "since"));
		note_str(&t, "txt", get(e, "txt"));
		note_str(&t, "delist", get(e, "delist"));
	}
	tbl_render(&t, out);
	tbl_clear(&t);
}

static void
fmt_show(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "ZONE", "STATUS", "CODES",
		"LABELS", "SINCE", "LAST-SEEN" };
	json_t *w = get(a, "watched"), *e;
	struct table t;
	size_t i;

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
	if (json_array_size(get(a, "zones")) == 0) {
		fb_puts(out, "no zone takes this target\n");
		return;
	}
	tbl_init(&t, heads, 6);
	json_array_foreach(get(a, "zones"), i, e) {
		tbl_row(&t);
		cell_str(&t, get(e, "zone"));
		cell_str(&t, get(e, "status"));
		cell_list(&t, get(e, "codes"));
		cell_list(&t, get(e, "labels"));
		cell_time(&t, get(e, "since"));
		cell_time(&t, get(e, "last_seen"));
		note_str(&t, "txt", get(e, "txt"));
		note_str(&t, "delist", get(e, "delist"));
	}
	tbl_render(&t, out);
	tbl_clear(&t);
}

/* The table of live checks, for check and explain. */
static void
checks_table(const json_t *checks, struct fbuf *out)
{
	static const char *const heads[] = { "ZONE", "STATUS", "CODES",
		"LABELS", "MS" };
	struct table t;
	json_t *e;
	size_t i;

	tbl_init(&t, heads, 5);
	json_array_foreach(checks, i, e) {
		const char *zs = str(get(e, "zone_state"));

		tbl_row(&t);
		cell_str(&t, get(e, "zone"));
		cell_str(&t, get(e, "status"));
		cell_list(&t, get(e, "codes"));
		cell_list(&t, get(e, "labels"));
		cell_num(&t, get(e, "ms"));
		note_str(&t, "txt", get(e, "txt"));
		note_str(&t, "error", get(e, "error"));
		if (zs != NULL && strcmp(zs, "ok") != 0)
			note_str(&t, "zone state", get(e, "zone_state"));
	}
	tbl_render(&t, out);
	tbl_clear(&t);
}

static void
fmt_check(const json_t *a, int64_t now, struct fbuf *out)
{
	(void)now;
	fb_puts(out, "target: ");
	put_str(out, get(a, "target"));
	fb_puts(out, "\n\n");
	if (json_array_size(get(a, "checks")) == 0)
		fb_puts(out, "no zone takes this target\n");
	else
		checks_table(get(a, "checks"), out);
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
fmt_history(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "TIME", "EVENT", "TARGET",
		"ZONE", "DETAILS" };
	struct table t;
	json_t *e;
	size_t i;

	(void)now;
	if (json_array_size(get(a, "events")) == 0) {
		fb_puts(out, "no events\n");
		return;
	}
	tbl_init(&t, heads, 5);
	json_array_foreach(get(a, "events"), i, e) {
		tbl_row(&t);
		cell_time(&t, get(e, "time"));
		cell_str(&t, get(e, "event"));
		cell_str(&t, get(e, "target"));
		cell_str(&t, get(e, "zone"));
		history_details(cell_begin(&t), e);
		cell_end(&t);
		note_str(&t, "txt", get(e, "txt"));
	}
	tbl_render(&t, out);
	tbl_clear(&t);
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
fmt_diagnose(const json_t *a, int64_t now, struct fbuf *out)
{
	static const char *const heads[] = { "ZONE", "STATE", "REASON" };
	json_t *e;
	struct table t;
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
	if (shown == 0)
		fb_puts(out, "every zone is ok\n");
	if (json_array_size(get(a, "zones")) == 0)
		return;
	fb_puts(out, "\n");
	tbl_init(&t, heads, 3);
	json_array_foreach(get(a, "zones"), i, e) {
		tbl_row(&t);
		cell_str(&t, get(e, "zone"));
		cell_str(&t, get(e, "state"));
		cell_str(&t, get(e, "reason"));
	}
	tbl_render(&t, out);
	tbl_clear(&t);
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
		checks_table(get(a, "checks"), out);
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

/* Hand the text over, or report the allocation that failed. */
static int
fb_finish(struct fbuf *b, char **ret)
{
	if (b->failed || !fb_room(b, 0)) {
		free(b->p);
		return -ENOMEM;
	}
	b->p[b->len] = '\0'; /* also when nothing was added */
	*ret = b->p;
	return 0;
}

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

static void __attribute__((format(printf, 3, 4)))
ctlfmt_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The finished line[0..len) checked as the daemon will check it. */
static int
request_check(const char *line, size_t len,
    const struct ctlproto_command **ret_cmd, char *err, size_t errlen)
{
	struct ctlproto_request r;

	if (len > CTLPROTO_LINE_MAX) {
		ctlfmt_err(err, errlen, "the request is longer than %d bytes",
		    CTLPROTO_LINE_MAX);
		return -EINVAL;
	}
	if (ctlproto_parse(line, len, &r, err, errlen) != 0)
		return -EINVAL;
	if (ret_cmd != NULL)
		*ret_cmd = r.command;
	return 0;
}

/* Bytes text[0..len) takes escaped by ctlproto_escape_text. */
static size_t
escaped_len(const char *text, size_t len)
{
	size_t n = len;

	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n' || text[i] == '\\')
			n++;
	return n;
}

static int
explain_line(const char *text, size_t len, char *buf,
    const struct ctlproto_command **ret_cmd, char *err, size_t errlen)
{
	int n;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
	    text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len == 0) {
		ctlfmt_err(err, errlen, "usage: explain TEXT (the text is "
		    "empty)");
		return -EINVAL;
	}
	memcpy(buf, "explain ", 8);
	n = ctlproto_escape_text(text, len, buf + 8, CTLFMT_EXPLAIN_ROOM + 1);
	if (n < 0) {
		ctlfmt_err(err, errlen, "explain: the text takes %zu bytes "
		    "escaped; one request holds %d", escaped_len(text, len),
		    CTLFMT_EXPLAIN_ROOM);
		return -EINVAL;
	}
	return request_check(buf, 8 + (size_t)n, ret_cmd, err, errlen);
}

static int
request_explain(const char *const *words, size_t n, char *buf,
    const struct ctlproto_command **ret_cmd, char *err, size_t errlen)
{
	size_t len = 0, o = 0;
	char *text;
	int rc;

	for (size_t i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	if ((text = malloc(len + 1)) == NULL) {
		ctlfmt_err(err, errlen, "out of memory");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(words[i]);

		if (i > 0)
			text[o++] = ' ';
		memcpy(text + o, words[i], w);
		o += w;
	}
	rc = explain_line(text, o, buf, ret_cmd, err, errlen);
	free(text);
	return rc;
}

static void
unknown_command(const char *name, char *err, size_t errlen)
{
	char q[CTLFMT_QUOTE_MAX * 4 + 4];
	size_t n = strlen(name), k = n;

	if (k > CTLFMT_QUOTE_MAX) {
		k = CTLFMT_QUOTE_MAX;
		while (k > 0 && ((unsigned char)name[k] & 0xc0) == 0x80)
			k--;
	}
	escape_control(name, k, q, sizeof(q));
	ctlfmt_err(err, errlen, "unknown command \"%s%s\" (try help)", q,
	    k < n ? "..." : "");
}

int
ctlfmt_request(const char *const *words, size_t n, char *buf,
    size_t buflen, const struct ctlproto_command **ret_cmd, char *err,
    size_t errlen)
{
	const struct ctlproto_command *c;
	size_t len;

	if (errlen > 0)
		err[0] = '\0';
	if (buflen < CTLPROTO_LINE_MAX + 1 || n == 0 || words[0][0] == '\0') {
		ctlfmt_err(err, errlen, "no command given (try help)");
		return -EINVAL;
	}
	if ((c = ctlproto_lookup(words[0], strlen(words[0]))) == NULL) {
		unknown_command(words[0], err, errlen);
		return -EINVAL;
	}
	if (c->cmd == CTLPROTO_EXPLAIN)
		return request_explain(words + 1, n - 1, buf, ret_cmd, err,
		    errlen);
	/* history's --limit N is two words more; the daemon's rules judge. */
	if (c->cmd != CTLPROTO_HISTORY &&
	    (n - 1 < c->min_args || n - 1 > c->max_args))
		goto usage;
	len = strlen(words[0]);
	if (len > CTLPROTO_LINE_MAX)
		goto toolong;
	memcpy(buf, words[0], len);
	for (size_t i = 1; i < n; i++) {
		size_t w = strlen(words[i]);

		/* The daemon splits on blanks: one word must stay one. */
		if (w == 0 || strpbrk(words[i], " \t") != NULL) {
			ctlfmt_err(err, errlen, "%s: an argument cannot be "
			    "empty or hold blanks", c->name);
			return -EINVAL;
		}
		if (w + 1 > CTLPROTO_LINE_MAX - len)
			goto toolong;
		buf[len++] = ' ';
		memcpy(buf + len, words[i], w);
		len += w;
	}
	buf[len] = '\0';
	return request_check(buf, len, ret_cmd, err, errlen);
usage:
	ctlfmt_err(err, errlen, "usage: %s", c->usage);
	return -EINVAL;
toolong:
	ctlfmt_err(err, errlen, "the request is longer than %d bytes",
	    CTLPROTO_LINE_MAX);
	return -EINVAL;
}

int
ctlfmt_explain_request(const char *text, size_t len, char *buf,
    size_t buflen, char *err, size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	if (buflen < CTLPROTO_LINE_MAX + 1) {
		ctlfmt_err(err, errlen, "no room for a request");
		return -EINVAL;
	}
	return explain_line(text, len, buf, NULL, err, errlen);
}

int
ctlfmt_decode(const char *line, size_t len, json_t **ret, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *a;
	char q[sizeof(je.text) * 4];

	if (errlen > 0)
		err[0] = '\0';
	if ((a = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		if (json_error_code(&je) == json_error_out_of_memory)
			return -ENOMEM;
		escape_control(je.text, strlen(je.text), q, sizeof(q));
		ctlfmt_err(err, errlen, "invalid JSON: %s (at byte %d)", q,
		    je.position);
		return -EINVAL;
	}
	if (!json_is_object(a) || !is_boolean(get(a, "ok"))) {
		ctlfmt_err(err, errlen, json_is_object(a) ?
		    "the answer has no boolean \"ok\"" :
		    "the answer is not an object");
		json_decref(a);
		return -EINVAL;
	}
	*ret = a;
	return 0;
}

void
ctlfmt_answer_free(json_t *answer)
{
	json_decref(answer);
}

bool
ctlfmt_ok(const json_t *answer)
{
	return is_true(get(answer, "ok"));
}

int
ctlfmt_error(const json_t *answer, char **ret_text)
{
	struct fbuf b = { 0 };
	const char *e = str(get(answer, "error"));

	fb_clean(&b, e != NULL ? e : "the daemon gave no reason", NULL);
	return fb_finish(&b, ret_text);
}

/* What a Nagios verdict rests on, from a status answer. */
struct nagios_facts {
	int64_t listed, ended, age, max_age;
	uint64_t warn, crit;
};

static const char *const nagios_words[] = { "OK", "WARNING", "CRITICAL",
	"UNKNOWN" };

/* A name in the plugin's text: escaped, and no '|', which starts perfdata. */
static void
nag_name(struct fbuf *b, const char *s)
{
	size_t start = b->len;

	fb_clean(b, s, NULL);
	for (size_t i = start; !b->failed && i < b->len; i++)
		if (b->p[i] == '|')
			b->p[i] = '/';
}

/*
 * The facts, or false with why the answer cannot be judged: an error
 * answer, no finished cycle, a status without the figures the rules
 * need. The age of the cycle is judged by the caller.
 */
static bool
nag_facts(const json_t *s, const struct ctlfmt_nagios_limits *lim,
    int64_t now, struct nagios_facts *f, struct fbuf *why)
{
	json_t *cycle = get(s, "cycle"), *imax = get(s, "interval_max");
	char *e = NULL;

	if (!json_is_object(s)) {
		fb_puts(why, "no status answer");
		return false;
	}
	if (!ctlfmt_ok(s)) {
		fb_puts(why, "the daemon answered: ");
		if (ctlfmt_error(s, &e) != 0)
			why->failed = true;
		else
			nag_name(why, e);
		free(e);
		return false;
	}
	if (!integer(get(s, "listed"), &f->listed) || f->listed < 0) {
		fb_puts(why, "the status answer has no \"listed\"");
		return false;
	}
	if (json_is_null(cycle)) {
		fb_puts(why, "no cycle has finished yet");
		return false;
	}
	if (!integer(get(cycle, "ended"), &f->ended)) {
		fb_puts(why, "the status answer has no cycle end");
		return false;
	}
	if (lim->max_age >= 0) {
		f->max_age = lim->max_age;
	} else if (json_is_number(imax) && json_number_value(imax) > 0 &&
	    json_number_value(imax) < 1.0e15) {
		f->max_age = (int64_t)ceil(3 * json_number_value(imax));
	} else {
		fb_puts(why, "the status answer has no interval_max (give "
		    "--max-age)");
		return false;
	}
	f->age = now > f->ended ? now - f->ended : 0;
	f->warn = lim->warn != 0 ? lim->warn : 1;
	f->crit = lim->crit != 0 ? lim->crit : 1;
	return true;
}

/* Performance data as the plugin guidelines write it. */
static void
nag_perf(struct fbuf *b, const json_t *s, const struct nagios_facts *f)
{
	int64_t v, z;

	fb_printf(b, " | listed=%" PRId64 ";%" PRIu64 ";%" PRIu64 ";0",
	    f->listed, f->warn, f->crit);
	if (integer(get(s, "listed_targets"), &v))
		fb_printf(b, " listed_targets=%" PRId64 ";;;0", v);
	if (integer(get(s, "zones_ok"), &v)) {
		fb_printf(b, " zones_ok=%" PRId64 ";;;0", v);
		if (integer(get(s, "zones"), &z))
			fb_printf(b, ";%" PRId64, z);
	}
	if (integer(get(s, "errors"), &v))
		fb_printf(b, " errors=%" PRId64 ";;;0", v);
	fb_printf(b, " age=%" PRId64 "s;;%" PRId64 ";0", f->age, f->max_age);
}

/* "12 listings on 3 targets: a on z, b on z, c on z and 9 more". */
static void
nag_listings(struct fbuf *b, const json_t *s, const json_t *listed,
    int64_t n)
{
	json_t *arr = ctlfmt_ok(listed) ? get(listed, "listed") : NULL, *e;
	size_t i, shown = 0, total;
	int64_t t;

	fb_printf(b, "%" PRId64 " %s", n, n == 1 ? "listing" : "listings");
	if (integer(get(s, "listed_targets"), &t))
		fb_printf(b, " on %" PRId64 " %s", t, t == 1 ? "target" :
		    "targets");
	json_array_foreach(arr, i, e) {
		const char *tg = str(get(e, "target"));
		const char *z = str(get(e, "zone"));

		if (shown == CTLFMT_NAGIOS_NAMES)
			break;
		if (tg == NULL || z == NULL)
			continue;
		fb_puts(b, shown++ == 0 ? ": " : ", ");
		nag_name(b, tg);
		fb_puts(b, " on ");
		nag_name(b, z);
	}
	total = json_array_size(arr);
	if ((uint64_t)n > total)
		total = (size_t)n;
	if (shown > 0 && total > shown)
		fb_printf(b, " and %zu more", total - shown);
}

/* "; 2 zones not ok: a, b"; nothing when every zone is ok. */
static bool
nag_zones(struct fbuf *b, const json_t *not_ok)
{
	size_t i, n = 0, shown = 0;
	json_t *e;

	json_array_foreach(not_ok, i, e)
		n += str(e) != NULL;
	if (n == 0)
		return false;
	fb_printf(b, "; %zu %s not ok: ", n, n == 1 ? "zone" : "zones");
	json_array_foreach(not_ok, i, e) {
		if (str(e) == NULL)
			continue;
		if (shown == CTLFMT_NAGIOS_NAMES)
			break;
		fb_puts(b, shown++ == 0 ? "" : ", ");
		nag_name(b, str(e));
	}
	if (n > shown)
		fb_printf(b, " and %zu more", n - shown);
	return true;
}

int
ctlfmt_nagios(const json_t *status, const json_t *listed,
    const struct ctlfmt_nagios_limits *lim, int64_t now,
    enum ctlfmt_nagios_state *ret_state, char **ret_line)
{
	struct fbuf text = { 0 }, b = { 0 };
	struct nagios_facts f;
	enum ctlfmt_nagios_state st;
	int64_t z;
	bool not_ok;
	int rc;

	if (!nag_facts(status, lim, now, &f, &text)) {
		st = CTLFMT_NAGIOS_UNKNOWN;
		goto out;
	}
	if (f.age > f.max_age) {
		st = CTLFMT_NAGIOS_UNKNOWN;
		fb_puts(&text, "the last cycle ended ");
		fmt_dur(&text, (double)f.age);
		fb_printf(&text, " ago (%" PRId64 "s, more than the %" PRId64
		    "s allowed)", f.age, f.max_age);
		nag_perf(&text, status, &f);
		goto out;
	}
	if (f.listed > 0) {
		nag_listings(&text, status, listed, f.listed);
	} else {
		fb_puts(&text, "nothing listed");
		if (integer(get(status, "zones"), &z))
			fb_printf(&text, " on %" PRId64 " %s", z, z == 1 ?
			    "zone" : "zones");
	}
	not_ok = nag_zones(&text, get(status, "zones_not_ok"));
	if ((uint64_t)f.listed >= f.crit)
		st = CTLFMT_NAGIOS_CRITICAL;
	else if ((uint64_t)f.listed >= f.warn || not_ok)
		st = CTLFMT_NAGIOS_WARNING;
	else
		st = CTLFMT_NAGIOS_OK;
	nag_perf(&text, status, &f);
out:
	fb_printf(&b, "RBLMON %s - ", nagios_words[st]);
	if (text.p != NULL)
		fb_add(&b, text.p, text.len);
	b.failed |= text.failed;
	free(text.p);
	if ((rc = fb_finish(&b, ret_line)) == 0)
		*ret_state = st;
	return rc;
}

bool
ctlfmt_nagios_names(const json_t *status)
{
	int64_t n;

	return ctlfmt_ok(status) && integer(get(status, "listed"), &n) && n > 0;
}

int
ctlfmt_nagios_unknown(const char *why, char **ret_line)
{
	struct fbuf b = { 0 };

	fb_puts(&b, "RBLMON UNKNOWN - ");
	nag_name(&b, why != NULL ? why : "no answer");
	return fb_finish(&b, ret_line);
}

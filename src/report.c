/* SPDX-License-Identifier: ISC */
/*
 * Output of a one-shot sweep. JSON mode streams one object per result as
 * it arrives (so memory does not grow with the sweep) and ends with a
 * summary object; text mode keeps the rows it will print and writes one
 * table sorted by target and zone, then a summary line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classify.h"
#include "config.h"
#include "report.h"
#include "sweep.h"
#include "target.h"
#include "zone.h"

/* Labels shown for one result. */
#define REPORT_MAX_LABELS 16

struct report_row {
	uint32_t target;
	uint32_t zone;
	uint8_t verdict;
	uint8_t ncodes;
	uint32_t *codes;   /* owned, ncodes of them */
	char *detail;	   /* owned: TXT or error text, or NULL */
};

struct report {
	const struct config *config;
	struct report_options opts;
	uint64_t by_verdict[VERDICT_COUNT];
	uint8_t *zone_health; /* enum zone_health per zone */
	struct report_row *rows;
	size_t nrows;
	size_t rows_cap;
	int error; /* first output error */
};

int
report_new(const struct config *c, const struct report_options *o,
    struct report **ret)
{
	struct report *rep = calloc(1, sizeof(*rep));

	if (rep == NULL)
		return -ENOMEM;
	rep->config = c;
	rep->opts = *o;
	rep->zone_health = calloc(c->nzones ? c->nzones : 1, 1);
	if (rep->zone_health == NULL) {
		free(rep);
		return -ENOMEM;
	}
	*ret = rep;
	return 0;
}

static json_t *
report_codes_json(const uint32_t *codes, size_t n)
{
	json_t *a = json_array();
	char buf[16];

	for (size_t i = 0; a != NULL && i < n; i++) {
		code_format(codes[i], buf);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

static json_t *
report_labels_json(const struct zone *z, const uint32_t *codes, size_t n)
{
	const char *labels[REPORT_MAX_LABELS];
	size_t nl = zone_labels(z, codes, n, labels, REPORT_MAX_LABELS);
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < nl; i++)
		json_array_append_new(a, json_string(labels[i]));
	return a;
}

/* Write obj as one line and drop it. */
static int
report_json_line(struct report *rep, json_t *obj)
{
	int rc = 0;

	if (obj == NULL)
		return -ENOMEM;
	if (json_dumpf(obj, rep->opts.out, JSON_COMPACT) != 0 ||
	    fputc('\n', rep->opts.out) == EOF)
		rc = -EIO;
	json_decref(obj);
	return rc;
}

static int
report_add_json(struct report *rep, const struct sweep_result *r)
{
	const struct config *c = rep->config;
	const struct target *t = &c->targets[r->target];
	const struct zone *z = &c->zones[r->zone];
	char name[TARGET_TEXT_MAX];
	json_t *o = json_object();

	if (o == NULL || target_format(t, name, sizeof(name)) < 0) {
		json_decref(o);
		return -ENOMEM;
	}
	json_object_set_new(o, "target", json_string(name));
	if (t->group != 0)
		json_object_set_new(o, "group",
		    json_string(c->groups[t->group]));
	json_object_set_new(o, "zone", json_string(z->name));
	json_object_set_new(o, "status", json_string(verdict_name(r->verdict)));
	if (r->ncodes > 0 && r->verdict != VERDICT_ERROR) {
		json_object_set_new(o, "codes",
		    report_codes_json(r->codes, r->ncodes));
		json_t *labels = r->verdict == VERDICT_LISTED ?
		    report_labels_json(z, r->codes, r->ncodes) : NULL;
		if (labels != NULL && json_array_size(labels) > 0)
			json_object_set_new(o, "labels", labels);
		else
			json_decref(labels);
	}
	if (r->txt != NULL)
		json_object_set_new(o, "txt", json_string(r->txt));
	if (r->error != NULL && r->verdict == VERDICT_ERROR)
		json_object_set_new(o, "error", json_string(r->error));
	return report_json_line(rep, o);
}

static int
report_keep_row(struct report *rep, const struct sweep_result *r)
{
	struct report_row *row;
	const char *detail = r->txt != NULL ? r->txt : r->error;

	if (rep->nrows == rep->rows_cap) {
		size_t cap = rep->rows_cap ? rep->rows_cap * 2 : 64;
		void *p = realloc(rep->rows, cap * sizeof(*rep->rows));

		if (p == NULL)
			return -ENOMEM;
		rep->rows = p;
		rep->rows_cap = cap;
	}
	row = &rep->rows[rep->nrows];
	memset(row, 0, sizeof(*row));
	row->target = r->target;
	row->zone = r->zone;
	row->verdict = r->verdict;
	if (r->ncodes > 0 && r->verdict != VERDICT_ERROR) {
		row->codes = malloc(r->ncodes * sizeof(*row->codes));
		if (row->codes == NULL)
			return -ENOMEM;
		memcpy(row->codes, r->codes, r->ncodes * sizeof(*row->codes));
		row->ncodes = r->ncodes;
	}
	if (detail != NULL && (row->detail = strdup(detail)) == NULL) {
		free(row->codes);
		return -ENOMEM;
	}
	rep->nrows++;
	return 0;
}

int
report_add(struct report *rep, const struct sweep_result *r)
{
	int rc;

	rep->by_verdict[r->verdict]++;
	if (r->verdict == VERDICT_CLEAN && !rep->opts.all)
		return 0;
	if (rep->opts.json)
		rc = report_add_json(rep, r);
	else if (r->verdict == VERDICT_SUPPRESSED)
		rc = 0; /* the table sums these up per zone */
	else
		rc = report_keep_row(rep, r);
	if (rc != 0 && rep->error == 0)
		rep->error = rc;
	return rc;
}

void
report_zone(struct report *rep, uint32_t zone, enum zone_health h)
{
	rep->zone_health[zone] = (uint8_t)h;
}

static int
report_row_cmp(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	if (x->zone != y->zone)
		return x->zone < y->zone ? -1 : 1;
	return 0;
}

/* "a,b,c" of the row's codes, or of its labels. */
static void
report_join_codes(const struct report_row *row, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < row->ncodes && n + 17 < len; i++) {
		char code[16];

		code_format(row->codes[i], code);
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "",
		    code);
	}
}

static void
report_join_labels(const struct zone *z, const struct report_row *row,
    char *buf, size_t len)
{
	const char *labels[REPORT_MAX_LABELS];
	size_t nl = 0, n = 0;

	if (row->verdict == VERDICT_LISTED)
		nl = zone_labels(z, row->codes, row->ncodes, labels,
		    REPORT_MAX_LABELS);
	buf[0] = '\0';
	for (size_t i = 0; i < nl && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "",
		    labels[i]);
}

static int
report_width(const char *s, int w)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

/* One table line, without the padding of empty last columns. */
static void __attribute__((format(printf, 2, 3)))
report_line(FILE *out, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	while (n > 0 && line[n - 1] == ' ')
		n--;
	fprintf(out, "%.*s\n", n, line);
}

static void
report_print_table(struct report *rep)
{
	const struct config *c = rep->config;
	FILE *out = rep->opts.out;
	int wt = 6, wz = 4, wc = 5, wl = 6;
	char name[TARGET_TEXT_MAX], codes[ANSWER_MAX_ADDRS * 17], labels[256];

	if (rep->nrows == 0)
		return;
	qsort(rep->rows, rep->nrows, sizeof(*rep->rows), report_row_cmp);
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct report_row *row = &rep->rows[i];
		const struct zone *z = &c->zones[row->zone];

		if (target_format(&c->targets[row->target], name,
		    sizeof(name)) == 0)
			wt = report_width(name, wt);
		wz = report_width(z->name, wz);
		report_join_codes(row, codes, sizeof(codes));
		wc = report_width(codes, wc);
		report_join_labels(z, row, labels, sizeof(labels));
		wl = report_width(labels, wl);
	}
	report_line(out, "%-*s  %-*s  %-10s  %-*s  %-*s  %s", wt, "TARGET", wz,
	    "ZONE", "STATUS", wc, "CODES", wl, "LABELS", "DETAIL");
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct report_row *row = &rep->rows[i];
		const struct zone *z = &c->zones[row->zone];

		if (target_format(&c->targets[row->target], name,
		    sizeof(name)) != 0)
			name[0] = '\0';
		report_join_codes(row, codes, sizeof(codes));
		report_join_labels(z, row, labels, sizeof(labels));
		report_line(out, "%-*s  %-*s  %-10s  %-*s  %-*s  %s", wt, name,
		    wz, z->name, verdict_name(row->verdict), wc, codes, wl,
		    labels, row->detail ? row->detail : "");
	}
}

static void
report_print_summary_text(struct report *rep, double seconds)
{
	const struct config *c = rep->config;
	FILE *out = rep->opts.out;
	uint64_t pairs = 0;

	for (int v = 0; v < VERDICT_COUNT; v++)
		pairs += rep->by_verdict[v];
	for (size_t zi = 0; zi < c->nzones; zi++) {
		size_t first, count;

		if (rep->zone_health[zi] == HEALTH_OK)
			continue;
		config_zone_targets(c, &c->zones[zi], &first, &count);
		fprintf(out, "zone %s is %s: %zu results suppressed\n",
		    c->zones[zi].name, health_name(rep->zone_health[zi]),
		    count);
	}
	fprintf(out, "%zu targets x %zu zones: %llu pairs in %.2f s:", c->ntargets,
	    c->nzones, (unsigned long long)pairs, seconds);
	for (int v = 0; v < VERDICT_COUNT; v++)
		if (rep->by_verdict[v] > 0)
			fprintf(out, " %llu %s",
			    (unsigned long long)rep->by_verdict[v],
			    verdict_name((enum verdict)v));
	fputc('\n', out);
}

static int
report_print_summary_json(struct report *rep, double seconds)
{
	const struct config *c = rep->config;
	json_t *by = json_object(), *zs = json_object();
	uint64_t pairs = 0;

	for (int v = 0; by != NULL && v < VERDICT_COUNT; v++) {
		pairs += rep->by_verdict[v];
		json_object_set_new(by, verdict_name((enum verdict)v),
		    json_integer((json_int_t)rep->by_verdict[v]));
	}
	for (size_t zi = 0; zs != NULL && zi < c->nzones; zi++)
		json_object_set_new(zs, c->zones[zi].name,
		    json_string(health_name(rep->zone_health[zi])));
	return report_json_line(rep, json_pack("{s:{s:I,s:I,s:I,s:o,s:o,s:f}}",
	    "summary", "targets", (json_int_t)c->ntargets, "zones",
	    (json_int_t)c->nzones, "pairs", (json_int_t)pairs, "by_status",
	    by, "zone_state", zs, "seconds", seconds));
}

int
report_finish(struct report *rep, double seconds)
{
	int rc = 0;

	if (rep->opts.json) {
		rc = report_print_summary_json(rep, seconds);
	} else {
		report_print_table(rep);
		report_print_summary_text(rep, seconds);
	}
	if (fflush(rep->opts.out) != 0 || ferror(rep->opts.out))
		rc = -EIO;
	if (rc == 0)
		rc = rep->error;
	return rc;
}

int
report_exit_code(const struct report *rep)
{
	if (rep->by_verdict[VERDICT_LISTED] > 0)
		return REPORT_EXIT_LISTED;
	if (rep->by_verdict[VERDICT_ERROR] > 0 ||
	    rep->by_verdict[VERDICT_REFUSED] > 0 ||
	    rep->by_verdict[VERDICT_BOGUS] > 0 ||
	    rep->by_verdict[VERDICT_SUPPRESSED] > 0)
		return REPORT_EXIT_INCOMPLETE;
	for (size_t zi = 0; zi < rep->config->nzones; zi++)
		if (rep->zone_health[zi] != HEALTH_OK)
			return REPORT_EXIT_INCOMPLETE;
	return REPORT_EXIT_CLEAN;
}

void
report_free(struct report *rep)
{
	if (rep == NULL)
		return;
	for (size_t i = 0; i < rep->nrows; i++) {
		free(rep->rows[i].codes);
		free(rep->rows[i].detail);
	}
	free(rep->rows);
	free(rep->zone_health);
	free(rep);
}

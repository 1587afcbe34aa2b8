/* SPDX-License-Identifier: ISC */
/*
 * Output of a one-shot sweep. JSON mode streams one object per result as
 * it arrives (so memory does not grow with the sweep) and ends with a
 * summary object; text mode keeps the rows it will print and writes one
 * table sorted by target and zone, then a summary. Lines are gathered in
 * a buffer that is only ever written out whole, so a reader never sees a
 * line cut in the middle, and a write error is kept with its errno.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classify.h"
#include "config.h"
#include "report.h"
#include "result.h"
#include "target.h"
#include "zone.h"

/* Labels shown for one result. */
#define REPORT_MAX_LABELS 16
/* Output gathered before it is written. */
#define REPORT_BUF_SIZE 65536
/* Longest text line (JSON lines are only bounded by the buffer). */
#define REPORT_LINE_MAX 2048
/* What the GROUP column shows for targets outside any named group. */
#define REPORT_NO_GROUP "-"

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
	uint64_t counted;
	struct diagnose_zone *zones; /* per zone: health and test points */
	struct report_row *rows;
	size_t nrows;
	size_t rows_cap;
	const char *stopped; /* why the sweep ended early, or NULL */
	char *buf;	     /* whole lines not written yet */
	size_t len;
	int error; /* first output error, -errno */
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
	rep->zones = calloc(c->nzones ? c->nzones : 1, sizeof(*rep->zones));
	rep->buf = malloc(REPORT_BUF_SIZE);
	if (rep->zones == NULL || rep->buf == NULL) {
		report_free(rep);
		return -ENOMEM;
	}
	for (size_t i = 0; i < c->nzones; i++)
		rep->zones[i].zone = &c->zones[i];
	*ret = rep;
	return 0;
}

static int
report_fail(struct report *rep, int rc)
{
	if (rc != 0 && rep->error == 0)
		rep->error = rc;
	return rc;
}

int
report_flush(struct report *rep)
{
	FILE *out = rep->opts.out;

	if (rep->error != 0) {
		rep->len = 0; /* the reader is gone: drop, do not retry */
		return rep->error;
	}
	errno = 0;
	if ((rep->len > 0 && fwrite(rep->buf, 1, rep->len, out) != rep->len) ||
	    fflush(out) != 0) {
		rep->len = 0;
		return report_fail(rep, errno != 0 ? -errno : -EIO);
	}
	rep->len = 0;
	return 0;
}

/* Append one whole line (text without its newline). */
static int
report_append(struct report *rep, const char *text, size_t n)
{
	if (rep->error != 0)
		return rep->error;
	if (rep->len + n + 1 > REPORT_BUF_SIZE && report_flush(rep) != 0)
		return rep->error;
	if (n + 1 > REPORT_BUF_SIZE) {
		/* Longer than the buffer: it goes out on its own, whole. */
		errno = 0;
		if (fwrite(text, 1, n, rep->opts.out) != n ||
		    fputc('\n', rep->opts.out) == EOF ||
		    fflush(rep->opts.out) != 0)
			return report_fail(rep, errno != 0 ? -errno : -EIO);
		return 0;
	}
	memcpy(rep->buf + rep->len, text, n);
	rep->buf[rep->len + n] = '\n';
	rep->len += n + 1;
	return 0;
}

/*
 * Append obj as one JSON line and drop it. Dumped straight into the
 * buffer: no allocation on the way, so a short one cannot drop a key
 * from the middle of a line (jansson's json_dumps does not check them).
 */
static int
report_json_line(struct report *rep, json_t *obj)
{
	size_t space, n;
	char *big;
	int rc;

	if (obj == NULL)
		return report_fail(rep, -ENOMEM);
	/* Room for at least the newline, or a flush first. */
	if (rep->error != 0 || (rep->len + 1 >= REPORT_BUF_SIZE &&
	    report_flush(rep) != 0)) {
		json_decref(obj);
		return rep->error;
	}
	space = REPORT_BUF_SIZE - rep->len - 1;
	n = json_dumpb(obj, rep->buf + rep->len, space, JSON_COMPACT);
	if (n > space) {
		if (report_flush(rep) != 0) {
			json_decref(obj);
			return rep->error;
		}
		space = REPORT_BUF_SIZE - 1;
		n = json_dumpb(obj, rep->buf, space, JSON_COMPACT);
	}
	if (n == 0) {
		json_decref(obj);
		return report_fail(rep, -ENOMEM);
	}
	if (n <= space) {
		json_decref(obj);
		rep->buf[rep->len + n] = '\n';
		rep->len += n + 1;
		return 0;
	}
	/* Longer than the whole buffer: a buffer of its own. */
	big = malloc(n + 1);
	if (big == NULL || json_dumpb(obj, big, n, JSON_COMPACT) != n)
		rc = report_fail(rep, -ENOMEM);
	else
		rc = report_append(rep, big, n);
	free(big);
	json_decref(obj);
	return rc;
}

/*
 * Set o[key] = v (stolen); false, and o left as it was, on failure. Keys
 * are our own words or zone names, ASCII checked at load: jansson need not
 * check them for UTF-8 again (it would, on every line of a sweep).
 */
static bool
report_set(json_t *o, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new_nocheck(o, key, v) == 0;
}

/*
 * A JSON string of text that is ASCII by construction: canonical targets,
 * zone names and labels checked at load, dotted quads, static words, and
 * TXT text after escape_untrusted. Skips jansson's UTF-8 check.
 */
static json_t *
report_ascii(const char *text)
{
	return json_string_nocheck(text);
}

/* One text line, printf-style, without trailing blanks. */
static int __attribute__((format(printf, 2, 3)))
report_line(struct report *rep, const char *fmt, ...)
{
	char line[REPORT_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return report_fail(rep, -EINVAL);
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	while (n > 0 && line[n - 1] == ' ')
		n--;
	return report_append(rep, line, (size_t)n);
}

static json_t *
report_codes_json(const uint32_t *codes, size_t n)
{
	json_t *a = json_array();
	char buf[16];

	for (size_t i = 0; a != NULL && i < n; i++) {
		code_format(codes[i], buf);
		if (json_array_append_new(a, report_ascii(buf)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The labels of a listed result's codes; *ret NULL when there are none. */
static bool
report_labels_json(const struct zone *z, const uint32_t *codes, size_t n,
    json_t **ret)
{
	const char *labels[REPORT_MAX_LABELS];
	size_t nl = zone_labels(z, codes, n, labels, REPORT_MAX_LABELS);
	json_t *a;

	*ret = NULL;
	if (nl == 0)
		return true;
	if ((a = json_array()) == NULL)
		return false;
	for (size_t i = 0; i < nl; i++) {
		if (json_array_append_new(a, report_ascii(labels[i])) != 0) {
			json_decref(a);
			return false;
		}
	}
	*ret = a;
	return true;
}

/* The codes, labels, TXT and error of a result, added to o. */
static bool
report_details_json(json_t *o, const struct zone *z, const struct result *r)
{
	json_t *labels = NULL;

	if (r->ncodes > 0 && r->verdict != VERDICT_ERROR) {
		if (!report_set(o, "codes",
		    report_codes_json(r->codes, r->ncodes)))
			return false;
		if (r->verdict == VERDICT_LISTED &&
		    (!report_labels_json(z, r->codes, r->ncodes, &labels) ||
		    (labels != NULL && !report_set(o, "labels", labels))))
			return false;
	}
	if (r->txt != NULL && !report_set(o, "txt", report_ascii(r->txt)))
		return false;
	if (r->error != NULL && r->verdict == VERDICT_ERROR &&
	    !report_set(o, "error", json_string(r->error)))
		return false;
	return true;
}

static int
report_add_json(struct report *rep, uint32_t target, uint32_t zone,
    const struct result *r)
{
	const struct config *c = rep->config;
	const struct target *t = &c->targets[target];
	const struct zone *z = &c->zones[zone];
	char name[TARGET_TEXT_MAX];
	json_t *o = json_object();

	/* Any part missing and the whole line is: never half a result. */
	if (o == NULL || target_format(t, name, sizeof(name)) < 0 ||
	    !report_set(o, "target", report_ascii(name)) ||
	    (t->group != 0 &&
	    !report_set(o, "group",
	    report_ascii(c->groups[t->group]))) ||
	    !report_set(o, "zone", report_ascii(z->name)) ||
	    !report_set(o, "status",
	    report_ascii(verdict_name(r->verdict))) ||
	    !report_details_json(o, z, r)) {
		json_decref(o);
		return report_fail(rep, -ENOMEM);
	}
	return report_json_line(rep, o);
}

static int
report_keep_row(struct report *rep, uint32_t target, uint32_t zone,
    const struct result *r)
{
	struct report_row *row;
	const char *detail = r->txt != NULL ? r->txt : r->error;

	if (rep->nrows == rep->rows_cap) {
		size_t cap = rep->rows_cap ? rep->rows_cap * 2 : 64;
		void *p = realloc(rep->rows, cap * sizeof(*rep->rows));

		if (p == NULL)
			return report_fail(rep, -ENOMEM);
		rep->rows = p;
		rep->rows_cap = cap;
	}
	row = &rep->rows[rep->nrows];
	memset(row, 0, sizeof(*row));
	row->target = target;
	row->zone = zone;
	row->verdict = r->verdict;
	if (r->ncodes > 0 && r->verdict != VERDICT_ERROR) {
		row->codes = malloc(r->ncodes * sizeof(*row->codes));
		if (row->codes == NULL)
			return report_fail(rep, -ENOMEM);
		memcpy(row->codes, r->codes, r->ncodes * sizeof(*row->codes));
		row->ncodes = r->ncodes;
	}
	if (detail != NULL && (row->detail = strdup(detail)) == NULL) {
		free(row->codes);
		return report_fail(rep, -ENOMEM);
	}
	rep->nrows++;
	return 0;
}

int
report_add(struct report *rep, uint32_t target, uint32_t zone,
    const struct result *r)
{
	rep->by_verdict[r->verdict]++;
	rep->counted++;
	if (rep->error != 0)
		return rep->error;
	if (r->verdict == VERDICT_CLEAN && !rep->opts.all)
		return 0;
	if (rep->opts.json)
		return report_add_json(rep, target, zone, r);
	if (r->verdict == VERDICT_SUPPRESSED)
		return 0; /* the table sums these up per zone */
	return report_keep_row(rep, target, zone, r);
}

void
report_set_servers(struct report *rep, const char *servers)
{
	rep->opts.servers = servers;
}

void
report_zone(struct report *rep, uint32_t zone, enum zone_health h,
    const struct diagnose_probe probes[2])
{
	struct diagnose_zone *dz = &rep->zones[zone];

	dz->health = (uint8_t)h;
	dz->probe[0] = probes[0];
	dz->probe[1] = probes[1];
}

void
report_stopped(struct report *rep, const char *why)
{
	if (rep->stopped == NULL)
		rep->stopped = why;
}

uint64_t
report_unchecked(const struct report *rep)
{
	uint64_t total = config_pairs(rep->config);

	return total > rep->counted ? total - rep->counted : 0;
}

static bool
report_incomplete(const struct report *rep)
{
	if (rep->stopped != NULL || report_unchecked(rep) > 0)
		return true;
	for (size_t zi = 0; zi < rep->config->nzones; zi++)
		if (rep->zones[zi].health == HEALTH_UNKNOWN)
			return true;
	return false;
}

size_t
report_findings(const struct report *rep, struct diagnose_finding *ret,
    size_t max)
{
	char servers[256];
	size_t n;

	diagnose_servers(rep->opts.servers, rep->opts.system_servers, servers,
	    sizeof(servers));
	n = diagnose_findings(rep->zones, rep->config->nzones, servers, ret,
	    max);
	if (n == 1 && ret[0].cause == DIAGNOSE_NONE)
		return 0;
	return n;
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

/* "a,b,c" of the row's codes. */
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

/* "a,b,c" of the labels of a listed row's codes. */
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
	for (size_t i = 0; i < nl && n < len; i++) {
		int w = snprintf(buf + n, len - n, "%s%s", i ? "," : "",
		    labels[i]);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
}

static int
report_width(const char *s, int w)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

static const char *
report_group(const struct config *c, const struct target *t)
{
	return t->group != 0 ? c->groups[t->group] : REPORT_NO_GROUP;
}

/* The texts of one row's columns. */
struct report_cells {
	char name[TARGET_TEXT_MAX];
	const char *group;
	char codes[ANSWER_MAX_ADDRS * 17];
	char labels[256];
};

static void
report_cells(const struct report *rep, const struct report_row *row,
    struct report_cells *ret)
{
	const struct config *c = rep->config;
	const struct target *t = &c->targets[row->target];

	if (target_format(t, ret->name, sizeof(ret->name)) != 0)
		ret->name[0] = '\0';
	ret->group = report_group(c, t);
	report_join_codes(row, ret->codes, sizeof(ret->codes));
	report_join_labels(&c->zones[row->zone], row, ret->labels,
	    sizeof(ret->labels));
}

static void
report_print_table(struct report *rep)
{
	const struct config *c = rep->config;
	int wt = 6, wg = 5, wz = 4, wc = 5, wl = 6;
	struct report_cells cell;

	if (rep->nrows == 0)
		return;
	qsort(rep->rows, rep->nrows, sizeof(*rep->rows), report_row_cmp);
	for (size_t i = 0; i < rep->nrows; i++) {
		report_cells(rep, &rep->rows[i], &cell);
		wt = report_width(cell.name, wt);
		wg = report_width(cell.group, wg);
		wz = report_width(c->zones[rep->rows[i].zone].name, wz);
		wc = report_width(cell.codes, wc);
		wl = report_width(cell.labels, wl);
	}
	report_line(rep, "%-*s  %-*s  %-*s  %-10s  %-*s  %-*s  %s", wt,
	    "TARGET", wg, "GROUP", wz, "ZONE", "STATUS", wc, "CODES", wl,
	    "LABELS", "DETAIL");
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct report_row *row = &rep->rows[i];

		report_cells(rep, row, &cell);
		report_line(rep, "%-*s  %-*s  %-*s  %-10s  %-*s  %-*s  %s", wt,
		    cell.name, wg, cell.group, wz, c->zones[row->zone].name,
		    verdict_name(row->verdict), wc, cell.codes, wl,
		    cell.labels, row->detail ? row->detail : "");
	}
}

/* "zone X is dead: REASON; N pairs suppressed" per zone not ok. */
static void
report_print_zones_text(struct report *rep)
{
	const struct config *c = rep->config;
	struct diagnose_finding f[DIAGNOSE_CAUSE_COUNT];
	size_t nf;

	for (size_t zi = 0; zi < c->nzones; zi++) {
		const struct diagnose_zone *dz = &rep->zones[zi];
		char reason[256];
		size_t first, count;

		if (dz->health == HEALTH_OK || dz->health == HEALTH_UNKNOWN)
			continue;
		config_zone_targets(c, &c->zones[zi], &first, &count);
		diagnose_zone_reason(dz, reason, sizeof(reason));
		report_line(rep, "zone %s is %s: %s; %zu pair%s suppressed",
		    c->zones[zi].name, health_name(dz->health), reason, count,
		    count == 1 ? "" : "s");
	}
	nf = report_findings(rep, f, DIAGNOSE_CAUSE_COUNT);
	for (size_t i = 0; i < nf; i++)
		report_line(rep, "cause %s: %s: %s",
		    diagnose_cause_name(f[i].cause), f[i].evidence,
		    f[i].advice);
}

/* "incomplete (why): N of M pairs not checked; zones not checked: ..." */
static void
report_print_incomplete_text(struct report *rep)
{
	const struct config *c = rep->config;
	char zones[REPORT_LINE_MAX / 2];
	size_t n = 0;

	zones[0] = '\0';
	for (size_t zi = 0; zi < c->nzones; zi++) {
		int w;

		if (rep->zones[zi].health != HEALTH_UNKNOWN)
			continue;
		w = snprintf(zones + n, sizeof(zones) - n, "%s%s",
		    n ? ", " : "; zones not checked: ", c->zones[zi].name);
		if (w < 0 || (size_t)w >= sizeof(zones) - n)
			break;
		n += (size_t)w;
	}
	report_line(rep, "sweep incomplete (%s): %llu of %llu pairs not "
	    "checked%s", rep->stopped ? rep->stopped : "stopped early",
	    (unsigned long long)report_unchecked(rep),
	    (unsigned long long)config_pairs(c), zones);
}

static void
report_print_summary_text(struct report *rep, double seconds)
{
	const struct config *c = rep->config;
	char line[REPORT_LINE_MAX];
	size_t n;

	report_print_zones_text(rep);
	if (report_incomplete(rep))
		report_print_incomplete_text(rep);
	n = (size_t)snprintf(line, sizeof(line), "%zu targets x %zu zones: "
	    "%llu pairs in %.2f s:", c->ntargets, c->nzones,
	    (unsigned long long)rep->counted, seconds);
	for (int v = 0; v < VERDICT_COUNT && n < sizeof(line); v++)
		if (rep->by_verdict[v] > 0)
			n += (size_t)snprintf(line + n, sizeof(line) - n,
			    " %llu %s", (unsigned long long)rep->by_verdict[v],
			    verdict_name((enum verdict)v));
	report_line(rep, "%s", line);
}

/* {zone: state} of decided zones, {zone: reason} of those not ok. */
static bool
report_zones_json(const struct report *rep, json_t *states, json_t *reasons,
    json_t *unchecked)
{
	const struct config *c = rep->config;

	for (size_t zi = 0; zi < c->nzones; zi++) {
		const struct diagnose_zone *dz = &rep->zones[zi];
		const char *name = c->zones[zi].name;
		char reason[256];

		if (dz->health == HEALTH_UNKNOWN) {
			if (json_array_append_new(unchecked,
			    json_string(name)) != 0)
				return false;
			continue;
		}
		if (!report_set(states, name,
		    json_string(health_name(dz->health))))
			return false;
		if (dz->health == HEALTH_OK)
			continue;
		diagnose_zone_reason(dz, reason, sizeof(reason));
		if (!report_set(reasons, name, json_string(reason)))
			return false;
	}
	return true;
}

/* [{cause, zones, evidence, advice}] of the zones not ok. */
static json_t *
report_diagnosis_json(const struct report *rep)
{
	struct diagnose_finding f[DIAGNOSE_CAUSE_COUNT];
	size_t nf = report_findings(rep, f, DIAGNOSE_CAUSE_COUNT);
	json_t *list = json_array();

	for (size_t i = 0; list != NULL && i < nf; i++) {
		json_t *zones = json_array();

		for (size_t zi = 0; zones != NULL &&
		    zi < rep->config->nzones; zi++) {
			if (diagnose_finding_has(&f[i], &rep->zones[zi]) &&
			    json_array_append_new(zones, json_string(
			    rep->config->zones[zi].name)) != 0) {
				json_decref(zones);
				zones = NULL;
			}
		}
		if (json_array_append_new(list, json_pack("{s:s,s:o,s:s,s:s}",
		    "cause", diagnose_cause_name(f[i].cause), "zones", zones,
		    "evidence", f[i].evidence, "advice", f[i].advice)) != 0) {
			json_decref(list);
			list = NULL;
		}
	}
	return list;
}

/* {status: count}, with "unchecked" for the pairs not got to. */
static json_t *
report_by_status_json(const struct report *rep)
{
	json_t *by = json_object();
	uint64_t unchecked = report_unchecked(rep);

	for (int v = 0; by != NULL && v < VERDICT_COUNT; v++) {
		if (!report_set(by, verdict_name((enum verdict)v),
		    json_integer((json_int_t)rep->by_verdict[v]))) {
			json_decref(by);
			return NULL;
		}
	}
	if (by != NULL && unchecked > 0 && !report_set(by, "unchecked",
	    json_integer((json_int_t)unchecked))) {
		json_decref(by);
		return NULL;
	}
	return by;
}

static int
report_print_summary_json(struct report *rep, double seconds)
{
	const struct config *c = rep->config;
	json_t *zs = json_object(), *zr = json_object(), *uz = json_array();
	json_t *sum = NULL;
	bool incomplete = report_incomplete(rep);

	if (zs != NULL && zr != NULL && uz != NULL &&
	    report_zones_json(rep, zs, zr, uz))
		sum = json_pack("{s:I,s:I,s:I,s:o,s:O,s:O,s:o,s:b}",
		    "targets", (json_int_t)c->ntargets,
		    "zones", (json_int_t)c->nzones,
		    "pairs", (json_int_t)config_pairs(c),
		    "by_status", report_by_status_json(rep),
		    "zone_state", zs, "zone_reason", zr,
		    "diagnosis", report_diagnosis_json(rep),
		    "incomplete", incomplete);
	if (sum != NULL && ((json_array_size(uz) > 0 &&
	    json_object_set(sum, "unchecked_zones", uz) != 0) ||
	    (incomplete && !report_set(sum, "stopped",
	    json_string(rep->stopped ? rep->stopped : "stopped early"))) ||
	    !report_set(sum, "seconds", json_real(seconds)))) {
		json_decref(sum);
		sum = NULL;
	}
	json_decref(zs);
	json_decref(zr);
	json_decref(uz);
	return report_json_line(rep, sum != NULL ?
	    json_pack("{s:o}", "summary", sum) : NULL);
}

int
report_finish(struct report *rep, double seconds)
{
	if (rep->opts.json) {
		report_print_summary_json(rep, seconds);
	} else {
		report_print_table(rep);
		report_print_summary_text(rep, seconds);
	}
	return report_flush(rep);
}

int
report_exit_code(const struct report *rep)
{
	if (rep->by_verdict[VERDICT_LISTED] > 0)
		return REPORT_EXIT_LISTED;
	if (rep->by_verdict[VERDICT_ERROR] > 0 ||
	    rep->by_verdict[VERDICT_REFUSED] > 0 ||
	    rep->by_verdict[VERDICT_BOGUS] > 0 ||
	    rep->by_verdict[VERDICT_SUPPRESSED] > 0 || report_incomplete(rep))
		return REPORT_EXIT_INCOMPLETE;
	for (size_t zi = 0; zi < rep->config->nzones; zi++)
		if (rep->zones[zi].health != HEALTH_OK)
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
	free(rep->zones);
	free(rep->buf);
	free(rep);
}

/* SPDX-License-Identifier: ISC */
/*
 * Prometheus text exposition format 0.0.4: a growable buffer that keeps
 * whole lines, name checks, escaping, values, and the two documents the
 * daemon serves (its rblmon_* series and the dnsbl_exporter's six).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

void
metrics_buf_init(struct metrics_buf *b)
{
	*b = (struct metrics_buf){ 0 };
}

void
metrics_buf_clear(struct metrics_buf *b)
{
	size_t max;

	if (b == NULL)
		return;
	max = b->max;
	free(b->data);
	*b = (struct metrics_buf){ .max = max };
}

/* Make room for n more bytes and a NUL; false (and failed) when not. */
static bool
buf_reserve(struct metrics_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return false;
	if (n > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + n + 1;
	if (b->max != 0 && need > b->max)
		goto fail;
	if (need <= b->cap)
		return true;
	cap = b->cap != 0 ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->max != 0 && cap > b->max)
		cap = b->max;
	p = realloc(b->data, cap);
	if (p == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	return false;
}

static void
buf_put(struct metrics_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
buf_puts(struct metrics_buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/*
 * s with backslash and newline escaped, and with quote the double quote
 * too: label values escape all three, HELP text the first two.
 */
static void
buf_escaped(struct metrics_buf *b, const char *s, bool quote)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *esc = NULL;

		if (*s == '\\')
			esc = "\\\\";
		else if (*s == '\n')
			esc = "\\n";
		else if (*s == '"' && quote)
			esc = "\\\"";
		if (esc == NULL)
			continue;
		buf_put(b, run, (size_t)(s - run));
		buf_put(b, esc, 2);
		run = s + 1;
	}
	buf_put(b, run, (size_t)(s - run));
}

/*
 * A line is written whole or not at all: on failure the text is cut back
 * to where the line began, so a failed buffer still holds whole lines.
 */
static void
buf_line_end(struct metrics_buf *b, size_t start)
{
	buf_put(b, "\n", 1);
	if (b->failed && b->data != NULL) {
		b->len = start;
		b->data[start] = '\0';
	}
}

bool
metrics_name_valid(const char *name, bool label)
{
	if (name == NULL || *name == '\0')
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (c == ':' && !label);

		if (!alpha && (p == name || c < '0' || c > '9'))
			return false;
	}
	return true;
}

int
metrics_family(struct metrics_buf *b, const char *name, const char *type,
    const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram",
		"summary", "untyped" };
	bool known = false;
	size_t start = b->len;

	for (size_t i = 0; type != NULL && i < NROWS(types); i++)
		known = known || strcmp(type, types[i]) == 0;
	if (!known || !metrics_name_valid(name, false))
		return 1;
	/* Both lines or neither: a HELP is never left without its TYPE. */
	buf_puts(b, "# HELP ");
	buf_puts(b, name);
	buf_puts(b, " ");
	buf_escaped(b, help != NULL ? help : "", false);
	buf_puts(b, "\n# TYPE ");
	buf_puts(b, name);
	buf_puts(b, " ");
	buf_puts(b, type);
	buf_line_end(b, start);
	return 0;
}

/*
 * Whether s is UTF-8 (RFC 3629: shortest forms, no surrogates, at most
 * U+10FFFF). Scrapers reject a whole document over one label value that
 * is not, so such a sample is left out instead.
 */
static bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		unsigned char c = *p++;
		int more = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 :
		    c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 :
		    -1;
		unsigned char lo = 0x80, hi = 0xbf;

		if (more < 0)
			return false;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
		else if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
		for (int i = 0; i < more; i++, p++) {
			if (*p < lo || *p > hi)
				return false;
			lo = 0x80;
			hi = 0xbf;
		}
	}
	return true;
}

/* Whether labels is well formed: valid names, each once, UTF-8 values. */
static bool
labels_valid(const char *const *labels)
{
	for (size_t i = 0; labels != NULL && labels[i] != NULL; i += 2) {
		if (!metrics_name_valid(labels[i], true) ||
		    labels[i + 1] == NULL || !utf8_valid(labels[i + 1]))
			return false;
		for (size_t j = 0; j < i; j += 2)
			if (strcmp(labels[i], labels[j]) == 0)
				return false;
	}
	return true;
}

/* 2^53: past it not every integer is a double. */
#define INT_EXACT 9007199254740992.0

size_t
metrics_value_format(double v, char out[METRICS_VALUE_MAX])
{
	int n = 0;

	if (isnan(v))
		n = snprintf(out, METRICS_VALUE_MAX, "NaN");
	else if (isinf(v))
		n = snprintf(out, METRICS_VALUE_MAX, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < INT_EXACT)
		n = snprintf(out, METRICS_VALUE_MAX, "%lld", (long long)v);
	else {
		/*
		 * The fewest digits that read back as exactly v, as Go's
		 * client writes them; 17 always do (%.17g).
		 */
		for (int prec = 1; prec <= 17; prec++) {
			n = snprintf(out, METRICS_VALUE_MAX, "%.*g", prec, v);
			if (strtod(out, NULL) == v)
				break;
		}
	}
	return n > 0 ? (size_t)n : 0;
}

int
metrics_sample(struct metrics_buf *b, const char *name,
    const char *const *labels, double value)
{
	char num[METRICS_VALUE_MAX];
	size_t start = b->len;

	if (!metrics_name_valid(name, false) || !labels_valid(labels))
		return 1;
	buf_puts(b, name);
	if (labels != NULL && labels[0] != NULL) {
		for (size_t i = 0; labels[i] != NULL; i += 2) {
			buf_puts(b, i == 0 ? "{" : ",");
			buf_puts(b, labels[i]);
			buf_puts(b, "=\"");
			buf_escaped(b, labels[i + 1], true);
			buf_puts(b, "\"");
		}
		buf_puts(b, "}");
	}
	buf_puts(b, " ");
	buf_put(b, num, metrics_value_format(value, num));
	buf_line_end(b, start);
	return 0;
}

/* NULL as the empty value: optional labels (group, a code's label). */
static const char *
opt(const char *s)
{
	return s != NULL ? s : "";
}

/* luzilla_rbls_errors (listed false) or _ips_blacklisted: every pair. */
static int
luzilla_pairs(struct metrics_buf *b, const struct metrics_luzilla *in,
    const char *name, bool listed)
{
	int skipped = 0;

	for (size_t i = 0; i < in->npairs; i++) {
		const struct metrics_luzilla_pair *p = &in->pairs[i];
		const char *labels[] = { "hostname", p->hostname, "ip", p->ip,
			"rbl", p->rbl < in->nrbls ? in->rbls[p->rbl] : NULL,
			NULL };
		bool on = listed ? p->listed : p->error;

		skipped += metrics_sample(b, name, labels, on ? 1 : 0);
	}
	return skipped;
}

/* luzilla_rbls_listed: the listed pairs of each rbl. */
static int
luzilla_listed(struct metrics_buf *b, const struct metrics_luzilla *in)
{
	int skipped = 0;

	for (size_t r = 0; r < in->nrbls; r++) {
		const char *labels[] = { "rbl", in->rbls[r], NULL };
		uint64_t n = 0;

		for (size_t i = 0; i < in->npairs; i++)
			n += in->pairs[i].rbl == r && in->pairs[i].listed;
		skipped += metrics_sample(b, "luzilla_rbls_listed", labels,
		    (double)n);
	}
	return skipped;
}

/*
 * The dnsbl_exporter's families in the order its registry writes them
 * (sorted by name), each sample's labels sorted by name as its client
 * library writes them; names and HELP texts are its own, word for word
 * (collector/collector.go).
 */
int
metrics_render_luzilla(struct metrics_buf *b, const struct metrics_luzilla *in)
{
	int skipped = 0;

	metrics_family(b, "luzilla_rbls_duration", "gauge",
	    "The scrape's duration (in seconds)");
	skipped += metrics_sample(b, "luzilla_rbls_duration", NULL,
	    in->duration);
	metrics_family(b, "luzilla_rbls_errors", "gauge",
	    "Whether an error occurred while testing this target against "
	    "the RBL (1) or not (0)");
	skipped += luzilla_pairs(b, in, "luzilla_rbls_errors", false);
	metrics_family(b, "luzilla_rbls_ips_blacklisted", "gauge",
	    "Blacklisted IPs");
	skipped += luzilla_pairs(b, in, "luzilla_rbls_ips_blacklisted", true);
	metrics_family(b, "luzilla_rbls_listed", "gauge",
	    "The number of listings in RBLs (this is bad)");
	skipped += luzilla_listed(b, in);
	metrics_family(b, "luzilla_rbls_targets", "gauge",
	    "The number of targets that are being probed (configured via "
	    "targets.ini or ?target=)");
	skipped += metrics_sample(b, "luzilla_rbls_targets", NULL,
	    (double)in->targets);
	metrics_family(b, "luzilla_rbls_used", "gauge",
	    "The number of RBLs to check IPs against (configured via "
	    "rbls.ini)");
	skipped += metrics_sample(b, "luzilla_rbls_used", NULL,
	    (double)in->nrbls);
	return skipped;
}

/* The rblmon_* families, in the order they are written. */
enum native_kind {
	NATIVE_TARGETS,
	NATIVE_ZONES,
	NATIVE_LISTED,
	NATIVE_ZONE_LISTED,
	NATIVE_ZONE_STATE,
	NATIVE_QUERIES,
	NATIVE_ANSWERS,
	NATIVE_ERRORS,
	NATIVE_BUDGET_USED,
	NATIVE_BUDGET_LIMIT,
	NATIVE_CYCLE_SECONDS,
	NATIVE_CYCLE_END,
	NATIVE_ALERTS,
	NATIVE_HOOK_FAILURES,
};

static const struct native_family {
	enum native_kind kind;
	const char *name, *type, *help;
} native_families[] = {
	{ NATIVE_TARGETS, "rblmon_targets", "gauge",
	    "Targets watched: addresses (networks expanded) and domains" },
	{ NATIVE_ZONES, "rblmon_zones", "gauge", "Zones configured" },
	{ NATIVE_LISTED, "rblmon_listed", "gauge",
	    "1 for each code of each standing listing" },
	{ NATIVE_ZONE_LISTED, "rblmon_zone_listed_targets", "gauge",
	    "Targets with a standing listing on the zone" },
	{ NATIVE_ZONE_STATE, "rblmon_zone_state", "gauge",
	    "1 for the zone's health state (RFC 5782 test points), "
	    "0 for the others" },
	{ NATIVE_QUERIES, "rblmon_queries_total", "counter",
	    "DNS queries sent to the zone, test points included" },
	{ NATIVE_ANSWERS, "rblmon_answers_total", "counter",
	    "Outcomes of the zone's queries by class" },
	{ NATIVE_ERRORS, "rblmon_errors_total", "counter",
	    "Queries to the zone that ended in an error, by reason" },
	{ NATIVE_BUDGET_USED, "rblmon_budget_used", "gauge",
	    "Queries counted against the zone's daily budget this UTC day" },
	{ NATIVE_BUDGET_LIMIT, "rblmon_budget_limit", "gauge",
	    "The zone's daily_budget (zones that have one)" },
	{ NATIVE_CYCLE_SECONDS, "rblmon_sweep_duration_seconds", "gauge",
	    "Seconds the zone's last complete cycle took" },
	{ NATIVE_CYCLE_END, "rblmon_last_cycle_timestamp_seconds", "gauge",
	    "When the zone's last complete cycle ended, in Unix seconds" },
	{ NATIVE_ALERTS, "rblmon_alerts_total", "counter",
	    "Alerts announced, by event" },
	{ NATIVE_HOOK_FAILURES, "rblmon_hook_failures_total", "counter",
	    "Alert commands that failed, were killed or timed out" },
};

/*
 * The figure of family kind for zone z, written to *ret; false when the
 * zone has no sample there (no budget, no complete cycle yet).
 */
static bool
zone_figure(const struct metrics_zone *z, enum native_kind kind,
    double *ret)
{
	switch (kind) {
	case NATIVE_ZONE_LISTED:
		*ret = (double)z->listed_targets;
		return true;
	case NATIVE_QUERIES:
		*ret = (double)z->queries;
		return true;
	case NATIVE_BUDGET_USED:
		*ret = (double)z->budget_used;
		return true;
	case NATIVE_BUDGET_LIMIT:
		*ret = (double)z->budget_limit;
		return z->budget_limit != 0;
	case NATIVE_CYCLE_SECONDS:
		*ret = z->cycle_seconds;
		return z->cycled;
	case NATIVE_CYCLE_END:
		*ret = z->cycle_end;
		return z->cycled;
	default:
		return false;
	}
}

/* A zone's counts by one more label (answers by class, errors by reason). */
static int
zone_counts(struct metrics_buf *b, const char *name, const char *zone,
    const char *key, const struct metrics_count *c, size_t n)
{
	int skipped = 0;

	for (size_t j = 0; j < n; j++) {
		const char *labels[] = { "zone", zone, key, c[j].value, NULL };

		skipped += metrics_sample(b, name, labels,
		    (double)c[j].count);
	}
	return skipped;
}

static int
zone_states(struct metrics_buf *b, const char *name,
    const struct metrics_zone *z)
{
	int skipped = 0;

	for (int h = 0; h < HEALTH_COUNT; h++) {
		const char *labels[] = { "zone", z->name, "state",
			health_name((enum zone_health)h), NULL };

		skipped += metrics_sample(b, name, labels,
		    (int)z->state == h ? 1 : 0);
	}
	return skipped;
}

/* The samples of a family with one or more per zone. */
static int
render_zones(struct metrics_buf *b, const struct metrics_native *in,
    const struct native_family *f)
{
	int skipped = 0;

	for (size_t i = 0; i < in->nzones; i++) {
		const struct metrics_zone *z = &in->zones[i];
		const char *labels[] = { "zone", z->name, NULL };
		double v;

		if (f->kind == NATIVE_ZONE_STATE)
			skipped += zone_states(b, f->name, z);
		else if (f->kind == NATIVE_ANSWERS)
			skipped += zone_counts(b, f->name, z->name, "class",
			    z->answers, z->nanswers);
		else if (f->kind == NATIVE_ERRORS)
			skipped += zone_counts(b, f->name, z->name, "reason",
			    z->errors, z->nerrors);
		else if (zone_figure(z, f->kind, &v))
			skipped += metrics_sample(b, f->name, labels, v);
	}
	return skipped;
}

static int
render_listings(struct metrics_buf *b, const struct metrics_native *in,
    const char *name)
{
	int skipped = 0;

	for (size_t i = 0; i < in->nlistings; i++) {
		const struct metrics_listing *l = &in->listings[i];
		const char *labels[] = { "target", l->target, "group",
			opt(l->group), "zone", l->zone, "code", l->code,
			"label", opt(l->label), NULL };

		skipped += metrics_sample(b, name, labels, 1);
	}
	return skipped;
}

static int
render_alerts(struct metrics_buf *b, const struct metrics_native *in,
    const char *name)
{
	int skipped = 0;

	for (size_t i = 0; i < in->nalerts; i++) {
		const char *labels[] = { "event", in->alerts[i].value, NULL };

		skipped += metrics_sample(b, name, labels,
		    (double)in->alerts[i].count);
	}
	return skipped;
}

int
metrics_render_native(struct metrics_buf *b, const struct metrics_native *in)
{
	int skipped = 0;

	for (size_t i = 0; i < NROWS(native_families); i++) {
		const struct native_family *f = &native_families[i];

		metrics_family(b, f->name, f->type, f->help);
		switch (f->kind) {
		case NATIVE_TARGETS:
			skipped += metrics_sample(b, f->name, NULL,
			    (double)in->targets);
			break;
		case NATIVE_ZONES:
			skipped += metrics_sample(b, f->name, NULL,
			    (double)in->nzones);
			break;
		case NATIVE_LISTED:
			skipped += render_listings(b, in, f->name);
			break;
		case NATIVE_ALERTS:
			skipped += render_alerts(b, in, f->name);
			break;
		case NATIVE_HOOK_FAILURES:
			skipped += metrics_sample(b, f->name, NULL,
			    (double)in->hook_failures);
			break;
		default:
			skipped += render_zones(b, in, f);
			break;
		}
	}
	return skipped;
}

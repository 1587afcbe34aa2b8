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

/* Whether labels is well formed: valid names, each once, values given. */
static bool
labels_valid(const char *const *labels)
{
	for (size_t i = 0; labels != NULL && labels[i] != NULL; i += 2) {
		if (!metrics_name_valid(labels[i], true) ||
		    labels[i + 1] == NULL)
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

/*
 * The dnsbl_exporter's families in the order its registry writes them
 * (sorted by name), each sample's labels sorted by name as its client
 * library writes them; names and HELP texts are its own, word for word.
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
	for (size_t i = 0; i < in->npairs; i++) {
		const struct metrics_luzilla_pair *p = &in->pairs[i];
		const char *labels[] = { "hostname", p->hostname, "ip", p->ip,
			"rbl", p->rbl < in->nrbls ? in->rbls[p->rbl] : NULL,
			NULL };

		skipped += metrics_sample(b, "luzilla_rbls_errors", labels,
		    p->error ? 1 : 0);
	}
	metrics_family(b, "luzilla_rbls_ips_blacklisted", "gauge",
	    "Blacklisted IPs");
	for (size_t i = 0; i < in->npairs; i++) {
		const struct metrics_luzilla_pair *p = &in->pairs[i];
		const char *labels[] = { "hostname", p->hostname, "ip", p->ip,
			"rbl", p->rbl < in->nrbls ? in->rbls[p->rbl] : NULL,
			NULL };

		skipped += metrics_sample(b, "luzilla_rbls_ips_blacklisted",
		    labels, p->listed ? 1 : 0);
	}
	metrics_family(b, "luzilla_rbls_listed", "gauge",
	    "The number of listings in RBLs (this is bad)");
	for (size_t r = 0; r < in->nrbls; r++) {
		const char *labels[] = { "rbl", in->rbls[r], NULL };
		uint64_t n = 0;

		for (size_t i = 0; i < in->npairs; i++)
			n += in->pairs[i].rbl == r && in->pairs[i].listed;
		skipped += metrics_sample(b, "luzilla_rbls_listed", labels,
		    (double)n);
	}
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

/* One sample per zone of a family labelled only by zone. */
static int
zone_figure(struct metrics_buf *b, const struct metrics_native *in,
    const char *name, int which)
{
	int skipped = 0;

	for (size_t i = 0; i < in->nzones; i++) {
		const struct metrics_zone *z = &in->zones[i];
		const char *labels[] = { "zone", z->name, NULL };
		double v;

		switch (which) {
		case 0:
			v = (double)z->listed_targets;
			break;
		case 1:
			v = (double)z->queries;
			break;
		case 2:
			v = (double)z->budget_used;
			break;
		case 3:
			if (z->budget_limit == 0)
				continue;
			v = (double)z->budget_limit;
			break;
		case 4:
			if (!z->cycled)
				continue;
			v = z->cycle_seconds;
			break;
		default:
			if (!z->cycled)
				continue;
			v = z->cycle_end;
			break;
		}
		skipped += metrics_sample(b, name, labels, v);
	}
	return skipped;
}

/* A zone's counts by one more label (answers by class, errors by reason). */
static int
zone_counts(struct metrics_buf *b, const struct metrics_native *in,
    const char *name, const char *key, bool errors)
{
	int skipped = 0;

	for (size_t i = 0; i < in->nzones; i++) {
		const struct metrics_zone *z = &in->zones[i];
		const struct metrics_count *c = errors ? z->errors : z->answers;
		size_t n = errors ? z->nerrors : z->nanswers;

		for (size_t j = 0; j < n; j++) {
			const char *labels[] = { "zone", z->name, key,
				c[j].value, NULL };

			skipped += metrics_sample(b, name, labels,
			    (double)c[j].count);
		}
	}
	return skipped;
}

static int
render_listings(struct metrics_buf *b, const struct metrics_native *in)
{
	int skipped = 0;

	for (size_t i = 0; i < in->nlistings; i++) {
		const struct metrics_listing *l = &in->listings[i];
		const char *labels[] = { "target", l->target, "group",
			opt(l->group), "zone", l->zone, "code", l->code,
			"label", opt(l->label), NULL };

		skipped += metrics_sample(b, "rblmon_listed", labels, 1);
	}
	return skipped;
}

static int
render_states(struct metrics_buf *b, const struct metrics_native *in)
{
	int skipped = 0;

	for (size_t i = 0; i < in->nzones; i++) {
		const struct metrics_zone *z = &in->zones[i];

		for (int h = 0; h < HEALTH_COUNT; h++) {
			const char *labels[] = { "zone", z->name, "state",
				health_name((enum zone_health)h), NULL };

			skipped += metrics_sample(b, "rblmon_zone_state",
			    labels, (int)z->state == h ? 1 : 0);
		}
	}
	return skipped;
}

int
metrics_render_native(struct metrics_buf *b, const struct metrics_native *in)
{
	int skipped = 0;

	metrics_family(b, "rblmon_targets", "gauge",
	    "Targets watched: addresses (networks expanded) and domains");
	skipped += metrics_sample(b, "rblmon_targets", NULL,
	    (double)in->targets);
	metrics_family(b, "rblmon_zones", "gauge", "Zones configured");
	skipped += metrics_sample(b, "rblmon_zones", NULL,
	    (double)in->nzones);
	metrics_family(b, "rblmon_listed", "gauge",
	    "1 for each code of each standing listing");
	skipped += render_listings(b, in);
	metrics_family(b, "rblmon_zone_listed_targets", "gauge",
	    "Targets with a standing listing on the zone");
	skipped += zone_figure(b, in, "rblmon_zone_listed_targets", 0);
	metrics_family(b, "rblmon_zone_state", "gauge",
	    "1 for the zone's health state (RFC 5782 test points), "
	    "0 for the others");
	skipped += render_states(b, in);
	metrics_family(b, "rblmon_queries_total", "counter",
	    "DNS queries sent to the zone, test points included");
	skipped += zone_figure(b, in, "rblmon_queries_total", 1);
	metrics_family(b, "rblmon_answers_total", "counter",
	    "Outcomes of the zone's queries by class");
	skipped += zone_counts(b, in, "rblmon_answers_total", "class", false);
	metrics_family(b, "rblmon_errors_total", "counter",
	    "Queries to the zone that ended in an error, by reason");
	skipped += zone_counts(b, in, "rblmon_errors_total", "reason", true);
	metrics_family(b, "rblmon_budget_used", "gauge",
	    "Queries counted against the zone's daily budget this UTC day");
	skipped += zone_figure(b, in, "rblmon_budget_used", 2);
	metrics_family(b, "rblmon_budget_limit", "gauge",
	    "The zone's daily_budget (zones that have one)");
	skipped += zone_figure(b, in, "rblmon_budget_limit", 3);
	metrics_family(b, "rblmon_sweep_duration_seconds", "gauge",
	    "Seconds the zone's last complete cycle took");
	skipped += zone_figure(b, in, "rblmon_sweep_duration_seconds", 4);
	metrics_family(b, "rblmon_last_cycle_timestamp_seconds", "gauge",
	    "When the zone's last complete cycle ended, in Unix seconds");
	skipped += zone_figure(b, in, "rblmon_last_cycle_timestamp_seconds",
	    5);
	metrics_family(b, "rblmon_alerts_total", "counter",
	    "Alerts announced, by event");
	for (size_t i = 0; i < in->nalerts; i++) {
		const char *labels[] = { "event", in->alerts[i].value, NULL };

		skipped += metrics_sample(b, "rblmon_alerts_total", labels,
		    (double)in->alerts[i].count);
	}
	metrics_family(b, "rblmon_hook_failures_total", "counter",
	    "Alert commands that failed, were killed or timed out");
	skipped += metrics_sample(b, "rblmon_hook_failures_total", NULL,
	    (double)in->hook_failures);
	return skipped;
}

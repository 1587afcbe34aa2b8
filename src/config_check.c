/* SPDX-License-Identifier: ISC */
/*
 * The configuration checks that need the whole file: each zone's test
 * points (its type may come after them), the longest query names, the
 * life of one query (timeout and tries may stand anywhere), and the
 * warnings about retired lists and about budgets and rates a zone's
 * interval cannot keep. Run by config.c once parsing is done.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "escape.h"
#include "health.h"
#include "loader.h"
#include "retired.h"
#include "schedule.h"

/* ---- query names ---- */

/* Length of the query-name part before the zone: "d.c.b.a." etc. */
static size_t
loader_prefix_len(const struct target *t)
{
	size_t n = 0;

	switch (t->kind) {
	case TARGET_IPV4:
		for (int i = 0; i < 4; i++)
			n += (t->u.addr[i] >= 100) + (t->u.addr[i] >= 10) + 2;
		return n;
	case TARGET_IPV6:
		return 64;
	default:
		return strlen(t->u.domain) + 1;
	}
}

/* The longest test point name zone z probes, as a query-name prefix. */
static size_t
loader_probe_len(const struct zone *z)
{
	struct target point;
	size_t n = 0, k;

	for (int positive = 0; positive < 2; positive++) {
		if (!health_zone_point(z, positive, &point))
			continue;
		if ((k = loader_prefix_len(&point)) > n)
			n = k;
	}
	return n;
}

/* Query names longer than RFC 1035 allows would only ever fail. */
void
loader_check_zones(struct loader *l)
{
	struct config *c = l->c;
	size_t longest[3] = { 0, 0, 0 };

	for (size_t i = 0; i < c->ntargets; i++) {
		size_t n = loader_prefix_len(&c->targets[i]);

		if (n > longest[c->targets[i].kind])
			longest[c->targets[i].kind] = n;
	}
	for (size_t i = 0; i < c->nzones && !l->failed; i++) {
		const struct zone *z = &c->zones[i];
		size_t need = loader_probe_len(z);

		for (int k = 0; k < 3; k++)
			if (zone_accepts(z, (enum target_kind)k) &&
			    longest[k] > need)
				need = longest[k];
		if (need + strlen(z->name) <= TARGET_QNAME_MAX)
			continue;
		l->file = l->zone_locs[i].file;
		l->line = l->zone_locs[i].line;
		loader_fail(l, "[zone %s]: query names would be %zu "
		    "characters, more than the %d DNS allows (shorten the zone "
		    "name or the longest target)", z->name,
		    need + strlen(z->name), TARGET_QNAME_MAX);
	}
}

/* ---- test points ---- */

/* An ip zone's point must be of the one family the zone probes in. */
static int
loader_test_ip(const struct zone *z, const char *text, struct target *ret,
    char *err, size_t errlen)
{
	enum target_kind want = z->type == ZONE_IP6 ? TARGET_IPV6 :
	    TARGET_IPV4;
	const char *family = want == TARGET_IPV6 ? "IPv6" : "IPv4";

	if (target_parse_ip(text, ret, err, errlen) != 0) {
		snprintf(err, errlen, "invalid IP address \"%s\" (the test "
		    "point of an %s zone is an %s address, or none)", text,
		    zone_type_name(z->type), family);
		return -EINVAL;
	}
	if (ret->kind != want) {
		snprintf(err, errlen, "%s is an %s address (the test point of "
		    "an %s zone is an %s address, or none)", text,
		    want == TARGET_IPV6 ? "IPv4" : "IPv6",
		    zone_type_name(z->type), family);
		return -EINVAL;
	}
	return 0;
}

/* One test_listed (positive) or test_unlisted value, now the type is known. */
static int
loader_test_point(struct loader *l, struct zone *z, int positive,
    const char *text)
{
	struct test_point *p = positive ? &z->test_listed : &z->test_unlisted;
	const char *key = positive ? "test_listed" : "test_unlisted";
	struct target t;
	char err[256];
	int rc;

	if (strcmp(text, "none") == 0) {
		p->mode = TEST_POINT_NONE;
		return 0;
	}
	if (z->type == ZONE_DOMAIN)
		rc = target_parse_domain(text, &t, err, sizeof(err));
	else
		rc = loader_test_ip(z, text, &t, err, sizeof(err));
	if (rc == -ENOMEM) {
		loader_oom(l);
		return rc;
	}
	if (rc != 0) {
		loader_fail(l, "%s: %s", key, err);
		return rc;
	}
	p->mode = TEST_POINT_SET;
	p->t = t;
	return 0;
}

/*
 * test_listed and test_unlisted of every zone: checked against the zone's
 * type (which may come after them in the section), and never one name
 * for both (no list can both list and not list it).
 */
void
loader_test_points(struct loader *l)
{
	struct config *c = l->c;

	for (size_t i = 0; i < c->nzones && !l->failed; i++) {
		struct config_zone_loc *loc = &l->zone_locs[i];
		struct zone *z = &c->zones[i];
		int line[2] = { loader_zone_line(l, i, "test_listed"),
			loader_zone_line(l, i, "test_unlisted") };

		l->file = loc->file;
		for (int k = 0; k < 2 && !l->failed; k++) {
			l->line = line[k];
			if (loc->test[k] != NULL)
				loader_test_point(l, z, k == 0, loc->test[k]);
		}
		if (l->failed || z->test_listed.mode != TEST_POINT_SET ||
		    z->test_unlisted.mode != TEST_POINT_SET ||
		    target_cmp(&z->test_listed.t, &z->test_unlisted.t) != 0)
			continue;
		l->line = line[0] > line[1] ? line[0] : line[1];
		loader_fail(l, "test_listed and test_unlisted are both \"%s\" "
		    "(a list cannot both list and not list one name)",
		    loc->test[0]);
	}
}

/* ---- the life of one query ---- */

/* A duration for a message: "420s", "102.3s", "500ms". */
static void
loader_format_ms(uint64_t ms, char *buf, size_t len)
{
	int n;

	if (ms % 1000 == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(ms / 1000));
	else if (ms < 1000)
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	else {
		n = snprintf(buf, len, "%llu.%03llu",
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000));
		while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
			buf[--n] = '\0';
		snprintf(buf + n, len - (size_t)n, "s");
	}
}

/*
 * c-ares doubles the wait each round of tries, so one query may take
 * timeout x (2^tries - 1). A sweep waits for its slowest query: cap it.
 * Reported at whichever of the two keys came last (a default has no
 * line; at least one of them was given, or the defaults would hold).
 */
void
loader_check_query_life(struct loader *l)
{
	const struct config *c = l->c;
	uint64_t life = (uint64_t)c->timeout_ms * ((1ULL << c->tries) - 1);
	const struct config_key_loc *timeout_at, *tries_at, *at;
	char t[32], total[32], cap[32];

	if (life <= CONFIG_MAX_QUERY_MS)
		return;
	at = timeout_at = loader_rblmond_at(l, "timeout");
	tries_at = loader_rblmond_at(l, "tries");
	if (at->file == NULL || (tries_at->file != NULL &&
	    tries_at->order > at->order))
		at = tries_at;
	l->file = at->file;
	l->line = at->line;
	loader_format_ms(c->timeout_ms, t, sizeof(t));
	loader_format_ms(life, total, sizeof(total));
	loader_format_ms(CONFIG_MAX_QUERY_MS, cap, sizeof(cap));
	loader_fail(l, "timeout = %s%s and tries = %u%s let one query take up "
	    "to %s (timeout x (2^tries - 1)), more than %s (lower timeout or "
	    "tries)", t, timeout_at->file ? "" : " (the default)", c->tries,
	    tries_at->file ? "" : " (the default)", total, cap);
}

/* ---- warnings ---- */

/* Add "FILE:LINE: warning: TEXT", escaped, to the config's warnings. */
static int
loader_warn(struct loader *l, const char *file, int line, const char *text)
{
	struct config *c = l->c;
	char *raw = NULL, *msg = NULL, **p;
	int n = snprintf(NULL, 0, "%s:%d: warning: %s", file, line, text);
	size_t len;

	if (n < 0)
		return -EINVAL;
	len = 4 * (size_t)n + 1; /* room for every byte as \xNN */
	p = realloc(c->warnings, (c->nwarnings + 1) * sizeof(*c->warnings));
	if (p != NULL)
		c->warnings = p;
	if (p == NULL || (raw = malloc((size_t)n + 1)) == NULL ||
	    (msg = malloc(len)) == NULL) {
		free(raw);
		return -ENOMEM;
	}
	snprintf(raw, (size_t)n + 1, "%s:%d: warning: %s", file, line, text);
	escape_control(raw, (size_t)n, msg, len);
	free(raw);
	c->warnings[c->nwarnings++] = msg;
	return 0;
}

/* A retired list is not an error (it may still answer), but say so. */
int
loader_warn_retired(struct loader *l)
{
	const struct config *c = l->c;
	const struct retired_zone *r;
	char why[768], text[1024];

	for (size_t i = 0; i < c->nzones; i++) {
		if ((r = retired_lookup(c->zones[i].name)) == NULL)
			continue;
		retired_format(r, why, sizeof(why));
		snprintf(text, sizeof(text), "[zone %s]: %s", c->zones[i].name,
		    why);
		if (loader_warn(l, l->zone_locs[i].file, l->zone_locs[i].line,
		    text) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- pace: budgets and rates against the interval ---- */

/*
 * A duration for people: "1h24m41s", "30d", "750ms"; from a second up it
 * is rounded up to the second, so it never reads shorter than it is.
 */
static void
loader_format_span(uint64_t ms, char *buf, size_t len)
{
	static const struct {
		char unit;
		uint64_t s;
	} units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
	uint64_t s = ms / 1000 + (ms % 1000 != 0);
	size_t n = 0;
	int k;

	if (ms < 1000) {
		snprintf(buf, len, "%llums", (unsigned long long)ms);
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		if (s < units[i].s)
			continue;
		k = snprintf(buf + n, len - n, "%llu%c",
		    (unsigned long long)(s / units[i].s), units[i].unit);
		if (k < 0 || (size_t)k >= len - n)
			return;
		n += (size_t)k;
		s %= units[i].s;
	}
}

/* A cycle every interval costs more than daily_budget: say what happens. */
static int
loader_warn_budget(struct loader *l, size_t i, uint64_t count,
    uint64_t interval, uint64_t *ret_cycle)
{
	const struct zone *z = &l->c->zones[i];
	uint64_t per_cycle = schedule_cycle_queries(count), cycle;
	char every[64], stretch[64], text[512];
	bool stretched;

	cycle = schedule_budget_interval(per_cycle, interval, z->daily_budget,
	    &stretched);
	*ret_cycle = cycle;
	if (!stretched)
		return 0;
	loader_format_span(interval, every, sizeof(every));
	loader_format_span(cycle, stretch, sizeof(stretch));
	snprintf(text, sizeof(text), "[zone %s]: daily_budget = %llu cannot "
	    "fit a cycle every %s (%llu targets cost %llu queries a cycle, "
	    "%llu a day): the cycle will stretch to %s", z->name,
	    (unsigned long long)z->daily_budget, every,
	    (unsigned long long)count, (unsigned long long)per_cycle,
	    (unsigned long long)(per_cycle * SCHEDULE_DAY_MS / interval),
	    stretch);
	return loader_warn(l, l->zone_locs[i].file,
	    loader_zone_line(l, i, "daily_budget"), text);
}

/* max_qps too slow to send a cycle within the interval. */
static int
loader_warn_rate(struct loader *l, size_t i, uint64_t count,
    uint64_t interval)
{
	const struct zone *z = &l->c->zones[i];
	uint64_t need = schedule_min_cycle_ms(count, z->max_qps);
	char every[64], stretch[64], text[512];

	if (need <= interval)
		return 0;
	loader_format_span(interval, every, sizeof(every));
	loader_format_span(need, stretch, sizeof(stretch));
	snprintf(text, sizeof(text), "[zone %s]: max_qps = %g cannot send "
	    "%llu targets every %s: the cycle will stretch to %s", z->name,
	    z->max_qps, (unsigned long long)count, every, stretch);
	return loader_warn(l, l->zone_locs[i].file,
	    loader_zone_line(l, i, "max_qps"), text);
}

/*
 * The scheduler stretches a zone's cycle rather than break its
 * daily_budget or max_qps: not an error, but the interval the file asks
 * for is not the one that runs, so say so at load.
 */
int
loader_warn_pace(struct loader *l)
{
	const struct config *c = l->c;

	for (size_t i = 0; i < c->nzones; i++) {
		const struct zone *z = &c->zones[i];
		uint64_t interval = z->interval_ms ? z->interval_ms :
		    c->interval_ms;
		size_t first, count;

		config_zone_targets(c, z, &first, &count);
		if (z->daily_budget != 0 && loader_warn_budget(l, i, count,
		    interval, &interval) != 0)
			return -ENOMEM;
		if (z->max_qps > 0 && loader_warn_rate(l, i, count,
		    interval) != 0)
			return -ENOMEM;
	}
	return 0;
}

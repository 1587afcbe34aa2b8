/* SPDX-License-Identifier: ISC */
/*
 * The metrics document from what the monitor holds: the neutral inputs
 * of metrics.h filled from the zones' figures, the pair states and the
 * standing listings in the store (their codes and labels), then
 * rendered. Built whole at each scrape; nothing is kept between scrapes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "control_int.h"
#include "incident.h"
#include "metrics.h"
#include "monitor.h"
#include "pairstate.h"
#include "store.h"
#include "sweep.h"
#include "target.h"
#include "zone.h"

/*
 * Up to this many pairs, the luzilla_rbls_* per-pair series have a
 * sample for every pair, as the exporter writes them; past it only the
 * pairs whose value is 1 (a scrape of a /16 on ten zones would be
 * 1.3 million samples of 0).
 */
#define CONTROL_LUZILLA_ALL_PAIRS 10000

/* Strings that live until the document is written. */
struct arena {
	char **s;
	size_t n, cap;
	bool failed;
};

static const char *
arena_dup(struct arena *a, const char *s, size_t len)
{
	char *d;

	if (a->failed)
		return "";
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		char **p = realloc(a->s, cap * sizeof(*p));

		if (p == NULL) {
			a->failed = true;
			return "";
		}
		a->s = p;
		a->cap = cap;
	}
	if ((d = malloc(len + 1)) == NULL) {
		a->failed = true;
		return "";
	}
	memcpy(d, s, len);
	d[len] = '\0';
	a->s[a->n++] = d;
	return d;
}

static void
arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->s[i]);
	free(a->s);
}

struct listings {
	const struct config *c;
	struct arena *a;
	struct metrics_listing *v;
	size_t n, cap;
	/* the first code of each (domain target, zone) listing, for ip */
	struct { long ti; long zi; const char *code; } *first;
	size_t nfirst, firstcap;
	bool failed;
};

static int
listings_add(struct listings *l, const char *target, const char *group,
    const char *zone, const char *code, const char *label)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct metrics_listing *p = realloc(l->v, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = (struct metrics_listing){ target, group, zone, code,
		label };
	return 0;
}

static int
listings_row(const struct store_pair *p, void *arg)
{
	struct listings *l = arg;
	long zi = -1, ti = -1;
	const char *target = arena_dup(l->a, p->target, strlen(p->target));
	const char *zone = arena_dup(l->a, p->zone, strlen(p->zone));
	const char *group = "";
	struct target t;
	char err[64];
	bool first = true;

	for (size_t i = 0; i < l->c->nzones && zi < 0; i++)
		if (strcmp(l->c->zones[i].name, p->zone) == 0)
			zi = (long)i;
	if (zi < 0)
		return 0; /* a zone no longer configured */
	if (control_target_parse(p->target, &t, err, sizeof(err))) {
		if ((ti = control_target_index(l->c, &t)) >= 0)
			group = l->c->groups[l->c->targets[ti].group];
		target_clear(&t);
	}
	for (const char *s = p->codes; *s != '\0';) {
		size_t n = strcspn(s, ",");
		const char *code = arena_dup(l->a, s, n), *label = "";
		const char *labels[1];
		struct in_addr in;

		if (inet_pton(AF_INET, code, &in) == 1 && zone_labels(
		    &l->c->zones[zi], &(uint32_t){ ntohl(in.s_addr) }, 1,
		    labels, 1) == 1)
			label = labels[0];
		if (listings_add(l, target, group, zone, code, label) != 0)
			return -ENOMEM;
		if (first && ti >= 0 && l->c->targets[ti].kind ==
		    TARGET_DOMAIN) {
			if (l->nfirst == l->firstcap) {
				size_t cap = l->firstcap ? l->firstcap * 2 :
				    64;
				void *q = realloc(l->first, cap *
				    sizeof(*l->first));

				if (q == NULL)
					return -ENOMEM;
				l->first = q;
				l->firstcap = cap;
			}
			l->first[l->nfirst].ti = ti;
			l->first[l->nfirst].zi = zi;
			l->first[l->nfirst++].code = code;
		}
		first = false;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* Without a store: the listings from memory, without codes. */
static void
listings_memory_cb(uint32_t ti, uint32_t zi, const struct pairstate *ps,
    void *arg)
{
	struct listings *l = arg;
	char text[TARGET_TEXT_MAX];

	if (ps->stable != PAIRSTATE_LISTED ||
	    target_format(&l->c->targets[ti], text, sizeof(text)) < 0)
		return;
	if (listings_add(l, arena_dup(l->a, text, strlen(text)),
	    l->c->groups[l->c->targets[ti].group], l->c->zones[zi].name, "",
	    "") != 0)
		l->failed = true;
}

struct luzilla {
	const struct config *c;
	struct arena *a;
	struct metrics_luzilla_pair *v;
	size_t n, cap;
	const struct listings *l;
	bool failed;
};

static void
luzilla_add(struct luzilla *lz, uint32_t ti, uint32_t zi, bool listed,
    bool error)
{
	const struct target *t = &lz->c->targets[ti];
	char text[TARGET_TEXT_MAX];
	const char *host, *ip = "";

	if (lz->failed || target_format(t, text, sizeof(text)) < 0)
		return;
	if (lz->n == lz->cap) {
		size_t cap = lz->cap ? lz->cap * 2 : 1024;
		struct metrics_luzilla_pair *p = realloc(lz->v, cap *
		    sizeof(*p));

		if (p == NULL) {
			lz->failed = true;
			return;
		}
		lz->v = p;
		lz->cap = cap;
	}
	host = arena_dup(lz->a, text, strlen(text));
	if (t->kind != TARGET_DOMAIN) {
		ip = host;
	} else if (listed) {
		for (size_t i = 0; i < lz->l->nfirst; i++)
			if (lz->l->first[i].ti == (long)ti &&
			    lz->l->first[i].zi == (long)zi)
				ip = lz->l->first[i].code;
	}
	lz->v[lz->n++] = (struct metrics_luzilla_pair){ zi, ip, host, listed,
		error };
}

static void
luzilla_sparse_cb(uint32_t ti, uint32_t zi, const struct pairstate *ps,
    void *arg)
{
	bool listed = ps->stable == PAIRSTATE_LISTED, error = ps->errors > 0;

	if (listed || error)
		luzilla_add(arg, ti, zi, listed, error);
}

int
control_metrics(const struct control *ctl, const struct monitor *m,
    struct metrics_buf *b)
{
	const struct config *c = monitor_config(m);
	struct arena a = { 0 };
	struct listings l = { .c = c, .a = &a };
	struct luzilla lz = { .c = c, .a = &a, .l = &l };
	struct metrics_zone *zones = calloc(c->nzones + 1, sizeof(*zones));
	struct metrics_count *counts = calloc((c->nzones + 1) *
	    (VERDICT_COUNT + MONITOR_ERROR_REASONS + 1), sizeof(*counts));
	uint64_t *listed = calloc(c->nzones + 1, sizeof(*listed));
	const char **rbls = calloc(c->nzones + 1, sizeof(*rbls));
	struct metrics_count alerts[INCIDENT_KIND_COUNT];
	struct monitor_counts n;
	struct metrics_native nat;
	struct metrics_luzilla luz;
	uint64_t pairs = 0;
	double duration = 0;
	int rc = -ENOMEM;

	(void)ctl; /* the socket's own figures are in status */
	if (zones == NULL || counts == NULL || listed == NULL ||
	    rbls == NULL || monitor_counts(m, &n, listed) != 0)
		goto out;
	/* Per-zone listed counts are of targets: one pair per target. */
	for (uint32_t z = 0; z < c->nzones; z++) {
		struct monitor_zone_info zi;
		struct metrics_zone *mz = &zones[z];
		struct metrics_count *cnt = counts + z * (VERDICT_COUNT +
		    MONITOR_ERROR_REASONS + 1), *errs;
		size_t first, count;

		monitor_zone_info(m, z, &zi);
		config_zone_targets(c, zi.zone, &first, &count);
		pairs += count;
		rbls[z] = zi.zone->name;
		mz->name = zi.zone->name;
		mz->state = zi.state;
		mz->listed_targets = listed[z];
		mz->queries = zi.tally->queries;
		mz->answers = cnt;
		for (int v = 0; v < VERDICT_COUNT; v++) {
			if (v == VERDICT_SUPPRESSED)
				continue;
			cnt[mz->nanswers].value = verdict_name((enum verdict)v);
			cnt[mz->nanswers++].count = zi.tally->answers[v];
		}
		errs = cnt + mz->nanswers;
		mz->errors = errs;
		for (size_t i = 0; i <= MONITOR_ERROR_REASONS; i++) {
			const char *why = i < MONITOR_ERROR_REASONS ?
			    zi.tally->reason[i] : "other";

			if (why == NULL || zi.tally->errors[i] == 0)
				continue;
			errs[mz->nerrors].value = why;
			errs[mz->nerrors++].count = zi.tally->errors[i];
		}
		mz->budget_used = zi.used_today;
		mz->budget_limit = zi.zone->daily_budget;
		if (zi.last != NULL) {
			mz->cycled = true;
			mz->cycle_seconds = (double)(zi.last->ended_ms -
			    zi.last->started_ms) / 1000.0;
			mz->cycle_end = (double)zi.last_end_s;
			if (mz->cycle_seconds > duration)
				duration = mz->cycle_seconds;
		}
	}
	if (monitor_store(m) != NULL) {
		if (store_load_pairs(monitor_store(m), listings_row, &l) != 0)
			l.failed = true;
	} else {
		monitor_each_pair(m, listings_memory_cb, &l);
	}
	for (unsigned k = 0; k < INCIDENT_KIND_COUNT; k++) {
		alerts[k].value = incident_kind_name((enum incident_kind)k);
		alerts[k].count = monitor_alerts(m, k);
	}
	if (pairs <= CONTROL_LUZILLA_ALL_PAIRS) {
		for (uint32_t z = 0; z < c->nzones; z++) {
			struct monitor_zone_info zi;
			size_t first, count;

			monitor_zone_info(m, z, &zi);
			config_zone_targets(c, zi.zone, &first, &count);
			for (size_t t = first; t < first + count; t++) {
				struct pairstate ps;
				bool have = monitor_pair(m, (uint32_t)t, z,
				    &ps);

				luzilla_add(&lz, (uint32_t)t, z, have &&
				    ps.stable == PAIRSTATE_LISTED,
				    zi.state != HEALTH_OK ||
				    (have && ps.errors > 0));
			}
		}
	} else {
		monitor_each_pair(m, luzilla_sparse_cb, &lz);
	}
	if (l.failed || lz.failed || a.failed)
		goto out;
	nat = (struct metrics_native){
		.zones = zones, .nzones = c->nzones,
		.listings = l.v, .nlistings = l.n,
		.targets = c->ntargets,
		.alerts = alerts, .nalerts = INCIDENT_KIND_COUNT,
		.hook_failures = monitor_hook_failures(m),
	};
	luz = (struct metrics_luzilla){
		.rbls = rbls, .nrbls = c->nzones,
		.pairs = lz.v, .npairs = lz.n,
		.targets = c->ntargets, .duration = duration,
	};
	(void)metrics_render_native(b, &nat);
	(void)metrics_render_luzilla(b, &luz);
	rc = b->failed ? -ENOMEM : 0;
out:
	arena_free(&a);
	free(l.v);
	free(l.first);
	free(lz.v);
	free(rbls);
	free(listed);
	free(counts);
	free(zones);
	return rc;
}

void
control_doc_put(struct control_doc *d)
{
	if (d == NULL || --d->refs > 0)
		return;
	free(d->text);
	free(d);
	/* A document of megabytes goes back to the system. */
	malloc_trim(0);
}

struct control_doc *
control_doc_get(struct control *ctl)
{
	struct control_doc *d = ctl->doc;
	uint64_t now = monitor_now_ms();
	struct metrics_buf b;

	if (d != NULL && now - d->made_ms < CONTROL_DOC_MAX_AGE_MS) {
		d->refs++;
		return d;
	}
	metrics_buf_init(&b);
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    control_metrics(ctl, ctl->m, &b) != 0 || b.data == NULL) {
		free(d);
		metrics_buf_clear(&b);
		return NULL;
	}
	d->text = b.data; /* taken from the buffer */
	d->len = b.len;
	d->made_ms = now;
	d->refs = 2; /* the caller's, and ctl->doc's */
	control_doc_put(ctl->doc);
	ctl->doc = d;
	return d;
}

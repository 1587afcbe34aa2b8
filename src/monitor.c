/* SPDX-License-Identifier: ISC */
/*
 * The monitor's lifecycle: a generation per configuration (its snapshot,
 * engine and resolvers), the resolvers shared by nameserver list and kept
 * across reloads, the reload that re-keys every pair state by (target,
 * zone), the store's flush timer, and the figures for STATUS=.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "alert.h"
#include "config.h"
#include "hook.h"
#include "livecheck.h"
#include "log.h"
#include "monitor_int.h"
#include "rekey.h"
#include "resolver.h"
#include "store.h"
#include "target.h"
#include "zone.h"

uint64_t
monitor_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t
monitor_wall_s(void)
{
	return (int64_t)time(NULL);
}

/* The resolver for a nameserver list (NULL: the system's), shared. */
static struct resolver *
monitor_res_get(struct monitor *m, const struct config *c, const char *ns,
    char *err, size_t errlen)
{
	struct resolver_options ro = {
		.nameservers = ns,
		.timeout_ms = c->timeout_ms,
		.tries = c->tries,
	};
	struct monitor_res *slot;
	char key[1024];
	void *p;

	snprintf(key, sizeof(key), "%s|%" PRIu32 "|%" PRIu32,
	    ns != NULL ? ns : "", c->timeout_ms, c->tries);
	for (size_t i = 0; i < m->nres; i++) {
		if (strcmp(m->res[i].key, key) == 0) {
			m->res[i].refs++;
			return m->res[i].r;
		}
	}
	if ((p = realloc(m->res, (m->nres + 1) * sizeof(*m->res))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->res = p;
	slot = &m->res[m->nres];
	memset(slot, 0, sizeof(*slot));
	if ((slot->key = strdup(key)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (resolver_new(m->base, &ro, &slot->r, err, errlen) != 0) {
		free(slot->key);
		return NULL;
	}
	slot->refs = 1;
	m->nres++;
	return slot->r;
}

static void
monitor_res_put(struct monitor *m, struct resolver *r)
{
	for (size_t i = 0; i < m->nres; i++) {
		if (m->res[i].r != r)
			continue;
		if (--m->res[i].refs > 0)
			return;
		/* Its queries were all this generation's, cancelled. */
		resolver_free(r);
		free(m->res[i].key);
		m->res[i] = m->res[--m->nres];
		return;
	}
}

static int
monitor_io_query(void *ctx, uint32_t zone, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *cb_arg)
{
	struct monitor_gen *g = ctx;

	if (g == g->m->g)
		g->m->zones[zone].tally.queries++;
	return resolver_query_owned(g->zone_res[zone], g, qname, type, cb,
	    cb_arg);
}

/* Live checks: the running generation's resolvers, the checks' own. */
static int
monitor_live_query(void *ctx, uint32_t zone, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *cb_arg)
{
	struct monitor *m = ctx;

	m->zones[zone].tally.queries++;
	return resolver_query_owned(m->g->zone_res[zone], m->live, qname,
	    type, cb, cb_arg);
}

static void
monitor_live_cancel(void *ctx)
{
	struct monitor *m = ctx;

	for (size_t i = 0; i < m->nres; i++)
		resolver_cancel_owner(m->res[i].r, m->live);
}

static bool
monitor_live_take(void *ctx, uint32_t zone, uint64_t *ret_wait_ns)
{
	struct monitor *m = ctx;

	return sweep_zone_take(m->g->s, zone, ret_wait_ns);
}

/* Only this generation's queries: a reload's new one shares resolvers. */
static void
monitor_io_cancel(void *ctx)
{
	struct monitor_gen *g = ctx;

	for (size_t i = 0; i < g->c->nzones; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = g->zone_res[j] == g->zone_res[i];
		if (!seen && g->zone_res[i] != NULL)
			resolver_cancel_owner(g->zone_res[i], g);
	}
}

/* Count an error by its reason (static texts, compared by address). */
static void
monitor_tally_error(struct monitor_tally *t, const char *reason)
{
	if (reason == NULL)
		reason = "error";
	for (size_t i = 0; i < MONITOR_ERROR_REASONS; i++) {
		if (t->reason[i] == NULL)
			t->reason[i] = reason;
		if (t->reason[i] == reason || strcmp(t->reason[i],
		    reason) == 0) {
			t->errors[i]++;
			return;
		}
	}
	t->errors[MONITOR_ERROR_REASONS]++;
}

static void
monitor_result_cb(const struct sweep_result *r, void *arg)
{
	struct monitor_gen *g = arg;
	struct monitor *m = g->m;

	struct monitor_tally *t = &m->zones[r->zone].tally;

	t->answers[r->res.verdict < VERDICT_COUNT ? r->res.verdict :
	    VERDICT_ERROR]++;
	if (r->res.verdict == VERDICT_ERROR)
		monitor_tally_error(t, r->res.error);
	if (m->o.observer != NULL && !r->res.confirming)
		m->o.observer->result_cb(r, m->o.observer->arg);
	if (m->stateful)
		monitor_pair_result(m, r);
}

static void
monitor_zone_cb(uint32_t zone, enum zone_health from, enum zone_health to,
    const struct diagnose_probe probes[2], void *arg)
{
	struct monitor_gen *g = arg;
	struct monitor *m = g->m;

	if (m->o.observer != NULL && from == HEALTH_UNKNOWN)
		m->o.observer->zone_cb(zone, to, probes, m->o.observer->arg);
	if (m->stateful)
		monitor_zone_changed(m, zone, from, to, probes);
}

static void
monitor_cycle_cb(uint32_t zone, const struct sweep_cycle *cy, void *arg)
{
	struct monitor_gen *g = arg;
	struct monitor *m = g->m;

	m->zones[zone].last = *cy;
	m->zones[zone].have_last = true;
	m->zones[zone].last_end_s = monitor_wall_s();
	monitor_flush(m, false);
	if (m->o.cycle_cb != NULL)
		m->o.cycle_cb(m->o.cycle_arg);
}

static void
monitor_done_cb(void *arg)
{
	struct monitor_gen *g = arg;
	struct monitor *m = g->m;

	if (m->o.observer != NULL)
		m->o.observer->done_cb(m->o.observer->arg);
}

static void
monitor_gen_free(struct monitor *m, struct monitor_gen *g)
{
	if (g == NULL)
		return;
	/* The engine cancels its queries through the io before it goes. */
	sweep_free(g->s);
	for (size_t i = 0; g->zone_res != NULL && i < g->c->nzones; i++)
		if (g->zone_res[i] != NULL)
			monitor_res_put(m, g->zone_res[i]);
	free(g->zone_res);
	config_free(g->c);
	free(g);
}

/* A generation of config c; carry (or NULL) per zone of c. */
static int
monitor_gen_new(struct monitor *m, struct config *c,
    const struct sweep_carry *carry, struct monitor_gen **ret, char *err,
    size_t errlen)
{
	struct sweep_options so = {
		.once = m->o.once,
		.health_need = m->o.once ? 1 : SWEEP_HEALTH_NEED,
		.confirm_delay_ms = m->o.once ? 0 : c->confirm_delay_ms,
		.carry = carry,
	};
	struct sweep_callbacks cbs = {
		.result_cb = monitor_result_cb,
		.zone_cb = monitor_zone_cb,
		.cycle_cb = monitor_cycle_cb,
		.done_cb = monitor_done_cb,
	};
	struct sweep_io io;
	struct monitor_gen *g = calloc(1, sizeof(*g));

	if (g == NULL || (g->zone_res = calloc(c->nzones ? c->nzones : 1,
	    sizeof(*g->zone_res))) == NULL) {
		free(g);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	g->m = m;
	g->c = c;
	g->id = m->next_gen++;
	for (size_t i = 0; i < c->nzones; i++) {
		const char *ns = c->zones[i].nameservers != NULL ?
		    c->zones[i].nameservers : c->nameservers;

		if ((g->zone_res[i] = monitor_res_get(m, c, ns, err,
		    errlen)) == NULL)
			goto fail;
	}
	cbs.arg = g;
	/* The system clocks, and this generation's own queries. */
	sweep_io_resolver(NULL, &io);
	io.query = monitor_io_query;
	io.cancel = monitor_io_cancel;
	io.ctx = g;
	if (sweep_new(m->base, &io, c, &so, &cbs, &g->s) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	*ret = g;
	return 0;

fail:
	g->c = c;
	for (size_t i = 0; i < c->nzones; i++)
		if (g->zone_res[i] != NULL)
			monitor_res_put(m, g->zone_res[i]);
	free(g->zone_res);
	free(g);
	return -ENOMEM;
}

static void
monitor_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct monitor *m = arg;

	(void)fd;
	(void)what;
	monitor_flush(m, false);
}

static int
monitor_hook_new(struct monitor *m, const struct config *c)
{
	struct hook_options ho = {
		.argv = c->alert_argv,
		.timeout_ms = c->alert_timeout_ms,
		.max_running = c->alert_max,
	};

	if (c->alert_argv == NULL)
		return 0;
	return hook_new(m->base, &ho, &m->hook);
}

int
monitor_new(struct event_base *base, struct config *c,
    const struct monitor_options *o, struct monitor **ret, char *err,
    size_t errlen)
{
	struct timeval every = { 0, MONITOR_FLUSH_MS * 1000 };
	struct monitor *m = calloc(1, sizeof(*m));
	int rc = -ENOMEM;

	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	m->base = base;
	m->o = *o;
	m->started_s = monitor_wall_s();
	m->stateful = !o->once || c->state_db != NULL;
	m->facility = c->syslog_facility;
	pairtable_init(&m->pairs);
	if ((m->zones = calloc(c->nzones ? c->nzones : 1,
	    sizeof(*m->zones))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < c->nzones; i++)
		m->zones[i].announced = HEALTH_OK;
	if ((rc = monitor_gen_new(m, c, NULL, &m->g, err, errlen)) != 0)
		goto fail;
	monitor_set_params(m);
	if (m->stateful)
		alert_open(c->syslog_facility);
	if ((rc = monitor_hook_new(m, c)) != 0) {
		snprintf(err, errlen, "alert_command: %s", strerror(-rc));
		goto fail;
	}
	if (m->stateful) {
		if ((rc = monitor_store_open(m, err, errlen)) != 0)
			goto fail;
		if ((rc = monitor_restore(m)) != 0) {
			snprintf(err, errlen, "%s: cannot read the state "
			    "store: %s", c->state_db, strerror(-rc));
			goto fail;
		}
	}
	if (!o->once) {
		struct livecheck_io lio = {
			.query = monitor_live_query,
			.cancel = monitor_live_cancel,
			.take = monitor_live_take,
			.ctx = m,
		};

		if (livecheck_new(base, &lio, &m->live) != 0) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			goto fail;
		}
	}
	m->flush_ev = event_new(base, -1, EV_PERSIST, monitor_flush_cb, m);
	if (m->flush_ev == NULL || event_add(m->flush_ev, &every) != 0) {
		snprintf(err, errlen, "cannot arm a timer");
		rc = -ENOMEM;
		goto fail;
	}
	*ret = m;
	return 0;

fail:
	if (m->g != NULL)
		m->g->c = NULL; /* c stays the caller's */
	if (m->g != NULL) {
		sweep_free(m->g->s);
		for (size_t i = 0; i < c->nzones; i++)
			monitor_res_put(m, m->g->zone_res[i]);
		free(m->g->zone_res);
		free(m->g);
		m->g = NULL;
	}
	monitor_free(m);
	return rc;
}

void
monitor_start(struct monitor *m)
{
	/* The loader warned of budgets that stretch a cycle already. */
	sweep_start(m->g->s);
}

struct monitor_rekey {
	struct monitor *m;
	const struct config *old;
	const uint32_t *tmap, *zmap;
	struct pairtable *into;
	bool failed;
};

/* Move one pair state to the new generation's keys, or drop it. */
static bool
monitor_rekey_cb(uint64_t key, struct pairstate *ps, void *arg)
{
	struct monitor_rekey *rk = arg;
	uint32_t z = pairtable_key_zone(key), t = pairtable_key_target(key);
	uint32_t nz = rk->zmap[z], nt = rk->tmap[t];
	struct pairstate *to;

	if (nz != REKEY_NONE && nt != REKEY_NONE) {
		if ((to = pairtable_put(rk->into, pairtable_key(nz, nt),
		    NULL)) == NULL)
			rk->failed = true;
		else
			*to = *ps;
		return true;
	}
	/* A removed zone's rows go with store_zone_del; a removed target's
	 * listing row goes here. */
	if (nz != REKEY_NONE && ps->stable == PAIRSTATE_LISTED &&
	    rk->m->store != NULL) {
		char text[TARGET_TEXT_MAX];

		if (target_format(&rk->old->targets[t], text,
		    sizeof(text)) >= 0)
			(void)store_pair_del(rk->m->store, text,
			    rk->old->zones[z].name);
	}
	return true;
}

/* Is the pair of the new config one its zone still takes? */
static bool
monitor_accepts_cb(uint64_t key, struct pairstate *ps, void *arg)
{
	const struct config *c = arg;
	uint32_t z = pairtable_key_zone(key), t = pairtable_key_target(key);

	(void)ps;
	return zone_accepts(&c->zones[z], (enum target_kind)c->targets[t].kind);
}

int
monitor_reload(struct monitor *m, struct config *c, char *err,
    size_t errlen)
{
	const struct config *old = m->g->c;
	uint32_t *tmap = NULL, *zmap = NULL;
	struct sweep_carry *carry = NULL;
	struct monitor_zone *zones = NULL;
	struct monitor_gen *g = NULL;
	struct pairtable into;
	struct monitor_rekey rk;
	int rc = -ENOMEM;

	pairtable_init(&into);
	tmap = calloc(old->ntargets ? old->ntargets : 1, sizeof(*tmap));
	zmap = calloc(old->nzones ? old->nzones : 1, sizeof(*zmap));
	carry = calloc(c->nzones ? c->nzones : 1, sizeof(*carry));
	zones = calloc(c->nzones ? c->nzones : 1, sizeof(*zones));
	if (tmap == NULL || zmap == NULL || carry == NULL || zones == NULL ||
	    rekey_zones(old->zones, old->nzones, c->zones, c->nzones,
	    zmap) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rekey_targets(old->targets, old->ntargets, c->targets, c->ntargets,
	    tmap);
	for (size_t i = 0; i < c->nzones; i++)
		zones[i].announced = HEALTH_OK;
	for (size_t z = 0; z < old->nzones; z++) {
		if (zmap[z] == REKEY_NONE)
			continue;
		sweep_zone_carry(m->g->s, (uint32_t)z, &carry[zmap[z]]);
		zones[zmap[z]] = m->zones[z];
	}
	if ((rc = monitor_gen_new(m, c, carry, &g, err, errlen)) != 0)
		goto out;
	rk = (struct monitor_rekey){ m, old, tmap, zmap, &into, false };
	pairtable_filter(&m->pairs, monitor_rekey_cb, &rk);
	if (rk.failed) {
		snprintf(err, errlen, "out of memory");
		g->c = NULL;
		rc = -ENOMEM;
		goto out;
	}
	/* A zone whose type changed no longer takes some of its targets. */
	pairtable_filter(&into, monitor_accepts_cb, c);
	for (size_t z = 0; z < old->nzones; z++)
		if (zmap[z] == REKEY_NONE && m->store != NULL)
			(void)store_zone_del(m->store, old->zones[z].name);
	if (c->state_db != NULL && old->state_db != NULL &&
	    strcmp(c->state_db, old->state_db) != 0)
		log_warn("state_db changed to %s: a restart moves to it; "
		    "the running store stays %s", c->state_db,
		    old->state_db);
	/* The swap: nothing below can fail. */
	pairtable_clear(&m->pairs);
	m->pairs = into;
	pairtable_init(&into);
	/* Live checks point at the old zones and ask the old resolvers. */
	livecheck_abort(m->live, "the configuration was reloaded");
	free(m->zones);
	m->zones = zones;
	zones = NULL;
	monitor_gen_free(m, m->g);
	m->g = g;
	g = NULL;
	monitor_set_params(m);
	if (c->syslog_facility != m->facility) {
		m->facility = c->syslog_facility;
		alert_open(c->syslog_facility);
	}
	m->hook_failures_before = monitor_hook_failures(m);
	hook_free(m->hook);
	m->hook = NULL;
	if (monitor_hook_new(m, c) != 0)
		log_warn("alert_command: cannot set it up; alerts go to "
		    "syslog only");
	sweep_start(m->g->s);
	monitor_flush(m, false);
	rc = 0;

out:
	if (g != NULL) {
		g->c = NULL;
		sweep_free(g->s);
		for (size_t i = 0; i < c->nzones; i++)
			monitor_res_put(m, g->zone_res[i]);
		free(g->zone_res);
		free(g);
	}
	pairtable_clear(&into);
	free(zones);
	free(carry);
	free(zmap);
	free(tmap);
	return rc;
}

void
monitor_stop(struct monitor *m)
{
	if (m == NULL || m->stopped)
		return;
	m->stopped = true;
	livecheck_abort(m->live, "the daemon is stopping");
	sweep_stop(m->g->s);
	monitor_finish(m);
}

/*
 * Let the alert commands of what was just announced run to their end
 * (each is bounded by alert_timeout and then killed), at most limit_ms,
 * before the hook kills what is left.
 */
static void
monitor_drain_hooks(struct monitor *m, uint64_t limit_ms)
{
	uint64_t until = monitor_now_ms() + limit_ms;
	struct hook_stats st;

	while (m->hook != NULL && monitor_now_ms() < until) {
		hook_get_stats(m->hook, &st);
		if (st.running == 0 && st.queued == 0)
			return;
		/* SIGCHLD or the hook's own timers end each pass. */
		if (event_base_loop(m->base, EVLOOP_ONCE) < 0)
			return;
	}
}

void
monitor_finish(struct monitor *m)
{
	const struct config *c = m->g->c;
	uint64_t limit = (uint64_t)c->alert_timeout_ms + HOOK_KILL_AFTER_MS;

	/* Twice: the second writes the marks of what the first announced. */
	monitor_flush(m, true);
	monitor_flush(m, true);
	/* A stopping service has its own deadline; a cron job waits. */
	if (!m->o.once && limit > MONITOR_STOP_HOOKS_MS)
		limit = MONITOR_STOP_HOOKS_MS;
	monitor_drain_hooks(m, limit);
}

void
monitor_progress(const struct monitor *m, uint64_t *ret_done,
    uint64_t *ret_total)
{
	sweep_progress(m->g->s, ret_done, ret_total);
}

void
monitor_servers(const struct monitor *m, char *buf, size_t len)
{
	/* The [rblmond] list: the first zone without its own uses it. */
	for (size_t i = 0; i < m->g->c->nzones; i++) {
		if (m->g->c->zones[i].nameservers == NULL) {
			resolver_servers(m->g->zone_res[i], buf, len);
			return;
		}
	}
	if (m->g->c->nzones > 0) {
		resolver_servers(m->g->zone_res[0], buf, len);
		return;
	}
	snprintf(buf, len, "%s", m->g->c->nameservers != NULL ?
	    m->g->c->nameservers : "the system's");
}

const struct config *
monitor_config(const struct monitor *m)
{
	return m->g->c;
}

static void
monitor_count_listed_cb(uint64_t key, const struct pairstate *ps, void *arg)
{
	(void)key;
	if (ps->stable == PAIRSTATE_LISTED)
		(*(uint64_t *)arg)++;
}

size_t
monitor_status(const struct monitor *m, char *buf, size_t len)
{
	const struct config *c = m->g->c;
	uint64_t by[VERDICT_COUNT] = { 0 }, listed = 0, pairs = 0;
	unsigned ok = 0, stretched = 0;
	int w;

	for (size_t z = 0; z < c->nzones; z++) {
		bool st;

		if (sweep_zone_health(m->g->s, (uint32_t)z) == HEALTH_OK)
			ok++;
		(void)sweep_zone_interval(m->g->s, (uint32_t)z, &st);
		stretched += st;
		if (!m->zones[z].have_last)
			continue;
		for (int v = 0; v < VERDICT_COUNT; v++) {
			by[v] += m->zones[z].last.by_verdict[v];
			pairs += m->zones[z].last.by_verdict[v];
		}
	}
	pairtable_each(&m->pairs, monitor_count_listed_cb, &listed);
	w = snprintf(buf, len, "last cycles: %" PRIu64 " pairs, %" PRIu64
	    " listed, %" PRIu64 " errors; %" PRIu64 " listings standing; "
	    "zones ok %u/%zu; %" PRIu64 " store commits%s%s", pairs,
	    by[VERDICT_LISTED],
	    by[VERDICT_ERROR] + by[VERDICT_REFUSED] + by[VERDICT_BOGUS],
	    listed, ok, c->nzones, monitor_transactions(m),
	    stretched ? "; daily budget stretches some cycles" : "",
	    m->storage_failed ? "; state store failing" : "");
	return w < 0 ? 0 : (size_t)w < len ? (size_t)w : len - 1;
}

uint64_t
monitor_transactions(const struct monitor *m)
{
	return m->store != NULL ? store_transactions(m->store) : 0;
}

uint64_t
monitor_announced(const struct monitor *m)
{
	return m->announced;
}

void
monitor_free(struct monitor *m)
{
	if (m == NULL)
		return;
	if (m->flush_ev != NULL)
		event_free(m->flush_ev);
	livecheck_free(m->live);
	if (m->g != NULL)
		monitor_gen_free(m, m->g);
	hook_free(m->hook);
	store_close(m->store);
	pairtable_clear(&m->pairs);
	for (size_t i = 0; i < m->nres; i++) {
		resolver_free(m->res[i].r);
		free(m->res[i].key);
	}
	free(m->res);
	free(m->zones);
	free(m);
}

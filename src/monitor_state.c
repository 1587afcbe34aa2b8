/* SPDX-License-Identifier: ISC */
/*
 * The monitor's listing states: each answer fed to its pair's state
 * machine, the events that come of it (listed, delisted, changed,
 * reminder, zone-down, zone-up, storage-error), their store rows written
 * in the same transaction as the state change, and their announcement
 * (syslog and the hook) once that transaction is committed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "classify.h"
#include "config.h"
#include "hook.h"
#include "incident.h"
#include "log.h"
#include "monitor_int.h"
#include "result.h"
#include "store.h"
#include "target.h"
#include "zone.h"

/* Labels of one listing kept in an event, and their text. */
#define MONITOR_LABELS_MAX 16
#define MONITOR_TEXT_MAX 512

void
monitor_set_params(struct monitor *m)
{
	const struct config *c = m->g->c;

	m->params.confirm = m->o.once && c->state_db == NULL ? 1 : c->confirm;
	m->params.confirm_delay_ms = m->o.once ? 0 : c->confirm_delay_ms;
	m->params.interval_ms = c->interval_ms;
	m->params.remind_ms = c->remind_ms;
}

/* Announce an event now: syslog, then the hook. */
static void
monitor_announce(struct monitor *m, const struct incident *ev)
{
	alert_send(ev);
	if (m->hook != NULL)
		(void)hook_run(m->hook, ev);
	m->announced++;
	if (ev->kind < INCIDENT_KIND_COUNT)
		m->alerts[ev->kind]++;
}

static void
monitor_store_cb(const struct incident *ev, bool durable, void *arg)
{
	struct monitor *m = arg;

	monitor_announce(m, ev);
	if (durable && store_mark_sent(m->store, ev->id) != 0 &&
	    !m->oom_said) {
		m->oom_said = true;
		log_warn("out of memory: an announced alert stays unsent in "
		    "the store and will be repeated after a restart");
	}
}

/*
 * Raise an event: with a store, its row joins the pending transaction
 * (the state change that caused it is in the same one) and it is
 * announced after the commit; without one, at once.
 */
void
monitor_raise(struct monitor *m, struct incident *ev)
{
	if (ev->time_s == 0)
		ev->time_s = monitor_wall_s();
	if (m->store == NULL) {
		monitor_announce(m, ev);
		return;
	}
	if (store_event_add(m->store, ev) != 0) {
		/* Not recorded, but never silent. */
		log_warn("cannot queue an alert for the store (%s); "
		    "announcing it unrecorded", strerror(ENOMEM));
		monitor_announce(m, ev);
		return;
	}
	m->events_unflushed++;
}

static void
monitor_storage_error(struct monitor *m, int rc)
{
	struct incident ev;
	char detail[MONITOR_TEXT_MAX];
	const char *why = store_last_error(m->store);

	snprintf(detail, sizeof(detail), "cannot write the state store: %s",
	    why != NULL && why[0] != '\0' ? why : strerror(-rc));
	log_warn("%s; keeping state in memory and retrying", detail);
	memset(&ev, 0, sizeof(ev));
	ev.kind = INCIDENT_STORAGE_ERROR;
	ev.target = ev.group = ev.zone = ev.codes = ev.labels = ev.txt = "";
	ev.delist_url = ev.state = "";
	ev.detail = detail;
	monitor_raise(m, &ev);
	/* Hand it out now: the disk that refused the last batch will most
	 * likely refuse this one too, and the alert must not wait. */
	(void)store_flush(m->store, monitor_store_cb, m);
	m->events_unflushed = 0;
}

/*
 * Write what is queued. While the store fails, new events are still
 * handed out (announced) every time, and writing is retried at a
 * backoff; force retries now.
 */
void
monitor_flush(struct monitor *m, bool force)
{
	uint64_t now = monitor_now_ms();
	int rc;

	if (m->store == NULL || store_queued(m->store) == 0)
		return;
	if (m->storage_failed && !force && now < m->retry_at_ms &&
	    m->events_unflushed == 0)
		return;
	rc = store_flush(m->store, monitor_store_cb, m);
	m->events_unflushed = 0;
	if (rc == 0) {
		if (m->storage_failed)
			log_info("the state store is writable again");
		m->storage_failed = false;
		m->backoff_ms = 0;
		return;
	}
	if (!m->storage_failed) {
		m->storage_failed = true;
		monitor_storage_error(m, rc);
	}
	m->backoff_ms = m->backoff_ms == 0 ? MONITOR_FLUSH_MS :
	    m->backoff_ms * 2;
	if (m->backoff_ms > MONITOR_RETRY_MAX_MS)
		m->backoff_ms = MONITOR_RETRY_MAX_MS;
	m->retry_at_ms = now + m->backoff_ms;
}

/* The codes of a listed answer that the zone counts as listed. */
static size_t
monitor_listed_codes(const struct zone *z, const struct result *res,
    uint32_t *ret)
{
	size_t n = 0;

	for (size_t i = 0; i < res->ncodes; i++)
		if (zone_code_listed(z, res->codes[i]))
			ret[n++] = res->codes[i];
	return n;
}

static void
monitor_labels_text(const struct zone *z, const uint32_t *codes, size_t n,
    char *buf, size_t len)
{
	const char *labels[MONITOR_LABELS_MAX];
	size_t nl = zone_labels(z, codes, n, labels, MONITOR_LABELS_MAX);
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nl; i++) {
		int w = snprintf(buf + used, len - used, "%s%s",
		    i > 0 ? "," : "", labels[i]);

		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0';
			break;
		}
		used += (size_t)w;
	}
}

struct monitor_pair_text {
	char target[TARGET_TEXT_MAX];
	char codes[MONITOR_TEXT_MAX];
	char labels[MONITOR_TEXT_MAX];
	char delist[MONITOR_TEXT_MAX];
};

static void
monitor_pair_event(struct monitor *m, const struct sweep_result *r,
    const struct pairstate *ps, enum pairstate_event pev,
    const uint32_t *codes, size_t ncodes)
{
	const struct config *c = m->g->c;
	const struct target *t = &c->targets[r->target];
	const struct zone *z = &c->zones[r->zone];
	uint64_t now_ms = monitor_now_ms();
	int64_t now_s = monitor_wall_s();
	int64_t listed_s = (int64_t)(pairstate_listed_ms(ps, now_ms) / 1000);
	struct monitor_pair_text tx;
	struct store_pair row;
	struct incident ev;

	if (target_format(t, tx.target, sizeof(tx.target)) < 0)
		return;
	result_codes_format(codes, ncodes, tx.codes, sizeof(tx.codes));
	monitor_labels_text(z, codes, ncodes, tx.labels, sizeof(tx.labels));
	if (alert_delist_url(z->delist_url, tx.target, tx.delist,
	    sizeof(tx.delist)) < 0)
		tx.delist[0] = '\0';
	memset(&ev, 0, sizeof(ev));
	ev.time_s = now_s;
	ev.severity = z->severity;
	ev.target = tx.target;
	ev.group = c->groups[t->group];
	ev.zone = z->name;
	ev.codes = tx.codes;
	ev.labels = tx.labels;
	ev.txt = r->res.txt != NULL ? r->res.txt : "";
	ev.delist_url = tx.delist;
	ev.state = ev.detail = "";
	ev.since_s = now_s - listed_s;
	switch (pev) {
	case PAIRSTATE_EV_LISTED:
		ev.kind = INCIDENT_LISTED;
		break;
	case PAIRSTATE_EV_CHANGED:
		ev.kind = INCIDENT_CHANGED;
		break;
	case PAIRSTATE_EV_REMINDER:
		ev.kind = INCIDENT_REMINDER;
		break;
	default:
		ev.kind = INCIDENT_DELISTED;
		ev.duration_s = listed_s;
		ev.codes = ev.labels = ev.txt = "";
		break;
	}
	if (m->store != NULL) {
		if (ev.kind == INCIDENT_DELISTED) {
			(void)store_pair_del(m->store, tx.target, z->name);
		} else {
			memset(&row, 0, sizeof(row));
			row.target = tx.target;
			row.zone = z->name;
			row.state = "listed";
			row.codes = tx.codes;
			row.labels = tx.labels;
			row.txt = ev.txt;
			row.first_seen_s = ev.since_s;
			row.last_seen_s = now_s;
			(void)store_pair_put(m->store, &row);
		}
	}
	monitor_raise(m, &ev);
}

static void
monitor_oom(struct monitor *m)
{
	if (m->oom_said)
		return;
	m->oom_said = true;
	log_warn("out of memory: a pair's listing state was not kept; it "
	    "is taken up again at its next answer");
}

/* Feed one answer to its pair's state machine. */
void
monitor_pair_result(struct monitor *m, const struct sweep_result *r)
{
	const struct zone *z = &m->g->c->zones[r->zone];
	uint64_t key = pairtable_key(r->zone, r->target);
	struct pairstate *ps = pairtable_get(&m->pairs, key);
	struct pairstate_input in = { .verdict = r->res.verdict };
	uint32_t codes[ANSWER_MAX_ADDRS];
	size_t ncodes = 0;
	enum pairstate_event pev;
	bool fresh = false;

	if (in.verdict == VERDICT_LISTED) {
		ncodes = monitor_listed_codes(z, &r->res, codes);
		in.codes_hash = pairstate_codes_hash(codes, ncodes,
		    &in.ncodes);
	}
	if (ps == NULL) {
		/* An absent pair is clean with nothing pending. */
		if (in.verdict == VERDICT_CLEAN ||
		    in.verdict == VERDICT_IGNORED ||
		    in.verdict == VERDICT_SUPPRESSED)
			return;
		if ((ps = pairtable_put(&m->pairs, key, &fresh)) == NULL) {
			monitor_oom(m);
			return;
		}
		if (fresh)
			ps->stable = PAIRSTATE_CLEAN;
	}
	pev = pairstate_step(ps, &in, &m->params, monitor_now_ms(), NULL);
	if (pev != PAIRSTATE_EV_NONE)
		monitor_pair_event(m, r, ps, pev, codes, ncodes);
	/* Only an answer asks for a confirmation: errors wait for the
	 * pair's next turn, so an outage costs no extra queries. */
	if (pairstate_pending(ps) && (in.verdict == VERDICT_LISTED ||
	    in.verdict == VERDICT_CLEAN || in.verdict == VERDICT_IGNORED) &&
	    sweep_confirm(m->g->s, r->zone, r->target) != 0)
		monitor_oom(m);
	if (pairstate_idle(ps))
		pairtable_remove(&m->pairs, key);
}

struct monitor_drop {
	struct monitor *m;
	uint32_t zone;
};

/* A zone left ok: its pairs' pending changes are void. */
static bool
monitor_drop_cb(uint64_t key, struct pairstate *ps, void *arg)
{
	const struct monitor_drop *d = arg;
	struct pairstate_input in = { .verdict = VERDICT_SUPPRESSED };

	if (pairtable_key_zone(key) != d->zone)
		return true;
	pairstate_step(ps, &in, &d->m->params, monitor_now_ms(), NULL);
	return !pairstate_idle(ps);
}

static void
monitor_zone_event(struct monitor *m, uint32_t zone, enum incident_kind kind,
    enum zone_health h, const struct diagnose_probe probes[2],
    int64_t duration_s)
{
	const struct zone *z = &m->g->c->zones[zone];
	struct diagnose_zone dz;
	char detail[MONITOR_TEXT_MAX];
	struct incident ev;

	memset(&dz, 0, sizeof(dz));
	dz.zone = z;
	dz.health = (uint8_t)h;
	dz.probe[0] = probes[0];
	dz.probe[1] = probes[1];
	detail[0] = '\0';
	if (kind == INCIDENT_ZONE_DOWN)
		diagnose_zone_reason(&dz, detail, sizeof(detail));
	memset(&ev, 0, sizeof(ev));
	ev.kind = (uint8_t)kind;
	ev.severity = z->severity;
	ev.target = ev.group = ev.codes = ev.labels = ev.txt = "";
	ev.delist_url = "";
	ev.zone = z->name;
	ev.state = health_name(h);
	ev.detail = detail;
	ev.duration_s = duration_s;
	monitor_raise(m, &ev);
}

/*
 * A zone's accepted health changed. Leaving ok raises one zone-down (and
 * voids its pairs' pending changes); coming back raises one zone-up. A
 * move between two states that are not ok changes the stored state only.
 */
void
monitor_zone_changed(struct monitor *m, uint32_t zone, enum zone_health from,
    enum zone_health to, const struct diagnose_probe probes[2])
{
	struct monitor_zone *mz = &m->zones[zone];
	const struct zone *z = &m->g->c->zones[zone];
	struct monitor_drop d = { m, zone };
	int64_t now_s = monitor_wall_s();
	struct store_zone row;

	(void)from;
	if (to == HEALTH_UNKNOWN)
		return;
	if (to != HEALTH_OK)
		pairtable_filter(&m->pairs, monitor_drop_cb, &d);
	if (to == mz->announced)
		return;
	if (to != HEALTH_OK && mz->announced == HEALTH_OK) {
		monitor_zone_event(m, zone, INCIDENT_ZONE_DOWN, to, probes, 0);
		mz->since_s = now_s;
	} else if (to == HEALTH_OK) {
		monitor_zone_event(m, zone, INCIDENT_ZONE_UP, to, probes,
		    now_s - mz->since_s);
		mz->since_s = now_s;
	}
	mz->announced = (uint8_t)to;
	if (m->store != NULL) {
		row.zone = z->name;
		row.state = health_name(to);
		row.since_s = mz->since_s;
		(void)store_zone_put(m->store, &row);
	}
}

int
monitor_store_open(struct monitor *m, char *err, size_t errlen)
{
	const struct config *c = m->g->c;
	const char *aside;
	int rc;

	if (c->state_db == NULL)
		return 0;
	if ((rc = store_open(c->state_db, NULL, &m->store, err, errlen)) != 0)
		return rc;
	if ((aside = store_moved_aside(m->store)) != NULL) {
		struct incident ev;
		char detail[MONITOR_TEXT_MAX];

		snprintf(detail, sizeof(detail), "the state store was "
		    "damaged (%s); it was moved aside to %s and a new one "
		    "started", store_last_error(m->store), aside);
		log_warn("%s", detail);
		memset(&ev, 0, sizeof(ev));
		ev.kind = INCIDENT_STORAGE_ERROR;
		ev.target = ev.group = ev.zone = ev.codes = ev.labels = "";
		ev.txt = ev.delist_url = ev.state = "";
		ev.detail = detail;
		monitor_raise(m, &ev);
	}
	return 0;
}

/* The index of the target written as text, or -1. */
static long
monitor_find_target(const struct config *c, const char *text)
{
	struct target t;
	char err[128];
	size_t lo = 0, hi = c->ntargets;
	long found = -1;

	/* Canonical text: an address, else a domain. */
	if (target_parse_ip(text, &t, err, sizeof(err)) != 0 &&
	    target_parse_domain(text, &t, err, sizeof(err)) != 0)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = target_cmp(&c->targets[mid], &t);

		if (cmp == 0) {
			found = (long)mid;
			break;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	target_clear(&t);
	return found;
}

static long
monitor_find_zone(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nzones; i++)
		if (strcmp(c->zones[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* "127.0.0.2,127.0.0.4" back into codes; how many were read. */
static size_t
monitor_parse_codes(const char *text, uint32_t *ret, size_t max)
{
	char buf[MONITOR_TEXT_MAX];
	char *save = NULL, *tok;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ",", &save); tok != NULL && n < max;
	    tok = strtok_r(NULL, ",", &save)) {
		struct code_item item;
		char err[64];

		if (code_item_parse(tok, &item, err, sizeof(err)) == 0 &&
		    item.kind == CODE_RANGE && item.lo == item.hi)
			ret[n++] = item.lo;
	}
	return n;
}

static int
monitor_restore_pair(const struct store_pair *p, void *arg)
{
	struct monitor *m = arg;
	const struct config *c = m->g->c;
	long t = monitor_find_target(c, p->target);
	long z = monitor_find_zone(c, p->zone);
	uint64_t now_ms = monitor_now_ms();
	int64_t age_s = monitor_wall_s() - p->first_seen_s;
	uint32_t codes[ANSWER_MAX_ADDRS];
	struct pairstate *ps;
	size_t n;

	if (t < 0 || z < 0 || !zone_accepts(&c->zones[z],
	    (enum target_kind)c->targets[t].kind)) {
		/* Removed from the configuration while we were down. */
		(void)store_pair_del(m->store, p->target, p->zone);
		return 0;
	}
	if ((ps = pairtable_put(&m->pairs, pairtable_key((uint32_t)z,
	    (uint32_t)t), NULL)) == NULL)
		return -ENOMEM;
	n = monitor_parse_codes(p->codes, codes, ANSWER_MAX_ADDRS);
	ps->stable = PAIRSTATE_LISTED;
	ps->codes_hash = pairstate_codes_hash(codes, n, &ps->ncodes);
	/* Monotonic times from the wall-clock age; never 0 (never). */
	age_s = age_s < 0 ? 0 : age_s;
	ps->first_seen_ms = now_ms > (uint64_t)age_s * 1000u ?
	    now_ms - (uint64_t)age_s * 1000u : 1;
	ps->last_change_ms = ps->first_seen_ms;
	ps->last_remind_ms = now_ms;
	return 0;
}

static int
monitor_restore_zone(const struct store_zone *zr, void *arg)
{
	struct monitor *m = arg;
	long z = monitor_find_zone(m->g->c, zr->zone);

	if (z < 0) {
		(void)store_zone_del(m->store, zr->zone);
		return 0;
	}
	for (int h = HEALTH_OK; h < HEALTH_COUNT; h++) {
		if (strcmp(health_name((enum zone_health)h), zr->state) == 0) {
			m->zones[z].announced = (uint8_t)h;
			m->zones[z].since_s = zr->since_s;
		}
	}
	return 0;
}

static int
monitor_redeliver_cb(const struct incident *ev, void *arg)
{
	struct monitor *m = arg;

	monitor_announce(m, ev);
	return store_mark_sent(m->store, ev->id);
}

/* Standing listings, zone states and unsent alerts from the store. */
int
monitor_restore(struct monitor *m)
{
	int rc;

	if (m->store == NULL)
		return 0;
	if ((rc = store_load_pairs(m->store, monitor_restore_pair, m)) != 0 ||
	    (rc = store_load_zones(m->store, monitor_restore_zone, m)) != 0 ||
	    (rc = store_unsent(m->store, monitor_redeliver_cb, m)) != 0)
		return rc < 0 ? rc : -EIO;
	monitor_flush(m, true);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * The monitor seen from outside: a zone's figures, the pair states
 * counted and looked up, and the two doors the control socket may open
 * (a live check, a cycle now). Reads only, but for those two.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hook.h"
#include "livecheck.h"
#include "monitor_int.h"
#include "store.h"
#include "zone.h"

void
monitor_zone_info(const struct monitor *m, uint32_t zi,
    struct monitor_zone_info *ret)
{
	const struct monitor_zone *mz = &m->zones[zi];
	const struct sweep *s = m->g->s;

	memset(ret, 0, sizeof(*ret));
	ret->zone = &m->g->c->zones[zi];
	ret->state = sweep_zone_health(s, zi);
	/* A zone that never changed is in its state since start-up. */
	ret->since_s = mz->since_s > 0 ? mz->since_s : m->started_s;
	ret->interval_ms = sweep_zone_interval(s, zi, &ret->stretched);
	ret->used_today = sweep_zone_used_today(s, zi);
	ret->last_probe_s = sweep_zone_probes(s, zi, ret->probes);
	ret->last = mz->have_last ? &mz->last : NULL;
	ret->last_end_s = mz->last_end_s;
	ret->tally = &mz->tally;
}

struct monitor_count_walk {
	struct monitor_counts *c;
	uint64_t *per_zone;
	uint8_t *seen; /* a bit per target */
};

static void
monitor_count_cb(uint64_t key, const struct pairstate *ps, void *arg)
{
	struct monitor_count_walk *w = arg;
	uint32_t t = pairtable_key_target(key);

	if (pairstate_pending(ps))
		w->c->pending++;
	if (ps->errors > 0)
		w->c->errors++;
	if (ps->stable != PAIRSTATE_LISTED)
		return;
	w->c->listed++;
	if (w->per_zone != NULL)
		w->per_zone[pairtable_key_zone(key)]++;
	if (!(w->seen[t / 8] & (1u << (t % 8)))) {
		w->seen[t / 8] |= (uint8_t)(1u << (t % 8));
		w->c->listed_targets++;
	}
}

int
monitor_counts(const struct monitor *m, struct monitor_counts *ret,
    uint64_t *per_zone)
{
	const struct config *c = m->g->c;
	struct monitor_count_walk w;
	struct monitor_counts n;

	memset(&n, 0, sizeof(n));
	w.c = &n;
	w.per_zone = per_zone;
	if ((w.seen = calloc(c->ntargets / 8 + 1, 1)) == NULL)
		return -ENOMEM;
	if (per_zone != NULL)
		memset(per_zone, 0, c->nzones * sizeof(*per_zone));
	pairtable_each(&m->pairs, monitor_count_cb, &w);
	free(w.seen);
	*ret = n;
	return 0;
}

bool
monitor_pair(const struct monitor *m, uint32_t ti, uint32_t zi,
    struct pairstate *ret)
{
	const struct pairstate *ps = pairtable_get(&m->pairs,
	    pairtable_key(zi, ti));

	if (ps == NULL)
		return false;
	*ret = *ps;
	return true;
}

struct monitor_each_walk {
	void (*cb)(uint32_t, uint32_t, const struct pairstate *, void *);
	void *arg;
};

static void
monitor_each_cb(uint64_t key, const struct pairstate *ps, void *arg)
{
	struct monitor_each_walk *w = arg;

	w->cb(pairtable_key_target(key), pairtable_key_zone(key), ps, w->arg);
}

void
monitor_each_pair(const struct monitor *m,
    void (*cb)(uint32_t ti, uint32_t zi, const struct pairstate *ps,
    void *arg), void *arg)
{
	struct monitor_each_walk w = { cb, arg };

	pairtable_each(&m->pairs, monitor_each_cb, &w);
}

struct store *
monitor_store(const struct monitor *m)
{
	return m->store;
}

int64_t
monitor_started(const struct monitor *m)
{
	return m->started_s;
}

uint32_t
monitor_generation(const struct monitor *m)
{
	return m->g->id + 1;
}

uint64_t
monitor_alerts(const struct monitor *m, unsigned k)
{
	return k < INCIDENT_KIND_COUNT ? m->alerts[k] : 0;
}

uint64_t
monitor_hook_failures(const struct monitor *m)
{
	struct hook_stats st;

	if (m->hook == NULL)
		return m->hook_failures_before;
	hook_get_stats(m->hook, &st);
	return m->hook_failures_before + st.failed + st.timed_out;
}

bool
monitor_storage_failing(const struct monitor *m)
{
	return m->storage_failed;
}

int
monitor_check(struct monitor *m, uint32_t zi, const struct target *t,
    void (*cb)(const struct result *res, uint64_t ms, void *arg), void *arg)
{
	int rc;

	if (m->live == NULL || m->stopped)
		return -ENOTSUP;
	rc = livecheck_start(m->live, &m->g->c->zones[zi], zi, t, cb, arg);
	if (rc == 0)
		m->zones[zi].tally.live_checks++;
	return rc;
}

bool
monitor_sweep_now(struct monitor *m, uint32_t zi)
{
	if (m->stopped)
		return false;
	return sweep_now(m->g->s, zi);
}

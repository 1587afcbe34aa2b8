/* SPDX-License-Identifier: ISC */
/*
 * One sweep of every (target, zone) pair. Each zone has a cursor over its
 * contiguous range of targets, a token bucket and a health state; a fixed
 * array of slots (max_inflight of them) carries the queries in flight.
 * Zones are served round-robin so that one slow or rate-limited list never
 * holds back the others, and a zone's targets are only queried once its
 * RFC 5782 §5 test points have shown it healthy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bucket.h"
#include "config.h"
#include "resolver.h"
#include "sweep.h"
#include "target.h"
#include "zone.h"

enum slot_kind { SLOT_PROBE_POS, SLOT_PROBE_NEG, SLOT_A, SLOT_TXT };

struct sweep_slot {
	struct sweep *s;
	uint32_t target;
	uint32_t zone;
	uint8_t kind; /* enum slot_kind */
	uint8_t ncodes;
	uint32_t codes[ANSWER_MAX_ADDRS]; /* kept while the TXT is asked */
};

struct sweep_zone {
	uint32_t first; /* targets first .. first + count - 1 */
	uint32_t count;
	uint32_t next;	/* offset of the next target to query */
	uint8_t probes_sent;
	uint8_t probes_left;
	uint8_t health;	     /* enum zone_health */
	uint8_t probe[2];    /* verdicts of the positive, negative point */
	struct bucket bucket;
};

struct sweep {
	struct event_base *base;
	struct resolver *resolver;
	const struct config *config;
	struct sweep_callbacks cbs;

	struct sweep_zone *zones;
	struct sweep_slot *slots;
	uint32_t *free_slots; /* stack of free slot indexes */
	uint32_t nslots;
	uint32_t nfree;
	uint32_t rr; /* zone to look at first */

	uint64_t done;
	uint64_t total;
	uint32_t undecided; /* zones whose health is not known yet */
	bool refilling;
	bool finished;
	bool rate_limited; /* some zone has a max_qps */

	struct event *wake;   /* a bucket will have a token */
	struct event *finish; /* deferred done_cb */
};

static void sweep_refill(struct sweep *s);

static uint64_t
sweep_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
sweep_check_finished(struct sweep *s)
{
	if (s->finished || s->done < s->total || s->undecided > 0 ||
	    s->nfree < s->nslots)
		return;
	s->finished = true;
	event_active(s->finish, 0, 0);
}

static void
sweep_emit(struct sweep *s, const struct sweep_result *r)
{
	s->done++;
	s->cbs.result_cb(r, s->cbs.arg);
}

/* Every pair of an unhealthy zone is reported suppressed, not queried. */
static void
sweep_suppress_zone(struct sweep *s, uint32_t zi)
{
	struct sweep_zone *z = &s->zones[zi];
	struct sweep_result r;

	memset(&r, 0, sizeof(r));
	r.zone = zi;
	r.verdict = VERDICT_SUPPRESSED;
	for (; z->next < z->count; z->next++) {
		r.target = z->first + z->next;
		sweep_emit(s, &r);
	}
}

static void
sweep_set_health(struct sweep *s, uint32_t zi, enum zone_health h)
{
	s->zones[zi].health = (uint8_t)h;
	s->undecided--;
	s->cbs.zone_cb(zi, h, s->cbs.arg);
	if (h != HEALTH_OK)
		sweep_suppress_zone(s, zi);
}

static void
sweep_slot_release(struct sweep *s, struct sweep_slot *slot)
{
	s->free_slots[s->nfree++] = (uint32_t)(slot - s->slots);
}

static void sweep_answer_cb(const struct answer *a, void *arg);

/* Send qname for slot; on failure report the pair as an error. */
static void
sweep_send(struct sweep *s, struct sweep_slot *slot, const char *qname,
    enum resolver_qtype type)
{
	struct answer a;

	if (resolver_query(s->resolver, qname, type, sweep_answer_cb,
	    slot) == 0)
		return;
	memset(&a, 0, sizeof(a));
	a.status = ANSWER_ERROR;
	a.error = "cannot send query";
	sweep_answer_cb(&a, slot);
}

static void
sweep_probe_answer(struct sweep *s, struct sweep_slot *slot,
    const struct answer *a)
{
	const struct zone *zone = &s->config->zones[slot->zone];
	struct sweep_zone *z = &s->zones[slot->zone];

	z->probe[slot->kind == SLOT_PROBE_POS ? 0 : 1] =
	    (uint8_t)classify_answer(zone, a);
	sweep_slot_release(s, slot);
	if (--z->probes_left == 0)
		sweep_set_health(s, slot->zone,
		    health_decide(z->probe[0], z->probe[1]));
}

static void
sweep_pair_answer(struct sweep *s, struct sweep_slot *slot,
    const struct answer *a)
{
	const struct zone *zone = &s->config->zones[slot->zone];
	struct sweep_result r;
	char qname[TARGET_QNAME_MAX + 1];

	memset(&r, 0, sizeof(r));
	r.target = slot->target;
	r.zone = slot->zone;
	if (slot->kind == SLOT_TXT) {
		/* The listing stands whatever became of its TXT. */
		r.verdict = VERDICT_LISTED;
		r.ncodes = slot->ncodes;
		memcpy(r.codes, slot->codes, sizeof(r.codes));
		r.txt = a->status == ANSWER_RECORDS ? a->txt : NULL;
		sweep_slot_release(s, slot);
		sweep_emit(s, &r);
		return;
	}
	r.verdict = (uint8_t)classify_answer(zone, a);
	r.ncodes = a->naddrs;
	memcpy(r.codes, a->addrs, sizeof(r.codes));
	r.error = a->error;
	if (r.verdict == VERDICT_LISTED && zone->txt &&
	    target_qname(&s->config->targets[slot->target], zone->name, qname,
	    sizeof(qname)) > 0) {
		slot->kind = SLOT_TXT;
		slot->ncodes = r.ncodes;
		memcpy(slot->codes, r.codes, sizeof(slot->codes));
		sweep_send(s, slot, qname, RESOLVER_TXT);
		return;
	}
	sweep_slot_release(s, slot);
	sweep_emit(s, &r);
}

static void
sweep_answer_cb(const struct answer *a, void *arg)
{
	struct sweep_slot *slot = arg;
	struct sweep *s = slot->s;

	if (slot->kind == SLOT_PROBE_POS || slot->kind == SLOT_PROBE_NEG)
		sweep_probe_answer(s, slot, a);
	else
		sweep_pair_answer(s, slot, a);
	sweep_refill(s);
	sweep_check_finished(s);
}

static struct sweep_slot *
sweep_slot_take(struct sweep *s, uint32_t zi, uint32_t target,
    enum slot_kind kind)
{
	struct sweep_slot *slot = &s->slots[s->free_slots[--s->nfree]];

	slot->zone = zi;
	slot->target = target;
	slot->kind = (uint8_t)kind;
	slot->ncodes = 0;
	return slot;
}

static void
sweep_send_probe(struct sweep *s, uint32_t zi)
{
	const struct zone *zone = &s->config->zones[zi];
	struct sweep_zone *z = &s->zones[zi];
	bool positive = z->probes_sent == 0;
	enum target_kind kind = zone->type == ZONE_DOMAIN ? TARGET_DOMAIN :
	    zone->type == ZONE_IP6 ? TARGET_IPV6 : TARGET_IPV4;
	struct target point;
	char qname[TARGET_QNAME_MAX + 1];
	struct sweep_slot *slot;

	z->probes_sent++;
	slot = sweep_slot_take(s, zi, 0,
	    positive ? SLOT_PROBE_POS : SLOT_PROBE_NEG);
	health_test_point(kind, positive, &point);
	if (target_qname(&point, zone->name, qname, sizeof(qname)) < 0) {
		struct answer a = { .status = ANSWER_ERROR,
			.error = "test point name too long" };
		sweep_answer_cb(&a, slot);
		return;
	}
	sweep_send(s, slot, qname, RESOLVER_A);
}

static void
sweep_send_pair(struct sweep *s, uint32_t zi)
{
	const struct zone *zone = &s->config->zones[zi];
	struct sweep_zone *z = &s->zones[zi];
	uint32_t t = z->first + z->next++;
	char qname[TARGET_QNAME_MAX + 1];
	struct sweep_slot *slot = sweep_slot_take(s, zi, t, SLOT_A);

	/* The config checked that every query name fits. */
	if (target_qname(&s->config->targets[t], zone->name, qname,
	    sizeof(qname)) < 0) {
		struct answer a = { .status = ANSWER_ERROR,
			.error = "query name too long" };
		sweep_answer_cb(&a, slot);
		return;
	}
	sweep_send(s, slot, qname, RESOLVER_A);
}

/*
 * Can zone zi send now? 1: a probe, 2: a pair; 0: nothing now. Sets
 * *wait_ns to the time until its bucket has a token when that is all
 * that holds it back.
 */
static int
sweep_zone_ready(struct sweep *s, uint32_t zi, uint64_t now,
    uint64_t *wait_ns)
{
	struct sweep_zone *z = &s->zones[zi];
	int what;

	/* Probes count against the zone's rate like any other query. */
	if (z->probes_sent < 2 && z->health == HEALTH_UNKNOWN)
		what = 1;
	else if (z->health == HEALTH_OK && z->next < z->count)
		what = 2;
	else
		return 0;
	if (!s->rate_limited || bucket_take(&z->bucket, now))
		return what;
	uint64_t w = bucket_wait_ns(&z->bucket, now);
	if (w < *wait_ns)
		*wait_ns = w;
	return 0;
}

static void
sweep_refill(struct sweep *s)
{
	uint32_t nzones = (uint32_t)s->config->nzones;
	uint64_t now = s->rate_limited ? sweep_now_ns() : 0;
	uint64_t wait_ns = UINT64_MAX;

	if (s->refilling)
		return; /* an answer arrived while sending: the loop goes on */
	s->refilling = true;
	while (s->nfree > 0) {
		uint32_t i;
		int what = 0;

		for (i = 0; i < nzones && what == 0; i++)
			what = sweep_zone_ready(s, (s->rr + i) % nzones, now,
			    &wait_ns);
		if (what == 0)
			break;
		uint32_t zi = (s->rr + i - 1) % nzones;
		s->rr = (zi + 1) % nzones;
		if (what == 1)
			sweep_send_probe(s, zi);
		else
			sweep_send_pair(s, zi);
	}
	s->refilling = false;
	if (wait_ns != UINT64_MAX && !evtimer_pending(s->wake, NULL)) {
		uint64_t us = wait_ns / 1000u + 1;
		struct timeval tv = {
			.tv_sec = (time_t)(us / 1000000u),
			.tv_usec = (suseconds_t)(us % 1000000u),
		};
		evtimer_add(s->wake, &tv);
	}
}

static void
sweep_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sweep_refill(arg);
}

static void
sweep_finish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sweep *s = arg;

	(void)fd;
	(void)what;
	s->cbs.done_cb(s->cbs.arg);
}

int
sweep_new(struct event_base *base, struct resolver *r,
    const struct config *c, const struct sweep_callbacks *cbs,
    struct sweep **ret)
{
	struct sweep *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	s->base = base;
	s->resolver = r;
	s->config = c;
	s->cbs = *cbs;
	s->nslots = c->max_inflight;
	s->zones = calloc(c->nzones ? c->nzones : 1, sizeof(*s->zones));
	s->slots = calloc(s->nslots, sizeof(*s->slots));
	s->free_slots = calloc(s->nslots, sizeof(*s->free_slots));
	s->wake = evtimer_new(base, sweep_wake_cb, s);
	s->finish = event_new(base, -1, 0, sweep_finish_cb, s);
	if (s->zones == NULL || s->slots == NULL || s->free_slots == NULL ||
	    s->wake == NULL || s->finish == NULL) {
		sweep_free(s);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < s->nslots; i++) {
		s->slots[i].s = s;
		s->free_slots[s->nfree++] = s->nslots - 1 - i;
	}
	s->total = config_pairs(c);
	*ret = s;
	return 0;
}

void
sweep_start(struct sweep *s)
{
	uint64_t now = sweep_now_ns();

	s->undecided = (uint32_t)s->config->nzones;
	for (uint32_t zi = 0; zi < s->config->nzones; zi++) {
		const struct zone *zone = &s->config->zones[zi];
		struct sweep_zone *z = &s->zones[zi];
		size_t first, count;

		config_zone_targets(s->config, zone, &first, &count);
		z->first = (uint32_t)first;
		z->count = (uint32_t)count;
		z->health = HEALTH_UNKNOWN;
		z->probes_left = 2;
		/* A second's worth of burst, at least one query. */
		bucket_init(&z->bucket, zone->max_qps,
		    zone->max_qps > 1.0 ? zone->max_qps : 1.0, now);
		if (zone->max_qps > 0)
			s->rate_limited = true;
	}
	for (uint32_t zi = 0; zi < s->config->nzones; zi++) {
		if (!s->config->zones[zi].test_points) {
			s->zones[zi].probes_sent = 2;
			s->zones[zi].probes_left = 0;
			sweep_set_health(s, zi, HEALTH_OK);
		}
	}
	sweep_refill(s);
	sweep_check_finished(s);
}

void
sweep_progress(const struct sweep *s, uint64_t *ret_done, uint64_t *ret_total)
{
	*ret_done = s->done;
	*ret_total = s->total;
}

void
sweep_free(struct sweep *s)
{
	if (s == NULL)
		return;
	/* Answers still on their way would land in freed slots. */
	if (s->nfree < s->nslots)
		resolver_cancel(s->resolver);
	if (s->wake != NULL)
		event_free(s->wake);
	if (s->finish != NULL)
		event_free(s->finish);
	free(s->free_slots);
	free(s->slots);
	free(s->zones);
	free(s);
}

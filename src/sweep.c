/* SPDX-License-Identifier: ISC */
/*
 * One sweep of every (target, zone) pair. Each zone has a cursor over its
 * contiguous range of targets, a token bucket and a health state; a fixed
 * array of slots (max_inflight of them) carries the queries in flight.
 * Zones are served round-robin so that one slow or rate-limited list never
 * holds back the others, and a zone's targets are only queried once its
 * RFC 5782 §5 test points have shown it healthy. Every query a zone causes,
 * test points and TXT follow-ups included, takes a token from its bucket.
 */
#include <assert.h>
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

/* "No slot" / "no entry" in the index-linked lists below. */
#define SWEEP_NONE UINT32_MAX

enum slot_kind { SLOT_PROBE_POS, SLOT_PROBE_NEG, SLOT_A, SLOT_TXT };

/*
 * A slot's state guards its life: an answer is taken only by a slot that
 * is asking, and a slot is freed only once. A second completion of one
 * query would print a pair twice and free a slot twice.
 */
enum slot_state {
	SLOT_FREE,
	SLOT_ASKING,   /* a query is out: exactly one callback is due */
	SLOT_WAIT_TXT, /* listed; its TXT query waits for a token */
};

struct sweep_slot {
	struct sweep *s;
	uint32_t target;
	uint32_t zone;
	uint32_t next_wait; /* SLOT_WAIT_TXT: next waiting slot of the zone */
	uint8_t kind;	    /* enum slot_kind */
	uint8_t state;	    /* enum slot_state */
	bool reasked;	    /* second asking: its answer is final */
	uint8_t ncodes;
	uint32_t codes[ANSWER_MAX_ADDRS]; /* kept while the TXT is asked */
};

/* A pair waiting to be asked again, in its zone's list. */
struct sweep_reask {
	uint32_t target;
	uint32_t next;
};

struct sweep_zone {
	uint32_t first; /* targets first .. first + count - 1 */
	uint32_t count;
	uint32_t next;	/* offset of the next target to query */
	uint32_t txt_head, txt_tail;	 /* slots waiting to ask TXT */
	uint32_t reask_head, reask_tail; /* pairs to ask again */
	uint8_t probe_todo;    /* bit 0 positive, bit 1 negative: to send */
	uint8_t probe_retried; /* the same bits: asked a second time */
	uint8_t probes_left;   /* test points not answered yet */
	uint8_t health;	       /* enum zone_health */
	uint8_t verdict[2];    /* positive, negative point */
	struct diagnose_probe probe[2];
	struct bucket bucket;
};

struct sweep {
	struct event_base *base;
	struct sweep_io io;
	const struct config *config;
	struct sweep_callbacks cbs;

	struct sweep_zone *zones;
	struct sweep_slot *slots;
	uint32_t *free_slots; /* stack of free slot indexes */
	uint32_t nslots;
	uint32_t nfree;
	uint32_t ntxt_wait; /* slots in SLOT_WAIT_TXT */
	uint32_t rr;	    /* zone to look at first */

	struct sweep_reask *reasks; /* SWEEP_REASK_MAX entries */
	uint32_t reask_free;	    /* free list through next */
	uint32_t nreasks;	    /* pairs queued to ask again, ever */

	uint64_t done;
	uint64_t total;
	uint64_t unsent;    /* pairs neither sent once nor suppressed */
	uint32_t undecided; /* zones whose health is not known yet */
	bool refilling;
	bool finished;
	bool stopped;
	bool rate_limited; /* some zone has a max_qps */

	struct event *wake;   /* a bucket will have a token */
	uint64_t wake_at;     /* when (io time), UINT64_MAX: not armed */
	struct event *finish; /* deferred done_cb */
};

static void sweep_refill(struct sweep *s);

static int
sweep_resolver_query(void *ctx, const char *qname, enum resolver_qtype type,
    resolver_cb *cb, void *cb_arg)
{
	return resolver_query(ctx, qname, type, cb, cb_arg);
}

static void
sweep_resolver_cancel(void *ctx)
{
	resolver_cancel(ctx);
}

static uint64_t
sweep_clock_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
sweep_io_resolver(struct resolver *r, struct sweep_io *ret)
{
	ret->query = sweep_resolver_query;
	ret->cancel = sweep_resolver_cancel;
	ret->now_ns = sweep_clock_ns;
	ret->ctx = r;
}

/*
 * Done when every pair is reported and nothing is in flight. Also when
 * nothing is in flight and no wake-up is due although pairs are left
 * (a rate so low that no token is ever due): nothing would ever come,
 * and the caller sees the pairs not done.
 */
static void
sweep_check_finished(struct sweep *s)
{
	if (s->finished || s->refilling || s->nfree < s->nslots)
		return;
	if ((s->done < s->total || s->undecided > 0) &&
	    s->wake_at != UINT64_MAX)
		return;
	s->finished = true;
	event_active(s->finish, 0, 0);
}

static void
sweep_emit(struct sweep *s, const struct sweep_result *r)
{
	/* More results than pairs: something completed twice. */
	assert(s->done < s->total);
	if (s->done >= s->total)
		return;
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
		s->unsent--;
		sweep_emit(s, &r);
	}
}

static void
sweep_set_health(struct sweep *s, uint32_t zi, enum zone_health h)
{
	s->zones[zi].health = (uint8_t)h;
	s->undecided--;
	s->cbs.zone_cb(zi, h, s->zones[zi].probe, s->cbs.arg);
	if (h != HEALTH_OK)
		sweep_suppress_zone(s, zi);
}

static struct sweep_slot *
sweep_slot_take(struct sweep *s, uint32_t zi, uint32_t target,
    enum slot_kind kind)
{
	struct sweep_slot *slot = &s->slots[s->free_slots[--s->nfree]];

	assert(slot->state == SLOT_FREE);
	slot->zone = zi;
	slot->target = target;
	slot->kind = (uint8_t)kind;
	slot->reasked = false;
	slot->ncodes = 0;
	return slot;
}

static void
sweep_slot_release(struct sweep *s, struct sweep_slot *slot)
{
	assert(slot->state != SLOT_FREE && s->nfree < s->nslots);
	if (slot->state == SLOT_FREE || s->nfree >= s->nslots)
		return;
	slot->state = SLOT_FREE;
	s->free_slots[s->nfree++] = (uint32_t)(slot - s->slots);
}

static void sweep_complete(struct sweep *s, struct sweep_slot *slot,
    const struct answer *a);

static void
sweep_answer_cb(const struct answer *a, void *arg)
{
	struct sweep_slot *slot = arg;
	struct sweep *s = slot->s;

	/* The resolver calls back exactly once per query it accepted. */
	assert(slot->state == SLOT_ASKING);
	if (slot->state != SLOT_ASKING)
		return;
	sweep_complete(s, slot, a);
	sweep_refill(s);
	sweep_check_finished(s);
}

/* Send qname for slot; a send that fails is that query's answer. */
static void
sweep_send(struct sweep *s, struct sweep_slot *slot, const char *qname,
    enum resolver_qtype type)
{
	struct answer a;

	slot->state = SLOT_ASKING;
	if (s->io.query(s->io.ctx, qname, type, sweep_answer_cb, slot) == 0)
		return;
	/* No callback will follow: this is the only completion. */
	memset(&a, 0, sizeof(a));
	a.status = ANSWER_ERROR;
	a.error = "cannot send query";
	sweep_complete(s, slot, &a);
}

/* Fail slot's query before it is sent (its name cannot be built). */
static void
sweep_fail(struct sweep *s, struct sweep_slot *slot, const char *error)
{
	struct answer a;

	memset(&a, 0, sizeof(a));
	a.status = ANSWER_ERROR;
	a.error = error;
	slot->state = SLOT_ASKING;
	sweep_complete(s, slot, &a);
}

static bool
sweep_worth_reask(const struct answer *a)
{
	return a->status == ANSWER_ERROR && a->conn_failed;
}

static void
sweep_probe_answer(struct sweep *s, struct sweep_slot *slot,
    const struct answer *a)
{
	const struct zone *zone = &s->config->zones[slot->zone];
	struct sweep_zone *z = &s->zones[slot->zone];
	int i = slot->kind == SLOT_PROBE_POS ? 0 : 1;
	uint32_t zi = slot->zone;

	sweep_slot_release(s, slot);
	/* A connection that failed says nothing about the list: once more. */
	if (sweep_worth_reask(a) && !(z->probe_retried & (1u << i))) {
		z->probe_retried |= (uint8_t)(1u << i);
		z->probe_todo |= (uint8_t)(1u << i);
		return;
	}
	z->verdict[i] = (uint8_t)classify_answer(zone, a);
	diagnose_probe_record(zone, a, z->verdict[i], &z->probe[i]);
	if (--z->probes_left == 0)
		sweep_set_health(s, zi, health_decide(z->verdict[0],
		    z->verdict[1]));
}

/*
 * Queue the pair for a second asking; false once SWEEP_REASK_MAX pairs
 * have been: a server that fails everything costs a bounded number of
 * extra queries, not a second sweep.
 */
static bool
sweep_reask_push(struct sweep *s, uint32_t zi, uint32_t target)
{
	struct sweep_zone *z = &s->zones[zi];
	uint32_t e = s->reask_free;

	if (e == SWEEP_NONE || s->nreasks >= SWEEP_REASK_MAX)
		return false;
	s->nreasks++;
	s->reask_free = s->reasks[e].next;
	s->reasks[e].target = target;
	s->reasks[e].next = SWEEP_NONE;
	if (z->reask_tail == SWEEP_NONE)
		z->reask_head = e;
	else
		s->reasks[z->reask_tail].next = e;
	z->reask_tail = e;
	return true;
}

static uint32_t
sweep_reask_pop(struct sweep *s, struct sweep_zone *z)
{
	uint32_t e = z->reask_head, target = s->reasks[e].target;

	z->reask_head = s->reasks[e].next;
	if (z->reask_head == SWEEP_NONE)
		z->reask_tail = SWEEP_NONE;
	s->reasks[e].next = s->reask_free;
	s->reask_free = e;
	return target;
}

/* A listed pair waits, holding its slot and codes, for a TXT token. */
static void
sweep_txt_wait(struct sweep *s, struct sweep_slot *slot,
    const struct answer *a)
{
	struct sweep_zone *z = &s->zones[slot->zone];
	uint32_t i = (uint32_t)(slot - s->slots);

	slot->kind = SLOT_TXT;
	slot->state = SLOT_WAIT_TXT;
	slot->ncodes = a->naddrs;
	memcpy(slot->codes, a->addrs, a->naddrs * sizeof(*slot->codes));
	slot->next_wait = SWEEP_NONE;
	if (z->txt_tail == SWEEP_NONE)
		z->txt_head = i;
	else
		s->slots[z->txt_tail].next_wait = i;
	z->txt_tail = i;
	s->ntxt_wait++;
}

static void
sweep_emit_listed(struct sweep *s, struct sweep_slot *slot, const char *txt)
{
	struct sweep_result r;

	memset(&r, 0, sizeof(r));
	r.target = slot->target;
	r.zone = slot->zone;
	r.verdict = VERDICT_LISTED;
	r.ncodes = slot->ncodes;
	r.codes = slot->codes;
	r.txt = txt;
	/* r points into the slot: free it once the result is handed on. */
	sweep_emit(s, &r);
	sweep_slot_release(s, slot);
}

static void
sweep_pair_answer(struct sweep *s, struct sweep_slot *slot,
    const struct answer *a)
{
	const struct zone *zone = &s->config->zones[slot->zone];
	struct sweep_result r;

	if (slot->kind == SLOT_TXT) {
		/* The listing stands whatever became of its TXT. */
		sweep_emit_listed(s, slot, a->status == ANSWER_RECORDS ?
		    a->txt : NULL);
		return;
	}
	if (sweep_worth_reask(a) && !slot->reasked &&
	    sweep_reask_push(s, slot->zone, slot->target)) {
		sweep_slot_release(s, slot);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.target = slot->target;
	r.zone = slot->zone;
	r.verdict = (uint8_t)classify_answer(zone, a);
	if (r.verdict == VERDICT_LISTED && zone->txt) {
		sweep_txt_wait(s, slot, a);
		return;
	}
	r.ncodes = a->naddrs;
	r.codes = a->addrs;
	r.error = a->error;
	sweep_slot_release(s, slot);
	sweep_emit(s, &r);
}

static void
sweep_complete(struct sweep *s, struct sweep_slot *slot,
    const struct answer *a)
{
	if (slot->kind == SLOT_PROBE_POS || slot->kind == SLOT_PROBE_NEG)
		sweep_probe_answer(s, slot, a);
	else
		sweep_pair_answer(s, slot, a);
}

static void
sweep_send_probe(struct sweep *s, uint32_t zi)
{
	const struct zone *zone = &s->config->zones[zi];
	struct sweep_zone *z = &s->zones[zi];
	bool positive = (z->probe_todo & 1u) != 0;
	struct target point;
	char qname[TARGET_QNAME_MAX + 1];
	struct sweep_slot *slot;

	z->probe_todo &= (uint8_t)~(positive ? 1u : 2u);
	slot = sweep_slot_take(s, zi, 0,
	    positive ? SLOT_PROBE_POS : SLOT_PROBE_NEG);
	if (!health_zone_point(zone, positive, &point) ||
	    target_qname(&point, zone->name, qname, sizeof(qname)) < 0) {
		sweep_fail(s, slot, "test point name too long");
		return;
	}
	sweep_send(s, slot, qname, RESOLVER_A);
}

static void
sweep_send_pair(struct sweep *s, uint32_t zi, uint32_t t, bool reasked)
{
	const struct zone *zone = &s->config->zones[zi];
	char qname[TARGET_QNAME_MAX + 1];
	struct sweep_slot *slot = sweep_slot_take(s, zi, t, SLOT_A);

	slot->reasked = reasked;
	/* The config checked that every query name fits. */
	if (target_qname(&s->config->targets[t], zone->name, qname,
	    sizeof(qname)) < 0) {
		sweep_fail(s, slot, "query name too long");
		return;
	}
	sweep_send(s, slot, qname, RESOLVER_A);
}

static void
sweep_send_txt(struct sweep *s, struct sweep_zone *z, uint32_t zi)
{
	const struct zone *zone = &s->config->zones[zi];
	struct sweep_slot *slot = &s->slots[z->txt_head];
	char qname[TARGET_QNAME_MAX + 1];

	z->txt_head = slot->next_wait;
	if (z->txt_head == SWEEP_NONE)
		z->txt_tail = SWEEP_NONE;
	s->ntxt_wait--;
	if (target_qname(&s->config->targets[slot->target], zone->name, qname,
	    sizeof(qname)) < 0) {
		sweep_emit_listed(s, slot, NULL);
		return;
	}
	sweep_send(s, slot, qname, RESOLVER_TXT);
}

enum sweep_next { NEXT_NONE, NEXT_TXT, NEXT_PROBE, NEXT_PAIR, NEXT_REASK };

/*
 * Pairs are asked again one at a time, once every first query has been
 * answered: c-ares fails every query in flight to a server whose TCP
 * connection closes, so a second asking beside the culprit's queries
 * (or beside the culprit's own second asking) would fail again.
 */
static bool
sweep_reask_due(const struct sweep *s)
{
	return s->unsent == 0 && s->undecided == 0 && s->nfree == s->nslots;
}

/*
 * What zone z would send next. A TXT follow-up already holds its slot
 * and goes first; re-asks wait for the end of the first pass.
 */
static enum sweep_next
sweep_zone_next(const struct sweep *s, const struct sweep_zone *z)
{
	if (z->txt_head != SWEEP_NONE)
		return NEXT_TXT;
	if (s->nfree == 0)
		return NEXT_NONE;
	if (z->health == HEALTH_UNKNOWN)
		return z->probe_todo != 0 ? NEXT_PROBE : NEXT_NONE;
	if (z->health != HEALTH_OK)
		return NEXT_NONE;
	if (z->next < z->count)
		return NEXT_PAIR;
	if (z->reask_head != SWEEP_NONE && sweep_reask_due(s))
		return NEXT_REASK;
	return NEXT_NONE;
}

static void
sweep_dispatch(struct sweep *s, uint32_t zi, enum sweep_next what)
{
	struct sweep_zone *z = &s->zones[zi];

	switch (what) {
	case NEXT_TXT:
		sweep_send_txt(s, z, zi);
		break;
	case NEXT_PROBE:
		sweep_send_probe(s, zi);
		break;
	case NEXT_PAIR:
		s->unsent--;
		sweep_send_pair(s, zi, z->first + z->next++, false);
		break;
	default:
		sweep_send_pair(s, zi, sweep_reask_pop(s, z), true);
		break;
	}
}

/*
 * Send one query of the first zone, from s->rr on, that has one to send
 * and a token for it. False when none could; *wait_ns is lowered to the
 * time until a zone that has something to send gets its token.
 */
static bool
sweep_send_one(struct sweep *s, uint64_t now, uint64_t *wait_ns)
{
	uint32_t nzones = (uint32_t)s->config->nzones;

	for (uint32_t i = 0; i < nzones; i++) {
		uint32_t zi = s->rr + i < nzones ? s->rr + i :
		    s->rr + i - nzones;
		struct sweep_zone *z = &s->zones[zi];
		enum sweep_next what = sweep_zone_next(s, z);

		if (what == NEXT_NONE)
			continue;
		if (s->rate_limited && !bucket_take(&z->bucket, now)) {
			uint64_t w = bucket_wait_ns(&z->bucket, now);
			if (w < *wait_ns)
				*wait_ns = w;
			continue;
		}
		s->rr = zi + 1 < nzones ? zi + 1 : 0;
		sweep_dispatch(s, zi, what);
		return true;
	}
	return false;
}

/* Wake up when the nearest waiting zone has its token, no later. */
static void
sweep_arm_wake(struct sweep *s, uint64_t now, uint64_t wait_ns)
{
	uint64_t at, us;
	struct timeval tv;

	if (wait_ns == UINT64_MAX)
		return;
	at = now + wait_ns < now ? UINT64_MAX - 1 : now + wait_ns;
	/* One due sooner is armed already (and not past: then re-arm). */
	if (s->wake_at != UINT64_MAX && s->wake_at > now && s->wake_at <= at)
		return;
	us = wait_ns / 1000u + 1;
	tv.tv_sec = (time_t)(us / 1000000u);
	tv.tv_usec = (suseconds_t)(us % 1000000u);
	if (evtimer_add(s->wake, &tv) == 0)
		s->wake_at = at;
}

static void
sweep_refill(struct sweep *s)
{
	uint64_t now, wait_ns = UINT64_MAX;

	if (s->refilling || s->stopped)
		return; /* an answer arrived while sending: the loop goes on */
	s->refilling = true;
	now = s->rate_limited ? s->io.now_ns(s->io.ctx) : 0;
	while ((s->nfree > 0 || s->ntxt_wait > 0) &&
	    sweep_send_one(s, now, &wait_ns))
		;
	s->refilling = false;
	sweep_arm_wake(s, now, wait_ns);
}

void
sweep_poll(struct sweep *s)
{
	sweep_refill(s);
	sweep_check_finished(s);
}

uint64_t
sweep_wake_at(const struct sweep *s)
{
	return s->wake_at;
}

static void
sweep_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sweep *s = arg;

	(void)fd;
	(void)what;
	s->wake_at = UINT64_MAX;
	sweep_poll(s);
}

static void
sweep_finish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sweep *s = arg;

	(void)fd;
	(void)what;
	s->cbs.done_cb(s->cbs.arg);
}

static int
sweep_alloc(struct sweep *s, struct event_base *base)
{
	s->zones = calloc(s->config->nzones ? s->config->nzones : 1,
	    sizeof(*s->zones));
	s->slots = calloc(s->nslots, sizeof(*s->slots));
	s->free_slots = calloc(s->nslots, sizeof(*s->free_slots));
	s->reasks = calloc(SWEEP_REASK_MAX, sizeof(*s->reasks));
	s->wake = evtimer_new(base, sweep_wake_cb, s);
	s->finish = event_new(base, -1, 0, sweep_finish_cb, s);
	if (s->zones == NULL || s->slots == NULL || s->free_slots == NULL ||
	    s->reasks == NULL || s->wake == NULL || s->finish == NULL)
		return -ENOMEM;
	return 0;
}

int
sweep_new(struct event_base *base, const struct sweep_io *io,
    const struct config *c, const struct sweep_callbacks *cbs,
    struct sweep **ret)
{
	struct sweep *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	s->base = base;
	s->io = *io;
	s->config = c;
	s->cbs = *cbs;
	s->nslots = c->max_inflight > 0 ? c->max_inflight : 1;
	s->wake_at = UINT64_MAX;
	if (sweep_alloc(s, base) != 0) {
		sweep_free(s);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < s->nslots; i++) {
		s->slots[i].s = s;
		s->free_slots[s->nfree++] = s->nslots - 1 - i;
	}
	for (uint32_t i = 0; i < SWEEP_REASK_MAX; i++)
		s->reasks[i].next = i + 1 < SWEEP_REASK_MAX ? i + 1 :
		    SWEEP_NONE;
	s->reask_free = 0;
	s->total = config_pairs(c);
	s->unsent = s->total;
	*ret = s;
	return 0;
}

/* Set zone zi up: its targets, bucket and the test points it probes. */
static void
sweep_zone_init(struct sweep *s, uint32_t zi, uint64_t now)
{
	const struct zone *zone = &s->config->zones[zi];
	struct sweep_zone *z = &s->zones[zi];
	struct target point;
	size_t first, count;

	config_zone_targets(s->config, zone, &first, &count);
	z->first = (uint32_t)first;
	z->count = (uint32_t)count;
	z->txt_head = z->txt_tail = SWEEP_NONE;
	z->reask_head = z->reask_tail = SWEEP_NONE;
	z->health = HEALTH_UNKNOWN;
	/* A point not probed counts as right (health.h). */
	z->verdict[0] = VERDICT_LISTED;
	z->verdict[1] = VERDICT_CLEAN;
	for (int i = 0; i < 2; i++) {
		if (health_zone_point(zone, i == 0, &point)) {
			z->probe_todo |= (uint8_t)(1u << i);
			z->probes_left++;
		}
	}
	/* A second's worth of burst, at least one query. */
	bucket_init(&z->bucket, zone->max_qps,
	    zone->max_qps > 1.0 ? zone->max_qps : 1.0, now);
	if (zone->max_qps > 0)
		s->rate_limited = true;
}

void
sweep_start(struct sweep *s)
{
	uint64_t now = s->io.now_ns(s->io.ctx);

	s->undecided = (uint32_t)s->config->nzones;
	for (uint32_t zi = 0; zi < s->config->nzones; zi++)
		sweep_zone_init(s, zi, now);
	for (uint32_t zi = 0; zi < s->config->nzones; zi++)
		if (s->zones[zi].probes_left == 0)
			sweep_set_health(s, zi, HEALTH_OK);
	sweep_refill(s);
	sweep_check_finished(s);
}

void
sweep_progress(const struct sweep *s, uint64_t *ret_done, uint64_t *ret_total)
{
	*ret_done = s->done;
	*ret_total = s->total;
}

/* Cancel every query in flight; their callbacks never come. */
static void
sweep_cancel_queries(struct sweep *s)
{
	for (uint32_t i = 0; i < s->nslots; i++) {
		if (s->slots[i].state == SLOT_ASKING) {
			s->io.cancel(s->io.ctx);
			break;
		}
	}
	if (s->wake != NULL)
		evtimer_del(s->wake);
	s->wake_at = UINT64_MAX;
}

/* Every slot free again, whatever it held. */
static void
sweep_reset_slots(struct sweep *s)
{
	for (uint32_t i = 0; i < s->nslots; i++)
		s->slots[i].state = SLOT_FREE;
	s->nfree = 0;
	for (uint32_t i = 0; i < s->nslots; i++)
		s->free_slots[s->nfree++] = s->nslots - 1 - i;
	s->ntxt_wait = 0;
	for (uint32_t zi = 0; zi < s->config->nzones; zi++)
		s->zones[zi].txt_head = s->zones[zi].txt_tail = SWEEP_NONE;
}

/* Pairs already decided when the sweep stops: report them. */
static void
sweep_stop_report(struct sweep *s)
{
	struct sweep_result r;

	for (uint32_t i = 0; i < s->nslots; i++) {
		struct sweep_slot *slot = &s->slots[i];

		if (slot->kind == SLOT_TXT && slot->state != SLOT_FREE)
			sweep_emit_listed(s, slot, NULL);
	}
	memset(&r, 0, sizeof(r));
	r.verdict = VERDICT_ERROR;
	r.error = "connection failed; not asked again";
	for (uint32_t zi = 0; zi < s->config->nzones; zi++) {
		struct sweep_zone *z = &s->zones[zi];

		r.zone = zi;
		while (z->reask_head != SWEEP_NONE) {
			r.target = sweep_reask_pop(s, z);
			sweep_emit(s, &r);
		}
	}
}

void
sweep_stop(struct sweep *s)
{
	if (s == NULL || s->finished || s->stopped)
		return;
	s->stopped = true;
	s->finished = true;
	sweep_cancel_queries(s);
	sweep_stop_report(s);
	sweep_reset_slots(s);
}

void
sweep_free(struct sweep *s)
{
	if (s == NULL)
		return;
	/* Answers still on their way would land in freed slots. */
	if (s->slots != NULL)
		sweep_cancel_queries(s);
	if (s->wake != NULL)
		event_free(s->wake);
	if (s->finish != NULL)
		event_free(s->finish);
	free(s->reasks);
	free(s->free_slots);
	free(s->slots);
	free(s->zones);
	free(s);
}

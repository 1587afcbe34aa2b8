/* SPDX-License-Identifier: ISC */
/*
 * The engine. Each zone has a cursor over its contiguous range of targets,
 * a cycle (start, length, the due time of the pair at the cursor), a
 * limiter and a health track; a fixed array of slots (max_inflight of
 * them) carries the queries in flight. Zones are served round-robin so
 * that one slow or rate-limited list never holds back the others, and a
 * zone's targets are only queried while its RFC 5782 §5 test points show
 * it healthy. Every query a zone causes, test points, TXT follow-ups and
 * confirmations included, is taken from its limiter.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "config.h"
#include "limiter.h"
#include "resolver.h"
#include "schedule.h"
#include "sweep.h"
#include "target.h"
#include "zone.h"

/* "No slot" / "no entry" in the index-linked lists below. */
#define SWEEP_NONE UINT32_MAX
#define SWEEP_NEVER UINT64_MAX

/* A zone whose probes disagree with its state is probed again this soon
 * (a tenth of its interval, within these bounds). */
/* Refills from answers inside one turn of the loop (see struct sweep). */
#define SWEEP_INLINE_REFILLS 128
#define SWEEP_REPROBE_MIN_MS 1000
#define SWEEP_REPROBE_MAX_MS 60000

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
	bool confirming;    /* asked by sweep_confirm */
	uint8_t ncodes;
	uint32_t ttl;
	uint32_t codes[ANSWER_MAX_ADDRS]; /* kept while the TXT is asked */
};

/* A pair waiting to be asked again, in its zone's list. */
struct sweep_reask {
	uint32_t target;
	uint32_t next;
};

/* A pair to confirm, due at a time; each zone keeps a FIFO of them. */
struct sweep_confirm {
	uint64_t due_ms;
	uint32_t target;
};

struct sweep_zone {
	uint32_t first; /* targets first .. first + count - 1 */
	uint32_t count;
	uint32_t next;	/* offset of the next target to query */
	uint32_t busy;	/* slots of this zone in use */
	uint32_t txt_head, txt_tail;	 /* slots waiting to ask TXT */
	uint32_t reask_head, reask_tail; /* pairs to ask again */

	/* The cycle: pairs due over [cycle_start, cycle_start + len). */
	uint64_t cycle_start_ms;
	uint64_t cycle_len_ms;
	uint64_t interval_ms;	 /* effective: the budget's stretch applied */
	uint64_t next_due_ms;	 /* due time of the pair at the cursor */
	uint64_t seed;		 /* the zone's jitter seed */
	bool cycle_open;	 /* targets of this cycle still to answer */
	bool stretched;
	struct sweep_cycle cy;

	/* Health: probe rounds and their accepted outcome. */
	uint8_t probe_mask;    /* the points it probes: bit 0 pos, bit 1 neg */
	uint8_t probe_todo;    /* the same bits: to send in this round */
	uint8_t probe_retried; /* the same bits: asked a second time */
	uint8_t probes_left;   /* test points of the round not answered */
	bool probing;	       /* a round is under way */
	uint64_t probe_at_ms;  /* next round, SWEEP_NEVER: at cycle start */
	uint8_t verdict[2];    /* positive, negative point */
	struct diagnose_probe probe[2];
	/* The last round that was decided: what its points got, and when. */
	struct diagnose_probe last_probe[2];
	int64_t last_probe_s;
	struct health_track track;
	struct health_window window;

	struct sweep_confirm *cq; /* ring of pairs to confirm */
	uint32_t cq_head, cq_len, cq_cap;

	struct limiter limiter;
	bool unlimited; /* once mode, no max_qps, no budget: no limiter */
};

struct sweep {
	struct event_base *base;
	struct sweep_io io;
	const struct config *config;
	struct sweep_options opts;
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
	uint32_t nreasks;	    /* once mode: pairs queued again, ever */
	uint64_t nconfirm;	    /* confirmations queued in all zones */

	uint64_t done;	    /* once mode: pairs reported */
	uint64_t total;
	uint64_t unsent;    /* pairs neither sent once nor suppressed */
	uint32_t undecided; /* zones whose health is not known yet */
	bool refilling;
	bool finished;
	bool stopped;
	/* Once mode with no zone paced or budgeted: nothing depends on the
	 * time, so the clocks are read once, at the start. */
	bool clockless;
	uint64_t start_ns;
	int64_t start_wall;

	struct event *wake;   /* something falls due */
	uint64_t wake_at;     /* when (io time), UINT64_MAX: not armed */
	struct event *finish; /* deferred done_cb */
	/*
	 * Continuous mode: answers refill the window at once, so it never
	 * drains, but at most SWEEP_INLINE_REFILLS times per turn of the
	 * loop; later ones run on the next turn. Unbounded, the answers of a
	 * fast server to the queries sent from inside its own read callback
	 * would keep that callback (and the loop) busy for as long as the
	 * server keeps up: the control socket would wait.
	 */
	struct event *kick;
	bool kicked;
	uint32_t inline_left; /* refills from answers left in this turn */
};

static void sweep_refill(struct sweep *s);

static int
sweep_resolver_query(void *ctx, uint32_t zone, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *cb_arg)
{
	(void)zone;
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

static int64_t
sweep_wall_s(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

void
sweep_io_resolver(struct resolver *r, struct sweep_io *ret)
{
	ret->query = sweep_resolver_query;
	ret->cancel = sweep_resolver_cancel;
	ret->now_ns = sweep_clock_ns;
	ret->wall_s = sweep_wall_s;
	ret->ctx = r;
}

/*
 * Once mode: done when every pair is reported and nothing is in flight
 * or queued. Also when nothing is in flight and no wake-up is due
 * although pairs are left (a rate so low that no token is ever due):
 * nothing would ever come, and the caller sees the pairs not done.
 */
static void
sweep_check_finished(struct sweep *s)
{
	if (!s->opts.once || s->finished || s->refilling ||
	    s->nfree < s->nslots)
		return;
	if ((s->done < s->total || s->undecided > 0 || s->nconfirm > 0) &&
	    s->wake_at != UINT64_MAX)
		return;
	s->finished = true;
	event_active(s->finish, 0, 0);
}

static void
sweep_emit(struct sweep *s, const struct sweep_result *r)
{
	if (s->opts.once && !r->res.confirming) {
		/* More results than pairs: something completed twice. */
		assert(s->done < s->total);
		if (s->done >= s->total)
			return;
		s->done++;
	}
	s->cbs.result_cb(r, s->cbs.arg);
}

static void
sweep_confirm_clear(struct sweep *s, struct sweep_zone *z)
{
	s->nconfirm -= z->cq_len;
	z->cq_head = z->cq_len = 0;
}

/*
 * A zone that is not ok sends none of this cycle's targets: once mode
 * reports each of them suppressed; the daemon just skips them (a zone
 * state, not a result per pair) and drops its pending confirmations.
 */
static void
sweep_suppress_zone(struct sweep *s, uint32_t zi)
{
	struct sweep_zone *z = &s->zones[zi];
	struct sweep_result r;

	sweep_confirm_clear(s, z);
	if (!s->opts.once) {
		z->next = z->count;
		z->cy.swept = false;
		return;
	}
	memset(&r, 0, sizeof(r));
	r.zone = zi;
	r.res.verdict = VERDICT_SUPPRESSED;
	for (; z->next < z->count; z->next++) {
		r.target = z->first + z->next;
		s->unsent--;
		sweep_emit(s, &r);
	}
}

static uint64_t
sweep_reprobe_ms(const struct sweep *s, const struct sweep_zone *z)
{
	uint64_t d = z->interval_ms / 10;

	if (s->opts.once)
		return 0;
	if (d < SWEEP_REPROBE_MIN_MS)
		d = SWEEP_REPROBE_MIN_MS;
	return d > SWEEP_REPROBE_MAX_MS ? SWEEP_REPROBE_MAX_MS : d;
}

/* A probe round decided h: accept it through the zone's hysteresis. */
static void
sweep_decided(struct sweep *s, uint32_t zi, enum zone_health h,
    uint64_t now_ms)
{
	struct sweep_zone *z = &s->zones[zi];
	enum zone_health from = (enum zone_health)z->track.state;
	enum health_step step;

	z->probing = false;
	if (z->probe_mask != 0) { /* else decided ok at start, unprobed */
		memcpy(z->last_probe, z->probe, sizeof(z->last_probe));
		z->last_probe_s = s->io.wall_s(s->io.ctx);
	}
	step = health_track_step(&z->track, h, s->opts.health_need);
	if (step == HEALTH_STEP_PENDING) {
		z->probe_at_ms = now_ms + sweep_reprobe_ms(s, z);
		return;
	}
	z->probe_at_ms = SWEEP_NEVER;
	if (step != HEALTH_STEP_CHANGED)
		return;
	if (from == HEALTH_UNKNOWN && s->undecided > 0)
		s->undecided--;
	s->cbs.zone_cb(zi, from, (enum zone_health)z->track.state, z->probe,
	    s->cbs.arg);
	if (z->track.state != HEALTH_OK)
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
	slot->confirming = false;
	slot->ncodes = 0;
	slot->ttl = 0;
	s->zones[zi].busy++;
	return slot;
}

static void
sweep_slot_release(struct sweep *s, struct sweep_slot *slot)
{
	assert(slot->state != SLOT_FREE && s->nfree < s->nslots);
	if (slot->state == SLOT_FREE || s->nfree >= s->nslots)
		return;
	slot->state = SLOT_FREE;
	s->zones[slot->zone].busy--;
	s->free_slots[s->nfree++] = (uint32_t)(slot - s->slots);
}

static void sweep_complete(struct sweep *s, struct sweep_slot *slot,
    const struct answer *a);

/* Refill now, or once this turn had its share on the next (see kick). */
static void
sweep_kick(struct sweep *s)
{
	if (s->opts.once) {
		sweep_refill(s);
		return;
	}
	if (s->stopped)
		return;
	/* The kick ends the turn's share: the next turn gets its own. */
	if (!s->kicked) {
		s->kicked = true;
		event_active(s->kick, EV_TIMEOUT, 0);
	}
	if (s->inline_left > 0) {
		s->inline_left--;
		sweep_refill(s);
	}
}

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
	sweep_kick(s);
	sweep_check_finished(s);
}

/* Send qname for slot; a send that fails is that query's answer. */
static void
sweep_send(struct sweep *s, struct sweep_slot *slot, const char *qname,
    enum resolver_qtype type)
{
	struct answer a;

	slot->state = SLOT_ASKING;
	s->zones[slot->zone].cy.queries++;
	if (s->io.query(s->io.ctx, slot->zone, qname, type, sweep_answer_cb,
	    slot) == 0)
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

static uint64_t
sweep_now_ms(const struct sweep *s)
{
	return s->io.now_ns(s->io.ctx) / 1000000u;
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
	if (!z->probing)
		return; /* a round dropped by sweep_stop */
	/* A connection that failed says nothing about the list: once more. */
	if (sweep_worth_reask(a) && !(z->probe_retried & (1u << i))) {
		z->probe_retried |= (uint8_t)(1u << i);
		z->probe_todo |= (uint8_t)(1u << i);
		return;
	}
	z->verdict[i] = (uint8_t)classify_answer(zone, a);
	diagnose_probe_record(zone, a, z->verdict[i], &z->probe[i]);
	if (--z->probes_left == 0)
		sweep_decided(s, zi, health_decide(z->verdict[0],
		    z->verdict[1]), sweep_now_ms(s));
}

/*
 * Queue the pair for a second asking; false when the pool is spent (in
 * once mode, once SWEEP_REASK_MAX pairs have been): a server that fails
 * everything costs a bounded number of extra queries, not a second sweep.
 */
static bool
sweep_reask_push(struct sweep *s, uint32_t zi, uint32_t target)
{
	struct sweep_zone *z = &s->zones[zi];
	uint32_t e = s->reask_free;

	if (e == SWEEP_NONE || (s->opts.once && s->nreasks >= SWEEP_REASK_MAX))
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
	slot->ttl = a->ttl;
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
sweep_count(struct sweep *s, const struct sweep_result *r)
{
	struct sweep_zone *z = &s->zones[r->zone];

	/* The cycle's figures and the early probe are the daemon's. */
	if (s->opts.once)
		return;
	if (!r->res.confirming && r->res.verdict < VERDICT_COUNT)
		z->cy.by_verdict[r->res.verdict]++;
	/* Answers turning refused, bogus or errors: probe now. */
	health_window_add(&z->window, (enum verdict)r->res.verdict);
	if (health_window_bad(&z->window) && !z->probing) {
		health_window_reset(&z->window);
		z->probe_at_ms = 0;
	}
}

static void
sweep_emit_listed(struct sweep *s, struct sweep_slot *slot, const char *txt)
{
	struct sweep_result r;

	memset(&r, 0, sizeof(r));
	r.target = slot->target;
	r.zone = slot->zone;
	r.res.verdict = VERDICT_LISTED;
	r.res.confirming = slot->confirming;
	r.res.ncodes = slot->ncodes;
	r.res.codes = slot->codes;
	r.res.ttl = slot->ttl;
	r.res.txt = txt;
	sweep_count(s, &r);
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
	if (sweep_worth_reask(a) && !slot->reasked && !slot->confirming &&
	    sweep_reask_push(s, slot->zone, slot->target)) {
		sweep_slot_release(s, slot);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.target = slot->target;
	r.zone = slot->zone;
	r.res.verdict = (uint8_t)classify_answer(zone, a);
	r.res.confirming = slot->confirming;
	if (r.res.verdict == VERDICT_LISTED && zone->txt) {
		sweep_txt_wait(s, slot, a);
		return;
	}
	r.res.ncodes = a->naddrs;
	r.res.codes = a->addrs;
	r.res.ttl = a->ttl;
	r.res.error = a->error;
	sweep_slot_release(s, slot);
	sweep_count(s, &r);
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
sweep_send_pair(struct sweep *s, uint32_t zi, uint32_t t, bool reasked,
    bool confirming)
{
	const struct zone *zone = &s->config->zones[zi];
	char qname[TARGET_QNAME_MAX + 1];
	struct sweep_slot *slot = sweep_slot_take(s, zi, t, SLOT_A);

	slot->reasked = reasked;
	slot->confirming = confirming;
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

enum sweep_next {
	NEXT_NONE, NEXT_TXT, NEXT_PROBE, NEXT_PAIR, NEXT_REASK, NEXT_CONFIRM
};

/*
 * Pairs are asked again one at a time, once the zone's first pass has
 * been answered (in once mode: every zone's): c-ares fails every query in
 * flight to a server whose TCP connection closes, so a second asking
 * beside the culprit's queries would fail again.
 */
static bool
sweep_reask_due(const struct sweep *s, const struct sweep_zone *z)
{
	if (s->opts.once)
		return s->unsent == 0 && s->undecided == 0 &&
		    s->nfree == s->nslots;
	return z->next >= z->count && z->busy == 0;
}

static uint64_t
sweep_due_of(const struct sweep *s, const struct sweep_zone *z)
{
	/* Once mode: every pair is due at the start. */
	if (z->cycle_len_ms == 0)
		return z->cycle_start_ms;
	return schedule_due_ms(z->cycle_start_ms, z->next, z->count,
	    z->cycle_len_ms, s->config->jitter_permille, z->seed);
}

static void
sweep_round_start(struct sweep_zone *z)
{
	z->probing = true;
	z->probe_todo = z->probe_mask;
	z->probe_retried = 0;
	z->probes_left = (uint8_t)((z->probe_mask & 1u) +
	    ((z->probe_mask >> 1) & 1u));
	/* A point not probed counts as right (health.h). */
	z->verdict[0] = VERDICT_LISTED;
	z->verdict[1] = VERDICT_CLEAN;
	memset(z->probe, 0, sizeof(z->probe));
	health_window_reset(&z->window);
}

static void sweep_cycle_begin(struct sweep *s, struct sweep_zone *z,
    uint64_t start_ms, uint64_t len_ms, uint64_t now_ms);

/* Continuous mode: a zone's cycle ended, or the next one begins. */
static void
sweep_cycle_roll(struct sweep *s, uint32_t zi, uint64_t now_ms)
{
	struct sweep_zone *z = &s->zones[zi];
	uint64_t next;

	if (z->cycle_open && z->next >= z->count && z->busy == 0 &&
	    z->reask_head == SWEEP_NONE) {
		z->cycle_open = false;
		z->cy.ended_ms = now_ms;
		if (s->cbs.cycle_cb != NULL)
			s->cbs.cycle_cb(zi, &z->cy, s->cbs.arg);
	}
	next = z->cycle_start_ms + z->interval_ms;
	if (z->cycle_open || now_ms < next)
		return;
	/* A cycle that ran past its interval starts the next one now. */
	sweep_cycle_begin(s, z, next + z->interval_ms <= now_ms ? now_ms : next,
	    z->interval_ms, now_ms);
}

/* Begin a cycle of zone z at start_ms, its pairs due over len_ms. */
static void
sweep_cycle_begin(struct sweep *s, struct sweep_zone *z, uint64_t start_ms,
    uint64_t len_ms, uint64_t now_ms)
{
	z->cycle_start_ms = start_ms;
	z->cycle_len_ms = len_ms;
	z->next = 0;
	z->next_due_ms = sweep_due_of(s, z);
	z->cycle_open = true;
	memset(&z->cy, 0, sizeof(z->cy));
	z->cy.started_ms = now_ms;
	z->cy.interval_ms = z->interval_ms;
	if (z->probe_mask != 0 && !z->probing)
		z->probe_at_ms = 0;
	if (z->track.state != HEALTH_OK && z->track.state != HEALTH_UNKNOWN)
		z->next = z->count; /* still not ok: nothing to sweep */
	z->cy.swept = z->next < z->count;
}

static uint64_t
sweep_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * What zone z would send next at now_ms. A TXT follow-up already holds
 * its slot and goes first; a probe round goes before targets, which wait
 * while the zone's health is not accepted ok. *wake_ms is lowered to
 * when something of the zone falls due later.
 */
static enum sweep_next
sweep_zone_next(struct sweep *s, uint32_t zi, uint64_t now_ms,
    uint64_t *wake_ms)
{
	struct sweep_zone *z = &s->zones[zi];

	if (z->txt_head != SWEEP_NONE)
		return NEXT_TXT;
	if (s->nfree == 0)
		return NEXT_NONE;
	if (!s->opts.once)
		sweep_cycle_roll(s, zi, now_ms);
	if (z->probe_mask != 0 && !z->probing) {
		if (z->probe_at_ms <= now_ms)
			sweep_round_start(z);
		else
			*wake_ms = sweep_min(*wake_ms, z->probe_at_ms);
	}
	if (z->probe_todo != 0)
		return NEXT_PROBE;
	if (!s->opts.once && !z->cycle_open)
		*wake_ms = sweep_min(*wake_ms,
		    z->cycle_start_ms + z->interval_ms);
	if (z->track.state != HEALTH_OK || z->track.cand != HEALTH_UNKNOWN)
		return NEXT_NONE;
	if (z->cq_len > 0) {
		if (z->cq[z->cq_head].due_ms <= now_ms)
			return NEXT_CONFIRM;
		*wake_ms = sweep_min(*wake_ms, z->cq[z->cq_head].due_ms);
	}
	if (z->next < z->count) {
		if (z->next_due_ms <= now_ms)
			return NEXT_PAIR;
		*wake_ms = sweep_min(*wake_ms, z->next_due_ms);
		return NEXT_NONE;
	}
	if (z->reask_head != SWEEP_NONE && sweep_reask_due(s, z))
		return NEXT_REASK;
	return NEXT_NONE;
}

static void
sweep_dispatch(struct sweep *s, uint32_t zi, enum sweep_next what)
{
	struct sweep_zone *z = &s->zones[zi];
	uint32_t t;

	switch (what) {
	case NEXT_TXT:
		sweep_send_txt(s, z, zi);
		break;
	case NEXT_PROBE:
		sweep_send_probe(s, zi);
		break;
	case NEXT_PAIR:
		s->unsent--;
		t = z->first + z->next++;
		if (z->next < z->count)
			z->next_due_ms = sweep_due_of(s, z);
		sweep_send_pair(s, zi, t, false, false);
		break;
	case NEXT_CONFIRM:
		t = z->cq[z->cq_head].target;
		z->cq_head = z->cq_head + 1 < z->cq_cap ? z->cq_head + 1 : 0;
		z->cq_len--;
		s->nconfirm--;
		sweep_send_pair(s, zi, t, false, true);
		break;
	default:
		sweep_send_pair(s, zi, sweep_reask_pop(s, z), true, false);
		break;
	}
}

/*
 * Send one query of the first zone, from s->rr on, that has one due and
 * a token for it. False when none could; *wait_ns is lowered to the time
 * until a zone has something due or gets its token.
 */
static bool
sweep_send_one(struct sweep *s, uint64_t now, int64_t wall,
    uint64_t *wait_ns)
{
	uint32_t nzones = (uint32_t)s->config->nzones;
	uint64_t now_ms = now / 1000000u;

	for (uint32_t i = 0; i < nzones; i++) {
		uint32_t zi = s->rr + i < nzones ? s->rr + i :
		    s->rr + i - nzones;
		struct sweep_zone *z = &s->zones[zi];
		uint64_t wake_ms = SWEEP_NEVER;
		enum sweep_next what = sweep_zone_next(s, zi, now_ms,
		    &wake_ms);

		if (wake_ms != SWEEP_NEVER) {
			uint64_t w = wake_ms > now_ms ?
			    (wake_ms - now_ms) * 1000000u : 0;
			if (w < *wait_ns)
				*wait_ns = w;
		}
		if (what == NEXT_NONE)
			continue;
		if (!z->unlimited && !limiter_take(&z->limiter, now, wall)) {
			uint64_t w = limiter_wait_ns(&z->limiter, now, wall);
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

/* Wake up when the nearest thing falls due, no later. */
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
	int64_t wall;

	if (s->refilling || s->stopped)
		return; /* an answer arrived while sending: the loop goes on */
	s->refilling = true;
	if (s->clockless) {
		now = s->start_ns;
		wall = s->start_wall;
	} else {
		now = s->io.now_ns(s->io.ctx);
		/* Every zone counts its queries per UTC day, budget or not. */
		wall = s->io.wall_s(s->io.ctx);
	}
	while ((s->nfree > 0 || s->ntxt_wait > 0) &&
	    sweep_send_one(s, now, wall, &wait_ns))
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
sweep_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sweep *s = arg;

	(void)fd;
	(void)what;
	s->kicked = false;
	s->inline_left = SWEEP_INLINE_REFILLS;
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
	s->kick = event_new(base, -1, 0, sweep_kick_cb, s);
	if (s->zones == NULL || s->slots == NULL || s->free_slots == NULL ||
	    s->reasks == NULL || s->wake == NULL || s->finish == NULL ||
	    s->kick == NULL)
		return -ENOMEM;
	return 0;
}

int
sweep_new(struct event_base *base, const struct sweep_io *io,
    const struct config *c, const struct sweep_options *o,
    const struct sweep_callbacks *cbs, struct sweep **ret)
{
	struct sweep *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	s->base = base;
	s->io = *io;
	s->config = c;
	s->opts = *o;
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

/* FNV-1a of the zone's name: each zone's jitter its own, and stable. */
static uint64_t
sweep_seed(const char *name)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* The zone's interval, stretched when its daily budget cannot pay it. */
static uint64_t
sweep_interval(const struct sweep *s, const struct zone *zone,
    uint32_t count, bool *ret_stretched)
{
	uint64_t interval = zone->interval_ms ? zone->interval_ms :
	    s->config->interval_ms;

	return schedule_budget_interval(schedule_cycle_queries(count),
	    interval, zone->daily_budget, ret_stretched);
}

/* Set zone zi up: its targets, limiter, cycle and test points. */
static void
sweep_zone_init(struct sweep *s, uint32_t zi, uint64_t now)
{
	const struct zone *zone = &s->config->zones[zi];
	const struct sweep_carry *carry = s->opts.carry != NULL ?
	    &s->opts.carry[zi] : NULL;
	struct sweep_zone *z = &s->zones[zi];
	uint64_t now_ms = now / 1000000u;
	struct target point;
	size_t first, count;

	config_zone_targets(s->config, zone, &first, &count);
	z->first = (uint32_t)first;
	z->count = (uint32_t)count;
	z->txt_head = z->txt_tail = SWEEP_NONE;
	z->reask_head = z->reask_tail = SWEEP_NONE;
	z->seed = sweep_seed(zone->name);
	for (int i = 0; i < 2; i++)
		if (health_zone_point(zone, i == 0, &point))
			z->probe_mask |= (uint8_t)(1u << i);
	z->probe_at_ms = 0;
	if (carry != NULL && carry->valid) {
		z->track = carry->track;
		z->limiter = carry->limiter;
		limiter_set(&z->limiter, zone->max_qps, zone->daily_budget,
		    now);
	} else {
		z->track.state = HEALTH_UNKNOWN;
		limiter_init(&z->limiter, zone->max_qps, zone->daily_budget,
		    now);
	}
	z->interval_ms = sweep_interval(s, zone, z->count, &z->stretched);
	/* Once: everything due at once. The first cycle of the daemon is
	 * spread over a short warm-up, later ones over the interval. */
	z->cycle_start_ms = now_ms;
	z->cycle_len_ms = s->opts.once ? 0 : schedule_warmup_ms(z->count,
	    z->interval_ms, zone->max_qps);
	z->next_due_ms = sweep_due_of(s, z);
	z->cycle_open = true;
	z->cy.started_ms = now_ms;
	z->cy.interval_ms = z->interval_ms;
	z->cy.swept = true;
}

void
sweep_start(struct sweep *s)
{
	uint64_t now = s->io.now_ns(s->io.ctx);

	s->undecided = (uint32_t)s->config->nzones;
	s->start_ns = now;
	s->start_wall = s->io.wall_s(s->io.ctx);
	s->clockless = s->opts.once;
	s->inline_left = SWEEP_INLINE_REFILLS;
	for (uint32_t zi = 0; zi < s->config->nzones; zi++) {
		const struct zone *zone = &s->config->zones[zi];

		sweep_zone_init(s, zi, now);
		s->zones[zi].unlimited = s->opts.once && !(zone->max_qps > 0) &&
		    zone->daily_budget == 0;
		if (!s->zones[zi].unlimited)
			s->clockless = false;
	}
	for (uint32_t zi = 0; zi < s->config->nzones; zi++) {
		struct sweep_zone *z = &s->zones[zi];

		if (z->track.state != HEALTH_UNKNOWN)
			s->undecided--; /* carried from the last sweep */
		if (z->probe_mask == 0 && z->track.state == HEALTH_UNKNOWN)
			sweep_decided(s, zi, HEALTH_OK, now / 1000000u);
		else if (z->track.state != HEALTH_OK &&
		    z->track.state != HEALTH_UNKNOWN)
			sweep_suppress_zone(s, zi);
	}
	sweep_refill(s);
	sweep_check_finished(s);
}

int
sweep_confirm(struct sweep *s, uint32_t zi, uint32_t target)
{
	struct sweep_zone *z = &s->zones[zi];
	uint64_t now_ms = s->opts.once ? 0 : sweep_now_ms(s);
	struct sweep_confirm *e;

	if (z->cq_len == z->cq_cap) {
		uint32_t cap = z->cq_cap ? z->cq_cap * 2 : 16;
		struct sweep_confirm *n = malloc(cap * sizeof(*n));

		if (n == NULL || cap < z->cq_cap) {
			free(n);
			return -ENOMEM;
		}
		/* Unroll the ring into the new array, oldest first. */
		for (uint32_t i = 0; i < z->cq_len; i++)
			n[i] = z->cq[(z->cq_head + i) % z->cq_cap];
		free(z->cq);
		z->cq = n;
		z->cq_head = 0;
		z->cq_cap = cap;
	}
	e = &z->cq[(z->cq_head + z->cq_len) % z->cq_cap];
	e->target = target;
	/* One delay for all keeps the ring in due order. */
	e->due_ms = s->opts.once ? 0 : now_ms + s->opts.confirm_delay_ms;
	z->cq_len++;
	s->nconfirm++;
	if (!s->refilling)
		sweep_kick(s);
	return 0;
}

enum zone_health
sweep_zone_health(const struct sweep *s, uint32_t zone)
{
	return (enum zone_health)s->zones[zone].track.state;
}

void
sweep_zone_carry(const struct sweep *s, uint32_t zone,
    struct sweep_carry *ret)
{
	ret->valid = true;
	ret->track = s->zones[zone].track;
	ret->track.cand = HEALTH_UNKNOWN;
	ret->track.agree = 0;
	ret->limiter = s->zones[zone].limiter;
}

uint64_t
sweep_zone_used_today(const struct sweep *s, uint32_t zone)
{
	return limiter_used_today(&s->zones[zone].limiter,
	    s->io.wall_s(s->io.ctx));
}

uint64_t
sweep_zone_interval(const struct sweep *s, uint32_t zone, bool *ret_stretched)
{
	if (ret_stretched != NULL)
		*ret_stretched = s->zones[zone].stretched;
	return s->zones[zone].interval_ms;
}

int64_t
sweep_zone_probes(const struct sweep *s, uint32_t zone,
    struct diagnose_probe ret[2])
{
	memcpy(ret, s->zones[zone].last_probe, 2 * sizeof(*ret));
	return s->zones[zone].last_probe_s;
}

bool
sweep_zone_take(struct sweep *s, uint32_t zone, uint64_t *ret_wait_ns)
{
	struct sweep_zone *z = &s->zones[zone];
	uint64_t now;
	int64_t wall;

	*ret_wait_ns = 0;
	if (z->unlimited)
		return true;
	now = s->io.now_ns(s->io.ctx);
	wall = s->io.wall_s(s->io.ctx);
	if (limiter_take(&z->limiter, now, wall))
		return true;
	*ret_wait_ns = limiter_wait_ns(&z->limiter, now, wall);
	return false;
}

bool
sweep_now(struct sweep *s, uint32_t zi)
{
	const struct zone *zone = &s->config->zones[zi];
	struct sweep_zone *z = &s->zones[zi];
	uint64_t now_ms;

	if (s->opts.once || s->stopped)
		return false;
	now_ms = sweep_now_ms(s);
	/*
	 * Every pair again, from the first, over a warm-up from now: also
	 * those this cycle asked already (their list may have changed since).
	 * Pairs in flight finish as they are.
	 */
	sweep_cycle_begin(s, z, now_ms, schedule_warmup_ms(z->count,
	    z->interval_ms, zone->max_qps), now_ms);
	if (z->probe_mask != 0 && !z->probing)
		z->probe_at_ms = 0;
	if (!s->refilling)
		sweep_refill(s);
	return z->track.state == HEALTH_OK;
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
	for (uint32_t zi = 0; zi < s->config->nzones; zi++) {
		s->zones[zi].txt_head = s->zones[zi].txt_tail = SWEEP_NONE;
		s->zones[zi].busy = 0;
		s->zones[zi].probing = false;
		sweep_confirm_clear(s, &s->zones[zi]);
	}
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
	r.res.verdict = VERDICT_ERROR;
	r.res.error = "connection failed; not asked again";
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
	if (s->opts.once)
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
	if (s->kick != NULL)
		event_free(s->kick);
	for (uint32_t zi = 0; s->zones != NULL && zi < s->config->nzones; zi++)
		free(s->zones[zi].cq);
	free(s->reasks);
	free(s->free_slots);
	free(s->slots);
	free(s->zones);
	free(s);
}

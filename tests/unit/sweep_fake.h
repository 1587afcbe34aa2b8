/* SPDX-License-Identifier: ISC */
/*
 * The sweep's io faked for its unit suites: queries are recorded and
 * answered when the test says so, by rules on the query name; the
 * monotonic clock moves only when the test moves it, and the wall clock
 * follows it from a chosen second. No sockets, no sleeps.
 */
#ifndef RBLMON_TESTS_SWEEP_FAKE_H
#define RBLMON_TESTS_SWEEP_FAKE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <event2/event.h>

#include "config.h"
#include "resolver.h"
#include "sweep.h"
#include "target.h"
#include "unit.h"

#define FAKE_MAX 4096
#define NS UINT64_C(1000000000)
#define MS UINT64_C(1000000)
#define T0 (1000 * NS)		     /* the monotonic clock at start */
#define MIDNIGHT INT64_C(1764547200) /* 2025-12-01T00:00:00Z */

/* Milliseconds since T0 of a monotonic time. */
#define REL_MS(t) (((t) - T0) / MS)

/* qname (or "*.SUFFIX") -> action; the first match wins. */
struct rule {
	const char *qname;
	const char *action;
};

/*
 * Actions: "listed" (A 127.0.0.2, TXT "Listed: QNAME"), "nx", "error",
 * "connfail" (a connection-level error every time), "connfail-once"
 * (that once, then listed), "txtfail" (listed, TXT error), "a:N"
 * (A 127.0.0.N), "bogus" (A 10.0.0.1), "slow-once" (NXDOMAIN, the first
 * asking ready only slow_ns after it was sent). Without a rule: the RFC
 * 5782 positive test points (2.0.0.127.*, its IPv6 form, test.*) are
 * listed, everything else is NXDOMAIN.
 */
struct fake_query {
	char qname[TARGET_QNAME_MAX + 1];
	uint8_t type;
	uint32_t zone;
	bool pending;
	bool refused; /* the send failed */
	resolver_cb *cb;
	void *arg;
	uint64_t at, ready, answered;
};

struct fake {
	struct fake_query q[FAKE_MAX];
	size_t n;
	size_t fail_at; /* this query (1-based) fails to send; 0: none */
	bool answer_twice;
	uint64_t now;
	uint64_t slow_ns;
	int64_t wall0; /* the wall clock at T0 */
	unsigned cancels;
	const struct rule *rules;
};

/* Forget everything: no queries, the clocks at T0 and MIDNIGHT. */
static inline void
fake_reset(struct fake *f, const struct rule *rules)
{
	memset(f, 0, sizeof(*f));
	f->now = T0;
	f->wall0 = MIDNIGHT;
	f->rules = rules;
}

static inline bool
fake_matches(const char *pattern, const char *qname)
{
	size_t lp, lq;

	if (strncmp(pattern, "*.", 2) != 0)
		return strcmp(pattern, qname) == 0;
	lp = strlen(pattern + 1);
	lq = strlen(qname);
	return lq > lp && strcmp(qname + lq - lp, pattern + 1) == 0;
}

static inline const char *
fake_action(const struct fake *f, const char *qname)
{
	for (const struct rule *r = f->rules; r != NULL && r->qname; r++)
		if (fake_matches(r->qname, qname))
			return r->action;
	if (strncmp(qname, "2.0.0.127.", 10) == 0 ||
	    strncmp(qname, "2.0.0.0.0.0.f.7.f.f.f.f.", 24) == 0 ||
	    strncmp(qname, "test.", 5) == 0)
		return "listed";
	return "nx";
}

/* First query matching name (or "*.SUFFIX") from index from on; or n. */
static inline size_t
fake_find(const struct fake *f, const char *name, size_t from)
{
	for (size_t i = from; i < f->n; i++)
		if (fake_matches(name, f->q[i].qname))
			return i;
	return f->n;
}

static inline bool
fake_is_probe(const struct fake_query *q)
{
	return strncmp(q->qname, "2.0.0.127.", 10) == 0 ||
	    strncmp(q->qname, "1.0.0.127.", 10) == 0;
}

static inline bool
fake_is_pair(const struct fake_query *q)
{
	return q->type == RESOLVER_A && !fake_is_probe(q);
}

static inline int
fake_query(void *ctx, uint32_t zone, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *cb_arg)
{
	struct fake *f = ctx;
	struct fake_query *q;
	bool again = fake_find(f, qname, 0) < f->n;

	ck_assert_uint_lt(f->n, FAKE_MAX);
	q = &f->q[f->n++];
	snprintf(q->qname, sizeof(q->qname), "%s", qname);
	q->type = (uint8_t)type;
	q->zone = zone;
	q->cb = cb;
	q->arg = cb_arg;
	q->at = f->now;
	q->ready = f->now;
	q->answered = 0;
	if (!again && strcmp(fake_action(f, qname), "slow-once") == 0)
		q->ready += f->slow_ns;
	q->refused = f->fail_at == f->n;
	q->pending = !q->refused;
	return q->refused ? -ENOMEM : 0;
}

static inline void
fake_cancel(void *ctx)
{
	struct fake *f = ctx;

	f->cancels++;
	for (size_t i = 0; i < f->n; i++)
		f->q[i].pending = false;
}

static inline uint64_t
fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static inline int64_t
fake_wall(void *ctx)
{
	const struct fake *f = ctx;

	return f->wall0 + (int64_t)((f->now - T0) / NS);
}

/* The sweep's io through f. */
static inline void
fake_io(struct fake *f, struct sweep_io *ret)
{
	ret->query = fake_query;
	ret->cancel = fake_cancel;
	ret->now_ns = fake_now;
	ret->wall_s = fake_wall;
	ret->ctx = f;
}

/* How many queries for qname (of the same type) came before query i. */
static inline size_t
fake_asked_before(const struct fake *f, size_t i)
{
	size_t n = 0;

	for (size_t j = 0; j < i; j++)
		n += strcmp(f->q[j].qname, f->q[i].qname) == 0 &&
		    f->q[j].type == f->q[i].type;
	return n;
}

static inline void
fake_fill(const struct fake *f, size_t i, struct answer *a, char *txt,
    size_t txtlen)
{
	const struct fake_query *q = &f->q[i];
	const char *act = fake_action(f, q->qname);

	memset(a, 0, sizeof(*a));
	if (strcmp(act, "connfail-once") == 0)
		act = fake_asked_before(f, i) == 0 ? "connfail" : "listed";
	if (strcmp(act, "txtfail") == 0)
		act = q->type == RESOLVER_TXT ? "error" : "listed";
	if (strcmp(act, "slow-once") == 0)
		act = "nx";
	if (strcmp(act, "error") == 0 || strcmp(act, "connfail") == 0) {
		a->status = ANSWER_ERROR;
		a->error = "timeout";
		a->conn_failed = act[0] == 'c';
	} else if (strcmp(act, "nx") == 0) {
		a->status = ANSWER_NXDOMAIN;
	} else if (q->type == RESOLVER_TXT) {
		a->status = ANSWER_RECORDS;
		snprintf(txt, txtlen, "Listed: %s", q->qname);
		a->txt = txt;
	} else {
		a->status = ANSWER_RECORDS;
		a->naddrs = 1;
		a->addrs[0] = strcmp(act, "bogus") == 0 ? 0x0a000001u :
		    0x7f000000u | (strncmp(act, "a:", 2) == 0 ?
		    (uint32_t)atoi(act + 2) : 2u);
	}
}

/* Answer query i (it must be pending), twice when answer_twice is set. */
static inline void
fake_answer(struct fake *f, size_t i)
{
	struct answer a;
	char txt[128];

	ck_assert(f->q[i].pending);
	f->q[i].pending = false;
	f->q[i].answered = f->now;
	fake_fill(f, i, &a, txt, sizeof(txt));
	f->q[i].cb(&a, f->q[i].arg);
	if (f->answer_twice)
		f->q[i].cb(&a, f->q[i].arg);
}

/* Answer the oldest pending query, ready or not; false when none is. */
static inline bool
fake_answer_first(struct fake *f)
{
	for (size_t i = 0; i < f->n; i++) {
		if (f->q[i].pending) {
			fake_answer(f, i);
			return true;
		}
	}
	return false;
}

/* Answer the oldest query that is ready; false when none is. */
static inline bool
fake_answer_ready(struct fake *f)
{
	for (size_t i = 0; i < f->n; i++) {
		if (f->q[i].pending && f->q[i].ready <= f->now) {
			fake_answer(f, i);
			return true;
		}
	}
	return false;
}

static inline size_t
fake_pending(const struct fake *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->q[i].pending;
	return n;
}

/* A sweep of a config through a fake, on an event base of its own. */
struct fake_run {
	struct fake *f;
	struct event_base *base;
	struct config *c;
	struct sweep *s;
};

/* Reset f with rules and load the config (head, then body); no sweep. */
static inline void
fake_run_load(struct fake_run *run, struct fake *f, const struct rule *rules,
    const char *head, const char *body)
{
	fake_reset(f, rules);
	run->f = f;
	run->c = unit_config(head, body);
	run->base = event_base_new();
	ck_assert_ptr_nonnull(run->base);
	run->s = NULL;
}

/* A sweep of run->c through its fake, in run->s; not started yet. */
static inline void
fake_run_new(struct fake_run *run, const struct sweep_options *so,
    const struct sweep_callbacks *cbs)
{
	struct sweep_io io;

	fake_io(run->f, &io);
	ck_assert_int_eq(sweep_new(run->base, &io, run->c, so, cbs, &run->s),
	    0);
}

static inline void
fake_run_end(struct fake_run *run)
{
	sweep_free(run->s);
	config_free(run->c);
	event_base_free(run->base);
}

/*
 * The next moment something happens: the sweep's wake-up, or a slow
 * answer. A wake-up at or before now was spent by the last poll (the
 * real timer would have fired and cleared it).
 */
static inline uint64_t
fake_next(const struct fake_run *run)
{
	const struct fake *f = run->f;
	uint64_t w = sweep_wake_at(run->s);

	if (w <= f->now)
		w = UINT64_MAX;
	for (size_t i = 0; i < f->n; i++)
		if (f->q[i].pending && f->q[i].ready < w)
			w = f->q[i].ready;
	return w;
}

/*
 * Answer what is ready, oldest first, and move the clock from one event
 * to the next, up to end, polling the sweep at each. With stop set,
 * return as soon as a query matching it is sent at index from or later
 * (before it is answered): its index. Otherwise, or when nothing more
 * would happen, the number of queries.
 */
static inline size_t
fake_until(struct fake_run *run, uint64_t end, const char *stop, size_t from)
{
	struct fake *f = run->f;

	/* A refill asked meanwhile (a confirmation) runs on the next turn. */
	sweep_poll(run->s);
	for (unsigned steps = 0; steps < 1000000; steps++) {
		size_t i = stop != NULL ? fake_find(f, stop, from) : f->n;
		uint64_t next;

		if (i < f->n)
			return i;
		/* The daemon refills on the loop's next turn: poll. */
		if (fake_answer_ready(f)) {
			sweep_poll(run->s);
			continue;
		}
		next = fake_next(run);
		if (next > end || next == UINT64_MAX) {
			if (end == UINT64_MAX || f->now >= end)
				return f->n;
			next = end;
		}
		f->now = next;
		sweep_poll(run->s);
	}
	ck_abort_msg("the sweep never settles");
	return f->n;
}

#endif

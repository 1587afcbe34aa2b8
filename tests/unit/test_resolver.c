/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the resolver's query contract: a query c-ares ends inside
 * ares_query() must be answered once, later, from the loop; cancel and free
 * from inside a callback drop what is left. Owners and channel recycling
 * run against a small DNS server on 127.0.0.1 inside the test's own loop.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "classify.h"
#include "resolver.h"

/* A 64-byte label: c-ares refuses to build the query. */
#define BAD_LABEL                                                          \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define BAD_NAME BAD_LABEL ".zen.example"

enum in_cb { CB_NOTHING, CB_CANCEL, CB_FREE, CB_SEND };

struct run {
	struct resolver *r;
	enum in_cb action;
	bool in_query; /* inside resolver_query() */
	int calls;
	int early;     /* callbacks from inside resolver_query() */
	const char *last_error;
	int sent;      /* CB_SEND: the query sent from the callback */
};

static void
run_cb(const struct answer *a, void *arg)
{
	struct run *t = arg;

	if (t->in_query)
		t->early++;
	t->calls++;
	t->last_error = a->status == ANSWER_ERROR ? a->error : NULL;
	if (t->calls > 1)
		return;
	switch (t->action) {
	case CB_CANCEL:
		resolver_cancel(t->r);
		break;
	case CB_FREE:
		resolver_free(t->r);
		t->r = NULL;
		break;
	case CB_SEND:
		t->sent = resolver_query(t->r, BAD_NAME, RESOLVER_A, run_cb, t);
		break;
	default:
		break;
	}
}

static const struct resolver_row {
	const char *name;
	int nqueries;
	enum in_cb action;
	bool cancel_first; /* resolver_cancel() before the loop runs */
	int want_calls;
	size_t want_pending; /* after the queries, before the loop */
	uint32_t recycle_queries; /* the option; 0: the default */
} resolver_rows[] = {
	{ "ended inside the send: called later", 1, CB_NOTHING, false, 1, 1,
	    0 },
	{ "three such queries, each once", 3, CB_NOTHING, false, 3, 3, 0 },
	{ "cancel inside the first callback", 3, CB_CANCEL, false, 1, 3, 0 },
	{ "free inside the first callback", 3, CB_FREE, false, 1, 3, 0 },
	{ "a query sent from the callback", 1, CB_SEND, false, 2, 1, 0 },
	{ "cancelled before the loop", 2, CB_NOTHING, true, 0, 2,
	    0 },
	/* Each query after the first starts new channels inside the send. */
	{ "new channels for each: called later", 3, CB_NOTHING, false, 3, 3,
	    1 },
	{ "new channels, and one sent from the callback", 1, CB_SEND, false, 2,
	    1, 1 },
};

START_TEST(test_contract)
{
	const struct resolver_row *row = &resolver_rows[_i];
	struct resolver_options o = {
		.nameservers = "127.0.0.1:9", .timeout_ms = 500, .tries = 1,
		.recycle_queries = row->recycle_queries,
	};
	struct event_base *base = event_base_new();
	struct run t = { .action = row->action };
	char err[256];

	ck_assert(base != NULL);
	ck_assert_msg(resolver_new(base, &o, &t.r, err, sizeof(err)) == 0,
	    "%s", err);
	for (int i = 0; i < row->nqueries; i++) {
		t.in_query = true;
		ck_assert_int_eq(resolver_query(t.r, BAD_NAME, RESOLVER_A,
		    run_cb, &t), 0);
		t.in_query = false;
	}
	ck_assert_msg(t.calls == 0, "%s: called inside resolver_query",
	    row->name);
	ck_assert_uint_eq(resolver_pending(t.r), row->want_pending);
	if (row->cancel_first) {
		resolver_cancel(t.r);
		ck_assert_uint_eq(resolver_pending(t.r), 0);
	}
	event_base_dispatch(base);
	ck_assert_msg(t.calls == row->want_calls, "%s: %d calls, want %d",
	    row->name, t.calls, row->want_calls);
	ck_assert_int_eq(t.early, 0);
	if (row->want_calls > 0)
		ck_assert_str_eq(t.last_error, "bad query name");
	if (row->action == CB_SEND)
		ck_assert_int_eq(t.sent, 0);
	if (t.r != NULL) {
		ck_assert_uint_eq(resolver_pending(t.r), 0);
		ck_assert_uint_eq(resolver_draining(t.r), 0);
		ck_assert_uint_eq(resolver_recycles(t.r),
		    row->recycle_queries == 0 ? 0 : (uint64_t)row->want_calls -
		    1);
	}
	resolver_free(t.r);
	event_base_free(base);
}
END_TEST

/* Too long to be a name: refused, and no callback ever follows. */
START_TEST(test_too_long)
{
	struct resolver_options o = {
		.nameservers = "127.0.0.1:9", .timeout_ms = 500, .tries = 1,
	};
	struct event_base *base = event_base_new();
	struct run t = { .action = CB_NOTHING };
	char name[300], err[256];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert(resolver_new(base, &o, &t.r, err, sizeof(err)) == 0);
	ck_assert_int_eq(resolver_query(t.r, name, RESOLVER_TXT, run_cb, &t),
	    -ENAMETOOLONG);
	ck_assert_uint_eq(resolver_pending(t.r), 0);
	event_base_dispatch(base);
	ck_assert_int_eq(t.calls, 0);
	resolver_free(t.r);
	event_base_free(base);
}
END_TEST

/* -- a DNS server on 127.0.0.1 ------------------------------------------ */

#define SRV_MAXQ 32

/*
 * Answers NXDOMAIN to every query, in the order they came, but only once
 * `hold` queries have come: until then every query is in flight at once.
 * A name whose first label starts with 'm' is never answered. Each query
 * names its index in its first label ("q7", "m7"); the server notes the
 * source port each index came from.
 */
struct server {
	int fd;
	struct event *ev;
	char addr[32]; /* "127.0.0.1:port", for resolver_options */
	int hold;
	int seen;
	int nheld;
	struct {
		unsigned char msg[512];
		size_t len;
		struct sockaddr_in from;
	} held[SRV_MAXQ];
	uint16_t port_of[SRV_MAXQ]; /* 0: not seen */
};

/* The length of the header and question of msg, or 0. */
static size_t
server_question_len(const unsigned char *msg, size_t len)
{
	size_t off = 12;

	while (off < len && msg[off] != 0)
		off += 1 + (size_t)msg[off];
	return off + 5 <= len ? off + 5 : 0;
}

static void
server_reply(struct server *srv, unsigned char *msg, size_t len,
    const struct sockaddr_in *to)
{
	/* QR, RD as asked; RA, rcode NXDOMAIN (3); no records at all. */
	msg[2] = (unsigned char)(0x80 | (msg[2] & 0x01));
	msg[3] = 0x80 | 3;
	memset(msg + 6, 0, 6);
	ck_assert(sendto(srv->fd, msg, len, 0, (const struct sockaddr *)to,
	    sizeof(*to)) == (ssize_t)len);
}

static void
server_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	unsigned char msg[512];
	struct sockaddr_in from;
	socklen_t fromlen = sizeof(from);
	ssize_t n;

	(void)what;
	while ((n = recvfrom(fd, msg, sizeof(msg), 0,
	    (struct sockaddr *)&from, &fromlen)) > 0) {
		size_t qlen = server_question_len(msg, (size_t)n);
		/* The first label: its length, 'q' or 'm', the index. */
		int index = qlen > 14 ? atoi((const char *)msg + 14) : -1;

		fromlen = sizeof(from);
		ck_assert_msg(index >= 0 && index < SRV_MAXQ, "bad query");
		ck_assert_msg(srv->port_of[index] == 0, "query %d twice",
		    index);
		srv->port_of[index] = ntohs(from.sin_port);
		srv->seen++;
		if (msg[13] == 'm')
			continue;
		ck_assert_int_lt(srv->nheld, SRV_MAXQ);
		memcpy(srv->held[srv->nheld].msg, msg, qlen);
		srv->held[srv->nheld].len = qlen;
		srv->held[srv->nheld].from = from;
		srv->nheld++;
	}
	if (srv->seen < srv->hold)
		return;
	for (int i = 0; i < srv->nheld; i++)
		server_reply(srv, srv->held[i].msg, srv->held[i].len,
		    &srv->held[i].from);
	srv->nheld = 0;
}

static void
server_start(struct server *srv, struct event_base *base, int hold)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);

	memset(srv, 0, sizeof(*srv));
	srv->hold = hold;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(srv->fd, 0);
	ck_assert_int_eq(bind(srv->fd, (struct sockaddr *)&sin, len), 0);
	ck_assert_int_eq(getsockname(srv->fd, (struct sockaddr *)&sin, &len),
	    0);
	snprintf(srv->addr, sizeof(srv->addr), "127.0.0.1:%u",
	    (unsigned)ntohs(sin.sin_port));
	srv->ev = event_new(base, srv->fd, EV_READ | EV_PERSIST, server_cb,
	    srv);
	ck_assert_ptr_nonnull(srv->ev);
	ck_assert_int_eq(event_add(srv->ev, NULL), 0);
}

static void
server_stop(struct server *srv)
{
	event_free(srv->ev);
	close(srv->fd);
}

/* -- a resolver asking it ------------------------------------------------- */

/* Owners: A, B, the NULL of resolver_query(), and the sentinel. */
enum { OWN_A, OWN_B, OWN_NULL, OWN_SENTINEL, OWN_COUNT };
#define BIT(o) (1u << (o))
static const char owner_tags[OWN_COUNT];

static const void *
owner_ptr(int o)
{
	return o == OWN_NULL ? NULL : &owner_tags[o];
}

/* What the callback of query act_on does, the first time. */
enum lab_act {
	ACT_NONE,
	ACT_CANCEL_OWNER, /* cancel act_owners, and with resend ask again */
	ACT_RECYCLE,	  /* recycle, then send one query */
	ACT_FREE,
};

struct lab;

struct lab_query {
	struct lab *t;
	int owner;
	int calls;
	uint8_t status;
	const char *error; /* ANSWER_ERROR: its static text */
};

struct lab {
	struct event_base *base;
	struct event *guard;
	struct server srv;
	struct resolver *r;
	struct lab_query q[SRV_MAXQ];
	int nq;
	int calls;
	int early;	/* callbacks from inside a resolver call */
	bool in_call;
	int wait_for;	/* the query whose answer ends lab_run() */
	int want_calls; /* or this many callbacks in all */
	bool expired;
	/* the callback of query act_on does this, once: */
	int act_on;
	enum lab_act act;
	unsigned act_owners; /* bits of owners to cancel */
	bool resend;
	bool acted;
};

static void lab_cb(const struct answer *a, void *arg);

/* Send query number t->nq for owner (muted: never answered). */
static int
lab_send(struct lab *t, int owner, bool muted)
{
	int i = t->nq++;
	char name[64];
	int rc;

	ck_assert_int_lt(i, SRV_MAXQ);
	snprintf(name, sizeof(name), "%c%d.rbl.test", muted ? 'm' : 'q', i);
	t->q[i].t = t;
	t->q[i].owner = owner;
	t->in_call = true;
	if (owner == OWN_NULL)
		rc = resolver_query(t->r, name, RESOLVER_A, lab_cb, &t->q[i]);
	else
		rc = resolver_query_owned(t->r, owner_ptr(owner), name,
		    RESOLVER_A, lab_cb, &t->q[i]);
	t->in_call = false;
	ck_assert_int_eq(rc, 0);
	return i;
}

static void
lab_act(struct lab *t, const struct lab_query *q)
{
	t->acted = true;
	t->in_call = true;
	switch (t->act) {
	case ACT_CANCEL_OWNER:
		for (int o = 0; o < OWN_COUNT; o++)
			if (t->act_owners & BIT(o)) {
				resolver_cancel_owner(t->r, owner_ptr(o));
				ck_assert_uint_eq(resolver_pending_owner(t->r,
				    owner_ptr(o)), 0);
			}
		t->in_call = false;
		for (int o = 0; o < OWN_COUNT && t->resend; o++)
			if (t->act_owners & BIT(o))
				lab_send(t, o, false);
		break;
	case ACT_RECYCLE:
		resolver_recycle(t->r);
		t->in_call = false;
		lab_send(t, q->owner, false);
		break;
	case ACT_FREE:
		resolver_free(t->r);
		t->r = NULL;
		break;
	default:
		break;
	}
	t->in_call = false;
}

static void
lab_cb(const struct answer *a, void *arg)
{
	struct lab_query *q = arg;
	struct lab *t = q->t;

	if (t->in_call)
		t->early++;
	q->calls++;
	q->status = a->status;
	q->error = a->status == ANSWER_ERROR ? a->error : NULL;
	t->calls++;
	if (!t->acted && q == &t->q[t->act_on] && t->act != ACT_NONE)
		lab_act(t, q);
}

static void
lab_guard_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lab *t = arg;

	(void)fd;
	(void)what;
	t->expired = true;
}

static void
lab_start(struct lab *t, int hold, uint32_t recycle_queries,
    uint32_t timeout_ms)
{
	struct resolver_options o = {
		.timeout_ms = timeout_ms, .tries = 1,
		.recycle_queries = recycle_queries,
	};
	struct timeval ten = { 10, 0 };
	char err[256];

	memset(t, 0, sizeof(*t));
	t->wait_for = -1;
	t->base = event_base_new();
	ck_assert_ptr_nonnull(t->base);
	server_start(&t->srv, t->base, hold);
	/* Nothing here may take this long: a hang fails the test. */
	t->guard = evtimer_new(t->base, lab_guard_cb, t);
	ck_assert_ptr_nonnull(t->guard);
	ck_assert_int_eq(evtimer_add(t->guard, &ten), 0);
	o.nameservers = t->srv.addr;
	ck_assert_msg(resolver_new(t->base, &o, &t->r, err, sizeof(err)) == 0,
	    "%s", err);
}

static bool
lab_done(const struct lab *t)
{
	if (t->wait_for >= 0)
		return t->q[t->wait_for].calls > 0;
	return t->calls >= t->want_calls;
}

/* Run the loop until lab_done(); a hang fails. */
static void
lab_run(struct lab *t)
{
	while (!lab_done(t) && !t->expired)
		ck_assert_int_ge(event_base_loop(t->base, EVLOOP_ONCE), 0);
	ck_assert_msg(!t->expired, "no answer within 10 s");
}

/*
 * One more query after the others, waited for: the server answers in
 * order and the socket delivers in order, so every answer to the queries
 * before it, cancelled ones included, has been handled by then.
 */
static void
lab_drain(struct lab *t)
{
	t->wait_for = lab_send(t, OWN_SENTINEL, false);
	lab_run(t);
}

static void
lab_stop(struct lab *t)
{
	resolver_free(t->r);
	server_stop(&t->srv);
	event_free(t->guard);
	event_base_free(t->base);
}

/* -- owners --------------------------------------------------------------- */

#define ROUNDS 3 /* A, B and NULL send one query each per round */

static const struct owner_row {
	const char *name;
	unsigned cancel; /* owners cancelled */
	int in_cb_of;	 /* -1: before the loop; else in this owner's
			  * first callback */
	bool resend;	 /* that callback asks again for the cancelled */
	int want[OWN_SENTINEL]; /* answers per owner */
} owner_rows[] = {
	{ "A before the loop: B and NULL answered", BIT(OWN_A), -1, false,
	    { 0, 3, 3 } },
	{ "NULL is resolver_query's owner", BIT(OWN_NULL), -1, false,
	    { 3, 3, 0 } },
	{ "every owner in turn: nothing", BIT(OWN_A) | BIT(OWN_B) |
	    BIT(OWN_NULL), -1, false, { 0, 0, 0 } },
	{ "A inside B's first callback", BIT(OWN_A), OWN_B, false,
	    { 1, 3, 3 } },
	{ "B inside A's first callback", BIT(OWN_B), OWN_A, false,
	    { 3, 0, 3 } },
	{ "NULL inside B's first callback", BIT(OWN_NULL), OWN_B, false,
	    { 3, 3, 0 } },
	{ "A inside its own first callback", BIT(OWN_A), OWN_A, false,
	    { 1, 3, 3 } },
	{ "A asks again after cancelling itself", BIT(OWN_A), OWN_A, true,
	    { 2, 3, 3 } },
};

START_TEST(test_owners)
{
	const struct owner_row *row = &owner_rows[_i];
	struct lab t;
	int got[OWN_COUNT] = { 0 };
	size_t left = 0;

	lab_start(&t, ROUNDS * 3, 0, 5000);
	for (int round = 0; round < ROUNDS; round++)
		for (int o = OWN_A; o <= OWN_NULL; o++)
			lab_send(&t, o, false);
	ck_assert_int_eq(t.calls, 0);
	for (int o = OWN_A; o <= OWN_NULL; o++)
		ck_assert_uint_eq(resolver_pending_owner(t.r, owner_ptr(o)),
		    ROUNDS);
	if (row->in_cb_of < 0) {
		for (int o = OWN_A; o <= OWN_NULL; o++)
			if (row->cancel & BIT(o))
				resolver_cancel_owner(t.r, owner_ptr(o));
	} else {
		/* Query number o is owner o's first. */
		t.act_on = row->in_cb_of;
		t.act = ACT_CANCEL_OWNER;
		t.act_owners = row->cancel;
		t.resend = row->resend;
	}
	for (int o = OWN_A; o <= OWN_NULL; o++) {
		size_t want = row->in_cb_of < 0 && (row->cancel & BIT(o)) ?
		    0 : ROUNDS;

		ck_assert_uint_eq(resolver_pending_owner(t.r, owner_ptr(o)),
		    want);
		left += want;
	}
	ck_assert_uint_eq(resolver_pending(t.r), left);
	if (row->in_cb_of >= 0) {
		/* What that callback sends goes out before the sentinel. */
		t.wait_for = row->in_cb_of;
		lab_run(&t);
		ck_assert(t.acted);
	}
	lab_drain(&t);
	ck_assert_int_eq(t.early, 0);
	for (int i = 0; i < t.nq; i++) {
		ck_assert_msg(t.q[i].calls <= 1, "%s: query %d called %d times",
		    row->name, i, t.q[i].calls);
		if (t.q[i].calls == 1)
			ck_assert_int_eq(t.q[i].status, ANSWER_NXDOMAIN);
		got[t.q[i].owner] += t.q[i].calls;
	}
	for (int o = OWN_A; o <= OWN_NULL; o++)
		ck_assert_msg(got[o] == row->want[o],
		    "%s: owner %d: %d answers, want %d", row->name, o, got[o],
		    row->want[o]);
	ck_assert_int_eq(got[OWN_SENTINEL], 1);
	ck_assert_uint_eq(resolver_pending(t.r), 0);
	lab_stop(&t);
}
END_TEST

/* -- recycling ------------------------------------------------------------ */

/*
 * Send plan: 'q' a query of A, 'b' one of B, 'm' one of A never answered,
 * 'R' a recycle.
 */
static void
lab_plan(struct lab *t, const char *plan)
{
	for (const char *c = plan; *c != '\0'; c++) {
		if (*c == 'R') {
			t->in_call = true;
			resolver_recycle(t->r);
			t->in_call = false;
		} else {
			lab_send(t, *c == 'b' ? OWN_B : OWN_A, *c == 'm');
		}
	}
}

static int
plan_queries(const char *plan)
{
	int n = 0;

	for (const char *c = plan; *c != '\0'; c++)
		n += *c != 'R';
	return n;
}

static const struct recycle_row {
	const char *name;
	uint32_t recycle_queries; /* the option; 0: the default */
	const char *plan;	  /* see lab_plan() */
	bool in_cb;		  /* the first callback recycles, asks again */
	const char *ports;	  /* per query: same letter, same source port */
	size_t draining;	  /* old sets still draining before the loop */
	uint64_t recycles;
} recycle_rows[] = {
	{ "three in flight, three after", 0, "qqqRqqq", false, "aaabbb", 1,
	    1 },
	{ "twice, queries in flight on both old sets", 0, "qqRqqRqq", false,
	    "aabbcc", 2, 2 },
	{ "nothing in flight: the old set goes at once", 0, "Rqq", false,
	    "aa", 0, 1 },
	{ "the default is far off", 0, "qqqqqqqq", false, "aaaaaaaa", 0, 0 },
	{ "on its own after 4 queries", 4, "qqqqqq", false, "aaaabb", 1, 1 },
	{ "on its own after every 2", 2, "qqqqqqq", false, "aabbccd", 3, 3 },
	{ "by hand, then counted anew", 3, "qqRqqqq", false, "aabbbc", 2, 2 },
	{ "inside the first callback", 0, "qqq", true, "aaab", 0, 1 },
	{ "inside the first callback, old set full", 3, "qqq", true, "aaab",
	    0, 1 },
};

START_TEST(test_recycle)
{
	const struct recycle_row *row = &recycle_rows[_i];
	int n = (int)strlen(row->ports);
	struct lab t;

	ck_assert_int_eq(n, plan_queries(row->plan) + (row->in_cb ? 1 : 0));
	/* Every answer waits for the last query: all are in flight. */
	lab_start(&t, plan_queries(row->plan), row->recycle_queries, 5000);
	lab_plan(&t, row->plan);
	ck_assert_int_eq(t.calls, 0);
	ck_assert_uint_eq(resolver_draining(t.r), row->draining);
	ck_assert_uint_eq(resolver_recycles(t.r),
	    row->recycles - (row->in_cb ? 1 : 0));
	if (row->in_cb) {
		t.act_on = 0;
		t.act = ACT_RECYCLE;
	}
	t.want_calls = n;
	lab_run(&t);
	ck_assert_int_eq(t.early, 0);
	ck_assert_int_eq(t.nq, n);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(t.q[i].calls == 1, "%s: query %d called %d times",
		    row->name, i, t.q[i].calls);
		ck_assert_int_eq(t.q[i].status, ANSWER_NXDOMAIN);
		ck_assert_uint_ne(t.srv.port_of[i], 0);
		for (int j = 0; j < i; j++)
			ck_assert_msg((t.srv.port_of[i] == t.srv.port_of[j]) ==
			    (row->ports[i] == row->ports[j]),
			    "%s: queries %d and %d from ports %u and %u",
			    row->name, j, i, t.srv.port_of[j],
			    t.srv.port_of[i]);
	}
	ck_assert_uint_eq(resolver_recycles(t.r), row->recycles);
	ck_assert_uint_eq(resolver_draining(t.r), 0);
	ck_assert_uint_eq(resolver_pending(t.r), 0);
	/* Nothing more comes. */
	ck_assert_int_ge(event_base_loop(t.base, EVLOOP_NONBLOCK), 0);
	ck_assert_int_eq(t.calls, n);
	lab_stop(&t);
}
END_TEST

/* -- old sets at the end ------------------------------------------------ */

enum drain_act {
	DRAIN_FREE,	  /* resolver_free() before the loop */
	DRAIN_FREE_IN_CB, /* resolver_free() in act_on's callback */
	DRAIN_CANCEL,	  /* resolver_cancel() before the loop */
	DRAIN_CANCEL_A,	  /* resolver_cancel_owner(A) before the loop */
	DRAIN_TIMEOUT,	  /* let the muted queries time out */
};

static const struct drain_row {
	const char *name;
	const char *plan; /* see lab_plan() */
	enum drain_act act;
	int act_on;	/* DRAIN_FREE_IN_CB: the query whose callback frees */
	int want_calls; /* the sentinel's of DRAIN_CANCEL not counted */
	size_t draining; /* old sets after the act, before the loop */
} drain_rows[] = {
	{ "free before the loop", "qqqRqqq", DRAIN_FREE, 0, 0, 0 },
	{ "free in a callback on the new set", "mmmRq", DRAIN_FREE_IN_CB, 3,
	    1, 0 },
	{ "free in a callback on the old set", "qmmRmm", DRAIN_FREE_IN_CB, 0,
	    1, 0 },
	{ "cancel: the old sets go at once", "qqqRqqRq", DRAIN_CANCEL, 0, 0,
	    0 },
	{ "cancel A: its old set goes, B's stays", "qqRbbRq", DRAIN_CANCEL_A,
	    0, 2, 1 },
	/*
	 * The timer covers old sets: the muted query ends there, as
	 * "timeout", long after the new set has nothing left.
	 */
	{ "a query left on an old set times out there", "mRq", DRAIN_TIMEOUT,
	    0, 2, 0 },
};

START_TEST(test_drain)
{
	const struct drain_row *row = &drain_rows[_i];
	int n = plan_queries(row->plan);
	struct lab t;

	/* Free: nothing answered before; cancel: all answered at once. */
	lab_start(&t, row->act == DRAIN_FREE ? SRV_MAXQ :
	    row->act == DRAIN_CANCEL || row->act == DRAIN_CANCEL_A ? n : 0, 0,
	    row->act == DRAIN_TIMEOUT ? 300 : 5000);
	lab_plan(&t, row->plan);
	ck_assert_uint_gt(resolver_draining(t.r), 0);
	switch (row->act) {
	case DRAIN_FREE:
		resolver_free(t.r);
		t.r = NULL;
		break;
	case DRAIN_CANCEL:
		resolver_cancel(t.r);
		ck_assert_uint_eq(resolver_pending(t.r), 0);
		ck_assert_uint_eq(resolver_draining(t.r), row->draining);
		lab_drain(&t);
		ck_assert_int_eq(t.q[t.wait_for].calls, 1);
		t.calls--;
		break;
	case DRAIN_CANCEL_A:
		resolver_cancel_owner(t.r, owner_ptr(OWN_A));
		ck_assert_uint_eq(resolver_pending(t.r), 2);
		ck_assert_uint_eq(resolver_draining(t.r), row->draining);
		t.want_calls = row->want_calls;
		lab_run(&t);
		for (int i = 0; i < n; i++)
			ck_assert_int_eq(t.q[i].calls,
			    t.q[i].owner == OWN_B ? 1 : 0);
		ck_assert_uint_eq(resolver_draining(t.r), 0);
		break;
	case DRAIN_FREE_IN_CB:
		t.act_on = row->act_on;
		t.act = ACT_FREE;
		t.want_calls = row->want_calls;
		lab_run(&t);
		ck_assert_ptr_null(t.r);
		break;
	case DRAIN_TIMEOUT:
		t.want_calls = row->want_calls;
		lab_run(&t);
		ck_assert_int_eq(t.q[0].status, ANSWER_ERROR);
		ck_assert_str_eq(t.q[0].error, "timeout");
		ck_assert_int_eq(t.q[1].status, ANSWER_NXDOMAIN);
		ck_assert_uint_eq(resolver_draining(t.r), 0);
		break;
	}
	/* The server reads what is left; no callback follows. */
	ck_assert_int_ge(event_base_loop(t.base, EVLOOP_NONBLOCK), 0);
	ck_assert_int_eq(t.early, 0);
	ck_assert_msg(t.calls == row->want_calls, "%s: %d calls, want %d",
	    row->name, t.calls, row->want_calls);
	for (int i = 0; i < n; i++)
		ck_assert_int_le(t.q[i].calls, 1);
	lab_stop(&t);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
resolver_suite(void)
{
	Suite *s = suite_create("resolver");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_contract, 0, NROWS(resolver_rows));
	tcase_add_test(tc, test_too_long);
	suite_add_tcase(s, tc);
	tc = tcase_create("owners");
	tcase_add_loop_test(tc, test_owners, 0, NROWS(owner_rows));
	suite_add_tcase(s, tc);
	tc = tcase_create("recycle");
	tcase_add_loop_test(tc, test_recycle, 0, NROWS(recycle_rows));
	tcase_add_loop_test(tc, test_drain, 0, NROWS(drain_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(resolver_suite());
}

/* SPDX-License-Identifier: ISC */
/*
 * Asynchronous DNS on the libevent loop: c-ares 1.18 tells us which sockets
 * it wants watched (ARES_OPT_SOCK_STATE_CB), we keep one event per socket
 * and one timer from ares_timeout(), and hand answers back as struct answer,
 * every response decoded by dnsmsg. Two channels: UDP, and TCP for the
 * answers that came truncated; a recycle makes a new pair for the queries
 * that follow while the old pair drains. Queries carry their owner, so
 * one owner's can be cancelled alone. The only file that includes ares.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/queue.h>

#include <ares.h>
#include <event2/event.h>

#include "classify.h"
#include "dnsmsg.h"
#include "escape.h"
#include "resolver.h"

/* Longest query name we take, without the NUL (RFC 1035 §2.3.4). */
#define RESOLVER_QNAME_MAX 255
/* Receive buffer asked for the UDP sockets: bursts of answers are not
 * dropped while the loop is busy. The kernel caps it at rmem_max. */
#define RESOLVER_RCVBUF (1 << 20)
/* EDNS payload size (RFC 6891; the 2020 DNS flag day's value): ordinary
 * TXT answers fit in UDP and need no TCP connection. */
#define RESOLVER_EDNS_PAYLOAD 1232
/* How often a socket we could not watch is tried again, in ms. */
#define RESOLVER_REWATCH_MS 100

/*
 * One socket c-ares asked us to watch. c-ares 1.18 keeps one UDP and one
 * TCP socket per server and channel, so that many slots are made with each
 * set of channels, events included: the state callback never allocates.
 */
struct resolver_sock {
	struct resolver_chan *c; /* the channel that opened fd */
	ares_socket_t fd;
	short want;	  /* EV_READ | EV_WRITE; 0: slot free */
	bool watched;	  /* event_add succeeded */
	struct event *ev; /* assigned to fd while the slot is in use */
};

/*
 * c-ares 1.18 closes every socket to a server and fails every query in
 * flight to it when one TCP connection breaks (handle_error), UDP queries
 * included. So queries start on a UDP channel that ignores TC, and only an
 * answer that came truncated is asked again on a TCP-only channel: a
 * server that closes TCP connections fails the few queries that needed
 * TCP, never the bulk in UDP.
 */
enum { RESOLVER_UDP, RESOLVER_TCP, RESOLVER_NCHAN };

struct resolver_chan {
	struct resolver_chans *set;
	ares_channel channel;
};

/*
 * The UDP and the TCP channel that queries are sent on together. A recycle
 * puts a new set in front for the queries that follow; an old one drains
 * (a truncated answer goes on to its own TCP channel) and is destroyed as
 * soon as c-ares holds nothing of it: ares_destroy() would end what is
 * left with ARES_EDESTRUCTION.
 */
struct resolver_chans {
	LIST_ENTRY(resolver_chans) link;
	struct resolver *r;
	struct resolver_chan chans[RESOLVER_NCHAN];
	struct resolver_sock *socks;
	size_t nsocks;
	size_t inflight; /* queries c-ares holds on either channel */
	uint32_t left;	 /* queries to send before a recycle is due */
	bool busy;	 /* scratch: holds a query not cancelled */
};

struct resolver_query_ctx {
	struct resolver_query_ctx *next; /* the pool, or the deferred list */
	LIST_ENTRY(resolver_query_ctx) pending; /* while cb is to come */
	struct resolver *r;
	struct resolver_chans *set; /* while c-ares holds the query */
	const void *owner;
	resolver_cb *cb; /* NULL once cancelled */
	void *arg;
	int status;	  /* a c-ares status decided inside ares_query() */
	uint8_t type;	  /* enum resolver_qtype */
	uint8_t chan;	  /* the channel of set it was sent on */
	char qname[RESOLVER_QNAME_MAX + 1];
};

struct resolver {
	struct event_base *base;
	struct resolver_chans *cur;	  /* where new queries go */
	LIST_HEAD(, resolver_chans) sets; /* cur first, then old ones */
	size_t draining;		  /* old sets on the list */
	uint64_t recycles;
	uint32_t recycle_queries;
	uint32_t timeout_ms;
	uint32_t tries;
	struct event *timer;
	struct event *deliver; /* hands on answers decided inside a send */
	size_t unwatched; /* slots in use whose event_add failed */
	size_t live;	  /* queries whose callback is still to come */
	LIST_HEAD(, resolver_query_ctx) pending; /* those queries */
	/* Contexts of finished queries, reused: no malloc per query once
	 * the pool has grown to the largest number ever in flight. */
	struct resolver_query_ctx *free_ctx;
	struct resolver_query_ctx *deferred, **deferred_tail;
	struct resolver_query_ctx *sending; /* inside ares_query() for it */
	struct timeval first_try; /* a query's first timeout */
	struct timeval timer_at;  /* when the timer fires, if armed */
	bool timer_armed;
	unsigned depth; /* nesting of calls that may run callbacks */
	bool cancel_later;
	bool free_later;
};

static void resolver_arm_timer(struct resolver *r);
static void resolver_destroy(struct resolver *r);
static void resolver_chans_free(struct resolver *r,
    struct resolver_chans *set);

static struct resolver_query_ctx *
resolver_ctx_get(struct resolver *r)
{
	struct resolver_query_ctx *q = r->free_ctx;

	if (q != NULL)
		r->free_ctx = q->next;
	else if ((q = malloc(sizeof(*q))) == NULL)
		return NULL;
	q->r = r;
	q->next = NULL;
	q->set = NULL;
	return q;
}

static void
resolver_ctx_put(struct resolver *r, struct resolver_query_ctx *q)
{
	q->next = r->free_ctx;
	r->free_ctx = q;
}

/* q's callback will not be called; c-ares may still hold q. */
static void
resolver_drop(struct resolver *r, struct resolver_query_ctx *q)
{
	q->cb = NULL;
	LIST_REMOVE(q, pending);
	r->live--;
}

/*
 * After a cancel: let c-ares end the cancelled queries it still holds,
 * on every set where nothing else is pending (ares_cancel() takes a whole
 * channel; elsewhere the cancelled ones are dropped as they end). Never
 * inside a callback: c-ares 1.18's ares_cancel() would end the query being
 * answered, still on its list, twice.
 */
static void
resolver_cancel_idle(struct resolver *r)
{
	struct resolver_chans *set;
	struct resolver_query_ctx *q;

	LIST_FOREACH(set, &r->sets, link)
		set->busy = false;
	LIST_FOREACH(q, &r->pending, pending)
		if (q->set != NULL)
			q->set->busy = true;
	r->depth++;
	LIST_FOREACH(set, &r->sets, link)
		if (!set->busy && set->inflight > 0)
			for (int i = 0; i < RESOLVER_NCHAN; i++)
				ares_cancel(set->chans[i].channel);
	r->depth--;
}

/* Destroy the old sets c-ares holds nothing of; outside callbacks only. */
static void
resolver_reap(struct resolver *r)
{
	struct resolver_chans *set, *next;

	for (set = LIST_FIRST(&r->sets); set != NULL && r->draining > 0;
	    set = next) {
		next = LIST_NEXT(set, link);
		if (set == r->cur || set->inflight > 0)
			continue;
		LIST_REMOVE(set, link);
		r->draining--;
		resolver_chans_free(r, set);
	}
}

/* What waits for the outermost call: a cancel's clean-up, old sets. */
static void
resolver_tidy(struct resolver *r)
{
	if (r->cancel_later) {
		r->cancel_later = false;
		resolver_cancel_idle(r);
	}
	if (r->draining > 0)
		resolver_reap(r);
}

/* Leave a call that may have run callbacks; true when r is gone. */
static bool
resolver_leave(struct resolver *r)
{
	if (--r->depth > 0)
		return false;
	if (r->free_later) {
		resolver_destroy(r);
		return true;
	}
	resolver_tidy(r);
	return false;
}

/* -- sockets and the timer --------------------------------------------- */

static void
resolver_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver_sock *s = arg;
	struct resolver *r = s->c->set->r;

	/* Only the channel that owns fd; s may be gone after the leave. */
	r->depth++;
	ares_process_fd(s->c->channel, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	if (resolver_leave(r))
		return;
	resolver_arm_timer(r);
}

/* Timeouts, on every channel of every set (a new set goes in front). */
static void
resolver_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;
	struct resolver_chans *set;

	(void)fd;
	(void)what;
	r->depth++;
	LIST_FOREACH(set, &r->sets, link)
		for (int i = 0; i < RESOLVER_NCHAN; i++)
			ares_process_fd(set->chans[i].channel, ARES_SOCKET_BAD,
			    ARES_SOCKET_BAD);
	if (resolver_leave(r))
		return;
	resolver_arm_timer(r);
}

static bool
resolver_sock_watch(struct resolver *r, struct resolver_sock *s)
{
	return event_assign(s->ev, r->base, s->fd, s->want | EV_PERSIST,
		   resolver_sock_cb, s) == 0 &&
	    event_add(s->ev, NULL) == 0;
}

/* Sockets whose event_add failed: try again, they may work now. */
static void
resolver_rewatch(struct resolver *r)
{
	struct resolver_chans *set;

	LIST_FOREACH(set, &r->sets, link) {
		for (size_t i = 0; i < set->nsocks && r->unwatched > 0; i++) {
			struct resolver_sock *s = &set->socks[i];

			if (s->want != 0 && !s->watched &&
			    resolver_sock_watch(r, s)) {
				s->watched = true;
				r->unwatched--;
			}
		}
	}
}

static void
resolver_arm_timer(struct resolver *r)
{
	struct timeval tv[RESOLVER_NCHAN], now, *tvp;
	struct timeval rewatch = { 0, RESOLVER_REWATCH_MS * 1000 };
	struct resolver_chans *set;

	if (r->unwatched > 0)
		resolver_rewatch(r);
	tvp = r->unwatched > 0 ? &rewatch : NULL;
	/* ares_timeout() returns the earlier of its maxtv and its own. */
	LIST_FOREACH(set, &r->sets, link)
		for (int i = 0; i < RESOLVER_NCHAN; i++)
			tvp = ares_timeout(set->chans[i].channel, tvp, &tv[i]);
	r->timer_armed = tvp != NULL && evtimer_add(r->timer, tvp) == 0;
	if (r->timer_armed) {
		event_base_gettimeofday_cached(r->base, &now);
		evutil_timeradd(&now, tvp, &r->timer_at);
	} else {
		evtimer_del(r->timer);
	}
}

/*
 * After a send. c-ares 1.18 doubles a query's timeout on each retry, so a
 * new query may be due before the retry the timer waits for: then its
 * first try would be noticed late. Only then (or with no timer) is the
 * timer re-armed from ares_timeout(), which walks every query: the common
 * case, a deadline after the armed one, costs a comparison.
 */
static void
resolver_arm_after_send(struct resolver *r)
{
	struct timeval now, due;

	if (r->timer_armed && r->unwatched == 0) {
		event_base_gettimeofday_cached(r->base, &now);
		evutil_timeradd(&now, &r->first_try, &due);
		if (!evutil_timercmp(&due, &r->timer_at, <))
			return;
	}
	resolver_arm_timer(r);
}

/* The slot of set watching fd, or with fd ARES_SOCKET_BAD a free one. */
static struct resolver_sock *
resolver_sock_find(struct resolver_chans *set, ares_socket_t fd)
{
	for (size_t i = 0; i < set->nsocks; i++) {
		struct resolver_sock *s = &set->socks[i];

		if (fd == ARES_SOCKET_BAD ? s->want == 0 :
		    s->want != 0 && s->fd == fd)
			return s;
	}
	return NULL;
}

/*
 * c-ares says which events it wants on fd; (0, 0) means it closed it.
 * Nothing here allocates, and nothing here can fail a query: a socket
 * whose event_add fails is left to resolver_rewatch() and the timer.
 */
static void
resolver_sock_state_cb(void *data, ares_socket_t fd, int readable,
    int writable)
{
	struct resolver_chan *c = data;
	struct resolver *r = c->set->r;
	struct resolver_sock *s = resolver_sock_find(c->set, fd);
	short want = (short)((readable ? EV_READ : 0) |
	    (writable ? EV_WRITE : 0));

	if (s != NULL) {
		if (s->watched)
			event_del(s->ev);
		else
			r->unwatched--;
		s->want = 0;
		s->watched = false;
	}
	if (want == 0)
		return;
	/* More sockets than c-ares 1.18 ever opens (two per server): the
	 * queries on this one time out. */
	if (s == NULL &&
	    (s = resolver_sock_find(c->set, ARES_SOCKET_BAD)) == NULL)
		return;
	s->fd = fd;
	s->c = c;
	s->want = want;
	s->watched = resolver_sock_watch(r, s);
	if (!s->watched)
		r->unwatched++;
}

/* -- answers ------------------------------------------------------------ */

static const char *
resolver_error_text(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
		return "timeout";
	case ARES_ECONNREFUSED:
		return "connection refused or closed";
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return "no response to decode";
	case ARES_ESERVFAIL:
		return "no nameserver to ask";
	case ARES_ENOMEM:
		return "out of memory";
	case ARES_EBADNAME:
		return "bad query name";
	default:
		return ares_strerror(status);
	}
}

/* An answer without a message: an error, whatever c-ares called it. */
static void
resolver_fail(struct answer *a, int status)
{
	memset(a, 0, sizeof(*a));
	a->status = ANSWER_ERROR;
	a->error = resolver_error_text(status);
	/*
	 * With ARES_FLAG_NOCHECKRESP (see resolver_new) SERVFAIL, REFUSED
	 * and NOTIMP answers come with their message, so ECONNREFUSED here
	 * is only ever a socket that failed: an ICMP error, a write or
	 * read error, or a TCP connection closed under us, after which
	 * c-ares 1.18 (handle_error) ends every query in flight to that
	 * server with this status, whatever those queries were.
	 */
	a->conn_failed = status == ARES_ECONNREFUSED;
}

/* Hand q's answer on (its context back to the pool first). */
static void
resolver_finish(struct resolver *r, struct resolver_query_ctx *q,
    int status, const unsigned char *abuf, int alen)
{
	struct answer a;
	char txt[ESCAPE_TXT_MAX + 1];
	resolver_cb *cb = q->cb;
	void *arg = q->arg;

	if (cb == NULL) {
		resolver_ctx_put(r, q); /* cancelled */
		return;
	}
	resolver_drop(r, q);
	/* Any status with a message: c-ares' rcode mapping is not used. */
	if (abuf != NULL && alen > 0)
		dnsmsg_decode(abuf, (size_t)alen, q->qname,
		    q->type == RESOLVER_A ? DNSMSG_A : DNSMSG_TXT, &a, txt,
		    sizeof(txt));
	else
		resolver_fail(&a, status);
	/* The callback may send the next query into this context. */
	resolver_ctx_put(r, q);
	cb(&a, arg);
}

/*
 * A UDP answer to ask again over TCP: TC set, or longer than the payload
 * size we offered and cut there by c-ares (which then ignores TC: 512
 * once a server's FORMERR has turned EDNS off on the channel).
 */
static bool
resolver_wants_tcp(const struct resolver_query_ctx *q,
    const unsigned char *abuf, int alen)
{
	if (q->chan != RESOLVER_UDP || abuf == NULL || alen < 12)
		return false;
	return (abuf[2] & 0x02) != 0 || alen == RESOLVER_EDNS_PAYLOAD ||
	    alen == 512;
}

static void resolver_defer(struct resolver *r, struct resolver_query_ctx *q);
static int resolver_send(struct resolver *r, struct resolver_query_ctx *q,
    struct resolver_chans *set);

static void
resolver_answer_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct resolver_query_ctx *q = arg;
	struct resolver *r = q->r;
	struct resolver_chans *set = q->set;

	(void)timeouts;
	/* c-ares is done with q: its set may drain (reaped outside). */
	set->inflight--;
	q->set = NULL;
	if (q == r->sending) {
		/* Inside ares_query(): resolver_send() decides what next.
		 * c-ares 1.18 gives no message on any of these paths. */
		q->status = status;
		r->sending = NULL;
		return;
	}
	if (q->cb != NULL && resolver_wants_tcp(q, abuf, alen)) {
		/* The TCP channel of the same set, old or new. */
		q->chan = RESOLVER_TCP;
		if (resolver_send(r, q, set) != 0)
			resolver_defer(r, q); /* ended at once: q->status */
		return;
	}
	resolver_finish(r, q, status, abuf, alen);
}

/* Answers decided inside a send, handed on from the loop. */
static void
resolver_deliver_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;
	struct resolver_query_ctx *q;

	(void)fd;
	(void)what;
	r->depth++;
	while (!r->free_later && (q = r->deferred) != NULL) {
		r->deferred = q->next;
		if (r->deferred == NULL)
			r->deferred_tail = &r->deferred;
		resolver_finish(r, q, q->status, NULL, 0);
	}
	resolver_leave(r);
}

static void
resolver_defer(struct resolver *r, struct resolver_query_ctx *q)
{
	q->next = NULL;
	*r->deferred_tail = q;
	r->deferred_tail = &q->next;
	event_active(r->deliver, EV_TIMEOUT, 1);
}

/* -- channels ------------------------------------------------------------ */

/*
 * One slot (and its event) per socket c-ares can hold: a UDP and a TCP
 * socket for each server, on each channel of the set.
 */
static int
resolver_socks_init(struct resolver *r, struct resolver_chans *set)
{
	struct ares_addr_port_node *servers = NULL;
	size_t n = 0, total;

	if (ares_get_servers_ports(set->chans[RESOLVER_UDP].channel,
	    &servers) == ARES_SUCCESS)
		for (struct ares_addr_port_node *s = servers; s; s = s->next)
			n++;
	ares_free_data(servers);
	total = 2 * RESOLVER_NCHAN * n + 2;
	set->socks = calloc(total, sizeof(*set->socks));
	if (set->socks == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < total; i++, set->nsocks++) {
		set->socks[i].fd = ARES_SOCKET_BAD;
		set->socks[i].ev = event_new(r->base, -1, 0, resolver_sock_cb,
		    &set->socks[i]);
		if (set->socks[i].ev == NULL)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The channels' options. ARES_FLAG_NOCHECKRESP: c-ares 1.18 would drop a
 * SERVFAIL, REFUSED or NOTIMP answer, try the next server and in the end
 * report ARES_ECONNREFUSED, exactly as for a socket error. With the flag
 * such answers reach us with their message (an error by dnsmsg, naming the
 * rcode), so ECONNREFUSED means a connection failure only and marks the
 * pairs worth asking again. The price: with several nameservers a
 * SERVFAIL from one is not tried on the next; it is reported, which is
 * what a monitor should do with a resolver that fails.
 */
static int
resolver_channel_init(struct resolver *r, struct resolver_chans *set,
    int index)
{
	struct resolver_chan *c = &set->chans[index];
	struct ares_options opts;
	int optmask, status;

	c->set = set;
	memset(&opts, 0, sizeof(opts));
	/* UDP: a truncated answer comes to us (and goes to the TCP channel);
	 * TCP: every query over TCP. */
	opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS |
	    (index == RESOLVER_UDP ? ARES_FLAG_IGNTC : ARES_FLAG_USEVC);
	opts.timeout = (int)r->timeout_ms;
	opts.tries = (int)r->tries;
	opts.ednspsz = RESOLVER_EDNS_PAYLOAD;
	opts.sock_state_cb = resolver_sock_state_cb;
	opts.sock_state_cb_data = c;
	opts.socket_receive_buffer_size = RESOLVER_RCVBUF;
	optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF;
	status = ares_init_options(&c->channel, &opts, optmask);
	if (status != ARES_SUCCESS)
		c->channel = NULL;
	return status;
}

/*
 * Point both channels of set at the servers: ns ("ip:port,..."; NULL or
 * empty keeps the system's), or with like the servers of that older set,
 * so a recycle asks exactly whom the resolver asked before.
 */
static int
resolver_chans_servers(struct resolver_chans *set, const char *ns,
    const struct resolver_chans *like)
{
	struct ares_addr_port_node *servers = NULL;
	int status = ARES_SUCCESS;

	if (like != NULL) {
		status = ares_get_servers_ports(
		    like->chans[RESOLVER_UDP].channel, &servers);
		if (status != ARES_SUCCESS)
			return status;
	}
	for (int i = 0; i < RESOLVER_NCHAN && status == ARES_SUCCESS; i++) {
		ares_channel ch = set->chans[i].channel;

		if (like != NULL)
			status = ares_set_servers_ports(ch, servers);
		else if (ns != NULL && ns[0] != '\0')
			status = ares_set_servers_ports_csv(ch, ns);
	}
	ares_free_data(servers);
	return status;
}

/*
 * A new set of channels, not yet on the list: 0, -ENOMEM, or -EINVAL
 * (c-ares refused ns or its own set-up), with a message in err.
 */
static int
resolver_chans_new(struct resolver *r, const char *ns,
    const struct resolver_chans *like, struct resolver_chans **ret,
    char *err, size_t errlen)
{
	struct resolver_chans *set = calloc(1, sizeof(*set));
	int status = ARES_ENOMEM;

	if (set == NULL)
		goto fail_nomem;
	set->r = r;
	set->left = r->recycle_queries;
	for (int i = 0; i < RESOLVER_NCHAN; i++) {
		status = resolver_channel_init(r, set, i);
		if (status != ARES_SUCCESS) {
			snprintf(err, errlen, "c-ares: %s",
			    ares_strerror(status));
			goto fail;
		}
	}
	status = resolver_chans_servers(set, ns, like);
	if (status != ARES_SUCCESS) {
		snprintf(err, errlen, "nameservers \"%s\": %s",
		    ns != NULL ? ns : "", ares_strerror(status));
		goto fail;
	}
	if (resolver_socks_init(r, set) != 0) {
		status = ARES_ENOMEM;
		goto fail_nomem;
	}
	*ret = set;
	return 0;

fail_nomem:
	snprintf(err, errlen, "out of memory");
fail:
	resolver_chans_free(r, set);
	return status == ARES_ENOMEM ? -ENOMEM : -EINVAL;
}

/* Destroy the channels of set (every query it holds ends) and free it. */
static void
resolver_chans_free(struct resolver *r, struct resolver_chans *set)
{
	if (set == NULL)
		return;
	for (int i = 0; i < RESOLVER_NCHAN; i++)
		if (set->chans[i].channel != NULL)
			ares_destroy(set->chans[i].channel);
	for (size_t i = 0; i < set->nsocks; i++) {
		struct resolver_sock *s = &set->socks[i];

		/* c-ares reports every close; this is for safety only. */
		if (s->want != 0 && !s->watched)
			r->unwatched--;
		event_free(s->ev);
	}
	free(set->socks);
	free(set);
}

/* -- life cycle ----------------------------------------------------------- */

struct event_base *
resolver_base_new(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (cfg == NULL)
		return NULL;
	/* Another method (select) is still taken where poll is missing. */
	event_config_avoid_method(cfg, "epoll");
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

int
resolver_new(struct event_base *base, const struct resolver_options *o,
    struct resolver **ret, char *err, size_t errlen)
{
	struct resolver *r;
	int status, rc;

	status = ares_library_init(ARES_LIB_INIT_ALL);
	if (status != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(status));
		return -ENOMEM;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		ares_library_cleanup();
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r->base = base;
	LIST_INIT(&r->sets);
	LIST_INIT(&r->pending);
	r->deferred_tail = &r->deferred;
	r->timeout_ms = o->timeout_ms;
	r->tries = o->tries;
	r->recycle_queries = o->recycle_queries != 0 ? o->recycle_queries :
	    RESOLVER_RECYCLE_QUERIES;
	r->first_try.tv_sec = (time_t)(o->timeout_ms / 1000);
	r->first_try.tv_usec = (suseconds_t)(o->timeout_ms % 1000 * 1000);
	r->timer = evtimer_new(base, resolver_timer_cb, r);
	r->deliver = event_new(base, -1, 0, resolver_deliver_cb, r);
	if (r->timer == NULL || r->deliver == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	rc = resolver_chans_new(r, o->nameservers, NULL, &r->cur, err, errlen);
	if (rc != 0)
		goto fail;
	LIST_INSERT_HEAD(&r->sets, r->cur, link);
	*ret = r;
	return 0;

fail:
	resolver_destroy(r);
	return rc;
}

/*
 * Send q on its channel of set: 0 queued, 1 ended at once (q->status says
 * how), -ENOMEM ended at once for want of memory.
 */
static int
resolver_send(struct resolver *r, struct resolver_query_ctx *q,
    struct resolver_chans *set)
{
	q->set = set;
	set->inflight++;
	r->sending = q;
	/* class IN (1); type A (1) or TXT (16). */
	ares_query(set->chans[q->chan].channel, q->qname, 1,
	    q->type == RESOLVER_A ? 1 : 16, resolver_answer_cb, q);
	if (r->sending == q) {
		r->sending = NULL;
		return 0;
	}
	return q->status == ARES_ENOMEM ? -ENOMEM : 1;
}

int
resolver_query_owned(struct resolver *r, const void *owner,
    const char *qname, enum resolver_qtype type, resolver_cb *cb, void *arg)
{
	size_t len = strlen(qname);
	struct resolver_query_ctx *q;
	struct resolver_chans *set;
	int rc;

	if (len > RESOLVER_QNAME_MAX)
		return -ENAMETOOLONG;
	if (r->free_later)
		return -ECANCELED;
	if (r->cur->left == 0)
		resolver_recycle(r);
	set = r->cur;
	if ((q = resolver_ctx_get(r)) == NULL)
		return -ENOMEM;
	q->owner = owner;
	q->cb = cb;
	q->arg = arg;
	q->type = (uint8_t)type;
	q->status = ARES_SUCCESS;
	q->chan = RESOLVER_UDP;
	memcpy(q->qname, qname, len + 1);
	rc = resolver_send(r, q, set);
	if (rc < 0) {
		resolver_ctx_put(r, q); /* nothing queued */
		resolver_arm_timer(r);
		return rc;
	}
	set->left--;
	LIST_INSERT_HEAD(&r->pending, q, pending);
	r->live++;
	if (rc > 0)
		resolver_defer(r, q); /* ended at once: handed on later */
	resolver_arm_after_send(r);
	return 0;
}

int
resolver_query(struct resolver *r, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *arg)
{
	return resolver_query_owned(r, NULL, qname, type, cb, arg);
}

void
resolver_servers(const struct resolver *r, char *buf, size_t len)
{
	struct ares_addr_port_node *servers = NULL;
	size_t n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (ares_get_servers_ports(r->cur->chans[RESOLVER_UDP].channel,
	    &servers) != ARES_SUCCESS)
		return;
	for (struct ares_addr_port_node *s = servers; s != NULL; s = s->next) {
		char ip[INET6_ADDRSTRLEN];
		int port = s->udp_port ? s->udp_port : 53, w;

		if (inet_ntop(s->family, &s->addr, ip, sizeof(ip)) == NULL)
			continue;
		w = snprintf(buf + n, len - n, s->family == AF_INET6 ?
		    "%s[%s]:%d" : "%s%s:%d", n ? "," : "", ip, port);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	ares_free_data(servers);
}

size_t
resolver_pending(const struct resolver *r)
{
	return r->live;
}

size_t
resolver_pending_owner(const struct resolver *r, const void *owner)
{
	const struct resolver_query_ctx *q;
	size_t n = 0;

	LIST_FOREACH(q, &r->pending, pending)
		if (q->owner == owner)
			n++;
	return n;
}

/* Queries were dropped: clean up in c-ares now, or when callbacks end. */
static void
resolver_cancelled(struct resolver *r)
{
	r->cancel_later = true;
	if (r->depth == 0)
		resolver_tidy(r);
}

void
resolver_cancel(struct resolver *r)
{
	struct resolver_query_ctx *q;

	if (r == NULL || r->cur == NULL)
		return;
	while ((q = LIST_FIRST(&r->pending)) != NULL)
		resolver_drop(r, q);
	resolver_cancelled(r);
}

void
resolver_cancel_owner(struct resolver *r, const void *owner)
{
	struct resolver_query_ctx *q, *next;

	if (r == NULL || r->cur == NULL)
		return;
	for (q = LIST_FIRST(&r->pending); q != NULL; q = next) {
		next = LIST_NEXT(q, pending);
		if (q->owner == owner)
			resolver_drop(r, q);
	}
	resolver_cancelled(r);
}

void
resolver_recycle(struct resolver *r)
{
	struct resolver_chans *set;
	char err[128];

	if (r == NULL || r->cur == NULL || r->free_later)
		return;
	if (resolver_chans_new(r, NULL, r->cur, &set, err, sizeof(err)) != 0) {
		/* The old channels go on; the next recycle tries again. */
		r->cur->left = r->recycle_queries;
		return;
	}
	LIST_INSERT_HEAD(&r->sets, set, link);
	r->cur = set;
	r->draining++;
	r->recycles++;
	if (r->depth == 0)
		resolver_reap(r);
}

uint64_t
resolver_recycles(const struct resolver *r)
{
	return r->recycles;
}

size_t
resolver_draining(const struct resolver *r)
{
	return r->draining;
}

static void
resolver_free_list(struct resolver_query_ctx *q)
{
	while (q != NULL) {
		struct resolver_query_ctx *next = q->next;

		free(q);
		q = next;
	}
}

static void
resolver_destroy(struct resolver *r)
{
	struct resolver_query_ctx *q;
	struct resolver_chans *set;

	while ((q = LIST_FIRST(&r->pending)) != NULL)
		resolver_drop(r, q);
	r->depth++;
	/* Every query is cancelled: ares_destroy() only returns contexts. */
	while ((set = LIST_FIRST(&r->sets)) != NULL) {
		LIST_REMOVE(set, link);
		resolver_chans_free(r, set);
	}
	r->cur = NULL;
	resolver_free_list(r->deferred);
	resolver_free_list(r->free_ctx);
	if (r->timer != NULL)
		event_free(r->timer);
	if (r->deliver != NULL)
		event_free(r->deliver);
	free(r);
	ares_library_cleanup();
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	if (r->depth > 0) {
		/* Inside a callback: c-ares still holds the channels. */
		resolver_cancel(r);
		r->free_later = true;
		return;
	}
	resolver_destroy(r);
}

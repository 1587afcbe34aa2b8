/* SPDX-License-Identifier: ISC */
/*
 * Asynchronous DNS on the libevent loop: c-ares 1.18 tells us which sockets
 * it wants watched (ARES_OPT_SOCK_STATE_CB), we keep one event per socket
 * and one timer from ares_timeout(), and hand answers back as struct answer,
 * every response decoded by dnsmsg. Two channels: UDP, and TCP for the
 * answers that came truncated. This is the only file that includes ares.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

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
 * TCP socket per server and channel, so that many slots are made at
 * start-up, events included: the state callback never allocates.
 */
struct resolver_sock {
	struct resolver *r;
	ares_socket_t fd;
	uint8_t chan;	  /* RESOLVER_UDP or RESOLVER_TCP */
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
	struct resolver *r;
	ares_channel channel;
	uint8_t index;
};

struct resolver_query_ctx {
	struct resolver_query_ctx *next; /* the pool, or the deferred list */
	struct resolver *r;
	resolver_cb *cb;
	void *arg;
	uint32_t gen;	  /* r->gen when sent; older ones were cancelled */
	int status;	  /* a c-ares status decided inside ares_query() */
	uint8_t type;	  /* enum resolver_qtype */
	uint8_t chan;	  /* the channel it was sent on */
	char qname[RESOLVER_QNAME_MAX + 1];
};

struct resolver {
	struct event_base *base;
	struct resolver_chan chans[RESOLVER_NCHAN];
	struct event *timer;
	struct event *deliver; /* hands on answers decided inside a send */
	struct resolver_sock *socks;
	size_t nsocks;
	size_t unwatched; /* slots in use whose event_add failed */
	size_t live;	  /* queries whose callback is still to come */
	/* Contexts of finished queries, reused: no malloc per query once
	 * the pool has grown to the largest number ever in flight. */
	struct resolver_query_ctx *free_ctx;
	struct resolver_query_ctx *deferred, **deferred_tail;
	struct resolver_query_ctx *sending; /* inside ares_query() for it */
	struct timeval first_try; /* a query's first timeout */
	struct timeval timer_at;  /* when the timer fires, if armed */
	bool timer_armed;
	uint32_t gen;	/* bumped by every cancel */
	unsigned depth; /* nesting of calls that may run callbacks */
	bool cancel_later;
	bool free_later;
};

static void resolver_arm_timer(struct resolver *r);
static void resolver_destroy(struct resolver *r);

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
	return q;
}

static void
resolver_ctx_put(struct resolver *r, struct resolver_query_ctx *q)
{
	q->next = r->free_ctx;
	r->free_ctx = q;
}

/*
 * c-ares 1.18's ares_cancel() must not run inside one of its callbacks:
 * the query being answered is still on its list and would be ended twice.
 */
static void
resolver_cancel_now(struct resolver *r)
{
	r->depth++;
	for (int i = 0; i < RESOLVER_NCHAN; i++)
		ares_cancel(r->chans[i].channel);
	r->depth--;
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
	if (r->cancel_later) {
		r->cancel_later = false;
		/* ares_cancel() takes everything: only when nothing was sent
		 * since; otherwise the old queries are dropped as they end. */
		if (r->live == 0)
			resolver_cancel_now(r);
	}
	return false;
}

/* -- sockets and the timer --------------------------------------------- */

/* Let c-ares read or write fd of channel chan (all: only timeouts). */
static void
resolver_process(struct resolver *r, int chan, ares_socket_t rfd,
    ares_socket_t wfd)
{
	r->depth++;
	for (int i = 0; i < RESOLVER_NCHAN; i++)
		if (chan < 0 || chan == i)
			ares_process_fd(r->chans[i].channel, rfd, wfd);
	if (resolver_leave(r))
		return;
	resolver_arm_timer(r);
}

static void
resolver_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver_sock *s = arg;

	resolver_process(s->r, s->chan,
	    (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
}

static void
resolver_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	resolver_process(arg, -1, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
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
	for (size_t i = 0; i < r->nsocks && r->unwatched > 0; i++) {
		struct resolver_sock *s = &r->socks[i];

		if (s->want != 0 && !s->watched && resolver_sock_watch(r, s)) {
			s->watched = true;
			r->unwatched--;
		}
	}
}

static void
resolver_arm_timer(struct resolver *r)
{
	struct timeval tv[RESOLVER_NCHAN], now, *tvp;
	struct timeval rewatch = { 0, RESOLVER_REWATCH_MS * 1000 };

	if (r->unwatched > 0)
		resolver_rewatch(r);
	tvp = r->unwatched > 0 ? &rewatch : NULL;
	for (int i = 0; i < RESOLVER_NCHAN; i++) {
		struct timeval *t = ares_timeout(r->chans[i].channel, tvp,
		    &tv[i]);

		tvp = t;
	}
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

/* The slot watching fd, or with fd ARES_SOCKET_BAD a free one. */
static struct resolver_sock *
resolver_sock_find(struct resolver *r, ares_socket_t fd)
{
	for (size_t i = 0; i < r->nsocks; i++) {
		struct resolver_sock *s = &r->socks[i];

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
	struct resolver *r = c->r;
	struct resolver_sock *s = resolver_sock_find(r, fd);
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
	if (s == NULL && (s = resolver_sock_find(r, ARES_SOCKET_BAD)) == NULL)
		return;
	s->fd = fd;
	s->chan = c->index;
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
	bool current = q->gen == r->gen;

	if (current)
		r->live--;
	if (!current || status == ARES_ECANCELLED ||
	    status == ARES_EDESTRUCTION) {
		resolver_ctx_put(r, q);
		return;
	}
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
static int resolver_send(struct resolver *r, struct resolver_query_ctx *q);

static void
resolver_answer_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct resolver_query_ctx *q = arg;
	struct resolver *r = q->r;

	(void)timeouts;
	if (q == r->sending) {
		/* Inside ares_query(): resolver_send() decides what next.
		 * c-ares 1.18 gives no message on any of these paths. */
		q->status = status;
		r->sending = NULL;
		return;
	}
	if (q->gen == r->gen && resolver_wants_tcp(q, abuf, alen)) {
		q->chan = RESOLVER_TCP;
		if (resolver_send(r, q) != 0)
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

/* -- life cycle ----------------------------------------------------------- */

/*
 * One slot (and its event) per socket c-ares can hold: a UDP and a TCP
 * socket for each server.
 */
static int
resolver_socks_init(struct resolver *r)
{
	struct ares_addr_port_node *servers = NULL;
	size_t n = 0, total;

	if (ares_get_servers_ports(r->chans[RESOLVER_UDP].channel,
	    &servers) == ARES_SUCCESS)
		for (struct ares_addr_port_node *s = servers; s; s = s->next)
			n++;
	ares_free_data(servers);
	total = 2 * RESOLVER_NCHAN * n + 2;
	r->socks = calloc(total, sizeof(*r->socks));
	if (r->socks == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < total; i++, r->nsocks++) {
		r->socks[i].r = r;
		r->socks[i].fd = ARES_SOCKET_BAD;
		r->socks[i].ev = event_new(r->base, -1, 0, resolver_sock_cb,
		    &r->socks[i]);
		if (r->socks[i].ev == NULL)
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
resolver_channel_init(struct resolver *r, const struct resolver_options *o,
    int index)
{
	struct resolver_chan *c = &r->chans[index];
	struct ares_options opts;
	int optmask;

	c->r = r;
	c->index = (uint8_t)index;
	memset(&opts, 0, sizeof(opts));
	/* UDP: a truncated answer comes to us (and goes to the TCP channel);
	 * TCP: every query over TCP. */
	opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS |
	    (index == RESOLVER_UDP ? ARES_FLAG_IGNTC : ARES_FLAG_USEVC);
	opts.timeout = (int)o->timeout_ms;
	opts.tries = (int)o->tries;
	opts.ednspsz = RESOLVER_EDNS_PAYLOAD;
	opts.sock_state_cb = resolver_sock_state_cb;
	opts.sock_state_cb_data = c;
	opts.socket_receive_buffer_size = RESOLVER_RCVBUF;
	optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF;
	return ares_init_options(&c->channel, &opts, optmask);
}

static int
resolver_channels_init(struct resolver *r, const struct resolver_options *o,
    char *err, size_t errlen)
{
	const char *ns = o->nameservers;
	int status;

	for (int i = 0; i < RESOLVER_NCHAN; i++) {
		status = resolver_channel_init(r, o, i);
		if (status != ARES_SUCCESS) {
			r->chans[i].channel = NULL;
			snprintf(err, errlen, "c-ares: %s",
			    ares_strerror(status));
			return status;
		}
		if (ns == NULL || ns[0] == '\0')
			continue;
		status = ares_set_servers_ports_csv(r->chans[i].channel, ns);
		if (status != ARES_SUCCESS) {
			snprintf(err, errlen, "nameservers \"%s\": %s", ns,
			    ares_strerror(status));
			return status;
		}
	}
	return ARES_SUCCESS;
}

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
	int status;

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
	r->deferred_tail = &r->deferred;
	r->first_try.tv_sec = (time_t)(o->timeout_ms / 1000);
	r->first_try.tv_usec = (suseconds_t)(o->timeout_ms % 1000 * 1000);
	r->timer = evtimer_new(base, resolver_timer_cb, r);
	r->deliver = event_new(base, -1, 0, resolver_deliver_cb, r);
	if (r->timer == NULL || r->deliver == NULL)
		goto fail_nomem;
	status = resolver_channels_init(r, o, err, errlen);
	if (status != ARES_SUCCESS)
		goto fail;
	if (resolver_socks_init(r) != 0)
		goto fail_nomem;
	*ret = r;
	return 0;

fail_nomem:
	status = ARES_ENOMEM;
	snprintf(err, errlen, "out of memory");
fail:
	resolver_destroy(r);
	return status == ARES_ENOMEM ? -ENOMEM : -EINVAL;
}

/*
 * Send q on its channel: 0 queued, 1 ended at once (q->status says how),
 * -ENOMEM ended at once for want of memory.
 */
static int
resolver_send(struct resolver *r, struct resolver_query_ctx *q)
{
	r->sending = q;
	/* class IN (1); type A (1) or TXT (16). */
	ares_query(r->chans[q->chan].channel, q->qname, 1,
	    q->type == RESOLVER_A ? 1 : 16, resolver_answer_cb, q);
	if (r->sending == q) {
		r->sending = NULL;
		return 0;
	}
	return q->status == ARES_ENOMEM ? -ENOMEM : 1;
}

int
resolver_query(struct resolver *r, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *arg)
{
	size_t len = strlen(qname);
	struct resolver_query_ctx *q;
	int rc;

	if (len > RESOLVER_QNAME_MAX)
		return -ENAMETOOLONG;
	if (r->free_later)
		return -ECANCELED;
	if ((q = resolver_ctx_get(r)) == NULL)
		return -ENOMEM;
	q->cb = cb;
	q->arg = arg;
	q->type = (uint8_t)type;
	q->gen = r->gen;
	q->status = ARES_SUCCESS;
	q->chan = RESOLVER_UDP;
	memcpy(q->qname, qname, len + 1);
	rc = resolver_send(r, q);
	if (rc < 0) {
		resolver_ctx_put(r, q); /* nothing queued */
		resolver_arm_timer(r);
		return rc;
	}
	if (rc > 0)
		resolver_defer(r, q); /* ended at once: handed on later */
	r->live++;
	resolver_arm_after_send(r);
	return 0;
}

void
resolver_servers(const struct resolver *r, char *buf, size_t len)
{
	struct ares_addr_port_node *servers = NULL;
	size_t n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (ares_get_servers_ports(r->chans[RESOLVER_UDP].channel,
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

void
resolver_cancel(struct resolver *r)
{
	if (r == NULL || r->chans[RESOLVER_TCP].channel == NULL)
		return;
	r->gen++;
	r->live = 0;
	while (r->deferred != NULL) {
		struct resolver_query_ctx *q = r->deferred;

		r->deferred = q->next;
		resolver_ctx_put(r, q);
	}
	r->deferred_tail = &r->deferred;
	if (r->depth > 0)
		r->cancel_later = true;
	else
		resolver_cancel_now(r);
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
	r->gen++;
	r->depth++;
	for (int i = 0; i < RESOLVER_NCHAN; i++)
		if (r->chans[i].channel != NULL)
			ares_destroy(r->chans[i].channel); /* old gen: dropped */
	resolver_free_list(r->deferred);
	resolver_free_list(r->free_ctx);
	for (size_t i = 0; i < r->nsocks; i++)
		event_free(r->socks[i].ev);
	free(r->socks);
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
		/* Inside a callback: c-ares still holds the channel. */
		resolver_cancel(r);
		r->free_later = true;
		return;
	}
	resolver_destroy(r);
}

/* SPDX-License-Identifier: ISC */
/*
 * Asynchronous DNS on the libevent loop: c-ares 1.18 tells us which sockets
 * it wants watched (ARES_OPT_SOCK_STATE_CB), we keep one event per socket
 * and one timer from ares_timeout(), and hand answers back as struct answer.
 * This is the only file that includes ares.h.
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
#include "escape.h"
#include "resolver.h"

/* c-ares hands us at most this many A records per answer to look at. */
#define RESOLVER_PARSE_ADDRS 64
/* Raw TXT bytes read before escaping. */
#define RESOLVER_TXT_RAW_MAX 1024
/* Receive buffer asked for the UDP sockets: bursts of answers are not
 * dropped while the loop is busy. The kernel caps it at rmem_max. */
#define RESOLVER_RCVBUF (1 << 20)

struct resolver_sock {
	ares_socket_t fd;
	struct event *ev;
};

struct resolver {
	struct event_base *base;
	ares_channel channel;
	struct event *timer;
	struct resolver_sock *socks;
	size_t nsocks;
	size_t socks_cap;
	size_t pending;
	/* Contexts of finished queries, reused: no malloc per query once
	 * the pool has grown to the largest number ever in flight. */
	struct resolver_query_ctx *free_ctx;
	int sock_error; /* an allocation failed in the state callback */
};

struct resolver_query_ctx {
	struct resolver_query_ctx *next_free;
	struct resolver *r;
	resolver_cb *cb;
	void *arg;
	enum resolver_qtype type;
};

static void resolver_arm_timer(struct resolver *r);

static void
resolver_process(struct resolver *r, ares_socket_t rfd, ares_socket_t wfd)
{
	ares_process_fd(r->channel, rfd, wfd);
	resolver_arm_timer(r);
}

static void
resolver_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;

	resolver_process(r, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
}

static void
resolver_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	resolver_process(arg, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

static void
resolver_arm_timer(struct resolver *r)
{
	struct timeval tv, *tvp;

	tvp = ares_timeout(r->channel, NULL, &tv);
	if (tvp != NULL)
		evtimer_add(r->timer, tvp);
	else
		evtimer_del(r->timer);
}

static struct resolver_sock *
resolver_sock_find(struct resolver *r, ares_socket_t fd)
{
	for (size_t i = 0; i < r->nsocks; i++)
		if (r->socks[i].fd == fd)
			return &r->socks[i];
	return NULL;
}

/* c-ares says which events it wants on fd; (0, 0) means it closed it. */
static void
resolver_sock_state_cb(void *data, ares_socket_t fd, int readable,
    int writable)
{
	struct resolver *r = data;
	struct resolver_sock *s = resolver_sock_find(r, fd);
	short what = (short)((readable ? EV_READ : 0) |
	    (writable ? EV_WRITE : 0));

	if (s != NULL) {
		event_free(s->ev);
		*s = r->socks[--r->nsocks];
	}
	if (what == 0)
		return;
	if (r->nsocks == r->socks_cap) {
		size_t cap = r->socks_cap ? r->socks_cap * 2 : 4;
		void *p = realloc(r->socks, cap * sizeof(*r->socks));

		if (p == NULL)
			goto fail;
		r->socks = p;
		r->socks_cap = cap;
	}
	s = &r->socks[r->nsocks];
	s->fd = fd;
	s->ev = event_new(r->base, fd, what | EV_PERSIST, resolver_sock_cb, r);
	if (s->ev == NULL)
		goto fail;
	if (event_add(s->ev, NULL) != 0) {
		event_free(s->ev);
		goto fail;
	}
	r->nsocks++;
	return;

fail:
	/* The socket goes unwatched: its queries time out as errors. */
	r->sock_error = -ENOMEM;
}

static const char *
resolver_error_text(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
		return "timeout";
	case ARES_ECONNREFUSED:
		/* c-ares 1.18 folds SERVFAIL and REFUSED into this. */
		return "servfail, refused or unreachable";
	case ARES_ESERVFAIL:
		return "servfail";
	case ARES_EREFUSED:
		return "refused";
	case ARES_EBADRESP:
		return "malformed answer";
	case ARES_EFORMERR:
		return "format error";
	case ARES_ENOMEM:
		return "out of memory";
	case ARES_EBADNAME:
		return "bad query name";
	default:
		return ares_strerror(status);
	}
}

/* Skip a (possibly compressed) name at *off; false if it runs off. */
static bool
resolver_skip_name(const unsigned char *buf, size_t len, size_t *off)
{
	size_t o = *off;

	for (int labels = 0; labels < 128; labels++) {
		if (o >= len)
			return false;
		if ((buf[o] & 0xc0) == 0xc0) {
			*off = o + 2;
			return o + 2 <= len;
		}
		if (buf[o] & 0xc0)
			return false; /* reserved label types */
		if (buf[o] == 0) {
			*off = o + 1;
			return true;
		}
		o += 1 + (size_t)buf[o];
	}
	return false;
}

/*
 * Count the A records of the answer section, checking that every record
 * is whole and every A record is four bytes. c-ares skips an A record of
 * the wrong size and then calls the answer empty: that must be an error,
 * never "not listed". Returns the count, or -1 for a malformed answer.
 */
static int
resolver_count_a(const unsigned char *buf, size_t len)
{
	size_t off = 12;
	unsigned qd, an;
	int count = 0;

	if (len < 12)
		return -1;
	qd = (unsigned)buf[4] << 8 | buf[5];
	an = (unsigned)buf[6] << 8 | buf[7];
	for (unsigned i = 0; i < qd; i++) {
		if (!resolver_skip_name(buf, len, &off) || off + 4 > len)
			return -1;
		off += 4;
	}
	for (unsigned i = 0; i < an; i++) {
		unsigned type, rdlen;

		if (!resolver_skip_name(buf, len, &off) || off + 10 > len)
			return -1;
		type = (unsigned)buf[off] << 8 | buf[off + 1];
		rdlen = (unsigned)buf[off + 8] << 8 | buf[off + 9];
		off += 10;
		if (off + rdlen > len || (type == 1 && rdlen != 4))
			return -1;
		if (type == 1)
			count++;
		off += rdlen;
	}
	return count;
}

static void
resolver_fail(struct answer *a, int status)
{
	a->status = ANSWER_ERROR;
	a->error = resolver_error_text(status);
}

static void
resolver_fill_a(struct answer *a, const unsigned char *abuf, int alen)
{
	struct ares_addrttl addrs[RESOLVER_PARSE_ADDRS];
	int n = RESOLVER_PARSE_ADDRS;
	int status = ares_parse_a_reply(abuf, alen, NULL, addrs, &n);

	int counted = resolver_count_a(abuf, (size_t)alen);

	if (counted < 0 || (status == ARES_ENODATA && counted > 0)) {
		resolver_fail(a, ARES_EBADRESP);
		return;
	}
	if (status == ARES_ENODATA) {
		/* NOERROR whose answer holds no A record at all. */
		a->status = ANSWER_NODATA;
		return;
	}
	if (status != ARES_SUCCESS) {
		resolver_fail(a, status);
		return;
	}
	a->status = ANSWER_RECORDS;
	a->ttl = UINT32_MAX;
	for (int i = 0; i < n; i++) {
		if (a->naddrs == ANSWER_MAX_ADDRS)
			continue;
		a->addrs[a->naddrs++] = ntohl(addrs[i].ipaddr.s_addr);
		if (addrs[i].ttl >= 0 && (uint32_t)addrs[i].ttl < a->ttl)
			a->ttl = (uint32_t)addrs[i].ttl;
	}
	if (a->naddrs == 0)
		a->ttl = 0;
}

/*
 * Join every TXT record (its strings concatenated, records separated by
 * "; "), bounded, then escape: TXT text is untrusted.
 */
static void
resolver_fill_txt(struct answer *a, const unsigned char *abuf, int alen,
    char *out, size_t outlen)
{
	struct ares_txt_ext *txt = NULL;
	char raw[RESOLVER_TXT_RAW_MAX];
	size_t n = 0;
	int status = ares_parse_txt_reply_ext(abuf, alen, &txt);

	if (status == ARES_ENODATA) {
		a->status = ANSWER_NODATA;
		return;
	}
	if (status != ARES_SUCCESS) {
		resolver_fail(a, status);
		return;
	}
	for (struct ares_txt_ext *t = txt; t != NULL; t = t->next) {
		if (t->record_start && t != txt && n + 2 <= sizeof(raw)) {
			memcpy(raw + n, "; ", 2);
			n += 2;
		}
		size_t take = t->length;
		if (take > sizeof(raw) - n)
			take = sizeof(raw) - n;
		memcpy(raw + n, t->txt, take);
		n += take;
	}
	ares_free_data(txt);
	escape_untrusted(raw, n, out, outlen);
	a->status = ANSWER_RECORDS;
	a->txt = out;
}

void
resolver_decode(enum resolver_qtype type, const unsigned char *abuf,
    int alen, struct answer *ret, char *txtbuf, size_t txtlen)
{
	memset(ret, 0, sizeof(*ret));
	if (type == RESOLVER_A)
		resolver_fill_a(ret, abuf, alen);
	else
		resolver_fill_txt(ret, abuf, alen, txtbuf, txtlen);
}

static void
resolver_answer_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct resolver_query_ctx *q = arg;
	struct resolver *r = q->r;
	struct answer a;
	char txt[ESCAPE_TXT_MAX + 1];

	resolver_cb *cb = q->cb;
	void *cb_arg = q->arg;
	enum resolver_qtype type = q->type;

	(void)timeouts;
	r->pending--;
	/* Back to the pool first: the callback may send the next query. */
	q->next_free = r->free_ctx;
	r->free_ctx = q;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED)
		return;
	memset(&a, 0, sizeof(a));
	if (status == ARES_SUCCESS) {
		resolver_decode(type, abuf, alen, &a, txt, sizeof(txt));
	} else if (status == ARES_ENOTFOUND) {
		a.status = ANSWER_NXDOMAIN;
	} else if (status == ARES_ENODATA) {
		a.status = ANSWER_NODATA;
	} else {
		/* Only NXDOMAIN and NODATA may ever mean "not listed". */
		resolver_fail(&a, status);
	}
	cb(&a, cb_arg);
}

int
resolver_new(struct event_base *base, const struct resolver_options *o,
    struct resolver **ret, char *err, size_t errlen)
{
	struct ares_options opts;
	struct resolver *r;
	int status, optmask;

	status = ares_library_init(ARES_LIB_INIT_ALL);
	if (status != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(status));
		return -ENOMEM;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto fail_nomem;
	r->base = base;
	r->timer = evtimer_new(base, resolver_timer_cb, r);
	if (r->timer == NULL)
		goto fail_nomem;

	memset(&opts, 0, sizeof(opts));
	opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	opts.timeout = (int)o->timeout_ms;
	opts.tries = (int)o->tries;
	opts.sock_state_cb = resolver_sock_state_cb;
	opts.sock_state_cb_data = r;
	opts.socket_receive_buffer_size = RESOLVER_RCVBUF;
	optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF;
	status = ares_init_options(&r->channel, &opts, optmask);
	if (status != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(status));
		r->channel = NULL;
		goto fail;
	}
	if (o->nameservers != NULL && o->nameservers[0] != '\0') {
		status = ares_set_servers_ports_csv(r->channel, o->nameservers);
		if (status != ARES_SUCCESS) {
			snprintf(err, errlen, "nameservers \"%s\": %s",
			    o->nameservers, ares_strerror(status));
			goto fail;
		}
	}
	*ret = r;
	return 0;

fail_nomem:
	snprintf(err, errlen, "out of memory");
fail:
	resolver_free(r);
	return status == ARES_ENOMEM || r == NULL ? -ENOMEM : -EINVAL;
}

int
resolver_query(struct resolver *r, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *arg)
{
	struct resolver_query_ctx *q = r->free_ctx;

	if (q != NULL)
		r->free_ctx = q->next_free;
	else if ((q = malloc(sizeof(*q))) == NULL)
		return -ENOMEM;
	q->r = r;
	q->cb = cb;
	q->arg = arg;
	q->type = type;
	r->pending++;
	/* class IN (1); type A (1) or TXT (16). */
	ares_query(r->channel, qname, 1, type == RESOLVER_A ? 1 : 16,
	    resolver_answer_cb, q);
	/* A new query's deadline is after every pending one: the timer only
	 * needs arming when nothing else was pending. */
	if (!evtimer_pending(r->timer, NULL))
		resolver_arm_timer(r);
	if (r->sock_error != 0) {
		int e = r->sock_error;
		r->sock_error = 0;
		return e;
	}
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
	if (ares_get_servers_ports(r->channel, &servers) != ARES_SUCCESS)
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
	return r->pending;
}

void
resolver_cancel(struct resolver *r)
{
	if (r != NULL && r->channel != NULL)
		ares_cancel(r->channel);
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	if (r->channel != NULL)
		ares_destroy(r->channel);
	for (size_t i = 0; i < r->nsocks; i++)
		event_free(r->socks[i].ev);
	while (r->free_ctx != NULL) {
		struct resolver_query_ctx *q = r->free_ctx;
		r->free_ctx = q->next_free;
		free(q);
	}
	free(r->socks);
	if (r->timer != NULL)
		event_free(r->timer);
	free(r);
	ares_library_cleanup();
}

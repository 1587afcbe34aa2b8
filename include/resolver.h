/* SPDX-License-Identifier: ISC */
/*
 * Asynchronous DNS: c-ares driven by a libevent loop. Hands answers back as
 * struct answer (classify.h); nothing outside this module sees c-ares. One
 * resolver serves several owners, and renews its sockets as it runs.
 */
#ifndef RBLMON_RESOLVER_H
#define RBLMON_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct answer;
struct resolver;

enum resolver_qtype { RESOLVER_A, RESOLVER_TXT };

/* Queries sent on one set of channels before resolver_recycle() runs. */
#define RESOLVER_RECYCLE_QUERIES 65536

struct resolver_options {
	const char *nameservers; /* "ip:port,..." or NULL for the system's */
	uint32_t timeout_ms;	 /* first try; c-ares doubles it each round */
	uint32_t tries;
	uint32_t recycle_queries; /* 0: RESOLVER_RECYCLE_QUERIES */
};

/*
 * The contract of a query. resolver_query() returns 0 and then cb is called
 * exactly once, later, from the event loop: never from inside
 * resolver_query(), whatever c-ares does. A negative return means nothing
 * was queued and no callback will ever follow. The answer passed to cb is
 * valid only during the call; cb may send new queries, and may call
 * resolver_cancel(), resolver_cancel_owner(), resolver_recycle() or
 * resolver_free() (the resolver then goes away once the callback and
 * c-ares are done with it).
 *
 * Every response that comes with a message is decoded by dnsmsg.h, which
 * decides NXDOMAIN and NODATA itself: c-ares' own rcode mapping is never
 * trusted. ANSWER_ERROR texts from the resolver itself:
 *   "timeout"                      no answer within timeout and tries
 *   "connection refused or closed" a socket error: ICMP unreachable, a
 *                                  TCP connection the server closed or
 *                                  reset (conn_failed is set: c-ares fails
 *                                  every query in flight to that server at
 *                                  once, so the pair is worth asking again)
 *   "no response to decode"        NXDOMAIN or NODATA without a message
 *   "out of memory", "bad query name", or c-ares' own text otherwise.
 * A socket c-ares opens that cannot be watched (event_add failing) is
 * tried again on every pass of the resolver and at least every 100 ms;
 * until then its queries wait, and if it never works they end, each once,
 * as "timeout".
 */
typedef void resolver_cb(const struct answer *a, void *arg);

/*
 * A new event loop fit for the resolver's traffic, or NULL: poll(2), not
 * epoll. A sweep keeps a handful of sockets busy with tens of thousands
 * of datagrams a second; an epoll registration costs a wake-up callback
 * in the kernel for every datagram that arrives, while poll only scans
 * the few descriptors once per loop pass (about 3 % of a sweep's CPU).
 */
struct event_base *resolver_base_new(void);

/* Returns 0, or a negative errno with a message in err. */
int resolver_new(struct event_base *base, const struct resolver_options *o,
    struct resolver **ret, char *err, size_t errlen);

/*
 * Send a query for the fully qualified qname (no search list, no final
 * dot needed; at most 255 characters). Returns 0 (cb follows, see above),
 * -ENOMEM, or -ENAMETOOLONG; no malloc once as many queries as ever
 * before are in flight, but for the new channels of a recycle.
 */
int resolver_query(struct resolver *r, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *arg);

/*
 * As resolver_query(), on behalf of owner: a pointer that names who asks
 * (a zone's checks, a confirmation, a live check, one engine generation),
 * compared and never dereferenced. resolver_query() is owner NULL. Owners
 * share the sockets; only resolver_cancel_owner() tells them apart.
 */
int resolver_query_owned(struct resolver *r, const void *owner,
    const char *qname, enum resolver_qtype type, resolver_cb *cb, void *arg);

/*
 * Drop every pending query; their callbacks are not called, also when
 * cancelled from inside a callback (queries sent after the cancel are
 * kept). NULL ok.
 */
void resolver_cancel(struct resolver *r);

/*
 * Drop the pending queries of owner only (NULL: those of resolver_query);
 * their callbacks are not called, also when cancelled from inside a
 * callback of any owner. Other owners' queries, and owner's sent after the
 * call, are answered as usual. r NULL ok.
 */
void resolver_cancel_owner(struct resolver *r, const void *owner);

/*
 * Send every query from now on through new channels, so from new UDP
 * sockets and source ports: a daemon does not keep one port for hours
 * (RFC 5452 §9.2). Queries in flight on the old channels are answered
 * there, each once, and old channels are closed when nothing is left on
 * them. Also done on its own after recycle_queries queries on one set of
 * channels. When new channels cannot be made (out of memory) the old ones
 * stay in use, and the next recycle tries again. Never runs a callback;
 * callable from inside one. r NULL ok.
 */
void resolver_recycle(struct resolver *r);

/* Recycles that made new channels, since resolver_new(). */
uint64_t resolver_recycles(const struct resolver *r);

/*
 * Old sets of channels still answering queries sent before a recycle;
 * 0 once every such query has ended.
 */
size_t resolver_draining(const struct resolver *r);

/*
 * The servers the resolver asks, as "ip:port,ip:port" (IPv6 in brackets),
 * written to buf (NUL-terminated, cut to fit). For messages: with no
 * nameservers configured these come from /etc/resolv.conf.
 */
void resolver_servers(const struct resolver *r, char *buf, size_t len);

/* Queries sent and not yet answered (cancelled ones not counted). */
size_t resolver_pending(const struct resolver *r);

/* The same, for owner's queries only; walks every pending query. */
size_t resolver_pending_owner(const struct resolver *r, const void *owner);

/*
 * Cancel everything pending (callbacks are not called) and free, old
 * channels still draining included. NULL ok. From inside a callback, the
 * memory goes when the callback returns.
 */
void resolver_free(struct resolver *r);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Asynchronous DNS: c-ares driven by a libevent loop. Hands answers back as
 * struct answer (classify.h); nothing outside this module sees c-ares.
 */
#ifndef RBLMON_RESOLVER_H
#define RBLMON_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct answer;
struct resolver;

enum resolver_qtype { RESOLVER_A, RESOLVER_TXT };

struct resolver_options {
	const char *nameservers; /* "ip:port,..." or NULL for the system's */
	uint32_t timeout_ms;	 /* first try; c-ares doubles it each round */
	uint32_t tries;
};

/*
 * Called once per query with the answer, valid only during the call.
 * Not called for queries still pending when the resolver is freed.
 */
typedef void resolver_cb(const struct answer *a, void *arg);

/* Returns 0, or a negative errno with a message in err. */
int resolver_new(struct event_base *base, const struct resolver_options *o,
    struct resolver **ret, char *err, size_t errlen);

/*
 * Send a query for the fully qualified qname (no search list). The callback
 * may start new queries. Returns 0 or -ENOMEM.
 */
int resolver_query(struct resolver *r, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *arg);

/*
 * Decode a NOERROR response (raw bytes, as the server sent them) to a query
 * of the given type into *ret: its A records, or its TXT text escaped into
 * txtbuf (txtlen >= 4). A response that does not parse is ANSWER_ERROR.
 * Used for every answer, and by the fuzz tests.
 */
void resolver_decode(enum resolver_qtype type, const unsigned char *abuf,
    int alen, struct answer *ret, char *txtbuf, size_t txtlen);

/* Drop every pending query; their callbacks are not called. NULL ok. */
void resolver_cancel(struct resolver *r);

/*
 * The servers the resolver asks, as "ip:port,ip:port" (IPv6 in brackets),
 * written to buf (NUL-terminated, cut to fit). For messages: with no
 * nameservers configured these come from /etc/resolv.conf.
 */
void resolver_servers(const struct resolver *r, char *buf, size_t len);

/* Queries sent and not yet answered. */
size_t resolver_pending(const struct resolver *r);

/* Cancel everything pending (callbacks are not called) and free. NULL ok. */
void resolver_free(struct resolver *r);

#endif

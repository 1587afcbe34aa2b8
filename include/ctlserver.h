/* SPDX-License-Identifier: ISC */
/*
 * The control socket's server (DESIGN §4): a stream Unix socket on the
 * daemon's event loop that reads request lines, hands each parsed and
 * allowed request to a handler, and writes exactly one line per request,
 * in request order, bounded in clients, idle time and buffered output.
 */
#ifndef RBLMON_CTLSERVER_H
#define RBLMON_CTLSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct ctlproto_request;
struct ctlserver;
struct ctlserver_reply; /* one pending answer of one client */

/* Defaults for the zero values of struct ctlserver_options. */
#define CTLSERVER_MAX_CLIENTS 256
#define CTLSERVER_IDLE_MS 10000
/*
 * A request line, once its first byte is in, must arrive whole within
 * this: a client trickling bytes holds its place a second, not the idle
 * timeout.
 */
#define CTLSERVER_LINE_MS 1000
#define CTLSERVER_MAX_OUTPUT (4u << 20)
/*
 * Unanswered requests one client may have; past it the server reads no
 * more from that client until an answer is written.
 */
#define CTLSERVER_PIPELINE_MAX 64
/* Accepting pauses this long when the process runs out of descriptors. */
#define CTLSERVER_ACCEPT_PAUSE_MS 100

struct ctlserver_options {
	const char *path;     /* socket path */
	mode_t mode;	      /* e.g. 0660, set after bind (umask-safe) */
	gid_t gid;	      /* (gid_t)-1: leave the group */
	unsigned max_clients; /* 0: 256 */
	unsigned idle_ms;     /* no complete request this long: close; 0: 10 s */
	unsigned line_ms;     /* a begun line not whole this long: close; 0: 1 s */
	/* Bytes queued for a client that does not read; past it the client
	 * is dropped. 0: 4 MiB. */
	size_t max_output;
	/* Whose requests may change things besides root's; 0: geteuid(). */
	uid_t daemon_uid;
};

/*
 * Called for every parsed and allowed request; req is valid only during
 * the call. Answer r with ctlserver_reply_send() (or _append and _end) now
 * or later, exactly once: a live check answers when it is done. peer_uid
 * is the client's, from SO_PEERCRED.
 */
typedef void ctlserver_handler(struct ctlserver_reply *r,
    const struct ctlproto_request *req, uid_t peer_uid, void *arg);

/*
 * Listen on o->path on base (which must outlive the server). A socket
 * left by a dead daemon is replaced; a live one (something accepts) fails
 * with -EADDRINUSE, anything at the path that is not a socket with
 * -EEXIST, and neither is removed. The socket is bound under umask 0177,
 * then given o->mode and o->gid. Writes to a client that went away must
 * not kill the process: the caller ignores SIGPIPE. Returns 0, or a
 * negative errno with a message in err (errlen bytes).
 */
int ctlserver_new(struct event_base *base, const struct ctlserver_options *o,
    ctlserver_handler *h, void *arg, struct ctlserver **ret, char *err,
    size_t errlen);

/*
 * Answer r with line[0..len) (one JSON object text without its newline;
 * copied) and a newline, and free r. Answers are written in request
 * order. If the client went away meanwhile, or is dropped now because it
 * does not read, the answer is dropped silently: r stays valid until this
 * call, whatever the client or ctlserver_free() does.
 */
void ctlserver_reply_send(struct ctlserver_reply *r, const char *line,
    size_t len);

/*
 * A long answer in pieces: append data[0..len) (copied; no newline) as
 * often as needed, then ctlserver_reply_end() writes the newline and
 * frees r. Same rules as ctlserver_reply_send().
 */
void ctlserver_reply_append(struct ctlserver_reply *r, const char *data,
    size_t len);
void ctlserver_reply_end(struct ctlserver_reply *r);

/*
 * Bytes written or held for r's client that it has not read yet, so a
 * long answer is produced only as fast as it is read; SIZE_MAX once the
 * client went away (r still wants its end).
 */
size_t ctlserver_reply_backlog(const struct ctlserver_reply *r);

/*
 * Is r the oldest unanswered reply of its client, so that what is
 * appended goes to the socket rather than into memory until the replies
 * before it are done? false once the client went away.
 */
bool ctlserver_reply_first(const struct ctlserver_reply *r);

struct ctlserver_stats {
	uint64_t accepted;
	uint64_t refused_full;	/* times accepting paused: clients full */
	uint64_t dropped_slow;	/* more than max_output queued unread */
	uint64_t dropped_idle;	/* no complete request for idle_ms */
	uint64_t dropped_nomem; /* an allocation for the client failed */
	uint64_t bad_requests;	/* answered with an error by the server */
	uint64_t requests;	/* request lines read */
	unsigned clients;	/* connected now */
};

/* The counters so far, in *ret. */
void ctlserver_get_stats(const struct ctlserver *s,
    struct ctlserver_stats *ret);

/*
 * Close every client and the socket, and remove the path if it is still
 * the socket this server made. Unanswered replies stay valid (their
 * answers are dropped). Not from inside the handler. NULL is fine.
 */
void ctlserver_free(struct ctlserver *s);

#endif

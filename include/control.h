/* SPDX-License-Identifier: ISC */
/*
 * The control plane's answers (DESIGN §3, §4; docs/control.md): every
 * command of the socket, answered as one JSON object from what the
 * monitor holds, and the metrics document that the socket, HTTP and the
 * textfile serve. A leaf: it reads, and changes things only through the
 * monitor's two doors (a live check, a cycle now) and the daemon's
 * reload.
 */
#ifndef RBLMON_CONTROL_H
#define RBLMON_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

struct control;
struct event_base;
struct metrics_buf;
struct monitor;

struct control_options {
	const char *socket;  /* path */
	mode_t socket_mode;
	gid_t socket_gid;    /* (gid_t)-1: the daemon's */
	const char *config_path; /* for status */
	/*
	 * The reload door: read the configuration again and swap it in,
	 * as SIGHUP does. Returns 0, or non-zero with the reason in err.
	 * Called from the loop, never from inside a request's parsing.
	 */
	int (*reload)(void *arg, char *err, size_t errlen);
	void *reload_arg;
};

/*
 * Answer the control socket at o->socket on base for monitor m (which
 * must outlive it; NULL: attached later, requests are refused until
 * then). Returns 0, or a negative errno with a message in err:
 * -EADDRINUSE when a running daemon answers there already.
 */
int control_new(struct event_base *base, struct monitor *m,
    const struct control_options *o, struct control **ret, char *err,
    size_t errlen);

/* Answer for monitor m from now on. */
void control_attach(struct control *c, struct monitor *m);

/*
 * The whole metrics document (docs/metrics.md) for monitor m into b:
 * the rblmon_* series, then the luzilla_rbls_* ones. c may be NULL (no
 * socket figures). Returns 0, or -ENOMEM when b failed.
 */
int control_metrics(const struct control *c, const struct monitor *m,
    struct metrics_buf *b);

/* Close the socket; answers still due are dropped. NULL ok. */
void control_free(struct control *c);

#endif

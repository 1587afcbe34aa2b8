/* SPDX-License-Identifier: ISC */
/*
 * Where the metrics document goes besides the control socket (DESIGN §4):
 * served over HTTP by libevent's evhttp on the daemon's loop
 * (metrics_listen), and written atomically for node_exporter's textfile
 * collector (metrics_textfile).
 */
#ifndef RBLMON_METRICSOUT_H
#define RBLMON_METRICSOUT_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct metrics_buf;
struct metricsout_http;

/* Longest host text metricsout_listen_parse writes, NUL included. */
#define METRICSOUT_HOST_MAX 46 /* INET6_ADDRSTRLEN */
/* Longest metrics_listen value: "[" IPv6 "]:" port, with room to spare. */
#define METRICSOUT_LISTEN_MAX 64

/* Bounds of the HTTP server. */
#define METRICSOUT_HEADERS_MAX 8192 /* request line, and all headers */
#define METRICSOUT_BODY_MAX 1024    /* a request body (scrapes have none) */
#define METRICSOUT_TIMEOUT_S 10	    /* a connection's reads and writes */
#define METRICSOUT_TEXT_MAX (16u << 20) /* b->max handed to the renderer */
/*
 * Connections accepted per window, at most; the rest wait in the
 * kernel's backlog for the next window. libevent 2.1 (Debian 12) has no
 * evhttp_set_max_connections and says nothing when a connection that
 * never sent a request goes away, so connections are bounded in rate
 * (and each by METRICSOUT_TIMEOUT_S) rather than in number. Out of
 * descriptors, accepting waits for the next window instead of spinning.
 */
#define METRICSOUT_ACCEPT_MAX 16
#define METRICSOUT_ACCEPT_WINDOW_MS 1000

/*
 * Parse a metrics_listen value: "HOST:PORT" with a numeric IPv4 address
 * or "[IPv6]:PORT" (127.0.0.1:9465, [::1]:9465, 0.0.0.0:9465, [::]:9465);
 * host names are refused, never looked up; the port is 1-65535. On
 * success writes the address as inet_ntop spells it (without brackets)
 * into ret_host (hostlen bytes; METRICSOUT_HOST_MAX always do) and the
 * port into *ret_port, and returns 0. Else returns -EINVAL (malformed),
 * -ERANGE (port out of range) or -ENOSPC (hostlen too small), with a
 * message in err (errlen bytes) that quotes the value but does not name
 * the key: callers write "metrics_listen: " before it. Pure.
 */
int metricsout_listen_parse(const char *s, char *ret_host, size_t hostlen,
    uint16_t *ret_port, char *err, size_t errlen);

/*
 * Fill b with the whole exposition text, at request time. b arrives
 * empty (metrics_buf_init) with max METRICSOUT_TEXT_MAX, which the
 * renderer may change. Return 0, or -1 when there is nothing to serve;
 * b->failed set counts as -1. The server frees the text.
 */
typedef int metricsout_render_cb(struct metrics_buf *b, void *arg);

/*
 * Serve on base (which must outlive the server) at listen (see
 * metricsout_listen_parse), bound at once with SO_REUSEADDR:
 *   GET or HEAD /metrics (any query string): 200, "Content-Type:
 *     text/plain; version=0.0.4; charset=utf-8", render's text;
 *     503 when render fails;
 *   GET or HEAD /: 200, a short HTML page linking /metrics;
 *   any other path: 404; another method on / or /metrics: 405 with
 *     "Allow: GET, HEAD".
 * HEAD answers carry the Content-Length of the GET and no body. Request
 * lines and headers past METRICSOUT_HEADERS_MAX get 400, bodies past
 * METRICSOUT_BODY_MAX 413 and unknown methods 501, from libevent,
 * without reaching render. [::] takes IPv4 too unless the system sets
 * net.ipv6.bindv6only. The caller ignores SIGPIPE. Returns 0 and the
 * server in *ret, or a negative errno with a message in err naming the
 * address: the parser's errors, -EADDRINUSE ("cannot bind
 * 127.0.0.1:9465: Address already in use (another program listens
 * there)"), what socket(2), bind(2) or listen(2) said, or -ENOMEM.
 */
int metricsout_http_new(struct event_base *base, const char *listen,
    metricsout_render_cb *render, void *arg, struct metricsout_http **ret,
    char *err, size_t errlen);

/*
 * Close the listening socket and every connection (answers being written
 * are cut off). Not from inside render. NULL is fine.
 */
void metricsout_http_free(struct metricsout_http *h);

struct metricsout_http_stats {
	uint64_t accepted;   /* connections */
	uint64_t requests;   /* that reached the server: not those libevent
				refused (400, 413, 501) */
	uint64_t served;     /* 200 answers to /metrics */
	uint64_t not_found;  /* 404 */
	uint64_t bad_method; /* 405 */
	uint64_t failed;     /* 503: render failed, or memory ran out */
};

/* The counters so far, in *ret. */
void metricsout_http_stats(const struct metricsout_http *h,
    struct metricsout_http_stats *ret);

/*
 * Replace the file at path with text[0..len) (text may be NULL when len
 * is 0) so that a reader sees the old file or the new one, never a
 * part: write a temporary file "PATH.tmp.XXXXXX" in the same directory,
 * give it mode 0644 (whatever the umask), fsync it, rename it over path,
 * fsync the directory (a file system that cannot sync directories,
 * EINVAL, is let be). For node_exporter's textfile collector path must
 * end in ".prom", the files it reads (the temporary one does not): not
 * checked here. Blocks for the two fsyncs: call it once per update, not
 * per answer. Returns 0, or a negative errno with err naming the step
 * and path ("cannot create a temporary file for /x/rblmon.prom: No such
 * file or directory"); on failure nothing is left behind.
 */
int metricsout_textfile_write(const char *path, const char *text, size_t len,
    char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * The metrics document over HTTP and into a textfile: metrics_listen
 * parsed, a listening socket bound at start-up with errors that name it,
 * evhttp answering GET and HEAD of /metrics within fixed bounds while
 * accepting in windows, and the textfile replaced by an atomic rename.
 */
#define _GNU_SOURCE /* mkostemp */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "log.h"
#include "metrics.h"
#include "metricsout.h"

#define METRICSOUT_BACKLOG 64
/* "[" host "]:" port and the NUL. */
#define METRICSOUT_ADDR_MAX (METRICSOUT_HOST_MAX + 8)

#define METRICSOUT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define METRICSOUT_TEXT_TYPE "text/plain; charset=utf-8"
#define METRICSOUT_INDEX                                                       \
	"<html><head><title>rblmond</title></head><body>\n"                    \
	"<h1>rblmond</h1>\n"                                                   \
	"<p><a href=\"/metrics\">Metrics</a></p>\n"                            \
	"</body></html>\n"

struct metricsout_http {
	struct event_base *base;
	struct evhttp *http;
	struct evconnlistener *lev; /* evhttp's; freed by evhttp_free */
	/* The listening socket is readable while no window is open. */
	struct event *wake;
	struct event *window; /* ends the open accept window */
	unsigned window_accepts;
	metricsout_render_cb *render;
	void *arg;
	char addr[METRICSOUT_ADDR_MAX];
	struct metricsout_http_stats stats;
};

/* ---- metrics_listen ---- */

/* The port text s (digits only) into *ret: 0, -EINVAL or -ERANGE. */
static int
port_parse(const char *s, uint16_t *ret, char *err, size_t errlen)
{
	unsigned long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++)
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*p - '0');
	if (p == s || *p != '\0') {
		snprintf(err, errlen,
		    "invalid port \"%s\" (expected a number 1-65535)", s);
		return -EINVAL;
	}
	if (v < 1 || v > 65535) {
		snprintf(err, errlen, "port must be 1-65535, not \"%s\"", s);
		return -ERANGE;
	}
	*ret = (uint16_t)v;
	return 0;
}

/*
 * s into host text (brackets taken off), family and port text, checking
 * only the shape. Returns 0 or -EINVAL.
 */
static int
listen_split(const char *s, char *host, size_t hostlen, int *family,
    const char **port, char *err, size_t errlen)
{
	const char *h = s, *end, *colon;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			snprintf(err, errlen, "\"%s\": '[' without ']'", s);
			return -EINVAL;
		}
		if (end[1] != ':' && end[1] != '\0') {
			snprintf(err, errlen, "\"%s\": expected ':' and a port "
			    "after ']'", s);
			return -EINVAL;
		}
		*family = AF_INET6;
		h = s + 1;
		colon = end + 1;
	} else {
		if (strchr(s, ']') != NULL) {
			snprintf(err, errlen, "\"%s\": ']' without '['", s);
			return -EINVAL;
		}
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			snprintf(err, errlen, "\"%s\": an IPv6 address goes in "
			    "brackets, as in [::1]:9465", s);
			return -EINVAL;
		}
		if (colon == s) {
			snprintf(err, errlen, "missing address in \"%s\" "
			    "(0.0.0.0 or [::] listens on every address)", s);
			return -EINVAL;
		}
		*family = AF_INET;
		end = colon;
	}
	if (colon == NULL || colon[0] == '\0' || colon[1] == '\0') {
		snprintf(err, errlen, "missing port in \"%s\" (expected "
		    "HOST:PORT or [IPv6]:PORT)", s);
		return -EINVAL;
	}
	/* It fits: the whole value is shorter than METRICSOUT_LISTEN_MAX. */
	snprintf(host, hostlen, "%.*s", (int)(end - h), h);
	*port = colon + 1;
	return 0;
}

/* The numeric host of family into *ss, port 0: 0 or -EINVAL. */
static int
host_parse(int family, const char *host, struct sockaddr_storage *ss,
    socklen_t *len, char *err, size_t errlen)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	void *a = family == AF_INET6 ? (void *)&sin6->sin6_addr :
				       (void *)&sin->sin_addr;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(family, host, a) != 1) {
		if (family == AF_INET6)
			snprintf(err, errlen, "\"%s\" is not a numeric IPv6 "
			    "address", host);
		else
			snprintf(err, errlen, "\"%s\" is not a numeric address "
			    "(host names are not looked up; use 127.0.0.1 or "
			    "[::1])", host);
		return -EINVAL;
	}
	ss->ss_family = (sa_family_t)family;
	*len = family == AF_INET6 ? sizeof(*sin6) : sizeof(*sin);
	return 0;
}

/* The port of ss set, and its address as inet_ntop spells it. */
static void
sockaddr_finish(struct sockaddr_storage *ss, uint16_t port, char *text,
    size_t size)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	if (ss->ss_family == AF_INET6) {
		sin6->sin6_port = htons(port);
		inet_ntop(AF_INET6, &sin6->sin6_addr, text, (socklen_t)size);
	} else {
		sin->sin_port = htons(port);
		inet_ntop(AF_INET, &sin->sin_addr, text, (socklen_t)size);
	}
}

/* metricsout_listen_parse, and the socket address for bind(2). */
static int
listen_parse(const char *s, struct sockaddr_storage *ret_ss,
    socklen_t *ret_len, char *ret_host, size_t hostlen, uint16_t *ret_port,
    char *err, size_t errlen)
{
	char host[METRICSOUT_LISTEN_MAX], text[METRICSOUT_HOST_MAX];
	struct sockaddr_storage ss;
	const char *port_text;
	uint16_t port;
	socklen_t len;
	int family, rc;

	if (s == NULL || *s == '\0') {
		snprintf(err, errlen, "empty address (expected HOST:PORT, "
		    "e.g. 127.0.0.1:9465)");
		return -EINVAL;
	}
	if (strlen(s) >= METRICSOUT_LISTEN_MAX) {
		snprintf(err, errlen, "\"%.20s...\" is longer than %d "
		    "characters", s, METRICSOUT_LISTEN_MAX - 1);
		return -EINVAL;
	}
	rc = listen_split(s, host, sizeof(host), &family, &port_text, err,
	    errlen);
	if (rc != 0 ||
	    (rc = host_parse(family, host, &ss, &len, err, errlen)) != 0 ||
	    (rc = port_parse(port_text, &port, err, errlen)) != 0)
		return rc;
	sockaddr_finish(&ss, port, text, sizeof(text));
	if (strlen(text) >= hostlen) {
		snprintf(err, errlen, "no room for the address \"%s\"", text);
		return -ENOSPC;
	}
	*ret_ss = ss;
	*ret_len = len;
	memcpy(ret_host, text, strlen(text) + 1);
	*ret_port = port;
	return 0;
}

int
metricsout_listen_parse(const char *s, char *ret_host, size_t hostlen,
    uint16_t *ret_port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return listen_parse(s, &ss, &len, ret_host, hostlen, ret_port, err,
	    errlen);
}

/* ---- answers ---- */

/*
 * Answer req with code and body (type its Content-Type); a HEAD gets the
 * headers alone. Returns false when memory ran out and the answer
 * became a bare 503 (counted as failed).
 */
static bool
reply(struct metricsout_http *h, struct evhttp_request *req, int code,
    const char *reason, const char *type, const char *body, size_t len)
{
	struct evkeyvalq *hdr = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	bool head = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
	char clen[24];

	snprintf(clen, sizeof(clen), "%zu", len);
	if (evhttp_add_header(hdr, "Content-Type", type) != 0 ||
	    evhttp_add_header(hdr, "Content-Length", clen) != 0 ||
	    (!head && evbuffer_add(out, body, len) != 0)) {
		evhttp_clear_headers(hdr);
		evbuffer_drain(out, evbuffer_get_length(out));
		h->stats.failed++;
		evhttp_send_reply(req, 503, "Service Unavailable", NULL);
		return false;
	}
	evhttp_send_reply(req, code, reason, NULL);
	return true;
}

static void
serve_metrics(struct metricsout_http *h, struct evhttp_request *req)
{
	static const char msg[] = "metrics are not available\n";
	struct metrics_buf b;

	metrics_buf_init(&b);
	b.max = METRICSOUT_TEXT_MAX;
	if (h->render(&b, h->arg) != 0 || b.failed) {
		h->stats.failed++;
		reply(h, req, 503, "Service Unavailable", METRICSOUT_TEXT_TYPE,
		    msg, sizeof(msg) - 1);
	} else if (reply(h, req, 200, "OK", METRICSOUT_CONTENT_TYPE,
		       b.data != NULL ? b.data : "", b.len)) {
		h->stats.served++;
	}
	metrics_buf_clear(&b);
}

/* 405, and the methods that are allowed. */
static void
method_not_allowed(struct metricsout_http *h, struct evhttp_request *req)
{
	static const char msg[] = "405 method not allowed (use GET or HEAD)\n";

	h->stats.bad_method++;
	if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
		"GET, HEAD") != 0) {
		h->stats.failed++;
		evhttp_send_reply(req, 503, "Service Unavailable", NULL);
		return;
	}
	reply(h, req, 405, "Method Not Allowed", METRICSOUT_TEXT_TYPE, msg,
	    sizeof(msg) - 1);
}

/*
 * Every request libevent has read whole and not refused itself: the path
 * decides first (404 whatever the method, as Go's servers answer), then
 * the method.
 */
static void
request_cb(struct evhttp_request *req, void *arg)
{
	static const char not_found[] = "404 page not found\n";
	struct metricsout_http *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	bool metrics;

	h->stats.requests++;
	if (path == NULL)
		path = "";
	metrics = strcmp(path, "/metrics") == 0;
	if (!metrics && strcmp(path, "/") != 0) {
		h->stats.not_found++;
		reply(h, req, 404, "Not Found", METRICSOUT_TEXT_TYPE,
		    not_found, sizeof(not_found) - 1);
	} else if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		method_not_allowed(h, req);
	} else if (metrics) {
		serve_metrics(h, req);
	} else {
		reply(h, req, 200, "OK", "text/html; charset=utf-8",
		    METRICSOUT_INDEX, sizeof(METRICSOUT_INDEX) - 1);
	}
}

/* ---- accepting in windows ---- */

/* Time the open window's end; false when that failed. */
static bool
window_arm(struct metricsout_http *h)
{
	struct timeval tv = { METRICSOUT_ACCEPT_WINDOW_MS / 1000,
		(METRICSOUT_ACCEPT_WINDOW_MS % 1000) * 1000 };

	return event_add(h->window, &tv) == 0;
}

static void
window_open(struct metricsout_http *h)
{
	if (!window_arm(h))
		log_warn("metrics_listen %s: cannot time the accept window; "
		    "accepting without it", h->addr);
	h->window_accepts = 0;
	evconnlistener_enable(h->lev);
}

/* A connection waits while no window is open: open one. */
static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	window_open(arg);
}

/* The window is over: wait for the next connection. */
static void
window_cb(evutil_socket_t fd, short what, void *arg)
{
	struct metricsout_http *h = arg;

	(void)fd;
	(void)what;
	evconnlistener_disable(h->lev);
	if (event_add(h->wake, NULL) != 0)
		window_open(h); /* try again a window later */
}

/*
 * evhttp calls this for every connection it accepts, before it makes
 * the connection's bufferevent (NULL: its own). Past the window's share
 * the listener stops; libevent checks that after each connection.
 */
static struct bufferevent *
accepted_cb(struct event_base *base, void *arg)
{
	struct metricsout_http *h = arg;

	(void)base;
	h->stats.accepted++;
	/* Only a window whose end is timed may close early. */
	if (++h->window_accepts >= METRICSOUT_ACCEPT_MAX &&
	    (event_pending(h->window, EV_TIMEOUT, NULL) || window_arm(h)))
		evconnlistener_disable(h->lev);
	return NULL;
}

/*
 * accept(2) failed for want of descriptors or memory. arg is evhttp's,
 * not ours: stop the listener; the window's end lets the next connection
 * try again, so the loop never spins on a connection it cannot take.
 */
static void
accept_error_cb(struct evconnlistener *lev, void *arg)
{
	int e = errno;

	(void)arg;
	evconnlistener_disable(lev);
	log_warn("metrics_listen: accept: %s; trying again within %d ms",
	    strerror(e), METRICSOUT_ACCEPT_WINDOW_MS);
}

/* ---- the server ---- */

/* A listening TCP socket at ss (addr names it in errors). */
static int
listen_socket(const struct sockaddr_storage *ss, socklen_t len,
    const char *addr, int *ret_fd, char *err, size_t errlen)
{
	int fd, one = 1, rc;
	const char *step;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot listen on %s: socket: %s", addr,
		    strerror(-rc));
		return rc;
	}
	step = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		goto fail;
	if (bind(fd, (const struct sockaddr *)ss, len) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot bind %s: %s%s", addr,
		    strerror(-rc), rc == -EADDRINUSE ?
			" (another program listens there)" : "");
		close(fd);
		return rc;
	}
	step = "listen";
	if (listen(fd, METRICSOUT_BACKLOG) != 0)
		goto fail;
	*ret_fd = fd;
	return 0;
fail:
	rc = -errno;
	snprintf(err, errlen, "cannot listen on %s: %s: %s", addr, step,
	    strerror(-rc));
	close(fd);
	return rc;
}

/* evhttp with its bounds and callbacks, accepting through fd. */
static int
http_setup(struct metricsout_http *h, int fd)
{
	struct evhttp_bound_socket *bound;

	if ((h->http = evhttp_new(h->base)) == NULL)
		goto fail;
	evhttp_set_max_headers_size(h->http, METRICSOUT_HEADERS_MAX);
	evhttp_set_max_body_size(h->http, METRICSOUT_BODY_MAX);
	evhttp_set_timeout(h->http, METRICSOUT_TIMEOUT_S);
	/* Every method reaches request_cb, which answers 405 itself. */
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(h->http, request_cb, h);
	evhttp_set_bevcb(h->http, accepted_cb, h);
	h->lev = evconnlistener_new(h->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_DISABLED, 0,
	    fd);
	if (h->lev == NULL)
		goto fail;
	if ((bound = evhttp_bind_listener(h->http, h->lev)) == NULL) {
		evconnlistener_free(h->lev); /* closes fd */
		h->lev = NULL;
		return -ENOMEM;
	}
	evconnlistener_set_error_cb(h->lev, accept_error_cb);
	h->wake = event_new(h->base, fd, EV_READ, wake_cb, h);
	h->window = event_new(h->base, -1, 0, window_cb, h);
	if (h->wake == NULL || h->window == NULL ||
	    event_add(h->wake, NULL) != 0)
		return -ENOMEM; /* evhttp owns fd now */
	return 0;
fail:
	close(fd);
	return -ENOMEM;
}

int
metricsout_http_new(struct event_base *base, const char *listen,
    metricsout_render_cb *render, void *arg, struct metricsout_http **ret,
    char *err, size_t errlen)
{
	char host[METRICSOUT_HOST_MAX];
	struct metricsout_http *h;
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t port;
	int fd = -1, rc;

	rc = listen_parse(listen, &ss, &len, host, sizeof(host), &port, err,
	    errlen);
	if (rc != 0)
		return rc;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->base = base;
	h->render = render;
	h->arg = arg;
	snprintf(h->addr, sizeof(h->addr), ss.ss_family == AF_INET6 ?
	    "[%s]:%u" : "%s:%u", host, (unsigned)port);
	rc = listen_socket(&ss, len, h->addr, &fd, err, errlen);
	if (rc != 0)
		goto fail;
	if ((rc = http_setup(h, fd)) != 0) {
		snprintf(err, errlen, "cannot serve %s: out of memory",
		    h->addr);
		goto fail;
	}
	*ret = h;
	return 0;
fail:
	metricsout_http_free(h);
	return rc;
}

void
metricsout_http_free(struct metricsout_http *h)
{
	if (h == NULL)
		return;
	/* Our events first: wake watches the socket evhttp closes. */
	if (h->wake != NULL)
		event_free(h->wake);
	if (h->window != NULL)
		event_free(h->window);
	if (h->http != NULL)
		evhttp_free(h->http);
	free(h);
}

void
metricsout_http_stats(const struct metricsout_http *h,
    struct metricsout_http_stats *ret)
{
	*ret = h->stats;
}

/* ---- the textfile ---- */

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory path is in. */
static int
dir_sync(const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc = 0;

	if (slash == NULL)
		dir = strdup(".");
	else
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (dir == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the directory of %s: %s",
		    path, strerror(-rc));
	} else {
		if (fsync(fd) != 0 && errno != EINVAL) {
			rc = -errno;
			snprintf(err, errlen, "cannot fsync the directory of "
			    "%s: %s", path, strerror(-rc));
		}
		close(fd);
	}
	free(dir);
	return rc;
}

/*
 * Fill the temporary file at fd, give it its mode, sync and close it
 * (closed also on failure). Returns 0, or a negative errno with the step
 * that failed in *ret_step.
 */
static int
temp_fill(int fd, const char *text, size_t len, const char **ret_step)
{
	int rc;

	if ((rc = write_all(fd, text, len)) != 0)
		*ret_step = "write";
	else if (fchmod(fd, 0644) != 0)
		*ret_step = "set the mode of";
	else if (fsync(fd) != 0)
		*ret_step = "fsync";
	else
		*ret_step = NULL;
	if (*ret_step != NULL && rc == 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -errno;
		*ret_step = "close";
	}
	return rc;
}

int
metricsout_textfile_write(const char *path, const char *text, size_t len,
    char *err, size_t errlen)
{
	static const char suffix[] = ".tmp.XXXXXX";
	size_t plen = path != NULL ? strlen(path) : 0;
	const char *step;
	char *tmp;
	int fd, rc;

	if (plen == 0) {
		snprintf(err, errlen, "empty path");
		return -EINVAL;
	}
	if ((tmp = malloc(plen + sizeof(suffix))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, suffix, sizeof(suffix));
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a temporary file for %s: "
		    "%s", path, strerror(-rc));
		free(tmp);
		return rc;
	}
	if ((rc = temp_fill(fd, text, len, &step)) != 0) {
		snprintf(err, errlen, "cannot %s the temporary file for %s: "
		    "%s", step, path, strerror(-rc));
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot rename the temporary file to "
		    "%s: %s", path, strerror(-rc));
		goto fail;
	}
	free(tmp);
	return dir_sync(path, err, errlen);
fail:
	unlink(tmp);
	free(tmp);
	return rc;
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for metricsout.c: metrics_listen values and their messages;
 * a real evhttp server on 127.0.0.1 in the test's own loop, asked by
 * plain socket clients on that loop (answers, bounds, binding, accept
 * windows, running out of descriptors); the textfile replaced atomically
 * or, on failure, left as it was.
 */
#define _GNU_SOURCE
#include <check.h>

#include "unit.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/event.h>

#include "metrics.h"
#include "metricsout.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* Longest wait for anything the loop should do; an accept window more. */
#define WAIT_MS (3 * METRICSOUT_ACCEPT_WINDOW_MS)
#define RESP_MAX (64u << 10)
#define NCLIENTS (METRICSOUT_ACCEPT_MAX + 1)

#define CRLF "\r\n"
#define CT_METRICS "Content-Type: text/plain; version=0.0.4; charset=utf-8"
#define CT_TEXT "Content-Type: text/plain; charset=utf-8"
#define CT_HTML "Content-Type: text/html; charset=utf-8"
#define BODY(n)                                                                \
	"# HELP rblmon_test_renders Times the text was rendered.\n"           \
	"# TYPE rblmon_test_renders counter\n"                                \
	"rblmon_test_renders " #n "\n"
#define BODY_LEN "113"
#define INDEX                                                                  \
	"<html><head><title>rblmond</title></head><body>\n"                   \
	"<h1>rblmond</h1>\n"                                                  \
	"<p><a href=\"/metrics\">Metrics</a></p>\n"                           \
	"</body></html>\n"
#define NOT_FOUND "404 page not found\n"
#define BAD_METHOD "405 method not allowed (use GET or HEAD)\n"
#define UNAVAILABLE "metrics are not available\n"

enum render_mode { RENDER_OK, RENDER_FAIL, RENDER_NOMEM, RENDER_EMPTY };

struct client {
	int fd;
	struct event *ev;
	char buf[RESP_MAX];
	size_t len;
	bool done;  /* the server closed (or reset) the connection */
	bool reset; /* ECONNRESET */
};

struct fixture {
	struct event_base *base;
	struct metricsout_http *h;
	uint16_t port;
	enum render_mode mode;
	unsigned renders;
	unsigned done, want; /* clients finished, and how many to wait for */
	bool timed_out;
	struct event *guard;
};

static struct fixture fx;

static void
guard_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fx.timed_out = true;
	event_base_loopbreak(fx.base);
}

static void
fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
	fx.base = event_base_new();
	ck_assert_ptr_nonnull(fx.base);
	fx.guard = event_new(fx.base, -1, 0, guard_cb, NULL);
	ck_assert_ptr_nonnull(fx.guard);
}

static void
fx_teardown(void)
{
	metricsout_http_free(fx.h);
	fx.h = NULL;
	event_free(fx.guard);
	event_base_free(fx.base);
}

static int
render(struct metrics_buf *b, void *arg)
{
	struct fixture *f = arg;

	ck_assert_ptr_null(b->data);
	ck_assert_uint_eq(b->len, 0);
	ck_assert_uint_eq(b->max, METRICSOUT_TEXT_MAX);
	f->renders++;
	switch (f->mode) {
	case RENDER_FAIL:
		return -1;
	case RENDER_NOMEM:
		b->failed = true;
		return 0;
	case RENDER_EMPTY:
		return 0;
	case RENDER_OK:
		break;
	}
	ck_assert_int_eq(metrics_family(b, "rblmon_test_renders", "counter",
	    "Times the text was rendered."), 0);
	ck_assert_int_eq(metrics_sample(b, "rblmon_test_renders", NULL,
	    (double)f->renders), 0);
	return 0;
}

/* A port on 127.0.0.1 that nothing uses (for a moment). */
static uint16_t
free_port(int family)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = family == AF_INET ? sizeof(*sin) : sizeof(*sin6);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint16_t port;

	ck_assert_int_ge(fd, 0);
	if (family == AF_INET)
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		sin6->sin6_addr = in6addr_loopback;
	if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
		close(fd);
		return 0;
	}
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	port = ntohs(family == AF_INET ? sin->sin_port : sin6->sin6_port);
	close(fd);
	return port;
}

/* The server on 127.0.0.1 at a free port. */
static void
start(void)
{
	char addr[32], err[256];
	int rc = -EADDRINUSE, tries;

	for (tries = 0; tries < 5 && rc == -EADDRINUSE; tries++) {
		fx.port = free_port(AF_INET);
		snprintf(addr, sizeof(addr), "127.0.0.1:%u",
		    (unsigned)fx.port);
		rc = metricsout_http_new(fx.base, addr, render, &fx, &fx.h,
		    err, sizeof(err));
	}
	if (rc != 0)
		ck_abort_msg("metricsout_http_new: %s", err);
}

static void
client_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	ssize_t n;

	(void)what;
	while ((n = recv(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len,
		    MSG_DONTWAIT)) > 0)
		c->len += (size_t)n;
	ck_assert_uint_lt(c->len, sizeof(c->buf) - 1);
	c->buf[c->len] = '\0';
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	c->reset = n < 0 && errno == ECONNRESET;
	c->done = true;
	event_del(c->ev);
	if (++fx.done >= fx.want)
		event_base_loopbreak(fx.base);
}

/* A client connected to the server (family AF_INET: 127.0.0.1). */
static struct client *
cl_open_at(int family, uint16_t port)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct client *c = calloc(1, sizeof(*c));

	ck_assert_ptr_nonnull(c);
	if (family == AF_INET) {
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(port);
	} else {
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = htons(port);
	}
	c->fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(c->fd, 0);
	/* Loopback connects complete in the kernel, before any accept. */
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&ss,
	    family == AF_INET ? sizeof(*sin) : sizeof(*sin6)), 0);
	c->ev = event_new(fx.base, c->fd, EV_READ | EV_PERSIST, client_cb, c);
	ck_assert_ptr_nonnull(c->ev);
	ck_assert_int_eq(event_add(c->ev, NULL), 0);
	return c;
}

static struct client *
cl_open(void)
{
	return cl_open_at(AF_INET, fx.port);
}

static void
cl_send(struct client *c, const char *data, size_t len)
{
	ck_assert_int_eq(send(c->fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void
cl_close(struct client *c)
{
	if (c == NULL)
		return;
	event_free(c->ev);
	close(c->fd);
	free(c);
}

/* Run the loop until n clients in all are done, or for about ms. */
static void
run(unsigned n, unsigned ms)
{
	struct timeval tv = { ms / 1000, (suseconds_t)(ms % 1000) * 1000 };

	fx.want = n;
	fx.timed_out = false;
	if (fx.done >= n && n > 0)
		return;
	ck_assert_int_eq(event_add(fx.guard, &tv), 0);
	event_base_dispatch(fx.base);
	event_del(fx.guard);
}

static void
wait_done(unsigned n)
{
	run(n, WAIT_MS);
	ck_assert_msg(fx.done >= n, "%u of %u clients done in %d ms", fx.done,
	    n, WAIT_MS);
}

/*
 * One answer at *p: status line into status, the other header lines
 * (each with its CRLF, without Date, which says the time) into head, the
 * body into body: Content-Length bytes when counted, else all the rest.
 * Advances *p past it.
 */
static void
answer_split(const char **p, bool counted, char *status, char *head,
    char *body, size_t size)
{
	const char *s = *p, *eol, *end = strstr(s, CRLF CRLF);
	size_t hl = 0, blen;
	const char *cl;

	ck_assert_msg(end != NULL, "no end of headers in \"%s\"", s);
	eol = strstr(s, CRLF);
	snprintf(status, size, "%.*s", (int)(eol - s), s);
	for (s = eol + 2; s < end + 2; s = eol + 2) {
		eol = strstr(s, CRLF);
		if (strncmp(s, "Date: ", 6) == 0)
			continue;
		ck_assert_uint_lt(hl + (size_t)(eol + 2 - s), size);
		memcpy(head + hl, s, (size_t)(eol + 2 - s));
		hl += (size_t)(eol + 2 - s);
	}
	head[hl] = '\0';
	s = end + 4;
	blen = strlen(s);
	if (counted) {
		cl = strstr(head, "Content-Length: ");
		ck_assert_ptr_nonnull(cl);
		blen = strtoul(cl + 16, NULL, 10);
		ck_assert_uint_le(blen, strlen(s));
	}
	ck_assert_uint_lt(blen, size);
	memcpy(body, s, blen);
	body[blen] = '\0';
	*p = s + blen;
}

struct want_answer {
	const char *status; /* exact */
	const char *head;   /* the other lines without Date; NULL: any */
	const char *body;   /* exact; NULL: any */
};

static const struct http_row {
	const char *name;
	const char *req; /* one %s, where pad bytes of 'a' go */
	size_t pad;
	enum render_mode mode;
	struct want_answer a[2]; /* a second one on the same connection */
	struct metricsout_http_stats st;
} http_rows[] = {
	{ "GET /metrics",
	    "GET /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 200 OK",
		CT_METRICS CRLF "Content-Length: " BODY_LEN CRLF
				"Connection: close" CRLF,
		BODY(1) } },
	    { .accepted = 1, .requests = 1, .served = 1 } },
	{ "HEAD /metrics: the GET's length, no body",
	    "HEAD /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 200 OK",
		CT_METRICS CRLF "Content-Length: " BODY_LEN CRLF
				"Connection: close" CRLF,
		"" } },
	    { .accepted = 1, .requests = 1, .served = 1 } },
	{ "query string ignored",
	    "GET /metrics?x=1&name[]=y HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 200 OK",
		CT_METRICS CRLF "Content-Length: " BODY_LEN CRLF
				"Connection: close" CRLF,
		BODY(1) } },
	    { .accepted = 1, .requests = 1, .served = 1 } },
	{ "absolute URI",
	    "GET http://t/metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_OK, { { "HTTP/1.1 200 OK", NULL, BODY(1) } },
	    { .accepted = 1, .requests = 1, .served = 1 } },
	{ "HTTP/1.0 closes after the answer",
	    "GET /metrics HTTP/1.0%s" CRLF CRLF, 0, RENDER_OK,
	    { { "HTTP/1.0 200 OK",
		CT_METRICS CRLF "Content-Length: " BODY_LEN CRLF, BODY(1) } },
	    { .accepted = 1, .requests = 1, .served = 1 } },
	{ "two requests on one connection, each rendered anew",
	    "GET /metrics HTTP/1.1" CRLF "Host: t%s" CRLF CRLF
	    "GET /metrics HTTP/1.1" CRLF "Host: t" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 200 OK",
		  CT_METRICS CRLF "Content-Length: " BODY_LEN CRLF, BODY(1) },
		{ "HTTP/1.1 200 OK",
		    CT_METRICS CRLF "Content-Length: " BODY_LEN CRLF
				    "Connection: close" CRLF,
		    BODY(2) } },
	    { .accepted = 1, .requests = 2, .served = 2 } },
	{ "empty document",
	    "GET /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_EMPTY,
	    { { "HTTP/1.1 200 OK",
		CT_METRICS CRLF "Content-Length: 0" CRLF
				"Connection: close" CRLF,
		"" } },
	    { .accepted = 1, .requests = 1, .served = 1 } },
	{ "GET / links /metrics",
	    "GET / HTTP/1.1" CRLF "Host: t%s" CRLF "Connection: close" CRLF
	    CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 200 OK",
		CT_HTML CRLF "Content-Length: 118" CRLF "Connection: close" CRLF,
		INDEX } },
	    { .accepted = 1, .requests = 1 } },
	{ "HEAD /",
	    "HEAD / HTTP/1.1" CRLF "Host: t%s" CRLF "Connection: close" CRLF
	    CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 200 OK",
		CT_HTML CRLF "Content-Length: 118" CRLF "Connection: close" CRLF,
		"" } },
	    { .accepted = 1, .requests = 1 } },
	{ "other path: 404",
	    "GET /nope HTTP/1.1" CRLF "Host: t%s" CRLF "Connection: close" CRLF
	    CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 404 Not Found",
		CT_TEXT CRLF "Content-Length: 19" CRLF "Connection: close" CRLF,
		NOT_FOUND } },
	    { .accepted = 1, .requests = 1, .not_found = 1 } },
	{ "trailing slash: 404",
	    "GET /metrics/ HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_OK, { { "HTTP/1.1 404 Not Found", NULL, NOT_FOUND } },
	    { .accepted = 1, .requests = 1, .not_found = 1 } },
	{ "longer name: 404",
	    "GET /metricsx HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_OK, { { "HTTP/1.1 404 Not Found", NULL, NOT_FOUND } },
	    { .accepted = 1, .requests = 1, .not_found = 1 } },
	{ "POST to another path: 404 before 405",
	    "POST /nope HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Content-Length: 0" CRLF "Connection: close" CRLF CRLF,
	    0, RENDER_OK, { { "HTTP/1.1 404 Not Found", NULL, NOT_FOUND } },
	    { .accepted = 1, .requests = 1, .not_found = 1 } },
	{ "POST /metrics: 405 with Allow",
	    "POST /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Content-Length: 3" CRLF "Connection: close" CRLF CRLF "abc",
	    0, RENDER_OK,
	    { { "HTTP/1.1 405 Method Not Allowed",
		"Allow: GET, HEAD" CRLF CT_TEXT CRLF "Content-Length: 41" CRLF
		"Connection: close" CRLF,
		BAD_METHOD } },
	    { .accepted = 1, .requests = 1, .bad_method = 1 } },
	{ "PUT /metrics: 405",
	    "PUT /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Content-Length: 0" CRLF "Connection: close" CRLF CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 405 Method Not Allowed", NULL, BAD_METHOD } },
	    { .accepted = 1, .requests = 1, .bad_method = 1 } },
	{ "DELETE /: 405",
	    "DELETE / HTTP/1.1" CRLF "Host: t%s" CRLF "Connection: close" CRLF
	    CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 405 Method Not Allowed", NULL, BAD_METHOD } },
	    { .accepted = 1, .requests = 1, .bad_method = 1 } },
	{ "OPTIONS /metrics: 405",
	    "OPTIONS /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 405 Method Not Allowed", NULL, BAD_METHOD } },
	    { .accepted = 1, .requests = 1, .bad_method = 1 } },
	{ "PATCH /metrics: 405",
	    "PATCH /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Content-Length: 0" CRLF "Connection: close" CRLF CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 405 Method Not Allowed", NULL, BAD_METHOD } },
	    { .accepted = 1, .requests = 1, .bad_method = 1 } },
	{ "render fails: 503",
	    "GET /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_FAIL,
	    { { "HTTP/1.1 503 Service Unavailable",
		CT_TEXT CRLF "Content-Length: 26" CRLF "Connection: close" CRLF,
		UNAVAILABLE } },
	    { .accepted = 1, .requests = 1, .failed = 1 } },
	{ "render's buffer failed: 503",
	    "GET /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_NOMEM,
	    { { "HTTP/1.1 503 Service Unavailable", NULL, UNAVAILABLE } },
	    { .accepted = 1, .requests = 1, .failed = 1 } },
	{ "HEAD and render fails: 503, no body",
	    "HEAD /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_FAIL,
	    { { "HTTP/1.1 503 Service Unavailable",
		CT_TEXT CRLF "Content-Length: 26" CRLF "Connection: close" CRLF,
		"" } },
	    { .accepted = 1, .requests = 1, .failed = 1 } },
	{ "headers just under the bound",
	    "GET /metrics HTTP/1.1" CRLF "Host: t" CRLF "X-Pad: %s" CRLF
	    "Connection: close" CRLF CRLF,
	    METRICSOUT_HEADERS_MAX - 64, RENDER_OK,
	    { { "HTTP/1.1 200 OK", NULL, BODY(1) } },
	    { .accepted = 1, .requests = 1, .served = 1 } },
	{ "headers past the bound: 400, not rendered",
	    "GET /metrics HTTP/1.1" CRLF "Host: t" CRLF "X-Pad: %s" CRLF
	    "Connection: close" CRLF CRLF,
	    METRICSOUT_HEADERS_MAX, RENDER_OK,
	    { { "HTTP/1.1 400 Bad Request", NULL, NULL } },
	    { .accepted = 1 } },
	{ "request line past the bound: 400",
	    "GET /metrics?%s HTTP/1.1" CRLF "Host: t" CRLF
	    "Connection: close" CRLF CRLF,
	    METRICSOUT_HEADERS_MAX, RENDER_OK,
	    { { "HTTP/1.1 400 Bad Request", NULL, NULL } },
	    { .accepted = 1 } },
	{ "body past the bound: 413",
	    "POST /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Content-Length: 1025" CRLF "Connection: close" CRLF CRLF,
	    0, RENDER_OK,
	    { { "HTTP/1.1 413 Request Entity Too Large", NULL, NULL } },
	    { .accepted = 1 } },
	{ "unknown method: 501 from libevent",
	    "FROB /metrics HTTP/1.1" CRLF "Host: t%s" CRLF
	    "Connection: close" CRLF CRLF,
	    0, RENDER_OK, { { "HTTP/1.1 501 Not Implemented", NULL, NULL } },
	    { .accepted = 1 } },
};

/* tmpl with its %s replaced by pad bytes of 'a'. */
static char *
with_pad(const char *tmpl, size_t pad)
{
	const char *at = strstr(tmpl, "%s");
	size_t head, tail;
	char *s;

	ck_assert_ptr_nonnull(at);
	head = (size_t)(at - tmpl);
	tail = strlen(at + 2);
	s = malloc(head + pad + tail + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, tmpl, head);
	memset(s + head, 'a', pad);
	memcpy(s + head + pad, at + 2, tail + 1);
	return s;
}

static void
answer_check(const char *name, const struct want_answer *want, const char **p,
    bool counted)
{
	static char status[RESP_MAX], head[RESP_MAX], body[RESP_MAX];

	answer_split(p, counted, status, head, body, RESP_MAX);
	ck_assert_msg(strcmp(status, want->status) == 0, "%s: status \"%s\"",
	    name, status);
	if (want->head != NULL)
		ck_assert_msg(strcmp(head, want->head) == 0,
		    "%s: headers \"%s\"", name, head);
	if (want->body != NULL)
		ck_assert_msg(strcmp(body, want->body) == 0, "%s: body \"%s\"",
		    name, body);
}

START_TEST(test_http)
{
	const struct http_row *r = &http_rows[_i];
	struct metricsout_http_stats st;
	struct client *c;
	const char *p;
	char *req;
	int len;

	req = with_pad(r->req, r->pad);
	len = (int)strlen(req);
	fx.mode = r->mode;
	start();
	c = cl_open();
	cl_send(c, req, (size_t)len);
	wait_done(1);
	p = c->buf;
	answer_check(r->name, &r->a[0], &p, r->a[1].status != NULL);
	if (r->a[1].status != NULL)
		answer_check(r->name, &r->a[1], &p, false);
	if (r->a[0].body != NULL)
		ck_assert_msg(*p == '\0', "%s: more after the answer: \"%s\"",
		    r->name, p);
	metricsout_http_stats(fx.h, &st);
	ck_assert_msg(memcmp(&st, &r->st, sizeof(st)) == 0,
	    "%s: accepted %llu requests %llu served %llu not_found %llu "
	    "bad_method %llu failed %llu", r->name,
	    (unsigned long long)st.accepted, (unsigned long long)st.requests,
	    (unsigned long long)st.served, (unsigned long long)st.not_found,
	    (unsigned long long)st.bad_method, (unsigned long long)st.failed);
	ck_assert_uint_eq(fx.renders, r->st.served + r->st.failed);
	cl_close(c);
	free(req);
}
END_TEST

/* [::1] when the host has it; else the error says why, naming it. */
START_TEST(test_ipv6)
{
	uint16_t port = free_port(AF_INET6);
	char addr[32], err[256], want[128];
	bool have6 = port != 0;
	struct client *c;
	int rc;

	if (!have6)
		port = free_port(AF_INET);
	snprintf(addr, sizeof(addr), "[::1]:%u", (unsigned)port);
	rc = metricsout_http_new(fx.base, addr, render, &fx, &fx.h, err,
	    sizeof(err));
	if (!have6) {
		snprintf(want, sizeof(want), "cannot bind [::1]:%u: ",
		    (unsigned)port);
		ck_assert_int_lt(rc, 0);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s",
		    err);
		return;
	}
	ck_assert_msg(rc == 0, "%s", err);
	c = cl_open_at(AF_INET6, port);
	cl_send(c, "GET /metrics HTTP/1.0\r\n\r\n", 25);
	wait_done(1);
	ck_assert_str_eq(strstr(c->buf, CRLF CRLF) + 4, BODY(1));
	cl_close(c);
}
END_TEST

/* A port something listens on: the error names the address. */
START_TEST(test_in_use)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct metricsout_http *h = NULL;
	socklen_t len = sizeof(sin);
	char addr[32], err[256], want[160];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	ck_assert_int_ge(fd, 0);
	/* Even a holder that allows address reuse keeps a listening port. */
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u",
	    (unsigned)ntohs(sin.sin_port));
	snprintf(want, sizeof(want), "cannot bind %s: Address already in use "
	    "(another program listens there)", addr);
	ck_assert_int_eq(metricsout_http_new(fx.base, addr, render, &fx, &h,
	    err, sizeof(err)), -EADDRINUSE);
	ck_assert_ptr_null(h);
	ck_assert_str_eq(err, want);
	close(fd);
	/* And a running server of ours, the same way. */
	start();
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned)fx.port);
	snprintf(want, sizeof(want), "cannot bind %s: Address already in use "
	    "(another program listens there)", addr);
	ck_assert_int_eq(metricsout_http_new(fx.base, addr, render, &fx, &h,
	    err, sizeof(err)), -EADDRINUSE);
	ck_assert_str_eq(err, want);
}
END_TEST

/*
 * The server closed a connection first, so the port has a socket in
 * TIME_WAIT: a restart binds it anyway (SO_REUSEADDR).
 */
START_TEST(test_restart)
{
	char addr[32], err[256];
	struct client *c;

	start();
	c = cl_open();
	cl_send(c, "GET /metrics HTTP/1.0\r\n\r\n", 25);
	wait_done(1);
	ck_assert(!c->reset);
	cl_close(c);
	metricsout_http_free(fx.h);
	fx.h = NULL;
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned)fx.port);
	if (metricsout_http_new(fx.base, addr, render, &fx, &fx.h, err,
		sizeof(err)) != 0)
		ck_abort_msg("%s", err);
}
END_TEST

/* metricsout_http_new refuses what the parser refuses, saying so. */
static const struct new_row {
	const char *name, *addr;
	int rc;
	const char *err;
} new_rows[] = {
	{ "host name", "localhost:9465", -EINVAL,
	    "\"localhost\" is not a numeric address (host names are not "
	    "looked up; use 127.0.0.1 or [::1])" },
	{ "port 0", "127.0.0.1:0", -ERANGE,
	    "port must be 1-65535, not \"0\"" },
	{ "NULL", NULL, -EINVAL,
	    "empty address (expected HOST:PORT, e.g. 127.0.0.1:9465)" },
};

START_TEST(test_new_invalid)
{
	const struct new_row *r = &new_rows[_i];
	struct metricsout_http *h = NULL;
	char err[256];

	ck_assert_int_eq(metricsout_http_new(fx.base, r->addr, render, &fx,
	    &h, err, sizeof(err)), r->rc);
	ck_assert_ptr_null(h);
	ck_assert_str_eq(err, r->err);
}
END_TEST

/*
 * More clients at once than a window accepts: the window's share is
 * answered, the last waits in the backlog (not accepted, not answered)
 * until the next window.
 */
START_TEST(test_window)
{
	struct metricsout_http_stats st;
	struct client *c[NCLIENTS];
	const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	int i;

	start();
	for (i = 0; i < NCLIENTS; i++) {
		c[i] = cl_open();
		cl_send(c[i], req, sizeof(req) - 1);
	}
	wait_done(METRICSOUT_ACCEPT_MAX);
	/* Give the last one the loop a while longer, within the window. */
	run(NCLIENTS, METRICSOUT_ACCEPT_WINDOW_MS / 10);
	metricsout_http_stats(fx.h, &st);
	ck_assert_uint_eq(st.accepted, METRICSOUT_ACCEPT_MAX);
	ck_assert_uint_eq(st.served, METRICSOUT_ACCEPT_MAX);
	ck_assert_uint_eq(fx.done, METRICSOUT_ACCEPT_MAX);
	wait_done(NCLIENTS);
	metricsout_http_stats(fx.h, &st);
	ck_assert_uint_eq(st.accepted, NCLIENTS);
	ck_assert_uint_eq(st.served, NCLIENTS);
	for (i = 0; i < NCLIENTS; i++) {
		ck_assert_msg(strstr(c[i]->buf, "HTTP/1.0 200 OK") == c[i]->buf,
		    "client %d: \"%s\"", i, c[i]->buf);
		cl_close(c[i]);
	}
}
END_TEST

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Out of descriptors: accepting waits for the next window (the loop does
 * not spin on the waiting connection), then the client is answered.
 */
START_TEST(test_emfile)
{
	struct rlimit rl = { 64, 64 };
	struct metricsout_http_stats st;
	int spare[64], n = 0;
	struct client *c;
	double cpu;

	start();
	c = cl_open();
	cl_send(c, "GET /metrics HTTP/1.0\r\n\r\n", 25);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (n < 64 && (spare[n] = dup(0)) >= 0)
		n++;
	ck_assert_int_eq(errno, EMFILE);
	cpu = cpu_ms();
	run(1, 150);
	cpu = cpu_ms() - cpu;
	metricsout_http_stats(fx.h, &st);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_uint_eq(fx.done, 0);
	ck_assert_msg(cpu < 30, "%.1f ms of CPU in 150 ms", cpu);
	while (n > 0)
		close(spare[--n]);
	wait_done(1);
	ck_assert_msg(strstr(c->buf, "HTTP/1.0 200 OK") == c->buf, "\"%s\"",
	    c->buf);
	cl_close(c);
}
END_TEST

/* Freed with a client half way through a request: the client sees EOF. */
START_TEST(test_free_busy)
{
	struct metricsout_http_stats st;
	struct client *c;

	start();
	c = cl_open();
	cl_send(c, "GET /metrics HTTP/1.1\r\nHost:", 28);
	run(1, 50);
	metricsout_http_stats(fx.h, &st);
	ck_assert_uint_eq(st.accepted, 1);
	ck_assert_uint_eq(fx.done, 0);
	metricsout_http_free(fx.h);
	fx.h = NULL;
	wait_done(1);
	ck_assert_str_eq(c->buf, "");
	cl_close(c);
}
END_TEST

/* ---- metrics_listen ---- */

static const struct listen_row {
	const char *name, *in;
	int rc;
	const char *host; /* on success */
	uint16_t port;
	const char *err; /* on failure */
} listen_rows[] = {
	{ "IPv4 loopback", "127.0.0.1:9465", 0, "127.0.0.1", 9465, NULL },
	{ "IPv4 every address", "0.0.0.0:9465", 0, "0.0.0.0", 9465, NULL },
	{ "lowest port", "10.1.2.3:1", 0, "10.1.2.3", 1, NULL },
	{ "highest port", "127.0.0.1:65535", 0, "127.0.0.1", 65535, NULL },
	{ "leading zeros in the port", "127.0.0.1:09465", 0, "127.0.0.1",
	    9465, NULL },
	{ "IPv6 loopback", "[::1]:9465", 0, "::1", 9465, NULL },
	{ "IPv6 every address", "[::]:9465", 0, "::", 9465, NULL },
	{ "IPv6 written out", "[0:0:0:0:0:0:0:1]:9465", 0, "::1", 9465, NULL },
	{ "IPv6 upper case", "[2001:DB8::1]:80", 0, "2001:db8::1", 80, NULL },
	{ "IPv4-mapped IPv6", "[::ffff:127.0.0.1]:80", 0, "::ffff:127.0.0.1",
	    80, NULL },
	{ "NULL", NULL, -EINVAL, NULL, 0,
	    "empty address (expected HOST:PORT, e.g. 127.0.0.1:9465)" },
	{ "empty", "", -EINVAL, NULL, 0,
	    "empty address (expected HOST:PORT, e.g. 127.0.0.1:9465)" },
	{ "missing port", "127.0.0.1", -EINVAL, NULL, 0,
	    "missing port in \"127.0.0.1\" (expected HOST:PORT or "
	    "[IPv6]:PORT)" },
	{ "empty port", "127.0.0.1:", -EINVAL, NULL, 0,
	    "missing port in \"127.0.0.1:\" (expected HOST:PORT or "
	    "[IPv6]:PORT)" },
	{ "IPv6 missing port", "[::1]", -EINVAL, NULL, 0,
	    "missing port in \"[::1]\" (expected HOST:PORT or [IPv6]:PORT)" },
	{ "IPv6 empty port", "[::1]:", -EINVAL, NULL, 0,
	    "missing port in \"[::1]:\" (expected HOST:PORT or "
	    "[IPv6]:PORT)" },
	{ "port 0", "127.0.0.1:0", -ERANGE, NULL, 0,
	    "port must be 1-65535, not \"0\"" },
	{ "port 65536", "127.0.0.1:65536", -ERANGE, NULL, 0,
	    "port must be 1-65535, not \"65536\"" },
	{ "port past 2^64", "[::1]:184467440737095516160", -ERANGE, NULL, 0,
	    "port must be 1-65535, not \"184467440737095516160\"" },
	{ "negative port", "127.0.0.1:-1", -EINVAL, NULL, 0,
	    "invalid port \"-1\" (expected a number 1-65535)" },
	{ "port with a sign", "127.0.0.1:+80", -EINVAL, NULL, 0,
	    "invalid port \"+80\" (expected a number 1-65535)" },
	{ "port by name", "127.0.0.1:http", -EINVAL, NULL, 0,
	    "invalid port \"http\" (expected a number 1-65535)" },
	{ "space before the port", "127.0.0.1: 80", -EINVAL, NULL, 0,
	    "invalid port \" 80\" (expected a number 1-65535)" },
	{ "two ports", "127.0.0.1:80:81", -EINVAL, NULL, 0,
	    "\"127.0.0.1:80:81\": an IPv6 address goes in brackets, as in "
	    "[::1]:9465" },
	{ "host name", "localhost:9465", -EINVAL, NULL, 0,
	    "\"localhost\" is not a numeric address (host names are not "
	    "looked up; use 127.0.0.1 or [::1])" },
	{ "short IPv4 form", "127.1:9465", -EINVAL, NULL, 0,
	    "\"127.1\" is not a numeric address (host names are not looked "
	    "up; use 127.0.0.1 or [::1])" },
	{ "missing address", ":9465", -EINVAL, NULL, 0,
	    "missing address in \":9465\" (0.0.0.0 or [::] listens on every "
	    "address)" },
	{ "IPv6 without brackets", "::1:9465", -EINVAL, NULL, 0,
	    "\"::1:9465\": an IPv6 address goes in brackets, as in "
	    "[::1]:9465" },
	{ "unclosed bracket", "[::1:9465", -EINVAL, NULL, 0,
	    "\"[::1:9465\": '[' without ']'" },
	{ "closing bracket alone", "::1]:9465", -EINVAL, NULL, 0,
	    "\"::1]:9465\": ']' without '['" },
	{ "no colon after the bracket", "[::1]9465", -EINVAL, NULL, 0,
	    "\"[::1]9465\": expected ':' and a port after ']'" },
	{ "IPv4 in brackets", "[127.0.0.1]:9465", -EINVAL, NULL, 0,
	    "\"127.0.0.1\" is not a numeric IPv6 address" },
	{ "host name in brackets", "[localhost]:9465", -EINVAL, NULL, 0,
	    "\"localhost\" is not a numeric IPv6 address" },
	{ "empty brackets", "[]:9465", -EINVAL, NULL, 0,
	    "\"\" is not a numeric IPv6 address" },
	{ "scope id", "[fe80::1%lo]:9465", -EINVAL, NULL, 0,
	    "\"fe80::1%lo\" is not a numeric IPv6 address" },
	{ "too long",
	    "[0000:0000:0000:0000:0000:0000:0000:0001]:9465"
	    "000000000000000000",
	    -EINVAL, NULL, 0,
	    "\"[0000:0000:0000:0000...\" is longer than 63 characters" },
};

START_TEST(test_listen)
{
	const struct listen_row *r = &listen_rows[_i];
	char host[METRICSOUT_HOST_MAX] = "untouched", err[256] = "";
	uint16_t port = 7;
	int rc;

	rc = metricsout_listen_parse(r->in, host, sizeof(host), &port, err,
	    sizeof(err));
	ck_assert_msg(rc == r->rc, "%s: %d (%s)", r->name, rc, err);
	if (rc == 0) {
		ck_assert_str_eq(host, r->host);
		ck_assert_uint_eq(port, r->port);
		return;
	}
	ck_assert_msg(strcmp(err, r->err) == 0, "%s: \"%s\"", r->name, err);
	ck_assert_str_eq(host, "untouched");
	ck_assert_uint_eq(port, 7);
}
END_TEST

/* A host buffer too small for the address: -ENOSPC, nothing written. */
START_TEST(test_listen_room)
{
	char host[16] = "untouched", err[256];
	uint16_t port = 7;

	ck_assert_int_eq(metricsout_listen_parse("127.0.0.1:80", host,
	    sizeof("127.0.0.1") - 1, &port, err, sizeof(err)), -ENOSPC);
	ck_assert_str_eq(err, "no room for the address \"127.0.0.1\"");
	ck_assert_str_eq(host, "untouched");
	ck_assert_uint_eq(port, 7);
	ck_assert_int_eq(metricsout_listen_parse("127.0.0.1:80", host,
	    sizeof("127.0.0.1"), &port, err, sizeof(err)), 0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_uint_eq(port, 80);
}
END_TEST

/* ---- the textfile ---- */

enum tf_setup {
	TF_NEW,		/* no file yet */
	TF_OLD,		/* an old file (mode 0600) to replace */
	TF_NO_DIR,	/* the directory is missing */
	TF_NOT_DIR,	/* the "directory" is a regular file */
	TF_IS_DIR,	/* path names a directory */
	TF_TOO_BIG,	/* the text is past RLIMIT_FSIZE; an old file */
	TF_RELATIVE,	/* a bare name, in the working directory */
	TF_EMPTY_PATH,
};

static const struct tf_row {
	const char *name;
	enum tf_setup setup;
	size_t len; /* of the text written */
	int rc;
	const char *err; /* PATH: the path */
} tf_rows[] = {
	{ "new file", TF_NEW, 200, 0, NULL },
	{ "replace a file", TF_OLD, 200, 0, NULL },
	{ "replace with 4 MiB", TF_OLD, 4u << 20, 0, NULL },
	{ "empty text", TF_OLD, 0, 0, NULL },
	{ "relative path", TF_RELATIVE, 200, 0, NULL },
	{ "missing directory", TF_NO_DIR, 200, -ENOENT,
	    "cannot create a temporary file for PATH: No such file or "
	    "directory" },
	{ "parent is a regular file", TF_NOT_DIR, 200, -ENOTDIR,
	    "cannot create a temporary file for PATH: Not a directory" },
	{ "path is a directory", TF_IS_DIR, 200, -EISDIR,
	    "cannot rename the temporary file to PATH: Is a directory" },
	{ "past the file size limit", TF_TOO_BIG, 8192, -EFBIG,
	    "cannot write the temporary file for PATH: File too large" },
	{ "empty path", TF_EMPTY_PATH, 200, -EINVAL, "empty path" },
};

#define OLD_TEXT "old_metric 1\n"

/* tmpl with PATH (if any) replaced by path. */
static char *
with_path(const char *tmpl, const char *path)
{
	const char *at = strstr(tmpl, "PATH");
	char *s;

	if (at == NULL)
		s = strdup(tmpl);
	else if (asprintf(&s, "%.*s%s%s", (int)(at - tmpl), tmpl, path,
		     at + 4) < 0)
		s = NULL;
	ck_assert_ptr_nonnull(s);
	return s;
}

/* The names in dir, sorted, each followed by a space. */
static void
dir_names(const char *dir, char *out, size_t size)
{
	struct dirent **names;
	size_t len = 0;
	int i, n = scandir(dir, &names, NULL, alphasort);

	ck_assert_int_ge(n, 0);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0)
			len += (size_t)snprintf(out + len, size - len, "%s ",
			    names[i]->d_name);
		free(names[i]);
	}
	free(names);
	ck_assert_uint_lt(len, size);
}

/* The whole of the file open at fd, from its start. */
static size_t
read_fd(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while ((n = pread(fd, buf + len, size - len, (off_t)len)) > 0)
		len += (size_t)n;
	ck_assert_int_eq(n, 0);
	return len;
}

START_TEST(test_textfile)
{
	const struct tf_row *r = &tf_rows[_i];
	char dir[] = "/tmp/rblmon-tf-XXXXXX", path[128], sub[96], err[256];
	char before[256], after[256], *text, *got, *want_err = NULL;
	struct rlimit rl = { 4096, 4096 };
	struct stat old_st, st;
	int old = -1, rc, fd;
	size_t i, n;
	mode_t mask;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	text = malloc(r->len + 1);
	got = malloc(r->len + sizeof(OLD_TEXT));
	ck_assert(text != NULL && got != NULL);
	for (i = 0; i < r->len; i++)
		text[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/rblmon.prom", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	switch (r->setup) {
	case TF_OLD:
	case TF_TOO_BIG:
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, OLD_TEXT, sizeof(OLD_TEXT) - 1),
		    (ssize_t)sizeof(OLD_TEXT) - 1);
		close(fd);
		old = open(path, O_RDONLY);
		ck_assert_int_ge(old, 0);
		ck_assert_int_eq(fstat(old, &old_st), 0);
		break;
	case TF_NO_DIR:
		snprintf(path, sizeof(path), "%s/missing/rblmon.prom", dir);
		break;
	case TF_NOT_DIR:
		fd = open(sub, O_WRONLY | O_CREAT | O_EXCL, 0600);
		ck_assert_int_ge(fd, 0);
		close(fd);
		snprintf(path, sizeof(path), "%s/sub/rblmon.prom", dir);
		break;
	case TF_IS_DIR:
		ck_assert_int_eq(mkdir(path, 0755), 0);
		snprintf(sub, sizeof(sub), "%s/rblmon.prom/x", dir);
		fd = open(sub, O_WRONLY | O_CREAT | O_EXCL, 0600);
		ck_assert_int_ge(fd, 0);
		close(fd);
		break;
	case TF_RELATIVE:
		ck_assert_int_eq(chdir(dir), 0);
		snprintf(path, sizeof(path), "rblmon.prom");
		break;
	case TF_EMPTY_PATH:
		path[0] = '\0';
		break;
	case TF_NEW:
		break;
	}
	if (r->setup == TF_TOO_BIG) {
		signal(SIGXFSZ, SIG_IGN);
		ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	}
	dir_names(dir, before, sizeof(before));
	mask = umask(077);
	rc = metricsout_textfile_write(path, text, r->len, err, sizeof(err));
	umask(mask);
	dir_names(dir, after, sizeof(after));
	ck_assert_msg(rc == r->rc, "%s: %d (%s)", r->name, rc, err);
	if (rc != 0) {
		free(want_err);
		want_err = with_path(r->err, path);
		ck_assert_str_eq(err, want_err);
		/* Nothing left behind, nothing changed. */
		ck_assert_str_eq(after, before);
		if (old >= 0) {
			n = read_fd(old, got, r->len + sizeof(OLD_TEXT));
			ck_assert_uint_eq(n, sizeof(OLD_TEXT) - 1);
			ck_assert_int_eq(stat(path, &st), 0);
			ck_assert_uint_eq(st.st_ino, old_st.st_ino);
			ck_assert_uint_eq(st.st_size, sizeof(OLD_TEXT) - 1);
		}
	} else {
		/* Only the file, with the text exactly, mode 0644. */
		ck_assert_str_eq(after, "rblmon.prom ");
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0644);
		fd = open(path, O_RDONLY);
		ck_assert_int_ge(fd, 0);
		n = read_fd(fd, got, r->len + sizeof(OLD_TEXT));
		close(fd);
		ck_assert_uint_eq(n, r->len);
		ck_assert(memcmp(got, text, r->len) == 0);
		if (old >= 0) {
			/* A reader of the old file still reads all of it:
			 * replaced by a new file, never written in place. */
			ck_assert_uint_ne(st.st_ino, old_st.st_ino);
			n = read_fd(old, got, r->len + sizeof(OLD_TEXT));
			ck_assert_uint_eq(n, sizeof(OLD_TEXT) - 1);
			ck_assert(memcmp(got, OLD_TEXT, n) == 0);
		}
	}
	if (old >= 0)
		close(old);
	if (r->setup == TF_IS_DIR) {
		unlink(sub);
		rmdir(path);
	} else if (r->setup == TF_NOT_DIR) {
		unlink(sub);
	} else if (path[0] != '\0') {
		unlink(path);
	}
	ck_assert_int_eq(rmdir(dir), 0);
	free(want_err);
	free(text);
	free(got);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("metricsout");
	TCase *lp = tcase_create("listen"), *http = tcase_create("http"),
	      *tf = tcase_create("textfile");

	signal(SIGPIPE, SIG_IGN);
	tcase_add_loop_test(lp, test_listen, 0, NROWS(listen_rows));
	tcase_add_test(lp, test_listen_room);
	suite_add_tcase(s, lp);
	tcase_add_checked_fixture(http, fx_setup, fx_teardown);
	tcase_add_loop_test(http, test_http, 0, NROWS(http_rows));
	tcase_add_test(http, test_ipv6);
	tcase_add_test(http, test_in_use);
	tcase_add_test(http, test_restart);
	tcase_add_loop_test(http, test_new_invalid, 0, NROWS(new_rows));
	tcase_add_test(http, test_window);
	tcase_add_test(http, test_emfile);
	tcase_add_test(http, test_free_busy);
	suite_add_tcase(s, http);
	tcase_add_loop_test(tf, test_textfile, 0, NROWS(tf_rows));
	suite_add_tcase(s, tf);
	return unit_run(s);
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for ctlserver.c on a real libevent loop and a real socket in
 * a temporary directory: answers in request order, error objects, the
 * line cap, who may write, the client cap, idle and slow clients, and
 * safe creation and removal of the socket.
 */
#define _GNU_SOURCE /* setresuid */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "ctlproto.h"
#include "ctlserver.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* Longest wait for anything the loop should do at once. */
#define WAIT_MS 2000
#define STREAM_BYTES (8u << 20)
#define STREAM_PIECE 65536

struct fixture {
	char dir[64];
	char path[96];
	struct event_base *base;
	struct ctlserver *s;
	struct ctlserver_reply *held; /* a `targets` request, unanswered */
	unsigned outstanding, max_outstanding; /* show late* requests */
};

static struct fixture fx;

static void
fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/rblmon-ctl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	snprintf(fx.path, sizeof(fx.path), "%s/ctl.sock", fx.dir);
	fx.base = event_base_new();
	ck_assert_ptr_nonnull(fx.base);
}

static void
fx_teardown(void)
{
	char file[128];

	ctlserver_free(fx.s);
	fx.s = NULL;
	event_base_free(fx.base);
	unlink(fx.path);
	snprintf(file, sizeof(file), "%s/file", fx.dir);
	unlink(file);
	rmdir(fx.dir);
}

struct late {
	struct ctlserver_reply *r;
	char name[64];
};

static void
late_cb(evutil_socket_t fd, short what, void *arg)
{
	struct late *l = arg;
	char line[128];
	int n;

	(void)fd;
	(void)what;
	n = snprintf(line, sizeof(line), "{\"ok\":true,\"show\":\"%s\"}",
	    l->name);
	ctlserver_reply_send(l->r, line, (size_t)n);
	free(l);
	fx.outstanding--;
}

static void
stream(struct ctlserver_reply *r)
{
	static char piece[STREAM_PIECE];
	unsigned i;

	memset(piece, 'a', sizeof(piece));
	ctlserver_reply_append(r, "{\"ok\":true,\"text\":\"", 19);
	for (i = 0; i < STREAM_BYTES / STREAM_PIECE; i++)
		ctlserver_reply_append(r, piece, sizeof(piece));
	ctlserver_reply_append(r, "\"}", 2);
	ctlserver_reply_end(r);
}

/*
 * status: answers at once with the peer's uid; show late*: 20 ms later;
 * show X: at once; metrics: 8 MiB in pieces; targets: held.
 */
static void
handler(struct ctlserver_reply *r, const struct ctlproto_request *req,
    uid_t peer_uid, void *arg)
{
	struct timeval tv = { 0, 20000 };
	char line[2 * CTLPROTO_LINE_MAX];
	struct late *l;
	int n;

	(void)arg;
	switch (req->command->cmd) {
	case CTLPROTO_SHOW:
		if (strncmp(req->args[0], "late", 4) == 0) {
			l = calloc(1, sizeof(*l));
			ck_assert_ptr_nonnull(l);
			l->r = r;
			snprintf(l->name, sizeof(l->name), "%.40s",
			    req->args[0]);
			ck_assert_int_eq(event_base_once(fx.base, -1,
			    EV_TIMEOUT, late_cb, l, &tv), 0);
			if (++fx.outstanding > fx.max_outstanding)
				fx.max_outstanding = fx.outstanding;
			return;
		}
		n = snprintf(line, sizeof(line),
		    "{\"ok\":true,\"show\":\"%s\"}", req->args[0]);
		break;
	case CTLPROTO_METRICS:
		stream(r);
		return;
	case CTLPROTO_TARGETS:
		fx.held = r;
		return;
	default:
		n = snprintf(line, sizeof(line),
		    "{\"ok\":true,\"cmd\":\"%s\",\"uid\":%u}",
		    req->command->name, (unsigned)peer_uid);
		break;
	}
	ctlserver_reply_send(r, line, (size_t)n);
}

static void
start(unsigned max_clients, unsigned idle_ms, uid_t daemon_uid)
{
	struct ctlserver_options o = { .path = fx.path, .mode = 0600,
		.gid = (gid_t)-1, .max_clients = max_clients,
		.idle_ms = idle_ms, .daemon_uid = daemon_uid };
	char err[256];

	if (ctlserver_new(fx.base, &o, handler, NULL, &fx.s, err,
		sizeof(err)) != 0)
		ck_abort_msg("ctlserver_new: %s", err);
}

/* Run the loop for about ms. */
static void
pump(unsigned ms)
{
	struct timeval tv = { 0, (suseconds_t)ms * 1000 };

	event_base_loopexit(fx.base, &tv);
	event_base_dispatch(fx.base);
}

static int
cl_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memcpy(sun.sun_path, fx.path, strlen(fx.path));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void
cl_send(int fd, const char *data, size_t len)
{
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
}

struct got {
	char buf[8192];
	size_t len;
	int lines;
	bool eof;
};

/*
 * Read from fd while the loop runs, until want lines (or, want 0, the
 * end) arrive, or about ms pass.
 */
static void
cl_read(int fd, struct got *g, int want, unsigned ms)
{
	unsigned waited;
	ssize_t n;

	memset(g, 0, sizeof(*g));
	for (waited = 0; waited < ms && !g->eof; waited += 5) {
		pump(5);
		while ((n = recv(fd, g->buf + g->len,
			    sizeof(g->buf) - 1 - g->len, MSG_DONTWAIT)) > 0)
			g->len += (size_t)n;
		if (n == 0 || (n < 0 && errno != EAGAIN))
			g->eof = true;
		g->buf[g->len] = '\0';
		g->lines = 0;
		for (size_t i = 0; i < g->len; i++)
			g->lines += g->buf[i] == '\n';
		if (want > 0 && g->lines >= want)
			break;
	}
}

/* {"ok":false,"error":...} with ctlproto's message for line[0..len). */
static void
parse_error(const char *line, size_t len, char *buf, size_t buflen)
{
	struct ctlproto_request req;
	char err[512];
	json_t *o;
	char *s;

	ck_assert_int_ne(ctlproto_parse(line, len, &req, err, sizeof(err)), 0);
	o = json_pack("{s:b,s:s}", "ok", 0, "error", err);
	s = json_dumps(o, JSON_COMPACT);
	snprintf(buf, buflen, "%s\n", s);
	free(s);
	json_decref(o);
}

START_TEST(test_request)
{
	char want[128];
	struct got g;
	int fd;

	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, "status\n", 7);
	cl_read(fd, &g, 1, WAIT_MS);
	snprintf(want, sizeof(want), "{\"ok\":true,\"cmd\":\"status\","
	    "\"uid\":%u}\n", (unsigned)getuid());
	ck_assert_str_eq(g.buf, want);
	close(fd);
}
END_TEST

START_TEST(test_pipeline)
{
	const char req[] = "show late\nshow b\r\nshow c\n";
	struct ctlserver_stats st;
	struct got g;
	int fd;

	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, req, sizeof(req) - 1);
	cl_read(fd, &g, 3, WAIT_MS);
	ck_assert_str_eq(g.buf, "{\"ok\":true,\"show\":\"late\"}\n"
				"{\"ok\":true,\"show\":\"b\"}\n"
				"{\"ok\":true,\"show\":\"c\"}\n");
	ctlserver_get_stats(fx.s, &st);
	ck_assert_uint_eq(st.requests, 3);
	ck_assert_uint_eq(st.bad_requests, 0);
	close(fd);
}
END_TEST

/*
 * More pipelined requests than may wait for answers: the rest wait in
 * the socket until answers go out, and all are answered in order.
 */
START_TEST(test_pipeline_cap)
{
	char req[4096], want[8192];
	size_t rl = 0, wl = 0;
	struct got g;
	int fd, i, n = CTLSERVER_PIPELINE_MAX + 36;

	for (i = 0; i < n; i++) {
		rl += (size_t)snprintf(req + rl, sizeof(req) - rl,
		    "show late%d\n", i);
		wl += (size_t)snprintf(want + wl, sizeof(want) - wl,
		    "{\"ok\":true,\"show\":\"late%d\"}\n", i);
	}
	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, req, rl);
	cl_read(fd, &g, n, WAIT_MS);
	ck_assert_str_eq(g.buf, want);
	ck_assert_uint_eq(fx.max_outstanding, CTLSERVER_PIPELINE_MAX);
	close(fd);
}
END_TEST

/* Bad requests: an error object each, and the connection stays. */
static const struct bad_row {
	const char *name;
	const char *line; /* without the newline */
	size_t len;
} bad_rows[] = {
	{ "unknown command", "frobnicate", 10 },
	{ "NUL byte", "sta\0tus", 7 },
	{ "invalid UTF-8", "show \xff\xfe", 7 },
	{ "empty line", "", 0 },
	{ "missing argument", "show", 4 },
};

START_TEST(test_bad)
{
	const struct bad_row *r = &bad_rows[_i];
	char line[CTLPROTO_LINE_MAX + 2], want[2048];
	struct ctlserver_stats st;
	struct got g;
	int fd;

	if (r->line != NULL)
		memcpy(line, r->line, r->len);
	else
		memset(line, 'a', r->len);
	parse_error(line, r->len, want, sizeof(want));
	strcat(want, "{\"ok\":true,\"show\":\"x\"}\n");
	line[r->len] = '\n';
	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, line, r->len + 1);
	cl_send(fd, "show x\n", 7);
	cl_read(fd, &g, 2, WAIT_MS);
	ck_assert_msg(strcmp(g.buf, want) == 0, "%s: got %s", r->name, g.buf);
	ck_assert_msg(!g.eof, "%s: closed", r->name);
	ctlserver_get_stats(fx.s, &st);
	ck_assert_uint_eq(st.bad_requests, 1);
	close(fd);
}
END_TEST

/* Too long: the error object, then the end; nothing after it is read. */
static const struct long_row {
	const char *name;
	size_t len;
	bool newline;
} long_rows[] = {
	{ "1100 bytes", 1100, true },
	{ "1100 bytes, no newline yet", 1100, false },
	{ "1025 bytes, not a \\r", CTLPROTO_LINE_MAX + 1, true },
	{ "1025 bytes and a \\r, then more", CTLPROTO_LINE_MAX + 2, true },
};

START_TEST(test_too_long)
{
	const struct long_row *r = &long_rows[_i];
	char line[2048], want[2048];
	struct got g;
	int fd;

	memset(line, 'a', r->len);
	if (r->len == CTLPROTO_LINE_MAX + 2)
		line[r->len - 1] = '\r';
	parse_error(line, r->len, want, sizeof(want));
	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, line, r->len);
	if (r->newline)
		cl_send(fd, "\nstatus\n", 8);
	cl_read(fd, &g, 0, WAIT_MS);
	ck_assert_msg(strcmp(g.buf, want) == 0, "%s: got %s", r->name, g.buf);
	ck_assert_msg(g.eof, "%s: still open", r->name);
	close(fd);
}
END_TEST

/* A 1,024-byte line with its \r is a request like any other. */
START_TEST(test_longest)
{
	char line[CTLPROTO_LINE_MAX + 2], want[2048];
	struct got g;
	int fd;

	memcpy(line, "show ", 5);
	memset(line + 5, 'b', CTLPROTO_LINE_MAX - 5);
	memcpy(line + CTLPROTO_LINE_MAX, "\r\n", 2);
	snprintf(want, sizeof(want), "{\"ok\":true,\"show\":\"%.*s\"}\n",
	    CTLPROTO_LINE_MAX - 5, line + 5);
	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, line, sizeof(line));
	cl_read(fd, &g, 1, WAIT_MS);
	ck_assert_str_eq(g.buf, want);
	close(fd);
}
END_TEST

/*
 * Writes from another uid: the client runs in a child under that uid
 * (65534 when the tests run as root, else our own) and reports by its
 * exit status whether it read exactly what was expected.
 */
static const struct uid_row {
	const char *name;
	bool daemon_is_peer; /* else the daemon runs as peer + 1 */
	bool allowed;
} uid_rows[] = {
	{ "another uid may not sweep", false, false },
	{ "the daemon's own uid may", true, true },
};

static int
child_client(uid_t uid, const char *want)
{
	struct timeval tv = { 5, 0 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[1024];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (getuid() == 0 && setresuid(uid, uid, uid) != 0)
		return 2;
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return 3;
	memcpy(sun.sun_path, fx.path, strlen(fx.path));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		return 4;
	if (write(fd, "sweep\nstatus\n", 13) != 13)
		return 5;
	while (len < strlen(want) &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return strcmp(buf, want) == 0 ? 0 : 1;
}

START_TEST(test_uid)
{
	const struct uid_row *r = &uid_rows[_i];
	uid_t peer = getuid() == 0 ? 65534 : getuid();
	uid_t daemon = r->daemon_is_peer ? peer : peer + 1;
	char want[512], refusal[256];
	int status = -1, waited;
	pid_t pid;

	ck_assert_uint_ne(daemon, 0);
	if (r->allowed) {
		snprintf(want, sizeof(want), "{\"ok\":true,\"cmd\":\"sweep\","
		    "\"uid\":%u}\n", (unsigned)peer);
	} else {
		ctlproto_refusal(ctlproto_lookup("sweep", 5), daemon, refusal,
		    sizeof(refusal));
		snprintf(want, sizeof(want), "{\"ok\":false,\"error\":\"%s\"}\n",
		    refusal);
	}
	snprintf(want + strlen(want), sizeof(want) - strlen(want),
	    "{\"ok\":true,\"cmd\":\"status\",\"uid\":%u}\n", (unsigned)peer);
	start(0, 0, daemon);
	ck_assert_int_eq(chmod(fx.dir, 0755), 0);
	ck_assert_int_eq(chmod(fx.path, 0666), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child_client(peer, want));
	for (waited = 0; waited < 5000; waited += 5) {
		pump(5);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s: the client saw something else (status %d), wanted %s",
	    r->name, status, want);
}
END_TEST

/*
 * A client that shuts down its side after the requests (echo | socat)
 * still gets every answer, then the end; a last line without its
 * newline is a request too.
 */
static const struct half_row {
	const char *name;
	const char *req;
} half_rows[] = {
	{ "newline at the end", "show late\nshow x\n" },
	{ "no newline at the end", "show late\nshow x" },
};

START_TEST(test_half_close)
{
	const struct half_row *r = &half_rows[_i];
	struct got g;
	int fd;

	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, r->req, strlen(r->req));
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	cl_read(fd, &g, 0, WAIT_MS);
	ck_assert_msg(strcmp(g.buf, "{\"ok\":true,\"show\":\"late\"}\n"
				  "{\"ok\":true,\"show\":\"x\"}\n") == 0,
	    "%s: got %s", r->name, g.buf);
	ck_assert_msg(g.eof, "%s: still open", r->name);
	close(fd);
}
END_TEST

/* max_clients + 1: the last is served only after one leaves. */
START_TEST(test_max_clients)
{
	struct ctlserver_stats st;
	struct got g;
	int fd[3], i;

	start(2, 0, 0);
	for (i = 0; i < 3; i++) {
		fd[i] = cl_connect();
		cl_send(fd[i], "show x\n", 7);
		pump(10);
	}
	for (i = 0; i < 2; i++) {
		cl_read(fd[i], &g, 1, WAIT_MS);
		ck_assert_str_eq(g.buf, "{\"ok\":true,\"show\":\"x\"}\n");
	}
	cl_read(fd[2], &g, 1, 50);
	ck_assert_str_eq(g.buf, "");
	ck_assert(!g.eof);
	ctlserver_get_stats(fx.s, &st);
	ck_assert_uint_eq(st.clients, 2);
	ck_assert_uint_eq(st.accepted, 2);
	ck_assert_uint_ge(st.refused_full, 1);
	close(fd[0]);
	cl_read(fd[2], &g, 1, WAIT_MS);
	ck_assert_str_eq(g.buf, "{\"ok\":true,\"show\":\"x\"}\n");
	ctlserver_get_stats(fx.s, &st);
	ck_assert_uint_eq(st.accepted, 3);
	ck_assert_uint_eq(st.clients, 2);
	close(fd[1]);
	close(fd[2]);
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
 * Out of descriptors: accepting pauses (the loop does not spin on the
 * waiting connection) and resumes once descriptors are free again.
 */
START_TEST(test_emfile)
{
	struct rlimit rl = { 64, 64 };
	struct ctlserver_stats st;
	int fd, spare[64], n = 0;
	struct got g;
	double cpu;

	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, "show x\n", 7);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (n < 64 && (spare[n] = dup(0)) >= 0)
		n++;
	ck_assert_int_eq(errno, EMFILE);
	cpu = cpu_ms();
	pump(150);
	cpu = cpu_ms() - cpu;
	ctlserver_get_stats(fx.s, &st);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_msg(cpu < 30, "%.1f ms of CPU in 150 ms", cpu);
	while (n > 0)
		close(spare[--n]);
	cl_read(fd, &g, 1, WAIT_MS);
	ck_assert_str_eq(g.buf, "{\"ok\":true,\"show\":\"x\"}\n");
	close(fd);
}
END_TEST

START_TEST(test_idle)
{
	struct ctlserver_stats st;
	struct got g;
	int fd, busy;

	start(0, 50, 0);
	fd = cl_connect();
	busy = cl_connect();
	/* A request the daemon is still answering is not idling. */
	cl_send(busy, "targets\n", 8);
	cl_read(fd, &g, 0, WAIT_MS);
	ck_assert(g.eof);
	ck_assert_str_eq(g.buf, "");
	ctlserver_get_stats(fx.s, &st);
	ck_assert_uint_eq(st.dropped_idle, 1);
	ck_assert_uint_eq(st.clients, 1);
	ck_assert_ptr_nonnull(fx.held);
	ctlserver_reply_send(fx.held, "{}", 2);
	cl_read(busy, &g, 1, WAIT_MS);
	ck_assert_str_eq(g.buf, "{}\n");
	close(fd);
	close(busy);
}
END_TEST

/*
 * A line begun has a second (here 50 ms) to end, however long the idle
 * timeout: a client trickling bytes is dropped then, while one that has
 * sent nothing, and one that sent a whole line, stay.
 */
START_TEST(test_trickle)
{
	struct ctlserver_options o = { .path = fx.path, .mode = 0600,
		.gid = (gid_t)-1, .idle_ms = 5000, .line_ms = 50 };
	struct ctlserver_stats st;
	struct got g;
	char err[256];
	int trickle, quiet, fd;

	ck_assert_int_eq(ctlserver_new(fx.base, &o, handler, NULL, &fx.s, err,
	    sizeof(err)), 0);
	trickle = cl_connect();
	quiet = cl_connect();
	fd = cl_connect();
	cl_send(trickle, "sta", 3);
	pump(20);
	cl_send(trickle, "t", 1); /* a byte more does not buy time */
	cl_read(trickle, &g, 0, WAIT_MS);
	ck_assert(g.eof);
	ck_assert_str_eq(g.buf, "");
	cl_send(fd, "show x\n", 7);
	cl_read(fd, &g, 1, WAIT_MS);
	ck_assert_str_eq(g.buf, "{\"ok\":true,\"show\":\"x\"}\n");
	pump(100);
	ctlserver_get_stats(fx.s, &st);
	ck_assert_uint_eq(st.dropped_idle, 1);
	ck_assert_uint_eq(st.clients, 2);
	close(trickle);
	close(quiet);
	close(fd);
}
END_TEST

/* A client that never reads an 8 MiB answer is dropped; others go on. */
START_TEST(test_slow)
{
	struct ctlserver_stats st;
	struct got g;
	int slow, fd;

	start(0, 0, 0);
	slow = cl_connect();
	fd = cl_connect();
	cl_send(slow, "metrics\n", 8);
	pump(20);
	cl_send(fd, "show x\n", 7);
	cl_read(fd, &g, 1, WAIT_MS);
	ck_assert_str_eq(g.buf, "{\"ok\":true,\"show\":\"x\"}\n");
	ctlserver_get_stats(fx.s, &st);
	ck_assert_uint_eq(st.dropped_slow, 1);
	ck_assert_uint_eq(st.clients, 1);
	close(slow);
	close(fd);
}
END_TEST

/*
 * An answer made after its client left is dropped, also after free. A
 * client that closed is kept while it waits for an answer (its side may
 * only be shut down for writing), and dropped once the write fails.
 */
static const struct gone_row {
	const char *name;
	bool free_server;
} gone_rows[] = {
	{ "client closed", false },
	{ "server freed", true },
};

START_TEST(test_gone)
{
	const struct gone_row *r = &gone_rows[_i];
	struct ctlserver_stats st;
	struct got g;
	int fd, waited;

	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, "targets\nshow late\n", 18);
	pump(10);
	ck_assert_ptr_nonnull(fx.held);
	if (r->free_server) {
		ctlserver_free(fx.s);
		fx.s = NULL;
		cl_read(fd, &g, 0, 100);
		ck_assert(g.eof);
		ck_assert_str_eq(g.buf, "");
	}
	close(fd);
	pump(40); /* show late is answered too */
	ctlserver_reply_append(fx.held, "{", 1);
	ctlserver_reply_send(fx.held, "}", 1);
	if (fx.s == NULL)
		return;
	for (waited = 0; waited < WAIT_MS; waited += 5) {
		pump(5);
		ctlserver_get_stats(fx.s, &st);
		if (st.clients == 0)
			break;
	}
	ck_assert_uint_eq(st.clients, 0);
}
END_TEST

/* A socket nobody listens on is replaced. */
START_TEST(test_stale)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct got g;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(sun.sun_path, fx.path, strlen(fx.path));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	start(0, 0, 0);
	fd = cl_connect();
	cl_send(fd, "show x\n", 7);
	cl_read(fd, &g, 1, WAIT_MS);
	ck_assert_str_eq(g.buf, "{\"ok\":true,\"show\":\"x\"}\n");
	close(fd);
}
END_TEST

/* A live socket is not stolen; a file that is no socket is not removed. */
START_TEST(test_live)
{
	struct ctlserver_options o = { .path = fx.path, .mode = 0600,
		.gid = (gid_t)-1 };
	struct ctlserver *s2 = NULL;
	char err[256], want[256];
	struct got g;
	int fd;

	start(0, 0, 0);
	ck_assert_int_eq(ctlserver_new(fx.base, &o, handler, NULL, &s2, err,
	    sizeof(err)), -EADDRINUSE);
	ck_assert_ptr_null(s2);
	snprintf(want, sizeof(want), "%s: another rblmond is listening there",
	    fx.path);
	ck_assert_str_eq(err, want);
	fd = cl_connect();
	cl_send(fd, "show x\n", 7);
	cl_read(fd, &g, 1, WAIT_MS);
	ck_assert_str_eq(g.buf, "{\"ok\":true,\"show\":\"x\"}\n");
	close(fd);
}
END_TEST

START_TEST(test_not_socket)
{
	struct ctlserver_options o = { .mode = 0600, .gid = (gid_t)-1 };
	struct ctlserver *s = NULL;
	char file[128], err[256], want[256], buf[8] = "";
	FILE *f;

	snprintf(file, sizeof(file), "%s/file", fx.dir);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fputs("keep", f);
	fclose(f);
	o.path = file;
	ck_assert_int_eq(ctlserver_new(fx.base, &o, handler, NULL, &s, err,
	    sizeof(err)), -EEXIST);
	ck_assert_ptr_null(s);
	snprintf(want, sizeof(want), "%s: exists and is not a socket", file);
	ck_assert_str_eq(err, want);
	f = fopen(file, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "keep");
}
END_TEST

START_TEST(test_free_unlinks)
{
	struct stat st;

	start(0, 0, 0);
	ck_assert_int_eq(lstat(fx.path, &st), 0);
	ctlserver_free(fx.s);
	fx.s = NULL;
	ck_assert_int_eq(lstat(fx.path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* The mode given, whatever the umask; the umask itself left alone. */
static const struct mode_row {
	const char *name;
	mode_t mode, umask;
} mode_rows[] = {
	{ "0600 under 022", 0600, 022 },
	{ "0660 under 077", 0660, 077 },
	{ "0666 under 0", 0666, 0 },
	{ "0640 under 0", 0640, 0 },
};

START_TEST(test_mode)
{
	const struct mode_row *r = &mode_rows[_i];
	struct ctlserver_options o = { .path = fx.path, .mode = r->mode,
		.gid = getgid() };
	struct stat st;
	char err[256];
	mode_t old = umask(r->umask);

	ck_assert_int_eq(ctlserver_new(fx.base, &o, handler, NULL, &fx.s, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(umask(old), r->umask);
	ck_assert_int_eq(lstat(fx.path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_msg((st.st_mode & 07777) == r->mode, "%s: mode %o",
	    r->name, (unsigned)(st.st_mode & 07777));
	ck_assert_uint_eq(st.st_gid, getgid());
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctlserver");
	TCase *proto = tcase_create("protocol"), *lim = tcase_create("limits"),
	      *sock = tcase_create("socket");

	signal(SIGPIPE, SIG_IGN);
	tcase_add_checked_fixture(proto, fx_setup, fx_teardown);
	tcase_add_checked_fixture(lim, fx_setup, fx_teardown);
	tcase_add_checked_fixture(sock, fx_setup, fx_teardown);
	tcase_add_test(proto, test_request);
	tcase_add_test(proto, test_pipeline);
	tcase_add_test(proto, test_pipeline_cap);
	tcase_add_loop_test(proto, test_bad, 0, NROWS(bad_rows));
	tcase_add_loop_test(proto, test_too_long, 0, NROWS(long_rows));
	tcase_add_test(proto, test_longest);
	tcase_add_loop_test(proto, test_half_close, 0, NROWS(half_rows));
	tcase_add_loop_test(proto, test_uid, 0, NROWS(uid_rows));
	tcase_add_loop_test(proto, test_gone, 0, NROWS(gone_rows));
	suite_add_tcase(s, proto);
	tcase_add_test(lim, test_max_clients);
	tcase_add_test(lim, test_emfile);
	tcase_add_test(lim, test_idle);
	tcase_add_test(lim, test_trickle);
	tcase_add_test(lim, test_slow);
	suite_add_tcase(s, lim);
	tcase_add_test(sock, test_stale);
	tcase_add_test(sock, test_live);
	tcase_add_test(sock, test_not_socket);
	tcase_add_test(sock, test_free_unlinks);
	tcase_add_loop_test(sock, test_mode, 0, NROWS(mode_rows));
	suite_add_tcase(s, sock);
	return unit_run(s);
}

/* SPDX-License-Identifier: ISC */
/*
 * The control socket's server: safe creation of the Unix socket, accepting
 * within a cap on clients (pausing, never failing or spinning), and per
 * client a bufferevent that splits request lines and a FIFO of replies
 * written strictly in request order, bounded in idle time and output.
 */
#define _GNU_SOURCE /* struct ucred, accept4 */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <jansson.h>

#include "ctlproto.h"
#include "ctlserver.h"
#include "log.h"

#define CTLSERVER_BACKLOG 64
/* Connections taken per readiness of the listener, so one wake-up of the
 * loop cannot be held by a flood of clients. */
#define CTLSERVER_ACCEPT_BURST 16
/* A line, its \r, and one byte more to tell that it is too long. */
#define CTLSERVER_LINE_BUF (CTLPROTO_LINE_MAX + 2)
/*
 * A client dropped with more unread than this, or with requests still
 * waiting, has the heap trimmed after it: what its answers took goes
 * back to the system.
 */
#define CTLSERVER_TRIM_BYTES (64u << 10)
/* Past this much unread, no more requests are read from a client. */
#define CTLSERVER_UNREAD_PAUSE (64u << 10)

struct ctlserver_client;

struct ctlserver_reply {
	TAILQ_ENTRY(ctlserver_reply) entry;
	struct ctlserver_client *c; /* NULL: the client went away */
	/* What was appended while an earlier reply was still pending. */
	struct evbuffer *held;
	bool done;
};
TAILQ_HEAD(ctlserver_replies, ctlserver_reply);

struct ctlserver_client {
	TAILQ_ENTRY(ctlserver_client) entry;
	struct ctlserver *s;
	struct bufferevent *bev;
	struct event *idle;
	struct ctlserver_replies replies; /* in request order */
	unsigned npending;
	size_t held;   /* bytes in the held buffers of replies */
	uid_t uid;
	unsigned in_cb; /* inside the read callback: free later */
	bool dead;     /* dropped; freed when in_cb is 0 */
	bool closing;  /* no more requests: close once all is written */
	bool eof;      /* the peer shut down its side */
	bool paused;   /* too many unanswered requests: not reading */
	bool partial;  /* a line is begun: its timer is line_ms */
};
TAILQ_HEAD(ctlserver_clients, ctlserver_client);

struct ctlserver {
	struct event_base *base;
	ctlserver_handler *h;
	void *arg;
	int fd;
	struct event *listener;
	struct event *pause; /* accepting again after EMFILE and the like */
	bool listening;	     /* listener event added */
	bool fd_pause;	     /* waiting for pause */
	char *path;
	dev_t dev;
	ino_t ino;
	unsigned max_clients;
	unsigned idle_ms;
	unsigned line_ms;
	size_t max_output;
	uid_t daemon_uid;
	struct ctlserver_clients clients;
	struct ctlserver_stats stats;
	/* Scratch for the one request being parsed: it is large. */
	struct ctlproto_request req;
};

static void client_drop(struct ctlserver_client *c, uint64_t *counter);
static void listener_update(struct ctlserver *s);

static void
timer_add(struct ctlserver_client *c, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
		.tv_usec = (ms % 1000) * 1000 };

	if (event_add(c->idle, &tv) != 0)
		client_drop(c, &c->s->stats.dropped_nomem);
}

static void
idle_add(struct ctlserver_client *c)
{
	c->partial = false;
	timer_add(c, c->s->idle_ms);
}

/* Close c once it has nothing left to write and will read no more. */
static void
client_maybe_close(struct ctlserver_client *c)
{
	if (!c->dead && c->closing && TAILQ_EMPTY(&c->replies) &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		client_drop(c, NULL);
}

static void
client_free(struct ctlserver_client *c)
{
	free(c);
}

/*
 * Drop c now: replies still being made are detached (their owner frees
 * them), finished ones freed. The struct itself waits for the end of the
 * read callback when the drop happens inside it.
 */
static void
client_drop(struct ctlserver_client *c, uint64_t *counter)
{
	struct ctlserver *s = c->s;
	struct ctlserver_reply *r;
	bool big;

	if (c->dead)
		return;
	c->dead = true;
	if (counter != NULL)
		(*counter)++;
	while ((r = TAILQ_FIRST(&c->replies)) != NULL) {
		TAILQ_REMOVE(&c->replies, r, entry);
		if (r->held != NULL)
			evbuffer_free(r->held);
		r->held = NULL;
		r->c = NULL;
		if (r->done)
			free(r);
	}
	big = evbuffer_get_length(bufferevent_get_output(c->bev)) + c->held >
	    CTLSERVER_TRIM_BYTES || c->npending > 1;
	bufferevent_free(c->bev);
	event_free(c->idle);
	/* Megabytes of unread answer go back to the system, not the heap. */
	if (big)
		malloc_trim(0);
	TAILQ_REMOVE(&s->clients, c, entry);
	s->stats.clients--;
	listener_update(s);
	if (c->in_cb == 0)
		client_free(c);
}

/* More queued for c than it may have unread? Then it is dropped. */
static bool
client_over(struct ctlserver_client *c)
{
	size_t out = evbuffer_get_length(bufferevent_get_output(c->bev));

	if (out + c->held <= c->s->max_output)
		return false;
	client_drop(c, &c->s->stats.dropped_slow);
	return true;
}

/* Bytes written or held for c that it has not read. */
static size_t
client_backlog(struct ctlserver_client *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev)) + c->held;
}

/* Read requests again once c has room for answers and reads them. */
static void
client_resume(struct ctlserver_client *c)
{
	if (!c->paused || c->npending >= CTLSERVER_PIPELINE_MAX ||
	    client_backlog(c) > CTLSERVER_UNREAD_PAUSE)
		return;
	/* The lines already read are parsed in the read callback. */
	c->paused = false;
	if (!c->closing && !c->eof)
		bufferevent_enable(c->bev, EV_READ);
	bufferevent_trigger(c->bev, EV_READ,
	    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

/* Write the finished replies at the head of the FIFO, in order. */
static void
client_flush(struct ctlserver_client *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct ctlserver_reply *r;

	while ((r = TAILQ_FIRST(&c->replies)) != NULL) {
		if (r->held != NULL) {
			c->held -= evbuffer_get_length(r->held);
			if (evbuffer_add_buffer(out, r->held) != 0) {
				client_drop(c, &c->s->stats.dropped_nomem);
				return;
			}
			evbuffer_free(r->held);
			r->held = NULL;
		}
		if (!r->done)
			break;
		TAILQ_REMOVE(&c->replies, r, entry);
		c->npending--;
		free(r);
	}
	client_resume(c);
	client_maybe_close(c);
}

void
ctlserver_reply_append(struct ctlserver_reply *r, const char *data,
    size_t len)
{
	struct ctlserver_client *c = r->c;
	int rc;

	if (c == NULL || len == 0)
		return;
	if (r == TAILQ_FIRST(&c->replies)) {
		rc = evbuffer_add(bufferevent_get_output(c->bev), data, len);
	} else {
		if (r->held == NULL && (r->held = evbuffer_new()) == NULL) {
			client_drop(c, &c->s->stats.dropped_nomem);
			return;
		}
		rc = evbuffer_add(r->held, data, len);
		if (rc == 0)
			c->held += len;
	}
	if (rc != 0)
		client_drop(c, &c->s->stats.dropped_nomem);
	else
		client_over(c);
}

size_t
ctlserver_reply_backlog(const struct ctlserver_reply *r)
{
	if (r->c == NULL || r->c->dead)
		return SIZE_MAX;
	return evbuffer_get_length(bufferevent_get_output(r->c->bev)) +
	    r->c->held;
}

bool
ctlserver_reply_first(const struct ctlserver_reply *r)
{
	return r->c != NULL && !r->c->dead && TAILQ_FIRST(&r->c->replies) == r;
}

void
ctlserver_reply_end(struct ctlserver_reply *r)
{
	ctlserver_reply_append(r, "\n", 1);
	if (r->c == NULL) {
		free(r);
		return;
	}
	r->done = true;
	if (r == TAILQ_FIRST(&r->c->replies))
		client_flush(r->c);
}

void
ctlserver_reply_send(struct ctlserver_reply *r, const char *line, size_t len)
{
	ctlserver_reply_append(r, line, len);
	ctlserver_reply_end(r);
}

/* Answer r with {"ok":false,"error":msg}. */
static void
reply_error(struct ctlserver_reply *r, const char *msg)
{
	static const char nomem[] = "{\"ok\":false,\"error\":\"out of memory\"}";
	char buf[4 * CTLPROTO_LINE_MAX];
	json_t *o = json_pack("{s:b,s:s}", "ok", 0, "error", msg);
	size_t n = 0;

	if (o != NULL)
		n = json_dumpb(o, buf, sizeof(buf), JSON_COMPACT);
	json_decref(o);
	if (n == 0 || n > sizeof(buf))
		ctlserver_reply_send(r, nomem, sizeof(nomem) - 1);
	else
		ctlserver_reply_send(r, buf, n);
}

static struct ctlserver_reply *
reply_new(struct ctlserver_client *c)
{
	struct ctlserver_reply *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		client_drop(c, &c->s->stats.dropped_nomem);
		return NULL;
	}
	r->c = c;
	TAILQ_INSERT_TAIL(&c->replies, r, entry);
	c->npending++;
	return r;
}

/* One request line (without its newline): parse, check, hand over. */
static void
client_line(struct ctlserver_client *c, const char *line, size_t len)
{
	struct ctlserver *s = c->s;
	struct ctlproto_request *req = &s->req;
	struct ctlserver_reply *r;
	char err[512];

	s->stats.requests++;
	if ((r = reply_new(c)) == NULL)
		return;
	if (ctlproto_parse(line, len, req, err, sizeof(err)) != 0) {
		s->stats.bad_requests++;
		reply_error(r, err);
	} else if (!ctlproto_allowed(req->command, c->uid, s->daemon_uid)) {
		s->stats.bad_requests++;
		ctlproto_refusal(req->command, s->daemon_uid, err, sizeof(err));
		reply_error(r, err);
	} else {
		s->h(r, req, c->uid, s->arg);
	}
}

/*
 * A line past the cap (line[0..n), n > CTLPROTO_LINE_MAX, its start): say
 * so with the parser's words, read no more, close once written.
 */
static void
client_too_long(struct ctlserver_client *c, const char *line, size_t n)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct ctlserver_reply *r;
	char err[512];

	c->s->stats.requests++;
	c->s->stats.bad_requests++;
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	if (ctlproto_parse(line, n, &c->s->req, err, sizeof(err)) == 0)
		snprintf(err, sizeof(err), "request line too long");
	evbuffer_drain(in, evbuffer_get_length(in));
	if ((r = reply_new(c)) != NULL)
		reply_error(r, err);
}

/* Every complete line in the input, as long as c takes requests. */
static void
client_lines(struct ctlserver_client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	char line[CTLSERVER_LINE_BUF];
	struct evbuffer_ptr eol;
	size_t avail, n, eol_len;

	while (!c->dead && !c->closing) {
		/* A client that does not read its answers gets no more. */
		if (c->npending >= CTLSERVER_PIPELINE_MAX ||
		    client_backlog(c) > CTLSERVER_UNREAD_PAUSE) {
			c->paused = true;
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		avail = evbuffer_get_length(in);
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos >= 0)
			n = (size_t)eol.pos;
		else if (avail >= sizeof(line) || (c->eof && avail > 0))
			n = avail, eol_len = 0;
		else
			break;
		if (n >= sizeof(line)) {
			evbuffer_copyout(in, line, sizeof(line));
			client_too_long(c, line, sizeof(line));
			break;
		}
		if (evbuffer_remove(in, line, n) != (int)n) {
			client_drop(c, &c->s->stats.dropped_nomem);
			break;
		}
		/* Only a \r may stand beyond the cap. */
		if (n > CTLPROTO_LINE_MAX && line[n - 1] != '\r') {
			client_too_long(c, line, n);
			break;
		}
		evbuffer_drain(in, eol_len);
		idle_add(c);
		if (!c->dead)
			client_line(c, line, n);
	}
	if (!c->dead && c->eof && !c->paused) {
		c->closing = true;
		client_maybe_close(c);
	}
	/* Bytes of a line begun: it has line_ms to end, once. */
	if (!c->dead && !c->closing && !c->paused && !c->partial &&
	    evbuffer_get_length(in) > 0) {
		c->partial = true;
		timer_add(c, c->s->line_ms);
	}
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctlserver_client *c = arg;

	(void)bev;
	if (c->paused)
		return;
	c->in_cb++;
	client_lines(c);
	c->in_cb--;
	if (c->dead && c->in_cb == 0)
		client_free(c);
}

static void
client_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctlserver_client *c = arg;

	(void)bev;
	/* It read all that was written: a long answer's reader is alive. */
	if (c->npending > 0 && !c->partial)
		idle_add(c);
	client_resume(c);
	if (!c->dead)
		client_maybe_close(c);
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctlserver_client *c = arg;

	(void)bev;
	if (what & BEV_EVENT_EOF) {
		/* A shut-down write side still gets its answers. */
		c->eof = true;
		client_read_cb(c->bev, c);
	} else if (what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
		client_drop(c, NULL);
	}
}

static void
client_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctlserver_client *c = arg;

	(void)fd;
	(void)what;
	/* Waiting for the daemon's own answer is not idling. */
	if (!c->partial && c->npending > 0 &&
	    !TAILQ_FIRST(&c->replies)->done &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		idle_add(c);
	else
		client_drop(c, &c->s->stats.dropped_idle);
}

/* A client for the accepted fd (closed on failure). */
static void
client_new(struct ctlserver *s, int fd)
{
	struct ctlserver_client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->s = s;
	c->uid = cred.uid;
	TAILQ_INIT(&c->replies);
	c->idle = evtimer_new(s->base, client_idle_cb, c);
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->idle == NULL || c->bev == NULL)
		goto fail;
	/* Read no more than a few lines ahead of what is parsed. */
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    CTLSERVER_PIPELINE_MAX * CTLSERVER_LINE_BUF);
	bufferevent_setcb(c->bev, client_read_cb, client_write_cb,
	    client_event_cb, c);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0)
		goto fail;
	TAILQ_INSERT_TAIL(&s->clients, c, entry);
	s->stats.clients++;
	s->stats.accepted++;
	idle_add(c);
	return;
fail:
	s->stats.dropped_nomem++;
	if (c != NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->idle != NULL)
			event_free(c->idle);
		free(c);
	} else {
		close(fd);
	}
}

/* Listen when there is room and no pause, else not. */
static void
listener_update(struct ctlserver *s)
{
	bool want = !s->fd_pause && s->stats.clients < s->max_clients;

	if (want && !s->listening) {
		s->listening = event_add(s->listener, NULL) == 0;
	} else if (!want && s->listening) {
		event_del(s->listener);
		s->listening = false;
		if (!s->fd_pause)
			s->stats.refused_full++;
	}
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct ctlserver *s = arg;
	struct timeval tv = { 0, CTLSERVER_ACCEPT_PAUSE_MS * 1000 };
	int fd, i;

	(void)what;
	for (i = 0; i < CTLSERVER_ACCEPT_BURST; i++) {
		if (s->stats.clients >= s->max_clients)
			break;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			client_new(s, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		/* Out of descriptors or memory: wait, never spin. */
		log_warn("control socket %s: accept: %s, pausing for %d ms",
		    s->path, strerror(errno), CTLSERVER_ACCEPT_PAUSE_MS);
		s->fd_pause = true;
		if (event_add(s->pause, &tv) != 0)
			s->fd_pause = false;
		break;
	}
	listener_update(s);
}

static void
pause_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctlserver *s = arg;

	(void)fd;
	(void)what;
	s->fd_pause = false;
	listener_update(s);
}

/*
 * Is a socket at path one that something still accepts on? 0: no (stale,
 * or gone), -EADDRINUSE: yes, other: could not tell.
 */
static int
socket_live(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	int rc = 0;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return rc;
	}
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	    errno == EAGAIN || errno == EINPROGRESS) {
		rc = -EADDRINUSE;
		snprintf(err, errlen, "%s: another rblmond is listening there",
		    sun->sun_path);
	} else if (errno != ECONNREFUSED && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", sun->sun_path,
		    strerror(errno));
	}
	close(fd);
	return rc;
}

/* The listening socket at sun: safe creation, then mode and group. */
static int
socket_make(struct ctlserver *s, const struct ctlserver_options *o,
    const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	mode_t old;
	int rc;

	if (lstat(o->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s: exists and is not a socket",
			    o->path);
			return -EEXIST;
		}
		if ((rc = socket_live(sun, err, errlen)) != 0)
			return rc;
		if (unlink(o->path) != 0 && errno != ENOENT)
			goto fail_errno;
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s->fd < 0)
		goto fail_errno;
	/* Never a moment when others may connect who should not. */
	old = umask(0177);
	rc = bind(s->fd, (const struct sockaddr *)sun, sizeof(*sun));
	umask(old);
	if (rc != 0)
		goto fail_errno;
	if (lstat(o->path, &st) != 0)
		goto fail_unlink;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (chmod(o->path, o->mode & 07777) != 0 ||
	    (o->gid != (gid_t)-1 && chown(o->path, (uid_t)-1, o->gid) != 0) ||
	    listen(s->fd, CTLSERVER_BACKLOG) != 0)
		goto fail_unlink;
	return 0;
fail_unlink:
	rc = -errno;
	snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
	unlink(o->path);
	return rc;
fail_errno:
	rc = -errno;
	snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
	return rc;
}

int
ctlserver_new(struct event_base *base, const struct ctlserver_options *o,
    ctlserver_handler *h, void *arg, struct ctlserver **ret, char *err,
    size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctlserver *s;
	int rc;

	if (o->path == NULL || o->path[0] == '\0' || h == NULL) {
		snprintf(err, errlen, "no control socket path");
		return -EINVAL;
	}
	if (strlen(o->path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a socket "
		    "(at most %zu bytes)", o->path, sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, o->path, strlen(o->path));
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(o->path)) == NULL) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->fd = -1;
	s->base = base;
	s->h = h;
	s->arg = arg;
	s->max_clients = o->max_clients ? o->max_clients : CTLSERVER_MAX_CLIENTS;
	s->idle_ms = o->idle_ms ? o->idle_ms : CTLSERVER_IDLE_MS;
	s->line_ms = o->line_ms ? o->line_ms : CTLSERVER_LINE_MS;
	s->max_output = o->max_output ? o->max_output : CTLSERVER_MAX_OUTPUT;
	s->daemon_uid = o->daemon_uid ? o->daemon_uid : geteuid();
	TAILQ_INIT(&s->clients);
	if ((rc = socket_make(s, o, &sun, err, errlen)) != 0)
		goto fail;
	s->listener = event_new(base, s->fd, EV_READ | EV_PERSIST, accept_cb,
	    s);
	s->pause = evtimer_new(base, pause_cb, s);
	if (s->listener == NULL || s->pause == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	listener_update(s);
	if (!s->listening) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: cannot watch the socket", o->path);
		goto fail;
	}
	*ret = s;
	return 0;
fail:
	ctlserver_free(s);
	return rc;
}

void
ctlserver_get_stats(const struct ctlserver *s, struct ctlserver_stats *ret)
{
	*ret = s->stats;
}

void
ctlserver_free(struct ctlserver *s)
{
	struct ctlserver_client *c;
	struct stat st;

	if (s == NULL)
		return;
	/* No listener to re-arm while the clients go. */
	s->fd_pause = true;
	while ((c = TAILQ_FIRST(&s->clients)) != NULL)
		client_drop(c, NULL);
	if (s->listener != NULL)
		event_free(s->listener);
	if (s->pause != NULL)
		event_free(s->pause);
	if (s->fd >= 0) {
		if (lstat(s->path, &st) == 0 && st.st_dev == s->dev &&
		    st.st_ino == s->ino)
			unlink(s->path);
		close(s->fd);
	}
	free(s->path);
	free(s);
}

/* SPDX-License-Identifier: ISC */
/*
 * The floor of a c-ares sweep, for bench/sweep-bench.sh: sends every name of
 * a dnsperf query file as an A query with exactly W in flight, with the
 * c-ares options of src/resolver.c, and only counts the outcomes. No
 * classification, no output per answer. Event loop: poll(2) or libevent.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/select.h> /* fd_set, for ares.h */

#include <ares.h>
#include <event2/event.h>

/*
 * Keep in step with the UDP channel of src/resolver.c (every query starts
 * there). Its second channel, ARES_FLAG_USEVC, asks again over TCP only
 * what came back truncated, which no answer here is.
 */
#define LOOP_FLAGS (ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | \
	ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS | ARES_FLAG_IGNTC)
#define LOOP_EDNS_PAYLOAD 1232
#define LOOP_RCVBUF (1 << 20)
#define LOOP_MAX_SOCKS 16

enum loop_kind { LOOP_POLL, LOOP_LIBEVENT };

struct loop_sock {
	ares_socket_t fd;
	short what; /* POLLIN/POLLOUT, or EV_READ/EV_WRITE */
	struct event *ev;
};

struct loop {
	enum loop_kind kind;
	ares_channel channel;
	struct event_base *base;
	struct event *timer;
	struct loop_sock socks[LOOP_MAX_SOCKS];
	size_t nsocks;
	int sock_error;

	char **names;
	size_t nnames;
	size_t window;   /* queries kept in flight */
	size_t next;     /* next name to send */
	size_t inflight;
	size_t done;
	size_t success, nxdomain, nodata, error;
	size_t timeouts; /* tries that timed out, answered or not */
};

static void loop_arm_timer(struct loop *l);

static double
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The names of a file of "NAME TYPE" lines, in one buffer read whole. */
static int
loop_read_names(struct loop *l, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *p, *nl;
	size_t len = 0, cap = 0, n = 0;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto fail;
	if ((buf = malloc((size_t)size + 1)) == NULL ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto fail;
	buf[size] = '\0';
	for (p = buf; *p != '\0'; p++)
		len += *p == '\n';
	cap = len + 1;
	if ((l->names = calloc(cap, sizeof(*l->names))) == NULL)
		goto fail;
	for (p = buf; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		p[strcspn(p, " \t\n")] = '\0';
		if (*p != '\0')
			l->names[n++] = p;
	}
	l->nnames = n;
	fclose(f);
	return 0;
fail:
	fprintf(stderr, "cares_loop: %s: %s\n", path, strerror(errno));
	free(buf);
	if (f != NULL)
		fclose(f);
	return -1;
}

static void loop_send(struct loop *l);

static void
loop_answer_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct loop *l = arg;

	(void)abuf;
	(void)alen;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED)
		return;
	l->inflight--;
	l->done++;
	l->timeouts += (size_t)timeouts;
	if (status == ARES_SUCCESS)
		l->success++;
	else if (status == ARES_ENOTFOUND)
		l->nxdomain++;
	else if (status == ARES_ENODATA)
		l->nodata++;
	else
		l->error++;
	/* As rblmond's sweep does: the next query goes out from here. */
	loop_send(l);
	if (l->done == l->nnames && l->kind == LOOP_LIBEVENT)
		event_base_loopbreak(l->base);
}

/* Fill the window: in flight goes back up to W while names are left. */
static void
loop_send(struct loop *l)
{
	while (l->inflight < l->window && l->next < l->nnames) {
		l->inflight++;
		ares_query(l->channel, l->names[l->next++], 1, 1,
		    loop_answer_cb, l);
	}
	if (l->kind == LOOP_LIBEVENT && !evtimer_pending(l->timer, NULL))
		loop_arm_timer(l);
}

/* libevent: one event per socket and one timer, as src/resolver.c does. */
static void
loop_process(struct loop *l, ares_socket_t rfd, ares_socket_t wfd)
{
	ares_process_fd(l->channel, rfd, wfd);
	loop_arm_timer(l);
}

static void
loop_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	loop_process(arg, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
}

static void
loop_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	loop_process(arg, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

static void
loop_arm_timer(struct loop *l)
{
	struct timeval tv, *tvp;

	if (l->kind != LOOP_LIBEVENT)
		return;
	tvp = ares_timeout(l->channel, NULL, &tv);
	if (tvp != NULL)
		evtimer_add(l->timer, tvp);
	else
		evtimer_del(l->timer);
}

/* c-ares says which events it wants on fd; (0, 0) means it closed it. */
static void
loop_sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct loop *l = data;
	struct loop_sock *s = NULL;
	short what;

	for (size_t i = 0; i < l->nsocks && s == NULL; i++)
		if (l->socks[i].fd == fd)
			s = &l->socks[i];
	if (s != NULL) {
		if (s->ev != NULL)
			event_free(s->ev);
		*s = l->socks[--l->nsocks];
	}
	if (!readable && !writable)
		return;
	if (l->nsocks == LOOP_MAX_SOCKS) {
		l->sock_error = 1;
		return;
	}
	s = &l->socks[l->nsocks];
	s->fd = fd;
	s->ev = NULL;
	if (l->kind == LOOP_POLL) {
		s->what = (short)((readable ? POLLIN : 0) |
		    (writable ? POLLOUT : 0));
	} else {
		what = (short)((readable ? EV_READ : 0) |
		    (writable ? EV_WRITE : 0));
		s->ev = event_new(l->base, fd, what | EV_PERSIST, loop_sock_cb,
		    l);
		if (s->ev == NULL || event_add(s->ev, NULL) != 0) {
			l->sock_error = 1;
			return;
		}
	}
	l->nsocks++;
}

/* poll: the sockets c-ares asked for, its next timeout, nothing else. */
static int
loop_run_poll(struct loop *l)
{
	struct pollfd pfd[LOOP_MAX_SOCKS];
	struct timeval tv, *tvp;

	while (l->done < l->nnames && l->sock_error == 0) {
		size_t n = l->nsocks;
		int ms = -1, rc;

		for (size_t i = 0; i < n; i++) {
			pfd[i].fd = l->socks[i].fd;
			pfd[i].events = l->socks[i].what;
			pfd[i].revents = 0;
		}
		tvp = ares_timeout(l->channel, NULL, &tv);
		if (tvp != NULL)
			ms = (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
		rc = poll(pfd, (nfds_t)n, ms);
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc <= 0) {
			ares_process_fd(l->channel, ARES_SOCKET_BAD,
			    ARES_SOCKET_BAD);
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			short re = pfd[i].revents;

			if (re == 0)
				continue;
			ares_process_fd(l->channel,
			    (re & (POLLIN | POLLERR | POLLHUP)) ? pfd[i].fd :
			    ARES_SOCKET_BAD,
			    (re & POLLOUT) ? pfd[i].fd : ARES_SOCKET_BAD);
		}
	}
	return l->sock_error ? -1 : 0;
}

static int
loop_init(struct loop *l, const char *server, int timeout_ms, int tries)
{
	struct ares_options opts;
	int status, optmask;

	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return -1;
	if (l->kind == LOOP_LIBEVENT) {
		l->base = event_base_new();
		if (l->base == NULL ||
		    (l->timer = evtimer_new(l->base, loop_timer_cb, l)) == NULL)
			return -1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.flags = LOOP_FLAGS;
	opts.timeout = timeout_ms;
	opts.tries = tries;
	opts.ednspsz = LOOP_EDNS_PAYLOAD;
	opts.sock_state_cb = loop_sock_state_cb;
	opts.sock_state_cb_data = l;
	opts.socket_receive_buffer_size = LOOP_RCVBUF;
	optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF;
	status = ares_init_options(&l->channel, &opts, optmask);
	if (status == ARES_SUCCESS)
		status = ares_set_servers_ports_csv(l->channel, server);
	if (status != ARES_SUCCESS) {
		fprintf(stderr, "cares_loop: %s\n", ares_strerror(status));
		return -1;
	}
	return 0;
}

/* CPU seconds, user and system, this process has used so far. */
static double
loop_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* secs and cpu: wall and CPU time from the first query to the last answer. */
static void
loop_report(const struct loop *l, double secs, double cpu)
{
	printf("loop=%s window=%zu queries=%zu answered=%zu seconds=%.3f "
	    "qps=%.0f success=%zu nxdomain=%zu nodata=%zu error=%zu "
	    "unanswered=%zu timeouts=%zu cpu_s=%.3f\n",
	    l->kind == LOOP_POLL ? "poll" : "libevent", l->window,
	    l->nnames, l->done, secs, secs > 0 ? (double)l->done / secs : 0.0,
	    l->success, l->nxdomain, l->nodata, l->error,
	    l->nnames - l->done, l->timeouts, cpu);
}

static int
loop_usage(void)
{
	fprintf(stderr, "usage: cares_loop [-l poll|libevent] -s IP:PORT "
	    "[-w WINDOW] [-t TIMEOUT_MS] [-r TRIES] QUERYFILE\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct loop l;
	const char *server = NULL;
	int timeout_ms = 2000, tries = 3, c, rc;
	double t0, t1, cpu0;

	memset(&l, 0, sizeof(l));
	l.window = 64;
	while ((c = getopt(argc, argv, "l:s:w:t:r:")) != -1) {
		switch (c) {
		case 'l':
			if (strcmp(optarg, "poll") == 0)
				l.kind = LOOP_POLL;
			else if (strcmp(optarg, "libevent") == 0)
				l.kind = LOOP_LIBEVENT;
			else
				return loop_usage();
			break;
		case 's': server = optarg; break;
		case 'w': l.window = strtoul(optarg, NULL, 10); break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'r': tries = atoi(optarg); break;
		default: return loop_usage();
		}
	}
	if (server == NULL || optind != argc - 1 || l.window == 0 ||
	    timeout_ms <= 0 || tries <= 0)
		return loop_usage();
	if (loop_read_names(&l, argv[optind]) != 0 ||
	    loop_init(&l, server, timeout_ms, tries) != 0)
		return 2;
	t0 = loop_now();
	cpu0 = loop_cpu();
	loop_send(&l);
	if (l.kind == LOOP_POLL)
		rc = loop_run_poll(&l);
	else
		rc = event_base_dispatch(l.base);
	t1 = loop_now();
	loop_report(&l, t1 - t0, loop_cpu() - cpu0);
	if (rc != 0 || l.sock_error) {
		fprintf(stderr, "cares_loop: event loop failed\n");
		return 2;
	}
	/* Exit 1 unless every query was answered, no error, no retry. */
	return l.done == l.nnames && l.error == 0 && l.timeouts == 0 ? 0 : 1;
}

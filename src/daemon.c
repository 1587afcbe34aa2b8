/* SPDX-License-Identifier: ISC */
/*
 * The daemon's lifecycle around the monitor: signals on the event loop
 * (SIGHUP reloads, SIGTERM and SIGINT stop), the sd_notify messages
 * (READY, RELOADING, STOPPING, STATUS, WATCHDOG) and where diagnostics
 * go. No double fork: the service manager supervises a foreground
 * process.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "control.h"
#include "daemon.h"
#include "escape.h"
#include "log.h"
#include "metrics.h"
#include "metricsout.h"
#include "monitor.h"
#include "notify.h"
#include "resolver.h"

struct daemon {
	const char *path;
	struct event_base *base;
	struct monitor *monitor;
	struct control *control;
	struct metricsout_http *http;
	char *listen; /* the address http serves */
	struct event *textfile_ev; /* a cycle ended: write metrics_textfile */
	char *textfile;
	bool textfile_failing;
	struct event *sig[3]; /* SIGHUP, SIGTERM, SIGINT */
	struct event *watchdog;
	bool stopping;
};

/*
 * Diagnostics to syslog when stderr is the journal (JOURNAL_STREAM names
 * its device and inode): there they keep their priority. Otherwise, a
 * terminal or a file, to stderr.
 */
static void
daemon_pick_log(int facility)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) != 0)
		return;
	if ((unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		log_use_syslog(true, facility);
}

/* metrics_textfile, a second after a cycle ended (cycles end in bursts). */
static void
daemon_textfile_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct metrics_buf b;
	char err[512];

	(void)fd;
	(void)what;
	metrics_buf_init(&b);
	b.max = METRICSOUT_TEXT_MAX;
	if (control_metrics(d->control, d->monitor, &b) != 0) {
		snprintf(err, sizeof(err), "out of memory");
	} else if (metricsout_textfile_write(d->textfile, b.data, b.len, err,
	    sizeof(err)) == 0) {
		if (d->textfile_failing)
			log_info("metrics_textfile: %s written again",
			    d->textfile);
		d->textfile_failing = false;
		metrics_buf_clear(&b);
		return;
	}
	metrics_buf_clear(&b);
	if (!d->textfile_failing)
		log_warn("metrics_textfile: %s", err);
	d->textfile_failing = true;
}

static int
daemon_http_render(struct metrics_buf *b, void *arg)
{
	struct daemon *d = arg;

	return control_metrics(d->control, d->monitor, b) == 0 ? 0 : -1;
}

static void
daemon_status(void *arg)
{
	struct daemon *d = arg;
	char msg[600];
	size_t n;

	memcpy(msg, "STATUS=", 7);
	n = monitor_status(d->monitor, msg + 7, sizeof(msg) - 7);
	msg[7 + n] = '\0';
	(void)notify_send(msg);
	if (d->textfile_ev != NULL && !evtimer_pending(d->textfile_ev, NULL)) {
		struct timeval second = { 1, 0 };

		evtimer_add(d->textfile_ev, &second);
	}
}

/* metrics_listen and metrics_textfile of c (a reload may change them). */
static int
daemon_metrics(struct daemon *d, const struct config *c)
{
	char err[512];
	int rc;

	free(d->textfile);
	d->textfile = NULL;
	if (c->metrics_textfile != NULL &&
	    (d->textfile = strdup(c->metrics_textfile)) == NULL)
		return -ENOMEM;
	if (d->textfile != NULL && d->textfile_ev == NULL &&
	    (d->textfile_ev = evtimer_new(d->base, daemon_textfile_cb,
	    d)) == NULL)
		return -ENOMEM;
	if (d->textfile == NULL && d->textfile_ev != NULL) {
		event_free(d->textfile_ev);
		d->textfile_ev = NULL;
	}
	/* The same address keeps its server (and the scrapes under way). */
	if (d->http != NULL && c->metrics_listen != NULL &&
	    d->listen != NULL && strcmp(d->listen, c->metrics_listen) == 0)
		return 0;
	metricsout_http_free(d->http);
	d->http = NULL;
	free(d->listen);
	d->listen = NULL;
	if (c->metrics_listen == NULL)
		return 0;
	if ((rc = metricsout_http_new(d->base, c->metrics_listen,
	    daemon_http_render, d, &d->http, err, sizeof(err))) != 0) {
		log_warn("metrics_listen: %s", err);
		return rc;
	}
	if ((d->listen = strdup(c->metrics_listen)) == NULL)
		return -ENOMEM;
	return 0;
}

/* Read the configuration again and swap it in; 0, or -1 with err set. */
static int
daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct config *c = NULL;
	int rc = -1;

	(void)notify_reloading();
	if (config_load(d->path, &c, err, errlen) != 0) {
		log_warn("reload failed: %s; the running configuration "
		    "stays", err);
	} else {
		for (size_t i = 0; i < c->nwarnings; i++)
			log_warn("%s", c->warnings[i]);
		if (monitor_reload(d->monitor, c, err, errlen) != 0) {
			log_warn("reload failed: %s; the running "
			    "configuration stays", err);
			config_free(c);
		} else {
			log_info("reloaded: %zu targets, %zu zones, %llu pairs",
			    c->ntargets, c->nzones,
			    (unsigned long long)config_pairs(c));
			rc = 0;
			/*
			 * A changed metrics_listen is bound anew (a failure
			 * leaves it off, logged); the textfile follows. The
			 * socket's path, mode and group need a restart.
			 */
			(void)daemon_metrics(d, c);
		}
	}
	(void)notify_send("READY=1");
	daemon_status(d);
	return rc;
}

/* The control socket's reload door. */
static int
daemon_reload_door(void *arg, char *err, size_t errlen)
{
	return daemon_reload(arg, err, errlen);
}

static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (sig == SIGHUP) {
		char err[1024];

		(void)daemon_reload(d, err, sizeof(err));
		return;
	}
	if (d->stopping)
		return;
	d->stopping = true;
	(void)notify_send("STOPPING=1");
	log_info("stopping (%s)", sig == SIGINT ? "SIGINT" : "SIGTERM");
	event_base_loopbreak(d->base);
}

static void
daemon_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	(void)notify_send("WATCHDOG=1");
}

static void
daemon_event_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warn("libevent: %s", msg);
}

static int
daemon_events(struct daemon *d)
{
	static const int sigs[3] = { SIGHUP, SIGTERM, SIGINT };
	uint64_t wd = notify_watchdog_usec();

	for (int i = 0; i < 3; i++) {
		d->sig[i] = evsignal_new(d->base, sigs[i], daemon_signal_cb, d);
		if (d->sig[i] == NULL || event_add(d->sig[i], NULL) != 0)
			return -ENOMEM;
	}
	if (wd > 0) {
		/* Twice per interval, as sd_watchdog_enabled(3) advises. */
		struct timeval tv = {
			.tv_sec = (time_t)(wd / 2 / 1000000u),
			.tv_usec = (suseconds_t)(wd / 2 % 1000000u),
		};

		d->watchdog = event_new(d->base, -1, EV_PERSIST,
		    daemon_watchdog_cb, d);
		if (d->watchdog == NULL || event_add(d->watchdog, &tv) != 0)
			return -ENOMEM;
	}
	return 0;
}

static void
daemon_cleanup(struct daemon *d)
{
	for (int i = 0; i < 3; i++)
		if (d->sig[i] != NULL)
			event_free(d->sig[i]);
	if (d->watchdog != NULL)
		event_free(d->watchdog);
	metricsout_http_free(d->http);
	free(d->listen);
	if (d->textfile_ev != NULL)
		event_free(d->textfile_ev);
	free(d->textfile);
	control_free(d->control);
	monitor_free(d->monitor);
	if (d->base != NULL)
		event_base_free(d->base);
}

/* socket_group as a gid: a name, or a number. */
static int
daemon_group(const char *name, gid_t *ret)
{
	struct group *g;
	char *end;
	unsigned long v;

	*ret = (gid_t)-1;
	if (name == NULL)
		return 0;
	errno = 0;
	if ((g = getgrnam(name)) != NULL) {
		*ret = g->gr_gid;
		return 0;
	}
	v = strtoul(name, &end, 10);
	if (name[0] >= '0' && name[0] <= '9' && *end == '\0' &&
	    v < (unsigned long)(gid_t)-1) {
		*ret = (gid_t)v;
		return 0;
	}
	return -ENOENT;
}

static int
daemon_control(struct daemon *d, const struct config *c)
{
	struct control_options co = {
		.socket = config_socket(c),
		.socket_mode = (mode_t)c->socket_mode,
		.config_path = d->path,
		.reload = daemon_reload_door,
		.reload_arg = d,
	};
	char err[1024];
	int rc;

	if (daemon_group(c->socket_group, &co.socket_gid) != 0) {
		log_warn("socket_group: no group \"%s\"", c->socket_group);
		return -ENOENT;
	}
	if ((rc = control_new(d->base, NULL, &co, &d->control, err,
	    sizeof(err))) != 0) {
		log_warn("%s", err);
		return rc;
	}
	return 0;
}

int
daemon_run(const char *path, struct config *c)
{
	struct monitor_options mo = { .once = false };
	struct daemon d;
	char err[1024];
	int rc = DAEMON_EXIT_START;

	memset(&d, 0, sizeof(d));
	d.path = path;
	daemon_pick_log(c->syslog_facility);
	event_set_log_callback(daemon_event_log_cb);
	mo.cycle_cb = daemon_status;
	mo.cycle_arg = &d;
	if ((d.base = resolver_base_new()) == NULL ||
	    daemon_events(&d) != 0) {
		log_warn("cannot set up the event loop: %s",
		    strerror(errno != 0 ? errno : ENOMEM));
		config_free(c);
		goto out;
	}
	/* The socket first: a second daemon on it stops before the store. */
	if (daemon_control(&d, c) != 0) {
		config_free(c);
		goto out;
	}
	if (monitor_new(d.base, c, &mo, &d.monitor, err, sizeof(err)) != 0) {
		log_warn("%s", err);
		config_free(c);
		goto out;
	}
	log_info("started: %zu targets, %zu zones, %llu pairs", c->ntargets,
	    c->nzones, (unsigned long long)config_pairs(c));
	control_attach(d.control, d.monitor);
	if (daemon_metrics(&d, monitor_config(d.monitor)) != 0)
		goto out;
	monitor_start(d.monitor);
	(void)notify_send("READY=1");
	daemon_status(&d);
	if (event_base_dispatch(d.base) < 0)
		log_warn("the event loop failed");
	monitor_stop(d.monitor);
	rc = DAEMON_EXIT_OK;

out:
	daemon_cleanup(&d);
	return rc;
}

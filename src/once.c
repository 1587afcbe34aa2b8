/* SPDX-License-Identifier: ISC */
/*
 * rblmond --once: one cycle of the monitor the daemon runs (the same
 * engine, limiters, health and, with a state_db, listing states, store
 * and alerts), as fast as the limits allow, its results handed to the
 * report. SIGTERM and SIGINT are taken on the event loop: the sweep
 * stops, whole lines and a summary marked incomplete are printed. A
 * progress line on stderr keeps a person at a terminal informed during
 * sweeps that polite rates make long.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "once.h"
#include "report.h"
#include "monitor.h"
#include "sweep.h"

/* Results are written out this often, and the progress line redrawn
 * every ONCE_PROGRESS_TICKS of these once the sweep has run a while. */
#define ONCE_TICK_MS 250
#define ONCE_PROGRESS_TICKS 2
#define ONCE_PROGRESS_AFTER_S 1.0

struct once {
	struct event_base *base;
	struct monitor *monitor;
	struct report *report;
	struct event *tick;
	struct event *sig[2]; /* SIGTERM, SIGINT */
	double started;
	unsigned ticks;
	bool progress;
	bool progress_shown;
	bool done;
	const char *stopped; /* why the sweep ended early */
	int output_error;
	char servers[512]; /* the resolvers, for the diagnosis */
};

static double
once_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Output failed (a full disk, a reader gone): say so once, then stop. */
static void
once_output_failed(struct once *o, int rc)
{
	if (o->output_error != 0)
		return;
	o->output_error = rc;
	log_warn("cannot write results: %s", strerror(-rc));
	if (o->stopped == NULL)
		o->stopped = "output error";
	event_base_loopbreak(o->base);
}

static void
once_result_cb(const struct sweep_result *r, void *arg)
{
	struct once *o = arg;
	int rc = report_add(o->report, r->target, r->zone, &r->res);

	if (rc != 0)
		once_output_failed(o, rc);
}

static void
once_zone_cb(uint32_t zone, enum zone_health h,
    const struct diagnose_probe probes[2], void *arg)
{
	struct once *o = arg;

	report_zone(o->report, zone, h, probes);
}

static void
once_done_cb(void *arg)
{
	struct once *o = arg;

	o->done = true;
	event_base_loopbreak(o->base);
}

static void
once_draw_progress(struct once *o)
{
	uint64_t done, total;
	double elapsed = once_now() - o->started;

	if (elapsed < ONCE_PROGRESS_AFTER_S)
		return;
	monitor_progress(o->monitor, &done, &total);
	double rate = (double)done / elapsed;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	fprintf(stderr, "\r\033[K%llu/%llu pairs (%.0f%%), %.0f q/s, ETA %.0f s",
	    (unsigned long long)done, (unsigned long long)total,
	    total ? 100.0 * (double)done / (double)total : 100.0, rate, eta);
	o->progress_shown = true;
}

static void
once_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct once *o = arg;
	int rc;

	(void)fd;
	(void)what;
	/* A slow sweep's lines reach the reader as they come. */
	if ((rc = report_flush(o->report)) != 0)
		once_output_failed(o, rc);
	if (o->progress && ++o->ticks % ONCE_PROGRESS_TICKS == 0)
		once_draw_progress(o);
}

/*
 * The first SIGTERM or SIGINT stops the sweep; the handlers go back to
 * the default, so a second one (while the results are written out, to
 * a reader that may be slow) ends the process at once.
 */
static void
once_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct once *o = arg;

	(void)what;
	if (o->stopped == NULL)
		o->stopped = sig == SIGINT ? "stopped by SIGINT" :
		    "stopped by SIGTERM";
	for (int i = 0; i < 2; i++)
		if (o->sig[i] != NULL)
			event_del(o->sig[i]);
	event_base_loopbreak(o->base);
}

static void
once_event_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warn("libevent: %s", msg);
}

/* libevent cannot go on (no fds for its signal pipe, ...). */
static void __attribute__((noreturn))
once_event_fatal_cb(int err)
{
	log_warn("the event loop failed (libevent error %d): the sweep "
	    "cannot run", err);
	_exit(REPORT_EXIT_INCOMPLETE);
}

static int
once_events_start(struct once *o)
{
	static const int sigs[2] = { SIGTERM, SIGINT };
	struct timeval every = { 0, ONCE_TICK_MS * 1000 };

	for (int i = 0; i < 2; i++) {
		o->sig[i] = evsignal_new(o->base, sigs[i], once_signal_cb, o);
		if (o->sig[i] == NULL || event_add(o->sig[i], NULL) != 0)
			return -ENOMEM;
	}
	o->tick = event_new(o->base, -1, EV_PERSIST, once_tick_cb, o);
	if (o->tick == NULL || event_add(o->tick, &every) != 0)
		return -ENOMEM;
	return 0;
}

/* Event loop, signals, report and monitor. */
static int
once_setup(struct once *o, struct config *c, const struct once_options *opts)
{
	struct report_options rpo = {
		.json = opts->json, .all = opts->all, .out = stdout,
		.system_servers = c->nameservers == NULL,
	};
	static struct monitor_observer obs = {
		.result_cb = once_result_cb,
		.zone_cb = once_zone_cb,
		.done_cb = once_done_cb,
	};
	struct monitor_options mo = { .once = true, .observer = &obs };
	char err[512];

	obs.arg = o;
	if ((o->base = resolver_base_new()) == NULL) {
		log_warn("cannot create the event loop");
		return -ENOMEM;
	}
	if (once_events_start(o) != 0) {
		log_warn("cannot watch signals and timers: %s",
		    strerror(errno != 0 ? errno : ENOMEM));
		return -ENOMEM;
	}
	if (report_new(c, &rpo, &o->report) != 0) {
		log_warn("out of memory");
		return -ENOMEM;
	}
	if (monitor_new(o->base, c, &mo, &o->monitor, err, sizeof(err)) != 0) {
		log_warn("%s", err);
		return -EINVAL;
	}
	monitor_servers(o->monitor, o->servers, sizeof(o->servers));
	report_set_servers(o->report, o->servers);
	o->progress = opts->progress;
	return 0;
}

/* Warn once per cause when zones are not ok (a person reads stderr). */
static void
once_warn_findings(const struct once *o)
{
	struct diagnose_finding f[DIAGNOSE_CAUSE_COUNT];
	size_t n = report_findings(o->report, f, DIAGNOSE_CAUSE_COUNT);

	for (size_t i = 0; i < n; i++)
		log_warn("%s: %s", f[i].evidence, f[i].advice);
}

static void
once_cleanup(struct once *o)
{
	if (o->tick != NULL)
		event_free(o->tick);
	for (int i = 0; i < 2; i++)
		if (o->sig[i] != NULL)
			event_free(o->sig[i]);
	/* The report reads the config the monitor owns: it goes first. */
	report_free(o->report);
	monitor_free(o->monitor);
	if (o->base != NULL)
		event_base_free(o->base);
}

int
once_run(struct config *c, const struct once_options *opts)
{
	struct once o;
	uint64_t done, total;
	int rc = REPORT_EXIT_INCOMPLETE;

	memset(&o, 0, sizeof(o));
	event_set_log_callback(once_event_log_cb);
	event_set_fatal_callback(once_event_fatal_cb);
	if (once_setup(&o, c, opts) != 0) {
		if (o.monitor == NULL)
			config_free(c);
		goto out;
	}
	o.started = once_now();
	monitor_start(o.monitor);
	if (!o.done && o.stopped == NULL)
		event_base_dispatch(o.base);
	/* From here on a signal ends the process at once, as by default. */
	for (int i = 0; i < 2; i++)
		if (o.sig[i] != NULL)
			event_del(o.sig[i]);
	/* Whatever ended the loop, a sweep not done is not a result. */
	monitor_progress(o.monitor, &done, &total);
	if (!o.done || done < total) {
		monitor_stop(o.monitor);
		report_stopped(o.report, o.stopped ? o.stopped :
		    "the sweep could not go on");
	} else {
		monitor_finish(o.monitor);
	}
	if (o.progress_shown)
		fputs("\r\033[K", stderr);
	if (!opts->json)
		once_warn_findings(&o);
	if ((rc = report_finish(o.report, once_now() - o.started)) != 0)
		once_output_failed(&o, rc);
	/*
	 * A write error loses lines, not what was found: a listing still
	 * exits 1. Running out of memory means rblmond could not do its
	 * work: 3, whatever it had seen.
	 */
	rc = report_exit_code(o.report);
	if (o.output_error != 0 && (rc != REPORT_EXIT_LISTED ||
	    o.output_error == -ENOMEM))
		rc = REPORT_EXIT_INCOMPLETE;

out:
	once_cleanup(&o);
	return rc;
}

/* SPDX-License-Identifier: ISC */
/*
 * rblmond --once: one sweep of every target on every zone, driven by the
 * same resolver and sweep modules the daemon uses, its results handed to
 * the report. A progress line on stderr keeps a person at a terminal
 * informed during sweeps that polite rates make long.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "once.h"
#include "report.h"
#include "resolver.h"
#include "sweep.h"

/* The progress line appears after this long, and is redrawn this often. */
#define ONCE_PROGRESS_AFTER_S 1.0
#define ONCE_PROGRESS_EVERY_MS 500

struct once {
	struct event_base *base;
	struct sweep *sweep;
	struct report *report;
	struct event *progress;
	double started;
	bool progress_shown;
	int output_error;
};

static double
once_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
once_result_cb(const struct sweep_result *r, void *arg)
{
	struct once *o = arg;
	int rc = report_add(o->report, r);

	if (rc != 0 && o->output_error == 0) {
		o->output_error = rc;
		log_warn("cannot write results: %s", strerror(-rc));
	}
}

static void
once_zone_cb(uint32_t zone, enum zone_health h, void *arg)
{
	struct once *o = arg;

	report_zone(o->report, zone, h);
}

static void
once_done_cb(void *arg)
{
	struct once *o = arg;

	event_base_loopbreak(o->base);
}

static void
once_progress_cb(evutil_socket_t fd, short what, void *arg)
{
	struct once *o = arg;
	uint64_t done, total;
	double elapsed = once_now() - o->started;

	(void)fd;
	(void)what;
	if (elapsed < ONCE_PROGRESS_AFTER_S)
		return;
	sweep_progress(o->sweep, &done, &total);
	double rate = (double)done / elapsed;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	fprintf(stderr, "\r\033[K%llu/%llu pairs (%.0f%%), %.0f q/s, ETA %.0f s",
	    (unsigned long long)done, (unsigned long long)total,
	    total ? 100.0 * (double)done / (double)total : 100.0, rate, eta);
	o->progress_shown = true;
}

static int
once_progress_start(struct once *o)
{
	struct timeval every = { 0, ONCE_PROGRESS_EVERY_MS * 1000 };

	o->progress = event_new(o->base, -1, EV_PERSIST, once_progress_cb, o);
	if (o->progress == NULL || event_add(o->progress, &every) != 0)
		return -ENOMEM;
	return 0;
}

int
once_run(const struct config *c, const struct once_options *opts)
{
	struct resolver_options ro = {
		.nameservers = c->nameservers,
		.timeout_ms = c->timeout_ms,
		.tries = c->tries,
	};
	struct report_options rpo = {
		.json = opts->json, .all = opts->all, .out = stdout,
	};
	struct once o;
	struct resolver *r = NULL;
	struct sweep_callbacks cbs = {
		.result_cb = once_result_cb,
		.zone_cb = once_zone_cb,
		.done_cb = once_done_cb,
		.arg = &o,
	};
	char err[256];
	int rc = REPORT_EXIT_INCOMPLETE;

	memset(&o, 0, sizeof(o));
	o.base = event_base_new();
	if (o.base == NULL) {
		log_warn("cannot create the event loop");
		goto out;
	}
	if (resolver_new(o.base, &ro, &r, err, sizeof(err)) != 0) {
		log_warn("resolver: %s", err);
		rc = REPORT_EXIT_USAGE;
		goto out;
	}
	if (report_new(c, &rpo, &o.report) != 0 ||
	    sweep_new(o.base, r, c, &cbs, &o.sweep) != 0 ||
	    (opts->progress && once_progress_start(&o) != 0)) {
		log_warn("out of memory");
		goto out;
	}
	o.started = once_now();
	sweep_start(o.sweep);
	event_base_dispatch(o.base);
	if (o.progress_shown)
		fputs("\r\033[K", stderr);
	if (report_finish(o.report, once_now() - o.started) != 0 &&
	    o.output_error == 0) {
		log_warn("cannot write results");
		goto out;
	}
	if (o.output_error == 0)
		rc = report_exit_code(o.report);

out:
	if (o.progress != NULL)
		event_free(o.progress);
	sweep_free(o.sweep);
	resolver_free(r);
	report_free(o.report);
	if (o.base != NULL)
		event_base_free(o.base);
	return rc;
}

/* SPDX-License-Identifier: ISC */
/*
 * The results of a one-shot sweep for people (an aligned table) and for
 * scripts (JSON lines ending in a summary object), and the exit code that
 * sums them up. The only --once module that builds JSON. Output is
 * written in whole lines only.
 */
#ifndef RBLMON_REPORT_H
#define RBLMON_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diagnose.h"
#include "health.h"

struct config;
struct report;
struct result;

/* Exit codes of a one-shot sweep (DESIGN §3, docs/behaviour.md). */
#define REPORT_EXIT_CLEAN 0
#define REPORT_EXIT_LISTED 1
#define REPORT_EXIT_USAGE 2
#define REPORT_EXIT_INCOMPLETE 3

struct report_options {
	bool json; /* JSON lines instead of a table */
	bool all;  /* clean pairs too */
	FILE *out;
	/* The resolvers asked, as resolver_servers writes them, or NULL. */
	const char *servers;
	bool system_servers; /* they come from /etc/resolv.conf */
};

/* A report on config c (which must outlive it). 0 or -ENOMEM. */
int report_new(const struct config *c, const struct report_options *o,
    struct report **ret);

/*
 * Count a result, and print it (JSON) or keep it for the table (text).
 * Returns 0, or the first output error as a negative errno (-ENOSPC,
 * -EPIPE, -ENOMEM...); the result is counted all the same.
 */
int report_add(struct report *rep, uint32_t target, uint32_t zone,
    const struct result *r);

/* The resolvers asked (as resolver_servers writes them; must outlive the
 * report), once they are known. */
void report_set_servers(struct report *rep, const char *servers);

/* Record a zone's health and what its test points got. */
void report_zone(struct report *rep, uint32_t zone, enum zone_health h,
    const struct diagnose_probe probes[2]);

/*
 * The sweep ended before every pair was checked; why says how ("stopped
 * by SIGTERM"; static text). The summary is marked incomplete.
 */
void report_stopped(struct report *rep, const char *why);

/* Write the lines kept so far. 0 or the first output error (-errno). */
int report_flush(struct report *rep);

/*
 * Print the table (text) and the summary, and flush. 0 or the first
 * output error (-errno).
 */
int report_finish(struct report *rep, double seconds);

/*
 * The causes behind the zones that are not ok (diagnose_findings), for a
 * warning; none when every zone is ok. Returns how many were written.
 */
size_t report_findings(const struct report *rep, struct diagnose_finding *ret,
    size_t max);

/* Pairs the sweep did not get to. */
uint64_t report_unchecked(const struct report *rep);

/*
 * 1 if anything is listed; else 3 if anything could not be decided (an
 * error, refused or bogus answer, a zone that is not ok, a sweep that
 * did not finish); else 0.
 */
int report_exit_code(const struct report *rep);

/* Free. Accepts NULL. */
void report_free(struct report *rep);

#endif

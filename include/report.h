/* SPDX-License-Identifier: ISC */
/*
 * The results of a one-shot sweep for people (an aligned table) and for
 * scripts (JSON lines ending in a summary object), and the exit code that
 * sums them up. The only --once module that builds JSON.
 */
#ifndef RBLMON_REPORT_H
#define RBLMON_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "health.h"

struct config;
struct report;
struct sweep_result;

/* Exit codes of a one-shot sweep (DESIGN §3). */
#define REPORT_EXIT_CLEAN 0
#define REPORT_EXIT_LISTED 1
#define REPORT_EXIT_USAGE 2
#define REPORT_EXIT_INCOMPLETE 3

struct report_options {
	bool json; /* JSON lines instead of a table */
	bool all;  /* clean pairs too */
	FILE *out;
};

/* A report on config c (which must outlive it). 0 or -ENOMEM. */
int report_new(const struct config *c, const struct report_options *o,
    struct report **ret);

/*
 * Count a result, and print it (JSON) or keep it for the table (text).
 * Returns 0, or -ENOMEM / -EIO (the result is still counted).
 */
int report_add(struct report *rep, const struct sweep_result *r);

/* Record a zone's health. */
void report_zone(struct report *rep, uint32_t zone, enum zone_health h);

/* Print the table (text) and the summary. 0 or -EIO. */
int report_finish(struct report *rep, double seconds);

/*
 * 1 if anything is listed; else 3 if anything could not be decided (an
 * error, refused or bogus answer, or a zone that is not ok); else 0.
 */
int report_exit_code(const struct report *rep);

/* Free. Accepts NULL. */
void report_free(struct report *rep);

#endif

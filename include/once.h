/* SPDX-License-Identifier: ISC */
/*
 * One full sweep from the command line (rblmond --once): event loop,
 * resolver and sweep wired to the report, with a progress line on a
 * terminal.
 */
#ifndef RBLMON_ONCE_H
#define RBLMON_ONCE_H

#include <stdbool.h>

struct config;

struct once_options {
	bool json;
	bool all;
	bool progress; /* draw a progress line on stderr */
};

/* Run it on c (taken: freed before it returns); returns the process exit
 * code (report.h REPORT_EXIT_*). */
int once_run(struct config *c, const struct once_options *o);

#endif

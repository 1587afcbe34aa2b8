/* SPDX-License-Identifier: ISC */
/*
 * rblmond as a service: the monitor run in the foreground for ever, with
 * SIGHUP reloading the configuration, SIGTERM and SIGINT stopping it
 * cleanly, and the service manager told (sd_notify) what it does.
 */
#ifndef RBLMON_DAEMON_H
#define RBLMON_DAEMON_H

struct config;

/* Exit codes of the daemon. */
#define DAEMON_EXIT_OK 0     /* stopped by SIGTERM or SIGINT */
#define DAEMON_EXIT_START 1  /* could not start (state store, loop) */

/*
 * Run the monitor of c (taken), loaded from path (reloaded from there on
 * SIGHUP), until a SIGTERM or SIGINT. Returns the exit code.
 */
int daemon_run(const char *path, struct config *c);

#endif

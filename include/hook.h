/* SPDX-License-Identifier: ISC */
/*
 * The alert command (DESIGN §5): a program run without a shell for each
 * event, the event in its environment, bounded in time and in how many
 * run or wait at once. Children are reaped from the event loop.
 */
#ifndef RBLMON_HOOK_H
#define RBLMON_HOOK_H

#include <stdint.h>

struct incident;
struct event_base;
struct hook;

/* Longest value of one RBLMON_* variable, without the NUL. */
#define HOOK_VALUE_MAX 1024
/* Waiting events when max_queued is 0. */
#define HOOK_DEFAULT_QUEUED 256
/* A timed-out command gets SIGTERM, then SIGKILL this much later
 * (kill_after_ms 0). */
#define HOOK_KILL_AFTER_MS 2000
/* hook_free() waits at most this long (or kill_after_ms when shorter)
 * after SIGTERM before it sends SIGKILL. */
#define HOOK_FREE_WAIT_MS 1000

struct hook_options {
	char *const *argv;    /* NULL-terminated; argv[0] an absolute path */
	uint32_t timeout_ms;  /* then SIGTERM, and SIGKILL 2 s later; > 0 */
	uint32_t max_running; /* commands at once; > 0 */
	uint32_t max_queued;  /* events waiting for a slot; 0: 256 */
	uint32_t kill_after_ms; /* SIGTERM to SIGKILL; 0: 2 s */
};

/*
 * A hook on base (which must outlive it) for o (copied). It takes SIGCHLD
 * on base, so the base must be the one that handles the process's
 * signals. Returns 0, -EINVAL (no argv, argv[0] not absolute, a zero
 * timeout or max_running) or -ENOMEM.
 */
int hook_new(struct event_base *base, const struct hook_options *o,
    struct hook **ret);

/*
 * Run the command for ev now, or queue it (what it needs is copied) when
 * max_running commands are running; queued events start in order as
 * commands end. Returns 0 (the outcome is logged and counted: a command
 * that cannot be started counts as failed), -ENOBUFS when the queue is
 * full (counted as dropped, logged once per burst of drops), -ENOMEM
 * (counted as dropped).
 */
int hook_run(struct hook *h, const struct incident *ev);

/*
 * The command's environment for ev, NULL-terminated and malloc'd: PATH
 * and every RBLMON_* variable, each always present (empty when it does
 * not apply), each value at most HOOK_VALUE_MAX bytes with bytes outside
 * printable ASCII escaped as \xNN. Nothing is inherited. Returns 0 or
 * -ENOMEM; free with hook_env_free().
 */
int hook_env_build(const struct incident *ev, char ***ret_envp);
void hook_env_free(char **envp); /* NULL ok */

struct hook_stats {
	uint64_t run;	    /* commands started */
	uint64_t failed;    /* non-zero exit, killed by a signal, not started */
	uint64_t timed_out; /* killed after timeout_ms */
	uint64_t dropped;   /* events never passed to the command */
	uint32_t running;
	uint32_t queued;
};

void hook_get_stats(const struct hook *h, struct hook_stats *ret);

/*
 * Send SIGTERM to every running command (and its process group), reap
 * them (SIGKILL for those still there after HOOK_FREE_WAIT_MS), drop the
 * queue (logged) and free. NULL ok. Blocks at most about a second.
 */
void hook_free(struct hook *h);

#endif

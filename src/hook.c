/* SPDX-License-Identifier: ISC */
/*
 * The alert command: posix_spawn without a shell, a clean environment that
 * carries the event, a timeout per child (SIGTERM to its process group,
 * SIGKILL later), a cap on commands at once with an ordered queue behind
 * it, and children reaped from the event loop on SIGCHLD.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addclosefrom_np */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "alert.h"
#include "escape.h"
#include "hook.h"
#include "incident.h"
#include "log.h"

/* The one variable a command gets besides the event. */
#define HOOK_PATH \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* One event for the command: waiting in the queue, then running. */
struct hook_job {
	TAILQ_ENTRY(hook_job) entry;
	struct hook *h;
	char **envp;
	struct event *timer; /* the timeout, then the SIGKILL */
	pid_t pid;
	bool term_sent; /* timed out: SIGTERM sent, SIGKILL next */
	char desc[192]; /* "listed 192.0.2.25 on zen.spamhaus.org (event 42)" */
};
TAILQ_HEAD(hook_jobs, hook_job);

struct hook {
	struct event_base *base;
	char **argv;
	char cmd[128]; /* argv[0] escaped, for messages */
	uint32_t timeout_ms;
	uint32_t max_running;
	uint32_t max_queued;
	uint32_t kill_after_ms;
	struct event *sigchld;
	struct hook_jobs queue;
	struct hook_jobs running;
	struct hook_stats stats;
	uint64_t burst; /* events dropped since the queue was last empty */
};

static void hook_start_queued(struct hook *h);
static bool hook_reap(struct hook *h, struct hook_job *j, bool block);

/* "NAME=value" with value escaped and capped; NULL when out of memory. */
static char *
env_entry(const char *name, const char *val)
{
	char esc[HOOK_VALUE_MAX + 1];
	size_t nlen = strlen(name), vlen;
	char *s;

	vlen = escape_control(val, strlen(val), esc, sizeof(esc));
	s = malloc(nlen + 1 + vlen + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, name, nlen);
	s[nlen] = '=';
	memcpy(s + nlen + 1, esc, vlen + 1);
	return s;
}

int
hook_env_build(const struct incident *ev, char ***ret_envp)
{
	char since[32] = "", when[32] = "", duration[24] = "", id[24] = "";
	bool storage = ev->kind == INCIDENT_STORAGE_ERROR;
	const struct {
		const char *name, *val;
	} vars[] = {
		{ "RBLMON_EVENT",
		    incident_kind_name((enum incident_kind)ev->kind) },
		{ "RBLMON_TARGET", ev->target },
		{ "RBLMON_GROUP", ev->group },
		{ "RBLMON_ZONE", ev->zone },
		{ "RBLMON_CODES", ev->codes },
		{ "RBLMON_LABELS", ev->labels },
		{ "RBLMON_TXT", ev->txt },
		{ "RBLMON_DELIST_URL", ev->delist_url },
		{ "RBLMON_SINCE", since },
		{ "RBLMON_DURATION", duration },
		{ "RBLMON_SEVERITY", storage ? "" :
		    severity_name((enum severity)ev->severity) },
		{ "RBLMON_STATE", alert_state(ev) },
		{ "RBLMON_DETAIL", ev->detail },
		{ "RBLMON_TIME", when },
		{ "RBLMON_ID", id },
		{ "RBLMON_REDELIVERY", ev->redelivery ? "1" : "0" },
	};
	const size_t nvars = sizeof(vars) / sizeof(vars[0]);
	char **envp;

	if (ev->since_s != 0)
		alert_time_format(ev->since_s, since, sizeof(since));
	if (ev->time_s != 0)
		alert_time_format(ev->time_s, when, sizeof(when));
	if (ev->kind == INCIDENT_DELISTED)
		snprintf(duration, sizeof(duration), "%" PRId64,
		    ev->duration_s < 0 ? 0 : ev->duration_s);
	if (ev->id != 0)
		snprintf(id, sizeof(id), "%" PRId64, ev->id);
	envp = calloc(nvars + 2, sizeof(*envp));
	if (envp == NULL)
		return -ENOMEM;
	if ((envp[0] = strdup(HOOK_PATH)) == NULL)
		goto fail;
	for (size_t i = 0; i < nvars; i++)
		if ((envp[i + 1] = env_entry(vars[i].name, vars[i].val)) ==
		    NULL)
			goto fail;
	*ret_envp = envp;
	return 0;
fail:
	hook_env_free(envp);
	return -ENOMEM;
}

void
hook_env_free(char **envp)
{
	if (envp == NULL)
		return;
	for (size_t i = 0; envp[i] != NULL; i++)
		free(envp[i]);
	free(envp);
}

static void
job_free(struct hook_job *j)
{
	if (j == NULL)
		return;
	if (j->timer != NULL)
		event_free(j->timer);
	hook_env_free(j->envp);
	free(j);
}

/* What the messages call the event: kind, target, zone, row id. */
static void
job_describe(struct hook_job *j, const struct incident *ev)
{
	char target[80] = "", zone[80] = "", id[32] = "";

	if (ev->target[0] != '\0') {
		target[0] = ' ';
		escape_control(ev->target, strlen(ev->target), target + 1,
		    sizeof(target) - 1);
	}
	if (ev->zone[0] != '\0') {
		memcpy(zone, " on ", 4);
		escape_control(ev->zone, strlen(ev->zone), zone + 4,
		    sizeof(zone) - 4);
	}
	if (ev->id != 0)
		snprintf(id, sizeof(id), " (event %" PRId64 ")", ev->id);
	snprintf(j->desc, sizeof(j->desc), "%s%s%s%s",
	    incident_kind_name((enum incident_kind)ev->kind), target, zone, id);
}

/* Send sig to the command's process group (what a script started too),
 * or to the command alone should it have left the group. */
static void
job_kill(const struct hook_job *j, int sig)
{
	if (kill(-j->pid, sig) != 0)
		kill(j->pid, sig);
}

static void
hook_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hook_job *j = arg;
	struct hook *h = j->h;
	struct timeval tv = { h->kill_after_ms / 1000,
		(suseconds_t)(h->kill_after_ms % 1000) * 1000 };

	(void)fd;
	(void)what;
	/* Ended and not reaped yet (a SIGCHLD not seen): not a timeout. */
	if (hook_reap(h, j, false)) {
		hook_start_queued(h);
		return;
	}
	if (j->term_sent) {
		log_warn("alert_command %s for %s did not end on SIGTERM: "
			 "sending SIGKILL", h->cmd, j->desc);
		job_kill(j, SIGKILL);
		return;
	}
	j->term_sent = true;
	h->stats.timed_out++;
	log_warn("alert_command %s for %s still running after %" PRIu32
		 " ms: sending SIGTERM, SIGKILL in %" PRIu32 " ms; the event "
		 "is not retried", h->cmd, j->desc, h->timeout_ms,
	    h->kill_after_ms);
	job_kill(j, SIGTERM);
	if (event_add(j->timer, &tv) != 0) {
		log_warn("alert_command %s for %s: cannot arm the SIGKILL "
			 "timer, sending SIGKILL now", h->cmd, j->desc);
		job_kill(j, SIGKILL);
	}
}

static int
hook_spawn(struct hook *h, struct hook_job *j)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t none, all;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return -rc;
	if ((rc = posix_spawnattr_init(&sa)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -rc;
	}
	/*
	 * stdin from /dev/null, stdout and stderr inherited, no other
	 * descriptor of ours (sockets, the database) leaks into the child.
	 * Signals start at their defaults, unblocked: the daemon ignores
	 * SIGPIPE and a script must not inherit that. Its own process group
	 * lets a timeout stop whatever the command started.
	 */
	sigemptyset(&none);
	sigfillset(&all);
	if ((rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
		 "/dev/null", O_RDONLY, 0)) != 0 ||
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa,
		 STDERR_FILENO + 1)) != 0 ||
	    (rc = posix_spawnattr_setsigmask(&sa, &none)) != 0 ||
	    (rc = posix_spawnattr_setsigdefault(&sa, &all)) != 0 ||
	    (rc = posix_spawnattr_setpgroup(&sa, 0)) != 0 ||
	    (rc = posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK |
		 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)) != 0)
		goto out;
	rc = posix_spawn(&j->pid, h->argv[0], &fa, &sa, h->argv, j->envp);
out:
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	return -rc;
}

/* Start j in a free slot; a failure is logged, counted, and j freed. */
static void
hook_start(struct hook *h, struct hook_job *j)
{
	struct timeval tv = { h->timeout_ms / 1000,
		(suseconds_t)(h->timeout_ms % 1000) * 1000 };
	int rc = hook_spawn(h, j);

	if (rc < 0) {
		h->stats.failed++;
		log_warn("alert_command %s for %s could not be started: %s; "
			 "the event is not retried", h->cmd, j->desc,
		    strerror(-rc));
		job_free(j);
		return;
	}
	h->stats.run++;
	h->stats.running++;
	TAILQ_INSERT_TAIL(&h->running, j, entry);
	if (event_add(j->timer, &tv) != 0)
		log_warn("alert_command %s for %s: cannot arm its timeout, "
			 "it runs until it ends", h->cmd, j->desc);
}

/* How a reaped command ended, logged and counted. */
static void
hook_report(struct hook *h, const struct hook_job *j, int status)
{
	if (j->term_sent)
		return; /* counted and logged as timed out */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_debug("alert_command %s for %s done", h->cmd, j->desc);
		return;
	}
	h->stats.failed++;
	if (WIFEXITED(status))
		log_warn("alert_command %s for %s exited with status %d; the "
			 "event is not retried", h->cmd, j->desc,
		    WEXITSTATUS(status));
	else
		log_warn("alert_command %s for %s was killed by signal %d "
			 "(%s); the event is not retried", h->cmd, j->desc,
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
}

/* Reap j if it has ended; true when it was (and is freed). */
static bool
hook_reap(struct hook *h, struct hook_job *j, bool block)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(j->pid, &status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	if (r < 0) /* ECHILD: reaped elsewhere, its status is lost */
		log_warn("alert_command %s for %s: its exit status is lost "
			 "(%s)", h->cmd, j->desc, strerror(errno));
	else
		hook_report(h, j, status);
	TAILQ_REMOVE(&h->running, j, entry);
	h->stats.running--;
	job_free(j);
	return true;
}

/* SIGCHLD: one signal may stand for several children, so ask each. */
static void
hook_sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	struct hook *h = arg;
	struct hook_job *j, *next;

	(void)sig;
	(void)what;
	for (j = TAILQ_FIRST(&h->running); j != NULL; j = next) {
		next = TAILQ_NEXT(j, entry);
		hook_reap(h, j, false);
	}
	hook_start_queued(h);
}

static void
hook_start_queued(struct hook *h)
{
	struct hook_job *j;

	while (h->stats.running < h->max_running &&
	    (j = TAILQ_FIRST(&h->queue)) != NULL) {
		TAILQ_REMOVE(&h->queue, j, entry);
		h->stats.queued--;
		hook_start(h, j);
	}
	if (h->stats.queued == 0 && h->burst > 0) {
		log_warn("alert_command %s: the queue has drained; %" PRIu64
			 " event(s) were dropped while it was full", h->cmd,
		    h->burst);
		h->burst = 0;
	}
}

int
hook_new(struct event_base *base, const struct hook_options *o,
    struct hook **ret)
{
	struct hook *h;
	size_t n = 0;

	if (o->argv == NULL || o->argv[0] == NULL || o->argv[0][0] != '/' ||
	    o->timeout_ms == 0 || o->max_running == 0)
		return -EINVAL;
	while (o->argv[n] != NULL)
		n++;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->base = base;
	h->timeout_ms = o->timeout_ms;
	h->max_running = o->max_running;
	h->max_queued = o->max_queued != 0 ? o->max_queued :
	    HOOK_DEFAULT_QUEUED;
	h->kill_after_ms = o->kill_after_ms != 0 ? o->kill_after_ms :
	    HOOK_KILL_AFTER_MS;
	TAILQ_INIT(&h->queue);
	TAILQ_INIT(&h->running);
	escape_control(o->argv[0], strlen(o->argv[0]), h->cmd,
	    sizeof(h->cmd));
	h->argv = calloc(n + 1, sizeof(*h->argv));
	if (h->argv == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if ((h->argv[i] = strdup(o->argv[i])) == NULL)
			goto fail;
	h->sigchld = evsignal_new(base, SIGCHLD, hook_sigchld_cb, h);
	if (h->sigchld == NULL || event_add(h->sigchld, NULL) != 0)
		goto fail;
	*ret = h;
	return 0;
fail:
	hook_free(h);
	return -ENOMEM;
}

/* A job for ev with its environment, description and timer; NULL: ENOMEM */
static struct hook_job *
job_new(struct hook *h, const struct incident *ev)
{
	struct hook_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->h = h;
	job_describe(j, ev);
	if (hook_env_build(ev, &j->envp) != 0 ||
	    (j->timer = evtimer_new(h->base, hook_timer_cb, j)) == NULL) {
		job_free(j);
		return NULL;
	}
	return j;
}

int
hook_run(struct hook *h, const struct incident *ev)
{
	bool slot = h->stats.running < h->max_running &&
	    TAILQ_EMPTY(&h->queue);
	struct hook_job *j;

	if (!slot && h->stats.queued >= h->max_queued) {
		h->stats.dropped++;
		if (h->burst++ == 0)
			log_warn("alert_command %s: %" PRIu32 " event(s) "
				 "wait already, dropping this %s event and "
				 "more until the queue drains", h->cmd,
			    h->stats.queued,
			    incident_kind_name((enum incident_kind)ev->kind));
		return -ENOBUFS;
	}
	j = job_new(h, ev);
	if (j == NULL) {
		h->stats.dropped++;
		log_warn("alert_command %s: out of memory, a %s event is not "
			 "passed to it", h->cmd,
		    incident_kind_name((enum incident_kind)ev->kind));
		return -ENOMEM;
	}
	if (slot) {
		hook_start(h, j);
	} else {
		TAILQ_INSERT_TAIL(&h->queue, j, entry);
		h->stats.queued++;
	}
	return 0;
}

void
hook_get_stats(const struct hook *h, struct hook_stats *ret)
{
	*ret = h->stats;
}

/* Reap what has ended; true when nothing runs any more. */
static bool
hook_reap_all(struct hook *h)
{
	struct hook_job *j, *next;

	for (j = TAILQ_FIRST(&h->running); j != NULL; j = next) {
		next = TAILQ_NEXT(j, entry);
		hook_reap(h, j, false);
	}
	return TAILQ_EMPTY(&h->running);
}

/*
 * Stop the running commands: SIGTERM, a wait of at most
 * HOOK_FREE_WAIT_MS or kill_after_ms (in steps from 1 ms up to 16 ms, so
 * a command that ends at once costs about a millisecond), then SIGKILL
 * and a wait.
 */
static void
hook_stop_all(struct hook *h)
{
	struct timespec step = { 0, 1000000 };
	struct hook_job *j;
	long waited_ns = 0, wait_ns;
	uint32_t n = h->stats.running;

	if (n == 0)
		return;
	log_warn("alert_command %s: stopping %" PRIu32 " running "
		 "command(s)", h->cmd, n);
	TAILQ_FOREACH(j, &h->running, entry) {
		j->term_sent = true; /* said above: no message per command */
		job_kill(j, SIGTERM);
	}
	wait_ns = (long)(h->kill_after_ms < HOOK_FREE_WAIT_MS ?
		h->kill_after_ms : HOOK_FREE_WAIT_MS) * 1000000;
	while (!hook_reap_all(h) && waited_ns < wait_ns) {
		nanosleep(&step, NULL);
		waited_ns += step.tv_nsec;
		if (step.tv_nsec < 16000000)
			step.tv_nsec *= 2;
	}
	while ((j = TAILQ_FIRST(&h->running)) != NULL) {
		log_warn("alert_command %s for %s did not end on SIGTERM: "
			 "sending SIGKILL", h->cmd, j->desc);
		job_kill(j, SIGKILL);
		hook_reap(h, j, true);
	}
}

void
hook_free(struct hook *h)
{
	struct hook_job *j;

	if (h == NULL)
		return;
	hook_stop_all(h);
	if (h->stats.queued > 0)
		log_warn("alert_command %s: %" PRIu32 " queued event(s) not "
			 "passed to it at shutdown", h->cmd, h->stats.queued);
	while ((j = TAILQ_FIRST(&h->queue)) != NULL) {
		TAILQ_REMOVE(&h->queue, j, entry);
		job_free(j);
	}
	if (h->sigchld != NULL)
		event_free(h->sigchld);
	for (size_t i = 0; h->argv != NULL && h->argv[i] != NULL; i++)
		free(h->argv[i]);
	free(h->argv);
	free(h);
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for hook.c: the environment, variable by variable (escaping,
 * caps, nothing inherited); then real commands on a libevent loop: the
 * environment arriving, the queue and its order, timeouts, failures,
 * overflow, what a child inherits, and hook_free() leaving no child.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <event2/event.h>

#include "hook.h"
#include "incident.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* 2026-12-01T10:00:00Z and 13:12:05Z */
#define SINCE 1796119200
#define WHEN 1796130725

/* libevent reads the coarse monotonic clock: a timer may fire a few ms
 * before the precise clock says it is due. */
#define TIMER_SLACK_MS 10
/* The longest a test waits for its commands, inside Check's default
 * 4 s test timeout. */
#define IDLE_MS 3000

#define PATH_VALUE \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The variables in the order hook_env_build() writes them. */
static const char *const var_names[] = {
	"PATH", "RBLMON_EVENT", "RBLMON_TARGET", "RBLMON_GROUP",
	"RBLMON_ZONE", "RBLMON_CODES", "RBLMON_LABELS", "RBLMON_TXT",
	"RBLMON_DELIST_URL", "RBLMON_SINCE", "RBLMON_DURATION",
	"RBLMON_SEVERITY", "RBLMON_STATE", "RBLMON_DETAIL", "RBLMON_TIME",
	"RBLMON_ID", "RBLMON_REDELIVERY",
};
#define NVARS NROWS(var_names)

static struct incident
filled(struct incident ev)
{
	const char **s[] = { &ev.target, &ev.group, &ev.zone, &ev.codes,
		&ev.labels, &ev.txt, &ev.delist_url, &ev.state, &ev.detail };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (*s[i] == NULL)
			*s[i] = "";
	return ev;
}

/* A delisting with every field set, and the environment it makes. */
static const struct incident full_event = {
	.id = 42, .time_s = WHEN, .kind = INCIDENT_DELISTED,
	.severity = SEVERITY_CRITICAL, .redelivery = true,
	.target = "192.0.2.25", .group = "mail-out",
	.zone = "zen.spamhaus.org", .codes = "127.0.0.2,127.0.0.4",
	.labels = "SBL,XBL", .txt = "Listed by \"SBL\"",
	.delist_url = "https://check.spamhaus.org/results/?query=192.0.2.25",
	.state = "", .detail = "", .since_s = SINCE, .duration_s = 11525,
};
static const char *const full_env[] = {
	"PATH=" PATH_VALUE,
	"RBLMON_EVENT=delisted",
	"RBLMON_TARGET=192.0.2.25",
	"RBLMON_GROUP=mail-out",
	"RBLMON_ZONE=zen.spamhaus.org",
	"RBLMON_CODES=127.0.0.2,127.0.0.4",
	"RBLMON_LABELS=SBL,XBL",
	"RBLMON_TXT=Listed by \"SBL\"",
	"RBLMON_DELIST_URL="
	    "https://check.spamhaus.org/results/?query=192.0.2.25",
	"RBLMON_SINCE=2026-12-01T10:00:00Z",
	"RBLMON_DURATION=11525",
	"RBLMON_SEVERITY=critical",
	"RBLMON_STATE=",
	"RBLMON_DETAIL=",
	"RBLMON_TIME=2026-12-01T13:12:05Z",
	"RBLMON_ID=42",
	"RBLMON_REDELIVERY=1",
};

START_TEST(test_env_full)
{
	char **envp = NULL;
	int n = 0;

	/* Set in this process: none of it may reach the command. */
	ck_assert_int_eq(setenv("RBLMON_LEAK", "1", 1), 0);
	ck_assert_int_eq(setenv("HOME", "/root", 1), 0);
	ck_assert_int_eq(setenv("LD_PRELOAD", "/tmp/evil.so", 1), 0);
	ck_assert_int_eq(hook_env_build(&full_event, &envp), 0);
	for (; envp[n] != NULL; n++) {
		ck_assert_int_lt(n, NROWS(full_env));
		ck_assert_str_eq(envp[n], full_env[n]);
	}
	ck_assert_int_eq(n, NROWS(full_env));
	ck_assert_int_eq(n, NVARS);
	hook_env_free(envp);
	hook_env_free(NULL);
}
END_TEST

static const struct var_row {
	const char *name;
	struct incident ev;
	const char *var, *want;
} var_rows[] = {
	{ "zone-down: state", { .kind = INCIDENT_ZONE_DOWN, .zone = "z.example",
		.state = "dead" }, "RBLMON_STATE", "dead" },
	{ "zone-down: detail", { .kind = INCIDENT_ZONE_DOWN,
		.zone = "z.example", .state = "dead",
		.detail = "127.0.0.2 not listed" }, "RBLMON_DETAIL",
	    "127.0.0.2 not listed" },
	{ "zone-up without a state says ok", { .kind = INCIDENT_ZONE_UP,
		.zone = "z.example" }, "RBLMON_STATE", "ok" },
	{ "zone-up: the zone", { .kind = INCIDENT_ZONE_UP,
		.zone = "z.example" }, "RBLMON_ZONE", "z.example" },
	{ "zone-up: no target", { .kind = INCIDENT_ZONE_UP,
		.zone = "z.example" }, "RBLMON_TARGET", "" },
	{ "zone event keeps its severity", { .kind = INCIDENT_ZONE_DOWN,
		.severity = SEVERITY_INFO, .zone = "z.example" },
	    "RBLMON_SEVERITY", "info" },
	{ "storage-error: no severity", { .kind = INCIDENT_STORAGE_ERROR,
		.severity = SEVERITY_WARNING, .detail = "disk full" },
	    "RBLMON_SEVERITY", "" },
	{ "storage-error: its name", { .kind = INCIDENT_STORAGE_ERROR },
	    "RBLMON_EVENT", "storage-error" },
	{ "listed: severity warning", { .kind = INCIDENT_LISTED,
		.severity = SEVERITY_WARNING }, "RBLMON_SEVERITY", "warning" },
	{ "changed: its name", { .kind = INCIDENT_CHANGED }, "RBLMON_EVENT",
	    "changed" },
	{ "reminder: its name", { .kind = INCIDENT_REMINDER }, "RBLMON_EVENT",
	    "reminder" },
	{ "since unknown is empty", { .kind = INCIDENT_LISTED },
	    "RBLMON_SINCE", "" },
	{ "time unknown is empty", { .kind = INCIDENT_LISTED }, "RBLMON_TIME",
	    "" },
	{ "id 0 (not stored) is empty", { .kind = INCIDENT_LISTED },
	    "RBLMON_ID", "" },
	{ "a large id", { .kind = INCIDENT_LISTED, .id = 9007199254740993 },
	    "RBLMON_ID", "9007199254740993" },
	{ "duration only for delisted", { .kind = INCIDENT_LISTED,
		.duration_s = 60 }, "RBLMON_DURATION", "" },
	{ "delisted at once", { .kind = INCIDENT_DELISTED }, "RBLMON_DURATION",
	    "0" },
	{ "a negative duration counts as 0", { .kind = INCIDENT_DELISTED,
		.duration_s = -3 }, "RBLMON_DURATION", "0" },
	{ "not a redelivery", { .kind = INCIDENT_LISTED }, "RBLMON_REDELIVERY",
	    "0" },
	{ "control bytes escaped", { .kind = INCIDENT_LISTED,
		.txt = "a\x01" "b\nc\x1b[31m" }, "RBLMON_TXT",
	    "a\\x01b\\x0ac\\x1b[31m" },
	{ "8-bit bytes escaped", { .kind = INCIDENT_LISTED,
		.detail = "caf\xc3\xa9" }, "RBLMON_DETAIL", "caf\\xc3\\xa9" },
	{ "DEL escaped", { .kind = INCIDENT_LISTED, .group = "a\x7f" },
	    "RBLMON_GROUP", "a\\x7f" },
	{ "backslashes and quotes kept as they are", { .kind = INCIDENT_LISTED,
		.txt = "C:\\dir \"x\" $(id) `id`;" }, "RBLMON_TXT",
	    "C:\\dir \"x\" $(id) `id`;" },
	{ "an escaped TXT is not escaped twice", { .kind = INCIDENT_LISTED,
		.txt = "a\\x01b" }, "RBLMON_TXT", "a\\x01b" },
	{ "PATH is fixed", { .kind = INCIDENT_LISTED }, "PATH", PATH_VALUE },
};

/* The value of var in envp; the test fails when it is missing or twice. */
static const char *
env_value(char **envp, const char *var)
{
	size_t n = strlen(var);
	const char *found = NULL;

	for (size_t i = 0; envp[i] != NULL; i++) {
		if (strncmp(envp[i], var, n) != 0 || envp[i][n] != '=')
			continue;
		ck_assert_msg(found == NULL, "%s twice", var);
		found = envp[i] + n + 1;
	}
	ck_assert_msg(found != NULL, "%s missing", var);
	return found;
}

START_TEST(test_env_var)
{
	const struct var_row *r = &var_rows[_i];
	struct incident ev = filled(r->ev);
	char **envp = NULL;
	const char *got;
	int n = 0;

	ck_assert_int_eq(hook_env_build(&ev, &envp), 0);
	got = env_value(envp, r->var);
	ck_assert_msg(strcmp(got, r->want) == 0, "%s: %s=%s", r->name,
	    r->var, got);
	while (envp[n] != NULL)
		n++;
	ck_assert_msg(n == NVARS, "%s: %d variables", r->name, n);
	hook_env_free(envp);
}
END_TEST

/* Each string field in turn, too long, or exactly at the cap. */
static const struct cap_row {
	const char *var;
	size_t len, want_len;
	bool cut;
} cap_rows[] = {
	{ "RBLMON_TARGET", 3000, HOOK_VALUE_MAX, true },
	{ "RBLMON_GROUP", 3000, HOOK_VALUE_MAX, true },
	{ "RBLMON_ZONE", 3000, HOOK_VALUE_MAX, true },
	{ "RBLMON_CODES", 3000, HOOK_VALUE_MAX, true },
	{ "RBLMON_LABELS", 3000, HOOK_VALUE_MAX, true },
	{ "RBLMON_TXT", 3000, HOOK_VALUE_MAX, true },
	{ "RBLMON_DELIST_URL", 3000, HOOK_VALUE_MAX, true },
	{ "RBLMON_STATE", 3000, HOOK_VALUE_MAX, true },
	{ "RBLMON_DETAIL", 3000, HOOK_VALUE_MAX, true },
	{ "RBLMON_TXT", HOOK_VALUE_MAX, HOOK_VALUE_MAX, false },
	{ "RBLMON_TXT", HOOK_VALUE_MAX + 1, HOOK_VALUE_MAX, true },
	{ "RBLMON_DETAIL", HOOK_VALUE_MAX - 1, HOOK_VALUE_MAX - 1, false },
};

START_TEST(test_env_cap)
{
	const struct cap_row *r = &cap_rows[_i];
	static char big[4096];
	struct incident ev =
	    filled((struct incident){ .kind = INCIDENT_LISTED });
	const char *got;
	char **envp = NULL;
	size_t n;

	ck_assert_uint_lt(r->len, sizeof(big));
	memset(big, 'a', r->len);
	big[r->len] = '\0';
	if (strcmp(r->var, "RBLMON_TARGET") == 0)
		ev.target = big;
	else if (strcmp(r->var, "RBLMON_GROUP") == 0)
		ev.group = big;
	else if (strcmp(r->var, "RBLMON_ZONE") == 0)
		ev.zone = big;
	else if (strcmp(r->var, "RBLMON_CODES") == 0)
		ev.codes = big;
	else if (strcmp(r->var, "RBLMON_LABELS") == 0)
		ev.labels = big;
	else if (strcmp(r->var, "RBLMON_TXT") == 0)
		ev.txt = big;
	else if (strcmp(r->var, "RBLMON_DELIST_URL") == 0)
		ev.delist_url = big;
	else if (strcmp(r->var, "RBLMON_STATE") == 0)
		ev.state = big;
	else
		ev.detail = big;
	ck_assert_int_eq(hook_env_build(&ev, &envp), 0);
	got = env_value(envp, r->var);
	n = strlen(got);
	ck_assert_msg(n == r->want_len, "%s: %zu bytes", r->var, n);
	ck_assert_msg((strcmp(got + n - 3, "...") == 0) == r->cut,
	    "%s: ends %s", r->var, got + n - 3);
	ck_assert_msg(strspn(got, "a") == n - (r->cut ? 3 : 0),
	    "%s: not the value's start", r->var);
	hook_env_free(envp);
}
END_TEST

/* An escape at the cap is not split: 300 bytes of 0x01 are 1200. */
START_TEST(test_env_cap_escapes)
{
	static char ctl[301];
	struct incident ev =
	    filled((struct incident){ .kind = INCIDENT_LISTED });
	char **envp = NULL;
	const char *got;
	size_t n;

	memset(ctl, 0x01, 300);
	ev.txt = ctl;
	ck_assert_int_eq(hook_env_build(&ev, &envp), 0);
	got = env_value(envp, "RBLMON_TXT");
	n = strlen(got);
	/* 255 whole escapes (1020 bytes) fit before "...". */
	ck_assert_uint_eq(n, 255 * 4 + 3);
	for (size_t i = 0; i < 255; i++)
		ck_assert_msg(memcmp(got + i * 4, "\\x01", 4) == 0, "at %zu",
		    i);
	ck_assert_str_eq(got + 1020, "...");
	hook_env_free(envp);
}
END_TEST

/* --- Real commands --------------------------------------------------- */

/* A fresh directory for a test's scripts and output files. */
struct tmp {
	char dir[64];
	char path[8][128];
	int n;
};

static void
tmp_init(struct tmp *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/rblmon-hook-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
}

/* A file name in the directory, removed by tmp_clear(). */
static char *
tmp_file(struct tmp *t, const char *name)
{
	char p[sizeof(t->path[0])];

	ck_assert_int_lt(t->n, 8);
	snprintf(p, sizeof(p), "%s/%s", t->dir, name);
	memcpy(t->path[t->n], p, sizeof(p));
	return t->path[t->n++];
}

/* A script with body under #!/bin/sh, mode 0755 (or mode). */
static char *
tmp_script(struct tmp *t, const char *name, const char *body, mode_t mode)
{
	char *p = tmp_file(t, name);
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(p, mode), 0);
	return p;
}

static void
tmp_clear(struct tmp *t)
{
	for (int i = 0; i < t->n; i++)
		unlink(t->path[i]);
	rmdir(t->dir);
}

/* The whole file, NUL-terminated, in buf; "" when it does not exist. */
static const char *
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f == NULL)
		return buf;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Run the loop until nothing runs or waits, or ms have passed; false on
 * the deadline. Every pass checks that no more than max_running run.
 */
static bool
run_idle(struct event_base *base, struct hook *h, uint32_t max_running,
    uint64_t ms)
{
	uint64_t deadline = now_ms() + ms;
	struct timeval tick = { 0, 20000 };
	struct hook_stats st;

	for (;;) {
		hook_get_stats(h, &st);
		ck_assert_uint_le(st.running, max_running);
		if (st.running == 0 && st.queued == 0)
			return true;
		if (now_ms() >= deadline)
			return false;
		event_base_loopexit(base, &tick);
		event_base_loop(base, EVLOOP_ONCE);
	}
}

/* A hook on a new base for argv; the options as given or the defaults
 * the tests use (5 s timeout, 1 at once). */
struct rig {
	struct event_base *base;
	struct hook *hook;
	struct hook_options o;
};

static void
rig_init(struct rig *r, char *const *argv, uint32_t timeout_ms,
    uint32_t max_running, uint32_t max_queued)
{
	r->base = event_base_new();
	ck_assert_ptr_nonnull(r->base);
	r->o = (struct hook_options){ .argv = argv,
		.timeout_ms = timeout_ms ? timeout_ms : 5000,
		.max_running = max_running ? max_running : 1,
		.max_queued = max_queued, .kill_after_ms = 2000 };
	ck_assert_int_eq(hook_new(r->base, &r->o, &r->hook), 0);
}

static void
rig_clear(struct rig *r)
{
	hook_free(r->hook);
	event_base_free(r->base);
}

/* Run ev through r's hook with our stdout (which the command inherits)
 * sent to path; the loop until idle; the output in buf. */
static const char *
run_capture(struct rig *r, const struct incident *ev, const char *path,
    char *buf, size_t len)
{
	int fd, saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	close(fd);
	ck_assert_int_eq(hook_run(r->hook, ev), 0);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	ck_assert(run_idle(r->base, r->hook, r->o.max_running, IDLE_MS));
	return slurp(path, buf, len);
}

static struct incident
numbered(enum incident_kind kind, int64_t id)
{
	return filled((struct incident){ .kind = (uint8_t)kind, .id = id,
	    .target = "192.0.2.25", .zone = "zen.spamhaus.org" });
}

#define STATS_EQ(st, r, f, t, d)                                        \
	do {                                                            \
		ck_assert_uint_eq((st).run, (r));                       \
		ck_assert_uint_eq((st).failed, (f));                    \
		ck_assert_uint_eq((st).timed_out, (t));                 \
		ck_assert_uint_eq((st).dropped, (d));                   \
	} while (0)

/* /usr/bin/env as the command: its output (our stdout, inherited) is
 * the environment exactly as the child got it, in order. */
START_TEST(test_run_env_exact)
{
	char env[] = "/usr/bin/env", *argv[] = { env, NULL };
	char buf[8192], *line, *save = NULL;
	struct hook_stats st;
	struct tmp t;
	struct rig r;
	int n = 0;

	tmp_init(&t);
	ck_assert_int_eq(setenv("RBLMON_LEAK", "1", 1), 0);
	ck_assert_int_eq(setenv("HOME", "/root", 1), 0);
	rig_init(&r, argv, 0, 0, 0);
	run_capture(&r, &full_event, tmp_file(&t, "env.out"), buf,
	    sizeof(buf));
	hook_get_stats(r.hook, &st);
	STATS_EQ(st, 1, 0, 0, 0);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		ck_assert_int_lt(n, NROWS(full_env));
		ck_assert_str_eq(line, full_env[n]);
	}
	ck_assert_int_eq(n, NROWS(full_env));
	rig_clear(&r);
	tmp_clear(&t);
}
END_TEST

/* A shell script gets the event too (the shell adds PWD of its own). */
START_TEST(test_run_env_script)
{
	char buf[8192];
	struct hook_stats st;
	struct tmp t;
	struct rig r;
	char *out, *sh;
	struct incident ev = filled((struct incident){ .kind = INCIDENT_LISTED,
	    .id = 7, .severity = SEVERITY_CRITICAL, .target = "192.0.2.25",
	    .zone = "zen.spamhaus.org", .codes = "127.0.0.4",
	    .txt = "a\nb" });

	tmp_init(&t);
	out = tmp_file(&t, "env.out");
	sh = tmp_script(&t, "env.sh", "exec /usr/bin/env > \"$1\"\n", 0755);
	ck_assert_int_eq(setenv("RBLMON_LEAK", "1", 1), 0);
	{
		char *argv[] = { sh, out, NULL };

		rig_init(&r, argv, 0, 0, 0);
		ck_assert_int_eq(hook_run(r.hook, &ev), 0);
		ck_assert(run_idle(r.base, r.hook, 1, IDLE_MS));
	}
	hook_get_stats(r.hook, &st);
	STATS_EQ(st, 1, 0, 0, 0);
	slurp(out, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "RBLMON_EVENT=listed\n"));
	ck_assert_ptr_nonnull(strstr(buf, "RBLMON_TARGET=192.0.2.25\n"));
	ck_assert_ptr_nonnull(strstr(buf, "RBLMON_ZONE=zen.spamhaus.org\n"));
	ck_assert_ptr_nonnull(strstr(buf, "RBLMON_CODES=127.0.0.4\n"));
	ck_assert_ptr_nonnull(strstr(buf, "RBLMON_TXT=a\\x0ab\n"));
	ck_assert_ptr_nonnull(strstr(buf, "RBLMON_ID=7\n"));
	ck_assert_ptr_nonnull(strstr(buf, "PATH=" PATH_VALUE "\n"));
	ck_assert_ptr_null(strstr(buf, "RBLMON_LEAK"));
	rig_clear(&r);
	tmp_clear(&t);
}
END_TEST

/* What the child inherits: stdin is /dev/null, no other descriptor of
 * ours. */
START_TEST(test_run_inherits_fds)
{
	char buf[1024];
	struct hook_stats st;
	struct tmp t;
	struct rig r;
	char *out, *sh;
	int p[2], fd, stdin_was;

	tmp_init(&t);
	out = tmp_file(&t, "inherit.out");
	sh = tmp_script(&t, "inherit.sh",
	    "cat > \"$1\"\n"
	    "if [ -e /proc/self/fd/40 ]; then echo fd open; "
	    "else echo fd closed; fi >> \"$1\"\n", 0755);
	/* stdin a pipe holding data, fd 40 open without O_CLOEXEC, as a
	 * daemon might have them. */
	stdin_was = dup(STDIN_FILENO);
	ck_assert_int_ge(stdin_was, 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "LEAK\n", 5), 5);
	close(p[1]);
	ck_assert_int_ge(dup2(p[0], STDIN_FILENO), 0);
	close(p[0]);
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_eq(dup2(fd, 40), 40);
	close(fd);
	{
		char *argv[] = { sh, out, NULL };

		rig_init(&r, argv, 0, 0, 0);
		ck_assert_int_eq(hook_run(r.hook, &full_event), 0);
		ck_assert(run_idle(r.base, r.hook, 1, IDLE_MS));
	}
	hook_get_stats(r.hook, &st);
	STATS_EQ(st, 1, 0, 0, 0);
	ck_assert_str_eq(slurp(out, buf, sizeof(buf)), "fd closed\n");
	rig_clear(&r);
	ck_assert_int_ge(dup2(stdin_was, STDIN_FILENO), 0);
	close(stdin_was);
	close(40);
	tmp_clear(&t);
}
END_TEST

/* No blocked and no ignored signal reaches the child, though this
 * process ignores SIGPIPE and blocks SIGUSR2 as a daemon might. grep
 * reads them, not a shell: dash clears its signal mask at start-up. */
START_TEST(test_run_inherits_signals)
{
	char grep[] = "/usr/bin/grep", opt[] = "-E", re[] = "^Sig(Blk|Ign)",
	     file[] = "/proc/self/status";
	char *argv[] = { grep, opt, re, file, NULL };
	unsigned long long blocked = 1, ignored = 1;
	char buf[1024];
	struct hook_stats st;
	void (*pipe_was)(int);
	sigset_t blk, old;
	struct tmp t;
	struct rig r;

	tmp_init(&t);
	pipe_was = signal(SIGPIPE, SIG_IGN);
	sigemptyset(&blk);
	sigaddset(&blk, SIGUSR2);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &blk, &old), 0);
	rig_init(&r, argv, 0, 0, 0);
	run_capture(&r, &full_event, tmp_file(&t, "sig.out"), buf,
	    sizeof(buf));
	hook_get_stats(r.hook, &st);
	STATS_EQ(st, 1, 0, 0, 0);
	ck_assert_msg(sscanf(buf, "SigBlk: %llx\nSigIgn: %llx\n", &blocked,
			  &ignored) == 2, "got %s", buf);
	ck_assert_msg(blocked == 0, "blocked %llx", blocked);
	/* glibc's posix_spawn leaves its own two internal signals (32 and
	 * 33, below SIGRTMIN) ignored in the child; no program uses them. */
	ck_assert_msg((ignored & ~(3ULL << 31)) == 0, "ignored %llx",
	    ignored);
	rig_clear(&r);
	signal(SIGPIPE, pipe_was);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	tmp_clear(&t);
}
END_TEST

static const struct queue_row {
	const char *name;
	uint32_t max_running, max_queued, events;
	uint32_t want_running, want_queued;
} queue_rows[] = {
	{ "one at a time, three wait", 1, 0, 4, 1, 3 },
	{ "two at a time, two wait", 2, 0, 4, 2, 2 },
	{ "room for all", 8, 0, 4, 4, 0 },
	{ "a queue of exactly the rest", 1, 3, 4, 1, 3 },
};

/* Events wait for a slot and start in the order they came. */
START_TEST(test_queue_order)
{
	const struct queue_row *q = &queue_rows[_i];
	char buf[256], want[256] = "";
	struct hook_stats st;
	struct tmp t;
	struct rig r;
	char *out, *sh;

	tmp_init(&t);
	out = tmp_file(&t, "order.out");
	sh = tmp_script(&t, "order.sh",
	    "echo \"$RBLMON_ID\" >> \"$1\"\n", 0755);
	{
		char *argv[] = { sh, out, NULL };

		rig_init(&r, argv, 0, q->max_running, q->max_queued);
		for (uint32_t i = 1; i <= q->events; i++) {
			struct incident ev = numbered(INCIDENT_LISTED, i);

			ck_assert_int_eq(hook_run(r.hook, &ev), 0);
		}
	}
	hook_get_stats(r.hook, &st);
	ck_assert_uint_eq(st.running, q->want_running);
	ck_assert_uint_eq(st.queued, q->want_queued);
	ck_assert_uint_eq(st.run, q->want_running);
	ck_assert(run_idle(r.base, r.hook, q->max_running, IDLE_MS));
	hook_get_stats(r.hook, &st);
	STATS_EQ(st, q->events, 0, 0, 0);
	slurp(out, buf, sizeof(buf));
	if (q->max_running == 1) {
		/* One at a time: the file shows the start order. */
		for (uint32_t i = 1; i <= q->events; i++) {
			size_t o = strlen(want);

			snprintf(want + o, sizeof(want) - o, "%u\n", i);
		}
		ck_assert_str_eq(buf, want);
	} else {
		ck_assert_uint_eq(strlen(buf), 2 * q->events);
	}
	rig_clear(&r);
	tmp_clear(&t);
}
END_TEST

/* A process's state letter from /proc, or 0 when it is gone. */
static char
proc_state(long pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	slurp(path, buf, sizeof(buf));
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* A command past its timeout gets SIGTERM, and so does what it started:
 * the whole process group. */
START_TEST(test_timeout)
{
	char buf[64];
	struct hook_stats st;
	struct incident ev = numbered(INCIDENT_LISTED, 1);
	struct tmp t;
	struct rig r;
	char *out, *sh;
	uint64_t t0, took;
	long child;
	char state = 'R';

	tmp_init(&t);
	out = tmp_file(&t, "pid.out");
	sh = tmp_script(&t, "hang.sh",
	    "sleep 30 &\necho $! > \"$1\"\nwait\n", 0755);
	{
		char *argv[] = { sh, out, NULL };

		rig_init(&r, argv, 100, 1, 0);
		t0 = now_ms();
		ck_assert_int_eq(hook_run(r.hook, &ev), 0);
		ck_assert(run_idle(r.base, r.hook, 1, IDLE_MS));
		took = now_ms() - t0;
	}
	hook_get_stats(r.hook, &st);
	STATS_EQ(st, 1, 0, 1, 0);
	ck_assert_uint_ge(took, 100 - TIMER_SLACK_MS);
	ck_assert_msg(took < r.o.kill_after_ms, "SIGTERM did not stop it: "
	    "%llu ms", (unsigned long long)took);
	/* The background sleep got SIGTERM too: it ends (or lies a zombie
	 * under init) as soon as the kernel has delivered it. */
	child = strtol(slurp(out, buf, sizeof(buf)), NULL, 10);
	ck_assert_int_gt(child, 1);
	for (uint64_t end = now_ms() + 2000; now_ms() < end;) {
		state = proc_state(child);
		if (state == 0 || state == 'Z')
			break;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	ck_assert_msg(state == 0 || state == 'Z', "sleep %ld is %c", child,
	    state);
	rig_clear(&r);
	tmp_clear(&t);
}
END_TEST

/* A command that ignores SIGTERM gets SIGKILL kill_after_ms later. */
START_TEST(test_timeout_kill)
{
	struct hook_stats st;
	struct incident ev = numbered(INCIDENT_LISTED, 1);
	struct tmp t;
	char *sh;
	struct event_base *base;
	struct hook *h;
	uint64_t t0, took;

	tmp_init(&t);
	sh = tmp_script(&t, "stubborn.sh", "trap '' TERM\nsleep 30\n", 0755);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	{
		char *argv[] = { sh, NULL };
		struct hook_options o = { .argv = argv, .timeout_ms = 200,
			.max_running = 1, .kill_after_ms = 50 };

		ck_assert_int_eq(hook_new(base, &o, &h), 0);
	}
	t0 = now_ms();
	ck_assert_int_eq(hook_run(h, &ev), 0);
	ck_assert(run_idle(base, h, 1, IDLE_MS));
	took = now_ms() - t0;
	hook_get_stats(h, &st);
	STATS_EQ(st, 1, 0, 1, 0);
	ck_assert_uint_ge(took, 250 - TIMER_SLACK_MS);
	ck_assert_uint_lt(took, 2000);
	hook_free(h);
	event_base_free(base);
	tmp_clear(&t);
}
END_TEST

/* A SIGCHLD the loop never sees (blocked here): the timeout timer finds
 * the ended command and reaps it, without counting a timeout. */
START_TEST(test_missed_sigchld)
{
	struct incident ev = numbered(INCIDENT_LISTED, 1);
	struct hook_stats st;
	sigset_t chld, old;
	struct tmp t;
	struct rig r;
	char *sh;

	tmp_init(&t);
	sh = tmp_script(&t, "quick.sh", "exit 0\n", 0755);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &chld, &old), 0);
	{
		char *argv[] = { sh, NULL };

		rig_init(&r, argv, 50, 1, 0);
		ck_assert_int_eq(hook_run(r.hook, &ev), 0);
		ck_assert_int_eq(hook_run(r.hook, &ev), 0);
		ck_assert(run_idle(r.base, r.hook, 1, IDLE_MS));
	}
	hook_get_stats(r.hook, &st);
	STATS_EQ(st, 2, 0, 0, 0);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	rig_clear(&r);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	tmp_clear(&t);
}
END_TEST

static const struct fail_row {
	const char *name;
	const char *body; /* NULL: argv[0] as given */
	const char *argv0;
	mode_t mode;
	uint64_t want_run;
} fail_rows[] = {
	{ "exit status 1", "exit 1\n", NULL, 0755, 1 },
	{ "exit status 255", "exit 255\n", NULL, 0755, 1 },
	{ "killed by a signal", "kill -USR1 $$\nsleep 5\n", NULL, 0755, 1 },
	{ "no such file", NULL, "/nonexistent/rblmon-alert", 0, 0 },
	{ "not executable", "exit 0\n", NULL, 0644, 0 },
	{ "a directory", NULL, "/tmp", 0, 0 },
};

/* Failures are counted; the next event still runs. */
START_TEST(test_fail)
{
	const struct fail_row *f = &fail_rows[_i];
	struct incident ev = numbered(INCIDENT_LISTED, 1);
	struct hook_stats st;
	struct tmp t;
	struct rig r;
	char cmd[128];

	tmp_init(&t);
	if (f->body != NULL)
		snprintf(cmd, sizeof(cmd), "%s",
		    tmp_script(&t, "fail.sh", f->body, f->mode));
	else
		snprintf(cmd, sizeof(cmd), "%s", f->argv0);
	{
		char *argv[] = { cmd, NULL };

		rig_init(&r, argv, 0, 0, 0);
		ck_assert_int_eq(hook_run(r.hook, &ev), 0);
		ck_assert(run_idle(r.base, r.hook, 1, IDLE_MS));
		hook_get_stats(r.hook, &st);
		ck_assert_msg(st.run == f->want_run && st.failed == 1 &&
			st.timed_out == 0 && st.dropped == 0,
		    "%s: run %llu failed %llu timed out %llu dropped %llu",
		    f->name, (unsigned long long)st.run,
		    (unsigned long long)st.failed,
		    (unsigned long long)st.timed_out,
		    (unsigned long long)st.dropped);
		ck_assert_int_eq(hook_run(r.hook, &ev), 0);
		ck_assert(run_idle(r.base, r.hook, 1, IDLE_MS));
		hook_get_stats(r.hook, &st);
		ck_assert_uint_eq(st.failed, 2);
	}
	rig_clear(&r);
	tmp_clear(&t);
}
END_TEST

/* How often needle occurs in hay. */
static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/*
 * A full queue refuses and counts; once drained it takes events again.
 * Each burst of drops is logged once when it starts and once when the
 * queue has drained, with how many were dropped.
 */
START_TEST(test_overflow)
{
	char buf[64], log[4096];
	struct hook_stats st;
	struct tmp t;
	struct rig r;
	char *out, *sh, *errs;
	int fd, saved;

	tmp_init(&t);
	out = tmp_file(&t, "order.out");
	errs = tmp_file(&t, "stderr.out");
	sh = tmp_script(&t, "order.sh",
	    "echo \"$RBLMON_ID\" >> \"$1\"\n", 0755);
	saved = dup(STDERR_FILENO);
	fd = open(errs, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	close(fd);
	{
		char *argv[] = { sh, out, NULL };

		rig_init(&r, argv, 0, 1, 2);
		for (int i = 1; i <= 5; i++) {
			struct incident ev = numbered(INCIDENT_LISTED, i);

			ck_assert_int_eq(hook_run(r.hook, &ev),
			    i <= 3 ? 0 : -ENOBUFS);
		}
		hook_get_stats(r.hook, &st);
		ck_assert_uint_eq(st.running, 1);
		ck_assert_uint_eq(st.queued, 2);
		STATS_EQ(st, 1, 0, 0, 2);
		ck_assert(run_idle(r.base, r.hook, 1, IDLE_MS));
		for (int i = 6; i <= 9; i++) {
			struct incident ev = numbered(INCIDENT_LISTED, i);

			ck_assert_int_eq(hook_run(r.hook, &ev),
			    i <= 8 ? 0 : -ENOBUFS);
		}
		ck_assert(run_idle(r.base, r.hook, 1, IDLE_MS));
	}
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	hook_get_stats(r.hook, &st);
	STATS_EQ(st, 6, 0, 0, 3);
	ck_assert_str_eq(slurp(out, buf, sizeof(buf)),
	    "1\n2\n3\n6\n7\n8\n");
	slurp(errs, log, sizeof(log));
	ck_assert_msg(count(log, "until the queue drains") == 2, "%s", log);
	ck_assert_msg(count(log, "the queue has drained") == 2, "%s", log);
	ck_assert_msg(count(log, "2 event(s) were dropped") == 1, "%s", log);
	ck_assert_msg(count(log, "1 event(s) were dropped") == 1, "%s", log);
	rig_clear(&r);
	tmp_clear(&t);
}
END_TEST

static const struct free_row {
	const char *name, *body; /* the body touches $1 once it is set up */
	uint32_t kill_after_ms;
} free_rows[] = {
	{ "a child that ends on SIGTERM", ": > \"$1\"\nsleep 30\n", 0 },
	{ "a child that ignores SIGTERM",
	    "trap '' TERM\n: > \"$1\"\nsleep 30\n", 50 },
	{ "a child that already ended", ": > \"$1\"\n", 0 },
};

/* hook_free() with a child running (and events queued) leaves no
 * child behind, not even a zombie. */
START_TEST(test_free_reaps)
{
	const struct free_row *f = &free_rows[_i];
	struct incident ev = numbered(INCIDENT_LISTED, 1);
	struct event_base *base;
	struct hook *h;
	struct tmp t;
	char *sh, *ready;
	uint64_t t0, took;

	tmp_init(&t);
	ready = tmp_file(&t, "ready");
	sh = tmp_script(&t, "free.sh", f->body, 0755);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	{
		char *argv[] = { sh, ready, NULL };
		struct hook_options o = { .argv = argv, .timeout_ms = 5000,
			.max_running = 1, .kill_after_ms = f->kill_after_ms };

		ck_assert_int_eq(hook_new(base, &o, &h), 0);
	}
	ck_assert_int_eq(hook_run(h, &ev), 0);
	ck_assert_int_eq(hook_run(h, &ev), 0); /* queued, never run */
	/* Wait until the script is set up (its trap in place). */
	for (uint64_t end = now_ms() + 2000;
	    access(ready, F_OK) != 0 && now_ms() < end;)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	ck_assert_int_eq(access(ready, F_OK), 0);
	t0 = now_ms();
	hook_free(h);
	took = now_ms() - t0;
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_uint_lt(took, 1500);
	event_base_free(base);
	tmp_clear(&t);
}
END_TEST

static const struct new_row {
	const char *name;
	const char *argv0; /* NULL: no argv at all */
	uint32_t timeout_ms, max_running;
	int want;
} new_rows[] = {
	{ "fine", "/bin/true", 1000, 1, 0 },
	{ "no argv", NULL, 1000, 1, -EINVAL },
	{ "a relative path", "alert.sh", 1000, 1, -EINVAL },
	{ "an empty path", "", 1000, 1, -EINVAL },
	{ "no timeout", "/bin/true", 0, 1, -EINVAL },
	{ "no slot", "/bin/true", 1000, 0, -EINVAL },
};

START_TEST(test_new)
{
	const struct new_row *n = &new_rows[_i];
	char arg0[64], *argv[] = { arg0, NULL };
	struct hook_options o = { .argv = n->argv0 != NULL ? argv : NULL,
		.timeout_ms = n->timeout_ms, .max_running = n->max_running };
	struct event_base *base = event_base_new();
	struct hook *h = NULL;

	snprintf(arg0, sizeof(arg0), "%s", n->argv0 != NULL ? n->argv0 : "");
	ck_assert_ptr_nonnull(base);
	ck_assert_msg(hook_new(base, &o, &h) == n->want, "%s", n->name);
	ck_assert(n->want == 0 || h == NULL);
	hook_free(h);
	hook_free(NULL);
	event_base_free(base);
}
END_TEST

/* The hook keeps its own copy of argv. */
START_TEST(test_argv_copied)
{
	char arg0[] = "/usr/bin/env", *argv[] = { arg0, NULL };
	char buf[4096];
	struct hook_stats st;
	struct tmp t;
	struct rig r;

	tmp_init(&t);
	rig_init(&r, argv, 0, 0, 0);
	memcpy(arg0, "/nonexistent", sizeof("/nonexistent"));
	argv[0] = NULL;
	run_capture(&r, &full_event, tmp_file(&t, "env.out"), buf,
	    sizeof(buf));
	hook_get_stats(r.hook, &st);
	STATS_EQ(st, 1, 0, 0, 0);
	ck_assert_ptr_nonnull(strstr(buf, "RBLMON_ID=42\n"));
	rig_clear(&r);
	tmp_clear(&t);
}
END_TEST

static Suite *
hook_suite(void)
{
	Suite *s = suite_create("hook");
	TCase *env = tcase_create("env"), *run = tcase_create("run");

	tcase_add_test(env, test_env_full);
	tcase_add_loop_test(env, test_env_var, 0, NROWS(var_rows));
	tcase_add_loop_test(env, test_env_cap, 0, NROWS(cap_rows));
	tcase_add_test(env, test_env_cap_escapes);
	suite_add_tcase(s, env);
	tcase_add_test(run, test_run_env_exact);
	tcase_add_test(run, test_run_env_script);
	tcase_add_test(run, test_run_inherits_fds);
	tcase_add_test(run, test_run_inherits_signals);
	tcase_add_loop_test(run, test_queue_order, 0, NROWS(queue_rows));
	tcase_add_test(run, test_timeout);
	tcase_add_test(run, test_timeout_kill);
	tcase_add_test(run, test_missed_sigchld);
	tcase_add_loop_test(run, test_fail, 0, NROWS(fail_rows));
	tcase_add_test(run, test_overflow);
	tcase_add_loop_test(run, test_free_reaps, 0, NROWS(free_rows));
	tcase_add_loop_test(run, test_new, 0, NROWS(new_rows));
	tcase_add_test(run, test_argv_copied);
	suite_add_tcase(s, run);
	return s;
}

int
main(void)
{
	return unit_run(hook_suite());
}

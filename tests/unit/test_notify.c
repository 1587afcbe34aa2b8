/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for notify.c: datagrams to a real socket bound at a path and
 * in the abstract namespace, received byte for byte; the variable unset,
 * empty or unusable; the watchdog rule; the monotonic clock.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "notify.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A datagram socket bound to name ("@..." abstract, else a path). */
static int
bind_dgram(const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    n + (name[0] != '@'));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(n, sizeof(sun.sun_path));
	memcpy(sun.sun_path, name, n);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	ck_assert_msg(bind(fd, (struct sockaddr *)&sun, alen) == 0,
	    "bind %s: %s", name, strerror(errno));
	return fd;
}

/* The next datagram on fd, which must be there already. */
static ssize_t
recv_now(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, MSG_DONTWAIT);

	ck_assert_msg(n >= 0, "recv: %s", strerror(errno));
	buf[n] = '\0';
	return n;
}

/* Where the test binds: a path in a fresh directory, or an abstract
 * name of its own. */
struct place {
	char dir[64];
	char name[108];
};

static void
place_init(struct place *p, bool abstract)
{
	if (abstract) {
		p->dir[0] = '\0';
		snprintf(p->name, sizeof(p->name), "@rblmon-test-notify-%ld",
		    (long)getpid());
		return;
	}
	snprintf(p->dir, sizeof(p->dir), "/tmp/rblmon-notify-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(p->dir));
	snprintf(p->name, sizeof(p->name), "%s/notify", p->dir);
}

static void
place_clear(struct place *p)
{
	if (p->dir[0] == '\0')
		return;
	unlink(p->name);
	rmdir(p->dir);
}

static const struct send_row {
	const char *name;
	bool abstract;
	const char *msg;
} send_rows[] = {
	{ "path: READY", false, "READY=1" },
	{ "path: several assignments", false,
	    "READY=1\nSTATUS=sweep 256 targets, 2 listed\nMAINPID=1" },
	{ "abstract: READY", true, "READY=1" },
	{ "abstract: STOPPING", true, "STOPPING=1" },
	{ "empty message", false, "" },
};

START_TEST(test_send)
{
	const struct send_row *r = &send_rows[_i];
	struct place p;
	char buf[512];
	int fd;

	place_init(&p, r->abstract);
	fd = bind_dgram(p.name);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", p.name, 1), 0);
	ck_assert_int_eq(notify_send(r->msg), 0);
	ck_assert_int_eq(recv_now(fd, buf, sizeof(buf)),
	    (ssize_t)strlen(r->msg));
	ck_assert_msg(strcmp(buf, r->msg) == 0, "%s: got %s", r->name, buf);
	close(fd);
	place_clear(&p);
}
END_TEST

START_TEST(test_reloading)
{
	struct place p;
	unsigned long long usec;
	uint64_t before, after;
	char buf[512], tail;
	int fd;

	place_init(&p, true);
	fd = bind_dgram(p.name);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", p.name, 1), 0);
	before = notify_monotonic_usec();
	ck_assert_int_eq(notify_reloading(), 0);
	after = notify_monotonic_usec();
	recv_now(fd, buf, sizeof(buf));
	ck_assert_msg(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu%c", &usec,
			  &tail) == 1, "got %s", buf);
	ck_assert_uint_ge(usec, before);
	ck_assert_uint_le(usec, after);
	close(fd);
}
END_TEST

static const struct fail_row {
	const char *name;
	const char *sock; /* NULL: unset */
	int want;
} fail_rows[] = {
	{ "unset: not under a service manager", NULL, 0 },
	{ "empty counts as unset", "", 0 },
	{ "a relative path", "run/notify", -EAFNOSUPPORT },
	{ "vsock is not supported", "vsock:2:1234", -EAFNOSUPPORT },
	{ "no such path", "/nonexistent/rblmon/notify", -ENOENT },
	{ "a path of 108 bytes leaves no room for its NUL",
	    "/0123456789012345678901234567890123456789012345678901234567890"
	    "1234567890123456789012345678901234567890123456",
	    -ENAMETOOLONG },
	{ "an abstract name longer than sun_path",
	    "@0123456789012345678901234567890123456789012345678901234567890"
	    "12345678901234567890123456789012345678901234567",
	    -ENAMETOOLONG },
	{ "an abstract name nobody bound", "@rblmon-test-nobody-here",
	    -ECONNREFUSED },
};

START_TEST(test_fail)
{
	const struct fail_row *r = &fail_rows[_i];
	int rc;

	if (r->sock == NULL)
		ck_assert_int_eq(unsetenv("NOTIFY_SOCKET"), 0);
	else
		ck_assert_int_eq(setenv("NOTIFY_SOCKET", r->sock, 1), 0);
	rc = notify_send("READY=1");
	ck_assert_msg(rc == r->want, "%s: %d (%s)", r->name, rc,
	    strerror(-rc));
}
END_TEST

/* The longest path sun_path holds (107 bytes and a NUL) still works. */
START_TEST(test_longest_path)
{
	char dir[] = "/tmp/rblmon-notify-XXXXXX", path[108], buf[64];
	size_t n;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	n = (size_t)snprintf(path, sizeof(path), "%s/", dir);
	memset(path + n, 'n', sizeof(path) - 1 - n);
	path[sizeof(path) - 1] = '\0';
	ck_assert_uint_eq(strlen(path), 107);
	fd = bind_dgram(path);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", path, 1), 0);
	ck_assert_int_eq(notify_send("WATCHDOG=1"), 0);
	recv_now(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "WATCHDOG=1");
	close(fd);
	unlink(path);
	rmdir(dir);
}
END_TEST

static const struct watchdog_row {
	const char *name, *usec, *pid;
	pid_t self;
	uint64_t want;
} watchdog_rows[] = {
	{ "unset", NULL, NULL, 100, 0 },
	{ "usec alone", "30000000", NULL, 100, 30000000 },
	{ "usec for us", "30000000", "100", 100, 30000000 },
	{ "usec for another process", "30000000", "101", 100, 0 },
	{ "empty pid is not ours", "30000000", "", 100, 0 },
	{ "pid not a number", "30000000", "abc", 100, 0 },
	{ "pid with a sign", "30000000", "+100", 100, 0 },
	{ "pid with trailing junk", "30000000", "100x", 100, 0 },
	{ "pid alone", NULL, "100", 100, 0 },
	{ "zero usec", "0", NULL, 100, 0 },
	{ "empty usec", "", NULL, 100, 0 },
	{ "negative usec", "-5", NULL, 100, 0 },
	{ "usec with a space", " 5", NULL, 100, 0 },
	{ "usec with a unit", "30s", NULL, 100, 0 },
	{ "largest usec", "18446744073709551615", NULL, 100, UINT64_MAX },
	{ "usec overflows", "18446744073709551616", NULL, 100, 0 },
	{ "usec overflows to a small number", "18446744073709551617", NULL,
	    100, 0 },
	{ "usec far too long", "999999999999999999999999", NULL, 100, 0 },
	{ "one microsecond", "1", "7", 7, 1 },
};

START_TEST(test_watchdog_parse)
{
	const struct watchdog_row *r = &watchdog_rows[_i];
	uint64_t got = notify_watchdog_parse(r->usec, r->pid, r->self);

	ck_assert_msg(got == r->want, "%s: %llu", r->name,
	    (unsigned long long)got);
}
END_TEST

START_TEST(test_watchdog_env)
{
	char pid[24];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	ck_assert_int_eq(unsetenv("WATCHDOG_PID"), 0);
	ck_assert_int_eq(unsetenv("WATCHDOG_USEC"), 0);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "20000000", 1), 0);
	ck_assert_uint_eq(notify_watchdog_usec(), 20000000);
	ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
	ck_assert_uint_eq(notify_watchdog_usec(), 20000000);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
	ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
}
END_TEST

START_TEST(test_monotonic)
{
	struct timespec ts;
	uint64_t a, b, c;

	a = notify_monotonic_usec();
	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	b = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	c = notify_monotonic_usec();
	ck_assert_uint_le(a, b);
	ck_assert_uint_le(b, c);
	ck_assert_uint_lt(c - a, 1000000);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_add_loop_test(tc, test_send, 0, NROWS(send_rows));
	tcase_add_test(tc, test_reloading);
	tcase_add_loop_test(tc, test_fail, 0, NROWS(fail_rows));
	tcase_add_test(tc, test_longest_path);
	tcase_add_loop_test(tc, test_watchdog_parse, 0, NROWS(watchdog_rows));
	tcase_add_test(tc, test_watchdog_env);
	tcase_add_test(tc, test_monotonic);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(notify_suite());
}

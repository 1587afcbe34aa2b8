/* SPDX-License-Identifier: ISC */
/*
 * sd_notify(3) without libsystemd, as haproxy and OpenSSH do it: one
 * datagram on an AF_UNIX socket named by $NOTIFY_SOCKET, and the watchdog
 * interval read from $WATCHDOG_USEC for the process $WATCHDOG_PID names.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

int
notify_send(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t plen;
	socklen_t alen;
	ssize_t n;
	int fd, rc = 0;

	if (path == NULL || path[0] == '\0')
		return 0;
	if (path[0] != '/' && path[0] != '@')
		return -EAFNOSUPPORT; /* vsock:... is not ours to support */
	plen = strlen(path);
	if (plen > sizeof(sun.sun_path) ||
	    (path[0] == '/' && plen == sizeof(sun.sun_path)))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@') {
		/* Abstract: a leading NUL; the length says where it ends. */
		sun.sun_path[0] = '\0';
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    plen);
	} else {
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    plen + 1);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
	    (const struct sockaddr *)&sun, alen);
	if (n < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int
notify_reloading(void)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)notify_monotonic_usec());
	return notify_send(msg);
}

/* A decimal number, digits only, that fits; 0 for anything else. */
static uint64_t
parse_decimal(const char *s)
{
	uint64_t v = 0;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

uint64_t
notify_watchdog_parse(const char *usec, const char *pid, pid_t self)
{
	if (pid != NULL && (self <= 0 || parse_decimal(pid) != (uint64_t)self))
		return 0;
	return parse_decimal(usec);
}

uint64_t
notify_watchdog_usec(void)
{
	return notify_watchdog_parse(getenv("WATCHDOG_USEC"),
	    getenv("WATCHDOG_PID"), getpid());
}

uint64_t
notify_monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000) +
	    (uint64_t)ts.tv_nsec / 1000;
}

/* SPDX-License-Identifier: ISC */
/*
 * The service manager's notification protocol (sd_notify(3), DESIGN §7):
 * READY=1, RELOADING=1, STOPPING=1, STATUS=... and WATCHDOG=1 datagrams to
 * $NOTIFY_SOCKET, in a few lines of our own instead of libsystemd.
 */
#ifndef RBLMON_NOTIFY_H
#define RBLMON_NOTIFY_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Send msg ("READY=1", "STATUS=...", several assignments separated by
 * newlines) as one datagram to $NOTIFY_SOCKET: a path, or an abstract
 * socket when it begins with '@'. Returns 0 when it was sent or the
 * variable is unset or empty (not run by a service manager), else a
 * negative errno (-EAFNOSUPPORT for an address of another kind,
 * -ENAMETOOLONG, or what socket(2) or sendto(2) said). Never blocks.
 */
int notify_send(const char *msg);

/* "RELOADING=1\nMONOTONIC_USEC=<now>" through notify_send(). */
int notify_reloading(void);

/*
 * The watchdog interval in microseconds: WATCHDOG_USEC when it is a
 * positive decimal number and WATCHDOG_PID is unset or names this
 * process; else 0 (no watchdog, or it is meant for another process).
 * Send "WATCHDOG=1" at half that interval or more often.
 */
uint64_t notify_watchdog_usec(void);

/* The rule above on given values (NULL: unset), for tests. */
uint64_t notify_watchdog_parse(const char *usec, const char *pid,
    pid_t self);

/* CLOCK_MONOTONIC in microseconds, as MONOTONIC_USEC wants it. */
uint64_t notify_monotonic_usec(void);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Alerts, the product (DESIGN §5): one syslog line per event in stable
 * key=value form, and the zone's delisting link filled in for a target.
 * Formatting is pure; alert_open() and alert_send() talk to syslog.
 */
#ifndef RBLMON_ALERT_H
#define RBLMON_ALERT_H

#include <stddef.h>
#include <stdint.h>

struct incident;

/* Longest alert line alert_send() writes, with its NUL. */
#define ALERT_LINE_MAX 2048

/*
 * The key=value line of ev, in this order, each field left out when it
 * is empty: event target group zone codes labels severity (not for
 * storage-error) since (UTC ISO 8601, when since_s is set) duration
 * (delisted only, "3h12m5s") state (zone-up: "ok" when ev->state is "")
 * txt delist detail, and redelivery=1 when set. A value holding a space,
 * '"', '\\', '=' or a byte outside printable ASCII is written in double
 * quotes with '"' and '\\' escaped by a backslash and other bytes as \xNN.
 * Written to buf (len bytes, always NUL-terminated when len > 0). A line
 * that does not fit ends at the first field that does not: a quoted
 * value is cut between whole escapes and ends in ..." (its quote closed),
 * an unquoted one (a name, a code, a time) is never cut but left out;
 * room for redelivery=1 is kept.
 * Returns the length written.
 */
size_t alert_format(const struct incident *ev, char *buf, size_t len);

/* LOG_WARNING for listed, changed, reminder, zone-down and storage-error;
 * LOG_NOTICE for delisted and zone-up. */
int alert_priority(const struct incident *ev);

/* openlog("rblmond", LOG_PID | LOG_NDELAY, facility); alert_send() then
 * logs at that facility (LOG_DAEMON until this is called). */
void alert_open(int facility);

/* Log ev's line (alert_format, at most ALERT_LINE_MAX) at its priority. */
void alert_send(const struct incident *ev);

/*
 * tmpl with every "{target}" replaced by target, into buf (len bytes):
 * "" when tmpl is NULL. Returns the length, or -ENOSPC when the result
 * and its NUL do not fit (buf is then "" when len > 0).
 */
int alert_delist_url(const char *tmpl, const char *target, char *buf,
    size_t len);

/*
 * Helpers the hook shares, so its environment says what the line says.
 * alert_time_format: t (POSIX seconds) as "2026-12-01T10:00:00Z" into buf
 * (at least 21 bytes); returns 0 or -EINVAL (buf is then "").
 * alert_duration_format: seconds as "3h12m5s" ("1d0h0m0s", "0s"; negative
 * counts as 0) into buf (at least 32 bytes); returns its length.
 * alert_state: ev->state, or "ok" for a zone-up event that has none.
 */
int alert_time_format(int64_t t, char *buf, size_t len);
size_t alert_duration_format(int64_t seconds, char *buf, size_t len);
const char *alert_state(const struct incident *ev);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * The events the monitor announces (DESIGN §5): a listing that starts,
 * ends or changes, a reminder, a zone going down or coming back, and a
 * storage failure. A neutral record that the store, the syslog alerts and
 * the hook all consume; it borrows its strings. Pure. Called incident,
 * not event: libevent's handles are `struct event`, in the same files.
 */
#ifndef RBLMON_INCIDENT_H
#define RBLMON_INCIDENT_H

#include <stdbool.h>
#include <stdint.h>

enum incident_kind {
	INCIDENT_LISTED,
	INCIDENT_DELISTED,
	INCIDENT_CHANGED,
	INCIDENT_REMINDER,
	INCIDENT_ZONE_DOWN,
	INCIDENT_ZONE_UP,
	INCIDENT_STORAGE_ERROR,
	INCIDENT_KIND_COUNT
};

/* A zone's `severity`: critical pages, info is a neighbourhood list. */
enum severity {
	SEVERITY_CRITICAL,
	SEVERITY_WARNING,
	SEVERITY_INFO,
	SEVERITY_COUNT
};

/*
 * One event. Every string is borrowed (valid for the call it is passed
 * to), NUL-terminated and never NULL ("" when it does not apply). Strings
 * that came from DNS (txt) are escaped already (escape.h) and at most
 * ESCAPE_TXT_MAX long; the consumers still quote what they print.
 */
struct incident {
	int64_t id;	     /* the store's row id; 0 when not stored */
	int64_t time_s;	     /* wall clock (POSIX seconds) it happened */
	uint8_t kind;	     /* enum incident_kind */
	uint8_t severity;    /* enum severity: the zone's */
	bool redelivery;     /* announced again after a restart */
	const char *target;  /* canonical text; "" for zone and storage events */
	const char *group;   /* the target's [targets NAME]; "" for none */
	const char *zone;    /* "" for storage-error */
	const char *codes;   /* listed codes, "127.0.0.2,127.0.0.4"; "" */
	const char *labels;  /* their labels, "SBL,XBL"; "" */
	const char *txt;     /* the list's TXT reason, escaped; "" */
	const char *delist_url; /* the zone's, {target} filled in; "" */
	const char *state;   /* zone-down: the zone state ("dead"...); "" */
	const char *detail;  /* zone-down: evidence; storage-error: what failed */
	int64_t since_s;     /* listing began (wall clock); 0 unknown */
	int64_t duration_s;  /* delisted: how long it was listed, seconds */
};

/* "listed", "delisted", "changed", "reminder", "zone-down", "zone-up",
 * "storage-error". */
const char *incident_kind_name(enum incident_kind k);
/* The reverse; -EINVAL for an unknown name. */
int incident_kind_parse(const char *s, enum incident_kind *ret);

/* "critical", "warning", "info". */
const char *severity_name(enum severity s);
int severity_parse(const char *s, enum severity *ret);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Zones: a DNSBL's name, what kind of targets it takes, and its return-code
 * sets (listed, refused) and labels. Parsing and matching of code items:
 * a single code, a range "a-b", a CIDR "a/n" or a bit test "&MASK". Pure.
 */
#ifndef RBLMON_ZONE_H
#define RBLMON_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target.h"

enum zone_type { ZONE_IP, ZONE_IP4, ZONE_IP6, ZONE_DOMAIN };

enum code_kind { CODE_RANGE, CODE_MASK };

/* Codes are IPv4 addresses in host byte order. */
struct code_item {
	uint8_t kind; /* enum code_kind */
	uint32_t lo;  /* CODE_RANGE: first code; CODE_MASK: the mask */
	uint32_t hi;  /* CODE_RANGE: last code (inclusive) */
};

struct code_label {
	struct code_item item;
	char *label; /* owned */
};

/* One RFC 5782 §5 test point of a zone (test_listed / test_unlisted). */
enum test_point_mode {
	TEST_POINT_DEFAULT, /* the §5 point of the zone's type */
	TEST_POINT_NONE,    /* "none": this point is not probed */
	TEST_POINT_SET,	    /* the list's own point, in t */
};

struct test_point {
	uint8_t mode;	 /* enum test_point_mode */
	struct target t; /* TEST_POINT_SET: owned */
};

struct zone {
	char *name; /* owned: lower case, no final dot */
	uint8_t type; /* enum zone_type */
	struct code_item *listed; /* none: any 127/8 code (RFC 5782 §6) */
	size_t nlisted;
	struct code_item *refused; /* checked before listed */
	size_t nrefused;
	struct code_label *labels;
	size_t nlabels;
	bool txt;	  /* fetch TXT for listed pairs */
	bool test_points; /* probe RFC 5782 §5 test points */
	struct test_point test_listed;	 /* must be listed */
	struct test_point test_unlisted; /* must not be */
	double max_qps;	  /* 0: unlimited */
	uint64_t interval_ms;  /* 0: the [rblmond] interval */
	uint64_t daily_budget; /* queries per UTC day, all kinds; 0: no cap */
	char *nameservers; /* owned "ip:port,..." or NULL: the global ones */
	uint8_t severity;  /* enum severity (incident.h) */
	char *delist_url;  /* owned, may hold {target}; NULL: none */
};

/*
 * Parse one code item: "127.0.0.2", "127.0.0.2-127.0.0.11",
 * "127.0.0.0/24", "&127.0.0.6" or "&6" (a mask; a bare number tests the
 * last octet). Returns 0 or -EINVAL with a message in err.
 */
int code_item_parse(const char *s, struct code_item *ret, char *err,
    size_t errlen);

/* Does code match? A mask matches a 127/8 code sharing any bit with it. */
bool code_item_match(const struct code_item *item, uint32_t code);

/* Is code inside 127.0.0.0/8? */
bool code_is_loopback(uint32_t code);

/* In the zone's refused set? */
bool zone_code_refused(const struct zone *z, uint32_t code);

/* In the zone's listed set (or any 127/8 code when it has none)? */
bool zone_code_listed(const struct zone *z, uint32_t code);

/*
 * Labels of the given codes: for each code, every label entry that matches,
 * without repeats, in order. Writes at most max pointers (owned by z).
 * Returns how many were written.
 */
size_t zone_labels(const struct zone *z, const uint32_t *codes, size_t ncodes,
    const char **ret_labels, size_t max);

/* Does the zone take targets of this kind? */
bool zone_accepts(const struct zone *z, enum target_kind kind);

/* "ip", "ip4", "ip6", "domain" <-> enum; parse returns -EINVAL if unknown. */
const char *zone_type_name(enum zone_type type);
int zone_type_parse(const char *s, enum zone_type *ret);

/* Format a code as a dotted quad into buf (16 bytes). */
void code_format(uint32_t code, char buf[16]);

/* Free what z owns. Accepts NULL. */
void zone_clear(struct zone *z);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Zone health from the RFC 5782 §5 test points: the positive point
 * (127.0.0.2, ::FFFF:7F00:2, TEST) must be listed, the negative one
 * (127.0.0.1, ::FFFF:7F00:1, INVALID) must not. Pure.
 */
#ifndef RBLMON_HEALTH_H
#define RBLMON_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "classify.h"
#include "target.h"

struct zone;

enum zone_health {
	HEALTH_UNKNOWN, /* not probed yet */
	HEALTH_OK,
	HEALTH_DEAD,	  /* positive point missing, or errors */
	HEALTH_LISTS_ALL, /* negative point listed */
	HEALTH_REFUSED,	  /* the list refuses us */
	HEALTH_BOGUS,	  /* answers outside 127/8: hijack or wildcard */
	HEALTH_COUNT
};

/*
 * Decide from the verdicts of the positive and negative test points.
 * Refused wins, then bogus, then lists-all (the negative point is listed
 * or ignored), then dead (the positive point is not present, or the
 * negative one anything but clean); otherwise ok. The positive point counts as
 * present when it is listed or ignored: any 127/8 code not refused.
 * A zone that probes only one point (the other set to "none") is decided
 * with VERDICT_LISTED for a missing positive point and VERDICT_CLEAN for a
 * missing negative one: a point not asked neither proves nor disproves.
 */
enum zone_health health_decide(enum verdict positive, enum verdict negative);

/* "ok", "dead", "lists-all", "refused", "bogus" ("unknown"). */
const char *health_name(enum zone_health h);

/*
 * The test point of a zone taking targets of kind (positive or negative),
 * written to ret: 127.0.0.2/127.0.0.1, ::ffff:127.0.0.2/::ffff:127.0.0.1,
 * or the domains "test"/"invalid" (static text: do not target_clear it).
 */
void health_test_point(enum target_kind kind, bool positive,
    struct target *ret);

/*
 * The positive (must be listed) or negative test point zone z probes,
 * written to *ret: the zone's own test_listed / test_unlisted, else the
 * RFC 5782 §5 point of its type. *ret is a view into z or static text:
 * never target_clear it. False when the zone probes no such point
 * (test_points = no, or the point set to "none").
 */
bool health_zone_point(const struct zone *z, bool positive,
    struct target *ret);

#endif

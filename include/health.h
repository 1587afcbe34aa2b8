/* SPDX-License-Identifier: ISC */
/*
 * Zone health from the RFC 5782 §5 test points: the positive point
 * (127.0.0.2, ::FFFF:7F00:2, TEST) must be listed, the negative one
 * (127.0.0.1, ::FFFF:7F00:1, INVALID) must not; the state a zone is held
 * in once probes agree, and when its answers call for an early probe. Pure.
 */
#ifndef RBLMON_HEALTH_H
#define RBLMON_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * A zone's accepted health with hysteresis: one lost probe packet must
 * not make a zone dead, so a new state needs agreeing probe rounds in a
 * row. Zeroed memory is a valid start (everything HEALTH_UNKNOWN).
 */
struct health_track {
	/* enum zone_health: the accepted state; HEALTH_UNKNOWN before any */
	uint8_t state;
	/* A differing decision waiting for agreement; HEALTH_UNKNOWN: none */
	uint8_t cand;
	uint8_t agree; /* probes agreeing with cand so far */
};

enum health_step {
	HEALTH_STEP_SAME,    /* the accepted state stands, nothing waits */
	HEALTH_STEP_PENDING, /* a differing decision waits: probe again soon */
	HEALTH_STEP_CHANGED, /* a new state was accepted */
};

/*
 * Feed one probe round's decision (health_decide's result). From UNKNOWN,
 * HEALTH_OK is accepted at once (CHANGED). Any other first decision, and
 * any decision differing from an accepted state, is a candidate that
 * needs `need` agreeing rounds in a row (need 0 or 1 acts as 1, above
 * UINT8_MAX as UINT8_MAX): PENDING until then (the caller probes again
 * soon), CHANGED when accepted. A decision equal to the state drops the
 * candidate (SAME). A different candidate replaces the old one with a
 * count of 1. HEALTH_UNKNOWN (or a value out of range) decided nothing:
 * it changes nothing and neither agrees nor breaks the run (PENDING when
 * a candidate waits, else SAME).
 */
enum health_step health_track_step(struct health_track *t,
    enum zone_health decided, unsigned need);

/* Answers a window needs before it can call a zone's answers bad. */
#define HEALTH_WINDOW_MIN 32
/* When a window holds this many answers, both counts are halved, so it
 * follows the recent answers and never overflows. Even, so halving keeps
 * health_window_bad's answer. */
#define HEALTH_WINDOW_MAX 256

/*
 * Early-probe trigger: are the recent answers of a zone's targets mostly
 * refused, bogus or error? Zeroed memory is an empty window.
 */
struct health_window {
	uint16_t n, bad;
};

/* Count one answer: refused, bogus and error are bad; clean, listed and
 * ignored good; suppressed (and anything out of range) is not counted. */
void health_window_add(struct health_window *w, enum verdict v);

/* At least HEALTH_WINDOW_MIN answers counted, and at least half bad. */
bool health_window_bad(const struct health_window *w);

/* Empty the window (after a probe round has looked at the zone). */
void health_window_reset(struct health_window *w);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Zone health from the RFC 5782 §5 test points: a list must list its
 * positive point and must not list its negative one; a new state is
 * accepted only after agreeing rounds, and a window of the zone's recent
 * answers says when to probe early. Pure.
 */
#include <stdint.h>
#include <string.h>

#include "health.h"
#include "zone.h"

/* A positive point is present when it answers any 127/8 code not refused. */
static bool
health_present(enum verdict v)
{
	return v == VERDICT_LISTED || v == VERDICT_IGNORED;
}

enum zone_health
health_decide(enum verdict positive, enum verdict negative)
{
	if (positive == VERDICT_REFUSED || negative == VERDICT_REFUSED)
		return HEALTH_REFUSED;
	if (positive == VERDICT_BOGUS || negative == VERDICT_BOGUS)
		return HEALTH_BOGUS;
	if (health_present(negative))
		return HEALTH_LISTS_ALL;
	/*
	 * A missing positive point, or a negative point we could not get
	 * a clean answer for, means the list cannot be trusted to answer.
	 * Verdicts classify never gives (suppressed) land here too.
	 */
	if (!health_present(positive) || negative != VERDICT_CLEAN)
		return HEALTH_DEAD;
	return HEALTH_OK;
}

const char *
health_name(enum zone_health h)
{
	static const char *const names[HEALTH_COUNT] = {
		[HEALTH_UNKNOWN] = "unknown",
		[HEALTH_OK] = "ok",
		[HEALTH_DEAD] = "dead",
		[HEALTH_LISTS_ALL] = "lists-all",
		[HEALTH_REFUSED] = "refused",
		[HEALTH_BOGUS] = "bogus",
	};

	return (unsigned)h < HEALTH_COUNT ? names[h] : "unknown";
}

void
health_test_point(enum target_kind kind, bool positive, struct target *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->kind = (uint8_t)kind;
	switch (kind) {
	case TARGET_IPV4:
		ret->u.addr[0] = 127;
		ret->u.addr[3] = positive ? 2 : 1;
		break;
	case TARGET_IPV6:
		/* ::FFFF:7F00:2 and ::FFFF:7F00:1 */
		ret->u.addr[10] = 0xff;
		ret->u.addr[11] = 0xff;
		ret->u.addr[12] = 127;
		ret->u.addr[15] = positive ? 2 : 1;
		break;
	default:
		/*
		 * RFC 5782 §5 domain test points. The field is char * because
		 * parsed targets own their text; this points at static text
		 * instead, so the const is cast away (through uintptr_t, as
		 * -Wcast-qual wants) and callers must not target_clear it.
		 */
		ret->u.domain = (char *)(uintptr_t)(positive ? "test" :
		    "invalid");
		break;
	}
}

bool
health_zone_point(const struct zone *z, bool positive, struct target *ret)
{
	const struct test_point *p = positive ? &z->test_listed :
	    &z->test_unlisted;
	enum target_kind kind = z->type == ZONE_DOMAIN ? TARGET_DOMAIN :
	    z->type == ZONE_IP6 ? TARGET_IPV6 : TARGET_IPV4;

	if (!z->test_points || p->mode == TEST_POINT_NONE)
		return false;
	if (p->mode == TEST_POINT_SET) {
		*ret = p->t;
		return true;
	}
	health_test_point(kind, positive, ret);
	return true;
}

/* Take decided as the zone's state; nothing waits any more. */
static enum health_step
health_track_accept(struct health_track *t, enum zone_health decided)
{
	t->state = (uint8_t)decided;
	t->cand = HEALTH_UNKNOWN;
	t->agree = 0;
	return HEALTH_STEP_CHANGED;
}

enum health_step
health_track_step(struct health_track *t, enum zone_health decided,
    unsigned need)
{
	/* need 0 needs no guard: the first round already agrees once. */
	if (need > UINT8_MAX)
		need = UINT8_MAX;
	/* A round that decided nothing is no evidence either way. */
	if (decided == HEALTH_UNKNOWN || (unsigned)decided >= HEALTH_COUNT)
		return t->cand != HEALTH_UNKNOWN ? HEALTH_STEP_PENDING :
		    HEALTH_STEP_SAME;
	if (decided == t->state) {
		t->cand = HEALTH_UNKNOWN;
		t->agree = 0;
		return HEALTH_STEP_SAME;
	}
	/*
	 * A healthy first answer needs no second opinion: it raises no
	 * alert, and waiting would only hold back the zone's results.
	 */
	if (t->state == HEALTH_UNKNOWN && decided == HEALTH_OK)
		return health_track_accept(t, decided);
	/* A waiting candidate has agree < need <= UINT8_MAX: no overflow. */
	if (t->cand == decided) {
		t->agree++;
	} else {
		t->cand = (uint8_t)decided;
		t->agree = 1;
	}
	if (t->agree < need)
		return HEALTH_STEP_PENDING;
	return health_track_accept(t, decided);
}

void
health_window_add(struct health_window *w, enum verdict v)
{
	switch (v) {
	case VERDICT_REFUSED:
	case VERDICT_BOGUS:
	case VERDICT_ERROR:
		w->bad++;
		break;
	case VERDICT_CLEAN:
	case VERDICT_LISTED:
	case VERDICT_IGNORED:
		break;
	default:
		/* Suppressed says nothing about the zone's answers. */
		return;
	}
	w->n++;
	/* Halving an even count keeps "at least half bad" as it was. */
	if (w->n >= HEALTH_WINDOW_MAX) {
		w->n /= 2;
		w->bad /= 2;
	}
}

bool
health_window_bad(const struct health_window *w)
{
	return w->n >= HEALTH_WINDOW_MIN && (uint32_t)w->bad * 2 >= w->n;
}

void
health_window_reset(struct health_window *w)
{
	w->n = 0;
	w->bad = 0;
}

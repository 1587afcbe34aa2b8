/* SPDX-License-Identifier: ISC */
/*
 * Live checks: a fixed table of checks, each waiting for its zone's
 * token, asking A, then (listed, with TXT) waiting and asking TXT; one
 * timer that runs them from the loop and wakes when a token is due.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "classify.h"
#include "livecheck.h"
#include "target.h"
#include "zone.h"

enum lc_state { LC_FREE, LC_WAIT_A, LC_ASK_A, LC_WAIT_TXT, LC_ASK_TXT };

struct lc_check {
	struct livecheck *lc;
	uint8_t state; /* enum lc_state */
	uint8_t ncodes;
	uint32_t zi;
	uint32_t ttl;
	const struct zone *z;
	uint64_t started_ms;
	livecheck_cb *cb;
	void *arg;
	char qname[TARGET_QNAME_MAX + 1];
	uint32_t codes[ANSWER_MAX_ADDRS];
};

struct livecheck {
	struct livecheck_io io;
	struct event *kick;
	size_t used;
	struct lc_check checks[LIVECHECK_MAX];
};

static uint64_t
lc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
lc_arm(struct livecheck *lc, uint64_t wait_ms)
{
	struct timeval tv = {
		.tv_sec = (time_t)(wait_ms / 1000u),
		.tv_usec = (suseconds_t)(wait_ms % 1000u * 1000u),
	};

	evtimer_add(lc->kick, &tv);
}

/* Free c's slot, then tell its asker. */
static void
lc_finish(struct lc_check *c, const struct result *res)
{
	livecheck_cb *cb = c->cb;
	void *arg = c->arg;
	uint64_t ms = lc_now_ms() - c->started_ms;

	c->state = LC_FREE;
	c->lc->used--;
	cb(res, ms, arg);
}

static void
lc_fail(struct lc_check *c, const char *error)
{
	struct result res = {.verdict = VERDICT_ERROR, .error = error};

	lc_finish(c, &res);
}

static void
lc_listed(struct lc_check *c, const char *txt)
{
	struct result res = {
		.verdict = VERDICT_LISTED,
		.ncodes = c->ncodes,
		.ttl = c->ttl,
		.codes = c->codes,
		.txt = txt,
	};

	lc_finish(c, &res);
}

static void
lc_answer_cb(const struct answer *a, void *arg)
{
	struct lc_check *c = arg;
	struct result res;

	if (c->state == LC_ASK_TXT) {
		/* The listing stands whatever became of its TXT. */
		lc_listed(c, a->status == ANSWER_RECORDS ? a->txt : NULL);
		return;
	}
	memset(&res, 0, sizeof(res));
	res.verdict = (uint8_t)classify_answer(c->z, a);
	res.ncodes = a->naddrs;
	res.codes = a->addrs;
	res.ttl = a->ttl;
	res.error = a->error;
	if (res.verdict == VERDICT_LISTED && c->z->txt) {
		c->ncodes = a->naddrs;
		c->ttl = a->ttl;
		memcpy(c->codes, a->addrs, a->naddrs * sizeof(*a->addrs));
		c->state = LC_WAIT_TXT;
		lc_arm(c->lc, 0);
		return;
	}
	lc_finish(c, &res);
}

/* Send c's next query if its zone has a token; else the wait, in ms. */
static uint64_t
lc_try(struct livecheck *lc, struct lc_check *c)
{
	bool txt = c->state == LC_WAIT_TXT;
	uint64_t wait_ns;

	if (!lc->io.take(lc->io.ctx, c->zi, &wait_ns)) {
		if (wait_ns / 1000000u <= LIVECHECK_WAIT_MAX_MS)
			return wait_ns / 1000000u + 1;
		if (txt)
			lc_listed(c, NULL);
		else
			lc_fail(c, "the zone's daily budget is spent for "
			    "today (UTC)");
		return UINT64_MAX;
	}
	c->state = txt ? LC_ASK_TXT : LC_ASK_A;
	if (lc->io.query(lc->io.ctx, c->zi, c->qname, txt ? RESOLVER_TXT :
	    RESOLVER_A, lc_answer_cb, c) != 0) {
		if (txt)
			lc_listed(c, NULL);
		else
			lc_fail(c, "out of memory");
	}
	return UINT64_MAX;
}

static void
lc_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct livecheck *lc = arg;
	uint64_t wait = UINT64_MAX;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < LIVECHECK_MAX; i++) {
		struct lc_check *c = &lc->checks[i];
		uint64_t w;

		if (c->state != LC_WAIT_A && c->state != LC_WAIT_TXT)
			continue;
		if ((w = lc_try(lc, c)) < wait)
			wait = w;
	}
	if (wait != UINT64_MAX)
		lc_arm(lc, wait);
}

int
livecheck_new(struct event_base *base, const struct livecheck_io *io,
    struct livecheck **ret)
{
	struct livecheck *lc = calloc(1, sizeof(*lc));

	if (lc == NULL)
		return -ENOMEM;
	lc->io = *io;
	if ((lc->kick = evtimer_new(base, lc_kick_cb, lc)) == NULL) {
		free(lc);
		return -ENOMEM;
	}
	for (size_t i = 0; i < LIVECHECK_MAX; i++)
		lc->checks[i].lc = lc;
	*ret = lc;
	return 0;
}

int
livecheck_start(struct livecheck *lc, const struct zone *z, uint32_t zi,
    const struct target *t, livecheck_cb *cb, void *arg)
{
	struct lc_check *c = NULL;

	if (!zone_accepts(z, (enum target_kind)t->kind))
		return -EINVAL;
	for (size_t i = 0; i < LIVECHECK_MAX && c == NULL; i++)
		if (lc->checks[i].state == LC_FREE)
			c = &lc->checks[i];
	if (c == NULL)
		return -EBUSY;
	if (target_qname(t, z->name, c->qname, sizeof(c->qname)) < 0)
		return -EINVAL;
	c->state = LC_WAIT_A;
	c->z = z;
	c->zi = zi;
	c->cb = cb;
	c->arg = arg;
	c->ncodes = 0;
	c->started_ms = lc_now_ms();
	lc->used++;
	lc_arm(lc, 0);
	return 0;
}

size_t
livecheck_pending(const struct livecheck *lc)
{
	return lc->used;
}

void
livecheck_abort(struct livecheck *lc, const char *why)
{
	if (lc == NULL)
		return;
	lc->io.cancel(lc->io.ctx);
	evtimer_del(lc->kick);
	for (size_t i = 0; i < LIVECHECK_MAX; i++)
		if (lc->checks[i].state != LC_FREE)
			lc_fail(&lc->checks[i], why);
}

void
livecheck_free(struct livecheck *lc)
{
	if (lc == NULL)
		return;
	livecheck_abort(lc, "the daemon is stopping");
	event_free(lc->kick);
	free(lc);
}

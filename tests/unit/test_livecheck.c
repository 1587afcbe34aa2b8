/* SPDX-License-Identifier: ISC */
/*
 * Live checks against a fake io: the zone's token comes first, a listed
 * answer of a TXT zone asks TXT too, a spent budget fails at once, a
 * short wait is waited, the table is bounded, and an abort answers every
 * check exactly once. The event loop is real; DNS is the fake's.
 */
#include <errno.h>
#include <string.h>

#include <event2/event.h>

#include "classify.h"
#include "livecheck.h"
#include "target.h"
#include "unit.h"
#include "zone.h"

#define MAXQ 128

struct fake {
	/* Tokens the zone has; after that each take says wait_ns. */
	int tokens;
	uint64_t wait_ns;
	int takes;
	/* Queries sent, in order. */
	int nq;
	char qname[MAXQ][TARGET_QNAME_MAX + 1];
	enum resolver_qtype qtype[MAXQ];
	resolver_cb *cb[MAXQ];
	void *arg[MAXQ];
	bool answered[MAXQ];
	int cancels;
	int fail_query; /* queries from this one on fail (-ENOMEM); 0: none */
};

static int
fake_query(void *ctx, uint32_t zone, const char *qname,
    enum resolver_qtype type, resolver_cb *cb, void *cb_arg)
{
	struct fake *f = ctx;

	(void)zone;
	if (f->fail_query > 0 && f->nq + 1 >= f->fail_query)
		return -ENOMEM;
	ck_assert_int_lt(f->nq, MAXQ);
	snprintf(f->qname[f->nq], sizeof(f->qname[0]), "%s", qname);
	f->qtype[f->nq] = type;
	f->cb[f->nq] = cb;
	f->arg[f->nq] = cb_arg;
	f->nq++;
	return 0;
}

static void
fake_cancel(void *ctx)
{
	struct fake *f = ctx;

	f->cancels++;
	for (int i = 0; i < f->nq; i++)
		f->answered[i] = true; /* dropped: never called */
}

static bool
fake_take(void *ctx, uint32_t zone, uint64_t *ret_wait_ns)
{
	struct fake *f = ctx;

	(void)zone;
	f->takes++;
	if (f->tokens > 0) {
		f->tokens--;
		*ret_wait_ns = 0;
		return true;
	}
	*ret_wait_ns = f->wait_ns;
	return false;
}

/* Answer query i with status and addrs (and txt for TXT). */
static void
fake_answer(struct fake *f, int i, enum answer_status st,
    const uint32_t *addrs, int n, const char *txt)
{
	struct answer a;

	ck_assert_int_lt(i, f->nq);
	ck_assert(!f->answered[i]);
	memset(&a, 0, sizeof(a));
	a.status = (uint8_t)st;
	a.naddrs = (uint8_t)n;
	for (int k = 0; k < n; k++)
		a.addrs[k] = addrs[k];
	a.txt = txt;
	a.error = st == ANSWER_ERROR ? "timeout" : NULL;
	f->answered[i] = true;
	f->cb[i](&a, f->arg[i]);
}

struct got {
	int calls;
	uint8_t verdict;
	uint8_t ncodes;
	uint32_t code0;
	char txt[128];
	char error[128];
	bool had_txt;
};

static void
got_cb(const struct result *res, uint64_t ms, void *arg)
{
	struct got *g = arg;

	(void)ms;
	g->calls++;
	g->verdict = res->verdict;
	g->ncodes = res->ncodes;
	g->code0 = res->ncodes > 0 ? res->codes[0] : 0;
	g->had_txt = res->txt != NULL;
	snprintf(g->txt, sizeof(g->txt), "%s", res->txt ? res->txt : "");
	snprintf(g->error, sizeof(g->error), "%s", res->error ? res->error :
	    "");
}

struct env {
	struct event_base *base;
	struct fake f;
	struct livecheck *lc;
	struct zone z;
	struct target t;
};

static void
env_init(struct env *e, bool txt)
{
	static char name[] = "zen.example";
	struct livecheck_io io = { fake_query, fake_cancel, fake_take, NULL };
	char err[128];

	memset(e, 0, sizeof(*e));
	e->base = event_base_new();
	ck_assert_ptr_nonnull(e->base);
	io.ctx = &e->f;
	e->f.tokens = 1000;
	ck_assert_int_eq(livecheck_new(e->base, &io, &e->lc), 0);
	e->z.name = name;
	e->z.type = ZONE_IP;
	e->z.txt = txt;
	ck_assert_int_eq(target_parse_ip("192.0.2.25", &e->t, err,
	    sizeof(err)), 0);
}

static void
env_free(struct env *e)
{
	livecheck_free(e->lc);
	event_base_free(e->base);
}

/* Run the loop until nothing is pending now (timers of 0 s included). */
static void
env_turn(struct env *e)
{
	for (int i = 0; i < 4; i++)
		event_base_loop(e->base, EVLOOP_NONBLOCK);
}

#define CODE(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

START_TEST(test_clean_answer)
{
	struct env e;
	struct got g = { 0 };

	env_init(&e, true);
	ck_assert_int_eq(livecheck_start(e.lc, &e.z, 0, &e.t, got_cb, &g), 0);
	ck_assert_int_eq(g.calls, 0); /* never from inside the start */
	ck_assert_int_eq(e.f.nq, 0);
	env_turn(&e);
	ck_assert_int_eq(e.f.nq, 1);
	ck_assert_str_eq(e.f.qname[0], "25.2.0.192.zen.example");
	ck_assert_int_eq(e.f.qtype[0], RESOLVER_A);
	ck_assert_int_eq(e.f.takes, 1);
	fake_answer(&e.f, 0, ANSWER_NXDOMAIN, NULL, 0, NULL);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.verdict, VERDICT_CLEAN);
	ck_assert_uint_eq(livecheck_pending(e.lc), 0);
	env_free(&e);
}
END_TEST

/* Rows: a listed answer with and without TXT, and what the TXT got. */
static const struct {
	const char *name;
	bool zone_txt;
	enum answer_status txt_status; /* of the TXT answer, if asked */
	const char *txt;
	int want_queries;
	const char *want_txt; /* NULL: no TXT in the result */
} listed_rows[] = {
	{ "txt zone, TXT answered", true, ANSWER_RECORDS, "Listed, see x", 2,
	    "Listed, see x" },
	{ "txt zone, TXT failed", true, ANSWER_ERROR, NULL, 2, NULL },
	{ "txt zone, TXT NXDOMAIN", true, ANSWER_NXDOMAIN, NULL, 2, NULL },
	{ "no txt", false, ANSWER_RECORDS, NULL, 1, NULL },
};

START_TEST(test_listed)
{
	struct env e;
	struct got g = { 0 };
	uint32_t code = CODE(127, 0, 0, 4);

	env_init(&e, listed_rows[_i].zone_txt);
	ck_assert_int_eq(livecheck_start(e.lc, &e.z, 0, &e.t, got_cb, &g), 0);
	env_turn(&e);
	fake_answer(&e.f, 0, ANSWER_RECORDS, &code, 1, NULL);
	env_turn(&e);
	ck_assert_msg(e.f.nq == listed_rows[_i].want_queries, "%s: %d queries",
	    listed_rows[_i].name, e.f.nq);
	if (e.f.nq == 2) {
		ck_assert_int_eq(g.calls, 0);
		ck_assert_int_eq(e.f.qtype[1], RESOLVER_TXT);
		ck_assert_int_eq(e.f.takes, 2); /* TXT took a token too */
		fake_answer(&e.f, 1, listed_rows[_i].txt_status, NULL, 0,
		    listed_rows[_i].txt);
	}
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.verdict, VERDICT_LISTED);
	ck_assert_int_eq(g.ncodes, 1);
	ck_assert_uint_eq(g.code0, code);
	if (listed_rows[_i].want_txt == NULL)
		ck_assert_msg(!g.had_txt, "%s", listed_rows[_i].name);
	else
		ck_assert_str_eq(g.txt, listed_rows[_i].want_txt);
	env_free(&e);
}
END_TEST

START_TEST(test_budget_spent)
{
	struct env e;
	struct got g = { 0 };

	env_init(&e, false);
	e.f.tokens = 0;
	e.f.wait_ns = (uint64_t)(LIVECHECK_WAIT_MAX_MS + 1) * 1000000u;
	ck_assert_int_eq(livecheck_start(e.lc, &e.z, 0, &e.t, got_cb, &g), 0);
	env_turn(&e);
	ck_assert_int_eq(e.f.nq, 0);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.verdict, VERDICT_ERROR);
	ck_assert_ptr_nonnull(strstr(g.error, "budget"));
	env_free(&e);
}
END_TEST

START_TEST(test_short_wait)
{
	struct env e;
	struct got g = { 0 };

	env_init(&e, false);
	e.f.tokens = 0;
	e.f.wait_ns = 20u * 1000000u; /* a max_qps wait: 20 ms */
	ck_assert_int_eq(livecheck_start(e.lc, &e.z, 0, &e.t, got_cb, &g), 0);
	env_turn(&e);
	ck_assert_int_eq(e.f.nq, 0);
	ck_assert_int_eq(g.calls, 0); /* waits, does not fail */
	e.f.tokens = 1;
	/* The timer is armed for the wait: the loop sends once it fires. */
	for (int i = 0; i < 200 && e.f.nq == 0; i++)
		event_base_loop(e.base, EVLOOP_ONCE);
	ck_assert_int_eq(e.f.nq, 1);
	fake_answer(&e.f, 0, ANSWER_ERROR, NULL, 0, NULL);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.verdict, VERDICT_ERROR);
	ck_assert_str_eq(g.error, "timeout");
	env_free(&e);
}
END_TEST

START_TEST(test_bounded_and_abort)
{
	static struct got g[LIVECHECK_MAX + 1];
	struct env e;

	memset(g, 0, sizeof(g));
	env_init(&e, false);
	for (int i = 0; i < LIVECHECK_MAX; i++)
		ck_assert_int_eq(livecheck_start(e.lc, &e.z, 0, &e.t, got_cb,
		    &g[i]), 0);
	ck_assert_int_eq(livecheck_start(e.lc, &e.z, 0, &e.t, got_cb,
	    &g[LIVECHECK_MAX]), -EBUSY);
	ck_assert_uint_eq(livecheck_pending(e.lc), LIVECHECK_MAX);
	env_turn(&e);
	ck_assert_int_eq(e.f.nq, LIVECHECK_MAX);
	/* Half answered; the rest aborted, each exactly once. */
	for (int i = 0; i < LIVECHECK_MAX / 2; i++)
		fake_answer(&e.f, i, ANSWER_NXDOMAIN, NULL, 0, NULL);
	livecheck_abort(e.lc, "the configuration was reloaded");
	ck_assert_int_eq(e.f.cancels, 1);
	for (int i = 0; i < LIVECHECK_MAX; i++) {
		ck_assert_int_eq(g[i].calls, 1);
		if (i >= LIVECHECK_MAX / 2) {
			ck_assert_int_eq(g[i].verdict, VERDICT_ERROR);
			ck_assert_str_eq(g[i].error,
			    "the configuration was reloaded");
		}
	}
	ck_assert_int_eq(g[LIVECHECK_MAX].calls, 0);
	ck_assert_uint_eq(livecheck_pending(e.lc), 0);
	/* Room again. */
	ck_assert_int_eq(livecheck_start(e.lc, &e.z, 0, &e.t, got_cb,
	    &g[LIVECHECK_MAX]), 0);
	env_free(&e); /* frees with one pending: answered by the free */
	ck_assert_int_eq(g[LIVECHECK_MAX].calls, 1);
	ck_assert_str_eq(g[LIVECHECK_MAX].error, "the daemon is stopping");
}
END_TEST

START_TEST(test_refusals)
{
	struct env e;
	struct got g = { 0 };
	struct target d;
	char err[128];

	env_init(&e, false);
	/* An ip zone does not take a domain. */
	ck_assert_int_eq(target_parse_domain("example.com", &d, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(livecheck_start(e.lc, &e.z, 0, &d, got_cb, &g),
	    -EINVAL);
	target_clear(&d);
	/* A query the resolver cannot take ends the check with an error. */
	e.f.fail_query = 1;
	ck_assert_int_eq(livecheck_start(e.lc, &e.z, 0, &e.t, got_cb, &g), 0);
	env_turn(&e);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.verdict, VERDICT_ERROR);
	env_free(&e);
}
END_TEST

static Suite *
livecheck_suite(void)
{
	Suite *s = suite_create("livecheck");
	TCase *tc = tcase_create("livecheck");

	tcase_add_test(tc, test_clean_answer);
	tcase_add_loop_test(tc, test_listed, 0,
	    sizeof(listed_rows) / sizeof(listed_rows[0]));
	tcase_add_test(tc, test_budget_spent);
	tcase_add_test(tc, test_short_wait);
	tcase_add_test(tc, test_bounded_and_abort);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(livecheck_suite());
}

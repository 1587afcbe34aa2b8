/* SPDX-License-Identifier: ISC */
/*
 * The sweep's doors for the control socket, through the fake io and fake
 * clocks of sweep_fake.h: the last decided probe round of a zone and when
 * it was decided, a token of a zone's limiter taken for a live check (and
 * counted like the sweep's own), and a zone's cycle started now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config.h"
#include "diagnose.h"
#include "health.h"
#include "sweep.h"
#include "sweep_fake.h"
#include "target.h"
#include "unit.h"
#include "zone.h"

#define POS "2.0.0.127.a.test" /* a.test's positive test point */
#define NEG "1.0.0.127.a.test"
#define PROBES "*.0.0.127.a.test" /* either of them */
#define SEEN_CYCLES 64

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct seen {
	size_t nres;
	size_t nzc;
	struct sweep_cycle cyc[SEEN_CYCLES];
	size_t ncyc;
	unsigned done;
};

static struct fake fake;
static struct seen seen;

static void
seen_result_cb(const struct sweep_result *r, void *arg)
{
	(void)r;
	((struct seen *)arg)->nres++;
}

static void
seen_zone_cb(uint32_t zone, enum zone_health from, enum zone_health to,
    const struct diagnose_probe probes[2], void *arg)
{
	(void)zone;
	(void)from;
	(void)to;
	(void)probes;
	((struct seen *)arg)->nzc++;
}

static void
seen_cycle_cb(uint32_t zone, const struct sweep_cycle *cy, void *arg)
{
	struct seen *sn = arg;

	ck_assert_uint_eq(zone, 0);
	ck_assert_uint_lt(sn->ncyc, SEEN_CYCLES);
	sn->cyc[sn->ncyc++] = *cy;
}

static void
seen_done_cb(void *arg)
{
	((struct seen *)arg)->done++;
}

/* Fresh fake and records, the config ([rblmond] keys first), no sweep. */
static void
run_load(struct fake_run *run, const struct rule *rules, const char *body)
{
	fake_run_load(run, &fake, rules, "[rblmond]\ntimeout = 1s\ntries = 1\n"
	    "jitter = 0%\n", body);
	memset(&seen, 0, sizeof(seen));
}

static void
run_sweep(struct fake_run *run, bool once)
{
	struct sweep_options so = {
		.once = once, .health_need = SWEEP_HEALTH_NEED,
	};
	struct sweep_callbacks cbs = {
		.result_cb = seen_result_cb, .zone_cb = seen_zone_cb,
		.cycle_cb = seen_cycle_cb, .done_cb = seen_done_cb,
		.arg = &seen,
	};

	fake_run_new(run, &so, &cbs);
	sweep_start(run->s);
}

static void
expect_str(const char *row, const char *what, const char *got,
    const char *want)
{
	ck_assert_msg(strcmp(got, want) == 0, "%s: %s\n%s\nwant\n%s", row,
	    what, got, want);
}

/* -- 1. the last decided probe round ------------------------------------ */

static const char *const outcome_names[] = {
	"not-probed", "nxdomain", "nodata", "codes", "timeout", "refused",
	"no-server", "failed",
};

/* "none" for a zeroed probe, else "OUTCOME VERDICT[ CODE][ (ERROR)]". */
static void
probe_format(const struct diagnose_probe *p, char *buf, size_t len)
{
	char code[16];
	size_t n;

	if (p->outcome == 0 && p->verdict == 0 && p->code == 0 &&
	    p->error == NULL) {
		snprintf(buf, len, "none");
		return;
	}
	ck_assert_uint_lt(p->outcome, sizeof(outcome_names) /
	    sizeof(outcome_names[0]));
	n = (size_t)snprintf(buf, len, "%s %s", outcome_names[p->outcome],
	    verdict_name((enum verdict)p->verdict));
	if (p->code != 0) {
		code_format(p->code, code);
		n += (size_t)snprintf(buf + n, len - n, " %s", code);
	}
	if (p->error != NULL)
		snprintf(buf + n, len - n, " (%s)", p->error);
}

/*
 * sweep_zone_probes as "SECONDS POS / NEG", SECONDS from MIDNIGHT (or 0
 * before the first round). The array is filled with junk first, so that
 * what is not written shows.
 */
static void
probes_format(const struct sweep *s, char *buf, size_t len)
{
	struct diagnose_probe p[2];
	char pos[128], neg[128];
	int64_t at;

	memset(p, 0xa5, sizeof(p));
	at = sweep_zone_probes(s, 0, p);
	probe_format(&p[0], pos, sizeof(pos));
	probe_format(&p[1], neg, sizeof(neg));
	snprintf(buf, len, "%lld %s / %s",
	    (long long)(at == 0 ? 0 : at - MIDNIGHT), pos, neg);
}

static const struct rule rules_dead[] = { { POS, "nx" }, { 0 } };
static const struct rule rules_all[] = { { NEG, "listed" }, { 0 } };
static const struct rule rules_timeout[] = {
	{ "*.0.0.127.a.test", "error" }, { 0 }
};
static const struct rule rules_refused[] = { { POS, "a:3" }, { 0 } };
static const struct rule rules_bogus[] = { { POS, "bogus" }, { 0 } };
static const struct rule rules_reask[] = { { POS, "connfail-once" }, { 0 } };

#define GOOD_POS "codes listed 127.0.0.2"
#define GOOD_NEG "nxdomain clean"

struct probe_round {
	const struct rule *rules; /* how its test points answer */
	const char *pos, *neg;	  /* what sweep_zone_probes says after it */
	const char *health;	  /* the zone's accepted state after it */
};

static const struct probe_row {
	const char *name;
	const char *zone; /* more [zone a.test] keys */
	struct probe_round round[3]; /* up to the first with pos NULL */
} probe_rows[] = {
	{ "right test points", "",
	    { { NULL, GOOD_POS, GOOD_NEG, "ok" } } },
	{ "positive point missing, twice", "",
	    { { rules_dead, "nxdomain clean", GOOD_NEG, "unknown" },
	      { rules_dead, "nxdomain clean", GOOD_NEG, "dead" } } },
	{ "negative point listed", "",
	    { { rules_all, GOOD_POS, "codes listed 127.0.0.2", "unknown" } } },
	{ "timeouts", "",
	    { { rules_timeout, "timeout error (timeout)",
	      "timeout error (timeout)", "unknown" } } },
	{ "a refused code", "refused = 127.0.0.3\n",
	    { { rules_refused, "codes refused 127.0.0.3", GOOD_NEG,
	      "unknown" } } },
	{ "an answer outside 127/8", "",
	    { { rules_bogus, "codes bogus 10.0.0.1", GOOD_NEG, "unknown" } } },
	{ "a connection failure asked again: its second answer", "",
	    { { rules_reask, GOOD_POS, GOOD_NEG, "ok" } } },
	{ "test_listed = none: no positive point", "test_listed = none\n",
	    { { NULL, "none", GOOD_NEG, "ok" } } },
	{ "a second round that disagrees: its outcome, the state kept", "",
	    { { NULL, GOOD_POS, GOOD_NEG, "ok" },
	      { rules_dead, "nxdomain clean", GOOD_NEG, "ok" } } },
	{ "a second round with the negative point listed", "",
	    { { NULL, GOOD_POS, GOOD_NEG, "ok" },
	      { rules_all, GOOD_POS, "codes listed 127.0.0.2", "ok" } } },
	{ "a bad first round, then a good one", "",
	    { { rules_dead, "nxdomain clean", GOOD_NEG, "unknown" },
	      { NULL, GOOD_POS, GOOD_NEG, "ok" } } },
	{ "three rounds: always the last", "",
	    { { NULL, GOOD_POS, GOOD_NEG, "ok" },
	      { rules_timeout, "timeout error (timeout)",
	      "timeout error (timeout)", "ok" },
	      { rules_dead, "nxdomain clean", GOOD_NEG, "dead" } } },
};

static bool
probe_pending(size_t from)
{
	for (size_t i = from; i < fake.n; i++)
		if (fake.q[i].pending && fake_is_probe(&fake.q[i]))
			return true;
	return false;
}

/* The run test_probes drives. */
static struct fake_run *door_run;

/* Answer the oldest pending test point query from index from on. */
static void
probe_answer_one(size_t from)
{
	for (size_t i = from; i < fake.n; i++) {
		if (fake.q[i].pending && fake_is_probe(&fake.q[i])) {
			fake_answer(&fake, i);
			/* The loop's next turn: what the answer asks for. */
			sweep_poll(door_run->s);
			return;
		}
	}
	ck_abort_msg("no test point query pending");
}

/*
 * The round's first test point is answered 3 s after the round went
 * out, the others (and any asked again) 7 s after: until the last answer
 * the previous round stands, then this one, stamped with the wall clock
 * of that answer.
 */
START_TEST(test_probes)
{
	const struct probe_row *row = &probe_rows[_i];
	char body[256], got[512], prev[512], want[512];
	size_t p, from = 0;
	struct fake_run run;

	snprintf(body, sizeof(body), "interval = 100s\n[targets]\n"
	    "ip = 192.0.2.1\n[zone a.test]\ntype = ip4\n%s", row->zone);
	run_load(&run, NULL, body);
	fake.wall0 = MIDNIGHT - 3600;
	run_sweep(&run, false);
	door_run = &run;
	/* Before any round: 0 and zeroed probes, while the first is out. */
	probes_format(run.s, prev, sizeof(prev));
	expect_str(row->name, "before any round", prev, "0 none / none");
	for (size_t r = 0; r < 3 && row->round[r].pos != NULL; r++) {
		const struct probe_round *pr = &row->round[r];
		uint64_t sent;

		p = fake_until(&run, UINT64_MAX, PROBES, from);
		ck_assert_msg(p < fake.n, "%s: no round %zu", row->name, r + 1);
		sent = fake.q[p].at;
		fake.rules = pr->rules;
		fake.now = sent + 3 * NS;
		probe_answer_one(p);
		if (probe_pending(p)) {
			probes_format(run.s, got, sizeof(got));
			expect_str(row->name, "before the round is decided",
			    got, prev);
			fake.now = sent + 7 * NS;
			while (probe_pending(p))
				probe_answer_one(p);
		}
		snprintf(want, sizeof(want), "%lld %s / %s",
		    (long long)(fake_wall(&fake) - MIDNIGHT), pr->pos,
		    pr->neg);
		probes_format(run.s, got, sizeof(got));
		expect_str(row->name, "after the round", got, want);
		expect_str(row->name, "health",
		    health_name(sweep_zone_health(run.s, 0)), pr->health);
		memcpy(prev, got, sizeof(prev));
		from = fake.n;
	}
	fake_run_end(&run);
}
END_TEST

/* -- 2. a token for a live check ---------------------------------------- */

static const struct take_row {
	const char *name;
	const char *zone;   /* more [zone a.test] keys */
	bool once;
	int64_t before_s;   /* from T0 to the next UTC midnight */
	uint64_t at_ms;	    /* the takes happen then */
	const char *takes;  /* y: a token now, n: none */
	uint64_t wait_ms;   /* the wait an n says (within a ms) */
	uint64_t used0;	    /* today's count before the takes */
	uint64_t counted;   /* of the takes, how many it counts */
} take_rows[] = {
	{ "tokens available", "max_qps = 5\n", false, 3600, 0, "yyyy", 0,
	    1, 4 },
	{ "max_qps spent: the next token in 1/qps", "max_qps = 2\n", false,
	    3600, 0, "yn", 500, 1, 1 },
	{ "max_qps spent: the wait from the clock's now", "max_qps = 2\n",
	    false, 3600, 250, "yn", 250, 1, 1 },
	{ "max_qps 0.5 spent by the sweep: 2 s", "max_qps = 0.5\n", false,
	    3600, 0, "n", 2000, 1, 0 },
	{ "daily budget spent: until the next UTC midnight",
	    "daily_budget = 2\n", false, 3600, 20300, "yn", 3580000, 1, 1 },
	{ "a new UTC day: the budget again, then until the next midnight",
	    "daily_budget = 2\n", false, 10, 10000, "yyn", 86400000, 0, 2 },
	{ "no limits: every take, each counted", "", false, 3600, 0,
	    "yyyyyyyyyy", 0, 1, 10 },
	{ "once mode, max_qps: the same limiter", "max_qps = 2\n", true,
	    3600, 0, "yn", 500, 1, 1 },
	{ "once mode, no limits: every take, none counted, like the sweep's",
	    "", true, 3600, 0, "yyy", 0, 0, 0 },
};

START_TEST(test_take)
{
	const struct take_row *row = &take_rows[_i];
	char body[256];
	struct fake_run run;

	snprintf(body, sizeof(body), "interval = 1h\n[targets]\n"
	    "ip = 192.0.2.1\n[zone a.test]\ntype = ip4\ntest_points = no\n%s",
	    row->zone);
	run_load(&run, NULL, body);
	fake.wall0 = MIDNIGHT - row->before_s;
	run_sweep(&run, row->once);
	fake_until(&run, T0 + row->at_ms * MS, NULL, 0);
	ck_assert_uint_eq(sweep_zone_used_today(run.s, 0), row->used0);
	for (const char *t = row->takes; *t != '\0'; t++) {
		uint64_t wait = 12345;
		bool got = sweep_zone_take(run.s, 0, &wait);

		ck_assert_msg(got == (*t == 'y'), "%s: take %zu: %d",
		    row->name, (size_t)(t - row->takes) + 1, got);
		if (got) {
			ck_assert_uint_eq(wait, 0);
			continue;
		}
		ck_assert_msg(wait + MS >= row->wait_ms * MS &&
		    wait <= row->wait_ms * MS + MS, "%s: wait %llu ns",
		    row->name, (unsigned long long)wait);
	}
	ck_assert_uint_eq(sweep_zone_used_today(run.s, 0),
	    row->used0 + row->counted);
	fake_run_end(&run);
}
END_TEST

/* The sweep's own next query waits for the tokens taken for checks. */
#define QPS1 "interval = 10s\n[targets]\nip = 192.0.2.1\n" \
	"[zone a.test]\ntype = ip4\ntest_points = no\nmax_qps = 1\n"
#define BUDGET3 "interval = 1h\n[targets]\nip = 192.0.2.1\n" \
	"[zone a.test]\ntype = ip4\ntest_points = no\ndaily_budget = 3\n"

static const struct counted_row {
	const char *name;
	const char *config;
	int64_t before_s;    /* from T0 to the next UTC midnight */
	uint64_t take_ms;    /* the takes happen then */
	unsigned ntakes;     /* each must get its token */
	int64_t confirm_ms;  /* sweep_confirm then (delay 0); -1: none */
	uint64_t sent_ms;    /* the sweep's next query */
} counted_rows[] = {
	{ "no take: the next cycle's query on time", QPS1, 3600, 9500, 0,
	    -1, 10000 },
	{ "a token taken: the next cycle's query a token later", QPS1, 3600,
	    9500, 1, -1, 10500 },
	{ "no take: a confirmation at once", QPS1, 3600, 3000, 0, 3000,
	    3000 },
	{ "a token taken: the confirmation a second later", QPS1, 3600,
	    3000, 1, 3000, 4000 },
	{ "one take: the day's last query is still the sweep's", BUDGET3, 60,
	    1000, 1, 5000, 5000 },
	{ "two takes spend the day: the confirmation at midnight", BUDGET3,
	    60, 1000, 2, 5000, 60000 },
};

START_TEST(test_take_counted)
{
	const struct counted_row *row = &counted_rows[_i];
	struct fake_run run;
	uint64_t wait, used;
	size_t n0, i;

	run_load(&run, NULL, row->config);
	fake.wall0 = MIDNIGHT - row->before_s;
	run_sweep(&run, false);
	fake_until(&run, T0 + row->take_ms * MS, NULL, 0);
	used = sweep_zone_used_today(run.s, 0);
	for (unsigned k = 0; k < row->ntakes; k++) {
		ck_assert(sweep_zone_take(run.s, 0, &wait));
		ck_assert_uint_eq(sweep_zone_used_today(run.s, 0), ++used);
	}
	if (row->confirm_ms >= 0)
		fake_until(&run, T0 + (uint64_t)row->confirm_ms * MS, NULL, 0);
	n0 = fake.n;
	if (row->confirm_ms >= 0)
		ck_assert_int_eq(sweep_confirm(run.s, 0, 0), 0);
	i = fake_until(&run, T0 + (row->sent_ms + 5000) * MS, "*.a.test", n0);
	ck_assert_msg(i < fake.n, "%s: nothing sent", row->name);
	ck_assert_msg(REL_MS(fake.q[i].at) == row->sent_ms,
	    "%s: sent at %llu ms", row->name,
	    (unsigned long long)REL_MS(fake.q[i].at));
	fake_run_end(&run);
}
END_TEST

/* -- 3. a zone's cycle now ---------------------------------------------- */

/* 4 targets every 100 s: the first cycle over a 60 s warm-up, pairs at
 * 0, 15, 30, 45 s; the next over the interval, at 100, 125, 150, 175 s. */
#define NOW_CONFIG "interval = 100s\n[targets]\nnet = 192.0.2.0/30\n" \
	"[zone a.test]\ntype = ip4\n"
#define NOW_TARGETS 4
#define NOW_INTERVAL_MS 100000
#define NOW_WARMUP_MS 60000

static const struct now_row {
	const char *name;
	const char *rounds; /* before it: g right, b positive point missing */
	uint64_t now_ms;    /* sweep_now then */
	bool ok;	    /* what it returns */
	size_t rest;	    /* pairs it asks before the next cycle */
	const char *times;  /* ms: when they go out; NULL: not checked */
	uint64_t next_ms;   /* the probe round after its own */
} now_rows[] = {
	{ "waiting for the next cycle: a new one now, over the warm-up", "g",
	    70000, true, 4, "70000 85000 100000 115000", 170000 },
	{ "in the warm-up: every pair again, from now over the warm-up", "g",
	    20000, true, 4, "20000 35000 50000 65000", 120000 },
	{ "in a cycle over the interval: every pair again, from now", "g",
	    130000, true, 4, "130000 145000 160000 175000", 230000 },
	{ "not ok: a probe round, no pairs", "bb", 50000, false, 0, NULL,
	    150000 },
};

/* What one run did from the moment of the call (made or not) on. */
struct now_seen {
	size_t n0;		   /* queries before it */
	uint64_t at[NOW_TARGETS];  /* each target's first query after it */
	size_t idx[NOW_TARGETS];   /* its index; fake.n: none */
};

static void
now_run(struct fake_run *run, const struct now_row *row, bool call,
    struct now_seen *ns)
{
	size_t p = 0;

	run_load(run, NULL, NOW_CONFIG);
	run_sweep(run, false);
	for (const char *r = row->rounds; *r != '\0'; r++) {
		p = fake_until(run, UINT64_MAX, POS, p);
		ck_assert_uint_lt(p, fake.n);
		fake.rules = *r == 'b' ? rules_dead : NULL;
		p++;
	}
	fake_until(run, T0 + row->now_ms * MS, NULL, 0);
	ns->n0 = fake.n;
	if (call) {
		ck_assert_msg(sweep_now(run->s, 0) == row->ok,
		    "%s: returned %d", row->name, !row->ok);
		/* Sent from inside the call: a probe round first. */
		ck_assert_uint_ge(fake.n, ns->n0 + 2);
		ck_assert_str_eq(fake.q[ns->n0].qname, POS);
		ck_assert_str_eq(fake.q[ns->n0 + 1].qname, NEG);
		ck_assert_uint_eq(REL_MS(fake.q[ns->n0].at), row->now_ms);
		ck_assert_uint_eq(REL_MS(fake.q[ns->n0 + 1].at), row->now_ms);
	}
	fake_until(run, T0 + (row->now_ms + NOW_INTERVAL_MS + 1000) * MS,
	    NULL, 0);
	for (size_t k = 0; k < NOW_TARGETS; k++) {
		char name[TARGET_QNAME_MAX + 1];

		ck_assert_int_ge(target_qname(&run->c->targets[k], "a.test",
		    name, sizeof(name)), 0);
		ns->idx[k] = fake_find(&fake, name, ns->n0);
		ns->at[k] = ns->idx[k] < fake.n ?
		    REL_MS(fake.q[ns->idx[k]].at) : UINT64_MAX;
	}
}

START_TEST(test_now)
{
	const struct now_row *row = &now_rows[_i];
	struct now_seen base, ns;
	char times[256] = "", due[256] = "";
	size_t next, rest = 0, first = SIZE_MAX;
	struct fake_run run;

	/* The same run without the call: when the pairs were due. */
	now_run(&run, row, false, &base);
	fake_run_end(&run);
	now_run(&run, row, true, &ns);
	next = fake_find(&fake, POS, ns.n0 + 1);
	ck_assert_msg(next < fake.n, "%s: no next round", row->name);
	ck_assert_msg(REL_MS(fake.q[next].at) == row->next_ms,
	    "%s: next round at %llu ms", row->name,
	    (unsigned long long)REL_MS(fake.q[next].at));
	/* The rest: pairs that went out before the next cycle's round. */
	for (size_t i = ns.n0; i < next; i++) {
		if (!fake_is_pair(&fake.q[i]))
			continue;
		rest++;
		if (first == SIZE_MAX)
			first = i;
		snprintf(times + strlen(times), sizeof(times) - strlen(times),
		    "%s%llu", times[0] ? " " : "",
		    (unsigned long long)REL_MS(fake.q[i].at));
	}
	for (size_t k = 0; k < NOW_TARGETS; k++)
		if (ns.idx[k] < next)
			snprintf(due + strlen(due), sizeof(due) - strlen(due),
			    "%s%llu", due[0] ? " " : "",
			    (unsigned long long)base.at[k]);
	ck_assert_msg(rest == row->rest, "%s: %zu pairs brought forward: %s",
	    row->name, rest, times);
	if (row->times != NULL)
		expect_str(row->name, "pairs at", times, row->times);
	if (rest > 0)
		ck_assert_msg(REL_MS(fake.q[first].at) == row->now_ms,
		    "%s: the rest at %s ms, due at %s ms without the call",
		    row->name, times, due);
	for (size_t k = 0; k < NOW_TARGETS; k++) {
		if (ns.idx[k] >= next)
			continue;
		ck_assert_msg(ns.at[k] >= row->now_ms &&
		    ns.at[k] < row->now_ms + NOW_WARMUP_MS,
		    "%s: target %zu at %llu ms, due at %llu ms", row->name, k,
		    (unsigned long long)ns.at[k],
		    (unsigned long long)base.at[k]);
	}
	/* A cycle begun now ends with a cycle_cb that says so. */
	for (size_t i = 0; i < seen.ncyc; i++)
		if (seen.cyc[i].started_ms == T0 / MS + row->now_ms)
			ck_assert(seen.cyc[i].swept == row->ok);
	if (!row->ok)
		for (size_t i = ns.n0; i < fake.n; i++)
			ck_assert(!fake_is_pair(&fake.q[i]));
	fake_run_end(&run);
}
END_TEST

/* -- 4. sweep_now where it does nothing --------------------------------- */

static const struct idle_row {
	const char *name;
	bool once;
	bool stop;	 /* sweep_stop before */
	int64_t call_ms; /* the call then; -1: right after sweep_start */
} idle_rows[] = {
	{ "once mode, before a test point is answered", true, false, -1 },
	{ "once mode, between pairs", true, false, 2500 },
	{ "once mode, after the last result", true, false, 20000 },
	{ "a stopped sweep", false, true, 2500 },
};

/* Everything the sweep shows of itself, to compare before and after. */
struct idle_state {
	size_t n, nres, nzc;
	unsigned done;
	uint64_t wake, used, progress, total, cancels;
	uint8_t health;
};

static void
idle_state(const struct fake_run *run, struct idle_state *st)
{
	memset(st, 0, sizeof(*st));
	st->n = fake.n;
	st->nres = seen.nres;
	st->nzc = seen.nzc;
	st->done = seen.done;
	st->wake = sweep_wake_at(run->s);
	st->used = sweep_zone_used_today(run->s, 0);
	sweep_progress(run->s, &st->progress, &st->total);
	st->cancels = fake.cancels;
	st->health = (uint8_t)sweep_zone_health(run->s, 0);
}

/* A run, with or without the call; its query log into log. */
static void
idle_run(const struct idle_row *row, bool call, struct fake_query *log,
    size_t *nlog, struct idle_state *end)
{
	struct idle_state before, after;
	struct fake_run run;

	run_load(&run, NULL, "[targets]\nnet = 192.0.2.0/30\n"
	    "[zone a.test]\ntype = ip4\nmax_qps = 1\n");
	run_sweep(&run, row->once);
	if (row->call_ms >= 0) {
		fake_until(&run, T0 + (uint64_t)row->call_ms * MS, NULL, 0);
		event_base_loop(run.base, EVLOOP_NONBLOCK);
	}
	if (row->stop)
		sweep_stop(run.s);
	idle_state(&run, &before);
	if (call) {
		ck_assert_msg(!sweep_now(run.s, 0), "%s: returned true",
		    row->name);
		idle_state(&run, &after);
		ck_assert_msg(memcmp(&before, &after, sizeof(before)) == 0,
		    "%s: the call changed the sweep", row->name);
	}
	fake_until(&run, T0 + 30 * NS, NULL, 0);
	event_base_loop(run.base, EVLOOP_NONBLOCK);
	idle_state(&run, end);
	memcpy(log, fake.q, fake.n * sizeof(*log));
	*nlog = fake.n;
	fake_run_end(&run);
}

static struct fake_query idle_log[2][64];

START_TEST(test_now_idle)
{
	const struct idle_row *row = &idle_rows[_i];
	struct idle_state end[2];
	size_t n[2];

	idle_run(row, false, idle_log[0], &n[0], &end[0]);
	idle_run(row, true, idle_log[1], &n[1], &end[1]);
	ck_assert_uint_eq(n[1], n[0]);
	for (size_t i = 0; i < n[0]; i++) {
		ck_assert_str_eq(idle_log[1][i].qname, idle_log[0][i].qname);
		ck_assert_uint_eq(idle_log[1][i].type, idle_log[0][i].type);
		ck_assert_uint_eq(idle_log[1][i].at, idle_log[0][i].at);
	}
	ck_assert_msg(memcmp(&end[0], &end[1], sizeof(end[0])) == 0,
	    "%s: the run ended otherwise", row->name);
	if (row->once) {
		ck_assert_uint_eq(end[1].done, 1);
		ck_assert_uint_eq(end[1].progress, end[1].total);
	}
}
END_TEST

static Suite *
sweep_door_suite(void)
{
	Suite *s = suite_create("sweep_door");
	TCase *tc = tcase_create("probes");

	tcase_add_loop_test(tc, test_probes, 0, ROWS(probe_rows));
	suite_add_tcase(s, tc);
	tc = tcase_create("take");
	tcase_add_loop_test(tc, test_take, 0, ROWS(take_rows));
	tcase_add_loop_test(tc, test_take_counted, 0, ROWS(counted_rows));
	suite_add_tcase(s, tc);
	tc = tcase_create("now");
	tcase_add_loop_test(tc, test_now, 0, ROWS(now_rows));
	tcase_add_loop_test(tc, test_now_idle, 0, ROWS(idle_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(sweep_door_suite());
}

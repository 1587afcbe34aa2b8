/* SPDX-License-Identifier: ISC */
/*
 * The engine in continuous mode, through a fake resolver and fake clocks:
 * due times and warm-up, health with hysteresis, early probes,
 * confirmations, max_qps and the daily budget, what a reload carries and
 * the interval a budget stretches. Time moves only when the test moves it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config.h"
#include "sweep.h"
#include "sweep_fake.h"
#include "target.h"
#include "unit.h"
#include "zone.h"

#define SEEN_MAX 4096
#define POS "2.0.0.127.a.test" /* a.test's positive test point */
#define NEG "1.0.0.127.a.test"

struct seen_result {
	uint32_t target;
	uint8_t verdict;
	bool confirming;
	uint64_t at;
};

struct seen {
	struct seen_result res[SEEN_MAX];
	size_t nres;
	struct {
		uint8_t from, to;
	} zc[64];
	size_t nzc;
	struct {
		uint32_t zone;
		struct sweep_cycle cy;
	} cyc[64];
	size_t ncyc;
	struct sweep *s;
	bool confirm_all; /* confirm every first answer from result_cb */
};

static struct fake fake;
static struct seen seen;

static void
seen_result_cb(const struct sweep_result *r, void *arg)
{
	struct seen *sn = arg;
	struct seen_result *g;

	ck_assert_uint_lt(sn->nres, SEEN_MAX);
	g = &sn->res[sn->nres++];
	g->target = r->target;
	g->verdict = r->res.verdict;
	g->confirming = r->res.confirming;
	g->at = fake.now;
	if (sn->confirm_all && !r->res.confirming)
		ck_assert_int_eq(sweep_confirm(sn->s, r->zone, r->target), 0);
}

static void
seen_zone_cb(uint32_t zone, enum zone_health from, enum zone_health to,
    const struct diagnose_probe probes[2], void *arg)
{
	struct seen *sn = arg;

	(void)probes;
	ck_assert_uint_lt(zone, 2); /* no row has more zones */
	ck_assert_uint_lt(sn->nzc, 64);
	sn->zc[sn->nzc].from = (uint8_t)from;
	sn->zc[sn->nzc++].to = (uint8_t)to;
}

static void
seen_cycle_cb(uint32_t zone, const struct sweep_cycle *cy, void *arg)
{
	struct seen *sn = arg;

	ck_assert_uint_lt(sn->ncyc, 64);
	sn->cyc[sn->ncyc].zone = zone;
	sn->cyc[sn->ncyc++].cy = *cy;
}

static void
seen_done_cb(void *arg)
{
	(void)arg;
	ck_abort_msg("done_cb in continuous mode");
}

/* Fresh fake and records; [rblmond] keys, then body. No sweep yet. */
static void
run_load(struct fake_run *run, const struct rule *rules, const char *keys,
    const char *body)
{
	char head[256];

	snprintf(head, sizeof(head), "[rblmond]\ntimeout = 1s\ntries = 1\n%s",
	    keys);
	fake_run_load(run, &fake, rules, head, body);
	memset(&seen, 0, sizeof(seen));
}

/* A continuous sweep of run->c through the fake, started now. */
static void
run_sweep(struct fake_run *run, uint64_t confirm_delay_ms,
    const struct sweep_carry *carry)
{
	struct sweep_options so = {
		.once = false, .health_need = SWEEP_HEALTH_NEED,
		.confirm_delay_ms = confirm_delay_ms, .carry = carry,
	};
	struct sweep_callbacks cbs = {
		.result_cb = seen_result_cb, .zone_cb = seen_zone_cb,
		.cycle_cb = seen_cycle_cb, .done_cb = seen_done_cb,
		.arg = &seen,
	};

	fake_run_new(run, &so, &cbs);
	seen.s = run->s;
	sweep_start(run->s);
}

/* Target k of zone zi's query name. */
static void
pair_qname(const struct fake_run *run, uint32_t zi, size_t k, char *buf,
    size_t len)
{
	const struct zone *z = &run->c->zones[zi];
	size_t first, count;

	config_zone_targets(run->c, z, &first, &count);
	ck_assert_uint_lt(k, count);
	ck_assert_int_ge(target_qname(&run->c->targets[first + k], z->name,
	    buf, len), 0);
}

/* Append " word" (no space first) to buf: a number, or zone_cb i. */
static void
append(char *buf, size_t len, const char *word)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? " " : "", word);
}

static void
append_num(char *buf, size_t len, uint64_t v)
{
	char word[32];

	snprintf(word, sizeof(word), "%llu", (unsigned long long)v);
	append(buf, len, word);
}

static void
append_call(char *buf, size_t len, size_t i)
{
	char word[64];

	snprintf(word, sizeof(word), "%s>%s",
	    health_name((enum zone_health)seen.zc[i].from),
	    health_name((enum zone_health)seen.zc[i].to));
	append(buf, len, word);
}

static void
expect_str(const char *row, const char *what, const char *got,
    const char *want)
{
	ck_assert_msg(strcmp(got, want) == 0, "%s: %s\n%s\nwant\n%s", row,
	    what, got, want);
}

/* "ZONE START q=N clean=N listed=N[ unswept]" per cycle_cb, in order. */
static void
cycles_format(const struct fake_run *run, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < seen.ncyc && n < len; i++) {
		const struct sweep_cycle *cy = &seen.cyc[i].cy;
		uint32_t zi = seen.cyc[i].zone;

		ck_assert_uint_eq(cy->interval_ms,
		    sweep_zone_interval(run->s, zi, NULL));
		ck_assert_uint_ge(cy->ended_ms, cy->started_ms);
		n += (size_t)snprintf(buf + n, len - n,
		    "%s%s %llu q=%llu clean=%llu listed=%llu%s", n ? "\n" : "",
		    run->c->zones[zi].name,
		    (unsigned long long)(cy->started_ms - T0 / MS),
		    (unsigned long long)cy->queries,
		    (unsigned long long)cy->by_verdict[VERDICT_CLEAN],
		    (unsigned long long)cy->by_verdict[VERDICT_LISTED],
		    cy->swept ? "" : " unswept");
	}
}

/* -- 1. due times ------------------------------------------------------- */

#define FOUR "[targets]\nnet = 192.0.2.0/30\n"

/* A zone's first two cycles: spread over len1 from 0, then over len2
 * from start2, its queries not before open2 (ms). */
struct due_zone {
	uint64_t len1, start2, open2, len2;
};

static const struct due_row {
	const char *name;
	const char *config;
	struct rule rules[2];
	uint64_t slow_ms;
	uint32_t jitter; /* permille, as configured */
	struct due_zone z[2];
	uint64_t end_ms; /* run this long */
	const char *cycles;
} due_rows[] = {
	{ "jitter 0: target k at k*I/N, the next cycle an interval on",
	    "interval = 10s\njitter = 0%\n" FOUR "[zone a.test]\ntype = ip4\n",
	    { { "1.2.0.192.a.test", "listed" } }, 0, 0,
	    { { 10000, 10000, 10000, 10000 } }, 19999,
	    "a.test 0 q=6 clean=3 listed=1\n"
	    "a.test 10000 q=6 clean=3 listed=1" },
	{ "the first cycle over a 60 s warm-up, the next over the interval",
	    "interval = 10m\njitter = 0%\n" FOUR "[zone a.test]\ntype = ip4\n",
	    { { 0 } }, 0, 0, { { 60000, 600000, 600000, 600000 } }, 1199999,
	    "a.test 0 q=6 clean=4 listed=0\n"
	    "a.test 600000 q=6 clean=4 listed=0" },
	/* Spread over 60 s, the bucket's burst of 2 would send faster. */
	{ "a warm-up as long as max_qps needs for the targets",
	    "interval = 1h\njitter = 0%\n[targets]\nnet = 192.0.2.0/25\n"
	    "[zone a.test]\ntype = ip4\nmax_qps = 2\ntest_points = no\n",
	    { { 0 } }, 0, 0, { { 64000, 3600000, 3600000, 3600000 } },
	    7199999,
	    "a.test 0 q=128 clean=128 listed=0\n"
	    "a.test 3600000 q=128 clean=128 listed=0" },
	{ "jitter 10%: inside the first tenth of its slot",
	    "interval = 10s\njitter = 10%\n" FOUR "[zone a.test]\ntype = ip4\n",
	    { { 0 } }, 0, 100, { { 10000, 10000, 10000, 10000 } }, 19999,
	    "a.test 0 q=6 clean=4 listed=0\n"
	    "a.test 10000 q=6 clean=4 listed=0" },
	{ "jitter 100%: anywhere in its slot",
	    "interval = 10s\njitter = 100%\n" FOUR
	    "[zone a.test]\ntype = ip4\n",
	    { { 0 } }, 0, 1000, { { 10000, 10000, 10000, 10000 } }, 19999,
	    "a.test 0 q=6 clean=4 listed=0\n"
	    "a.test 10000 q=6 clean=4 listed=0" },
	{ "two zones, each on its own interval",
	    "interval = 10s\njitter = 0%\n" FOUR "[zone a.test]\ntype = ip4\n"
	    "[zone b.test]\ntype = ip4\ninterval = 5s\n",
	    { { 0 } }, 0, 0,
	    { { 10000, 10000, 10000, 10000 }, { 5000, 5000, 5000, 5000 } },
	    19999,
	    "b.test 0 q=6 clean=4 listed=0\n"
	    "a.test 0 q=6 clean=4 listed=0\n"
	    "b.test 5000 q=6 clean=4 listed=0\n"
	    "b.test 10000 q=6 clean=4 listed=0\n"
	    "a.test 10000 q=6 clean=4 listed=0\n"
	    "b.test 15000 q=6 clean=4 listed=0" },
	{ "overran by less than an interval: the next keeps its grid",
	    "interval = 10s\njitter = 0%\n" FOUR
	    "[zone a.test]\ntype = ip4\ntest_points = no\n",
	    { { "3.2.0.192.a.test", "slow-once" } }, 6000, 0,
	    { { 10000, 10000, 13500, 10000 } }, 19999,
	    "a.test 0 q=4 clean=4 listed=0\n"
	    "a.test 13500 q=4 clean=4 listed=0" },
	{ "overran by an interval or more: the next starts at once",
	    "interval = 10s\njitter = 0%\n" FOUR
	    "[zone a.test]\ntype = ip4\ntest_points = no\n",
	    { { "3.2.0.192.a.test", "slow-once" } }, 16000, 0,
	    { { 10000, 23500, 23500, 10000 } }, 33499,
	    "a.test 0 q=4 clean=4 listed=0\n"
	    "a.test 23500 q=4 clean=4 listed=0" },
};

/*
 * Zone zi's first two cycles: target k's query inside its slot
 * [k*len/N, (k+1)*len/N) of the cycle, within the jitter's share of it,
 * not before the cycle opened; each cycle_cb ends with its last answer.
 */
static void
check_due(const struct fake_run *run, const struct due_row *row, uint32_t zi)
{
	const struct due_zone *dz = &row->z[zi];
	size_t first, count, idx[256], n = 0, moved = 0, ncyc = 0;

	config_zone_targets(run->c, &run->c->zones[zi], &first, &count);
	for (size_t i = 0; i < fake.n && n < 2 * count; i++)
		if (fake.q[i].zone == zi && fake_is_pair(&fake.q[i]))
			idx[n++] = i;
	ck_assert_uint_eq(n, 2 * count);
	for (size_t c = 0; c < 2; c++) {
		uint64_t start = c ? dz->start2 : 0, open = c ? dz->open2 : 0;
		uint64_t len = c ? dz->len2 : dz->len1;

		for (size_t k = 0; k < count; k++) {
			const struct fake_query *q = &fake.q[idx[c * count +
			    k]];
			uint64_t lo = start + k * len / count;
			uint64_t span = (start + (k + 1) * len / count - lo) *
			    row->jitter / 1000;
			uint64_t hi = lo + (span > 0 ? span - 1 : 0);
			uint64_t at = REL_MS(q->at);
			char name[TARGET_QNAME_MAX + 1];

			pair_qname(run, zi, k, name, sizeof(name));
			ck_assert_str_eq(q->qname, name);
			moved += at > lo;
			/* Not before its slot, nor before the cycle opened. */
			lo = lo > open ? lo : open;
			hi = hi > open ? hi : open;
			ck_assert_msg(at >= lo && at <= hi,
			    "%s: cycle %zu, %s at %llu ms, due %llu..%llu",
			    row->name, c + 1, name, (unsigned long long)at,
			    (unsigned long long)lo, (unsigned long long)hi);
		}
		for (size_t i = 0; i < seen.ncyc; i++) {
			if (seen.cyc[i].zone != zi || ncyc++ != c)
				continue;
			ck_assert_uint_eq(seen.cyc[i].cy.ended_ms,
			    fake.q[idx[c * count + count - 1]].answered / MS);
		}
	}
	/* The jitter moves some pair off its slot's start. */
	if (row->jitter > 0)
		ck_assert_uint_gt(moved, 0);
}

START_TEST(test_due)
{
	const struct due_row *row = &due_rows[_i];
	struct fake_run run;
	char got[1024];

	run_load(&run, row->rules, "", row->config);
	fake.slow_ns = row->slow_ms * MS;
	run_sweep(&run, 0, NULL);
	fake_until(&run, T0 + row->end_ms * MS, NULL, 0);
	for (uint32_t zi = 0; zi < run.c->nzones; zi++)
		check_due(&run, row, zi);
	cycles_format(&run, got, sizeof(got));
	expect_str(row->name, "cycles", got, row->cycles);
	fake_run_end(&run);
}
END_TEST

/* -- 2. health with hysteresis ------------------------------------------ */

static const struct rule rules_dead[] = { { POS, "nx" }, { 0 } };
static const struct rule rules_all[] = { { NEG, "listed" }, { 0 } };

/* g: test points right; b: positive point missing; l: negative listed. */
static const struct rule *
round_rules(char r)
{
	return r == 'b' ? rules_dead : r == 'l' ? rules_all : NULL;
}

static const struct health_row {
	const char *name;
	const char *interval;
	const char *rounds; /* one letter per probe round, as round_rules */
	const char *times;  /* s: when each round went out, then the next */
	const char *calls;  /* per round: the zone_cb it gave, or - */
	const char *pairs;  /* per round: pair queries from its probes on */
	const char *swept;  /* per cycle ended: y swept, n not */
} health_rows[] = {
	{ "an ok first round is accepted at once", "100s", "gg",
	    "0 100 200", "unknown>ok -", "20 20", "yy" },
	{ "a bad first round needs a second", "100s", "bb",
	    "0 10 100", "- unknown>dead", "0 0", "n" },
	{ "a bad first round, then an ok one", "100s", "bg",
	    "0 10 100", "- unknown>ok", "0 20", "y" },
	/*
	 * The pair due with a round's probes goes out beside them while the
	 * zone is ok; once a round disagrees the others wait. A cycle that
	 * starts while the zone is not ok is skipped whole, even if the zone
	 * recovers during it.
	 */
	{ "dead after two bad rounds, ok after two good ones", "100s",
	    "gbbbggg", "0 100 110 200 300 310 400 500",
	    "unknown>ok - ok>dead - - dead>ok -", "20 1 0 0 0 0 20",
	    "ynnny" },
	{ "one bad round between good ones changes nothing", "100s", "gbgg",
	    "0 100 110 200 300", "unknown>ok - - -", "20 1 19 20", "yyy" },
	{ "negative point listed: lists-all", "100s", "gllgg",
	    "0 100 110 200 210 300", "unknown>ok - ok>lists-all - lists-all>ok",
	    "20 1 0 0 0", "ynn" },
	{ "rounds that disagree start the count again", "100s", "gblbb",
	    "0 100 110 120 130 200", "unknown>ok - - - ok>dead",
	    "20 1 0 0 0", "yn" },
	{ "re-probe a tenth of the interval on, at least 1 s", "5s", "gbb",
	    "0 5 6 10", "unknown>ok - ok>dead", "20 1 0", "yn" },
	{ "re-probe a tenth of the interval on, at most 60 s", "1h", "gbb",
	    "0 3600 3660 7200", "unknown>ok - ok>dead", "20 1 0", "yn" },
};

START_TEST(test_health)
{
	const struct health_row *row = &health_rows[_i];
	size_t nrounds = strlen(row->rounds), p, npairs = 0;
	char keys[64], times[256] = "", calls[256] = "", pairs[256] = "";
	char swept[64] = "";
	struct fake_run run;

	snprintf(keys, sizeof(keys), "interval = %s\njitter = 0%%\n",
	    row->interval);
	run_load(&run, NULL, keys, "[targets]\nnet = 192.0.2.0/28\n"
	    "net = 192.0.2.16/30\n[zone a.test]\ntype = ip4\n");
	run_sweep(&run, 0, NULL);
	p = fake_until(&run, UINT64_MAX, POS, 0);
	for (size_t r = 0;; r++) {
		size_t next, nzc = seen.nzc, n = 0;

		ck_assert_msg(p < fake.n, "%s: no probe round after %s",
		    row->name, times);
		append_num(times, sizeof(times), REL_MS(fake.q[p].at) / 1000);
		if (r == nrounds)
			break;
		/* Both points of the round are out: say how they answer. */
		ck_assert_str_eq(fake.q[p + 1].qname, NEG);
		fake.rules = round_rules(row->rounds[r]);
		next = fake_until(&run, UINT64_MAX, POS, p + 1);
		ck_assert_uint_le(seen.nzc, nzc + 1);
		if (seen.nzc > nzc)
			append_call(calls, sizeof(calls), nzc);
		else
			append(calls, sizeof(calls), "-");
		for (size_t i = p; i < next; i++)
			n += fake_is_pair(&fake.q[i]);
		append_num(pairs, sizeof(pairs), n);
		p = next;
	}
	for (size_t i = 0; i < seen.ncyc; i++)
		strcat(swept, seen.cyc[i].cy.swept ? "y" : "n");
	expect_str(row->name, "rounds at", times, row->times);
	expect_str(row->name, "zone_cb", calls, row->calls);
	expect_str(row->name, "pairs", pairs, row->pairs);
	expect_str(row->name, "swept", swept, row->swept);
	if (seen.nzc > 0)
		ck_assert_int_eq(sweep_zone_health(run.s, 0),
		    seen.zc[seen.nzc - 1].to);
	/* Not ok is a zone state: pairs are not sent, not reported. */
	for (size_t i = 0; i < p; i++)
		npairs += fake_is_pair(&fake.q[i]);
	ck_assert_uint_eq(seen.nres, npairs);
	for (size_t i = 0; i < seen.nres; i++)
		ck_assert_int_ne(seen.res[i].verdict, VERDICT_SUPPRESSED);
	fake_run_end(&run);
}
END_TEST

/* -- 3. early probe ----------------------------------------------------- */

#define T32 "net = 192.0.2.0/28\nnet = 192.0.3.0/28\n"

static const struct early_row {
	const char *name;
	const char *targets;
	const char *zone; /* more [zone a.test] keys */
	struct rule rules[3];
	uint64_t probe_ms; /* the second probe round */
} early_rows[] = {
	{ "errors: a probe round right after the 32nd answer", T32, "",
	    { { "*.192.a.test", "error" } }, 58125 },
	{ "refused codes", T32, "refused = 127.0.0.3\n",
	    { { "*.192.a.test", "a:3" } }, 58125 },
	{ "answers outside 127/8", T32, "",
	    { { "*.192.a.test", "bogus" } }, 58125 },
	{ "half of them bad", T32, "",
	    { { "*.2.0.192.a.test", "error" } }, 58125 },
	{ "15 of 32 bad: the next cycle's round", T32, "",
	    { { "5.2.0.192.a.test", "nx" }, { "*.2.0.192.a.test", "error" } },
	    100000 },
	{ "listings are good answers", T32, "",
	    { { "*.192.a.test", "listed" } }, 100000 },
	{ "31 bad answers are too few",
	    "net = 192.0.2.0/28\nnet = 192.0.3.0/29\nnet = 192.0.3.8/30\n"
	    "net = 192.0.3.12/31\nip = 192.0.3.14\n", "",
	    { { "*.192.a.test", "error" } }, 100000 },
};

START_TEST(test_early_probe)
{
	const struct early_row *row = &early_rows[_i];
	struct fake_run run;
	char body[512];
	size_t p;

	snprintf(body, sizeof(body), "[targets]\n%s[zone a.test]\ntype = ip4\n"
	    "%s", row->targets, row->zone);
	run_load(&run, row->rules, "interval = 100s\njitter = 0%\n", body);
	run_sweep(&run, 0, NULL);
	p = fake_until(&run, UINT64_MAX, POS, 1);
	ck_assert_uint_lt(p, fake.n);
	ck_assert_msg(REL_MS(fake.q[p].at) == row->probe_ms,
	    "%s: second round at %llu ms", row->name,
	    (unsigned long long)REL_MS(fake.q[p].at));
	fake_run_end(&run);
}
END_TEST

/* -- 4. confirmation ---------------------------------------------------- */

#define TWO "[targets]\nnet = 192.0.2.0/31\n[zone a.test]\ntype = ip4\n"

static const struct confirm_row {
	const char *name;
	const char *config;
	int64_t before_s;  /* from start to the next UTC midnight; 0: 1 d */
	uint64_t delay_ms; /* confirm_delay_ms */
	int64_t ask_ms;	   /* sweep_confirm then; -1: from result_cb */
	uint64_t sent_ms;  /* the confirming query */
} confirm_rows[] = {
	{ "confirm_delay later, not before", "interval = 1h\n" TWO, 0,
	    30000, 5000, 35000 },
	{ "delay 0: at once", "interval = 1h\n" TWO, 0, 0, 5000, 5000 },
	{ "asked from inside result_cb", "interval = 1h\n" TWO, 0, 30000,
	    -1, 30000 },
	{ "through the zone's limiter: a token's wait",
	    "interval = 10s\n" TWO "max_qps = 1\ntest_points = no\n", 0, 0, 0,
	    1000 },
	{ "through the zone's limiter: the day's budget",
	    "interval = 1h\n" TWO "daily_budget = 2\ntest_points = no\n", 60,
	    0, 40000, 60000 },
};

START_TEST(test_confirm)
{
	const struct confirm_row *row = &confirm_rows[_i];
	char name[TARGET_QNAME_MAX + 1];
	size_t again, nconfirming = 0;
	struct fake_run run;

	run_load(&run, NULL, "jitter = 0%\n", row->config);
	fake.wall0 = MIDNIGHT - (row->before_s ? row->before_s : 86400);
	seen.confirm_all = row->ask_ms < 0;
	run_sweep(&run, row->delay_ms, NULL);
	pair_qname(&run, 0, 0, name, sizeof(name));
	if (row->ask_ms >= 0) {
		fake_until(&run, T0 + (uint64_t)row->ask_ms * MS, NULL, 0);
		ck_assert_int_eq(sweep_confirm(run.s, 0, 0), 0);
	}
	again = fake_until(&run, T0 + (row->sent_ms + 1000) * MS, name,
	    fake_find(&fake, name, 0) + 1);
	ck_assert_uint_lt(again, fake.n);
	ck_assert_msg(REL_MS(fake.q[again].at) == row->sent_ms,
	    "%s: confirmed at %llu ms", row->name,
	    (unsigned long long)REL_MS(fake.q[again].at));
	fake_until(&run, fake.now, NULL, 0);
	for (size_t i = 0; i < seen.nres; i++) {
		if (!seen.res[i].confirming)
			continue;
		nconfirming++;
		ck_assert_uint_eq(seen.res[i].target, 0);
		ck_assert_uint_eq(seen.res[i].at, fake.q[again].at);
	}
	ck_assert_uint_eq(nconfirming, 1);
	fake_run_end(&run);
}
END_TEST

/* A zone that turns dead drops the confirmations it still holds. */
START_TEST(test_confirm_dropped_when_dead)
{
	char name[TARGET_QNAME_MAX + 1];
	struct fake_run run;
	size_t again;

	run_load(&run, NULL, "interval = 100s\njitter = 0%\n", TWO);
	run_sweep(&run, 30000, NULL);
	pair_qname(&run, 0, 0, name, sizeof(name));
	fake_until(&run, T0 + 99 * NS, NULL, 0);
	ck_assert_int_eq(sweep_confirm(run.s, 0, 0), 0);
	fake.rules = rules_dead; /* dead at 110 s */
	fake_until(&run, T0 + 150 * NS, NULL, 0);
	ck_assert_int_eq(sweep_zone_health(run.s, 0), HEALTH_DEAD);
	fake.rules = NULL; /* ok again at 210 s */
	fake_until(&run, T0 + 299 * NS, NULL, 0);
	ck_assert_int_eq(sweep_zone_health(run.s, 0), HEALTH_OK);
	/* Its cycle-2 query went out beside the probes; nothing since. */
	again = fake_find(&fake, name, fake_find(&fake, name, 0) + 1);
	ck_assert_uint_lt(again, fake.n);
	ck_assert_uint_eq(REL_MS(fake.q[again].at), 100000);
	ck_assert_uint_eq(fake_find(&fake, name, again + 1), fake.n);
	for (size_t i = 0; i < seen.nres; i++)
		ck_assert(!seen.res[i].confirming);
	fake_run_end(&run);
}
END_TEST

/* -- 5. limits ---------------------------------------------------------- */

#define QPS1 "interval = 10s\n[targets]\nnet = 192.0.2.0/30\n" \
	"[zone a.test]\ntype = ip4\nmax_qps = 1\n"
#define BUDGET "interval = 1h\n" TWO

static const struct limit_row {
	const char *name;
	const char *config;
	struct rule rules[2];
	bool confirm_all;
	int64_t before_s; /* from start to the next UTC midnight; 0: 1 d */
	const char *times; /* ms: the first queries */
	const char *kinds; /* of them: p test point, a A query, t TXT */
	uint64_t used_before, used_after; /* today's count around midnight */
} limit_rows[] = {
	{ "max_qps: test points and pairs a second apart",
	    "interval = 10s\n[targets]\nnet = 192.0.2.0/29\n"
	    "[zone a.test]\ntype = ip4\nmax_qps = 1\n", { { 0 } }, false, 0,
	    "0 1000 2000 3000 4000 5000 6000 7000 8000 9000 10000",
	    "ppaaaaaaaap", 0, 0 },
	{ "max_qps: TXT follow-ups take tokens", QPS1 "txt = yes\n",
	    { { "*.2.0.192.a.test", "listed" } }, false, 0,
	    "0 1000 2000 3000 4000 5000 6000 7000 8000 9000 10000",
	    "ppatatatatp", 0, 0 },
	{ "max_qps: confirmations take tokens", QPS1, { { 0 } }, true, 0,
	    "0 1000 2000 3000 4000 5000 6000 7000 8000 9000 10000",
	    "ppaaaaaaaap", 0, 0 },
	{ "daily budget spent: nothing more until midnight",
	    BUDGET "daily_budget = 3\n", { { 0 } }, false, 60,
	    "0 0 0 60000", "ppaa", 3, 1 },
	{ "one query a day: each waits for the next midnight",
	    BUDGET "daily_budget = 1\n", { { 0 } }, false, 60,
	    "0 60000 86460000 172860000", "ppaa", 1, 1 },
};

START_TEST(test_limits)
{
	const struct limit_row *row = &limit_rows[_i];
	size_t want = strlen(row->kinds);
	char times[256] = "", kinds[64] = "";
	struct fake_run run;

	run_load(&run, row->rules, "jitter = 0%\n", row->config);
	fake.wall0 = MIDNIGHT - (row->before_s ? row->before_s : 86400);
	seen.confirm_all = row->confirm_all;
	run_sweep(&run, 0, NULL);
	if (row->before_s > 0) {
		fake_until(&run, T0 + (uint64_t)(row->before_s - 1) * NS, NULL,
		    0);
		ck_assert_uint_eq(sweep_zone_used_today(run.s, 0),
		    row->used_before);
		fake_until(&run, T0 + (uint64_t)row->before_s * NS, NULL, 0);
		ck_assert_uint_eq(sweep_zone_used_today(run.s, 0),
		    row->used_after);
	}
	while (fake.n < want &&
	    fake_until(&run, UINT64_MAX, "*.a.test", fake.n) < fake.n)
		;
	fake_until(&run, fake.now, NULL, 0);
	ck_assert_uint_ge(fake.n, want);
	for (size_t i = 0; i < want; i++) {
		const struct fake_query *q = &fake.q[i];

		append_num(times, sizeof(times), REL_MS(q->at));
		strcat(kinds, fake_is_probe(q) ? "p" :
		    q->type == RESOLVER_TXT ? "t" : "a");
	}
	expect_str(row->name, "sent at", times, row->times);
	expect_str(row->name, "kinds", kinds, row->kinds);
	/* The cycle counts first answers only, not confirming ones. */
	ck_assert_uint_ge(seen.ncyc, 1);
	ck_assert_uint_eq(seen.cyc[0].cy.by_verdict[VERDICT_CLEAN] +
	    seen.cyc[0].cy.by_verdict[VERDICT_LISTED], run.c->ntargets);
	fake_run_end(&run);
}
END_TEST

/* -- 6. carry across a reload ------------------------------------------- */

static const struct carry_row {
	const char *name;
	const char *config;
	int64_t before_s;	 /* from start to the next UTC midnight */
	const char *rounds;	 /* the first sweep's probe rounds */
	uint64_t carry_s;	 /* when the second sweep takes over */
	size_t start_queries;	 /* sent by the second sweep's start */
	size_t start_pairs;	 /* of them pairs */
	uint64_t first_s;	 /* the second sweep's first query */
	const char *health;	 /* the second sweep starts in */
	const char *calls;	 /* its zone_cb over the next 100 s */
} carry_rows[] = {
	{ "ok: no zone_cb, pairs before the probes answer",
	    "interval = 100s\n" TWO "daily_budget = 10000\n", 86400, "g", 50,
	    3, 1, 50, "ok", "" },
	{ "dead: no pairs, ok after two good rounds",
	    "interval = 100s\n" TWO "daily_budget = 10000\n", 86400, "gbb",
	    150, 2, 0, 150, "dead", "dead>ok" },
	{ "a decision still waiting is not carried",
	    "interval = 100s\n" TWO "daily_budget = 10000\n", 86400, "gb",
	    105, 3, 1, 105, "ok", "" },
	{ "today's spent budget: nothing until midnight",
	    "interval = 1h\n" TWO "daily_budget = 3\n", 60, "g", 10, 0, 0, 60,
	    "ok", "" },
};

START_TEST(test_carry)
{
	const struct carry_row *row = &carry_rows[_i];
	char calls[256] = "";
	struct sweep_carry carry;
	size_t p = 0, n0, npairs = 0;
	uint64_t used;
	struct fake_run run;

	run_load(&run, NULL, "jitter = 0%\n", row->config);
	fake.wall0 = MIDNIGHT - row->before_s;
	run_sweep(&run, 0, NULL);
	for (const char *r = row->rounds; *r != '\0'; r++) {
		p = fake_until(&run, UINT64_MAX, POS, p);
		ck_assert_uint_lt(p, fake.n);
		fake.rules = round_rules(*r);
		p++;
	}
	fake_until(&run, T0 + row->carry_s * NS, NULL, 0);
	sweep_zone_carry(run.s, 0, &carry);
	used = sweep_zone_used_today(run.s, 0);
	ck_assert_uint_gt(used, 0);
	sweep_free(run.s);

	/* The same config again, as a reload would bring it. */
	fake.rules = NULL;
	seen.nzc = 0;
	n0 = fake.n;
	run_sweep(&run, 0, &carry);
	ck_assert_str_eq(health_name(sweep_zone_health(run.s, 0)),
	    row->health);
	ck_assert_uint_eq(fake.n - n0, row->start_queries);
	for (size_t i = n0; i < fake.n; i++)
		npairs += fake_is_pair(&fake.q[i]);
	ck_assert_uint_eq(npairs, row->start_pairs);
	ck_assert_uint_eq(sweep_zone_used_today(run.s, 0),
	    used + row->start_queries);
	fake_until(&run, T0 + (row->carry_s + 99) * NS, NULL, 0);
	ck_assert_uint_gt(fake.n, n0);
	ck_assert_uint_eq(REL_MS(fake.q[n0].at), row->first_s * 1000);
	for (size_t i = 0; i < seen.nzc; i++)
		append_call(calls, sizeof(calls), i);
	expect_str(row->name, "zone_cb", calls, row->calls);
	fake_run_end(&run);
}
END_TEST

/* -- 7. the interval a budget stretches --------------------------------- */

static const struct interval_row {
	const char *name;
	const char *zone;
	uint64_t interval_ms;
	bool stretched;
} interval_rows[] = {
	{ "no budget: the [rblmond] interval", "", 3600000, false },
	{ "no budget: the zone's own interval", "interval = 10m\n", 600000,
	    false },
	{ "a budget that pays every cycle", "daily_budget = 120\n", 3600000,
	    false },
	{ "a query a day short: stretched", "daily_budget = 119\n", 3630253,
	    true },
	{ "the zone's own interval stretched",
	    "interval = 10m\ndaily_budget = 719\n", 600835, true },
	{ "one query a day: a cycle every five days", "daily_budget = 1\n",
	    432000000, true },
};

START_TEST(test_interval)
{
	const struct interval_row *row = &interval_rows[_i];
	bool stretched = !row->stretched;
	struct fake_run run;
	char body[512];
	size_t p;

	snprintf(body, sizeof(body), "%s%s", TWO, row->zone);
	run_load(&run, NULL, "interval = 1h\njitter = 0%\n", body);
	run_sweep(&run, 0, NULL);
	ck_assert_uint_eq(sweep_zone_interval(run.s, 0, &stretched),
	    row->interval_ms);
	ck_assert(stretched == row->stretched);
	ck_assert_uint_eq(sweep_zone_interval(run.s, 0, NULL),
	    row->interval_ms);
	/* The second cycle starts one effective interval after the first. */
	p = fake_until(&run, UINT64_MAX, POS, 1);
	ck_assert_uint_lt(p, fake.n);
	ck_assert_uint_eq(REL_MS(fake.q[p].at), row->interval_ms);
	ck_assert_uint_ge(seen.ncyc, 1);
	ck_assert_uint_eq(seen.cyc[0].cy.interval_ms, row->interval_ms);
	fake_run_end(&run);
}
END_TEST

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
sweep_cycle_suite(void)
{
	Suite *s = suite_create("sweep_cycle");
	TCase *tc = tcase_create("due");

	tcase_add_loop_test(tc, test_due, 0, ROWS(due_rows));
	suite_add_tcase(s, tc);
	tc = tcase_create("health");
	tcase_add_loop_test(tc, test_health, 0, ROWS(health_rows));
	tcase_add_loop_test(tc, test_early_probe, 0, ROWS(early_rows));
	suite_add_tcase(s, tc);
	tc = tcase_create("confirm");
	tcase_add_loop_test(tc, test_confirm, 0, ROWS(confirm_rows));
	tcase_add_test(tc, test_confirm_dropped_when_dead);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_limits, 0, ROWS(limit_rows));
	tcase_add_loop_test(tc, test_interval, 0, ROWS(interval_rows));
	suite_add_tcase(s, tc);
	tc = tcase_create("carry");
	tcase_add_loop_test(tc, test_carry, 0, ROWS(carry_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(sweep_cycle_suite());
}

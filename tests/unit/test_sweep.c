/* SPDX-License-Identifier: ISC */
/*
 * The sweep driven through a fake resolver and a fake clock: no sockets,
 * no sleeps. The fake answers queries when the test says so, by rules on
 * the query name; time moves only when the test moves it. Table rows
 * check the results and zone states; the tests after them check the
 * order of queries, send failures at every point, re-asks, pacing and
 * stopping early.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "sweep.h"
#include "sweep_fake.h"
#include "target.h"
#include "unit.h"
#include "zone.h"

#define FAKE_RESULTS 4096

struct seen {
	const struct config *c;
	char *results[FAKE_RESULTS];
	size_t nresults;
	int8_t health[16]; /* per zone: -1 no zone_cb yet */
	unsigned zone_calls[16];
	bool done;
};

static struct fake fake;
static struct seen seen;

static void
seen_result_cb(const struct sweep_result *r, void *arg)
{
	struct seen *sn = arg;
	const struct config *c = sn->c;
	char name[TARGET_TEXT_MAX], line[512];
	size_t n;

	ck_assert_int_eq(target_format(&c->targets[r->target], name,
	    sizeof(name)), 0);
	n = (size_t)snprintf(line, sizeof(line), "%s %s %s", name,
	    c->zones[r->zone].name, verdict_name(r->res.verdict));
	for (size_t i = 0; i < r->res.ncodes; i++) {
		char code[16];

		code_format(r->res.codes[i], code);
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", code);
	}
	if (r->res.txt != NULL)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " \"%s\"",
		    r->res.txt);
	if (r->res.error != NULL && r->res.verdict == VERDICT_ERROR)
		snprintf(line + n, sizeof(line) - n, " (%s)", r->res.error);
	ck_assert_uint_lt(sn->nresults, FAKE_RESULTS);
	sn->results[sn->nresults++] = strdup(line);
}

static void
seen_zone_cb(uint32_t zone, enum zone_health h,
    enum zone_health to, const struct diagnose_probe probes[2], void *arg)
{
	struct seen *sn = arg;

	(void)probes;
	ck_assert_int_eq(h, HEALTH_UNKNOWN);
	h = to;
	ck_assert_uint_lt(zone, 16);
	sn->health[zone] = (int8_t)h;
	sn->zone_calls[zone]++;
}

/* "zone state" lines in config order; every zone told once. */
static void
seen_zones(const struct seen *sn, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t zi = 0; zi < sn->c->nzones; zi++) {
		ck_assert_uint_eq(sn->zone_calls[zi], 1);
		n += (size_t)snprintf(buf + n, len - n, "%s%s %s",
		    n ? "\n" : "", sn->c->zones[zi].name,
		    health_name((enum zone_health)sn->health[zi]));
	}
}

static void
seen_done_cb(void *arg)
{
	((struct seen *)arg)->done = true;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The results, sorted, one per line. */
static char *
seen_results(struct seen *sn)
{
	size_t len = 1;
	char *out;

	qsort(sn->results, sn->nresults, sizeof(char *), line_cmp);
	for (size_t i = 0; i < sn->nresults; i++)
		len += strlen(sn->results[i]) + 1;
	out = calloc(1, len);
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < sn->nresults; i++) {
		strcat(out, sn->results[i]);
		if (i + 1 < sn->nresults)
			strcat(out, "\n");
	}
	return out;
}

static void
seen_clear(struct seen *sn)
{
	for (size_t i = 0; i < sn->nresults; i++)
		free(sn->results[i]);
	memset(sn, 0, sizeof(*sn));
}

/* Called on the loaded config before the sweep starts, if set. */
static void (*run_tweak)(struct config *c);

static void
run_start(struct fake_run *run, const char *body, const struct rule *rules)
{
	struct sweep_options so = { .once = true, .health_need = 1 };
	struct sweep_callbacks cbs = {
		.result_cb = seen_result_cb, .zone_cb = seen_zone_cb,
		.done_cb = seen_done_cb, .arg = &seen,
	};
	size_t fail_at = fake.fail_at;
	bool twice = fake.answer_twice;

	fake_run_load(run, &fake, rules, "[rblmond]\ntimeout = 1s\ntries = 1\n",
	    body);
	fake.fail_at = fail_at;
	fake.answer_twice = twice;
	seen_clear(&seen);
	memset(seen.health, -1, sizeof(seen.health));
	if (run_tweak != NULL)
		run_tweak(run->c);
	seen.c = run->c;
	fake_run_new(run, &so, &cbs);
	sweep_start(run->s);
}

/*
 * Answer everything, oldest first; when nothing is pending move the clock
 * to the sweep's wake-up. Then let the loop deliver done_cb.
 */
static void
run_drive(struct fake_run *run)
{
	for (int steps = 0; steps < 100000; steps++) {
		if (fake_answer_first(&fake))
			continue;
		if (sweep_wake_at(run->s) == UINT64_MAX)
			break;
		ck_assert_uint_ge(sweep_wake_at(run->s), fake.now);
		fake.now = sweep_wake_at(run->s);
		sweep_poll(run->s);
	}
	event_base_loop(run->base, EVLOOP_NONBLOCK);
}

static void
run_end(struct fake_run *run)
{
	fake_run_end(run);
	seen_clear(&seen);
	fake.fail_at = 0;
	fake.answer_twice = false;
}

/* Every pair reported exactly once, and the sweep said done. */
static void
check_complete(const struct fake_run *run)
{
	uint64_t done, total;

	sweep_progress(run->s, &done, &total);
	ck_assert(seen.done);
	ck_assert_uint_eq(done, total);
	ck_assert_uint_eq(seen.nresults, total);
	qsort(seen.results, seen.nresults, sizeof(char *), line_cmp);
	for (size_t i = 1; i < seen.nresults; i++) {
		/* "target zone " must differ from the previous line's. */
		const char *a = seen.results[i - 1], *b = seen.results[i];
		size_t la = strcspn(a, " "), lb = strcspn(b, " ");

		la += 1 + strcspn(a + la + 1, " ");
		lb += 1 + strcspn(b + lb + 1, " ");
		ck_assert_msg(la != lb || strncmp(a, b, la) != 0,
		    "pair twice: %s / %s", a, b);
	}
	ck_assert_uint_eq(fake_pending(&fake), 0);
}

/* -- the table ---------------------------------------------------------- */

#define TWO_ZONES \
	"[targets]\nip = 192.0.2.1\nip = 192.0.2.2\n" \
	"[zone a.test]\ntype = ip4\n[zone b.test]\ntype = ip4\n"

static const struct {
	const char *name;
	const char *config;
	struct rule rules[6];
	size_t fail_at;
	const char *results;
	const char *zones;
} rows[] = {
	{ "two zones, every pair once", TWO_ZONES,
	    { { "1.2.0.192.a.test", "listed" } }, 0,
	    "192.0.2.1 a.test listed 127.0.0.2\n"
	    "192.0.2.1 b.test clean\n"
	    "192.0.2.2 a.test clean\n"
	    "192.0.2.2 b.test clean",
	    "a.test ok\nb.test ok" },
	{ "missing positive point: dead, suppressed", TWO_ZONES,
	    { { "2.0.0.127.b.test", "nx" } }, 0,
	    "192.0.2.1 a.test clean\n"
	    "192.0.2.1 b.test suppressed\n"
	    "192.0.2.2 a.test clean\n"
	    "192.0.2.2 b.test suppressed",
	    "a.test ok\nb.test dead" },
	{ "negative point listed: lists-all", TWO_ZONES,
	    { { "1.0.0.127.a.test", "listed" } }, 0,
	    "192.0.2.1 a.test suppressed\n"
	    "192.0.2.1 b.test clean\n"
	    "192.0.2.2 a.test suppressed\n"
	    "192.0.2.2 b.test clean",
	    "a.test lists-all\nb.test ok" },
	{ "a pair that cannot be sent is one error", TWO_ZONES, { { 0 } },
	    5,
	    "192.0.2.1 a.test error (cannot send query)\n"
	    "192.0.2.1 b.test clean\n"
	    "192.0.2.2 a.test clean\n"
	    "192.0.2.2 b.test clean",
	    "a.test ok\nb.test ok" },
	{ "a test point that cannot be sent: dead", TWO_ZONES, { { 0 } }, 1,
	    "192.0.2.1 a.test suppressed\n"
	    "192.0.2.1 b.test clean\n"
	    "192.0.2.2 a.test suppressed\n"
	    "192.0.2.2 b.test clean",
	    "a.test dead\nb.test ok" },
	{ "connection failure, asked again: listed", TWO_ZONES,
	    { { "1.2.0.192.a.test", "connfail-once" } }, 0,
	    "192.0.2.1 a.test listed 127.0.0.2\n"
	    "192.0.2.1 b.test clean\n"
	    "192.0.2.2 a.test clean\n"
	    "192.0.2.2 b.test clean",
	    "a.test ok\nb.test ok" },
	{ "connection failure twice: error", TWO_ZONES,
	    { { "1.2.0.192.a.test", "connfail" } }, 0,
	    "192.0.2.1 a.test error (timeout)\n"
	    "192.0.2.1 b.test clean\n"
	    "192.0.2.2 a.test clean\n"
	    "192.0.2.2 b.test clean",
	    "a.test ok\nb.test ok" },
	{ "a plain error is not asked again", TWO_ZONES,
	    { { "1.2.0.192.a.test", "error" } }, 0,
	    "192.0.2.1 a.test error (timeout)\n"
	    "192.0.2.1 b.test clean\n"
	    "192.0.2.2 a.test clean\n"
	    "192.0.2.2 b.test clean",
	    "a.test ok\nb.test ok" },
	{ "test point with a connection failure asked again", TWO_ZONES,
	    { { "2.0.0.127.a.test", "connfail-once" } }, 0,
	    "192.0.2.1 a.test clean\n"
	    "192.0.2.1 b.test clean\n"
	    "192.0.2.2 a.test clean\n"
	    "192.0.2.2 b.test clean",
	    "a.test ok\nb.test ok" },
	{ "TXT follow-up of a listed pair",
	    "[targets]\nip = 192.0.2.1\nip = 192.0.2.2\n"
	    "[zone t.test]\ntype = ip4\ntxt = yes\n",
	    { { "1.2.0.192.t.test", "listed" },
	      { "2.2.0.192.t.test", "txtfail" } }, 0,
	    "192.0.2.1 t.test listed 127.0.0.2 \"Listed: 1.2.0.192.t.test\"\n"
	    "192.0.2.2 t.test listed 127.0.0.2",
	    "t.test ok" },
	{ "test_listed = none: no positive point asked",
	    "[targets]\nip = 192.0.2.1\n"
	    "[zone n.test]\ntype = ip4\ntest_listed = none\n",
	    { { "2.0.0.127.n.test", "nx" } }, 0,
	    "192.0.2.1 n.test clean",
	    "n.test ok" },
	{ "test_listed = none, negative point listed",
	    "[targets]\nip = 192.0.2.1\n"
	    "[zone n.test]\ntype = ip4\ntest_listed = none\n",
	    { { "1.0.0.127.n.test", "listed" } }, 0,
	    "192.0.2.1 n.test suppressed",
	    "n.test lists-all" },
	{ "test_points = no",
	    "[targets]\nip = 192.0.2.1\n"
	    "[zone n.test]\ntype = ip4\ntest_points = no\n",
	    { { "*.n.test", "a:3" } }, 0,
	    "192.0.2.1 n.test listed 127.0.0.3",
	    "n.test ok" },
	{ "a domain list's own test point",
	    "[targets]\ndomain = example.com\n"
	    "[zone d.test]\ntype = domain\ntest_listed = dbltest.com\n",
	    { { "dbltest.com.d.test", "a:3" }, { "test.d.test", "nx" } }, 0,
	    "example.com d.test clean",
	    "d.test ok" },
	{ "ip6 and domain zones beside an ip4 one",
	    "[targets]\nip = 192.0.2.1\nip = 2001:db8::1\ndomain = a.example\n"
	    "[zone four.test]\ntype = ip4\n[zone six.test]\ntype = ip6\n"
	    "[zone both.test]\ntype = ip\n[zone dom.test]\ntype = domain\n",
	    { { "a.example.dom.test", "listed" } }, 0,
	    "192.0.2.1 both.test clean\n"
	    "192.0.2.1 four.test clean\n"
	    "2001:db8::1 both.test clean\n"
	    "2001:db8::1 six.test clean\n"
	    "a.example dom.test listed 127.0.0.2",
	    "four.test ok\nsix.test ok\nboth.test ok\ndom.test ok" },
};

START_TEST(test_row)
{
	struct fake_run run;
	char *got, zones[1024];

	fake.fail_at = rows[_i].fail_at;
	run_start(&run, rows[_i].config, rows[_i].rules);
	run_drive(&run);
	check_complete(&run);
	got = seen_results(&seen);
	ck_assert_msg(strcmp(got, rows[_i].results) == 0,
	    "%s: results\n%s\nwant\n%s", rows[_i].name, got,
	    rows[_i].results);
	seen_zones(&seen, zones, sizeof(zones));
	ck_assert_msg(strcmp(zones, rows[_i].zones) == 0,
	    "%s: zones\n%s\nwant\n%s", rows[_i].name, zones,
	    rows[_i].zones);
	free(got);
	run_end(&run);
}
END_TEST

/* -- order of queries --------------------------------------------------- */

START_TEST(test_probes_before_pairs)
{
	struct fake_run run;

	run_start(&run, TWO_ZONES, NULL);
	/* Nothing answered yet: only the four test points are out. */
	ck_assert_uint_eq(fake.n, 4);
	for (size_t i = 0; i < fake.n; i++)
		ck_assert_msg(strncmp(fake.q[i].qname, "2.0.0.127.", 10) == 0 ||
		    strncmp(fake.q[i].qname, "1.0.0.127.", 10) == 0,
		    "%s before the test points were answered", fake.q[i].qname);
	/* a.test's points answered: its pairs go out, b.test's do not. */
	fake_answer(&fake, 0);
	fake_answer(&fake, 2);
	ck_assert_uint_eq(fake_find(&fake, "*.b.test", 4), fake.n);
	ck_assert_uint_lt(fake_find(&fake, "*.2.0.192.a.test", 4), fake.n);
	run_drive(&run);
	check_complete(&run);
	run_end(&run);
}
END_TEST

START_TEST(test_points_skipped)
{
	struct fake_run run;

	run_start(&run, "[targets]\nip = 192.0.2.1\n"
	    "[zone n.test]\ntype = ip4\ntest_listed = none\n"
	    "[zone u.test]\ntype = ip4\ntest_unlisted = none\n"
	    "[zone o.test]\ntype = ip4\ntest_points = no\n", NULL);
	run_drive(&run);
	check_complete(&run);
	ck_assert_uint_eq(fake_find(&fake, "2.0.0.127.n.test", 0), fake.n);
	ck_assert_uint_lt(fake_find(&fake, "1.0.0.127.n.test", 0), fake.n);
	ck_assert_uint_lt(fake_find(&fake, "2.0.0.127.u.test", 0), fake.n);
	ck_assert_uint_eq(fake_find(&fake, "1.0.0.127.u.test", 0), fake.n);
	ck_assert_uint_eq(fake_find(&fake, "*.127.o.test", 0), fake.n);
	ck_assert_uint_eq(fake.n, 2 + 3);
	run_end(&run);
}
END_TEST

/* A send may fail at any point: each run still reports every pair once. */
START_TEST(test_send_failure_anywhere)
{
	struct fake_run run;
	size_t total;

	run_start(&run, TWO_ZONES "txt = yes\n",
	    (const struct rule[]){ { "*.192.b.test", "listed" }, { 0 } });
	run_drive(&run);
	check_complete(&run);
	total = fake.n;
	run_end(&run);
	for (size_t n = 1; n <= total + 1; n++) {
		fake.fail_at = n;
		run_start(&run, TWO_ZONES "txt = yes\n",
		    (const struct rule[]){ { "*.192.b.test", "listed" },
		    { 0 } });
		run_drive(&run);
		check_complete(&run);
		run_end(&run);
	}
}
END_TEST

START_TEST(test_reask_after_first_pass)
{
	struct fake_run run;
	size_t first, again, last;

	run_start(&run, "max_inflight = 1\n[targets]\nnet = 192.0.2.0/29\n"
	    "[zone a.test]\ntype = ip4\n",
	    (const struct rule[]){ { "1.2.0.192.a.test", "connfail-once" },
	    { 0 } });
	run_drive(&run);
	check_complete(&run);
	first = fake_find(&fake, "1.2.0.192.a.test", 0);
	again = fake_find(&fake, "1.2.0.192.a.test", first + 1);
	last = fake_find(&fake, "7.2.0.192.a.test", 0);
	ck_assert_uint_lt(first, fake.n);
	ck_assert_uint_lt(again, fake.n);
	/* Asked again only after every target had its first query. */
	ck_assert_uint_gt(again, last);
	ck_assert_uint_eq(fake.n, 2 + 8 + 1);
	run_end(&run);
}
END_TEST

/* Re-asks are bounded: past SWEEP_REASK_MAX queued, errors stay errors. */
START_TEST(test_reask_bounded)
{
	struct fake_run run;
	size_t errors = 0;

	/* The first rule that matches wins: test points first. */
	run_start(&run, "[targets]\nnet = 192.0.0.0/21\n"
	    "[zone a.test]\ntype = ip4\n",
	    (const struct rule[]){ { "2.0.0.127.a.test", "listed" },
	    { "1.0.0.127.a.test", "nx" }, { "*.a.test", "connfail" },
	    { 0 } });
	run_drive(&run);
	check_complete(&run);
	ck_assert_uint_eq(fake.n, 2 + 2048 + SWEEP_REASK_MAX);
	for (size_t i = 0; i < seen.nresults; i++)
		errors += strstr(seen.results[i], " error ") != NULL;
	ck_assert_uint_eq(errors, 2048);
	run_end(&run);
}
END_TEST

/* -- pacing ------------------------------------------------------------- */

/*
 * A 0.1 q/s zone beside a 1 q/s one: the fast zone's first pair goes out
 * a token's wait after its test points, not when the slow zone's next
 * token is due, and its pairs follow one a second, not in a burst.
 */
START_TEST(test_slow_zone_does_not_hold_back_fast)
{
	struct fake_run run;
	uint64_t t0, prev;
	size_t i;

	run_start(&run, "[targets]\nnet = 192.0.2.0/30\nip = 2001:db8::1\n"
	    "ip = 2001:db8::2\n"
	    "[zone slow.test]\ntype = ip6\nmax_qps = 0.1\ntest_points = no\n"
	    "[zone fast.test]\ntype = ip4\nmax_qps = 1\n", NULL);
	t0 = fake.now;
	run_drive(&run);
	check_complete(&run);
	i = fake_find(&fake, "*.2.0.192.fast.test", 0);
	ck_assert_uint_lt(i, fake.n);
	/* Test points at 0 s and 1 s, the first pair at 2 s. */
	ck_assert_uint_le(fake.q[i].at - t0, 2 * NS + NS / 10);
	prev = fake.q[i].at;
	for (i = fake_find(&fake, "*.2.0.192.fast.test", i + 1); i < fake.n;
	    i = fake_find(&fake, "*.2.0.192.fast.test", i + 1)) {
		ck_assert_uint_ge(fake.q[i].at - prev, NS - NS / 100);
		ck_assert_uint_le(fake.q[i].at - prev, NS + NS / 10);
		prev = fake.q[i].at;
	}
	/* The slow zone's second target waited its 10 s. */
	i = fake_find(&fake, "*.slow.test", fake_find(&fake, "*.slow.test",
	    0) + 1);
	ck_assert_uint_ge(fake.q[i].at - t0, 10 * NS - NS / 100);
	run_end(&run);
}
END_TEST

/* TXT follow-ups take tokens: 6 listed pairs at 2 q/s are 12 queries. */
START_TEST(test_txt_takes_tokens)
{
	struct fake_run run;
	uint64_t t0;
	size_t ntxt = 0;

	run_start(&run, "[targets]\nnet = 192.0.2.0/30\nip = 192.0.2.4\n"
	    "ip = 192.0.2.5\n"
	    "[zone t.test]\ntype = ip4\nmax_qps = 2\ntxt = yes\n"
	    "test_points = no\n",
	    (const struct rule[]){ { "*.t.test", "listed" }, { 0 } });
	t0 = fake.now;
	run_drive(&run);
	check_complete(&run);
	ck_assert_uint_eq(fake.n, 12);
	for (size_t i = 0; i < fake.n; i++) {
		ntxt += fake.q[i].type == RESOLVER_TXT;
		/* A burst of 2, then one every half second. */
		if (i >= 2)
			ck_assert_uint_ge(fake.q[i].at - t0,
			    (i - 1) * NS / 2 - NS / 100);
	}
	ck_assert_uint_eq(ntxt, 6);
	run_end(&run);
}
END_TEST

/*
 * The wake-up is always the nearest token: armed for the slow zone's
 * next token, it is brought forward when the fast zone turns ok.
 */
START_TEST(test_wake_shortened)
{
	struct fake_run run;
	uint64_t t0;

	run_start(&run, "[targets]\nip = 192.0.2.1\nip = 192.0.2.2\n"
	    "ip = 2001:db8::1\nip = 2001:db8::2\n"
	    "[zone slow.test]\ntype = ip6\nmax_qps = 0.1\ntest_points = no\n"
	    "[zone fast.test]\ntype = ip4\nmax_qps = 1\n", NULL);
	t0 = fake.now;
	/* Slow pair and fast positive point out; the negative point next. */
	ck_assert_uint_eq(fake.n, 2);
	ck_assert_uint_le(sweep_wake_at(run.s) - t0, NS + NS / 100);
	fake_answer(&fake, 0);
	fake_answer(&fake, 1);
	fake.now = sweep_wake_at(run.s);
	sweep_poll(run.s);
	ck_assert_uint_eq(fake.n, 3);
	/* Only the slow zone waits now: about 10 s after it started. */
	ck_assert_uint_ge(sweep_wake_at(run.s) - t0, 10 * NS - NS / 100);
	/* The fast zone is ok and wants a token in a second. */
	fake_answer(&fake, 2);
	ck_assert_uint_le(sweep_wake_at(run.s) - t0, 2 * NS + NS / 100);
	run_drive(&run);
	check_complete(&run);
	run_end(&run);
}
END_TEST

/* -- stopping and guards ------------------------------------------------- */

static void
tweak_rate(struct config *c)
{
	/* Below what the config accepts: no token would ever be due. */
	c->zones[0].max_qps = 1e-12;
}

/*
 * A sweep that can never go on says done rather than wait forever, with
 * its pairs left (sweep_progress): the caller reports it incomplete.
 */
START_TEST(test_stalled_sweep_ends)
{
	struct fake_run run;
	uint64_t done, total;

	run_tweak = tweak_rate;
	run_start(&run, "[targets]\nnet = 192.0.2.0/30\n"
	    "[zone a.test]\ntype = ip4\ntest_points = no\n", NULL);
	run_tweak = NULL;
	run_drive(&run);
	ck_assert(seen.done);
	ck_assert_uint_eq(sweep_wake_at(run.s), UINT64_MAX);
	sweep_progress(run.s, &done, &total);
	ck_assert_uint_eq(done, 1);
	ck_assert_uint_eq(total, 4);
	ck_assert_uint_eq(fake.n, 1);
	run_end(&run);
}
END_TEST

START_TEST(test_stop_midway)
{
	struct fake_run run;
	uint64_t done, total;

	run_start(&run, "max_inflight = 4\n[targets]\nnet = 192.0.2.0/28\n"
	    "[zone t.test]\ntype = ip4\ntxt = yes\n",
	    (const struct rule[]){ { "1.2.0.192.t.test", "listed" },
	    { 0 } });
	/* Test points, then the first pairs; 192.0.2.1 is listed. */
	fake_answer(&fake, 0);
	fake_answer(&fake, 1);
	fake_answer(&fake, 3); /* 192.0.2.1: listed, its TXT waits */
	ck_assert_uint_eq(seen.nresults, 0);
	sweep_stop(run.s);
	ck_assert_uint_eq(fake.cancels, 1);
	ck_assert_uint_eq(fake_pending(&fake), 0);
	/* The listing found is reported, nothing else, and no done_cb. */
	ck_assert_uint_eq(seen.nresults, 1);
	ck_assert_str_eq(seen.results[0], "192.0.2.1 t.test listed 127.0.0.2");
	sweep_progress(run.s, &done, &total);
	ck_assert_uint_eq(done, 1);
	ck_assert_uint_eq(total, 16);
	event_base_loop(run.base, EVLOOP_NONBLOCK);
	ck_assert(!seen.done);
	/* Stopping twice, and polling after, do nothing. */
	sweep_stop(run.s);
	sweep_poll(run.s);
	ck_assert_uint_eq(seen.nresults, 1);
	run_end(&run);
}
END_TEST

/*
 * A resolver that called back twice for one query: never a pair twice.
 * Debug builds stop at the assertion; release builds drop the second.
 */
START_TEST(test_double_callback)
{
	struct fake_run run;

	fake.answer_twice = true;
	run_start(&run, TWO_ZONES, NULL);
	run_drive(&run);
	check_complete(&run);
	run_end(&run);
}
END_TEST

static Suite *
sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("table");

	tcase_add_loop_test(tc, test_row, 0, sizeof(rows) / sizeof(rows[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("order");
	tcase_add_test(tc, test_probes_before_pairs);
	tcase_add_test(tc, test_points_skipped);
	tcase_add_test(tc, test_send_failure_anywhere);
	tcase_add_test(tc, test_reask_after_first_pass);
	tcase_add_test(tc, test_reask_bounded);
	suite_add_tcase(s, tc);
	tc = tcase_create("pacing");
	tcase_add_test(tc, test_slow_zone_does_not_hold_back_fast);
	tcase_add_test(tc, test_txt_takes_tokens);
	tcase_add_test(tc, test_wake_shortened);
	suite_add_tcase(s, tc);
	tc = tcase_create("guards");
	tcase_add_test(tc, test_stop_midway);
	tcase_add_test(tc, test_stalled_sweep_ends);
#ifdef NDEBUG
	tcase_add_test(tc, test_double_callback);
#else
	tcase_add_test_raise_signal(tc, test_double_callback, SIGABRT);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(sweep_suite());
}

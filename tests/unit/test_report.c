/* SPDX-License-Identifier: ISC */
/*
 * The --once report: each result's JSON line, the summary object (parsed
 * back with jansson), the text table and its summary, the exit code, and
 * write errors with their errno. Output goes to a temporary file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "report.h"
#include "result.h"
#include "sweep.h"
#include "unit.h"

#define C(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	((uint32_t)(c) << 8) | (uint32_t)(d))

/* Targets sort: 192.0.2.1 (0), 192.0.2.2 (1, group mail), a.example (2). */
static const char config_text[] =
    "[rblmond]\n"
    "[targets]\nip = 192.0.2.1\ndomain = a.example\n"
    "[targets mail]\nip = 192.0.2.2\n"
    "[zone zen.test]\ntype = ip4\nlisted = 127.0.0.2-127.0.0.11\n"
    "refused = 127.255.255.0/24\ncode = 127.0.0.2 SBL\n"
    "code = 127.0.0.4-127.0.0.7 XBL\n"
    "[zone dom.test]\ntype = domain\n";

static struct config *
load(void)
{
	struct config *c = unit_config("", config_text);

	ck_assert_uint_eq(c->ntargets, 3);
	ck_assert_uint_eq(config_pairs(c), 3);
	return c;
}

/* Codes results point at: they must outlive the report_add call. */
static const uint32_t code_2[] = { C(127, 0, 0, 2) };
static const uint32_t codes_4_2[] = { C(127, 0, 0, 4), C(127, 0, 0, 2) };

struct fixture {
	struct config *c;
	struct report *rep;
	FILE *out;
};

static void
open_report(struct fixture *fx, bool json, bool all)
{
	struct report_options o = {
		.json = json, .all = all, .servers = "10.0.0.53:53",
		.system_servers = true,
	};

	fx->c = load();
	fx->out = tmpfile();
	ck_assert_ptr_nonnull(fx->out);
	o.out = fx->out;
	ck_assert_int_eq(report_new(fx->c, &o, &fx->rep), 0);
}

/* Everything written, as one string (caller frees). */
static char *
output(struct fixture *fx)
{
	long n;
	char *buf;

	fflush(fx->out);
	n = ftell(fx->out);
	ck_assert_int_ge(n, 0);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	rewind(fx->out);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fx->out), (size_t)n);
	return buf;
}

static void
close_report(struct fixture *fx)
{
	report_free(fx->rep);
	fclose(fx->out);
	config_free(fx->c);
}

static struct sweep_result
result(uint32_t target, uint32_t zone, enum verdict v)
{
	struct sweep_result r;

	memset(&r, 0, sizeof(r));
	r.target = target;
	r.zone = zone;
	r.res.verdict = (uint8_t)v;
	return r;
}

static const struct diagnose_probe probes_ok[2] = {
	{ DIAGNOSE_CODES, VERDICT_LISTED, C(127, 0, 0, 2), NULL },
	{ DIAGNOSE_NXDOMAIN, VERDICT_CLEAN, 0, NULL },
};
static const struct diagnose_probe probes_nx[2] = {
	{ DIAGNOSE_NXDOMAIN, VERDICT_CLEAN, 0, NULL },
	{ DIAGNOSE_NXDOMAIN, VERDICT_CLEAN, 0, NULL },
};

/* -- JSON lines ----------------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t target, zone;
	enum verdict verdict;
	uint8_t ncodes;
	uint32_t codes[2];
	const char *txt, *error;
	bool all;
	const char *line; /* NULL: nothing printed */
} line_rows[] = {
	{ "listed with labels and TXT", 0, 0, VERDICT_LISTED, 2,
	    { C(127, 0, 0, 2), C(127, 0, 0, 4) }, "Listed \\x1b", NULL, false,
	    "{\"target\":\"192.0.2.1\",\"zone\":\"zen.test\",\"status\":"
	    "\"listed\",\"codes\":[\"127.0.0.2\",\"127.0.0.4\"],\"labels\":"
	    "[\"SBL\",\"XBL\"],\"txt\":\"Listed \\\\x1b\"}" },
	{ "grouped target", 1, 0, VERDICT_LISTED, 1, { C(127, 0, 0, 3) },
	    NULL, NULL, false,
	    "{\"target\":\"192.0.2.2\",\"group\":\"mail\",\"zone\":\"zen.test\","
	    "\"status\":\"listed\",\"codes\":[\"127.0.0.3\"]}" },
	{ "error: text, no codes", 2, 1, VERDICT_ERROR, 1, { C(127, 0, 0, 2) },
	    NULL, "timeout", false,
	    "{\"target\":\"a.example\",\"zone\":\"dom.test\",\"status\":"
	    "\"error\",\"error\":\"timeout\"}" },
	{ "refused keeps its code", 0, 0, VERDICT_REFUSED, 1,
	    { C(127, 255, 255, 254) }, NULL, NULL, false,
	    "{\"target\":\"192.0.2.1\",\"zone\":\"zen.test\",\"status\":"
	    "\"refused\",\"codes\":[\"127.255.255.254\"]}" },
	{ "suppressed", 2, 1, VERDICT_SUPPRESSED, 0, { 0 }, NULL, NULL, false,
	    "{\"target\":\"a.example\",\"zone\":\"dom.test\",\"status\":"
	    "\"suppressed\"}" },
	{ "clean without --all", 0, 0, VERDICT_CLEAN, 0, { 0 }, NULL, NULL,
	    false, NULL },
	{ "clean with --all", 0, 0, VERDICT_CLEAN, 0, { 0 }, NULL, NULL, true,
	    "{\"target\":\"192.0.2.1\",\"zone\":\"zen.test\",\"status\":"
	    "\"clean\"}" },
};

START_TEST(test_json_line)
{
	struct fixture fx;
	struct sweep_result r = result(line_rows[_i].target,
	    line_rows[_i].zone, line_rows[_i].verdict);
	char *out, want[1024];

	open_report(&fx, true, line_rows[_i].all);
	r.res.ncodes = line_rows[_i].ncodes;
	r.res.codes = line_rows[_i].codes;
	r.res.txt = line_rows[_i].txt;
	r.res.error = line_rows[_i].error;
	ck_assert_int_eq(report_add(fx.rep, r.target, r.zone, &r.res), 0);
	ck_assert_int_eq(report_flush(fx.rep), 0);
	out = output(&fx);
	snprintf(want, sizeof(want), "%s%s", line_rows[_i].line ?
	    line_rows[_i].line : "", line_rows[_i].line ? "\n" : "");
	ck_assert_msg(strcmp(out, want) == 0, "%s:\n%s\nwant\n%s",
	    line_rows[_i].name, out, want);
	free(out);
	close_report(&fx);
}
END_TEST

/* -- the JSON summary ----------------------------------------------------- */

/* The last line of out, parsed; it must be {"summary": {...}}. */
static json_t *
summary_of(const char *out)
{
	const char *last = out, *p;
	json_error_t e;
	json_t *root, *s;

	for (p = out; *p != '\0'; p++)
		if (*p == '\n' && p[1] != '\0')
			last = p + 1;
	root = json_loads(last, JSON_DISABLE_EOF_CHECK, &e);
	ck_assert_msg(root != NULL, "summary: %s: %s", e.text, last);
	ck_assert_uint_eq(json_object_size(root), 1);
	s = json_incref(json_object_get(root, "summary"));
	ck_assert_ptr_nonnull(s);
	json_decref(root);
	return s;
}

static json_int_t
int_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

START_TEST(test_summary_complete)
{
	struct fixture fx;
	struct sweep_result r;
	json_t *s, *by, *d;
	char *out;

	open_report(&fx, true, false);
	report_zone(fx.rep, 0, HEALTH_OK, probes_ok);
	report_zone(fx.rep, 1, HEALTH_DEAD, probes_nx);
	r = result(0, 0, VERDICT_LISTED);
	r.res.ncodes = 1;
	r.res.codes = code_2;
	report_add(fx.rep, r.target, r.zone, &r.res);
	r = result(1, 0, VERDICT_CLEAN);
	report_add(fx.rep, r.target, r.zone, &r.res);
	r = result(2, 1, VERDICT_SUPPRESSED);
	report_add(fx.rep, r.target, r.zone, &r.res);
	ck_assert_int_eq(report_finish(fx.rep, 0.25), 0);
	out = output(&fx);
	s = summary_of(out);
	ck_assert_int_eq(int_at(s, "targets"), 3);
	ck_assert_int_eq(int_at(s, "zones"), 2);
	ck_assert_int_eq(int_at(s, "pairs"), 3);
	by = json_object_get(s, "by_status");
	ck_assert_int_eq(int_at(by, "listed"), 1);
	ck_assert_int_eq(int_at(by, "clean"), 1);
	ck_assert_int_eq(int_at(by, "suppressed"), 1);
	ck_assert_int_eq(int_at(by, "error"), 0);
	ck_assert_ptr_null(json_object_get(by, "unchecked"));
	ck_assert_uint_eq(json_object_size(by), VERDICT_COUNT);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(s,
	    "zone_state"), "zen.test")), "ok");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(s,
	    "zone_state"), "dom.test")), "dead");
	ck_assert_uint_eq(json_object_size(json_object_get(s, "zone_reason")),
	    1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(s,
	    "zone_reason"), "dom.test")), "test point test answered NXDOMAIN");
	/* A working positive point elsewhere: no resolver-wide cause. */
	ck_assert_uint_eq(json_array_size(json_object_get(s, "diagnosis")), 0);
	ck_assert(json_is_false(json_object_get(s, "incomplete")));
	ck_assert_ptr_null(json_object_get(s, "unchecked_zones"));
	ck_assert_ptr_null(json_object_get(s, "stopped"));
	ck_assert(json_real_value(json_object_get(s, "seconds")) == 0.25);
	d = json_object_get(s, "seconds");
	ck_assert(json_is_real(d));
	ck_assert_int_eq(report_exit_code(fx.rep), REPORT_EXIT_LISTED);
	json_decref(s);
	free(out);
	close_report(&fx);
}
END_TEST

START_TEST(test_summary_diagnosis)
{
	struct fixture fx;
	struct sweep_result r;
	json_t *s, *d, *f;
	char *out;

	open_report(&fx, true, false);
	report_zone(fx.rep, 0, HEALTH_DEAD, probes_nx);
	report_zone(fx.rep, 1, HEALTH_DEAD, probes_nx);
	for (uint32_t t = 0; t < 3; t++) {
		r = result(t, t == 2 ? 1 : 0, VERDICT_SUPPRESSED);
		report_add(fx.rep, r.target, r.zone, &r.res);
	}
	ck_assert_int_eq(report_finish(fx.rep, 0.1), 0);
	out = output(&fx);
	s = summary_of(out);
	d = json_object_get(s, "diagnosis");
	ck_assert_uint_eq(json_array_size(d), 1);
	f = json_array_get(d, 0);
	ck_assert_str_eq(json_string_value(json_object_get(f, "cause")),
	    "nxdomain-all");
	ck_assert_uint_eq(json_array_size(json_object_get(f, "zones")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(f, "evidence")),
	    "every list's positive test point came back NXDOMAIN through "
	    "10.0.0.53 (/etc/resolv.conf)");
	ck_assert_str_eq(json_string_value(json_object_get(f, "advice")),
	    "this resolver cannot reach the lists or is blocked by them; point "
	    "`nameservers` at your own recursive resolver");
	ck_assert_int_eq(report_exit_code(fx.rep), REPORT_EXIT_INCOMPLETE);
	json_decref(s);
	free(out);
	close_report(&fx);
}
END_TEST

START_TEST(test_summary_incomplete)
{
	struct fixture fx;
	struct sweep_result r;
	json_t *s, *by, *uz;
	char *out;

	open_report(&fx, true, true);
	report_zone(fx.rep, 0, HEALTH_OK, probes_ok);
	r = result(0, 0, VERDICT_CLEAN);
	report_add(fx.rep, r.target, r.zone, &r.res);
	report_stopped(fx.rep, "stopped by SIGTERM");
	ck_assert_uint_eq(report_unchecked(fx.rep), 2);
	ck_assert_int_eq(report_finish(fx.rep, 1.0), 0);
	out = output(&fx);
	s = summary_of(out);
	by = json_object_get(s, "by_status");
	ck_assert_int_eq(int_at(by, "unchecked"), 2);
	ck_assert_int_eq(int_at(by, "clean"), 1);
	ck_assert_int_eq(int_at(s, "pairs"), 3);
	ck_assert(json_is_true(json_object_get(s, "incomplete")));
	ck_assert_str_eq(json_string_value(json_object_get(s, "stopped")),
	    "stopped by SIGTERM");
	/* Never "unknown": a zone not decided is listed apart. */
	ck_assert_uint_eq(json_object_size(json_object_get(s, "zone_state")),
	    1);
	uz = json_object_get(s, "unchecked_zones");
	ck_assert_uint_eq(json_array_size(uz), 1);
	ck_assert_str_eq(json_string_value(json_array_get(uz, 0)), "dom.test");
	ck_assert_ptr_null(strstr(out, "unknown"));
	/* Nothing but clean results, yet not a clean sweep. */
	ck_assert_int_eq(report_exit_code(fx.rep), REPORT_EXIT_INCOMPLETE);
	json_decref(s);
	free(out);
	close_report(&fx);
}
END_TEST

/* A sweep that lost pairs without saying why is incomplete all the same. */
START_TEST(test_summary_pairs_missing)
{
	struct fixture fx;
	struct sweep_result r;

	open_report(&fx, true, false);
	report_zone(fx.rep, 0, HEALTH_OK, probes_ok);
	report_zone(fx.rep, 1, HEALTH_OK, probes_ok);
	r = result(0, 0, VERDICT_CLEAN);
	report_add(fx.rep, r.target, r.zone, &r.res);
	ck_assert_int_eq(report_exit_code(fx.rep), REPORT_EXIT_INCOMPLETE);
	close_report(&fx);
}
END_TEST

/* More output than the buffer holds: still whole lines, none lost. */
START_TEST(test_many_lines_whole)
{
	struct fixture fx;
	struct sweep_result r = result(0, 0, VERDICT_LISTED);
	char *out, *line, *save = NULL;
	size_t n = 0;

	open_report(&fx, true, false);
	r.res.ncodes = 1;
	r.res.codes = code_2;
	r.res.txt = "Listed: a reason long enough to fill the buffer in a while";
	for (int i = 0; i < 5000; i++)
		ck_assert_int_eq(report_add(fx.rep, r.target, r.zone, &r.res), 0);
	ck_assert_int_eq(report_finish(fx.rep, 1.0), 0);
	out = output(&fx);
	ck_assert_uint_gt(strlen(out), 65536 * 3);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		json_t *o = json_loads(line, 0, NULL);

		ck_assert_msg(o != NULL, "not a JSON line: %.80s", line);
		json_decref(o);
	}
	ck_assert_uint_eq(n, 5001);
	free(out);
	close_report(&fx);
}
END_TEST

/* The lines of out, each parsed as JSON; returns how many. */
static size_t
count_json_lines(char *out)
{
	char *line, *save = NULL;
	size_t n = 0;

	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		json_t *o = json_loads(line, 0, NULL);

		ck_assert_msg(o != NULL, "not a JSON line: %.80s", line);
		json_decref(o);
	}
	return n;
}

/*
 * Lines that fill the 64 KiB buffer to its last byte, then more; and a
 * line longer than the whole buffer. Nothing overflows, nothing is cut.
 */
START_TEST(test_buffer_edges)
{
	struct fixture fx;
	struct sweep_result r = result(0, 0, VERDICT_LISTED);
	static char txt[70000];
	char *out;
	size_t base;

	r.res.ncodes = 1;
	r.res.codes = code_2;
	r.res.txt = "";
	open_report(&fx, true, false);
	report_add(fx.rep, r.target, r.zone, &r.res);
	report_flush(fx.rep);
	out = output(&fx);
	base = strlen(out) - 1; /* a line with an empty TXT */
	free(out);
	close_report(&fx);

	/* 64 lines of 1024 bytes, newline included, are exactly 64 KiB. */
	memset(txt, 'x', 1023 - base);
	txt[1023 - base] = '\0';
	r.res.txt = txt;
	open_report(&fx, true, false);
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(report_add(fx.rep, r.target, r.zone, &r.res), 0);
	r.res.txt = "after a full buffer";
	ck_assert_int_eq(report_add(fx.rep, r.target, r.zone, &r.res), 0);
	memset(txt, 'y', sizeof(txt) - 1);
	r.res.txt = txt;
	ck_assert_int_eq(report_add(fx.rep, r.target, r.zone, &r.res), 0);
	r.res.txt = "after a long line";
	ck_assert_int_eq(report_add(fx.rep, r.target, r.zone, &r.res), 0);
	ck_assert_int_eq(report_finish(fx.rep, 1.0), 0);
	out = output(&fx);
	ck_assert_uint_eq(strlen(out) > 65536 + 70000, 1);
	ck_assert_uint_eq(count_json_lines(out), 64 + 3 + 1);
	free(out);
	close_report(&fx);
}
END_TEST

/* -- the text table ------------------------------------------------------- */

START_TEST(test_table)
{
	struct fixture fx;
	struct sweep_result r;
	char *out;

	open_report(&fx, false, false);
	report_zone(fx.rep, 0, HEALTH_OK, probes_ok);
	report_zone(fx.rep, 1, HEALTH_DEAD, probes_nx);
	r = result(1, 0, VERDICT_LISTED);
	r.res.ncodes = 2;
	r.res.codes = codes_4_2;
	r.res.txt = "Listed: see https://example.test/";
	report_add(fx.rep, r.target, r.zone, &r.res);
	r = result(0, 0, VERDICT_ERROR);
	r.res.error = "timeout";
	report_add(fx.rep, r.target, r.zone, &r.res);
	r = result(2, 1, VERDICT_SUPPRESSED);
	report_add(fx.rep, r.target, r.zone, &r.res);
	ck_assert_int_eq(report_finish(fx.rep, 0.5), 0);
	out = output(&fx);
	ck_assert_str_eq(out,
	    "TARGET     GROUP  ZONE      STATUS      CODES               "
	    " LABELS   DETAIL\n"
	    "192.0.2.1  -      zen.test  error                           "
	    "          timeout\n"
	    "192.0.2.2  mail   zen.test  listed      127.0.0.4,127.0.0.2  "
	    "XBL,SBL  Listed: see https://example.test/\n"
	    "zone dom.test is dead: test point test answered NXDOMAIN; "
	    "1 pair suppressed\n"
	    "3 targets x 2 zones: 3 pairs in 0.50 s: 1 listed 1 error "
	    "1 suppressed\n");
	free(out);
	close_report(&fx);
}
END_TEST

START_TEST(test_table_incomplete)
{
	struct fixture fx;
	struct sweep_result r;
	char *out;

	open_report(&fx, false, false);
	report_zone(fx.rep, 0, HEALTH_OK, probes_ok);
	r = result(0, 0, VERDICT_CLEAN);
	report_add(fx.rep, r.target, r.zone, &r.res);
	report_stopped(fx.rep, "stopped by SIGINT");
	ck_assert_int_eq(report_finish(fx.rep, 0.5), 0);
	out = output(&fx);
	ck_assert_str_eq(out,
	    "sweep incomplete (stopped by SIGINT): 2 of 3 pairs not checked; "
	    "zones not checked: dom.test\n"
	    "3 targets x 2 zones: 1 pairs in 0.50 s: 1 clean\n");
	free(out);
	close_report(&fx);
}
END_TEST

/* -- exit codes and errors ------------------------------------------------ */

static const struct {
	const char *name;
	enum verdict v[3];
	enum zone_health h[2];
	int rc;
} exit_rows[] = {
	{ "all clean", { VERDICT_CLEAN, VERDICT_CLEAN, VERDICT_CLEAN },
	    { HEALTH_OK, HEALTH_OK }, REPORT_EXIT_CLEAN },
	{ "ignored is clean", { VERDICT_IGNORED, VERDICT_CLEAN, VERDICT_CLEAN },
	    { HEALTH_OK, HEALTH_OK }, REPORT_EXIT_CLEAN },
	{ "an error", { VERDICT_ERROR, VERDICT_CLEAN, VERDICT_CLEAN },
	    { HEALTH_OK, HEALTH_OK }, REPORT_EXIT_INCOMPLETE },
	{ "refused", { VERDICT_REFUSED, VERDICT_CLEAN, VERDICT_CLEAN },
	    { HEALTH_OK, HEALTH_OK }, REPORT_EXIT_INCOMPLETE },
	{ "bogus", { VERDICT_BOGUS, VERDICT_CLEAN, VERDICT_CLEAN },
	    { HEALTH_OK, HEALTH_OK }, REPORT_EXIT_INCOMPLETE },
	{ "a zone dead", { VERDICT_CLEAN, VERDICT_CLEAN, VERDICT_SUPPRESSED },
	    { HEALTH_OK, HEALTH_DEAD }, REPORT_EXIT_INCOMPLETE },
	{ "listed wins", { VERDICT_LISTED, VERDICT_ERROR, VERDICT_SUPPRESSED },
	    { HEALTH_OK, HEALTH_DEAD }, REPORT_EXIT_LISTED },
};

START_TEST(test_exit_code)
{
	struct fixture fx;
	static const uint32_t zone_of[3] = { 0, 0, 1 };

	open_report(&fx, true, false);
	for (uint32_t z = 0; z < 2; z++)
		report_zone(fx.rep, z, exit_rows[_i].h[z], probes_ok);
	for (uint32_t t = 0; t < 3; t++) {
		struct sweep_result r = result(t, zone_of[t],
		    exit_rows[_i].v[t]);
		report_add(fx.rep, r.target, r.zone, &r.res);
	}
	ck_assert_msg(report_exit_code(fx.rep) == exit_rows[_i].rc,
	    "%s: %d", exit_rows[_i].name, report_exit_code(fx.rep));
	close_report(&fx);
}
END_TEST

/* A full disk is ENOSPC, not EIO; results are still counted. */
START_TEST(test_write_error_errno)
{
	struct report_options o = { .json = true, .all = true };
	struct config *c = load();
	struct report *rep;
	struct sweep_result r = result(0, 0, VERDICT_LISTED);

	o.out = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(o.out);
	ck_assert_int_eq(report_new(c, &o, &rep), 0);
	ck_assert_int_eq(report_add(rep, r.target, r.zone, &r.res), 0);
	ck_assert_int_eq(report_finish(rep, 0.1), -ENOSPC);
	/* The first error sticks. */
	ck_assert_int_eq(report_add(rep, r.target, r.zone, &r.res), -ENOSPC);
	ck_assert_int_eq(report_flush(rep), -ENOSPC);
	ck_assert_int_eq(report_exit_code(rep), REPORT_EXIT_LISTED);
	report_free(rep);
	fclose(o.out);
	config_free(c);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("json");

	tcase_add_loop_test(tc, test_json_line, 0,
	    sizeof(line_rows) / sizeof(line_rows[0]));
	tcase_add_test(tc, test_summary_complete);
	tcase_add_test(tc, test_summary_diagnosis);
	tcase_add_test(tc, test_summary_incomplete);
	tcase_add_test(tc, test_summary_pairs_missing);
	tcase_add_test(tc, test_many_lines_whole);
	tcase_add_test(tc, test_buffer_edges);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_table_incomplete);
	suite_add_tcase(s, tc);
	tc = tcase_create("exit");
	tcase_add_loop_test(tc, test_exit_code, 0,
	    sizeof(exit_rows) / sizeof(exit_rows[0]));
	tcase_add_test(tc, test_write_error_errno);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(report_suite());
}

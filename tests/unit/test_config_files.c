/* SPDX-License-Identifier: ISC */
/*
 * The configuration loader against whole files: the shipped sample and
 * its zones, the test fixture, the warnings about retired lists, and
 * what is not a regular file (a folder, a FIFO, a device).
 */
#include "config_test.h"

/* The shipped sample (and the zones it includes) must always load. */
START_TEST(test_sample)
{
	const char *data = getenv("TESTS_DATA");
	struct config *c = NULL;
	char path[1024], err[1024];
	const struct zone *z;
	int rc;

	snprintf(path, sizeof(path), "%s/../../conf/rblmond.conf",
	    data != NULL ? data : "tests/data");
	rc = config_load(path, &c, err, sizeof(err));
	ck_assert_msg(rc == 0, "sample %s: rc %d: %s", path, rc, err);
	ck_assert_msg(c->nzones >= 10, "sample: %zu zones", c->nzones);
	ck_assert_msg(c->ntargets > 0, "sample: no targets");
	z = find_zone(c, "sample", "zen.spamhaus.org");
	ck_assert_msg(zone_code_refused(z, 0x7ffffffe), "sample: ZEN refuses "
	    "127.255.255.254");
	ck_assert_msg(zone_code_listed(z, 0x7f000004), "sample: ZEN lists "
	    "127.0.0.4");
	z = find_zone(c, "sample", "multi.uribl.com");
	ck_assert_msg(z->type == ZONE_DOMAIN, "sample: URIBL type");
	ck_assert_msg(zone_code_refused(z, 0x7f000001), "sample: URIBL "
	    "refuses 127.0.0.1");
	ck_assert_msg(zone_code_listed(z, 0x7f000004), "sample: URIBL grey");
	config_free(c);
}
END_TEST

/*
 * The catalogue's domain lists are probed with their own documented test
 * names, and the answers those names get are listings (present), while
 * INVALID stays the negative point (RFC 5782 §5).
 */
static const struct sample_point_row {
	const char *zone;
	const char *point;
	uint32_t answer; /* what the list answers for its test name */
} sample_point_rows[] = {
	{ "dbl.spamhaus.org", "dbltest.com", 0x7f000102 },
	{ "multi.uribl.com", "test.uribl.com", 0x7f00000e },
	{ "multi.surbl.org", "test.surbl.org", 0x7f0000fe },
	{ "zen.spamhaus.org", "127.0.0.2", 0x7f000002 },
};

START_TEST(test_sample_points)
{
	const struct sample_point_row *r = &sample_point_rows[_i];
	const char *data = getenv("TESTS_DATA");
	struct config *c = NULL;
	char path[1024], err[1024], pos[TARGET_TEXT_MAX], neg[TARGET_TEXT_MAX];
	const struct zone *z;

	snprintf(path, sizeof(path), "%s/../../conf/rblmond.conf",
	    data != NULL ? data : "tests/data");
	ck_assert_msg(config_load(path, &c, err, sizeof(err)) == 0, "%s", err);
	z = find_zone(c, "sample", r->zone);
	point_text(z, true, pos);
	point_text(z, false, neg);
	ck_assert_msg(strcmp(pos, r->point) == 0, "%s probes %s", r->zone,
	    pos);
	ck_assert_msg(strcmp(neg, z->type == ZONE_DOMAIN ? "invalid" :
	    "127.0.0.1") == 0, "%s: negative point %s", r->zone, neg);
	ck_assert_msg(!zone_code_refused(z, r->answer) &&
	    zone_code_listed(z, r->answer), "%s: test answer not listed",
	    r->zone);
	ck_assert_msg(c->nwarnings == 0, "sample: %zu warnings", c->nwarnings);
	if (strcmp(r->zone, "multi.surbl.org") == 0) {
		uint32_t dm = 0x7f000004, ct = 0x7f000020;
		const char *labels[4];

		ck_assert(zone_code_listed(z, dm) && zone_code_listed(z, ct));
		ck_assert(zone_labels(z, &dm, 1, labels, 4) == 1 &&
		    strcmp(labels[0], "SURBL DM disposable mail") == 0);
		ck_assert(zone_labels(z, &ct, 1, labels, 4) == 1 &&
		    strcmp(labels[0], "SURBL CT click tracker") == 0);
	}
	config_free(c);
}
END_TEST

/* The fixture in tests/data/config: everything at its default. */
START_TEST(test_fixture)
{
	const char *data = getenv("TESTS_DATA");
	struct config *c = NULL;
	char path[1024], err[1024];
	int rc;

	snprintf(path, sizeof(path), "%s/config/minimal.conf",
	    data != NULL ? data : "tests/data");
	rc = config_load(path, &c, err, sizeof(err));
	ck_assert_msg(rc == 0, "fixture %s: rc %d: %s", path, rc, err);
	ck_assert_msg(c->timeout_ms == CONFIG_DEFAULT_TIMEOUT_MS &&
	    c->tries == CONFIG_DEFAULT_TRIES &&
	    c->max_inflight == CONFIG_DEFAULT_MAX_INFLIGHT &&
	    c->max_net_addresses == CONFIG_DEFAULT_MAX_NET_ADDRESSES,
	    "fixture: defaults");
	ck_assert_msg(c->ntargets == 1 && c->nzones == 1 &&
	    config_pairs(c) == 1, "fixture: one pair");
	config_free(c);
}
END_TEST

/* A folder given as the configuration is refused, not read as empty. */
START_TEST(test_folder)
{
	struct tmpdir t;
	struct config *c = NULL;
	char err[1024], want[1024];
	int rc;

	tmp_make(&t);
	rc = config_load(t.path, &c, err, sizeof(err));
	tmp_remove(&t);
	snprintf(want, sizeof(want), "%s: cannot open: Is a directory",
	    t.path);
	ck_assert_int_eq(rc, -EISDIR);
	ck_assert_str_eq(err, want);
}
END_TEST

/* ---- warnings: files that load, with something to say ---- */

static const struct warn_row warn_rows[] = {
	{ "a current list: no warning", TARGET ZONE, NULL, "" },
	{ "SORBS", TARGET "[zone dnsbl.sorbs.net]\n", NULL,
	    MAIN ":3: warning: [zone dnsbl.sorbs.net]: SORBS (retired "
		 "2024-06-05): its zones are no longer served: checks fail or "
		 "come back empty; instead, use zen.spamhaus.org (with "
		 "bl.spamcop.net or bl.mailspike.net beside it)\n" },
	{ "a zone under a retired one, named in upper case",
	    TARGET ZONE "[zone Spam.DNSBL.Sorbs.NET.]\n", NULL,
	    MAIN ":4: warning: [zone spam.dnsbl.sorbs.net]: SORBS (retired "
		 "2024-06-05): its zones are no longer served: checks fail or "
		 "come back empty; instead, use zen.spamhaus.org (with "
		 "bl.spamcop.net or bl.mailspike.net beside it)\n" },
	{ "one warning per retired zone, at its own line, in an include",
	    "[rblmond]\ninclude = inc.conf\n" TARGET
	    "[zone ix.dnsbl.manitu.net]\n",
	    "[zone zen.example]\n[zone bl.spamcannibal.org]\n",
	    INC ":2: warning: [zone bl.spamcannibal.org]: SpamCannibal (retired "
		"2018): a parking wildcard answers every query with an "
		"address outside 127.0.0.0/8 (every check bogus); instead, "
		"use zen.spamhaus.org (with bl.spamcop.net or "
		"bl.mailspike.net beside it)\n"
	    MAIN ":5: warning: [zone ix.dnsbl.manitu.net]: NiX Spam (retired "
		 "2025-01-16): the zone is empty: every check comes back clean, "
		 "whatever the target; instead, use zen.spamhaus.org (with "
		 "bl.spamcop.net or bl.mailspike.net beside it)\n" },
	{ "a name that only ends like a retired one",
	    TARGET "[zone notsorbs.net]\n", NULL, "" },
};

START_TEST(test_warnings)
{
	warn_row_check(&warn_rows[_i]);
}
END_TEST

/*
 * A FIFO as the file or as an include would block for ever (Check's
 * timeout ends the test if it does): only regular files are read.
 */
static const struct fifo_row {
	const char *name;
	const char *top;  /* the file given to config_load, under the folder */
	const char *main; /* main.conf, or NULL */
	const char *err;
} fifo_rows[] = {
	{ "FIFO as the configuration", "fifo", NULL,
	    "@/fifo: not a regular file" },
	{ "FIFO as an include", "main.conf",
	    "[rblmond]\ninclude = fifo\n" TARGET ZONE,
	    MAIN ":2: include: \"@/fifo\": not a regular file" },
};

START_TEST(test_fifo)
{
	const struct fifo_row *r = &fifo_rows[_i];
	struct config *c = NULL;
	struct tmpdir t;
	char path[512], err[1024], want[1024];
	int rc;

	tmp_make(&t);
	snprintf(path, sizeof(path), "%s/fifo", t.path);
	ck_assert_msg(mkfifo(path, 0600) == 0, "mkfifo: %s", strerror(errno));
	if (r->main != NULL)
		tmp_write(&t, "main.conf", r->main);
	snprintf(path, sizeof(path), "%s/%s", t.path, r->top);
	rc = config_load(path, &c, err, sizeof(err));
	tmp_remove(&t);
	expand(r->err, t.path, want, sizeof(want));
	ck_assert_msg(rc == -EINVAL && c == NULL, "%s: rc %d", r->name, rc);
	ck_assert_msg(strcmp(err, want) == 0, "%s:\n got  \"%s\"\n want \"%s\"",
	    r->name, err, want);
}
END_TEST

/* A character device is no configuration either, and never ends. */
START_TEST(test_device)
{
	struct config *c = NULL;
	char err[1024];

	ck_assert_int_eq(config_load("/dev/zero", &c, err, sizeof(err)),
	    -EINVAL);
	ck_assert_str_eq(err, "/dev/zero: not a regular file");
}
END_TEST

static Suite *
config_files_suite(void)
{
	Suite *s = suite_create("config_files");
	TCase *good = tcase_create("accepted");
	TCase *bad = tcase_create("rejected");

	tcase_add_test(good, test_sample);
	tcase_add_loop_test(good, test_sample_points, 0,
	    NROWS(sample_point_rows));
	tcase_add_test(good, test_fixture);
	tcase_add_loop_test(good, test_warnings, 0, NROWS(warn_rows));
	tcase_add_test(bad, test_folder);
	tcase_add_loop_test(bad, test_fifo, 0, NROWS(fifo_rows));
	tcase_add_test(bad, test_device);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	return s;
}

int
main(void)
{
	return unit_run(config_files_suite());
}

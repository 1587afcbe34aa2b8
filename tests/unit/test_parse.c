/* SPDX-License-Identifier: ISC */
/*
 * Table-driven tests of the typed config value parsers: durations,
 * unsigned integers, rates and booleans, valid and invalid rows alike.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "parse.h"

struct duration_row {
	const char *name;
	const char *in;
	uint64_t min, max;
	int rc;
	uint64_t ms;
};

static const struct duration_row duration_rows[] = {
	{ "bare number is seconds", "2", 0, UINT64_MAX, 0, 2000 },
	{ "milliseconds", "250ms", 0, UINT64_MAX, 0, 250 },
	{ "seconds", "2s", 0, UINT64_MAX, 0, 2000 },
	{ "minutes", "30m", 0, UINT64_MAX, 0, 1800000 },
	{ "hours", "1h", 0, UINT64_MAX, 0, 3600000 },
	{ "days", "1d", 0, UINT64_MAX, 0, 86400000 },
	{ "zero", "0", 0, UINT64_MAX, 0, 0 },
	{ "leading zeros", "007s", 0, UINT64_MAX, 0, 7000 },
	{ "at min", "100ms", 100, 60000, 0, 100 },
	{ "at max", "60s", 100, 60000, 0, 60000 },
	{ "below min", "99ms", 100, 60000, -ERANGE, 0 },
	{ "above max", "61s", 100, 60000, -ERANGE, 0 },
	{ "above max in minutes", "2m", 100, 60000, -ERANGE, 0 },
	{ "unknown suffix", "2x", 0, UINT64_MAX, -EINVAL, 0 },
	{ "upper-case suffix", "2S", 0, UINT64_MAX, -EINVAL, 0 },
	{ "suffix alone", "s", 0, UINT64_MAX, -EINVAL, 0 },
	{ "empty", "", 0, UINT64_MAX, -EINVAL, 0 },
	{ "negative", "-1s", 0, UINT64_MAX, -EINVAL, 0 },
	{ "plus sign", "+1s", 0, UINT64_MAX, -EINVAL, 0 },
	{ "leading blank", " 1s", 0, UINT64_MAX, -EINVAL, 0 },
	{ "blank before suffix", "1 s", 0, UINT64_MAX, -EINVAL, 0 },
	{ "fraction", "1.5s", 0, UINT64_MAX, -EINVAL, 0 },
	{ "two suffixes", "1h30m", 0, UINT64_MAX, -EINVAL, 0 },
	{ "hex", "0x10", 0, UINT64_MAX, -EINVAL, 0 },
	{ "overflow in digits", "99999999999999999999999", 0, UINT64_MAX,
	    -ERANGE, 0 },
	{ "overflow in multiplication", "18446744073709551615d", 0,
	    UINT64_MAX, -ERANGE, 0 },
	{ "largest seconds", "18446744073709551s", 0, UINT64_MAX, 0,
	    UINT64_C(18446744073709551000) },
};

START_TEST(test_duration)
{
	const struct duration_row *r = &duration_rows[_i];
	uint64_t ms = 12345;
	int rc = parse_duration_ms(r->in, r->min, r->max, &ms);

	ck_assert_msg(rc == r->rc, "%s: rc %d, expected %d", r->name, rc,
	    r->rc);
	if (r->rc == 0)
		ck_assert_msg(ms == r->ms, "%s: %llu ms, expected %llu",
		    r->name, (unsigned long long)ms,
		    (unsigned long long)r->ms);
	else
		ck_assert_msg(ms == 12345, "%s: result written on error",
		    r->name);
}
END_TEST

struct uint_row {
	const char *name;
	const char *in;
	uint64_t min, max;
	int rc;
	uint64_t v;
};

static const struct uint_row uint_rows[] = {
	{ "plain", "64", 1, 4096, 0, 64 },
	{ "at min", "1", 1, 10, 0, 1 },
	{ "at max", "10", 1, 10, 0, 10 },
	{ "leading zeros", "0010", 1, 10, 0, 10 },
	{ "max of uint64", "18446744073709551615", 0, UINT64_MAX, 0,
	    UINT64_MAX },
	{ "below min", "0", 1, 10, -ERANGE, 0 },
	{ "above max", "11", 1, 10, -ERANGE, 0 },
	{ "overflow", "18446744073709551616", 0, UINT64_MAX, -ERANGE, 0 },
	{ "empty", "", 0, 10, -EINVAL, 0 },
	{ "negative", "-1", 0, 10, -EINVAL, 0 },
	{ "plus sign", "+1", 0, 10, -EINVAL, 0 },
	{ "trailing text", "5x", 0, 10, -EINVAL, 0 },
	{ "trailing blank", "5 ", 0, 10, -EINVAL, 0 },
	{ "leading blank", " 5", 0, 10, -EINVAL, 0 },
	{ "hex", "0x5", 0, 10, -EINVAL, 0 },
	{ "fraction", "1.0", 0, 10, -EINVAL, 0 },
};

START_TEST(test_uint)
{
	const struct uint_row *r = &uint_rows[_i];
	uint64_t v = 777;
	int rc = parse_uint(r->in, r->min, r->max, &v);

	ck_assert_msg(rc == r->rc, "%s: rc %d, expected %d", r->name, rc,
	    r->rc);
	ck_assert_msg(v == (r->rc == 0 ? r->v : 777), "%s: value %llu",
	    r->name, (unsigned long long)v);
}
END_TEST

struct rate_row {
	const char *name;
	const char *in;
	double max;
	int rc;
	double v;
};

static const struct rate_row rate_rows[] = {
	{ "integer", "20", 100000, 0, 20 },
	{ "zero means unlimited", "0", 100000, 0, 0 },
	{ "fraction", "0.5", 100000, 0, 0.5 },
	{ "leading dot", ".25", 100000, 0, 0.25 },
	{ "trailing dot", "3.", 100000, 0, 3 },
	{ "at max", "100000", 100000, 0, 100000 },
	{ "above max", "100000.5", 100000, -ERANGE, 0 },
	{ "far above max", "1000000000000000000000000", 100000, -ERANGE, 0 },
	{ "empty", "", 100000, -EINVAL, 0 },
	{ "dot alone", ".", 100000, -EINVAL, 0 },
	{ "two dots", "1.2.3", 100000, -EINVAL, 0 },
	{ "negative", "-1", 100000, -EINVAL, 0 },
	{ "exponent", "1e3", 100000, -EINVAL, 0 },
	{ "hex", "0x10", 100000, -EINVAL, 0 },
	{ "infinity", "inf", 100000, -EINVAL, 0 },
	{ "not a number", "nan", 100000, -EINVAL, 0 },
	{ "unit", "20/s", 100000, -EINVAL, 0 },
};

START_TEST(test_rate)
{
	const struct rate_row *r = &rate_rows[_i];
	double v = -1;
	int rc = parse_rate(r->in, r->max, &v);

	ck_assert_msg(rc == r->rc, "%s: rc %d, expected %d", r->name, rc,
	    r->rc);
	if (r->rc == 0)
		ck_assert_msg(v == r->v, "%s: %g, expected %g", r->name, v,
		    r->v);
	else
		ck_assert_msg(v == -1, "%s: result written on error", r->name);
}
END_TEST

struct bool_row {
	const char *name;
	const char *in;
	int rc;
	bool v;
};

static const struct bool_row bool_rows[] = {
	{ "yes", "yes", 0, true },
	{ "YES", "YES", 0, true },
	{ "true", "true", 0, true },
	{ "On", "On", 0, true },
	{ "1", "1", 0, true },
	{ "no", "no", 0, false },
	{ "False", "False", 0, false },
	{ "off", "off", 0, false },
	{ "0", "0", 0, false },
	{ "empty", "", -EINVAL, false },
	{ "y", "y", -EINVAL, false },
	{ "2", "2", -EINVAL, false },
	{ "yes with blank", "yes ", -EINVAL, false },
	{ "enabled", "enabled", -EINVAL, false },
};

START_TEST(test_bool)
{
	const struct bool_row *r = &bool_rows[_i];
	bool v = !r->v;
	int rc = parse_bool(r->in, &v);

	ck_assert_msg(rc == r->rc, "%s: rc %d, expected %d", r->name, rc,
	    r->rc);
	ck_assert_msg(v == (r->rc == 0 ? r->v : !r->v), "%s: value %d",
	    r->name, v);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("values");

	tcase_add_loop_test(tc, test_duration, 0, NROWS(duration_rows));
	tcase_add_loop_test(tc, test_uint, 0, NROWS(uint_rows));
	tcase_add_loop_test(tc, test_rate, 0, NROWS(rate_rows));
	tcase_add_loop_test(tc, test_bool, 0, NROWS(bool_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(parse_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

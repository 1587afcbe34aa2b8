/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for parse.c: durations, unsigned integers, rates and
 * booleans, each with its bounds, overflow and malformed spellings, and
 * the result left untouched on every failure.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define DAY_MS UINT64_C(86400000)
/* Written before each call; must survive every failure. */
#define UNTOUCHED UINT64_C(0xdeadbeefcafe)
/* Expected rc of a row that only has to be refused, whatever the errno. */
#define ANY_ERROR 1

static const struct duration_row {
	const char *name;
	const char *in;
	uint64_t min;
	uint64_t max;
	int rc;
	uint64_t want;
} duration_rows[] = {
	{ "milliseconds", "250ms", 0, DAY_MS, 0, 250 },
	{ "seconds", "2s", 0, DAY_MS, 0, 2000 },
	{ "minutes", "30m", 0, DAY_MS, 0, 1800000 },
	{ "hours", "1h", 0, DAY_MS, 0, 3600000 },
	{ "days", "1d", 0, DAY_MS, 0, DAY_MS },
	{ "bare number is seconds", "5", 0, DAY_MS, 0, 5000 },
	{ "zero", "0", 0, DAY_MS, 0, 0 },
	{ "zero milliseconds", "0ms", 0, DAY_MS, 0, 0 },
	{ "leading zeros", "007s", 0, DAY_MS, 0, 7000 },
	{ "at min", "100ms", 100, DAY_MS, 0, 100 },
	{ "below min", "99ms", 100, DAY_MS, -ERANGE, 0 },
	{ "zero below min", "0", 1, DAY_MS, -ERANGE, 0 },
	{ "at max", "24h", 0, DAY_MS, 0, DAY_MS },
	{ "at max in other unit", "1440m", 0, DAY_MS, 0, DAY_MS },
	{ "one ms over max", "86400001ms", 0, DAY_MS, -ERANGE, 0 },
	{ "over max in days", "2d", 0, DAY_MS, -ERANGE, 0 },
	{ "uint64 max ms", "18446744073709551615ms", 0, UINT64_MAX, 0,
	    UINT64_MAX },
	{ "uint64 max plus one", "18446744073709551616ms", 0, UINT64_MAX,
	    -ERANGE, 0 },
	{ "overflow huge", "99999999999999999999999", 0, UINT64_MAX, -ERANGE,
	    0 },
	{ "overflow in seconds", "18446744073709552s", 0, UINT64_MAX,
	    -ERANGE, 0 },
	{ "largest days", "213503982334d", 0, UINT64_MAX, 0,
	    UINT64_C(213503982334) * DAY_MS },
	{ "overflow in days", "213503982335d", 0, UINT64_MAX, -ERANGE, 0 },
	{ "overflow in multiplication", "18446744073709551615d", 0,
	    UINT64_MAX, -ERANGE, 0 },
	{ "largest seconds", "18446744073709551s", 0, UINT64_MAX, 0,
	    UINT64_C(18446744073709551000) },
	{ "empty", "", 0, DAY_MS, -EINVAL, 0 },
	{ "unit only", "s", 0, DAY_MS, -EINVAL, 0 },
	{ "unit only ms", "ms", 0, DAY_MS, -EINVAL, 0 },
	{ "negative", "-1s", 0, DAY_MS, -EINVAL, 0 },
	{ "negative zero", "-0", 0, DAY_MS, -EINVAL, 0 },
	{ "plus sign", "+1s", 0, DAY_MS, -EINVAL, 0 },
	{ "leading space", " 1s", 0, DAY_MS, -EINVAL, 0 },
	{ "trailing space", "1s ", 0, DAY_MS, -EINVAL, 0 },
	{ "space before unit", "1 s", 0, DAY_MS, -EINVAL, 0 },
	{ "fraction", "1.5s", 0, DAY_MS, -EINVAL, 0 },
	{ "unknown unit", "1w", 0, DAY_MS, -EINVAL, 0 },
	{ "long unit name", "1sec", 0, DAY_MS, -EINVAL, 0 },
	{ "upper case unit", "1S", 0, DAY_MS, -EINVAL, 0 },
	{ "two units", "1h30m", 0, DAY_MS, -EINVAL, 0 },
	{ "digits after unit", "1ms5", 0, DAY_MS, -EINVAL, 0 },
	{ "hex", "0x10", 0, DAY_MS, -EINVAL, 0 },
	{ "garbage", "soon", 0, DAY_MS, -EINVAL, 0 },
	/* Malformed wins over out of range, as in parse_uint. */
	{ "huge number with junk", "99999999999999999999999x", 0, UINT64_MAX,
	    -EINVAL, 0 },
};

START_TEST(test_duration)
{
	const struct duration_row *r = &duration_rows[_i];
	uint64_t v = UNTOUCHED;
	int rc;

	rc = parse_duration_ms(r->in, r->min, r->max, &v);
	ck_assert_msg(rc == r->rc, "%s: \"%s\": rc %d, want %d", r->name,
	    r->in, rc, r->rc);
	ck_assert_msg(v == (rc == 0 ? r->want : UNTOUCHED),
	    "%s: \"%s\": value %llu, want %llu", r->name, r->in,
	    (unsigned long long)v,
	    (unsigned long long)(rc == 0 ? r->want : UNTOUCHED));
}
END_TEST

static const struct uint_row {
	const char *name;
	const char *in;
	uint64_t min;
	uint64_t max;
	int rc;
	uint64_t want;
} uint_rows[] = {
	{ "zero", "0", 0, 100, 0, 0 },
	{ "plain", "42", 0, 100, 0, 42 },
	{ "leading zeros are decimal", "010", 0, 100, 0, 10 },
	{ "at min", "1", 1, 100, 0, 1 },
	{ "below min", "0", 1, 100, -ERANGE, 0 },
	{ "at max", "100", 0, 100, 0, 100 },
	{ "above max", "101", 0, 100, -ERANGE, 0 },
	{ "min equals max", "7", 7, 7, 0, 7 },
	{ "uint64 max", "18446744073709551615", 0, UINT64_MAX, 0,
	    UINT64_MAX },
	{ "uint64 max plus one", "18446744073709551616", 0, UINT64_MAX,
	    -ERANGE, 0 },
	{ "overflow huge", "99999999999999999999999999", 0, UINT64_MAX,
	    -ERANGE, 0 },
	{ "empty", "", 0, 100, -EINVAL, 0 },
	{ "plus sign", "+1", 0, 100, -EINVAL, 0 },
	{ "minus sign", "-1", 0, 100, -EINVAL, 0 },
	{ "minus zero", "-0", 0, 100, -EINVAL, 0 },
	{ "minus wraps in strtoull", "-18446744073709551615", 0, UINT64_MAX,
	    -EINVAL, 0 },
	{ "leading space", " 1", 0, 100, -EINVAL, 0 },
	{ "leading tab", "\t1", 0, 100, -EINVAL, 0 },
	{ "trailing space", "1 ", 0, 100, -EINVAL, 0 },
	{ "trailing newline", "1\n", 0, 100, -EINVAL, 0 },
	{ "hex", "0x10", 0, 100, -EINVAL, 0 },
	{ "fraction", "1.0", 0, 100, -EINVAL, 0 },
	{ "exponent", "1e2", 0, 1000, -EINVAL, 0 },
	{ "unit", "10s", 0, 100, -EINVAL, 0 },
	{ "word", "ten", 0, 100, -EINVAL, 0 },
	{ "huge number with junk", "99999999999999999999999x", 0, UINT64_MAX,
	    -EINVAL, 0 },
};

START_TEST(test_uint)
{
	const struct uint_row *r = &uint_rows[_i];
	uint64_t v = UNTOUCHED;
	int rc;

	rc = parse_uint(r->in, r->min, r->max, &v);
	ck_assert_msg(rc == r->rc, "%s: \"%s\": rc %d, want %d", r->name,
	    r->in, rc, r->rc);
	ck_assert_msg(v == (rc == 0 ? r->want : UNTOUCHED),
	    "%s: \"%s\": value %llu, want %llu", r->name, r->in,
	    (unsigned long long)v,
	    (unsigned long long)(rc == 0 ? r->want : UNTOUCHED));
}
END_TEST

/* Expected values are exact in binary so they compare with ==. */
static const struct rate_row {
	const char *name;
	const char *in;
	double max;
	int rc;
	double want;
} rate_rows[] = {
	{ "zero means unlimited", "0", 100, 0, 0 },
	{ "integer", "20", 100, 0, 20 },
	{ "half", "0.5", 100, 0, 0.5 },
	{ "no leading digit", ".5", 100, 0, 0.5 },
	{ "quarter", "0.25", 100, 0, 0.25 },
	{ "trailing zeros", "2.500", 100, 0, 2.5 },
	{ "trailing dot", "3.", 100, 0, 3 },
	{ "zero with max zero", "0", 0, 0, 0 },
	{ "at max", "100", 100, 0, 100 },
	{ "fraction at max", "1.5", 1.5, 0, 1.5 },
	{ "just above max", "100.0001", 100, -ERANGE, 0 },
	{ "above max", "101", 100, -ERANGE, 0 },
	{ "far above max", "1000000000000000000000000", 100, -ERANGE, 0 },
	{ "exponent", "1e3", 10000, -EINVAL, 0 },
	{ "upper exponent", "1E3", 10000, -EINVAL, 0 },
	{ "hex", "0x10", 100, -EINVAL, 0 },
	{ "two dots", "1.2.3", 100, -EINVAL, 0 },
	{ "dot only", ".", 100, -EINVAL, 0 },
	{ "empty", "", 100, -EINVAL, 0 },
	{ "negative", "-1", 100, -EINVAL, 0 },
	{ "negative zero", "-0", 100, -EINVAL, 0 },
	{ "plus sign", "+1", 100, -EINVAL, 0 },
	{ "leading space", " 1", 100, -EINVAL, 0 },
	{ "trailing space", "1 ", 100, -EINVAL, 0 },
	{ "comma decimal", "0,5", 100, -EINVAL, 0 },
	{ "infinity", "inf", 100, -EINVAL, 0 },
	{ "nan", "nan", 100, -EINVAL, 0 },
	{ "unit", "5/s", 100, -EINVAL, 0 },
	/* Beyond any double: refused, whichever errno says so. */
	{ "beyond double",
	    "1000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    1e300, ANY_ERROR, 0 },
};

START_TEST(test_rate)
{
	const struct rate_row *r = &rate_rows[_i];
	const double untouched = -12345.0;
	double v = untouched;
	int rc;

	rc = parse_rate(r->in, r->max, &v);
	if (r->rc == ANY_ERROR)
		ck_assert_msg(rc < 0, "%s: \"%s\": rc %d, want an error",
		    r->name, r->in, rc);
	else
		ck_assert_msg(rc == r->rc, "%s: \"%s\": rc %d, want %d",
		    r->name, r->in, rc, r->rc);
	if (rc == 0)
		ck_assert_msg(v == r->want, "%s: \"%s\": value %g, want %g",
		    r->name, r->in, v, r->want);
	else
		ck_assert_msg(v == untouched, "%s: \"%s\": ret written on "
		    "failure", r->name, r->in);
}
END_TEST

static const struct bool_row {
	const char *name;
	const char *in;
	int rc;
	bool want;
} bool_rows[] = {
	{ "yes", "yes", 0, true },
	{ "true", "true", 0, true },
	{ "on", "on", 0, true },
	{ "one", "1", 0, true },
	{ "no", "no", 0, false },
	{ "false", "false", 0, false },
	{ "off", "off", 0, false },
	{ "zero", "0", 0, false },
	{ "YES", "YES", 0, true },
	{ "True mixed", "True", 0, true },
	{ "oN mixed", "oN", 0, true },
	{ "NO", "NO", 0, false },
	{ "FaLsE mixed", "FaLsE", 0, false },
	{ "OFF", "OFF", 0, false },
	{ "empty", "", -EINVAL, false },
	{ "y", "y", -EINVAL, false },
	{ "n", "n", -EINVAL, false },
	{ "t", "t", -EINVAL, false },
	{ "two", "2", -EINVAL, false },
	{ "zero zero", "00", -EINVAL, false },
	{ "prefix of yes", "ye", -EINVAL, false },
	{ "yes with junk", "yesno", -EINVAL, false },
	{ "trailing space", "yes ", -EINVAL, false },
	{ "leading space", " on", -EINVAL, false },
	{ "enabled", "enabled", -EINVAL, false },
	{ "quoted", "\"yes\"", -EINVAL, false },
};

START_TEST(test_bool)
{
	const struct bool_row *r = &bool_rows[_i];
	bool v;
	int rc;

	/* Both starting values, so a failure that writes is always seen. */
	for (int start = 0; start < 2; start++) {
		v = start != 0;
		rc = parse_bool(r->in, &v);
		ck_assert_msg(rc == r->rc, "%s: \"%s\": rc %d, want %d",
		    r->name, r->in, rc, r->rc);
		ck_assert_msg(v == (rc == 0 ? r->want : start != 0),
		    "%s: \"%s\": value %d (start %d)", r->name, r->in, v,
		    start);
	}
}
END_TEST

#define ADD_LOOP(tc, fn, rows)                                       \
	tcase_add_loop_test(tc, fn, 0,                               \
	    (int)(sizeof(rows) / sizeof(rows[0])))

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("core");

	ADD_LOOP(tc, test_duration, duration_rows);
	ADD_LOOP(tc, test_uint, uint_rows);
	ADD_LOOP(tc, test_rate, rate_rows);
	ADD_LOOP(tc, test_bool, bool_rows);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(parse_suite());
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for retired.c: which configured zone names match a retired
 * list (the pattern itself and every name under it, in any case, never a
 * name that only ends in the same letters), the sentence a warning
 * carries, and that every row of the table is complete.
 */
#include <check.h>

#include "unit.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "retired.h"

static const struct lookup_row {
	const char *name;
	const char *zone;
	const char *want; /* the list's name, or NULL: not retired */
} lookup_rows[] = {
	{ "SORBS aggregate", "dnsbl.sorbs.net", "SORBS" },
	{ "SORBS sub-zone", "spam.dnsbl.sorbs.net", "SORBS" },
	{ "SORBS domain itself", "sorbs.net", "SORBS" },
	{ "upper case", "DNSBL.SORBS.NET", "SORBS" },
	{ "final dot", "dnsbl.sorbs.net.", "SORBS" },
	{ "same letters, other domain", "notsorbs.net", NULL },
	{ "pattern not at the end", "sorbs.net.example", NULL },
	{ "NJABL", "dnsbl.njabl.org", "NJABL" },
	{ "NJABL combined", "combined.njabl.org", "NJABL" },
	{ "AHBL", "dnsbl.ahbl.org", "AHBL" },
	{ "AHBL rhsbl", "rhsbl.ahbl.org", "AHBL" },
	{ "DSBL", "list.dsbl.org", "DSBL" },
	{ "ORDB", "relays.ordb.org", "ORDB" },
	{ "NiX Spam", "ix.dnsbl.manitu.net", "NiX Spam" },
	{ "manitu's other names are not NiX Spam", "dnsbl.manitu.net", NULL },
	{ "SpamCannibal", "bl.spamcannibal.org", "SpamCannibal" },
	{ "rfc-ignorant", "postmaster.rfc-ignorant.org", "RFC-Ignorant" },
	{ "MSRBL", "combined.rbl.msrbl.net", "MSRBL" },
	{ "Email Basura", "bl.emailbasura.org", "Email Basura" },
	{ "CBL", "cbl.abuseat.org", "CBL" },
	{ "abuseat.org itself is not the CBL zone", "abuseat.org", NULL },
	{ "Spamhaus ZEN is current", "zen.spamhaus.org", NULL },
	{ "SpamCop is current", "bl.spamcop.net", NULL },
	{ "empty name", "", NULL },
	{ "a lone dot", ".", NULL },
};

START_TEST(test_lookup)
{
	const struct lookup_row *r = &lookup_rows[_i];
	const struct retired_zone *z = retired_lookup(r->zone);

	if (r->want == NULL)
		ck_assert_msg(z == NULL, "%s: matched %s", r->name,
		    z != NULL ? z->list : "");
	else
		ck_assert_msg(z != NULL && strcmp(z->list, r->want) == 0,
		    "%s: got %s, want %s", r->name, z ? z->list : "NULL",
		    r->want);
}
END_TEST

static const struct format_row {
	const char *name;
	const char *zone;
	const char *want;
} format_rows[] = {
	{ "SORBS", "dnsbl.sorbs.net",
	    "SORBS (retired 2024-06-05): its zones are no longer served: "
	    "checks fail or come back empty; instead, use zen.spamhaus.org "
	    "(with bl.spamcop.net or bl.mailspike.net beside it)" },
	{ "NiX Spam", "ix.dnsbl.manitu.net",
	    "NiX Spam (retired 2025-01-16): the zone is empty: every check "
	    "comes back clean, whatever the target; instead, use "
	    "zen.spamhaus.org (with bl.spamcop.net or bl.mailspike.net beside "
	    "it)" },
	{ "CBL", "cbl.abuseat.org",
	    "CBL (retired as a list of its own; it is now part of the Spamhaus "
	    "XBL): it answers as the XBL does, which zen.spamhaus.org already "
	    "holds: asking both only doubles the queries; instead, use "
	    "zen.spamhaus.org (or xbl.spamhaus.org) alone" },
};

START_TEST(test_format)
{
	const struct format_row *r = &format_rows[_i];
	const struct retired_zone *z = retired_lookup(r->zone);
	char buf[512];
	int n;

	ck_assert_msg(z != NULL, "%s: not found", r->name);
	n = retired_format(z, buf, sizeof(buf));
	ck_assert_msg(strcmp(buf, r->want) == 0, "%s:\n got  %s\n want %s",
	    r->name, buf, r->want);
	ck_assert_int_eq(n, (int)strlen(r->want));
}
END_TEST

/* A short buffer is cut, never overrun, and still terminated. */
START_TEST(test_format_short)
{
	char buf[8 + 8];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = retired_format(retired_lookup("dnsbl.sorbs.net"), buf, 8);
	ck_assert_int_gt(n, 8);
	ck_assert_str_eq(buf, "SORBS (");
	for (size_t i = 8; i < sizeof(buf); i++)
		ck_assert(buf[i] == 'X');
}
END_TEST

/* Every row: lower-case pattern that finds itself, every field filled. */
START_TEST(test_table)
{
	size_t n;
	const struct retired_zone *t = retired_table(&n);
	const struct retired_zone *z = &t[_i];

	ck_assert_uint_ge(n, 11);
	if ((size_t)_i >= n)
		return;
	ck_assert(z->pattern[0] != '\0' && z->list[0] != '\0' &&
	    z->retired[0] != '\0' && z->now[0] != '\0' &&
	    z->instead[0] != '\0');
	for (const char *s = z->pattern; *s != '\0'; s++)
		ck_assert_msg(!isupper((unsigned char)*s), "%s: upper case",
		    z->pattern);
	ck_assert_msg(retired_lookup(z->pattern) == z, "%s: not its own match",
	    z->pattern);
	ck_assert_msg(strncmp(z->instead, "use ", 4) == 0 ||
	    strncmp(z->instead, "remove ", 7) == 0, "%s: instead \"%s\"",
	    z->pattern, z->instead);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
retired_suite(void)
{
	Suite *s = suite_create("retired");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_lookup, 0, NROWS(lookup_rows));
	tcase_add_loop_test(tc, test_format, 0, NROWS(format_rows));
	tcase_add_test(tc, test_format_short);
	tcase_add_loop_test(tc, test_table, 0, 16);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(retired_suite());
}

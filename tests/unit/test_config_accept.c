/* SPDX-License-Identifier: ISC */
/*
 * Table-driven tests of the configuration loader's syntax, sections,
 * targets and zone code sets: files the loader must accept, each checked
 * value by value (groups, the order of targets, code sets, test points,
 * includes, the query-life cap).
 */
#include "config_test.h"

/* ---- accepted files ---- */

static void
target_text(const struct config *c, size_t i, char *buf)
{
	ck_assert(i < c->ntargets);
	ck_assert(target_format(&c->targets[i], buf, TARGET_TEXT_MAX) == 0);
}

/* Targets in order, each "TEXT/GROUP", joined by spaces. */
static void
assert_targets(const struct config *c, const char *row, const char *want)
{
	char got[4096] = "", text[TARGET_TEXT_MAX];
	size_t n = 0;

	for (size_t i = 0; i < c->ntargets && n < sizeof(got); i++) {
		target_text(c, i, text);
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s/%s",
		    i ? " " : "", text, c->groups[c->targets[i].group]);
	}
	ck_assert_msg(strcmp(got, want) == 0, "%s: targets\n got  %s\n want %s",
	    row, got, want);
}

static void
check_defaults(const struct config *c, const char *row)
{
	const struct zone *z = &c->zones[0];

	ck_assert_msg(c->nameservers == NULL, "%s: nameservers", row);
	ck_assert_msg(c->timeout_ms == 2000, "%s: timeout", row);
	ck_assert_msg(c->tries == 3, "%s: tries", row);
	ck_assert_msg(c->max_inflight == 64, "%s: max_inflight", row);
	ck_assert_msg(c->max_net_addresses == 65536, "%s: max_net", row);
	ck_assert_msg(c->ngroups == 1 && strcmp(c->groups[0], "") == 0,
	    "%s: groups", row);
	ck_assert_msg(c->nzones == 1 && strcmp(z->name, "zen.example") == 0,
	    "%s: zones", row);
	ck_assert_msg(z->type == ZONE_IP, "%s: type", row);
	ck_assert_msg(z->nlisted == 0 && z->nrefused == 0 && z->nlabels == 0,
	    "%s: code sets", row);
	ck_assert_msg(!z->txt && z->test_points && z->max_qps == 0,
	    "%s: zone flags", row);
	assert_targets(c, row, "192.0.2.1/");
}

static void
check_values(const struct config *c, const char *row)
{
	ck_assert_msg(c->timeout_ms == 500, "%s: timeout %u", row,
	    c->timeout_ms);
	ck_assert_msg(c->tries == 1, "%s: tries", row);
	ck_assert_msg(c->max_inflight == 4096, "%s: max_inflight", row);
	ck_assert_msg(c->max_net_addresses == 1, "%s: max_net", row);
}

static void
check_nameservers(const struct config *c, const char *row)
{
	const char *want = "127.0.0.1:53,127.0.0.2:5353,[::1]:53,"
			   "[2001:db8::53]:5353,[2001:db8::1]:53";

	ck_assert_msg(c->nameservers != NULL &&
	    strcmp(c->nameservers, want) == 0, "%s: nameservers \"%s\"", row,
	    c->nameservers ? c->nameservers : "(null)");
}

static void
check_groups(const struct config *c, const char *row)
{
	ck_assert_msg(c->ngroups == 3, "%s: %zu groups", row, c->ngroups);
	ck_assert_str_eq(c->groups[0], "");
	ck_assert_str_eq(c->groups[1], "web");
	ck_assert_str_eq(c->groups[2], "mail");
	assert_targets(c, row,
	    "192.0.2.0/mail 192.0.2.1/ 192.0.2.2/mail 192.0.2.3/mail "
	    "2001:db8::1/web 2001:db8::2/mail example.com/mail "
	    "www.example.com/web");
	ck_assert_msg(c->kind_first[TARGET_IPV4] == 0 &&
	    c->kind_count[TARGET_IPV4] == 4, "%s: IPv4 run", row);
	ck_assert_msg(c->kind_first[TARGET_IPV6] == 4 &&
	    c->kind_count[TARGET_IPV6] == 2, "%s: IPv6 run", row);
	ck_assert_msg(c->kind_first[TARGET_DOMAIN] == 6 &&
	    c->kind_count[TARGET_DOMAIN] == 2, "%s: domain run", row);
}

static void
check_net_first(const struct config *c, const char *row)
{
	assert_targets(c, row, "192.0.2.0/a 192.0.2.1/a 192.0.2.2/b");
}

static void
check_net_late_cap(const struct config *c, const char *row)
{
	char text[TARGET_TEXT_MAX];

	ck_assert_msg(c->ntargets == 1024, "%s: %zu targets", row,
	    c->ntargets);
	target_text(c, 0, text);
	ck_assert_str_eq(text, "198.51.100.0");
	target_text(c, 1023, text);
	ck_assert_str_eq(text, "198.51.103.255");
}

static void
check_zone_sets(const struct config *c, const char *row)
{
	const struct zone *z = find_zone(c, row, "zen.example");
	const struct zone *d = find_zone(c, row, "dbl.example");

	ck_assert_msg(z->type == ZONE_IP4 && z->txt && !z->test_points,
	    "%s: zen flags", row);
	ck_assert_msg(z->max_qps == 0.5, "%s: max_qps", row);
	ck_assert_msg(z->nlisted == 2, "%s: nlisted %zu", row, z->nlisted);
	ck_assert(z->listed[0].kind == CODE_RANGE &&
	    z->listed[0].lo == 0x7f000002 && z->listed[0].hi == 0x7f00000b);
	ck_assert(z->listed[1].kind == CODE_RANGE &&
	    z->listed[1].lo == 0x7f00001e && z->listed[1].hi == 0x7f00001e);
	ck_assert_msg(z->nrefused == 1 && z->refused[0].lo == 0x7fffff00 &&
	    z->refused[0].hi == 0x7fffffff, "%s: refused", row);
	ck_assert_msg(z->nlabels == 3, "%s: nlabels %zu", row, z->nlabels);
	ck_assert_str_eq(z->labels[0].label, "SBL");
	ck_assert_str_eq(z->labels[1].label, "SBL CSS");
	ck_assert(z->labels[1].item.lo == 0x7f000003);
	ck_assert_str_eq(z->labels[2].label, "XBL");
	ck_assert(z->labels[2].item.lo == 0x7f000004 &&
	    z->labels[2].item.hi == 0x7f000007);

	ck_assert_msg(d->type == ZONE_DOMAIN && !d->txt && d->test_points,
	    "%s: dbl flags", row);
	ck_assert_msg(d->max_qps == 20, "%s: dbl max_qps", row);
	ck_assert_msg(d->nlisted == 1 && d->listed[0].kind == CODE_MASK &&
	    d->listed[0].lo == 14, "%s: dbl listed", row);
	ck_assert_msg(d->nlabels == 1 && d->labels[0].item.kind == CODE_MASK &&
	    strcmp(d->labels[0].label, "black") == 0, "%s: dbl labels", row);
}

static void
check_zone_targets(const struct config *c, const char *row)
{
	static const struct {
		const char *zone;
		size_t first, count;
	} want[] = {
		{ "ip.example", 0, 5 },
		{ "ip4.example", 0, 3 },
		{ "ip6.example", 3, 2 },
		{ "domain.example", 5, 1 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const struct zone *z = find_zone(c, row, want[i].zone);
		size_t first = 99, count = 99;

		config_zone_targets(c, z, &first, &count);
		ck_assert_msg(first == want[i].first && count == want[i].count,
		    "%s: %s: [%zu, +%zu), expected [%zu, +%zu)", row,
		    want[i].zone, first, count, want[i].first, want[i].count);
	}
	ck_assert_msg(config_pairs(c) == 11, "%s: %llu pairs", row,
	    (unsigned long long)config_pairs(c));
}

static void
check_zone_targets_v6_only(const struct config *c, const char *row)
{
	size_t first = 99, count = 99;

	config_zone_targets(c, find_zone(c, row, "ip.example"), &first,
	    &count);
	ck_assert_msg(first == 0 && count == 1, "%s: ip zone [%zu, +%zu)", row,
	    first, count);
	config_zone_targets(c, find_zone(c, row, "ip4.example"), &first,
	    &count);
	ck_assert_msg(count == 0, "%s: ip4 zone has %zu", row, count);
	config_zone_targets(c, find_zone(c, row, "domain.example"), &first,
	    &count);
	ck_assert_msg(first == 1 && count == 1, "%s: domain zone", row);
	ck_assert_msg(config_pairs(c) == 2, "%s: pairs", row);
}

static void
check_include_order(const struct config *c, const char *row)
{
	static const char *const names[] = { "a.example", "b.example",
		"c.example", "d.example" };

	ck_assert_msg(c->nzones == 4, "%s: %zu zones", row, c->nzones);
	for (size_t i = 0; i < 4; i++)
		ck_assert_msg(strcmp(c->zones[i].name, names[i]) == 0,
		    "%s: zone %zu is %s", row, i, c->zones[i].name);
	/* The [rblmond] section resumes after the include line. */
	ck_assert_msg(c->tries == 4, "%s: tries", row);
	ck_assert_msg(c->zones[1].type == ZONE_DOMAIN, "%s: b type", row);
	assert_targets(c, row, "192.0.2.1/ 192.0.2.9/inc");
}

static void
check_syntax(const struct config *c, const char *row)
{
	const struct zone *z = find_zone(c, row, "zen.example");

	ck_assert_msg(c->timeout_ms == 3000, "%s: timeout", row);
	ck_assert_msg(z->nlisted == 1 && z->txt, "%s: zone keys", row);
	ck_assert_msg(z->nlabels == 1 &&
	    strcmp(z->labels[0].label, "SBL") == 0, "%s: label \"%s\"", row,
	    z->nlabels ? z->labels[0].label : "");
	assert_targets(c, row, "192.0.2.1/ 192.0.2.2/");
}

static void
check_zone_name(const struct config *c, const char *row)
{
	ck_assert_msg(c->nzones == 1 &&
	    strcmp(c->zones[0].name, "zen.example") == 0, "%s: name %s", row,
	    c->zones[0].name);
}

static void
check_no_warnings(const struct config *c, const char *row)
{
	ck_assert_msg(c->nwarnings == 0, "%s: warnings", row);
}

static void
check_test_points(const struct config *c, const char *row)
{
	static const struct {
		const char *zone, *pos, *neg;
		uint8_t pos_mode, neg_mode;
	} want[] = {
		{ "zen.example", "127.0.0.3", "-", TEST_POINT_SET,
		    TEST_POINT_NONE },
		{ "dbl.example", "dbltest.com", "invalid", TEST_POINT_SET,
		    TEST_POINT_DEFAULT },
		{ "none.example", "-", "invalid", TEST_POINT_NONE,
		    TEST_POINT_DEFAULT },
		{ "v6.example", "::ffff:127.0.0.2", "::1", TEST_POINT_SET,
		    TEST_POINT_SET },
		{ "ip4.example", "127.0.0.2", "127.0.0.1", TEST_POINT_DEFAULT,
		    TEST_POINT_DEFAULT },
		{ "off.example", "-", "-", TEST_POINT_SET, TEST_POINT_DEFAULT },
	};
	char pos[TARGET_TEXT_MAX], neg[TARGET_TEXT_MAX];

	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const struct zone *z = find_zone(c, row, want[i].zone);

		point_text(z, true, pos);
		point_text(z, false, neg);
		ck_assert_msg(strcmp(pos, want[i].pos) == 0 &&
		    strcmp(neg, want[i].neg) == 0, "%s: %s probes %s/%s, "
		    "want %s/%s", row, want[i].zone, pos, neg, want[i].pos,
		    want[i].neg);
		ck_assert_msg(z->test_listed.mode == want[i].pos_mode &&
		    z->test_unlisted.mode == want[i].neg_mode, "%s: %s modes",
		    row, want[i].zone);
	}
}

static void
check_query_life(const struct config *c, const char *row)
{
	ck_assert_msg(c->timeout_ms == 60000 && c->tries == 1, "%s: %u x %u",
	    row, c->timeout_ms, c->tries);
}

static void
check_refused_anything(const struct config *c, const char *row)
{
	const struct zone *z = &c->zones[0];

	ck_assert_msg(z->nrefused == 1 && zone_code_refused(z, 0x08080808),
	    "%s: refused", row);
	ck_assert_msg(z->nlisted == 2 && zone_code_listed(z, 0x7f000002) &&
	    zone_code_listed(z, 0x7f000007), "%s: listed", row);
	ck_assert_msg(z->max_qps == 0.01, "%s: max_qps", row);
}

static const struct good_row good_rows[] = {
	{ "defaults", TARGET ZONE, NULL, check_defaults },
	{ "[rblmond] values",
	    "[rblmond]\ntimeout = 500ms\ntries = 1\nmax_inflight = 4096\n"
	    "max_net_addresses = 1\n" TARGET ZONE,
	    NULL, check_values },
	{ "nameservers CSV",
	    "[rblmond]\nnameservers = 127.0.0.1, 127.0.0.2:5353 ::1\n"
	    "nameservers = [2001:DB8::53]:5353,,\nnameservers =\n"
	    "nameservers = [2001:db8::1]\n" TARGET ZONE,
	    NULL, check_nameservers },
	{ "groups, dedupe across sections, sorted kinds",
	    "[targets web]\ndomain = www.example.com\nip = 2001:db8::1\n"
	    "[targets]\nip = 192.0.2.1\n"
	    "[targets mail]\nip = 192.0.2.1\nnet = 192.0.2.0/30\n"
	    "domain = Example.COM.\nip = 2001:DB8::2\nip = 2001:db8::1\n"
	    "[targets web]\ndomain = example.com\n" ZONE,
	    NULL, check_groups },
	{ "a net before an ip: the first line's group wins",
	    "[targets a]\nnet = 192.0.2.0/31\n[targets b]\nip = 192.0.2.1\n"
	    "ip = 192.0.2.2\n" ZONE,
	    NULL, check_net_first },
	{ "max_net_addresses after the net",
	    "[targets]\nnet = 198.51.100.0/22\n[rblmond]\n"
	    "max_net_addresses = 1024\n" ZONE,
	    NULL, check_net_late_cap },
	{ "zone code sets",
	    TARGET "[zone zen.example]\ntype = ip4\nlisted = 127.0.0.2-127.0.0.11\n"
	    "listed = 127.0.0.30\nrefused = 127.255.255.0/24\n"
	    "code = 127.0.0.2 SBL\ncode = 127.0.0.3   SBL CSS  \n"
	    "code = 127.0.0.4-127.0.0.7 XBL\ntxt = yes\nmax_qps = 0.5\n"
	    "test_points = no\n"
	    "[zone dbl.example]\ntype = domain\nlisted = &14\ncode = &2 black\n"
	    "max_qps = 20\n[targets]\ndomain = example.com\n",
	    NULL, check_zone_sets },
	{ "config_zone_targets and config_pairs",
	    "[targets]\ndomain = example.com\nip = 2001:db8::1\nip = 192.0.2.1\n"
	    "net = 198.51.100.0/31\nip = 2001:db8::2\n"
	    "[zone ip.example]\n[zone ip4.example]\ntype = ip4\n"
	    "[zone ip6.example]\ntype = ip6\n"
	    "[zone domain.example]\ntype = domain\n",
	    NULL, check_zone_targets },
	{ "ip zone without IPv4 targets",
	    "[targets]\ndomain = example.com\nip = 2001:db8::1\n"
	    "[zone ip.example]\n[zone ip4.example]\ntype = ip4\n"
	    "[zone domain.example]\ntype = domain\n",
	    NULL, check_zone_targets_v6_only },
	{ "include in file order",
	    TARGET "[zone a.example]\n[rblmond]\ninclude = inc.conf\n"
	    "tries = 4\n[zone d.example]\n",
	    "[zone b.example]\ntype = domain\n[zone c.example]\n"
	    "[targets inc]\nip = 192.0.2.9\n",
	    check_include_order },
	{ "comments, blanks, indentation, CRLF and a byte order mark",
	    "\xEF\xBB\xBF; sample\r\n# another comment\r\n\r\n"
	    "  [rblmond]   ; main\r\n\ttimeout = 3s ; inline comment\r\n"
	    "[targets]\n  ip = 192.0.2.1\n    ; indented comment\n"
	    "ip: 192.0.2.2\n"
	    "[ zone   zen.example ]\n  listed = 127.0.0.2\n  txt = YES\n"
	    "  code = 127.0.0.2 SBL ; a comment, not part of the label\n",
	    NULL, check_syntax },
	{ "zone name lower-cased, final dot dropped",
	    TARGET "[zone ZEN.Example.]\n", NULL, check_zone_name },
	{ "test_listed and test_unlisted",
	    TARGET "[zone zen.example]\ntest_listed = 127.0.0.3\n"
	    "test_unlisted = none\n"
	    "[zone dbl.example]\ntest_listed = DBLtest.COM.\ntype = domain\n"
	    "[zone none.example]\ntype = domain\ntest_listed = none\n"
	    "[zone v6.example]\ntest_listed = ::FFFF:7F00:2\n"
	    "test_unlisted = ::1\ntype = ip6\n"
	    "[zone ip4.example]\ntype = ip4\n"
	    "[zone off.example]\ntest_points = no\ntest_listed = 127.0.0.9\n",
	    NULL, check_test_points },
	{ "longest query a query may take", "[rblmond]\ntimeout = 60s\n"
	    "tries = 1\n" TARGET ZONE, NULL, check_query_life },
	{ "defaults at the query cap", "[rblmond]\ntimeout = 4s\ntries = 4\n"
	    TARGET ZONE, NULL, check_no_warnings },
	{ "refused may name any address; max_qps at its floor",
	    TARGET ZONE "refused = 0.0.0.0/0\nlisted = &2\n"
	    "listed = 127.0.0.0/8\nmax_qps = 0.01\n",
	    NULL, check_refused_anything },
	{ "lines of white space only, control characters included",
	    "\v\n\f\n\r\n \v \n" TARGET "\t\f\r\n" ZONE, NULL, check_defaults },
	{ "longest line that fits",
	    "[rblmond]\n; " LONG63 LONG63 LONG63 "aaaaaaaa\n" TARGET ZONE, NULL,
	    check_defaults },
};

START_TEST(test_good)
{
	good_row_check(&good_rows[_i]);
}
END_TEST

static Suite *
config_accept_suite(void)
{
	Suite *s = suite_create("config_accept");
	TCase *good = tcase_create("accepted");

	tcase_add_loop_test(good, test_good, 0, NROWS(good_rows));
	suite_add_tcase(s, good);
	return s;
}

int
main(void)
{
	return unit_run(config_accept_suite());
}

/* SPDX-License-Identifier: ISC */
/*
 * Table-driven tests of the configuration loader's syntax, sections,
 * targets and zone code sets: files the loader must reject, each matched
 * against the exact "FILE:LINE: message" it is rejected with. The files
 * it accepts are in test_config_accept.c.
 */
#include "config_test.h"

/* ---- rejected files ---- */

static const struct bad_row bad_rows[] = {
	{ "unknown key in [rblmond]", "[rblmond]\nfoo = 1\n" TARGET ZONE,
	    NULL, -EINVAL, MAIN ":2: unknown key \"foo\" in [rblmond]" },
	{ "unknown key in [targets]", TARGET "host = a\n" ZONE, NULL,
	    -EINVAL, MAIN ":3: unknown key \"host\" in [targets]" },
	{ "unknown key in [targets NAME]",
	    "[targets mail]\nip = 192.0.2.1\nipv4 = 192.0.2.2\n" ZONE, NULL,
	    -EINVAL, MAIN ":3: unknown key \"ipv4\" in [targets mail]" },
	{ "unknown key in [zone]", TARGET ZONE "jitter = 10%\n", NULL,
	    -EINVAL, MAIN ":4: unknown key \"jitter\" in [zone zen.example]" },
	{ "unknown section", TARGET "[global]\n" ZONE, NULL, -EINVAL,
	    MAIN ":3: unknown section [global] (expected [rblmond], "
		 "[targets], [targets NAME] or [zone NAME])" },
	{ "section names are case-sensitive", "[RBLMOND]\n", NULL, -EINVAL,
	    MAIN ":1: unknown section [RBLMOND] (expected [rblmond], "
		 "[targets], [targets NAME] or [zone NAME])" },
	{ "zone without a name", TARGET "[zone]\n", NULL, -EINVAL,
	    MAIN ":3: [zone] needs the zone's name, e.g. "
		 "[zone zen.spamhaus.org]" },
	{ "malformed section header", "[rblmond\n", NULL, -EINVAL,
	    MAIN ":1: malformed section header (expected [NAME] alone on its "
		 "line)" },
	{ "text after a section header", "[rblmond] x\n", NULL, -EINVAL,
	    MAIN ":1: malformed section header (expected [NAME] alone on its "
		 "line)" },
	{ "key outside any section", "timeout = 2s\n", NULL, -EINVAL,
	    MAIN ":1: key \"timeout\" outside any section (start with "
		 "[rblmond], [targets] or [zone NAME])" },
	{ "line without =", "[rblmond]\njust words\n", NULL, -EINVAL,
	    MAIN ":2: syntax error (expected [section], key = value or a "
		 "comment)" },
	{ "line too long", "[rblmond]\n; " LONG63 LONG63 LONG63 LONG63 "\n",
	    NULL, -EINVAL,
	    MAIN ":2: line longer than 199 characters (repeat the key instead "
		 "of writing long lists)" },
	{ "bad duration", "[rblmond]\ntimeout = 2x\n" TARGET ZONE, NULL,
	    -EINVAL,
	    MAIN ":2: timeout: invalid duration \"2x\" (use a number with ms, "
		 "s, m, h or d)" },
	{ "timeout out of range", "[rblmond]\ntimeout = 90s\n", NULL, -EINVAL,
	    MAIN ":2: timeout: 90s is out of range (100ms to 60s)" },
	{ "timeout too short", "[rblmond]\ntimeout = 50ms\n", NULL, -EINVAL,
	    MAIN ":2: timeout: 50ms is out of range (100ms to 60s)" },
	{ "tries out of range", "[rblmond]\ntries = 11\n", NULL, -EINVAL,
	    MAIN ":2: tries: 11 is out of range (1 to 10)" },
	{ "tries not a number", "[rblmond]\ntries = three\n", NULL, -EINVAL,
	    MAIN ":2: tries: invalid number \"three\" (expected a whole number "
		 "from 1 to 10)" },
	{ "max_inflight zero", "[rblmond]\nmax_inflight = 0\n", NULL, -EINVAL,
	    MAIN ":2: max_inflight: 0 is out of range (1 to 4096)" },
	{ "max_net_addresses too big",
	    "[rblmond]\nmax_net_addresses = 16777217\n", NULL, -EINVAL,
	    MAIN ":2: max_net_addresses: 16777217 is out of range (1 to "
		 "16777216)" },
	{ "max_qps out of range", TARGET ZONE "max_qps = 100001\n", NULL,
	    -EINVAL,
	    MAIN ":4: max_qps: 100001 is out of range (0 for no limit, or 0.01 "
		 "to 100000 queries a second)" },
	{ "max_qps below the floor", TARGET ZONE "max_qps = 0.00000000001\n",
	    NULL, -EINVAL,
	    MAIN ":4: max_qps: 0.00000000001 is out of range (0 for no limit, "
		 "or 0.01 to 100000 queries a second)" },
	{ "max_qps just below the floor", TARGET ZONE "max_qps = 0.0099\n",
	    NULL, -EINVAL,
	    MAIN ":4: max_qps: 0.0099 is out of range (0 for no limit, or 0.01 "
		 "to 100000 queries a second)" },
	{ "max_qps not a number", TARGET ZONE "max_qps = fast\n", NULL,
	    -EINVAL,
	    MAIN ":4: max_qps: invalid rate \"fast\" (expected queries a second "
		 "such as 20 or 0.5; 0 means unlimited)" },
	{ "bad bool", TARGET ZONE "txt = maybe\n", NULL, -EINVAL,
	    MAIN ":4: txt: expected yes or no, not \"maybe\"" },
	{ "bad nameserver", "[rblmond]\nnameservers = 127.0.0.1 dns.example\n",
	    NULL, -EINVAL,
	    MAIN ":2: nameservers: invalid server \"dns.example\" (expected "
		 "IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT)" },
	{ "nameserver port out of range",
	    "[rblmond]\nnameservers = 127.0.0.1:65536\n", NULL, -EINVAL,
	    MAIN ":2: nameservers: invalid server \"127.0.0.1:65536\" (expected "
		 "IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT)" },
	{ "IPv4 nameserver in brackets",
	    "[rblmond]\nnameservers = [127.0.0.1]:53\n", NULL, -EINVAL,
	    MAIN ":2: nameservers: invalid server \"[127.0.0.1]:53\" (expected "
		 "IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT)" },
	{ "bad IP", "[targets]\nip = 192.0.2.256\n" ZONE, NULL, -EINVAL,
	    MAIN ":2: ip: invalid IP address \"192.0.2.256\"" },
	{ "bad domain", "[targets]\ndomain = exa mple.com\n" ZONE, NULL,
	    -EINVAL,
	    MAIN ":2: domain: invalid domain \"exa mple.com\": character ' ' "
		 "not allowed" },
	{ "bad net", "[targets]\nnet = 192.0.2.0/33\n" ZONE, NULL, -EINVAL,
	    MAIN ":2: net: invalid network \"192.0.2.0/33\" (expected "
		 "ADDRESS/PREFIX, e.g. 192.0.2.0/24 or 2001:db8::/120)" },
	{ "net with host bits", "[targets]\nnet = 192.0.2.1/24\n" ZONE, NULL,
	    -EINVAL,
	    MAIN ":2: net: network \"192.0.2.1/24\" has host bits set (did you "
		 "mean 192.0.2.0/24?)" },
	{ "IPv6 /64 refused", "[targets]\nnet = 2001:db8::/64\n" ZONE, NULL,
	    -EINVAL,
	    MAIN ":2: net: network \"2001:db8::/64\" has 2^64 addresses, more "
		 "than max_net_addresses (65536)" },
	{ "net capped by max_net_addresses set after it",
	    "[targets]\nip = 192.0.2.1\nnet = 198.51.100.0/24\n" ZONE
	    "[rblmond]\nmax_net_addresses = 16\n",
	    NULL, -EINVAL,
	    MAIN ":3: net: network \"198.51.100.0/24\" has 256 addresses, more "
		 "than max_net_addresses (16)" },
	{ "duplicate zone", TARGET ZONE "[zone ZEN.example.]\n", NULL, -EINVAL,
	    MAIN ":4: duplicate [zone zen.example] (first at " MAIN ":3)" },
	{ "duplicate zone across an include",
	    "[rblmond]\ninclude = inc.conf\n" TARGET ZONE, "\n" ZONE, -EINVAL,
	    MAIN ":5: duplicate [zone zen.example] (first at " INC ":2)" },
	{ "bad zone name", TARGET "[zone zen..example]\n", NULL, -EINVAL,
	    MAIN ":3: [zone zen..example]: invalid domain \"zen..example\": "
		 "empty label" },
	{ "duplicate scalar key", "[rblmond]\ntimeout = 2s\ntimeout = 3s\n",
	    NULL, -EINVAL,
	    MAIN ":3: duplicate key \"timeout\" (first at " MAIN ":2)" },
	{ "duplicate key across [rblmond] sections",
	    "[rblmond]\ntries = 2\n" TARGET "[rblmond]\ntries = 2\n", NULL,
	    -EINVAL, MAIN ":6: duplicate key \"tries\" (first at " MAIN ":2)" },
	{ "duplicate zone key", TARGET ZONE "type = ip\ntype = ip4\n", NULL,
	    -EINVAL, MAIN ":5: duplicate key \"type\" (first at " MAIN ":4)" },
	{ "bad type", TARGET ZONE "type = ipv4\n", NULL, -EINVAL,
	    MAIN ":4: type: expected ip, ip4, ip6 or domain, not \"ipv4\"" },
	{ "bad listed code", TARGET ZONE "listed = 127.0.0.256\n", NULL,
	    -EINVAL,
	    MAIN ":4: listed: invalid code \"127.0.0.256\": expected a dotted "
		 "quad, a range a-b, a CIDR a/n or &MASK" },
	{ "listed code outside 127/8", TARGET ZONE "listed = 10.0.0.1\n", NULL,
	    -EINVAL,
	    MAIN ":4: listed: \"10.0.0.1\" is not inside 127.0.0.0/8 (an answer "
		 "outside it is bogus, never a listing)" },
	{ "listed: every address", TARGET ZONE "listed = 0.0.0.0/0\n", NULL,
	    -EINVAL,
	    MAIN ":4: listed: \"0.0.0.0/0\" is not inside 127.0.0.0/8 (an "
		 "answer outside it is bogus, never a listing)" },
	{ "listed range leaving 127/8", TARGET ZONE
	    "listed = 127.0.0.2\nlisted = 127.255.255.0-128.0.0.1\n", NULL,
	    -EINVAL,
	    MAIN ":5: listed: \"127.255.255.0-128.0.0.1\" is not inside "
		 "127.0.0.0/8 (an answer outside it is bogus, never a "
		 "listing)" },
	{ "listed range entering 127/8", TARGET ZONE
	    "listed = 126.255.255.255-127.0.0.2\n", NULL, -EINVAL,
	    MAIN ":4: listed: \"126.255.255.255-127.0.0.2\" is not inside "
		 "127.0.0.0/8 (an answer outside it is bogus, never a "
		 "listing)" },
	{ "listed CIDR wider than 127/8", TARGET ZONE "listed = 126.0.0.0/7\n",
	    NULL, -EINVAL,
	    MAIN ":4: listed: \"126.0.0.0/7\" is not inside 127.0.0.0/8 (an "
		 "answer outside it is bogus, never a listing)" },
	{ "code label outside 127/8", TARGET ZONE "code = 10.0.0.1 ten\n",
	    NULL, -EINVAL,
	    MAIN ":4: code: \"10.0.0.1\" is not inside 127.0.0.0/8 (an answer "
		 "outside it is bogus, never a listing)" },
	{ "bad refused code", TARGET ZONE "refused = 127.0.0.9-127.0.0.2\n",
	    NULL, -EINVAL,
	    MAIN ":4: refused: invalid range \"127.0.0.9-127.0.0.2\": first "
		 "code is after the last" },
	{ "bad code item", TARGET ZONE "code = 127.0.0/24 PBL\n", NULL, -EINVAL,
	    MAIN ":4: code: invalid code \"127.0.0/24\": expected a dotted "
		 "quad, a range a-b, a CIDR a/n or &MASK" },
	{ "code without a label", TARGET ZONE "code = 127.0.0.2\n", NULL,
	    -EINVAL,
	    MAIN ":4: code: \"127.0.0.2\" has no label (expected \"CODE "
		 "LABEL\", e.g. \"127.0.0.4-127.0.0.7 XBL\")" },
	{ "code label with a quote", TARGET ZONE "code = 127.0.0.2 \"SBL\"\n",
	    NULL, -EINVAL,
	    MAIN ":4: code: label \"\"SBL\"\" may hold printable characters "
		 "only, no quotes or backslashes" },
	{ "test_listed not an address on an ip zone",
	    TARGET ZONE "test_listed = dbltest.com\n", NULL, -EINVAL,
	    MAIN ":4: test_listed: invalid IP address \"dbltest.com\" (the test "
		 "point of an ip zone is an IPv4 address, or none)" },
	{ "IPv6 test point on an ip zone", TARGET ZONE "test_listed = ::1\n",
	    NULL, -EINVAL,
	    MAIN ":4: test_listed: ::1 is an IPv6 address (the test point of an "
		 "ip zone is an IPv4 address, or none)" },
	{ "IPv6 test point on an ip4 zone, type after it",
	    TARGET ZONE "test_unlisted = ::ffff:127.0.0.1\ntype = ip4\n", NULL,
	    -EINVAL,
	    MAIN ":4: test_unlisted: ::ffff:127.0.0.1 is an IPv6 address (the "
		 "test point of an ip4 zone is an IPv4 address, or none)" },
	{ "IPv4 test point on an ip6 zone",
	    TARGET ZONE "type = ip6\ntest_unlisted = 127.0.0.1\n", NULL, -EINVAL,
	    MAIN ":5: test_unlisted: 127.0.0.1 is an IPv4 address (the test "
		 "point of an ip6 zone is an IPv6 address, or none)" },
	{ "bad domain test point",
	    TARGET ZONE "type = domain\ntest_listed = dbl..test\n", NULL, -EINVAL,
	    MAIN ":5: test_listed: invalid domain \"dbl..test\": empty label" },
	{ "empty test point", TARGET ZONE "test_listed =\n", NULL, -EINVAL,
	    MAIN ":4: test_listed: empty value (expected the list's own test "
		 "point, or none)" },
	{ "duplicate test_unlisted",
	    TARGET ZONE "test_unlisted = none\ntest_unlisted = 127.0.0.1\n",
	    NULL, -EINVAL,
	    MAIN ":5: duplicate key \"test_unlisted\" (first at " MAIN ":4)" },
	{ "one name for both test points",
	    TARGET ZONE "test_unlisted = 127.0.0.3\ntest_listed = 127.0.0.3\n",
	    NULL, -EINVAL,
	    MAIN ":5: test_listed and test_unlisted are both \"127.0.0.3\" (a "
		 "list cannot both list and not list one name)" },
	{ "first zone's test point error wins",
	    TARGET ZONE "test_listed = ::1\n[zone b.example]\ntype = ip6\n"
	    "test_listed = 127.0.0.2\n", NULL, -EINVAL,
	    MAIN ":4: test_listed: ::1 is an IPv6 address (the test point of an "
		 "ip zone is an IPv4 address, or none)" },
	{ "a long test point makes query names too long",
	    TARGET "[zone " LONG63 "." LONG63 "." LONG63 "]\ntype = domain\n"
	    "test_listed = " LONG63 ".example\n",
	    NULL, -EINVAL,
	    MAIN ":3: [zone " LONG63 "." LONG63 "." LONG63 "]: query names "
		 "would be 263 characters, more than the 253 DNS allows "
		 "(shorten the zone name or the longest target)" },
	{ "timeout too long for the default tries", "[rblmond]\ntimeout = 60s\n"
	    TARGET ZONE, NULL, -EINVAL,
	    MAIN ":2: timeout = 60s and tries = 3 (the default) let one query "
		 "take up to 420s (timeout x (2^tries - 1)), more than 60s "
		 "(lower timeout or tries)" },
	{ "tries too many for the default timeout", "[rblmond]\ntries = 5\n"
	    TARGET ZONE, NULL, -EINVAL,
	    MAIN ":2: timeout = 2s (the default) and tries = 5 let one query "
		 "take up to 62s (timeout x (2^tries - 1)), more than 60s (lower "
		 "timeout or tries)" },
	{ "timeout and tries: the last one is blamed",
	    "[rblmond]\ntimeout = 60s\ntries = 10\n" TARGET ZONE, NULL, -EINVAL,
	    MAIN ":3: timeout = 60s and tries = 10 let one query take up to "
		 "61380s (timeout x (2^tries - 1)), more than 60s (lower timeout "
		 "or tries)" },
	{ "tries first, timeout last",
	    "[rblmond]\ntries = 10\n" TARGET "[rblmond]\ntimeout = 100ms\n"
	    ZONE, NULL, -EINVAL,
	    MAIN ":6: timeout = 100ms and tries = 10 let one query take up to "
		 "102.3s (timeout x (2^tries - 1)), more than 60s (lower timeout "
		 "or tries)" },
	{ "query life across an include: the main file's key comes last",
	    "[rblmond]\ninclude = inc.conf\ntimeout = 10s\n" TARGET ZONE,
	    "[rblmond]\ntries = 3\n", -EINVAL,
	    MAIN ":3: timeout = 10s and tries = 3 let one query take up to 70s "
		 "(timeout x (2^tries - 1)), more than 60s (lower timeout or "
		 "tries)" },
	{ "query life across an include: the included key comes last",
	    "[rblmond]\ntimeout = 1500ms\ninclude = inc.conf\n" TARGET ZONE,
	    "[rblmond]\ntries = 6\n", -EINVAL,
	    INC ":2: timeout = 1.5s and tries = 6 let one query take up to "
		 "94.5s (timeout x (2^tries - 1)), more than 60s (lower timeout "
		 "or tries)" },
	{ "vertical tab starts a line", "[targets]\nip = 192.0.2.1\n"
	    "\v192.0.2.99\n" ZONE, NULL, -EINVAL,
	    MAIN ":3: syntax error: line starts with control character \\x0b "
		 "(expected [section], key = value or a comment)" },
	{ "form feed starts a line", "[targets]\nip = 192.0.2.1\n"
	    "\f192.0.2.99\n" ZONE, NULL, -EINVAL,
	    MAIN ":3: syntax error: line starts with control character \\x0c "
		 "(expected [section], key = value or a comment)" },
	{ "carriage return starts a line", "[targets]\nip = 192.0.2.1\n"
	    "\r192.0.2.99\n" ZONE, NULL, -EINVAL,
	    MAIN ":3: syntax error: line starts with control character \\x0d "
		 "(expected [section], key = value or a comment)" },
	{ "vertical tab after blanks", "[targets]\nip = 192.0.2.1\n"
	    " \t\v 192.0.2.99\n" ZONE, NULL, -EINVAL,
	    MAIN ":3: syntax error: line starts with control character \\x0b "
		 "(expected [section], key = value or a comment)" },
	{ "escape byte in a key name", "[rblmond]\nfo\x1bo = 1\n" TARGET ZONE,
	    NULL, -EINVAL, MAIN ":2: unknown key \"fo\\x1bo\" in [rblmond]" },
	{ "terminal escape in a label",
	    TARGET ZONE "code = 127.0.0.2 S\x1b[31m" "BL\n", NULL, -EINVAL,
	    MAIN ":4: code: label \"S\\x1b[31mBL\" may hold printable "
		 "characters only, no quotes or backslashes" },
	{ "non-ASCII section name", "[z\xc3\xb6ne x]\n", NULL, -EINVAL,
	    MAIN ":1: unknown section [z\\xc3\\xb6ne x] (expected [rblmond], "
		 "[targets], [targets NAME] or [zone NAME])" },
	{ "DEL in a value", "[rblmond]\ntries = 1\x7f\n", NULL, -EINVAL,
	    MAIN ":2: tries: invalid number \"1\\x7f\" (expected a whole number "
		 "from 1 to 10)" },
	{ "quotes and backslashes are kept", "[rblmond]\nk\\\"ey = 1\n", NULL,
	    -EINVAL, MAIN ":2: unknown key \"k\\\"ey\" in [rblmond]" },
	{ "bad group name", "[targets mail out]\nip = 192.0.2.1\n", NULL,
	    -EINVAL,
	    MAIN ":1: [targets mail out]: invalid group name (use letters, "
		 "digits, '.', '-' and '_', at most 63)" },
	{ "include of a missing file", "[rblmond]\ninclude = missing.conf\n",
	    NULL, -EINVAL,
	    MAIN ":2: include: cannot open \"@/missing.conf\": No such file or "
		 "directory" },
	{ "include of a folder", "[rblmond]\ninclude = .\n", NULL, -EINVAL,
	    MAIN ":2: include: cannot open \"@/.\": Is a directory" },
	{ "include with an empty path", "[rblmond]\ninclude =\n", NULL,
	    -EINVAL, MAIN ":2: include: empty path (expected a file name)" },
	{ "include loop", "[rblmond]\ninclude = main.conf\n", NULL, -EINVAL,
	    MAIN ":2: include: nested more than 8 deep (an include loop?)" },
	{ "error inside an included file",
	    "[rblmond]\ninclude = inc.conf\n" TARGET ZONE,
	    "; zones\n[zone a.example]\nlisted = 127.0.0.2\ntype = ipv6\n",
	    -EINVAL,
	    INC ":4: type: expected ip, ip4, ip6 or domain, not \"ipv6\"" },
	{ "included file starts outside any section",
	    "[rblmond]\ninclude = inc.conf\n" TARGET ZONE, "tries = 2\n",
	    -EINVAL,
	    INC ":1: key \"tries\" outside any section (start with [rblmond], "
		 "[targets] or [zone NAME])" },
	{ "include only in [rblmond]", TARGET ZONE "include = inc.conf\n", "",
	    -EINVAL, MAIN ":4: unknown key \"include\" in [zone zen.example]" },
	{ "query names too long",
	    "[targets]\nip = 2001:db8::1\n[zone " LONG63 "." LONG63 "." LONG63
	    "]\n",
	    NULL, -EINVAL,
	    MAIN ":3: [zone " LONG63 "." LONG63 "." LONG63 "]: query names "
		 "would be 255 characters, more than the 253 DNS allows "
		 "(shorten the zone name or the longest target)" },
	{ "no zones", "[rblmond]\n" TARGET, NULL, -EINVAL,
	    MAIN ": no [zone NAME] sections (add at least one list to check)" },
	{ "no targets", "[targets]\n" ZONE, NULL, -EINVAL,
	    MAIN ": no targets (add ip, net or domain keys to a [targets] "
		 "section)" },
	{ "empty file", "", NULL, -EINVAL,
	    MAIN ": no [zone NAME] sections (add at least one list to check)" },
	{ "missing file", NULL, NULL, -ENOENT,
	    MAIN ": cannot open: No such file or directory" },
	{ "first error wins", "[rblmond]\ntimeout = x\ntries = y\n[bad]\n",
	    NULL, -EINVAL,
	    MAIN ":2: timeout: invalid duration \"x\" (use a number with ms, "
		 "s, m, h or d)" },
};

START_TEST(test_bad)
{
	bad_row_check(&bad_rows[_i]);
}
END_TEST

START_TEST(test_free_null)
{
	config_free(NULL);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *bad = tcase_create("rejected");

	tcase_add_loop_test(bad, test_bad, 0, NROWS(bad_rows));
	tcase_add_test(bad, test_free_null);
	suite_add_tcase(s, bad);
	return s;
}

int
main(void)
{
	return unit_run(config_suite());
}

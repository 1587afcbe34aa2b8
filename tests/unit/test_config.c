/* SPDX-License-Identifier: ISC */
/*
 * Table-driven tests of the configuration loader's syntax, sections,
 * targets and zone code sets: files written to a temporary folder,
 * loaded, and either checked value by value or matched against the exact
 * "FILE:LINE: message" they must be rejected with.
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
	TCase *good = tcase_create("accepted");

	tcase_add_loop_test(bad, test_bad, 0, NROWS(bad_rows));
	tcase_add_loop_test(good, test_good, 0, NROWS(good_rows));
	tcase_add_test(good, test_free_null);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}

int
main(void)
{
	return unit_run(config_suite());
}

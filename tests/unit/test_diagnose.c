/* SPDX-License-Identifier: ISC */
/*
 * Diagnosis of zones that are not ok: what a test point query got, the
 * short reason per zone, the cause several zones share and its evidence,
 * and the resolvers as messages name them. Table-driven, one named row
 * per case.
 */
#include <stdio.h>
#include <string.h>

#include "diagnose.h"
#include "health.h"
#include "unit.h"
#include "zone.h"

#define C(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	((uint32_t)(c) << 8) | (uint32_t)(d))

static struct code_item refused_set[] = {
	{ .kind = CODE_RANGE, .lo = C(127, 255, 255, 0),
	  .hi = C(127, 255, 255, 255) },
};

static struct zone
make_zone(const char *name, enum zone_type type)
{
	struct zone z;

	memset(&z, 0, sizeof(z));
	z.name = (char *)(uintptr_t)name;
	z.type = (uint8_t)type;
	z.refused = refused_set;
	z.nrefused = 1;
	z.test_points = true;
	return z;
}

/* -- what one test point got -------------------------------------------- */

static const struct {
	const char *name;
	uint8_t status;
	uint8_t naddrs;
	uint32_t addrs[3];
	const char *error;
	enum diagnose_outcome outcome;
	uint32_t code;
} probe_rows[] = {
	{ "nxdomain", ANSWER_NXDOMAIN, 0, { 0 }, NULL, DIAGNOSE_NXDOMAIN, 0 },
	{ "nodata", ANSWER_NODATA, 0, { 0 }, NULL, DIAGNOSE_NODATA, 0 },
	{ "noerror without A", ANSWER_RECORDS, 0, { 0 }, NULL,
	    DIAGNOSE_NODATA, 0 },
	{ "listed", ANSWER_RECORDS, 1, { C(127, 0, 0, 2) }, NULL,
	    DIAGNOSE_CODES, C(127, 0, 0, 2) },
	{ "refusal wins over a listing", ANSWER_RECORDS, 2,
	    { C(127, 0, 0, 2), C(127, 255, 255, 254) }, NULL, DIAGNOSE_CODES,
	    C(127, 255, 255, 254) },
	{ "outside 127/8 wins over a listing", ANSWER_RECORDS, 3,
	    { C(127, 0, 0, 2), C(8, 8, 8, 8), C(127, 0, 0, 3) }, NULL,
	    DIAGNOSE_CODES, C(8, 8, 8, 8) },
	{ "timeout", ANSWER_ERROR, 0, { 0 }, "timeout", DIAGNOSE_TIMEOUT, 0 },
	{ "servfail", ANSWER_ERROR, 0, { 0 }, "rcode SERVFAIL (2)",
	    DIAGNOSE_REFUSED, 0 },
	{ "refused rcode", ANSWER_ERROR, 0, { 0 }, "rcode REFUSED (5)",
	    DIAGNOSE_REFUSED, 0 },
	{ "nothing listening", ANSWER_ERROR, 0, { 0 },
	    "connection refused or closed", DIAGNOSE_NO_SERVER, 0 },
	{ "no nameserver at all", ANSWER_ERROR, 0, { 0 },
	    "no nameserver to ask", DIAGNOSE_NO_SERVER, 0 },
	{ "malformed", ANSWER_ERROR, 0, { 0 }, "malformed A record",
	    DIAGNOSE_FAILED, 0 },
	{ "cannot send", ANSWER_ERROR, 0, { 0 }, "cannot send query",
	    DIAGNOSE_FAILED, 0 },
	{ "no error text", ANSWER_ERROR, 0, { 0 }, NULL, DIAGNOSE_FAILED, 0 },
};

START_TEST(test_probe_record)
{
	struct zone z = make_zone("zen.example", ZONE_IP);
	struct answer a;
	struct diagnose_probe p;

	memset(&a, 0, sizeof(a));
	a.status = probe_rows[_i].status;
	a.naddrs = probe_rows[_i].naddrs;
	memcpy(a.addrs, probe_rows[_i].addrs, sizeof(probe_rows[_i].addrs));
	a.error = probe_rows[_i].error;
	diagnose_probe_record(&z, &a, classify_answer(&z, &a), &p);
	ck_assert_msg(p.outcome == probe_rows[_i].outcome, "%s: outcome %d",
	    probe_rows[_i].name, p.outcome);
	ck_assert_msg(p.code == probe_rows[_i].code, "%s: code %08x",
	    probe_rows[_i].name, p.code);
	ck_assert_int_eq(p.verdict, classify_answer(&z, &a));
	ck_assert_ptr_eq(p.error, a.error);
}
END_TEST

/* -- one zone: its reason and cause -------------------------------------- */

#define NOT_PROBED { DIAGNOSE_NOT_PROBED, VERDICT_CLEAN, 0, NULL }
#define NX { DIAGNOSE_NXDOMAIN, VERDICT_CLEAN, 0, NULL }
#define NODATA { DIAGNOSE_NODATA, VERDICT_CLEAN, 0, NULL }
#define LISTED(d) { DIAGNOSE_CODES, VERDICT_LISTED, C(127, 0, 0, d), NULL }
#define REFUSAL(d) \
	{ DIAGNOSE_CODES, VERDICT_REFUSED, C(127, 255, 255, d), NULL }
#define HIJACK { DIAGNOSE_CODES, VERDICT_BOGUS, C(198, 51, 100, 7), NULL }
#define TIMEOUT { DIAGNOSE_TIMEOUT, VERDICT_ERROR, 0, "timeout" }
#define SERVFAIL { DIAGNOSE_REFUSED, VERDICT_ERROR, 0, "rcode SERVFAIL (2)" }
#define NOSERVER \
	{ DIAGNOSE_NO_SERVER, VERDICT_ERROR, 0, "connection refused or closed" }
#define FAILED(t) { DIAGNOSE_FAILED, VERDICT_ERROR, 0, t }

static const struct {
	const char *name;
	uint8_t type; /* enum zone_type */
	enum zone_health health;
	struct diagnose_probe pos, neg;
	const char *reason;
	enum diagnose_cause cause;
} zone_rows[] = {
	{ "ok", ZONE_IP, HEALTH_OK, LISTED(2), NX, "", DIAGNOSE_NONE },
	{ "not decided", ZONE_IP, HEALTH_UNKNOWN, NOT_PROBED, NOT_PROBED, "",
	    DIAGNOSE_NONE },
	{ "positive NXDOMAIN", ZONE_IP, HEALTH_DEAD, NX, NX,
	    "test point 127.0.0.2 answered NXDOMAIN", DIAGNOSE_NXDOMAIN_ALL },
	{ "positive without A", ZONE_IP4, HEALTH_DEAD, NODATA, NX,
	    "test point 127.0.0.2 answered without an A record",
	    DIAGNOSE_NXDOMAIN_ALL },
	{ "ip6 positive NXDOMAIN", ZONE_IP6, HEALTH_DEAD, NX, NX,
	    "test point ::ffff:127.0.0.2 answered NXDOMAIN",
	    DIAGNOSE_NXDOMAIN_ALL },
	{ "domain positive NXDOMAIN", ZONE_DOMAIN, HEALTH_DEAD, NX, NX,
	    "test point test answered NXDOMAIN", DIAGNOSE_NXDOMAIN_ALL },
	{ "positive timed out", ZONE_IP, HEALTH_DEAD, TIMEOUT, NX,
	    "test point 127.0.0.2 timed out", DIAGNOSE_UNREACHABLE },
	{ "negative timed out", ZONE_IP, HEALTH_DEAD, LISTED(2), TIMEOUT,
	    "test point 127.0.0.1 timed out", DIAGNOSE_UNREACHABLE },
	{ "servfail", ZONE_IP, HEALTH_DEAD, SERVFAIL, SERVFAIL,
	    "server refused (SERVFAIL/REFUSED)", DIAGNOSE_UNREACHABLE },
	{ "no server", ZONE_IP, HEALTH_DEAD, NOSERVER, NOSERVER,
	    "no server listening", DIAGNOSE_UNREACHABLE },
	{ "malformed", ZONE_IP, HEALTH_DEAD, FAILED("malformed A record"), NX,
	    "test point 127.0.0.2: malformed A record", DIAGNOSE_OTHER },
	{ "no positive point, negative failed", ZONE_IP, HEALTH_DEAD,
	    NOT_PROBED, FAILED("cannot send query"),
	    "test point 127.0.0.1: cannot send query", DIAGNOSE_OTHER },
	{ "negative without A is dead", ZONE_IP, HEALTH_DEAD, LISTED(2),
	    NODATA, "test point 127.0.0.1 answered without an A record",
	    DIAGNOSE_OTHER },
	{ "lists everything", ZONE_IP, HEALTH_LISTS_ALL, LISTED(2), LISTED(2),
	    "test point 127.0.0.1 is listed (127.0.0.2)", DIAGNOSE_LISTS_ALL },
	{ "public resolver", ZONE_IP, HEALTH_REFUSED, REFUSAL(254),
	    REFUSAL(254),
	    "test point 127.0.0.2 answered the refusal code 127.255.255.254",
	    DIAGNOSE_PUBLIC_RESOLVER },
	{ "over quota", ZONE_IP, HEALTH_REFUSED, REFUSAL(255), NX,
	    "test point 127.0.0.2 answered the refusal code 127.255.255.255",
	    DIAGNOSE_OVER_QUOTA },
	{ "key error", ZONE_IP, HEALTH_REFUSED, REFUSAL(250), REFUSAL(250),
	    "test point 127.0.0.2 answered the refusal code 127.255.255.250",
	    DIAGNOSE_KEY_ERROR },
	{ "refusal on the negative point only", ZONE_IP, HEALTH_REFUSED,
	    LISTED(2), REFUSAL(254),
	    "test point 127.0.0.1 answered the refusal code 127.255.255.254",
	    DIAGNOSE_PUBLIC_RESOLVER },
	{ "hijacked", ZONE_IP, HEALTH_BOGUS, HIJACK, HIJACK,
	    "test point 127.0.0.2 answered 198.51.100.7, outside 127/8",
	    DIAGNOSE_NXDOMAIN_REWRITE },
};

START_TEST(test_zone_reason)
{
	struct zone z = make_zone("zen.example", zone_rows[_i].type);
	struct diagnose_zone dz = {
		.zone = &z, .health = (uint8_t)zone_rows[_i].health,
		.probe = { zone_rows[_i].pos, zone_rows[_i].neg },
	};
	char buf[256];
	size_t n = diagnose_zone_reason(&dz, buf, sizeof(buf));

	ck_assert_msg(strcmp(buf, zone_rows[_i].reason) == 0,
	    "%s: \"%s\"", zone_rows[_i].name, buf);
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_msg(diagnose_zone_cause(&dz) == zone_rows[_i].cause,
	    "%s: cause %s", zone_rows[_i].name,
	    diagnose_cause_name(diagnose_zone_cause(&dz)));
}
END_TEST

START_TEST(test_zone_reason_own_point)
{
	struct zone z = make_zone("dbl.example", ZONE_DOMAIN);
	struct diagnose_zone dz = {
		.zone = &z, .health = HEALTH_DEAD, .probe = { NX, NX },
	};
	char buf[64];

	z.test_listed.mode = TEST_POINT_SET;
	z.test_listed.t.kind = TARGET_DOMAIN;
	z.test_listed.t.u.domain = (char *)(uintptr_t)"dbltest.com";
	diagnose_zone_reason(&dz, buf, sizeof(buf));
	ck_assert_str_eq(buf, "test point dbltest.com answered NXDOMAIN");
	/* Cut to fit, always NUL-terminated. */
	ck_assert_uint_eq(diagnose_zone_reason(&dz, buf, 11), 10);
	ck_assert_str_eq(buf, "test point");
}
END_TEST

/* -- several zones: the causes they share -------------------------------- */

#define MAX_ZONES 4

struct zone_case {
	const char *name;
	enum zone_health health;
	struct diagnose_probe pos, neg;
};

static const struct {
	const char *name;
	struct zone_case zones[MAX_ZONES];
	/* "cause|zone,zone|evidence" per finding, in order */
	const char *findings[3];
} finding_rows[] = {
	{ "every zone ok",
	    { { "a.example", HEALTH_OK, LISTED(2), NX },
	      { "b.example", HEALTH_OK, LISTED(2), NX } },
	    { "none||no zone failed its test points" } },
	{ "every list NXDOMAIN",
	    { { "a.example", HEALTH_DEAD, NX, NX },
	      { "b.example", HEALTH_DEAD, NX, NX },
	      { "c.example", HEALTH_DEAD, NX, NX } },
	    { "nxdomain-all|a.example,b.example,c.example|every list's "
	      "127.0.0.2 test point came back NXDOMAIN through 10.0.0.53 "
	      "(/etc/resolv.conf)" } },
	{ "NXDOMAIN beside a working list: no resolver cause",
	    { { "a.example", HEALTH_DEAD, NX, NX },
	      { "b.example", HEALTH_OK, LISTED(2), NX } },
	    { NULL } },
	{ "NXDOMAIN and a timeout: nobody's positive point works",
	    { { "a.example", HEALTH_DEAD, NX, NX },
	      { "b.example", HEALTH_DEAD, TIMEOUT, TIMEOUT } },
	    { "nxdomain-all|a.example|the 127.0.0.2 test point of a.example "
	      "came back NXDOMAIN through 10.0.0.53 (/etc/resolv.conf)",
	      "unreachable|b.example|test point queries for b.example timed "
	      "out through 10.0.0.53 (/etc/resolv.conf)" } },
	{ "one list refuses a public resolver",
	    { { "zen.example", HEALTH_REFUSED, REFUSAL(254), REFUSAL(254) },
	      { "b.example", HEALTH_OK, LISTED(2), NX } },
	    { "public-resolver|zen.example|zen.example answered the refusal "
	      "code 127.255.255.254 to a test point through 10.0.0.53 "
	      "(/etc/resolv.conf)" } },
	{ "every list hijacked",
	    { { "a.example", HEALTH_BOGUS, HIJACK, HIJACK },
	      { "b.example", HEALTH_BOGUS, HIJACK, HIJACK } },
	    { "nxdomain-rewrite|a.example,b.example|every list answered "
	      "198.51.100.7, outside 127/8, to a test point through 10.0.0.53 "
	      "(/etc/resolv.conf)" } },
	{ "no server anywhere",
	    { { "a.example", HEALTH_DEAD, NOSERVER, NOSERVER },
	      { "b.example", HEALTH_DEAD, NOSERVER, NOSERVER } },
	    { "unreachable|a.example,b.example|no server listening at "
	      "10.0.0.53 (/etc/resolv.conf) for the test points of every "
	      "list" } },
	{ "mixed failures, one cause each",
	    { { "a.example", HEALTH_LISTS_ALL, LISTED(2), LISTED(2) },
	      { "b.example", HEALTH_REFUSED, REFUSAL(255), NX },
	      { "c.example", HEALTH_DEAD, FAILED("malformed A record"), NX },
	      { "d.example", HEALTH_OK, LISTED(2), NX } },
	    { "over-quota|b.example|b.example answered the refusal code "
	      "127.255.255.255 to a test point through 10.0.0.53 "
	      "(/etc/resolv.conf)",
	      "lists-all|a.example|a.example listed the 127.0.0.1 test point "
	      "(127.0.0.2)" } },
	{ "zones not decided are left out",
	    { { "a.example", HEALTH_DEAD, TIMEOUT, TIMEOUT },
	      { "b.example", HEALTH_UNKNOWN, NOT_PROBED, NOT_PROBED } },
	    { "unreachable|a.example|test point queries for a.example timed "
	      "out through 10.0.0.53 (/etc/resolv.conf)" } },
};

/* "cause|zone,zone|evidence" of finding f over zones. */
static void
finding_text(const struct diagnose_finding *f,
    const struct diagnose_zone *zones, size_t n, char *buf, size_t len)
{
	size_t w = (size_t)snprintf(buf, len, "%s|",
	    diagnose_cause_name(f->cause));
	size_t nz = 0;

	for (size_t i = 0; i < n; i++) {
		if (!diagnose_finding_has(f, &zones[i]))
			continue;
		w += (size_t)snprintf(buf + w, len - w, "%s%s", nz ? "," : "",
		    zones[i].zone->name);
		nz++;
	}
	ck_assert_uint_eq(nz, f->cause == DIAGNOSE_NONE ? 0 : f->nzones);
	snprintf(buf + w, len - w, "|%s", f->evidence);
}

START_TEST(test_findings)
{
	struct zone z[MAX_ZONES];
	struct diagnose_zone dz[MAX_ZONES];
	struct diagnose_finding f[DIAGNOSE_CAUSE_COUNT];
	size_t n = 0, nf, want = 0;
	char buf[1024];

	for (size_t i = 0; i < MAX_ZONES && finding_rows[_i].zones[i].name;
	    i++, n++) {
		const struct zone_case *zc = &finding_rows[_i].zones[i];

		z[i] = make_zone(zc->name, ZONE_IP);
		dz[i].zone = &z[i];
		dz[i].health = (uint8_t)zc->health;
		dz[i].probe[0] = zc->pos;
		dz[i].probe[1] = zc->neg;
	}
	nf = diagnose_findings(dz, n, "10.0.0.53 (/etc/resolv.conf)", f,
	    DIAGNOSE_CAUSE_COUNT);
	while (want < 3 && finding_rows[_i].findings[want] != NULL)
		want++;
	ck_assert_msg(nf == want, "%s: %zu findings", finding_rows[_i].name,
	    nf);
	for (size_t i = 0; i < nf; i++) {
		finding_text(&f[i], dz, n, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, finding_rows[_i].findings[i]) == 0,
		    "%s: finding %zu\n%s\nwant\n%s", finding_rows[_i].name, i,
		    buf, finding_rows[_i].findings[i]);
		ck_assert_ptr_nonnull(f[i].advice);
		if (f[i].cause != DIAGNOSE_NONE)
			ck_assert_uint_gt(strlen(f[i].advice), 20);
	}
}
END_TEST

START_TEST(test_findings_advice)
{
	struct zone z[2] = { make_zone("a.example", ZONE_IP),
		make_zone("b.example", ZONE_IP) };
	struct diagnose_zone dz[2] = {
		{ .zone = &z[0], .health = HEALTH_DEAD, .probe = { NX, NX } },
		{ .zone = &z[1], .health = HEALTH_DEAD, .probe = { NX, NX } },
	};
	struct diagnose_finding f[DIAGNOSE_CAUSE_COUNT];

	ck_assert_uint_eq(diagnose_findings(dz, 2, "10.0.0.53", f, 1), 1);
	ck_assert_str_eq(f[0].advice, "this resolver cannot reach the lists "
	    "or is blocked by them; point `nameservers` at your own "
	    "recursive resolver");
	/* No room, nothing written. */
	ck_assert_uint_eq(diagnose_findings(dz, 2, "10.0.0.53", f, 0), 0);
}
END_TEST

/* -- the resolvers as a message names them ------------------------------- */

static const struct {
	const char *name;
	const char *servers;
	bool system;
	const char *want;
} server_rows[] = {
	{ "system, port 53", "10.0.0.53:53", true,
	    "10.0.0.53 (/etc/resolv.conf)" },
	{ "configured, own port", "127.0.0.1:5300", false, "127.0.0.1:5300" },
	{ "several", "10.0.0.53:53,10.0.0.54:53", false,
	    "10.0.0.53, 10.0.0.54" },
	{ "IPv6 port 53", "[2001:db8::53]:53,[::1]:5353", false,
	    "2001:db8::53, [::1]:5353" },
	{ "none known", "", true, "the system resolver (/etc/resolv.conf)" },
	{ "NULL", NULL, false, "the system resolver" },
};

START_TEST(test_servers)
{
	char buf[128];

	diagnose_servers(server_rows[_i].servers, server_rows[_i].system, buf,
	    sizeof(buf));
	ck_assert_msg(strcmp(buf, server_rows[_i].want) == 0, "%s: \"%s\"",
	    server_rows[_i].name, buf);
}
END_TEST

START_TEST(test_servers_cut)
{
	char buf[12];

	diagnose_servers("10.0.0.53:53,10.0.0.54:53", true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.0.0.53, ");
	diagnose_servers("10.0.0.53:53", true, buf, 1);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_cause_names)
{
	static const char *const want[DIAGNOSE_CAUSE_COUNT] = {
		"none", "public-resolver", "over-quota", "key-error",
		"nxdomain-rewrite", "nxdomain-all", "unreachable", "lists-all",
		"other",
	};

	for (int c = 0; c < DIAGNOSE_CAUSE_COUNT; c++)
		ck_assert_str_eq(diagnose_cause_name((enum diagnose_cause)c),
		    want[c]);
	ck_assert_str_eq(diagnose_cause_name(DIAGNOSE_CAUSE_COUNT), "other");
}
END_TEST

static Suite *
diagnose_suite(void)
{
	Suite *s = suite_create("diagnose");
	TCase *tc = tcase_create("diagnose");

	tcase_add_loop_test(tc, test_probe_record, 0,
	    sizeof(probe_rows) / sizeof(probe_rows[0]));
	tcase_add_loop_test(tc, test_zone_reason, 0,
	    sizeof(zone_rows) / sizeof(zone_rows[0]));
	tcase_add_test(tc, test_zone_reason_own_point);
	tcase_add_loop_test(tc, test_findings, 0,
	    sizeof(finding_rows) / sizeof(finding_rows[0]));
	tcase_add_test(tc, test_findings_advice);
	tcase_add_loop_test(tc, test_servers, 0,
	    sizeof(server_rows) / sizeof(server_rows[0]));
	tcase_add_test(tc, test_servers_cut);
	tcase_add_test(tc, test_cause_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(diagnose_suite());
}

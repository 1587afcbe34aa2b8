/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for alert.c: the exact key=value line of every event kind,
 * quoting and escaping, cutting at small sizes, the priorities, duration
 * and time formats, and the delisting link filled in.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "alert.h"
#include "incident.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* 2026-12-01T10:00:00Z */
#define SINCE 1796119200

/* The event with every string the row left NULL made "", as the
 * contract in incident.h promises. */
static struct incident
filled(struct incident ev)
{
	const char **s[] = { &ev.target, &ev.group, &ev.zone, &ev.codes,
		&ev.labels, &ev.txt, &ev.delist_url, &ev.state, &ev.detail };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (*s[i] == NULL)
			*s[i] = "";
	return ev;
}

static const struct line_row {
	const char *name;
	struct incident ev;
	const char *want;
} line_rows[] = {
	{ "listed, every field",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .group = "mail-out",
		.zone = "zen.spamhaus.org", .codes = "127.0.0.4",
		.labels = "XBL", .since_s = SINCE,
		.txt = "https://www.spamhaus.org/query/ip/192.0.2.25",
		.delist_url =
		    "https://check.spamhaus.org/results/?query=192.0.2.25" },
	    "event=listed target=192.0.2.25 group=mail-out "
	    "zone=zen.spamhaus.org codes=127.0.0.4 labels=XBL "
	    "severity=critical since=2026-12-01T10:00:00Z "
	    "txt=https://www.spamhaus.org/query/ip/192.0.2.25 "
	    "delist=\"https://check.spamhaus.org/results/?query=192.0.2.25\"" },
	{ "delisted with how long it was listed",
	    { .kind = INCIDENT_DELISTED, .severity = SEVERITY_WARNING,
		.target = "192.0.2.25", .zone = "bl.spamcop.net",
		.codes = "127.0.0.2", .since_s = SINCE, .duration_s = 11525,
		.delist_url = "https://www.spamcop.net/bl.shtml?192.0.2.25" },
	    "event=delisted target=192.0.2.25 zone=bl.spamcop.net "
	    "codes=127.0.0.2 severity=warning since=2026-12-01T10:00:00Z "
	    "duration=3h12m5s "
	    "delist=https://www.spamcop.net/bl.shtml?192.0.2.25" },
	{ "delisted at once: duration 0s is still written",
	    { .kind = INCIDENT_DELISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org" },
	    "event=delisted target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical duration=0s" },
	{ "duration only for delisted",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org",
		.duration_s = 60 },
	    "event=listed target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical" },
	{ "changed: lists of codes and labels stay unquoted",
	    { .kind = INCIDENT_CHANGED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .group = "mail-out",
		.zone = "zen.spamhaus.org", .codes = "127.0.0.2,127.0.0.4",
		.labels = "SBL,XBL", .txt = "Listed by SBL" },
	    "event=changed target=192.0.2.25 group=mail-out "
	    "zone=zen.spamhaus.org codes=127.0.0.2,127.0.0.4 labels=SBL,XBL "
	    "severity=critical txt=\"Listed by SBL\"" },
	{ "reminder of an IPv6 listing",
	    { .kind = INCIDENT_REMINDER, .severity = SEVERITY_CRITICAL,
		.target = "2001:db8::25", .zone = "zen.spamhaus.org",
		.codes = "127.0.0.3", .labels = "CSS", .since_s = SINCE },
	    "event=reminder target=2001:db8::25 zone=zen.spamhaus.org "
	    "codes=127.0.0.3 labels=CSS severity=critical "
	    "since=2026-12-01T10:00:00Z" },
	{ "zone-down with its state and evidence",
	    { .kind = INCIDENT_ZONE_DOWN, .severity = SEVERITY_WARNING,
		.zone = "dnsbl.example.net", .state = "dead",
		.detail = "127.0.0.2 not listed in 3 probes" },
	    "event=zone-down zone=dnsbl.example.net severity=warning "
	    "state=dead detail=\"127.0.0.2 not listed in 3 probes\"" },
	{ "zone-up without a state says ok",
	    { .kind = INCIDENT_ZONE_UP, .severity = SEVERITY_WARNING,
		.zone = "dnsbl.example.net" },
	    "event=zone-up zone=dnsbl.example.net severity=warning "
	    "state=ok" },
	{ "zone-up keeps the state it is given",
	    { .kind = INCIDENT_ZONE_UP, .severity = SEVERITY_INFO,
		.zone = "dnsbl.example.net", .state = "ok" },
	    "event=zone-up zone=dnsbl.example.net severity=info state=ok" },
	{ "zone-down without a state writes none",
	    { .kind = INCIDENT_ZONE_DOWN, .severity = SEVERITY_INFO,
		.zone = "dnsbl.example.net" },
	    "event=zone-down zone=dnsbl.example.net severity=info" },
	{ "storage-error: no zone, so no severity",
	    { .kind = INCIDENT_STORAGE_ERROR, .severity = SEVERITY_CRITICAL,
		.detail = "disk I/O error (SQLITE_IOERR_WRITE), retrying" },
	    "event=storage-error "
	    "detail=\"disk I/O error (SQLITE_IOERR_WRITE), retrying\"" },
	{ "redelivery appended",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org",
		.redelivery = true },
	    "event=listed target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical redelivery=1" },
	{ "empty fields dropped",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_INFO,
		.target = "example.com", .zone = "dbl.spamhaus.org" },
	    "event=listed target=example.com zone=dbl.spamhaus.org "
	    "severity=info" },
	{ "quotes and backslashes escaped",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org",
		.txt = "say \"hi\" \\o/" },
	    "event=listed target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical txt=\"say \\\"hi\\\" \\\\o/\"" },
	{ "a backslash alone makes quotes",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org",
		.txt = "a\\x01" },
	    "event=listed target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical txt=\"a\\\\x01\"" },
	{ "control, DEL and 8-bit bytes as \\xNN",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org",
		.txt = "a\x01" "b\x7f\xc3\xa9" },
	    "event=listed target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical txt=\"a\\x01b\\x7f\\xc3\\xa9\"" },
	{ "a newline cannot split the line",
	    { .kind = INCIDENT_STORAGE_ERROR, .detail = "one\ntwo\r" },
	    "event=storage-error detail=\"one\\x0atwo\\x0d\"" },
	{ "a tab is escaped",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org",
		.txt = "a\tb" },
	    "event=listed target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical txt=\"a\\x09b\"" },
	{ "an equals sign makes quotes",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org",
		.txt = "code=4" },
	    "event=listed target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical txt=\"code=4\"" },
	{ "punctuation alone needs no quotes",
	    { .kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org",
		.txt = "<https://x.example/?a&b>;#!'" },
	    "event=listed target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical txt=<https://x.example/?a&b>;#!'" },
	{ "since before 1970 is still a time",
	    { .kind = INCIDENT_REMINDER, .severity = SEVERITY_CRITICAL,
		.target = "192.0.2.25", .zone = "zen.spamhaus.org",
		.since_s = -1 },
	    "event=reminder target=192.0.2.25 zone=zen.spamhaus.org "
	    "severity=critical since=1969-12-31T23:59:59Z" },
};

START_TEST(test_line)
{
	const struct line_row *r = &line_rows[_i];
	struct incident ev = filled(r->ev);
	char buf[ALERT_LINE_MAX];
	size_t n = alert_format(&ev, buf, sizeof(buf));

	ck_assert_msg(strcmp(buf, r->want) == 0, "%s:\n got  %s\n want %s",
	    r->name, buf, r->want);
	ck_assert_msg(n == strlen(r->want), "%s: returned %zu", r->name, n);
}
END_TEST

/* The line cut to len bytes. Full lines of the two events, for sizes:
 * listed: "event=listed target=192.0.2.25 zone=zen.spamhaus.org
 *   codes=127.0.0.4 severity=critical" is 86 bytes, with
 *   ' txt="Listed by XBL"' 106;
 * escapes: "... severity=critical" 70, then ' txt="ab\x01\x02"'. */
static const struct incident cut_listed = {
	.kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
	.target = "192.0.2.25", .group = "", .zone = "zen.spamhaus.org",
	.codes = "127.0.0.4", .labels = "", .txt = "Listed by XBL",
	.delist_url = "", .state = "", .detail = "",
};
static const struct incident cut_escapes = {
	.kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
	.target = "192.0.2.25", .group = "", .zone = "zen.spamhaus.org",
	.codes = "", .labels = "", .txt = "ab\x01\x02", .delist_url = "",
	.state = "", .detail = "",
};
static const struct incident cut_redelivery = {
	.kind = INCIDENT_LISTED, .severity = SEVERITY_CRITICAL,
	.redelivery = true, .target = "192.0.2.25", .group = "",
	.zone = "zen.spamhaus.org", .codes = "127.0.0.4", .labels = "",
	.txt = "Listed by XBL", .delist_url = "", .state = "", .detail = "",
};

#define CUT_P                                                        \
	"event=listed target=192.0.2.25 zone=zen.spamhaus.org "     \
	"codes=127.0.0.4 severity=critical"
#define CUT_Q                                                        \
	"event=listed target=192.0.2.25 zone=zen.spamhaus.org "     \
	"severity=critical"

static const struct cut_row {
	const char *name;
	const struct incident *ev;
	size_t len;
	const char *want;
} cut_rows[] = {
	{ "room for all", &cut_listed, 107, CUT_P " txt=\"Listed by XBL\"" },
	{ "one byte short: the text cut, marked, quote closed", &cut_listed,
	    106, CUT_P " txt=\"Listed by...\"" },
	{ "the least room the text begins in", &cut_listed, 98,
	    CUT_P " txt=\"L...\"" },
	{ "one less: the text is left out", &cut_listed, 97, CUT_P },
	{ "an unquoted value is never cut", &cut_listed, 40,
	    "event=listed target=192.0.2.25" },
	{ "exactly the first field", &cut_listed, 13, "event=listed" },
	{ "not even the first field", &cut_listed, 12, "" },
	{ "one byte: the NUL", &cut_listed, 1, "" },
	{ "an escape is not split", &cut_escapes, 86,
	    CUT_Q " txt=\"ab...\"" },
	{ "a whole escape fits", &cut_escapes, 87,
	    CUT_Q " txt=\"ab\\x01...\"" },
	{ "redelivery kept when the text is cut", &cut_redelivery, 112,
	    CUT_P " txt=\"Li...\" redelivery=1" },
	{ "redelivery kept when the text is left out", &cut_redelivery, 107,
	    CUT_P " redelivery=1" },
	{ "redelivery with room for all", &cut_redelivery, 120,
	    CUT_P " txt=\"Listed by XBL\" redelivery=1" },
};

START_TEST(test_cut)
{
	const struct cut_row *r = &cut_rows[_i];
	char buf[ALERT_LINE_MAX];
	size_t n;

	memset(buf, 'Z', sizeof(buf));
	n = alert_format(r->ev, buf, r->len);
	ck_assert_msg(strcmp(buf, r->want) == 0, "%s:\n got  %s\n want %s",
	    r->name, buf, r->want);
	ck_assert_msg(n == strlen(r->want), "%s: returned %zu", r->name, n);
	ck_assert_msg(n < r->len, "%s: %zu bytes in %zu", r->name, n, r->len);
	ck_assert_msg(buf[r->len] == 'Z', "%s: wrote past len", r->name);
}
END_TEST

START_TEST(test_cut_zero)
{
	char buf[4] = "ZZZ";

	ck_assert_uint_eq(alert_format(&cut_listed, buf, 0), 0);
	ck_assert_str_eq(buf, "ZZZ");
}
END_TEST

static const struct prio_row {
	enum incident_kind kind;
	int want;
} prio_rows[] = {
	{ INCIDENT_LISTED, LOG_WARNING },
	{ INCIDENT_DELISTED, LOG_NOTICE },
	{ INCIDENT_CHANGED, LOG_WARNING },
	{ INCIDENT_REMINDER, LOG_WARNING },
	{ INCIDENT_ZONE_DOWN, LOG_WARNING },
	{ INCIDENT_ZONE_UP, LOG_NOTICE },
	{ INCIDENT_STORAGE_ERROR, LOG_WARNING },
};

START_TEST(test_priority)
{
	const struct prio_row *r = &prio_rows[_i];
	struct incident ev =
	    filled((struct incident){ .kind = (uint8_t)r->kind });

	ck_assert_msg(alert_priority(&ev) == r->want, "%s: %d",
	    incident_kind_name(r->kind), alert_priority(&ev));
}
END_TEST

static const struct duration_row {
	int64_t s;
	const char *want;
} duration_rows[] = {
	{ 0, "0s" },
	{ 59, "59s" },
	{ 60, "1m0s" },
	{ 3599, "59m59s" },
	{ 3600, "1h0m0s" },
	{ 11525, "3h12m5s" },
	{ 86399, "23h59m59s" },
	{ 86400, "1d0h0m0s" },
	{ 90061, "1d1h1m1s" },
	{ 400 * 86400 + 7, "400d0h0m7s" },
	{ -5, "0s" },
};

START_TEST(test_duration)
{
	const struct duration_row *r = &duration_rows[_i];
	char buf[32];
	size_t n = alert_duration_format(r->s, buf, sizeof(buf));

	ck_assert_str_eq(buf, r->want);
	ck_assert_uint_eq(n, strlen(r->want));
}
END_TEST

static const struct time_row {
	int64_t t;
	int rc;
	const char *want;
} time_rows[] = {
	{ 0, 0, "1970-01-01T00:00:00Z" },
	{ SINCE, 0, "2026-12-01T10:00:00Z" },
	{ 1796130725, 0, "2026-12-01T13:12:05Z" },
	{ 253402300799, 0, "9999-12-31T23:59:59Z" },
	{ INT64_MAX, -EINVAL, "" },
};

START_TEST(test_time)
{
	const struct time_row *r = &time_rows[_i];
	char buf[21];

	ck_assert_int_eq(alert_time_format(r->t, buf, sizeof(buf)), r->rc);
	ck_assert_str_eq(buf, r->want);
}
END_TEST

static const struct url_row {
	const char *name, *tmpl, *target;
	size_t len;
	int rc;
	const char *want;
} url_rows[] = {
	{ "no template", NULL, "192.0.2.25", 64, 0, "" },
	{ "no {target} in it", "https://www.barracudacentral.org/rbl",
	    "192.0.2.25", 64, 36, "https://www.barracudacentral.org/rbl" },
	{ "one", "https://check.spamhaus.org/results/?query={target}",
	    "192.0.2.25", 128, 52,
	    "https://check.spamhaus.org/results/?query=192.0.2.25" },
	{ "several", "https://x.example/{target}?ip={target}&again={target}",
	    "2001:db8::1", 128, 62,
	    "https://x.example/2001:db8::1?ip=2001:db8::1&again=2001:db8::1" },
	{ "at both ends and adjacent", "{target}{target}/{target}", "a.b",
	    64, 10, "a.ba.b/a.b" },
	{ "an unclosed mark is kept", "https://x.example/{targ", "a.b", 64,
	    23, "https://x.example/{targ" },
	{ "the mark is case-sensitive", "{TARGET}", "a.b", 64, 8,
	    "{TARGET}" },
	{ "an empty target", "a{target}b", "", 64, 2, "ab" },
	{ "exact fit", "x={target}", "192.0.2.25", 13, 12, "x=192.0.2.25" },
	{ "one short for the NUL", "x={target}", "192.0.2.25", 12, -ENOSPC,
	    "" },
	{ "too long before the mark", "https://long.example/{target}",
	    "a.b", 8, -ENOSPC, "" },
	{ "too long without a mark", "https://long.example/", "a.b", 21,
	    -ENOSPC, "" },
	{ "too long in the last copy", "{target}/{target}", "abcdef", 12,
	    -ENOSPC, "" },
	{ "no room at all", NULL, "a.b", 0, -ENOSPC, "unchanged" },
};

START_TEST(test_delist_url)
{
	const struct url_row *r = &url_rows[_i];
	char buf[128] = "unchanged";
	int rc = alert_delist_url(r->tmpl, r->target, buf, r->len);

	ck_assert_msg(rc == r->rc, "%s: rc %d", r->name, rc);
	ck_assert_msg(strcmp(buf, r->want) == 0, "%s: got %s", r->name,
	    buf);
}
END_TEST

static Suite *
alert_suite(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("format");

	tcase_add_loop_test(tc, test_line, 0, NROWS(line_rows));
	tcase_add_loop_test(tc, test_cut, 0, NROWS(cut_rows));
	tcase_add_test(tc, test_cut_zero);
	tcase_add_loop_test(tc, test_priority, 0, NROWS(prio_rows));
	tcase_add_loop_test(tc, test_duration, 0, NROWS(duration_rows));
	tcase_add_loop_test(tc, test_time, 0, NROWS(time_rows));
	tcase_add_loop_test(tc, test_delist_url, 0, NROWS(url_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(alert_suite());
}

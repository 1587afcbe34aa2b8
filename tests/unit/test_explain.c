/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for explain.c: rejection texts shaped as Postfix, Exim,
 * Sendmail, Exchange and Office 365, Gmail, Yahoo and the lists write
 * them, each with the kind, address, zone and provider it should give;
 * wrapped lines, NUL bytes, size limits and zones only a config knows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "unit.h"

#define L EXPLAIN_LISTED
#define R EXPLAIN_RECEIVER_RESOLVER
#define P EXPLAIN_REPUTATION
#define N EXPLAIN_NOT_BLACKLIST

struct row {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	enum explain_kind kind;
	const char *target; /* canonical, or NULL: none */
	const char *zone;
	const char *list;
};

static const struct row rows[] = {
	{ "postfix zen", "554 5.7.1 Service unavailable; Client host "
	    "[192.0.2.25] blocked using zen.spamhaus.org; "
	    "https://www.spamhaus.org/query/ip/192.0.2.25", 0, L,
	    "192.0.2.25", "zen.spamhaus.org", "" },
	{ "postfix open resolver", "554 5.7.1 Service unavailable; Client "
	    "host [192.0.2.25] blocked using zen.spamhaus.org; Error: open "
	    "resolver; https://check.spamhaus.org/returnc/pub/198.51.100.53/",
	    0, R, "192.0.2.25", "zen.spamhaus.org", "" },
	{ "open resolver, no link", "554 5.7.1 Service unavailable; Client "
	    "host [192.0.2.25] blocked using zen.spamhaus.org; Error: open "
	    "resolver", 0, R, "192.0.2.25", "zen.spamhaus.org", "" },
	{ "the resolver's address is not the sender", "554 5.7.1 Rejected: "
	    "see https://check.spamhaus.org/returnc/pub/198.51.100.53/", 0, R,
	    NULL, "", "Spamhaus" },
	{ "postfix excessive queries", "554 5.7.1 Service unavailable; Client "
	    "host [192.0.2.25] blocked using zen.spamhaus.org; Error: "
	    "excessive number of queries; "
	    "https://check.spamhaus.org/returnc/vol/198.51.100.53/", 0, R,
	    "192.0.2.25", "zen.spamhaus.org", "" },
	{ "query refused", "554 5.7.1 Service unavailable; Client host "
	    "[192.0.2.25] blocked using zen.spamhaus.org; Query Refused. See "
	    "https://www.spamhaus.org/returnc/pub/198.51.100.53", 0, R,
	    "192.0.2.25", "zen.spamhaus.org", "" },
	{ "returned a refusal code", "550 5.7.1 Client host [192.0.2.25] "
	    "rejected: zen.spamhaus.org returned 127.255.255.254", 0, R,
	    "192.0.2.25", "zen.spamhaus.org", "" },
	{ "resolver blocked, vendor only", "451 4.3.0 Your DNS resolver is "
	    "being blocked by Spamhaus, see https://www.spamhaus.org/returnc/"
	    "pub/", 0, R, NULL, "", "Spamhaus" },
	{ "uribl refuses with 127.0.0.1", "554 5.7.1 Message rejected: "
	    "example.net is listed in multi.uribl.com (127.0.0.1)", 0, R,
	    "example.net", "multi.uribl.com", "" },
	{ "postfix bounce, server and client", "This is the mail system at "
	    "host mail.example.org.\n\nI'm sorry to have to inform you that "
	    "your message could not\nbe delivered to one or more recipients."
	    "\n\n<bob@example.com>: host mx.example.com[203.0.113.5] said: "
	    "554 5.7.1\n    Service unavailable; Client host [192.0.2.25] "
	    "blocked using\n    sbl.spamhaus.org; "
	    "https://www.spamhaus.org/query/ip/192.0.2.25 (in reply to\n"
	    "    RCPT TO command)\n", 0, L, "192.0.2.25", "sbl.spamhaus.org",
	    "" },
	{ "dsn diagnostic-code folded", "Reporting-MTA: dns; mail.example.org"
	    "\r\nArrival-Date: Mon, 3 Jun 2024 10:00:00 +0000\r\n\r\n"
	    "Final-Recipient: rfc822; bob@example.com\r\nAction: failed\r\n"
	    "Status: 5.7.1\r\nRemote-MTA: dns; mx.example.com\r\n"
	    "Diagnostic-Code: smtp; 554 5.7.1 Service unavailable; Client "
	    "host\r\n    [192.0.2.25] blocked using xbl.spamhaus.org; "
	    "https://www.spamhaus.org/query/ip/192.0.2.25\r\n", 0, L,
	    "192.0.2.25", "xbl.spamhaus.org", "" },
	{ "exim black list", "550 Rejected because 192.0.2.25 is in a black "
	    "list at zen.spamhaus.org", 0, L, "192.0.2.25",
	    "zen.spamhaus.org", "" },
	{ "exim bounce with the server's address", "SMTP error from remote "
	    "mail server after RCPT TO:<bob@example.com>:\n    host "
	    "mx.example.com [203.0.113.5]: 550 Rejected because 192.0.2.25 is "
	    "in a black list at b.barracudacentral.org\n", 0, L, "192.0.2.25",
	    "b.barracudacentral.org", "" },
	{ "sendmail listed at", "553 5.3.0 <bob@example.com>... Rejected: "
	    "192.0.2.25 listed at bl.mailspike.net", 0, L, "192.0.2.25",
	    "bl.mailspike.net", "" },
	{ "office 365 names only Spamhaus", "550 5.7.1 Service unavailable, "
	    "Client host [192.0.2.25] blocked using Spamhaus. To request "
	    "removal from this list see https://www.spamhaus.org/query/ip/"
	    "192.0.2.25 (AS3130). "
	    "[BN8NAM11FT066.eop-nam11.prod.protection.outlook.com]", 0, L,
	    "192.0.2.25", "", "Spamhaus" },
	{ "office 365 banned sending ip", "550 5.7.606 Access denied, banned "
	    "sending IP [192.0.2.25]. To request removal from this list "
	    "please visit https://sender.office.com/ and follow the "
	    "directions. For more information please go to "
	    "http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)", 0, P,
	    "192.0.2.25", "", "Microsoft" },
	{ "outlook.com S3150", "550 5.7.1 Unfortunately, messages from "
	    "[192.0.2.25] weren't sent. Please contact your Internet service "
	    "provider since part of their network is on our block list "
	    "(S3150). You can also refer your provider to "
	    "http://mail.live.com/mail/troubleshooting.aspx#errors. "
	    "[AM5EUR03FT033.eop-EUR03.prod.protection.outlook.com]", 0, P,
	    "192.0.2.25", "", "Microsoft" },
	{ "outlook.com S3140 over IPv6", "550 5.7.1 Unfortunately, messages "
	    "from [2001:db8::25] weren't sent. Please contact your Internet "
	    "service provider since part of their network is on our block "
	    "list (S3140).", 0, P, "2001:db8::25", "", "Microsoft" },
	{ "gmail 550 ip reputation", "550-5.7.1 [192.0.2.25      12] Our "
	    "system has detected an unusual rate of\r\n550-5.7.1 unsolicited "
	    "mail originating from your IP address. To protect our\r\n"
	    "550-5.7.1 users from spam, mail sent from your IP address has "
	    "been blocked.\r\n550-5.7.1 Please visit\r\n550-5.7.1  "
	    "https://support.google.com/mail/?p=UnsolicitedIPError to review "
	    "our\r\n550 5.7.1 Bulk Email Senders Guidelines. "
	    "a1si1234567wrb.12 - gsmtp\r\n", 0, P, "192.0.2.25", "",
	    "Google" },
	{ "postfix quoting gmail", "<bob@gmail.com>: host "
	    "gmail-smtp-in.l.google.com[142.250.1.26] said:\n    550-5.7.1 "
	    "[192.0.2.25      12] Our system has detected an unusual rate "
	    "of\n    550-5.7.1 unsolicited mail originating from your IP "
	    "address. (in reply to\n    end of DATA command)\n", 0, P,
	    "192.0.2.25", "", "Google" },
	{ "gmail 421 rate limited", "421-4.7.0 [192.0.2.25      15] Our "
	    "system has detected an unusual rate of\n421-4.7.0 unsolicited "
	    "mail originating from your IP address. To protect our\n"
	    "421-4.7.0 users from spam, mail sent from your IP address has "
	    "been temporarily\n421-4.7.0 rate limited. Please visit\n"
	    "421-4.7.0  https://support.google.com/mail/answer/81126 to "
	    "review our Bulk Email\n421 4.7.0 Senders Guidelines. "
	    "e2si123456qkb.300 - gsmtp\n", 0, P, "192.0.2.25", "", "Google" },
	{ "gmail message judged unsolicited", "550-5.7.1 Our system has "
	    "detected that this message is\n550-5.7.1 likely unsolicited "
	    "mail. To reduce the amount of spam sent to Gmail,\n550-5.7.1 "
	    "this message has been blocked. Please visit\n550 5.7.1 "
	    "https://support.google.com/mail/?p=UnsolicitedMessageError "
	    "x1si99 - gsmtp", 0, P, NULL, "", "Google" },
	{ "spamcop", "554 5.7.1 Service unavailable; Client host [192.0.2.25] "
	    "blocked using bl.spamcop.net; Blocked - see "
	    "https://www.spamcop.net/bl.shtml?192.0.2.25", 0, L, "192.0.2.25",
	    "bl.spamcop.net", "" },
	{ "barracuda reputation by name", "554 Service unavailable; Client "
	    "host [192.0.2.25] blocked using Barracuda Reputation; "
	    "http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.25",
	    0, L, "192.0.2.25", "b.barracudacentral.org", "Barracuda" },
	{ "sorbs", "554 5.7.1 Service unavailable; Client host [192.0.2.25] "
	    "blocked using dnsbl.sorbs.net; Currently Sending Spam See: "
	    "http://www.sorbs.net/lookup.shtml?192.0.2.25", 0, L,
	    "192.0.2.25", "dnsbl.sorbs.net", "" },
	{ "uceprotect level 1", "550 5.7.1 Service unavailable; Client host "
	    "[192.0.2.25] blocked using dnsbl-1.uceprotect.net; IP 192.0.2.25 "
	    "is UCEPROTECT-Level1 listed. See "
	    "http://www.uceprotect.net/rblcheck.php?ipr=192.0.2.25", 0, L,
	    "192.0.2.25", "dnsbl-1.uceprotect.net", "" },
	{ "zone wrapped across a continuation line", "550-5.7.1 Service "
	    "unavailable; Client host [192.0.2.25] blocked using "
	    "dnsbl-3.ucep\r\n550 5.7.1 rotect.net; Your ISP AS64500 is "
	    "UCEPROTECT-Level3 listed", 0, L, "192.0.2.25",
	    "dnsbl-3.uceprotect.net", "" },
	{ "zone wrapped inside a label", "550-5.7.1 Service unavailable; "
	    "Client host [192.0.2.25] blocked using zen.spam\n550 5.7.1 "
	    "haus.org; https://www.spamhaus.org/query/ip/192.0.2.25", 0, L,
	    "192.0.2.25", "zen.spamhaus.org", "" },
	{ "address wrapped across a continuation line", "550-5.7.1 Service "
	    "unavailable; Client host [192.0.2.\n550 5.7.1 25] blocked using "
	    "bl.spamcop.net", 0, L, "192.0.2.25", "bl.spamcop.net", "" },
	{ "exim multi-line is listed", "550-5.7.1 192.0.2.25 is listed in "
	    "bl.spamcop.net\n550 5.7.1 (Blocked - see "
	    "https://www.spamcop.net/bl.shtml?192.0.2.25)", 0, L,
	    "192.0.2.25", "bl.spamcop.net", "" },
	{ "uribl names the domain", "554 5.7.1 <bob@example.com>: Message "
	    "rejected: example.net is listed in multi.uribl.com; see "
	    "https://admin.uribl.com/?section=lookup", 0, L, "example.net",
	    "multi.uribl.com", "" },
	{ "a domain list is about the domain", "554 5.7.1 Message from "
	    "192.0.2.25 rejected: example.net is listed in multi.uribl.com", 0,
	    L, "example.net", "multi.uribl.com", "" },
	{ "surbl sender domain", "554 5.7.1 Service unavailable; Sender "
	    "address [spam.example.net] blocked using multi.surbl.org", 0, L,
	    "spam.example.net", "multi.surbl.org", "" },
	{ "spamhaus dbl", "554 5.7.1 Service unavailable; Sender address "
	    "[spammer@Spam.Example.NET] blocked using dbl.spamhaus.org; "
	    "https://www.spamhaus.org/query/domain/spam.example.net", 0, L,
	    "spam.example.net", "dbl.spamhaus.org", "" },
	{ "postfix ipv6", "554 5.7.1 Service unavailable; Client host "
	    "[2001:db8::25] blocked using zen.spamhaus.org; "
	    "https://www.spamhaus.org/query/ip/2001:db8::25", 0, L,
	    "2001:db8::25", "zen.spamhaus.org", "" },
	{ "ipv6 tag, upper case, long form", "550 5.7.1 Client host "
	    "[IPv6:2001:DB8:0:0::25] is listed on PSBL.SURRIEL.COM", 0, L,
	    "2001:db8::25", "psbl.surriel.com", "" },
	{ "rbl without a zone", "550 5.7.1 Mail from 192.0.2.25 refused by "
	    "RBL", 0, L, "192.0.2.25", "", "" },
	{ "found on blacklist", "550 Your IP 192.0.2.25 was found on "
	    "blacklist, mail rejected", 0, L, "192.0.2.25", "", "" },
	{ "comcast dnsbls", "554 resimta-po-01v.sys.comcast.net "
	    "resimta-po-01v.sys.comcast.net 192.0.2.25 found on one or more "
	    "DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php"
	    "#BL000001", 0, L, "192.0.2.25", "", "" },
	{ "unknown zone after using", "554 5.7.1 Service unavailable; Client "
	    "host [192.0.2.25] blocked using rbl.example.net", 0, L,
	    "192.0.2.25", "rbl.example.net", "" },
	{ "unknown zone with a list word", "550 5.7.1 Your IP 192.0.2.25 is "
	    "listed on spam.blocklist.example", 0, L, "192.0.2.25",
	    "spam.blocklist.example", "" },
	{ "plain name after listed on is no zone", "550 5.7.1 Message from "
	    "192.0.2.25 rejected, listed in reject.example.org", 0, L,
	    "192.0.2.25", "", "" },
	{ "a named zone wins over reputation words", "550 5.7.1 192.0.2.25 "
	    "rejected for poor reputation: listed in rbl.example.net", 0, L,
	    "192.0.2.25", "rbl.example.net", "" },
	{ "a filtering server's name is no zone", "550 5.7.1 Message from "
	    "192.0.2.25 rejected by smtp.antispam.example[203.0.113.9]: "
	    "policy", 0, N, "192.0.2.25", "", "" },
	{ "provider's poor reputation is its list", "550 5.7.1 Rejected: "
	    "192.0.2.25 has a poor reputation on Mailspike", 0, L,
	    "192.0.2.25", "", "Mailspike" },
	{ "nul bytes inside", "554 5.7.1 Service unavailable;\0Client host "
	    "[192.0.2.25] blocked using\0zen.spamhaus.org",
	    sizeof("554 5.7.1 Service unavailable;\0Client host "
	    "[192.0.2.25] blocked using\0zen.spamhaus.org") - 1, L,
	    "192.0.2.25", "zen.spamhaus.org", "" },
	{ "yahoo TSS04", "421 4.7.0 [TSS04] Messages from 192.0.2.25 "
	    "temporarily deferred due to unexpected volume or user "
	    "complaints - 4.16.55.1; see "
	    "https://postmaster.yahooinc.com/error-codes", 0, P, "192.0.2.25",
	    "", "Yahoo" },
	{ "cloudmark csi", "554 5.7.1 - ERROR: Mail refused - <192.0.2.25> - "
	    "See http://csi.cloudmark.com/reset-request/?ip=192.0.2.25", 0, P,
	    "192.0.2.25", "", "Cloudmark" },
	{ "proofpoint", "554 5.7.0 Blocked - see "
	    "https://ipcheck.proofpoint.com/?ip=192.0.2.25", 0, P,
	    "192.0.2.25", "", "Proofpoint" },
	{ "trend micro reputation", "550 5.7.1 Mail from 192.0.2.25 blocked "
	    "by Trend Micro Email Reputation Service", 0, P, "192.0.2.25", "",
	    "Trend Micro" },
	{ "postgrey", "450 4.2.0 <bob@example.com>: Recipient address "
	    "rejected: Greylisted, see "
	    "http://postgrey.schweikert.ch/help/example.com.html", 0, N, NULL,
	    "", "" },
	{ "greylisted 4.7.1", "450 4.7.1 <bob@example.com>: Recipient address "
	    "rejected: Greylisted for 300 seconds", 0, N, NULL, "", "" },
	{ "user unknown", "550 5.1.1 <bob@example.com>: Recipient address "
	    "rejected: User unknown in virtual mailbox table", 0, N, NULL, "",
	    "" },
	{ "the reporting server is no target", "<bob@example.com>: host "
	    "mx.example.com[203.0.113.5] said: 550 5.1.1 <bob@example.com>: "
	    "Recipient address rejected: User unknown in local recipient "
	    "table (in reply to RCPT TO command)", 0, N, NULL, "", "" },
	{ "gmail no such user", "550-5.1.1 The email account that you tried "
	    "to reach does not exist. Please try\n550-5.1.1 double-checking "
	    "the recipient's email address for typos or\n550-5.1.1 "
	    "unnecessary spaces. For more information, go to\n550 5.1.1  "
	    "https://support.google.com/mail/?p=NoSuchUser a1si1 - gsmtp", 0,
	    N, NULL, "", "" },
	{ "exchange recipient not found", "550 5.1.10 "
	    "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
	    "address lookup", 0, N, NULL, "", "" },
	{ "mailbox full", "552 5.2.2 <bob@example.com>: Recipient address "
	    "rejected: Mailbox full", 0, N, NULL, "", "" },
	{ "spf fail", "550 5.7.23 <bob@example.com>: Recipient address "
	    "rejected: Message rejected due to: SPF fail - not authorized. "
	    "Please see http://www.openspf.net/Why?s=mfrom;"
	    "id=alice@example.org;ip=192.0.2.25;r=bob@example.com", 0, N,
	    "192.0.2.25", "", "" },
	{ "dmarc reject", "550-5.7.26 Unauthenticated email from example.org "
	    "is not accepted due to\n550-5.7.26 domain's DMARC policy. Please "
	    "contact the administrator of\n550 5.7.26 example.org domain if "
	    "this was a legitimate mail.", 0, N, NULL, "", "" },
	{ "message too large", "552 5.3.4 Message size exceeds fixed limit",
	    0, N, NULL, "", "" },
};

/* Does the explanation name what the result names? */
static void
check_explanation(const struct row *w, const struct explain_result *r)
{
	ck_assert_msg(strlen(r->explanation) > 20, "%s: explanation \"%s\"",
	    w->name, r->explanation);
	if (w->kind == N) {
		ck_assert_msg(strstr(r->explanation, "not a blacklist") != NULL,
		    "%s: \"%s\"", w->name, r->explanation);
		return;
	}
	if (w->target != NULL)
		ck_assert_msg(strstr(r->explanation, w->target) != NULL,
		    "%s: \"%s\" lacks the target", w->name, r->explanation);
	if (w->zone[0] != '\0' && w->kind != P)
		ck_assert_msg(strstr(r->explanation, w->zone) != NULL,
		    "%s: \"%s\" lacks the zone", w->name, r->explanation);
	if (w->kind == R)
		ck_assert_msg(strstr(r->explanation, "Nothing is wrong with the "
		    "sender") != NULL, "%s: \"%s\"", w->name, r->explanation);
}

static void
check_row(const struct row *w, const struct config *c)
{
	struct explain_result r;
	char text[TARGET_TEXT_MAX] = "";
	size_t len = w->len != 0 ? w->len : strlen(w->text);
	int rc = explain_text(w->text, len, c, &r);

	ck_assert_msg(rc == 0, "%s: rc %d", w->name, rc);
	if (r.have_target)
		ck_assert_int_eq(target_format(&r.target, text, sizeof(text)),
		    0);
	ck_assert_msg(r.kind == w->kind, "%s: kind %s, want %s", w->name,
	    explain_kind_name(r.kind), explain_kind_name(w->kind));
	ck_assert_msg(w->target != NULL ? r.have_target &&
	    strcmp(text, w->target) == 0 : !r.have_target,
	    "%s: target \"%s\", want \"%s\"", w->name,
	    r.have_target ? text : "(none)",
	    w->target != NULL ? w->target : "(none)");
	ck_assert_msg(strcmp(r.zone, w->zone) == 0, "%s: zone \"%s\", want "
	    "\"%s\"", w->name, r.zone, w->zone);
	ck_assert_msg(strcmp(r.list, w->list) == 0, "%s: list \"%s\", want "
	    "\"%s\"", w->name, r.list, w->list);
	check_explanation(w, &r);
	explain_clear(&r);
	ck_assert(!r.have_target);
}

START_TEST(test_rows)
{
	check_row(&rows[_i], NULL);
}
END_TEST

/* -- zones only the configuration knows ------------------------------- */

static const struct row config_rows[] = {
	{ "config zone named anywhere", "554 5.7.1 Client host [192.0.2.25] "
	    "refused: see dnsbl.example.net", 0, L, "192.0.2.25",
	    "dnsbl.example.net", "" },
	{ "config zone without a list word", "550 5.7.1 Message from "
	    "192.0.2.25 rejected, listed in reject.example.org", 0, L,
	    "192.0.2.25", "reject.example.org", "" },
	{ "config zone wrapped", "550-5.7.1 Client host [192.0.2.25] blocked "
	    "using reject.exa\n550 5.7.1 mple.org", 0, L, "192.0.2.25",
	    "reject.example.org", "" },
	{ "config zone in upper case", "550 5.7.1 192.0.2.25 LISTED AT "
	    "REJECT.EXAMPLE.ORG.", 0, L, "192.0.2.25", "reject.example.org",
	    "" },
	{ "config domain zone names the domain", "554 5.7.1 Message "
	    "rejected: example.net is listed in names.example.org", 0, L,
	    "example.net", "names.example.org", "" },
};

/* The same texts without a config: the zones go unrecognised. */
static const struct row no_config_rows[] = {
	{ "zone unknown without config", "554 5.7.1 Client host [192.0.2.25] "
	    "refused: see dnsbl.example.net", 0, L, "192.0.2.25", "", "" },
	{ "plain zone unknown without config", "550 5.7.1 Message from "
	    "192.0.2.25 rejected, listed in reject.example.org", 0, L,
	    "192.0.2.25", "", "" },
};

static struct config *
test_config(void)
{
	return unit_config("[targets]\nip = 192.0.2.25\n",
	    "[zone dnsbl.example.net]\ntype = ip4\n"
	    "[zone reject.example.org]\ntype = ip4\n"
	    "[zone names.example.org]\ntype = domain\n");
}

START_TEST(test_config_rows)
{
	struct config *c = test_config();

	check_row(&config_rows[_i], c);
	config_free(c);
}
END_TEST

START_TEST(test_no_config_rows)
{
	check_row(&no_config_rows[_i], NULL);
}
END_TEST

/* -- limits ----------------------------------------------------------- */

static const struct {
	const char *name;
	const char *text;
	size_t len;
} bad_rows[] = {
	{ "empty", "", 0 },
	{ "NULL", NULL, 5 },
	{ "blanks and line ends", " \t\r\n \r\n", 7 },
	{ "only NUL bytes", "\0\0\0", 3 },
	{ "only reply codes", "550-5.7.1\r\n550 5.7.1 \r\n", 22 },
};

START_TEST(test_bad)
{
	struct explain_result r;

	memset(&r, 0x5a, sizeof(r));
	ck_assert_msg(explain_text(bad_rows[_i].text, bad_rows[_i].len, NULL,
	    &r) == -EINVAL, "%s", bad_rows[_i].name);
	ck_assert_msg(r.kind == 0x5a && r.zone[0] == 0x5a,
	    "%s: result written on failure", bad_rows[_i].name);
}
END_TEST

/* The largest text is read, one byte more is refused. */
START_TEST(test_size)
{
	static const char tail[] = "554 5.7.1 Client host [192.0.2.25] "
	    "blocked using zen.spamhaus.org";
	char *text = malloc(EXPLAIN_TEXT_MAX + 1);
	struct explain_result r;
	char buf[TARGET_TEXT_MAX];
	size_t i;

	ck_assert_ptr_nonnull(text);
	/* Many short lines and tokens: the worst case for the scan. */
	for (i = 0; i < EXPLAIN_TEXT_MAX; i++)
		text[i] = i % 4 == 3 ? '\n' : i % 2 == 0 ? 'a' : '.';
	memcpy(text + EXPLAIN_TEXT_MAX - strlen(tail), tail, strlen(tail));
	ck_assert_int_eq(explain_text(text, EXPLAIN_TEXT_MAX, NULL, &r), 0);
	ck_assert_int_eq(r.kind, EXPLAIN_LISTED);
	ck_assert(r.have_target);
	ck_assert_int_eq(target_format(&r.target, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "192.0.2.25");
	ck_assert_str_eq(r.zone, "zen.spamhaus.org");
	explain_clear(&r);
	text[EXPLAIN_TEXT_MAX] = ' ';
	ck_assert_int_eq(explain_text(text, EXPLAIN_TEXT_MAX + 1, NULL, &r),
	    -EINVAL);
	free(text);
}
END_TEST

/* len bounds the read: the text need not end in NUL. */
START_TEST(test_len_bounds)
{
	static const char text[] = "550 5.1.1 User unknown; Client host "
	    "[192.0.2.25] blocked using zen.spamhaus.org";
	struct explain_result r;

	ck_assert_int_eq(explain_text(text, 23, NULL, &r), 0);
	ck_assert_int_eq(r.kind, EXPLAIN_NOT_BLACKLIST);
	ck_assert(!r.have_target);
	ck_assert_str_eq(r.zone, "");
	explain_clear(&r);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(explain_kind_name(EXPLAIN_LISTED), "listed");
	ck_assert_str_eq(explain_kind_name(EXPLAIN_RECEIVER_RESOLVER),
	    "receiver-resolver");
	ck_assert_str_eq(explain_kind_name(EXPLAIN_REPUTATION), "reputation");
	ck_assert_str_eq(explain_kind_name(EXPLAIN_NOT_BLACKLIST),
	    "not-blacklist");
	ck_assert_str_eq(explain_kind_name((enum explain_kind)9), "unknown");
	explain_clear(NULL);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_rows, 0, NROWS(rows));
	tcase_add_loop_test(tc, test_config_rows, 0, NROWS(config_rows));
	tcase_add_loop_test(tc, test_no_config_rows, 0,
	    NROWS(no_config_rows));
	tcase_add_loop_test(tc, test_bad, 0, NROWS(bad_rows));
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_len_bounds);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(explain_suite());
}

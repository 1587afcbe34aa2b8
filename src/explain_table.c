/* SPDX-License-Identifier: ISC */
/*
 * The bounce decoder's tables: well-known zones, DNSBL providers, and the
 * phrases that mark a refused resolver, a receiver's own reputation system,
 * a listing, or another kind of rejection.
 */
#include <stddef.h>

#include "explain_int.h"

/* Well-known zones: 'i' lists addresses, 'd' lists domains. */
const struct explain_known_zone explain_known_zones[] = {
	{ "zen.spamhaus.org", 'i' }, { "sbl.spamhaus.org", 'i' },
	{ "xbl.spamhaus.org", 'i' }, { "pbl.spamhaus.org", 'i' },
	{ "sbl-xbl.spamhaus.org", 'i' }, { "dbl.spamhaus.org", 'd' },
	{ "zrd.spamhaus.org", 'd' }, { "b.barracudacentral.org", 'i' },
	{ "bb.barracudacentral.org", 'i' }, { "bl.spamcop.net", 'i' },
	{ "dnsbl.sorbs.net", 'i' }, { "spam.dnsbl.sorbs.net", 'i' },
	{ "dul.dnsbl.sorbs.net", 'i' }, { "rhsbl.sorbs.net", 'd' },
	{ "psbl.surriel.com", 'i' }, { "bl.mailspike.net", 'i' },
	{ "z.mailspike.net", 'i' }, { "dnsbl-1.uceprotect.net", 'i' },
	{ "dnsbl-2.uceprotect.net", 'i' }, { "dnsbl-3.uceprotect.net", 'i' },
	{ "multi.uribl.com", 'd' }, { "black.uribl.com", 'd' },
	{ "multi.surbl.org", 'd' }, { "dnsbl.dronebl.org", 'i' },
	{ "bl.blocklist.de", 'i' }, { "all.s5h.net", 'i' },
	{ "truncate.gbudb.net", 'i' }, { "ix.dnsbl.manitu.net", 'i' },
	{ "dnsbl.justspam.org", 'i' }, { "bl.spameatingmonkey.net", 'i' },
	{ "hostkarma.junkemailfilter.com", 'i' },
	{ "spam.spamrats.com", 'i' }, { "dyna.spamrats.com", 'i' },
	{ "noptr.spamrats.com", 'i' }, { "cbl.abuseat.org", 'i' },
	{ "bl.nordspam.com", 'i' }, { "dbl.nordspam.com", 'd' },
	{ "bl.score.senderscore.com", 'i' }, { "rbl.interserver.net", 'i' },
	{ "bl.suomispam.net", 'i' },
};

/*
 * Providers of public DNSBLs, by a word of their name or domain; the zone
 * only where the provider runs a single one, so that the name alone says
 * which zone to check.
 */
const struct explain_vendor explain_vendors[] = {
	{ "spamhaus", "Spamhaus", "" },
	{ "barracuda", "Barracuda", "b.barracudacentral.org" },
	{ "spamcop", "SpamCop", "bl.spamcop.net" },
	{ "sorbs", "SORBS", "" },
	{ "uceprotect", "UCEPROTECT", "" },
	{ "mailspike", "Mailspike", "" },
	{ "psbl", "PSBL", "psbl.surriel.com" },
	{ "surriel", "PSBL", "psbl.surriel.com" },
	{ "uribl", "URIBL", "" },
	{ "surbl", "SURBL", "" },
	{ "spamrats", "SpamRATS", "" },
	{ "dronebl", "DroneBL", "" },
};

/* The receiver's resolver was refused (Spamhaus return codes, URIBL). */
const char *const explain_resolver_phrases[] = {
	"open resolver", "public resolver", "open dns resolver",
	"query refused", "queries refused", "resolver is being blocked",
	"returnc/", "127.255.255.252", "127.255.255.254", "127.255.255.255",
	"excessive number of queries", "typing error in dnsbl name",
	"public/open resolver",
};

/* The receiver's own reputation system; the owner when the marker says. */
const struct explain_marker explain_reputation_phrases[] = {
	{ "s3150", "Microsoft" }, { "s3140", "Microsoft" },
	{ "s3114", "Microsoft" }, { "5.7.606", "Microsoft" },
	{ "5.7.511", "Microsoft" }, { "banned sending ip", "Microsoft" },
	{ "unusual rate of unsolicited", "Google" },
	{ "our system has detected", "Google" },
	{ "likely unsolicited mail", "Google" },
	{ "not authorized to send email directly to our servers", "Google" },
	{ "tss04", "Yahoo" }, { "tss09", "Yahoo" }, { "tsss09", "Yahoo" },
	{ "ts03", "Yahoo" }, { "csi:", "Cloudmark" },
	{ "ipcheck.proofpoint.com", "Proofpoint" },
	{ "cloudmark", "Cloudmark" }, { "our block list", NULL },
	{ "our blocklist", NULL }, { "our blacklist", NULL },
	{ "poor reputation", NULL }, { "low reputation", NULL },
	{ "bad reputation", NULL }, { "sender reputation", NULL },
	{ "ip reputation", NULL },
};

/* Who runs a reputation system, when no marker said. */
const struct explain_owner explain_reputation_owners[] = {
	{ "outlook.com", "Microsoft" }, { "hotmail", "Microsoft" },
	{ "microsoft", "Microsoft" }, { "google", "Google" },
	{ "gmail", "Google" }, { "gsmtp", "Google" }, { "yahoo", "Yahoo" },
	{ "aol.com", "Yahoo" }, { "cloudmark", "Cloudmark" },
	{ "proofpoint", "Proofpoint" }, { "trend micro", "Trend Micro" },
	{ "trendmicro", "Trend Micro" },
};

/* A listing, even when neither zone nor provider is named. */
const char *const explain_listing_phrases[] = {
	"blocked using", "is listed", "listed on", "listed in", "listed at",
	"listed by", "black list", "blacklist", "blacklisted", "blocklist",
	"blocklisted", "block list", "dnsbl", "dnsbls", "rbl", "rhsbl", "realtime "
	"blackhole", "spamhaus.org/query", "in a black list",
};

/* Other rejections, for the explanation. */
#define GREY "the receiver is greylisting: a temporary deferral that a " \
	"normal mail server retries and gets past; nothing to fix"
#define FULL "the recipient's mailbox is full; they must make room, or " \
	"the mail can be sent again later"
#define SIZE "the message is larger than the receiver accepts; send it " \
	"smaller"
#define AUTH "the message failed sender authentication; fix the domain's " \
	"SPF record, DKIM signing or DMARC alignment"
#define USER "the recipient address does not exist there; check the address"

const struct explain_reason explain_other_reasons[] = {
	{ "greylist", GREY }, { "graylist", GREY }, { "mailbox full", FULL },
	{ "over quota", FULL }, { "quota exceeded", FULL },
	{ "insufficient storage", FULL }, { "5.2.2", FULL },
	{ "too large", SIZE }, { "size limit", SIZE },
	{ "message size", SIZE }, { "5.3.4", SIZE }, { "spf", AUTH },
	{ "dkim", AUTH }, { "dmarc", AUTH }, { "unauthenticated", AUTH },
	{ "user unknown", USER }, { "unknown user", USER },
	{ "no such user", USER }, { "does not exist", USER },
	{ "recipient not found", USER }, { "recipnotfound", USER },
	{ "5.1.1", USER },
};
/* Labels of a zone's name that say "blocklist", whole or in part. */
const char *const explain_dnsbl_labels[] = { "bl", "rbl", "dnsbl", "rhsbl",
	"uribl", "surbl", "dbl", "sbl", "xbl", "pbl", "zen" };
const char *const explain_dnsbl_parts[] = { "dnsbl", "rbl", "spam", "black",
	"block", "uribl", "surbl" };

const size_t explain_ndnsbl_labels = EXPLAIN_NELEM(explain_dnsbl_labels);
const size_t explain_ndnsbl_parts = EXPLAIN_NELEM(explain_dnsbl_parts);
const size_t explain_nknown_zones = EXPLAIN_NELEM(explain_known_zones);
const size_t explain_nvendors = EXPLAIN_NELEM(explain_vendors);
const size_t explain_nresolver_phrases =
    EXPLAIN_NELEM(explain_resolver_phrases);
const size_t explain_nreputation_phrases =
    EXPLAIN_NELEM(explain_reputation_phrases);
const size_t explain_nreputation_owners =
    EXPLAIN_NELEM(explain_reputation_owners);
const size_t explain_nlisting_phrases = EXPLAIN_NELEM(explain_listing_phrases);
const size_t explain_nother_reasons = EXPLAIN_NELEM(explain_other_reasons);

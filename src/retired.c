/* SPDX-License-Identifier: ISC */
/*
 * The table of retired DNS blocklists and the lookup that matches a
 * configured zone against it. A closed list is worse than none: it either
 * stops answering (every check an error), answers nothing (every target
 * "clean" for ever) or, once its domain lapses, lists the world. Pure.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "retired.h"

#define USE_ZEN                                                           \
	"use zen.spamhaus.org (with bl.spamcop.net or bl.mailspike.net "  \
	"beside it)"

static const struct retired_zone retired_zones[] = {
	{ "sorbs.net", "SORBS", "2024-06-05",
	    "its zones are no longer served: checks fail or come back empty",
	    USE_ZEN },
	{ "njabl.org", "NJABL", "2013",
	    "the lapsed domain was taken over and has listed every address "
	    "since 2024",
	    USE_ZEN },
	{ "ahbl.org", "AHBL", "2014",
	    "a wildcard has answered every query as listed since 2015",
	    USE_ZEN },
	{ "dsbl.org", "DSBL", "2008", "its zones no longer answer", USE_ZEN },
	{ "ordb.org", "ORDB", "2006",
	    "relays.ordb.org has listed every address since 2008", USE_ZEN },
	{ "ix.dnsbl.manitu.net", "NiX Spam", "2025-01-16",
	    "the zone is empty: every check comes back clean, whatever the "
	    "target",
	    USE_ZEN },
	{ "spamcannibal.org", "SpamCannibal", "2018",
	    "a parking wildcard answers every query with an address outside "
	    "127.0.0.0/8 (every check bogus)",
	    USE_ZEN },
	{ "rfc-ignorant.org", "RFC-Ignorant", "2012",
	    "the domain was parked and its zones hold no data",
	    "remove the zone (rfc-clueless.org, which carried on its lists, "
	    "closed in 2023)" },
	{ "msrbl.net", "MSRBL", "2017",
	    "its domain has lapsed more than once and then listed every "
	    "address",
	    USE_ZEN },
	{ "emailbasura.org", "Email Basura", "2019",
	    "a domain speculator's wildcard lists every address",
	    USE_ZEN },
	{ "cbl.abuseat.org", "CBL", "as a list of its own; it is now part of "
	    "the Spamhaus XBL",
	    "it answers as the XBL does, which zen.spamhaus.org already holds: "
	    "asking both only doubles the queries",
	    "use zen.spamhaus.org (or xbl.spamhaus.org) alone" },
};

#define NRETIRED (sizeof(retired_zones) / sizeof(retired_zones[0]))

/* Is name (n bytes) equal to pattern, or under it after a dot? */
static int
retired_match(const char *name, size_t n, const char *pattern)
{
	size_t p = strlen(pattern);

	if (n < p || strncasecmp(name + n - p, pattern, p) != 0)
		return 0;
	return n == p || name[n - p - 1] == '.';
}

const struct retired_zone *
retired_lookup(const char *zone)
{
	size_t n = strlen(zone);

	if (n > 0 && zone[n - 1] == '.')
		n--; /* the root label */
	for (size_t i = 0; i < NRETIRED; i++)
		if (retired_match(zone, n, retired_zones[i].pattern))
			return &retired_zones[i];
	return NULL;
}

const struct retired_zone *
retired_table(size_t *ret_n)
{
	*ret_n = NRETIRED;
	return retired_zones;
}

int
retired_format(const struct retired_zone *r, char *buf, size_t len)
{
	return snprintf(buf, len, "%s (retired %s): %s; instead, %s",
	    r->list, r->retired, r->now, r->instead);
}

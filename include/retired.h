/* SPDX-License-Identifier: ISC */
/*
 * Retired DNS blocklists: a built-in table of lists that have closed, what
 * their zones answer now (several list the whole world) and what to use
 * instead, so a configuration that still names one can be warned about.
 * Pure.
 */
#ifndef RBLMON_RETIRED_H
#define RBLMON_RETIRED_H

#include <stddef.h>

struct retired_zone {
	const char *pattern; /* a zone, matched with every name under it */
	const char *list;    /* the list's name, e.g. "SORBS" */
	const char *retired; /* when it closed, e.g. "2024-06-05" */
	const char *now;     /* what its zones answer today */
	const char *instead; /* what to do instead: "use ...", "remove ..." */
};

/*
 * The entry for zone (a DNS name, any case, a final dot allowed) when it
 * is a retired pattern or any name under one ("dnsbl.sorbs.net" and
 * "spam.dnsbl.sorbs.net" are SORBS, "notsorbs.net" is not); else NULL.
 */
const struct retired_zone *retired_lookup(const char *zone);

/* The whole table, for tests and documentation: *ret_n entries. */
const struct retired_zone *retired_table(size_t *ret_n);

/*
 * One sentence about r for a warning: "SORBS (retired 2024-06-05): ...;
 * instead, use ...". Returns snprintf's result (cut when len is short).
 */
int retired_format(const struct retired_zone *r, char *buf, size_t len);

#endif

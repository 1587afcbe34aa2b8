/* SPDX-License-Identifier: ISC */
/*
 * Internal to the bounce decoder (explain.c decides, explain_table.c holds
 * the tables it reads). Not part of any other module's view.
 */
#ifndef RBLMON_EXPLAIN_INT_H
#define RBLMON_EXPLAIN_INT_H

#include <stddef.h>

#define EXPLAIN_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A well-known zone: type 'i' lists addresses, 'd' lists domains. */
struct explain_known_zone {
	const char *zone;
	char type;
};

/* A DNSBL provider by a word of its name; zone "" unless it runs one. */
struct explain_vendor {
	const char *word;
	const char *list;
	const char *zone;
};

/* A reputation marker, and its owner when the marker names one. */
struct explain_marker {
	const char *phrase;
	const char *list;
};

/* Who runs a reputation system, by a word of its name or domain. */
struct explain_owner {
	const char *word;
	const char *list;
};

/* Another kind of rejection, and what to tell the reader. */
struct explain_reason {
	const char *phrase;
	const char *what;
};

extern const struct explain_known_zone explain_known_zones[];
extern const size_t explain_nknown_zones;
extern const struct explain_vendor explain_vendors[];
extern const size_t explain_nvendors;
extern const char *const explain_resolver_phrases[];
extern const size_t explain_nresolver_phrases;
extern const struct explain_marker explain_reputation_phrases[];
extern const size_t explain_nreputation_phrases;
extern const struct explain_owner explain_reputation_owners[];
extern const size_t explain_nreputation_owners;
extern const char *const explain_listing_phrases[];
extern const size_t explain_nlisting_phrases;
extern const struct explain_reason explain_other_reasons[];
extern const size_t explain_nother_reasons;
extern const char *const explain_dnsbl_labels[];
extern const size_t explain_ndnsbl_labels;
extern const char *const explain_dnsbl_parts[];
extern const size_t explain_ndnsbl_parts;

#endif

/* SPDX-License-Identifier: ISC */
/*
 * The bounce decoder: from a rejection as a mail server wrote it (SMTP
 * reply lines, a pasted DSN or NDR), whether it reports a DNSBL listing,
 * the receiver's own resolver being refused by the list, the receiver's
 * own reputation system, or something else; and the address and zone it
 * names. Pure: no I/O, no clock.
 */
#ifndef RBLMON_EXPLAIN_H
#define RBLMON_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target.h"

struct config;

/* Longest text explain_text reads, in bytes. */
#define EXPLAIN_TEXT_MAX 16384

/* DESIGN §3 "explain": the kinds, in the order explain_kind_name names. */
enum explain_kind {
	EXPLAIN_LISTED,		   /* a DNSBL listing of the sender */
	EXPLAIN_RECEIVER_RESOLVER, /* the list refused the receiver's resolver */
	EXPLAIN_REPUTATION,	   /* the receiver's own system, no public list */
	EXPLAIN_NOT_BLACKLIST,	   /* another kind of rejection */
};

struct explain_result {
	uint8_t kind;	  /* enum explain_kind */
	bool have_target; /* target is set */
	/*
	 * The address the text is about (the client the listing names, not
	 * the reporting server), or the listed domain of a domain list
	 * (URIBL, SURBL, DBL). Owned: explain_clear.
	 */
	struct target target;
	char zone[256]; /* the DNS zone, lower case, or "" */
	/*
	 * The provider when the text names only a vendor ("Spamhaus",
	 * "Barracuda"), or the reputation system's owner ("Microsoft",
	 * "Google", "Yahoo", "Cloudmark"); "" when a zone is named. A vendor
	 * that runs a single zone (Barracuda, SpamCop, PSBL) also fills zone.
	 */
	char list[64];
	char explanation[512]; /* a sentence or two for a person */
};

/*
 * Decode text (len bytes, need not be NUL-terminated; NUL bytes inside
 * read as blanks). c may be NULL; its zones are recognised wherever the
 * text names them. Writes *ret only on success (release with
 * explain_clear). Returns 0, -EINVAL when the text is empty, blank or
 * longer than EXPLAIN_TEXT_MAX, or -ENOMEM.
 */
int explain_text(const char *text, size_t len, const struct config *c,
    struct explain_result *ret);

/* Free what r owns and leave it empty. Accepts NULL. */
void explain_clear(struct explain_result *r);

/*
 * "listed", "receiver-resolver", "reputation", "not-blacklist"; "unknown"
 * for a value outside the enum.
 */
const char *explain_kind_name(enum explain_kind k);

#endif

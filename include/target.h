/* SPDX-License-Identifier: ISC */
/*
 * Targets: what is checked. Parsing IPv4/IPv6 addresses, networks and
 * domain names, canonical formatting, ordering, and building the DNSBL
 * query names of RFC 5782 §2.1 (IPv4), §2.4 (IPv6) and §2.3 (domains).
 * Pure: no I/O, no globals.
 */
#ifndef RBLMON_TARGET_H
#define RBLMON_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest query name we build, without the NUL (RFC 1035 §2.3.4). */
#define TARGET_QNAME_MAX 253
/* Buffer size that holds any formatted target. */
#define TARGET_TEXT_MAX 256

/* The order of the kinds is the order targets sort in. */
enum target_kind { TARGET_IPV4, TARGET_IPV6, TARGET_DOMAIN };

struct target {
	uint8_t kind;	/* enum target_kind */
	uint16_t group; /* index into the config's groups; 0 = unnamed */
	union {
		uint8_t addr[16]; /* network order; IPv4 uses addr[0..3] */
		char *domain;	  /* owned: lower case, no final dot */
	} u;
};

/* A network before expansion. */
struct target_net {
	uint8_t kind; /* TARGET_IPV4 or TARGET_IPV6 */
	uint8_t prefix;
	uint8_t addr[16]; /* network address, host bits zero */
};

/*
 * Parse an IPv4 or IPv6 address in any textual form inet_pton accepts.
 * Returns 0, or -EINVAL with a message in err.
 */
int target_parse_ip(const char *s, struct target *ret, char *err,
    size_t errlen);

/*
 * Parse a domain name: letters, digits, '-' and '_', labels of 1..63,
 * at most 253 characters; one final dot allowed; stored lower case.
 * Allocates ret->u.domain. Returns 0, -EINVAL (message in err) or -ENOMEM.
 */
int target_parse_domain(const char *s, struct target *ret, char *err,
    size_t errlen);

/*
 * Parse "ADDR/PREFIX" of either family. Host bits must be zero.
 * A network of more than max_addresses addresses is refused with -E2BIG
 * and a message saying how large it is. Returns 0, -EINVAL or -E2BIG.
 */
int target_parse_net(const char *s, uint64_t max_addresses,
    struct target_net *ret, char *err, size_t errlen);

/* Number of addresses in a parsed net (fits: parse capped it). */
uint64_t target_net_size(const struct target_net *net);

/* The i-th address of net (i < target_net_size), group 0. */
void target_net_nth(const struct target_net *net, uint64_t i,
    struct target *ret);

/*
 * Canonical text: dotted quad, inet_ntop's compressed lower-case IPv6, or
 * the domain. Returns 0 or -ENOSPC.
 */
int target_format(const struct target *t, char *buf, size_t len);

/*
 * Query name for t on zone (zone without final dot): "d.c.b.a.zone",
 * 32 reversed nibbles then zone, or "domain.zone". Returns the length, or
 * -ENAMETOOLONG when it would exceed TARGET_QNAME_MAX or len - 1.
 */
int target_qname(const struct target *t, const char *zone, char *buf,
    size_t len);

/* Total order: kind, then address bytes or domain text. Group ignored. */
int target_cmp(const struct target *a, const struct target *b);

/* Deep copy (domain duplicated). Returns 0 or -ENOMEM. */
int target_copy(const struct target *src, struct target *ret);

/* Free what t owns (the domain text). Accepts NULL. */
void target_clear(struct target *t);

#endif

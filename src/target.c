/* SPDX-License-Identifier: ISC */
/*
 * Targets: parsing addresses, networks and domain names, their canonical
 * text and order, and the DNSBL query names of RFC 5782 §2.1 (IPv4: the
 * octets reversed), §2.4 (IPv6: all 32 nibbles reversed) and §2.3
 * (domains: the name itself). Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "target.h"

int
target_parse_ip(const char *s, struct target *ret, char *err, size_t errlen)
{
	struct target t;

	memset(&t, 0, sizeof(t));
	if (inet_pton(AF_INET, s, t.u.addr) == 1) {
		t.kind = TARGET_IPV4;
	} else if (inet_pton(AF_INET6, s, t.u.addr) == 1) {
		t.kind = TARGET_IPV6;
	} else {
		snprintf(err, errlen, "invalid IP address \"%s\"", s);
		return -EINVAL;
	}
	*ret = t;
	return 0;
}

/*
 * ASCII only, whatever the locale: a name must mean the same to us as to
 * the DNS, and pure code must not depend on setlocale().
 */
static bool
target_is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static char
target_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Check a domain name; writes a reason to err. Final dot already gone. */
static int
target_check_domain(const char *s, size_t len, char *err, size_t errlen)
{
	size_t label = 0;

	if (len == 0) {
		snprintf(err, errlen, "invalid domain \"%s\": empty", s);
		return -EINVAL;
	}
	if (len > TARGET_QNAME_MAX) {
		snprintf(err, errlen, "invalid domain \"%.40s...\": longer "
		    "than %d characters", s, TARGET_QNAME_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : '.';

		if (c == '.') {
			if (label == 0) {
				snprintf(err, errlen, "invalid domain \"%s\": "
				    "empty label", s);
				return -EINVAL;
			}
			label = 0;
		} else if (target_is_name_char(c)) {
			if (++label > 63) {
				snprintf(err, errlen, "invalid domain \"%s\": "
				    "label longer than 63 characters", s);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "invalid domain \"%s\": "
			    "character '%c' not allowed", s,
			    c >= 0x20 && c <= 0x7e ? c : '?');
			return -EINVAL;
		}
	}
	return 0;
}

int
target_parse_domain(const char *s, struct target *ret, char *err,
    size_t errlen)
{
	size_t len = strlen(s);
	char *d;
	int rc;

	if (len > 1 && s[len - 1] == '.')
		len--;
	rc = target_check_domain(s, len, err, errlen);
	if (rc != 0)
		return rc;
	d = malloc(len + 1);
	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i++)
		d[i] = target_lower(s[i]);
	d[len] = '\0';
	memset(ret, 0, sizeof(*ret));
	ret->kind = TARGET_DOMAIN;
	ret->u.domain = d;
	return 0;
}

/* Are the bits of addr after the first prefix bits all zero? */
static bool
target_host_bits_zero(const uint8_t *addr, unsigned bytes, unsigned prefix)
{
	for (unsigned bit = prefix; bit < bytes * 8; bit++)
		if (addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static void
target_mask(uint8_t *addr, unsigned bytes, unsigned prefix)
{
	for (unsigned bit = prefix; bit < bytes * 8; bit++)
		addr[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
}

int
target_parse_net(const char *s, uint64_t max_addresses,
    struct target_net *ret, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct target_net net;
	struct target t;
	unsigned long prefix;
	unsigned bytes, host_bits;

	memset(&net, 0, sizeof(net));
	if (strlen(s) >= sizeof(buf) || (slash = strchr(s, '/')) == NULL)
		goto bad;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	/* strtoul alone would take " 24", "+24" and "-1". */
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0)
		goto bad;
	if (target_parse_ip(buf, &t, err, errlen) != 0) {
		snprintf(err, errlen, "invalid network \"%s\": invalid IP "
		    "address \"%s\"", s, buf);
		return -EINVAL;
	}
	bytes = t.kind == TARGET_IPV4 ? 4 : 16;
	if (prefix > bytes * 8)
		goto bad;
	if (!target_host_bits_zero(t.u.addr, bytes, (unsigned)prefix)) {
		char fixed[INET6_ADDRSTRLEN];

		target_mask(t.u.addr, bytes, (unsigned)prefix);
		inet_ntop(bytes == 4 ? AF_INET : AF_INET6, t.u.addr, fixed,
		    sizeof(fixed));
		snprintf(err, errlen, "network \"%s\" has host bits set (did "
		    "you mean %s/%lu?)", s, fixed, prefix);
		return -EINVAL;
	}
	/* 2^64 and more does not fit a uint64_t, and is refused anyway. */
	host_bits = bytes * 8 - (unsigned)prefix;
	if (host_bits >= 64) {
		snprintf(err, errlen, "network \"%s\" has 2^%u addresses, more "
		    "than max_net_addresses (%llu)", s, host_bits,
		    (unsigned long long)max_addresses);
		return -E2BIG;
	}
	if ((UINT64_C(1) << host_bits) > max_addresses) {
		snprintf(err, errlen, "network \"%s\" has %llu addresses, more "
		    "than max_net_addresses (%llu)", s,
		    (unsigned long long)(UINT64_C(1) << host_bits),
		    (unsigned long long)max_addresses);
		return -E2BIG;
	}
	net.kind = t.kind;
	net.prefix = (uint8_t)prefix;
	memcpy(net.addr, t.u.addr, sizeof(net.addr));
	*ret = net;
	return 0;

bad:
	snprintf(err, errlen, "invalid network \"%s\" (expected "
	    "ADDRESS/PREFIX, e.g. 192.0.2.0/24 or 2001:db8::/120)", s);
	return -EINVAL;
}

uint64_t
target_net_size(const struct target_net *net)
{
	unsigned bits = (net->kind == TARGET_IPV4 ? 32u : 128u) - net->prefix;

	return bits >= 64 ? UINT64_MAX : UINT64_C(1) << bits;
}

void
target_net_nth(const struct target_net *net, uint64_t i, struct target *ret)
{
	unsigned bytes = net->kind == TARGET_IPV4 ? 4 : 16;
	unsigned carry = 0;

	memset(ret, 0, sizeof(*ret));
	ret->kind = net->kind;
	memcpy(ret->u.addr, net->addr, bytes);
	/* Big-endian addition of i to the network address. */
	for (unsigned b = bytes; b-- > 0 && (i != 0 || carry != 0);) {
		unsigned sum = ret->u.addr[b] + (unsigned)(i & 0xff) + carry;

		ret->u.addr[b] = (uint8_t)sum;
		carry = sum >> 8;
		i >>= 8;
	}
}

int
target_format(const struct target *t, char *buf, size_t len)
{
	switch (t->kind) {
	case TARGET_IPV4:
		return inet_ntop(AF_INET, t->u.addr, buf, (socklen_t)len) ?
		    0 : -ENOSPC;
	case TARGET_IPV6:
		return inet_ntop(AF_INET6, t->u.addr, buf, (socklen_t)len) ?
		    0 : -ENOSPC;
	default:
		if (strlen(t->u.domain) >= len)
			return -ENOSPC;
		strcpy(buf, t->u.domain);
		return 0;
	}
}

/* Characters of the decimal octet v. */
static size_t
target_octet_len(unsigned v)
{
	return v >= 100 ? 3 : v >= 10 ? 2 : 1;
}

/* Write the decimal octet v at p; returns the bytes written. */
static size_t
target_put_octet(char *p, unsigned v)
{
	size_t n = 0;

	if (v >= 100)
		p[n++] = (char)('0' + v / 100);
	if (v >= 10)
		p[n++] = (char)('0' + v / 10 % 10);
	p[n++] = (char)('0' + v % 10);
	return n;
}

/*
 * Runs once per (target, zone) pair of every sweep, so the length is
 * worked out first and the name then written straight into buf: no
 * allocation, no formatted output.
 */
int
target_qname(const struct target *t, const char *zone, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, head, zlen = strlen(zone), max;

	switch (t->kind) {
	case TARGET_IPV4:
		head = 4;
		for (int i = 0; i < 4; i++)
			head += target_octet_len(t->u.addr[i]);
		break;
	case TARGET_IPV6:
		head = 64;
		break;
	default:
		head = strlen(t->u.domain) + 1;
		break;
	}
	max = len > 0 ? len - 1 : 0;
	if (max > TARGET_QNAME_MAX)
		max = TARGET_QNAME_MAX;
	if (head > max || zlen > max - head)
		return -ENAMETOOLONG;
	switch (t->kind) {
	case TARGET_IPV4: /* RFC 5782 §2.1: octets in reverse order */
		for (int i = 3; i >= 0; i--) {
			n += target_put_octet(buf + n, t->u.addr[i]);
			buf[n++] = '.';
		}
		break;
	case TARGET_IPV6: /* RFC 5782 §2.4: all 32 nibbles, reversed */
		for (int i = 15; i >= 0; i--) {
			buf[n++] = hex[t->u.addr[i] & 0xf];
			buf[n++] = '.';
			buf[n++] = hex[t->u.addr[i] >> 4];
			buf[n++] = '.';
		}
		break;
	default: /* RFC 5782 §2.3: the name itself */
		memcpy(buf, t->u.domain, head - 1);
		n = head - 1;
		buf[n++] = '.';
		break;
	}
	memcpy(buf + n, zone, zlen + 1);
	return (int)(n + zlen);
}

int
target_cmp(const struct target *a, const struct target *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (a->kind) {
	case TARGET_IPV4:
		return memcmp(a->u.addr, b->u.addr, 4);
	case TARGET_IPV6:
		return memcmp(a->u.addr, b->u.addr, 16);
	default:
		return strcmp(a->u.domain, b->u.domain);
	}
}

int
target_copy(const struct target *src, struct target *ret)
{
	struct target t = *src;

	if (src->kind == TARGET_DOMAIN &&
	    (t.u.domain = strdup(src->u.domain)) == NULL)
		return -ENOMEM;
	*ret = t;
	return 0;
}

void
target_clear(struct target *t)
{
	if (t == NULL)
		return;
	if (t->kind == TARGET_DOMAIN)
		free(t->u.domain);
	t->u.domain = NULL;
	memset(t->u.addr, 0, sizeof(t->u.addr));
}

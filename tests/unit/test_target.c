/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for target.c: address, domain and network parsing with their
 * exact error texts, network expansion, canonical text, ordering, copying,
 * and the DNSBL query names of RFC 5782 §2.1, §2.3 and §2.4.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

/* Room for the longest names built below plus a canary area. */
#define BIG 1100

/* Parse s as an address, or failing that as a domain; 0 or -errno. */
static int
parse_any(const char *s, struct target *t)
{
	char err[256];

	if (target_parse_ip(s, t, err, sizeof(err)) == 0)
		return 0;
	return target_parse_domain(s, t, err, sizeof(err));
}

/*
 * A name of n characters made of 63-character labels, so that long zones
 * and domains stay valid names; never ends in a dot.
 */
static void
fill_name(char *buf, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = i % 64 == 63 ? '.' : c;
	if (n > 0 && buf[n - 1] == '.')
		buf[n - 1] = c;
	buf[n] = '\0';
}

/* Query names: RFC 5782 §2.1 (IPv4), §2.4 (IPv6), §2.3 (domains). */
static const struct qname_row {
	const char *name;
	const char *target;
	const char *zone;
	const char *want;
} qname_rows[] = {
	{ "ipv4 test point", "127.0.0.2", "zen.example",
	    "2.0.0.127.zen.example" },
	{ "ipv4 all zero", "0.0.0.0", "bl.example", "0.0.0.0.bl.example" },
	{ "ipv4 all ones", "255.255.255.255", "bl.example",
	    "255.255.255.255.bl.example" },
	{ "ipv4 mixed widths", "192.0.2.10", "bl.example",
	    "10.2.0.192.bl.example" },
	{ "ipv4 single label zone", "10.20.30.40", "bl",
	    "40.30.20.10.bl" },
	{ "ipv6 unspecified", "::", "bl.example",
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "bl.example" },
	{ "ipv6 loopback", "::1", "bl.example",
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "bl.example" },
	{ "ipv6 v4-mapped is ipv6", "::ffff:127.0.0.2", "bl.example",
	    "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "bl.example" },
	{ "ipv6 rfc5782 2.4 example", "2001:db8:1:2:3:4:567:89ab",
	    "ugly.example.com",
	    "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2."
	    "ugly.example.com" },
	{ "ipv6 full form", "2001:0db8:0001:0002:0003:0004:0567:89ab",
	    "ugly.example.com",
	    "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2."
	    "ugly.example.com" },
	{ "ipv6 upper case", "2001:DB8:1:2:3:4:567:89AB", "ugly.example.com",
	    "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2."
	    "ugly.example.com" },
	{ "ipv6 all ones", "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF",
	    "bl.example",
	    "f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f."
	    "bl.example" },
	{ "domain", "spam.example.net", "dbl.example",
	    "spam.example.net.dbl.example" },
	{ "domain upper case lowered", "Spam.EXAMPLE.net.", "dbl.example",
	    "spam.example.net.dbl.example" },
	{ "domain single label", "localhost", "dbl.example",
	    "localhost.dbl.example" },
};

START_TEST(test_qname)
{
	const struct qname_row *r = &qname_rows[_i];
	struct target t;
	char buf[BIG];
	int rc;

	ck_assert_msg(parse_any(r->target, &t) == 0, "%s: parse \"%s\"",
	    r->name, r->target);
	rc = target_qname(&t, r->zone, buf, sizeof(buf));
	ck_assert_msg(rc == (int)strlen(r->want), "%s: rc %d, want %d",
	    r->name, rc, (int)strlen(r->want));
	ck_assert_msg(strcmp(buf, r->want) == 0, "%s: got \"%s\", want \"%s\"",
	    r->name, buf, r->want);
	target_clear(&t);
}
END_TEST

/*
 * Length limits: TARGET_QNAME_MAX (RFC 1035 §2.3.4) and the caller's
 * buffer. zone_len is the length of a generated zone; buflen 0 means a
 * zero-length buffer.
 */
static const struct qname_len_row {
	const char *name;
	const char *target; /* NULL: a generated domain of dom_len */
	size_t dom_len;
	size_t zone_len;
	size_t buflen;
	int rc;
} qname_len_rows[] = {
	{ "ipv4 exactly 253", "255.255.255.255", 0, 237, BIG - 100, 253 },
	{ "ipv4 254 too long", "255.255.255.255", 0, 238, BIG - 100,
	    -ENAMETOOLONG },
	{ "ipv4 short octets 253", "0.0.0.0", 0, 245, BIG - 100, 253 },
	{ "ipv4 short octets 254", "0.0.0.0", 0, 246, BIG - 100,
	    -ENAMETOOLONG },
	{ "ipv4 mixed octets 253", "1.22.255.0", 0, 242, BIG - 100, 253 },
	{ "ipv4 mixed octets 254", "1.22.255.0", 0, 243, BIG - 100,
	    -ENAMETOOLONG },
	{ "ipv6 exactly 253", "::1", 0, 189, BIG - 100, 253 },
	{ "ipv6 254 too long", "::1", 0, 190, BIG - 100, -ENAMETOOLONG },
	{ "domain exactly 253", NULL, 100, 152, BIG - 100, 253 },
	{ "domain 254 too long", NULL, 100, 153, BIG - 100, -ENAMETOOLONG },
	{ "domain of 252 plus zone", NULL, 252, 1, BIG - 100, -ENAMETOOLONG },
	{ "domain of 253 plus zone", NULL, 253, 1, BIG - 100, -ENAMETOOLONG },
	{ "buffer exactly fits", "127.0.0.2", 0, 11, 22, 21 },
	{ "buffer one short", "127.0.0.2", 0, 11, 21, -ENAMETOOLONG },
	{ "buffer of one byte", "127.0.0.2", 0, 11, 1, -ENAMETOOLONG },
	{ "buffer of zero bytes", "127.0.0.2", 0, 11, 0, -ENAMETOOLONG },
	{ "ipv6 buffer exactly fits", "::1", 0, 10, 75, 74 },
	{ "ipv6 buffer one short", "::1", 0, 10, 74, -ENAMETOOLONG },
	{ "domain buffer exactly fits", NULL, 11, 10, 23, 22 },
	{ "domain buffer one short", NULL, 11, 10, 22, -ENAMETOOLONG },
	{ "253 in a 254 buffer", "255.255.255.255", 0, 237, 254, 253 },
	{ "253 in a 253 buffer", "255.255.255.255", 0, 237, 253,
	    -ENAMETOOLONG },
};

START_TEST(test_qname_len)
{
	const struct qname_len_row *r = &qname_len_rows[_i];
	char zone[BIG], dom[BIG], buf[BIG], err[256];
	struct target t;
	int rc;

	fill_name(zone, r->zone_len, 'z');
	if (r->target != NULL) {
		ck_assert_msg(parse_any(r->target, &t) == 0, "%s: parse",
		    r->name);
	} else {
		fill_name(dom, r->dom_len, 'd');
		ck_assert_msg(target_parse_domain(dom, &t, err,
		    sizeof(err)) == 0, "%s: parse domain: %s", r->name, err);
	}
	memset(buf, 'X', sizeof(buf));
	rc = target_qname(&t, zone, buf, r->buflen);
	ck_assert_msg(rc == r->rc, "%s: rc %d, want %d", r->name, rc, r->rc);
	if (rc >= 0) {
		ck_assert_msg(strlen(buf) == (size_t)rc, "%s: strlen %zu",
		    r->name, strlen(buf));
		ck_assert_msg(strcmp(buf + rc - r->zone_len, zone) == 0,
		    "%s: does not end in the zone", r->name);
	}
	/* Nothing may be written past the caller's buffer. */
	for (size_t i = r->buflen; i < sizeof(buf); i++)
		ck_assert_msg(buf[i] == 'X', "%s: byte %zu written past len",
		    r->name, i);
	target_clear(&t);
}
END_TEST

/* Domains: want is the stored name on success, else the exact error. */
static const struct domain_row {
	const char *name;
	const char *in;
	int rc;
	const char *want;
} domain_rows[] = {
	{ "plain", "example.com", 0, "example.com" },
	{ "upper case lowered", "ExAmPlE.COM", 0, "example.com" },
	{ "final dot stripped", "example.com.", 0, "example.com" },
	{ "single label", "localhost", 0, "localhost" },
	{ "single label final dot", "a.", 0, "a" },
	{ "hyphen underscore digits", "_dmarc.x-1.example9", 0,
	    "_dmarc.x-1.example9" },
	{ "empty", "", -EINVAL, "invalid domain \"\": empty" },
	{ "root dot only", ".", -EINVAL, "invalid domain \".\": empty label" },
	{ "leading dot", ".example.com", -EINVAL,
	    "invalid domain \".example.com\": empty label" },
	{ "double dot", "example..com", -EINVAL,
	    "invalid domain \"example..com\": empty label" },
	{ "two final dots", "example.com..", -EINVAL,
	    "invalid domain \"example.com..\": empty label" },
	{ "space", "exa mple.com", -EINVAL,
	    "invalid domain \"exa mple.com\": character ' ' not allowed" },
	{ "slash", "example.com/24", -EINVAL,
	    "invalid domain \"example.com/24\": character '/' not allowed" },
	{ "colon", "::1x", -EINVAL,
	    "invalid domain \"::1x\": character ':' not allowed" },
	{ "high byte", "caf\xc3\xa9.example", -EINVAL,
	    "invalid domain \"caf\xc3\xa9.example\": character '?' not "
	    "allowed" },
	{ "control byte", "a\tb.example", -EINVAL,
	    "invalid domain \"a\tb.example\": character '?' not allowed" },
};

START_TEST(test_domain)
{
	const struct domain_row *r = &domain_rows[_i];
	struct target t;
	char err[256] = "";
	int rc;

	memset(&t, 0xa5, sizeof(t));
	rc = target_parse_domain(r->in, &t, err, sizeof(err));
	ck_assert_msg(rc == r->rc, "%s: rc %d, want %d (%s)", r->name, rc,
	    r->rc, err);
	if (rc == 0) {
		ck_assert_msg(t.kind == TARGET_DOMAIN, "%s: kind %u", r->name,
		    t.kind);
		ck_assert_msg(t.group == 0, "%s: group %u", r->name, t.group);
		ck_assert_msg(strcmp(t.u.domain, r->want) == 0,
		    "%s: got \"%s\", want \"%s\"", r->name, t.u.domain,
		    r->want);
		target_clear(&t);
	} else {
		ck_assert_msg(strcmp(err, r->want) == 0,
		    "%s: error \"%s\", want \"%s\"", r->name, err, r->want);
		ck_assert_msg(t.kind == 0xa5, "%s: ret written on failure",
		    r->name);
	}
}
END_TEST

/* Limits of 63 per label and 253 per name, built at run time. */
static const struct domain_len_row {
	const char *name;
	size_t label; /* length of the first label */
	size_t total; /* length of the whole name, without the final dot */
	int final_dot;
	int rc;
	const char *err_tail; /* after "invalid domain \"...\": " */
} domain_len_rows[] = {
	{ "label of 63", 63, 63 + 12, 0, 0, NULL },
	{ "label of 64", 64, 64 + 12, 0, -EINVAL,
	    "label longer than 63 characters" },
	{ "name of 253", 63, 253, 0, 0, NULL },
	{ "name of 253 with final dot", 63, 253, 1, 0, NULL },
	{ "name of 254", 63, 254, 0, -EINVAL,
	    "longer than 253 characters" },
	{ "name of 254 with final dot", 63, 254, 1, -EINVAL,
	    "longer than 253 characters" },
};

START_TEST(test_domain_len)
{
	const struct domain_len_row *r = &domain_len_rows[_i];
	char in[BIG], want_err[2 * BIG], err[BIG];
	struct target t;
	size_t n = 0;
	int rc;

	/* First label as given, then labels of 63, never an empty one. */
	memset(in, 'a', r->label);
	n = r->label;
	while (n < r->total) {
		in[n++] = '.';
		for (size_t k = 0; k < 63 && n < r->total; k++)
			in[n++] = 'b';
	}
	ck_assert_msg(in[n - 1] != '.', "%s: bad generated name", r->name);
	if (r->final_dot)
		in[n++] = '.';
	in[n] = '\0';
	rc = target_parse_domain(in, &t, err, sizeof(err));
	ck_assert_msg(rc == r->rc, "%s: rc %d, want %d (%s)", r->name, rc,
	    r->rc, rc == 0 ? "" : err);
	if (rc == 0) {
		ck_assert_msg(strlen(t.u.domain) == r->total,
		    "%s: stored length %zu", r->name, strlen(t.u.domain));
		target_clear(&t);
		return;
	}
	/* The too-long message quotes only the first 40 characters. */
	if (r->total > TARGET_QNAME_MAX)
		snprintf(want_err, sizeof(want_err),
		    "invalid domain \"%.40s...\": %s", in, r->err_tail);
	else
		snprintf(want_err, sizeof(want_err),
		    "invalid domain \"%s\": %s", in, r->err_tail);
	ck_assert_msg(strcmp(err, want_err) == 0, "%s: error \"%s\", want "
	    "\"%s\"", r->name, err, want_err);
}
END_TEST

/* Addresses: want is the canonical text on success, else the error. */
static const struct ip_row {
	const char *name;
	const char *in;
	int rc;
	int kind;
	const char *want;
} ip_rows[] = {
	{ "ipv4", "192.0.2.1", 0, TARGET_IPV4, "192.0.2.1" },
	{ "ipv4 zero", "0.0.0.0", 0, TARGET_IPV4, "0.0.0.0" },
	{ "ipv4 broadcast", "255.255.255.255", 0, TARGET_IPV4,
	    "255.255.255.255" },
	{ "ipv6 unspecified", "::", 0, TARGET_IPV6, "::" },
	{ "ipv6 loopback", "::1", 0, TARGET_IPV6, "::1" },
	{ "ipv6 full form compressed",
	    "2001:0db8:0000:0000:0000:0000:0000:0001", 0, TARGET_IPV6,
	    "2001:db8::1" },
	{ "ipv6 upper case lowered", "2001:DB8::ABCD", 0, TARGET_IPV6,
	    "2001:db8::abcd" },
	{ "ipv6 all zero long form", "0:0:0:0:0:0:0:0", 0, TARGET_IPV6,
	    "::" },
	{ "ipv6 v4-mapped", "::ffff:127.0.0.2", 0, TARGET_IPV6,
	    "::ffff:127.0.0.2" },
	{ "ipv6 longest zero run", "2001:db8:0:0:1:0:0:1", 0, TARGET_IPV6,
	    "2001:db8::1:0:0:1" },
	{ "empty", "", -EINVAL, 0, "invalid IP address \"\"" },
	{ "three octets", "1.2.3", -EINVAL, 0,
	    "invalid IP address \"1.2.3\"" },
	{ "octet 256", "1.2.3.256", -EINVAL, 0,
	    "invalid IP address \"1.2.3.256\"" },
	{ "trailing space", "1.2.3.4 ", -EINVAL, 0,
	    "invalid IP address \"1.2.3.4 \"" },
	{ "leading space", " 1.2.3.4", -EINVAL, 0,
	    "invalid IP address \" 1.2.3.4\"" },
	{ "ipv6 trailing space", "::1 ", -EINVAL, 0,
	    "invalid IP address \"::1 \"" },
	{ "with prefix", "10.0.0.0/8", -EINVAL, 0,
	    "invalid IP address \"10.0.0.0/8\"" },
	{ "two double colons", "1::2::3", -EINVAL, 0,
	    "invalid IP address \"1::2::3\"" },
	{ "domain", "example.com", -EINVAL, 0,
	    "invalid IP address \"example.com\"" },
};

START_TEST(test_ip)
{
	const struct ip_row *r = &ip_rows[_i];
	struct target t, again;
	char err[256] = "", text[TARGET_TEXT_MAX];
	int rc;

	memset(&t, 0xa5, sizeof(t));
	rc = target_parse_ip(r->in, &t, err, sizeof(err));
	ck_assert_msg(rc == r->rc, "%s: rc %d, want %d (%s)", r->name, rc,
	    r->rc, err);
	if (rc != 0) {
		ck_assert_msg(strcmp(err, r->want) == 0,
		    "%s: error \"%s\", want \"%s\"", r->name, err, r->want);
		ck_assert_msg(t.kind == 0xa5, "%s: ret written on failure",
		    r->name);
		return;
	}
	ck_assert_msg(t.kind == r->kind, "%s: kind %u", r->name, t.kind);
	ck_assert_msg(t.group == 0, "%s: group %u", r->name, t.group);
	if (t.kind == TARGET_IPV4)
		for (size_t i = 4; i < sizeof(t.u.addr); i++)
			ck_assert_msg(t.u.addr[i] == 0, "%s: addr[%zu] set",
			    r->name, i);
	ck_assert_msg(target_format(&t, text, sizeof(text)) == 0,
	    "%s: format", r->name);
	ck_assert_msg(strcmp(text, r->want) == 0, "%s: got \"%s\", want "
	    "\"%s\"", r->name, text, r->want);
	/* The canonical text parses back to the same target. */
	ck_assert_msg(target_parse_ip(text, &again, err, sizeof(err)) == 0,
	    "%s: reparse \"%s\"", r->name, text);
	ck_assert_msg(target_cmp(&t, &again) == 0, "%s: round trip differs",
	    r->name);
}
END_TEST

/* target_format into short buffers: len is the buffer size. */
static const struct format_row {
	const char *name;
	const char *in;
	size_t len;
	int rc;
} format_rows[] = {
	{ "ipv4 exact", "255.255.255.255", 16, 0 },
	{ "ipv4 one short", "255.255.255.255", 15, -ENOSPC },
	{ "ipv6 exact", "2001:db8::1", 12, 0 },
	{ "ipv6 one short", "2001:db8::1", 11, -ENOSPC },
	{ "ipv6 longest in text max", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0",
	    TARGET_TEXT_MAX, 0 },
	{ "domain exact", "example.com", 12, 0 },
	{ "domain one short", "example.com", 11, -ENOSPC },
};

START_TEST(test_format)
{
	const struct format_row *r = &format_rows[_i];
	struct target t;
	char buf[BIG];
	int rc;

	ck_assert_msg(parse_any(r->in, &t) == 0, "%s: parse", r->name);
	memset(buf, 'X', sizeof(buf));
	rc = target_format(&t, buf, r->len);
	ck_assert_msg(rc == r->rc, "%s: rc %d, want %d", r->name, rc, r->rc);
	if (rc == 0)
		ck_assert_msg(strcmp(buf, r->in) == 0, "%s: got \"%s\"",
		    r->name, buf);
	for (size_t i = r->len; i < sizeof(buf); i++)
		ck_assert_msg(buf[i] == 'X', "%s: byte %zu written past len",
		    r->name, i);
	target_clear(&t);
}
END_TEST

/*
 * Networks: on success first and last are the first and last addresses;
 * on failure want is the exact error text.
 */
static const struct net_row {
	const char *name;
	const char *in;
	uint64_t max;
	int rc;
	int kind;
	unsigned prefix;
	uint64_t size;
	const char *first;
	const char *want; /* last address, or the error */
} net_rows[] = {
	{ "ipv4 /32", "192.0.2.7/32", 65536, 0, TARGET_IPV4, 32, 1,
	    "192.0.2.7", "192.0.2.7" },
	{ "ipv4 /24", "192.0.2.0/24", 65536, 0, TARGET_IPV4, 24, 256,
	    "192.0.2.0", "192.0.2.255" },
	{ "ipv4 /16 at the cap", "10.0.0.0/16", 65536, 0, TARGET_IPV4, 16,
	    65536, "10.0.0.0", "10.0.255.255" },
	{ "ipv4 /31", "198.51.100.254/31", 2, 0, TARGET_IPV4, 31, 2,
	    "198.51.100.254", "198.51.100.255" },
	{ "ipv4 top of space", "255.255.255.0/24", 256, 0, TARGET_IPV4, 24,
	    256, "255.255.255.0", "255.255.255.255" },
	{ "ipv6 /128", "2001:db8::1/128", 65536, 0, TARGET_IPV6, 128, 1,
	    "2001:db8::1", "2001:db8::1" },
	{ "ipv6 /120", "2001:db8::/120", 65536, 0, TARGET_IPV6, 120, 256,
	    "2001:db8::", "2001:db8::ff" },
	{ "ipv6 /112 at the cap", "2001:db8::/112", 65536, 0, TARGET_IPV6,
	    112, 65536, "2001:db8::", "2001:db8::ffff" },
	{ "ipv6 upper case", "2001:DB8::100/120", 65536, 0, TARGET_IPV6, 120,
	    256, "2001:db8::100", "2001:db8::1ff" },
	{ "ipv4 host bits set", "10.0.0.1/24", 65536, -EINVAL, 0, 0, 0, NULL,
	    "network \"10.0.0.1/24\" has host bits set (did you mean "
	    "10.0.0.0/24?)" },
	{ "ipv4 host bits set /16", "192.168.77.9/16", 65536, -EINVAL, 0, 0,
	    0, NULL,
	    "network \"192.168.77.9/16\" has host bits set (did you mean "
	    "192.168.0.0/16?)" },
	{ "ipv6 host bits set", "2001:db8::1/120", 65536, -EINVAL, 0, 0, 0,
	    NULL,
	    "network \"2001:db8::1/120\" has host bits set (did you mean "
	    "2001:db8::/120?)" },
	{ "ipv4 /8 over the cap", "10.0.0.0/8", 65536, -E2BIG, 0, 0, 0, NULL,
	    "network \"10.0.0.0/8\" has 16777216 addresses, more than "
	    "max_net_addresses (65536)" },
	{ "ipv4 /16 one over the cap", "10.0.0.0/16", 65535, -E2BIG, 0, 0, 0,
	    NULL,
	    "network \"10.0.0.0/16\" has 65536 addresses, more than "
	    "max_net_addresses (65535)" },
	{ "ipv4 /0", "0.0.0.0/0", 65536, -E2BIG, 0, 0, 0, NULL,
	    "network \"0.0.0.0/0\" has 4294967296 addresses, more than "
	    "max_net_addresses (65536)" },
	{ "ipv6 /64 refused", "2001:db8::/64", 65536, -E2BIG, 0, 0, 0, NULL,
	    "network \"2001:db8::/64\" has 2^64 addresses, more than "
	    "max_net_addresses (65536)" },
	{ "ipv6 /64 refused at any cap", "2001:db8::/64", UINT64_MAX, -E2BIG,
	    0, 0, 0, NULL,
	    "network \"2001:db8::/64\" has 2^64 addresses, more than "
	    "max_net_addresses (18446744073709551615)" },
	{ "ipv6 /0", "::/0", 65536, -E2BIG, 0, 0, 0, NULL,
	    "network \"::/0\" has 2^128 addresses, more than "
	    "max_net_addresses (65536)" },
	{ "ipv6 /96 over the cap", "2001:db8::/96", 65536, -E2BIG, 0, 0, 0,
	    NULL,
	    "network \"2001:db8::/96\" has 4294967296 addresses, more than "
	    "max_net_addresses (65536)" },
	{ "no prefix", "10.0.0.0", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "empty prefix", "10.0.0.0/", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0/\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "ipv4 prefix 33", "10.0.0.0/33", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0/33\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "ipv4 prefix 128", "10.0.0.0/128", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0/128\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "ipv6 prefix 129", "::/129", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"::/129\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "signed prefix", "10.0.0.0/+24", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0/+24\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "negative prefix", "10.0.0.0/-1", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0/-1\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "space in prefix", "10.0.0.0/ 24", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0/ 24\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "junk after prefix", "10.0.0.0/24x", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0/24x\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "two slashes", "10.0.0.0/24/8", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0/24/8\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "bad address", "10.0.0/24", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0/24\": invalid IP address \"10.0.0\"" },
	{ "domain", "example.com/24", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"example.com/24\": invalid IP address "
	    "\"example.com\"" },
	{ "space before slash", "10.0.0.0 /24", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"10.0.0.0 /24\": invalid IP address "
	    "\"10.0.0.0 \"" },
	{ "empty", "", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
	{ "only slash", "/24", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"/24\": invalid IP address \"\"" },
	{ "huge prefix", "10.0.0.0/99999999999999999999999", 65536, -EINVAL,
	    0, 0, 0, NULL,
	    "invalid network \"10.0.0.0/99999999999999999999999\" (expected "
	    "ADDRESS/PREFIX, e.g. 192.0.2.0/24 or 2001:db8::/120)" },
	{ "overlong input", "0000:0000:0000:0000:0000:0000:0000:0000/"
	    "000000000000000128", 65536, -EINVAL, 0, 0, 0, NULL,
	    "invalid network \"0000:0000:0000:0000:0000:0000:0000:0000/"
	    "000000000000000128\" (expected ADDRESS/PREFIX, e.g. "
	    "192.0.2.0/24 or 2001:db8::/120)" },
};

START_TEST(test_net)
{
	const struct net_row *r = &net_rows[_i];
	struct target_net net;
	struct target t;
	char err[512] = "", text[TARGET_TEXT_MAX];
	int rc;

	memset(&net, 0xa5, sizeof(net));
	rc = target_parse_net(r->in, r->max, &net, err, sizeof(err));
	ck_assert_msg(rc == r->rc, "%s: rc %d, want %d (%s)", r->name, rc,
	    r->rc, err);
	if (rc != 0) {
		ck_assert_msg(strcmp(err, r->want) == 0,
		    "%s: error \"%s\", want \"%s\"", r->name, err, r->want);
		ck_assert_msg(net.kind == 0xa5 && net.prefix == 0xa5,
		    "%s: ret written on failure", r->name);
		return;
	}
	ck_assert_msg(net.kind == r->kind, "%s: kind %u", r->name, net.kind);
	ck_assert_msg(net.prefix == r->prefix, "%s: prefix %u", r->name,
	    net.prefix);
	ck_assert_msg(target_net_size(&net) == r->size, "%s: size %llu, want "
	    "%llu", r->name, (unsigned long long)target_net_size(&net),
	    (unsigned long long)r->size);
	target_net_nth(&net, 0, &t);
	ck_assert_msg(target_format(&t, text, sizeof(text)) == 0 &&
	    strcmp(text, r->first) == 0, "%s: first \"%s\", want \"%s\"",
	    r->name, text, r->first);
	target_net_nth(&net, r->size - 1, &t);
	ck_assert_msg(target_format(&t, text, sizeof(text)) == 0 &&
	    strcmp(text, r->want) == 0, "%s: last \"%s\", want \"%s\"",
	    r->name, text, r->want);
}
END_TEST

/* The i-th address, with carries from one byte into the next. */
static const struct nth_row {
	const char *name;
	const char *net;
	uint64_t i;
	const char *want;
} nth_rows[] = {
	{ "ipv4 first", "10.0.0.0/16", 0, "10.0.0.0" },
	{ "ipv4 last of low byte", "10.0.0.0/16", 255, "10.0.0.255" },
	{ "ipv4 carry to third byte", "10.0.0.0/16", 256, "10.0.1.0" },
	{ "ipv4 both bytes", "10.0.0.0/16", 0x1234, "10.0.18.52" },
	{ "ipv4 last", "10.0.0.0/16", 65535, "10.0.255.255" },
	{ "ipv4 carry into a set byte", "10.1.0.0/16", 256, "10.1.1.0" },
	{ "ipv4 /24 in upper half", "192.0.2.128/25", 127, "192.0.2.255" },
	{ "ipv4 /0 large index", "0.0.0.0/0", 0x01020304, "1.2.3.4" },
	{ "ipv4 /0 last", "0.0.0.0/0", 0xffffffff, "255.255.255.255" },
	{ "ipv6 first", "2001:db8::/112", 0, "2001:db8::" },
	{ "ipv6 carry to next byte", "2001:db8::/112", 256, "2001:db8::100" },
	{ "ipv6 last", "2001:db8::/112", 65535, "2001:db8::ffff" },
	{ "ipv6 carry into next group", "2001:db8::/96", 0x10000,
	    "2001:db8::1:0" },
	{ "ipv6 four bytes", "2001:db8::/96", 0x01020304, "2001:db8::102:304" },
	{ "ipv6 eight bytes", "2001:db8::/65", UINT64_C(0x7fffffffffffffff),
	    "2001:db8::7fff:ffff:ffff:ffff" },
	{ "ipv6 /120 end", "2001:db8:0:0:ffff::ff00/120", 0xff,
	    "2001:db8::ffff:0:0:ffff" },
};

START_TEST(test_nth)
{
	const struct nth_row *r = &nth_rows[_i];
	struct target_net net;
	struct target t;
	char err[256], text[TARGET_TEXT_MAX];

	ck_assert_msg(target_parse_net(r->net, UINT64_MAX, &net, err,
	    sizeof(err)) == 0, "%s: parse: %s", r->name, err);
	ck_assert_msg(r->i < target_net_size(&net), "%s: bad row", r->name);
	memset(&t, 0xa5, sizeof(t));
	target_net_nth(&net, r->i, &t);
	ck_assert_msg(t.kind == net.kind, "%s: kind %u", r->name, t.kind);
	ck_assert_msg(t.group == 0, "%s: group %u", r->name, t.group);
	ck_assert_msg(target_format(&t, text, sizeof(text)) == 0,
	    "%s: format", r->name);
	ck_assert_msg(strcmp(text, r->want) == 0, "%s: got \"%s\", want "
	    "\"%s\"", r->name, text, r->want);
	if (t.kind == TARGET_IPV4)
		for (size_t i = 4; i < sizeof(t.u.addr); i++)
			ck_assert_msg(t.u.addr[i] == 0, "%s: addr[%zu] set",
			    r->name, i);
}
END_TEST

/* Order: IPv4 < IPv6 < domain, then bytes or text; group ignored. */
static const struct cmp_row {
	const char *name;
	const char *a;
	unsigned ga;
	const char *b;
	unsigned gb;
	int want; /* sign */
} cmp_rows[] = {
	{ "ipv4 equal", "192.0.2.1", 0, "192.0.2.1", 0, 0 },
	{ "ipv4 equal other group", "192.0.2.1", 1, "192.0.2.1", 7, 0 },
	{ "ipv4 numeric not textual", "9.0.0.0", 0, "10.0.0.0", 0, -1 },
	{ "ipv4 last byte", "10.0.0.2", 0, "10.0.0.1", 0, 1 },
	{ "ipv4 high byte unsigned", "128.0.0.0", 0, "127.255.255.255", 0, 1 },
	{ "ipv4 before ipv6", "255.255.255.255", 0, "::", 0, -1 },
	{ "ipv6 after ipv4", "::", 0, "0.0.0.0", 0, 1 },
	{ "ipv4 before mapped ipv6", "127.0.0.2", 0, "::ffff:127.0.0.2", 0,
	    -1 },
	{ "ipv6 equal forms", "2001:db8::1", 0,
	    "2001:0DB8:0:0:0:0:0:0001", 3, 0 },
	{ "ipv6 order", "2001:db8::1", 0, "2001:db8::2", 0, -1 },
	{ "ipv6 high byte unsigned", "8000::", 0, "7fff::", 0, 1 },
	{ "ipv6 before domain", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0,
	    "a.example", 0, -1 },
	{ "ipv4 before domain", "1.2.3.4", 0, "a", 0, -1 },
	{ "domain after ipv6", "a", 0, "::", 0, 1 },
	{ "domain equal case folded", "Example.COM.", 0, "example.com", 5,
	    0 },
	{ "domain order", "a.example", 0, "b.example", 0, -1 },
	{ "domain prefix first", "example.co", 0, "example.com", 0, -1 },
};

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

START_TEST(test_cmp)
{
	const struct cmp_row *r = &cmp_rows[_i];
	struct target a, b;

	ck_assert_msg(parse_any(r->a, &a) == 0, "%s: parse a", r->name);
	ck_assert_msg(parse_any(r->b, &b) == 0, "%s: parse b", r->name);
	a.group = (uint16_t)r->ga;
	b.group = (uint16_t)r->gb;
	ck_assert_msg(sign(target_cmp(&a, &b)) == r->want,
	    "%s: cmp(a, b) %d, want %d", r->name, target_cmp(&a, &b), r->want);
	ck_assert_msg(sign(target_cmp(&b, &a)) == -r->want,
	    "%s: cmp(b, a) %d, want %d", r->name, target_cmp(&b, &a),
	    -r->want);
	ck_assert_msg(target_cmp(&a, &a) == 0, "%s: cmp(a, a)", r->name);
	target_clear(&a);
	target_clear(&b);
}
END_TEST

/* Deep copies keep kind, group and value; clear frees and resets. */
static const struct copy_row {
	const char *name;
	const char *in;
	unsigned group;
} copy_rows[] = {
	{ "ipv4", "192.0.2.1", 0 },
	{ "ipv4 with group", "192.0.2.1", 4 },
	{ "ipv6", "2001:db8::1", 2 },
	{ "domain", "example.com", 0 },
	{ "domain with group", "spam.example", 65535 },
};

START_TEST(test_copy)
{
	const struct copy_row *r = &copy_rows[_i];
	struct target src, dst;
	char a[TARGET_TEXT_MAX], b[TARGET_TEXT_MAX];

	ck_assert_msg(parse_any(r->in, &src) == 0, "%s: parse", r->name);
	src.group = (uint16_t)r->group;
	ck_assert_msg(target_copy(&src, &dst) == 0, "%s: copy", r->name);
	ck_assert_msg(dst.kind == src.kind, "%s: kind", r->name);
	ck_assert_msg(dst.group == src.group, "%s: group %u, want %u",
	    r->name, dst.group, src.group);
	ck_assert_msg(target_cmp(&src, &dst) == 0, "%s: cmp", r->name);
	if (src.kind == TARGET_DOMAIN)
		ck_assert_msg(dst.u.domain != src.u.domain,
		    "%s: domain text shared, not copied", r->name);
	/* The copy must outlive the original. */
	ck_assert_msg(target_format(&src, a, sizeof(a)) == 0, "%s: format",
	    r->name);
	target_clear(&src);
	ck_assert_msg(src.kind != TARGET_DOMAIN || src.u.domain == NULL,
	    "%s: domain not reset by clear", r->name);
	ck_assert_msg(target_format(&dst, b, sizeof(b)) == 0 &&
	    strcmp(a, b) == 0, "%s: copy \"%s\", want \"%s\"", r->name, b, a);
	target_clear(&dst);
	target_clear(&dst); /* a cleared target may be cleared again */
	target_clear(NULL);
}
END_TEST

#define ADD_LOOP(tc, fn, rows)                                       \
	tcase_add_loop_test(tc, fn, 0,                               \
	    (int)(sizeof(rows) / sizeof(rows[0])))

static Suite *
target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *tc = tcase_create("core");

	ADD_LOOP(tc, test_qname, qname_rows);
	ADD_LOOP(tc, test_qname_len, qname_len_rows);
	ADD_LOOP(tc, test_domain, domain_rows);
	ADD_LOOP(tc, test_domain_len, domain_len_rows);
	ADD_LOOP(tc, test_ip, ip_rows);
	ADD_LOOP(tc, test_format, format_rows);
	ADD_LOOP(tc, test_net, net_rows);
	ADD_LOOP(tc, test_nth, nth_rows);
	ADD_LOOP(tc, test_cmp, cmp_rows);
	ADD_LOOP(tc, test_copy, copy_rows);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(target_suite());
}

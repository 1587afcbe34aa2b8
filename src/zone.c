/* SPDX-License-Identifier: ISC */
/*
 * Zones and their return codes: parsing and matching code items (a code,
 * a range, a CIDR or a bit test), the listed and refused sets, and the
 * labels that name codes. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "zone.h"

/* Parse a dotted quad into a host-order code. */
static bool
code_parse_quad(const char *s, uint32_t *ret)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return false;
	*ret = ntohl(in.s_addr);
	return true;
}

static bool
code_parse_number(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > max)
		return false;
	*ret = v;
	return true;
}

static int
code_item_parse_mask(const char *s, const char *m, struct code_item *ret,
    char *err, size_t errlen)
{
	unsigned long octet;
	uint32_t mask;

	if (code_parse_number(m, 255, &octet))
		mask = (uint32_t)octet;
	else if (!code_parse_quad(m, &mask))
		goto bad;
	/* Only the bits below 127.0.0.0/8 can be tested. */
	mask &= 0x00ffffffu;
	if (mask == 0) {
		snprintf(err, errlen, "invalid mask \"%s\": it tests no bit",
		    s);
		return -EINVAL;
	}
	ret->kind = CODE_MASK;
	ret->lo = mask;
	ret->hi = 0;
	return 0;
bad:
	snprintf(err, errlen, "invalid mask \"%s\": expected &N (1-255, the "
	    "last octet) or &a.b.c.d", s);
	return -EINVAL;
}

int
code_item_parse(const char *s, struct code_item *ret, char *err,
    size_t errlen)
{
	char buf[64], *sep;
	struct code_item item = { CODE_RANGE, 0, 0 };
	uint32_t lo, hi;
	unsigned long prefix;

	if (s[0] == '&')
		return code_item_parse_mask(s, s + 1, ret, err, errlen);
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	if ((sep = strchr(buf, '-')) != NULL) {
		*sep = '\0';
		if (!code_parse_quad(buf, &lo) || !code_parse_quad(sep + 1, &hi))
			goto bad;
		if (lo > hi) {
			snprintf(err, errlen, "invalid range \"%s\": first code "
			    "is after the last", s);
			return -EINVAL;
		}
	} else if ((sep = strchr(buf, '/')) != NULL) {
		*sep = '\0';
		if (!code_parse_quad(buf, &lo) ||
		    !code_parse_number(sep + 1, 32, &prefix))
			goto bad;
		uint32_t host = prefix == 0 ? UINT32_MAX :
		    (uint32_t)((UINT64_C(1) << (32 - prefix)) - 1);
		if ((lo & host) != 0) {
			snprintf(err, errlen, "invalid CIDR \"%s\": host bits "
			    "are set", s);
			return -EINVAL;
		}
		hi = lo | host;
	} else {
		if (!code_parse_quad(buf, &lo))
			goto bad;
		hi = lo;
	}
	item.lo = lo;
	item.hi = hi;
	*ret = item;
	return 0;
bad:
	snprintf(err, errlen, "invalid code \"%s\": expected a dotted quad, a "
	    "range a-b, a CIDR a/n or &MASK", s);
	return -EINVAL;
}

bool
code_is_loopback(uint32_t code)
{
	return (code >> 24) == 127;
}

bool
code_item_match(const struct code_item *item, uint32_t code)
{
	if (item->kind == CODE_MASK)
		return code_is_loopback(code) && (code & item->lo) != 0;
	return code >= item->lo && code <= item->hi;
}

static bool
code_set_match(const struct code_item *items, size_t n, uint32_t code)
{
	for (size_t i = 0; i < n; i++)
		if (code_item_match(&items[i], code))
			return true;
	return false;
}

bool
zone_code_refused(const struct zone *z, uint32_t code)
{
	return code_set_match(z->refused, z->nrefused, code);
}

bool
zone_code_listed(const struct zone *z, uint32_t code)
{
	if (z->nlisted == 0)
		return code_is_loopback(code); /* RFC 5782 §6 */
	return code_set_match(z->listed, z->nlisted, code);
}

size_t
zone_labels(const struct zone *z, const uint32_t *codes, size_t ncodes,
    const char **ret_labels, size_t max)
{
	size_t n = 0;

	for (size_t c = 0; c < ncodes; c++) {
		for (size_t l = 0; l < z->nlabels && n < max; l++) {
			const char *label = z->labels[l].label;
			bool seen = false;

			if (!code_item_match(&z->labels[l].item, codes[c]))
				continue;
			for (size_t k = 0; k < n && !seen; k++)
				seen = strcmp(ret_labels[k], label) == 0;
			if (!seen)
				ret_labels[n++] = label;
		}
	}
	return n;
}

bool
zone_accepts(const struct zone *z, enum target_kind kind)
{
	switch (z->type) {
	case ZONE_IP:
		return kind == TARGET_IPV4 || kind == TARGET_IPV6;
	case ZONE_IP4:
		return kind == TARGET_IPV4;
	case ZONE_IP6:
		return kind == TARGET_IPV6;
	default:
		return kind == TARGET_DOMAIN;
	}
}

static const char *const zone_type_names[] = {
	[ZONE_IP] = "ip",
	[ZONE_IP4] = "ip4",
	[ZONE_IP6] = "ip6",
	[ZONE_DOMAIN] = "domain",
};

const char *
zone_type_name(enum zone_type type)
{
	if ((size_t)type >= sizeof(zone_type_names) / sizeof(*zone_type_names))
		return "unknown";
	return zone_type_names[type];
}

int
zone_type_parse(const char *s, enum zone_type *ret)
{
	for (size_t i = 0; i < sizeof(zone_type_names) / sizeof(*zone_type_names);
	    i++) {
		if (strcmp(s, zone_type_names[i]) == 0) {
			*ret = (enum zone_type)i;
			return 0;
		}
	}
	return -EINVAL;
}

void
code_format(uint32_t code, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", code >> 24, (code >> 16) & 0xff,
	    (code >> 8) & 0xff, code & 0xff);
}

void
zone_clear(struct zone *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->listed);
	free(z->refused);
	for (size_t i = 0; i < z->nlabels; i++)
		free(z->labels[i].label);
	free(z->labels);
	if (z->test_listed.mode == TEST_POINT_SET)
		target_clear(&z->test_listed.t);
	if (z->test_unlisted.mode == TEST_POINT_SET)
		target_clear(&z->test_unlisted.t);
	free(z->nameservers);
	free(z->delist_url);
	memset(z, 0, sizeof(*z));
}

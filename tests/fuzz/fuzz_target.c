/* SPDX-License-Identifier: ISC */
/*
 * Fuzz entry point for the value parsers that read configuration text:
 * addresses, networks, domains and code items. Whatever parses must format
 * and parse back to the same thing, and build a query name that fits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"
#include "zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_roundtrip(const struct target *t)
{
	char text[TARGET_TEXT_MAX], qname[TARGET_QNAME_MAX + 1], err[256];
	struct target back;
	int n;

	if (target_format(t, text, sizeof(text)) != 0)
		abort();
	if (t->kind == TARGET_DOMAIN) {
		if (target_parse_domain(text, &back, err, sizeof(err)) != 0)
			abort();
	} else if (target_parse_ip(text, &back, err, sizeof(err)) != 0) {
		abort();
	}
	if (target_cmp(t, &back) != 0)
		abort();
	target_clear(&back);
	n = target_qname(t, "zen.example", qname, sizeof(qname));
	if (n >= 0 && ((size_t)n != strlen(qname) || n > TARGET_QNAME_MAX))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[512], err[256];
	struct target t;
	struct target_net net;
	struct code_item item;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (target_parse_ip(s, &t, err, sizeof(err)) == 0)
		fuzz_roundtrip(&t);
	if (target_parse_domain(s, &t, err, sizeof(err)) == 0) {
		fuzz_roundtrip(&t);
		target_clear(&t);
	}
	if (target_parse_net(s, 65536, &net, err, sizeof(err)) == 0) {
		uint64_t n = target_net_size(&net);

		if (n == 0 || n > 65536)
			abort();
		target_net_nth(&net, n - 1, &t);
		fuzz_roundtrip(&t);
	}
	if (code_item_parse(s, &item, err, sizeof(err)) == 0 &&
	    item.kind == CODE_RANGE && item.lo > item.hi)
		abort();
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * Fuzz entry point for DNS answer handling: any bytes a server may send
 * are decoded as an A and as a TXT response and classified. An answer that
 * does not parse must be an error, never clean or listed; TXT text must
 * come out escaped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "escape.h"
#include "resolver.h"
#include "zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check_txt(const char *txt)
{
	for (const char *p = txt; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();
	if (strlen(txt) > ESCAPE_TXT_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct code_item listed = { CODE_RANGE, 0x7f000002, 0x7f00000b };
	struct code_item refused = { CODE_RANGE, 0x7fffff00, 0x7fffffff };
	struct zone z = {
		.name = (char *)(uintptr_t) "zen.example",
		.listed = &listed, .nlisted = 1,
		.refused = &refused, .nrefused = 1,
	};
	struct answer a;
	char txt[ESCAPE_TXT_MAX + 1];
	enum verdict v;

	if (size > 65535)
		return 0;
	resolver_decode(RESOLVER_A, data, (int)size, &a, txt, sizeof(txt));
	if (a.naddrs > ANSWER_MAX_ADDRS)
		abort();
	v = classify_answer(&z, &a);
	if (a.status == ANSWER_ERROR && v != VERDICT_ERROR)
		abort();
	if (v == VERDICT_LISTED && a.naddrs == 0)
		abort();
	resolver_decode(RESOLVER_TXT, data, (int)size, &a, txt, sizeof(txt));
	if (a.status == ANSWER_RECORDS && a.txt != NULL)
		fuzz_check_txt(a.txt);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * Fuzz entry point for DNS answer handling: any bytes a server may send
 * are decoded by dnsmsg as the answer to an A and to a TXT query for
 * 2.0.0.127.zen.example (the corpus's question), and classified. An answer
 * that does not parse must be an error, never clean or listed; a decoded
 * one holds only distinct addresses; TXT text must come out escaped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "dnsmsg.h"
#include "escape.h"
#include "zone.h"

#define FUZZ_QNAME "2.0.0.127.zen.example"

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

static void
fuzz_check_a(const struct answer *a)
{
	if (a->naddrs > ANSWER_MAX_ADDRS)
		abort();
	if (a->status == ANSWER_ERROR && (a->error == NULL || a->naddrs != 0))
		abort();
	if (a->status != ANSWER_RECORDS && a->naddrs != 0)
		abort();
	if (a->status == ANSWER_RECORDS && a->naddrs == 0)
		abort();
	for (unsigned i = 0; i < a->naddrs; i++)
		for (unsigned j = 0; j < i; j++)
			if (a->addrs[i] == a->addrs[j])
				abort();
	if (a->conn_failed || a->txt != NULL)
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
	dnsmsg_decode(data, size, FUZZ_QNAME, DNSMSG_A, &a, txt, sizeof(txt));
	fuzz_check_a(&a);
	v = classify_answer(&z, &a);
	if (a.status == ANSWER_ERROR && v != VERDICT_ERROR)
		abort();
	if (v == VERDICT_LISTED && a.naddrs == 0)
		abort();
	dnsmsg_decode(data, size, FUZZ_QNAME, DNSMSG_TXT, &a, txt,
	    sizeof(txt));
	if (a.naddrs != 0 || (a.txt != NULL) != (a.status == ANSWER_RECORDS))
		abort();
	if (a.txt != NULL)
		fuzz_check_txt(a.txt);
	return 0;
}

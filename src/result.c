/* SPDX-License-Identifier: ISC */
/*
 * Text forms of a result's parts, shared by the report, the store and
 * alerts.
 */
#include <string.h>

#include "result.h"
#include "zone.h"

size_t
result_codes_format(const uint32_t *codes, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char one[16];
		size_t l;

		code_format(codes[i], one);
		l = strlen(one);
		/* A comma before every code but the first, and the NUL. */
		if (used + (i > 0) + l + 1 > len)
			break;
		if (i > 0)
			buf[used++] = ',';
		memcpy(buf + used, one, l + 1);
		used += l;
	}
	return used;
}

/* SPDX-License-Identifier: ISC */
/*
 * Untrusted text (TXT records, anything a DNS server sends) made safe for a
 * log line, a table cell, JSON or an environment variable: printable ASCII
 * only, with backslash escapes, bounded in length.
 */
#include <stdbool.h>
#include <string.h>

#include "escape.h"

/*
 * The escape for byte c, written to seq; returns its length. quote: a
 * backslash or double quote gets a backslash too (text that is then put
 * in quotes); without it only bytes outside printable ASCII change.
 */
static size_t
escape_byte(unsigned char c, bool quote, char seq[4])
{
	static const char hex[] = "0123456789abcdef";

	if (quote && (c == '\\' || c == '"')) {
		seq[0] = '\\';
		seq[1] = (char)c;
		return 2;
	}
	if (c >= 0x20 && c <= 0x7e) {
		seq[0] = (char)c;
		return 1;
	}
	seq[0] = '\\';
	seq[1] = 'x';
	seq[2] = hex[c >> 4];
	seq[3] = hex[c & 0xf];
	return 4;
}

static size_t
escape_text(const char *in, size_t inlen, bool quote, char *out,
    size_t outlen)
{
	size_t total = 0, room = outlen - 1, o = 0;
	char seq[4];
	int cut;

	/* Measure first: whether "..." is needed decides where to cut. */
	for (size_t i = 0; i < inlen && total <= room; i++)
		total += escape_byte((unsigned char)in[i], quote, seq);
	cut = total > room;
	if (cut)
		room -= 3; /* keep space for "..." */
	for (size_t i = 0; i < inlen; i++) {
		size_t n = escape_byte((unsigned char)in[i], quote, seq);

		if (o + n > room)
			break; /* never split an escape */
		memcpy(out + o, seq, n);
		o += n;
	}
	if (cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}

size_t
escape_untrusted(const char *in, size_t inlen, char *out, size_t outlen)
{
	return escape_text(in, inlen, true, out, outlen);
}

size_t
escape_control(const char *in, size_t inlen, char *out, size_t outlen)
{
	return escape_text(in, inlen, false, out, outlen);
}

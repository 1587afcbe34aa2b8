/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for escape.c: which bytes are kept and which become escapes,
 * and exactly where a result that does not fit is cut, including the
 * smallest allowed buffer; for TXT text and for configuration messages.
 */
#include <check.h>

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* Output buffer with room for a canary area past outlen. */
#define OUT_MAX (ESCAPE_TXT_MAX + 64)

/*
 * in is taken with inlen bytes so that rows can hold NULs; inlen 0 with a
 * non-empty in means strlen(in).
 */
static const struct escape_row {
	const char *name;
	const char *in;
	size_t inlen;
	size_t outlen;
	const char *want;
} escape_rows[] = {
	{ "empty", "", 0, 16, "" },
	{ "printable kept", "hello, world", 0, 32, "hello, world" },
	{ "space and tilde kept", " ~", 0, 16, " ~" },
	{ "all punctuation kept", "!#$%&'()*+,-./:;<=>?@[]^_`{|}", 0, 64,
	    "!#$%&'()*+,-./:;<=>?@[]^_`{|}" },
	{ "nul byte", "\0", 1, 16, "\\x00" },
	{ "nul in the middle", "a\0b", 3, 16, "a\\x00b" },
	{ "tab newline return", "\t\n\r", 0, 32, "\\x09\\x0a\\x0d" },
	{ "escape char", "\x1b[31m", 0, 32, "\\x1b[31m" },
	{ "unit separator", "\x1f", 0, 16, "\\x1f" },
	{ "del", "\x7f", 0, 16, "\\x7f" },
	{ "high bytes", "\x80\xff", 0, 16, "\\x80\\xff" },
	{ "utf-8 lower case hex", "caf\xc3\xa9", 0, 16, "caf\\xc3\\xa9" },
	{ "backslash", "a\\b", 0, 16, "a\\\\b" },
	{ "double quote", "say \"hi\"", 0, 16, "say \\\"hi\\\"" },
	{ "escape lookalike escaped", "\\x41", 0, 16, "\\\\x41" },
	{ "inlen shorter than string", "abcdef", 3, 16, "abc" },
	/* outlen 6 leaves 5 characters, or 2 and "..." when cut. */
	{ "fits exactly", "abcde", 0, 6, "abcde" },
	{ "one more is cut", "abcdef", 0, 6, "ab..." },
	{ "escape fits exactly", "a\x01", 0, 6, "a\\x01" },
	{ "two char escape fits exactly", "abc\\", 0, 6, "abc\\\\" },
	/* Cut: an escape that does not fit whole is left out whole. */
	{ "hex escape not split", "a\x01" "bc", 0, 7, "a..." },
	{ "backslash not split", "aa\\bbb", 0, 7, "aa..." },
	{ "quote not split", "aa\"bbb", 0, 7, "aa..." },
	{ "escape ends at the cut", "ab\x01" "cdef", 0, 10, "ab\\x01..." },
	{ "no shorter byte after a skipped escape", "\x01" "abcdefgh", 0, 7,
	    "..." },
	{ "cut after escapes", "\x01\x02\x03\x04", 0, 12, "\\x01\\x02..." },
	/* outlen 4: three characters, or only "..." when cut. */
	{ "outlen 4 empty", "", 0, 4, "" },
	{ "outlen 4 fits", "abc", 0, 4, "abc" },
	{ "outlen 4 one more", "abcd", 0, 4, "..." },
	{ "outlen 4 backslash fits", "\\", 0, 4, "\\\\" },
	{ "outlen 4 backslash and one", "a\\", 0, 4, "a\\\\" },
	{ "outlen 4 hex escape", "\x01", 0, 4, "..." },
	{ "outlen 4 high byte", "\xff", 0, 4, "..." },
};

/* One row through fn: the text, the length returned, nothing past outlen. */
static void
check_row(const struct escape_row *r,
    size_t (*fn)(const char *, size_t, char *, size_t))
{
	size_t inlen = r->inlen != 0 ? r->inlen : strlen(r->in);
	char out[OUT_MAX];
	size_t n;

	memset(out, 'X', sizeof(out));
	n = fn(r->in, inlen, out, r->outlen);
	ck_assert_msg(strcmp(out, r->want) == 0, "%s: got \"%s\", want \"%s\"",
	    r->name, out, r->want);
	ck_assert_msg(n == strlen(r->want), "%s: returned %zu, want %zu",
	    r->name, n, strlen(r->want));
	for (size_t i = r->outlen; i < sizeof(out); i++)
		ck_assert_msg(out[i] == 'X', "%s: byte %zu written past outlen",
		    r->name, i);
}

START_TEST(test_escape)
{
	check_row(&escape_rows[_i], escape_untrusted);
}
END_TEST

/*
 * Long inputs at ESCAPE_TXT_MAX, built at run time: count bytes of c,
 * escaped to esc_len characters each.
 */
static const struct escape_long_row {
	const char *name;
	char c;
	size_t count;
	size_t kept; /* bytes of input kept whole */
	int cut;
} escape_long_rows[] = {
	{ "400 printable fit", 'a', 400, 400, 0 },
	{ "401 printable cut", 'a', 401, 397, 1 },
	{ "100 hex escapes fit", '\x01', 100, 100, 0 },
	{ "101 hex escapes cut", '\x01', 101, 99, 1 },
	{ "200 backslashes fit", '\\', 200, 200, 0 },
	{ "201 backslashes cut", '\\', 201, 198, 1 },
};

START_TEST(test_escape_long)
{
	const struct escape_long_row *r = &escape_long_rows[_i];
	char in[ESCAPE_TXT_MAX + 8], out[OUT_MAX], want[OUT_MAX], seq[8];
	size_t n, w = 0, seqlen;

	memset(in, r->c, r->count);
	if (r->c == '\\')
		seqlen = (size_t)snprintf(seq, sizeof(seq), "\\\\");
	else if (r->c == '\x01')
		seqlen = (size_t)snprintf(seq, sizeof(seq), "\\x01");
	else
		seqlen = (size_t)snprintf(seq, sizeof(seq), "%c", r->c);
	for (size_t i = 0; i < r->kept; i++) {
		memcpy(want + w, seq, seqlen);
		w += seqlen;
	}
	if (r->cut) {
		memcpy(want + w, "...", 3);
		w += 3;
	}
	want[w] = '\0';
	memset(out, 'X', sizeof(out));
	n = escape_untrusted(in, r->count, out, ESCAPE_TXT_MAX + 1);
	ck_assert_msg(n == w, "%s: returned %zu, want %zu", r->name, n, w);
	ck_assert_msg(strcmp(out, want) == 0, "%s: output differs", r->name);
	ck_assert_msg(n <= ESCAPE_TXT_MAX, "%s: longer than ESCAPE_TXT_MAX",
	    r->name);
	for (size_t i = ESCAPE_TXT_MAX + 1; i < sizeof(out); i++)
		ck_assert_msg(out[i] == 'X', "%s: byte %zu written past outlen",
		    r->name, i);
}
END_TEST

/* Every byte value escapes to printable ASCII with no bare '\' or '"'. */
START_TEST(test_escape_all_bytes)
{
	char in[1], out[8];
	size_t n;

	in[0] = (char)_i;
	n = escape_untrusted(in, 1, out, sizeof(out));
	ck_assert_msg(n == strlen(out), "byte 0x%02x: length", _i);
	for (size_t k = 0; k < n; k++)
		ck_assert_msg(out[k] >= 0x20 && out[k] <= 0x7e,
		    "byte 0x%02x: unprintable output", _i);
	if (_i >= 0x20 && _i <= 0x7e && _i != '\\' && _i != '"')
		ck_assert_msg(n == 1 && out[0] == (char)_i,
		    "byte 0x%02x: printable not kept", _i);
	else if (_i == '\\' || _i == '"')
		ck_assert_msg(n == 2 && out[0] == '\\' && out[1] == (char)_i,
		    "byte 0x%02x: not backslash-escaped", _i);
	else
		ck_assert_msg(n == 4 && strncmp(out, "\\x", 2) == 0 &&
		    strtol(out + 2, NULL, 16) == _i &&
		    strchr("0123456789abcdef", out[2]) != NULL &&
		    strchr("0123456789abcdef", out[3]) != NULL,
		    "byte 0x%02x: got \"%s\"", _i, out);
}
END_TEST

/* escape_control: only bytes outside printable ASCII change. */
static const struct escape_row control_rows[] = {
	{ "empty", "", 0, 16, "" },
	{ "printable kept", "unknown key \"x\"", 0, 32,
	    "unknown key \"x\"" },
	{ "quotes kept", "say \"hi\"", 0, 16, "say \"hi\"" },
	{ "backslash kept", "a\\b", 0, 16, "a\\b" },
	{ "escape char", "S\x1b[31mBL", 0, 32, "S\\x1b[31mBL" },
	{ "vertical tab and form feed", "\v\f", 0, 16, "\\x0b\\x0c" },
	{ "tab newline return", "\t\n\r", 0, 32, "\\x09\\x0a\\x0d" },
	{ "nul in the middle", "a\0b", 3, 16, "a\\x00b" },
	{ "del", "\x7f", 0, 16, "\\x7f" },
	{ "utf-8", "caf\xc3\xa9", 0, 16, "caf\\xc3\\xa9" },
	{ "fits exactly", "abcde", 0, 6, "abcde" },
	{ "one more is cut", "abcdef", 0, 6, "ab..." },
	{ "hex escape not split", "a\x01" "bc", 0, 7, "a..." },
	{ "backslash is one character", "aa\\bb", 0, 7, "aa\\bb" },
	{ "outlen 4 hex escape", "\x01", 0, 4, "..." },
};

START_TEST(test_control)
{
	check_row(&control_rows[_i], escape_control);
}
END_TEST

/* Every byte value: printable ASCII kept, anything else \xNN. */
START_TEST(test_control_all_bytes)
{
	char in[1], out[8];
	size_t n;

	in[0] = (char)_i;
	n = escape_control(in, 1, out, sizeof(out));
	if (_i >= 0x20 && _i <= 0x7e)
		ck_assert_msg(n == 1 && out[0] == (char)_i,
		    "byte 0x%02x: printable not kept", _i);
	else
		ck_assert_msg(n == 4 && strncmp(out, "\\x", 2) == 0 &&
		    strtol(out + 2, NULL, 16) == _i,
		    "byte 0x%02x: got \"%s\"", _i, out);
}
END_TEST

static Suite *
escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_escape, 0,
	    (int)(sizeof(escape_rows) / sizeof(escape_rows[0])));
	tcase_add_loop_test(tc, test_escape_long, 0,
	    (int)(sizeof(escape_long_rows) / sizeof(escape_long_rows[0])));
	tcase_add_loop_test(tc, test_escape_all_bytes, 0, 256);
	tcase_add_loop_test(tc, test_control, 0,
	    (int)(sizeof(control_rows) / sizeof(control_rows[0])));
	tcase_add_loop_test(tc, test_control_all_bytes, 0, 256);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(escape_suite());
}

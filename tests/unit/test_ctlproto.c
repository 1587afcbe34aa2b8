/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for ctlproto.c: each command with the arguments it takes and
 * those it refuses, the exact error texts, the line limits, UTF-8, blanks,
 * history's --limit, explain's escapes both ways, who may run what, and
 * the command table itself.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define ERR (-1) /* a row's cmd when the line is refused */

/*
 * line is taken with len bytes so that rows can hold NULs; len 0 means
 * strlen(line). limit 0 means the default.
 */
static const struct parse_row {
	const char *name;
	const char *line;
	size_t len;
	int cmd;
	const char *err;
	size_t nargs;
	const char *args[2];
	unsigned limit;
	const char *text;
} parse_rows[] = {
	/* Every command with what it takes. */
	{ "status", "status", 0, CTLPROTO_STATUS, NULL, 0, { 0 }, 0, NULL },
	{ "status with an argument", "status x", 0, ERR, "usage: status", 0,
	    { 0 }, 0, NULL },
	{ "targets", "targets", 0, CTLPROTO_TARGETS, NULL, 0, { 0 }, 0, NULL },
	{ "targets with an argument", "targets 192.0.2.1", 0, ERR,
	    "usage: targets", 0, { 0 }, 0, NULL },
	{ "zones", "zones", 0, CTLPROTO_ZONES, NULL, 0, { 0 }, 0, NULL },
	{ "zones with an argument", "zones all", 0, ERR, "usage: zones", 0,
	    { 0 }, 0, NULL },
	{ "listed", "listed", 0, CTLPROTO_LISTED, NULL, 0, { 0 }, 0, NULL },
	{ "listed with an argument", "listed now", 0, ERR, "usage: listed", 0,
	    { 0 }, 0, NULL },
	{ "show", "show 192.0.2.1", 0, CTLPROTO_SHOW, NULL, 1,
	    { "192.0.2.1" }, 0, NULL },
	{ "show without target", "show", 0, ERR, "usage: show TARGET", 0,
	    { 0 }, 0, NULL },
	{ "show with two", "show 192.0.2.1 192.0.2.2", 0, ERR,
	    "usage: show TARGET", 0, { 0 }, 0, NULL },
	{ "check target", "check 192.0.2.1", 0, CTLPROTO_CHECK, NULL, 1,
	    { "192.0.2.1" }, 0, NULL },
	{ "check target zone", "check 2001:db8::1 zen.example", 0,
	    CTLPROTO_CHECK, NULL, 2, { "2001:db8::1", "zen.example" }, 0,
	    NULL },
	{ "check without target", "check", 0, ERR,
	    "usage: check TARGET [ZONE]", 0, { 0 }, 0, NULL },
	{ "check with three", "check a b c", 0, ERR,
	    "usage: check TARGET [ZONE]", 0, { 0 }, 0, NULL },
	{ "check with five", "check a b c d e", 0, ERR,
	    "usage: check TARGET [ZONE]", 0, { 0 }, 0, NULL },
	{ "sweep", "sweep", 0, CTLPROTO_SWEEP, NULL, 0, { 0 }, 0, NULL },
	{ "sweep with an argument", "sweep now", 0, ERR, "usage: sweep", 0,
	    { 0 }, 0, NULL },
	{ "reload", "reload", 0, CTLPROTO_RELOAD, NULL, 0, { 0 }, 0, NULL },
	{ "reload with an argument", "reload /etc/x", 0, ERR,
	    "usage: reload", 0, { 0 }, 0, NULL },
	{ "metrics", "metrics", 0, CTLPROTO_METRICS, NULL, 0, { 0 }, 0, NULL },
	{ "metrics with an argument", "metrics x", 0, ERR, "usage: metrics",
	    0, { 0 }, 0, NULL },
	{ "diagnose", "diagnose", 0, CTLPROTO_DIAGNOSE, NULL, 0, { 0 }, 0,
	    NULL },
	{ "diagnose with an argument", "diagnose x", 0, ERR,
	    "usage: diagnose", 0, { 0 }, 0, NULL },
	{ "version", "version", 0, CTLPROTO_VERSION_CMD, NULL, 0, { 0 }, 0,
	    NULL },
	{ "version with an argument", "version 2", 0, ERR, "usage: version",
	    0, { 0 }, 0, NULL },
	{ "help", "help", 0, CTLPROTO_HELP, NULL, 0, { 0 }, 0, NULL },
	{ "help with an argument", "help check", 0, ERR, "usage: help", 0,
	    { 0 }, 0, NULL },
	/* history and --limit. */
	{ "history", "history", 0, CTLPROTO_HISTORY, NULL, 0, { 0 }, 50,
	    NULL },
	{ "history target", "history 192.0.2.1", 0, CTLPROTO_HISTORY, NULL,
	    1, { "192.0.2.1" }, 50, NULL },
	{ "history limit", "history --limit 5", 0, CTLPROTO_HISTORY, NULL, 0,
	    { 0 }, 5, NULL },
	{ "history target limit", "history 192.0.2.1 --limit 5", 0,
	    CTLPROTO_HISTORY, NULL, 1, { "192.0.2.1" }, 5, NULL },
	{ "history limit target", "history --limit 7 192.0.2.1", 0,
	    CTLPROTO_HISTORY, NULL, 1, { "192.0.2.1" }, 7, NULL },
	{ "history limit equals", "history --limit=9", 0, CTLPROTO_HISTORY,
	    NULL, 0, { 0 }, 9, NULL },
	{ "history limit 1", "history --limit 1", 0, CTLPROTO_HISTORY, NULL,
	    0, { 0 }, 1, NULL },
	{ "history limit 10000", "history --limit 10000", 0,
	    CTLPROTO_HISTORY, NULL, 0, { 0 }, 10000, NULL },
	{ "history limit leading zero", "history --limit 010", 0,
	    CTLPROTO_HISTORY, NULL, 0, { 0 }, 10, NULL },
	{ "history limit 0", "history --limit 0", 0, ERR,
	    "history: --limit takes a number from 1 to 10000", 0, { 0 }, 0,
	    NULL },
	{ "history limit 10001", "history --limit 10001", 0, ERR,
	    "history: --limit takes a number from 1 to 10000", 0, { 0 }, 0,
	    NULL },
	{ "history limit huge", "history --limit 99999999999999999999", 0,
	    ERR, "history: --limit takes a number from 1 to 10000", 0, { 0 },
	    0, NULL },
	{ "history limit negative", "history --limit -5", 0, ERR,
	    "history: --limit takes a number from 1 to 10000", 0, { 0 }, 0,
	    NULL },
	{ "history limit plus", "history --limit +5", 0, ERR,
	    "history: --limit takes a number from 1 to 10000", 0, { 0 }, 0,
	    NULL },
	{ "history limit word", "history --limit five", 0, ERR,
	    "history: --limit takes a number from 1 to 10000", 0, { 0 }, 0,
	    NULL },
	{ "history limit trailing junk", "history --limit 5x", 0, ERR,
	    "history: --limit takes a number from 1 to 10000", 0, { 0 }, 0,
	    NULL },
	{ "history limit missing", "history --limit", 0, ERR,
	    "history: --limit takes a number from 1 to 10000", 0, { 0 }, 0,
	    NULL },
	{ "history limit equals empty", "history --limit=", 0, ERR,
	    "history: --limit takes a number from 1 to 10000", 0, { 0 }, 0,
	    NULL },
	{ "history limit twice", "history --limit 5 --limit 6", 0, ERR,
	    "history: --limit given twice", 0, { 0 }, 0, NULL },
	{ "history unknown option", "history --last 5", 0, ERR,
	    "history: unknown option (usage: history [TARGET] [--limit N])",
	    0, { 0 }, 0, NULL },
	{ "history two targets", "history a b", 0, ERR,
	    "usage: history [TARGET] [--limit N]", 0, { 0 }, 0, NULL },
	/* explain. */
	{ "explain", "explain 554 5.7.1 blocked", 0, CTLPROTO_EXPLAIN, NULL,
	    1, { "554 5.7.1 blocked" }, 0, "554 5.7.1 blocked" },
	{ "explain newline escape", "explain a\\nb", 0, CTLPROTO_EXPLAIN,
	    NULL, 1, { "a\\nb" }, 0, "a\nb" },
	{ "explain backslash escape", "explain C:\\\\x", 0, CTLPROTO_EXPLAIN,
	    NULL, 1, { "C:\\\\x" }, 0, "C:\\x" },
	{ "explain escaped backslash then n", "explain \\\\n", 0,
	    CTLPROTO_EXPLAIN, NULL, 1, { "\\\\n" }, 0, "\\n" },
	{ "explain keeps blanks after the first", "explain  a\t b ", 0,
	    CTLPROTO_EXPLAIN, NULL, 1, { " a\t b " }, 0, " a\t b " },
	{ "explain after a tab", "explain\tx", 0, CTLPROTO_EXPLAIN, NULL, 1,
	    { "x" }, 0, "x" },
	{ "explain one blank of text", "explain  ", 0, CTLPROTO_EXPLAIN, NULL,
	    1, { " " }, 0, " " },
	{ "explain without text", "explain", 0, ERR, "usage: explain TEXT", 0,
	    { 0 }, 0, NULL },
	{ "explain with only the blank", "explain ", 0, ERR,
	    "usage: explain TEXT", 0, { 0 }, 0, NULL },
	{ "explain unknown escape", "explain a\\tb", 0, ERR,
	    "explain: a backslash must be followed by n or another backslash",
	    0, { 0 }, 0, NULL },
	{ "explain lone backslash at the end", "explain a\\", 0, ERR,
	    "explain: a backslash must be followed by n or another backslash",
	    0, { 0 }, 0, NULL },
	{ "explain glued to its text", "explainx", 0, ERR,
	    "unknown command \"explainx\" (try help)", 0, { 0 }, 0, NULL },
	{ "explain utf-8 text", "explain r\xc3\xa9" "cus\xc3\xa9", 0,
	    CTLPROTO_EXPLAIN, NULL, 1, { "r\xc3\xa9" "cus\xc3\xa9" }, 0,
	    "r\xc3\xa9" "cus\xc3\xa9" },
	/* Names. */
	{ "unknown command", "x", 0, ERR, "unknown command \"x\" (try help)",
	    0, { 0 }, 0, NULL },
	{ "upper case refused", "STATUS", 0, ERR,
	    "unknown command \"STATUS\" (try help)", 0, { 0 }, 0, NULL },
	{ "prefix refused", "stat", 0, ERR,
	    "unknown command \"stat\" (try help)", 0, { 0 }, 0, NULL },
	{ "nagios is the client's", "nagios", 0, ERR,
	    "unknown command \"nagios\" (try help)", 0, { 0 }, 0, NULL },
	{ "long unknown name cut",
	    "abcdefghijklmnopqrstuvwxyz0123456789", 0, ERR,
	    "unknown command \"abcdefghijklmnopqrstuvwxyz012345...\" "
	    "(try help)", 0, { 0 }, 0, NULL },
	/* 31 ASCII bytes then a two-byte character across byte 32. */
	{ "long name cut on a character",
	    "abcdefghijklmnopqrstuvwxyz01234\xc3\xa9xyz", 0, ERR,
	    "unknown command \"abcdefghijklmnopqrstuvwxyz01234...\" "
	    "(try help)", 0, { 0 }, 0, NULL },
	/* Blanks and line ends. */
	{ "empty", "", 0, ERR, "empty request", 0, { 0 }, 0, NULL },
	{ "only blanks", " \t ", 0, ERR, "empty request", 0, { 0 }, 0, NULL },
	{ "only a return", "\r", 0, ERR, "empty request", 0, { 0 }, 0, NULL },
	{ "leading and trailing blanks", "  status \t", 0, CTLPROTO_STATUS,
	    NULL, 0, { 0 }, 0, NULL },
	{ "tabs between words", "check\t192.0.2.1\t\tzen.example", 0,
	    CTLPROTO_CHECK, NULL, 2, { "192.0.2.1", "zen.example" }, 0, NULL },
	{ "trailing return dropped", "show 192.0.2.1\r", 0, CTLPROTO_SHOW,
	    NULL, 1, { "192.0.2.1" }, 0, NULL },
	{ "trailing return not in explain text", "explain a\r", 0,
	    CTLPROTO_EXPLAIN, NULL, 1, { "a" }, 0, "a" },
	{ "two returns", "status\r\r", 0, ERR,
	    "control byte 0x0d in request", 0, { 0 }, 0, NULL },
	{ "return in the middle", "status\rx", 0, ERR,
	    "control byte 0x0d in request", 0, { 0 }, 0, NULL },
	{ "newline in the middle", "status\nstatus", 0, ERR,
	    "control byte 0x0a in request", 0, { 0 }, 0, NULL },
	{ "escape byte", "show \x1b[31m", 0, ERR,
	    "control byte 0x1b in request", 0, { 0 }, 0, NULL },
	{ "del", "show a\x7f", 0, ERR, "control byte 0x7f in request", 0,
	    { 0 }, 0, NULL },
	{ "vertical tab is no blank", "check\va", 0, ERR,
	    "control byte 0x0b in request", 0, { 0 }, 0, NULL },
	{ "nul in the middle", "sta\0tus", 7, ERR, "NUL byte in request", 0,
	    { 0 }, 0, NULL },
	{ "nul at the end", "status\0", 7, ERR, "NUL byte in request", 0,
	    { 0 }, 0, NULL },
	{ "nul in explain text", "explain a\0b", 11, ERR,
	    "NUL byte in request", 0, { 0 }, 0, NULL },
	/* UTF-8. */
	{ "overlong slash", "show \xc0\xaf", 0, ERR,
	    "request is not valid UTF-8", 0, { 0 }, 0, NULL },
	{ "overlong three bytes", "show \xe0\x80\xaf", 0, ERR,
	    "request is not valid UTF-8", 0, { 0 }, 0, NULL },
	{ "surrogate", "show \xed\xa0\x80", 0, ERR,
	    "request is not valid UTF-8", 0, { 0 }, 0, NULL },
	{ "truncated sequence", "show \xe2\x82", 0, ERR,
	    "request is not valid UTF-8", 0, { 0 }, 0, NULL },
	{ "byte 0xff", "show \xff", 0, ERR, "request is not valid UTF-8", 0,
	    { 0 }, 0, NULL },
	{ "above U+10FFFF", "show \xf4\x90\x80\x80", 0, ERR,
	    "request is not valid UTF-8", 0, { 0 }, 0, NULL },
	{ "valid two bytes", "show b\xc3\xbc" "cher.example", 0,
	    CTLPROTO_SHOW, NULL, 1, { "b\xc3\xbc" "cher.example" }, 0, NULL },
	{ "valid three bytes", "show \xe2\x82\xac", 0, CTLPROTO_SHOW, NULL, 1,
	    { "\xe2\x82\xac" }, 0, NULL },
	{ "valid four bytes", "show \xf0\x9f\x98\x80", 0, CTLPROTO_SHOW, NULL,
	    1, { "\xf0\x9f\x98\x80" }, 0, NULL },
};

START_TEST(test_parse)
{
	const struct parse_row *row = &parse_rows[_i];
	size_t len = row->len != 0 ? row->len : strlen(row->line);
	static struct ctlproto_request r, before;
	char err[256];
	int rc;

	memset(&r, 0xa5, sizeof(r));
	memset(&before, 0xa5, sizeof(before));
	memset(err, 'X', sizeof(err));
	rc = ctlproto_parse(row->line, len, &r, err, sizeof(err));
	if (row->cmd == ERR) {
		ck_assert_msg(rc == -EINVAL, "%s: rc %d", row->name, rc);
		ck_assert_msg(strcmp(err, row->err) == 0,
		    "%s: error \"%s\", want \"%s\"", row->name, err, row->err);
		ck_assert_msg(ctlproto_utf8_valid(err, strlen(err)),
		    "%s: error is not UTF-8", row->name);
		/* Nothing is written on failure. */
		ck_assert_msg(memcmp(&r, &before, sizeof(r)) == 0,
		    "%s: request written on failure", row->name);
		return;
	}
	ck_assert_msg(rc == 0, "%s: rc %d (%s)", row->name, rc, err);
	ck_assert_msg(err[0] == '\0', "%s: error \"%s\"", row->name, err);
	ck_assert_ptr_nonnull(r.command);
	ck_assert_msg(r.command->cmd == row->cmd, "%s: command %s",
	    row->name, r.command->name);
	ck_assert_msg(r.nargs == row->nargs, "%s: %zu args, want %zu",
	    row->name, r.nargs, row->nargs);
	for (size_t i = 0; i < row->nargs; i++)
		ck_assert_msg(strcmp(r.args[i], row->args[i]) == 0,
		    "%s: arg %zu \"%s\", want \"%s\"", row->name, i,
		    r.args[i], row->args[i]);
	ck_assert_msg(r.history_limit ==
	    (row->limit != 0 ? row->limit : CTLPROTO_HISTORY_DEFAULT),
	    "%s: limit %u", row->name, r.history_limit);
	ck_assert_msg(strcmp(r.text, row->text != NULL ? row->text : "") == 0,
	    "%s: text \"%s\"", row->name, r.text);
}
END_TEST

/*
 * Lines around CTLPROTO_LINE_MAX: `show` and one word filling the rest,
 * with or without a trailing \r (not counted).
 */
static const struct long_row {
	const char *name;
	size_t len; /* bytes before any \r */
	bool cr;
	bool ok;
} long_rows[] = {
	{ "1024 bytes accepted", 1024, false, true },
	{ "1024 bytes and a return accepted", 1024, true, true },
	{ "1025 bytes refused", 1025, false, false },
	{ "1025 bytes and a return refused", 1025, true, false },
	{ "4096 bytes refused", 4096, false, false },
};

START_TEST(test_long)
{
	const struct long_row *row = &long_rows[_i];
	static char line[4100];
	static struct ctlproto_request r;
	char err[256];
	size_t len = row->len;
	int rc;

	memset(line, 'a', sizeof(line));
	memcpy(line, "show ", 5);
	if (row->cr)
		line[len++] = '\r';
	rc = ctlproto_parse(line, len, &r, err, sizeof(err));
	if (row->ok) {
		ck_assert_msg(rc == 0, "%s: %s", row->name, err);
		ck_assert_uint_eq(strlen(r.args[0]), row->len - 5);
	} else {
		ck_assert_msg(rc == -EINVAL, "%s: rc %d", row->name, rc);
		ck_assert_str_eq(err,
		    "request line too long (at most 1024 bytes)");
	}
}
END_TEST

/* The longest explain line: its text is every byte after "explain ". */
START_TEST(test_long_explain)
{
	static char line[CTLPROTO_LINE_MAX];
	static struct ctlproto_request r;
	char err[256];

	memset(line, 'b', sizeof(line));
	memcpy(line, "explain ", 8);
	ck_assert_int_eq(ctlproto_parse(line, sizeof(line), &r, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(strlen(r.text), CTLPROTO_LINE_MAX - 8);
	ck_assert_uint_eq(strlen(r.args[0]), CTLPROTO_LINE_MAX - 8);
}
END_TEST

/* Small error buffers: cut, NUL-terminated, never overrun. */
START_TEST(test_small_err)
{
	struct ctlproto_request r;
	char err[32];

	memset(err, 'X', sizeof(err));
	ck_assert_int_eq(ctlproto_parse("x", 1, &r, err, 4), -EINVAL);
	ck_assert_str_eq(err, "unk");
	ck_assert_int_eq(err[4], 'X');
	/* 17 bytes of the message, then half of the name's first letter. */
	memset(err, 'X', sizeof(err));
	ck_assert_int_eq(ctlproto_parse("\xc3\xa9t\xc3\xa9", 5, &r, err, 19),
	    -EINVAL);
	ck_assert_str_eq(err, "unknown command \"");
	ck_assert_int_eq(ctlproto_parse("x", 1, &r, NULL, 0), -EINVAL);
	ck_assert_int_eq(ctlproto_parse("", 0, &r, NULL, 0), -EINVAL);
}
END_TEST

static const struct utf8_row {
	const char *name;
	const char *s;
	size_t len; /* 0: strlen */
	bool valid;
} utf8_rows[] = {
	{ "empty", "", 0, true },
	{ "ascii", "status", 0, true },
	{ "nul is ascii", "\0", 1, true },
	{ "two bytes lowest", "\xc2\x80", 0, true },
	{ "two bytes highest", "\xdf\xbf", 0, true },
	{ "three bytes lowest", "\xe0\xa0\x80", 0, true },
	{ "before the surrogates", "\xed\x9f\xbf", 0, true },
	{ "after the surrogates", "\xee\x80\x80", 0, true },
	{ "U+FFFF", "\xef\xbf\xbf", 0, true },
	{ "four bytes lowest", "\xf0\x90\x80\x80", 0, true },
	{ "U+10FFFF", "\xf4\x8f\xbf\xbf", 0, true },
	{ "mixed", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 0, true },
	{ "overlong 0xc0", "\xc0\x80", 0, false },
	{ "overlong 0xc1", "\xc1\xbf", 0, false },
	{ "overlong three bytes", "\xe0\x9f\xbf", 0, false },
	{ "overlong four bytes", "\xf0\x8f\xbf\xbf", 0, false },
	{ "first surrogate", "\xed\xa0\x80", 0, false },
	{ "last surrogate", "\xed\xbf\xbf", 0, false },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", 0, false },
	{ "lead 0xf5", "\xf5\x80\x80\x80", 0, false },
	{ "byte 0xff", "\xff", 0, false },
	{ "byte 0xfe", "a\xfe", 0, false },
	{ "lone continuation", "\x80", 0, false },
	{ "truncated two", "\xc3", 0, false },
	{ "truncated three", "\xe2\x82", 0, false },
	{ "truncated four", "\xf0\x9f\x98", 0, false },
	{ "truncated by len", "\xc3\xa9", 1, false },
	{ "continuation missing", "\xc3(", 0, false },
	{ "second continuation missing", "\xe2\x82(", 0, false },
	{ "lead byte for a continuation", "\xc3\xc3", 0, false },
	{ "lead byte for the last continuation", "\xe2\x82\xe2", 0, false },
};

START_TEST(test_utf8)
{
	const struct utf8_row *row = &utf8_rows[_i];
	size_t len = row->len != 0 ? row->len : strlen(row->s);

	ck_assert_msg(ctlproto_utf8_valid(row->s, len) == row->valid,
	    "%s: want %s", row->name, row->valid ? "valid" : "invalid");
}
END_TEST

/*
 * Texts for explain: escaped as want says, and back through the parser
 * as back says (control bytes other than tab and newline become blanks).
 */
static const struct escape_row {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen */
	const char *want;
	const char *back; /* NULL: text itself */
} escape_rows[] = {
	{ "plain", "554 5.7.1 Service unavailable", 0,
	    "554 5.7.1 Service unavailable", NULL },
	{ "multi-line smtp reply",
	    "550-5.7.1 Service unavailable; client [192.0.2.25] blocked\n"
	    "550-5.7.1 using zen.spamhaus.org; see\n"
	    "550 5.7.1 https://check.spamhaus.org/query/ip/192.0.2.25",
	    0,
	    "550-5.7.1 Service unavailable; client [192.0.2.25] blocked\\n"
	    "550-5.7.1 using zen.spamhaus.org; see\\n"
	    "550 5.7.1 https://check.spamhaus.org/query/ip/192.0.2.25",
	    NULL },
	{ "dsn with crlf",
	    "Reporting-MTA: dns; mx.example.net\r\n"
	    "Diagnostic-Code: smtp; 554 5.7.1 <unknown[198.51.100.7]>: "
	    "Client host rejected: b.barracudacentral.org\r\n",
	    0,
	    "Reporting-MTA: dns; mx.example.net \\n"
	    "Diagnostic-Code: smtp; 554 5.7.1 <unknown[198.51.100.7]>: "
	    "Client host rejected: b.barracudacentral.org \\n",
	    "Reporting-MTA: dns; mx.example.net \n"
	    "Diagnostic-Code: smtp; 554 5.7.1 <unknown[198.51.100.7]>: "
	    "Client host rejected: b.barracudacentral.org \n" },
	{ "outlook ndr",
	    "Remote Server returned '550 5.7.606 Access denied, banned "
	    "sending IP [203.0.113.9]. To request removal from this list "
	    "please visit https://sender.office.com/'\n\n"
	    "Original message headers:", 0,
	    "Remote Server returned '550 5.7.606 Access denied, banned "
	    "sending IP [203.0.113.9]. To request removal from this list "
	    "please visit https://sender.office.com/'\\n\\n"
	    "Original message headers:", NULL },
	{ "backslashes", "C:\\path\\n\\\\", 0, "C:\\\\path\\\\n\\\\\\\\",
	    NULL },
	{ "tab kept", "a\tb", 0, "a\tb", NULL },
	{ "control bytes blank", "a\x01" "b\x1b[0m\x7f", 0, "a b [0m ",
	    "a b [0m " },
	{ "nul blank", "a\0b", 3, "a b", "a b" },
	{ "utf-8 kept", "r\xc3\xa9" "cus\xc3\xa9\n\xe2\x82\xac", 0,
	    "r\xc3\xa9" "cus\xc3\xa9\\n\xe2\x82\xac", NULL },
	{ "only newlines", "\n\n", 0, "\\n\\n", NULL },
	{ "leading blank", " x", 0, " x", NULL },
};

START_TEST(test_escape)
{
	const struct escape_row *row = &escape_rows[_i];
	size_t len = row->len != 0 ? row->len : strlen(row->text);
	static char line[CTLPROTO_LINE_MAX + 1];
	static struct ctlproto_request r;
	char err[256];
	int n;

	memcpy(line, "explain ", 8);
	n = ctlproto_escape_text(row->text, len, line + 8, sizeof(line) - 8);
	ck_assert_msg(n >= 0, "%s: rc %d", row->name, n);
	ck_assert_msg(strcmp(line + 8, row->want) == 0, "%s: \"%s\"",
	    row->name, line + 8);
	ck_assert_uint_eq((size_t)n, strlen(row->want));
	ck_assert_msg(ctlproto_parse(line, 8 + (size_t)n, &r, err,
	    sizeof(err)) == 0, "%s: %s", row->name, err);
	ck_assert_msg(strcmp(r.text, row->back != NULL ? row->back :
	    row->text) == 0, "%s: back \"%s\"", row->name, r.text);
}
END_TEST

/* Where escaping stops fitting: the NUL needs a byte too. */
static const struct space_row {
	const char *name;
	const char *text;
	size_t buflen;
	int want; /* length, or -ENOSPC */
} space_rows[] = {
	{ "fits exactly", "abc", 4, 3 },
	{ "no room for the NUL", "abc", 3, -ENOSPC },
	{ "escape fits exactly", "a\n", 4, 3 },
	{ "escape one short", "a\n", 3, -ENOSPC },
	{ "backslash one short", "\\", 2, -ENOSPC },
	{ "empty in one byte", "", 1, 0 },
	{ "empty in nothing", "", 0, -ENOSPC },
};

START_TEST(test_escape_space)
{
	const struct space_row *row = &space_rows[_i];
	char buf[16];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = ctlproto_escape_text(row->text, strlen(row->text), buf,
	    row->buflen);
	ck_assert_msg(n == row->want, "%s: %d", row->name, n);
	if (row->buflen > 0 && n < 0)
		ck_assert_msg(buf[0] == '\0', "%s: not emptied", row->name);
	ck_assert_msg(buf[row->buflen] == 'X', "%s: overrun", row->name);
}
END_TEST

static const struct access_row {
	const char *name;
	int cmd;
	uid_t peer, daemon;
	bool want;
} access_rows[] = {
	{ "root status", CTLPROTO_STATUS, 0, 123, true },
	{ "daemon status", CTLPROTO_STATUS, 123, 123, true },
	{ "other status", CTLPROTO_STATUS, 1000, 123, true },
	{ "other explain", CTLPROTO_EXPLAIN, 1000, 123, true },
	{ "other history", CTLPROTO_HISTORY, 1000, 123, true },
	{ "other metrics", CTLPROTO_METRICS, 65534, 123, true },
	{ "root check", CTLPROTO_CHECK, 0, 123, true },
	{ "daemon check", CTLPROTO_CHECK, 123, 123, true },
	{ "other check", CTLPROTO_CHECK, 1000, 123, false },
	{ "root sweep", CTLPROTO_SWEEP, 0, 123, true },
	{ "daemon sweep", CTLPROTO_SWEEP, 123, 123, true },
	{ "other sweep", CTLPROTO_SWEEP, 1000, 123, false },
	{ "root reload", CTLPROTO_RELOAD, 0, 123, true },
	{ "daemon reload", CTLPROTO_RELOAD, 123, 123, true },
	{ "other reload", CTLPROTO_RELOAD, 124, 123, false },
	{ "nobody reload", CTLPROTO_RELOAD, 65534, 123, false },
	{ "root daemon, root peer", CTLPROTO_RELOAD, 0, 0, true },
	{ "root daemon, other peer", CTLPROTO_RELOAD, 1000, 0, false },
	{ "root daemon, other status", CTLPROTO_STATUS, 1000, 0, true },
};

START_TEST(test_access)
{
	const struct access_row *row = &access_rows[_i];
	size_t n;
	const struct ctlproto_command *t = ctlproto_commands(&n);

	ck_assert_msg(ctlproto_allowed(&t[row->cmd], row->peer,
	    row->daemon) == row->want, "%s: want %s", row->name,
	    row->want ? "allowed" : "refused");
}
END_TEST

START_TEST(test_access_null)
{
	ck_assert(!ctlproto_allowed(NULL, 0, 0));
}
END_TEST

static const struct refusal_row {
	const char *name;
	int cmd;
	uid_t daemon;
	size_t len;
	const char *want;
} refusal_rows[] = {
	{ "check", CTLPROTO_CHECK, 123, 128,
	    "check needs root or the daemon's own user (uid 0 or 123)" },
	{ "sweep", CTLPROTO_SWEEP, 998, 128,
	    "sweep needs root or the daemon's own user (uid 0 or 998)" },
	{ "reload", CTLPROTO_RELOAD, 4294967294u, 128,
	    "reload needs root or the daemon's own user "
	    "(uid 0 or 4294967294)" },
	{ "daemon is root", CTLPROTO_RELOAD, 0, 128,
	    "reload needs root (uid 0)" },
	{ "cut", CTLPROTO_CHECK, 123, 12, "check needs" },
};

START_TEST(test_refusal)
{
	const struct refusal_row *row = &refusal_rows[_i];
	size_t n;
	const struct ctlproto_command *t = ctlproto_commands(&n);
	char buf[128];

	memset(buf, 'X', sizeof(buf));
	ctlproto_refusal(&t[row->cmd], row->daemon, buf, row->len);
	ck_assert_msg(strcmp(buf, row->want) == 0, "%s: \"%s\"", row->name,
	    buf);
}
END_TEST

/* The table: one row per command in enum order, names and usages sane. */
START_TEST(test_table)
{
	size_t n;
	const struct ctlproto_command *t = ctlproto_commands(&n);
	unsigned seen[CTLPROTO_CMD_COUNT] = { 0 };

	ck_assert_uint_eq(n, CTLPROTO_CMD_COUNT);
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(t[i].name);

		ck_assert_uint_lt(t[i].cmd, CTLPROTO_CMD_COUNT);
		seen[t[i].cmd]++;
		ck_assert_msg(t[i].cmd == i, "%s out of enum order",
		    t[i].name);
		ck_assert_msg(strncmp(t[i].usage, t[i].name, nl) == 0 &&
		    (t[i].usage[nl] == '\0' || t[i].usage[nl] == ' '),
		    "%s: usage \"%s\"", t[i].name, t[i].usage);
		ck_assert_msg(t[i].min_args <= t[i].max_args &&
		    t[i].max_args <= CTLPROTO_ARGS_MAX, "%s: arity",
		    t[i].name);
		ck_assert_msg(t[i].access == CTLPROTO_READ ||
		    t[i].access == CTLPROTO_WRITE, "%s: access", t[i].name);
		ck_assert_msg(t[i].help != NULL && t[i].help[0] != '\0',
		    "%s: no help", t[i].name);
		for (const char *p = t[i].name; *p != '\0'; p++)
			ck_assert_msg(*p >= 'a' && *p <= 'z', "%s: name",
			    t[i].name);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(t[i].name, t[j].name) != 0,
			    "%s twice", t[i].name);
		ck_assert_ptr_eq(ctlproto_lookup(t[i].name, nl), &t[i]);
	}
	for (size_t c = 0; c < CTLPROTO_CMD_COUNT; c++)
		ck_assert_msg(seen[c] == 1, "command %zu seen %u times", c,
		    seen[c]);
	/* DESIGN §4: exactly these change things. */
	for (size_t i = 0; i < n; i++)
		ck_assert_msg((t[i].access == CTLPROTO_WRITE) ==
		    (t[i].cmd == CTLPROTO_CHECK || t[i].cmd == CTLPROTO_SWEEP ||
		    t[i].cmd == CTLPROTO_RELOAD), "%s: access", t[i].name);
	ck_assert_ptr_null(ctlproto_lookup("stat", 4));
	ck_assert_ptr_null(ctlproto_lookup("statuss", 7));
}
END_TEST

static Suite *
ctlproto_suite(void)
{
	Suite *s = suite_create("ctlproto");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse, 0, NROWS(parse_rows));
	tcase_add_loop_test(tc, test_long, 0, NROWS(long_rows));
	tcase_add_test(tc, test_long_explain);
	tcase_add_test(tc, test_small_err);
	tcase_add_loop_test(tc, test_utf8, 0, NROWS(utf8_rows));
	tcase_add_loop_test(tc, test_escape, 0, NROWS(escape_rows));
	tcase_add_loop_test(tc, test_escape_space, 0, NROWS(space_rows));
	tcase_add_loop_test(tc, test_access, 0, NROWS(access_rows));
	tcase_add_test(tc, test_access_null);
	tcase_add_loop_test(tc, test_refusal, 0, NROWS(refusal_rows));
	tcase_add_test(tc, test_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(ctlproto_suite());
}

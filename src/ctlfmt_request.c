/* SPDX-License-Identifier: ISC */
/*
 * rblmonctl's requests and answers: the request line built from the
 * command line and checked as the daemon checks it, and one answer line
 * decoded, judged ok or not, and its error made safe for a terminal.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctlfmt.h"
#include "ctlfmt_int.h"
#include "ctlproto.h"
#include "escape.h"

/* Bytes of a mistyped command name quoted back. */
#define CTLFMT_QUOTE_MAX 32
/* "explain " before the text of an explain request. */
#define CTLFMT_EXPLAIN_ROOM (CTLPROTO_LINE_MAX - 8)

static void __attribute__((format(printf, 3, 4)))
ctlfmt_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The finished line[0..len) checked as the daemon will check it. */
static int
request_check(const char *line, size_t len,
    const struct ctlproto_command **ret_cmd, char *err, size_t errlen)
{
	struct ctlproto_request r;

	if (len > CTLPROTO_LINE_MAX) {
		ctlfmt_err(err, errlen, "the request is longer than %d bytes",
		    CTLPROTO_LINE_MAX);
		return -EINVAL;
	}
	if (ctlproto_parse(line, len, &r, err, errlen) != 0)
		return -EINVAL;
	if (ret_cmd != NULL)
		*ret_cmd = r.command;
	return 0;
}

/* Bytes text[0..len) takes escaped by ctlproto_escape_text. */
static size_t
escaped_len(const char *text, size_t len)
{
	size_t n = len;

	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n' || text[i] == '\\')
			n++;
	return n;
}

static int
explain_line(const char *text, size_t len, char *buf,
    const struct ctlproto_command **ret_cmd, char *err, size_t errlen)
{
	int n;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
	    text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len == 0) {
		ctlfmt_err(err, errlen, "usage: explain TEXT (the text is "
		    "empty)");
		return -EINVAL;
	}
	memcpy(buf, "explain ", 8);
	n = ctlproto_escape_text(text, len, buf + 8, CTLFMT_EXPLAIN_ROOM + 1);
	if (n < 0) {
		ctlfmt_err(err, errlen, "explain: the text takes %zu bytes "
		    "escaped; one request holds %d", escaped_len(text, len),
		    CTLFMT_EXPLAIN_ROOM);
		return -EINVAL;
	}
	return request_check(buf, 8 + (size_t)n, ret_cmd, err, errlen);
}

static int
request_explain(const char *const *words, size_t n, char *buf,
    const struct ctlproto_command **ret_cmd, char *err, size_t errlen)
{
	size_t len = 0, o = 0;
	char *text;
	int rc;

	for (size_t i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	if ((text = malloc(len + 1)) == NULL) {
		ctlfmt_err(err, errlen, "out of memory");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(words[i]);

		if (i > 0)
			text[o++] = ' ';
		memcpy(text + o, words[i], w);
		o += w;
	}
	rc = explain_line(text, o, buf, ret_cmd, err, errlen);
	free(text);
	return rc;
}

static void
unknown_command(const char *name, char *err, size_t errlen)
{
	char q[CTLFMT_QUOTE_MAX * 4 + 4];
	size_t n = strlen(name), k = n;

	if (k > CTLFMT_QUOTE_MAX) {
		k = CTLFMT_QUOTE_MAX;
		while (k > 0 && ((unsigned char)name[k] & 0xc0) == 0x80)
			k--;
	}
	escape_control(name, k, q, sizeof(q));
	ctlfmt_err(err, errlen, "unknown command \"%s%s\" (try help)", q,
	    k < n ? "..." : "");
}

int
ctlfmt_request(const char *const *words, size_t n, char *buf,
    size_t buflen, const struct ctlproto_command **ret_cmd, char *err,
    size_t errlen)
{
	const struct ctlproto_command *c;
	size_t len;

	if (errlen > 0)
		err[0] = '\0';
	if (buflen < CTLPROTO_LINE_MAX + 1 || n == 0 || words[0][0] == '\0') {
		ctlfmt_err(err, errlen, "no command given (try help)");
		return -EINVAL;
	}
	if ((c = ctlproto_lookup(words[0], strlen(words[0]))) == NULL) {
		unknown_command(words[0], err, errlen);
		return -EINVAL;
	}
	if (c->cmd == CTLPROTO_EXPLAIN)
		return request_explain(words + 1, n - 1, buf, ret_cmd, err,
		    errlen);
	/* history's --limit N is two words more; the daemon's rules judge. */
	if (c->cmd != CTLPROTO_HISTORY &&
	    (n - 1 < c->min_args || n - 1 > c->max_args))
		goto usage;
	len = strlen(words[0]);
	if (len > CTLPROTO_LINE_MAX)
		goto toolong;
	memcpy(buf, words[0], len);
	for (size_t i = 1; i < n; i++) {
		size_t w = strlen(words[i]);

		/* The daemon splits on blanks: one word must stay one. */
		if (w == 0 || strpbrk(words[i], " \t") != NULL) {
			ctlfmt_err(err, errlen, "%s: an argument cannot be "
			    "empty or hold blanks", c->name);
			return -EINVAL;
		}
		if (w + 1 > CTLPROTO_LINE_MAX - len)
			goto toolong;
		buf[len++] = ' ';
		memcpy(buf + len, words[i], w);
		len += w;
	}
	buf[len] = '\0';
	return request_check(buf, len, ret_cmd, err, errlen);
usage:
	ctlfmt_err(err, errlen, "usage: %s", c->usage);
	return -EINVAL;
toolong:
	ctlfmt_err(err, errlen, "the request is longer than %d bytes",
	    CTLPROTO_LINE_MAX);
	return -EINVAL;
}

int
ctlfmt_explain_request(const char *text, size_t len, char *buf,
    size_t buflen, char *err, size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	if (buflen < CTLPROTO_LINE_MAX + 1) {
		ctlfmt_err(err, errlen, "no room for a request");
		return -EINVAL;
	}
	return explain_line(text, len, buf, NULL, err, errlen);
}

int
ctlfmt_decode(const char *line, size_t len, json_t **ret, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *a;
	char q[sizeof(je.text) * 4];

	if (errlen > 0)
		err[0] = '\0';
	if ((a = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		if (json_error_code(&je) == json_error_out_of_memory)
			return -ENOMEM;
		escape_control(je.text, strlen(je.text), q, sizeof(q));
		ctlfmt_err(err, errlen, "invalid JSON: %s (at byte %d)", q,
		    je.position);
		return -EINVAL;
	}
	if (!json_is_object(a) || !is_boolean(get(a, "ok"))) {
		ctlfmt_err(err, errlen, json_is_object(a) ?
		    "the answer has no boolean \"ok\"" :
		    "the answer is not an object");
		json_decref(a);
		return -EINVAL;
	}
	*ret = a;
	return 0;
}

void
ctlfmt_answer_free(json_t *answer)
{
	json_decref(answer);
}

bool
ctlfmt_ok(const json_t *answer)
{
	return is_true(get(answer, "ok"));
}

int
ctlfmt_error(const json_t *answer, char **ret_text)
{
	struct fbuf b = { 0 };
	const char *e = str(get(answer, "error"));

	fb_clean(&b, e != NULL ? e : "the daemon gave no reason", NULL);
	return fb_finish(&b, ret_text);
}

/* SPDX-License-Identifier: ISC */
/*
 * Fuzz entry point for control request lines. Whatever parses must hold
 * sane arguments, and an explain text escaped back onto a request line
 * must parse to the same text; a refusal must leave a UTF-8 message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The explain text of r, escaped onto a new line, must come back as is. */
static void
fuzz_explain_roundtrip(const struct ctlproto_request *r)
{
	static char line[2 * CTLPROTO_LINE_MAX + 16];
	static struct ctlproto_request back;
	char err[256];
	size_t tlen = strlen(r->text);
	int n;

	memcpy(line, "explain ", 8);
	n = ctlproto_escape_text(r->text, tlen, line + 8, sizeof(line) - 8);
	if (n < 0)
		abort();
	/* Only a text that was escaped as written fits in one line. */
	if (8 + (size_t)n > CTLPROTO_LINE_MAX)
		abort();
	if (ctlproto_parse(line, 8 + (size_t)n, &back, err, sizeof(err)) != 0)
		abort();
	if (back.command->cmd != CTLPROTO_EXPLAIN ||
	    strcmp(back.text, r->text) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctlproto_request r;
	char err[256];
	const struct ctlproto_command *c;

	/* A cut error message must stay UTF-8 too. */
	if (ctlproto_parse((const char *)data, size, &r, err,
	    1 + size % 48) != 0 &&
	    !ctlproto_utf8_valid(err, strlen(err)))
		abort();
	if (ctlproto_parse((const char *)data, size, &r, err,
	    sizeof(err)) != 0) {
		if (err[0] == '\0' || !ctlproto_utf8_valid(err, strlen(err)))
			abort();
		return 0;
	}
	c = r.command;
	if (c == NULL || c->cmd >= CTLPROTO_CMD_COUNT)
		abort();
	if (r.nargs < c->min_args || r.nargs > c->max_args)
		abort();
	if (r.history_limit < 1 || r.history_limit > CTLPROTO_HISTORY_MAX)
		abort();
	for (size_t i = 0; i < r.nargs; i++) {
		size_t n = strlen(r.args[i]);

		if (!ctlproto_utf8_valid(r.args[i], n))
			abort();
		if (c->cmd != CTLPROTO_EXPLAIN &&
		    (n == 0 || strpbrk(r.args[i], " \t") != NULL))
			abort();
	}
	if (c->cmd == CTLPROTO_EXPLAIN)
		fuzz_explain_roundtrip(&r);
	else if (r.text[0] != '\0')
		abort();
	if (!ctlproto_allowed(c, 0, 123))
		abort();
	if (!ctlproto_allowed(c, 1000, 123)) {
		ctlproto_refusal(c, 123, err, sizeof(err));
		if (!ctlproto_utf8_valid(err, strlen(err)))
			abort();
	}
	return 0;
}

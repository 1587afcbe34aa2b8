/* SPDX-License-Identifier: ISC */
/*
 * The control socket's request language: the command table, parsing one
 * request line (length, NUL, UTF-8 and control bytes first, then words
 * and arity), history's --limit, explain's escaped text, and the check of
 * a peer's uid against write commands.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"

/* Bytes of an unknown command name quoted back in the error. */
#define CTLPROTO_QUOTE_MAX 32

static const struct ctlproto_command ctlproto_table[] = {
	{ "status", CTLPROTO_STATUS, 0, 0, CTLPROTO_READ, "status",
	    "the daemon's version, uptime, zones and listings at a glance" },
	{ "targets", CTLPROTO_TARGETS, 0, 0, CTLPROTO_READ, "targets",
	    "every monitored target" },
	{ "zones", CTLPROTO_ZONES, 0, 0, CTLPROTO_READ, "zones",
	    "every zone and its health state" },
	{ "listed", CTLPROTO_LISTED, 0, 0, CTLPROTO_READ, "listed",
	    "the targets listed now, and where" },
	{ "show", CTLPROTO_SHOW, 1, 1, CTLPROTO_READ, "show TARGET",
	    "one target's state on every zone" },
	{ "check", CTLPROTO_CHECK, 1, 2, CTLPROTO_WRITE,
	    "check TARGET [ZONE]",
	    "check a target now, on one zone or all, answered when done" },
	{ "history", CTLPROTO_HISTORY, 0, 1, CTLPROTO_READ,
	    "history [TARGET] [--limit N]",
	    "recent listings and delistings, newest first" },
	{ "sweep", CTLPROTO_SWEEP, 0, 0, CTLPROTO_WRITE, "sweep",
	    "check every target on every zone now" },
	{ "reload", CTLPROTO_RELOAD, 0, 0, CTLPROTO_WRITE, "reload",
	    "read the configuration again; a bad one keeps the old" },
	{ "metrics", CTLPROTO_METRICS, 0, 0, CTLPROTO_READ, "metrics",
	    "the Prometheus metrics text" },
	{ "diagnose", CTLPROTO_DIAGNOSE, 0, 0, CTLPROTO_READ, "diagnose",
	    "why zones are not ok, and what to do about it" },
	{ "explain", CTLPROTO_EXPLAIN, 1, 1, CTLPROTO_READ, "explain TEXT",
	    "what a bounce says: a listing, the receiver's resolver, or else" },
	{ "version", CTLPROTO_VERSION_CMD, 0, 0, CTLPROTO_READ, "version",
	    "the daemon's and the protocol's versions" },
	{ "help", CTLPROTO_HELP, 0, 0, CTLPROTO_READ, "help",
	    "this list of commands" },
};

const struct ctlproto_command *
ctlproto_commands(size_t *ret_n)
{
	*ret_n = sizeof(ctlproto_table) / sizeof(ctlproto_table[0]);
	return ctlproto_table;
}

const struct ctlproto_command *
ctlproto_lookup(const char *name, size_t len)
{
	size_t n = sizeof(ctlproto_table) / sizeof(ctlproto_table[0]);

	for (size_t i = 0; i < n; i++)
		if (strlen(ctlproto_table[i].name) == len &&
		    memcmp(ctlproto_table[i].name, name, len) == 0)
			return &ctlproto_table[i];
	return NULL;
}

bool
ctlproto_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i], need, min, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1, min = 0x80, cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2, min = 0x800, cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return false; /* continuation, 0xc0, 0xc1, 0xf5.. */
		}
		if (len - i <= need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static void __attribute__((format(printf, 3, 4)))
ctlproto_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/*
	 * A cut message may end inside a character of the quoted request;
	 * drop its first bytes too, so a JSON encoder can take the message.
	 */
	len = strlen(err);
	while (len > 0 && !ctlproto_utf8_valid(err, len))
		err[--len] = '\0';
}

static bool
ctlproto_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The checks every line passes before it is split: its length, no NUL,
 * valid UTF-8, no control byte but tab. Returns 0 or -EINVAL.
 */
static int
ctlproto_check_bytes(const char *line, size_t len, char *err, size_t errlen)
{
	if (len > CTLPROTO_LINE_MAX) {
		ctlproto_err(err, errlen,
		    "request line too long (at most %d bytes)",
		    CTLPROTO_LINE_MAX);
		return -EINVAL;
	}
	if (memchr(line, '\0', len) != NULL) {
		ctlproto_err(err, errlen, "NUL byte in request");
		return -EINVAL;
	}
	if (!ctlproto_utf8_valid(line, len)) {
		ctlproto_err(err, errlen, "request is not valid UTF-8");
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			ctlproto_err(err, errlen,
			    "control byte 0x%02x in request", c);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Quote an unknown command name back: at most CTLPROTO_QUOTE_MAX bytes,
 * cut on a character boundary (the line is valid UTF-8, so the message
 * stays valid UTF-8 too).
 */
static void
ctlproto_unknown(const char *name, size_t len, char *err, size_t errlen)
{
	size_t n = len;

	if (n > CTLPROTO_QUOTE_MAX) {
		n = CTLPROTO_QUOTE_MAX;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	ctlproto_err(err, errlen, "unknown command \"%.*s%s\" (try help)",
	    (int)n, name, n < len ? "..." : "");
}

/* history --limit's N: digits only, 1..CTLPROTO_HISTORY_MAX. */
static int
ctlproto_limit(const char *s, unsigned *ret)
{
	unsigned v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > CTLPROTO_HISTORY_MAX)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

/*
 * history's words: TARGET and --limit N (or --limit=N), in either order,
 * each at most once. Moves --limit out of the arguments.
 */
static int
ctlproto_history(struct ctlproto_request *r, char *err, size_t errlen)
{
	size_t out = 0;
	bool have_limit = false;

	for (size_t i = 0; i < r->nargs; i++) {
		const char *a = r->args[i], *num = NULL;

		if (strcmp(a, "--limit") == 0) {
			num = i + 1 < r->nargs ? r->args[++i] : "";
		} else if (strncmp(a, "--limit=", 8) == 0) {
			num = a + 8;
		} else if (a[0] == '-' && a[1] == '-') {
			ctlproto_err(err, errlen,
			    "history: unknown option (usage: %s)",
			    r->command->usage);
			return -EINVAL;
		} else {
			if (out != i)
				memcpy(r->args[out], a, strlen(a) + 1);
			out++;
			continue;
		}
		if (have_limit) {
			ctlproto_err(err, errlen,
			    "history: --limit given twice");
			return -EINVAL;
		}
		if (ctlproto_limit(num, &r->history_limit) != 0) {
			ctlproto_err(err, errlen,
			    "history: --limit takes a number from 1 to %d",
			    CTLPROTO_HISTORY_MAX);
			return -EINVAL;
		}
		have_limit = true;
	}
	r->nargs = out;
	return 0;
}

/*
 * explain's TEXT, s[0..len) as written, into r->text unescaped: \n a
 * newline, \\ a backslash; a backslash before anything else is refused,
 * so that every text has one spelling.
 */
static int
ctlproto_unescape(const char *s, size_t len, struct ctlproto_request *r,
    char *err, size_t errlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\') {
			if (i + 1 < len && s[i + 1] == 'n')
				c = '\n';
			else if (i + 1 < len && s[i + 1] == '\\')
				c = '\\';
			else {
				ctlproto_err(err, errlen,
				    "explain: a backslash must be followed "
				    "by n or another backslash");
				return -EINVAL;
			}
			i++;
		}
		r->text[o++] = c;
	}
	r->text[o] = '\0';
	memcpy(r->args[0], s, len);
	r->args[0][len] = '\0';
	r->nargs = 1;
	return 0;
}

/* Split s[0..len) on blanks into r->args; counts words past ARGS_MAX. */
static void
ctlproto_split(const char *s, size_t len, struct ctlproto_request *r)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && ctlproto_blank(s[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !ctlproto_blank(s[i]))
			i++;
		if (r->nargs < CTLPROTO_ARGS_MAX) {
			memcpy(r->args[r->nargs], s + start, i - start);
			r->args[r->nargs][i - start] = '\0';
		}
		r->nargs++;
	}
}

static int
ctlproto_words(const char *line, size_t len, struct ctlproto_request *r,
    char *err, size_t errlen)
{
	const struct ctlproto_command *c;
	size_t i = 0, start;

	while (i < len && ctlproto_blank(line[i]))
		i++;
	if (i == len) {
		ctlproto_err(err, errlen, "empty request");
		return -EINVAL;
	}
	start = i;
	while (i < len && !ctlproto_blank(line[i]))
		i++;
	if ((c = ctlproto_lookup(line + start, i - start)) == NULL) {
		ctlproto_unknown(line + start, i - start, err, errlen);
		return -EINVAL;
	}
	r->command = c;
	if (c->cmd == CTLPROTO_EXPLAIN) {
		/* TEXT is everything after the one blank that ends the name. */
		if (i + 1 >= len)
			goto usage;
		return ctlproto_unescape(line + i + 1, len - i - 1, r, err,
		    errlen);
	}
	ctlproto_split(line + i, len - i, r);
	if (c->cmd == CTLPROTO_HISTORY && r->nargs <= CTLPROTO_ARGS_MAX &&
	    ctlproto_history(r, err, errlen) != 0)
		return -EINVAL;
	if (r->nargs < c->min_args || r->nargs > c->max_args)
		goto usage;
	return 0;
usage:
	ctlproto_err(err, errlen, "usage: %s", c->usage);
	return -EINVAL;
}

int
ctlproto_parse(const char *line, size_t len, struct ctlproto_request *ret,
    char *err, size_t errlen)
{
	struct ctlproto_request r;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0) {
		ctlproto_err(err, errlen, "empty request");
		return -EINVAL;
	}
	if ((rc = ctlproto_check_bytes(line, len, err, errlen)) != 0)
		return rc;
	memset(&r, 0, sizeof(r));
	r.history_limit = CTLPROTO_HISTORY_DEFAULT;
	if ((rc = ctlproto_words(line, len, &r, err, errlen)) != 0)
		return rc;
	*ret = r;
	return 0;
}

bool
ctlproto_allowed(const struct ctlproto_command *c, uid_t peer_uid,
    uid_t daemon_uid)
{
	if (c == NULL)
		return false;
	if (c->access == CTLPROTO_READ)
		return true;
	return peer_uid == 0 || peer_uid == daemon_uid;
}

void
ctlproto_refusal(const struct ctlproto_command *c, uid_t daemon_uid,
    char *buf, size_t len)
{
	const char *name = c != NULL ? c->name : "this command";

	if (len == 0)
		return;
	if (daemon_uid == 0)
		snprintf(buf, len, "%s needs root (uid 0)", name);
	else
		snprintf(buf, len,
		    "%s needs root or the daemon's own user (uid 0 or %lu)",
		    name, (unsigned long)daemon_uid);
}

int
ctlproto_escape_text(const char *text, size_t len, char *buf, size_t buflen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		char pair = 0;

		if (c == '\n')
			pair = 'n';
		else if (c == '\\')
			pair = '\\';
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			c = ' ';
		if (o + (pair != 0 ? 2 : 1) >= buflen)
			goto nospace;
		if (pair != 0) {
			buf[o++] = '\\';
			buf[o++] = pair;
		} else {
			buf[o++] = (char)c;
		}
	}
	if (o >= buflen || o > INT_MAX)
		goto nospace;
	buf[o] = '\0';
	return (int)o;
nospace:
	if (buflen > 0)
		buf[0] = '\0';
	return -ENOSPC;
}

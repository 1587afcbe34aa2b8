/* SPDX-License-Identifier: ISC */
/*
 * The control socket's request language (DESIGN §4): one line of text
 * parsed into a command and its arguments, the table every command comes
 * from, and who may run which. Pure: no I/O, no globals but const tables;
 * responses (JSON) are built elsewhere.
 */
#ifndef RBLMON_CTLPROTO_H
#define RBLMON_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Bytes of a request line, the newline and a trailing \r excluded: a
 * reader must take up to CTLPROTO_LINE_MAX + 1 bytes before the \n.
 */
#define CTLPROTO_LINE_MAX 1024
/* Arguments a request may carry. */
#define CTLPROTO_ARGS_MAX 4
/* The protocol version `version` and `status` report. */
#define CTLPROTO_VERSION 1
/* history --limit: the default and the range. */
#define CTLPROTO_HISTORY_DEFAULT 50
#define CTLPROTO_HISTORY_MAX 10000

/*
 * Write commands (check, sweep, reload) change what the daemon does and
 * are for uid 0 or the daemon's own uid only; read commands are open to
 * any peer that can connect.
 */
enum ctlproto_access { CTLPROTO_READ, CTLPROTO_WRITE };

/* DESIGN §3: the commands, in the order of the table. */
enum ctlproto_cmd {
	CTLPROTO_STATUS,
	CTLPROTO_TARGETS,
	CTLPROTO_ZONES,
	CTLPROTO_LISTED,
	CTLPROTO_SHOW,
	CTLPROTO_CHECK,
	CTLPROTO_HISTORY,
	CTLPROTO_SWEEP,
	CTLPROTO_RELOAD,
	CTLPROTO_METRICS,
	CTLPROTO_DIAGNOSE,
	CTLPROTO_EXPLAIN,
	CTLPROTO_VERSION_CMD,
	CTLPROTO_HELP,
	CTLPROTO_CMD_COUNT
};

struct ctlproto_command {
	const char *name; /* lower case, as typed */
	uint8_t cmd;	  /* enum ctlproto_cmd */
	/* Positional arguments; explain's TEXT counts as one. */
	uint8_t min_args, max_args;
	uint8_t access;	   /* enum ctlproto_access */
	const char *usage; /* "check TARGET [ZONE]" */
	const char *help;  /* one sentence, for `help` */
};

/*
 * The command table, one row per enum ctlproto_cmd in enum order (so
 * table[cmd].cmd == cmd). Sets *ret_n to its length; static storage.
 */
const struct ctlproto_command *ctlproto_commands(size_t *ret_n);

/* The row named name (name[0..len), case-sensitive), or NULL. */
const struct ctlproto_command *ctlproto_lookup(const char *name, size_t len);

struct ctlproto_request {
	const struct ctlproto_command *command;
	size_t nargs; /* positional arguments in args */
	/*
	 * NUL-terminated. For explain, args[0] is TEXT as it was written
	 * (escaped, one line: fit for a log line); history's --limit is not
	 * an argument.
	 */
	char args[CTLPROTO_ARGS_MAX][CTLPROTO_LINE_MAX + 1];
	/* history --limit N: 1..CTLPROTO_HISTORY_MAX, else the default. */
	unsigned history_limit;
	/*
	 * explain: TEXT unescaped (\n a newline, \\ a backslash), so that a
	 * multi-line bounce travels on one line; "" for other commands.
	 */
	char text[CTLPROTO_LINE_MAX + 1];
};

/*
 * Parse the request line[0..len) (without its newline; one trailing \r
 * is dropped). The line must be valid UTF-8 holding no NUL or control
 * byte other than tab; the command name is the first word, lower case;
 * arguments are split on blanks (spaces and tabs), except explain's
 * TEXT: the rest of the line after one blank, unescaped. Writes *ret
 * only on success. Returns 0, or -EINVAL with a short message in err
 * (errlen bytes, always valid UTF-8 and NUL-terminated; errlen 0 writes
 * nothing): "empty request", "unknown command \"x\" (try help)",
 * "usage: check TARGET [ZONE]", ...
 */
int ctlproto_parse(const char *line, size_t len, struct ctlproto_request *ret,
    char *err, size_t errlen);

/*
 * May a peer of peer_uid run c on a daemon running as daemon_uid? true
 * for read commands; write commands for uid 0 or daemon_uid only. false
 * for NULL.
 */
bool ctlproto_allowed(const struct ctlproto_command *c, uid_t peer_uid,
    uid_t daemon_uid);

/*
 * The error text for a refused write command, in buf (len bytes, always
 * NUL-terminated when len > 0): "check needs root or the daemon's own
 * user (uid 0 or 123)", or "check needs root (uid 0)" when the daemon
 * runs as root.
 */
void ctlproto_refusal(const struct ctlproto_command *c, uid_t daemon_uid,
    char *buf, size_t len);

/*
 * Escape text[0..len) for an explain request (the inverse of the parser's
 * unescaping): a newline becomes \n, a backslash \\, tab stays, any other
 * control byte (NUL and DEL included) becomes a blank; other bytes are
 * copied. Writes buf (buflen bytes) NUL-terminated. Returns the length
 * without the NUL, or -ENOSPC when it does not fit (buf is then "" if
 * buflen > 0). The caller checks that "explain " and the result fit in
 * CTLPROTO_LINE_MAX.
 */
int ctlproto_escape_text(const char *text, size_t len, char *buf,
    size_t buflen);

/*
 * Is s[0..len) valid UTF-8 (RFC 3629 §4): no overlong forms, no
 * surrogates, nothing above U+10FFFF, no truncated sequence?
 */
bool ctlproto_utf8_valid(const char *s, size_t len);

#endif

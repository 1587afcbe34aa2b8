/* SPDX-License-Identifier: ISC */
/*
 * rblmonctl's words: the request line built from its command line, one
 * answer line of the control socket decoded, the text printed for it
 * (aligned tables, UTC times, short durations), and the Nagios plugin's
 * verdict on a status answer. Pure: no I/O; the time is an argument.
 */
#ifndef RBLMON_CTLFMT_H
#define RBLMON_CTLFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t;
struct ctlproto_command;

/* Longest answer line taken (bytes, without the newline). */
#define CTLFMT_ANSWER_MAX (256u << 20)
/* Listings and zones a Nagios line names before "and N more". */
#define CTLFMT_NAGIOS_NAMES 3

/* The plugin states, which are also its exit codes. */
enum ctlfmt_nagios_state {
	CTLFMT_NAGIOS_OK,
	CTLFMT_NAGIOS_WARNING,
	CTLFMT_NAGIOS_CRITICAL,
	CTLFMT_NAGIOS_UNKNOWN
};

struct ctlfmt_nagios_limits {
	uint64_t warn, crit; /* standing listed pairs; 0 counts as 1 */
	/* Oldest cycle end allowed, seconds; < 0: 3 times interval_max. */
	int64_t max_age;
};

/*
 * The request line (without its newline) for the command words[0] and
 * its arguments words[1..n): joined with single spaces; for explain the
 * words after the name are joined, then escaped with
 * ctlproto_escape_text, so a multi-line argument travels on one line.
 * The line is checked as the daemon will check it (ctlproto_parse):
 * command name, arity, history's --limit, length, bytes. Writes buf
 * (buflen bytes, at least CTLPROTO_LINE_MAX + 1) and *ret_cmd (the
 * command's row) only on success. Returns 0, or -EINVAL with a message
 * in err (errlen bytes, NUL-terminated): "unknown command \"x\" (try
 * help)", "usage: show TARGET", "the request is longer than 1024
 * bytes", ...
 */
int ctlfmt_request(const char *const *words, size_t n, char *buf,
    size_t buflen, const struct ctlproto_command **ret_cmd, char *err,
    size_t errlen);

/*
 * The explain request for text[0..len) read as a whole (rblmonctl
 * explain -): newlines and blanks at its end are dropped, the rest is
 * escaped and checked as for ctlfmt_request. Returns 0, or -EINVAL with
 * a message in err ("explain: the text is 1500 bytes escaped; a request
 * holds 1016", an empty text, a text that is not UTF-8).
 */
int ctlfmt_explain_request(const char *text, size_t len, char *buf,
    size_t buflen, char *err, size_t errlen);

/*
 * Decode one answer line[0..len) (without its newline). It must be a JSON
 * object holding a boolean "ok". Writes *ret (a new reference, freed with
 * ctlfmt_answer_free) only on success. Returns 0, -EINVAL with a message
 * in err ("invalid JSON: ... at column 12", "the answer is not an
 * object", "the answer has no boolean \"ok\""), or -ENOMEM.
 */
int ctlfmt_decode(const char *line, size_t len, struct json_t **ret,
    char *err, size_t errlen);

/* Release an answer from ctlfmt_decode; NULL is fine. */
void ctlfmt_answer_free(struct json_t *answer);

/* Does answer say "ok": true? false for NULL and anything else. */
bool ctlfmt_ok(const struct json_t *answer);

/*
 * The text of a failed answer's "error", made safe for a terminal
 * (control characters as \xNN), or "the daemon gave no reason" when it
 * has none. Writes *ret_text (malloc'd, NUL-terminated) on success.
 * Returns 0 or -ENOMEM.
 */
int ctlfmt_error(const struct json_t *answer, char **ret_text);

/*
 * The human text for answer, the answer to the command cmd (enum
 * ctlproto_cmd): tables with aligned columns, times in UTC as
 * "2026-12-01 14:03Z", durations as "2h13m"; now (Unix seconds) says how
 * long ago a cycle ended. Every string from the answer has its control
 * characters escaped; a missing or wrong-typed field shows as "-";
 * unknown fields are ignored. The text ends with a newline. Writes
 * *ret_text (malloc'd) on success. Returns 0, -EINVAL for an unknown
 * cmd, or -ENOMEM.
 */
int ctlfmt_format(unsigned cmd, const struct json_t *answer, int64_t now,
    char **ret_text);

/*
 * The Nagios plugin's verdict on a status answer at now (Unix seconds).
 * listed, when not NULL, is an answer to listed, used only to name the
 * first listings. The rules (rblmonctl(8)): UNKNOWN for an error
 * answer, no finished cycle, or a last cycle that ended more than
 * max_age seconds before now; CRITICAL when status.listed >= crit;
 * WARNING when it is >= warn, or when a zone is not ok; OK otherwise.
 * Writes *ret_state and *ret_line ("RBLMON OK - nothing listed on 10
 * zones | listed=0;1;1;0 ...", malloc'd, without a newline) on success.
 * Returns 0 or -ENOMEM.
 */
int ctlfmt_nagios(const struct json_t *status, const struct json_t *listed,
    const struct ctlfmt_nagios_limits *lim, int64_t now,
    enum ctlfmt_nagios_state *ret_state, char **ret_line);

/*
 * Would the Nagios line for status name listings (an ok answer with
 * "listed" above 0)? Then an answer to listed is worth asking for.
 */
bool ctlfmt_nagios_names(const struct json_t *status);

/*
 * The UNKNOWN line for a check that got no answer to judge: "RBLMON
 * UNKNOWN - " and why (control characters escaped, '|' replaced), no
 * performance data. Writes *ret_line (malloc'd) on success. Returns 0
 * or -ENOMEM.
 */
int ctlfmt_nagios_unknown(const char *why, char **ret_line);

#endif

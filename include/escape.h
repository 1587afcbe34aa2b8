/* SPDX-License-Identifier: ISC */
/*
 * Making untrusted strings (TXT records, anything from DNS) safe to put in
 * a log line, a table, JSON or a hook's environment. Pure.
 */
#ifndef RBLMON_ESCAPE_H
#define RBLMON_ESCAPE_H

#include <stddef.h>

/* Longest escaped TXT text kept for a listing, without the NUL. */
#define ESCAPE_TXT_MAX 400

/*
 * Copy in[0..inlen) to out (outlen bytes, outlen >= 4), escaping every byte
 * outside printable ASCII as \xNN and a backslash or double quote with a
 * backslash. Never splits an escape; when the result does not fit it is cut
 * and ends in "...". Always NUL-terminates. Returns the length written.
 */
size_t escape_untrusted(const char *in, size_t inlen, char *out,
    size_t outlen);

/*
 * As escape_untrusted, but only bytes outside printable ASCII (control
 * bytes, DEL, bytes of 0x80 and above) become \xNN; printable ASCII,
 * backslashes and quotes included, is kept as it is. For messages that
 * quote what a user wrote (configuration errors): they must not carry a
 * terminal escape, yet should show the text as it was typed.
 */
size_t escape_control(const char *in, size_t inlen, char *out,
    size_t outlen);

#endif

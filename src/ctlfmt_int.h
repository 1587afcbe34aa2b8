/* SPDX-License-Identifier: ISC */
/*
 * Internal to rblmonctl's words (ctlfmt.c: each command's text;
 * ctlfmt_request.c: request lines and answer decoding; ctlfmt_nagios.c:
 * the Nagios verdict): the text buffer and the answer getters they share.
 * Not part of any other module's view.
 */
#ifndef RBLMON_CTLFMT_INT_H
#define RBLMON_CTLFMT_INT_H

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Text built up; after a failed allocation every append is a no-op. */
struct fbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static inline bool
fb_room(struct fbuf *b, size_t more)
{
	size_t want;
	char *np;

	if (b->failed)
		return false;
	if (b->cap > b->len && more < b->cap - b->len)
		return true;
	want = b->cap != 0 ? b->cap : 256;
	while (want - b->len <= more) {
		if (want > SIZE_MAX / 2)
			goto fail;
		want *= 2;
	}
	if ((np = realloc(b->p, want)) == NULL)
		goto fail;
	b->p = np;
	b->cap = want;
	return true;
fail:
	b->failed = true;
	return false;
}

/* Append s[0..n); the text stays NUL-terminated after it. */
static inline void
fb_add(struct fbuf *b, const char *s, size_t n)
{
	if (!fb_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void
fb_puts(struct fbuf *b, const char *s)
{
	fb_add(b, s, strlen(s));
}

static inline void __attribute__((format(printf, 2, 3)))
fb_printf(struct fbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!fb_room(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * Append s with every control character (C0, DEL, and C1 as U+0080 to
 * U+009F) written as \xNN, so that no answer can move a terminal's
 * cursor; a newline becomes nl instead when nl is not NULL. jansson
 * hands out valid UTF-8, which is kept.
 */
static inline void
fb_clean(struct fbuf *b, const char *s, const char *nl)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; p[i] != '\0'; i++) {
		size_t run = i;

		while (p[run] >= 0x20 && p[run] != 0x7f && !(p[run] == 0xc2 &&
		    p[run + 1] >= 0x80 && p[run + 1] <= 0x9f))
			run++;
		fb_add(b, s + i, run - i);
		if (p[run] == '\0')
			break;
		i = run;
		if (p[i] == '\n' && nl != NULL) {
			fb_puts(b, nl);
		} else if (p[i] == 0xc2) {
			fb_printf(b, "\\xc2\\x%02x", p[i + 1]);
			i++;
		} else {
			fb_printf(b, "\\x%02x", p[i]);
		}
	}
}

/* Hand the text over, or report the allocation that failed. */
static inline int
fb_finish(struct fbuf *b, char **ret)
{
	if (b->failed || !fb_room(b, 0)) {
		free(b->p);
		return -ENOMEM;
	}
	b->p[b->len] = '\0'; /* also when nothing was added */
	*ret = b->p;
	return 0;
}

/* NULL-safe access to an answer. */
static inline json_t *
get(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static inline const char *
str(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && s[0] != '\0' ? s : NULL;
}

static inline bool
integer(const json_t *v, int64_t *ret)
{
	double d;

	if (json_is_integer(v)) {
		*ret = (int64_t)json_integer_value(v);
		return true;
	}
	if (!json_is_real(v))
		return false;
	d = json_real_value(v);
	if (d != floor(d) || d < -9.0e15 || d > 9.0e15)
		return false;
	*ret = (int64_t)d;
	return true;
}

/*
 * jansson's json_is_* macros name their argument twice; these take it
 * once, so that a lookup can be their argument.
 */
static inline bool
is_true(const json_t *v)
{
	return json_is_true(v);
}

static inline bool
is_false(const json_t *v)
{
	return json_is_false(v);
}

static inline bool
is_number(const json_t *v)
{
	return json_is_number(v);
}

static inline bool
is_boolean(const json_t *v)
{
	return json_is_boolean(v);
}

/*
 * Seconds as the two largest units: "41s", "41.2s", "5m12s", "2h13m",
 * "3d4h"; a unit that is zero is left out ("30m", "1h"). Under a minute
 * tenths are kept when there are any.
 */
static inline void
fmt_dur(struct fbuf *b, double d)
{
	uint64_t s, hi, lo;
	const char *u1, *u2;

	if (!(d >= 0) || d >= 1.0e15) {
		fb_puts(b, "-");
		return;
	}
	if (d < 59.95) {
		if (d == floor(d))
			fb_printf(b, "%.0fs", d);
		else
			fb_printf(b, "%.1fs", d);
		return;
	}
	s = (uint64_t)(d + 0.5);
	if (s < 3600) {
		hi = s / 60, lo = s % 60, u1 = "m", u2 = "s";
	} else if (s < 86400) {
		hi = s / 3600, lo = s % 3600 / 60, u1 = "h", u2 = "m";
	} else {
		hi = s / 86400, lo = s % 86400 / 3600, u1 = "d", u2 = "h";
	}
	fb_printf(b, "%" PRIu64 "%s", hi, u1);
	if (lo != 0)
		fb_printf(b, "%" PRIu64 "%s", lo, u2);
}

#endif

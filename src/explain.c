/* SPDX-License-Identifier: ISC */
/*
 * The bounce decoder. The text is first normalised (reply codes and DSN
 * prefixes stripped, blanks collapsed, lower case, line joins marked so a
 * name wrapped across a continuation line can be rejoined), then cut into
 * tokens; phrases decide the kind, scored tokens give the address and zone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "explain.h"
#include "explain_int.h"
#include "zone.h"

/* Marks where two lines of the text were joined (a possible wrap). */
#define JOIN '\n'
/* Longest token looked at; longer ones are neither names nor addresses. */
#define TOKEN_MAX 256

struct token {
	size_t start, end; /* in the normalised text; end exclusive */
};

struct scan {
	char *low;	/* normalised, lower case */
	char *cased;	/* normalised, case kept */
	size_t n;
	char codes[160]; /* enhanced status codes the line prefixes carried */
	size_t ncodes;
	struct token *toks;
	size_t ntoks;
	const struct config *c;
};


/* -- characters and phrases -------------------------------------------- */

static bool
is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9');
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == JOIN;
}

/* A character of a name or an address. */
static bool
is_tokchar(char ch)
{
	return is_alnum(ch) || ch == '.' || ch == '-' || ch == '_' ||
	    ch == ':';
}

static char
lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/*
 * Does phrase (lower case) occur at s[i..n)? A blank in phrase matches
 * any blank; an alphanumeric edge of phrase must be a word edge in s.
 */
static bool
phrase_at(const char *s, size_t n, size_t i, const char *phrase)
{
	size_t p = strlen(phrase), j;

	if (p == 0 || i + p > n)
		return false;
	for (j = 0; j < p; j++) {
		if (phrase[j] == ' ' ? !is_blank(s[i + j]) :
		    s[i + j] != phrase[j])
			return false;
	}
	if (is_alnum(phrase[0]) && i > 0 && is_alnum(s[i - 1]))
		return false;
	if (is_alnum(phrase[p - 1]) && i + p < n && is_alnum(s[i + p]))
		return false;
	return true;
}

static bool
has_phrase_in(const char *s, size_t n, const char *phrase)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == phrase[0] && phrase_at(s, n, i, phrase))
			return true;
	return false;
}

/* In the text, or among the status codes its prefixes carried? */
static bool
has_phrase(const struct scan *st, const char *phrase)
{
	return has_phrase_in(st->low, st->n, phrase) ||
	    has_phrase_in(st->codes, st->ncodes, phrase);
}

/* Does the word start a word somewhere (a prefix of longer words too)? */
static bool
has_word_start(const struct scan *st, const char *word)
{
	size_t w = strlen(word);

	for (size_t i = 0; i + w <= st->n; i++)
		if ((i == 0 || !is_alnum(st->low[i - 1])) &&
		    memcmp(st->low + i, word, w) == 0)
			return true;
	return false;
}

/* Skipped between a token and the words around it. */
static bool
is_around(char ch)
{
	return is_blank(ch) || ch == '[' || ch == ']' || ch == '(' ||
	    ch == ')' || ch == '<' || ch == '>' || ch == '"' || ch == '\'' ||
	    ch == ',' || ch == ':';
}

/* Do the words before position i (past brackets and blanks) end in phrase? */
static bool
before_is(const struct scan *st, size_t i, const char *phrase)
{
	size_t p = strlen(phrase);

	while (i > 0 && is_around(st->low[i - 1]))
		i--;
	return i >= p && phrase_at(st->low, st->n, i - p, phrase);
}

/* Does the text right before position i end in s (no skipping)? */
static bool
touches_before(const struct scan *st, size_t i, const char *s)
{
	size_t p = strlen(s);

	return i >= p && memcmp(st->low + i - p, s, p) == 0;
}

/* Do the words after position i (past brackets and blanks) start so? */
static bool
after_is(const struct scan *st, size_t i, const char *phrase)
{
	while (i < st->n && is_around(st->low[i]))
		i++;
	return phrase_at(st->low, st->n, i, phrase);
}

/* -- normalising ------------------------------------------------------- */

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Length of an enhanced status code "5.7.1" (RFC 3463) at s, or 0. */
static size_t
status_code_len(const char *s, const char *e)
{
	const char *p = s;
	int part;

	for (part = 0; part < 3; part++) {
		size_t d = 0;

		while (p < e && is_digit(*p) && d < 3) {
			p++;
			d++;
		}
		if (d == 0 || (part == 0 && d != 1))
			return 0;
		if (part < 2) {
			if (p >= e || *p != '.')
				return 0;
			p++;
		}
	}
	/* Exchange writes a range: "5.7.606-649". */
	if (p < e && *p == '-' && p + 1 < e && is_digit(p[1]))
		for (p++; p < e && is_digit(*p); p++)
			;
	if (p < e && !is_blank(*p))
		return 0;
	return (size_t)(p - s);
}

static void
note_code(struct scan *st, const char *s, size_t n)
{
	if (st->ncodes + n + 1 >= sizeof(st->codes))
		return;
	memcpy(st->codes + st->ncodes, s, n);
	st->ncodes += n;
	st->codes[st->ncodes++] = ' ';
}

static const char *
skip_blanks(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * Strip what a line starts with before its text: quoting, a DSN
 * "Diagnostic-Code: smtp;", "#", an SMTP reply code ("550-", "550 ") and
 * an enhanced status code. Returns where the text starts; *ret_strip says
 * whether a reply code was removed (the line continues a reply).
 */
static const char *
strip_prefix(struct scan *st, const char *p, const char *e, bool *ret_strip)
{
	static const char dc[] = "diagnostic-code:";
	const char *before;

	*ret_strip = false;
	do {
		before = p;
		p = skip_blanks(p, e);
		while (p < e && (*p == '>' || *p == '#'))
			p = skip_blanks(p + 1, e);
		if ((size_t)(e - p) >= sizeof(dc) - 1 &&
		    strncasecmp(p, dc, sizeof(dc) - 1) == 0) {
			const char *q;

			p = skip_blanks(p + sizeof(dc) - 1, e);
			for (q = p; q < e && is_alnum(*q); q++)
				;
			if (q < e && *q == ';')
				p = q + 1;
			p = skip_blanks(p, e);
		}
		if (e - p >= 3 && *p >= '2' && *p <= '5' && is_digit(p[1]) &&
		    is_digit(p[2]) &&
		    (e - p == 3 || p[3] == '-' || p[3] == ' ')) {
			size_t k;

			p = skip_blanks(p + (e - p == 3 ? 3 : 4), e);
			k = status_code_len(p, e);
			if (k > 0) {
				note_code(st, p, k);
				p += k;
			}
			*ret_strip = true;
		}
	} while (p != before);
	return p;
}

/* Append one character, collapsing blanks. */
static void
put(struct scan *st, char ch)
{
	if (is_blank(ch)) {
		if (st->n == 0)
			return;
		if (is_blank(st->cased[st->n - 1])) {
			/* A line join wins over the blank it replaces. */
			if (ch == JOIN)
				st->cased[st->n - 1] = JOIN;
			return;
		}
	}
	st->cased[st->n++] = ch;
}

/* One line, bytes [p, e), of the text. */
static void
normalise_line(struct scan *st, const char *p, const char *e, bool *first)
{
	bool folded = p < e && (*p == ' ' || *p == '\t'), strip;

	p = strip_prefix(st, p, e, &strip);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (p == e)
		return;
	if (!*first)
		put(st, folded && !strip ? ' ' : JOIN);
	*first = false;
	for (; p < e; p++) {
		unsigned char ch = (unsigned char)*p;

		put(st, ch < 0x20 || ch >= 0x7f ? ' ' : (char)ch);
	}
}

static int
normalise(struct scan *st, const char *text, size_t len)
{
	char *buf = malloc(len + 1), *low = malloc(len + 1);
	const char *p, *e, *end = text + len;
	bool first = true;

	st->cased = buf;
	st->low = low;
	if (buf == NULL || low == NULL)
		return -ENOMEM;
	/* CR, LF and CRLF end lines; NUL bytes read as blanks. */
	for (p = text; p < end; p = e + 1) {
		for (e = p; e < end && *e != '\n' && *e != '\r'; e++)
			;
		normalise_line(st, p, e, &first);
		if (e < end && *e == '\r' && e + 1 < end && e[1] == '\n')
			e++;
	}
	while (st->n > 0 && is_blank(st->cased[st->n - 1]))
		st->n--;
	for (size_t i = 0; i < st->n; i++)
		low[i] = lower(buf[i]);
	buf[st->n] = low[st->n] = '\0';
	return st->n == 0 ? -EINVAL : 0;
}

/* -- tokens ------------------------------------------------------------ */

/* The token's text without line joins, cut at TOKEN_MAX - 1. */
static size_t
token_text(const struct scan *st, size_t start, size_t end, char *buf)
{
	size_t k = 0;

	for (size_t i = start; i < end && k < TOKEN_MAX - 1; i++)
		if (st->low[i] != JOIN)
			buf[k++] = st->low[i];
	buf[k] = '\0';
	return k;
}

/* Drop what a sentence or a header adds after a name: ".", ":", "-". */
static void
trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ':' ||
	    s[n - 1] == '-'))
		s[--n] = '\0';
}

/* Parse an address token ("[IPv6:...]" allowed); usable as a target? */
static bool
parse_ip(const char *s, struct target *ret)
{
	char buf[TOKEN_MAX], err[64];
	struct target t;

	if (strncmp(s, "ipv6:", 5) == 0)
		s += 5;
	snprintf(buf, sizeof(buf), "%s", s);
	if (target_parse_ip(buf, &t, err, sizeof(err)) != 0) {
		size_t n = strlen(buf);

		while (n > 0 && (buf[n - 1] == '.' || buf[n - 1] == ':'))
			buf[--n] = '\0';
		if (target_parse_ip(buf, &t, err, sizeof(err)) != 0)
			return false;
	}
	if (t.kind == TARGET_IPV4) {
		/* 127/8 are the lists' answer codes, 0/8 nobody's. */
		if (t.u.addr[0] == 127 || t.u.addr[0] == 0)
			return false;
	} else {
		static const uint8_t zero[15];

		/* "::" and "::1" are no sender; nor is a bare "a:b::". */
		if (memcmp(t.u.addr, zero, 15) == 0 && t.u.addr[15] <= 1)
			return false;
		if (strchr(buf, '.') == NULL && strlen(buf) < 6)
			return false;
	}
	if (ret != NULL)
		*ret = t;
	return true;
}

/* A domain name: two labels or more, letters in the last one. */
static bool
is_name(const char *s)
{
	size_t n = strlen(s), label = 0;
	bool alpha = false, dots = false;

	if (n == 0 || n > TARGET_QNAME_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
			alpha = false;
			dots = true;
			continue;
		}
		if (!is_alnum(ch) && ch != '-' && ch != '_')
			return false;
		if (++label > 63)
			return false;
		if (!is_digit(ch))
			alpha = true;
	}
	return dots && label > 0 && alpha;
}

/* The configured zone of that name, or NULL. */
static const struct zone *
config_zone(const struct scan *st, const char *name)
{
	if (st->c == NULL)
		return NULL;
	for (size_t i = 0; i < st->c->nzones; i++)
		if (strcmp(st->c->zones[i].name, name) == 0)
			return &st->c->zones[i];
	return NULL;
}

/* 'i' or 'd' for a zone of the built-in table, else 0. */
static char
table_zone(const char *name)
{
	for (size_t i = 0; i < explain_nknown_zones; i++)
		if (strcmp(explain_known_zones[i].zone, name) == 0)
			return explain_known_zones[i].type;
	return 0;
}

static bool
is_known_zone(const struct scan *st, const char *s)
{
	char buf[TOKEN_MAX];

	snprintf(buf, sizeof(buf), "%s", s);
	trim(buf);
	return table_zone(buf) != 0 || config_zone(st, buf) != NULL;
}

/*
 * Is the token a, at a line join, continued by b (a wrapped name or
 * address)? Known zones and whole addresses decide first; otherwise a
 * dot or dash at the join, with the next line going on in lower case.
 */
static bool
joins(const struct scan *st, const struct token *a, const struct token *b)
{
	char ta[TOKEN_MAX], tj[TOKEN_MAX];
	size_t na = token_text(st, a->start, a->end, ta);
	char first = st->cased[b->start];

	token_text(st, a->start, b->end, tj);
	if (is_known_zone(st, ta))
		return false;
	if (is_known_zone(st, tj))
		return true;
	if (parse_ip(ta, NULL))
		return false;
	if (parse_ip(tj, NULL))
		return true;
	if (ta[na - 1] != '.' && ta[na - 1] != '-' && first != '.' &&
	    first != '-')
		return false;
	return (first >= 'a' && first <= 'z') || is_digit(first) ||
	    first == '.' || first == '-';
}

static int
tokenise(struct scan *st)
{
	size_t i = 0, max = st->n / 2 + 1;

	st->toks = calloc(max, sizeof(*st->toks));
	if (st->toks == NULL)
		return -ENOMEM;
	while (i < st->n) {
		struct token t;

		if (!is_tokchar(st->low[i])) {
			i++;
			continue;
		}
		t.start = i;
		while (i < st->n && is_tokchar(st->low[i]))
			i++;
		t.end = i;
		/* Rejoin across a line join while the pieces belong. */
		while (i + 1 < st->n && st->low[i] == JOIN &&
		    is_tokchar(st->low[i + 1])) {
			struct token next = { i + 1, i + 1 };

			while (next.end < st->n && is_tokchar(st->low[next.end]))
				next.end++;
			if (!joins(st, &t, &next))
				break;
			t.end = i = next.end;
		}
		st->toks[st->ntoks++] = t;
	}
	return 0;
}

/* -- the zone ---------------------------------------------------------- */

/* A label that says "blocklist". */
static bool
has_dnsbl_word(const char *name)
{
	const char *p = name;

	while (*p != '\0') {
		const char *e = strchr(p, '.');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		char label[64];

		snprintf(label, sizeof(label), "%.*s", (int)n, p);
		for (size_t i = 0; i < explain_ndnsbl_labels; i++)
			if (strcmp(label, explain_dnsbl_labels[i]) == 0)
				return true;
		for (size_t i = 0; i < explain_ndnsbl_parts; i++)
			if (strstr(label, explain_dnsbl_parts[i]) != NULL)
				return true;
		p += n;
		if (*p == '.')
			p++;
	}
	return false;
}

/* Is the token part of a URL or a mail address, or a server's name? */
static bool
in_url(const struct scan *st, const struct token *t)
{
	char prev = t->start > 0 ? st->low[t->start - 1] : ' ';
	char next = t->end < st->n ? st->low[t->end] : ' ';

	return prev == '/' || prev == '@' || prev == '?' || prev == '=' ||
	    next == '/' || next == '[' || next == '@';
}

/* How strongly the token names the zone; 0: not at all. */
static int
zone_score(const struct scan *st, const struct token *t, const char *name)
{
	static const char *const preceders[] = { "listed in", "listed on",
		"listed at", "listed by", "list at", "in", "on", "at", "by",
		"list" };

	if (!is_name(name) || in_url(st, t))
		return 0;
	if (config_zone(st, name) != NULL)
		return 4;
	if (table_zone(name) != 0)
		return 3;
	/* Postfix writes "blocked using %s" with the list's domain only. */
	if (before_is(st, t->start, "using"))
		return 2;
	if (!has_dnsbl_word(name))
		return 0;
	for (size_t i = 0; i < EXPLAIN_NELEM(preceders); i++)
		if (before_is(st, t->start, preceders[i]))
			return 2;
	return 0;
}

/* The zone the text names into ret (256 bytes), or "". */
static void
find_zone(const struct scan *st, char *ret)
{
	int best = 0;

	ret[0] = '\0';
	for (size_t i = 0; i < st->ntoks; i++) {
		char name[TOKEN_MAX];
		int s;

		token_text(st, st->toks[i].start, st->toks[i].end, name);
		trim(name);
		s = zone_score(st, &st->toks[i], name);
		if (s > best) {
			best = s;
			snprintf(ret, 256, "%s", name);
		}
	}
}

/* Does the zone list domains (rather than addresses)? */
static bool
zone_is_domain(const struct scan *st, const char *zone)
{
	const struct zone *z = config_zone(st, zone);
	static const char *const words[] = { "dbl", "rhsbl", "uribl", "surbl",
		"zrd" };

	if (z != NULL)
		return z->type == ZONE_DOMAIN;
	if (table_zone(zone) != 0)
		return table_zone(zone) == 'd';
	for (size_t i = 0; i < EXPLAIN_NELEM(words); i++)
		if (strstr(zone, words[i]) != NULL)
			return true;
	return false;
}

/* -- the target -------------------------------------------------------- */

/* Does a "listed" phrase follow position i? */
static bool
listing_follows(const struct scan *st, size_t i)
{
	static const char *const followers[] = { "is listed", "listed",
		"is in", "is blocked", "blocked", "is blacklisted",
		"blacklisted", "is on", "has been", "was", "is currently",
		"found on" };

	for (size_t k = 0; k < EXPLAIN_NELEM(followers); k++)
		if (after_is(st, i, followers[k]))
			return true;
	return false;
}

/* Is the token inside a URL whose path holds "returnc" (the resolver)? */
static bool
in_returnc_url(const struct scan *st, size_t i)
{
	size_t b = i;

	while (b > 0 && !is_blank(st->low[b - 1]))
		b--;
	for (size_t k = b; k + 7 <= i; k++)
		if (memcmp(st->low + k, "returnc", 7) == 0)
			return true;
	return false;
}

/*
 * Right after a server's name, as in "host mx.example.com[203.0.113.5]
 * said:" or Exim's "H=mx.example.com [203.0.113.5]"?
 */
static bool
after_server_name(const struct scan *st, size_t i)
{
	char name[TOKEN_MAX];
	size_t e, b;

	if (i == 0 || st->low[i - 1] != '[')
		return false;
	e = i - 1;
	if (e > 0 && is_blank(st->low[e - 1]))
		e--;
	for (b = e; b > 0 && is_tokchar(st->low[b - 1]); b--)
		;
	if (b == e)
		return false;
	token_text(st, b, e, name);
	trim(name);
	return is_name(name);
}

static int
ip_score(const struct scan *st, const struct token *t)
{
	static const char *const preceders[] = { "client host", "client",
		"sending ip", "ip address", "ip", "address", "from", "host",
		"sender" };
	int s = 1;

	for (size_t k = 0; k < EXPLAIN_NELEM(preceders); k++)
		if (before_is(st, t->start, preceders[k])) {
			s += 3;
			break;
		}
	if (listing_follows(st, t->end))
		s += 3;
	if (touches_before(st, t->start, "/ip/") ||
	    touches_before(st, t->start, "bl.shtml?") ||
	    touches_before(st, t->start, "ip="))
		s += 2;
	if (in_returnc_url(st, t->start))
		s -= 10;
	if (after_server_name(st, t->start))
		s -= 6;
	return s;
}

/* The address the text is about; true when one scored. */
static bool
find_ip(const struct scan *st, struct target *ret)
{
	int best = 0;
	bool found = false;

	for (size_t i = 0; i < st->ntoks; i++) {
		char text[TOKEN_MAX];
		struct target t;
		int s;

		token_text(st, st->toks[i].start, st->toks[i].end, text);
		if (!parse_ip(text, &t))
			continue;
		s = ip_score(st, &st->toks[i]);
		if (s > best) {
			best = s;
			*ret = t;
			found = true;
		}
	}
	return found;
}

/*
 * The listed domain of a domain list: the name before "is listed" or
 * "blocked using", the one in a ".../query/domain/NAME" link, or the
 * domain of a sender address. Allocates ret's domain.
 */
static int
find_domain(const struct scan *st, const char *zone, int min,
    struct target *ret)
{
	char best_name[TOKEN_MAX] = "", err[64];
	int best = 0, rc;

	for (size_t i = 0; i < st->ntoks; i++) {
		const struct token *t = &st->toks[i];
		char name[TOKEN_MAX];
		int s = 0;

		token_text(st, t->start, t->end, name);
		trim(name);
		if (!is_name(name) || strcmp(name, zone) == 0 ||
		    is_known_zone(st, name) || parse_ip(name, NULL))
			continue;
		if (touches_before(st, t->start, "/query/domain/"))
			s += 3;
		else if (t->start > 0 && st->low[t->start - 1] == '@')
			s += 1;
		else if (in_url(st, t))
			continue;
		if (listing_follows(st, t->end))
			s += 3;
		if (s > best) {
			best = s;
			snprintf(best_name, sizeof(best_name), "%s", name);
		}
	}
	if (best < min)
		return 0;
	rc = target_parse_domain(best_name, ret, err, sizeof(err));
	if (rc == -ENOMEM)
		return rc;
	return rc == 0 ? 1 : 0;
}

/* -- deciding ---------------------------------------------------------- */

static bool
any_phrase(const struct scan *st, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (has_phrase(st, list[i]))
			return true;
	return false;
}

/* A reputation marker: its index, or -1. */
static int
reputation_marker(const struct scan *st)
{
	for (size_t i = 0; i < explain_nreputation_phrases; i++)
		if (has_phrase(st, explain_reputation_phrases[i].phrase))
			return (int)i;
	return -1;
}

static const char *
reputation_owner(const struct scan *st, int marker)
{
	if (marker >= 0 && explain_reputation_phrases[marker].list != NULL)
		return explain_reputation_phrases[marker].list;
	for (size_t i = 0; i < explain_nreputation_owners; i++)
		if (has_word_start(st, explain_reputation_owners[i].word))
			return explain_reputation_owners[i].list;
	return "";
}

/* The DNSBL provider named, or -1. */
static int
dnsbl_vendor(const struct scan *st)
{
	for (size_t i = 0; i < explain_nvendors; i++)
		if (has_word_start(st, explain_vendors[i].word))
			return (int)i;
	return -1;
}

static enum explain_kind
decide(const struct scan *st, const char *zone, int vendor, int marker)
{
	if (any_phrase(st, explain_resolver_phrases, explain_nresolver_phrases))
		return EXPLAIN_RECEIVER_RESOLVER;
	/* URIBL and SURBL answer 127.0.0.1 to a resolver they refuse. */
	if ((strstr(zone, "uribl") != NULL || strstr(zone, "surbl") != NULL) &&
	    has_phrase(st, "127.0.0.1"))
		return EXPLAIN_RECEIVER_RESOLVER;
	if (zone[0] != '\0')
		return EXPLAIN_LISTED;
	/* A public list's provider wins over words like "poor reputation". */
	if (marker >= 0 && (explain_reputation_phrases[marker].list != NULL ||
	    vendor < 0))
		return EXPLAIN_REPUTATION;
	if (vendor >= 0 ||
	    any_phrase(st, explain_listing_phrases, explain_nlisting_phrases))
		return EXPLAIN_LISTED;
	if (has_phrase(st, "reputation"))
		return EXPLAIN_REPUTATION;
	return EXPLAIN_NOT_BLACKLIST;
}

/* The explanation, cut to its buffer when a zone name is very long. */
static void say(struct explain_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct explain_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->explanation, sizeof(r->explanation), fmt, ap);
	va_end(ap);
}

static void
explain_sentence(const struct scan *st, struct explain_result *r)
{
	char who[TARGET_TEXT_MAX] = "the sender", where[320];

	if (r->have_target)
		target_format(&r->target, who, sizeof(who));
	if (r->zone[0] != '\0')
		snprintf(where, sizeof(where), "the DNS blacklist %s", r->zone);
	else if (r->list[0] != '\0')
		snprintf(where, sizeof(where), "%s's DNS blacklist", r->list);
	else
		snprintf(where, sizeof(where), "a DNS blacklist");
	switch (r->kind) {
	case EXPLAIN_LISTED:
		say(r, "The receiver refused the mail because %s is listed on %s. "
		    "Look it up on the list's site, fix what got it listed "
		    "and request removal; then check it again.", who, where);
		break;
	case EXPLAIN_RECEIVER_RESOLVER:
		say(r, "%c%s refused the receiving server's own DNS resolver (an "
		    "open or public resolver, or too many queries), so this "
		    "says nothing about %s. Nothing is wrong with the sender: "
		    "the receiver's postmaster must use a resolver of their "
		    "own or a registered key.", where[0] == 'a' ? 'A' : 'T',
		    where + 1, who);
		break;
	case EXPLAIN_REPUTATION:
		say(r, "The receiver's own reputation system%s%s%s refused mail "
		    "from %s; no public DNS blacklist is involved. Follow the "
		    "receiver's postmaster pages (its sender support or "
		    "delisting form) and check sending volume, complaints and "
		    "authentication.", r->list[0] != '\0' ? " (" : "", r->list,
		    r->list[0] != '\0' ? ")" : "", who);
		break;
	default: {
		const char *what = "read the receiver's reason in the text";

		for (size_t i = 0; i < explain_nother_reasons; i++)
			if (has_phrase(st, explain_other_reasons[i].phrase)) {
				what = explain_other_reasons[i].what;
				break;
			}
		say(r, "This is not a blacklist rejection: %s.", what);
		break;
	}
	}
}

/* Address, zone and provider for a decided kind. */
static int
fill(const struct scan *st, int vendor, int marker, struct explain_result *r)
{
	bool domain_list;
	int rc;

	if (r->kind == EXPLAIN_REPUTATION) {
		r->zone[0] = '\0';
		snprintf(r->list, sizeof(r->list), "%s",
		    reputation_owner(st, marker));
	} else if (r->zone[0] == '\0' && vendor >= 0) {
		snprintf(r->list, sizeof(r->list), "%s",
		    explain_vendors[vendor].list);
		snprintf(r->zone, sizeof(r->zone), "%s",
		    explain_vendors[vendor].zone);
	}
	domain_list = r->kind != EXPLAIN_REPUTATION &&
	    ((r->zone[0] != '\0' && zone_is_domain(st, r->zone)) ||
	    has_phrase(st, "query/domain") ||
	    (r->zone[0] == '\0' && vendor >= 0 &&
	    (strcmp(explain_vendors[vendor].list, "URIBL") == 0 ||
	    strcmp(explain_vendors[vendor].list, "SURBL") == 0)));
	if (domain_list) {
		rc = find_domain(st, r->zone, 1, &r->target);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			r->have_target = true;
			return 0;
		}
	}
	if (find_ip(st, &r->target)) {
		r->have_target = true;
		return 0;
	}
	if (r->kind == EXPLAIN_NOT_BLACKLIST)
		return 0;
	rc = find_domain(st, r->zone, 3, &r->target);
	if (rc < 0)
		return rc;
	r->have_target = rc > 0;
	return 0;
}

int
explain_text(const char *text, size_t len, const struct config *c,
    struct explain_result *ret)
{
	struct scan st;
	struct explain_result r;
	int rc, vendor, marker;

	if (text == NULL || len == 0 || len > EXPLAIN_TEXT_MAX)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	memset(&r, 0, sizeof(r));
	st.c = c;
	rc = normalise(&st, text, len);
	if (rc != 0)
		goto fail;
	rc = tokenise(&st);
	if (rc != 0)
		goto fail;
	find_zone(&st, r.zone);
	vendor = dnsbl_vendor(&st);
	marker = reputation_marker(&st);
	r.kind = (uint8_t)decide(&st, r.zone, vendor, marker);
	rc = fill(&st, vendor, marker, &r);
	if (rc != 0)
		goto fail;
	explain_sentence(&st, &r);
	*ret = r;
fail:
	free(st.toks);
	free(st.low);
	free(st.cased);
	return rc;
}

void
explain_clear(struct explain_result *r)
{
	if (r == NULL)
		return;
	if (r->have_target)
		target_clear(&r->target);
	memset(r, 0, sizeof(*r));
}

const char *
explain_kind_name(enum explain_kind k)
{
	switch (k) {
	case EXPLAIN_LISTED:
		return "listed";
	case EXPLAIN_RECEIVER_RESOLVER:
		return "receiver-resolver";
	case EXPLAIN_REPUTATION:
		return "reputation";
	case EXPLAIN_NOT_BLACKLIST:
		return "not-blacklist";
	}
	return "unknown";
}

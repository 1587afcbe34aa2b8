/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for metrics.c: escaping, name checks and values row by row,
 * whole documents read back by a small parser of the exposition grammar,
 * the dnsbl_exporter's six series as its collector declares them, and a
 * buffer that runs out of room.
 */
#include <check.h>

#include "unit.h"
#include <math.h>
#include <string.h>

#include "metrics.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* For loops of many checks: ck_assert_msg would record every pass. */
#define LOOP_CHECK(cond, ...) do {					\
		if (!(cond))						\
			ck_abort_msg(__VA_ARGS__);			\
	} while (0)

static const struct escape_row {
	const char *name;
	const char *value; /* a label value */
	const char *want;  /* the sample line */
} escape_rows[] = {
	{ "plain", "zen.spamhaus.org", "m{l=\"zen.spamhaus.org\"} 1\n" },
	{ "empty", "", "m{l=\"\"} 1\n" },
	{ "backslash", "a\\b", "m{l=\"a\\\\b\"} 1\n" },
	{ "double quote", "say \"hi\"", "m{l=\"say \\\"hi\\\"\"} 1\n" },
	{ "newline", "a\nb", "m{l=\"a\\nb\"} 1\n" },
	{ "all three at the ends", "\\\"\n", "m{l=\"\\\\\\\"\\n\"} 1\n" },
	{ "two backslashes", "\\\\", "m{l=\"\\\\\\\\\"} 1\n" },
	{ "tab and braces kept", "\t{},=", "m{l=\"\t{},=\"} 1\n" },
	{ "UTF-8 kept", "caf\xc3\xa9", "m{l=\"caf\xc3\xa9\"} 1\n" },
	{ "UTF-8 edges kept", "\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf"
	    "\xf0\x90\x80\x80\xe0\xa0\x80",
	    "m{l=\"\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf"
	    "\xf0\x90\x80\x80\xe0\xa0\x80\"} 1\n" },
};

START_TEST(test_escape_label)
{
	const struct escape_row *r = &escape_rows[_i];
	const char *labels[] = { "l", r->value, NULL };
	struct metrics_buf b;

	metrics_buf_init(&b);
	ck_assert_int_eq(metrics_sample(&b, "m", labels, 1), 0);
	ck_assert_msg(b.data != NULL && strcmp(b.data, r->want) == 0,
	    "%s: got \"%s\"", r->name, b.data);
	ck_assert_uint_eq(b.len, strlen(r->want));
	ck_assert(!b.failed);
	metrics_buf_clear(&b);
}
END_TEST

static const struct help_row {
	const char *name;
	const char *help;
	const char *want;
} help_rows[] = {
	{ "plain", "Zones configured",
	    "# HELP m Zones configured\n# TYPE m gauge\n" },
	{ "empty", "", "# HELP m \n# TYPE m gauge\n" },
	{ "NULL is empty", NULL, "# HELP m \n# TYPE m gauge\n" },
	{ "backslash", "C:\\x", "# HELP m C:\\\\x\n# TYPE m gauge\n" },
	{ "newline", "one\ntwo", "# HELP m one\\ntwo\n# TYPE m gauge\n" },
	{ "double quote kept", "say \"hi\"",
	    "# HELP m say \"hi\"\n# TYPE m gauge\n" },
	{ "trailing backslash", "x\\", "# HELP m x\\\\\n# TYPE m gauge\n" },
};

START_TEST(test_escape_help)
{
	const struct help_row *r = &help_rows[_i];
	struct metrics_buf b;

	metrics_buf_init(&b);
	ck_assert_int_eq(metrics_family(&b, "m", "gauge", r->help), 0);
	ck_assert_msg(b.data != NULL && strcmp(b.data, r->want) == 0,
	    "%s: got \"%s\"", r->name, b.data);
	metrics_buf_clear(&b);
}
END_TEST

static const struct name_row {
	const char *name;
	bool label;
	bool want;
} name_rows[] = {
	{ "rblmon_listed", false, true },
	{ "_x", false, true },
	{ ":x", false, true },
	{ "a:b_c9", false, true },
	{ "A", false, true },
	{ "x9", true, true },
	{ "_", true, true },
	{ "__name__", true, true },
	{ "", false, false },
	{ "", true, false },
	{ NULL, false, false },
	{ NULL, true, false },
	{ "9x", false, false },
	{ "9x", true, false },
	{ "a:b", true, false },
	{ ":x", true, false },
	{ "a-b", false, false },
	{ "a.b", false, false },
	{ "a b", false, false },
	{ "a{", false, false },
	{ "caf\xc3\xa9", false, false },
	{ "x\n", true, false },
};

START_TEST(test_name_valid)
{
	const struct name_row *r = &name_rows[_i];

	ck_assert_msg(metrics_name_valid(r->name, r->label) == r->want,
	    "\"%s\" (%s) should be %s", r->name ? r->name : "(null)",
	    r->label ? "label" : "metric", r->want ? "valid" : "invalid");
}
END_TEST

static const struct value_row {
	const char *name;
	double v;
	const char *want;
} value_rows[] = {
	{ "zero", 0.0, "0" },
	{ "minus zero", -0.0, "0" },
	{ "one", 1.0, "1" },
	{ "minus one", -1.0, "-1" },
	{ "a count", 250000.0, "250000" },
	{ "a Unix time", 1700000000.0, "1700000000" },
	{ "2^53 - 1 as an integer", 9007199254740991.0, "9007199254740991" },
	{ "-(2^53 - 1) as an integer", -9007199254740991.0,
	    "-9007199254740991" },
	{ "2^53 by %g", 9007199254740992.0, "9007199254740992" },
	{ "2^60 by %g, not as an integer", 1152921504606846976.0,
	    "1.152921504606847e+18" },
	{ "1e17 by %g", 1e17, "1e+17" },
	{ "2^64 by %g", 18446744073709551616.0, "1.8446744073709552e+19" },
	{ "1e20", 1e20, "1e+20" },
	{ "-1e300", -1e300, "-1e+300" },
	{ "a half", 0.5, "0.5" },
	{ "a tenth, shortest", 0.1, "0.1" },
	{ "0.41 s", 0.41, "0.41" },
	{ "needs 17 digits", 0.30000000000000004, "0.30000000000000004" },
	{ "a third", 1.0 / 3.0, "0.3333333333333333" },
	{ "small", 1e-300, "1e-300" },
	{ "denormal", 4.9406564584124654e-324, "5e-324" },
	{ "negative fraction", -2.5, "-2.5" },
	{ "NaN", NAN, "NaN" },
	{ "+Inf", INFINITY, "+Inf" },
	{ "-Inf", -INFINITY, "-Inf" },
};

START_TEST(test_value)
{
	const struct value_row *r = &value_rows[_i];
	char out[METRICS_VALUE_MAX], line[64];
	struct metrics_buf b;
	size_t n = metrics_value_format(r->v, out);

	ck_assert_msg(strcmp(out, r->want) == 0, "%s: got %s, want %s",
	    r->name, out, r->want);
	ck_assert_uint_eq(n, strlen(r->want));
	/* What is written must read back as the same value. */
	if (!isnan(r->v))
		ck_assert_msg(strtod(out, NULL) == r->v, "%s: %s reads back "
		    "differently", r->name, out);
	/* And a sample carries it unchanged. */
	metrics_buf_init(&b);
	ck_assert_int_eq(metrics_sample(&b, "m", NULL, r->v), 0);
	snprintf(line, sizeof(line), "m %s\n", r->want);
	ck_assert_str_eq(b.data, line);
	metrics_buf_clear(&b);
}
END_TEST

/* Samples that must be skipped without touching the buffer. */
static const struct skip_row {
	const char *name;
	const char *metric;
	const char *labels[6]; /* NULL-terminated by the zeros after */
} skip_rows[] = {
	{ "metric name starts with a digit", "1m", { "a", "1" } },
	{ "metric name with a dash", "m-x", { NULL } },
	{ "metric name NULL", NULL, { NULL } },
	{ "metric name empty", "", { NULL } },
	{ "label named twice", "m", { "a", "1", "a", "2" } },
	{ "label name with a colon", "m", { "a:b", "1" } },
	{ "label value NULL", "m", { "a", "1", "b" } },
	{ "label name empty", "m", { "", "1" } },
	{ "value in Latin-1", "m", { "a", "caf\xe9" } },
	{ "lone continuation byte", "m", { "a", "\x80" } },
	{ "sequence cut short", "m", { "a", "\xc3" } },
	{ "overlong slash", "m", { "a", "\xc0\xaf" } },
	{ "overlong in three bytes", "m", { "a", "\xe0\x80\xaf" } },
	{ "overlong in four bytes", "m", { "a", "\xf0\x8f\xbf\xbf" } },
	{ "UTF-16 surrogate", "m", { "a", "\xed\xa0\x80" } },
	{ "past U+10FFFF", "m", { "a", "\xf4\x90\x80\x80" } },
	{ "lead byte 0xf5", "m", { "a", "\xf5\x80\x80\x80" } },
};

START_TEST(test_skip)
{
	const struct skip_row *r = &skip_rows[_i];
	struct metrics_buf b;

	metrics_buf_init(&b);
	ck_assert_int_eq(metrics_sample(&b, "ok", NULL, 1), 0);
	ck_assert_msg(metrics_sample(&b, r->metric, r->labels, 2) == 1,
	    "%s: not skipped", r->name);
	ck_assert_msg(!b.failed, "%s: failed set", r->name);
	ck_assert_str_eq(b.data, "ok 1\n");
	metrics_buf_clear(&b);
}
END_TEST

static const struct family_row {
	const char *name;
	const char *metric, *type;
	int want;
} family_rows[] = {
	{ "gauge", "m", "gauge", 0 },
	{ "counter", "m_total", "counter", 0 },
	{ "untyped", "m", "untyped", 0 },
	{ "histogram", "m", "histogram", 0 },
	{ "summary", "m", "summary", 0 },
	{ "unknown type", "m", "gauges", 1 },
	{ "NULL type", "m", NULL, 1 },
	{ "bad name", "m.x", "gauge", 1 },
};

START_TEST(test_family)
{
	const struct family_row *r = &family_rows[_i];
	struct metrics_buf b;

	metrics_buf_init(&b);
	ck_assert_msg(metrics_family(&b, r->metric, r->type, "h") == r->want,
	    "%s", r->name);
	if (r->want == 0) {
		char text[128];

		snprintf(text, sizeof(text), "# HELP %s h\n# TYPE %s %s\n",
		    r->metric, r->metric, r->type);
		ck_assert_str_eq(b.data, text);
	} else {
		ck_assert_uint_eq(b.len, 0);
	}
	ck_assert(!b.failed);
	metrics_buf_clear(&b);
}
END_TEST

/*
 * A reader of the text format 0.0.4, strict where rblmon's output must
 * be: each line a HELP, a TYPE or a sample; a family's HELP then TYPE
 * right before its samples, each once; no family started twice.
 */
#define PARSED_MAX 256
#define LABELS_MAX 8

struct parsed_sample {
	char name[128];
	int nlabels;
	char key[LABELS_MAX][64];
	char val[LABELS_MAX][256];
	double value;
};

struct parsed_family {
	char name[128], type[16], help[256];
};

struct parsed {
	struct parsed_family fam[64];
	int nfam;
	struct parsed_sample s[PARSED_MAX];
	int ns;
};

/* A name at *p; its length, 0 when there is none. */
static size_t
scan_name(const char *p, bool label)
{
	char tmp[128];
	size_t n = 0;

	while (p[n] != '\0' && p[n] != ' ' && p[n] != '{' && p[n] != '=' &&
	    p[n] != '\n')
		n++;
	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	return metrics_name_valid(tmp, label) ? n : 0;
}

/* A quoted label value at *p (after the quote); NULL on bad escapes. */
static const char *
scan_value(const char *p, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *p != '"'; p++) {
		char c = *p;

		if (c == '\0' || c == '\n' || o + 1 >= outlen)
			return NULL;
		if (c == '\\') {
			p++;
			if (*p == 'n')
				c = '\n';
			else if (*p == '\\' || *p == '"')
				c = *p;
			else
				return NULL;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return p + 1;
}

static bool
scan_float(const char *p, size_t n, double *ret)
{
	char tmp[64], *end;

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (strcmp(tmp, "NaN") == 0 || strcmp(tmp, "+Inf") == 0 ||
	    strcmp(tmp, "-Inf") == 0) {
		*ret = strcmp(tmp, "NaN") == 0 ? NAN :
		    tmp[0] == '+' ? INFINITY : -INFINITY;
		return true;
	}
	/* strtod also reads "inf", "nan" and hex: the format does not. */
	for (size_t i = 0; i < n; i++)
		if (strchr("0123456789+-.eE", tmp[i]) == NULL)
			return false;
	*ret = strtod(tmp, &end);
	return *end == '\0';
}

static struct parsed_family *
find_family(struct parsed *ps, const char *name)
{
	for (int i = 0; i < ps->nfam; i++)
		if (strcmp(ps->fam[i].name, name) == 0)
			return &ps->fam[i];
	return NULL;
}

/* One sample line (without its newline) into ps; false when malformed. */
static bool
parse_sample(struct parsed *ps, const char *p, const char *end)
{
	struct parsed_sample *s = &ps->s[ps->ns];
	size_t n = scan_name(p, false);

	if (n == 0 || ps->ns >= PARSED_MAX)
		return false;
	memcpy(s->name, p, n);
	s->name[n] = '\0';
	s->nlabels = 0;
	p += n;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			if (s->nlabels > 0 && *p++ != ',')
				return false;
			n = scan_name(p, true);
			if (n == 0 || n >= 64 || s->nlabels >= LABELS_MAX)
				return false;
			memcpy(s->key[s->nlabels], p, n);
			s->key[s->nlabels][n] = '\0';
			for (int i = 0; i < s->nlabels; i++)
				if (strcmp(s->key[i], s->key[s->nlabels]) == 0)
					return false;
			p += n;
			if (p[0] != '=' || p[1] != '"')
				return false;
			p = scan_value(p + 2, s->val[s->nlabels], 256);
			if (p == NULL)
				return false;
			s->nlabels++;
		}
		p++;
	}
	if (*p++ != ' ' || !scan_float(p, (size_t)(end - p), &s->value))
		return false;
	ps->ns++;
	return true;
}

/*
 * Parse doc into ps; NULL when it is well formed, else what is wrong
 * (static text). A sample's family is its own name: rblmon writes no
 * histograms or summaries.
 */
static const char *
parse_doc(const char *doc, struct parsed *ps)
{
	const char *cur = NULL; /* the family whose samples may follow */
	bool want_type = false;

	memset(ps, 0, sizeof(*ps));
	if (*doc == '\0')
		return NULL;
	while (*doc != '\0') {
		const char *end = strchr(doc, '\n');
		char line[1024];
		size_t len;

		if (end == NULL)
			return "last line without a newline";
		len = (size_t)(end - doc);
		if (len >= sizeof(line))
			return "line too long";
		memcpy(line, doc, len);
		line[len] = '\0';
		doc = end + 1;
		if (strncmp(line, "# HELP ", 7) == 0) {
			struct parsed_family *f;
			size_t n = scan_name(line + 7, false);

			if (want_type)
				return "HELP after HELP";
			if (n == 0 || line[7 + n] != ' ')
				return "bad HELP line";
			if (ps->nfam >= 64)
				return "too many families";
			f = &ps->fam[ps->nfam];
			memcpy(f->name, line + 7, n);
			f->name[n] = '\0';
			if (find_family(ps, f->name) != NULL)
				return "family repeated";
			snprintf(f->help, sizeof(f->help), "%s", line + 8 + n);
			ps->nfam++;
			want_type = true;
			cur = NULL;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			struct parsed_family *f;
			size_t n;

			if (!want_type)
				return "TYPE without its HELP";
			f = &ps->fam[ps->nfam - 1];
			n = strlen(f->name);
			if (strncmp(line + 7, f->name, n) != 0 ||
			    line[7 + n] != ' ')
				return "TYPE not right after its HELP";
			snprintf(f->type, sizeof(f->type), "%s", line + 8 + n);
			if (strcmp(f->type, "gauge") != 0 &&
			    strcmp(f->type, "counter") != 0)
				return "unexpected type";
			want_type = false;
			cur = f->name;
		} else if (line[0] == '#') {
			return "a comment rblmon does not write";
		} else {
			if (!parse_sample(ps, line, line + len))
				return "malformed sample line";
			if (cur == NULL || strcmp(ps->s[ps->ns - 1].name, cur))
				return "sample outside its family";
		}
	}
	return want_type ? "HELP without TYPE at the end" : NULL;
}

/* The sample of name whose labels include k=v (k NULL: any); or NULL. */
static const struct parsed_sample *
find_sample(const struct parsed *ps, const char *name, const char *k,
    const char *v, const char *k2, const char *v2)
{
	for (int i = 0; i < ps->ns; i++) {
		const struct parsed_sample *s = &ps->s[i];
		int hits = 0;

		if (strcmp(s->name, name) != 0)
			continue;
		for (int j = 0; j < s->nlabels; j++)
			hits += (k != NULL && strcmp(s->key[j], k) == 0 &&
				    strcmp(s->val[j], v) == 0) +
			    (k2 != NULL && strcmp(s->key[j], k2) == 0 &&
				strcmp(s->val[j], v2) == 0);
		if (hits == (k != NULL) + (k2 != NULL))
			return s;
	}
	return NULL;
}

/* The parser itself must reject what it is there to catch. */
static const struct grammar_row {
	const char *name;
	const char *doc;
	bool ok;
} grammar_rows[] = {
	{ "empty", "", true },
	{ "one family", "# HELP a h\n# TYPE a gauge\na 1\na{x=\"y\"} 2\n",
	    true },
	{ "escapes", "# HELP a h\n# TYPE a gauge\na{x=\"\\\\\\\"\\n\"} 1\n",
	    true },
	{ "no TYPE", "# HELP a h\na 1\n", false },
	{ "no HELP", "# TYPE a gauge\na 1\n", false },
	{ "TYPE first", "# TYPE a gauge\n# HELP a h\na 1\n", false },
	{ "family twice",
	    "# HELP a h\n# TYPE a gauge\na 1\n# HELP b h\n# TYPE b gauge\n"
	    "b 1\n# HELP a h\n# TYPE a gauge\na 2\n",
	    false },
	{ "sample of another family",
	    "# HELP a h\n# TYPE a gauge\nb 1\n", false },
	{ "sample after its family ended",
	    "# HELP a h\n# TYPE a gauge\na 1\n# HELP b h\n# TYPE b gauge\n"
	    "a 1\n",
	    false },
	{ "no newline at the end", "# HELP a h\n# TYPE a gauge\na 1", false },
	{ "bad value", "# HELP a h\n# TYPE a gauge\na one\n", false },
	{ "lower-case inf", "# HELP a h\n# TYPE a gauge\na inf\n", false },
	{ "unquoted label", "# HELP a h\n# TYPE a gauge\na{x=y} 1\n", false },
	{ "bad escape", "# HELP a h\n# TYPE a gauge\na{x=\"\\t\"} 1\n",
	    false },
	{ "raw newline in a value",
	    "# HELP a h\n# TYPE a gauge\na{x=\"a\nb\"} 1\n", false },
	{ "label twice", "# HELP a h\n# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n",
	    false },
	{ "no space before the value", "# HELP a h\n# TYPE a gauge\na{}1\n",
	    false },
};

START_TEST(test_grammar)
{
	const struct grammar_row *r = &grammar_rows[_i];
	static struct parsed ps;
	const char *err = parse_doc(r->doc, &ps);

	ck_assert_msg((err == NULL) == r->ok, "%s: %s", r->name,
	    err != NULL ? err : "accepted");
}
END_TEST

/* Fixtures: two zones, three targets (one a domain, one a group's). */
static const char *const rbls[] = { "zen.spamhaus.org",
	"dbl.spamhaus.org" };

static const struct metrics_luzilla_pair luz_pairs[] = {
	{ 0, "192.0.2.25", "192.0.2.25", true, false },
	{ 0, "2001:db8::25", "2001:db8::25", false, true },
	{ 1, "", "example.com", false, false },
	{ 1, "127.0.1.2", "spam\"my\\.example", true, false },
};

static const struct metrics_luzilla luz = { rbls, 2, luz_pairs, 4, 3, 0.41 };

/* The collector's declarations (collector/collector.go), by hand. */
static const struct luzilla_row {
	const char *name, *type, *help;
	const char *labels; /* sorted, comma-separated; "" for none */
} luzilla_rows[] = {
	{ "luzilla_rbls_used", "gauge",
	    "The number of RBLs to check IPs against (configured via "
	    "rbls.ini)", "" },
	{ "luzilla_rbls_ips_blacklisted", "gauge", "Blacklisted IPs",
	    "hostname,ip,rbl" },
	{ "luzilla_rbls_errors", "gauge",
	    "Whether an error occurred while testing this target against the "
	    "RBL (1) or not (0)", "hostname,ip,rbl" },
	{ "luzilla_rbls_listed", "gauge",
	    "The number of listings in RBLs (this is bad)", "rbl" },
	{ "luzilla_rbls_targets", "gauge",
	    "The number of targets that are being probed (configured via "
	    "targets.ini or ?target=)", "" },
	{ "luzilla_rbls_duration", "gauge",
	    "The scrape's duration (in seconds)", "" },
};

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A sample's label names, sorted and joined by commas. */
static void
label_set(const struct parsed_sample *s, char *out, size_t outlen)
{
	char keys[LABELS_MAX][64];

	memcpy(keys, s->key, sizeof(keys));
	qsort(keys, (size_t)s->nlabels, sizeof(keys[0]), key_cmp);
	out[0] = '\0';
	for (int i = 0; i < s->nlabels; i++) {
		if (i > 0)
			strncat(out, ",", outlen - strlen(out) - 1);
		strncat(out, keys[i], outlen - strlen(out) - 1);
	}
}

/* The samples of name, each checked to carry exactly the label set. */
static int
count_samples(const struct parsed *ps, const char *name, const char *set)
{
	int n = 0;

	for (int i = 0; i < ps->ns; i++) {
		char got[256];

		if (strcmp(ps->s[i].name, name) != 0)
			continue;
		label_set(&ps->s[i], got, sizeof(got));
		ck_assert_msg(strcmp(got, set) == 0, "%s: labels %s", name,
		    got);
		n++;
	}
	return n;
}

START_TEST(test_luzilla_series)
{
	const struct luzilla_row *r = &luzilla_rows[_i];
	static struct parsed ps;
	const struct parsed_family *f;
	struct metrics_buf b;
	const char *err;
	int n;

	metrics_buf_init(&b);
	ck_assert_int_eq(metrics_render_luzilla(&b, &luz), 0);
	ck_assert(!b.failed);
	err = parse_doc(b.data, &ps);
	ck_assert_msg(err == NULL, "%s in:\n%s", err, b.data);
	ck_assert_int_eq(ps.nfam, NROWS(luzilla_rows));
	f = find_family(&ps, r->name);
	ck_assert_msg(f != NULL, "%s missing", r->name);
	ck_assert_str_eq(f->type, r->type);
	ck_assert_str_eq(f->help, r->help);
	n = count_samples(&ps, r->name, r->labels);
	ck_assert_int_gt(n, 0);
	metrics_buf_clear(&b);
}
END_TEST

/* The figures of the luzilla document, sample by sample. */
static const struct luzilla_value_row {
	const char *name;
	const char *k, *v, *k2, *v2;
	double want;
} luzilla_value_rows[] = {
	{ "luzilla_rbls_used", NULL, NULL, NULL, NULL, 2 },
	{ "luzilla_rbls_targets", NULL, NULL, NULL, NULL, 3 },
	{ "luzilla_rbls_duration", NULL, NULL, NULL, NULL, 0.41 },
	{ "luzilla_rbls_listed", "rbl", "zen.spamhaus.org", NULL, NULL, 1 },
	{ "luzilla_rbls_listed", "rbl", "dbl.spamhaus.org", NULL, NULL, 1 },
	{ "luzilla_rbls_ips_blacklisted", "ip", "192.0.2.25", "rbl",
	    "zen.spamhaus.org", 1 },
	{ "luzilla_rbls_errors", "ip", "192.0.2.25", "rbl",
	    "zen.spamhaus.org", 0 },
	{ "luzilla_rbls_ips_blacklisted", "hostname", "2001:db8::25", "rbl",
	    "zen.spamhaus.org", 0 },
	{ "luzilla_rbls_errors", "hostname", "2001:db8::25", "ip",
	    "2001:db8::25", 1 },
	{ "luzilla_rbls_ips_blacklisted", "hostname", "example.com", "ip", "",
	    0 },
	{ "luzilla_rbls_ips_blacklisted", "hostname", "spam\"my\\.example",
	    "ip", "127.0.1.2", 1 },
};

START_TEST(test_luzilla_values)
{
	const struct luzilla_value_row *r = &luzilla_value_rows[_i];
	static struct parsed ps;
	const struct parsed_sample *s;
	struct metrics_buf b;

	metrics_buf_init(&b);
	metrics_render_luzilla(&b, &luz);
	ck_assert_ptr_null(parse_doc(b.data, &ps));
	s = find_sample(&ps, r->name, r->k, r->v, r->k2, r->v2);
	ck_assert_msg(s != NULL, "%s %s=%s missing", r->name,
	    r->k ? r->k : "", r->v ? r->v : "");
	ck_assert_msg(s->value == r->want, "%s %s=%s: %g, want %g", r->name,
	    r->k ? r->k : "", r->v ? r->v : "", s->value, r->want);
	metrics_buf_clear(&b);
}
END_TEST

/* The whole document for one pair, as the exporter would write it. */
START_TEST(test_luzilla_text)
{
	static const char *const one[] = { "zen.spamhaus.org" };
	static const struct metrics_luzilla_pair p[] = {
		{ 0, "192.0.2.25", "192.0.2.25", true, false },
		{ 5, "192.0.2.26", "192.0.2.26", true, false },
	};
	const struct metrics_luzilla in = { one, 1, p, 1, 1, 1.5 };
	const struct metrics_luzilla bad = { one, 1, p, 2, 2, 1.5 };
	static const char want[] =
	    "# HELP luzilla_rbls_duration The scrape's duration (in "
	    "seconds)\n"
	    "# TYPE luzilla_rbls_duration gauge\n"
	    "luzilla_rbls_duration 1.5\n"
	    "# HELP luzilla_rbls_errors Whether an error occurred while "
	    "testing this target against the RBL (1) or not (0)\n"
	    "# TYPE luzilla_rbls_errors gauge\n"
	    "luzilla_rbls_errors{hostname=\"192.0.2.25\",ip=\"192.0.2.25\","
	    "rbl=\"zen.spamhaus.org\"} 0\n"
	    "# HELP luzilla_rbls_ips_blacklisted Blacklisted IPs\n"
	    "# TYPE luzilla_rbls_ips_blacklisted gauge\n"
	    "luzilla_rbls_ips_blacklisted{hostname=\"192.0.2.25\","
	    "ip=\"192.0.2.25\",rbl=\"zen.spamhaus.org\"} 1\n"
	    "# HELP luzilla_rbls_listed The number of listings in RBLs "
	    "(this is bad)\n"
	    "# TYPE luzilla_rbls_listed gauge\n"
	    "luzilla_rbls_listed{rbl=\"zen.spamhaus.org\"} 1\n"
	    "# HELP luzilla_rbls_targets The number of targets that are "
	    "being probed (configured via targets.ini or ?target=)\n"
	    "# TYPE luzilla_rbls_targets gauge\n"
	    "luzilla_rbls_targets 1\n"
	    "# HELP luzilla_rbls_used The number of RBLs to check IPs "
	    "against (configured via rbls.ini)\n"
	    "# TYPE luzilla_rbls_used gauge\n"
	    "luzilla_rbls_used 1\n";
	struct metrics_buf b, b2;

	metrics_buf_init(&b);
	ck_assert_int_eq(metrics_render_luzilla(&b, &in), 0);
	ck_assert_str_eq(b.data, want);
	/* A pair naming no rbl is skipped twice and counted nowhere. */
	metrics_buf_init(&b2);
	ck_assert_int_eq(metrics_render_luzilla(&b2, &bad), 2);
	ck_assert(!b2.failed);
	ck_assert_ptr_nonnull(strstr(b2.data, "luzilla_rbls_listed{rbl=\""
	    "zen.spamhaus.org\"} 1\n"));
	metrics_buf_clear(&b);
	metrics_buf_clear(&b2);
}
END_TEST

static const struct metrics_count zen_answers[] = {
	{ "clean", 5000 }, { "listed", 12 }, { "refused", 0 },
};
static const struct metrics_count zen_errors[] = {
	{ "timeout", 3 }, { "servfail", 1 },
};
static const struct metrics_zone zones[] = {
	{ .name = "zen.spamhaus.org", .state = HEALTH_OK,
	    .listed_targets = 1, .queries = 5016, .answers = zen_answers,
	    .nanswers = 3, .errors = zen_errors, .nerrors = 2,
	    .budget_used = 5016, .budget_limit = 250000, .cycled = true,
	    .cycle_seconds = 1799.25, .cycle_end = 1700000000 },
	{ .name = "dead.example", .state = HEALTH_DEAD, .queries = 4,
	    .budget_used = 4 },
};
static const struct metrics_listing listings[] = {
	{ "192.0.2.25", "mail-out", "zen.spamhaus.org", "127.0.0.4", "XBL" },
	{ "192.0.2.25", "mail-out", "zen.spamhaus.org", "127.0.0.2", "SBL" },
	{ "2001:db8::25", NULL, "zen.spamhaus.org", "127.0.0.3", NULL },
};
static const struct metrics_count alerts[] = {
	{ "listed", 2 }, { "zone-down", 1 },
};
static const struct metrics_native native = {
	zones, 2, listings, 3, 256, alerts, 2, 1,
};

/* rblmon_* as docs/metrics.md lists them: name, type, label names. */
static const struct native_row {
	const char *name, *type, *labels;
	int samples;
} native_rows[] = {
	{ "rblmon_targets", "gauge", "", 1 },
	{ "rblmon_zones", "gauge", "", 1 },
	{ "rblmon_listed", "gauge", "code,group,label,target,zone", 3 },
	{ "rblmon_zone_listed_targets", "gauge", "zone", 2 },
	{ "rblmon_zone_state", "gauge", "state,zone", 2 * 6 },
	{ "rblmon_queries_total", "counter", "zone", 2 },
	{ "rblmon_answers_total", "counter", "class,zone", 3 },
	{ "rblmon_errors_total", "counter", "reason,zone", 2 },
	{ "rblmon_budget_used", "gauge", "zone", 2 },
	{ "rblmon_budget_limit", "gauge", "zone", 1 },
	{ "rblmon_sweep_duration_seconds", "gauge", "zone", 1 },
	{ "rblmon_last_cycle_timestamp_seconds", "gauge", "zone", 1 },
	{ "rblmon_alerts_total", "counter", "event", 2 },
	{ "rblmon_hook_failures_total", "counter", "", 1 },
};

START_TEST(test_native_series)
{
	const struct native_row *r = &native_rows[_i];
	static struct parsed ps;
	const struct parsed_family *f;
	struct metrics_buf b;
	const char *err;
	int n;

	metrics_buf_init(&b);
	ck_assert_int_eq(metrics_render_native(&b, &native), 0);
	ck_assert(!b.failed);
	err = parse_doc(b.data, &ps);
	ck_assert_msg(err == NULL, "%s in:\n%s", err, b.data);
	ck_assert_int_eq(ps.nfam, NROWS(native_rows));
	f = find_family(&ps, r->name);
	ck_assert_msg(f != NULL, "%s missing", r->name);
	ck_assert_str_eq(f->type, r->type);
	ck_assert(strlen(f->help) > 0);
	ck_assert(strcmp(r->type, "counter") != 0 ||
	    strstr(r->name, "_total") != NULL);
	n = count_samples(&ps, r->name, r->labels);
	ck_assert_int_eq(n, r->samples);
	metrics_buf_clear(&b);
}
END_TEST

static const struct native_value_row {
	const char *name;
	const char *k, *v, *k2, *v2;
	double want; /* NAN: the sample must be absent */
} native_value_rows[] = {
	{ "rblmon_targets", NULL, NULL, NULL, NULL, 256 },
	{ "rblmon_zones", NULL, NULL, NULL, NULL, 2 },
	{ "rblmon_listed", "code", "127.0.0.4", "label", "XBL", 1 },
	{ "rblmon_listed", "target", "192.0.2.25", "group", "mail-out", 1 },
	{ "rblmon_listed", "target", "2001:db8::25", "group", "", 1 },
	{ "rblmon_listed", "code", "127.0.0.3", "label", "", 1 },
	{ "rblmon_zone_listed_targets", "zone", "zen.spamhaus.org", NULL,
	    NULL, 1 },
	{ "rblmon_zone_listed_targets", "zone", "dead.example", NULL, NULL,
	    0 },
	{ "rblmon_zone_state", "zone", "zen.spamhaus.org", "state", "ok", 1 },
	{ "rblmon_zone_state", "zone", "zen.spamhaus.org", "state", "dead",
	    0 },
	{ "rblmon_zone_state", "zone", "dead.example", "state", "dead", 1 },
	{ "rblmon_zone_state", "zone", "dead.example", "state", "ok", 0 },
	{ "rblmon_zone_state", "zone", "dead.example", "state", "lists-all",
	    0 },
	{ "rblmon_zone_state", "zone", "dead.example", "state", "unknown",
	    0 },
	{ "rblmon_queries_total", "zone", "zen.spamhaus.org", NULL, NULL,
	    5016 },
	{ "rblmon_answers_total", "zone", "zen.spamhaus.org", "class",
	    "clean", 5000 },
	{ "rblmon_answers_total", "zone", "zen.spamhaus.org", "class",
	    "refused", 0 },
	{ "rblmon_answers_total", "zone", "dead.example", NULL, NULL, NAN },
	{ "rblmon_errors_total", "zone", "zen.spamhaus.org", "reason",
	    "servfail", 1 },
	{ "rblmon_budget_used", "zone", "dead.example", NULL, NULL, 4 },
	{ "rblmon_budget_limit", "zone", "zen.spamhaus.org", NULL, NULL,
	    250000 },
	{ "rblmon_budget_limit", "zone", "dead.example", NULL, NULL, NAN },
	{ "rblmon_sweep_duration_seconds", "zone", "zen.spamhaus.org", NULL,
	    NULL, 1799.25 },
	{ "rblmon_sweep_duration_seconds", "zone", "dead.example", NULL, NULL,
	    NAN },
	{ "rblmon_last_cycle_timestamp_seconds", "zone", "zen.spamhaus.org",
	    NULL, NULL, 1700000000 },
	{ "rblmon_last_cycle_timestamp_seconds", "zone", "dead.example", NULL,
	    NULL, NAN },
	{ "rblmon_alerts_total", "event", "zone-down", NULL, NULL, 1 },
	{ "rblmon_hook_failures_total", NULL, NULL, NULL, NULL, 1 },
};

START_TEST(test_native_values)
{
	const struct native_value_row *r = &native_value_rows[_i];
	static struct parsed ps;
	const struct parsed_sample *s;
	struct metrics_buf b;

	metrics_buf_init(&b);
	metrics_render_native(&b, &native);
	ck_assert_ptr_null(parse_doc(b.data, &ps));
	s = find_sample(&ps, r->name, r->k, r->v, r->k2, r->v2);
	if (isnan(r->want)) {
		ck_assert_msg(s == NULL, "%s %s=%s present", r->name, r->k,
		    r->v);
	} else {
		ck_assert_msg(s != NULL, "%s %s=%s missing", r->name,
		    r->k ? r->k : "", r->v ? r->v : "");
		ck_assert_msg(s->value == r->want, "%s: %g, want %g",
		    r->name, s->value, r->want);
	}
	metrics_buf_clear(&b);
}
END_TEST

/* Both documents in one buffer, as the daemon serves them. */
START_TEST(test_both_documents)
{
	static struct parsed ps;
	struct metrics_buf b;

	metrics_buf_init(&b);
	ck_assert_int_eq(metrics_render_native(&b, &native), 0);
	ck_assert_int_eq(metrics_render_luzilla(&b, &luz), 0);
	ck_assert_ptr_null(parse_doc(b.data, &ps));
	ck_assert_int_eq(ps.nfam, NROWS(native_rows) + NROWS(luzilla_rows));
	ck_assert_uint_eq(b.len, strlen(b.data));
	metrics_buf_clear(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	metrics_buf_clear(NULL);
}
END_TEST

/*
 * A buffer bounded to max bytes: everything that fits is kept in whole
 * lines, the first line that does not sets failed, and nothing after it
 * is written even when it would fit.
 */
START_TEST(test_out_of_memory)
{
	static struct parsed ps;
	struct metrics_buf full, b;
	size_t max;

	metrics_buf_init(&full);
	metrics_render_native(&full, &native);
	ck_assert(!full.failed);
	for (max = 1; max <= full.len + 1; max++) {
		metrics_buf_init(&b);
		b.max = max;
		metrics_render_native(&b, &native);
		if (max == full.len + 1) {
			ck_assert_msg(!b.failed, "max %zu: failed", max);
			ck_assert_str_eq(b.data, full.data);
			metrics_buf_clear(&b);
			break;
		}
		LOOP_CHECK(b.failed, "max %zu: not failed", max);
		LOOP_CHECK(b.len < max, "max %zu: len %zu", max, b.len);
		LOOP_CHECK(b.cap <= max, "max %zu: cap %zu", max, b.cap);
		if (b.data != NULL) {
			/* A prefix of the full text ending after a line. */
			LOOP_CHECK(strncmp(b.data, full.data, b.len) == 0,
			    "max %zu: not a prefix", max);
			LOOP_CHECK(b.len == 0 || b.data[b.len - 1] == '\n',
			    "max %zu: cut inside a line", max);
			LOOP_CHECK(parse_doc(b.data, &ps) == NULL,
			    "max %zu: not a document", max);
		}
		/* Sticky: a tiny sample that fits is not written. */
		{
			size_t len = b.len;

			metrics_sample(&b, "x", NULL, 1);
			LOOP_CHECK(b.failed && b.len == len,
			    "max %zu: written after failing", max);
		}
		metrics_buf_clear(&b);
		LOOP_CHECK(!b.failed && b.max == max, "max %zu: clear", max);
	}
	/* A family is never cut between its HELP and its TYPE. */
	metrics_buf_init(&b);
	b.max = strlen("# HELP m h\n") + 4;
	metrics_family(&b, "m", "gauge", "h");
	ck_assert(b.failed);
	ck_assert(b.data == NULL || b.len == 0);
	metrics_buf_clear(&b);
	metrics_buf_clear(&full);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("format");
	TCase *doc = tcase_create("documents");

	tcase_add_loop_test(tc, test_escape_label, 0, NROWS(escape_rows));
	tcase_add_loop_test(tc, test_escape_help, 0, NROWS(help_rows));
	tcase_add_loop_test(tc, test_name_valid, 0, NROWS(name_rows));
	tcase_add_loop_test(tc, test_value, 0, NROWS(value_rows));
	tcase_add_loop_test(tc, test_skip, 0, NROWS(skip_rows));
	tcase_add_loop_test(tc, test_family, 0, NROWS(family_rows));
	tcase_add_loop_test(tc, test_grammar, 0, NROWS(grammar_rows));
	suite_add_tcase(s, tc);
	tcase_add_loop_test(doc, test_luzilla_series, 0, NROWS(luzilla_rows));
	tcase_add_loop_test(doc, test_luzilla_values, 0,
	    NROWS(luzilla_value_rows));
	tcase_add_test(doc, test_luzilla_text);
	tcase_add_loop_test(doc, test_native_series, 0, NROWS(native_rows));
	tcase_add_loop_test(doc, test_native_values, 0,
	    NROWS(native_value_rows));
	tcase_add_test(doc, test_both_documents);
	tcase_add_test(doc, test_out_of_memory);
	suite_add_tcase(s, doc);
	return s;
}

int
main(void)
{
	return unit_run(metrics_suite());
}

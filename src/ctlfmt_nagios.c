/* SPDX-License-Identifier: ISC */
/*
 * rblmonctl's Nagios plugin: the verdict on a status answer (UNKNOWN,
 * CRITICAL, WARNING or OK by the rules of rblmonctl(8)), its one line of
 * text naming the first listings and zones, and its performance data.
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "ctlfmt.h"
#include "ctlfmt_int.h"

/* What a Nagios verdict rests on, from a status answer. */
struct nagios_facts {
	int64_t listed, ended, age, max_age;
	uint64_t warn, crit;
};

static const char *const nagios_words[] = { "OK", "WARNING", "CRITICAL",
	"UNKNOWN" };

/* A name in the plugin's text: escaped, and no '|', which starts perfdata. */
static void
nag_name(struct fbuf *b, const char *s)
{
	size_t start = b->len;

	fb_clean(b, s, NULL);
	for (size_t i = start; !b->failed && i < b->len; i++)
		if (b->p[i] == '|')
			b->p[i] = '/';
}

/*
 * The facts, or false with why the answer cannot be judged: an error
 * answer, no finished cycle, a status without the figures the rules
 * need. The age of the cycle is judged by the caller.
 */
static bool
nag_facts(const json_t *s, const struct ctlfmt_nagios_limits *lim,
    int64_t now, struct nagios_facts *f, struct fbuf *why)
{
	json_t *cycle = get(s, "cycle"), *imax = get(s, "interval_max");
	char *e = NULL;

	if (!json_is_object(s)) {
		fb_puts(why, "no status answer");
		return false;
	}
	if (!ctlfmt_ok(s)) {
		fb_puts(why, "the daemon answered: ");
		if (ctlfmt_error(s, &e) != 0)
			why->failed = true;
		else
			nag_name(why, e);
		free(e);
		return false;
	}
	if (!integer(get(s, "listed"), &f->listed) || f->listed < 0) {
		fb_puts(why, "the status answer has no \"listed\"");
		return false;
	}
	if (json_is_null(cycle)) {
		fb_puts(why, "no cycle has finished yet");
		return false;
	}
	if (!integer(get(cycle, "ended"), &f->ended)) {
		fb_puts(why, "the status answer has no cycle end");
		return false;
	}
	if (lim->max_age >= 0) {
		f->max_age = lim->max_age;
	} else if (json_is_number(imax) && json_number_value(imax) > 0 &&
	    json_number_value(imax) < 1.0e15) {
		f->max_age = (int64_t)ceil(3 * json_number_value(imax));
	} else {
		fb_puts(why, "the status answer has no interval_max (give "
		    "--max-age)");
		return false;
	}
	f->age = now > f->ended ? now - f->ended : 0;
	f->warn = lim->warn != 0 ? lim->warn : 1;
	f->crit = lim->crit != 0 ? lim->crit : 1;
	return true;
}

/* Performance data as the plugin guidelines write it. */
static void
nag_perf(struct fbuf *b, const json_t *s, const struct nagios_facts *f)
{
	int64_t v, z;

	fb_printf(b, " | listed=%" PRId64 ";%" PRIu64 ";%" PRIu64 ";0",
	    f->listed, f->warn, f->crit);
	if (integer(get(s, "listed_targets"), &v))
		fb_printf(b, " listed_targets=%" PRId64 ";;;0", v);
	if (integer(get(s, "zones_ok"), &v)) {
		fb_printf(b, " zones_ok=%" PRId64 ";;;0", v);
		if (integer(get(s, "zones"), &z))
			fb_printf(b, ";%" PRId64, z);
	}
	if (integer(get(s, "errors"), &v))
		fb_printf(b, " errors=%" PRId64 ";;;0", v);
	fb_printf(b, " age=%" PRId64 "s;;%" PRId64 ";0", f->age, f->max_age);
}

/* "12 listings on 3 targets: a on z, b on z, c on z and 9 more". */
static void
nag_listings(struct fbuf *b, const json_t *s, const json_t *listed,
    int64_t n)
{
	json_t *arr = ctlfmt_ok(listed) ? get(listed, "listed") : NULL, *e;
	size_t i, shown = 0, total;
	int64_t t;

	fb_printf(b, "%" PRId64 " %s", n, n == 1 ? "listing" : "listings");
	if (integer(get(s, "listed_targets"), &t))
		fb_printf(b, " on %" PRId64 " %s", t, t == 1 ? "target" :
		    "targets");
	json_array_foreach(arr, i, e) {
		const char *tg = str(get(e, "target"));
		const char *z = str(get(e, "zone"));

		if (shown == CTLFMT_NAGIOS_NAMES)
			break;
		if (tg == NULL || z == NULL)
			continue;
		fb_puts(b, shown++ == 0 ? ": " : ", ");
		nag_name(b, tg);
		fb_puts(b, " on ");
		nag_name(b, z);
	}
	total = json_array_size(arr);
	if ((uint64_t)n > total)
		total = (size_t)n;
	if (shown > 0 && total > shown)
		fb_printf(b, " and %zu more", total - shown);
}

/* "; 2 zones not ok: a, b"; nothing when every zone is ok. */
static bool
nag_zones(struct fbuf *b, const json_t *not_ok)
{
	size_t i, n = 0, shown = 0;
	json_t *e;

	json_array_foreach(not_ok, i, e)
		n += str(e) != NULL;
	if (n == 0)
		return false;
	fb_printf(b, "; %zu %s not ok: ", n, n == 1 ? "zone" : "zones");
	json_array_foreach(not_ok, i, e) {
		if (str(e) == NULL)
			continue;
		if (shown == CTLFMT_NAGIOS_NAMES)
			break;
		fb_puts(b, shown++ == 0 ? "" : ", ");
		nag_name(b, str(e));
	}
	if (n > shown)
		fb_printf(b, " and %zu more", n - shown);
	return true;
}

int
ctlfmt_nagios(const json_t *status, const json_t *listed,
    const struct ctlfmt_nagios_limits *lim, int64_t now,
    enum ctlfmt_nagios_state *ret_state, char **ret_line)
{
	struct fbuf text = { 0 }, b = { 0 };
	struct nagios_facts f;
	enum ctlfmt_nagios_state st;
	int64_t z;
	bool not_ok;
	int rc;

	if (!nag_facts(status, lim, now, &f, &text)) {
		st = CTLFMT_NAGIOS_UNKNOWN;
		goto out;
	}
	if (f.age > f.max_age) {
		st = CTLFMT_NAGIOS_UNKNOWN;
		fb_puts(&text, "the last cycle ended ");
		fmt_dur(&text, (double)f.age);
		fb_printf(&text, " ago (%" PRId64 "s, more than the %" PRId64
		    "s allowed)", f.age, f.max_age);
		nag_perf(&text, status, &f);
		goto out;
	}
	if (f.listed > 0) {
		nag_listings(&text, status, listed, f.listed);
	} else {
		fb_puts(&text, "nothing listed");
		if (integer(get(status, "zones"), &z))
			fb_printf(&text, " on %" PRId64 " %s", z, z == 1 ?
			    "zone" : "zones");
	}
	not_ok = nag_zones(&text, get(status, "zones_not_ok"));
	if ((uint64_t)f.listed >= f.crit)
		st = CTLFMT_NAGIOS_CRITICAL;
	else if ((uint64_t)f.listed >= f.warn || not_ok)
		st = CTLFMT_NAGIOS_WARNING;
	else
		st = CTLFMT_NAGIOS_OK;
	nag_perf(&text, status, &f);
out:
	fb_printf(&b, "RBLMON %s - ", nagios_words[st]);
	if (text.p != NULL)
		fb_add(&b, text.p, text.len);
	b.failed |= text.failed;
	free(text.p);
	if ((rc = fb_finish(&b, ret_line)) == 0)
		*ret_state = st;
	return rc;
}

bool
ctlfmt_nagios_names(const json_t *status)
{
	int64_t n;

	return ctlfmt_ok(status) && integer(get(status, "listed"), &n) && n > 0;
}

int
ctlfmt_nagios_unknown(const char *why, char **ret_line)
{
	struct fbuf b = { 0 };

	fb_puts(&b, "RBLMON UNKNOWN - ");
	nag_name(&b, why != NULL ? why : "no answer");
	return fb_finish(&b, ret_line);
}

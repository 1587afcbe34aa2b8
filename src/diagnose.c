/* SPDX-License-Identifier: ISC */
/*
 * Why zones are not ok. Each zone's RFC 5782 §5 test points tell what
 * went wrong with it; what several zones share (the same refusal code,
 * NXDOMAIN for every positive point) says what went wrong with the
 * resolver in front of them, and what to do about it. Pure.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diagnose.h"
#include "health.h"
#include "target.h"
#include "zone.h"

/* Zone names spelled out in one evidence text before "and N more". */
#define DIAGNOSE_NAMES_SHOWN 4

static const struct {
	const char *name;
	const char *advice;
} causes[DIAGNOSE_CAUSE_COUNT] = {
	[DIAGNOSE_NONE] = { "none", "" },
	[DIAGNOSE_PUBLIC_RESOLVER] = { "public-resolver",
	    "the list refuses queries that come through public or shared "
	    "resolvers; point `nameservers` at your own recursive resolver" },
	[DIAGNOSE_OVER_QUOTA] = { "over-quota",
	    "the list's free-use query limit is used up; lower `max_qps`, "
	    "query through your own recursive resolver, or subscribe (e.g. "
	    "a Spamhaus DQS key)" },
	[DIAGNOSE_KEY_ERROR] = { "key-error",
	    "the list does not accept the access key or zone name asked; "
	    "check the key in the zone name against the provider's account" },
	[DIAGNOSE_NXDOMAIN_REWRITE] = { "nxdomain-rewrite",
	    "this resolver rewrites or invents answers (a filtering or "
	    "advertising resolver); point `nameservers` at your own "
	    "recursive resolver" },
	[DIAGNOSE_NXDOMAIN_ALL] = { "nxdomain-all",
	    "this resolver cannot reach the lists or is blocked by them; "
	    "point `nameservers` at your own recursive resolver" },
	[DIAGNOSE_UNREACHABLE] = { "unreachable",
	    "check that the resolver runs and can be reached (`nameservers`, "
	    "firewall rules, the network) and that it can reach the lists" },
	[DIAGNOSE_LISTS_ALL] = { "lists-all",
	    "the list answers every name as listed (retired, or its domain "
	    "taken over); remove it from the configuration" },
	[DIAGNOSE_OTHER] = { "other", "" },
};

/* Resolver error texts by what they say, first match wins. */
static const struct {
	const char *word;
	enum diagnose_outcome outcome;
} error_words[] = {
	{ "timeout", DIAGNOSE_TIMEOUT },
	{ "timed out", DIAGNOSE_TIMEOUT },
	{ "connection refused", DIAGNOSE_NO_SERVER },
	{ "no server", DIAGNOSE_NO_SERVER },
	{ "no nameserver", DIAGNOSE_NO_SERVER },
	{ "not listening", DIAGNOSE_NO_SERVER },
	{ "servfail", DIAGNOSE_REFUSED },
	{ "refused", DIAGNOSE_REFUSED },
	{ "unreachable", DIAGNOSE_NO_SERVER },
};

static enum diagnose_outcome
diagnose_error_outcome(const char *error)
{
	char low[128];
	size_t i;

	if (error == NULL)
		return DIAGNOSE_FAILED;
	for (i = 0; error[i] != '\0' && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)error[i]);
	low[i] = '\0';
	for (i = 0; i < sizeof(error_words) / sizeof(error_words[0]); i++)
		if (strstr(low, error_words[i].word) != NULL)
			return error_words[i].outcome;
	return DIAGNOSE_FAILED;
}

/* The code that decides the verdict: refused, then outside 127/8. */
static uint32_t
diagnose_telling_code(const struct zone *z, const struct answer *a)
{
	for (size_t i = 0; i < a->naddrs; i++)
		if (zone_code_refused(z, a->addrs[i]))
			return a->addrs[i];
	for (size_t i = 0; i < a->naddrs; i++)
		if (!code_is_loopback(a->addrs[i]))
			return a->addrs[i];
	for (size_t i = 0; i < a->naddrs; i++)
		if (zone_code_listed(z, a->addrs[i]))
			return a->addrs[i];
	return a->addrs[0];
}

void
diagnose_probe_record(const struct zone *z, const struct answer *a,
    enum verdict v, struct diagnose_probe *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->verdict = (uint8_t)v;
	switch (a->status) {
	case ANSWER_NXDOMAIN:
		ret->outcome = DIAGNOSE_NXDOMAIN;
		break;
	case ANSWER_RECORDS:
		if (a->naddrs > 0) {
			ret->outcome = DIAGNOSE_CODES;
			ret->code = diagnose_telling_code(z, a);
			break;
		}
		/* FALLTHROUGH */
	case ANSWER_NODATA:
		ret->outcome = DIAGNOSE_NODATA;
		break;
	default:
		ret->outcome = (uint8_t)diagnose_error_outcome(a->error);
		ret->error = a->error;
		break;
	}
}

static bool
diagnose_present(const struct diagnose_probe *p)
{
	return p->outcome == DIAGNOSE_CODES &&
	    (p->verdict == VERDICT_LISTED || p->verdict == VERDICT_IGNORED);
}

/* The test point that made the zone what it is: 0 positive, 1 negative. */
static int
diagnose_blame(const struct diagnose_zone *dz)
{
	const struct diagnose_probe *p = dz->probe;

	switch (dz->health) {
	case HEALTH_REFUSED:
		return p[0].verdict == VERDICT_REFUSED &&
		    p[0].outcome == DIAGNOSE_CODES ? 0 : 1;
	case HEALTH_BOGUS:
		return p[0].verdict == VERDICT_BOGUS &&
		    p[0].outcome == DIAGNOSE_CODES ? 0 : 1;
	case HEALTH_LISTS_ALL:
		return 1;
	default:
		/* Dead: the positive point is missing, else the negative. */
		return p[0].outcome != DIAGNOSE_NOT_PROBED &&
		    !diagnose_present(&p[0]) ? 0 : 1;
	}
}

static enum diagnose_cause
diagnose_refusal_cause(uint32_t code)
{
	/* Spamhaus' documented refusal codes, 127.255.255.250-255. */
	switch (code) {
	case 0x7ffffffe:
		return DIAGNOSE_PUBLIC_RESOLVER;
	case 0x7fffffff:
		return DIAGNOSE_OVER_QUOTA;
	case 0x7ffffffa:
	case 0x7ffffffb:
	case 0x7ffffffc:
		return DIAGNOSE_KEY_ERROR;
	default:
		/* URIBL's 127.0.0.1 and the like: most often the resolver. */
		return DIAGNOSE_PUBLIC_RESOLVER;
	}
}

enum diagnose_cause
diagnose_zone_cause(const struct diagnose_zone *dz)
{
	const struct diagnose_probe *p = &dz->probe[diagnose_blame(dz)];

	switch (dz->health) {
	case HEALTH_REFUSED:
		return diagnose_refusal_cause(p->code);
	case HEALTH_BOGUS:
		return DIAGNOSE_NXDOMAIN_REWRITE;
	case HEALTH_LISTS_ALL:
		return DIAGNOSE_LISTS_ALL;
	case HEALTH_DEAD:
		break;
	default:
		return DIAGNOSE_NONE;
	}
	switch (p->outcome) {
	case DIAGNOSE_NXDOMAIN:
	case DIAGNOSE_NODATA:
		return p == &dz->probe[0] ? DIAGNOSE_NXDOMAIN_ALL :
		    DIAGNOSE_OTHER;
	case DIAGNOSE_TIMEOUT:
	case DIAGNOSE_REFUSED:
	case DIAGNOSE_NO_SERVER:
		return DIAGNOSE_UNREACHABLE;
	default:
		return DIAGNOSE_OTHER;
	}
}

/* The text of zone z's positive or negative test point ("?" if none). */
static void
diagnose_point(const struct zone *z, bool positive, char *buf, size_t len)
{
	struct target t;

	if (!health_zone_point(z, positive, &t) ||
	    target_format(&t, buf, len) != 0)
		snprintf(buf, len, "?");
}

/* snprintf that appends at *n and never runs past len. */
static void __attribute__((format(printf, 4, 5)))
diagnose_add(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n >= len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	*n = (size_t)w >= len - *n ? len - 1 : *n + (size_t)w;
}

size_t
diagnose_zone_reason(const struct diagnose_zone *dz, char *buf, size_t len)
{
	int i = diagnose_blame(dz);
	const struct diagnose_probe *p = &dz->probe[i];
	char point[TARGET_TEXT_MAX], code[16];
	size_t n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	diagnose_point(dz->zone, i == 0, point, sizeof(point));
	code_format(p->code, code);
	switch (dz->health) {
	case HEALTH_REFUSED:
		diagnose_add(buf, len, &n, "test point %s answered the "
		    "refusal code %s", point, code);
		return n;
	case HEALTH_BOGUS:
		diagnose_add(buf, len, &n, "test point %s answered %s, outside "
		    "127/8", point, code);
		return n;
	case HEALTH_LISTS_ALL:
		diagnose_add(buf, len, &n, "test point %s is listed (%s)",
		    point, code);
		return n;
	case HEALTH_DEAD:
		break;
	default:
		return 0;
	}
	switch (p->outcome) {
	case DIAGNOSE_NXDOMAIN:
		diagnose_add(buf, len, &n, "test point %s answered NXDOMAIN",
		    point);
		break;
	case DIAGNOSE_NODATA:
		diagnose_add(buf, len, &n, "test point %s answered without an "
		    "A record", point);
		break;
	case DIAGNOSE_CODES:
		diagnose_add(buf, len, &n, "test point %s answered %s", point,
		    code);
		break;
	case DIAGNOSE_TIMEOUT:
		diagnose_add(buf, len, &n, "test point %s timed out", point);
		break;
	case DIAGNOSE_REFUSED:
		diagnose_add(buf, len, &n, "server refused (SERVFAIL/REFUSED)");
		break;
	case DIAGNOSE_NO_SERVER:
		diagnose_add(buf, len, &n, "no server listening");
		break;
	default:
		diagnose_add(buf, len, &n, "test point %s: %s", point,
		    p->error != NULL ? p->error : "not answered");
		break;
	}
	return n;
}

bool
diagnose_finding_has(const struct diagnose_finding *f,
    const struct diagnose_zone *dz)
{
	return f->cause != DIAGNOSE_NONE && f->cause != DIAGNOSE_OTHER &&
	    diagnose_zone_cause(dz) == f->cause;
}

/* Zones whose probes ran and decided their state. */
static bool
diagnose_probed(const struct diagnose_zone *dz)
{
	return dz->health != HEALTH_UNKNOWN &&
	    (dz->probe[0].outcome != DIAGNOSE_NOT_PROBED ||
	    dz->probe[1].outcome != DIAGNOSE_NOT_PROBED);
}

/*
 * What the zones of finding f have in common, for its evidence: the
 * blamed point's text, outcome and code when they all agree, else
 * "" / DIAGNOSE_NOT_PROBED / 0. Also writes who: "every list" when f
 * covers every probed zone (more than one), else their names.
 */
struct diagnose_common {
	char point[TARGET_TEXT_MAX];
	char code[16];
	uint8_t outcome;
	bool every;
	char who[DIAGNOSE_TEXT_MAX / 2];
};

static void
diagnose_common(const struct diagnose_zone *zones, size_t n,
    const struct diagnose_finding *f, size_t nprobed,
    struct diagnose_common *ret)
{
	size_t seen = 0, wn = 0;
	uint32_t code = 0;

	memset(ret, 0, sizeof(*ret));
	ret->every = f->nzones == nprobed && nprobed > 1;
	for (size_t i = 0; i < n; i++) {
		const struct diagnose_zone *dz = &zones[i];
		char point[TARGET_TEXT_MAX];
		int b = diagnose_blame(dz);

		if (!diagnose_finding_has(f, dz))
			continue;
		diagnose_point(dz->zone, b == 0, point, sizeof(point));
		if (seen == 0) {
			snprintf(ret->point, sizeof(ret->point), "%s", point);
			ret->outcome = dz->probe[b].outcome;
			code = dz->probe[b].code;
		} else {
			if (strcmp(ret->point, point) != 0)
				ret->point[0] = '\0';
			if (ret->outcome != dz->probe[b].outcome)
				ret->outcome = DIAGNOSE_NOT_PROBED;
			if (code != dz->probe[b].code)
				code = 0;
		}
		if (seen < DIAGNOSE_NAMES_SHOWN)
			diagnose_add(ret->who, sizeof(ret->who), &wn, "%s%s",
			    seen == 0 ? "" : seen + 1 == f->nzones ? " and " :
			    ", ", dz->zone->name);
		else if (seen == DIAGNOSE_NAMES_SHOWN)
			diagnose_add(ret->who, sizeof(ret->who), &wn,
			    " and %zu more", f->nzones - seen);
		seen++;
	}
	if (code != 0)
		code_format(code, ret->code);
	if (ret->every)
		snprintf(ret->who, sizeof(ret->who), "every list");
}

static void
diagnose_evidence_nxdomain(const struct diagnose_common *c,
    const char *servers, char *buf, size_t len)
{
	const char *what = c->outcome == DIAGNOSE_NXDOMAIN ? "NXDOMAIN" :
	    c->outcome == DIAGNOSE_NODATA ? "without an A record" :
	    "NXDOMAIN or without an A record";
	const char *point = c->point[0] != '\0' ? c->point : "positive";

	if (c->every)
		snprintf(buf, len, "every list's %s test point came back %s "
		    "through %s", point, what, servers);
	else
		snprintf(buf, len, "the %s test point of %s came back %s "
		    "through %s", point, c->who, what, servers);
}

static void
diagnose_evidence_unreachable(const struct diagnose_common *c,
    const char *servers, char *buf, size_t len)
{
	switch (c->outcome) {
	case DIAGNOSE_TIMEOUT:
		snprintf(buf, len, "test point queries for %s timed out "
		    "through %s", c->who, servers);
		break;
	case DIAGNOSE_REFUSED:
		snprintf(buf, len, "the server refused (SERVFAIL/REFUSED) the "
		    "test points of %s through %s", c->who, servers);
		break;
	case DIAGNOSE_NO_SERVER:
		snprintf(buf, len, "no server listening at %s for the test "
		    "points of %s", servers, c->who);
		break;
	default:
		snprintf(buf, len, "the test points of %s got no answer "
		    "through %s", c->who, servers);
		break;
	}
}

static void
diagnose_evidence(const struct diagnose_common *c, enum diagnose_cause cause,
    const char *servers, char *buf, size_t len)
{
	const char *code = c->code[0] != '\0' ? c->code : "codes";

	switch (cause) {
	case DIAGNOSE_PUBLIC_RESOLVER:
	case DIAGNOSE_OVER_QUOTA:
	case DIAGNOSE_KEY_ERROR:
		snprintf(buf, len, "%s answered the refusal code %s to a test "
		    "point through %s", c->who, code, servers);
		break;
	case DIAGNOSE_NXDOMAIN_REWRITE:
		snprintf(buf, len, "%s answered %s, outside 127/8, to a test "
		    "point through %s", c->who,
		    c->code[0] != '\0' ? c->code : "addresses", servers);
		break;
	case DIAGNOSE_NXDOMAIN_ALL:
		diagnose_evidence_nxdomain(c, servers, buf, len);
		break;
	case DIAGNOSE_UNREACHABLE:
		diagnose_evidence_unreachable(c, servers, buf, len);
		break;
	default:
		snprintf(buf, len, "%s listed the %s test point (%s)", c->who,
		    c->point[0] != '\0' ? c->point : "negative", code);
		break;
	}
}

/* Did any zone's positive test point answer as it should? */
static bool
diagnose_any_present(const struct diagnose_zone *zones, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (zones[i].health != HEALTH_UNKNOWN &&
		    diagnose_present(&zones[i].probe[0]))
			return true;
	return false;
}

size_t
diagnose_findings(const struct diagnose_zone *zones, size_t n,
    const char *servers, struct diagnose_finding *ret, size_t max)
{
	size_t count[DIAGNOSE_CAUSE_COUNT] = { 0 }, nprobed = 0, out = 0;
	struct diagnose_common c;

	for (size_t i = 0; i < n; i++) {
		count[diagnose_zone_cause(&zones[i])]++;
		nprobed += diagnose_probed(&zones[i]);
	}
	if (count[DIAGNOSE_NONE] == n && max > 0) {
		memset(&ret[0], 0, sizeof(ret[0]));
		ret[0].cause = DIAGNOSE_NONE;
		ret[0].advice = causes[DIAGNOSE_NONE].advice;
		snprintf(ret[0].evidence, sizeof(ret[0].evidence),
		    "no zone failed its test points");
		return 1;
	}
	/* A working positive point elsewhere: the resolver is not it. */
	if (diagnose_any_present(zones, n))
		count[DIAGNOSE_NXDOMAIN_ALL] = 0;
	for (int k = DIAGNOSE_PUBLIC_RESOLVER; k < DIAGNOSE_OTHER; k++) {
		struct diagnose_finding *f = &ret[out];

		if (count[k] == 0 || out == max)
			continue;
		memset(f, 0, sizeof(*f));
		f->cause = (uint8_t)k;
		f->nzones = count[k];
		f->advice = causes[k].advice;
		diagnose_common(zones, n, f, nprobed, &c);
		diagnose_evidence(&c, (enum diagnose_cause)k, servers,
		    f->evidence, sizeof(f->evidence));
		out++;
	}
	return out;
}

const char *
diagnose_cause_name(enum diagnose_cause c)
{
	return (unsigned)c < DIAGNOSE_CAUSE_COUNT ? causes[c].name : "other";
}

void
diagnose_servers(const char *servers, bool from_system, char *buf,
    size_t len)
{
	const char *p = servers != NULL ? servers : "";
	size_t n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (*p == '\0')
		diagnose_add(buf, len, &n, "the system resolver");
	while (*p != '\0') {
		size_t w = strcspn(p, ",");

		/* Port 53 goes without saying. */
		if (w > 3 && strncmp(p + w - 3, ":53", 3) == 0) {
			bool v6 = p[0] == '[';
			diagnose_add(buf, len, &n, "%s%.*s", n ? ", " : "",
			    (int)(w - 3 - (v6 ? 2 : 0)), p + (v6 ? 1 : 0));
		} else {
			diagnose_add(buf, len, &n, "%s%.*s", n ? ", " : "",
			    (int)w, p);
		}
		p += w;
		if (*p == ',')
			p++;
	}
	if (from_system)
		diagnose_add(buf, len, &n, " (/etc/resolv.conf)");
}

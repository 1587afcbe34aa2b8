/* SPDX-License-Identifier: ISC */
/*
 * The keys of each configuration section: [rblmond], [targets NAME] and
 * [zone NAME]. Every value is typed and range-checked, and a bad one is
 * reported with the file and line it came from.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "parse.h"

/* ---- [rblmond] ---- */

static void
loader_uint(struct loader *l, const char *name, const char *value,
    uint64_t min, uint64_t max, uint64_t *ret)
{
	int rc = parse_uint(value, min, max, ret);

	if (rc == -EINVAL)
		loader_fail(l, "%s: invalid number \"%s\" (expected a whole "
		    "number from %llu to %llu)", name, value,
		    (unsigned long long)min, (unsigned long long)max);
	else if (rc != 0)
		loader_fail(l, "%s: %s is out of range (%llu to %llu)", name,
		    value, (unsigned long long)min, (unsigned long long)max);
}

/* Split "host", "host:port" or "[v6]:port" into host and port text. */
static int
loader_split_server(const char *entry, char *host, size_t hostlen,
    const char **ret_port)
{
	const char *close, *colon = strchr(entry, ':');
	size_t n;

	*ret_port = NULL;
	if (entry[0] == '[') {
		if ((close = strchr(entry, ']')) == NULL)
			return -EINVAL;
		n = (size_t)(close - entry - 1);
		if (close[1] == ':')
			*ret_port = close + 2;
		else if (close[1] != '\0')
			return -EINVAL;
		entry++;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		/* One colon: IPv4:port. More: a bare IPv6 address. */
		n = (size_t)(colon - entry);
		*ret_port = colon + 1;
	} else {
		n = strlen(entry);
	}
	if (n >= hostlen)
		return -EINVAL;
	memcpy(host, entry, n);
	host[n] = '\0';
	return 0;
}

/* One nameserver, validated and appended to the CSV in canonical form. */
static void
loader_nameserver(struct loader *l, const char *entry)
{
	char host[TARGET_TEXT_MAX], text[TARGET_TEXT_MAX], out[300], err[128];
	const char *port;
	struct target t;
	uint64_t p = 53;
	size_t n;
	char *ns;

	if (loader_split_server(entry, host, sizeof(host), &port) != 0 ||
	    target_parse_ip(host, &t, err, sizeof(err)) != 0 ||
	    (entry[0] == '[' && t.kind != TARGET_IPV6) ||
	    (port != NULL && parse_uint(port, 1, 65535, &p) != 0) ||
	    target_format(&t, text, sizeof(text)) != 0) {
		loader_fail(l, "nameservers: invalid server \"%s\" (expected "
		    "IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT)", entry);
		return;
	}
	if (t.kind == TARGET_IPV6)
		snprintf(out, sizeof(out), "[%s]:%llu", text,
		    (unsigned long long)p);
	else
		snprintf(out, sizeof(out), "%s:%llu", text,
		    (unsigned long long)p);
	n = strlen(out);
	ns = realloc(l->ns, l->ns_len + n + 2);
	if (ns == NULL) {
		loader_oom(l);
		return;
	}
	l->ns = ns;
	if (l->ns_len > 0)
		ns[l->ns_len++] = ',';
	memcpy(ns + l->ns_len, out, n + 1);
	l->ns_len += n;
}

/* Comma- or space-separated servers; an empty value adds none. */
static void
loader_nameservers(struct loader *l, const char *value)
{
	char *buf = strdup(value), *save = NULL;

	if (buf == NULL) {
		loader_oom(l);
		return;
	}
	for (char *tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save))
		loader_nameserver(l, tok);
	free(buf);
}

static void
loader_timeout(struct loader *l, const char *value)
{
	uint64_t v;
	int rc;

	if (!loader_once(l, KEY_TIMEOUT, "timeout"))
		return;
	loader_key_at(l, &l->timeout_at);
	rc = parse_duration_ms(value, 100, 60000, &v);
	if (rc == -EINVAL)
		loader_fail(l, "timeout: invalid duration \"%s\" (use a number "
		    "with ms, s, m, h or d)", value);
	else if (rc != 0)
		loader_fail(l, "timeout: %s is out of range (100ms to 60s)",
		    value);
	else
		l->c->timeout_ms = (uint32_t)v;
}


/* Read another file here; it starts outside any section. */
static void
loader_include(struct loader *l, const char *value)
{
	struct loader saved = *l;
	char *copy, *path;

	if (value[0] == '\0') {
		loader_fail(l, "include: empty path (expected a file name)");
		return;
	}
	if (l->depth >= CONFIG_MAX_INCLUDE_DEPTH) {
		loader_fail(l, "include: nested more than %d deep (an include "
		    "loop?)", CONFIG_MAX_INCLUDE_DEPTH);
		return;
	}
	copy = strdup(l->file);
	path = malloc(strlen(l->file) + strlen(value) + 2);
	if (copy == NULL || path == NULL) {
		free(copy);
		free(path);
		loader_oom(l);
		return;
	}
	/* Relative to the including file's folder, not the cwd. */
	if (value[0] == '/')
		strcpy(path, value);
	else
		sprintf(path, "%s/%s", dirname(copy), value);
	free(copy);
	l->depth++;
	l->sec = SEC_NONE;
	l->seen = 0;
	loader_file(l, path);
	free(path);
	l->f = saved.f;
	l->file = saved.file;
	l->line = saved.line;
	l->depth = saved.depth;
	l->sec = saved.sec;
	l->zone = saved.zone;
	l->group = saved.group;
	l->seen = saved.seen;
}

void
loader_rblmond_key(struct loader *l, const char *name, const char *value)
{
	struct config *c = l->c;
	uint64_t v;

	if (strcmp(name, "nameservers") == 0) {
		loader_nameservers(l, value);
	} else if (strcmp(name, "timeout") == 0) {
		loader_timeout(l, value);
	} else if (strcmp(name, "tries") == 0) {
		v = c->tries;
		if (loader_once(l, KEY_TRIES, name)) {
			loader_key_at(l, &l->tries_at);
			loader_uint(l, name, value, 1, 10, &v);
		}
		c->tries = (uint32_t)v;
	} else if (strcmp(name, "max_inflight") == 0) {
		v = c->max_inflight;
		if (loader_once(l, KEY_MAX_INFLIGHT, name))
			loader_uint(l, name, value, 1, 4096, &v);
		c->max_inflight = (uint32_t)v;
	} else if (strcmp(name, "max_net_addresses") == 0) {
		if (loader_once(l, KEY_MAX_NET, name))
			loader_uint(l, name, value, 1, CONFIG_MAX_TARGETS,
			    &c->max_net_addresses);
	} else if (strcmp(name, "include") == 0) {
		loader_include(l, value);
	} else {
		loader_fail(l, "unknown key \"%s\" in [rblmond]", name);
	}
}

/* ---- [targets] ---- */

/* Takes t (and its domain) on success; on failure t is the caller's. */
int
loader_push_target(struct loader *l, const struct target *t, uint16_t group,
    size_t seq)
{
	struct config_target_seq *s;

	if (l->ntargets >= CONFIG_MAX_TARGETS) {
		loader_fail(l, "more than %u targets in all",
		    CONFIG_MAX_TARGETS);
		return -E2BIG;
	}
	if (loader_grow((void **)&l->targets, sizeof(*l->targets), l->ntargets,
	    &l->targets_cap) != 0) {
		loader_oom(l);
		return -ENOMEM;
	}
	s = &l->targets[l->ntargets++];
	s->t = *t;
	s->t.group = group;
	s->seq = seq;
	return 0;
}

static void
loader_net_line(struct loader *l, const char *value)
{
	char *text = strdup(value);

	if (text == NULL || loader_grow((void **)&l->nets, sizeof(*l->nets),
	    l->nnets, &l->nets_cap) != 0) {
		free(text);
		loader_oom(l);
		return;
	}
	l->nets[l->nnets++] = (struct config_net){ text, l->file, l->line,
		l->group, l->seq++ };
}

void
loader_targets_key(struct loader *l, const char *name, const char *value)
{
	struct target t;
	char err[256];

	if (strcmp(name, "ip") == 0) {
		if (target_parse_ip(value, &t, err, sizeof(err)) != 0)
			loader_fail(l, "ip: %s", err);
		else
			loader_push_target(l, &t, l->group, l->seq++);
	} else if (strcmp(name, "domain") == 0) {
		if (target_parse_domain(value, &t, err, sizeof(err)) != 0)
			loader_fail(l, "domain: %s", err);
		else if (loader_push_target(l, &t, l->group, l->seq++) != 0)
			target_clear(&t);
	} else if (strcmp(name, "net") == 0) {
		loader_net_line(l, value);
	} else if (l->group == 0) {
		loader_fail(l, "unknown key \"%s\" in [targets]", name);
	} else {
		loader_fail(l, "unknown key \"%s\" in [targets %s]", name,
		    l->c->groups[l->group]);
	}
}

/* ---- [zone NAME] ---- */

/*
 * listed and code items must lie inside 127.0.0.0/8: an answer outside it
 * is bogus, never a listing, so such an item could never match anything.
 */
static bool
loader_item_loopback(struct loader *l, const char *name, const char *text,
    const struct code_item *item)
{
	if (item->kind == CODE_MASK ||
	    (code_is_loopback(item->lo) && code_is_loopback(item->hi)))
		return true;
	loader_fail(l, "%s: \"%s\" is not inside 127.0.0.0/8 (an answer "
	    "outside it is bogus, never a listing)", name, text);
	return false;
}

static void
loader_code_items(struct loader *l, const char *name, const char *value,
    struct code_item **items, size_t *n)
{
	struct code_item item, *p;
	char err[256];

	if (code_item_parse(value, &item, err, sizeof(err)) != 0) {
		loader_fail(l, "%s: %s", name, err);
		return;
	}
	/* refused may name any address: it is checked first, never listed. */
	if (strcmp(name, "listed") == 0 &&
	    !loader_item_loopback(l, name, value, &item))
		return;
	p = realloc(*items, (*n + 1) * sizeof(**items));
	if (p == NULL) {
		loader_oom(l);
		return;
	}
	p[(*n)++] = item;
	*items = p;
}

/* Labels reach syslog lines and JSON: printable, no quoting needed. */
static bool
loader_label_ok(const char *label)
{
	for (const char *s = label; *s != '\0'; s++)
		if (!isprint((unsigned char)*s) || *s == '"' || *s == '\\')
			return false;
	return true;
}

/* "CODEITEM LABEL": the label is the rest of the value. */
static void
loader_code_label(struct loader *l, struct zone *z, const char *value)
{
	char *buf = strdup(value), *label;
	size_t n = strcspn(value, " \t");
	struct code_item item;
	struct code_label *p;
	char err[256];

	if (buf == NULL) {
		loader_oom(l);
		return;
	}
	buf[n] = '\0';
	label = value[n] != '\0' ? loader_trim(buf + n + 1) : buf + n;
	if (code_item_parse(buf, &item, err, sizeof(err)) != 0) {
		loader_fail(l, "code: %s", err);
	} else if (!loader_item_loopback(l, "code", buf, &item)) {
		/* reported */
	} else if (*label == '\0') {
		loader_fail(l, "code: \"%s\" has no label (expected \"CODE "
		    "LABEL\", e.g. \"127.0.0.4-127.0.0.7 XBL\")", value);
	} else if (!loader_label_ok(label)) {
		loader_fail(l, "code: label \"%s\" may hold printable "
		    "characters only, no quotes or backslashes", label);
	} else {
		p = realloc(z->labels, (z->nlabels + 1) * sizeof(*z->labels));
		if (p != NULL)
			z->labels = p;
		if (p == NULL || (p[z->nlabels].label = strdup(label)) == NULL)
			loader_oom(l);
		else
			p[z->nlabels++].item = item;
	}
	free(buf);
}

static void
loader_bool(struct loader *l, unsigned bit, const char *name,
    const char *value, bool *ret)
{
	if (loader_once(l, bit, name) && parse_bool(value, ret) != 0)
		loader_fail(l, "%s: expected yes or no, not \"%s\"", name,
		    value);
}

static void
loader_max_qps(struct loader *l, struct zone *z, const char *value)
{
	int rc;

	if (!loader_once(l, KEY_MAX_QPS, "max_qps"))
		return;
	rc = parse_rate(value, 100000, &z->max_qps);
	/* Slower than the floor, a sweep would never end; 0 is no limit. */
	if (rc == 0 && z->max_qps > 0 && z->max_qps < CONFIG_MIN_QPS)
		rc = -ERANGE;
	if (rc == -EINVAL)
		loader_fail(l, "max_qps: invalid rate \"%s\" (expected queries "
		    "a second such as 20 or 0.5; 0 means unlimited)", value);
	else if (rc != 0)
		loader_fail(l, "max_qps: %s is out of range (0 for no limit, "
		    "or 0.01 to 100000 queries a second)", value);
}

/* Kept as text until the zone's type is known (config.c checks it). */
static void
loader_test_key(struct loader *l, int positive, const char *value)
{
	struct config_zone_loc *loc = &l->zone_locs[l->zone];
	int k = positive ? 0 : 1;

	if (!loader_once(l, positive ? KEY_TEST_LISTED : KEY_TEST_UNLISTED,
	    positive ? "test_listed" : "test_unlisted"))
		return;
	if (value[0] == '\0') {
		loader_fail(l, "%s: empty value (expected the list's own test "
		    "point, or none)", positive ? "test_listed" :
		    "test_unlisted");
		return;
	}
	if ((loc->test[k] = strdup(value)) == NULL) {
		loader_oom(l);
		return;
	}
	loc->test_line[k] = l->line;
}

void
loader_zone_key(struct loader *l, const char *name, const char *value)
{
	struct zone *z = &l->c->zones[l->zone];
	enum zone_type type;

	if (strcmp(name, "type") == 0) {
		if (!loader_once(l, KEY_TYPE, name))
			return;
		if (zone_type_parse(value, &type) != 0)
			loader_fail(l, "type: expected ip, ip4, ip6 or domain, "
			    "not \"%s\"", value);
		else
			z->type = (uint8_t)type;
	} else if (strcmp(name, "listed") == 0) {
		loader_code_items(l, name, value, &z->listed, &z->nlisted);
	} else if (strcmp(name, "refused") == 0) {
		loader_code_items(l, name, value, &z->refused, &z->nrefused);
	} else if (strcmp(name, "code") == 0) {
		loader_code_label(l, z, value);
	} else if (strcmp(name, "txt") == 0) {
		loader_bool(l, KEY_TXT, name, value, &z->txt);
	} else if (strcmp(name, "test_points") == 0) {
		loader_bool(l, KEY_TEST_POINTS, name, value, &z->test_points);
	} else if (strcmp(name, "max_qps") == 0) {
		loader_max_qps(l, z, value);
	} else if (strcmp(name, "test_listed") == 0) {
		loader_test_key(l, 1, value);
	} else if (strcmp(name, "test_unlisted") == 0) {
		loader_test_key(l, 0, value);
	} else {
		loader_fail(l, "unknown key \"%s\" in [zone %s]", name,
		    z->name);
	}
}

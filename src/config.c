/* SPDX-License-Identifier: ISC */
/*
 * The configuration loader: reads the INI file and its includes with inih,
 * checks every key's type and range, expands networks, sorts and dedupes
 * targets, and hands out an immutable snapshot. The first error rejects the
 * whole file and is reported as "file:line: message". The only user of inih.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"
#include "parse.h"

enum config_section { SEC_NONE, SEC_RBLMOND, SEC_TARGETS, SEC_ZONE };

/* Scalar keys, one bit each, to refuse a second value. */
enum config_key_bit {
	KEY_TIMEOUT = 1 << 0,
	KEY_TRIES = 1 << 1,
	KEY_MAX_INFLIGHT = 1 << 2,
	KEY_MAX_NET = 1 << 3,
	KEY_TYPE = 1 << 4,
	KEY_TXT = 1 << 5,
	KEY_MAX_QPS = 1 << 6,
	KEY_TEST_POINTS = 1 << 7,
};

/* A `net` line, expanded once max_net_addresses is known. */
struct config_net {
	char *text;
	const char *file;
	int line;
	uint16_t group;
};

/* Where a zone was declared, for errors found after parsing. */
struct config_zone_loc {
	const char *file;
	int line;
};

struct config_target_seq {
	struct target t;
	size_t seq; /* order of appearance: the first group wins */
};

struct loader {
	struct config *c;
	char *err;
	size_t errlen;
	bool failed;

	/* Position in the file being read. */
	FILE *f;
	const char *file;
	int line;
	bool line_complete; /* the last chunk read ended its line */
	int depth;

	enum config_section sec;
	size_t zone;	  /* SEC_ZONE: index into c->zones */
	uint16_t group;	  /* SEC_TARGETS */
	unsigned seen;	  /* scalar keys of this section seen */
	unsigned seen_rblmond; /* [rblmond] may come back: keep its keys */

	struct config_target_seq *targets;
	size_t ntargets, targets_cap;
	struct config_net *nets;
	size_t nnets, nets_cap;
	struct config_zone_loc *zone_locs;
	char **files; /* names for messages, owned */
	size_t nfiles;
	char *ns; /* nameservers CSV being built */
	size_t ns_len;
};

static void __attribute__((format(printf, 2, 3)))
loader_fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->failed)
		return; /* the first error wins */
	l->failed = true;
	n = snprintf(l->err, l->errlen, "%s:%d: ", l->file, l->line);
	if (n < 0 || (size_t)n >= l->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Grow *array (element size size) to hold one more than *n. */
static int
loader_grow(void **array, size_t size, size_t n, size_t *cap)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(*array, ncap * size);
	if (p == NULL)
		return -ENOMEM;
	*array = p;
	*cap = ncap;
	return 0;
}

static void
loader_oom(struct loader *l)
{
	loader_fail(l, "out of memory");
}

static bool
loader_once(struct loader *l, unsigned bit, const char *name)
{
	unsigned *seen = l->sec == SEC_RBLMOND ? &l->seen_rblmond : &l->seen;

	if (*seen & bit) {
		loader_fail(l, "duplicate key \"%s\"", name);
		return false;
	}
	*seen |= bit;
	return true;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* ---- [rblmond] ---- */

static void
loader_uint(struct loader *l, const char *name, const char *value,
    uint64_t min, uint64_t max, uint64_t *ret)
{
	int rc = parse_uint(value, min, max, ret);

	if (rc == -EINVAL)
		loader_fail(l, "%s: invalid number \"%s\"", name, value);
	else if (rc != 0)
		loader_fail(l, "%s: %s is out of range (%llu to %llu)", name,
		    value, (unsigned long long)min, (unsigned long long)max);
}

/* One nameserver: IPv4[:port], IPv6 or [IPv6][:port]; appended as CSV. */
static void
loader_nameserver(struct loader *l, const char *entry)
{
	char host[64], out[80];
	const char *port = NULL;
	struct target t;
	uint64_t p = 53;
	char err[128];
	const char *close;

	if (entry[0] == '[' && (close = strchr(entry, ']')) != NULL) {
		if ((size_t)(close - entry - 1) >= sizeof(host))
			goto bad;
		memcpy(host, entry + 1, (size_t)(close - entry - 1));
		host[close - entry - 1] = '\0';
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			goto bad;
	} else {
		const char *colon = strchr(entry, ':');

		if (strlen(entry) >= sizeof(host))
			goto bad;
		strcpy(host, entry);
		/* One colon: IPv4:port. More: a bare IPv6 address. */
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			host[colon - entry] = '\0';
			port = colon + 1;
		}
	}
	if (target_parse_ip(host, &t, err, sizeof(err)) != 0)
		goto bad;
	if (port != NULL && parse_uint(port, 1, 65535, &p) != 0)
		goto bad;
	if (t.kind == TARGET_IPV6)
		snprintf(out, sizeof(out), "[%s]:%llu", host,
		    (unsigned long long)p);
	else
		snprintf(out, sizeof(out), "%s:%llu", host,
		    (unsigned long long)p);
	size_t n = strlen(out);
	char *ns = realloc(l->ns, l->ns_len + n + 2);
	if (ns == NULL) {
		loader_oom(l);
		return;
	}
	l->ns = ns;
	if (l->ns_len > 0)
		ns[l->ns_len++] = ',';
	memcpy(ns + l->ns_len, out, n + 1);
	l->ns_len += n;
	return;
bad:
	loader_fail(l, "nameservers: invalid server \"%s\" (expected IP, "
	    "IP:PORT or [IPv6]:PORT)", entry);
}

static void
loader_nameservers(struct loader *l, const char *value)
{
	char buf[256], *save = NULL;

	if (strlen(value) >= sizeof(buf)) {
		loader_fail(l, "nameservers: value too long");
		return;
	}
	strcpy(buf, value);
	for (char *tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save))
		loader_nameserver(l, tok);
}

static int loader_file(struct loader *l, const char *path);

static void
loader_include(struct loader *l, const char *value)
{
	char *copy, *dir, *path;
	struct loader saved = *l;

	if (value[0] == '\0') {
		loader_fail(l, "include: empty path");
		return;
	}
	if (l->depth >= CONFIG_MAX_INCLUDE_DEPTH) {
		loader_fail(l, "include: nested more than %d deep",
		    CONFIG_MAX_INCLUDE_DEPTH);
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
	dir = dirname(copy);
	if (value[0] == '/')
		strcpy(path, value);
	else
		sprintf(path, "%s/%s", dir, value);
	free(copy);
	l->depth++;
	l->sec = SEC_NONE;
	l->seen = 0;
	/* Errors inside name the included file and its line; a file that
	 * cannot be opened is blamed on the include line. */
	loader_file(l, path);
	free(path);
	/* Back where the include line was. */
	l->f = saved.f;
	l->file = saved.file;
	l->line = saved.line;
	l->line_complete = saved.line_complete;
	l->depth = saved.depth;
	l->sec = saved.sec;
	l->zone = saved.zone;
	l->group = saved.group;
	l->seen = saved.seen;
}

static void
loader_rblmond_key(struct loader *l, const char *name, const char *value)
{
	struct config *c = l->c;
	uint64_t v;

	if (strcmp(name, "nameservers") == 0) {
		loader_nameservers(l, value);
	} else if (strcmp(name, "timeout") == 0) {
		if (!loader_once(l, KEY_TIMEOUT, name))
			return;
		int rc = parse_duration_ms(value, 100, 60000, &v);
		if (rc == -EINVAL)
			loader_fail(l, "timeout: invalid duration \"%s\" (use a "
			    "number with ms, s, m, h or d)", value);
		else if (rc != 0)
			loader_fail(l, "timeout: %s is out of range (100ms to "
			    "60s)", value);
		else
			c->timeout_ms = (uint32_t)v;
	} else if (strcmp(name, "tries") == 0) {
		v = c->tries;
		if (loader_once(l, KEY_TRIES, name))
			loader_uint(l, name, value, 1, 10, &v);
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

static void
loader_push_target(struct loader *l, const struct target *t)
{
	if (l->ntargets >= CONFIG_MAX_TARGETS) {
		loader_fail(l, "more than %u targets", CONFIG_MAX_TARGETS);
		return;
	}
	if (loader_grow((void **)&l->targets, sizeof(*l->targets), l->ntargets,
	    &l->targets_cap) != 0) {
		loader_oom(l);
		return;
	}
	l->targets[l->ntargets].t = *t;
	l->targets[l->ntargets].t.group = l->group;
	l->targets[l->ntargets].seq = l->ntargets;
	l->ntargets++;
}

static void
loader_targets_key(struct loader *l, const char *name, const char *value)
{
	struct target t;
	char err[256];

	if (strcmp(name, "ip") == 0) {
		if (target_parse_ip(value, &t, err, sizeof(err)) != 0)
			loader_fail(l, "ip: %s", err);
		else
			loader_push_target(l, &t);
	} else if (strcmp(name, "domain") == 0) {
		if (target_parse_domain(value, &t, err, sizeof(err)) != 0) {
			loader_fail(l, "domain: %s", err);
			return;
		}
		loader_push_target(l, &t);
		if (l->failed)
			target_clear(&t);
	} else if (strcmp(name, "net") == 0) {
		char *text = strdup(value);

		if (text == NULL || loader_grow((void **)&l->nets,
		    sizeof(*l->nets), l->nnets, &l->nets_cap) != 0) {
			free(text);
			loader_oom(l);
			return;
		}
		l->nets[l->nnets++] = (struct config_net){ text, l->file,
			l->line, l->group };
	} else {
		loader_fail(l, "unknown key \"%s\" in [targets]", name);
	}
}

/* ---- [zone NAME] ---- */

static int
loader_code_items(struct loader *l, const char *name, const char *value,
    struct code_item **items, size_t *n)
{
	struct code_item item, *p;
	char err[256];

	if (code_item_parse(value, &item, err, sizeof(err)) != 0) {
		loader_fail(l, "%s: %s", name, err);
		return -EINVAL;
	}
	p = realloc(*items, (*n + 1) * sizeof(**items));
	if (p == NULL) {
		loader_oom(l);
		return -ENOMEM;
	}
	p[(*n)++] = item;
	*items = p;
	return 0;
}

static void
loader_code_label(struct loader *l, struct zone *z, const char *value)
{
	char buf[256], *label;
	struct code_item item;
	struct code_label *p;
	char err[256];
	size_t n = strcspn(value, " \t");

	if (n >= sizeof(buf) || value[n] == '\0') {
		loader_fail(l, "code: expected \"CODE LABEL\", e.g. "
		    "\"127.0.0.4-127.0.0.7 XBL\"");
		return;
	}
	memcpy(buf, value, n);
	buf[n] = '\0';
	if (code_item_parse(buf, &item, err, sizeof(err)) != 0) {
		loader_fail(l, "code: %s", err);
		return;
	}
	strcpy(buf, value + n); /* shorter than value */
	label = trim(buf);
	for (const char *s = label; *s != '\0'; s++) {
		if (!isprint((unsigned char)*s) || *s == '"' || *s == '\\') {
			loader_fail(l, "code: label \"%s\" may hold printable "
			    "characters only, no quotes or backslashes", label);
			return;
		}
	}
	p = realloc(z->labels, (z->nlabels + 1) * sizeof(*z->labels));
	if (p == NULL) {
		loader_oom(l);
		return;
	}
	z->labels = p;
	p[z->nlabels].item = item;
	if ((p[z->nlabels].label = strdup(label)) == NULL) {
		loader_oom(l);
		return;
	}
	z->nlabels++;
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
loader_zone_key(struct loader *l, const char *name, const char *value)
{
	struct zone *z = &l->c->zones[l->zone];

	if (strcmp(name, "type") == 0) {
		enum zone_type type;

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
		if (!loader_once(l, KEY_MAX_QPS, name))
			return;
		int rc = parse_rate(value, 100000, &z->max_qps);
		if (rc == -EINVAL)
			loader_fail(l, "max_qps: invalid number \"%s\"", value);
		else if (rc != 0)
			loader_fail(l, "max_qps: %s is out of range (0 to "
			    "100000)", value);
	} else {
		loader_fail(l, "unknown key \"%s\" in [zone %s]", name,
		    z->name);
	}
}

/* ---- sections ---- */

static void
loader_zone_section(struct loader *l, const char *name)
{
	struct config *c = l->c;
	struct target t;
	char err[256];
	struct zone *z;
	void *p;

	if (target_parse_domain(name, &t, err, sizeof(err)) != 0) {
		loader_fail(l, "[zone %s]: %s", name, err);
		return;
	}
	for (size_t i = 0; i < c->nzones; i++) {
		if (strcmp(c->zones[i].name, t.u.domain) == 0) {
			loader_fail(l, "duplicate [zone %s] (first at %s:%d)",
			    t.u.domain, l->zone_locs[i].file,
			    l->zone_locs[i].line);
			target_clear(&t);
			return;
		}
	}
	if (c->nzones >= CONFIG_MAX_ZONES) {
		loader_fail(l, "more than %d zones", CONFIG_MAX_ZONES);
		target_clear(&t);
		return;
	}
	p = realloc(c->zones, (c->nzones + 1) * sizeof(*c->zones));
	if (p != NULL)
		c->zones = p;
	p = p ? realloc(l->zone_locs, (c->nzones + 1) * sizeof(*l->zone_locs))
	      : NULL;
	if (p == NULL) {
		target_clear(&t);
		loader_oom(l);
		return;
	}
	l->zone_locs = p;
	l->zone_locs[c->nzones] = (struct config_zone_loc){ l->file, l->line };
	z = &c->zones[c->nzones];
	memset(z, 0, sizeof(*z));
	z->name = t.u.domain;
	z->type = ZONE_IP;
	z->test_points = true;
	l->zone = c->nzones++;
	l->sec = SEC_ZONE;
}

static void
loader_targets_section(struct loader *l, const char *label)
{
	struct config *c = l->c;
	char **p;

	for (size_t i = 0; i < c->ngroups; i++) {
		if (strcmp(c->groups[i], label) == 0) {
			l->group = (uint16_t)i;
			l->sec = SEC_TARGETS;
			return;
		}
	}
	if (c->ngroups >= UINT16_MAX) {
		loader_fail(l, "too many [targets NAME] sections");
		return;
	}
	p = realloc(c->groups, (c->ngroups + 1) * sizeof(*c->groups));
	if (p == NULL || (p[c->ngroups] = strdup(label)) == NULL) {
		if (p != NULL)
			c->groups = p;
		loader_oom(l);
		return;
	}
	c->groups = p;
	l->group = (uint16_t)c->ngroups++;
	l->sec = SEC_TARGETS;
}

static void
loader_section(struct loader *l, char *name)
{
	name = trim(name);
	l->sec = SEC_NONE;
	l->seen = 0;
	if (strcmp(name, "rblmond") == 0) {
		l->sec = SEC_RBLMOND;
	} else if (strcmp(name, "targets") == 0) {
		loader_targets_section(l, "");
	} else if (strncmp(name, "targets", 7) == 0 &&
	    isspace((unsigned char)name[7])) {
		loader_targets_section(l, trim(name + 8));
	} else if (strncmp(name, "zone", 4) == 0 &&
	    isspace((unsigned char)name[4])) {
		loader_zone_section(l, trim(name + 5));
	} else {
		loader_fail(l, "unknown section [%s] (expected [rblmond], "
		    "[targets], [targets NAME] or [zone NAME])", name);
	}
}

/*
 * Reads for inih, one line at a time, so we know the line number; sees
 * section headers itself (inih would not tell us about an empty one) and
 * refuses what inih would silently mangle: lines too long for it, and
 * indented continuation lines.
 */
static char *
loader_reader(char *str, int num, void *stream)
{
	struct loader *l = stream;
	size_t n;
	char *s;

	if (fgets(str, num, l->f) == NULL)
		return NULL;
	if (l->line_complete)
		l->line++;
	n = strlen(str);
	l->line_complete = n > 0 && str[n - 1] == '\n';
	if (!l->line_complete && !feof(l->f)) {
		loader_fail(l, "line longer than %d characters (repeat the "
		    "key instead of writing long lists)", num - 2);
		str[0] = '\0';
		return str;
	}
	if (l->failed) {
		str[0] = '\0'; /* the rest of the file is not read */
		return str;
	}
	if (isspace((unsigned char)str[0]) && *trim(str) != '\0' &&
	    *str != ';' && *str != '#') {
		loader_fail(l, "indented line: continuation lines are not "
		    "supported (repeat the key instead)");
		str[0] = '\0';
		return str;
	}
	s = trim(str);
	if (*s == '[') {
		char *end = strchr(s, ']');
		char *rest = end ? trim(end + 1) : NULL;

		if (end == NULL || (*rest != '\0' && *rest != ';' &&
		    *rest != '#')) {
			loader_fail(l, "malformed section header");
		} else {
			*end = '\0';
			loader_section(l, s + 1);
			*end = ']';
		}
	}
	return str;
}

static int
loader_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct loader *l = user;

	(void)section; /* the reader tracks sections itself */
	if (l->failed)
		return 1;
	switch (l->sec) {
	case SEC_RBLMOND:
		loader_rblmond_key(l, name, value);
		break;
	case SEC_TARGETS:
		loader_targets_key(l, name, value);
		break;
	case SEC_ZONE:
		loader_zone_key(l, name, value);
		break;
	default:
		loader_fail(l, "key \"%s\" outside any section", name);
		break;
	}
	return !l->failed;
}

static int
loader_file(struct loader *l, const char *path)
{
	char *name = strdup(path);
	char **files;
	int rc;

	files = name ? realloc(l->files, (l->nfiles + 1) * sizeof(*l->files))
		     : NULL;
	if (files == NULL) {
		free(name);
		loader_oom(l);
		return -ENOMEM;
	}
	l->files = files;
	l->files[l->nfiles++] = name;
	l->f = fopen(path, "r");
	if (l->f == NULL) {
		rc = -errno;
		if (l->depth > 0)
			loader_fail(l, "include: cannot open \"%s\": %s", path,
			    strerror(-rc));
		else if (!l->failed)
			snprintf(l->err, l->errlen, "%s: cannot open: %s", path,
			    strerror(-rc));
		l->failed = true;
		return rc;
	}
	l->file = name;
	l->line = 0;
	l->line_complete = true;
	rc = ini_parse_stream(loader_reader, l, loader_handler, l);
	if (rc != 0 && !l->failed) {
		l->line = rc > 0 ? rc : l->line;
		loader_fail(l, "syntax error (expected [section], key = value "
		    "or a comment)");
	}
	fclose(l->f);
	l->f = NULL;
	return l->failed ? -EINVAL : 0;
}

/* ---- after parsing ---- */

static void
loader_expand_nets(struct loader *l)
{
	char err[256];

	for (size_t i = 0; i < l->nnets && !l->failed; i++) {
		struct config_net *n = &l->nets[i];
		struct target_net net;
		struct target t;

		l->file = n->file;
		l->line = n->line;
		l->group = n->group;
		if (target_parse_net(n->text, l->c->max_net_addresses, &net,
		    err, sizeof(err)) != 0) {
			loader_fail(l, "net: %s", err);
			return;
		}
		uint64_t size = target_net_size(&net);
		if (l->ntargets + size > CONFIG_MAX_TARGETS) {
			loader_fail(l, "net: more than %u targets in all",
			    CONFIG_MAX_TARGETS);
			return;
		}
		for (uint64_t k = 0; k < size && !l->failed; k++) {
			target_net_nth(&net, k, &t);
			loader_push_target(l, &t);
		}
	}
}

static int
loader_target_cmp(const void *a, const void *b)
{
	const struct config_target_seq *x = a, *y = b;
	int rc = target_cmp(&x->t, &y->t);

	if (rc != 0)
		return rc;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort, drop repeats (the first one stays), and index the kinds. */
static int
loader_finish_targets(struct loader *l)
{
	struct config *c = l->c;
	size_t n = 0;

	if (l->ntargets > 0)
		qsort(l->targets, l->ntargets, sizeof(*l->targets),
		    loader_target_cmp);
	c->targets = calloc(l->ntargets ? l->ntargets : 1, sizeof(*c->targets));
	if (c->targets == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < l->ntargets; i++) {
		struct target *t = &l->targets[i].t;

		if (n > 0 && target_cmp(&c->targets[n - 1], t) == 0) {
			target_clear(t);
			continue;
		}
		c->targets[n++] = *t;
	}
	l->ntargets = 0; /* now owned by c */
	c->ntargets = n;
	for (size_t i = n; i-- > 0;) {
		c->kind_first[c->targets[i].kind] = i;
		c->kind_count[c->targets[i].kind]++;
	}
	for (int k = 0; k < 3; k++)
		if (c->kind_count[k] == 0)
			c->kind_first[k] = 0;
	return 0;
}

/* Longest query-name prefix a target of this kind can need. */
static size_t
loader_longest_prefix(const struct config *c, enum target_kind kind)
{
	size_t longest = 0;

	if (c->kind_count[kind] == 0)
		return 0;
	if (kind == TARGET_IPV4)
		return 16; /* "255.255.255.255." */
	if (kind == TARGET_IPV6)
		return 64;
	for (size_t i = 0; i < c->kind_count[kind]; i++) {
		size_t len = strlen(c->targets[c->kind_first[kind] + i].u.domain);
		if (len + 1 > longest)
			longest = len + 1;
	}
	return longest;
}

static void
loader_check_zones(struct loader *l)
{
	struct config *c = l->c;

	for (size_t i = 0; i < c->nzones && !l->failed; i++) {
		const struct zone *z = &c->zones[i];
		size_t longest = 0;

		for (int k = 0; k < 3; k++) {
			size_t p = zone_accepts(z, (enum target_kind)k) ?
			    loader_longest_prefix(c, (enum target_kind)k) : 0;
			if (p > longest)
				longest = p;
		}
		if (z->type == ZONE_IP6 && longest < 64)
			longest = 64; /* its test points */
		if (longest + strlen(z->name) > TARGET_QNAME_MAX) {
			l->file = l->zone_locs[i].file;
			l->line = l->zone_locs[i].line;
			loader_fail(l, "zone %s: query names would be longer "
			    "than %d characters", z->name, TARGET_QNAME_MAX);
		}
	}
}

static void
loader_clear(struct loader *l)
{
	for (size_t i = 0; i < l->ntargets; i++)
		target_clear(&l->targets[i].t);
	free(l->targets);
	for (size_t i = 0; i < l->nnets; i++)
		free(l->nets[i].text);
	free(l->nets);
	free(l->zone_locs);
	for (size_t i = 0; i < l->nfiles; i++)
		free(l->files[i]);
	free(l->files);
	free(l->ns);
}

int
config_load(const char *path, struct config **ret, char *err, size_t errlen)
{
	struct loader l;
	struct config *c = calloc(1, sizeof(*c));
	int rc = -ENOMEM;

	memset(&l, 0, sizeof(l));
	l.err = err;
	l.errlen = errlen;
	l.file = path;
	if (c == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	l.c = c;
	c->timeout_ms = CONFIG_DEFAULT_TIMEOUT_MS;
	c->tries = CONFIG_DEFAULT_TRIES;
	c->max_inflight = CONFIG_DEFAULT_MAX_INFLIGHT;
	c->max_net_addresses = CONFIG_DEFAULT_MAX_NET_ADDRESSES;
	c->groups = calloc(1, sizeof(*c->groups));
	if (c->groups == NULL || (c->groups[0] = strdup("")) == NULL)
		goto fail;
	c->ngroups = 1;

	rc = loader_file(&l, path);
	if (rc != 0)
		goto fail;
	loader_expand_nets(&l);
	if (l.failed) {
		rc = -EINVAL;
		goto fail;
	}
	if (loader_finish_targets(&l) != 0) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	rc = -EINVAL;
	if (c->nzones == 0) {
		snprintf(err, errlen, "%s: no [zone NAME] sections", path);
		goto fail;
	}
	if (c->ntargets == 0) {
		snprintf(err, errlen, "%s: no targets (add ip, net or domain "
		    "keys to a [targets] section)", path);
		goto fail;
	}
	loader_check_zones(&l);
	if (l.failed)
		goto fail;
	c->nameservers = l.ns;
	l.ns = NULL;
	loader_clear(&l);
	*ret = c;
	return 0;

fail:
	if (rc == -ENOMEM && !l.failed)
		snprintf(err, errlen, "%s: out of memory", path);
	loader_clear(&l);
	config_free(c);
	return rc;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->nameservers);
	for (size_t i = 0; c->groups != NULL && i < c->ngroups; i++)
		free(c->groups[i]);
	free(c->groups);
	for (size_t i = 0; i < c->ntargets; i++)
		target_clear(&c->targets[i]);
	free(c->targets);
	for (size_t i = 0; i < c->nzones; i++)
		zone_clear(&c->zones[i]);
	free(c->zones);
	free(c);
}

void
config_zone_targets(const struct config *c, const struct zone *z,
    size_t *ret_first, size_t *ret_count)
{
	switch (z->type) {
	case ZONE_IP:
		/* IPv4 and IPv6 sort next to each other. */
		*ret_count = c->kind_count[TARGET_IPV4] +
		    c->kind_count[TARGET_IPV6];
		*ret_first = c->kind_count[TARGET_IPV4] ?
		    c->kind_first[TARGET_IPV4] : c->kind_first[TARGET_IPV6];
		break;
	case ZONE_IP4:
		*ret_first = c->kind_first[TARGET_IPV4];
		*ret_count = c->kind_count[TARGET_IPV4];
		break;
	case ZONE_IP6:
		*ret_first = c->kind_first[TARGET_IPV6];
		*ret_count = c->kind_count[TARGET_IPV6];
		break;
	default:
		*ret_first = c->kind_first[TARGET_DOMAIN];
		*ret_count = c->kind_count[TARGET_DOMAIN];
		break;
	}
}

uint64_t
config_pairs(const struct config *c)
{
	uint64_t pairs = 0;

	for (size_t i = 0; i < c->nzones; i++) {
		size_t first, count;

		config_zone_targets(c, &c->zones[i], &first, &count);
		pairs += count;
	}
	return pairs;
}

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
#include <sys/stat.h>

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

/* Longest [targets NAME] label: it ends up in alerts and JSON. */
#define CONFIG_GROUP_MAX 63

/* A `net` line, expanded once max_net_addresses is known. */
struct config_net {
	char *text;
	const char *file;
	int line;
	uint16_t group;
	size_t seq;
};

/* Where a zone was declared, for errors found after parsing. */
struct config_zone_loc {
	const char *file;
	int line;
};

struct config_target_seq {
	struct target t;
	size_t seq; /* the line that named it: the first group wins */
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
	int depth;

	enum config_section sec;
	size_t zone;	       /* SEC_ZONE: index into c->zones */
	uint16_t group;	       /* SEC_TARGETS: index into c->groups */
	unsigned seen;	       /* scalar keys of this section seen */
	unsigned seen_rblmond; /* [rblmond] may come back: keep its keys */
	size_t seq;	       /* target lines read so far */

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

static void
loader_oom(struct loader *l)
{
	loader_fail(l, "out of memory");
}

/* Make room in *array (elements of size bytes) for one more than n. */
static int
loader_grow(void **array, size_t size, size_t n, size_t *cap)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*array, ncap * size);
	if (p == NULL)
		return -ENOMEM;
	*array = p;
	*cap = ncap;
	return 0;
}

/* Scalar keys take one value per section; [rblmond] counts as one. */
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

static int loader_file(struct loader *l, const char *path);

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

static void
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

/* Takes t (and its domain) on success; on failure t is the caller's. */
static int
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

static void
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
	label = value[n] != '\0' ? trim(buf + n + 1) : buf + n;
	if (code_item_parse(buf, &item, err, sizeof(err)) != 0) {
		loader_fail(l, "code: %s", err);
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
	if (rc == -EINVAL)
		loader_fail(l, "max_qps: invalid rate \"%s\" (expected queries "
		    "a second such as 20 or 0.5; 0 means unlimited)", value);
	else if (rc != 0)
		loader_fail(l, "max_qps: %s is out of range (0 to 100000)",
		    value);
}

static void
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
	} else {
		loader_fail(l, "unknown key \"%s\" in [zone %s]", name,
		    z->name);
	}
}

/* ---- sections ---- */

/* A new zone named by a validated, lower-case domain (taken over). */
static int
loader_add_zone(struct loader *l, char *name)
{
	struct config *c = l->c;
	struct zone *z;
	void *p;

	p = realloc(c->zones, (c->nzones + 1) * sizeof(*c->zones));
	if (p == NULL)
		return -ENOMEM;
	c->zones = p;
	p = realloc(l->zone_locs, (c->nzones + 1) * sizeof(*l->zone_locs));
	if (p == NULL)
		return -ENOMEM;
	l->zone_locs = p;
	l->zone_locs[c->nzones] = (struct config_zone_loc){ l->file, l->line };
	z = &c->zones[c->nzones];
	memset(z, 0, sizeof(*z));
	z->name = name;
	z->type = ZONE_IP;
	z->test_points = true;
	l->zone = c->nzones++;
	l->sec = SEC_ZONE;
	return 0;
}

static void
loader_zone_section(struct loader *l, const char *name)
{
	struct config *c = l->c;
	struct target t;
	char err[256];

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
	if (loader_add_zone(l, t.u.domain) != 0) {
		target_clear(&t);
		loader_oom(l);
	}
}

static bool
loader_group_ok(const char *label)
{
	size_t n = strlen(label);

	if (n == 0 || n > CONFIG_GROUP_MAX)
		return false;
	for (const char *s = label; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return false;
	return true;
}

/* [targets NAME] may repeat: a name seen before reuses its group. */
static void
loader_targets_section(struct loader *l, const char *label)
{
	struct config *c = l->c;
	char **p;

	if (label[0] != '\0' && !loader_group_ok(label)) {
		loader_fail(l, "[targets %s]: invalid group name (use letters, "
		    "digits, '.', '-' and '_', at most %d)", label,
		    CONFIG_GROUP_MAX);
		return;
	}
	l->sec = SEC_TARGETS;
	for (size_t i = 0; i < c->ngroups; i++) {
		if (strcmp(c->groups[i], label) == 0) {
			l->group = (uint16_t)i;
			return;
		}
	}
	if (c->ngroups >= UINT16_MAX) {
		loader_fail(l, "more than %d [targets NAME] groups",
		    UINT16_MAX - 1);
		return;
	}
	p = realloc(c->groups, (c->ngroups + 1) * sizeof(*c->groups));
	if (p != NULL)
		c->groups = p;
	if (p == NULL || (p[c->ngroups] = strdup(label)) == NULL) {
		loader_oom(l);
		return;
	}
	l->group = (uint16_t)c->ngroups++;
}

/* Does name start with word followed by blanks? Returns what follows. */
static const char *
loader_section_arg(const char *name, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(name, word, n) != 0)
		return NULL;
	if (name[n] == '\0')
		return name + n;
	if (!isspace((unsigned char)name[n]))
		return NULL;
	while (isspace((unsigned char)name[n]))
		n++;
	return name + n;
}

static void
loader_section(struct loader *l, char *name)
{
	const char *arg;

	name = trim(name);
	l->sec = SEC_NONE;
	l->seen = 0;
	if (strcmp(name, "rblmond") == 0) {
		l->sec = SEC_RBLMOND;
	} else if ((arg = loader_section_arg(name, "targets")) != NULL) {
		loader_targets_section(l, arg);
	} else if ((arg = loader_section_arg(name, "zone")) != NULL) {
		if (*arg == '\0')
			loader_fail(l, "[zone] needs the zone's name, e.g. "
			    "[zone zen.spamhaus.org]");
		else
			loader_zone_section(l, arg);
	} else {
		loader_fail(l, "unknown section [%s] (expected [rblmond], "
		    "[targets], [targets NAME] or [zone NAME])", name);
	}
}

/*
 * A section header line, without its leading blanks. Worked on in a copy:
 * inih parses the line again and must see it unchanged.
 */
static void
loader_header(struct loader *l, const char *line)
{
	char buf[INI_MAX_LINE + 1], *end, *rest;

	snprintf(buf, sizeof(buf), "%s", line);
	end = strchr(buf, ']');
	rest = end ? trim(end + 1) : NULL;
	if (end == NULL || (*rest != '\0' && *rest != ';' && *rest != '#')) {
		loader_fail(l, "malformed section header (expected [NAME] "
		    "alone on its line)");
		return;
	}
	*end = '\0';
	loader_section(l, buf + 1);
}

/*
 * Reads for inih, one line at a time, so we know where we are. Sees
 * section headers itself (inih does not report an empty section), refuses
 * lines too long for inih's buffer (it would split them), and drops
 * leading blanks so no line is taken as a continuation of the one before.
 * After the first error it ends the file.
 */
static char *
loader_reader(char *str, int num, void *stream)
{
	struct loader *l = stream;
	size_t n, skip;
	int ch;

	if (l->failed)
		return NULL;
	if (fgets(str, num, l->f) == NULL) {
		if (ferror(l->f))
			loader_fail(l, "read error: %s", strerror(errno));
		return NULL;
	}
	l->line++;
	n = strlen(str);
	if (n + 1 < (size_t)num && (n == 0 || str[n - 1] != '\n') &&
	    !feof(l->f)) {
		loader_fail(l, "NUL byte in line (expected a text file)");
		return NULL;
	}
	if (n + 1 == (size_t)num && str[n - 1] != '\n' &&
	    (ch = getc(l->f)) != EOF && ch != '\n') {
		loader_fail(l, "line longer than %d characters (repeat the "
		    "key instead of writing long lists)", num - 1);
		return NULL;
	}
	if (l->line == 1 && strncmp(str, "\xEF\xBB\xBF", 3) == 0)
		memmove(str, str + 3, n - 2); /* a UTF-8 byte order mark */
	skip = strspn(str, " \t");
	memmove(str, str + skip, strlen(str + skip) + 1);
	if (str[0] == '[') {
		loader_header(l, str);
		if (l->failed)
			return NULL;
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
		return 0;
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
		loader_fail(l, "key \"%s\" outside any section (start with "
		    "[rblmond], [targets] or [zone NAME])", name);
		break;
	}
	return !l->failed;
}

/* Open path for reading; directories are refused, not read as empty. */
static int
loader_open(const char *path, FILE **ret)
{
	struct stat st;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL)
		return -errno;
	if (fstat(fileno(f), &st) != 0)
		rc = -errno;
	else if (S_ISDIR(st.st_mode))
		rc = -EISDIR;
	if (rc != 0) {
		fclose(f);
		return rc;
	}
	*ret = f;
	return 0;
}

static int
loader_file(struct loader *l, const char *path)
{
	char *name = strdup(path);
	char **files;
	FILE *f = NULL;
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
	rc = loader_open(path, &f);
	if (rc != 0) {
		/* An include that fails is blamed on the include line. */
		if (l->depth > 0)
			loader_fail(l, "include: cannot open \"%s\": %s", path,
			    strerror(-rc));
		else
			snprintf(l->err, l->errlen, "%s: cannot open: %s", path,
			    strerror(-rc));
		l->failed = true;
		return rc;
	}
	l->f = f;
	l->file = name;
	l->line = 0;
	rc = ini_parse_stream(loader_reader, l, loader_handler, l);
	if (rc != 0 && !l->failed) {
		l->line = rc > 0 ? rc : l->line;
		loader_fail(l, "syntax error (expected [section], key = value "
		    "or a comment)");
	}
	fclose(f);
	l->f = NULL;
	return l->failed ? -EINVAL : 0;
}

/* ---- after parsing ---- */

/* Nets wait for max_net_addresses, which may come after them. */
static void
loader_expand_nets(struct loader *l)
{
	char err[256];

	for (size_t i = 0; i < l->nnets && !l->failed; i++) {
		struct config_net *n = &l->nets[i];
		struct target_net net;
		struct target t;
		uint64_t size;

		l->file = n->file;
		l->line = n->line;
		if (target_parse_net(n->text, l->c->max_net_addresses, &net,
		    err, sizeof(err)) != 0) {
			loader_fail(l, "net: %s", err);
			return;
		}
		size = target_net_size(&net);
		if (l->ntargets + size > CONFIG_MAX_TARGETS) {
			loader_fail(l, "net: more than %u targets in all",
			    CONFIG_MAX_TARGETS);
			return;
		}
		for (uint64_t k = 0; k < size && !l->failed; k++) {
			target_net_nth(&net, k, &t);
			loader_push_target(l, &t, n->group, n->seq);
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

/* Sort, drop repeats (the first line's group stays), index the kinds. */
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

/* Length of the query-name part before the zone: "d.c.b.a." etc. */
static size_t
loader_prefix_len(const struct target *t)
{
	size_t n = 0;

	switch (t->kind) {
	case TARGET_IPV4:
		for (int i = 0; i < 4; i++)
			n += (t->u.addr[i] >= 100) + (t->u.addr[i] >= 10) + 2;
		return n;
	case TARGET_IPV6:
		return 64;
	default:
		return strlen(t->u.domain) + 1;
	}
}

/* Query names longer than RFC 1035 allows would only ever fail. */
static void
loader_check_zones(struct loader *l)
{
	static const size_t probe[] = { [ZONE_IP] = 10, [ZONE_IP4] = 10,
		[ZONE_IP6] = 64, [ZONE_DOMAIN] = 8 }; /* see health.h */
	struct config *c = l->c;
	size_t longest[3] = { 0, 0, 0 };

	for (size_t i = 0; i < c->ntargets; i++) {
		size_t n = loader_prefix_len(&c->targets[i]);

		if (n > longest[c->targets[i].kind])
			longest[c->targets[i].kind] = n;
	}
	for (size_t i = 0; i < c->nzones && !l->failed; i++) {
		const struct zone *z = &c->zones[i];
		size_t need = z->test_points ? probe[z->type] : 0;

		for (int k = 0; k < 3; k++)
			if (zone_accepts(z, (enum target_kind)k) &&
			    longest[k] > need)
				need = longest[k];
		if (need + strlen(z->name) <= TARGET_QNAME_MAX)
			continue;
		l->file = l->zone_locs[i].file;
		l->line = l->zone_locs[i].line;
		loader_fail(l, "[zone %s]: query names would be %zu "
		    "characters, more than the %d DNS allows (shorten the zone "
		    "name or the longest target)", z->name,
		    need + strlen(z->name), TARGET_QNAME_MAX);
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

static struct config *
config_new(void)
{
	struct config *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->timeout_ms = CONFIG_DEFAULT_TIMEOUT_MS;
	c->tries = CONFIG_DEFAULT_TRIES;
	c->max_inflight = CONFIG_DEFAULT_MAX_INFLIGHT;
	c->max_net_addresses = CONFIG_DEFAULT_MAX_NET_ADDRESSES;
	c->groups = calloc(1, sizeof(*c->groups));
	if (c->groups == NULL || (c->groups[0] = strdup("")) == NULL) {
		config_free(c);
		return NULL;
	}
	c->ngroups = 1;
	return c;
}

/* The checks that need the whole file: targets, zones, name lengths. */
static int
loader_finish(struct loader *l, const char *path)
{
	struct config *c = l->c;

	loader_expand_nets(l);
	if (l->failed)
		return -EINVAL;
	if (loader_finish_targets(l) != 0)
		return -ENOMEM;
	if (c->nzones == 0) {
		snprintf(l->err, l->errlen, "%s: no [zone NAME] sections (add "
		    "at least one list to check)", path);
		return -EINVAL;
	}
	if (c->ntargets == 0) {
		snprintf(l->err, l->errlen, "%s: no targets (add ip, net or "
		    "domain keys to a [targets] section)", path);
		return -EINVAL;
	}
	loader_check_zones(l);
	return l->failed ? -EINVAL : 0;
}

int
config_load(const char *path, struct config **ret, char *err, size_t errlen)
{
	struct loader l;
	int rc;

	memset(&l, 0, sizeof(l));
	l.err = err;
	l.errlen = errlen;
	l.file = path;
	if ((l.c = config_new()) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = loader_file(&l, path);
	if (rc == 0)
		rc = loader_finish(&l, path);
	if (rc != 0)
		goto fail;
	l.c->nameservers = l.ns;
	l.ns = NULL;
	loader_clear(&l);
	*ret = l.c;
	return 0;

fail:
	if (rc == -ENOMEM && !l.failed)
		snprintf(err, errlen, "%s: out of memory", path);
	loader_clear(&l);
	config_free(l.c);
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

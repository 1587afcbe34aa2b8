/* SPDX-License-Identifier: ISC */
/*
 * The configuration loader: reads the INI file and its includes with inih,
 * checks every key's type and range, expands networks, sorts and dedupes
 * targets, and hands out an immutable snapshot. The first error rejects the
 * whole file and is reported as "file:line: message". The only user of inih;
 * the keys of each section are checked in config_keys.c, what needs the
 * whole file in config_check.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "escape.h"
#include "loader.h"

void
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

void
loader_oom(struct loader *l)
{
	loader_fail(l, "out of memory");
}

/* Make room in *array (elements of size bytes) for one more than n. */
int
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
bool
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

void
loader_key_at(struct loader *l, struct config_key_loc *at)
{
	*at = (struct config_key_loc){ l->file, l->line, l->nkeys };
}

char *
loader_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
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
	l->zone_locs[c->nzones] = (struct config_zone_loc){
		.file = l->file, .line = l->line };
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

/* FNV-1a: short names, no adversary worth a keyed hash. */
static uint32_t
loader_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot that holds label, or the empty slot where it would go. */
static uint32_t *
loader_group_slot(const struct loader *l, const char *label)
{
	size_t mask = l->group_nslots - 1, i = loader_hash(label) & mask;
	uint32_t *slot;

	for (;; i = (i + 1) & mask) {
		slot = &l->group_slots[i];
		if (*slot == 0 || strcmp(l->c->groups[*slot - 1], label) == 0)
			return slot;
	}
}

/* Keep the index at most half full, so probes stay short. */
static int
loader_group_rehash(struct loader *l)
{
	size_t n = l->group_nslots ? l->group_nslots * 2 : 64;
	uint32_t *old = l->group_slots;
	size_t nold = l->group_nslots;

	if (2 * l->c->ngroups < l->group_nslots)
		return 0;
	if ((l->group_slots = calloc(n, sizeof(*l->group_slots))) == NULL) {
		l->group_slots = old;
		return -ENOMEM;
	}
	l->group_nslots = n;
	for (size_t i = 0; i < nold; i++) {
		if (old[i] == 0)
			continue;
		*loader_group_slot(l, l->c->groups[old[i] - 1]) = old[i];
	}
	free(old);
	return 0;
}

/* A new named group, known to be absent; its slot is found again. */
static int
loader_group_add(struct loader *l, const char *label)
{
	struct config *c = l->c;
	char *name;

	if (loader_grow((void **)&c->groups, sizeof(*c->groups), c->ngroups,
	    &l->groups_cap) != 0 || loader_group_rehash(l) != 0 ||
	    (name = strdup(label)) == NULL)
		return -ENOMEM;
	c->groups[c->ngroups++] = name;
	*loader_group_slot(l, label) = (uint32_t)c->ngroups;
	l->group = (uint16_t)(c->ngroups - 1);
	return 0;
}

/*
 * [targets NAME] may repeat: a name seen before reuses its group. Names
 * are found through a hash index: tens of thousands of groups load in
 * linear time.
 */
static void
loader_targets_section(struct loader *l, const char *label)
{
	uint32_t *slot;

	if (label[0] != '\0' && !loader_group_ok(label)) {
		loader_fail(l, "[targets %s]: invalid group name (use letters, "
		    "digits, '.', '-' and '_', at most %d)", label,
		    CONFIG_GROUP_MAX);
		return;
	}
	l->sec = SEC_TARGETS;
	l->group = 0;
	if (label[0] == '\0')
		return; /* [targets]: group 0, made with the config */
	if (l->group_nslots > 0 &&
	    *(slot = loader_group_slot(l, label)) != 0) {
		l->group = (uint16_t)(*slot - 1);
		return;
	}
	if (l->c->ngroups >= UINT16_MAX) {
		loader_fail(l, "more than %d [targets NAME] groups",
		    UINT16_MAX - 1);
		return;
	}
	if (loader_group_add(l, label) != 0)
		loader_oom(l);
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

	name = loader_trim(name);
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
	rest = end ? loader_trim(end + 1) : NULL;
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
	/*
	 * inih strips any leading white space and takes the line as a
	 * continuation of the key before: a \v, \f or \r there would add
	 * values nobody sees. Only a blank line may start with one.
	 */
	if (strchr("\v\f\r", str[0]) != NULL && str[0] != '\0' &&
	    str[strspn(str, " \t\v\f\r\n")] != '\0') {
		loader_fail(l, "syntax error: line starts with control "
		    "character \\x%02x (expected [section], key = value or a "
		    "comment)", (unsigned char)str[0]);
		return NULL;
	}
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
	l->nkeys++;
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

/*
 * Open path for reading: regular files only. A FIFO would block the open
 * (or the first read) for ever and a device may never end, so the file is
 * opened without blocking, checked, and only then made blocking again.
 * Returns 0, -EISDIR for a folder, -EINVAL for any other file that is not
 * regular, or the errno of open.
 */
static int
loader_open(const char *path, FILE **ret)
{
	struct stat st;
	FILE *f = NULL;
	int fd, flags, rc = 0;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		/* A socket cannot be opened at all: say what it is. */
		if (rc == -ENXIO && stat(path, &st) == 0 &&
		    !S_ISREG(st.st_mode))
			rc = -EINVAL;
		return rc;
	}
	if (fstat(fd, &st) != 0)
		rc = -errno;
	else if (S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	else if ((flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
	    (f = fdopen(fd, "r")) == NULL)
		rc = -errno;
	if (rc != 0) {
		close(fd);
		return rc;
	}
	*ret = f;
	return 0;
}

/* Say why path could not be read; an include is blamed on its line. */
static void
loader_open_failed(struct loader *l, const char *path, int rc)
{
	if (l->depth > 0 && rc == -EINVAL)
		loader_fail(l, "include: \"%s\": not a regular file", path);
	else if (l->depth > 0)
		loader_fail(l, "include: cannot open \"%s\": %s", path,
		    strerror(-rc));
	else if (rc == -EINVAL)
		snprintf(l->err, l->errlen, "%s: not a regular file", path);
	else
		snprintf(l->err, l->errlen, "%s: cannot open: %s", path,
		    strerror(-rc));
	l->failed = true;
}

int
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
		loader_open_failed(l, path, rc);
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

static void
loader_clear(struct loader *l)
{
	for (size_t i = 0; i < l->ntargets; i++)
		target_clear(&l->targets[i].t);
	free(l->targets);
	for (size_t i = 0; i < l->nnets; i++)
		free(l->nets[i].text);
	free(l->nets);
	for (size_t i = 0; l->zone_locs != NULL && i < l->c->nzones; i++) {
		free(l->zone_locs[i].test[0]);
		free(l->zone_locs[i].test[1]);
	}
	free(l->zone_locs);
	free(l->group_slots);
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
	c->interval_ms = CONFIG_DEFAULT_INTERVAL_MS;
	c->jitter_permille = CONFIG_DEFAULT_JITTER_PERMILLE;
	c->confirm = CONFIG_DEFAULT_CONFIRM;
	c->confirm_delay_ms = CONFIG_DEFAULT_CONFIRM_DELAY_MS;
	c->remind_ms = CONFIG_DEFAULT_REMIND_MS;
	c->alert_timeout_ms = CONFIG_DEFAULT_ALERT_TIMEOUT_MS;
	c->alert_max = CONFIG_DEFAULT_ALERT_MAX;
	c->syslog_facility = LOG_DAEMON;
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

	loader_check_query_life(l);
	loader_test_points(l);
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
	if (l->failed)
		return -EINVAL;
	return loader_warn_retired(l);
}

/* Messages quote what the file holds: no control byte may reach a tty. */
static void
config_escape_err(char *err, size_t errlen)
{
	char *raw;

	if (errlen < 4 || (raw = strdup(err)) == NULL)
		return;
	escape_control(raw, strlen(raw), err, errlen);
	free(raw);
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
	l.groups_cap = 1; /* config_new made groups[0] */
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
	config_escape_err(err, errlen);
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
	free(c->state_db);
	for (size_t i = 0; c->alert_argv != NULL && c->alert_argv[i]; i++)
		free(c->alert_argv[i]);
	free(c->alert_argv);
	for (size_t i = 0; c->groups != NULL && i < c->ngroups; i++)
		free(c->groups[i]);
	free(c->groups);
	for (size_t i = 0; i < c->ntargets; i++)
		target_clear(&c->targets[i]);
	free(c->targets);
	for (size_t i = 0; i < c->nzones; i++)
		zone_clear(&c->zones[i]);
	free(c->zones);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
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

/* SPDX-License-Identifier: ISC */
/*
 * Reading configuration files with inih, one line at a time: section
 * headers ([rblmond], [targets NAME] with its group index, [zone NAME]),
 * includes relative to the including file, and each key handed to the
 * table's walk. Only regular files are read. The only user of inih.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "incident.h"
#include "loader.h"

/* ---- sections ---- */

/* A new zone named by a validated, lower-case domain (taken over). */
static int
loader_add_zone(struct loader *l, char *name)
{
	struct config *c = l->c;
	struct zone *z;
	size_t nkeys;
	int *key_line;
	void *p;

	p = realloc(c->zones, (c->nzones + 1) * sizeof(*c->zones));
	if (p == NULL)
		return -ENOMEM;
	c->zones = p;
	p = realloc(l->zone_locs, (c->nzones + 1) * sizeof(*l->zone_locs));
	if (p == NULL)
		return -ENOMEM;
	l->zone_locs = p;
	config_keys(&nkeys);
	if ((key_line = calloc(nkeys, sizeof(*key_line))) == NULL)
		return -ENOMEM;
	l->zone_locs[c->nzones] = (struct config_zone_loc){
		.file = l->file, .line = l->line, .key_line = key_line };
	z = &c->zones[c->nzones];
	memset(z, 0, sizeof(*z));
	z->name = name;
	z->type = ZONE_IP;
	z->test_points = true;
	z->severity = SEVERITY_CRITICAL;
	l->zone = c->nzones++;
	l->sec = CONFIG_SECTION_ZONE;
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
	l->sec = CONFIG_SECTION_TARGETS;
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
	l->sec = CONFIG_SECTION_NONE;
	if (strcmp(name, "rblmond") == 0) {
		l->sec = CONFIG_SECTION_RBLMOND;
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
	l->sec = CONFIG_SECTION_NONE;
	loader_file(l, path);
	free(path);
	l->f = saved.f;
	l->file = saved.file;
	l->line = saved.line;
	l->depth = saved.depth;
	l->sec = saved.sec;
	l->zone = saved.zone;
	l->group = saved.group;
}

/* One key: found in the table, checked, and read into its place. */
static int
loader_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct loader *l = user;
	const struct config_key *k;

	(void)section; /* the reader tracks sections itself */
	if (l->failed)
		return 0;
	l->nkeys++;
	if ((k = loader_key_take(l, name)) == NULL)
		return 0;
	if (k->parser == LOADER_INCLUDE)
		loader_include(l, value);
	else
		loader_key_set(l, k, value);
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


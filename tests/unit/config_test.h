/* SPDX-License-Identifier: ISC */
/*
 * What the configuration suites share: rows of files written to a
 * temporary folder and loaded, rejected rows matched against their exact
 * "FILE:LINE: message", accepted rows checked by a function, warnings
 * matched line by line, and the shipped files found from TESTS_DATA.
 */
#ifndef RBLMON_TESTS_CONFIG_TEST_H
#define RBLMON_TESTS_CONFIG_TEST_H

#include <check.h>

#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "config.h"
#include "health.h"

/* "@" in a row's expected text stands for the temporary folder. */
#define MAIN "@/main.conf"
#define INC "@/inc.conf"

/* A minimal valid body, so rows show only what they are about. */
#define TARGET "[targets]\nip = 192.0.2.1\n"
#define ZONE "[zone zen.example]\n"

#define LONG63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct tmpdir {
	char path[256];
};

static inline void
tmp_make(struct tmpdir *t)
{
	const char *base = getenv("TMPDIR");

	snprintf(t->path, sizeof(t->path), "%s/rblmon-test-config-XXXXXX",
	    base != NULL && base[0] != '\0' ? base : "/tmp");
	ck_assert_msg(mkdtemp(t->path) != NULL, "mkdtemp: %s",
	    strerror(errno));
}

static inline void
tmp_write(const struct tmpdir *t, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->path, name);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert(fputs(text, f) >= 0);
	ck_assert(fclose(f) == 0);
}

static inline void
tmp_remove(const struct tmpdir *t)
{
	static const char *const names[] = { "main.conf", "inc.conf", "fifo" };
	char path[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(path, sizeof(path), "%s/%s", t->path, names[i]);
		unlink(path);
	}
	rmdir(t->path);
}

/* Replace each '@' in tmpl with dir. */
static inline void
expand(const char *tmpl, const char *dir, char *out, size_t len)
{
	size_t n = 0, dlen = strlen(dir);

	for (const char *s = tmpl; *s != '\0' && n + 1 < len; s++) {
		if (*s == '@' && n + dlen + 1 < len) {
			memcpy(out + n, dir, dlen);
			n += dlen;
		} else if (*s != '@') {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

/* Write the row's files, load main.conf, clean up; returns the rc. */
static inline int
load_row(const char *main_text, const char *inc_text, char *dir,
    size_t dirlen, struct config **ret, char *err, size_t errlen)
{
	struct tmpdir t;
	char path[512];
	int rc;

	tmp_make(&t);
	if (main_text != NULL)
		tmp_write(&t, "main.conf", main_text);
	if (inc_text != NULL)
		tmp_write(&t, "inc.conf", inc_text);
	snprintf(path, sizeof(path), "%s/main.conf", t.path);
	err[0] = '\0';
	rc = config_load(path, ret, err, errlen);
	tmp_remove(&t);
	snprintf(dir, dirlen, "%s", t.path);
	return rc;
}


/* A file of the source tree: TESTS_DATA is tests/data, the root two up. */
static inline void
source_path(const char *rel, char *buf, size_t len)
{
	const char *data = getenv("TESTS_DATA");

	snprintf(buf, len, "%s/../../%s", data != NULL ? data : "tests/data",
	    rel);
}

/* ---- rejected files ---- */

struct bad_row {
	const char *name;
	const char *main; /* NULL: main.conf is not written */
	const char *inc;  /* inc.conf, or NULL */
	int rc;
	const char *err;
};

static inline void
bad_row_check(const struct bad_row *r)
{
	struct config *c = NULL;
	char err[1024], want[1024], dir[256];
	int rc;

	rc = load_row(r->main, r->inc, dir, sizeof(dir), &c, err, sizeof(err));
	expand(r->err, dir, want, sizeof(want));
	ck_assert_msg(rc == r->rc, "%s: rc %d (%s), expected %d", r->name, rc,
	    err, r->rc);
	ck_assert_msg(c == NULL, "%s: config written on error", r->name);
	ck_assert_msg(strcmp(err, want) == 0, "%s:\n got  \"%s\"\n want \"%s\"",
	    r->name, err, want);
}

/* ---- accepted files ---- */

typedef void check_fn(const struct config *c, const char *row);

struct good_row {
	const char *name;
	const char *main;
	const char *inc;
	check_fn *check;
};

static inline void
good_row_check(const struct good_row *r)
{
	struct config *c = NULL;
	char err[1024], dir[256];
	int rc;

	rc = load_row(r->main, r->inc, dir, sizeof(dir), &c, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: rc %d: %s", r->name, rc, err);
	ck_assert_msg(c != NULL, "%s: no config", r->name);
	r->check(c, r->name);
	config_free(c);
}

static inline const struct zone *
find_zone(const struct config *c, const char *row, const char *name)
{
	for (size_t i = 0; i < c->nzones; i++)
		if (strcmp(c->zones[i].name, name) == 0)
			return &c->zones[i];
	ck_abort_msg("%s: no zone %s", row, name);
	return NULL;
}

/* Text of the point zone z probes (positive or not), or "-" for none. */
static inline void
point_text(const struct zone *z, bool positive, char *buf)
{
	struct target t;

	if (!health_zone_point(z, positive, &t))
		snprintf(buf, TARGET_TEXT_MAX, "-");
	else
		ck_assert(target_format(&t, buf, TARGET_TEXT_MAX) == 0);
}

/* ---- warnings: files that load, with something to say ---- */

struct warn_row {
	const char *name;
	const char *main;
	const char *inc;
	const char *want; /* every warning, each ending in a newline */
};

static inline void
warn_row_check(const struct warn_row *r)
{
	struct config *c = NULL;
	char err[1024], want[2048], got[2048] = "", dir[256];
	size_t n = 0;
	int rc;

	rc = load_row(r->main, r->inc, dir, sizeof(dir), &c, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: rc %d: %s", r->name, rc, err);
	for (size_t i = 0; i < c->nwarnings && n < sizeof(got); i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s\n",
		    c->warnings[i]);
	expand(r->want, dir, want, sizeof(want));
	ck_assert_msg(strcmp(got, want) == 0, "%s:\n got  \"%s\"\n want \"%s\"",
	    r->name, got, want);
	config_free(c);
}

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Internal to the configuration loader (config.c reads files and sections,
 * config_keys.c checks the keys of each section, config_check.c what needs
 * the whole file): the state of one load and the helpers they share. Not
 * part of any other module's view.
 */
#ifndef RBLMON_LOADER_H
#define RBLMON_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

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
	KEY_TEST_LISTED = 1 << 8,
	KEY_TEST_UNLISTED = 1 << 9,
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
	/*
	 * test_listed [0] and test_unlisted [1] as written (owned) and their
	 * lines: checked once the zone's type is known, after parsing.
	 */
	char *test[2];
	int test_line[2];
};

/* Where a scalar [rblmond] key was given; order tells which came last. */
struct config_key_loc {
	const char *file; /* NULL: not given, the default holds */
	int line;
	unsigned long order;
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
	unsigned long nkeys;   /* keys read so far, in every file */
	struct config_key_loc timeout_at, tries_at;

	struct config_target_seq *targets;
	size_t ntargets, targets_cap;
	struct config_net *nets;
	size_t nnets, nets_cap;
	struct config_zone_loc *zone_locs;
	size_t groups_cap; /* room in c->groups */
	/*
	 * [targets NAME] groups by name: open addressing, a power-of-two
	 * number of slots, each 0 (empty) or a group's index + 1.
	 */
	uint32_t *group_slots;
	size_t group_nslots;
	char **files; /* names for messages, owned */
	size_t nfiles;
	char *ns; /* nameservers CSV being built */
	size_t ns_len;
};

/* Record the first error as "file:line: message"; later ones are dropped. */
void loader_fail(struct loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void loader_oom(struct loader *l);
/* Make room in *array (elements of size bytes) for one more than n. */
int loader_grow(void **array, size_t size, size_t n, size_t *cap);
/* Scalar keys take one value per section; [rblmond] counts as one. */
bool loader_once(struct loader *l, unsigned bit, const char *name);
/* Strip white space at both ends, in place. */
char *loader_trim(char *s);
/* Read one file (the top one or an include) into l. */
int loader_file(struct loader *l, const char *path);
/* Note where a scalar [rblmond] key stands, for checks after parsing. */
void loader_key_at(struct loader *l, struct config_key_loc *at);

/* Add a target of a group, named by the seq-th target line. 0 or -errno. */
int loader_push_target(struct loader *l, const struct target *t,
    uint16_t group, size_t seq);

/* Checks once the whole file is read (config_check.c); they loader_fail. */
void loader_test_points(struct loader *l);
void loader_check_query_life(struct loader *l);
void loader_check_zones(struct loader *l);
/* Warn about zones of retired lists. 0 or -ENOMEM. */
int loader_warn_retired(struct loader *l);

/* The keys of each section (config_keys.c). */
void loader_rblmond_key(struct loader *l, const char *name, const char *value);
void loader_targets_key(struct loader *l, const char *name, const char *value);
void loader_zone_key(struct loader *l, const char *name, const char *value);

#endif

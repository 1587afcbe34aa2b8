/* SPDX-License-Identifier: ISC */
/*
 * Internal to the configuration loader: the state of one load and the
 * helpers its files share. Calls go one way: config.c (load, finish) ->
 * config_read.c (files, sections) -> config_table.c (the key table and
 * its walk) -> config_keys.c, config_lists.c (values); config_check.c
 * holds what needs the whole file. Not part of any other module's view.
 */
#ifndef RBLMON_LOADER_H
#define RBLMON_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* How a key's value is read (struct config_key's parser). */
enum loader_parser {
	LOADER_DURATION,     /* min..max ms */
	LOADER_DURATION_OFF, /* 0 (off, or "the default"), or min..max ms */
	LOADER_UINT,	     /* min..max */
	LOADER_PERCENT,	     /* "10%", stored in permille */
	LOADER_RATE,	     /* 0 (no limit), or min..max thousandths */
	LOADER_BOOL,
	LOADER_ZONE_TYPE,
	LOADER_SEVERITY,
	LOADER_FACILITY,
	LOADER_PATH,	     /* a path, relative to the file's folder */
	LOADER_MODE,	     /* octal file mode bits, 0 to 0777 */
	LOADER_GROUP,	     /* a group name or number, kept as text */
	LOADER_LISTEN,	     /* HOST:PORT or [IPv6]:PORT, numeric */
	LOADER_COMMAND,	     /* absolute path and arguments, split */
	LOADER_URL,	     /* http(s) URL with an optional {target} */
	LOADER_NAMESERVERS,  /* appended to a "ip:port,..." string */
	LOADER_INCLUDE,	     /* read by config_read.c itself */
	LOADER_IP,
	LOADER_NET,
	LOADER_DOMAIN,
	LOADER_LISTED,	     /* code items inside 127/8 */
	LOADER_REFUSED,	     /* code items, any address */
	LOADER_CODE,	     /* CODEITEM LABEL */
	LOADER_TEST_POINT,   /* kept as text until the zone's type is known */
	LOADER_PARSER_COUNT
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
	 * The line of each scalar key of the zone, by table index (0: not
	 * given). A zone's section cannot be opened twice, so every key
	 * of it stands in file.
	 */
	int *key_line;
	/* test_listed [0] and test_unlisted [1] as written (owned). */
	char *test[2];
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
	size_t zone;	     /* CONFIG_SECTION_ZONE: index into c->zones */
	uint16_t group;	     /* CONFIG_SECTION_TARGETS: index in c->groups */
	size_t seq;	     /* target lines read so far */
	unsigned long nkeys; /* keys read so far, in every file */
	/* [rblmond] may come back: its scalar keys, by table index. */
	struct config_key_loc *rblmond_at;

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
};

/* ---- config_keys.c: shared helpers and scalar values ---- */

/* Record the first error as "file:line: message"; later ones are dropped. */
void loader_fail(struct loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void loader_oom(struct loader *l);
/* Make room in *array (elements of size bytes) for one more than n. */
int loader_grow(void **array, size_t size, size_t n, size_t *cap);
/* Strip white space at both ends, in place. */
char *loader_trim(char *s);
/* Read the value of a scalar key k (parser LOADER_DURATION to LOADER_URL)
 * into field. */
void loader_value(struct loader *l, const struct config_key *k,
    const char *value, void *field);

/* ---- config_lists.c: repeatable keys ---- */

/* nameservers: append the servers in value to *csv ("ip:port,..."). */
void loader_nameservers(struct loader *l, const char *value, char **csv);
/* ip, net, domain: a target line of the current [targets] section. */
void loader_target_line(struct loader *l, enum loader_parser p,
    const char *value);
/* listed, refused, code, test_listed, test_unlisted of the current zone. */
void loader_zone_list(struct loader *l, const struct config_key *k,
    const char *value);
/* Add a target of a group, named by the seq-th target line. 0 or -errno. */
int loader_push_target(struct loader *l, const struct target *t,
    uint16_t group, size_t seq);

/* ---- config_table.c: the table and its walk ---- */

/* The key name of section sec, or NULL. */
const struct config_key *loader_key_find(enum config_section sec,
    const char *name);
/* Index of k in the table. */
size_t loader_key_index(const struct config_key *k);
/*
 * The key a line names in the current section, checked: NULL (and the
 * error recorded) when it is unknown there, or scalar and given before
 * in this section; else its place is noted for later checks.
 */
const struct config_key *loader_key_take(struct loader *l, const char *name);
/* Read value for k (from loader_key_take) into its field. */
void loader_key_set(struct loader *l, const struct config_key *k,
    const char *value);
/* Where the [rblmond] key name was given (file NULL: not given). */
const struct config_key_loc *loader_rblmond_at(const struct loader *l,
    const char *name);
/* The line of zone i's scalar key name, 0 when not given. */
int loader_zone_line(const struct loader *l, size_t i, const char *name);

/* ---- config_read.c: files and sections ---- */

/* Read one file (the top one or an include) into l. */
int loader_file(struct loader *l, const char *path);

/* ---- config_check.c: checks once the whole file is read ---- */

/* These loader_fail. */
void loader_test_points(struct loader *l);
void loader_check_query_life(struct loader *l);
void loader_check_zones(struct loader *l);
/* Warn about zones of retired lists, budgets and rates. 0 or -ENOMEM. */
int loader_warn_retired(struct loader *l);
int loader_warn_pace(struct loader *l);

#endif

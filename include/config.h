/* SPDX-License-Identifier: ISC */
/*
 * The configuration: an immutable snapshot loaded from an INI file (and its
 * includes), validated as a whole. Any error rejects the whole file and is
 * reported as "file:line: message".
 */
#ifndef RBLMON_CONFIG_H
#define RBLMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target.h"
#include "zone.h"

#define CONFIG_DEFAULT_PATH "/etc/rblmon/rblmond.conf"

/* Defaults of the [rblmond] keys. */
#define CONFIG_DEFAULT_TIMEOUT_MS 2000
#define CONFIG_DEFAULT_TRIES 3
#define CONFIG_DEFAULT_MAX_INFLIGHT 64
#define CONFIG_DEFAULT_MAX_NET_ADDRESSES 65536
#define CONFIG_DEFAULT_INTERVAL_MS (3600u * 1000u)
#define CONFIG_DEFAULT_JITTER_PERMILLE 100
#define CONFIG_DEFAULT_CONFIRM 2
#define CONFIG_DEFAULT_CONFIRM_DELAY_MS (30u * 1000u)
#define CONFIG_DEFAULT_REMIND_MS (24u * 3600u * 1000u)
#define CONFIG_DEFAULT_ALERT_TIMEOUT_MS (30u * 1000u)
#define CONFIG_DEFAULT_ALERT_MAX 4
/* Includes nest at most this deep. */
#define CONFIG_MAX_INCLUDE_DEPTH 8
/* Hard limits no configuration may pass. */
#define CONFIG_MAX_TARGETS (1U << 24)
#define CONFIG_MAX_ZONES 1024
/*
 * Longest one query may take, all tries included: timeout x (2^tries - 1)
 * with c-ares doubling the wait each round. A sweep waits for its slowest
 * query, so a figure of hours would hang it.
 */
#define CONFIG_MAX_QUERY_MS 60000
/* Slowest max_qps other than 0 (no limit): one query every 100 s. */
#define CONFIG_MIN_QPS 0.01
/* The control socket when `socket` is not set, and its mode. */
#define CONFIG_DEFAULT_SOCKET "/run/rblmon/rblmond.sock"
#define CONFIG_DEFAULT_SOCKET_MODE 0660
/* Longest socket path (struct sockaddr_un's sun_path, NUL excluded). */
#define CONFIG_SOCKET_MAX 107
/* Longest delist_url, {target} included. */
#define CONFIG_URL_MAX 200

struct config {
	char *nameservers; /* "ip:port,ip:port" for c-ares, or NULL: system */
	uint32_t timeout_ms;
	uint32_t tries;
	uint32_t max_inflight;
	uint64_t max_net_addresses; /* most addresses one `net` expands to */

	/* The monitor (DESIGN §1, §5, §6). */
	char *state_db;		   /* SQLite file, or NULL: no state kept */
	uint64_t interval_ms;	   /* default cycle of a zone */
	uint32_t jitter_permille;  /* 0..1000 of a pair's slot */
	uint32_t confirm;	   /* agreeing answers a change needs, 1..255 */
	uint64_t confirm_delay_ms; /* re-query delay while a change pends */
	uint64_t remind_ms;	   /* re-announce a standing listing; 0 off */
	char **alert_argv;	   /* alert_command split on blanks, NULL-ended;
				      NULL: no hook */
	uint32_t alert_timeout_ms; /* a hook's run, then SIGTERM, SIGKILL */
	uint32_t alert_max;	   /* hooks running at once */
	int syslog_facility;	   /* LOG_DAEMON, LOG_MAIL, LOG_LOCAL0.. */

	/* The control plane (DESIGN §4). */
	char *socket;		   /* NULL: CONFIG_DEFAULT_SOCKET */
	uint32_t socket_mode;	   /* permission bits */
	char *socket_group;	   /* name or number, NULL: the daemon's */
	char *metrics_listen;	   /* "127.0.0.1:9465", NULL: no HTTP */
	char *metrics_textfile;	   /* written after each cycle, NULL: none */

	char **groups; /* groups[0] is "" ([targets] without a name) */
	size_t ngroups;

	/*
	 * Sorted by target_cmp and unique, so each kind is one contiguous
	 * run: kind_first[k] .. kind_first[k] + kind_count[k].
	 */
	struct target *targets;
	size_t ntargets;
	size_t kind_first[3];
	size_t kind_count[3];

	struct zone *zones; /* in file order */
	size_t nzones;

	/*
	 * Warnings that do not reject the file (a retired list), each
	 * "FILE:LINE: warning: ...", escaped; owned. For the caller to print.
	 */
	char **warnings;
	size_t nwarnings;
};

/* The control socket's path: `socket`, or the default. */
const char *config_socket(const struct config *c);

/*
 * Load and validate path. On success *ret owns a new config. On failure
 * returns -EINVAL (or -ENOMEM, -ENOENT...) and writes "file:line: message"
 * (or "file: message") to err.
 */
int config_load(const char *path, struct config **ret, char *err,
    size_t errlen);

/* Free a config. Accepts NULL. */
void config_free(struct config *c);

/*
 * The targets zone z takes, as one contiguous index range [*ret_first,
 * *ret_first + *ret_count): IPv4 and/or IPv6 for ip zones, domains for
 * domain zones.
 */
void config_zone_targets(const struct config *c, const struct zone *z,
    size_t *ret_first, size_t *ret_count);

/* Number of (target, zone) pairs a sweep checks. */
uint64_t config_pairs(const struct config *c);

/* ---- the keys, described once ---- */

enum config_section {
	CONFIG_SECTION_NONE, /* before the first header of a file */
	CONFIG_SECTION_RBLMOND,
	CONFIG_SECTION_TARGETS, /* [targets] and [targets NAME] */
	CONFIG_SECTION_ZONE,	/* [zone NAME] */
};

/* Where a key's value is kept. */
enum config_store {
	CONFIG_STORE_NONE,   /* a handler keeps it (targets, include) */
	CONFIG_STORE_CONFIG, /* at offset in struct config */
	CONFIG_STORE_ZONE,   /* at offset in the section's struct zone */
};

/*
 * One key as the loader reads it and the documentation describes it. The
 * last group of fields is the loader's business; they are shown so that
 * tests can find the field a key fills.
 */
struct config_key {
	const char *name;
	uint8_t section;  /* enum config_section */
	bool repeatable;  /* a list: each line adds; else once per section
			     ([rblmond]: once in all its sections) */
	const char *type; /* the value's type as the docs name it */
	const char *def;  /* the default as a file would write it; NULL:
			     none, help says what unset means */
	const char *range; /* the values allowed, as text; "" when the type
			      says it all */
	const char *unit;  /* what a number counts ("ms" for durations);
			      "" when nothing is counted */
	const char *help;  /* one line */

	uint8_t store;	   /* enum config_store */
	uint8_t parser;	   /* the loader's (loader.h) */
	size_t offset;	   /* of the field, for CONFIG_STORE_CONFIG/_ZONE */
	size_t size;	   /* of the field */
	uint64_t min, max; /* in the stored unit: ms, permille, a count, or
			      thousandths of a query a second (max_qps) */
};

/*
 * Every key, in the order the documentation lists them: [rblmond], then
 * [targets], then [zone]. Static and read-only; *ret_n is the count.
 */
const struct config_key *config_keys(size_t *ret_n);

/* "rblmond", "targets", "zone" ("" for CONFIG_SECTION_NONE). */
const char *config_section_name(enum config_section s);

#endif

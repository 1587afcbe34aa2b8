/* SPDX-License-Identifier: ISC */
/*
 * Every configuration key, described once: its section, type, range,
 * default and help, how it is read and where it is kept. The loader
 * walks this table; the documentation and the tests read it through
 * config_keys().
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "loader.h"

#define RBLMOND CONFIG_SECTION_RBLMOND
#define TARGETS CONFIG_SECTION_TARGETS
#define ZONE CONFIG_SECTION_ZONE

/* Where a key is kept: a field of struct config, of struct zone, or none. */
#define IN_CONFIG(f) .store = CONFIG_STORE_CONFIG,			\
	.offset = offsetof(struct config, f),				\
	.size = sizeof(((struct config *)0)->f)
#define IN_ZONE(f) .store = CONFIG_STORE_ZONE,				\
	.offset = offsetof(struct zone, f),				\
	.size = sizeof(((struct zone *)0)->f)
#define IN_LOADER .store = CONFIG_STORE_NONE

#define SECOND_MS UINT64_C(1000)
#define HOUR_MS (3600 * SECOND_MS)
#define DAY_MS (24 * HOUR_MS)

static const struct config_key config_key_table[] = {
	/* ---- [rblmond] ---- */
	{ .name = "state_db", .section = RBLMOND, .type = "path",
	    .range = "a path; relative: to the file's folder", .unit = "",
	    .help = "SQLite file of the listing state and the event history; "
		    "unset: no state is kept",
	    .parser = LOADER_PATH, IN_CONFIG(state_db) },
	{ .name = "nameservers", .section = RBLMOND, .repeatable = true,
	    .type = "nameservers", .range = "IPv4, IPv4:PORT, IPv6 or "
	    "[IPv6]:PORT, separated by commas or blanks", .unit = "",
	    .help = "DNS servers to ask; unset or empty: the system resolver",
	    .parser = LOADER_NAMESERVERS, IN_CONFIG(nameservers) },
	{ .name = "timeout", .section = RBLMOND, .type = "duration",
	    .def = "2s", .range = "100ms to 60s", .unit = "",
	    .help = "how long the first try of a query waits; each further "
		    "try waits twice as long",
	    .parser = LOADER_DURATION, IN_CONFIG(timeout_ms), .min = 100,
	    .max = 60 * SECOND_MS },
	{ .name = "tries", .section = RBLMOND, .type = "integer",
	    .def = "3", .range = "1 to 10", .unit = "tries",
	    .help = "tries per query; timeout x (2^tries - 1) may be 60s "
		    "at most",
	    .parser = LOADER_UINT, IN_CONFIG(tries), .min = 1, .max = 10 },
	{ .name = "max_inflight", .section = RBLMOND, .type = "integer",
	    .def = "64", .range = "1 to 4096", .unit = "queries",
	    .help = "queries waiting for an answer at once, over all zones",
	    .parser = LOADER_UINT, IN_CONFIG(max_inflight), .min = 1,
	    .max = 4096 },
	{ .name = "max_net_addresses", .section = RBLMOND, .type = "integer",
	    .def = "65536", .range = "1 to 16777216", .unit = "addresses",
	    .help = "the most addresses one net line may expand to",
	    .parser = LOADER_UINT, IN_CONFIG(max_net_addresses), .min = 1,
	    .max = CONFIG_MAX_TARGETS },
	{ .name = "interval", .section = RBLMOND, .type = "duration",
	    .def = "1h", .range = "1s to 30d", .unit = "",
	    .help = "how often each target is checked on a zone without an "
		    "interval of its own",
	    .parser = LOADER_DURATION, IN_CONFIG(interval_ms),
	    .min = SECOND_MS, .max = 30 * DAY_MS },
	{ .name = "jitter", .section = RBLMOND, .type = "percent",
	    .def = "10%", .range = "0% to 100%",
	    .unit = "percent of a check's slot",
	    .help = "how far a check may move inside its slot of the "
		    "interval",
	    .parser = LOADER_PERCENT, IN_CONFIG(jitter_permille), .min = 0,
	    .max = 1000 },
	{ .name = "confirm", .section = RBLMOND, .type = "integer",
	    .def = "2", .range = "1 to 255", .unit = "answers",
	    .help = "agreeing answers in a row a listing, delisting or code "
		    "change needs",
	    .parser = LOADER_UINT, IN_CONFIG(confirm), .min = 1, .max = 255 },
	{ .name = "confirm_delay", .section = RBLMOND, .type = "duration",
	    .def = "30s", .range = "0s to 1d", .unit = "",
	    .help = "when a confirming query is sent after an answer that "
		    "would change a state",
	    .parser = LOADER_DURATION, IN_CONFIG(confirm_delay_ms), .min = 0,
	    .max = DAY_MS },
	{ .name = "remind", .section = RBLMOND, .type = "duration",
	    .def = "24h", .range = "0 (off), or 1s to 365d", .unit = "",
	    .help = "announce a standing listing again this long after the "
		    "last announcement",
	    .parser = LOADER_DURATION_OFF, IN_CONFIG(remind_ms),
	    .min = SECOND_MS, .max = 365 * DAY_MS },
	{ .name = "alert_command", .section = RBLMOND, .type = "command",
	    .range = "an absolute path, then arguments split on blanks",
	    .unit = "",
	    .help = "program run, without a shell, for every event; unset: "
		    "none",
	    .parser = LOADER_COMMAND, IN_CONFIG(alert_argv) },
	{ .name = "alert_timeout", .section = RBLMOND, .type = "duration",
	    .def = "30s", .range = "1s to 1h", .unit = "",
	    .help = "how long an alert_command may run before it is "
		    "stopped",
	    .parser = LOADER_DURATION, IN_CONFIG(alert_timeout_ms),
	    .min = SECOND_MS, .max = HOUR_MS },
	{ .name = "alert_max", .section = RBLMOND, .type = "integer",
	    .def = "4", .range = "1 to 64", .unit = "commands",
	    .help = "alert_commands running at once; further events wait",
	    .parser = LOADER_UINT, IN_CONFIG(alert_max), .min = 1, .max = 64 },
	{ .name = "syslog_facility", .section = RBLMOND, .type = "facility",
	    .def = "daemon", .range = "daemon, user, mail, local0 to local7",
	    .unit = "",
	    .help = "the syslog facility of alerts and diagnostics",
	    .parser = LOADER_FACILITY, IN_CONFIG(syslog_facility) },
	{ .name = "socket", .section = RBLMOND, .type = "path",
	    .range = "a path of at most 107 bytes; relative: to the file's "
	    "folder", .unit = "",
	    .help = "the control socket rblmonctl talks to; unset: "
		    CONFIG_DEFAULT_SOCKET,
	    .parser = LOADER_PATH, IN_CONFIG(socket) },
	{ .name = "socket_mode", .section = RBLMOND, .type = "mode",
	    .def = "0660", .range = "octal, 0000 to 0777", .unit = "",
	    .help = "the control socket's permissions: who may connect "
		    "(and so run read commands)",
	    .parser = LOADER_MODE, IN_CONFIG(socket_mode) },
	{ .name = "socket_group", .section = RBLMOND, .type = "group",
	    .range = "a group name or number", .unit = "",
	    .help = "the control socket's group; unset: the daemon's",
	    .parser = LOADER_GROUP, IN_CONFIG(socket_group) },
	{ .name = "metrics_listen", .section = RBLMOND, .type = "address",
	    .range = "IPv4:PORT or [IPv6]:PORT, numeric", .unit = "",
	    .help = "serve the metrics over HTTP at /metrics here; unset: "
		    "no HTTP",
	    .parser = LOADER_LISTEN, IN_CONFIG(metrics_listen) },
	{ .name = "metrics_textfile", .section = RBLMOND, .type = "path",
	    .range = "a path ending in .prom; relative: to the file's folder",
	    .unit = "",
	    .help = "write the metrics here after each zone cycle, "
		    "atomically, for node_exporter's textfile collector; "
		    "unset: none",
	    .parser = LOADER_PATH, IN_CONFIG(metrics_textfile) },
	{ .name = "include", .section = RBLMOND, .repeatable = true,
	    .type = "path", .range = "relative to the including file's "
	    "folder, nested at most 8 deep", .unit = "",
	    .help = "read another file at this point",
	    .parser = LOADER_INCLUDE, IN_LOADER },

	/* ---- [targets] and [targets NAME] ---- */
	{ .name = "ip", .section = TARGETS, .repeatable = true,
	    .type = "address", .range = "IPv4 or IPv6", .unit = "",
	    .help = "one address to check",
	    .parser = LOADER_IP, IN_LOADER },
	{ .name = "net", .section = TARGETS, .repeatable = true,
	    .type = "network", .range = "ADDRESS/PREFIX, host bits zero, at "
	    "most max_net_addresses addresses", .unit = "",
	    .help = "every address of a network",
	    .parser = LOADER_NET, IN_LOADER },
	{ .name = "domain", .section = TARGETS, .repeatable = true,
	    .type = "domain", .range = "", .unit = "",
	    .help = "a domain name, checked on domain zones",
	    .parser = LOADER_DOMAIN, IN_LOADER },

	/* ---- [zone NAME] ---- */
	{ .name = "type", .section = ZONE, .type = "zone type",
	    .def = "ip", .range = "ip, ip4, ip6, domain", .unit = "",
	    .help = "which targets the zone takes: IPv4 and IPv6, one of "
		    "them, or domains",
	    .parser = LOADER_ZONE_TYPE, IN_ZONE(type) },
	{ .name = "listed", .section = ZONE, .repeatable = true,
	    .type = "code item", .range = "inside 127.0.0.0/8", .unit = "",
	    .help = "answers that are listings; unset: any 127/8 answer",
	    .parser = LOADER_LISTED, IN_ZONE(listed) },
	{ .name = "refused", .section = ZONE, .repeatable = true,
	    .type = "code item", .range = "any address", .unit = "",
	    .help = "answers that mean the list refuses us; checked before "
		    "listed",
	    .parser = LOADER_REFUSED, IN_ZONE(refused) },
	{ .name = "code", .section = ZONE, .repeatable = true,
	    .type = "code label", .range = "a code item inside 127.0.0.0/8, "
	    "then a label", .unit = "",
	    .help = "a label shown with the codes it matches",
	    .parser = LOADER_CODE, IN_ZONE(labels) },
	{ .name = "txt", .section = ZONE, .type = "boolean", .def = "no",
	    .range = "", .unit = "",
	    .help = "fetch the TXT reason of a listing",
	    .parser = LOADER_BOOL, IN_ZONE(txt) },
	{ .name = "max_qps", .section = ZONE, .type = "rate", .def = "0",
	    .range = "0 for no limit, or 0.01 to 100000 queries a second",
	    .unit = "queries a second",
	    .help = "the most queries a second sent to this zone",
	    .parser = LOADER_RATE, IN_ZONE(max_qps), .min = 10,
	    .max = UINT64_C(100000000) },
	{ .name = "interval", .section = ZONE, .type = "duration",
	    .def = "0", .range = "0 (the [rblmond] interval), or 1s to 30d",
	    .unit = "",
	    .help = "how often each target is checked on this zone",
	    .parser = LOADER_DURATION_OFF, IN_ZONE(interval_ms),
	    .min = SECOND_MS, .max = 30 * DAY_MS },
	{ .name = "daily_budget", .section = ZONE, .type = "integer",
	    .def = "0", .range = "0 (no cap) to 10000000000",
	    .unit = "queries a UTC day",
	    .help = "the most queries a UTC day sent to this zone, test "
		    "points included",
	    .parser = LOADER_UINT, IN_ZONE(daily_budget), .min = 0,
	    .max = UINT64_C(10000000000) },
	{ .name = "test_points", .section = ZONE, .type = "boolean",
	    .def = "yes", .range = "", .unit = "",
	    .help = "probe the RFC 5782 test points and trust the zone only "
		    "while they answer right",
	    .parser = LOADER_BOOL, IN_ZONE(test_points) },
	{ .name = "test_listed", .section = ZONE, .type = "test point",
	    .range = "an address or domain of the zone's kind, or none",
	    .unit = "",
	    .help = "the list's own always-listed test point; unset: the RFC "
		    "5782 one",
	    .parser = LOADER_TEST_POINT, IN_ZONE(test_listed) },
	{ .name = "test_unlisted", .section = ZONE, .type = "test point",
	    .range = "an address or domain of the zone's kind, or none",
	    .unit = "",
	    .help = "the list's own never-listed test point; unset: the RFC "
		    "5782 one",
	    .parser = LOADER_TEST_POINT, IN_ZONE(test_unlisted) },
	{ .name = "nameservers", .section = ZONE, .repeatable = true,
	    .type = "nameservers", .range = "as in [rblmond]", .unit = "",
	    .help = "this zone's own DNS servers; unset: the [rblmond] ones",
	    .parser = LOADER_NAMESERVERS, IN_ZONE(nameservers) },
	{ .name = "severity", .section = ZONE, .type = "severity",
	    .def = "critical", .range = "critical, warning, info", .unit = "",
	    .help = "how urgent this zone's listings are",
	    .parser = LOADER_SEVERITY, IN_ZONE(severity) },
	{ .name = "delist_url", .section = ZONE, .type = "url",
	    .range = "http:// or https://, at most 200 characters",
	    .unit = "",
	    .help = "the list's delisting page, {target} replaced by the "
		    "target; unset: none",
	    .parser = LOADER_URL, IN_ZONE(delist_url) },
};

#define NKEYS (sizeof(config_key_table) / sizeof(*config_key_table))

const struct config_key *
config_keys(size_t *ret_n)
{
	*ret_n = NKEYS;
	return config_key_table;
}

const char *
config_section_name(enum config_section s)
{
	switch (s) {
	case CONFIG_SECTION_RBLMOND:
		return "rblmond";
	case CONFIG_SECTION_TARGETS:
		return "targets";
	case CONFIG_SECTION_ZONE:
		return "zone";
	default:
		return "";
	}
}

const struct config_key *
loader_key_find(enum config_section sec, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (config_key_table[i].section == sec &&
		    strcmp(config_key_table[i].name, name) == 0)
			return &config_key_table[i];
	return NULL;
}

size_t
loader_key_index(const struct config_key *k)
{
	assert(k >= config_key_table && k < config_key_table + NKEYS);
	return (size_t)(k - config_key_table);
}

static void
loader_unknown(struct loader *l, const char *name)
{
	const struct config *c = l->c;

	switch (l->sec) {
	case CONFIG_SECTION_RBLMOND:
		loader_fail(l, "unknown key \"%s\" in [rblmond]", name);
		break;
	case CONFIG_SECTION_TARGETS:
		if (l->group == 0)
			loader_fail(l, "unknown key \"%s\" in [targets]", name);
		else
			loader_fail(l, "unknown key \"%s\" in [targets %s]",
			    name, c->groups[l->group]);
		break;
	case CONFIG_SECTION_ZONE:
		loader_fail(l, "unknown key \"%s\" in [zone %s]", name,
		    c->zones[l->zone].name);
		break;
	default:
		loader_fail(l, "key \"%s\" outside any section (start with "
		    "[rblmond], [targets] or [zone NAME])", name);
		break;
	}
}

const struct config_key *
loader_key_take(struct loader *l, const char *name)
{
	const struct config_key *k = loader_key_find(l->sec, name);
	struct config_key_loc *at;
	struct config_zone_loc *z;
	int *line;

	if (k == NULL) {
		loader_unknown(l, name);
		return NULL;
	}
	if (k->repeatable)
		return k;
	/* Only [rblmond] and [zone] have scalar keys. */
	if (l->sec == CONFIG_SECTION_RBLMOND) {
		at = &l->rblmond_at[loader_key_index(k)];
		if (at->file != NULL) {
			loader_fail(l, "duplicate key \"%s\" (first at %s:%d)",
			    name, at->file, at->line);
			return NULL;
		}
		*at = (struct config_key_loc){ l->file, l->line, l->nkeys };
		return k;
	}
	z = &l->zone_locs[l->zone];
	line = &z->key_line[loader_key_index(k)];
	if (*line != 0) {
		loader_fail(l, "duplicate key \"%s\" (first at %s:%d)", name,
		    z->file, *line);
		return NULL;
	}
	*line = l->line;
	return k;
}

void
loader_key_set(struct loader *l, const struct config_key *k,
    const char *value)
{
	void *field = NULL;

	if (k->store == CONFIG_STORE_CONFIG)
		field = (char *)l->c + k->offset;
	else if (k->store == CONFIG_STORE_ZONE)
		field = (char *)&l->c->zones[l->zone] + k->offset;
	switch (k->parser) {
	case LOADER_NAMESERVERS:
		loader_nameservers(l, value, field);
		break;
	case LOADER_IP:
	case LOADER_NET:
	case LOADER_DOMAIN:
		loader_target_line(l, k->parser, value);
		break;
	case LOADER_LISTED:
	case LOADER_REFUSED:
	case LOADER_CODE:
	case LOADER_TEST_POINT:
		loader_zone_list(l, k, value);
		break;
	case LOADER_INCLUDE:
		assert(!"include is read by the file reader");
		break;
	default:
		loader_value(l, k, value, field);
		break;
	}
}

const struct config_key_loc *
loader_rblmond_at(const struct loader *l, const char *name)
{
	const struct config_key *k = loader_key_find(CONFIG_SECTION_RBLMOND,
	    name);

	assert(k != NULL && !k->repeatable);
	return &l->rblmond_at[loader_key_index(k)];
}

int
loader_zone_line(const struct loader *l, size_t i, const char *name)
{
	const struct config_key *k = loader_key_find(CONFIG_SECTION_ZONE, name);

	assert(k != NULL && !k->repeatable);
	return l->zone_locs[i].key_line[loader_key_index(k)];
}

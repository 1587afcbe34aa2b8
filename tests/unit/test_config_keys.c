/* SPDX-License-Identifier: ISC */
/*
 * The monitor's configuration keys, row by row: each value accepted or
 * refused with its exact "FILE:LINE: message", the alert command's words,
 * the syslog facilities, and the warnings about a daily budget or a rate
 * a zone's interval cannot keep.
 */
#include <syslog.h>

#include "config_test.h"
#include "incident.h"

/* ---- rejected values ---- */

#define RBL "[rblmond]\n"

static const struct bad_row bad_rows[] = {
	{ "state_db empty", RBL "state_db =\n", NULL, -EINVAL,
	    MAIN ":2: state_db: empty path (expected a file name)" },
	{ "state_db a folder", RBL "state_db = /var/lib/rblmon/\n", NULL,
	    -EINVAL,
	    MAIN ":2: state_db: \"/var/lib/rblmon/\" names a folder (expected "
		 "a file name)" },
	{ "state_db twice, across [rblmond] sections",
	    RBL "state_db = /a.db\n" TARGET RBL "state_db = /b.db\n", NULL,
	    -EINVAL, MAIN ":6: duplicate key \"state_db\" (first at " MAIN
		 ":2)" },
	{ "interval zero", RBL "interval = 0\n", NULL, -EINVAL,
	    MAIN ":2: interval: 0 is out of range (1s to 30d)" },
	{ "interval under a second", RBL "interval = 999ms\n", NULL, -EINVAL,
	    MAIN ":2: interval: 999ms is out of range (1s to 30d)" },
	{ "interval over 30 days", RBL "interval = 31d\n", NULL, -EINVAL,
	    MAIN ":2: interval: 31d is out of range (1s to 30d)" },
	{ "interval in weeks", RBL "interval = 1w\n", NULL, -EINVAL,
	    MAIN ":2: interval: invalid duration \"1w\" (use a number with ms, "
		 "s, m, h or d)" },
	{ "jitter without %", RBL "jitter = 10\n", NULL, -EINVAL,
	    MAIN ":2: jitter: invalid percentage \"10\" (expected a number "
		 "with at most one decimal and %, e.g. 10% or 2.5%)" },
	{ "jitter with two decimals", RBL "jitter = 2.55%\n", NULL, -EINVAL,
	    MAIN ":2: jitter: invalid percentage \"2.55%\" (expected a number "
		 "with at most one decimal and %, e.g. 10% or 2.5%)" },
	{ "jitter negative", RBL "jitter = -1%\n", NULL, -EINVAL,
	    MAIN ":2: jitter: invalid percentage \"-1%\" (expected a number "
		 "with at most one decimal and %, e.g. 10% or 2.5%)" },
	{ "jitter over 100%", RBL "jitter = 100.1%\n", NULL, -EINVAL,
	    MAIN ":2: jitter: 100.1% is out of range (0% to 100%)" },
	{ "jitter huge", RBL "jitter = 99999999999999999999%\n", NULL,
	    -EINVAL,
	    MAIN ":2: jitter: 99999999999999999999% is out of range (0% to "
		 "100%)" },
	{ "confirm zero", RBL "confirm = 0\n", NULL, -EINVAL,
	    MAIN ":2: confirm: 0 is out of range (1 to 255)" },
	{ "confirm 256", RBL "confirm = 256\n", NULL, -EINVAL,
	    MAIN ":2: confirm: 256 is out of range (1 to 255)" },
	{ "confirm in words", RBL "confirm = two\n", NULL, -EINVAL,
	    MAIN ":2: confirm: invalid number \"two\" (expected a whole number "
		 "from 1 to 255)" },
	{ "confirm_delay over a day", RBL "confirm_delay = 25h\n", NULL,
	    -EINVAL, MAIN ":2: confirm_delay: 25h is out of range (0s to 1d)" },
	{ "remind under a second", RBL "remind = 500ms\n", NULL, -EINVAL,
	    MAIN ":2: remind: 500ms is out of range (0 (off), or 1s to 365d)" },
	{ "remind over a year", RBL "remind = 366d\n", NULL, -EINVAL,
	    MAIN ":2: remind: 366d is out of range (0 (off), or 1s to 365d)" },
	{ "alert_command relative", RBL "alert_command = alert.sh -v\n", NULL,
	    -EINVAL,
	    MAIN ":2: alert_command: \"alert.sh\" is not an absolute path (the "
		 "command runs without a shell or a PATH search)" },
	{ "alert_command empty", RBL "alert_command =\n", NULL, -EINVAL,
	    MAIN ":2: alert_command: empty command (expected an absolute path, "
		 "then arguments)" },
	{ "alert_command with quotes",
	    RBL "alert_command = /usr/bin/logger -t \"rbl mon\"\n", NULL,
	    -EINVAL,
	    MAIN ":2: alert_command: quotes are not supported (the command "
		 "runs without a shell, its words split on blanks; put a "
		 "command that needs quoting in a script)" },
	{ "alert_command twice",
	    RBL "alert_command = /bin/a\nalert_command = /bin/b\n", NULL,
	    -EINVAL, MAIN ":3: duplicate key \"alert_command\" (first at " MAIN
		 ":2)" },
	{ "alert_timeout zero", RBL "alert_timeout = 0s\n", NULL, -EINVAL,
	    MAIN ":2: alert_timeout: 0s is out of range (1s to 1h)" },
	{ "alert_timeout over an hour", RBL "alert_timeout = 61m\n", NULL,
	    -EINVAL, MAIN ":2: alert_timeout: 61m is out of range (1s to 1h)" },
	{ "alert_max zero", RBL "alert_max = 0\n", NULL, -EINVAL,
	    MAIN ":2: alert_max: 0 is out of range (1 to 64)" },
	{ "alert_max 65", RBL "alert_max = 65\n", NULL, -EINVAL,
	    MAIN ":2: alert_max: 65 is out of range (1 to 64)" },
	{ "syslog_facility kern", RBL "syslog_facility = kern\n", NULL,
	    -EINVAL,
	    MAIN ":2: syslog_facility: expected daemon, user, mail or local0 "
		 "to local7, not \"kern\"" },
	{ "syslog_facility upper case", RBL "syslog_facility = LOCAL0\n", NULL,
	    -EINVAL,
	    MAIN ":2: syslog_facility: expected daemon, user, mail or local0 "
		 "to local7, not \"LOCAL0\"" },
	{ "syslog_facility local8", RBL "syslog_facility = local8\n", NULL,
	    -EINVAL,
	    MAIN ":2: syslog_facility: expected daemon, user, mail or local0 "
		 "to local7, not \"local8\"" },
	{ "a zone key in [rblmond]", RBL "daily_budget = 10\n", NULL, -EINVAL,
	    MAIN ":2: unknown key \"daily_budget\" in [rblmond]" },
	{ "zone interval under a second", TARGET ZONE "interval = 10ms\n",
	    NULL, -EINVAL,
	    MAIN ":4: interval: 10ms is out of range (0 (the [rblmond] "
		 "interval), or 1s to 30d)" },
	{ "zone interval in two units", TARGET ZONE "interval = 720h1s\n",
	    NULL, -EINVAL,
	    MAIN ":4: interval: invalid duration \"720h1s\" (use a number with "
		 "ms, s, m, h or d)" },
	{ "zone interval 31d", TARGET ZONE "interval = 31d\n", NULL, -EINVAL,
	    MAIN ":4: interval: 31d is out of range (0 (the [rblmond] "
		 "interval), or 1s to 30d)" },
	{ "zone interval twice", TARGET ZONE "interval = 1h\ninterval = 2h\n",
	    NULL, -EINVAL,
	    MAIN ":5: duplicate key \"interval\" (first at " MAIN ":4)" },
	{ "daily_budget with commas", TARGET ZONE "daily_budget = 300,000\n",
	    NULL, -EINVAL,
	    MAIN ":4: daily_budget: invalid number \"300,000\" (expected a "
		 "whole number from 0 to 10000000000)" },
	{ "daily_budget too big", TARGET ZONE
	    "daily_budget = 10000000001\n", NULL, -EINVAL,
	    MAIN ":4: daily_budget: 10000000001 is out of range (0 (no cap) to "
		 "10000000000)" },
	{ "zone nameserver invalid", TARGET ZONE
	    "nameservers = 127.0.0.1:5300\nnameservers = ns.example\n", NULL,
	    -EINVAL,
	    MAIN ":5: nameservers: invalid server \"ns.example\" (expected "
		 "IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT)" },
	{ "severity unknown", TARGET ZONE "severity = high\n", NULL, -EINVAL,
	    MAIN ":4: severity: expected critical, warning or info, not "
		 "\"high\"" },
	{ "severity twice", TARGET ZONE "severity = info\nseverity = info\n",
	    NULL, -EINVAL,
	    MAIN ":5: duplicate key \"severity\" (first at " MAIN ":4)" },
	{ "delist_url ftp", TARGET ZONE "delist_url = ftp://example.org/\n",
	    NULL, -EINVAL,
	    MAIN ":4: delist_url: \"ftp://example.org/\" is not an http:// or "
		 "https:// URL with a host" },
	{ "delist_url without a host", TARGET ZONE
	    "delist_url = https:///x\n", NULL, -EINVAL,
	    MAIN ":4: delist_url: \"https:///x\" is not an http:// or https:// "
		 "URL with a host" },
	{ "delist_url only a scheme", TARGET ZONE "delist_url = http://\n",
	    NULL, -EINVAL,
	    MAIN ":4: delist_url: \"http://\" is not an http:// or https:// "
		 "URL with a host" },
	{ "delist_url with a blank", TARGET ZONE
	    "delist_url = https://example.org/a b\n", NULL, -EINVAL,
	    MAIN ":4: delist_url: \"https://example.org/a b\" may hold "
		 "printable characters only, no blanks, quotes or "
		 "backslashes" },
	{ "delist_url with a quote", TARGET ZONE
	    "delist_url = https://example.org/\"x\n", NULL, -EINVAL,
	    MAIN ":4: delist_url: \"https://example.org/\"x\" may hold "
		 "printable characters only, no blanks, quotes or "
		 "backslashes" },
	{ "delist_url with a control byte", TARGET ZONE
	    "delist_url = https://example.org/\x1b[2J\n", NULL, -EINVAL,
	    MAIN ":4: delist_url: \"https://example.org/\\x1b[2J\" may hold "
		 "printable characters only, no blanks, quotes or "
		 "backslashes" },
	{ "delist_url unknown placeholder", TARGET ZONE
	    "delist_url = https://example.org/?ip={ip}\n", NULL, -EINVAL,
	    MAIN ":4: delist_url: unknown placeholder in "
		 "\"https://example.org/?ip={ip}\" (only {target} is filled "
		 "in)" },
	{ "delist_url stray brace", TARGET ZONE
	    "delist_url = https://example.org/?q=target}\n", NULL, -EINVAL,
	    MAIN ":4: delist_url: unknown placeholder in "
		 "\"https://example.org/?q=target}\" (only {target} is filled "
		 "in)" },
	{ "delist_url twice", TARGET ZONE "delist_url = http://a.example/\n"
	    "delist_url = http://b.example/\n", NULL, -EINVAL,
	    MAIN ":5: duplicate key \"delist_url\" (first at " MAIN ":4)" },
	{ "severity in [targets]", TARGET "severity = info\n" ZONE, NULL,
	    -EINVAL, MAIN ":3: unknown key \"severity\" in [targets]" },
	/* ---- the control plane ---- */
	{ "socket too long for a Unix socket", RBL "socket = /run/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n", NULL, -EINVAL,
	    MAIN ":2: socket: \"/run/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\" is longer than "
	    "107 bytes (a Unix socket's limit)" },
	{ "socket a folder", RBL "socket = /run/rblmon/\n", NULL, -EINVAL,
	    MAIN ":2: socket: \"/run/rblmon/\" names a folder (expected a "
		 "file name)" },
	{ "socket_mode not octal", RBL "socket_mode = 0680\n", NULL, -EINVAL,
	    MAIN ":2: socket_mode: \"0680\" is not an octal mode such as "
		 "0660" },
	{ "socket_mode in words", RBL "socket_mode = rw-rw----\n", NULL,
	    -EINVAL, MAIN ":2: socket_mode: \"rw-rw----\" is not an octal "
		 "mode such as 0660" },
	{ "socket_mode with setuid bits", RBL "socket_mode = 4660\n", NULL,
	    -EINVAL, MAIN ":2: socket_mode: 4660 has bits beyond 0777" },
	{ "socket_group with a blank", RBL "socket_group = rbl mon\n", NULL,
	    -EINVAL, MAIN ":2: socket_group: \"rbl mon\" is not a group name "
		 "or number" },
	{ "socket_group an option", RBL "socket_group = -adm\n", NULL,
	    -EINVAL, MAIN ":2: socket_group: \"-adm\" is not a group name or "
		 "number" },
	{ "metrics_listen a host name", RBL "metrics_listen = localhost:9465\n",
	    NULL, -EINVAL, MAIN ":2: metrics_listen: \"localhost\" is not a "
		 "numeric address (host names are not looked up; use "
		 "127.0.0.1 or [::1])" },
	{ "metrics_listen port 0", RBL "metrics_listen = 127.0.0.1:0\n", NULL,
	    -EINVAL, MAIN ":2: metrics_listen: port must be 1-65535, not "
		 "\"0\"" },
	{ "metrics_listen twice", RBL "metrics_listen = 127.0.0.1:9465\n"
	    "metrics_listen = 127.0.0.1:9466\n", NULL, -EINVAL,
	    MAIN ":3: duplicate key \"metrics_listen\" (first at " MAIN
		 ":2)" },
	{ "metrics_textfile empty", RBL "metrics_textfile =\n", NULL, -EINVAL,
	    MAIN ":2: metrics_textfile: empty path (expected a file name)" },
};

START_TEST(test_bad)
{
	bad_row_check(&bad_rows[_i]);
}
END_TEST

/* ---- accepted values ---- */

static void
check_defaults(const struct config *c, const char *row)
{
	const struct zone *z = &c->zones[0];

	ck_assert_msg(c->state_db == NULL, "%s: state_db", row);
	ck_assert_msg(c->interval_ms == 3600000, "%s: interval", row);
	ck_assert_msg(c->jitter_permille == 100, "%s: jitter", row);
	ck_assert_msg(c->confirm == 2, "%s: confirm", row);
	ck_assert_msg(c->confirm_delay_ms == 30000, "%s: confirm_delay", row);
	ck_assert_msg(c->remind_ms == 86400000, "%s: remind", row);
	ck_assert_msg(c->alert_argv == NULL, "%s: alert_command", row);
	ck_assert_msg(c->alert_timeout_ms == 30000, "%s: alert_timeout", row);
	ck_assert_msg(c->alert_max == 4, "%s: alert_max", row);
	ck_assert_msg(c->syslog_facility == LOG_DAEMON, "%s: facility", row);
	ck_assert_msg(z->interval_ms == 0 && z->daily_budget == 0,
	    "%s: zone interval, budget", row);
	ck_assert_msg(z->nameservers == NULL && z->delist_url == NULL,
	    "%s: zone nameservers, delist_url", row);
	ck_assert_msg(z->severity == SEVERITY_CRITICAL, "%s: severity", row);
	ck_assert_msg(c->nwarnings == 0, "%s: warnings", row);
}

/* A relative state_db lies beside the file that names it. */
static void
check_relative_state(const struct config *c, const char *row)
{
	const char *tail = "/rblmon-unit-state/s.db";
	size_t n = c->state_db != NULL ? strlen(c->state_db) : 0;

	ck_assert_msg(n > strlen(tail) && c->state_db[0] == '/' &&
	    strcmp(c->state_db + n - strlen(tail), tail) == 0,
	    "%s: state_db %s", row, c->state_db ? c->state_db : "(null)");
}

static void
check_control(const struct config *c, const char *row)
{
	const char *tail = "/run-here/ctl.sock";
	size_t n = strlen(config_socket(c));

	ck_assert_msg(n > strlen(tail) && config_socket(c)[0] == '/' &&
	    strcmp(config_socket(c) + n - strlen(tail), tail) == 0,
	    "%s: socket %s", row, config_socket(c));
	ck_assert_msg(c->socket_mode == 0640, "%s: mode %o", row,
	    (unsigned)c->socket_mode);
	ck_assert_msg(c->socket_group != NULL &&
	    strcmp(c->socket_group, "adm") == 0, "%s: group", row);
	ck_assert_msg(c->metrics_listen != NULL &&
	    strcmp(c->metrics_listen, "[::1]:9465") == 0, "%s: listen", row);
	ck_assert_msg(c->metrics_textfile != NULL &&
	    strcmp(c->metrics_textfile, "/var/lib/node/rblmon.prom") == 0,
	    "%s: textfile", row);
}

static void
check_no_control(const struct config *c, const char *row)
{
	ck_assert_msg(strcmp(config_socket(c), CONFIG_DEFAULT_SOCKET) == 0 &&
	    c->socket_mode == 0660 && c->socket_group == NULL &&
	    c->metrics_listen == NULL && c->metrics_textfile == NULL,
	    "%s: defaults", row);
}

static void
check_values(const struct config *c, const char *row)
{
	ck_assert_msg(c->state_db != NULL &&
	    strcmp(c->state_db, "/var/lib/rblmon/state.db") == 0,
	    "%s: state_db", row);
	ck_assert_msg(c->interval_ms == 30 * 60000, "%s: interval", row);
	ck_assert_msg(c->jitter_permille == 25, "%s: jitter %u", row,
	    c->jitter_permille);
	ck_assert_msg(c->confirm == 255, "%s: confirm", row);
	ck_assert_msg(c->confirm_delay_ms == 0, "%s: confirm_delay", row);
	ck_assert_msg(c->remind_ms == 0, "%s: remind", row);
	ck_assert_msg(c->alert_timeout_ms == 1000, "%s: alert_timeout", row);
	ck_assert_msg(c->alert_max == 64, "%s: alert_max", row);
	ck_assert_msg(c->syslog_facility == LOG_LOCAL3, "%s: facility", row);
}

static void
check_bounds(const struct config *c, const char *row)
{
	const struct zone *z = find_zone(c, row, "zen.example");

	ck_assert_msg(c->interval_ms == 30ull * 86400000, "%s: interval", row);
	ck_assert_msg(c->jitter_permille == 1000, "%s: jitter", row);
	ck_assert_msg(c->confirm_delay_ms == 86400000, "%s: delay", row);
	ck_assert_msg(c->remind_ms == 365ull * 86400000, "%s: remind", row);
	ck_assert_msg(c->alert_timeout_ms == 3600000, "%s: timeout", row);
	ck_assert_msg(z->interval_ms == 1000, "%s: zone interval", row);
	ck_assert_msg(z->daily_budget == 10000000000ull, "%s: budget", row);
	z = find_zone(c, row, "b.example");
	ck_assert_msg(z->interval_ms == 30ull * 86400000 &&
	    z->daily_budget == 0, "%s: b.example", row);
}

static void
check_zone_keys(const struct config *c, const char *row)
{
	const struct zone *z = find_zone(c, row, "zen.example");
	const struct zone *b = find_zone(c, row, "b.example");

	ck_assert_msg(c->nameservers != NULL &&
	    strcmp(c->nameservers, "127.0.0.1:53") == 0, "%s: global", row);
	ck_assert_msg(z->interval_ms == 30 * 60000, "%s: interval", row);
	ck_assert_msg(z->daily_budget == 300000, "%s: budget", row);
	ck_assert_msg(z->nameservers != NULL && strcmp(z->nameservers,
	    "127.0.0.1:5300,[::1]:5300,192.0.2.53:53") == 0,
	    "%s: zone nameservers \"%s\"", row,
	    z->nameservers ? z->nameservers : "(null)");
	ck_assert_msg(z->severity == SEVERITY_INFO, "%s: severity", row);
	ck_assert_msg(z->delist_url != NULL && strcmp(z->delist_url,
	    "https://check.spamhaus.org/results/?query={target}") == 0,
	    "%s: delist_url", row);
	ck_assert_msg(b->nameservers == NULL && b->delist_url == NULL &&
	    b->severity == SEVERITY_WARNING && b->interval_ms == 0,
	    "%s: b.example", row);
}

static const struct good_row good_rows[] = {
	{ "nothing set: every default", TARGET ZONE, NULL, check_defaults },
	{ "every [rblmond] key",
	    RBL "state_db = /var/lib/rblmon/state.db\ninterval = 30m\n"
	    "jitter = 2.5%\nconfirm = 255\nconfirm_delay = 0s\nremind = 0\n"
	    "alert_command = /usr/local/bin/rbl-alert\nalert_timeout = 1s\n"
	    "alert_max = 64\nsyslog_facility = local3\n" TARGET ZONE,
	    NULL, check_values },
	{ "the control plane's keys; socket relative to the folder",
	    RBL "socket = run-here/ctl.sock\nsocket_mode = 640\n"
	    "socket_group = adm\nmetrics_listen = [::1]:9465\n"
	    "metrics_textfile = /var/lib/node/rblmon.prom\n" TARGET ZONE,
	    NULL, check_control },
	{ "the control plane's defaults", TARGET ZONE, NULL,
	    check_no_control },
	{ "state_db relative to the configuration's folder",
	    RBL "state_db = rblmon-unit-state/s.db\n" TARGET ZONE, NULL,
	    check_relative_state },
	{ "upper bounds, and the zone's own interval and budget",
	    RBL "interval = 30d\njitter = 100%\nconfirm_delay = 1d\n"
	    "remind = 365d\nalert_timeout = 1h\n" TARGET ZONE
	    "interval = 1s\ndaily_budget = 10000000000\n"
	    "[zone b.example]\ninterval = 720h\ndaily_budget = 0\n",
	    NULL, check_bounds },
	{ "zone keys; nameservers repeat, the zone's own beside the global",
	    RBL "nameservers = 127.0.0.1\n" TARGET ZONE "interval = 30m\n"
	    "daily_budget = 300000\nnameservers = 127.0.0.1:5300\n"
	    "nameservers = [::1]:5300, 192.0.2.53\nnameservers =\n"
	    "severity = info\n"
	    "delist_url = https://check.spamhaus.org/results/?query={target}\n"
	    "[zone b.example]\nseverity = warning\n",
	    NULL, check_zone_keys },
};

START_TEST(test_good)
{
	good_row_check(&good_rows[_i]);
}
END_TEST

/* alert_command: words split on blanks, NULL-terminated. */
static const struct argv_row {
	const char *value;
	const char *want; /* the words joined by "|" */
} argv_rows[] = {
	{ "/usr/local/bin/rbl-alert", "/usr/local/bin/rbl-alert" },
	{ "/bin/mail -s rbl ops@example.com",
	    "/bin/mail|-s|rbl|ops@example.com" },
	{ "/bin/x  a\t\tb \t c", "/bin/x|a|b|c" },
	{ "/bin/x --url=https://a.example/?q={target}",
	    "/bin/x|--url=https://a.example/?q={target}" },
	{ "/bin/x a ; a comment", "/bin/x|a" },
};

START_TEST(test_argv)
{
	const struct argv_row *r = &argv_rows[_i];
	char text[512], got[512] = "";
	struct config *c;
	size_t n = 0, i;

	snprintf(text, sizeof(text), RBL "alert_command = %s\n" TARGET ZONE,
	    r->value);
	c = unit_config(text, "");
	ck_assert_msg(c->alert_argv != NULL, "%s: no argv", r->value);
	for (i = 0; c->alert_argv[i] != NULL; i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s",
		    i ? "|" : "", c->alert_argv[i]);
	ck_assert_msg(strcmp(got, r->want) == 0, "%s: got %s, want %s",
	    r->value, got, r->want);
	config_free(c);
}
END_TEST

static const struct facility_row {
	const char *name;
	int facility;
} facility_rows[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER }, { "mail", LOG_MAIL },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

START_TEST(test_facility)
{
	const struct facility_row *r = &facility_rows[_i];
	char text[256];
	struct config *c;

	snprintf(text, sizeof(text), RBL "syslog_facility = %s\n" TARGET ZONE,
	    r->name);
	c = unit_config(text, "");
	ck_assert_msg(c->syslog_facility == r->facility, "%s: %d, want %d",
	    r->name, c->syslog_facility, r->facility);
	config_free(c);
}
END_TEST

/* ---- warnings: a budget or a rate the interval cannot keep ---- */

/* 16 targets: a cycle costs 16 + 2 test points + 1 spare = 19 queries. */
#define NET16 "[targets]\nnet = 192.0.2.0/28\n"

static const struct warn_row warn_rows[] = {
	{ "budget just fits one cycle an hour", NET16 ZONE
	    "daily_budget = 456\n", NULL, "" },
	{ "budget one short stretches the cycle", NET16 ZONE
	    "daily_budget = 455\n", NULL,
	    MAIN ":4: warning: [zone zen.example]: daily_budget = 455 cannot "
		 "fit a cycle every 1h (16 targets cost 19 queries a cycle, "
		 "456 a day): the cycle will stretch to 1h8s\n" },
	{ "a small budget, at its own line", NET16 ZONE "txt = yes\n"
	    "daily_budget = 100\n", NULL,
	    MAIN ":5: warning: [zone zen.example]: daily_budget = 100 cannot "
		 "fit a cycle every 1h (16 targets cost 19 queries a cycle, "
		 "456 a day): the cycle will stretch to 4h33m36s\n" },
	{ "the zone's interval fits the budget", NET16 ZONE
	    "daily_budget = 100\ninterval = 1d\n", NULL, "" },
	{ "the [rblmond] interval fits the budget",
	    RBL "interval = 1d\n" NET16 ZONE "daily_budget = 100\n", NULL, "" },
	{ "the [rblmond] interval, too short", RBL "interval = 1m\n" NET16 ZONE
	    "[zone b.example]\ndaily_budget = 10000\n", NULL,
	    MAIN ":7: warning: [zone b.example]: daily_budget = 10000 cannot "
		 "fit a cycle every 1m (16 targets cost 19 queries a cycle, "
		 "27360 a day): the cycle will stretch to 2m45s\n" },
	{ "max_qps too slow for the interval", NET16 ZONE "interval = 10s\n"
	    "max_qps = 0.5\n", NULL,
	    MAIN ":5: warning: [zone zen.example]: max_qps = 0.5 cannot send "
		 "16 targets every 10s: the cycle will stretch to 32s\n" },
	{ "max_qps just fast enough", NET16 ZONE "interval = 32s\n"
	    "max_qps = 0.5\n", NULL, "" },
	{ "max_qps against the stretched cycle", NET16 ZONE "interval = 10s\n"
	    "max_qps = 0.5\ndaily_budget = 86400\n", NULL,
	    MAIN ":6: warning: [zone zen.example]: daily_budget = 86400 cannot "
		 "fit a cycle every 10s (16 targets cost 19 queries a cycle, "
		 "164160 a day): the cycle will stretch to 19s\n"
	    MAIN ":5: warning: [zone zen.example]: max_qps = 0.5 cannot send "
		 "16 targets every 19s: the cycle will stretch to 32s\n" },
};

START_TEST(test_warnings)
{
	warn_row_check(&warn_rows[_i]);
}
END_TEST

static Suite *
config_keys_suite(void)
{
	Suite *s = suite_create("config_keys");
	TCase *bad = tcase_create("rejected");
	TCase *good = tcase_create("accepted");

	tcase_add_loop_test(bad, test_bad, 0, NROWS(bad_rows));
	tcase_add_loop_test(good, test_good, 0, NROWS(good_rows));
	tcase_add_loop_test(good, test_argv, 0, NROWS(argv_rows));
	tcase_add_loop_test(good, test_facility, 0, NROWS(facility_rows));
	tcase_add_loop_test(good, test_warnings, 0, NROWS(warn_rows));
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}

int
main(void)
{
	return unit_run(config_keys_suite());
}

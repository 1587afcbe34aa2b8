/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for ctlfmt.c: the text of every command for the answers of
 * docs/control.md, columns that follow their longest cell, fields missing
 * or of the wrong type, escaped strings, request lines, decoding, and
 * every Nagios state with its exact line.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctlfmt.h"
#include "ctlproto.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* 2025-12-02 01:00:00 UTC: five minutes after the samples' last cycle. */
#define NOW INT64_C(1764637200)

/*
 * JSON in the rows is written with ` for ", so that it reads as JSON;
 * none of the texts holds a backtick.
 */
static json_t *
load(const char *text)
{
	char *s = strdup(text);
	json_error_t e;
	json_t *j;

	ck_assert_ptr_nonnull(s);
	for (char *p = s; *p != '\0'; p++)
		if (*p == '`')
			*p = '"';
	j = json_loads(s, 0, &e);
	ck_assert_msg(j != NULL, "row JSON: %s: %s", e.text, s);
	free(s);
	return j;
}

/* The answers of docs/control.md, and a few more rows where it has one. */
#define STATUS_SAMPLE \
	"{`ok`:true,`protocol`:1,`version`:`0.1.0`,`pid`:4242,`uid`:998," \
	"`started`:1764633600,`uptime`:3600," \
	"`config`:`/etc/rblmon/rblmond.conf`,`generation`:1,`targets`:256," \
	"`zones`:10,`pairs`:2560,`zones_ok`:9," \
	"`zones_not_ok`:[`dead.example`]," \
	"`listed`:12,`listed_targets`:3,`errors`:1,`pending`:0," \
	"`interval_max`:3600,`cycle`:{`ended`:1764636900,`seconds`:41.2," \
	"`queries`:2601,`by_status`:{`clean`:2540,`listed`:12,`refused`:0," \
	"`bogus`:0,`ignored`:0,`error`:3,`suppressed`:0}}," \
	"`store`:{`path`:`/var/lib/rblmon/state.db`,`commits`:120," \
	"`failing`:false},`alerts`:{`announced`:31,`hook_failures`:0}," \
	"`control`:{`clients`:1,`accepted`:88,`requests`:301," \
	"`bad_requests`:2,`dropped_slow`:0,`dropped_idle`:1}}"

#define STATUS_TEXT \
	"version:      rblmond 0.1.0, protocol 1, pid 4242, uid 998\n" \
	"started:      2025-12-02 00:00Z, up 1h\n" \
	"config:       /etc/rblmon/rblmond.conf, generation 1\n" \
	"targets:      256\n" \
	"zones:        10, 9 ok, not ok: dead.example\n" \
	"pairs:        2560\n" \
	"listed:       12 pairs on 3 targets\n" \
	"errors:       1\n" \
	"pending:      0\n" \
	"interval max: 1h\n" \
	"last cycle:   ended 2025-12-02 00:55Z (5m ago), longest 41.2s, " \
	"2601 queries\n" \
	"by status:    clean 2540, listed 12, refused 0, bogus 0, ignored 0, " \
	"error 3, suppressed 0\n" \
	"store:        /var/lib/rblmon/state.db, 120 commits, ok\n" \
	"alerts:       31 announced, 0 hook failures\n" \
	"control:      1 client, 88 accepted, 301 requests, 2 bad, " \
	"0 dropped slow, 1 dropped idle\n"

#define LISTED_SAMPLE \
	"{`ok`:true,`listed`:[{`target`:`192.0.2.25`," \
	"`zone`:`zen.spamhaus.org`,`group`:null,`codes`:[`127.0.0.4`]," \
	"`labels`:[`XBL`],`since`:1764633600,`last_seen`:1764636900," \
	"`txt`:`https://www.spamhaus.org/query/ip/192.0.2.25`," \
	"`delist`:`https://check.spamhaus.org/results/?query=192.0.2.25`," \
	"`severity`:`critical`}],`count`:1}"

#define LISTED_TEXT \
	"TARGET      ZONE              CODES      LABELS  SINCE\n" \
	"192.0.2.25  zen.spamhaus.org  127.0.0.4  XBL     2025-12-02 00:00Z\n" \
	"  txt: https://www.spamhaus.org/query/ip/192.0.2.25\n" \
	"  delist: https://check.spamhaus.org/results/?query=192.0.2.25\n"

#define ZONES_SAMPLE \
	"{`ok`:true,`zones`:[{`zone`:`zen.spamhaus.org`,`type`:`ip`," \
	"`state`:`ok`,`since`:1764633600,`reason`:null," \
	"`severity`:`critical`,`interval`:1800,`stretched`:false," \
	"`max_qps`:20,`budget`:250000,`used_today`:51200," \
	"`last_probe`:1764636000,`probes`:[{`point`:`127.0.0.2`," \
	"`outcome`:`codes`,`code`:`127.0.0.2`,`verdict`:`listed`}," \
	"{`point`:`127.0.0.1`,`outcome`:`nxdomain`,`code`:null," \
	"`verdict`:`clean`}],`listed`:4,`queries`:52011," \
	"`last_cycle`:{`ended`:1764636900,`seconds`:41.2,`queries`:2601}}," \
	"{`zone`:`dead.example`,`type`:`ip`,`state`:`dead`," \
	"`since`:1764635000," \
	"`reason`:`no answer from the test points for 3 rounds`," \
	"`severity`:`warning`,`interval`:7980,`stretched`:true," \
	"`max_qps`:null,`budget`:null,`used_today`:12," \
	"`last_probe`:1764636000,`probes`:[],`listed`:0,`queries`:12," \
	"`last_cycle`:null}]}"

#define ZONES_TEXT \
	"ZONE              STATE  SINCE              LAST-PROBE         " \
	"QUERIES-TODAY/BUDGET  INTERVAL         SEVERITY\n" \
	"zen.spamhaus.org  ok     2025-12-02 00:00Z  2025-12-02 00:40Z  " \
	"51200/250000          30m              critical\n" \
	"dead.example      dead   2025-12-02 00:23Z  2025-12-02 00:40Z  " \
	"12/unlimited          2h13m stretched  warning\n" \
	"  reason: no answer from the test points for 3 rounds\n"

static const struct format_row {
	const char *name;
	unsigned cmd;
	const char *json;
	const char *want;
} format_rows[] = {
	{ "status: the sample", CTLPROTO_STATUS, STATUS_SAMPLE, STATUS_TEXT },
	{ "status: no cycle yet, store failing", CTLPROTO_STATUS,
	    "{`ok`:true,`version`:`0.1.0`,`protocol`:1,`pid`:7,`uid`:0,"
	    "`started`:1764633600,`uptime`:90061,`config`:`/c`,"
	    "`generation`:3,`targets`:1,`zones`:1,`pairs`:1,`zones_ok`:1,"
	    "`zones_not_ok`:[],`listed`:1,`listed_targets`:1,`errors`:0,"
	    "`pending`:1,`interval_max`:1800,`cycle`:null,"
	    "`store`:{`path`:`/s.db`,`commits`:1,`failing`:true},"
	    "`alerts`:{`announced`:1,`hook_failures`:1},"
	    "`control`:{`clients`:2,`accepted`:1,`requests`:1,"
	    "`bad_requests`:0,`dropped_slow`:0,`dropped_idle`:0}}",
	    "version:      rblmond 0.1.0, protocol 1, pid 7, uid 0\n"
	    "started:      2025-12-02 00:00Z, up 1d1h\n"
	    "config:       /c, generation 3\n"
	    "targets:      1\n"
	    "zones:        1, 1 ok\n"
	    "pairs:        1\n"
	    "listed:       1 pair on 1 target\n"
	    "errors:       0\n"
	    "pending:      1\n"
	    "interval max: 30m\n"
	    "last cycle:   none finished yet\n"
	    "store:        /s.db, 1 commit, FAILING\n"
	    "alerts:       1 announced, 1 hook failure\n"
	    "control:      2 clients, 1 accepted, 1 request, 0 bad, "
	    "0 dropped slow, 0 dropped idle\n" },
	{ "status: only ok", CTLPROTO_STATUS, "{`ok`:true}",
	    "version:      rblmond -, protocol -, pid -, uid -\n"
	    "started:      -, up -\n"
	    "config:       -, generation -\n"
	    "targets:      -\n"
	    "zones:        -, - ok\n"
	    "pairs:        -\n"
	    "listed:       - pairs on - targets\n"
	    "errors:       -\n"
	    "pending:      -\n"
	    "interval max: -\n"
	    "last cycle:   -\n"
	    "store:        -, - commits, -\n"
	    "alerts:       - announced, - hook failures\n"
	    "control:      - clients, - accepted, - requests, - bad, "
	    "- dropped slow, - dropped idle\n" },
	{ "status: wrong types", CTLPROTO_STATUS,
	    "{`ok`:true,`version`:1,`protocol`:`1`,`pid`:[],`uid`:{},"
	    "`started`:`today`,`uptime`:-5,`config`:null,`zones_not_ok`:`x`,"
	    "`listed`:true,`interval_max`:[3600],`cycle`:{`ended`:`late`,"
	    "`seconds`:null,`queries`:1.5,`by_status`:{`clean`:`many`}},"
	    "`store`:[],`alerts`:7,`control`:`none`}",
	    "version:      rblmond -, protocol -, pid -, uid -\n"
	    "started:      -, up -\n"
	    "config:       -, generation -\n"
	    "targets:      -\n"
	    "zones:        -, - ok\n"
	    "pairs:        -\n"
	    "listed:       - pairs on - targets\n"
	    "errors:       -\n"
	    "pending:      -\n"
	    "interval max: -\n"
	    "last cycle:   ended -, longest -, 1.5 queries\n"
	    "by status:    clean -\n"
	    "store:        -, - commits, -\n"
	    "alerts:       - announced, - hook failures\n"
	    "control:      - clients, - accepted, - requests, - bad, "
	    "- dropped slow, - dropped idle\n" },
	{ "targets: columns follow the longest cell", CTLPROTO_TARGETS,
	    "{`ok`:true,`targets`:[{`target`:`192.0.2.25`,`group`:`mail`,"
	    "`listed`:1},{`target`:`2001:db8::25`,`group`:null,`listed`:0},"
	    "{`target`:`example.com`,`group`:`web-frontends`,`listed`:10}],"
	    "`count`:3}",
	    "TARGET        GROUP          LISTED\n"
	    "192.0.2.25    mail           1\n"
	    "2001:db8::25  -              0\n"
	    "example.com   web-frontends  10\n" },
	{ "targets: a header wider than every cell", CTLPROTO_TARGETS,
	    "{`ok`:true,`targets`:[{`target`:`a.b`,`group`:`g`,`listed`:0}]}",
	    "TARGET  GROUP  LISTED\n"
	    "a.b     g      0\n" },
	{ "targets: characters, not bytes, make a column's width",
	    CTLPROTO_TARGETS,
	    "{`ok`:true,`targets`:[{`target`:`a`,`group`:`M\u00fcller`,"
	    "`listed`:0},{`target`:`b`,`group`:`Mueller`,`listed`:0}]}",
	    "TARGET  GROUP    LISTED\n"
	    "a       M\xc3\xbcller   0\n"
	    "b       Mueller  0\n" },
	{ "targets: entries that are no objects", CTLPROTO_TARGETS,
	    "{`ok`:true,`targets`:[1,`x`,null,{}]}",
	    "TARGET  GROUP  LISTED\n"
	    "-       -      -\n"
	    "-       -      -\n"
	    "-       -      -\n"
	    "-       -      -\n" },
	{ "targets: none", CTLPROTO_TARGETS, "{`ok`:true,`targets`:[]}",
	    "no targets\n" },
	{ "targets: not an array", CTLPROTO_TARGETS,
	    "{`ok`:true,`targets`:{`a`:1}}", "no targets\n" },
	{ "zones: the sample and a dead zone", CTLPROTO_ZONES, ZONES_SAMPLE,
	    ZONES_TEXT },
	{ "zones: a zone not ok without a reason, fields missing",
	    CTLPROTO_ZONES,
	    "{`ok`:true,`zones`:[{`zone`:`z.example`,`state`:`unknown`,"
	    "`reason`:null},{`zone`:`y.example`,`reason`:`no state`}]}",
	    "ZONE       STATE    SINCE  LAST-PROBE  QUERIES-TODAY/BUDGET  "
	    "INTERVAL  SEVERITY\n"
	    "z.example  unknown  -      -           -/-                   "
	    "-         -\n"
	    "y.example  -        -      -           -/-                   "
	    "-         -\n"
	    "  reason: no state\n" },
	{ "zones: no reason under an ok zone", CTLPROTO_ZONES,
	    "{`ok`:true,`zones`:[{`zone`:`a.example`,`state`:`ok`,"
	    "`reason`:`was dead`,`used_today`:0,`budget`:10}]}",
	    "ZONE       STATE  SINCE  LAST-PROBE  QUERIES-TODAY/BUDGET  "
	    "INTERVAL  SEVERITY\n"
	    "a.example  ok     -      -           0/10                  "
	    "-         -\n" },
	{ "zones: none", CTLPROTO_ZONES, "{`ok`:true,`zones`:[]}",
	    "no zones\n" },
	{ "listed: the sample", CTLPROTO_LISTED, LISTED_SAMPLE, LISTED_TEXT },
	{ "listed: two rows, codes and labels joined", CTLPROTO_LISTED,
	    "{`ok`:true,`listed`:[{`target`:`192.0.2.25`,`zone`:`a.example`,"
	    "`codes`:[`127.0.0.2`,`127.0.0.4`],`labels`:[`SBL`,`XBL`],"
	    "`since`:1764633600,`txt`:null,`delist`:null},"
	    "{`target`:`2001:db8::1`,`zone`:`zen.spamhaus.org`,"
	    "`codes`:[`127.0.0.10`],`labels`:[],`since`:1764633660,"
	    "`txt`:`see\\nhttps://example.com`,`delist`:``}]}",
	    "TARGET       ZONE              CODES                LABELS   "
	    "SINCE\n"
	    "192.0.2.25   a.example         127.0.0.2,127.0.0.4  SBL,XBL  "
	    "2025-12-02 00:00Z\n"
	    "2001:db8::1  zen.spamhaus.org  127.0.0.10           -        "
	    "2025-12-02 00:01Z\n"
	    "  txt: see\n"
	    "    https://example.com\n" },
	{ "listed: wrong types", CTLPROTO_LISTED,
	    "{`ok`:true,`listed`:[{`target`:5,`zone`:[`x`],"
	    "`codes`:`127.0.0.2`,`labels`:[1,`XBL`,null],`since`:`yesterday`,"
	    "`txt`:7,`delist`:{}}]}",
	    "TARGET  ZONE  CODES  LABELS  SINCE\n"
	    "-       -     -      XBL     -\n" },
	{ "listed: empty", CTLPROTO_LISTED,
	    "{`ok`:true,`listed`:[],`count`:0}", "no standing listings\n" },
	{ "listed: missing", CTLPROTO_LISTED, "{`ok`:true}",
	    "no standing listings\n" },
	{ "listed: control characters escaped, widths after escaping",
	    CTLPROTO_LISTED,
	    "{`ok`:true,`listed`:[{`target`:`a\\u001b[2J`,`zone`:`z\\u009bq`,"
	    "`codes`:[`1\\t2`],`labels`:[`L\\u007f`],`since`:0,"
	    "`txt`:`x\\ry`},{`target`:`b`,`zone`:`y`,`codes`:[],"
	    "`labels`:[],`since`:1}]}",
	    "TARGET    ZONE        CODES   LABELS  SINCE\n"
	    "a\\x1b[2J  z\\xc2\\x9bq  1\\x092  L\\x7f   1970-01-01 00:00Z\n"
	    "  txt: x\\x0dy\n"
	    "b         y           -       -       1970-01-01 00:00Z\n" },
	{ "show: a watched target", CTLPROTO_SHOW,
	    "{`ok`:true,`target`:`192.0.2.25`,`watched`:true,`group`:`mail`,"
	    "`zones`:[{`zone`:`zen.spamhaus.org`,`status`:`listed`,"
	    "`codes`:[`127.0.0.4`,`127.0.0.10`],`labels`:[`XBL`,`PBL`],"
	    "`since`:1764633600,`last_seen`:1764636900,"
	    "`txt`:`https://www.spamhaus.org/query/ip/192.0.2.25`,"
	    "`delist`:`https://check.spamhaus.org/results/?query=192.0.2.25`},"
	    "{`zone`:`bl.spamcop.net`,`status`:`clean`}]}",
	    "target:  192.0.2.25\n"
	    "watched: yes\n"
	    "group:   mail\n"
	    "\n"
	    "ZONE              STATUS  CODES                 LABELS   "
	    "SINCE              LAST-SEEN\n"
	    "zen.spamhaus.org  listed  127.0.0.4,127.0.0.10  XBL,PBL  "
	    "2025-12-02 00:00Z  2025-12-02 00:55Z\n"
	    "  txt: https://www.spamhaus.org/query/ip/192.0.2.25\n"
	    "  delist: https://check.spamhaus.org/results/?query=192.0.2.25\n"
	    "bl.spamcop.net    clean   -                     -        "
	    "-                  -\n" },
	{ "show: no zones, no group", CTLPROTO_SHOW,
	    "{`ok`:true,`target`:`example.com`,`watched`:false,`group`:null,"
	    "`zones`:[]}",
	    "target:  example.com\n"
	    "watched: no\n"
	    "group:   -\n"
	    "\n"
	    "no zone takes this target\n" },
	{ "check: listed, an error, a zone not ok", CTLPROTO_CHECK,
	    "{`ok`:true,`target`:`192.0.2.25`,`checks`:[{`zone`:"
	    "`zen.spamhaus.org`,`status`:`listed`,`codes`:[`127.0.0.4`],"
	    "`labels`:[`XBL`],"
	    "`txt`:`https://www.spamhaus.org/query/ip/192.0.2.25`,"
	    "`error`:null,`zone_state`:`ok`,`ms`:12},"
	    "{`zone`:`b.barracudacentral.org`,`status`:`error`,`codes`:[],"
	    "`labels`:[],`txt`:null,"
	    "`error`:`daily budget spent until 00:00 UTC`,`zone_state`:`ok`,"
	    "`ms`:0},{`zone`:`dead.example`,`status`:`clean`,`codes`:[],"
	    "`labels`:[],`txt`:null,`error`:null,`zone_state`:`dead`,"
	    "`ms`:1500}]}",
	    "target: 192.0.2.25\n"
	    "\n"
	    "ZONE                    STATUS  CODES      LABELS  MS\n"
	    "zen.spamhaus.org        listed  127.0.0.4  XBL     12\n"
	    "  txt: https://www.spamhaus.org/query/ip/192.0.2.25\n"
	    "b.barracudacentral.org  error   -          -       0\n"
	    "  error: daily budget spent until 00:00 UTC\n"
	    "dead.example            clean   -          -       1500\n"
	    "  zone state: dead\n" },
	{ "check: no zone", CTLPROTO_CHECK,
	    "{`ok`:true,`target`:`x.example`,`checks`:[]}",
	    "target: x.example\n\nno zone takes this target\n" },
	{ "history: a timeline", CTLPROTO_HISTORY,
	    "{`ok`:true,`events`:[{`id`:19,`time`:1764641580,"
	    "`event`:`delisted`,`target`:`192.0.2.25`,"
	    "`zone`:`bl.spamcop.net`,`codes`:[],`labels`:[],`txt`:null,"
	    "`duration`:7980,`redelivery`:false},{`id`:18,"
	    "`time`:1764635000,`event`:`zone-down`,`target`:null,"
	    "`zone`:`dead.example`,`codes`:[],`labels`:[],`txt`:null,"
	    "`duration`:null,`redelivery`:false},{`id`:17,"
	    "`time`:1764633600,`event`:`listed`,`target`:`192.0.2.25`,"
	    "`zone`:`zen.spamhaus.org`,`codes`:[`127.0.0.4`],"
	    "`labels`:[`XBL`],"
	    "`txt`:`https://www.spamhaus.org/query/ip/192.0.2.25`,"
	    "`duration`:null,`redelivery`:true},{`id`:16,`time`:1764633000,"
	    "`event`:`storage-error`,`target`:null,`zone`:null,"
	    "`redelivery`:true}]}",
	    "TIME               EVENT          TARGET      ZONE              "
	    "DETAILS\n"
	    "2025-12-02 02:13Z  delisted       192.0.2.25  bl.spamcop.net    "
	    "after 2h13m\n"
	    "2025-12-02 00:23Z  zone-down      -           dead.example      "
	    "-\n"
	    "2025-12-02 00:00Z  listed         192.0.2.25  zen.spamhaus.org  "
	    "127.0.0.4 XBL (redelivered)\n"
	    "  txt: https://www.spamhaus.org/query/ip/192.0.2.25\n"
	    "2025-12-01 23:50Z  storage-error  -           -                 "
	    "redelivered\n" },
	{ "history: none", CTLPROTO_HISTORY, "{`ok`:true,`events`:[]}",
	    "no events\n" },
	{ "sweep: the zones", CTLPROTO_SWEEP,
	    "{`ok`:true,`zones`:[`zen.spamhaus.org`,`bl.spamcop.net`]}",
	    "sweep started on 2 zones:\n  zen.spamhaus.org\n"
	    "  bl.spamcop.net\n" },
	{ "sweep: one zone", CTLPROTO_SWEEP, "{`ok`:true,`zones`:[`a.b`]}",
	    "sweep started on 1 zone:\n  a.b\n" },
	{ "sweep: no list", CTLPROTO_SWEEP, "{`ok`:true}", "sweep started\n" },
	{ "reload", CTLPROTO_RELOAD, "{`ok`:true,`generation`:2}",
	    "configuration reloaded, generation 2\n" },
	{ "reload: no generation", CTLPROTO_RELOAD, "{`ok`:true}",
	    "configuration reloaded, generation -\n" },
	{ "metrics: as the daemon wrote them", CTLPROTO_METRICS,
	    "{`ok`:true,`metrics`:`# HELP rblmon_listed x\\n"
	    "# TYPE rblmon_listed gauge\\nrblmon_listed 12\\n`}",
	    "# HELP rblmon_listed x\n# TYPE rblmon_listed gauge\n"
	    "rblmon_listed 12\n" },
	{ "metrics: a last newline added", CTLPROTO_METRICS,
	    "{`ok`:true,`metrics`:`a 1`}", "a 1\n" },
	{ "metrics: not a string", CTLPROTO_METRICS,
	    "{`ok`:true,`metrics`:5}", "-\n" },
	{ "diagnose: a cause and its zones", CTLPROTO_DIAGNOSE,
	    "{`ok`:true,`causes`:[{`cause`:`public-resolver`,"
	    "`zones`:[`zen.spamhaus.org`,`dbl.spamhaus.org`],"
	    "`evidence`:`both answer 127.255.255.254 to the test points`,"
	    "`advice`:`use a resolver of your own\\nor a DQS key`}],"
	    "`zones`:[{`zone`:`zen.spamhaus.org`,`state`:`refused`,"
	    "`reason`:`answers 127.255.255.254`},{`zone`:`dbl.spamhaus.org`,"
	    "`state`:`refused`,`reason`:`answers 127.255.255.254`}]}",
	    "public-resolver: zen.spamhaus.org, dbl.spamhaus.org\n"
	    "  evidence: both answer 127.255.255.254 to the test points\n"
	    "  advice: use a resolver of your own\n"
	    "    or a DQS key\n"
	    "\n"
	    "ZONE              STATE    REASON\n"
	    "zen.spamhaus.org  refused  answers 127.255.255.254\n"
	    "dbl.spamhaus.org  refused  answers 127.255.255.254\n" },
	{ "diagnose: two causes", CTLPROTO_DIAGNOSE,
	    "{`ok`:true,`causes`:[{`cause`:`over-quota`,`zones`:[`a`],"
	    "`evidence`:`e1`,`advice`:`a1`},{`cause`:`unreachable`,"
	    "`zones`:[`b`]}],`zones`:[]}",
	    "over-quota: a\n  evidence: e1\n  advice: a1\n\nunreachable: b\n" },
	{ "diagnose: none", CTLPROTO_DIAGNOSE,
	    "{`ok`:true,`causes`:[{`cause`:`none`,`zones`:[],"
	    "`evidence`:null,`advice`:null}],`zones`:[]}",
	    "every zone is ok\n" },
	{ "diagnose: no causes at all", CTLPROTO_DIAGNOSE,
	    "{`ok`:true,`causes`:[]}", "every zone is ok\n" },
	{ "diagnose: a zone down for a reason of its own", CTLPROTO_DIAGNOSE,
	    "{`ok`:true,`causes`:[],`zones`:[{`zone`:`zen.example`,"
	    "`state`:`dead`,`reason`:`test point 127.0.0.2 answered "
	    "NXDOMAIN`}]}",
	    "no cause shared by the zones that are not ok; each one's "
	    "reason:\n"
	    "\n"
	    "ZONE         STATE  REASON\n"
	    "zen.example  dead   test point 127.0.0.2 answered NXDOMAIN\n" },
	{ "explain: listed, with checks", CTLPROTO_EXPLAIN,
	    "{`ok`:true,`kind`:`listed`,`target`:`192.0.2.25`,"
	    "`zone`:`zen.spamhaus.org`,`list`:null,"
	    "`explanation`:`192.0.2.25 is listed on zen.spamhaus.org.`,"
	    "`checks`:[{`zone`:`zen.spamhaus.org`,`status`:`listed`,"
	    "`codes`:[`127.0.0.4`],`labels`:[`XBL`],`txt`:null,`error`:null,"
	    "`zone_state`:`ok`,`ms`:12}]}",
	    "kind:   listed\n"
	    "target: 192.0.2.25\n"
	    "zone:   zen.spamhaus.org\n"
	    "list:   -\n"
	    "\n"
	    "192.0.2.25 is listed on zen.spamhaus.org.\n"
	    "\n"
	    "ZONE              STATUS  CODES      LABELS  MS\n"
	    "zen.spamhaus.org  listed  127.0.0.4  XBL     12\n" },
	{ "explain: not checked", CTLPROTO_EXPLAIN,
	    "{`ok`:true,`kind`:`receiver-resolver`,`target`:null,`zone`:null,"
	    "`list`:`Spamhaus`,`explanation`:`line one\\nline two`,"
	    "`checks`:[],`checked`:false}",
	    "kind:   receiver-resolver\n"
	    "target: -\n"
	    "zone:   -\n"
	    "list:   Spamhaus\n"
	    "\n"
	    "line one\nline two\n"
	    "\n"
	    "not checked live (that needs root or the daemon's user, and a "
	    "target in the text)\n" },
	{ "explain: the daemon says why not", CTLPROTO_EXPLAIN,
	    "{`ok`:true,`kind`:`receiver-resolver`,`target`:`192.0.2.25`,"
	    "`zone`:`zen.spamhaus.org`,`list`:null,`explanation`:`x`,"
	    "`checks`:[],`checked`:false,`note`:`zen.spamhaus.org is not a "
	    "configured zone for 192.0.2.25: not checked`}",
	    "kind:   receiver-resolver\n"
	    "target: 192.0.2.25\n"
	    "zone:   zen.spamhaus.org\n"
	    "list:   -\n"
	    "\n"
	    "x\n"
	    "\n"
	    "not checked live: zen.spamhaus.org is not a configured zone "
	    "for 192.0.2.25: not checked\n" },
	{ "explain: nothing", CTLPROTO_EXPLAIN, "{`ok`:true}",
	    "kind:   -\ntarget: -\nzone:   -\nlist:   -\n\nno live checks\n" },
	{ "version", CTLPROTO_VERSION_CMD,
	    "{`ok`:true,`version`:`0.1.0`,`protocol`:1}",
	    "rblmond 0.1.0, protocol 1\n" },
	{ "help: usage, help, who may", CTLPROTO_HELP,
	    "{`ok`:true,`commands`:[{`name`:`status`,`usage`:`status`,"
	    "`access`:`read`,`help`:`at a glance`},{`name`:`check`,"
	    "`usage`:`check TARGET [ZONE]`,`access`:`write`,"
	    "`help`:`check a target now`},{`name`:`x`}]}",
	    "status               at a glance\n"
	    "check TARGET [ZONE]  check a target now (root or the daemon's "
	    "user)\n"
	    "x                    -\n" },
	{ "help: no commands", CTLPROTO_HELP, "{`ok`:true,`commands`:{}}",
	    "no commands\n" },
};

START_TEST(test_format)
{
	const struct format_row *r = &format_rows[_i];
	json_t *a = load(r->json);
	char *text = NULL;

	ck_assert_int_eq(ctlfmt_format(r->cmd, a, NOW, &text), 0);
	ck_assert_msg(strcmp(text, r->want) == 0, "%s:\n%s\nwant:\n%s",
	    r->name, text, r->want);
	free(text);
	json_decref(a);
}
END_TEST

/* Durations and times, through status's lines. */
static const struct value_row {
	const char *name, *json, *want;
} value_rows[] = {
	{ "0 s", "{`interval_max`:0}", "interval max: 0s\n" },
	{ "41.2 s", "{`interval_max`:41.2}", "interval max: 41.2s\n" },
	{ "59 s", "{`interval_max`:59}", "interval max: 59s\n" },
	{ "59.96 s rounds to a minute", "{`interval_max`:59.96}",
	    "interval max: 1m\n" },
	{ "60 s", "{`interval_max`:60}", "interval max: 1m\n" },
	{ "61 s", "{`interval_max`:61}", "interval max: 1m1s\n" },
	{ "3599 s", "{`interval_max`:3599}", "interval max: 59m59s\n" },
	{ "3600 s", "{`interval_max`:3600}", "interval max: 1h\n" },
	{ "2h13m", "{`interval_max`:7980}", "interval max: 2h13m\n" },
	{ "2h13m, seconds dropped", "{`interval_max`:8039}",
	    "interval max: 2h13m\n" },
	{ "a day", "{`interval_max`:86400}", "interval max: 1d\n" },
	{ "3d4h", "{`interval_max`:273600}", "interval max: 3d4h\n" },
	{ "negative", "{`interval_max`:-1}", "interval max: -\n" },
	{ "huge", "{`interval_max`:1e300}", "interval max: -\n" },
	{ "a string", "{`interval_max`:`1h`}", "interval max: -\n" },
	{ "time: the epoch", "{`started`:0}",
	    "started:      1970-01-01 00:00Z" },
	{ "time: a real is cut to the second", "{`started`:1764633659.9}",
	    "started:      2025-12-02 00:00Z" },
	{ "time: the last minute shown", "{`started`:253402300799}",
	    "started:      9999-12-31 23:59Z" },
	{ "time: past year 9999", "{`started`:253402300800}",
	    "started:      -, up" },
	{ "time: negative", "{`started`:-1}", "started:      -, up" },
	{ "time: huge real", "{`started`:1e300}", "started:      -, up" },
	{ "ago: not before the end", "{`cycle`:{`ended`:1764637201}}",
	    "last cycle:   ended 2025-12-02 01:00Z, longest" },
	{ "ago: now is the end", "{`cycle`:{`ended`:1764637200}}",
	    "last cycle:   ended 2025-12-02 01:00Z (0s ago), longest" },
};

START_TEST(test_value)
{
	const struct value_row *r = &value_rows[_i];
	json_t *a = load(r->json);
	char *text = NULL;

	ck_assert_int_eq(ctlfmt_format(CTLPROTO_STATUS, a, NOW, &text), 0);
	ck_assert_msg(strstr(text, r->want) != NULL, "%s:\n%s\nwant: %s",
	    r->name, text, r->want);
	free(text);
	json_decref(a);
}
END_TEST

/* One sample per command, for the mutation test below. */
static const struct sample {
	unsigned cmd;
	const char *json;
} samples[] = {
	{ CTLPROTO_STATUS, STATUS_SAMPLE },
	{ CTLPROTO_TARGETS, "{`ok`:true,`targets`:[{`target`:`a`,"
	    "`group`:`g`,`listed`:1}],`count`:1}" },
	{ CTLPROTO_ZONES, ZONES_SAMPLE },
	{ CTLPROTO_LISTED, LISTED_SAMPLE },
	{ CTLPROTO_SHOW, "{`ok`:true,`target`:`a`,`watched`:true,`group`:`g`,"
	    "`zones`:[{`zone`:`z`,`status`:`listed`,`codes`:[`127.0.0.2`],"
	    "`labels`:[`L`],`since`:1,`last_seen`:2,`txt`:`t`,"
	    "`delist`:`d`}]}" },
	{ CTLPROTO_CHECK, "{`ok`:true,`target`:`a`,`checks`:[{`zone`:`z`,"
	    "`status`:`error`,`codes`:[`127.0.0.2`],`labels`:[`L`],"
	    "`txt`:`t`,`error`:`e`,`zone_state`:`dead`,`ms`:3}]}" },
	{ CTLPROTO_HISTORY, "{`ok`:true,`events`:[{`id`:1,`time`:2,"
	    "`event`:`delisted`,`target`:`a`,`zone`:`z`,`codes`:[`c`],"
	    "`labels`:[`l`],`txt`:`t`,`duration`:5,`redelivery`:true}]}" },
	{ CTLPROTO_SWEEP, "{`ok`:true,`zones`:[`a`,`b`]}" },
	{ CTLPROTO_RELOAD, "{`ok`:true,`generation`:2}" },
	{ CTLPROTO_METRICS, "{`ok`:true,`metrics`:`a 1\\n`}" },
	{ CTLPROTO_DIAGNOSE, "{`ok`:true,`causes`:[{`cause`:`lists-all`,"
	    "`zones`:[`z`],`evidence`:`e`,`advice`:`a`}],`zones`:[{`zone`:`z`,"
	    "`state`:`lists-all`,`reason`:`r`}]}" },
	{ CTLPROTO_EXPLAIN, "{`ok`:true,`kind`:`listed`,`target`:`a`,"
	    "`zone`:`z`,`list`:`L`,`explanation`:`x`,`checked`:true,"
	    "`checks`:[{`zone`:`z`,`status`:`listed`,`ms`:1}]}" },
	{ CTLPROTO_VERSION_CMD, "{`ok`:true,`version`:`0.1.0`,`protocol`:1}" },
	{ CTLPROTO_HELP, "{`ok`:true,`commands`:[{`name`:`a`,`usage`:`a`,"
	    "`access`:`write`,`help`:`h`}]}" },
};

/* Values every field is swapped for in turn. */
static const char *const odd_values[] = { "null", "true", "0", "-1",
	"1.5", "1e300", "\"\"", "\"x\\u001by\"", "[]", "[1,null,{}]", "{}",
	"{\"a\":[]}" };

/*
 * Format j; the text must end in a newline. (Called hundreds of times:
 * plain checks, since Check records every passing assertion.)
 */
static void
format_ok(unsigned cmd, const json_t *j, const char *what)
{
	char *text = NULL;
	size_t n;

	if (ctlfmt_format(cmd, j, NOW, &text) != 0)
		ck_abort_msg("command %u, %s: format failed", cmd, what);
	n = strlen(text);
	if (n == 0 || text[n - 1] != '\n')
		ck_abort_msg("command %u, %s: text \"%s\"", cmd, what, text);
	free(text);
}

static void mutate(unsigned cmd, json_t *root, json_t *node, int *count);

/* Each odd value in turn in node's slot (key, or index when key is NULL). */
static void
swap_values(unsigned cmd, json_t *root, json_t *node, const char *key,
    size_t index, int *count)
{
	for (size_t o = 0; o < sizeof(odd_values) / sizeof(odd_values[0]);
	    o++) {
		json_t *odd = json_loads(odd_values[o], JSON_DECODE_ANY, NULL);

		ck_assert_ptr_nonnull(odd);
		if (key != NULL)
			json_object_set_new(node, key, odd);
		else
			json_array_set_new(node, index, odd);
		format_ok(cmd, root, key != NULL ? key : "an element");
		(*count)++;
	}
}

static void
mutate_object(unsigned cmd, json_t *root, json_t *node, int *count)
{
	size_t n = json_object_size(node), k = 0;
	char **keys = calloc(n + 1, sizeof(*keys));
	const char *key;
	json_t *v;

	ck_assert_ptr_nonnull(keys);
	json_object_foreach(node, key, v) {
		keys[k] = strdup(key);
		ck_assert_ptr_nonnull(keys[k]);
		k++;
	}
	for (k = 0; k < n; k++) {
		json_t *keep = json_incref(json_object_get(node, keys[k]));

		json_object_del(node, keys[k]);
		format_ok(cmd, root, keys[k]);
		(*count)++;
		swap_values(cmd, root, node, keys[k], 0, count);
		json_object_set(node, keys[k], keep);
		mutate(cmd, root, keep, count);
		json_decref(keep);
		free(keys[k]);
	}
	free(keys);
}

/*
 * Walk every value below node; at each, format the whole answer with the
 * value removed (in objects) and with each odd value in its place.
 */
static void
mutate(unsigned cmd, json_t *root, json_t *node, int *count)
{
	json_t *v;
	size_t i;

	if (json_is_object(node)) {
		mutate_object(cmd, root, node, count);
		return;
	}
	json_array_foreach(node, i, v) {
		json_t *keep = json_incref(v);

		swap_values(cmd, root, node, NULL, i, count);
		json_array_set(node, i, keep);
		mutate(cmd, root, keep, count);
		json_decref(keep);
	}
}

START_TEST(test_mutations)
{
	const struct sample *s = &samples[_i];
	json_t *a = load(s->json);
	int count = 0;

	format_ok(s->cmd, a, "the sample");
	mutate(s->cmd, a, a, &count);
	ck_assert_int_gt(count, 10);
	/* Not even an object, or nothing at all. */
	for (size_t o = 0; o < sizeof(odd_values) / sizeof(odd_values[0]);
	    o++) {
		json_t *odd = json_loads(odd_values[o], JSON_DECODE_ANY, NULL);

		format_ok(s->cmd, odd, odd_values[o]);
		json_decref(odd);
	}
	format_ok(s->cmd, NULL, "NULL");
	json_decref(a);
}
END_TEST

START_TEST(test_format_unknown_command)
{
	json_t *a = load("{`ok`:true}");
	static char untouched[] = "untouched";
	char *text = untouched;

	ck_assert_int_eq(ctlfmt_format(CTLPROTO_CMD_COUNT, a, NOW, &text),
	    -EINVAL);
	ck_assert_str_eq(text, "untouched");
	json_decref(a);
}
END_TEST

/* Request lines. */
#define LONG100 \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LONG1000 LONG100 LONG100 LONG100 LONG100 LONG100 LONG100 LONG100 \
	LONG100 LONG100 LONG100

static const struct request_row {
	const char *name;
	const char *words[6];
	size_t n;
	const char *want; /* the line, or NULL */
	const char *err;  /* the message when want is NULL */
	unsigned cmd;
} request_rows[] = {
	{ "status", { "status" }, 1, "status", NULL, CTLPROTO_STATUS },
	{ "show TARGET", { "show", "192.0.2.25" }, 2, "show 192.0.2.25",
	    NULL, CTLPROTO_SHOW },
	{ "check TARGET ZONE", { "check", "192.0.2.25", "zen.spamhaus.org" },
	    3, "check 192.0.2.25 zen.spamhaus.org", NULL, CTLPROTO_CHECK },
	{ "history --limit N", { "history", "--limit", "5" }, 3,
	    "history --limit 5", NULL, CTLPROTO_HISTORY },
	{ "history TARGET --limit=N", { "history", "192.0.2.25",
	    "--limit=5" }, 3, "history 192.0.2.25 --limit=5", NULL,
	    CTLPROTO_HISTORY },
	{ "history: a bad limit", { "history", "--limit", "0" }, 3, NULL,
	    "history: --limit takes a number from 1 to 10000", 0 },
	{ "history: an unknown option", { "history", "--all" }, 2, NULL,
	    "history: unknown option (usage: history [TARGET] [--limit N])",
	    0 },
	{ "history: two targets", { "history", "a", "b" }, 3, NULL,
	    "usage: history [TARGET] [--limit N]", 0 },
	{ "explain: words joined, newline and backslash escaped",
	    { "explain", "550 x\\y\nz", "more" }, 3,
	    "explain 550 x\\\\y\\nz more", NULL, CTLPROTO_EXPLAIN },
	{ "explain: other control bytes become blanks",
	    { "explain", "a\x01" "b\x7f" "c\td" }, 2, "explain a b c\td", NULL,
	    CTLPROTO_EXPLAIN },
	{ "explain: no text", { "explain" }, 1, NULL,
	    "usage: explain TEXT (the text is empty)", 0 },
	{ "explain: only newlines", { "explain", "\n\n" }, 2, NULL,
	    "usage: explain TEXT (the text is empty)", 0 },
	{ "explain: 1016 bytes fit", { "explain", LONG1000 "aaaaaaaaaaaaaaaa" },
	    2, "explain " LONG1000 "aaaaaaaaaaaaaaaa", NULL,
	    CTLPROTO_EXPLAIN },
	{ "explain: 1017 bytes do not", { "explain",
	    LONG1000 "aaaaaaaaaaaaaaaaa" }, 2, NULL,
	    "explain: the text takes 1017 bytes escaped; one request holds "
	    "1016", 0 },
	{ "explain: escapes count", { "explain",
	    LONG1000 "aaaaaaaaaaaaaaa\n" "x" }, 2, NULL,
	    "explain: the text takes 1018 bytes escaped; one request holds "
	    "1016", 0 },
	{ "no command", { NULL }, 0, NULL, "no command given (try help)", 0 },
	{ "empty command", { "" }, 1, NULL, "no command given (try help)", 0 },
	{ "unknown command", { "stat" }, 1, NULL,
	    "unknown command \"stat\" (try help)", 0 },
	{ "unknown command: quoted safely and cut",
	    { "\x1b[2J" LONG100 }, 1, NULL,
	    "unknown command \"\\x1b[2Jaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" "
	    "(try help)", 0 },
	{ "names are case-sensitive", { "Status" }, 1, NULL,
	    "unknown command \"Status\" (try help)", 0 },
	{ "too many arguments", { "status", "now" }, 2, NULL,
	    "usage: status", 0 },
	{ "too few arguments", { "show" }, 1, NULL, "usage: show TARGET", 0 },
	{ "check: three", { "check", "a", "b", "c" }, 4, NULL,
	    "usage: check TARGET [ZONE]", 0 },
	{ "an empty argument", { "show", "" }, 2, NULL,
	    "show: an argument cannot be empty or hold blanks", 0 },
	{ "an argument with a blank", { "show", "a b" }, 2, NULL,
	    "show: an argument cannot be empty or hold blanks", 0 },
	{ "an argument with a tab", { "show", "a\tb" }, 2, NULL,
	    "show: an argument cannot be empty or hold blanks", 0 },
	{ "a newline cannot start a second request", { "show",
	    "a\nreload" }, 2, NULL, "control byte 0x0a in request", 0 },
	{ "not UTF-8", { "show", "\xff" }, 2, NULL,
	    "request is not valid UTF-8", 0 },
	{ "1024 bytes fit", { "show", LONG1000 "aaaaaaaaaaaaaaaaaaa" }, 2,
	    "show " LONG1000 "aaaaaaaaaaaaaaaaaaa", NULL, CTLPROTO_SHOW },
	{ "1025 bytes do not", { "show", LONG1000 "aaaaaaaaaaaaaaaaaaaa" }, 2,
	    NULL, "the request is longer than 1024 bytes", 0 },
};

START_TEST(test_request)
{
	const struct request_row *r = &request_rows[_i];
	const struct ctlproto_command *cmd = NULL;
	char buf[CTLPROTO_LINE_MAX + 1], err[256];
	int rc;

	strcpy(buf, "untouched");
	rc = ctlfmt_request(r->words, r->n, buf, sizeof(buf), &cmd, err,
	    sizeof(err));
	if (r->want != NULL) {
		ck_assert_msg(rc == 0, "%s: %s", r->name, err);
		ck_assert_str_eq(buf, r->want);
		ck_assert_ptr_nonnull(cmd);
		ck_assert_uint_eq(cmd->cmd, r->cmd);
	} else {
		ck_assert_msg(rc == -EINVAL, "%s: accepted as \"%s\"", r->name,
		    buf);
		ck_assert_msg(strcmp(err, r->err) == 0, "%s: \"%s\"", r->name,
		    err);
		ck_assert_ptr_null(cmd);
	}
}
END_TEST

START_TEST(test_request_small_buffer)
{
	const char *words[] = { "status" };
	const struct ctlproto_command *cmd = NULL;
	char buf[CTLPROTO_LINE_MAX], err[64];

	ck_assert_int_eq(ctlfmt_request(words, 1, buf, sizeof(buf), &cmd, err,
	    sizeof(err)), -EINVAL);
	ck_assert_int_eq(ctlfmt_explain_request("a", 1, buf, sizeof(buf), err,
	    sizeof(err)), -EINVAL);
}
END_TEST

static const struct explain_row {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *want, *err;
} explain_rows[] = {
	{ "a bounce", "550 5.7.1 rejected\nsee zen.spamhaus.org\n", 0,
	    "explain 550 5.7.1 rejected\\nsee zen.spamhaus.org", NULL },
	{ "CRLF lines, last ones dropped", "a\r\nb\r\n\r\n", 0,
	    "explain a \\nb", NULL },
	{ "a NUL byte is a blank", "a\0b", 3, "explain a b", NULL },
	{ "blanks at the end dropped", "a \t\n ", 0, "explain a", NULL },
	{ "backslashes doubled", "C:\\x", 0, "explain C:\\\\x", NULL },
	{ "empty", "", 0, NULL, "usage: explain TEXT (the text is empty)" },
	{ "only blank lines", "\n \n", 0, NULL,
	    "usage: explain TEXT (the text is empty)" },
	{ "not UTF-8", "caf\xe9", 0, NULL, "request is not valid UTF-8" },
	{ "too long", LONG1000 LONG100, 0, NULL,
	    "explain: the text takes 1100 bytes escaped; one request holds "
	    "1016" },
};

START_TEST(test_explain_request)
{
	const struct explain_row *r = &explain_rows[_i];
	char buf[CTLPROTO_LINE_MAX + 1], err[256];
	size_t len = r->len != 0 ? r->len : strlen(r->text);
	int rc = ctlfmt_explain_request(r->text, len, buf, sizeof(buf), err,
	    sizeof(err));

	if (r->want != NULL) {
		ck_assert_msg(rc == 0, "%s: %s", r->name, err);
		ck_assert_str_eq(buf, r->want);
	} else {
		ck_assert_msg(rc == -EINVAL, "%s: accepted", r->name);
		ck_assert_str_eq(err, r->err);
	}
}
END_TEST

static const struct decode_row {
	const char *name, *line;
	bool ok;	 /* decoded */
	bool says_ok;	 /* its "ok" */
	/*
	 * What the message says when not decoded: all of ours, the start of
	 * jansson's (whose wording and positions are its own).
	 */
	const char *err;
} decode_rows[] = {
	{ "ok", "{\"ok\":true,\"x\":1}", true, true, NULL },
	{ "an error answer", "{\"ok\":false,\"error\":\"no\"}", true, false,
	    NULL },
	{ "cut", "{\"ok\":tru", false, false,
	    "invalid JSON: invalid token near 'tru'" },
	{ "not an object", "[1]", false, false, "the answer is not an object" },
	{ "a bare string", "\"ok\"", false, false,
	    "invalid JSON: '[' or '{' expected" },
	{ "no ok", "{\"error\":\"x\"}", false, false,
	    "the answer has no boolean \"ok\"" },
	{ "ok not boolean", "{\"ok\":1}", false, false,
	    "the answer has no boolean \"ok\"" },
	{ "two objects", "{\"ok\":true}{\"ok\":true}", false, false,
	    "invalid JSON: end of file expected" },
	{ "a key twice", "{\"ok\":true,\"ok\":false}", false, false,
	    "invalid JSON: duplicate object key" },
	{ "a NUL in a string", "{\"ok\":true,\"a\":\"\\u0000\"}", false,
	    false, "invalid JSON: \\u0000 is not allowed" },
	{ "an escape byte quoted back", "{\"ok\":\x1b}", false, false,
	    "invalid JSON: invalid token near '\\x1b'" },
	{ "empty", "", false, false,
	    "invalid JSON: '[' or '{' expected near end of file" },
};

START_TEST(test_decode)
{
	const struct decode_row *r = &decode_rows[_i];
	json_t *a = NULL;
	char err[256];
	int rc = ctlfmt_decode(r->line, strlen(r->line), &a, err, sizeof(err));

	if (r->ok) {
		ck_assert_msg(rc == 0, "%s: %s", r->name, err);
		ck_assert_int_eq(ctlfmt_ok(a), r->says_ok);
	} else {
		ck_assert_msg(rc == -EINVAL, "%s: decoded", r->name);
		ck_assert_ptr_null(a);
		ck_assert_msg(strncmp(err, r->err, strlen(r->err)) == 0,
		    "%s: \"%s\"", r->name, err);
	}
	ctlfmt_answer_free(a);
}
END_TEST

static const struct error_row {
	const char *name, *json, *want;
} error_rows[] = {
	{ "the daemon's words", "{`ok`:false,`error`:`usage: show TARGET`}",
	    "usage: show TARGET" },
	{ "control characters escaped",
	    "{`ok`:false,`error`:`bad\\u001b[31m\\nline`}",
	    "bad\\x1b[31m\\x0aline" },
	{ "UTF-8 kept", "{`ok`:false,`error`:`unknown command \\`\u00e9\\``}",
	    "unknown command \"\xc3\xa9\"" },
	{ "no error", "{`ok`:false}", "the daemon gave no reason" },
	{ "error not a string", "{`ok`:false,`error`:5}",
	    "the daemon gave no reason" },
	{ "empty error", "{`ok`:false,`error`:``}",
	    "the daemon gave no reason" },
};

START_TEST(test_error)
{
	const struct error_row *r = &error_rows[_i];
	json_t *a = load(r->json);
	char *text = NULL;

	ck_assert(!ctlfmt_ok(a));
	ck_assert_int_eq(ctlfmt_error(a, &text), 0);
	ck_assert_msg(strcmp(text, r->want) == 0, "%s: \"%s\"", r->name,
	    text);
	free(text);
	json_decref(a);
}
END_TEST

START_TEST(test_ok_null)
{
	char *text = NULL;

	ck_assert(!ctlfmt_ok(NULL));
	ck_assert_int_eq(ctlfmt_error(NULL, &text), 0);
	ck_assert_str_eq(text, "the daemon gave no reason");
	free(text);
	ctlfmt_answer_free(NULL);
}
END_TEST

/*
 * A status answer for the Nagios rows: listed pairs, listed targets,
 * zones not ok (a JSON array), the cycle's end (JSON) and interval_max.
 */
#define NSTATUS(listed, targets, not_ok, ended, imax) \
	"{`ok`:true,`zones`:10,`zones_ok`:10,`zones_not_ok`:" not_ok "," \
	"`listed`:" #listed ",`listed_targets`:" #targets ",`errors`:0," \
	"`interval_max`:" imax ",`cycle`:" ended "}"
/* The cycle ended five minutes before NOW. */
#define ENDED "{`ended`:1764636900}"

#define NLISTED \
	"{`ok`:true,`listed`:[" \
	"{`target`:`192.0.2.25`,`zone`:`zen.spamhaus.org`}," \
	"{`target`:`192.0.2.26`,`zone`:`zen.spamhaus.org`}," \
	"{`target`:`192.0.2.27`,`zone`:`b.barracudacentral.org`}," \
	"{`target`:`192.0.2.28`,`zone`:`bl.spamcop.net`}," \
	"{`target`:`192.0.2.29`,`zone`:`bl.spamcop.net`}]}"

#define PERF0 " | listed=0;1;1;0 listed_targets=0;;;0 zones_ok=10;;;0;10 " \
	"errors=0;;;0 age=300s;;10800;0"

static const struct nagios_row {
	const char *name;
	const char *status, *listed; /* listed may be NULL */
	uint64_t warn, crit;
	int64_t max_age, now;
	enum ctlfmt_nagios_state want;
	const char *line;
} nagios_rows[] = {
	{ "nothing listed, every zone ok", NSTATUS(0, 0, "[]", ENDED, "3600"),
	    NULL, 1, 1, -1, NOW, CTLFMT_NAGIOS_OK,
	    "RBLMON OK - nothing listed on 10 zones" PERF0 },
	{ "the docs sample: critical, names from listed", STATUS_SAMPLE,
	    LISTED_SAMPLE, 1, 1, -1, NOW, CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 12 listings on 3 targets: 192.0.2.25 on "
	    "zen.spamhaus.org and 11 more; 1 zone not ok: dead.example | "
	    "listed=12;1;1;0 listed_targets=3;;;0 zones_ok=9;;;0;10 "
	    "errors=1;;;0 age=300s;;10800;0" },
	{ "one listing: critical by default",
	    NSTATUS(1, 1, "[]", ENDED, "3600"),
	    "{`ok`:true,`listed`:[{`target`:`192.0.2.25`,"
	    "`zone`:`zen.spamhaus.org`}]}", 1, 1, -1, NOW,
	    CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 1 listing on 1 target: 192.0.2.25 on "
	    "zen.spamhaus.org | listed=1;1;1;0 listed_targets=1;;;0 "
	    "zones_ok=10;;;0;10 errors=0;;;0 age=300s;;10800;0" },
	{ "listings without the listed answer",
	    NSTATUS(5, 5, "[]", ENDED, "3600"), NULL, 1, 1, -1, NOW,
	    CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 5 listings on 5 targets | listed=5;1;1;0 "
	    "listed_targets=5;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "listings with an error answer to listed",
	    NSTATUS(5, 5, "[]", ENDED, "3600"),
	    "{`ok`:false,`error`:`busy`,`listed`:[{`target`:`x`,`zone`:`y`}]}",
	    1, 1, -1, NOW, CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 5 listings on 5 targets | listed=5;1;1;0 "
	    "listed_targets=5;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "the first three named, then how many more",
	    NSTATUS(5, 5, "[]", ENDED, "3600"), NLISTED, 1, 1, -1, NOW,
	    CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 5 listings on 5 targets: 192.0.2.25 on "
	    "zen.spamhaus.org, 192.0.2.26 on zen.spamhaus.org, 192.0.2.27 on "
	    "b.barracudacentral.org and 2 more | listed=5;1;1;0 "
	    "listed_targets=5;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "w < c: below w is ok", NSTATUS(2, 2, "[]", ENDED, "3600"), NULL,
	    3, 5, -1, NOW, CTLFMT_NAGIOS_OK,
	    "RBLMON OK - 2 listings on 2 targets | listed=2;3;5;0 "
	    "listed_targets=2;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "w < c: at w a warning", NSTATUS(3, 2, "[]", ENDED, "3600"), NULL,
	    3, 5, -1, NOW, CTLFMT_NAGIOS_WARNING,
	    "RBLMON WARNING - 3 listings on 2 targets | listed=3;3;5;0 "
	    "listed_targets=2;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "w < c: between a warning", NSTATUS(4, 2, "[]", ENDED, "3600"),
	    NULL, 3, 5, -1, NOW, CTLFMT_NAGIOS_WARNING,
	    "RBLMON WARNING - 4 listings on 2 targets | listed=4;3;5;0 "
	    "listed_targets=2;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "w < c: at c critical", NSTATUS(5, 2, "[]", ENDED, "3600"), NULL,
	    3, 5, -1, NOW, CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 5 listings on 2 targets | listed=5;3;5;0 "
	    "listed_targets=2;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "w = c: below is ok", NSTATUS(3, 1, "[]", ENDED, "3600"), NULL, 4,
	    4, -1, NOW, CTLFMT_NAGIOS_OK,
	    "RBLMON OK - 3 listings on 1 target | listed=3;4;4;0 "
	    "listed_targets=1;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "w = c: at both critical", NSTATUS(4, 1, "[]", ENDED, "3600"),
	    NULL, 4, 4, -1, NOW, CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 4 listings on 1 target | listed=4;4;4;0 "
	    "listed_targets=1;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "w > c: critical first", NSTATUS(4, 1, "[]", ENDED, "3600"), NULL,
	    9, 2, -1, NOW, CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 4 listings on 1 target | listed=4;9;2;0 "
	    "listed_targets=1;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "thresholds of 0 count as 1", NSTATUS(0, 0, "[]", ENDED, "3600"),
	    NULL, 0, 0, -1, NOW, CTLFMT_NAGIOS_OK,
	    "RBLMON OK - nothing listed on 10 zones" PERF0 },
	{ "a zone not ok, nothing listed: a warning",
	    NSTATUS(0, 0, "[`dead.example`]", ENDED, "3600"), NULL, 1, 1, -1,
	    NOW, CTLFMT_NAGIOS_WARNING,
	    "RBLMON WARNING - nothing listed on 10 zones; 1 zone not ok: "
	    "dead.example" PERF0 },
	{ "zones not ok under w: a warning",
	    NSTATUS(1, 1, "[`a.example`,`b.example`]", ENDED, "3600"), NULL,
	    2, 3, -1, NOW, CTLFMT_NAGIOS_WARNING,
	    "RBLMON WARNING - 1 listing on 1 target; 2 zones not ok: "
	    "a.example, b.example | listed=1;2;3;0 listed_targets=1;;;0 "
	    "zones_ok=10;;;0;10 errors=0;;;0 age=300s;;10800;0" },
	{ "zones not ok and listed past c: critical, zones named",
	    NSTATUS(3, 1, "[`a.example`,`b.example`,`c.example`,`d.example`,"
	    "`e.example`]", ENDED, "3600"), NULL, 1, 2, -1, NOW,
	    CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 3 listings on 1 target; 5 zones not ok: "
	    "a.example, b.example, c.example and 2 more | listed=3;1;2;0 "
	    "listed_targets=1;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;10800;0" },
	{ "max-age: an age of exactly max-age is judged",
	    NSTATUS(0, 0, "[]", ENDED, "3600"), NULL, 1, 1, 300, NOW,
	    CTLFMT_NAGIOS_OK,
	    "RBLMON OK - nothing listed on 10 zones | listed=0;1;1;0 "
	    "listed_targets=0;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;300;0" },
	{ "max-age: one second more is unknown",
	    NSTATUS(0, 0, "[]", ENDED, "3600"), NULL, 1, 1, 299, NOW,
	    CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - the last cycle ended 5m ago (300s, more than "
	    "the 299s allowed) | listed=0;1;1;0 listed_targets=0;;;0 "
	    "zones_ok=10;;;0;10 errors=0;;;0 age=300s;;299;0" },
	{ "default max-age 3 x interval_max: at it",
	    NSTATUS(0, 0, "[]", ENDED, "3600"), NULL, 1, 1, -1,
	    NOW + 10500, CTLFMT_NAGIOS_OK,
	    "RBLMON OK - nothing listed on 10 zones | listed=0;1;1;0 "
	    "listed_targets=0;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=10800s;;10800;0" },
	{ "default max-age 3 x interval_max: past it, even when listed",
	    NSTATUS(7, 1, "[]", ENDED, "3600"), NULL, 1, 1, -1, NOW + 10501,
	    CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - the last cycle ended 3h ago (10801s, more than "
	    "the 10800s allowed) | listed=7;1;1;0 listed_targets=1;;;0 "
	    "zones_ok=10;;;0;10 errors=0;;;0 age=10801s;;10800;0" },
	{ "default max-age rounds up", NSTATUS(0, 0, "[]", ENDED, "100.5"),
	    NULL, 1, 1, -1, NOW + 2, CTLFMT_NAGIOS_OK,
	    "RBLMON OK - nothing listed on 10 zones | listed=0;1;1;0 "
	    "listed_targets=0;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=302s;;302;0" },
	{ "a cycle end after now is age 0",
	    NSTATUS(0, 0, "[]", ENDED, "3600"), NULL, 1, 1, 10, NOW - 400,
	    CTLFMT_NAGIOS_OK,
	    "RBLMON OK - nothing listed on 10 zones | listed=0;1;1;0 "
	    "listed_targets=0;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=0s;;10;0" },
	{ "no cycle finished yet", NSTATUS(0, 0, "[]", "null", "3600"), NULL,
	    1, 1, -1, NOW, CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - no cycle has finished yet" },
	{ "no cycle, even when listed", NSTATUS(3, 1, "[]", "null", "3600"),
	    NULL, 1, 1, -1, NOW, CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - no cycle has finished yet" },
	{ "a cycle without its end", NSTATUS(0, 0, "[]", "{}", "3600"), NULL,
	    1, 1, -1, NOW, CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - the status answer has no cycle end" },
	{ "no interval_max and no --max-age",
	    NSTATUS(0, 0, "[]", ENDED, "null"), NULL, 1, 1, -1, NOW,
	    CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - the status answer has no interval_max (give "
	    "--max-age)" },
	{ "no interval_max, --max-age given",
	    NSTATUS(0, 0, "[]", ENDED, "null"), NULL, 1, 1, 600, NOW,
	    CTLFMT_NAGIOS_OK,
	    "RBLMON OK - nothing listed on 10 zones | listed=0;1;1;0 "
	    "listed_targets=0;;;0 zones_ok=10;;;0;10 errors=0;;;0 "
	    "age=300s;;600;0" },
	{ "an error answer", "{`ok`:false,`error`:`status is busy`}", NULL, 1,
	    1, -1, NOW, CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - the daemon answered: status is busy" },
	{ "an error answer with a | and an escape",
	    "{`ok`:false,`error`:`a|b\\u001b`}", NULL, 1, 1, -1, NOW,
	    CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - the daemon answered: a/b\\x1b" },
	{ "no listed count", "{`ok`:true,`cycle`:{`ended`:1764636900},"
	    "`interval_max`:3600}", NULL, 1, 1, -1, NOW,
	    CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - the status answer has no \"listed\"" },
	{ "a negative listed count", NSTATUS(-1, 0, "[]", ENDED, "3600"),
	    NULL, 1, 1, -1, NOW, CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - the status answer has no \"listed\"" },
	{ "not an object", "[]", NULL, 1, 1, -1, NOW, CTLFMT_NAGIOS_UNKNOWN,
	    "RBLMON UNKNOWN - no status answer" },
	{ "perfdata without the figures the answer lacks",
	    "{`ok`:true,`listed`:0,`cycle`:{`ended`:1764636900},"
	    "`interval_max`:3600,`zones_ok`:4}", NULL, 1, 1, -1, NOW,
	    CTLFMT_NAGIOS_OK,
	    "RBLMON OK - nothing listed | listed=0;1;1;0 zones_ok=4;;;0 "
	    "age=300s;;10800;0" },
	{ "names with | and control bytes made safe",
	    NSTATUS(1, 1, "[`z|1\\u001b`]", ENDED, "3600"),
	    "{`ok`:true,`listed`:[{`target`:`a|b`,`zone`:`c\\nd`}]}", 5, 5,
	    -1, NOW, CTLFMT_NAGIOS_WARNING,
	    "RBLMON WARNING - 1 listing on 1 target: a/b on c\\x0ad; 1 zone "
	    "not ok: z/1\\x1b | listed=1;5;5;0 listed_targets=1;;;0 "
	    "zones_ok=10;;;0;10 errors=0;;;0 age=300s;;10800;0" },
	{ "listed entries without names skipped",
	    NSTATUS(2, 2, "[]", ENDED, "3600"),
	    "{`ok`:true,`listed`:[{`zone`:`z`},7,{`target`:`t`,`zone`:`z`}]}",
	    1, 1, -1, NOW, CTLFMT_NAGIOS_CRITICAL,
	    "RBLMON CRITICAL - 2 listings on 2 targets: t on z and 2 more | "
	    "listed=2;1;1;0 listed_targets=2;;;0 zones_ok=10;;;0;10 "
	    "errors=0;;;0 age=300s;;10800;0" },
};

START_TEST(test_nagios)
{
	const struct nagios_row *r = &nagios_rows[_i];
	json_t *s = load(r->status);
	json_t *l = r->listed != NULL ? load(r->listed) : NULL;
	struct ctlfmt_nagios_limits lim = { r->warn, r->crit, r->max_age };
	enum ctlfmt_nagios_state st = CTLFMT_NAGIOS_OK + 9;
	char *line = NULL;

	ck_assert_int_eq(ctlfmt_nagios(s, l, &lim, r->now, &st, &line), 0);
	ck_assert_msg(strcmp(line, r->line) == 0, "%s:\n%s\nwant:\n%s",
	    r->name, line, r->line);
	ck_assert_msg(st == r->want, "%s: state %d, want %d", r->name, st,
	    r->want);
	free(line);
	json_decref(l);
	json_decref(s);
}
END_TEST

START_TEST(test_nagios_null)
{
	struct ctlfmt_nagios_limits lim = { 1, 1, -1 };
	enum ctlfmt_nagios_state st = CTLFMT_NAGIOS_OK;
	char *line = NULL;

	ck_assert_int_eq(ctlfmt_nagios(NULL, NULL, &lim, NOW, &st, &line), 0);
	ck_assert_str_eq(line, "RBLMON UNKNOWN - no status answer");
	ck_assert_int_eq(st, CTLFMT_NAGIOS_UNKNOWN);
	free(line);
}
END_TEST

static const struct unknown_row {
	const char *name, *why, *want;
} unknown_rows[] = {
	{ "no daemon", "cannot connect to /run/rblmon/rblmond.sock: No such "
	    "file or directory (is rblmond running?)",
	    "RBLMON UNKNOWN - cannot connect to /run/rblmon/rblmond.sock: No "
	    "such file or directory (is rblmond running?)" },
	{ "a | replaced, escapes escaped", "x|y\x1b[0m",
	    "RBLMON UNKNOWN - x/y\\x1b[0m" },
	{ "NULL", NULL, "RBLMON UNKNOWN - no answer" },
};

START_TEST(test_nagios_unknown)
{
	const struct unknown_row *r = &unknown_rows[_i];
	char *line = NULL;

	ck_assert_int_eq(ctlfmt_nagios_unknown(r->why, &line), 0);
	ck_assert_msg(strcmp(line, r->want) == 0, "%s: %s", r->name, line);
	free(line);
}
END_TEST

static const struct names_row {
	const char *name, *json;
	bool want;
} names_rows[] = {
	{ "listed", "{`ok`:true,`listed`:2}", true },
	{ "nothing listed", "{`ok`:true,`listed`:0}", false },
	{ "an error", "{`ok`:false,`listed`:2}", false },
	{ "no count", "{`ok`:true}", false },
	{ "a string", "{`ok`:true,`listed`:`2`}", false },
};

START_TEST(test_nagios_names)
{
	const struct names_row *r = &names_rows[_i];
	json_t *a = load(r->json);

	ck_assert_msg(ctlfmt_nagios_names(a) == r->want, "%s", r->name);
	json_decref(a);
}
END_TEST

static Suite *
ctlfmt_suite(void)
{
	Suite *s = suite_create("ctlfmt");
	TCase *tc = tcase_create("format");

	tcase_add_loop_test(tc, test_format, 0, NROWS(format_rows));
	tcase_add_loop_test(tc, test_value, 0, NROWS(value_rows));
	tcase_add_loop_test(tc, test_mutations, 0, NROWS(samples));
	tcase_add_test(tc, test_format_unknown_command);
	suite_add_tcase(s, tc);
	tc = tcase_create("request");
	tcase_add_loop_test(tc, test_request, 0, NROWS(request_rows));
	tcase_add_test(tc, test_request_small_buffer);
	tcase_add_loop_test(tc, test_explain_request, 0, NROWS(explain_rows));
	suite_add_tcase(s, tc);
	tc = tcase_create("answer");
	tcase_add_loop_test(tc, test_decode, 0, NROWS(decode_rows));
	tcase_add_loop_test(tc, test_error, 0, NROWS(error_rows));
	tcase_add_test(tc, test_ok_null);
	suite_add_tcase(s, tc);
	tc = tcase_create("nagios");
	tcase_add_loop_test(tc, test_nagios, 0, NROWS(nagios_rows));
	tcase_add_test(tc, test_nagios_null);
	tcase_add_loop_test(tc, test_nagios_unknown, 0, NROWS(unknown_rows));
	tcase_add_loop_test(tc, test_nagios_names, 0, NROWS(names_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(ctlfmt_suite());
}

/* SPDX-License-Identifier: ISC */
/*
 * The control plane end to end inside one process: a real monitor (daemon
 * mode) on a state store seeded with a listing and its event, the real
 * socket server, and a client on the same event loop; one row per
 * request with the JSON it must answer (keys, types and values). The
 * zone's server is an address nothing listens on, so live checks end in
 * errors and no DNS is needed.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "config.h"
#include "control.h"
#include "ctlproto.h"
#include "incident.h"
#include "metrics.h"
#include "monitor.h"
#include "store.h"
#include "unit.h"

/* Standing rows of more targets (inside the config's 10.0.0.0/22). */
#define SEED_OTHERS 600

struct fixture {
	char dir[64];
	char conf[96], db[96], sock[96];
	struct event_base *base;
	struct monitor *m;
	struct control *ctl;
	int reloads;
	int fd; /* the client */
};

static struct fixture fx;

static int
reload_door(void *arg, char *err, size_t errlen)
{
	struct fixture *f = arg;

	f->reloads++;
	if (f->reloads == 2) {
		snprintf(err, errlen, "%s:3: unknown key \"intervall\"",
		    f->conf);
		return -1;
	}
	return 0;
}

static void
mark_sent_cb(const struct incident *ev, bool durable, void *arg)
{
	if (durable)
		(void)store_mark_sent(arg, ev->id);
}

/* The state a previous run left: one listing and its announced event. */
static void
seed_store(const char *db)
{
	struct store_pair p = {
		.target = "192.0.2.25", .zone = "zen.example", .state = "listed",
		.codes = "127.0.0.4", .labels = "XBL", .txt = "Listed, see x",
		.first_seen_s = 1764633600, .last_seen_s = 1764636000,
	};
	struct incident ev = {
		.time_s = 1764633600, .kind = INCIDENT_LISTED,
		.severity = SEVERITY_CRITICAL, .target = "192.0.2.25",
		.group = "mail", .zone = "zen.example", .codes = "127.0.0.4",
		.labels = "XBL", .txt = "Listed, see x", .delist_url = "",
		.state = "", .detail = "", .since_s = 1764633600,
	};
	struct store *s;
	char err[256];

	ck_assert_int_eq(store_open(db, NULL, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(store_pair_put(s, &p), 0);
	/* More rows than a page of the answer: listed is written in pieces. */
	for (int i = 0; i < SEED_OTHERS; i++) {
		struct store_pair o = p;
		char t[32];

		snprintf(t, sizeof(t), "10.0.%d.%d", i / 256, i % 256);
		o.target = t;
		ck_assert_int_eq(store_pair_put(s, &o), 0);
	}
	ck_assert_int_eq(store_event_add(s, &ev), 0);
	ck_assert_int_eq(store_flush(s, mark_sent_cb, s), 0);
	ck_assert_int_eq(store_flush(s, NULL, NULL), 0);
	store_close(s);
}

static void
setup(void)
{
	struct monitor_options mo = { .once = false };
	struct control_options co = { .socket_mode = 0600,
		.socket_gid = (gid_t)-1, .reload = reload_door,
		.reload_arg = &fx };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct config *c;
	char err[512], text[1024];
	FILE *f;

	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/rblmon-ctl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	snprintf(fx.conf, sizeof(fx.conf), "%s/r.conf", fx.dir);
	snprintf(fx.db, sizeof(fx.db), "%s/st.db", fx.dir);
	snprintf(fx.sock, sizeof(fx.sock), "%s/ctl.sock", fx.dir);
	seed_store(fx.db);
	snprintf(text, sizeof(text),
	    "[rblmond]\nstate_db = st.db\nsocket = ctl.sock\n"
	    "nameservers = 127.0.0.1:9\ntimeout = 100ms\ntries = 1\n"
	    "interval = 1h\nsyslog_facility = local7\n"
	    "[targets mail]\nip = 192.0.2.25\nip = 192.0.2.26\n"
	    "net = 10.0.0.0/22\n"
	    "[targets]\ndomain = example.com\n"
	    "[zone zen.example]\ntype = ip4\nlisted = 127.0.0.2-127.0.0.11\n"
	    "code = 127.0.0.4-127.0.0.7 XBL\ndaily_budget = 500000\n"
	    "delist_url = https://example.test/?q={target}\n"
	    "[zone dbl.example]\ntype = domain\n");
	ck_assert_ptr_nonnull(f = fopen(fx.conf, "w"));
	fputs(text, f);
	fclose(f);
	ck_assert_msg(config_load(fx.conf, &c, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_ptr_nonnull(fx.base = event_base_new());
	ck_assert_msg(monitor_new(fx.base, c, &mo, &fx.m, err,
	    sizeof(err)) == 0, "%s", err);
	co.socket = config_socket(monitor_config(fx.m));
	co.config_path = fx.conf;
	ck_assert_msg(control_new(fx.base, fx.m, &co, &fx.ctl, err,
	    sizeof(err)) == 0, "%s", err);
	monitor_start(fx.m);
	fx.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(fx.fd, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fx.sock);
	ck_assert_int_eq(connect(fx.fd, (struct sockaddr *)&sun,
	    sizeof(sun)), 0);
}

static void
teardown(void)
{
	close(fx.fd);
	control_free(fx.ctl);
	monitor_stop(fx.m);
	monitor_free(fx.m);
	event_base_free(fx.base);
	unlink(fx.sock);
	unlink(fx.db);
	unlink(fx.conf);
	{
		char p[160];

		snprintf(p, sizeof(p), "%s-wal", fx.db);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", fx.db);
		unlink(p);
	}
	rmdir(fx.dir);
}

/*
 * Run the loop until the client has read lines answer lines into buf
 * (size bytes, NUL-terminated); returns the bytes read. Bounded: 3 s of
 * turns (a live check's query times out in 0.1 s).
 */
static size_t
read_lines(char *buf, size_t size, int lines)
{
	size_t len = 0;
	int seen = 0;

	for (int i = 0; i < 3000 && seen < lines; i++) {
		struct pollfd p = { .fd = fx.fd, .events = POLLIN };
		ssize_t n;

		event_base_loop(fx.base, EVLOOP_NONBLOCK);
		if (poll(&p, 1, 1) <= 0)
			continue;
		n = read(fx.fd, buf + len, size - 1 - len);
		ck_assert_int_gt(n, 0);
		for (ssize_t k = 0; k < n; k++)
			seen += buf[len + (size_t)k] == '\n';
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/* Send line, run the loop until one answer line is back; parse it. */
static json_t *
ask(const char *line)
{
	static char buf[1 << 20];
	size_t len;
	json_error_t je;
	json_t *o;

	ck_assert_int_eq(write(fx.fd, line, strlen(line)),
	    (ssize_t)strlen(line));
	ck_assert_int_eq(write(fx.fd, "\n", 1), 1);
	len = read_lines(buf, sizeof(buf), 1);
	ck_assert_msg(len > 0 && buf[len - 1] == '\n', "no answer to %s",
	    line);
	ck_assert_msg(strchr(buf, '\n') == buf + len - 1,
	    "more than one line for %s", line);
	o = json_loads(buf, 0, &je);
	ck_assert_msg(o != NULL && json_is_object(o), "%s: not JSON: %.300s",
	    line, buf);
	return o;
}

/* The value at a path "a.b.0.c" (numbers index arrays). */
static json_t *
at(json_t *o, const char *path)
{
	char part[64];

	while (o != NULL && *path != '\0') {
		size_t n = strcspn(path, ".");

		snprintf(part, sizeof(part), "%.*s", (int)n, path);
		if (json_is_array(o))
			o = json_array_get(o, (size_t)atoi(part));
		else
			o = json_object_get(o, part);
		path += n + (path[n] == '.');
	}
	return o;
}

/*
 * Expectations of one answer: path=TYPE checks a type (s string, i
 * integer, n number, b boolean, a array, o object, z null), path==VALUE
 * a string (or integer) value, path#N an array's length.
 */
static void
expect(json_t *o, const char *req, const char *const *want)
{
	for (size_t i = 0; want[i] != NULL; i++) {
		char path[128];
		const char *w = want[i], *op = strpbrk(w, "=#");
		json_t *v;

		ck_assert_ptr_nonnull(op);
		snprintf(path, sizeof(path), "%.*s", (int)(op - w), w);
		v = at(o, path);
		ck_assert_msg(v != NULL, "%s: no %s in %.500s", req, path,
		    json_dumps(o, JSON_COMPACT));
		if (*op == '#') {
			ck_assert_msg(json_is_array(v) &&
			    json_array_size(v) == (size_t)atoi(op + 1),
			    "%s: %s has %zu entries, want %s", req, path,
			    json_array_size(v), op + 1);
		} else if (op[1] == '=') {
			const char *val = op + 2;

			if (json_is_integer(v))
				ck_assert_msg(json_integer_value(v) ==
				    atoll(val), "%s: %s is %lld, want %s",
				    req, path, (long long)json_integer_value(v),
				    val);
			else
				ck_assert_msg(json_is_string(v) && strcmp(
				    json_string_value(v), val) == 0,
				    "%s: %s is %s, want %s", req, path,
				    json_dumps(v, JSON_ENCODE_ANY), val);
		} else {
			bool ok;

			switch (op[1]) {
			case 's': ok = json_is_string(v); break;
			case 'i': ok = json_is_integer(v); break;
			case 'n': ok = json_is_number(v); break;
			case 'b': ok = json_is_boolean(v); break;
			case 'a': ok = json_is_array(v); break;
			case 'o': ok = json_is_object(v); break;
			default: ok = json_is_null(v); break;
			}
			ck_assert_msg(ok, "%s: %s is %s, want type %c", req,
			    path, json_dumps(v, JSON_ENCODE_ANY), op[1]);
		}
	}
}

#define W(...) (const char *const[]){ __VA_ARGS__, NULL }

static const struct {
	const char *req;
	bool ok;
	const char *const *want;
} rows[] = {
	{ "status", true, W("protocol==1", "version=s", "pid=i", "uid=i",
	    "started=i", "uptime=i", "generation==1", "targets==1027",
	    "zones==2", "pairs==1027", "zones_not_ok=a", "listed==601",
	    "listed_targets==601", "errors=i", "pending=i",
	    "interval_max==3600", "cycle=z", "store.commits=i",
	    "store.failing=b", "alerts.announced=i",
	    "alerts.hook_failures==0", "control.clients==1",
	    "control.requests=i") },
	{ "zones", true, W("zones#2", "zones.0.zone==zen.example",
	    "zones.0.type==ip4", "zones.0.state=s", "zones.0.severity==critical",
	    "zones.0.interval==3600", "zones.0.stretched=b",
	    "zones.0.max_qps=z", "zones.0.budget==500000",
	    "zones.0.used_today=i", "zones.0.probes#2",
	    "zones.0.probes.0.point==127.0.0.2", "zones.0.probes.0.outcome=s",
	    "zones.0.listed==601", "zones.0.queries=i", "zones.0.last_cycle=z",
	    "zones.1.zone==dbl.example", "zones.1.budget=z",
	    "zones.1.listed==0") },
	/* In (target, zone) order of their text: 10.0.* first. */
	{ "listed", true, W("listed#601", "count==601",
	    "listed.0.target==10.0.0.0", "listed.599.target==10.0.2.9",
	    "listed.600.target==192.0.2.25", "listed.600.zone==zen.example",
	    "listed.600.group==mail", "listed.600.codes.0==127.0.0.4",
	    "listed.600.labels.0==XBL", "listed.600.since==1764633600",
	    "listed.600.last_seen==1764636000",
	    "listed.600.txt==Listed, see x",
	    "listed.600.delist==https://example.test/?q=192.0.2.25",
	    "listed.600.severity==critical") },
	/* In address order; domains last. */
	{ "targets", true, W("targets#1027", "count==1027",
	    "targets.0.target==10.0.0.0", "targets.0.group==mail",
	    "targets.0.listed==1", "targets.600.listed==0",
	    "targets.1024.target==192.0.2.25", "targets.1024.listed==1",
	    "targets.1025.listed==0", "targets.1026.target==example.com",
	    "targets.1026.group=z") },
	{ "show 192.0.2.25", true, W("target==192.0.2.25", "watched=b",
	    "group==mail", "zones#1", "zones.0.zone==zen.example",
	    "zones.0.status==listed", "zones.0.codes.0==127.0.0.4",
	    "zones.0.labels.0==XBL", "zones.0.since==1764633600",
	    "zones.0.delist==https://example.test/?q=192.0.2.25") },
	{ "show example.com", true, W("target==example.com", "group=z",
	    "zones#1", "zones.0.zone==dbl.example") },
	{ "show 198.51.100.7", false,
	    W("error==198.51.100.7 is not watched (try check)") },
	{ "show 192.0.2.025", false,
	    W("error==\"192.0.2.025\" is not an address or a domain") },
	{ "show no/such", false,
	    W("error==\"no/such\" is not an address or a domain") },
	{ "history", true, W("events#1", "count==1", "events.0.id=i",
	    "events.0.event==listed", "events.0.target==192.0.2.25",
	    "events.0.zone==zen.example", "events.0.codes.0==127.0.0.4",
	    "events.0.labels.0==XBL", "events.0.duration=z",
	    "events.0.redelivery=b", "events.0.severity==critical") },
	{ "history 192.0.2.26 --limit 5", true, W("events#0", "count==0") },
	{ "check 192.0.2.26", true, W("target==192.0.2.26", "checks#1",
	    "checks.0.zone==zen.example", "checks.0.status==error",
	    "checks.0.error=s", "checks.0.codes#0", "checks.0.zone_state=s",
	    "checks.0.ms=i") },
	{ "check example.com dbl.example", true, W("checks#1",
	    "checks.0.zone==dbl.example") },
	{ "check 192.0.2.26 nope.example", false,
	    W("error==zone \"nope.example\" is not configured") },
	{ "check 192.0.2.26 dbl.example", false,
	    W("error==zone dbl.example does not take 192.0.2.26 (type "
	    "domain)") },
	{ "diagnose", true, W("causes=a", "zones=a") },
	{ "explain 554 5.7.1 Service unavailable; Client host [192.0.2.25] "
	  "blocked using zen.example", true, W("kind==listed",
	    "target==192.0.2.25", "zone==zen.example", "list=z",
	    "explanation=s", "checked=b", "checks#1",
	    "checks.0.zone==zen.example") },
	{ "explain 550 5.7.1 Rejected: we don't like you", true,
	    W("target=z", "checks#0") },
	{ "metrics", true, W("metrics=s") },
	{ "sweep", true, W("zones=a") },
	{ "reload", true, W("generation==1") },
	{ "version", true, W("version=s", "protocol==1") },
	{ "help", true, W("commands#14", "commands.0.name==status",
	    "commands.0.access==read", "commands.5.name==check",
	    "commands.5.access==write", "commands.5.usage=s",
	    "commands.5.help=s") },
	{ "nonsense", false, W("error=s") },
};

START_TEST(test_answers)
{
	json_t *o = ask(rows[_i].req);

	ck_assert_msg(json_is_true(json_object_get(o, "ok")) == rows[_i].ok,
	    "%s: %.500s", rows[_i].req, json_dumps(o, JSON_COMPACT));
	expect(o, rows[_i].req, rows[_i].want);
	if (strcmp(rows[_i].req, "reload") == 0)
		ck_assert_int_ge(fx.reloads, 1);
	json_decref(o);
}
END_TEST

/* The second reload is the failing one: its error says FILE:LINE. */
START_TEST(test_reload_error)
{
	json_t *o = ask("reload");
	const char *e;

	ck_assert(json_is_true(json_object_get(o, "ok")));
	json_decref(o);
	o = ask("reload");
	ck_assert(json_is_false(json_object_get(o, "ok")));
	e = json_string_value(json_object_get(o, "error"));
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e, "r.conf:3: unknown key"));
	json_decref(o);
	ck_assert_int_eq(fx.reloads, 2);
}
END_TEST

/* The metrics document: both sets of families, the listing's sample. */
START_TEST(test_metrics_text)
{
	json_t *o = ask("metrics");
	const char *t = json_string_value(json_object_get(o, "metrics"));
	static const char *const want[] = {
		"# TYPE rblmon_listed gauge\n",
		"rblmon_listed{target=\"192.0.2.25\",group=\"mail\","
		"zone=\"zen.example\",code=\"127.0.0.4\",label=\"XBL\"} 1\n",
		"rblmon_zone_listed_targets{zone=\"zen.example\"} 601\n",
		"rblmon_budget_limit{zone=\"zen.example\"} 500000\n",
		"luzilla_rbls_ips_blacklisted{hostname=\"192.0.2.25\","
		"ip=\"192.0.2.25\",rbl=\"zen.example\"} 1\n",
		"luzilla_rbls_ips_blacklisted{hostname=\"192.0.2.26\","
		"ip=\"192.0.2.26\",rbl=\"zen.example\"} 0\n",
		"luzilla_rbls_listed{rbl=\"zen.example\"} 601\n",
		"luzilla_rbls_used 2\n",
		"luzilla_rbls_targets 1027\n",
	};
	struct metrics_buf b;

	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(t, want[i]) != NULL, "no %s in\n%.2000s",
		    want[i], t);
	/* The same text the HTTP server and the textfile get. */
	metrics_buf_init(&b);
	ck_assert_int_eq(control_metrics(fx.ctl, fx.m, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, want[1]));
	metrics_buf_clear(&b);
	json_decref(o);
}
END_TEST

/* Pipelined on one connection, answered in order. */
START_TEST(test_pipelined)
{
	const char req[] = "version\nnonsense\nlisted\n";
	static char buf[1 << 20];
	size_t len;
	int lines = 0;
	char *line, *save;

	ck_assert_int_eq(write(fx.fd, req, sizeof(req) - 1),
	    (ssize_t)sizeof(req) - 1);
	len = read_lines(buf, sizeof(buf), 3);
	for (size_t k = 0; k < len; k++)
		lines += buf[k] == '\n';
	ck_assert_int_eq(lines, 3);
	line = strtok_r(buf, "\n", &save);
	ck_assert_ptr_nonnull(strstr(line, "\"protocol\":1"));
	line = strtok_r(NULL, "\n", &save);
	ck_assert_ptr_nonnull(strstr(line, "\"ok\":false"));
	line = strtok_r(NULL, "\n", &save);
	ck_assert_ptr_nonnull(strstr(line, "\"listed\":[{"));
	ck_assert_ptr_nonnull(strstr(line, "\"count\":601}"));
}
END_TEST

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("answers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_answers, 0, sizeof(rows) /
	    sizeof(rows[0]));
	tcase_add_test(tc, test_reload_error);
	tcase_add_test(tc, test_metrics_text);
	tcase_add_test(tc, test_pipelined);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(control_suite());
}

/* SPDX-License-Identifier: ISC */
/*
 * The control plane's server and dispatch: the socket (ctlserver.h), one
 * handler that answers each request, and the plain answers: status,
 * zones, show, sweep, reload, metrics, version, help.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "alert.h"
#include "config.h"
#include "control_int.h"
#include "ctlserver.h"
#include "health.h"
#include "incident.h"
#include "metrics.h"
#include "monitor.h"
#include "pairstate.h"
#include "store.h"
#include "sweep.h"
#include "target.h"
#include "zone.h"

/* ---- shared helpers ---- */

void
control_send(struct ctlserver_reply *r, json_t *o)
{
	static const char oom[] = "{\"ok\":false,\"error\":\"out of memory\"}";
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;

	if (text == NULL)
		ctlserver_reply_send(r, oom, sizeof(oom) - 1);
	else
		ctlserver_reply_send(r, text, strlen(text));
	free(text);
	json_decref(o);
}

void
control_fail(struct ctlserver_reply *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	control_send(r, json_pack("{s:b,s:s}", "ok", 0, "error", msg));
}

json_t *
control_str(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *
control_csv(const char *csv)
{
	json_t *a = json_array();

	while (a != NULL && csv != NULL && *csv != '\0') {
		size_t n = strcspn(csv, ",");

		if (n > 0 && json_array_append_new(a, json_stringn(csv,
		    n)) != 0) {
			json_decref(a);
			return NULL;
		}
		csv += n;
		if (*csv == ',')
			csv++;
	}
	return a;
}

long
control_zone_index(const struct control *ctl, const char *name)
{
	const struct config *c = monitor_config(ctl->m);

	for (size_t i = 0; i < c->nzones; i++)
		if (strcasecmp(c->zones[i].name, name) == 0)
			return (long)i;
	return -1;
}

const char *
control_delist(const struct zone *z, const char *target, char *buf,
    size_t len)
{
	if (alert_delist_url(z->delist_url, target, buf, len) < 0)
		buf[0] = '\0';
	return buf;
}

void
control_task_add(struct control *ctl, struct control_task *t)
{
	t->ctl = ctl;
	t->prev = NULL;
	t->next = ctl->tasks;
	if (ctl->tasks != NULL)
		ctl->tasks->prev = t;
	ctl->tasks = t;
}

void
control_task_del(struct control_task *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		t->ctl->tasks = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	t->next = t->prev = NULL;
}

/* ---- status ---- */

static json_t *
control_by_status(const uint64_t *by)
{
	json_t *o = json_object();

	for (int v = 0; o != NULL && v < VERDICT_COUNT; v++)
		if (json_object_set_new(o, verdict_name((enum verdict)v),
		    json_integer((json_int_t)by[v])) != 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* The zones' last cycles added up, or null before the first. */
static json_t *
control_cycle(const struct monitor *m, uint64_t *ret_interval_max)
{
	const struct config *c = monitor_config(m);
	uint64_t by[VERDICT_COUNT] = { 0 }, queries = 0, longest = 0;
	int64_t ended = 0;
	bool any = false;

	*ret_interval_max = 0;
	for (uint32_t z = 0; z < c->nzones; z++) {
		struct monitor_zone_info zi;

		monitor_zone_info(m, z, &zi);
		if (zi.interval_ms > *ret_interval_max)
			*ret_interval_max = zi.interval_ms;
		if (zi.last == NULL)
			continue;
		any = true;
		for (int v = 0; v < VERDICT_COUNT; v++)
			by[v] += zi.last->by_verdict[v];
		queries += zi.last->queries;
		if (zi.last->ended_ms - zi.last->started_ms > longest)
			longest = zi.last->ended_ms - zi.last->started_ms;
		if (zi.last_end_s > ended)
			ended = zi.last_end_s;
	}
	if (!any)
		return json_null();
	return json_pack("{s:I,s:f,s:I,s:o}", "ended", (json_int_t)ended,
	    "seconds", (double)longest / 1000.0, "queries",
	    (json_int_t)queries, "by_status", control_by_status(by));
}

static void
control_status(struct control *ctl, struct ctlserver_reply *r)
{
	const struct monitor *m = ctl->m;
	const struct config *c = monitor_config(m);
	struct ctlserver_stats st;
	struct monitor_counts n;
	uint64_t interval_max, announced = 0;
	json_t *notok = json_array(), *cycle;
	unsigned ok = 0;
	int64_t now = (int64_t)time(NULL);
	uint64_t pairs = 0;

	if (monitor_counts(m, &n, NULL) != 0) {
		json_decref(notok);
		control_fail(r, "out of memory");
		return;
	}
	for (uint32_t z = 0; z < c->nzones; z++) {
		struct monitor_zone_info zi;
		size_t first, count;

		monitor_zone_info(m, z, &zi);
		config_zone_targets(c, zi.zone, &first, &count);
		pairs += count;
		if (zi.state == HEALTH_OK)
			ok++;
		else if (notok != NULL && json_array_append_new(notok,
		    json_string(zi.zone->name)) != 0) {
			json_decref(notok);
			notok = NULL;
		}
	}
	for (unsigned k = 0; k < INCIDENT_KIND_COUNT; k++)
		announced += monitor_alerts(m, k);
	cycle = control_cycle(m, &interval_max);
	ctlserver_get_stats(ctl->server, &st);
	control_send(r, json_pack("{s:b,s:i,s:s,s:I,s:I,s:I,s:I,s:s?,s:I,"
	    "s:I,s:I,s:I,s:I,s:o,s:I,s:I,s:I,s:I,s:I,s:o,"
	    "s:{s:s?,s:I,s:b},s:{s:I,s:I},"
	    "s:{s:I,s:I,s:I,s:I,s:I,s:I}}",
	    "ok", 1, "protocol", CTLPROTO_VERSION, "version", RBLMON_VERSION,
	    "pid", (json_int_t)getpid(), "uid", (json_int_t)ctl->uid,
	    "started", (json_int_t)monitor_started(m),
	    "uptime", (json_int_t)(now - monitor_started(m)),
	    "config", ctl->o.config_path,
	    "generation", (json_int_t)monitor_generation(m),
	    "targets", (json_int_t)c->ntargets,
	    "zones", (json_int_t)c->nzones,
	    "pairs", (json_int_t)pairs,
	    "zones_ok", (json_int_t)ok,
	    "zones_not_ok", notok,
	    "listed", (json_int_t)n.listed,
	    "listed_targets", (json_int_t)n.listed_targets,
	    "errors", (json_int_t)n.errors,
	    "pending", (json_int_t)n.pending,
	    "interval_max", (json_int_t)((interval_max + 999u) / 1000u),
	    "cycle", cycle,
	    "store", "path", c->state_db,
	    "commits", (json_int_t)monitor_transactions(m),
	    "failing", monitor_storage_failing(m),
	    "alerts", "announced", (json_int_t)announced,
	    "hook_failures", (json_int_t)monitor_hook_failures(m),
	    "control", "clients", (json_int_t)st.clients,
	    "accepted", (json_int_t)st.accepted,
	    "requests", (json_int_t)st.requests,
	    "bad_requests", (json_int_t)st.bad_requests,
	    "dropped_slow", (json_int_t)st.dropped_slow,
	    "dropped_idle", (json_int_t)st.dropped_idle));
}

/* ---- zones ---- */

static const char *const outcome_names[] = {
	"not-probed", "nxdomain", "nodata", "codes", "timeout", "refused",
	"no-server", "failed",
};

static json_t *
control_probes(const struct monitor_zone_info *zi)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < 2; i++) {
		const struct diagnose_probe *p = &zi->probes[i];
		struct target point;
		char text[TARGET_TEXT_MAX] = "", code[16];
		json_t *o;

		if (!health_zone_point(zi->zone, i == 0, &point))
			continue;
		if (target_format(&point, text, sizeof(text)) < 0)
			text[0] = '\0';
		code_format(p->code, code);
		o = json_pack("{s:s,s:s,s:o,s:o}", "point", text, "outcome",
		    p->outcome < sizeof(outcome_names) /
		    sizeof(outcome_names[0]) ? outcome_names[p->outcome] :
		    "failed", "code", p->outcome == DIAGNOSE_CODES ?
		    json_string(code) : json_null(), "verdict",
		    p->outcome == DIAGNOSE_NOT_PROBED ? json_null() :
		    json_string(verdict_name((enum verdict)p->verdict)));
		if (json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
control_zone_json(const struct monitor *m, uint32_t z, uint64_t listed)
{
	struct monitor_zone_info zi;
	struct diagnose_zone dz;
	char reason[DIAGNOSE_TEXT_MAX];
	json_t *last;

	monitor_zone_info(m, z, &zi);
	dz.zone = zi.zone;
	dz.health = (uint8_t)zi.state;
	memcpy(dz.probe, zi.probes, sizeof(dz.probe));
	diagnose_zone_reason(&dz, reason, sizeof(reason));
	last = zi.last == NULL ? json_null() : json_pack("{s:I,s:f,s:I}",
	    "ended", (json_int_t)zi.last_end_s, "seconds",
	    (double)(zi.last->ended_ms - zi.last->started_ms) / 1000.0,
	    "queries", (json_int_t)zi.last->queries);
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:I,s:b,s:o,s:o,s:I,"
	    "s:o,s:o,s:I,s:I,s:o}",
	    "zone", zi.zone->name,
	    "type", zone_type_name((enum zone_type)zi.zone->type),
	    "state", health_name(zi.state),
	    "since", zi.since_s > 0 ? json_integer(zi.since_s) : json_null(),
	    "reason", zi.state == HEALTH_OK ? json_null() :
	    control_str(reason),
	    "severity", severity_name((enum severity)zi.zone->severity),
	    "interval", (json_int_t)((zi.interval_ms + 999u) / 1000u),
	    "stretched", zi.stretched,
	    "max_qps", zi.zone->max_qps > 0 ? json_real(zi.zone->max_qps) :
	    json_null(),
	    "budget", zi.zone->daily_budget > 0 ?
	    json_integer((json_int_t)zi.zone->daily_budget) : json_null(),
	    "used_today", (json_int_t)zi.used_today,
	    "last_probe", zi.last_probe_s > 0 ?
	    json_integer(zi.last_probe_s) : json_null(),
	    "probes", control_probes(&zi),
	    "listed", (json_int_t)listed,
	    "queries", (json_int_t)zi.tally->queries,
	    "last_cycle", last);
}

static void
control_zones(struct control *ctl, struct ctlserver_reply *r)
{
	const struct config *c = monitor_config(ctl->m);
	uint64_t *listed = calloc(c->nzones + 1, sizeof(*listed));
	struct monitor_counts n;
	json_t *a = json_array();

	if (listed == NULL || a == NULL ||
	    monitor_counts(ctl->m, &n, listed) != 0) {
		free(listed);
		json_decref(a);
		control_fail(r, "out of memory");
		return;
	}
	for (uint32_t z = 0; a != NULL && z < c->nzones; z++)
		if (json_array_append_new(a, control_zone_json(ctl->m, z,
		    listed[z])) != 0) {
			json_decref(a);
			a = NULL;
		}
	free(listed);
	control_send(r, a == NULL ? NULL : json_pack("{s:b,s:o}", "ok", 1,
	    "zones", a));
}

/* ---- show ---- */

struct control_show {
	const struct control *ctl;
	json_t *rows; /* zone name -> stored row */
};

static int
control_show_row(const struct store_pair *p, void *arg)
{
	struct control_show *sh = arg;

	return json_object_set_new(sh->rows, p->zone, json_pack(
	    "{s:s,s:s,s:I,s:I,s:s}", "codes", p->codes, "labels", p->labels,
	    "since",
	    (json_int_t)p->first_seen_s, "last_seen",
	    (json_int_t)p->last_seen_s, "txt", p->txt)) != 0 ? -ENOMEM : 0;
}

static json_t *
control_show_zone(const struct control *ctl, const struct zone *z,
    uint32_t zi, long ti, const char *target, json_t *rows)
{
	struct monitor_zone_info info;
	struct pairstate ps;
	json_t *row = json_object_get(rows, z->name);
	const char *status = "clean";
	char delist[512];

	monitor_zone_info(ctl->m, zi, &info);
	if (info.state != HEALTH_OK)
		status = "suppressed";
	if (monitor_pair(ctl->m, (uint32_t)ti, zi, &ps)) {
		if (ps.stable == PAIRSTATE_LISTED)
			status = "listed";
		else if (pairstate_pending(&ps))
			status = "pending";
		else if (ps.errors > 0)
			status = "error";
		else if (ps.stable == PAIRSTATE_UNKNOWN)
			status = "unchecked";
	}
	if (strcmp(status, "listed") != 0 || row == NULL)
		return json_pack("{s:s,s:s}", "zone", z->name, "status",
		    status);
	return json_pack("{s:s,s:s,s:o,s:o,s:O,s:O,s:o,s:o}",
	    "zone", z->name, "status", status,
	    "codes", control_csv(json_string_value(json_object_get(row,
	    "codes"))),
	    "labels", control_csv(json_string_value(json_object_get(row,
	    "labels"))),
	    "since", json_object_get(row, "since"),
	    "last_seen", json_object_get(row, "last_seen"),
	    "txt", control_str(json_string_value(json_object_get(row,
	    "txt"))),
	    "delist", control_str(control_delist(z, target, delist,
	    sizeof(delist))));
}

static void
control_show(struct control *ctl, struct ctlserver_reply *r,
    const char *arg)
{
	const struct config *c = monitor_config(ctl->m);
	struct control_show sh = { ctl, json_object() };
	char err[256], text[TARGET_TEXT_MAX];
	struct target t;
	long ti = -1;
	json_t *zones = json_array();

	if (!control_target_parse(arg, &t, err, sizeof(err))) {
		json_decref(sh.rows);
		json_decref(zones);
		control_fail(r, "%s", err);
		return;
	}
	for (size_t i = 0; i < c->ntargets && ti < 0; i++)
		if (target_cmp(&c->targets[i], &t) == 0)
			ti = (long)i;
	if (target_format(&t, text, sizeof(text)) < 0)
		text[0] = '\0';
	target_clear(&t);
	if (ti < 0) {
		json_decref(sh.rows);
		json_decref(zones);
		control_fail(r, "%s is not watched (try check)", text);
		return;
	}
	if (monitor_store(ctl->m) != NULL && sh.rows != NULL)
		(void)store_target_pairs(monitor_store(ctl->m), text,
		    control_show_row, &sh);
	for (uint32_t z = 0; zones != NULL && z < c->nzones; z++) {
		if (!zone_accepts(&c->zones[z],
		    (enum target_kind)c->targets[ti].kind))
			continue;
		if (json_array_append_new(zones, control_show_zone(ctl,
		    &c->zones[z], z, ti, text, sh.rows)) != 0) {
			json_decref(zones);
			zones = NULL;
		}
	}
	json_decref(sh.rows);
	control_send(r, zones == NULL ? NULL : json_pack(
	    "{s:b,s:s,s:b,s:o,s:o}", "ok", 1, "target", text, "watched", 1,
	    "group", control_str(c->groups[c->targets[ti].group]),
	    "zones", zones));
}

/* ---- sweep, reload, metrics, version, help ---- */

static void
control_sweep(struct control *ctl, struct ctlserver_reply *r)
{
	const struct config *c = monitor_config(ctl->m);
	json_t *a = json_array();

	for (uint32_t z = 0; z < c->nzones; z++)
		if (monitor_sweep_now(ctl->m, z) && a != NULL &&
		    json_array_append_new(a, json_string(c->zones[z].name)))
			a = NULL;
	control_send(r, a == NULL ? NULL : json_pack("{s:b,s:o}", "ok", 1,
	    "zones", a));
}

struct control_reload {
	struct control_task t;
	struct event *ev;
};

static void
control_reload_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control_reload *rl = arg;
	char err[1024] = "";
	int rc;

	(void)fd;
	(void)what;
	control_task_del(&rl->t);
	rc = rl->t.ctl->o.reload(rl->t.ctl->o.reload_arg, err, sizeof(err));
	if (rc != 0)
		control_fail(rl->t.r, "%s", err[0] ? err : "reload failed");
	else
		control_send(rl->t.r, json_pack("{s:b,s:I}", "ok", 1,
		    "generation", (json_int_t)monitor_generation(rl->t.ctl->m)));
	event_free(rl->ev);
	free(rl);
}

static void
control_reload_cancel(struct control_task *t)
{
	struct control_reload *rl = (struct control_reload *)t;

	ctlserver_reply_end(t->r);
	event_free(rl->ev);
	free(rl);
}

static void
control_reload(struct control *ctl, struct ctlserver_reply *r)
{
	struct control_reload *rl;

	if (ctl->o.reload == NULL) {
		control_fail(r, "this daemon cannot reload");
		return;
	}
	if ((rl = calloc(1, sizeof(*rl))) == NULL ||
	    (rl->ev = event_new(ctl->base, -1, 0, control_reload_cb,
	    rl)) == NULL) {
		free(rl);
		control_fail(r, "out of memory");
		return;
	}
	rl->t.r = r;
	rl->t.cancel = control_reload_cancel;
	control_task_add(ctl, &rl->t);
	/* Out of the request's parsing: the swap may answer other checks. */
	event_active(rl->ev, EV_TIMEOUT, 0);
}

static void
control_help(struct ctlserver_reply *r)
{
	size_t n;
	const struct ctlproto_command *t = ctlproto_commands(&n);
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s}",
		    "name", t[i].name, "usage", t[i].usage, "access",
		    t[i].access == CTLPROTO_WRITE ? "write" : "read", "help",
		    t[i].help)) != 0) {
			json_decref(a);
			a = NULL;
		}
	control_send(r, a == NULL ? NULL : json_pack("{s:b,s:o}", "ok", 1,
	    "commands", a));
}

static void
control_handle(struct ctlserver_reply *r, const struct ctlproto_request *req,
    uid_t peer_uid, void *arg)
{
	struct control *ctl = arg;

	if (ctl->m == NULL) {
		control_fail(r, "the daemon is starting");
		return;
	}
	switch ((enum ctlproto_cmd)req->command->cmd) {
	case CTLPROTO_STATUS:
		control_status(ctl, r);
		break;
	case CTLPROTO_TARGETS:
		control_targets(ctl, r);
		break;
	case CTLPROTO_ZONES:
		control_zones(ctl, r);
		break;
	case CTLPROTO_LISTED:
		control_listed(ctl, r);
		break;
	case CTLPROTO_SHOW:
		control_show(ctl, r, req->args[0]);
		break;
	case CTLPROTO_CHECK:
		control_check(ctl, r, req);
		break;
	case CTLPROTO_HISTORY:
		control_history(ctl, r, req);
		break;
	case CTLPROTO_SWEEP:
		control_sweep(ctl, r);
		break;
	case CTLPROTO_RELOAD:
		control_reload(ctl, r);
		break;
	case CTLPROTO_METRICS:
		control_metrics_stream(ctl, r);
		break;
	case CTLPROTO_DIAGNOSE:
		control_diagnose(ctl, r);
		break;
	case CTLPROTO_EXPLAIN:
		control_explain(ctl, r, req, ctlproto_allowed(
		    ctlproto_lookup("check", 5), peer_uid, ctl->uid));
		break;
	case CTLPROTO_VERSION_CMD:
		control_send(r, json_pack("{s:b,s:s,s:i}", "ok", 1, "version",
		    RBLMON_VERSION, "protocol", CTLPROTO_VERSION));
		break;
	default:
		control_help(r);
		break;
	}
}

int
control_new(struct event_base *base, struct monitor *m,
    const struct control_options *o, struct control **ret, char *err,
    size_t errlen)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	struct ctlserver_options so;
	int rc;

	if (ctl == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ctl->base = base;
	ctl->m = m;
	ctl->o = *o;
	ctl->uid = geteuid();
	memset(&so, 0, sizeof(so));
	so.path = o->socket;
	so.mode = o->socket_mode;
	so.gid = o->socket_gid;
	so.daemon_uid = ctl->uid;
	if ((rc = ctlserver_new(base, &so, control_handle, ctl, &ctl->server,
	    err, errlen)) != 0) {
		free(ctl);
		return rc;
	}
	*ret = ctl;
	return 0;
}

void
control_attach(struct control *c, struct monitor *m)
{
	c->m = m;
}

void
control_free(struct control *c)
{
	if (c == NULL)
		return;
	while (c->tasks != NULL) {
		struct control_task *t = c->tasks;

		control_task_del(t);
		t->cancel(t);
	}
	ctlserver_free(c->server);
	control_doc_put(c->doc);
	free(c);
}

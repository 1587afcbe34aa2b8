/* SPDX-License-Identifier: ISC */
/*
 * The answers that look at DNS now or explain what was seen: check (live
 * queries of one target, through each zone's limiter, answered when the
 * last zone has answered), explain (a bounce decoded, then checked) and
 * diagnose (why zones are not ok, from their last probe rounds).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "control_int.h"
#include "ctlserver.h"
#include "diagnose.h"
#include "explain.h"
#include "monitor.h"
#include "result.h"
#include "target.h"
#include "zone.h"

json_t *
control_check_json(const struct zone *z, const char *state,
    const struct result *res, uint64_t ms)
{
	const char *labels[ANSWER_MAX_ADDRS];
	size_t nl = 0;
	json_t *codes = json_array(), *la = json_array();

	if (res->verdict == VERDICT_LISTED)
		nl = zone_labels(z, res->codes, res->ncodes, labels,
		    ANSWER_MAX_ADDRS);
	for (size_t i = 0; codes != NULL && i < res->ncodes; i++) {
		char code[16];

		code_format(res->codes[i], code);
		json_array_append_new(codes, json_string(code));
	}
	for (size_t i = 0; la != NULL && i < nl; i++)
		json_array_append_new(la, json_string(labels[i]));
	return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:I}",
	    "zone", z->name, "status", verdict_name((enum verdict)res->verdict),
	    "codes", codes, "labels", la,
	    "txt", control_str(res->txt),
	    "error", res->verdict == VERDICT_ERROR ?
	    json_string(res->error != NULL ? res->error : "error") :
	    json_null(),
	    "zone_state", state, "ms", (json_int_t)ms);
}

/* ---- live checks of one target on some zones ---- */

struct control_checks;

struct control_check_one {
	struct control_checks *cc;
	const struct zone *z;
	char state[16]; /* the zone's state when asked */
	json_t *res;
};

struct control_checks {
	struct control_task t;
	bool orphan; /* control_free answered already */
	size_t n, left;
	json_t *head; /* the answer without its checks */
	struct control_check_one one[];
};

static void
checks_free(struct control_checks *cc)
{
	for (size_t i = 0; i < cc->n; i++)
		json_decref(cc->one[i].res);
	json_decref(cc->head);
	free(cc);
}

static void
checks_answer(struct control_checks *cc)
{
	json_t *a = json_array();

	if (cc->orphan) {
		checks_free(cc);
		return;
	}
	control_task_del(&cc->t);
	for (size_t i = 0; a != NULL && i < cc->n; i++) {
		if (json_array_append(a, cc->one[i].res) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	if (a == NULL || cc->head == NULL ||
	    json_object_set_new(cc->head, "checks", a) != 0) {
		control_send(cc->t.r, NULL);
	} else {
		control_send(cc->t.r, cc->head);
		cc->head = NULL;
	}
	checks_free(cc);
}

static void
checks_one_cb(const struct result *res, uint64_t ms, void *arg)
{
	struct control_check_one *one = arg;
	struct control_checks *cc = one->cc;

	one->res = control_check_json(one->z, one->state, res, ms);
	if (--cc->left == 0)
		checks_answer(cc);
}

static void
checks_cancel(struct control_task *t)
{
	struct control_checks *cc = (struct control_checks *)t;

	cc->orphan = true;
	ctlserver_reply_end(t->r);
}

/*
 * Check t on the zones in zones[0..n) and answer r with head plus
 * "checks" (head taken). n may be 0: head with [] at once.
 */
static void
checks_run(struct control *ctl, struct ctlserver_reply *r, json_t *head,
    const struct target *t, const uint32_t *zones, size_t n)
{
	const struct config *c = monitor_config(ctl->m);
	struct control_checks *cc = calloc(1, sizeof(*cc) +
	    (n + 1) * sizeof(cc->one[0]));

	if (cc == NULL || head == NULL) {
		free(cc);
		json_decref(head);
		control_fail(r, "out of memory");
		return;
	}
	cc->t.r = r;
	cc->t.cancel = checks_cancel;
	cc->head = head;
	cc->n = n;
	cc->left = n + 1; /* one more while starting: no early answer */
	control_task_add(ctl, &cc->t);
	for (size_t i = 0; i < n; i++) {
		struct control_check_one *one = &cc->one[i];
		struct monitor_zone_info zi;
		struct result res = { .verdict = VERDICT_ERROR };
		int rc;

		one->cc = cc;
		one->z = &c->zones[zones[i]];
		monitor_zone_info(ctl->m, zones[i], &zi);
		snprintf(one->state, sizeof(one->state), "%s",
		    health_name(zi.state));
		rc = monitor_check(ctl->m, zones[i], t, checks_one_cb, one);
		if (rc == 0)
			continue;
		res.error = rc == -EBUSY ? "too many live checks at once; "
		    "try again shortly" : rc == -ENOTSUP ? "the daemon is "
		    "stopping" : "cannot ask";
		checks_one_cb(&res, 0, one);
	}
	if (--cc->left == 0)
		checks_answer(cc);
}

/* The zones of the running configuration that take t's kind. */
static size_t
zones_for(const struct config *c, const struct target *t, uint32_t *ret)
{
	size_t n = 0;

	for (uint32_t z = 0; z < c->nzones; z++)
		if (zone_accepts(&c->zones[z], (enum target_kind)t->kind))
			ret[n++] = z;
	return n;
}

void
control_check(struct control *ctl, struct ctlserver_reply *r,
    const struct ctlproto_request *req)
{
	const struct config *c = monitor_config(ctl->m);
	uint32_t *zones = calloc(c->nzones + 1, sizeof(*zones));
	char err[256], text[TARGET_TEXT_MAX];
	struct target t;
	size_t n;

	if (zones == NULL) {
		control_fail(r, "out of memory");
		return;
	}
	if (!control_target_parse(req->args[0], &t, err, sizeof(err))) {
		free(zones);
		control_fail(r, "%s", err);
		return;
	}
	if (target_format(&t, text, sizeof(text)) < 0)
		text[0] = '\0';
	if (req->nargs > 1) {
		long zi = control_zone_index(ctl, req->args[1]);

		n = 0;
		if (zi < 0)
			control_fail(r, "zone \"%.200s\" is not configured",
			    req->args[1]);
		else if (!zone_accepts(&c->zones[zi],
		    (enum target_kind)t.kind))
			control_fail(r, "zone %s does not take %s (type %s)",
			    c->zones[zi].name, text, zone_type_name(
			    (enum zone_type)c->zones[zi].type));
		else
			zones[n++] = (uint32_t)zi;
		if (n == 0) {
			target_clear(&t);
			free(zones);
			return;
		}
	} else if ((n = zones_for(c, &t, zones)) == 0) {
		control_fail(r, "no configured zone takes %s", text);
		target_clear(&t);
		free(zones);
		return;
	}
	checks_run(ctl, r, json_pack("{s:b,s:s}", "ok", 1, "target", text),
	    &t, zones, n);
	target_clear(&t);
	free(zones);
}

void
control_explain(struct control *ctl, struct ctlserver_reply *r,
    const struct ctlproto_request *req, bool may_check)
{
	const struct config *c = monitor_config(ctl->m);
	uint32_t *zones = calloc(c->nzones + 1, sizeof(*zones));
	struct explain_result ex;
	char text[TARGET_TEXT_MAX] = "", note[640] = "";
	size_t n = 0;
	json_t *head;
	int rc;

	if (zones == NULL) {
		control_fail(r, "out of memory");
		return;
	}
	if ((rc = explain_text(req->text, strlen(req->text), c, &ex)) != 0) {
		free(zones);
		control_fail(r, "%s", rc == -ENOMEM ? "out of memory" :
		    "nothing to explain: the text is empty");
		return;
	}
	if (ex.have_target && target_format(&ex.target, text,
	    sizeof(text)) < 0)
		text[0] = '\0';
	if (ex.have_target && may_check) {
		long zi = ex.zone[0] != '\0' ? control_zone_index(ctl,
		    ex.zone) : -1;

		if (zi >= 0 && zone_accepts(&c->zones[zi],
		    (enum target_kind)ex.target.kind))
			zones[n++] = (uint32_t)zi;
		else if (ex.zone[0] == '\0')
			n = zones_for(c, &ex.target, zones);
		else
			snprintf(note, sizeof(note), "%s is not a configured "
			    "zone for %s: not checked", ex.zone, text);
	} else if (ex.have_target) {
		snprintf(note, sizeof(note), "live checks need root or the "
		    "daemon's own user");
	}
	head = json_pack("{s:b,s:s,s:o,s:o,s:o,s:s,s:b,s:o}", "ok", 1,
	    "kind", explain_kind_name((enum explain_kind)ex.kind),
	    "target", control_str(text), "zone", control_str(ex.zone),
	    "list", control_str(ex.list), "explanation", ex.explanation,
	    "checked", n > 0, "note", control_str(note));
	checks_run(ctl, r, head, &ex.target, zones, n);
	explain_clear(&ex);
	free(zones);
}

void
control_diagnose(struct control *ctl, struct ctlserver_reply *r)
{
	const struct config *c = monitor_config(ctl->m);
	struct diagnose_zone *dz = calloc(c->nzones + 1, sizeof(*dz));
	struct diagnose_finding f[DIAGNOSE_CAUSE_COUNT];
	char servers[512], list[512];
	json_t *causes = json_array(), *notok = json_array();
	size_t nf;

	if (dz == NULL || causes == NULL || notok == NULL) {
		free(dz);
		json_decref(causes);
		json_decref(notok);
		control_fail(r, "out of memory");
		return;
	}
	for (uint32_t z = 0; z < c->nzones; z++) {
		struct monitor_zone_info zi;
		char reason[DIAGNOSE_TEXT_MAX];

		monitor_zone_info(ctl->m, z, &zi);
		dz[z].zone = zi.zone;
		dz[z].health = (uint8_t)zi.state;
		memcpy(dz[z].probe, zi.probes, sizeof(dz[z].probe));
		if (zi.state == HEALTH_OK)
			continue;
		diagnose_zone_reason(&dz[z], reason, sizeof(reason));
		json_array_append_new(notok, json_pack("{s:s,s:s,s:o}", "zone",
		    zi.zone->name, "state", health_name(zi.state), "reason",
		    control_str(reason)));
	}
	monitor_servers(ctl->m, list, sizeof(list));
	diagnose_servers(list, c->nameservers == NULL, servers,
	    sizeof(servers));
	nf = diagnose_findings(dz, c->nzones, servers, f,
	    DIAGNOSE_CAUSE_COUNT);
	for (size_t i = 0; i < nf; i++) {
		json_t *zs = json_array();

		for (uint32_t z = 0; zs != NULL && z < c->nzones; z++)
			if (f[i].cause != DIAGNOSE_NONE &&
			    diagnose_finding_has(&f[i], &dz[z]))
				json_array_append_new(zs,
				    json_string(c->zones[z].name));
		json_array_append_new(causes, json_pack("{s:s,s:o,s:s,s:s}",
		    "cause", diagnose_cause_name((enum diagnose_cause)
		    f[i].cause), "zones", zs, "evidence", f[i].evidence,
		    "advice", f[i].advice != NULL ? f[i].advice : ""));
	}
	free(dz);
	control_send(r, json_pack("{s:b,s:o,s:o}", "ok", 1, "causes", causes,
	    "zones", notok));
}

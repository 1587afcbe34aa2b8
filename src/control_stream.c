/* SPDX-License-Identifier: ISC */
/*
 * Answers written a piece at a time: listed, targets and history. Each
 * piece is a page of rows appended to the answer on a later turn of the
 * loop, and only while the client has less than CONTROL_BACKLOG_MAX
 * unread, so a long answer neither holds the sweep nor fills memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "config.h"
#include "control_int.h"
#include "ctlserver.h"
#include "incident.h"
#include "metrics.h"
#include "monitor.h"
#include "pairstate.h"
#include "pairtable.h"
#include "store.h"
#include "target.h"
#include "zone.h"

/* How often a stream whose reader lags looks again, in microseconds. */
#define CONTROL_STREAM_WAIT_US 1000
/* Targets written per piece. */
#define CONTROL_TARGET_ROWS 2048

enum stream_kind {
	STREAM_LISTED, STREAM_TARGETS, STREAM_HISTORY, STREAM_METRICS
};

/* Bytes of the metrics text escaped per piece (cut after a line). */
#define CONTROL_METRICS_PIECE (64u << 10)

struct control_stream {
	struct control_task t;
	struct event *ev;
	uint8_t kind; /* enum stream_kind */
	uint64_t count;
	bool failed;
	uint32_t generation;
	/* listed: the last row written */
	char last_target[TARGET_TEXT_MAX];
	char last_zone[256];
	bool started;
	/* history */
	int64_t before_id;
	unsigned left;
	char filter[TARGET_TEXT_MAX];
	bool filtered;
	/* targets */
	size_t next;
	uint8_t *listed; /* per target, saturating */
	/* rows of the page being read */
	unsigned rows;
	/* metrics: the document once it is this answer's turn, and how
	 * much of it is written */
	struct control_doc *doc;
	size_t done;
};

bool
control_target_parse(const char *text, struct target *t, char *err,
    size_t errlen)
{
	char e2[128];

	memset(t, 0, sizeof(*t));
	if (target_parse_ip(text, t, e2, sizeof(e2)) == 0)
		return true;
	memset(t, 0, sizeof(*t));
	/* Digits and dots are a mistyped address (192.0.2.025), no domain. */
	if (strchr(text, ':') == NULL && strspn(text, "0123456789.") !=
	    strlen(text) && target_parse_domain(text, t, e2,
	    sizeof(e2)) == 0)
		return true;
	snprintf(err, errlen, "\"%.200s\" is not an address or a domain",
	    text);
	return false;
}

long
control_target_index(const struct config *c, const struct target *t)
{
	size_t lo = 0, hi = c->ntargets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = target_cmp(&c->targets[mid], t);

		if (d == 0)
			return (long)mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Append one element of the array, comma first but for the first. */
static void
stream_element(struct control_stream *st, json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;

	json_decref(o);
	if (text == NULL) {
		st->failed = true;
		return;
	}
	if (st->count++ > 0)
		ctlserver_reply_append(st->t.r, ",", 1);
	ctlserver_reply_append(st->t.r, text, strlen(text));
	free(text);
}

static void
stream_free(struct control_stream *st)
{
	if (st->ev != NULL)
		event_free(st->ev);
	free(st->listed);
	control_doc_put(st->doc);
	free(st);
}

/* Close the array and the object, end the answer, free the stream. */
static void
stream_end(struct control_stream *st, bool complete)
{
	char tail[128];

	control_task_del(&st->t);
	if (st->kind == STREAM_METRICS)
		snprintf(tail, sizeof(tail), "\"}");
	else
		snprintf(tail, sizeof(tail), "],\"count\":%llu%s}",
		    (unsigned long long)st->count, complete ? "" :
		    ",\"complete\":false");
	ctlserver_reply_append(st->t.r, tail, strlen(tail));
	ctlserver_reply_end(st->t.r);
	stream_free(st);
}

static void
stream_cancel(struct control_task *t)
{
	struct control_stream *st = (struct control_stream *)t;

	ctlserver_reply_end(t->r);
	stream_free(st);
}

/* ---- listed ---- */

static int
stream_listed_row(const struct store_pair *p, void *arg)
{
	struct control_stream *st = arg;
	const struct control *ctl = st->t.ctl;
	const struct config *c = monitor_config(ctl->m);
	long zi = control_zone_index(ctl, p->zone);
	const char *group = NULL;
	char delist[512] = "";
	struct target t;
	char err[64];

	st->rows++;
	snprintf(st->last_target, sizeof(st->last_target), "%s", p->target);
	snprintf(st->last_zone, sizeof(st->last_zone), "%s", p->zone);
	if (control_target_parse(p->target, &t, err, sizeof(err))) {
		long ti = control_target_index(c, &t);

		if (ti >= 0)
			group = c->groups[c->targets[ti].group];
		target_clear(&t);
	}
	if (zi >= 0)
		control_delist(&c->zones[zi], p->target, delist,
		    sizeof(delist));
	stream_element(st, json_pack("{s:s,s:s,s:o,s:o,s:o,s:I,s:I,s:o,s:o,"
	    "s:o}", "target", p->target, "zone", p->zone,
	    "group", control_str(group),
	    "codes", control_csv(p->codes), "labels", control_csv(p->labels),
	    "since", (json_int_t)p->first_seen_s,
	    "last_seen", (json_int_t)p->last_seen_s,
	    "txt", control_str(p->txt), "delist", control_str(delist),
	    "severity", zi >= 0 ? json_string(severity_name((enum severity)
	    c->zones[zi].severity)) : json_null()));
	return 0;
}

/* ---- targets ---- */

static void
stream_count_cb(uint32_t ti, uint32_t zi, const struct pairstate *ps,
    void *arg)
{
	uint8_t *listed = arg;

	(void)zi;
	if (ps->stable == PAIRSTATE_LISTED && listed[ti] < UINT8_MAX)
		listed[ti]++;
}

static void
stream_targets_page(struct control_stream *st)
{
	const struct config *c = monitor_config(st->t.ctl->m);
	size_t end = st->next + CONTROL_TARGET_ROWS;

	for (; st->next < c->ntargets && st->next < end && !st->failed;
	    st->next++) {
		const struct target *t = &c->targets[st->next];
		char text[TARGET_TEXT_MAX];

		if (target_format(t, text, sizeof(text)) < 0)
			continue;
		stream_element(st, json_pack("{s:s,s:o,s:i}", "target", text,
		    "group", control_str(c->groups[t->group]), "listed",
		    (int)st->listed[st->next]));
	}
}

/* ---- history ---- */

static int
stream_history_row(const struct incident *ev, void *arg)
{
	struct control_stream *st = arg;

	st->rows++;
	st->before_id = ev->id;
	if (st->left > 0)
		st->left--;
	stream_element(st, json_pack("{s:I,s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,"
	    "s:o,s:o,s:o,s:o,s:o,s:s,s:b}",
	    "id", (json_int_t)ev->id, "time", (json_int_t)ev->time_s,
	    "event", incident_kind_name((enum incident_kind)ev->kind),
	    "target", control_str(ev->target),
	    "zone", control_str(ev->zone),
	    "group", control_str(ev->group),
	    "codes", control_csv(ev->codes),
	    "labels", control_csv(ev->labels),
	    "txt", control_str(ev->txt),
	    "delist", control_str(ev->delist_url),
	    "state", control_str(ev->state),
	    "detail", control_str(ev->detail),
	    "since", ev->since_s > 0 ? json_integer(ev->since_s) : json_null(),
	    "duration", ev->kind == INCIDENT_DELISTED ||
	    ev->kind == INCIDENT_ZONE_UP ? json_integer(ev->duration_s) :
	    json_null(),
	    "severity", severity_name((enum severity)ev->severity),
	    "redelivery", ev->redelivery));
	return 0;
}

/* ---- metrics ---- */

static void stream_escaped(struct control_stream *st, const char *p,
    size_t n);

/*
 * The next piece of the document into the JSON string being written:
 * whole lines (every line is UTF-8 on its own), escaped by jansson.
 */
static void
stream_metrics_piece(struct control_stream *st)
{
	const char *p;
	size_t n;

	/* Made (or shared) only now that it is this answer's turn. */
	if (st->doc == NULL && (st->doc = control_doc_get(st->t.ctl)) ==
	    NULL) {
		st->failed = true;
		return;
	}
	p = st->doc->text + st->done;
	n = st->doc->len - st->done;
	if (n > CONTROL_METRICS_PIECE) {
		size_t cut = CONTROL_METRICS_PIECE;

		while (cut > 0 && p[cut - 1] != '\n')
			cut--;
		n = cut > 0 ? cut : CONTROL_METRICS_PIECE;
	}
	stream_escaped(st, p, n);
	st->done += n;
}

/* Append text[0..n) escaped as inside a JSON string. */
static void
stream_escaped(struct control_stream *st, const char *p, size_t n)
{
	json_t *str = json_stringn(p, n);
	char *esc;

	esc = str != NULL ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
	json_decref(str);
	if (esc == NULL || strlen(esc) < 2) {
		free(esc);
		st->failed = true;
		return;
	}
	/* Without the quotes: the answer holds one string of all pieces. */
	ctlserver_reply_append(st->t.r, esc + 1, strlen(esc) - 2);
	free(esc);
}

/* ---- the pump ---- */

static void
stream_step(evutil_socket_t fd, short what, void *arg)
{
	struct control_stream *st = arg;
	struct store *s = monitor_store(st->t.ctl->m);
	size_t backlog = ctlserver_reply_backlog(st->t.r);
	struct timeval wait = { 0, CONTROL_STREAM_WAIT_US };
	bool more = false;
	int rc = 0;

	(void)fd;
	(void)what;
	if (backlog == SIZE_MAX) { /* the reader went away */
		control_task_del(&st->t);
		stream_cancel(&st->t);
		return;
	}
	/* Its turn first (else it would only pile up in memory), then room. */
	if (!ctlserver_reply_first(st->t.r) || backlog >= CONTROL_BACKLOG_MAX) {
		event_add(st->ev, &wait);
		return;
	}
	st->rows = 0;
	switch (st->kind) {
	case STREAM_LISTED:
		rc = store_pairs_after(s, st->started ? st->last_target : NULL,
		    st->last_zone, CONTROL_PAGE_ROWS, stream_listed_row, st);
		st->started = true;
		more = st->rows == CONTROL_PAGE_ROWS;
		break;
	case STREAM_TARGETS:
		if (monitor_generation(st->t.ctl->m) != st->generation) {
			stream_end(st, false); /* reloaded: indexes moved */
			return;
		}
		stream_targets_page(st);
		more = st->next < monitor_config(st->t.ctl->m)->ntargets;
		break;
	case STREAM_METRICS:
		stream_metrics_piece(st);
		more = st->doc != NULL && st->done < st->doc->len;
		break;
	default:
		rc = store_history_before(s, st->filtered ? st->filter : NULL,
		    st->before_id, st->left < CONTROL_PAGE_ROWS ? st->left :
		    CONTROL_PAGE_ROWS, stream_history_row, st);
		more = st->left > 0 && st->rows == CONTROL_PAGE_ROWS;
		break;
	}
	if (rc != 0 || st->failed) {
		stream_end(st, false);
		return;
	}
	if (!more) {
		stream_end(st, true);
		return;
	}
	event_active(st->ev, EV_TIMEOUT, 0);
}

static struct control_stream *
stream_new(struct control *ctl, struct ctlserver_reply *r, enum stream_kind k,
    const char *head)
{
	struct control_stream *st = calloc(1, sizeof(*st));

	if (st == NULL || (st->ev = evtimer_new(ctl->base, stream_step,
	    st)) == NULL) {
		free(st);
		control_fail(r, "out of memory");
		return NULL;
	}
	st->kind = (uint8_t)k;
	st->t.r = r;
	st->t.cancel = stream_cancel;
	st->generation = monitor_generation(ctl->m);
	control_task_add(ctl, &st->t);
	ctlserver_reply_append(r, head, strlen(head));
	return st;
}

/* Without a store: the standing listings from memory, codes unknown. */
static void
control_listed_memory_cb(uint32_t ti, uint32_t zi,
    const struct pairstate *ps, void *arg)
{
	struct control_stream *st = arg;
	const struct config *c = monitor_config(st->t.ctl->m);
	char text[TARGET_TEXT_MAX];

	if (ps->stable != PAIRSTATE_LISTED ||
	    target_format(&c->targets[ti], text, sizeof(text)) < 0)
		return;
	stream_element(st, json_pack("{s:s,s:s,s:o,s:[],s:[],s:n,s:n,s:n,"
	    "s:n,s:s}", "target", text, "zone", c->zones[zi].name, "group",
	    control_str(c->groups[c->targets[ti].group]), "codes", "labels",
	    "since", "last_seen", "txt", "delist", "severity",
	    severity_name((enum severity)c->zones[zi].severity)));
}

void
control_listed(struct control *ctl, struct ctlserver_reply *r)
{
	struct control_stream *st = stream_new(ctl, r, STREAM_LISTED,
	    "{\"ok\":true,\"listed\":[");

	if (st == NULL)
		return;
	if (monitor_store(ctl->m) == NULL) {
		monitor_each_pair(ctl->m, control_listed_memory_cb, st);
		stream_end(st, !st->failed);
		return;
	}
	event_active(st->ev, EV_TIMEOUT, 0);
}

void
control_targets(struct control *ctl, struct ctlserver_reply *r)
{
	const struct config *c = monitor_config(ctl->m);
	uint8_t *listed = calloc(c->ntargets + 1, 1);
	struct control_stream *st;

	if (listed == NULL) {
		control_fail(r, "out of memory");
		return;
	}
	if ((st = stream_new(ctl, r, STREAM_TARGETS,
	    "{\"ok\":true,\"targets\":[")) == NULL) {
		free(listed);
		return;
	}
	st->listed = listed;
	monitor_each_pair(ctl->m, stream_count_cb, listed);
	event_active(st->ev, EV_TIMEOUT, 0);
}

void
control_history(struct control *ctl, struct ctlserver_reply *r,
    const struct ctlproto_request *req)
{
	char filter[TARGET_TEXT_MAX] = "", err[256];
	struct control_stream *st;
	struct target t;

	if (req->nargs > 0) {
		if (!control_target_parse(req->args[0], &t, err,
		    sizeof(err))) {
			control_fail(r, "%s", err);
			return;
		}
		if (target_format(&t, filter, sizeof(filter)) < 0)
			filter[0] = '\0';
		target_clear(&t);
	}
	if (monitor_store(ctl->m) == NULL) {
		control_fail(r, "no history: state_db is not set");
		return;
	}
	if ((st = stream_new(ctl, r, STREAM_HISTORY,
	    "{\"ok\":true,\"events\":[")) == NULL)
		return;
	st->left = req->history_limit;
	st->filtered = req->nargs > 0;
	snprintf(st->filter, sizeof(st->filter), "%s", filter);
	event_active(st->ev, EV_TIMEOUT, 0);
}

void
control_metrics_stream(struct control *ctl, struct ctlserver_reply *r)
{
	struct control_stream *st = stream_new(ctl, r, STREAM_METRICS,
	    "{\"ok\":true,\"metrics\":\"");

	if (st != NULL)
		event_active(st->ev, EV_TIMEOUT, 0);
}

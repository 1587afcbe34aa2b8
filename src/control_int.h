/* SPDX-License-Identifier: ISC */
/*
 * Internal to the control plane (control.c: the server, dispatch and the
 * plain answers; control_stream.c: answers written in pieces;
 * control_live.c: check, explain, diagnose; control_metrics.c: the
 * metrics document): what they share. Not part of any other module's view.
 */
#ifndef RBLMON_CONTROL_INT_H
#define RBLMON_CONTROL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "control.h"
#include "ctlproto.h"

struct config;
struct ctlserver;
struct ctlserver_reply;
struct event_base;
struct result;
struct target;
struct zone;

/*
 * A long answer is written while less than this is unread (the kernel's
 * socket buffer holds as much again): fifty clients that never read hold
 * a few megabytes, not their answers.
 */
#define CONTROL_BACKLOG_MAX (64u << 10)
/* A metrics document this young serves every scrape that asks. */
#define CONTROL_DOC_MAX_AGE_MS 1000
/* Rows read from the store per piece of a long answer. */
#define CONTROL_PAGE_ROWS 256

/* The metrics document shared by the answers that write it. */
struct control_doc {
	unsigned refs;
	uint64_t made_ms; /* monotonic */
	char *text;
	size_t len;
};

struct control {
	struct event_base *base;
	struct monitor *m;
	struct control_options o;
	struct ctlserver *server;
	uid_t uid; /* the daemon's */
	/* Streams and checks under way, so control_free can end them. */
	struct control_task *tasks;
	struct control_doc *doc; /* the latest metrics document, or NULL */
};

/* The latest metrics document, made now if older than its age: a new
 * reference, or NULL out of memory. */
struct control_doc *control_doc_get(struct control *ctl);
void control_doc_put(struct control_doc *d);

/* A request answered later (a stream, a live check, a reload). */
struct control_task {
	struct control_task *next, *prev;
	struct control *ctl;
	struct ctlserver_reply *r;
	void (*cancel)(struct control_task *t); /* control_free: end it */
};

void control_task_add(struct control *ctl, struct control_task *t);
void control_task_del(struct control_task *t);

/* Answer r with o (a new reference, taken) or, o NULL, out of memory. */
void control_send(struct ctlserver_reply *r, json_t *o);
/* Answer r with {"ok":false,"error":...}. */
void control_fail(struct ctlserver_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A JSON string, or null for NULL or "". */
json_t *control_str(const char *s);
/* "127.0.0.2,127.0.0.4" as ["127.0.0.2","127.0.0.4"] ([] for ""). */
json_t *control_csv(const char *csv);
/* The zone of that name in the running configuration, or -1. */
long control_zone_index(const struct control *ctl, const char *name);
/* The zone's delist_url for target, or "" (buf of len). */
const char *control_delist(const struct zone *z, const char *target,
    char *buf, size_t len);

/*
 * Parse text as an address or a domain into *t (target_clear it); false
 * with a message in err.
 */
bool control_target_parse(const char *text, struct target *t, char *err,
    size_t errlen);
/* The index of t in the running configuration's targets, or -1. */
long control_target_index(const struct config *c, const struct target *t);

/* control_stream.c */
void control_listed(struct control *ctl, struct ctlserver_reply *r);
void control_targets(struct control *ctl, struct ctlserver_reply *r);
void control_history(struct control *ctl, struct ctlserver_reply *r,
    const struct ctlproto_request *req);
/* The metrics document in one JSON string, written in pieces. */
void control_metrics_stream(struct control *ctl, struct ctlserver_reply *r);

/* control_live.c */
void control_check(struct control *ctl, struct ctlserver_reply *r,
    const struct ctlproto_request *req);
void control_explain(struct control *ctl, struct ctlserver_reply *r,
    const struct ctlproto_request *req, bool may_check);
void control_diagnose(struct control *ctl, struct ctlserver_reply *r);
/* A verdict's JSON object for check and explain. */
json_t *control_check_json(const struct zone *z, const char *state,
    const struct result *res, uint64_t ms);

#endif

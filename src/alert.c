/* SPDX-License-Identifier: ISC */
/*
 * Alerts to syslog: one key=value line per event, short fixed-shape fields
 * first and untrusted text last, so a line cut to fit loses the end of a
 * TXT reason rather than the zone or the codes (DESIGN §5).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "alert.h"
#include "incident.h"

/* Appended last, with room kept for it: a repeat must always say so. */
static const char redelivery_field[] = " redelivery=1";

static int alert_facility = LOG_DAEMON;

/* The line being written: buf[0..o), at most room bytes before the NUL. */
struct line {
	char *buf;
	size_t room;
	size_t o;
	bool full; /* a field was cut or left out: nothing more is written */
};

/* Bytes that make a value need quotes: the separators and anything a
 * terminal or a log parser could take for something else. */
static bool
needs_quote(unsigned char c)
{
	return c == ' ' || c == '"' || c == '\\' || c == '=' || c < 0x20 ||
	    c > 0x7e;
}

/* The written form of byte c of a value, into seq; returns its length. */
static size_t
value_unit(unsigned char c, bool quoted, char seq[4])
{
	static const char hex[] = "0123456789abcdef";

	if (!quoted || (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\')) {
		seq[0] = (char)c;
		return 1;
	}
	if (c == '"' || c == '\\') {
		seq[0] = '\\';
		seq[1] = (char)c;
		return 2;
	}
	seq[0] = '\\';
	seq[1] = 'x';
	seq[2] = hex[c >> 4];
	seq[3] = hex[c & 0xf];
	return 4;
}

static void
line_put(struct line *l, const char *s, size_t n)
{
	memcpy(l->buf + l->o, s, n);
	l->o += n;
}

/*
 * Append " key=value" (no separator first); an empty value is left out.
 * A field that does not fit ends the line: an unquoted value (a name, a
 * code, a time) is never cut, since a cut one would read as another
 * valid value; a quoted one (free text) is cut between whole units and
 * ends in ..." when at least one unit fits.
 */
static void
line_field(struct line *l, const char *key, const char *val)
{
	const unsigned char *v = (const unsigned char *)val;
	size_t klen = strlen(key), head, vlen = 0, avail, n;
	bool quoted = false;
	char seq[4];

	if (l->full || val[0] == '\0')
		return;
	for (size_t i = 0; v[i] != '\0' && !quoted; i++)
		quoted = needs_quote(v[i]);
	for (size_t i = 0; v[i] != '\0'; i++)
		vlen += value_unit(v[i], quoted, seq);
	head = (l->o > 0) + klen + 1 + quoted;
	avail = l->room - l->o;
	if (head + vlen + quoted > avail) {
		l->full = true;
		if (!quoted || head + value_unit(v[0], true, seq) + 4 > avail)
			return;
	}
	if (l->o > 0)
		line_put(l, " ", 1);
	line_put(l, key, klen);
	line_put(l, quoted ? "=\"" : "=", quoted ? 2 : 1);
	for (size_t i = 0; v[i] != '\0'; i++) {
		n = value_unit(v[i], quoted, seq);
		if (l->full && n + 4 > l->room - l->o)
			break;
		line_put(l, seq, n);
	}
	if (l->full)
		line_put(l, "...", 3);
	if (quoted)
		line_put(l, "\"", 1);
}

int
alert_time_format(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (len > 0)
		buf[0] = '\0';
	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		if (len > 0)
			buf[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

size_t
alert_duration_format(int64_t seconds, char *buf, size_t len)
{
	long long s = seconds < 0 ? 0 : (long long)seconds;
	long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
	int n;

	s %= 60;
	if (d > 0)
		n = snprintf(buf, len, "%lldd%lldh%lldm%llds", d, h, m, s);
	else if (h > 0)
		n = snprintf(buf, len, "%lldh%lldm%llds", h, m, s);
	else if (m > 0)
		n = snprintf(buf, len, "%lldm%llds", m, s);
	else
		n = snprintf(buf, len, "%llds", s);
	if (n < 0)
		n = 0;
	if (len == 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

const char *
alert_state(const struct incident *ev)
{
	if (ev->state[0] == '\0' && ev->kind == INCIDENT_ZONE_UP)
		return "ok";
	return ev->state;
}

size_t
alert_format(const struct incident *ev, char *buf, size_t len)
{
	struct line l = { .buf = buf, .room = len > 0 ? len - 1 : 0 };
	size_t keep = ev->redelivery ? sizeof(redelivery_field) - 1 : 0;
	char since[32], duration[32];

	if (len == 0)
		return 0;
	/* Keep room for the redelivery mark when the line can spare it. */
	if (keep > l.room)
		keep = 0;
	l.room -= keep;
	line_field(&l, "event",
	    incident_kind_name((enum incident_kind)ev->kind));
	line_field(&l, "target", ev->target);
	line_field(&l, "group", ev->group);
	line_field(&l, "zone", ev->zone);
	line_field(&l, "codes", ev->codes);
	line_field(&l, "labels", ev->labels);
	if (ev->kind != INCIDENT_STORAGE_ERROR)
		line_field(&l, "severity",
		    severity_name((enum severity)ev->severity));
	if (ev->since_s != 0 &&
	    alert_time_format(ev->since_s, since, sizeof(since)) == 0)
		line_field(&l, "since", since);
	if (ev->kind == INCIDENT_DELISTED) {
		alert_duration_format(ev->duration_s, duration,
		    sizeof(duration));
		line_field(&l, "duration", duration);
	}
	line_field(&l, "state", alert_state(ev));
	line_field(&l, "txt", ev->txt);
	line_field(&l, "delist", ev->delist_url);
	line_field(&l, "detail", ev->detail);
	if (keep > 0) {
		l.room += keep;
		line_put(&l, redelivery_field + (l.o == 0), keep - (l.o == 0));
	}
	buf[l.o] = '\0';
	return l.o;
}

int
alert_priority(const struct incident *ev)
{
	switch (ev->kind) {
	case INCIDENT_DELISTED:
	case INCIDENT_ZONE_UP:
		return LOG_NOTICE;
	default:
		return LOG_WARNING;
	}
}

void
alert_open(int facility)
{
	alert_facility = facility;
	openlog("rblmond", LOG_PID | LOG_NDELAY, facility);
}

void
alert_send(const struct incident *ev)
{
	char line[ALERT_LINE_MAX];

	alert_format(ev, line, sizeof(line));
	syslog(alert_facility | alert_priority(ev), "%s", line);
}

int
alert_delist_url(const char *tmpl, const char *target, char *buf,
    size_t len)
{
	static const char mark[] = "{target}";
	const size_t mlen = sizeof(mark) - 1;
	size_t tlen = strlen(target), o = 0, n;
	const char *p, *hit;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (tmpl == NULL)
		return 0;
	for (p = tmpl; *p != '\0'; p = hit + (*hit != '\0' ? mlen : 0)) {
		hit = strstr(p, mark);
		if (hit == NULL)
			hit = p + strlen(p);
		n = (size_t)(hit - p);
		if (n >= len - o || (*hit != '\0' && tlen >= len - o - n)) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		memcpy(buf + o, p, n);
		o += n;
		if (*hit != '\0') {
			memcpy(buf + o, target, tlen);
			o += tlen;
		}
	}
	if (o > INT32_MAX) {
		buf[0] = '\0';
		return -ENOSPC;
	}
	buf[o] = '\0';
	return (int)o;
}

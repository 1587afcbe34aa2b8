/* SPDX-License-Identifier: ISC */
/*
 * The configuration keys that build lists: nameservers (of [rblmond] or
 * of a zone), the targets of [targets NAME] sections, and a zone's code
 * sets, labels and test points. Each value is checked and reported with
 * the file and line it came from.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "parse.h"

/* ---- nameservers ---- */

/* Split "host", "host:port" or "[v6]:port" into host and port text. */
static int
loader_split_server(const char *entry, char *host, size_t hostlen,
    const char **ret_port)
{
	const char *close, *colon = strchr(entry, ':');
	size_t n;

	*ret_port = NULL;
	if (entry[0] == '[') {
		if ((close = strchr(entry, ']')) == NULL)
			return -EINVAL;
		n = (size_t)(close - entry - 1);
		if (close[1] == ':')
			*ret_port = close + 2;
		else if (close[1] != '\0')
			return -EINVAL;
		entry++;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		/* One colon: IPv4:port. More: a bare IPv6 address. */
		n = (size_t)(colon - entry);
		*ret_port = colon + 1;
	} else {
		n = strlen(entry);
	}
	if (n >= hostlen)
		return -EINVAL;
	memcpy(host, entry, n);
	host[n] = '\0';
	return 0;
}

/* One nameserver, validated and appended to *csv in canonical form. */
static void
loader_nameserver(struct loader *l, const char *entry, char **csv)
{
	char host[TARGET_TEXT_MAX], text[TARGET_TEXT_MAX], out[300], err[128];
	size_t n, len = *csv != NULL ? strlen(*csv) : 0;
	const char *port;
	struct target t;
	uint64_t p = 53;
	char *ns;

	if (loader_split_server(entry, host, sizeof(host), &port) != 0 ||
	    target_parse_ip(host, &t, err, sizeof(err)) != 0 ||
	    (entry[0] == '[' && t.kind != TARGET_IPV6) ||
	    (port != NULL && parse_uint(port, 1, 65535, &p) != 0) ||
	    target_format(&t, text, sizeof(text)) != 0) {
		loader_fail(l, "nameservers: invalid server \"%s\" (expected "
		    "IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT)", entry);
		return;
	}
	if (t.kind == TARGET_IPV6)
		snprintf(out, sizeof(out), "[%s]:%llu", text,
		    (unsigned long long)p);
	else
		snprintf(out, sizeof(out), "%s:%llu", text,
		    (unsigned long long)p);
	n = strlen(out);
	if ((ns = realloc(*csv, len + n + 2)) == NULL) {
		loader_oom(l);
		return;
	}
	*csv = ns;
	if (len > 0)
		ns[len++] = ',';
	memcpy(ns + len, out, n + 1);
}

/* Comma- or space-separated servers; an empty value adds none. */
void
loader_nameservers(struct loader *l, const char *value, char **csv)
{
	char *buf = strdup(value), *save = NULL;

	if (buf == NULL) {
		loader_oom(l);
		return;
	}
	for (char *tok = strtok_r(buf, ", \t", &save); tok != NULL &&
	    !l->failed; tok = strtok_r(NULL, ", \t", &save))
		loader_nameserver(l, tok, csv);
	free(buf);
}

/* ---- [targets] ---- */

/* Takes t (and its domain) on success; on failure t is the caller's. */
int
loader_push_target(struct loader *l, const struct target *t, uint16_t group,
    size_t seq)
{
	struct config_target_seq *s;

	if (l->ntargets >= CONFIG_MAX_TARGETS) {
		loader_fail(l, "more than %u targets in all",
		    CONFIG_MAX_TARGETS);
		return -E2BIG;
	}
	if (loader_grow((void **)&l->targets, sizeof(*l->targets), l->ntargets,
	    &l->targets_cap) != 0) {
		loader_oom(l);
		return -ENOMEM;
	}
	s = &l->targets[l->ntargets++];
	s->t = *t;
	s->t.group = group;
	s->seq = seq;
	return 0;
}

/* Nets are kept as text: max_net_addresses may come after them. */
static void
loader_net_line(struct loader *l, const char *value)
{
	char *text = strdup(value);

	if (text == NULL || loader_grow((void **)&l->nets, sizeof(*l->nets),
	    l->nnets, &l->nets_cap) != 0) {
		free(text);
		loader_oom(l);
		return;
	}
	l->nets[l->nnets++] = (struct config_net){ text, l->file, l->line,
		l->group, l->seq++ };
}

void
loader_target_line(struct loader *l, enum loader_parser p, const char *value)
{
	struct target t;
	char err[256];

	if (p == LOADER_NET) {
		loader_net_line(l, value);
	} else if (p == LOADER_IP) {
		if (target_parse_ip(value, &t, err, sizeof(err)) != 0)
			loader_fail(l, "ip: %s", err);
		else
			loader_push_target(l, &t, l->group, l->seq++);
	} else {
		if (target_parse_domain(value, &t, err, sizeof(err)) != 0)
			loader_fail(l, "domain: %s", err);
		else if (loader_push_target(l, &t, l->group, l->seq++) != 0)
			target_clear(&t);
	}
}

/* ---- [zone NAME] ---- */

/*
 * listed and code items must lie inside 127.0.0.0/8: an answer outside it
 * is bogus, never a listing, so such an item could never match anything.
 */
static bool
loader_item_loopback(struct loader *l, const char *name, const char *text,
    const struct code_item *item)
{
	if (item->kind == CODE_MASK ||
	    (code_is_loopback(item->lo) && code_is_loopback(item->hi)))
		return true;
	loader_fail(l, "%s: \"%s\" is not inside 127.0.0.0/8 (an answer "
	    "outside it is bogus, never a listing)", name, text);
	return false;
}

/* listed (loopback only) or refused (any address: checked first). */
static void
loader_code_items(struct loader *l, const struct config_key *k,
    const char *value, struct code_item **items, size_t *n)
{
	struct code_item item, *p;
	char err[256];

	if (code_item_parse(value, &item, err, sizeof(err)) != 0) {
		loader_fail(l, "%s: %s", k->name, err);
		return;
	}
	if (k->parser == LOADER_LISTED &&
	    !loader_item_loopback(l, k->name, value, &item))
		return;
	p = realloc(*items, (*n + 1) * sizeof(**items));
	if (p == NULL) {
		loader_oom(l);
		return;
	}
	p[(*n)++] = item;
	*items = p;
}

/* Labels reach syslog lines and JSON: printable, no quoting needed. */
static bool
loader_label_ok(const char *label)
{
	for (const char *s = label; *s != '\0'; s++)
		if (!isprint((unsigned char)*s) || *s == '"' || *s == '\\')
			return false;
	return true;
}

/* "CODEITEM LABEL": the label is the rest of the value. */
static void
loader_code_label(struct loader *l, struct zone *z, const char *value)
{
	char *buf = strdup(value), *label;
	size_t n = strcspn(value, " \t");
	struct code_item item;
	struct code_label *p;
	char err[256];

	if (buf == NULL) {
		loader_oom(l);
		return;
	}
	buf[n] = '\0';
	label = value[n] != '\0' ? loader_trim(buf + n + 1) : buf + n;
	if (code_item_parse(buf, &item, err, sizeof(err)) != 0) {
		loader_fail(l, "code: %s", err);
	} else if (!loader_item_loopback(l, "code", buf, &item)) {
		/* reported */
	} else if (*label == '\0') {
		loader_fail(l, "code: \"%s\" has no label (expected \"CODE "
		    "LABEL\", e.g. \"127.0.0.4-127.0.0.7 XBL\")", value);
	} else if (!loader_label_ok(label)) {
		loader_fail(l, "code: label \"%s\" may hold printable "
		    "characters only, no quotes or backslashes", label);
	} else {
		p = realloc(z->labels, (z->nlabels + 1) * sizeof(*z->labels));
		if (p != NULL)
			z->labels = p;
		if (p == NULL || (p[z->nlabels].label = strdup(label)) == NULL)
			loader_oom(l);
		else
			p[z->nlabels++].item = item;
	}
	free(buf);
}

/* Kept as text until the zone's type is known (config_check.c). */
static void
loader_test_key(struct loader *l, const struct config_key *k,
    const char *value)
{
	struct config_zone_loc *loc = &l->zone_locs[l->zone];
	int i = k->offset == offsetof(struct zone, test_listed) ? 0 : 1;

	if (value[0] == '\0') {
		loader_fail(l, "%s: empty value (expected the list's own test "
		    "point, or none)", k->name);
		return;
	}
	if ((loc->test[i] = strdup(value)) == NULL)
		loader_oom(l);
}

void
loader_zone_list(struct loader *l, const struct config_key *k,
    const char *value)
{
	struct zone *z = &l->c->zones[l->zone];

	switch (k->parser) {
	case LOADER_LISTED:
		loader_code_items(l, k, value, &z->listed, &z->nlisted);
		break;
	case LOADER_REFUSED:
		loader_code_items(l, k, value, &z->refused, &z->nrefused);
		break;
	case LOADER_CODE:
		loader_code_label(l, z, value);
		break;
	default:
		loader_test_key(l, k, value);
		break;
	}
}

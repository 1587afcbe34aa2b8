/* SPDX-License-Identifier: ISC */
/*
 * The configuration loader's entry: reads the file and its includes
 * (config_read.c), expands networks, sorts and dedupes targets, runs the
 * checks that need the whole file (config_check.c), and hands out an
 * immutable snapshot. The first error rejects the whole file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config.h"
#include "escape.h"
#include "loader.h"

/* ---- after parsing ---- */

/* Nets wait for max_net_addresses, which may come after them. */
static void
loader_expand_nets(struct loader *l)
{
	char err[256];

	for (size_t i = 0; i < l->nnets && !l->failed; i++) {
		struct config_net *n = &l->nets[i];
		struct target_net net;
		struct target t;
		uint64_t size;

		l->file = n->file;
		l->line = n->line;
		if (target_parse_net(n->text, l->c->max_net_addresses, &net,
		    err, sizeof(err)) != 0) {
			loader_fail(l, "net: %s", err);
			return;
		}
		size = target_net_size(&net);
		if (l->ntargets + size > CONFIG_MAX_TARGETS) {
			loader_fail(l, "net: more than %u targets in all",
			    CONFIG_MAX_TARGETS);
			return;
		}
		for (uint64_t k = 0; k < size && !l->failed; k++) {
			target_net_nth(&net, k, &t);
			loader_push_target(l, &t, n->group, n->seq);
		}
	}
}

static int
loader_target_cmp(const void *a, const void *b)
{
	const struct config_target_seq *x = a, *y = b;
	int rc = target_cmp(&x->t, &y->t);

	if (rc != 0)
		return rc;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort, drop repeats (the first line's group stays), index the kinds. */
static int
loader_finish_targets(struct loader *l)
{
	struct config *c = l->c;
	size_t n = 0;

	if (l->ntargets > 0)
		qsort(l->targets, l->ntargets, sizeof(*l->targets),
		    loader_target_cmp);
	c->targets = calloc(l->ntargets ? l->ntargets : 1, sizeof(*c->targets));
	if (c->targets == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < l->ntargets; i++) {
		struct target *t = &l->targets[i].t;

		if (n > 0 && target_cmp(&c->targets[n - 1], t) == 0) {
			target_clear(t);
			continue;
		}
		c->targets[n++] = *t;
	}
	l->ntargets = 0; /* now owned by c */
	c->ntargets = n;
	for (size_t i = n; i-- > 0;) {
		c->kind_first[c->targets[i].kind] = i;
		c->kind_count[c->targets[i].kind]++;
	}
	for (int k = 0; k < 3; k++)
		if (c->kind_count[k] == 0)
			c->kind_first[k] = 0;
	return 0;
}

static void
loader_clear(struct loader *l)
{
	for (size_t i = 0; i < l->ntargets; i++)
		target_clear(&l->targets[i].t);
	free(l->targets);
	for (size_t i = 0; i < l->nnets; i++)
		free(l->nets[i].text);
	free(l->nets);
	for (size_t i = 0; l->zone_locs != NULL && i < l->c->nzones; i++) {
		free(l->zone_locs[i].key_line);
		free(l->zone_locs[i].test[0]);
		free(l->zone_locs[i].test[1]);
	}
	free(l->zone_locs);
	free(l->group_slots);
	for (size_t i = 0; i < l->nfiles; i++)
		free(l->files[i]);
	free(l->files);
	free(l->rblmond_at);
}

static struct config *
config_new(void)
{
	struct config *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->timeout_ms = CONFIG_DEFAULT_TIMEOUT_MS;
	c->tries = CONFIG_DEFAULT_TRIES;
	c->max_inflight = CONFIG_DEFAULT_MAX_INFLIGHT;
	c->max_net_addresses = CONFIG_DEFAULT_MAX_NET_ADDRESSES;
	c->interval_ms = CONFIG_DEFAULT_INTERVAL_MS;
	c->jitter_permille = CONFIG_DEFAULT_JITTER_PERMILLE;
	c->confirm = CONFIG_DEFAULT_CONFIRM;
	c->confirm_delay_ms = CONFIG_DEFAULT_CONFIRM_DELAY_MS;
	c->remind_ms = CONFIG_DEFAULT_REMIND_MS;
	c->alert_timeout_ms = CONFIG_DEFAULT_ALERT_TIMEOUT_MS;
	c->alert_max = CONFIG_DEFAULT_ALERT_MAX;
	c->syslog_facility = LOG_DAEMON;
	c->socket_mode = CONFIG_DEFAULT_SOCKET_MODE;
	c->groups = calloc(1, sizeof(*c->groups));
	if (c->groups == NULL || (c->groups[0] = strdup("")) == NULL) {
		config_free(c);
		return NULL;
	}
	c->ngroups = 1;
	return c;
}

/* The checks that need the whole file: targets, zones, name lengths. */
static int
loader_finish(struct loader *l, const char *path)
{
	struct config *c = l->c;

	loader_check_query_life(l);
	loader_test_points(l);
	loader_expand_nets(l);
	if (l->failed)
		return -EINVAL;
	if (loader_finish_targets(l) != 0)
		return -ENOMEM;
	if (c->nzones == 0) {
		snprintf(l->err, l->errlen, "%s: no [zone NAME] sections (add "
		    "at least one list to check)", path);
		return -EINVAL;
	}
	if (c->ntargets == 0) {
		snprintf(l->err, l->errlen, "%s: no targets (add ip, net or "
		    "domain keys to a [targets] section)", path);
		return -EINVAL;
	}
	loader_check_zones(l);
	if (l->failed)
		return -EINVAL;
	if (loader_warn_retired(l) != 0 || loader_warn_pace(l) != 0)
		return -ENOMEM;
	return 0;
}

/* Messages quote what the file holds: no control byte may reach a tty. */
static void
config_escape_err(char *err, size_t errlen)
{
	char *raw;

	if (errlen < 4 || (raw = strdup(err)) == NULL)
		return;
	escape_control(raw, strlen(raw), err, errlen);
	free(raw);
}

int
config_load(const char *path, struct config **ret, char *err, size_t errlen)
{
	struct loader l;
	size_t nkeys;
	int rc;

	memset(&l, 0, sizeof(l));
	l.err = err;
	l.errlen = errlen;
	l.file = path;
	l.groups_cap = 1; /* config_new made groups[0] */
	config_keys(&nkeys);
	l.rblmond_at = calloc(nkeys, sizeof(*l.rblmond_at));
	if (l.rblmond_at == NULL || (l.c = config_new()) == NULL) {
		free(l.rblmond_at);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = loader_file(&l, path);
	if (rc == 0)
		rc = loader_finish(&l, path);
	if (rc != 0)
		goto fail;
	loader_clear(&l);
	*ret = l.c;
	return 0;

fail:
	if (rc == -ENOMEM && !l.failed)
		snprintf(err, errlen, "%s: out of memory", path);
	config_escape_err(err, errlen);
	loader_clear(&l);
	config_free(l.c);
	return rc;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->nameservers);
	free(c->state_db);
	free(c->socket);
	free(c->socket_group);
	free(c->metrics_listen);
	free(c->metrics_textfile);
	for (size_t i = 0; c->alert_argv != NULL && c->alert_argv[i]; i++)
		free(c->alert_argv[i]);
	free(c->alert_argv);
	for (size_t i = 0; c->groups != NULL && i < c->ngroups; i++)
		free(c->groups[i]);
	free(c->groups);
	for (size_t i = 0; i < c->ntargets; i++)
		target_clear(&c->targets[i]);
	free(c->targets);
	for (size_t i = 0; i < c->nzones; i++)
		zone_clear(&c->zones[i]);
	free(c->zones);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c);
}

void
config_zone_targets(const struct config *c, const struct zone *z,
    size_t *ret_first, size_t *ret_count)
{
	switch (z->type) {
	case ZONE_IP:
		/* IPv4 and IPv6 sort next to each other. */
		*ret_count = c->kind_count[TARGET_IPV4] +
		    c->kind_count[TARGET_IPV6];
		*ret_first = c->kind_count[TARGET_IPV4] ?
		    c->kind_first[TARGET_IPV4] : c->kind_first[TARGET_IPV6];
		break;
	case ZONE_IP4:
		*ret_first = c->kind_first[TARGET_IPV4];
		*ret_count = c->kind_count[TARGET_IPV4];
		break;
	case ZONE_IP6:
		*ret_first = c->kind_first[TARGET_IPV6];
		*ret_count = c->kind_count[TARGET_IPV6];
		break;
	default:
		*ret_first = c->kind_first[TARGET_DOMAIN];
		*ret_count = c->kind_count[TARGET_DOMAIN];
		break;
	}
}

uint64_t
config_pairs(const struct config *c)
{
	uint64_t pairs = 0;

	for (size_t i = 0; i < c->nzones; i++) {
		size_t first, count;

		config_zone_targets(c, &c->zones[i], &first, &count);
		pairs += count;
	}
	return pairs;
}

const char *
config_socket(const struct config *c)
{
	return c->socket != NULL ? c->socket : CONFIG_DEFAULT_SOCKET;
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for rekey.c: old targets matched to new ones across a reload
 * (added, removed, kept, every kind, networks expanded, empty sides), and
 * old zones matched by name (renamed, reordered, removed, added).
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rekey.h"
#include "target.h"
#include "zone.h"

#define MAXT 64
#define NONE (-1)

/*
 * A target list as the config keeps it, from text: addresses, domains,
 * and "ADDR/PREFIX" networks expanded in place; "@N" after an entry sets
 * its group. The rows are written in target_cmp order, which the builder
 * checks, so each row's indexes can be read off the row.
 */
struct tlist {
	struct target t[MAXT];
	size_t n;
};

static void
tlist_add(struct tlist *l, const char *name, const char *text)
{
	char buf[TARGET_TEXT_MAX], err[128];
	struct target_net net;
	const char *at = strchr(text, '@');
	uint16_t group = at != NULL ? (uint16_t)atoi(at + 1) : 0;
	size_t len = at != NULL ? (size_t)(at - text) : strlen(text);

	ck_assert(len < sizeof(buf));
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (strchr(buf, '/') != NULL) {
		ck_assert_msg(target_parse_net(buf, MAXT, &net, err,
				  sizeof(err)) == 0,
		    "%s: %s: %s", name, buf, err);
		for (uint64_t i = 0; i < target_net_size(&net); i++) {
			ck_assert(l->n < MAXT);
			target_net_nth(&net, i, &l->t[l->n]);
			l->t[l->n++].group = group;
		}
		return;
	}
	ck_assert(l->n < MAXT);
	if (target_parse_ip(buf, &l->t[l->n], err, sizeof(err)) != 0)
		ck_assert_msg(target_parse_domain(buf, &l->t[l->n], err,
				  sizeof(err)) == 0,
		    "%s: %s: %s", name, buf, err);
	l->t[l->n++].group = group;
}

static void
tlist_build(struct tlist *l, const char *name, const char *const *texts)
{
	l->n = 0;
	for (size_t i = 0; texts[i] != NULL; i++)
		tlist_add(l, name, texts[i]);
	for (size_t i = 1; i < l->n; i++)
		ck_assert_msg(target_cmp(&l->t[i - 1], &l->t[i]) < 0,
		    "%s: the row is not sorted and unique at %zu", name, i);
}

static void
tlist_clear(struct tlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		target_clear(&l->t[i]);
	l->n = 0;
}

static const struct target_row {
	const char *name;
	const char *old[10], *new_[10];
	int want[MAXT]; /* per expanded old target: new index or NONE */
} target_rows[] = {
	{ "identical", { "192.0.2.1", "2001:db8::1", "example.com" },
	    { "192.0.2.1", "2001:db8::1", "example.com" }, { 0, 1, 2 } },
	{ "empty old", { NULL }, { "192.0.2.1", "example.com" }, { 0 } },
	{ "empty new", { "192.0.2.1", "2001:db8::1", "example.com" },
	    { NULL }, { NONE, NONE, NONE } },
	{ "both empty", { NULL }, { NULL }, { 0 } },
	{ "one added at the front", { "192.0.2.2", "192.0.2.3" },
	    { "192.0.2.1", "192.0.2.2", "192.0.2.3" }, { 1, 2 } },
	{ "one added in the middle", { "192.0.2.1", "192.0.2.3" },
	    { "192.0.2.1", "192.0.2.2", "192.0.2.3" }, { 0, 2 } },
	{ "one added at the end", { "192.0.2.1", "192.0.2.2" },
	    { "192.0.2.1", "192.0.2.2", "192.0.2.3" }, { 0, 1 } },
	{ "one removed at the front", { "192.0.2.1", "192.0.2.2", "192.0.2.3" },
	    { "192.0.2.2", "192.0.2.3" }, { NONE, 0, 1 } },
	{ "one removed in the middle",
	    { "192.0.2.1", "192.0.2.2", "192.0.2.3" },
	    { "192.0.2.1", "192.0.2.3" }, { 0, NONE, 1 } },
	{ "one removed at the end", { "192.0.2.1", "192.0.2.2", "192.0.2.3" },
	    { "192.0.2.1", "192.0.2.2" }, { 0, 1, NONE } },
	{ "all replaced", { "192.0.2.1", "192.0.2.3" },
	    { "192.0.2.2", "192.0.2.4" }, { NONE, NONE } },
	{ "added and removed interleaved",
	    { "192.0.2.1", "192.0.2.3", "192.0.2.5", "192.0.2.7" },
	    { "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.7",
		"192.0.2.8" },
	    { NONE, 1, NONE, 3 } },
	{ "a group change keeps the key", { "192.0.2.1@1", "example.com@2" },
	    { "192.0.2.1@3", "example.com" }, { 0, 1 } },
	{ "same bytes, other kind: not the same target", { "192.0.2.1" },
	    { "c000:201::", "192.0.2.1.example" }, { NONE } },
	{ "mixed kinds: kept, removed and added in each",
	    { "192.0.2.1", "192.0.2.9", "2001:db8::1", "2001:db8::2",
		"a.example", "c.example" },
	    { "192.0.2.1", "198.51.100.7", "2001:db8::2", "2001:db8::3",
		"b.example", "c.example" },
	    { 0, NONE, NONE, 2, NONE, 5 } },
	{ "a kind removed whole", { "192.0.2.1", "2001:db8::1", "example.com" },
	    { "192.0.2.1", "example.com" }, { 0, NONE, 1 } },
	{ "a kind added whole", { "192.0.2.1", "example.com" },
	    { "192.0.2.1", "2001:db8::1", "example.com" }, { 0, 2 } },
	{ "a network grows",
	    { "198.51.100.0/30" },
	    { "198.51.100.0/29" }, { 0, 1, 2, 3 } },
	{ "a network shrinks",
	    { "198.51.100.0/29" },
	    { "198.51.100.4/30" },
	    { NONE, NONE, NONE, NONE, 0, 1, 2, 3 } },
	{ "a network moves half its addresses",
	    { "10.0.0.0/28" }, { "10.0.0.8/29", "10.0.0.16/30" },
	    { NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, 0, 1, 2, 3, 4, 5,
		6, 7 } },
	{ "an address folded into a network",
	    { "198.51.100.2", "2001:db8::/126", "example.com" },
	    { "198.51.100.0/30", "2001:db8::1", "2001:db8::3",
		"example.com" },
	    { 2, NONE, 4, NONE, 5, 6 } },
};

START_TEST(test_targets)
{
	const struct target_row *r = &target_rows[_i];
	struct tlist old, new_;
	uint32_t map[MAXT];

	tlist_build(&old, r->name, r->old);
	tlist_build(&new_, r->name, r->new_);
	/* Garbage first: every entry must be written, none past nold. */
	memset(map, 0xa5, sizeof(map));
	rekey_targets(old.t, old.n, new_.t, new_.n, map);
	for (size_t i = 0; i < old.n; i++) {
		uint32_t want = r->want[i] == NONE ? REKEY_NONE :
		    (uint32_t)r->want[i];

		ck_assert_msg(map[i] == want, "%s: old %zu maps to %d, want %d",
		    r->name, i, map[i] == REKEY_NONE ? NONE : (int)map[i],
		    r->want[i]);
		if (want != REKEY_NONE)
			ck_assert(target_cmp(&old.t[i], &new_.t[want]) == 0);
	}
	ck_assert_msg(map[old.n] == 0xa5a5a5a5, "%s: wrote past the end",
	    r->name);
	tlist_clear(&old);
	tlist_clear(&new_);
}
END_TEST

/*
 * A large reload: a /20 becomes a different /20 overlapping half of it,
 * checked against a plain search. Guards the walk on sizes a table does
 * not reach.
 */
START_TEST(test_targets_large)
{
	struct target_net a, b;
	struct target *old, *new_;
	uint32_t *map;
	size_t n;
	char err[128];

	ck_assert(target_parse_net("10.0.0.0/20", 4096, &a, err,
	    sizeof(err)) == 0);
	ck_assert(target_parse_net("10.0.16.0/20", 4096, &b, err,
	    sizeof(err)) == 0);
	n = (size_t)target_net_size(&a);
	old = calloc(n, sizeof(*old));
	new_ = calloc(2 * n, sizeof(*new_));
	map = calloc(n, sizeof(*map));
	ck_assert(old != NULL && new_ != NULL && map != NULL);
	/* new: the upper half of a, then all of b. */
	for (size_t i = 0; i < n; i++) {
		target_net_nth(&a, i, &old[i]);
		if (i >= n / 2)
			target_net_nth(&a, i, &new_[i - n / 2]);
		target_net_nth(&b, i, &new_[n / 2 + i]);
	}
	rekey_targets(old, n, new_, n / 2 + n, map);
	for (size_t i = 0; i < n; i++) {
		uint32_t want = i < n / 2 ? REKEY_NONE : (uint32_t)(i - n / 2);

		if (map[i] != want)
			ck_abort_msg("old %zu maps to %u, want %u", i, map[i],
			    want);
	}
	free(map);
	free(new_);
	free(old);
}
END_TEST

static const struct zone_row {
	const char *name;
	const char *old[8], *new_[8];
	int want[8];
} zone_rows[] = {
	{ "identical", { "a.example", "b.example", "c.example" },
	    { "a.example", "b.example", "c.example" }, { 0, 1, 2 } },
	{ "reordered", { "a.example", "b.example", "c.example" },
	    { "c.example", "a.example", "b.example" }, { 1, 2, 0 } },
	{ "unsorted on both sides",
	    { "zen.spamhaus.org", "b.barracudacentral.org",
		"dbl.spamhaus.org" },
	    { "dbl.spamhaus.org", "zen.spamhaus.org",
		"b.barracudacentral.org" },
	    { 1, 2, 0 } },
	{ "renamed", { "a.example", "b.example" },
	    { "a.example", "bb.example" }, { 0, NONE } },
	{ "a prefix is another name", { "spamhaus.org", "zen.spamhaus.org" },
	    { "zen.spamhaus.org" }, { NONE, 0 } },
	{ "removed", { "a.example", "b.example", "c.example" },
	    { "c.example", "a.example" }, { 1, NONE, 0 } },
	{ "added", { "b.example" },
	    { "a.example", "b.example", "c.example" }, { 1 } },
	{ "added, removed, renamed and reordered at once",
	    { "a.example", "b.example", "c.example", "d.example" },
	    { "e.example", "d.example", "a.example", "x.example" },
	    { 2, NONE, NONE, 1 } },
	{ "empty old", { NULL }, { "a.example" }, { 0 } },
	{ "empty new", { "a.example", "b.example" }, { NULL },
	    { NONE, NONE } },
	{ "both empty", { NULL }, { NULL }, { 0 } },
	{ "one each, the same", { "a.example" }, { "a.example" }, { 0 } },
	{ "one each, different", { "a.example" }, { "b.example" },
	    { NONE } },
};

static size_t
zones_build(struct zone *z, const char *const *names)
{
	size_t n = 0;

	for (; names[n] != NULL; n++) {
		memset(&z[n], 0, sizeof(z[n]));
		z[n].name = strdup(names[n]);
		ck_assert_ptr_nonnull(z[n].name);
	}
	return n;
}

START_TEST(test_zones)
{
	const struct zone_row *r = &zone_rows[_i];
	struct zone old[8], new_[8];
	size_t nold = zones_build(old, r->old), nnew = zones_build(new_,
	    r->new_);
	uint32_t map[9];

	memset(map, 0xa5, sizeof(map));
	ck_assert_int_eq(rekey_zones(old, nold, new_, nnew, map), 0);
	for (size_t i = 0; i < nold; i++) {
		uint32_t want = r->want[i] == NONE ? REKEY_NONE :
		    (uint32_t)r->want[i];

		ck_assert_msg(map[i] == want, "%s: %s maps to %d, want %d",
		    r->name, old[i].name,
		    map[i] == REKEY_NONE ? NONE : (int)map[i], r->want[i]);
	}
	ck_assert_msg(map[nold] == 0xa5a5a5a5, "%s: wrote past the end",
	    r->name);
	for (size_t i = 0; i < nold; i++)
		zone_clear(&old[i]);
	for (size_t i = 0; i < nnew; i++)
		zone_clear(&new_[i]);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
rekey_suite(void)
{
	Suite *s = suite_create("rekey");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_targets, 0, NROWS(target_rows));
	tcase_add_test(tc, test_targets_large);
	tcase_add_loop_test(tc, test_zones, 0, NROWS(zone_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(rekey_suite());
}

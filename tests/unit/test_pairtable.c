/* SPDX-License-Identifier: ISC */
/*
 * The pair-state hash table against a plain array model: each row is a
 * script of puts and removes over a key pattern (one zone's consecutive
 * targets, keys spread over many zones, keys that collide on purpose),
 * checked after every step; and the filter, which must visit every entry
 * exactly once while it removes some.
 */
#include <stdlib.h>
#include <string.h>

#include "pairtable.h"
#include "unit.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#define MODEL_MAX 5000

enum pattern { PAT_NET, PAT_ZONES, PAT_STRIDE };

struct table_row {
	const char *name;
	uint8_t pattern;
	unsigned nput;	  /* keys 0..nput-1 put */
	unsigned remove_every; /* then every n-th removed (0: none) */
	unsigned reput;	  /* then keys 0..reput-1 put again */
};

static const struct table_row table_rows[] = {
	{ "empty", PAT_NET, 0, 0, 0 },
	{ "one", PAT_NET, 1, 0, 0 },
	{ "one removed", PAT_NET, 1, 1, 0 },
	{ "a /24 of one zone", PAT_NET, 256, 0, 0 },
	{ "grows past its first size", PAT_NET, 1000, 0, 0 },
	{ "every other removed", PAT_NET, 1000, 2, 0 },
	{ "all removed then put again", PAT_NET, 1000, 1, 1000 },
	{ "ten zones", PAT_ZONES, 3000, 3, 500 },
	{ "keys that share low bits", PAT_STRIDE, 4000, 5, 4000 },
	{ "removing every third of a big run", PAT_STRIDE, 5000, 3, 0 },
};

static uint64_t
row_key(uint8_t pattern, unsigned i)
{
	switch (pattern) {
	case PAT_ZONES:
		return pairtable_key(i % 10, i / 10);
	case PAT_STRIDE:
		return pairtable_key(0, i * 4096u);
	default:
		return pairtable_key(3, i);
	}
}

struct model {
	bool in[MODEL_MAX];
	uint16_t mark[MODEL_MAX]; /* what was written into the state */
};

static void
check_against(const struct pairtable *t, const struct model *m,
    const struct table_row *row)
{
	size_t n = 0;

	for (unsigned i = 0; i < MODEL_MAX; i++) {
		struct pairstate *ps = pairtable_get(t, row_key(row->pattern, i));

		if (!m->in[i]) {
			ck_assert_msg(ps == NULL, "%s: key %u present", row->name,
			    i);
			continue;
		}
		n++;
		ck_assert_msg(ps != NULL, "%s: key %u lost", row->name, i);
		ck_assert_uint_eq(ps->errors, m->mark[i]);
	}
	ck_assert_uint_eq(pairtable_count(t), n);
}

static void
put(struct pairtable *t, struct model *m, const struct table_row *row,
    unsigned i)
{
	bool fresh = false;
	struct pairstate *ps = pairtable_put(t, row_key(row->pattern, i),
	    &fresh);

	ck_assert_ptr_nonnull(ps);
	ck_assert_msg(fresh == !m->in[i], "%s: key %u fresh %d", row->name,
	    i, fresh);
	if (fresh)
		ck_assert_uint_eq(ps->stable, PAIRSTATE_UNKNOWN);
	m->in[i] = true;
	m->mark[i] = (uint16_t)(i * 7 + 1);
	ps->errors = m->mark[i];
}

START_TEST(test_table)
{
	const struct table_row *row = &table_rows[_i];
	static struct model m;
	struct pairtable t;

	memset(&m, 0, sizeof(m));
	pairtable_init(&t);
	ck_assert_ptr_null(pairtable_get(&t, row_key(row->pattern, 0)));
	for (unsigned i = 0; i < row->nput; i++)
		put(&t, &m, row, i);
	check_against(&t, &m, row);
	for (unsigned i = 0; row->remove_every && i < row->nput; i++) {
		if (i % row->remove_every != 0)
			continue;
		pairtable_remove(&t, row_key(row->pattern, i));
		m.in[i] = false;
		/* Removing what is absent changes nothing. */
		pairtable_remove(&t, row_key(row->pattern, i));
	}
	check_against(&t, &m, row);
	for (unsigned i = 0; i < row->reput; i++)
		put(&t, &m, row, i);
	check_against(&t, &m, row);
	pairtable_clear(&t);
	ck_assert_uint_eq(pairtable_count(&t), 0);
	ck_assert_ptr_null(pairtable_get(&t, row_key(row->pattern, 0)));
}
END_TEST

struct filter_row {
	const char *name;
	uint8_t pattern;
	unsigned n;
	unsigned drop_every; /* the filter drops keys i with i % n == 0 */
};

static const struct filter_row filter_rows[] = {
	{ "keep all", PAT_NET, 500, 0 },
	{ "drop all", PAT_NET, 500, 1 },
	{ "drop every other", PAT_ZONES, 2000, 2 },
	{ "drop every third of colliding keys", PAT_STRIDE, 3000, 3 },
};

struct visit {
	uint8_t pattern;
	unsigned drop_every;
	unsigned seen[MODEL_MAX];
};

static bool
filter_cb(uint64_t key, struct pairstate *ps, void *arg)
{
	struct visit *v = arg;
	unsigned i = ps->errors; /* the index was written there */

	ck_assert_uint_eq(key, row_key(v->pattern, i));
	v->seen[i]++;
	return v->drop_every == 0 || i % v->drop_every != 0;
}

START_TEST(test_filter)
{
	const struct filter_row *row = &filter_rows[_i];
	static struct visit v;
	struct pairtable t;

	memset(&v, 0, sizeof(v));
	v.pattern = row->pattern;
	v.drop_every = row->drop_every;
	pairtable_init(&t);
	for (unsigned i = 0; i < row->n; i++) {
		struct pairstate *ps = pairtable_put(&t,
		    row_key(row->pattern, i), NULL);

		ck_assert_ptr_nonnull(ps);
		ps->errors = (uint16_t)i;
	}
	pairtable_filter(&t, filter_cb, &v);
	for (unsigned i = 0; i < row->n; i++) {
		bool kept = row->drop_every == 0 || i % row->drop_every != 0;

		ck_assert_msg(v.seen[i] == 1, "%s: key %u seen %u times",
		    row->name, i, v.seen[i]);
		ck_assert_msg((pairtable_get(&t, row_key(row->pattern, i)) !=
		    NULL) == kept, "%s: key %u", row->name, i);
	}
	pairtable_clear(&t);
}
END_TEST

START_TEST(test_keys)
{
	/* A key carries its zone and target back, and is never 0. */
	uint64_t k = pairtable_key(0, 0);

	ck_assert_uint_ne(k, 0);
	k = pairtable_key(1023, UINT32_MAX - 1);
	ck_assert_uint_eq(pairtable_key_zone(k), 1023);
	ck_assert_uint_eq(pairtable_key_target(k), UINT32_MAX - 1);
	ck_assert_uint_ne(pairtable_key(1, 0), pairtable_key(0, 1));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pairtable");
	TCase *tc = tcase_create("pairtable");

	tcase_add_loop_test(tc, test_table, 0, NROWS(table_rows));
	tcase_add_loop_test(tc, test_filter, 0, NROWS(filter_rows));
	tcase_add_test(tc, test_keys);
	suite_add_tcase(s, tc);
	return unit_run(s);
}

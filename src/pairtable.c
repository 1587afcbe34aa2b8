/* SPDX-License-Identifier: ISC */
/*
 * The hash table of non-idle pair states: linear probing over a power-of-
 * two array kept at most half full, and deletion by backward shift, so
 * there are no tombstones to clean up in a table that lives for months.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pairtable.h"

#define PAIRTABLE_MIN_CAP 64

static size_t
pairtable_hash(uint64_t key, size_t cap)
{
	/* A multiplicative hash spreads the consecutive targets of a net. */
	key *= UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(key >> 32 ^ key) & (cap - 1);
}

void
pairtable_init(struct pairtable *t)
{
	memset(t, 0, sizeof(*t));
}

struct pairstate *
pairtable_get(const struct pairtable *t, uint64_t key)
{
	if (t->cap == 0 || key == 0)
		return NULL;
	for (size_t i = pairtable_hash(key, t->cap);; i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i].key == key)
			return &t->slots[i].ps;
		if (t->slots[i].key == 0)
			return NULL;
	}
}

static struct pairtable_entry *
pairtable_slot(struct pairtable_entry *slots, size_t cap, uint64_t key)
{
	size_t i = pairtable_hash(key, cap);

	while (slots[i].key != 0 && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int
pairtable_grow(struct pairtable *t)
{
	size_t cap = t->cap ? t->cap * 2 : PAIRTABLE_MIN_CAP;
	struct pairtable_entry *slots;

	if (cap < t->cap || cap > SIZE_MAX / sizeof(*slots))
		return -ENOMEM;
	if ((slots = calloc(cap, sizeof(*slots))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].key != 0)
			*pairtable_slot(slots, cap, t->slots[i].key) =
			    t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return 0;
}

struct pairstate *
pairtable_put(struct pairtable *t, uint64_t key, bool *ret_new)
{
	struct pairtable_entry *e;

	if (key == 0)
		return NULL;
	if ((t->n + 1) * 2 > t->cap && pairtable_grow(t) != 0) {
		/* Full enough to refuse: an existing pair is still found. */
		struct pairstate *ps = pairtable_get(t, key);

		if (ps != NULL && ret_new != NULL)
			*ret_new = false;
		return ps;
	}
	e = pairtable_slot(t->slots, t->cap, key);
	if (ret_new != NULL)
		*ret_new = e->key == 0;
	if (e->key == 0) {
		e->key = key;
		pairstate_init(&e->ps);
		t->n++;
	}
	return &e->ps;
}

/* Empty slot i and shift back the entries of its probe run after it. */
static void
pairtable_erase(struct pairtable *t, size_t i)
{
	size_t mask = t->cap - 1, j = i;

	t->slots[i].key = 0;
	t->n--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (t->slots[j].key == 0)
			return;
		home = pairtable_hash(t->slots[j].key, t->cap);
		/* Entry j may move to i when i lies on its way from home. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			t->slots[j].key = 0;
			i = j;
		}
	}
}

void
pairtable_remove(struct pairtable *t, uint64_t key)
{
	if (t->cap == 0 || key == 0)
		return;
	for (size_t i = pairtable_hash(key, t->cap);; i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i].key == key) {
			pairtable_erase(t, i);
			return;
		}
		if (t->slots[i].key == 0)
			return;
	}
}

void
pairtable_filter(struct pairtable *t,
    bool (*cb)(uint64_t key, struct pairstate *ps, void *arg), void *arg)
{
	size_t i = 0, start;

	if (t->n == 0)
		return;
	/*
	 * Start after an empty slot: a backward shift never moves an entry
	 * across one, so every entry is seen exactly once while erasing.
	 */
	while (t->slots[i].key != 0)
		i++;
	start = i;
	do {
		i = (i + 1) & (t->cap - 1);
		while (t->slots[i].key != 0 &&
		    !cb(t->slots[i].key, &t->slots[i].ps, arg))
			pairtable_erase(t, i);
	} while (i != start);
}

void
pairtable_each(const struct pairtable *t,
    void (*cb)(uint64_t key, const struct pairstate *ps, void *arg),
    void *arg)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].key != 0)
			cb(t->slots[i].key, &t->slots[i].ps, arg);
}

size_t
pairtable_count(const struct pairtable *t)
{
	return t->n;
}

void
pairtable_clear(struct pairtable *t)
{
	free(t->slots);
	pairtable_init(t);
}

/* SPDX-License-Identifier: ISC */
/*
 * The listing states of the pairs that need one: a hash table from a
 * (zone, target) index pair of one config generation to its struct
 * pairstate. A pair that is absent is clean with nothing pending, so a
 * sweep of a /16 keeps only its listed, erring or pending pairs here
 * (56 bytes each). Open addressing with linear probing; pure.
 */
#ifndef RBLMON_PAIRTABLE_H
#define RBLMON_PAIRTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "pairstate.h"

struct pairtable_entry {
	uint64_t key; /* pairtable_key(zone, target); 0: empty slot */
	struct pairstate ps;
};

struct pairtable {
	struct pairtable_entry *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

/* The key of a pair: never 0, so 0 can mark an empty slot. */
static inline uint64_t
pairtable_key(uint32_t zone, uint32_t target)
{
	return ((uint64_t)zone << 32 | target) + 1;
}

static inline uint32_t
pairtable_key_zone(uint64_t key)
{
	return (uint32_t)((key - 1) >> 32);
}

static inline uint32_t
pairtable_key_target(uint64_t key)
{
	return (uint32_t)(key - 1);
}

/* An empty table (zeroed memory is one too). */
void pairtable_init(struct pairtable *t);

/* The pair's state, or NULL when it is absent. */
struct pairstate *pairtable_get(const struct pairtable *t, uint64_t key);

/*
 * The pair's state, inserted (pairstate_init'ed) when absent: *ret_new
 * says which. NULL when the table cannot grow (out of memory). Pointers
 * into the table stay valid until the next put or remove.
 */
struct pairstate *pairtable_put(struct pairtable *t, uint64_t key,
    bool *ret_new);

/* Forget the pair (nothing happens when it is absent). */
void pairtable_remove(struct pairtable *t, uint64_t key);

/*
 * Visit every entry; cb returns true to keep the entry, false to remove
 * it. cb must not put into or remove from the table itself.
 */
void pairtable_filter(struct pairtable *t,
    bool (*cb)(uint64_t key, struct pairstate *ps, void *arg), void *arg);

/* Visit every entry, read-only. */
void pairtable_each(const struct pairtable *t,
    void (*cb)(uint64_t key, const struct pairstate *ps, void *arg),
    void *arg);

/* Entries held. */
size_t pairtable_count(const struct pairtable *t);

/* Free what the table holds; it is empty afterwards. */
void pairtable_clear(struct pairtable *t);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Reload key matching: old targets to new ones by a merge of two sorted
 * arrays, old zones to new ones by name through a sorted scratch index.
 * Pure.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rekey.h"
#include "target.h"
#include "zone.h"

void
rekey_targets(const struct target *old, size_t nold,
    const struct target *new_, size_t nnew, uint32_t *ret_map)
{
	size_t i = 0, j = 0;
	int c;

	assert(nnew < REKEY_NONE);
	/*
	 * Both arrays are sorted and unique, so each old target either
	 * meets its equal while j walks forward or is passed by a larger
	 * new one: it was removed.
	 */
	while (i < nold) {
		c = j < nnew ? target_cmp(&old[i], &new_[j]) : -1;
		if (c > 0) {
			j++; /* new_[j] was added */
			continue;
		}
		ret_map[i++] = c == 0 ? (uint32_t)j++ : REKEY_NONE;
	}
}

static int
rekey_zone_cmp(const void *a, const void *b)
{
	const struct zone *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

int
rekey_zones(const struct zone *old, size_t nold, const struct zone *new_,
    size_t nnew, uint32_t *ret_map)
{
	const struct zone **index, *key, *const *hit;

	assert(nnew < REKEY_NONE);
	if (nold == 0)
		return 0;
	if (nnew == 0) {
		for (size_t i = 0; i < nold; i++)
			ret_map[i] = REKEY_NONE;
		return 0;
	}
	index = calloc(nnew, sizeof(*index));
	if (index == NULL)
		return -ENOMEM;
	for (size_t j = 0; j < nnew; j++)
		index[j] = &new_[j];
	qsort(index, nnew, sizeof(*index), rekey_zone_cmp);
	for (size_t i = 0; i < nold; i++) {
		key = &old[i];
		hit = bsearch(&key, index, nnew, sizeof(*index),
		    rekey_zone_cmp);
		/* The pointer's place in new_ is the zone's new index. */
		ret_map[i] = hit != NULL ? (uint32_t)(*hit - new_) :
		    REKEY_NONE;
	}
	free(index);
	return 0;
}

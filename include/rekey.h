/* SPDX-License-Identifier: ISC */
/*
 * Reload key matching: which target and zone of the old configuration is
 * which in the new one, so runtime state follows its stable key (target,
 * zone name) across a reload and never a pointer or index into the old
 * snapshot. Pure.
 */
#ifndef RBLMON_REKEY_H
#define RBLMON_REKEY_H

#include <stddef.h>
#include <stdint.h>

struct target;
struct zone;

/* "Not in the new configuration": the entry was removed. */
#define REKEY_NONE UINT32_MAX

/*
 * old and new_ are sorted by target_cmp and unique (as struct config keeps
 * them); walk them side by side: ret_map[i] (nold entries) = index in new_
 * of old[i], or REKEY_NONE when it was removed. A target keeps its key
 * when only its group changed (target_cmp ignores the group).
 * O(nold + nnew). nnew must be below REKEY_NONE (config caps it far
 * lower).
 */
void rekey_targets(const struct target *old, size_t nold,
    const struct target *new_, size_t nnew, uint32_t *ret_map);

/*
 * Zones by name (any order, names unique within each array): ret_map[i]
 * (nold entries) = index in new_ of old zone i, or REKEY_NONE. Returns 0,
 * or -ENOMEM with ret_map untouched (it sorts a scratch index of new_).
 * O((nold + nnew) log nnew). nnew must be below REKEY_NONE.
 */
int rekey_zones(const struct zone *old, size_t nold, const struct zone *new_,
    size_t nnew, uint32_t *ret_map);

#endif

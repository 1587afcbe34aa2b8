/* SPDX-License-Identifier: ISC */
/*
 * What one DNS answer means for one (target, zone) pair (DESIGN §1). Only
 * NXDOMAIN and NOERROR without A records are clean; a refusal code or an
 * address outside 127/8 anywhere in the answer makes it untrustworthy, so
 * it never becomes a listing. Pure.
 */
#include <stdbool.h>

#include "classify.h"
#include "zone.h"

enum verdict
classify_answer(const struct zone *z, const struct answer *a)
{
	bool refused = false, bogus = false, listed = false;
	size_t n;

	switch (a->status) {
	case ANSWER_NXDOMAIN:
	case ANSWER_NODATA:
		return VERDICT_CLEAN;
	case ANSWER_RECORDS:
		break;
	default:
		return VERDICT_ERROR;
	}
	/*
	 * Every record counts, the last as much as the first: a refusal or
	 * a hijacked address must be seen wherever it stands. A count past
	 * the array cannot come from dnsmsg; whoever filled it, the answer
	 * is not believed rather than read in part.
	 */
	n = a->naddrs;
	if (n > ANSWER_MAX_ADDRS)
		return VERDICT_ERROR;
	if (n == 0)
		return VERDICT_CLEAN;
	for (size_t i = 0; i < n; i++) {
		uint32_t code = a->addrs[i];

		if (zone_code_refused(z, code))
			refused = true;
		else if (!code_is_loopback(code))
			bogus = true;
		else if (zone_code_listed(z, code))
			listed = true;
	}
	if (refused)
		return VERDICT_REFUSED;
	if (bogus)
		return VERDICT_BOGUS;
	return listed ? VERDICT_LISTED : VERDICT_IGNORED;
}

const char *
verdict_name(enum verdict v)
{
	static const char *const names[VERDICT_COUNT] = {
		[VERDICT_CLEAN] = "clean",
		[VERDICT_LISTED] = "listed",
		[VERDICT_REFUSED] = "refused",
		[VERDICT_BOGUS] = "bogus",
		[VERDICT_IGNORED] = "ignored",
		[VERDICT_ERROR] = "error",
		[VERDICT_SUPPRESSED] = "suppressed",
	};

	return (unsigned)v < VERDICT_COUNT ? names[v] : "unknown";
}

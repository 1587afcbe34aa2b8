/* SPDX-License-Identifier: ISC */
/*
 * The Prometheus text exposition format 0.0.4 written into a growable
 * buffer: families, samples with escaped labels, values as the format
 * spells them; and the two documents rblmond serves, its own rblmon_*
 * series and the six luzilla_rbls_* series of the Go dnsbl_exporter,
 * rendered from neutral input structs. Pure: no I/O, no clock.
 */
#ifndef RBLMON_METRICS_H
#define RBLMON_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health.h"

/*
 * The text being built. data is NUL-terminated once anything was written
 * (NULL before) and always ends after a whole line: a line that does not
 * fit is taken back. failed is sticky: after one allocation fails (or the
 * text would pass max) nothing more is written, so a caller checks it
 * once at the end and serves nothing rather than half a document.
 */
struct metrics_buf {
	char *data;
	size_t len; /* bytes of text, without the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* 0: no bound; else the text, NUL included, stays below */
	bool failed;
};

/* An empty buffer without a bound (set max after this to cap it). */
void metrics_buf_init(struct metrics_buf *b);

/* Free the text and empty the buffer (failed cleared, max kept). NULL ok. */
void metrics_buf_clear(struct metrics_buf *b);

/*
 * True when name is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or,
 * with label, a valid label name ([a-zA-Z_][a-zA-Z0-9_]*). NULL and the
 * empty string are not.
 */
bool metrics_name_valid(const char *name, bool label);

/*
 * Write "# HELP name help\n# TYPE name type\n" (help with backslash and
 * newline escaped). Call once per family, before its samples, and keep a
 * family's samples together. type is "counter", "gauge", "histogram",
 * "summary" or "untyped". Returns 0, or 1 when name or type is invalid
 * and nothing was written (b->failed is left alone: that is a bug of the
 * caller's, not a shortage of memory).
 */
int metrics_family(struct metrics_buf *b, const char *name, const char *type,
    const char *help);

/*
 * Write one sample line: name{k1="v1",k2="v2"} value. labels is NULL or
 * an array of name/value pairs ended by a NULL name: {k1, v1, k2, v2,
 * NULL}; values are escaped (\\, \", \n). Returns 0 when written (or the
 * buffer has failed), 1 when the sample was skipped: an invalid metric or
 * label name, a label named twice, a NULL value or one that is not UTF-8
 * (scrapers refuse a whole document over it). A skip does not set
 * b->failed. The value is written by metrics_value_format.
 */
int metrics_sample(struct metrics_buf *b, const char *name,
    const char *const *labels, double value);

/* Longest text metrics_value_format writes, NUL included. */
#define METRICS_VALUE_MAX 32

/*
 * v as the format spells it into out (METRICS_VALUE_MAX bytes): an
 * integral value below 2^53 in magnitude as an integer (-0 as 0), NaN,
 * +Inf and -Inf by those names, anything else with the fewest significant
 * digits (at most 17, as %.17g) that read back as exactly v. Returns the
 * length written.
 */
size_t metrics_value_format(double v, char out[METRICS_VALUE_MAX]);

/*
 * The six series of the Go dnsbl_exporter (github.com/Luzilla/dnsbl_exporter,
 * collector/collector.go), same names, labels and types, so its
 * dashboards and alert rules keep working. docs/metrics.md says how
 * rblmon's results map onto them.
 */
struct metrics_luzilla_pair {
	size_t rbl;	      /* index into metrics_luzilla.rbls */
	const char *ip;	      /* label "ip": the address, "" for a domain */
	const char *hostname; /* label "hostname": the target as configured */
	bool listed;	      /* luzilla_rbls_ips_blacklisted 1 */
	bool error;	      /* luzilla_rbls_errors 1 */
};

struct metrics_luzilla {
	const char *const *rbls; /* zone names: luzilla_rbls_used, _listed */
	size_t nrbls;
	const struct metrics_luzilla_pair *pairs; /* every (target, zone) */
	size_t npairs;
	uint64_t targets; /* luzilla_rbls_targets: addresses after expansion */
	double duration;  /* luzilla_rbls_duration: seconds of the last sweep */
};

/*
 * Append the six luzilla_rbls_* families for in to b: luzilla_rbls_listed
 * counts the listed pairs of each rbl (a pair whose index is out of
 * range counts nowhere). Returns the number of samples skipped (see
 * metrics_sample); b->failed tells whether memory ran out.
 */
int metrics_render_luzilla(struct metrics_buf *b,
    const struct metrics_luzilla *in);

/* A label value and the figure for it (answers by class, alerts by event). */
struct metrics_count {
	const char *value;
	uint64_t count;
};

/* One code of one standing listing: a sample of rblmon_listed. */
struct metrics_listing {
	const char *target; /* canonical text */
	const char *group;  /* [targets NAME]; NULL or "" when none */
	const char *zone;
	const char *code;  /* dotted quad */
	const char *label; /* the zone's label for the code; NULL or "" */
};

struct metrics_zone {
	const char *name;
	enum zone_health state;
	uint64_t listed_targets; /* targets with a standing listing here */
	uint64_t queries;	 /* sent to this zone, test points included */
	const struct metrics_count *answers; /* by class: "clean", ... */
	size_t nanswers;
	const struct metrics_count *errors; /* by reason: "timeout", ... */
	size_t nerrors;
	uint64_t budget_used;  /* queries counted today (UTC) */
	uint64_t budget_limit; /* daily_budget; 0: none (no sample) */
	bool cycled;	       /* a cycle completed: the next two hold */
	double cycle_seconds;  /* how long the last complete cycle took */
	double cycle_end;      /* its end, Unix seconds (wall clock) */
};

struct metrics_native {
	const struct metrics_zone *zones;
	size_t nzones;
	const struct metrics_listing *listings;
	size_t nlistings;
	uint64_t targets;		    /* addresses and domains watched */
	const struct metrics_count *alerts; /* announced, by event */
	size_t nalerts;
	uint64_t hook_failures; /* alert commands that failed or timed out */
};

/*
 * Append the rblmon_* families (docs/metrics.md has the table) for in to
 * b. Every family is written, with no samples when there are none.
 * Returns the number of samples skipped; b->failed tells whether memory
 * ran out.
 */
int metrics_render_native(struct metrics_buf *b,
    const struct metrics_native *in);

#endif

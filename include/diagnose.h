/* SPDX-License-Identifier: ISC */
/*
 * Why a zone is not ok, and what the zones' failures have in common: from
 * what each RFC 5782 §5 test point got, a short reason per zone and the
 * likely causes (a public resolver, NXDOMAIN everywhere, ...) with advice.
 * Pure: no I/O; the caller passes what it saw.
 */
#ifndef RBLMON_DIAGNOSE_H
#define RBLMON_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"

struct zone;

/* What one test point query got. */
enum diagnose_outcome {
	DIAGNOSE_NOT_PROBED, /* not asked (test point "none", or stopped) */
	DIAGNOSE_NXDOMAIN,
	DIAGNOSE_NODATA,    /* NOERROR without an A record */
	DIAGNOSE_CODES,	    /* A records: verdict and code say which */
	DIAGNOSE_TIMEOUT,
	DIAGNOSE_REFUSED,   /* the server answered SERVFAIL or REFUSED */
	DIAGNOSE_NO_SERVER, /* nothing listening, host or network unreachable */
	DIAGNOSE_FAILED,    /* any other error: see error */
};

struct diagnose_probe {
	uint8_t outcome; /* enum diagnose_outcome */
	uint8_t verdict; /* enum verdict of the answer */
	uint32_t code;	 /* DIAGNOSE_CODES: the code that decided it */
	const char *error; /* the resolver's static error text, or NULL */
};

/* One zone as the sweep left it. */
struct diagnose_zone {
	const struct zone *zone;
	uint8_t health; /* enum zone_health */
	struct diagnose_probe probe[2]; /* positive, negative test point */
};

/* DESIGN §3 "diagnose": the cause names. */
enum diagnose_cause {
	DIAGNOSE_NONE,		  /* every zone is ok */
	DIAGNOSE_PUBLIC_RESOLVER, /* refusal code: public or open resolver */
	DIAGNOSE_OVER_QUOTA,	  /* refusal code: too many queries */
	DIAGNOSE_KEY_ERROR,	  /* refusal code: bad or missing key */
	DIAGNOSE_NXDOMAIN_REWRITE, /* answers outside 127/8 */
	DIAGNOSE_NXDOMAIN_ALL,	  /* positive points missing everywhere */
	DIAGNOSE_UNREACHABLE,	  /* timeouts, SERVFAIL, nothing listening */
	DIAGNOSE_LISTS_ALL,	  /* the negative test point is listed */
	DIAGNOSE_OTHER,		  /* not ok for a reason of its own */
	DIAGNOSE_CAUSE_COUNT
};

/* Longest evidence text of a finding, NUL included. */
#define DIAGNOSE_TEXT_MAX 512

/* One cause shared by some zones. */
struct diagnose_finding {
	uint8_t cause; /* enum diagnose_cause */
	size_t nzones; /* the zones whose diagnose_zone_cause is cause */
	char evidence[DIAGNOSE_TEXT_MAX];
	const char *advice; /* static text */
};

/*
 * Record what a test point query of zone z got: answer a, classified as v.
 * The code kept is the one that decides v (a refused code before one
 * outside 127/8 before the first).
 */
void diagnose_probe_record(const struct zone *z, const struct answer *a,
    enum verdict v, struct diagnose_probe *ret);

/*
 * The cause of one zone's state: DIAGNOSE_NONE for an ok (or not yet
 * decided) zone. A zone whose positive test point is missing gets
 * DIAGNOSE_NXDOMAIN_ALL here; diagnose_findings keeps that cause only
 * when no zone showed a working positive point.
 */
enum diagnose_cause diagnose_zone_cause(const struct diagnose_zone *dz);

/*
 * A short reason why zone dz is not ok, e.g. "test point 127.0.0.2
 * answered NXDOMAIN", written to buf (NUL-terminated, cut to fit; empty
 * for an ok or undecided zone). Returns the length.
 */
size_t diagnose_zone_reason(const struct diagnose_zone *dz, char *buf,
    size_t len);

/*
 * The causes behind the zones that are not ok, at most one finding per
 * cause, in enum order, written to ret (max entries; DIAGNOSE_CAUSE_COUNT
 * always suffice). servers names the resolvers asked, as
 * diagnose_servers formats them. Zones failing for reasons of their own
 * (DIAGNOSE_OTHER, or positive points missing while another zone's
 * answered) get no finding: their reasons say it all. When every zone is
 * ok the one finding is DIAGNOSE_NONE. Returns how many were written.
 */
size_t diagnose_findings(const struct diagnose_zone *zones, size_t n,
    const char *servers, struct diagnose_finding *ret, size_t max);

/* Does finding f cover zone dz? */
bool diagnose_finding_has(const struct diagnose_finding *f,
    const struct diagnose_zone *dz);

/* "public-resolver", "nxdomain-all", ... ("none", "other"). */
const char *diagnose_cause_name(enum diagnose_cause c);

/*
 * The resolvers for a message: "10.0.0.53:53,[::1]:5300" as the resolver
 * lists them becomes "10.0.0.53, [::1]:5300" (port 53 left out), followed
 * by " (/etc/resolv.conf)" when they are the system's. Written to buf,
 * NUL-terminated and cut to fit; "the system resolver" when servers is
 * empty.
 */
void diagnose_servers(const char *servers, bool from_system, char *buf,
    size_t len);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * One DNS response, as a server sent it, checked whole and decoded into a
 * struct answer (classify.h) for the question we asked. Pure: no I/O, no
 * DNS library; the resolver and the fuzz tests feed it raw bytes.
 */
#ifndef RBLMON_DNSMSG_H
#define RBLMON_DNSMSG_H

#include <stddef.h>

struct answer;

/* The query types we ask (RFC 1035 §3.2.2). */
enum dnsmsg_qtype { DNSMSG_A = 1, DNSMSG_TXT = 16 };

/* Longest CNAME chain followed from the query name. */
#define DNSMSG_CNAME_MAX 8

/*
 * Decode msg[0..len), the response to (qname, qtype, class IN), into *ret.
 * qname is text, with or without the final dot, compared without regard to
 * case. The whole message must parse: the header must be a QUERY response
 * without TC and with rcode NOERROR or NXDOMAIN, the one question must be
 * ours, every record of every section must be whole, and nothing may
 * follow the last one; anything else is ANSWER_ERROR with a static reason
 * in ret->error (e.g. "rcode YXDOMAIN (6)", "truncated answer (TC)").
 *
 * Only records of the type asked, owned by qname or by a name reached
 * from it through the answer section's CNAME chain, are the answer; such a
 * record for any other owner is an error, and records of other types are
 * ignored. A: distinct addresses in answer order (ANSWER_MAX_ADDRS at
 * most, more is an error), ttl the smallest. TXT: the records' strings,
 * records joined by "; ", escaped (escape.h) into txtbuf (txtlen >= 4),
 * which ret->txt then points at. NOERROR without such records is
 * ANSWER_NODATA, NXDOMAIN without them ANSWER_NXDOMAIN, NXDOMAIN with them
 * an error.
 */
void dnsmsg_decode(const unsigned char *msg, size_t len, const char *qname,
    enum dnsmsg_qtype qtype, struct answer *ret, char *txtbuf, size_t txtlen);

#endif

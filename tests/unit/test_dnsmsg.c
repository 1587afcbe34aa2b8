/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for dnsmsg.c: responses built byte by byte (a small packet
 * builder) for every header field, every way a message can be cut short or
 * run on, compression loops, record owners and CNAME chains, many A
 * records, and TXT joining and escaping.
 */
#include <check.h>

#include "unit.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "dnsmsg.h"
#include "escape.h"

#define QNAME "2.0.0.127.zen.example"
#define OTHER "3.0.0.127.zen.example"
#define PKT_MAX 8192
/* Flags of an ordinary answer: QR, RD, RA. */
#define FLAGS_OK 0x8180
#define FLAGS_NX (FLAGS_OK | 3)

#define Q(a, b, c, d)                                                      \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	    (uint32_t)(d))

struct pkt {
	unsigned char b[PKT_MAX];
	size_t n;
};

static void
pkt_u8(struct pkt *p, unsigned v)
{
	ck_assert(p->n < PKT_MAX);
	p->b[p->n++] = (unsigned char)v;
}

static void
pkt_u16(struct pkt *p, unsigned v)
{
	pkt_u8(p, v >> 8 & 0xff);
	pkt_u8(p, v & 0xff);
}

static void
pkt_u32(struct pkt *p, uint32_t v)
{
	pkt_u16(p, v >> 16);
	pkt_u16(p, v & 0xffff);
}

static void
pkt_bytes(struct pkt *p, const void *data, size_t len)
{
	ck_assert(p->n + len <= PKT_MAX);
	memcpy(p->b + p->n, data, len);
	p->n += len;
}

/* A name in wire form, uncompressed; "" is the root. */
static void
pkt_name(struct pkt *p, const char *name)
{
	while (*name != '\0') {
		size_t l = strcspn(name, ".");

		pkt_u8(p, (unsigned)l);
		pkt_bytes(p, name, l);
		name += l;
		if (*name == '.')
			name++;
	}
	pkt_u8(p, 0);
}

static void
pkt_header(struct pkt *p, unsigned flags, unsigned qd, unsigned an,
    unsigned ns, unsigned ar)
{
	p->n = 0;
	pkt_u16(p, 0x1234);
	pkt_u16(p, flags);
	pkt_u16(p, qd);
	pkt_u16(p, an);
	pkt_u16(p, ns);
	pkt_u16(p, ar);
}

static void
pkt_question(struct pkt *p, const char *name, unsigned type, unsigned class)
{
	pkt_name(p, name);
	pkt_u16(p, type);
	pkt_u16(p, class);
}

/* Owner NULL: a pointer to the question name at offset 12. */
static void
pkt_owner(struct pkt *p, const char *owner)
{
	if (owner == NULL)
		pkt_u16(p, 0xc00c);
	else
		pkt_name(p, owner);
}

static void
pkt_rr(struct pkt *p, const char *owner, unsigned type, uint32_t ttl,
    const void *rdata, size_t rdlen)
{
	pkt_owner(p, owner);
	pkt_u16(p, type);
	pkt_u16(p, 1);
	pkt_u32(p, ttl);
	pkt_u16(p, (unsigned)rdlen);
	pkt_bytes(p, rdata, rdlen);
}

static void
pkt_a(struct pkt *p, const char *owner, uint32_t addr, uint32_t ttl)
{
	unsigned char rd[4] = { addr >> 24, addr >> 16 & 0xff,
		addr >> 8 & 0xff, addr & 0xff };

	pkt_rr(p, owner, 1, ttl, rd, 4);
}

static void
pkt_cname(struct pkt *p, const char *owner, const char *target)
{
	struct pkt t = { .n = 0 };

	pkt_name(&t, target);
	pkt_rr(p, owner, 5, 60, t.b, t.n);
}

/* One TXT record of NUL-separated strings: "a\0bc\0" is "a", "bc". */
static void
pkt_txt(struct pkt *p, const char *owner, const char *strs, size_t len)
{
	struct pkt t = { .n = 0 };
	size_t i = 0;

	while (i < len) {
		size_t l = strlen(strs + i);

		pkt_u8(&t, (unsigned)l);
		pkt_bytes(&t, strs + i, l);
		i += l + 1;
	}
	pkt_rr(p, owner, 16, 60, t.b, t.n);
}

/* An EDNS OPT record (RFC 6891), extended rcode ext. */
static void
pkt_opt(struct pkt *p, unsigned ext)
{
	pkt_u8(p, 0);
	pkt_u16(p, 41);
	pkt_u16(p, 1232);
	pkt_u32(p, (uint32_t)ext << 24);
	pkt_u16(p, 0);
}

/* -- builders: arg is what each row varies --------------------------- */

/* Header flags arg, the question, no records. */
static void
b_empty(struct pkt *p, unsigned arg)
{
	pkt_header(p, arg, 1, 0, 0, 0);
	pkt_question(p, QNAME, 1, 1);
}

/* Header flags arg, the question, A 127.0.0.2. */
static void
b_listed(struct pkt *p, unsigned arg)
{
	pkt_header(p, arg, 1, 1, 0, 0);
	pkt_question(p, QNAME, 1, 1);
	pkt_a(p, NULL, Q(127, 0, 0, 2), 300);
}

/* The query itself sent back: QR=0, an OPT record. */
static void
b_echo(struct pkt *p, unsigned arg)
{
	(void)arg;
	pkt_header(p, 0x0100, 1, 0, 0, 1);
	pkt_question(p, QNAME, 1, 1);
	pkt_opt(p, 0);
}

/* arg questions (0, 1, 2), then A 127.0.0.2. */
static void
b_qdcount(struct pkt *p, unsigned arg)
{
	pkt_header(p, FLAGS_OK, arg, 1, 0, 0);
	for (unsigned i = 0; i < arg; i++)
		pkt_question(p, QNAME, 1, 1);
	pkt_a(p, QNAME, Q(127, 0, 0, 2), 300);
}

/* A question that is not ours: 0 name, 1 type, 2 class, 3 case. */
static void
b_question(struct pkt *p, unsigned arg)
{
	pkt_header(p, FLAGS_OK, 1, 1, 0, 0);
	pkt_question(p, arg == 0 ? OTHER : arg == 3 ? "2.0.0.127.ZEN.Example" :
	    QNAME, arg == 1 ? 16 : 1, arg == 2 ? 3 : 1);
	pkt_a(p, NULL, Q(127, 0, 0, 2), 300);
}

/*
 * Counts that promise records not there: arg bit 0 NXDOMAIN, bits 1-2 the
 * section whose count is one too high (0 answer, 1 authority, 2 additional).
 */
static void
b_missing(struct pkt *p, unsigned arg)
{
	unsigned s = arg >> 1;

	pkt_header(p, (arg & 1) ? FLAGS_NX : FLAGS_OK, 1, s == 0, s == 1, s == 2);
	pkt_question(p, QNAME, 1, 1);
}

/* A valid NXDOMAIN (arg 0) or NODATA (1), then three junk bytes. */
static void
b_trailing(struct pkt *p, unsigned arg)
{
	pkt_header(p, arg ? FLAGS_OK : FLAGS_NX, 1, 0, 0, 0);
	pkt_question(p, QNAME, 1, 1);
	pkt_bytes(p, "\x01\x02\x03", 3);
}

/* A header only: question count 1 (arg 0, 2) or 0 (1); 2: then junk. */
static void
b_garbage(struct pkt *p, unsigned arg)
{
	pkt_header(p, FLAGS_NX, arg == 1 ? 0 : 1, 0, 0, 0);
	if (arg == 2)
		pkt_bytes(p, "\xc0", 1);
}

/*
 * Compression pointers in the answer's owner: 0 to itself, 1 forward,
 * 2 two pointers back and forth, 3 into the header, 4 a label then a
 * pointer back to that label, 5 a valid pointer to a later label of the
 * question (zen.example), 6 a cut-off pointer, 7 a label type 0x40.
 */
static void
b_pointer(struct pkt *p, unsigned arg)
{
	size_t at;

	pkt_header(p, FLAGS_OK, 1, 1, 0, 0);
	pkt_question(p, QNAME, 1, 1);
	at = p->n;
	switch (arg) {
	case 0:
		pkt_u16(p, 0xc000 | (unsigned)at);
		break;
	case 1:
		pkt_u16(p, 0xc000 | (unsigned)(at + 2));
		pkt_u16(p, 0xc00c);
		break;
	case 2:
		/* at: pointer to at + 2; at + 2: pointer to at. */
		pkt_u16(p, 0xc000 | (unsigned)(at + 2));
		pkt_u16(p, 0xc000 | (unsigned)at);
		break;
	case 3:
		pkt_u16(p, 0xc002);
		break;
	case 4:
		pkt_u8(p, 1);
		pkt_u8(p, 'x');
		pkt_u16(p, 0xc000 | (unsigned)at);
		break;
	case 5:
		/* "x" + zen.example: the question's labels from offset 22. */
		pkt_u8(p, 1);
		pkt_u8(p, 'x');
		pkt_u16(p, 0xc000 | 22);
		break;
	case 6:
		pkt_u8(p, 0xc0);
		return;
	default:
		pkt_u8(p, 0x41);
		pkt_u8(p, 0);
		break;
	}
	pkt_u16(p, 1);
	pkt_u16(p, 1);
	pkt_u32(p, 60);
	pkt_u16(p, 4);
	pkt_u32(p, Q(127, 0, 0, 2));
}

/* RDLENGTH: arg 0 past the end, 3 and 5 for an A record. */
static void
b_rdlen(struct pkt *p, unsigned arg)
{
	pkt_header(p, FLAGS_OK, 1, 1, 0, 0);
	pkt_question(p, QNAME, 1, 1);
	pkt_u16(p, 0xc00c);
	pkt_u16(p, 1);
	pkt_u16(p, 1);
	pkt_u32(p, 60);
	pkt_u16(p, arg == 0 ? 40 : arg);
	pkt_bytes(p, "\x7f\x00\x00\x02\x00", arg == 0 ? 4 : arg);
}

/*
 * Owners: 0 only another name's A, 1 a valid A and another's, 2 another's
 * first, 3 NXDOMAIN with our A, 4 NXDOMAIN with another's A, 5 glue: NS in
 * authority and another name's A in additional, 6 RRSIG and OPT beside.
 */
static void
b_owner(struct pkt *p, unsigned arg)
{
	static const unsigned char ns[] = { 2, 'n', 's', 0xc0, 22 };
	static const unsigned char sig[20] = { 0, 1, 8, 2 };

	pkt_header(p, arg >= 3 && arg <= 4 ? FLAGS_NX : FLAGS_OK, 1,
	    arg == 1 || arg == 2 || arg == 6 ? 2 : 1, arg == 5, arg >= 5);
	pkt_question(p, QNAME, 1, 1);
	if (arg == 2)
		pkt_a(p, OTHER, Q(127, 0, 0, 3), 60);
	if (arg != 0 && arg != 4)
		pkt_a(p, NULL, Q(127, 0, 0, 2), 60);
	if (arg == 0 || arg == 1 || arg == 4)
		pkt_a(p, OTHER, Q(127, 0, 0, 3), 60);
	if (arg == 5) {
		pkt_rr(p, "zen.example", 2, 60, ns, sizeof(ns));
		pkt_a(p, "ns.zen.example", Q(192, 0, 2, 53), 60);
	}
	if (arg == 6) {
		pkt_rr(p, NULL, 46, 60, sig, sizeof(sig));
		pkt_opt(p, 0);
	}
}

/*
 * An A record whose owner's labels take arg bytes in wire form before the
 * final zero byte: 254 is the longest name there is (RFC 1035 §2.3.4:
 * 255 bytes in all), 255 is one byte too long.
 */
static void
b_longname(struct pkt *p, unsigned arg)
{
	char name[300];
	size_t n = 0;

	/* Labels of 63 bytes, then one of what is left. */
	while (arg > 0) {
		unsigned l = arg > 64 ? 63 : arg - 1;

		if (n > 0)
			name[n++] = '.';
		memset(name + n, 'a', l);
		n += l;
		arg -= l + 1;
	}
	name[n] = '\0';
	pkt_header(p, FLAGS_OK, 1, 1, 0, 0);
	pkt_question(p, QNAME, 1, 1);
	pkt_a(p, name, Q(127, 0, 0, 2), 60);
}

/*
 * CNAME chains from the query name: arg links (1..9) to c1..cN, then
 * A 127.0.0.2 for the last. 100: a loop c1 -> c2 -> c1; 101: to itself;
 * 102: two CNAMEs for the query name; 103: one link, no A (NODATA);
 * 104: one link, NXDOMAIN; 105: the A first, then the CNAME.
 */
static void
b_cname(struct pkt *p, unsigned arg)
{
	char from[32], to[32];
	unsigned links = arg < 100 ? arg : 1;

	pkt_header(p, arg == 104 ? FLAGS_NX : FLAGS_OK, 1,
	    links + (arg == 100 || arg == 102 || arg < 100 || arg == 105), 0,
	    0);
	pkt_question(p, QNAME, 1, 1);
	if (arg == 105)
		pkt_a(p, "c1.example", Q(127, 0, 0, 2), 30);
	for (unsigned i = 0; i < links; i++) {
		snprintf(from, sizeof(from), "c%u.example", i);
		snprintf(to, sizeof(to), "c%u.example", i + 1);
		pkt_cname(p, i == 0 ? NULL : from, arg == 101 ? QNAME : to);
	}
	if (arg == 100)
		pkt_cname(p, "c1.example", QNAME);
	if (arg == 102)
		pkt_cname(p, NULL, "c9.example");
	if (arg < 100) {
		snprintf(to, sizeof(to), "c%u.example", links);
		pkt_a(p, to, Q(127, 0, 0, 2), 30);
	}
}

/* 16 x 127.0.0.2, then one A arg. */
static void
b_many(struct pkt *p, unsigned arg)
{
	pkt_header(p, FLAGS_OK, 1, 17, 0, 0);
	pkt_question(p, QNAME, 1, 1);
	for (int i = 0; i < 16; i++)
		pkt_a(p, NULL, Q(127, 0, 0, 2), 60);
	pkt_a(p, NULL, arg, 60);
}

/* arg distinct A records 127.0.1.N, each twice; TTLs 1000 - N. */
static void
b_distinct(struct pkt *p, unsigned arg)
{
	pkt_header(p, FLAGS_OK, 1, 2 * arg, 0, 0);
	pkt_question(p, QNAME, 1, 1);
	for (unsigned i = 0; i < arg; i++) {
		pkt_a(p, NULL, Q(127, 0, 1, i), 1000 - i);
		pkt_a(p, NULL, Q(127, 0, 1, i), 1000);
	}
}

/* An extended rcode arg in the OPT record of a NOERROR answer. */
static void
b_extrcode(struct pkt *p, unsigned arg)
{
	pkt_header(p, FLAGS_OK, 1, 1, 0, arg == 100 ? 2 : 1);
	pkt_question(p, QNAME, 1, 1);
	pkt_a(p, NULL, Q(127, 0, 0, 2), 60);
	pkt_opt(p, arg == 100 ? 0 : arg);
	if (arg == 100)
		pkt_opt(p, 0); /* and a second OPT */
}

/*
 * TXT answers: 0 one string, 1 two strings, 2 two records, 3 control
 * bytes and quotes, 4 twelve 255-byte strings, 5 a string running past
 * its RDATA, 6 empty RDATA, 7 another owner's TXT, 8 only an A (NODATA),
 * 9 NXDOMAIN, 10 through a CNAME.
 */
static void
b_txt(struct pkt *p, unsigned arg)
{
	static const unsigned char bad[] = { 5, 'a', 'b' };
	char big[12 * 256];

	pkt_header(p, arg == 9 ? FLAGS_NX : FLAGS_OK, 1,
	    arg == 2 || arg == 10 ? 2 : arg == 9 ? 0 : 1, 0, 0);
	pkt_question(p, QNAME, 16, 1);
	switch (arg) {
	case 0:
		pkt_txt(p, NULL, "Listed", 7);
		break;
	case 1:
		pkt_txt(p, NULL, "Listed, \0see x", 15);
		break;
	case 2:
		pkt_txt(p, NULL, "one", 4);
		pkt_txt(p, NULL, "two", 4);
		break;
	case 3:
		pkt_txt(p, NULL, "bad\x1b[31m\"q\"\\\x7f", 14);
		break;
	case 4:
		for (int i = 0; i < 12; i++) {
			memset(big + i * 256, '0' + i % 10, 255);
			big[i * 256 + 255] = '\0';
		}
		pkt_txt(p, NULL, big, sizeof(big));
		break;
	case 5:
	case 6:
		pkt_rr(p, NULL, 16, 60, bad, arg == 5 ? sizeof(bad) : 0);
		break;
	case 7:
		pkt_txt(p, OTHER, "other", 6);
		break;
	case 8:
		pkt_a(p, NULL, Q(127, 0, 0, 2), 60);
		break;
	case 10:
		pkt_cname(p, NULL, "c1.example");
		pkt_txt(p, "c1.example", "via", 4);
		break;
	default:
		break;
	}
}

/* -- rows ---------------------------------------------------------------- */

struct dnsmsg_row {
	const char *name;
	void (*build)(struct pkt *p, unsigned arg);
	unsigned arg;
	enum dnsmsg_qtype qtype;
	uint8_t status;	   /* enum answer_status */
	const char *error; /* ANSWER_ERROR: the exact text */
	unsigned naddrs;
	uint32_t addrs[4]; /* the first ones, in order */
};

#define ROW_OK(n, b, arg) { n, b, arg, DNSMSG_A, ANSWER_RECORDS, NULL, 1, \
	{ Q(127, 0, 0, 2) } }
#define ROW_ERR(n, b, arg, e) { n, b, arg, DNSMSG_A, ANSWER_ERROR, e, 0, \
	{ 0 } }
#define ROW_NX(n, b, arg) { n, b, arg, DNSMSG_A, ANSWER_NXDOMAIN, NULL, 0, \
	{ 0 } }
#define ROW_NODATA(n, b, arg) { n, b, arg, DNSMSG_A, ANSWER_NODATA, NULL, \
	0, { 0 } }
#define RCODE_ROWS(rc, text)                                              \
	ROW_ERR("rcode " #rc ", no records", b_empty, FLAGS_OK | rc, text),    \
	ROW_ERR("rcode " #rc " with A 127.0.0.2", b_listed, FLAGS_OK | rc, text)
#define OPCODE_ROW(op) ROW_ERR("opcode " #op, b_listed,                  \
	FLAGS_OK | (op) << 11, "opcode " #op)

static const struct dnsmsg_row dnsmsg_rows[] = {
	/* Header: only a QUERY response, whole, NOERROR or NXDOMAIN. */
	ROW_OK("NOERROR, A 127.0.0.2", b_listed, FLAGS_OK),
	ROW_NODATA("NOERROR, no records", b_empty, FLAGS_OK),
	ROW_NX("NXDOMAIN, no records", b_empty, FLAGS_NX),
	ROW_ERR("NXDOMAIN with A 127.0.0.2", b_listed, FLAGS_NX,
	    "NXDOMAIN with records"),
	RCODE_ROWS(1, "rcode FORMERR (1)"),
	RCODE_ROWS(2, "rcode SERVFAIL (2)"),
	RCODE_ROWS(4, "rcode NOTIMP (4)"),
	RCODE_ROWS(5, "rcode REFUSED (5)"),
	RCODE_ROWS(6, "rcode YXDOMAIN (6)"),
	RCODE_ROWS(7, "rcode YXRRSET (7)"),
	RCODE_ROWS(8, "rcode NXRRSET (8)"),
	RCODE_ROWS(9, "rcode NOTAUTH (9)"),
	RCODE_ROWS(10, "rcode NOTZONE (10)"),
	RCODE_ROWS(11, "rcode DSOTYPENI (11)"),
	RCODE_ROWS(12, "rcode 12"),
	RCODE_ROWS(13, "rcode 13"),
	RCODE_ROWS(14, "rcode 14"),
	RCODE_ROWS(15, "rcode 15"),
	ROW_ERR("QR=0 with A", b_listed, 0x0180, "not a response (QR=0)"),
	ROW_ERR("QR=0, NXDOMAIN", b_empty, 0x0183, "not a response (QR=0)"),
	ROW_ERR("the query echoed", b_echo, 0, "not a response (QR=0)"),
	OPCODE_ROW(1), OPCODE_ROW(2), OPCODE_ROW(3), OPCODE_ROW(4),
	OPCODE_ROW(5), OPCODE_ROW(6), OPCODE_ROW(7), OPCODE_ROW(8),
	OPCODE_ROW(9), OPCODE_ROW(10), OPCODE_ROW(11), OPCODE_ROW(12),
	OPCODE_ROW(13), OPCODE_ROW(14), OPCODE_ROW(15),
	ROW_ERR("TC with A", b_listed, FLAGS_OK | 0x0200,
	    "truncated answer (TC)"),
	ROW_ERR("TC, no records", b_empty, FLAGS_OK | 0x0200,
	    "truncated answer (TC)"),
	ROW_ERR("TC, NXDOMAIN", b_empty, FLAGS_NX | 0x0200,
	    "truncated answer (TC)"),
	ROW_OK("AA and AD bits are fine", b_listed, FLAGS_OK | 0x0400 | 0x0020),
	ROW_ERR("extended rcode BADVERS", b_extrcode, 1,
	    "rcode BADVERS (16)"),
	ROW_ERR("extended rcode 2", b_extrcode, 2, "extended rcode"),
	ROW_OK("OPT, extended rcode 0", b_extrcode, 0),
	ROW_ERR("two OPT records", b_extrcode, 100, "malformed answer (OPT)"),

	/* The question: exactly one, ours. */
	ROW_ERR("no question", b_qdcount, 0, "no question"),
	ROW_OK("one question", b_qdcount, 1),
	ROW_ERR("two questions", b_qdcount, 2, "more than one question"),
	ROW_ERR("question for another name", b_question, 0,
	    "question is not ours"),
	ROW_ERR("question for TXT", b_question, 1, "question is not ours"),
	ROW_ERR("question in class HS", b_question, 2,
	    "question is not ours"),
	ROW_OK("question in other case", b_question, 3),

	/* Counts promising records that are not there, junk after them. */
	ROW_ERR("NOERROR, ancount 1, nothing", b_missing, 0,
	    "malformed answer"),
	ROW_ERR("NXDOMAIN, ancount 1, nothing", b_missing, 1,
	    "malformed answer"),
	ROW_ERR("NOERROR, nscount 1, nothing", b_missing, 2,
	    "malformed answer"),
	ROW_ERR("NXDOMAIN, nscount 1, nothing", b_missing, 3,
	    "malformed answer"),
	ROW_ERR("NOERROR, arcount 1, nothing", b_missing, 4,
	    "malformed answer"),
	ROW_ERR("NXDOMAIN, arcount 1, nothing", b_missing, 5,
	    "malformed answer"),
	ROW_ERR("NXDOMAIN then junk", b_trailing, 0,
	    "trailing bytes after the answer"),
	ROW_ERR("NODATA then junk", b_trailing, 1,
	    "trailing bytes after the answer"),
	ROW_ERR("NXDOMAIN header, no question", b_garbage, 0,
	    "malformed answer"),
	ROW_ERR("NXDOMAIN header, qdcount 0", b_garbage, 1, "no question"),
	ROW_ERR("NXDOMAIN header, junk", b_garbage, 2, "malformed answer"),

	/* Names and lengths. */
	ROW_ERR("pointer to itself", b_pointer, 0, "malformed answer"),
	ROW_ERR("pointer forward", b_pointer, 1, "malformed answer"),
	ROW_ERR("pointers back and forth", b_pointer, 2, "malformed answer"),
	ROW_ERR("pointer into the header", b_pointer, 3, "malformed answer"),
	ROW_ERR("label, pointer to it", b_pointer, 4, "malformed answer"),
	ROW_ERR("valid pointer, another owner", b_pointer, 5,
	    "A record for another name"),
	ROW_ERR("pointer cut off", b_pointer, 6, "malformed answer"),
	ROW_ERR("label type 0x40", b_pointer, 7, "malformed answer"),
	ROW_ERR("RDLENGTH past the end", b_rdlen, 0, "malformed answer"),
	ROW_ERR("A RDLENGTH 3", b_rdlen, 3, "malformed A record"),
	ROW_ERR("A RDLENGTH 5", b_rdlen, 5, "malformed A record"),
	ROW_OK("A RDLENGTH 4", b_rdlen, 4),
	ROW_ERR("owner of 255 bytes", b_longname, 254,
	    "A record for another name"),
	ROW_ERR("owner of 256 bytes", b_longname, 255, "malformed answer"),

	/* Owners: the answer for our name, or nothing believed. */
	ROW_ERR("only another owner's A", b_owner, 0,
	    "A record for another name"),
	ROW_ERR("our A, then another owner's", b_owner, 1,
	    "A record for another name"),
	ROW_ERR("another owner's A, then ours", b_owner, 2,
	    "A record for another name"),
	ROW_ERR("NXDOMAIN with our A", b_owner, 3, "NXDOMAIN with records"),
	ROW_ERR("NXDOMAIN with another's A", b_owner, 4,
	    "A record for another name"),
	ROW_OK("NS and glue A beside", b_owner, 5),
	ROW_OK("RRSIG and OPT beside", b_owner, 6),

	/* CNAME chains. */
	ROW_OK("CNAME, then the A", b_cname, 1),
	ROW_OK("A first, then the CNAME", b_cname, 105),
	ROW_OK("8 CNAME links", b_cname, 8),
	ROW_ERR("9 CNAME links", b_cname, 9, "CNAME chain too long"),
	ROW_ERR("CNAME loop", b_cname, 100, "CNAME loop"),
	ROW_ERR("CNAME to itself", b_cname, 101, "CNAME loop"),
	ROW_ERR("two CNAMEs", b_cname, 102, "two CNAMEs for one name"),
	ROW_NODATA("CNAME, no A", b_cname, 103),
	ROW_NX("CNAME, NXDOMAIN", b_cname, 104),

	/* Many records: every distinct one kept, none trimmed. */
	{ "16 x listed, then refused", b_many, Q(127, 255, 255, 254),
	    DNSMSG_A, ANSWER_RECORDS, NULL, 2,
	    { Q(127, 0, 0, 2), Q(127, 255, 255, 254) } },
	{ "16 x listed, then 8.8.8.8", b_many, Q(8, 8, 8, 8), DNSMSG_A,
	    ANSWER_RECORDS, NULL, 2, { Q(127, 0, 0, 2), Q(8, 8, 8, 8) } },
	ROW_OK("17 x the same", b_many, Q(127, 0, 0, 2)),
	{ "64 distinct, each twice", b_distinct, 64, DNSMSG_A,
	    ANSWER_RECORDS, NULL, 64,
	    { Q(127, 0, 1, 0), Q(127, 0, 1, 1), Q(127, 0, 1, 2) } },
	ROW_ERR("65 distinct", b_distinct, 65, "more than 64 A records"),
};

START_TEST(test_decode)
{
	const struct dnsmsg_row *r = &dnsmsg_rows[_i];
	struct pkt p;
	struct answer a;
	char txt[ESCAPE_TXT_MAX + 1];

	r->build(&p, r->arg);
	dnsmsg_decode(p.b, p.n, QNAME, r->qtype, &a, txt, sizeof(txt));
	ck_assert_msg(a.status == r->status, "%s: status %u, want %u (%s)",
	    r->name, a.status, r->status, a.error ? a.error : "no error");
	if (r->status == ANSWER_ERROR) {
		ck_assert_msg(a.error != NULL && strcmp(a.error, r->error) == 0,
		    "%s: error \"%s\", want \"%s\"", r->name,
		    a.error ? a.error : "(null)", r->error);
		ck_assert_msg(a.naddrs == 0, "%s: addresses with an error",
		    r->name);
	} else {
		ck_assert_msg(a.error == NULL, "%s: error %s", r->name,
		    a.error);
	}
	ck_assert_msg(a.naddrs == r->naddrs, "%s: %u addresses, want %u",
	    r->name, a.naddrs, r->naddrs);
	for (unsigned i = 0; i < r->naddrs && i < 4; i++)
		ck_assert_msg(a.addrs[i] == r->addrs[i] || r->addrs[i] == 0,
		    "%s: address %u is %08x", r->name, i, a.addrs[i]);
	ck_assert(a.txt == NULL);
	ck_assert(!a.conn_failed);
}
END_TEST

/* Every prefix of a valid answer is an error, never an answer. */
START_TEST(test_prefixes)
{
	void (*const builds[])(struct pkt *, unsigned) = { b_listed, b_empty,
		b_cname, b_many };
	const unsigned args[] = { FLAGS_OK, FLAGS_NX, 1, Q(8, 8, 8, 8) };
	struct answer a;
	struct pkt p;

	for (size_t b = 0; b < sizeof(args) / sizeof(args[0]); b++) {
		builds[b](&p, args[b]);
		for (size_t n = 0; n < p.n; n++) {
			dnsmsg_decode(p.b, n, QNAME, DNSMSG_A, &a, NULL, 0);
			ck_assert_msg(a.status == ANSWER_ERROR,
			    "builder %zu cut at %zu of %zu: status %u", b, n,
			    p.n, a.status);
		}
		dnsmsg_decode(p.b, p.n, QNAME, DNSMSG_A, &a, NULL, 0);
		ck_assert_msg(a.status != ANSWER_ERROR, "builder %zu: %s", b,
		    a.error);
	}
}
END_TEST

/* Identical A records count once; the TTL is the smallest of any. */
START_TEST(test_ttl)
{
	struct answer a;
	struct pkt p;

	b_distinct(&p, 3);
	dnsmsg_decode(p.b, p.n, QNAME, DNSMSG_A, &a, NULL, 0);
	ck_assert_uint_eq(a.naddrs, 3);
	ck_assert_uint_eq(a.ttl, 998);
	b_listed(&p, FLAGS_OK);
	dnsmsg_decode(p.b, p.n, QNAME ".", DNSMSG_A, &a, NULL, 0);
	ck_assert_uint_eq(a.status, ANSWER_RECORDS);
	ck_assert_uint_eq(a.ttl, 300);
	dnsmsg_decode(p.b, p.n, "2.0.0.127..zen.example", DNSMSG_A, &a, NULL,
	    0);
	ck_assert_str_eq(a.error, "bad query name");
}
END_TEST

static const struct txt_row {
	const char *name;
	unsigned arg;
	uint8_t status;
	const char *want; /* text, or the error */
} txt_rows[] = {
	{ "one string", 0, ANSWER_RECORDS, "Listed" },
	{ "two strings joined", 1, ANSWER_RECORDS, "Listed, see x" },
	{ "two records", 2, ANSWER_RECORDS, "one; two" },
	{ "control bytes escaped", 3, ANSWER_RECORDS,
	    "bad\\x1b[31m\\\"q\\\"\\\\\\x7f" },
	{ "string past its RDATA", 5, ANSWER_ERROR, "malformed TXT record" },
	{ "empty RDATA", 6, ANSWER_ERROR, "malformed TXT record" },
	{ "another owner's TXT", 7, ANSWER_ERROR,
	    "TXT record for another name" },
	{ "only an A", 8, ANSWER_NODATA, NULL },
	{ "NXDOMAIN", 9, ANSWER_NXDOMAIN, NULL },
	{ "through a CNAME", 10, ANSWER_RECORDS, "via" },
};

START_TEST(test_txt)
{
	const struct txt_row *r = &txt_rows[_i];
	struct answer a;
	struct pkt p;
	char txt[ESCAPE_TXT_MAX + 1];

	b_txt(&p, r->arg);
	dnsmsg_decode(p.b, p.n, QNAME, DNSMSG_TXT, &a, txt, sizeof(txt));
	ck_assert_msg(a.status == r->status, "%s: status %u (%s)", r->name,
	    a.status, a.error ? a.error : "");
	if (r->status == ANSWER_RECORDS) {
		ck_assert_msg(a.txt == txt && strcmp(a.txt, r->want) == 0,
		    "%s: \"%s\"", r->name, a.txt ? a.txt : "(null)");
	} else if (r->status == ANSWER_ERROR) {
		ck_assert_str_eq(a.error, r->want);
		ck_assert(a.txt == NULL);
	} else {
		ck_assert(a.txt == NULL);
	}
	ck_assert_uint_eq(a.naddrs, 0);
}
END_TEST

/* Twelve 255-byte strings: cut at ESCAPE_TXT_MAX, ending in "...". */
START_TEST(test_txt_long)
{
	struct answer a;
	struct pkt p;
	char txt[ESCAPE_TXT_MAX + 1];
	char want[ESCAPE_TXT_MAX + 1];

	b_txt(&p, 4);
	dnsmsg_decode(p.b, p.n, QNAME, DNSMSG_TXT, &a, txt, sizeof(txt));
	ck_assert_uint_eq(a.status, ANSWER_RECORDS);
	memset(want, '0', 255);
	memset(want + 255, '1', ESCAPE_TXT_MAX - 3 - 255);
	memcpy(want + ESCAPE_TXT_MAX - 3, "...", 4);
	ck_assert_str_eq(a.txt, want);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
dnsmsg_suite(void)
{
	Suite *s = suite_create("dnsmsg");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_decode, 0, NROWS(dnsmsg_rows));
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_ttl);
	tcase_add_loop_test(tc, test_txt, 0, NROWS(txt_rows));
	tcase_add_test(tc, test_txt_long);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(dnsmsg_suite());
}

/* SPDX-License-Identifier: ISC */
/*
 * A DNS response is checked whole before anything in it is believed (RFC
 * 1035 §4.1): the header, the one question, every record of the three
 * sections, nothing after the last. Only then is the answer for our name
 * taken out of it: the records of the type asked owned by the query name or
 * by its CNAME chain. Pure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "classify.h"
#include "dnsmsg.h"
#include "escape.h"

#define DNSMSG_HEADER 12
/* A name in wire form, final zero byte included (RFC 1035 §2.3.4). */
#define DNSMSG_NAME_MAX 255
/* Raw TXT bytes joined before escaping: more than escaping ever keeps. */
#define DNSMSG_TXT_RAW_MAX 1024

enum { TYPE_A = 1, TYPE_CNAME = 5, TYPE_TXT = 16, TYPE_OPT = 41 };
enum { CLASS_IN = 1 };
enum { RCODE_NOERROR = 0, RCODE_NXDOMAIN = 3 };

/* A name in uncompressed wire form, ASCII letters in lower case. */
struct dnsmsg_name {
	size_t len;
	unsigned char b[DNSMSG_NAME_MAX];
};

struct dnsmsg_rr {
	size_t rdata; /* offset of the RDATA */
	uint16_t type;
	uint16_t class;
	uint16_t rdlen;
	uint32_t ttl;
};

struct dnsmsg {
	const unsigned char *m;
	size_t len;
	size_t answers; /* offset of the answer section */
	unsigned an, ns, ar;
	unsigned rcode;
	unsigned ext_rcode; /* upper 8 bits, from an OPT record (RFC 6891) */
	unsigned cnames;    /* CNAME records in the answer section */
	bool opt_seen;
	const struct dnsmsg_name *question; /* ours, once checked */
};

/* The TXT text being joined. */
struct dnsmsg_txt {
	char raw[DNSMSG_TXT_RAW_MAX];
	size_t n;
	unsigned records;
};

static const char *const dnsmsg_rcode_text[16] = {
	[1] = "rcode FORMERR (1)",
	[2] = "rcode SERVFAIL (2)",
	[4] = "rcode NOTIMP (4)",
	[5] = "rcode REFUSED (5)",
	[6] = "rcode YXDOMAIN (6)",
	[7] = "rcode YXRRSET (7)",
	[8] = "rcode NXRRSET (8)",
	[9] = "rcode NOTAUTH (9)",
	[10] = "rcode NOTZONE (10)",
	[11] = "rcode DSOTYPENI (11)",
	[12] = "rcode 12",
	[13] = "rcode 13",
	[14] = "rcode 14",
	[15] = "rcode 15",
};

static const char *const dnsmsg_opcode_text[16] = {
	"opcode 0", "opcode 1", "opcode 2", "opcode 3", "opcode 4",
	"opcode 5", "opcode 6", "opcode 7", "opcode 8", "opcode 9",
	"opcode 10", "opcode 11", "opcode 12", "opcode 13", "opcode 14",
	"opcode 15",
};

static const char dnsmsg_malformed[] = "malformed answer";

static uint16_t
dnsmsg_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
dnsmsg_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static unsigned char
dnsmsg_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static bool
dnsmsg_name_eq(const struct dnsmsg_name *a, const struct dnsmsg_name *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

/*
 * Read the name at *off into out (NULL: only check it) and move *off past
 * it. A compression pointer must point into the message after the header
 * and before the place the last jump went to, so every name ends (RFC 1035
 * §4.1.4); labels of the types RFC 6891 §5 left behind are malformed.
 */
static bool
dnsmsg_name_read(const struct dnsmsg *d, size_t *off, struct dnsmsg_name *out)
{
	size_t o = *off, limit = *off, end = 0, n = 0;

	/* Most owners are a pointer to the question, read already. */
	if (d->question != NULL && o + 1 < d->len && d->m[o] == 0xc0 &&
	    d->m[o + 1] == DNSMSG_HEADER) {
		if (out != NULL) {
			out->len = d->question->len;
			memcpy(out->b, d->question->b, out->len);
		}
		*off = o + 2;
		return true;
	}

	for (;;) {
		unsigned c;

		if (o >= d->len)
			return false;
		c = d->m[o];
		if ((c & 0xc0) == 0xc0) {
			size_t ptr;

			if (o + 1 >= d->len)
				return false;
			ptr = (size_t)(c & 0x3f) << 8 | d->m[o + 1];
			if (ptr < DNSMSG_HEADER || ptr >= limit)
				return false;
			if (end == 0)
				end = o + 2;
			o = limit = ptr;
			continue;
		}
		if ((c & 0xc0) != 0 || n + 1 + c > DNSMSG_NAME_MAX)
			return false;
		if (c == 0)
			break;
		if (c > d->len - o - 1)
			return false;
		if (out != NULL) {
			out->b[n] = (unsigned char)c;
			for (unsigned i = 1; i <= c; i++)
				out->b[n + i] = dnsmsg_lower(d->m[o + i]);
		}
		n += 1 + c;
		o += 1 + c;
	}
	if (out != NULL) {
		out->b[n] = 0;
		out->len = n + 1;
	}
	*off = end != 0 ? end : o + 1;
	return true;
}

/* Our query name, text with or without the final dot, in wire form. */
static bool
dnsmsg_qname_wire(const char *text, struct dnsmsg_name *out)
{
	size_t n = 0;

	while (*text != '\0') {
		size_t l = 0;

		while (text[l] != '.' && text[l] != '\0' && n + 1 + l <
		    DNSMSG_NAME_MAX - 1) {
			out->b[n + 1 + l] = dnsmsg_lower((unsigned char)text[l]);
			l++;
		}
		if (l == 0 || l > 63 || (text[l] != '.' && text[l] != '\0'))
			return false;
		out->b[n] = (unsigned char)l;
		n += 1 + l;
		text += l;
		if (*text == '.')
			text++;
	}
	out->b[n++] = 0;
	out->len = n;
	return true;
}

/* Read one record at *off (its owner into owner, NULL: only checked). */
static bool
dnsmsg_rr_read(const struct dnsmsg *d, size_t *off, struct dnsmsg_rr *rr,
    struct dnsmsg_name *owner)
{
	size_t o = *off;
	const unsigned char *p;

	if (!dnsmsg_name_read(d, &o, owner) || d->len - o < 10)
		return false;
	p = d->m + o;
	rr->type = dnsmsg_u16(p);
	rr->class = dnsmsg_u16(p + 2);
	rr->ttl = dnsmsg_u32(p + 4);
	rr->rdlen = dnsmsg_u16(p + 8);
	o += 10;
	if (rr->rdlen > d->len - o)
		return false;
	rr->rdata = o;
	*off = o + rr->rdlen;
	return true;
}

/* Header (RFC 1035 §4.1.1): a QUERY response, whole, NOERROR or NXDOMAIN. */
static const char *
dnsmsg_check_header(struct dnsmsg *d)
{
	const unsigned char *m = d->m;
	unsigned qd;

	if (d->len < DNSMSG_HEADER)
		return dnsmsg_malformed;
	if ((m[2] & 0x80) == 0)
		return "not a response (QR=0)";
	if ((m[2] >> 3 & 0x0f) != 0)
		return dnsmsg_opcode_text[m[2] >> 3 & 0x0f];
	if ((m[2] & 0x02) != 0)
		return "truncated answer (TC)";
	d->rcode = m[3] & 0x0f;
	if (d->rcode != RCODE_NOERROR && d->rcode != RCODE_NXDOMAIN)
		return dnsmsg_rcode_text[d->rcode];
	qd = dnsmsg_u16(m + 4);
	d->an = dnsmsg_u16(m + 6);
	d->ns = dnsmsg_u16(m + 8);
	d->ar = dnsmsg_u16(m + 10);
	if (qd == 0)
		return "no question";
	if (qd > 1)
		return "more than one question";
	return NULL;
}

/*
 * Do the c bytes of a label spell the next c characters of text, in any
 * case? A dot or the end of text among them is another name.
 */
static bool
dnsmsg_label_is(const unsigned char *label, unsigned c, const char *text)
{
	for (unsigned i = 0; i < c; i++) {
		unsigned char t = (unsigned char)text[i], m = label[i];

		if (m == t ? t == '.' || t == '\0' :
		    dnsmsg_lower(m) != dnsmsg_lower(t))
			return false;
	}
	return true;
}

/*
 * Does the question's name at *off spell text (with or without the final
 * dot), in any case? Compared in place, since most answers need nothing
 * more of it: a question's name is never compressed (a pointer may only
 * point backwards, and only the header comes before it). Moves *off past
 * the name. -1 malformed, 0 another name, 1 ours.
 */
static int
dnsmsg_question_name(const struct dnsmsg *d, const char *text, size_t *off)
{
	size_t o = *off;
	int same = 1;

	for (;;) {
		unsigned c;

		if (o >= d->len)
			return -1;
		if ((c = d->m[o]) == 0)
			break;
		if ((c & 0xc0) != 0 || c > d->len - o - 1 ||
		    o - *off + 1 + c > DNSMSG_NAME_MAX - 1)
			return -1;
		if (same && dnsmsg_label_is(d->m + o + 1, c, text))
			text += c;
		else
			same = 0;
		if (same && *text == '.')
			text++;
		else if (same && *text != '\0')
			same = 0;
		o += 1 + c;
	}
	*off = o + 1;
	return same && *text == '\0';
}

/* The one question must be the one we asked, class IN. */
static const char *
dnsmsg_check_question(struct dnsmsg *d, const char *qname,
    enum dnsmsg_qtype qtype, struct dnsmsg_name *ret_wire)
{
	size_t off = DNSMSG_HEADER;
	int same = dnsmsg_question_name(d, qname, &off);

	if (same < 0 || d->len - off < 4)
		return dnsmsg_malformed;
	if (!same)
		return dnsmsg_qname_wire(qname, ret_wire) ?
		    "question is not ours" : "bad query name";
	if (dnsmsg_u16(d->m + off) != (unsigned)qtype ||
	    dnsmsg_u16(d->m + off + 2) != CLASS_IN)
		return "question is not ours";
	d->answers = off + 4;
	return NULL;
}

/*
 * The query name in wire form, lower case, from the question: only an
 * answer with records needs it, to compare their owners against.
 */
static void
dnsmsg_question_wire(struct dnsmsg *d, struct dnsmsg_name *ret)
{
	size_t off = DNSMSG_HEADER;

	(void)dnsmsg_name_read(d, &off, ret); /* checked whole already */
	d->question = ret;
}

/* TXT RDATA: one or more <length, bytes> strings, filling it exactly. */
static bool
dnsmsg_txt_whole(const struct dnsmsg *d, const struct dnsmsg_rr *rr)
{
	size_t o = rr->rdata, end = rr->rdata + rr->rdlen;

	if (rr->rdlen == 0)
		return false;
	while (o < end)
		o += 1 + (size_t)d->m[o];
	return o == end;
}

/* The RDATA of one record of the given section, where we read it. */
static const char *
dnsmsg_check_rdata(struct dnsmsg *d, const struct dnsmsg_rr *rr,
    size_t owner, unsigned section)
{
	size_t o = rr->rdata;

	if (rr->type == TYPE_OPT) {
		/* RFC 6891 §6.1.1: once, in the additional section, at root. */
		if (section != 2 || d->opt_seen || d->m[owner] != 0)
			return "malformed answer (OPT)";
		d->opt_seen = true;
		d->ext_rcode = rr->ttl >> 24;
		return NULL;
	}
	if (rr->class != CLASS_IN)
		return NULL;
	if (rr->type == TYPE_A && rr->rdlen != 4)
		return "malformed A record";
	if (rr->type == TYPE_CNAME && section == 0) {
		if (!dnsmsg_name_read(d, &o, NULL) ||
		    o != rr->rdata + rr->rdlen)
			return "malformed CNAME record";
		d->cnames++;
	}
	if (rr->type == TYPE_TXT && !dnsmsg_txt_whole(d, rr))
		return "malformed TXT record";
	return NULL;
}

/* Every record of the answer, authority and additional sections. */
static const char *
dnsmsg_check_records(struct dnsmsg *d)
{
	unsigned counts[3] = { d->an, d->ns, d->ar };
	size_t off = d->answers, owner;
	struct dnsmsg_rr rr;
	const char *err;

	for (unsigned s = 0; s < 3; s++) {
		for (unsigned i = 0; i < counts[s]; i++) {
			owner = off;
			if (!dnsmsg_rr_read(d, &off, &rr, NULL))
				return dnsmsg_malformed;
			err = dnsmsg_check_rdata(d, &rr, owner, s);
			if (err != NULL)
				return err;
		}
	}
	if (off != d->len)
		return "trailing bytes after the answer";
	if (d->ext_rcode == 1)
		return "rcode BADVERS (16)";
	if (d->ext_rcode != 0)
		return "extended rcode";
	return NULL;
}

/*
 * The CNAME in the answer section owned by name, into target: 1 found,
 * 0 none, -1 more than one (a name with a CNAME has no other data, RFC
 * 1034 §3.6.2, so two are a broken or forged answer).
 */
static int
dnsmsg_find_cname(const struct dnsmsg *d, const struct dnsmsg_name *name,
    struct dnsmsg_name *target)
{
	struct dnsmsg_name owner;
	struct dnsmsg_rr rr;
	size_t off = d->answers, o;
	int found = 0;

	for (unsigned i = 0; i < d->an; i++) {
		if (!dnsmsg_rr_read(d, &off, &rr, &owner))
			return -1;
		if (rr.type != TYPE_CNAME || rr.class != CLASS_IN ||
		    !dnsmsg_name_eq(&owner, name))
			continue;
		if (found++ > 0)
			return -1;
		o = rr.rdata;
		if (!dnsmsg_name_read(d, &o, target))
			return -1;
	}
	return found;
}

/*
 * The names whose records answer us: the query name, then each CNAME
 * target from it in turn, at most DNSMSG_CNAME_MAX links, none twice.
 */
static const char *
dnsmsg_chain(const struct dnsmsg *d, struct dnsmsg_name *chain,
    size_t *ret_n)
{
	size_t n = 1;

	/* The common case: no CNAME at all, nothing to follow. */
	while (d->cnames > 0) {
		struct dnsmsg_name next;
		int found = dnsmsg_find_cname(d, &chain[n - 1], &next);

		if (found < 0)
			return "two CNAMEs for one name";
		if (found == 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (dnsmsg_name_eq(&chain[i], &next))
				return "CNAME loop";
		if (n == DNSMSG_CNAME_MAX + 1)
			return "CNAME chain too long";
		chain[n++] = next;
	}
	*ret_n = n;
	return NULL;
}

static bool
dnsmsg_in_chain(const struct dnsmsg_name *chain, size_t n,
    const struct dnsmsg_name *name)
{
	for (size_t i = 0; i < n; i++)
		if (dnsmsg_name_eq(&chain[i], name))
			return true;
	return false;
}

/* One A record for us: kept once however often it comes. */
static const char *
dnsmsg_add_a(const struct dnsmsg *d, const struct dnsmsg_rr *rr,
    struct answer *a)
{
	uint32_t addr = dnsmsg_u32(d->m + rr->rdata);

	if (rr->ttl < a->ttl)
		a->ttl = rr->ttl;
	for (size_t i = 0; i < a->naddrs; i++)
		if (a->addrs[i] == addr)
			return NULL;
	if (a->naddrs == ANSWER_MAX_ADDRS)
		return "more than 64 A records";
	a->addrs[a->naddrs++] = addr;
	return NULL;
}

/* One TXT record for us: its strings, after "; " if not the first. */
static void
dnsmsg_add_txt(const struct dnsmsg *d, const struct dnsmsg_rr *rr,
    struct dnsmsg_txt *t)
{
	size_t o = rr->rdata, end = rr->rdata + rr->rdlen;

	if (t->records++ > 0 && t->n + 2 <= sizeof(t->raw)) {
		memcpy(t->raw + t->n, "; ", 2);
		t->n += 2;
	}
	while (o < end) {
		size_t l = d->m[o], take = l;

		if (take > sizeof(t->raw) - t->n)
			take = sizeof(t->raw) - t->n;
		memcpy(t->raw + t->n, d->m + o + 1, take);
		t->n += take;
		o += 1 + l;
	}
}

/* The records of the type asked: ours, or the answer is not believed. */
static const char *
dnsmsg_collect(const struct dnsmsg *d, const struct dnsmsg_name *chain,
    size_t nchain, enum dnsmsg_qtype qtype, struct answer *a,
    struct dnsmsg_txt *t)
{
	struct dnsmsg_name owner;
	struct dnsmsg_rr rr;
	size_t off = d->answers;
	const char *err;

	a->ttl = UINT32_MAX;
	for (unsigned i = 0; i < d->an; i++) {
		if (!dnsmsg_rr_read(d, &off, &rr, &owner))
			return dnsmsg_malformed;
		if (rr.type != (unsigned)qtype || rr.class != CLASS_IN)
			continue;
		if (!dnsmsg_in_chain(chain, nchain, &owner))
			return qtype == DNSMSG_A ? "A record for another name" :
			    "TXT record for another name";
		if (qtype == DNSMSG_TXT) {
			dnsmsg_add_txt(d, &rr, t);
		} else if ((err = dnsmsg_add_a(d, &rr, a)) != NULL) {
			return err;
		}
	}
	if (a->naddrs == 0)
		a->ttl = 0;
	return NULL;
}

static const char *
dnsmsg_parse(struct dnsmsg *d, const char *qname, enum dnsmsg_qtype qtype,
    struct answer *a, struct dnsmsg_txt *t)
{
	struct dnsmsg_name chain[DNSMSG_CNAME_MAX + 1];
	size_t nchain;
	const char *err;
	bool records;

	if ((err = dnsmsg_check_header(d)) != NULL ||
	    (err = dnsmsg_check_question(d, qname, qtype, &chain[0])) != NULL)
		return err;
	if (d->an > 0)
		dnsmsg_question_wire(d, &chain[0]);
	if ((err = dnsmsg_check_records(d)) != NULL ||
	    (err = dnsmsg_chain(d, chain, &nchain)) != NULL ||
	    (err = dnsmsg_collect(d, chain, nchain, qtype, a, t)) != NULL)
		return err;
	records = qtype == DNSMSG_A ? a->naddrs > 0 : t->records > 0;
	if (d->rcode == RCODE_NXDOMAIN) {
		if (records)
			return "NXDOMAIN with records";
		a->status = ANSWER_NXDOMAIN;
	} else {
		a->status = records ? ANSWER_RECORDS : ANSWER_NODATA;
	}
	return NULL;
}

void
dnsmsg_decode(const unsigned char *msg, size_t len, const char *qname,
    enum dnsmsg_qtype qtype, struct answer *ret, char *txtbuf, size_t txtlen)
{
	struct dnsmsg d = { .m = msg, .len = len };
	struct dnsmsg_txt t;
	const char *err;

	/* Every field but the addresses, of which naddrs count: this runs
	 * for every answer of a sweep. */
	ret->status = ANSWER_ERROR;
	ret->naddrs = 0;
	ret->conn_failed = false;
	ret->ttl = 0;
	ret->error = NULL;
	ret->txt = NULL;
	t.n = 0;
	t.records = 0;
	err = dnsmsg_parse(&d, qname, qtype, ret, &t);
	if (err != NULL) {
		ret->naddrs = 0;
		ret->ttl = 0;
		ret->status = ANSWER_ERROR;
		ret->error = err;
		return;
	}
	if (qtype == DNSMSG_TXT && ret->status == ANSWER_RECORDS) {
		escape_untrusted(t.raw, t.n, txtbuf, txtlen);
		ret->txt = txtbuf;
	}
}

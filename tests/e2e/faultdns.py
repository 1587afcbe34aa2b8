#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A scriptable DNS server on 127.0.0.1 (UDP and TCP) for the bad days of a
DNSBL: SERVFAIL, REFUSED, silence, truncation, malformed packets, refusal
codes, NXDOMAIN hijacking, several A records, missing or wrong RFC 5782 §5
test points. Behaviour is chosen by the zone of the query name and can be
overridden per query name.

Zones: a name ending in ".MODE.test" or ".MODE-ANYTHING.test" gets the zone
mode MODE:

  good         test points right (127.0.0.2 listed, 127.0.0.1 not, the same
               for ::ffff:7f00:2 / ::ffff:7f00:1 and TEST / INVALID); every
               other name NXDOMAIN unless a rule says otherwise
  tc           like good, but every UDP answer is an empty one with TC set:
               only TCP gets the real answer
  multi        test points right; every other name answers 127.0.0.2,
               127.0.0.3 and 127.0.0.10
  servfail     SERVFAIL for every name
  refused      REFUSED rcode for every name
  silent       never answers
  malformed    an answer cut short inside its A record, with the right ID
  quota        127.255.255.254 for every name (a list refusing an open
               resolver)
  hijack       198.51.100.7 for every name, NXDOMAIN cases included
  listsall     127.0.0.2 for every name, 127.0.0.1 included
  notestpoint  NXDOMAIN for every name
  tcpclose     every name as the action tcpclose: UDP says TC, TCP
               connections are closed without an answer
  tctcp, qr0, echo, badnx, badnodata, trailing, otherowner
               every name, test points included, as that action
  rcodeN, opcodeN
               every name as rcode:N or opcode:N (a zone label has no
               colon), e.g. rcode9.test

Rules (--rule QNAME=ACTION, QNAME without the final dot, case-insensitive)
decide single names inside any zone; the zone's transport mode (tc) still
applies first. Actions:

  listed          A 127.0.0.2, TXT "Listed: QNAME"
  a:C1,C2,...     those A records (TXT "Codes for QNAME")
  nxdomain        NXDOMAIN
  nodata          NOERROR without records
  servfail, refused, notimp, formerr   that rcode
  silent          no answer
  late            the listed answer, but 2 s late
  tc              UDP: TC and no records; TCP: A 127.0.0.2
  malformed       the listed answer cut short inside the A record
  garbage         the right ID and a QR header, then random bytes
  headeronly      a 12-byte header that claims one answer
  badrdata        an A record whose RDATA is 5 bytes long
  wrongid         the listed answer with another ID
  wrongname       an A 127.0.0.2 answer to another question
  quota           A 127.255.255.254
  hijack          A 198.51.100.7
  txtctl          A 127.0.0.2 and a TXT full of control characters
  txtlong         A 127.0.0.2 and a 3000-byte TXT in 255-byte strings
  txtfail         A 127.0.0.2, but SERVFAIL for the TXT query
  rcode:N         rcode N (0-15), no records
  rcode+a:N       rcode N with A 127.0.0.2
  qr0             the listed answer with QR=0
  echo            the query's own bytes sent back unchanged
  opcode:N        the listed answer with opcode N (0-15)
  tctcp           TC set on the UDP answer (no records) and on the TCP
                  answer, which carries A 127.0.0.2
  badnx           NXDOMAIN whose answer count promises a record that is
                  not there
  badnodata       the same for NOERROR
  trailing        a valid NXDOMAIN followed by junk bytes
  many:N:CODE     N times A 127.0.0.2, then one A CODE
  otherowner      only an A 127.0.0.2, for another owner name
  otherowner+a    A 127.0.0.2 for the name and A 127.0.0.3 for another
  cname           a CNAME to another name and A 127.0.0.2 (TXT "Listed
                  via CNAME") for that name: a valid listing
  tcpclose        UDP: an empty answer with TC; TCP: accept, read the
                  query, close without answering

--mode MODE applies a zone mode (good, notestpoint, quota, listsall,
hijack, servfail, ...) to every name that is not under a *.test zone, so
real zone names (the shipped catalogue) can be put behind a broken
resolver; RFC 5782 §5 test points are recognised by the name's first
labels.

Prints the port it listens on (both UDP and TCP) as one line on stdout when
ready. With --log FILE every query is appended as
"udp|tcp QTYPE QNAME UNIXTIME".
"""

import argparse
import random
import socket
import struct
import sys
import threading
import time

from dnslib import A, CNAME, QTYPE, RCODE, RR, TXT, DNSRecord

TTL = 60
HOST = "127.0.0.1"
# The RFC 5782 §5 test points as query-name prefixes (zone not included).
V4_POS = "2.0.0.127"
V4_NEG = "1.0.0.127"


def _nibbles(words):
    hexs = "".join("%04x" % w for w in words)
    return ".".join(reversed(hexs))


V6_POS = _nibbles([0, 0, 0, 0, 0, 0xFFFF, 0x7F00, 0x0002])
V6_NEG = _nibbles([0, 0, 0, 0, 0, 0xFFFF, 0x7F00, 0x0001])
POSITIVE = {V4_POS, V6_POS, "test"}
NEGATIVE = {V4_NEG, V6_NEG, "invalid"}

ZONE_MODES = {
    "good", "tc", "multi", "servfail", "refused", "silent", "malformed",
    "quota", "hijack", "listsall", "notestpoint", "tcpclose", "tctcp",
    "qr0", "echo", "badnx", "badnodata", "trailing", "otherowner",
}
# Zone modes with a number: rcode9 is the action rcode:9.
NUMBERED_MODES = ("rcode", "opcode")
# perform(): close the TCP connection without an answer.
CLOSE = object()
OTHER_OWNER = "other-owner.invalid"
CNAME_TARGET = "cname-target.invalid"


def is_mode(mode):
    if mode in ZONE_MODES:
        return True
    for base in NUMBERED_MODES:
        rest = mode[len(base):]
        if mode.startswith(base) and rest.isdigit() and int(rest) < 16:
            return True
    return False


def mode_action(mode):
    """The rule action a zone mode gives the names it does not decide."""
    for base in NUMBERED_MODES:
        if mode.startswith(base) and mode[len(base):].isdigit():
            return "%s:%s" % (base, mode[len(base):])
    return mode


class Server:
    def __init__(self, rules, log_path, default_mode=None):
        self.rules = {k.lower().rstrip("."): v for k, v in rules.items()}
        self.default_mode = default_mode
        self.log_path = log_path
        self.log_lock = threading.Lock()
        self.rng = random.Random(5782)

    # -- deciding ----------------------------------------------------------

    def zone_of(self, qname):
        """(mode, prefix) for a query name, or (None, qname)."""
        labels = qname.split(".")
        if len(labels) >= 2 and labels[-1] == "test":
            mode = labels[-2].split("-", 1)[0]
            if is_mode(mode):
                return mode, ".".join(labels[:-2])
            return None, qname
        if self.default_mode is not None:
            for point in POSITIVE | NEGATIVE:
                if qname.startswith(point + "."):
                    return self.default_mode, point
            return self.default_mode, qname
        return None, qname

    def action(self, qname, transport):
        """The action for this name, as a rule action string."""
        mode, prefix = self.zone_of(qname)
        if mode == "tc" and transport == "udp":
            return "tc"
        rule = self.rules.get(qname)
        if rule is not None:
            return rule
        if mode in ("good", "tc"):
            return "listed" if prefix in POSITIVE else "nxdomain"
        if mode == "multi":
            if prefix in POSITIVE:
                return "listed"
            if prefix in NEGATIVE:
                return "nxdomain"
            return "a:127.0.0.2,127.0.0.3,127.0.0.10"
        if mode == "listsall":
            return "listed"
        if mode == "notestpoint" or mode is None:
            return "nxdomain"
        # servfail, refused, silent, malformed, quota, hijack, tcpclose, ...
        return mode_action(mode)

    # -- answering ---------------------------------------------------------

    @staticmethod
    def reply_with(req, codes, txt):
        """A NOERROR reply: A records for A queries, TXT for TXT ones."""
        reply = req.reply()
        q = req.q
        if q.qtype == QTYPE.A:
            for c in codes:
                reply.add_answer(RR(q.qname, QTYPE.A, rdata=A(c), ttl=TTL))
        elif q.qtype == QTYPE.TXT and txt is not None:
            if isinstance(txt, str):
                txt = [txt]
            reply.add_answer(RR(q.qname, QTYPE.TXT, rdata=TXT(txt), ttl=TTL))
        return reply

    @staticmethod
    def rcode(req, rc):
        reply = req.reply()
        reply.header.rcode = rc
        return reply.pack()

    def answer(self, data, transport):
        """The bytes to send back, or None to stay silent."""
        try:
            req = DNSRecord.parse(data)
        except Exception:
            return None
        if req.header.qr or not req.questions:
            return None
        qname = str(req.q.qname).lower().rstrip(".")
        qtype = QTYPE.get(req.q.qtype)
        self.log("%s %s %s %.6f" % (transport, qtype, qname, time.time()))
        act = self.action(qname, transport)
        return self.perform(req, qname, act, transport, data)

    def perform(self, req, qname, act, transport, data):
        """Bytes to send, None for silence, CLOSE to hang up (TCP)."""
        listed_txt = "Listed: " + qname
        out = self.perform_header(req, qname, act, transport, data)
        if out is None:
            out = self.perform_records(req, qname, act)
        if out is not None:
            return out
        if act == "listed" or act == "late":
            return self.reply_with(req, ["127.0.0.2"], listed_txt).pack()
        if act.startswith("a:"):
            codes = act[2:].split(",")
            return self.reply_with(req, codes, "Codes for " + qname).pack()
        if act == "nxdomain":
            return self.rcode(req, RCODE.NXDOMAIN)
        if act == "nodata":
            return req.reply().pack()
        if act in ("servfail", "refused", "notimp", "formerr"):
            return self.rcode(req, getattr(RCODE, act.upper()))
        if act == "silent":
            return None
        if act == "tc":
            if transport == "udp":
                reply = req.reply()
                reply.header.tc = 1
                return reply.pack()
            return self.reply_with(req, ["127.0.0.2"], listed_txt).pack()
        if act == "malformed":
            full = self.reply_with(req, ["127.0.0.2"], listed_txt).pack()
            # Cut inside the last record's RDATA: counts promise more.
            return full[:-2]
        if act == "garbage":
            junk = bytes(self.rng.randrange(256) for _ in range(40))
            return struct.pack("!HHHHHH", req.header.id, 0x8180, 1, 5, 0,
                               0) + junk
        if act == "headeronly":
            return struct.pack("!HHHHHH", req.header.id, 0x8180, 0, 1, 0, 0)
        if act == "badrdata":
            return self.bad_rdata(req)
        if act == "wrongid":
            reply = self.reply_with(req, ["127.0.0.2"], listed_txt)
            reply.header.id = (req.header.id + 1) & 0xFFFF
            return reply.pack()
        if act == "wrongname":
            other = DNSRecord.question("other." + qname,
                                       QTYPE.get(req.q.qtype))
            other.header.id = req.header.id
            return self.reply_with(other, ["127.0.0.2"], listed_txt).pack()
        if act == "quota":
            return self.reply_with(req, ["127.255.255.254"],
                                   "Open resolver, see example.invalid").pack()
        if act == "hijack":
            return self.reply_with(req, ["198.51.100.7"],
                                   "Search results for " + qname).pack()
        if act == "txtctl":
            text = "bad\x01\x1b[31mred\x7f\nline2\t\"quoted\" \\ end\x00z"
            return self.reply_with(req, ["127.0.0.2"], text).pack()
        if act == "txtlong":
            chunks = [("%d" % (i % 10)) * 255 for i in range(12)]
            return self.reply_with(req, ["127.0.0.2"], chunks).pack()
        if act == "txtfail":
            if req.q.qtype == QTYPE.TXT:
                return self.rcode(req, RCODE.SERVFAIL)
            return self.reply_with(req, ["127.0.0.2"], None).pack()
        return self.rcode(req, RCODE.SERVFAIL)

    def perform_header(self, req, qname, act, transport, data):
        """Actions that break the header or the transport."""
        name, _, arg = act.partition(":")
        listed = self.reply_with(req, ["127.0.0.2"], "Listed: " + qname)
        if name in ("rcode", "rcode+a"):
            reply = listed if name == "rcode+a" else req.reply()
            reply.header.rcode = int(arg)
            return reply.pack()
        if name == "opcode":
            listed.header.opcode = int(arg)
            return listed.pack()
        if act == "qr0":
            listed.header.qr = 0
            return listed.pack()
        if act == "echo":
            return bytes(data)
        if act in ("tctcp", "tcpclose"):
            if transport == "udp":
                reply = req.reply()
                reply.header.tc = 1
                return reply.pack()
            if act == "tcpclose":
                return CLOSE
            listed.header.tc = 1
            return listed.pack()
        if act in ("badnx", "badnodata", "trailing"):
            out = bytearray(self.rcode(
                req, RCODE.NOERROR if act == "badnodata" else
                RCODE.NXDOMAIN))
            if act == "trailing":
                return bytes(out) + b"\x00junk"
            out[6:8] = struct.pack("!H", 1)
            return bytes(out)
        return None

    def perform_records(self, req, qname, act):
        """Actions whose records are the fault (or a valid oddity)."""
        q = req.q
        if act.startswith("many:"):
            _, n, code = act.split(":")
            return self.reply_with(req, ["127.0.0.2"] * int(n) + [code],
                                   "Many for " + qname).pack()
        if act in ("otherowner", "otherowner+a"):
            reply = req.reply()
            if act == "otherowner+a" and q.qtype == QTYPE.A:
                reply.add_answer(RR(q.qname, QTYPE.A, rdata=A("127.0.0.2"),
                                    ttl=TTL))
            if q.qtype == QTYPE.A:
                other = "127.0.0.3" if act == "otherowner+a" else \
                    "127.0.0.2"
                reply.add_answer(RR(OTHER_OWNER, QTYPE.A, rdata=A(other),
                                    ttl=TTL))
            return reply.pack()
        if act == "cname":
            reply = req.reply()
            reply.add_answer(RR(q.qname, QTYPE.CNAME,
                                rdata=CNAME(CNAME_TARGET), ttl=TTL))
            if q.qtype == QTYPE.A:
                reply.add_answer(RR(CNAME_TARGET, QTYPE.A,
                                    rdata=A("127.0.0.2"), ttl=TTL))
            elif q.qtype == QTYPE.TXT:
                reply.add_answer(RR(CNAME_TARGET, QTYPE.TXT,
                                    rdata=TXT("Listed via CNAME"), ttl=TTL))
            return reply.pack()
        return None

    @staticmethod
    def bad_rdata(req):
        """An A answer whose RDATA length is 5, not 4."""
        reply = req.reply()
        head = reply.pack()  # header (ancount 0) and question
        ident, flags, qd, _, ns, ar = struct.unpack("!HHHHHH", head[:12])
        rr = struct.pack("!HHHIH", 0xC00C, QTYPE.A, 1, TTL, 5)
        rr += bytes([127, 0, 0, 2, 0])
        return struct.pack("!HHHHHH", ident, flags, qd, 1, ns, ar) + \
            head[12:] + rr

    def log(self, line):
        if self.log_path is None:
            return
        with self.log_lock:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")

    # -- transports --------------------------------------------------------

    def serve_udp(self, sock):
        while True:
            try:
                data, peer = sock.recvfrom(65535)
            except OSError:
                return
            try:
                qname = str(DNSRecord.parse(data).q.qname).lower().rstrip(".")
            except Exception:
                qname = ""
            out = self.answer(data, "udp")
            if out is None or out is CLOSE:
                continue
            if self.rules.get(qname) == "late":
                threading.Timer(2.0, self.send_late,
                                (sock, out, peer)).start()
                continue
            try:
                sock.sendto(out, peer)
            except OSError:
                pass

    @staticmethod
    def send_late(sock, out, peer):
        try:
            sock.sendto(out, peer)
        except OSError:
            pass

    def serve_tcp(self, lsock):
        while True:
            try:
                conn, _ = lsock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve_conn, args=(conn,),
                             daemon=True).start()

    @staticmethod
    def recv_exact(conn, n):
        buf = b""
        while len(buf) < n:
            part = conn.recv(n - len(buf))
            if not part:
                return None
            buf += part
        return buf

    def serve_conn(self, conn):
        conn.settimeout(10)
        try:
            while True:
                head = self.recv_exact(conn, 2)
                if head is None:
                    return
                data = self.recv_exact(conn, struct.unpack("!H", head)[0])
                if data is None:
                    return
                out = self.answer(data, "tcp")
                if out is CLOSE:
                    return
                if out is not None:
                    conn.sendall(struct.pack("!H", len(out)) + out)
        except OSError:
            return
        finally:
            conn.close()


def bind_pair(port):
    """UDP and TCP sockets on 127.0.0.1 sharing one port (0: any free)."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((HOST, port))
        real = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind((HOST, real))
        except OSError:
            udp.close()
            tcp.close()
            if port != 0:
                raise
            continue
        tcp.listen(64)
        return udp, tcp, real
    raise OSError("no free port pair on %s" % HOST)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--rule", action="append", default=[],
                    metavar="QNAME=ACTION")
    ap.add_argument("--log", metavar="FILE")
    ap.add_argument("--mode", metavar="MODE",
                    help="zone mode for every name not under *.test")
    args = ap.parse_args()
    if args.mode is not None and not is_mode(args.mode):
        ap.error("--mode: no zone mode %r" % args.mode)
    rules = {}
    for r in args.rule:
        name, sep, act = r.partition("=")
        if not sep:
            ap.error("--rule wants QNAME=ACTION: %r" % r)
        rules[name] = act
    srv = Server(rules, args.log, args.mode)
    udp, tcp, port = bind_pair(args.port)
    threading.Thread(target=srv.serve_udp, args=(udp,), daemon=True).start()
    threading.Thread(target=srv.serve_tcp, args=(tcp,), daemon=True).start()
    print(port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

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

from dnslib import A, QTYPE, RCODE, RR, TXT, DNSRecord

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
    "quota", "hijack", "listsall", "notestpoint",
}


class Server:
    def __init__(self, rules, log_path):
        self.rules = {k.lower().rstrip("."): v for k, v in rules.items()}
        self.log_path = log_path
        self.log_lock = threading.Lock()
        self.rng = random.Random(5782)

    # -- deciding ----------------------------------------------------------

    @staticmethod
    def zone_of(qname):
        """(mode, prefix) for a query name, or (None, qname)."""
        labels = qname.split(".")
        if len(labels) >= 2 and labels[-1] == "test":
            mode = labels[-2].split("-", 1)[0]
            if mode in ZONE_MODES:
                return mode, ".".join(labels[:-2])
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
        return mode  # servfail, refused, silent, malformed, quota, hijack

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
        return self.perform(req, qname, act, transport)

    def perform(self, req, qname, act, transport):
        listed_txt = "Listed: " + qname
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
            if out is None:
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
    args = ap.parse_args()
    rules = {}
    for r in args.rule:
        name, sep, act = r.partition("=")
        if not sep:
            ap.error("--rule wants QNAME=ACTION: %r" % r)
        rules[name] = act
    srv = Server(rules, args.log)
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

#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The control socket under abuse, against a real `rblmond -f` sweeping
real rbldnsd data (a /20 on four zones, 8 % listed), phase after phase:

  malformed  10,000 bad request lines (random bytes, NUL bytes, invalid
             UTF-8, control bytes, unknown commands, wrong arity, empty
             lines; fixed seed) pipelined on four connections, each
             answered with one error object in order; lines past 1 KiB
             (up to 64 KiB without a newline) each get one error object,
             then the server closes.
  burst      1,000 clients connecting at once, far past the 16-client
             cap: every one waits in the backlog and is served, none is
             refused.
  trickle    200 clients sending a byte a second that never makes a line:
             the 10 s idle timeout drops them, the cap keeps the rest
             waiting (15 s).
  unread     50 clients asking `listed` or `metrics` (about 380 KB
             each) over and over without ever reading: each is dropped
             by the daemon within 30 s (past the 4 MiB output cap, or
             idle: a long answer is written only while less than 1 MiB
             is unread), and the daemon goes on.

Throughout, a prober process runs the real `rblmonctl --json status`
every 100 ms and times it end to end (process start included): each
answer must come within 200 ms, from the same daemon pid. The daemon's
RSS may grow by less than 10 MiB over all the phases, and its sweep must
go on (the zones' query counts grow in every phase). One line of figures
per phase is printed.
"""

import errno
import ipaddress
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

import ctlclient
import daemon
import rbltest
from daemon import DaemonTestCase

SEED = 20261201
NET = "10.30.0.0/20"
ZONES = ["abuse%d.test" % i for i in range(4)]
LISTED_SHARE = 0.08
CODES = ["127.0.0.%d" % i for i in range(2, 12)]
TXT = "Listed by the abuse test, see https://example.test/lookup?ip=$"
DELIST = "https://example.test/delist?q={target}"

STATUS_BOUND_MS = 200.0  # every rblmonctl status, end to end
RSS_GROWTH_MAX = 10 << 20  # bytes, before the abuse to after it
# A sanitizer build runs about three times slower and its allocator keeps
# freed memory in quarantine (here made small): the same phases, with the
# bounds that build can keep. The release build is held to the ones above.
ASAN_STATUS_BOUND_MS = 600.0
ASAN_RSS_GROWTH_MAX = 64 << 20
ASAN_DAEMON_OPTIONS = "quarantine_size_mb=4:allocator_release_to_os_interval_ms=100"


def sanitized(binary):
    """Was binary built with AddressSanitizer?"""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()
PROBE_PERIOD = 0.1  # seconds between the starts of two probes
PHASE_MIN_S = 2.0  # each phase lasts at least this long (cycles: 1 s)

MALFORMED = 10000
TOO_LONG = 20  # of the MALFORMED, each on a connection of its own
MALFORMED_CONNS = 4
BATCH = 32  # lines written at once (the server reads 64 ahead)
BURST = 1000
TRICKLE = 200
TRICKLE_S = 15.0
UNREAD = 50
UNREAD_S = 30.0
IO_TIMEOUT = 20.0  # any one read or connect of a client

# The request language, mirrored from docs/control.md: name -> (least,
# most) arguments. Used only to make sure every input sent as malformed
# really is malformed.
COMMANDS = {"status": (0, 0), "targets": (0, 0), "zones": (0, 0),
            "listed": (0, 0), "show": (1, 1), "check": (1, 2),
            "history": (0, 1), "sweep": (0, 0), "reload": (0, 0),
            "metrics": (0, 0), "diagnose": (0, 0), "explain": (1, 1),
            "version": (0, 0), "help": (0, 0)}
LINE_MAX = 1024
ARGS_MAX = 4
HISTORY_MAX = 10000


def parses(line):
    """Would the daemon take this line (bytes, no newline) as a request
    of one of its commands? An independent reading of docs/control.md
    and the usage of each command."""
    if line.endswith(b"\r"):
        line = line[:-1]
    if not line or len(line) > LINE_MAX or b"\0" in line:
        return False
    try:
        text = line.decode("utf-8")  # strict: no surrogates, no overlong
    except UnicodeDecodeError:
        return False
    if any((ord(ch) < 0x20 and ch != "\t") or ch == "\x7f" for ch in text):
        return False
    body = text.lstrip(" \t")
    if not body:
        return False
    name = re.match(r"[^ \t]*", body).group(0)
    if name not in COMMANDS:
        return False
    least, most = COMMANDS[name]
    rest = body[len(name):]
    if name == "explain":
        tail = rest[1:]
        if not tail:
            return False
        return re.fullmatch(r"(?:[^\\]|\\n|\\\\)*", tail, re.S) is not None
    args = [w for w in re.split(r"[ \t]+", rest) if w]
    if name == "history" and len(args) <= ARGS_MAX:
        out, have, i = [], False, 0
        while i < len(args):
            a = args[i]
            if a == "--limit":
                num = args[i + 1] if i + 1 < len(args) else ""
                i += 1
            elif a.startswith("--limit="):
                num = a[8:]
            elif a.startswith("--"):
                return False
            else:
                out.append(a)
                i += 1
                continue
            if have or not re.fullmatch(r"[0-9]+", num) or \
                    not 1 <= int(num) <= HISTORY_MAX:
                return False
            have = True
            i += 1
        args = out
    return least <= len(args) <= most


# -- malformed input ---------------------------------------------------------

BAD_UTF8 = [
    # overlong forms
    b"\xc0\x80", b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\x80", b"\xe0\x9f\xbf",
    b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf",
    # surrogates, alone and as a CESU-8 pair
    b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xb0\x80",
    b"\xed\xa0\xbd\xed\xb8\x80",
    # truncated sequences
    b"\xc3", b"\xe2\x82", b"\xe2", b"\xf0\x9f\x98", b"\xf0\x9f",
    # continuation bytes without a lead, and a lead where one belongs
    b"\x80", b"\xbf", b"\x80\x80\x80", b"\xe2\xe2\x82\xac", b"\xc3\xc3\xa9",
    # bytes UTF-8 never uses, and past U+10FFFF
    b"\xff", b"\xfe", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80",
    b"\xf4\x90\x80\x80",
]
UNKNOWN = ["STATUS", "Status", "sTATUS", "LISTED", "Zones", "stat", "s",
           "statuss", "lis", "listedd", "zone", "target", "versions",
           "-h", "--help", "?", "/status", "status;", "status&&reboot",
           '{"cmd":"status"}', "GET", "PING", "quit", "exit", "shutdown",
           "st\u00e1tus", "\u0441\u0442\u0430\u0442\u0443\u0441",
           "\u72b6\u6001", "status\u00a0", "\u00a0status", "help\u200b",
           "\U0001f600", "status,zones", "status\\n"]
ARITY = ["status {w}", "targets {w}", "zones {w} {w}", "listed {w}",
         "sweep {w}", "reload {w}", "metrics {w}", "diagnose {w}",
         "version {n}", "help {w}", "show", "show {w} {w}",
         "show {w} {w} {w} {w} {w} {w}", "check", "check {w} {w} {w}",
         "check {w} {w} {w} {w} {w}", "history {w} {w}",
         "history --limit", "history --limit 0", "history --limit 10001",
         "history --limit=x{w}", "history --limit=", "history --{w}",
         "history --limit {n} --limit {n}", "history {w} --limit {n} {w}",
         "history --limit -{n}", "explain", "explain ", "explain {w}\\q",
         "explain {w}\\", "explain \\x{w}"]
EMPTY = [b"", b" ", b"\t", b"  \t ", b"\r", b" \r", b"\t\r"]


def word(rng, lo=1, hi=12):
    abc = "abcdefghijklmnopqrstuvwxyz0123456789.-"
    return "".join(rng.choice(abc) for _ in range(rng.randint(lo, hi)))


def fill(rng, pattern):
    return re.sub(r"\{(w|n)\}", lambda m: word(rng) if m.group(1) == "w"
                  else str(rng.randint(1, 99)), pattern)


def gen_random(rng):
    n = rng.randint(1, 300)
    return bytes(rng.choice([b for b in range(256) if b != 0x0a])
                 for _ in range(n))


def gen_nul(rng):
    base = bytearray(rng.choice([b"status", b"listed", b"show 10.30.0.1",
                                 b"history --limit 5", b"version",
                                 word(rng).encode(), b""]))
    for _ in range(rng.randint(1, 3)):
        base.insert(rng.randint(0, len(base)), 0)
    return bytes(base)


def gen_utf8(rng):
    prefix = rng.choice([b"", b"status ", b"status", b"show ",
                         b"show 10.30.0.", b"explain ", b"history ", b"st",
                         word(rng).encode() + b" "])
    suffix = rng.choice([b"", b"x", b" 1", "\u00e9".encode(), b" status"])
    return prefix + rng.choice(BAD_UTF8) + suffix


def gen_control(rng):
    byte = bytes([rng.choice([b for b in range(1, 0x20)
                              if b not in (0x09, 0x0a)] + [0x7f])])
    base = rng.choice([b"status", b"listed", b"zones", b"show 10.30.0.7",
                       word(rng).encode()])
    at = rng.choice(["start", "middle", "end", "double"])
    if at == "start":
        return byte + base
    if at == "middle":
        i = rng.randint(1, len(base) - 1) if len(base) > 1 else 0
        return base[:i] + byte + base[i:]
    if at == "double":
        return base + byte + byte
    return base + byte


def gen_unknown(rng):
    kind = rng.randint(0, 3)
    if kind == 0:
        name = rng.choice(UNKNOWN)
    elif kind == 1:
        name = word(rng, 1, 30)
    elif kind == 2:
        # Long names: the error quotes them cut on a character boundary.
        name = rng.choice(["\u00e9", "x", "\u72b6", "\U0001f600"]) * \
            rng.randint(100, 250)
    else:
        name = rng.choice(UNKNOWN) + " " + word(rng)
    return name.encode("utf-8")[:LINE_MAX]


def gen_arity(rng):
    return fill(rng, rng.choice(ARITY)).encode()


def gen_empty(rng):
    return rng.choice(EMPTY)


GENERATORS = [("random bytes", gen_random, 2978, True),
              ("NUL bytes", gen_nul, 1000, False),
              ("invalid UTF-8", gen_utf8, 1500, False),
              ("control bytes", gen_control, 1000, True),
              ("unknown commands", gen_unknown, 1500, False),
              ("wrong arity", gen_arity, 1500, False),
              ("empty lines", gen_empty, 500, False)]


def malformed_lines(rng):
    """The pipelined inputs: (class, line without newline); random ones
    that happen to parse are drawn again, a made-up one that parses is a
    bug of this test."""
    out = []
    for name, gen, count, redraw in GENERATORS:
        for _ in range(count):
            line = gen(rng)
            while redraw and (parses(line) or b"\n" in line):
                line = gen(rng)
            if parses(line) or b"\n" in line:
                raise AssertionError("a %s input parses: %r" % (name, line))
            out.append((name, line))
    # The longest line that is not too long: its \r does not count.
    out.append(("1024 bytes and a \\r", b"a" * LINE_MAX + b"\r"))
    out.append(("1024 bytes", b"b" * LINE_MAX))
    rng.shuffle(out)
    return out


def too_long_inputs(rng):
    """Whole writes, each for a connection of its own: lines past the cap
    (with and without their newline)."""
    out = []
    for i in range(8):
        if i % 2:
            body = bytes(rng.choice([b for b in range(256) if b != 0x0a])
                         for _ in range(65536))
        else:
            body = b"A" * 65536
        out.append(("64 KiB without a newline", body))
    for _ in range(4):
        out.append(("1025 bytes", b"c" * (LINE_MAX + 1) + b"\n"))
    for _ in range(4):
        out.append(("1025 bytes and a \\r",
                    b"d" * (LINE_MAX + 1) + b"\r\n"))
    for _ in range(4):
        body = bytearray(b"status " + b"e" * 4000)
        body[rng.randint(0, len(body) - 1)] = 0
        out.append(("4000 bytes with a NUL", bytes(body) + b"\n"))
    assert len(out) == TOO_LONG
    return out


# -- small clients -----------------------------------------------------------

def timeval(seconds):
    return struct.pack("ll", int(seconds), int((seconds % 1) * 1e6))


class Lines:
    """A blocking client reading answer lines with a deadline."""

    def __init__(self, path, timeout=IO_TIMEOUT):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.eof = None  # None, "eof" or the errno name that ended it

    def send(self, data):
        self.sock.sendall(data)

    def line(self, deadline):
        """The next line (without its newline), or None at the end of the
        stream (self.eof says how) or past the deadline."""
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or self.eof:
                return None
            self.sock.settimeout(left)
            try:
                part = self.sock.recv(1 << 16)
            except socket.timeout:
                return None
            except OSError as e:
                self.eof = errno.errorcode.get(e.errno, str(e.errno))
                return None
            if not part:
                self.eof = "eof"
                return None
            self.buf += part
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def close(self):
        self.sock.close()


def ask(path, line, timeout=10.0):
    """One request; the decoded answer."""
    c = Lines(path, timeout)
    try:
        c.send(line.encode() + b"\n")
        got = c.line(time.monotonic() + timeout)
    finally:
        c.close()
    if got is None:
        raise AssertionError("no answer to %r" % line)
    return json.loads(got)


def is_error(text):
    """Is text one error object, {"ok":false,"error":"..."}?"""
    try:
        obj = json.loads(text)
    except ValueError:
        return False
    return (isinstance(obj, dict) and set(obj) == {"ok", "error"} and
            obj["ok"] is False and isinstance(obj["error"], str) and
            obj["error"] != "")


def vm_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s for pid %d" % (key, pid))


def mib(kib):
    return kib / 1024.0


def pct(xs, p):
    """Nearest-rank percentile of a non-empty list."""
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(-(-p * len(xs) // 100)) - 1))
    return xs[k]


# -- the prober ----------------------------------------------------------------

# Runs rblmonctl --json status every PERIOD seconds (the next start at
# least PERIOD after the last one, never two at once) until a line comes
# on stdin; prints the samples as one JSON array. A process of its own,
# so that the test's client threads never delay its timing.
_PROBER = r'''
import json, select, subprocess, sys, time
ctl, sock, period = sys.argv[1], sys.argv[2], float(sys.argv[3])
out, t0 = [], time.monotonic()
nxt = t0
while True:
    wait = max(0.0, nxt - time.monotonic())
    if select.select([sys.stdin], [], [], wait)[0]:
        break
    start = time.monotonic()
    nxt = start + period
    a = time.perf_counter()
    rec = {"at": round(start - t0, 3)}
    try:
        r = subprocess.run([ctl, "-s", sock, "-t", "60", "--json", "status"],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=90)
        rec["rc"] = r.returncode
        text, err = r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        rec["rc"] = "timeout"
        text, err = b"", b""
    rec["ms"] = (time.perf_counter() - a) * 1000.0
    try:
        j = json.loads(text)
        rec["ok"], rec["pid"] = j.get("ok"), j.get("pid")
    except ValueError:
        rec["ok"] = None
        rec["out"] = text[:200].decode("utf-8", "replace")
        rec["err"] = err[:300].decode("utf-8", "replace")
    out.append(rec)
json.dump(out, sys.stdout)
'''


class Prober:
    def __init__(self, ctl, sock):
        self.proc = rbltest._spawn(
            [sys.executable, "-c", _PROBER, ctl, sock, str(PROBE_PERIOD)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)

    def stop(self):
        """The samples: dicts of at, ms, rc, ok, pid."""
        try:
            out, err = self.proc.communicate(b"stop\n", timeout=120)
        finally:
            rbltest._forget(self.proc)
        if self.proc.returncode != 0:
            raise AssertionError("the prober failed: %s" %
                                 err.decode("utf-8", "replace"))
        return json.loads(out)


# -- the test ------------------------------------------------------------------

def zone_data():
    """{file: lines} for rbldnsd, the number of listings and of
    targets."""
    rng = random.Random(SEED)
    targets = [str(a) for a in ipaddress.ip_network(NET)]
    files, listings = {}, 0
    for zone in ZONES:
        lines = [":127.0.0.2:" + TXT, "127.0.0.2 :127.0.0.2:test point"]
        chosen = sorted(rng.sample(range(len(targets)),
                                   int(len(targets) * LISTED_SHARE)))
        for i in chosen:
            lines.append("%s :%s:%s" % (targets[i], rng.choice(CODES), TXT))
        listings += len(chosen)
        files[zone] = lines
    return files, listings, len(targets)


class CtlAbuseTest(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.ctl = ctlclient.rblmonctl_path()
        if not os.access(self.ctl, os.X_OK):
            raise AssertionError("rblmonctl not found at %s (set "
                                 "RBLMONCTL)" % self.ctl)
        files, self.want_listed, self.ntargets = zone_data()
        self.dns = daemon.LiveRbldnsd(
            self.tmp, [(z, "ip4set", z) for z in ZONES],
            "2.0.0.127." + ZONES[0], files)
        self.dns.start()
        self.addCleanup(self.dns.stop)
        zones = [(z, {"type": "ip4", "listed": "127.0.0.2-127.0.0.11",
                      "txt": "yes", "delist_url": DELIST,
                      "severity": "critical"}) for z in ZONES]
        text = daemon.daemon_config(
            self.dns.port, [("abuse", "net", NET)], zones, self.state_db,
            interval="1s", confirm=1, confirm_delay="0s", timeout="2s",
            tries=2)
        self.sock = os.path.join(self.tmp, "rblmond.sock")
        env = None
        if sanitized(rbltest.rblmond_path()):
            global STATUS_BOUND_MS, RSS_GROWTH_MAX
            STATUS_BOUND_MS = ASAN_STATUS_BOUND_MS
            RSS_GROWTH_MAX = ASAN_RSS_GROWTH_MAX
            asan = os.environ.get("ASAN_OPTIONS", "")
            env = {"ASAN_OPTIONS": (asan + ":" if asan else "") +
                   ASAN_DAEMON_OPTIONS}
        self.d = self.daemon(text, env=env)
        self.results = []

    # -- helpers --

    def brief(self):
        """What to show on a failure: the daemon's side, not the store
        (thousands of rows)."""
        return self.d.describe(self.syslog.mark())

    def status(self):
        return ask(self.sock, "status")

    def queries(self):
        return sum(z["queries"] for z in ask(self.sock, "zones")["zones"])

    def control(self):
        return self.status()["control"]

    def wait_listed(self):
        """Every listing standing in the monitor and recorded in the
        store (which `listed` reads; it commits once a second)."""
        def standing():
            s = self.status()
            return (s.get("listed") == self.want_listed and
                    len(self.store.pairs()) == self.want_listed)
        self.assertTrue(daemon.wait_until(standing, 60.0, 0.25),
                        "listings do not stand: %r\n%s" %
                        (self.status(), self.brief()))

    def run_phase(self, name, fn):
        """Run fn() with the prober going; record and return its figures
        (fn returns a dict of counts and a line about them)."""
        pid = self.d.pid
        rss0 = vm_kib(pid, "VmRSS")
        q0 = self.queries()
        c0 = self.control()
        t0 = time.monotonic()
        prober = Prober(self.ctl, self.sock)
        peak = [rss0]
        stop = threading.Event()

        def watch():
            while not stop.wait(0.05):
                try:
                    peak[0] = max(peak[0], vm_kib(pid, "VmRSS"))
                except (OSError, AssertionError):
                    return
        w = threading.Thread(target=watch, daemon=True)
        w.start()
        try:
            info = fn()
            left = PHASE_MIN_S - (time.monotonic() - t0)
            if left > 0:
                time.sleep(left)
        finally:
            samples = prober.stop()
            stop.set()
            w.join(2.0)
        seconds = time.monotonic() - t0
        self.assertTrue(self.d.alive(), "rblmond died in phase %s\n%s" %
                        (name, self.brief()))
        try:
            q1 = self.queries()
            c1 = self.control()
        except (OSError, AssertionError) as e:
            raise AssertionError("after phase %s (its clients closed) the "
                                 "daemon does not answer: %s\n%s" % (
                                     name, e, self.brief()))
        rss1 = vm_kib(pid, "VmRSS")
        r = {"name": name, "info": info, "samples": samples,
             "seconds": seconds, "rss0": rss0, "rss1": rss1,
             "peak": peak[0], "queries": q1 - q0,
             "control": {k: c1[k] - c0[k] for k in c0 if k != "clients"}}
        ms = [s["ms"] for s in samples] or [0.0]
        r["worst"], r["p99"], r["p50"] = max(ms), pct(ms, 99), pct(ms, 50)
        r["line"] = (
            "phase %-9s %s; %.1f s | status n=%d worst %.1f ms p99 %.1f ms "
            "p50 %.1f ms | RSS %.1f -> %.1f MiB (peak %.1f) | queries +%d "
            "| server %s" % (
                name, info["line"], seconds, len(samples), r["worst"],
                r["p99"], r["p50"], mib(rss0), mib(rss1), mib(peak[0]),
                r["queries"], " ".join("%s+%d" % kv for kv in
                                       sorted(r["control"].items()))))
        print(r["line"], flush=True)
        self.results.append(r)
        return r

    # -- phases --

    def malformed(self):
        rng = random.Random(SEED)
        lines = malformed_lines(rng)
        longs = too_long_inputs(rng)
        self.assertEqual(len(lines) + len(longs), MALFORMED)
        shares = [lines[i::MALFORMED_CONNS] for i in range(MALFORMED_CONNS)]
        answers = [0] * MALFORMED_CONNS
        wrong = []

        def worker(k):
            c = Lines(self.sock)
            try:
                share = shares[k]
                for i in range(0, len(share), BATCH):
                    batch = share[i:i + BATCH]
                    c.send(b"".join(line + b"\n" for _, line in batch))
                    deadline = time.monotonic() + IO_TIMEOUT
                    for cls, line in batch:
                        got = c.line(deadline)
                        if got is None or not is_error(got):
                            wrong.append((cls, line[:80], got, c.eof))
                            return
                        answers[k] += 1
            finally:
                c.close()

        threads = [threading.Thread(target=worker, args=(k,))
                   for k in range(MALFORMED_CONNS)]
        for t in threads:
            t.start()
        closed = {}
        for cls, data in longs:
            c = Lines(self.sock)
            try:
                try:
                    c.send(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # closed while we wrote: the answer is there
                deadline = time.monotonic() + IO_TIMEOUT
                got = c.line(deadline)
                more = c.line(deadline) if got is not None else None
            finally:
                c.close()
            if (got is None or not is_error(got) or
                    b"too long" not in got or more is not None or
                    c.eof is None):
                wrong.append((cls, data[:40], got, more, c.eof))
            else:
                closed[c.eof] = closed.get(c.eof, 0) + 1
        for t in threads:
            t.join(60.0)
        self.assertFalse(any(t.is_alive() for t in threads),
                         "malformed clients hang")
        n = sum(answers) + sum(closed.values())
        by = {}
        for cls, _ in lines:
            by[cls] = by.get(cls, 0) + 1
        return {"inputs": MALFORMED, "answered": n, "wrong": wrong,
                "closed": sum(closed.values()),
                "line": "%d inputs (%s; %d too long, one each on its own "
                        "connection), %d error answers, %d closed after "
                        "(%s)" % (
                            MALFORMED, ", ".join("%s %d" % kv for kv in
                                                 sorted(by.items())),
                            TOO_LONG, n, sum(closed.values()),
                            " ".join("%s %d" % kv for kv in
                                     sorted(closed.items())))}

    def burst(self):
        go = threading.Event()
        lock = threading.Lock()
        stats = {"open": 0, "peak": 0, "ok": 0}
        errors = []
        waits = []
        asks = ["status", "version", "zones", "help"]

        def client(i):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                # Blocking, bounded: a full backlog makes connect wait.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                             timeval(IO_TIMEOUT))
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                             timeval(IO_TIMEOUT))
                go.wait(30.0)
                t = time.monotonic()
                try:
                    s.connect(self.sock)
                except OSError as e:
                    errors.append(("connect", errno.errorcode.get(
                        e.errno, e.errno)))
                    return
                with lock:
                    stats["open"] += 1
                    stats["peak"] = max(stats["peak"], stats["open"])
                try:
                    s.sendall((asks[i % len(asks)] + "\n").encode())
                    if i % 2:
                        # As printf | socat does: the answer, then EOF.
                        s.shutdown(socket.SHUT_WR)
                    buf = b""
                    while b"\n" not in buf:
                        part = s.recv(1 << 16)
                        if not part:
                            break
                        buf += part
                except OSError as e:
                    errors.append(("io", errno.errorcode.get(e.errno,
                                                             e.errno)))
                    return
                finally:
                    with lock:
                        stats["open"] -= 1
                line = buf.split(b"\n", 1)[0]
                try:
                    ok = json.loads(line).get("ok") is True
                except ValueError:
                    ok = False
                if not ok:
                    errors.append(("answer", line[:100]))
                    return
                with lock:
                    stats["ok"] += 1
                    waits.append(time.monotonic() - t)
            finally:
                s.close()

        old = threading.stack_size(256 << 10)
        try:
            threads = [threading.Thread(target=client, args=(i,))
                       for i in range(BURST)]
            for t in threads:
                t.start()
        finally:
            threading.stack_size(old)
        t0 = time.monotonic()
        go.set()
        for t in threads:
            t.join(max(0.1, t0 + 2 * IO_TIMEOUT + 10 - time.monotonic()))
        hung = sum(1 for t in threads if t.is_alive())
        took = time.monotonic() - t0
        kinds = {}
        for k, v in errors:
            kinds["%s:%s" % (k, v)] = kinds.get("%s:%s" % (k, v), 0) + 1
        waits.sort()
        return {"ok": stats["ok"], "errors": errors, "hung": hung,
                "line": "%d clients at once in %.2f s: %d served, %d "
                        "errors %s, %d hung; at most %d connected at once;"
                        " each waited median %.0f ms, max %.0f ms" % (
                            BURST, took, stats["ok"], len(errors),
                            kinds or "", hung, stats["peak"],
                            1000 * pct(waits, 50) if waits else 0,
                            1000 * waits[-1] if waits else 0)}

    def trickle(self):
        socks = [None] * TRICKLE
        since = [None] * TRICKLE
        held = []  # seconds each held its connection until dropped
        retries = refused = sent = answered = 0
        t0 = time.monotonic()
        tick = t0
        while time.monotonic() < t0 + TRICKLE_S:
            for i in range(TRICKLE):
                if socks[i] is False:
                    continue  # dropped by the daemon
                if socks[i] is None:
                    s = socket.socket(socket.AF_UNIX,
                                      socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
                    try:
                        s.connect(self.sock)
                    except BlockingIOError:
                        s.close()  # the backlog is full: next second
                        retries += 1
                        continue
                    except ConnectionRefusedError:
                        s.close()
                        refused += 1
                        continue
                    socks[i], since[i] = s, time.monotonic()
                s = socks[i]
                try:
                    got = s.recv(4096)
                    if not got:
                        raise ConnectionResetError
                    answered += 1
                except BlockingIOError:
                    pass
                except (ConnectionResetError, BrokenPipeError):
                    held.append(time.monotonic() - since[i])
                    s.close()
                    socks[i] = False
                    continue
                try:
                    s.send(b"a")
                    sent += 1
                except BlockingIOError:
                    pass
                except (ConnectionResetError, BrokenPipeError):
                    held.append(time.monotonic() - since[i])
                    s.close()
                    socks[i] = False
            tick += 1.0
            time.sleep(max(0.0, min(tick, t0 + TRICKLE_S) -
                           time.monotonic()))
        waiting = sum(1 for s in socks if s is None)
        holding = 0
        for s in socks:
            if s not in (None, False):
                holding += 1
                s.close()
        held.sort()
        return {"dropped": len(held), "refused": refused,
                "answered": answered,
                "line": "%d clients a byte a second for %.0f s: %d dropped "
                        "by the daemon (after %s s), %d connected when "
                        "closed, %d never connected (%d retries past a "
                        "full backlog), %d refused, %d bytes sent, %d "
                        "answers" % (
                            TRICKLE, TRICKLE_S, len(held),
                            "%.1f-%.1f" % (held[0], held[-1]) if held
                            else "-", holding, waiting, retries, refused,
                            sent, answered)}

    def unread(self):
        socks = [None] * UNREAD
        since = [None] * UNREAD
        held = {"listed": [], "metrics": []}
        sent = [0] * UNREAD
        refused = 0
        t0 = time.monotonic()
        while time.monotonic() < t0 + UNREAD_S:
            if all(s is False for s in socks):
                break
            for i in range(UNREAD):
                if socks[i] is False:
                    continue
                kind = "listed" if i % 2 == 0 else "metrics"
                if socks[i] is None:
                    s = socket.socket(socket.AF_UNIX,
                                      socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
                    try:
                        s.connect(self.sock)
                    except BlockingIOError:
                        s.close()
                        continue
                    except ConnectionRefusedError:
                        s.close()
                        refused += 1
                        continue
                    socks[i], since[i] = s, time.monotonic()
                try:
                    n = socks[i].send((kind + "\n").encode() * 16)
                    sent[i] += n // (len(kind) + 1)
                except BlockingIOError:
                    pass
                except (ConnectionResetError, BrokenPipeError):
                    held[kind].append(time.monotonic() - since[i])
                    socks[i].close()
                    socks[i] = False
            time.sleep(0.1)
        left = 0
        for s in socks:
            if s not in (None, False):
                left += 1
                s.close()
        for v in held.values():
            v.sort()
        return {"dropped": sum(len(v) for v in held.values()),
                "left": left, "refused": refused,
                "line": "%d clients never reading: listed %d dropped "
                        "(held %s s), metrics %d dropped (held %s s), %d "
                        "still connected at the end, %d refused, %d "
                        "requests sent" % (
                            UNREAD, len(held["listed"]),
                            "%.1f-%.1f" % (held["listed"][0],
                                           held["listed"][-1])
                            if held["listed"] else "-",
                            len(held["metrics"]),
                            "%.1f-%.1f" % (held["metrics"][0],
                                           held["metrics"][-1])
                            if held["metrics"] else "-",
                            left, refused, sum(sent))}

    # -- the test --

    def test_abuse(self):
        d = self.d
        self.wait_listed()
        listed = ask(self.sock, "listed")
        size = len(json.dumps(listed, separators=(",", ":")))
        msize = len(json.dumps(ask(self.sock, "metrics"),
                               separators=(",", ":")))
        pid = d.pid
        rss_before = vm_kib(pid, "VmRSS")
        print("data: %d targets x %d zones, %d listings (listed answer: "
              "%d rows, %d bytes; metrics answer %d bytes); rblmond pid "
              "%d, RSS %.1f MiB" % (
                  self.ntargets, len(ZONES), self.want_listed,
                  listed["count"], size, msize, pid, mib(rss_before)),
              flush=True)
        with self.subTest("listed answers every listing"):
            got = {(r["target"], r["zone"]) for r in listed["listed"]}
            self.assertEqual(sorted(self.store.pairs() - got), [])
            self.assertEqual(listed["count"], self.want_listed)

        m = self.run_phase("malformed", self.malformed)
        b = self.run_phase("burst", self.burst)
        t = self.run_phase("trickle", self.trickle)
        u = self.run_phase("unread", self.unread)

        time.sleep(1.0)
        rss_after = vm_kib(pid, "VmRSS")
        final = self.status()
        print("overall: RSS %.1f -> %.1f MiB (%+.1f, bound %.0f), peak "
              "(VmHWM) %.1f MiB" % (
                  mib(rss_before), mib(rss_after),
                  mib(rss_after - rss_before), RSS_GROWTH_MAX / 1048576.0,
                  mib(vm_kib(pid, "VmHWM"))), flush=True)

        ctx = self.brief()
        with self.subTest("malformed: one error object each"):
            self.assertEqual(m["info"]["wrong"], [], ctx)
            self.assertEqual(m["info"]["answered"], MALFORMED, ctx)
            self.assertEqual(m["info"]["closed"], TOO_LONG, ctx)
            self.assertEqual(m["control"]["bad_requests"], MALFORMED,
                             "each counted as a bad request\n" + ctx)
        with self.subTest("burst: every client served"):
            self.assertEqual(b["info"]["errors"], [], ctx)
            self.assertEqual(b["info"]["hung"], 0, ctx)
            self.assertEqual(b["info"]["ok"], BURST, ctx)
            self.assertGreaterEqual(b["control"]["accepted"], BURST, ctx)
        with self.subTest("trickle: dropped when idle, none refused"):
            self.assertEqual(t["info"]["refused"], 0, ctx)
            self.assertEqual(t["info"]["answered"], 0, ctx)
            self.assertGreaterEqual(t["info"]["dropped"], 16, ctx)
            self.assertGreaterEqual(t["control"]["dropped_idle"],
                                    t["info"]["dropped"], ctx)
        with self.subTest("unread: every client that never reads dropped"):
            self.assertEqual(u["info"]["refused"], 0, ctx)
            self.assertEqual(u["info"]["left"], 0, ctx)
            self.assertGreaterEqual(u["control"]["dropped_slow"] +
                                    u["control"]["dropped_idle"], UNREAD,
                                    ctx)
        with self.subTest("the same daemon, within its memory"):
            self.assertTrue(d.alive(), ctx)
            self.assertEqual(final["pid"], pid, ctx)
            self.assertLess(rss_after - rss_before, RSS_GROWTH_MAX >> 10,
                            "RSS grew by %.1f MiB\n%s" % (
                                mib(rss_after - rss_before), ctx))
        for r in self.results:
            with self.subTest("sweeping during " + r["name"]):
                self.assertGreater(r["queries"], 0, ctx)
            with self.subTest("status answered during " + r["name"]):
                bad = [x for x in r["samples"]
                       if (x["rc"], x["ok"], x["pid"]) != (0, True, pid)]
                self.assertEqual(bad, [], ctx)
            with self.subTest("status within %.0f ms during %s" % (
                    STATUS_BOUND_MS, r["name"])):
                over = [x for x in r["samples"]
                        if x["ms"] >= STATUS_BOUND_MS]
                self.assertEqual(
                    over, [], "worst %.1f ms, %d of %d probes over "
                    "%.0f ms (\"at\": seconds into the phase)" % (
                        r["worst"], len(over), len(r["samples"]),
                        STATUS_BOUND_MS))
                # Probes every 100 ms: fewer means one was held.
                self.assertGreaterEqual(
                    len(r["samples"]), int(r["seconds"] / PROBE_PERIOD / 2),
                    "%d probes in %.1f s" % (len(r["samples"]),
                                             r["seconds"]))
        self.assertStopsCleanly(d)


if __name__ == "__main__":
    unittest.main()

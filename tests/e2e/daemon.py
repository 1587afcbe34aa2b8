# SPDX-License-Identifier: ISC
"""Harness of the suites that run rblmond as a long-lived monitor
(`rblmond -c CONF -f`): a private mount namespace whose /dev/log is a
datagram socket the test reads (syslog alerts parsed into fields), a
NOTIFY_SOCKET sink, the daemon started, signalled and waited for with
bounded loops, rbldnsd data rewritten and reloaded while it runs, the
alert_command's runs, and the SQLite state file read back read-only.

Nothing on the host is changed: /dev is replaced only inside a mount
namespace created with `unshare -m --propagation private`, held open by a
sleeping process, and every program of a test enters it with `nsenter`.
"""

import datetime
import json
import os
import re
import select
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

from dnslib import DNSRecord

import rbltest

UNSHARE = "/usr/bin/unshare"
NSENTER = "/usr/bin/nsenter"
LOGGER = "/usr/bin/logger"

# Bounds of the waits of this harness (seconds).
READY_TIMEOUT = 10.0
EXIT_TIMEOUT = 10.0
ALERT_TIMEOUT = 20.0
RELOAD_TIMEOUT = 10.0

FACILITIES = {"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4,
              "syslog": 5, "lpr": 6, "news": 7, "uucp": 8, "cron": 9,
              "authpriv": 10, "ftp": 11}
FACILITIES.update({"local%d" % i: 16 + i for i in range(8)})
SEVERITIES = {"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4,
              "notice": 5, "info": 6, "debug": 7}
LOG_WARNING = SEVERITIES["warning"]
LOG_NOTICE = SEVERITIES["notice"]

# The order of enum incident_kind in include/incident.h, for a store that keeps
# the kind as a number.
EVENT_KINDS = ("listed", "delisted", "changed", "reminder", "zone-down",
               "zone-up", "storage-error")


def wait_until(fn, timeout, step=0.05):
    """Call fn until it returns something true or timeout passes; its last
    value (true, or the false one of the last try)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def monotonic_usec():
    """CLOCK_MONOTONIC in microseconds, as MONOTONIC_USEC= carries it."""
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


# -- the mount namespace ---------------------------------------------------

# $1: the test's folder, $2: the syslog socket; then (path, size) pairs
# of tmpfs mounts. The real /dev is bound aside, a tmpfs takes its place
# and gets back the nodes programs need, /dev/log points at the test's
# socket, and the folder aside is detached again.
_NS_SCRIPT = r'''
set -eu
top=$1; sock=$2; shift 2
aside="$top/.realdev"
mkdir -p "$aside"
mount --rbind /dev "$aside"
mount -t tmpfs -o mode=0755,size=1m rblmon-e2e-dev /dev
for n in null zero full random urandom tty; do
	: > "/dev/$n"
	mount --bind "$aside/$n" "/dev/$n"
done
mkdir /dev/pts /dev/shm
mount --rbind "$aside/pts" /dev/pts
mount --rbind "$aside/shm" /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
ln -s pts/ptmx /dev/ptmx
ln -s "$sock" /dev/log
umount -l "$aside"
rmdir "$aside"
while [ $# -ge 2 ]; do
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2,mode=0755" rblmon-e2e-state "$1"
	shift 2
done
echo ready
exec sleep 2147483647
'''


class Namespace:
    """A private mount namespace with /dev/log bound to syslog_path.

    tmpfs: [(path, size)] small file systems mounted inside it only (size
    as mount(8) takes it: 256k, 4m). Paths inside it are reached from the
    test through /proc/PID/root (host_path).
    """

    def __init__(self, folder, syslog_path, tmpfs=()):
        self.folder = folder
        self.syslog_path = syslog_path
        self.tmpfs = list(tmpfs)
        self.proc = None
        self.err_path = os.path.join(folder, "namespace.err")

    def start(self):
        for tool in (UNSHARE, NSENTER):
            if not os.access(tool, os.X_OK):
                raise RuntimeError("%s is missing (Debian: util-linux)" %
                                   tool)
        argv = [UNSHARE, "-m", "--propagation", "private", "--",
                "/bin/sh", "-c", _NS_SCRIPT, "sh", self.folder,
                self.syslog_path]
        for path, size in self.tmpfs:
            argv += [path, size]
        err = open(self.err_path, "wb")
        try:
            self.proc = rbltest._spawn(argv, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=err)
        finally:
            err.close()
        fd = self.proc.stdout.fileno()
        line = b""
        deadline = time.monotonic() + READY_TIMEOUT
        while not line.endswith(b"\n") and time.monotonic() < deadline:
            if not select.select([fd], [], [], 0.1)[0]:
                if self.proc.poll() is not None:
                    break
                continue
            part = os.read(fd, 64)
            if not part:
                break
            line += part
        if line != b"ready\n":
            self.stop()
            raise RuntimeError("the mount namespace was not set up (needs "
                               "root, unshare and mount): %r %s" %
                               (line, self.errors()))
        return self

    @property
    def pid(self):
        return self.proc.pid

    def errors(self):
        try:
            with open(self.err_path, encoding="utf-8",
                      errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def argv(self, argv):
        """argv run inside the namespace (nsenter execs it: same pid)."""
        return [NSENTER, "-t", str(self.pid), "-m", "--"] + list(argv)

    def run(self, argv, timeout=rbltest.RUN_TIMEOUT, **kw):
        """Run argv inside and wait (bounded); a CompletedProcess."""
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("capture_output", True)
        return subprocess.run(self.argv(argv), timeout=timeout, **kw)

    def host_path(self, path):
        """The path as the test reaches it: through the namespace's root."""
        return "/proc/%d/root%s" % (self.pid, os.path.abspath(path))

    def stop(self):
        if self.proc is not None:
            rbltest._forget(self.proc)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None


# -- syslog ----------------------------------------------------------------

_SYSLOG_RE = re.compile(
    r"^<(\d{1,3})>([A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d) "
    r"([^\s\[\]:]+)(?:\[(\d+)\])?: (.*)$", re.S)
_KEY_RE = re.compile(r"[A-Za-z0-9_.-]+")


def parse_syslog(data):
    """A datagram `<PRI>Mmm dd hh:mm:ss ident[pid]: text` as a dict of
    facility, severity, stamp, ident, pid (int or None) and text; None when
    it has another shape."""
    text = data.decode("utf-8", "replace").rstrip("\n\0")
    m = _SYSLOG_RE.match(text)
    if m is None:
        return None
    pri = int(m.group(1))
    if pri > 191:
        return None
    return {"facility": pri >> 3, "severity": pri & 7,
            "stamp": m.group(2), "ident": m.group(3),
            "pid": int(m.group(4)) if m.group(4) else None,
            "text": m.group(5)}


def parse_fields(text):
    """`key=value key="quoted \\"value\\""` as an ordered list of (key,
    value); inside quotes \\" and \\\\ stand for " and \\, any other
    backslash sequence is kept as it is. Raises ValueError on anything
    else (a bare word, an unterminated quote, a stray blank)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        m = _KEY_RE.match(text, i)
        if m is None or m.end() >= n or text[m.end()] != "=":
            raise ValueError("no key=value at %d: %r" % (i, text[i:i + 40]))
        key = m.group(0)
        i = m.end() + 1
        if i < n and text[i] == '"':
            i += 1
            value = []
            while True:
                if i >= n:
                    raise ValueError("unterminated quote in %r" % text)
                c = text[i]
                if c == "\\" and i + 1 < n and text[i + 1] in '"\\':
                    value.append(text[i + 1])
                    i += 2
                elif c == '"':
                    i += 1
                    break
                else:
                    value.append(c)
                    i += 1
            value = "".join(value)
            if i < n and text[i] != " ":
                raise ValueError("text after a closing quote in %r" % text)
        else:
            j = text.find(" ", i)
            j = n if j < 0 else j
            value = text[i:j]
            if '"' in value:
                raise ValueError("a quote inside a bare value in %r" % text)
            i = j
        out.append((key, value))
        if i < n:
            if text[i] != " " or i + 1 >= n or text[i + 1] == " ":
                raise ValueError("fields not separated by one blank in %r"
                                 % text)
            i += 1
    return out


def parse_alert(text):
    """An alert line as a dict; ValueError when it is not one (a key given
    twice, or no event= first)."""
    pairs = parse_fields(text)
    if not pairs or pairs[0][0] != "event":
        raise ValueError("an alert starts with event=: %r" % text)
    d = dict(pairs)
    if len(d) != len(pairs):
        raise ValueError("a key given twice in %r" % text)
    return d


class Message:
    """One syslog datagram, parsed."""

    def __init__(self, received, raw):
        self.received = received  # time.monotonic() at arrival
        self.raw = raw
        p = parse_syslog(raw)
        self.parsed = p is not None
        p = p or {}
        self.facility = p.get("facility")
        self.severity = p.get("severity")
        self.ident = p.get("ident")
        self.pid = p.get("pid")
        self.text = p.get("text", raw.decode("utf-8", "replace"))
        self.fields = None
        self.error = None
        if self.text.startswith("event="):
            try:
                self.fields = parse_alert(self.text)
            except ValueError as e:
                self.error = str(e)

    @property
    def is_alert(self):
        return self.text.startswith("event=")

    def get(self, key, default=None):
        return (self.fields or {}).get(key, default)

    def __repr__(self):
        return "<%s.%s %s[%s] %r>" % (self.facility, self.severity,
                                      self.ident, self.pid, self.text)


class _Sink:
    """A unix datagram socket read by a thread into a list."""

    def __init__(self, path, passcred=False):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if passcred:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.passcred = passcred
        # Never make a sender block on a test that reads late.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.sock.settimeout(0.1)
        self.items = []
        self.lock = threading.Lock()
        self.closing = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        space = socket.CMSG_SPACE(struct.calcsize("iII"))
        while not self.closing:
            try:
                data, anc, _, _ = self.sock.recvmsg(65536, space)
            except socket.timeout:
                continue
            except OSError:
                return
            pid = None
            for level, kind, cdata in anc:
                if (level == socket.SOL_SOCKET and
                        kind == socket.SCM_CREDENTIALS and
                        len(cdata) >= 12):
                    pid = struct.unpack("iII", cdata[:12])[0]
            item = self.make(time.monotonic(), data, pid)
            with self.lock:
                self.items.append(item)

    def make(self, received, data, pid):
        raise NotImplementedError

    def snapshot(self, start=0):
        with self.lock:
            return list(self.items[start:])

    def mark(self):
        """A position: later calls with since=mark see only what followed."""
        with self.lock:
            return len(self.items)

    def close(self):
        self.closing = True
        self.thread.join(timeout=2.0)
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


class SyslogSink(_Sink):
    """The namespace's /dev/log: every datagram as a Message."""

    def make(self, received, data, pid):
        m = Message(received, data)
        m.sender = pid
        return m

    def messages(self, since=0):
        return self.snapshot(since)

    def alerts(self, since=0, **match):
        """Alert messages after since whose fields equal match (a key
        given as None must be absent)."""
        return [m for m in self.snapshot(since)
                if m.is_alert and matches(m, match)]

    def describe(self, since=0, last=60):
        items = self.snapshot(since)
        lines = ["syslog (%d messages%s):" %
                 (len(items), ", last %d" % last if len(items) > last
                  else "")]
        for m in items[-last:]:
            lines.append("  %r%s" % (m, "  PARSE ERROR: " + m.error
                                     if m.error else ""))
        return "\n".join(lines)


def matches(msg, match):
    for k, v in match.items():
        got = msg.get(k)
        if v is None:
            if got is not None:
                return False
        elif got != v:
            return False
    return True


class Notify:
    """One sd_notify datagram: KEY=VALUE lines."""

    def __init__(self, received, data, pid):
        self.received = received
        self.pid = pid
        self.text = data.decode("utf-8", "replace")
        self.fields = {}
        for line in self.text.split("\n"):
            if "=" in line:
                k, v = line.split("=", 1)
                self.fields[k] = v

    def __repr__(self):
        return "<notify pid=%s %r>" % (self.pid, self.text)


class NotifySink(_Sink):
    """A NOTIFY_SOCKET: every datagram as a Notify, with the sender's pid
    (SO_PASSCRED) when the kernel hands it over."""

    def __init__(self, path):
        super().__init__(path, passcred=True)

    def make(self, received, data, pid):
        return Notify(received, data, pid)

    def with_key(self, key, value=None, since=0):
        return [n for n in self.snapshot(since) if key in n.fields and
                (value is None or n.fields[key] == value)]

    def describe(self, since=0, last=40):
        items = self.snapshot(since)
        return "notify (%d datagrams):\n%s" % (
            len(items), "\n".join("  +%.3fs %r" % (n.received, n)
                                  for n in items[-last:]))


# -- the alert command -----------------------------------------------------

_HOOK = r'''#!/usr/bin/python3 -I
# Records one run of the alert command: its arguments, its RBLMON_*
# environment and when it ran, in a file of its own.
import json, os, sys, time
out = sys.argv[1]
rec = {"argv": sys.argv[1:], "pid": os.getpid(), "ppid": os.getppid(),
       "time": time.time(), "mono": time.monotonic(),
       "env": {k: v for k, v in os.environ.items()
               if k.startswith("RBLMON_")}}
name = "%.6f-%d" % (time.time(), os.getpid())
tmp = os.path.join(out, "." + name)
with open(tmp, "w") as f:
    json.dump(rec, f)
os.rename(tmp, os.path.join(out, name + ".json"))
'''


class Hook:
    """An alert_command that writes each run to a file in folder/hooks."""

    def __init__(self, folder):
        self.dir = os.path.join(folder, "hooks")
        os.makedirs(self.dir, exist_ok=True)
        self.script = rbltest.write_file(os.path.join(folder, "hook.py"),
                                         _HOOK, mode=0o755)

    @property
    def command(self):
        """The alert_command value."""
        return "%s %s" % (self.script, self.dir)

    def runs(self):
        """Every finished run so far: dicts with argv, pid, time, env."""
        out = []
        for name in sorted(os.listdir(self.dir)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(self.dir, name), encoding="utf-8") as f:
                out.append(json.load(f))
        out.sort(key=lambda r: (r["time"], r["pid"]))
        return out

    def events(self, **match):
        """The env of each run whose RBLMON_<KEY> equal match (keys given
        in lower case without the prefix: event="listed")."""
        want = {"RBLMON_" + k.upper(): v for k, v in match.items()}
        return [r["env"] for r in self.runs()
                if all(r["env"].get(k) == v for k, v in want.items())]

    def describe(self):
        runs = self.runs()
        return "alert_command (%d runs):\n%s" % (
            len(runs), "\n".join("  %r" % r["env"] for r in runs[-30:]))


# -- the state store -------------------------------------------------------

# Asks the store from inside a namespace: argv path, SQL, JSON arguments;
# prints the rows as JSON, or the error on stderr with exit 3.
_STORE_QUERY = r'''
import json, sqlite3, sys, urllib.parse
try:
    db = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(sys.argv[1]),
                         uri=True, timeout=5.0)
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute(sys.argv[2], json.loads(sys.argv[3]))]
    db.close()
except sqlite3.Error as e:
    sys.stderr.write("%s: %s" % (type(e).__name__, e))
    sys.exit(3)
json.dump(rows, sys.stdout)
'''


class Store:
    """The daemon's SQLite file, opened read-only for each question.

    ns: the Namespace whose view holds path (a tmpfs of its own); the
    questions are then asked by a python3 inside it, as SQLite resolves
    /proc/PID/root to the test's own view.
    """

    def __init__(self, path, ns=None):
        self.path = path
        self.ns = ns

    def exists(self):
        if self.ns is not None:
            return os.path.exists(self.ns.host_path(self.path))
        return os.path.exists(self.path)

    def connect(self):
        uri = "file:%s?mode=ro" % urllib.parse.quote(self.path)
        db = sqlite3.connect(uri, uri=True, timeout=5.0)
        db.row_factory = sqlite3.Row
        return db

    def query(self, sql, args=()):
        """Rows as dicts."""
        if self.ns is not None:
            r = self.ns.run([sys.executable, "-c", _STORE_QUERY, self.path,
                             sql, json.dumps(list(args))], timeout=30)
            if r.returncode == 3:
                raise sqlite3.OperationalError(r.stderr.decode())
            if r.returncode != 0:
                raise RuntimeError("store query in the namespace: %r" % r)
            return json.loads(r.stdout)
        db = self.connect()
        try:
            return [dict(r) for r in db.execute(sql, args).fetchall()]
        finally:
            db.close()

    def integrity(self):
        """PRAGMA integrity_check: ["ok"] on a sound file."""
        if self.ns is not None:
            return [r["integrity_check"] for r in
                    self.query("PRAGMA integrity_check")]
        db = self.connect()
        try:
            return [r[0] for r in db.execute("PRAGMA integrity_check")]
        finally:
            db.close()

    def tables(self):
        return sorted(r["name"] for r in self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))

    def columns(self, table):
        return [r["name"] for r in self.query(
            "PRAGMA table_info(%s)" % table)]

    def events(self):
        """The events table in id order; kind as a name whatever the
        column holds."""
        rows = self.query("SELECT * FROM events ORDER BY id")
        for r in rows:
            r["kind"] = event_kind_name(r.get("kind"))
        return rows

    def pairs(self):
        """(target, zone) of every row of pairs."""
        return {(r["target"], r["zone"]) for r in self.query(
            "SELECT target, zone FROM pairs")}

    def describe(self):
        try:
            ev = self.events()
            pairs = sorted(self.pairs())
        except sqlite3.Error as e:
            return "store %s: %s" % (self.path, e)
        lines = ["store: pairs %r" % pairs, "store: %d events" % len(ev)]
        lines += ["  %r" % e for e in ev[-30:]]
        return "\n".join(lines)


def event_kind_name(kind):
    if isinstance(kind, int) and 0 <= kind < len(EVENT_KINDS):
        return EVENT_KINDS[kind]
    return kind


# -- rbldnsd whose data changes --------------------------------------------

# The harness asks from an address of its own, so that rbldnsd's query
# log tells its questions from the daemon's.
HARNESS_SOURCE = "127.0.0.3"
# rbldnsd -l: "TIME CLIENT QNAME QTYPE IN: RCODE/ANCOUNT/SIZE"
_QUERY_LOG_RE = re.compile(
    r"^\d+ (\S+) (\S+) (\S+) IN: ([A-Z]+)/(\d+)/\d+$")


def harness_query(port, qname, qtype="A", timeout=0.5):
    """rbltest.dns_query, sent from HARNESS_SOURCE; the reply or None."""
    q = DNSRecord.question(qname, qtype)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.bind((HARNESS_SOURCE, 0))
            s.sendto(q.pack(), (rbltest.HOST, port))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                r = DNSRecord.parse(s.recv(65535))
                if r.header.id == q.header.id:
                    return r
        except (OSError, socket.timeout):
            return None
        except Exception:
            return None
    return None


class LiveRbldnsd(rbltest.Rbldnsd):
    """rbldnsd whose zone files the test rewrites and then reloads.

    files: {file name: [lines]} written before start. rbldnsd reloads a
    file whose mtime or size changed; each write gets an mtime of its own
    (a counter, not the clock) so two writes within a second both load.
    """

    def __init__(self, folder, zones, probe, files):
        super().__init__(folder, zones, probe)
        self._stamp = int(time.time()) - 86400
        for name, lines in files.items():
            self.write(name, lines)

    def argv(self, port):
        # A TTL of one second: a monitor that honours TTLs still asks
        # again within the short intervals of these tests.
        argv = super().argv(port)
        argv[argv.index("-t") + 1] = "1"
        # Every query logged to stdout (the log file), unbuffered.
        return argv[:1] + ["-l", "+-"] + argv[1:]

    def write(self, name, lines):
        path = os.path.join(self.folder, name)
        tmp = path + ".new"
        rbltest.write_file(tmp, "\n".join(lines) + "\n")
        self._stamp += 1
        os.utime(tmp, (self._stamp, self._stamp))
        os.rename(tmp, path)

    def serves(self, expect):
        """expect: [(qname, [A codes])]; True when every answer agrees
        (an empty list: NXDOMAIN or no A)."""
        for qname, codes in expect:
            r = harness_query(self.port, qname, "A", 0.5)
            if r is None or rbltest.a_records(r) != sorted(codes):
                return False
        return True

    def log_mark(self):
        """A position in the query log for queries(since)."""
        return len(self.log().splitlines())

    def queries(self, since=0):
        """The daemon's queries (not the harness's) logged after since:
        dicts of qname (lower case), qtype, rcode, answers."""
        out = []
        for line in self.log().splitlines()[since:]:
            m = _QUERY_LOG_RE.match(line)
            if m and m.group(1) != HARNESS_SOURCE:
                out.append({"qname": m.group(2).lower().rstrip("."),
                            "qtype": m.group(3), "rcode": m.group(4),
                            "answers": int(m.group(5))})
        return out

    def reload(self, expect, timeout=RELOAD_TIMEOUT):
        """SIGHUP, then wait until expect is served (asked again every
        second while it is not)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.proc.send_signal(signal.SIGHUP)
            if wait_until(lambda: self.serves(expect), 1.0, 0.05):
                return
        raise AssertionError("rbldnsd does not serve %r after a reload:\n%s"
                             % (expect, self.log()))

    def update(self, name, lines, expect):
        self.write(name, lines)
        self.reload(expect)

    def start_on(self, port):
        """Start again on a port it had (after stop)."""
        log = open(self.log_path, "ab")
        try:
            self.proc = rbltest._spawn(self.argv(port), stdout=log,
                                       stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        finally:
            log.close()
        if not rbltest.wait_answering(port, self.probe, self.proc):
            raise RuntimeError("rbldnsd did not start again on %d:\n%s" %
                               (port, self.log()))
        self.port = port
        return self


# -- configuration ---------------------------------------------------------

def daemon_config(port, targets, zones, state_db, hook=None, interval="1s",
                  jitter="10%", confirm=2, confirm_delay="1s", remind="0",
                  alert_timeout="10s", alert_max=4,
                  syslog_facility="local3", timeout="300ms", tries=1,
                  socket="", extra=()):
    """A daemon configuration: rbltest.render_config plus the monitor's
    keys of [rblmond]. A key given as None is left out; extra lines go at
    the end of [rblmond]. hook: a Hook, or None for no alert_command.
    socket "": rblmond.sock beside state_db."""
    if socket == "" and state_db:
        socket = os.path.join(os.path.dirname(state_db), "rblmond.sock")
    keys = [("state_db", state_db), ("socket", socket or None),
            ("interval", interval),
            ("jitter", jitter), ("confirm", confirm),
            ("confirm_delay", confirm_delay), ("remind", remind),
            ("alert_command", hook.command if hook else None),
            ("alert_timeout", alert_timeout if hook else None),
            ("alert_max", alert_max if hook else None),
            ("syslog_facility", syslog_facility)]
    lines = ["%s = %s" % (k, v) for k, v in keys if v is not None]
    lines += list(extra)
    return rbltest.render_config(port, targets, zones, timeout=timeout,
                                 tries=tries, extra="\n".join(lines))


# -- the daemon ------------------------------------------------------------

class Daemon:
    """rblmond -c CONFIG -f inside a Namespace, with NOTIFY_SOCKET set.

    stderr and stdout are read by threads into lists of (time, line).
    """

    def __init__(self, ns, notify, syslog, config_path, binary=None,
                 args=("-f",)):
        self.ns = ns
        self.notify = notify
        self.syslog = syslog
        self.config_path = config_path
        self.binary = binary or rbltest.rblmond_path()
        self.args = list(args)
        self.proc = None
        self.argv = None
        self.err = []
        self.out = []
        self._threads = []
        self.started = None
        self.runs = 0
        self.notify_mark = 0
        self.syslog_mark = 0
        self.err_mark = 0

    def start(self, wait_ready=True, watchdog_usec=None, env=None):
        if self.proc is not None and self.proc.poll() is None:
            raise AssertionError("rblmond is running already")
        e = {k: v for k, v in os.environ.items()
             if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
                          "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES")}
        e["LC_ALL"] = "C"
        e["NOTIFY_SOCKET"] = self.notify.path
        cmd = [self.binary, "-c", self.config_path] + self.args
        if watchdog_usec is not None:
            e["WATCHDOG_USEC"] = str(watchdog_usec)
            # systemd names the main pid; exec keeps the shell's.
            cmd = ["/bin/sh", "-c",
                   'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"',
                   "sh"] + cmd
        if env:
            e.update(env)
        self.argv = self.ns.argv(cmd)
        self.notify_mark = self.notify.mark()
        self.syslog_mark = self.syslog.mark()
        self.err_mark = len(self.err)
        self.started = time.monotonic()
        self.runs += 1
        self.proc = rbltest._spawn(self.argv, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=e,
                                   cwd=os.path.dirname(self.config_path))
        self._threads = [self._reader(self.proc.stderr, self.err),
                         self._reader(self.proc.stdout, self.out)]
        if wait_ready:
            self.wait_ready(self.notify_mark)
        return self

    def _reader(self, stream, into):
        def loop():
            for line in iter(stream.readline, b""):
                into.append((time.monotonic(),
                             line.decode("utf-8", "replace").rstrip("\n")))
            stream.close()
        t = threading.Thread(target=loop, daemon=True)
        t.start()
        return t

    @property
    def pid(self):
        return self.proc.pid

    def _wait(self, fn, timeout):
        """wait_until, but over as soon as the daemon has exited (after
        one last look)."""
        deadline = time.monotonic() + timeout
        while True:
            gone = not self.alive()
            value = fn()
            if value or gone or time.monotonic() >= deadline:
                return value
            time.sleep(0.05)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_notify(self, key, value=None, since=None,
                    timeout=READY_TIMEOUT, what=None):
        """The first datagram after since with key (=value); fails with
        everything seen when none comes in time or the daemon exits."""
        since = self.notify_mark if since is None else since

        def found():
            got = self.notify.with_key(key, value, since)
            return got[0] if got else None
        got = self._wait(found, timeout)
        if not got:
            raise AssertionError("%s: no %s%s within %.0f s%s\n%s" % (
                what or "notify", key, "" if value is None else "=" + value,
                timeout, "" if self.alive() else " (rblmond exited)",
                self.describe()))
        return got

    def wait_ready(self, since=None, timeout=READY_TIMEOUT):
        return self.wait_notify("READY", "1", since, timeout, "start-up")

    def wait_alerts(self, count=1, timeout=ALERT_TIMEOUT, since=None,
                    pred=None, **match):
        """Wait until count alerts after since match; the list of them
        (fails with what arrived otherwise)."""
        since = self.syslog_mark if since is None else since

        def found():
            got = [m for m in self.syslog.alerts(since, **match)
                   if pred is None or pred(m)]
            return got if len(got) >= count else None
        got = self._wait(found, timeout)
        if not got:
            have = len([m for m in self.syslog.alerts(since, **match)
                        if pred is None or pred(m)])
            raise AssertionError(
                "waited %.0f s for %d alert(s) %r, %d came%s\n%s" % (
                    timeout, count, match, have,
                    "" if self.alive() else " (rblmond exited)",
                    self.describe(since)))
        return got

    def wait_stderr(self, needle, since=0, timeout=RELOAD_TIMEOUT):
        """The first stderr line after line number since containing
        needle."""
        def found():
            for _, line in self.err[since:]:
                if needle in line:
                    return line
            return None
        got = self._wait(found, timeout)
        if not got:
            raise AssertionError("no stderr line with %r within %.0f s\n%s"
                                 % (needle, timeout, self.describe()))
        return got

    def wait_cycles(self, n=1, since=None, timeout=ALERT_TIMEOUT):
        """Wait for n STATUS= datagrams after since (n cycles done)."""
        since = self.notify.mark() if since is None else since

        def found():
            got = self.notify.with_key("STATUS", since=since)
            return got if len(got) >= n else None
        got = self._wait(found, timeout)
        if not got:
            raise AssertionError("no %d cycles (STATUS=) within %.0f s\n%s"
                                 % (n, timeout, self.describe()))
        return got

    def signal(self, sig):
        self.proc.send_signal(sig)

    def hup(self):
        self.signal(signal.SIGHUP)

    def term(self):
        self.signal(signal.SIGTERM)

    def kill9(self):
        self.signal(signal.SIGKILL)
        return self.wait_exit()

    def wait_exit(self, timeout=EXIT_TIMEOUT):
        """The exit status (negative: killed by that signal); fails when
        it runs on past timeout (and then kills it)."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError("rblmond did not exit within %.0f s\n%s" %
                                 (timeout, self.describe()))
        for t in self._threads:
            t.join(timeout=2.0)
        if self.proc in rbltest._processes:
            rbltest._processes.remove(self.proc)
        return rc

    def stop(self):
        """Make sure it is gone (SIGTERM, then SIGKILL)."""
        if self.proc is not None:
            rbltest._forget(self.proc)
            for t in self._threads:
                t.join(timeout=2.0)

    def stderr(self, since=0):
        return "\n".join(line for _, line in self.err[since:])

    def describe(self, since_syslog=None):
        rc = None if self.proc is None else self.proc.poll()
        since = self.syslog_mark if since_syslog is None else since_syslog
        try:
            with open(self.config_path, encoding="utf-8",
                      errors="replace") as f:
                config = f.read()
        except OSError as e:
            config = str(e)
        return "\n".join([
            "argv: %s" % " ".join(self.argv or []),
            "config (now):", "\n".join("  " + line for line in
                                       config.splitlines()[:60]),
            "pid: %s  exit: %s" % (self.proc.pid if self.proc else None,
                                   rc),
            "stderr (last 40 lines):",
            "\n".join("  " + line for _, line in self.err[-40:]),
            self.notify.describe(),
            self.syslog.describe(since)])


# -- test cases --------------------------------------------------------------

class DaemonTestCase(rbltest.E2ETestCase):
    """A test with its own namespace, syslog and notify sinks, alert
    command and state file; self.daemon(config text) starts rblmond.

    tmpfs: class attribute, [(name, size)] mounted at self.tmp/name inside
    the namespace only.
    """

    tmpfs = ()

    def setUp(self):
        super().setUp()
        self.t0 = time.time()
        self.syslog = SyslogSink(os.path.join(self.tmp, "log.sock"))
        self.addCleanup(self.syslog.close)
        self.notify = NotifySink(os.path.join(self.tmp, "notify.sock"))
        self.addCleanup(self.notify.close)
        self.ns = Namespace(self.tmp, self.syslog.path,
                            [(os.path.join(self.tmp, name), size)
                             for name, size in self.tmpfs]).start()
        self.addCleanup(self.ns.stop)
        self.hook = Hook(self.tmp)
        self.state_db = os.path.join(self.tmp, "state.db")
        self.store = Store(self.state_db)
        self.daemons = []

    def daemon(self, text, start=True, **kw):
        path = self.config(text)
        d = Daemon(self.ns, self.notify, self.syslog, path)
        self.daemons.append(d)
        self.addCleanup(d.stop)
        if start:
            d.start(**kw)
        return d

    def context(self, d=None):
        parts = []
        if d is not None:
            parts.append(d.describe(0))
        parts.append(self.hook.describe())
        if self.store.exists():
            parts.append(self.store.describe())
        return "\n".join(parts)

    def settle(self, d, cycles=2):
        """Let cycles more sweeps go by (for 'nothing more came')."""
        d.wait_cycles(cycles)

    def assertStopsCleanly(self, d):
        d.term()
        rc = d.wait_exit()
        self.assertEqual(rc, 0, "SIGTERM: exit status\n" + self.context(d))
        for word in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
            self.assertNotIn(word, d.stderr(), self.context(d))


def parse_when(text):
    """A since= value: POSIX seconds, or ISO 8601 in UTC or with an offset;
    POSIX seconds as a float (ValueError otherwise)."""
    if re.fullmatch(r"\d+", text):
        return float(text)
    t = text.replace("Z", "+00:00")
    d = datetime.datetime.fromisoformat(t)
    if d.tzinfo is None:
        raise ValueError("a time without a zone: %r" % text)
    return d.timestamp()


def parse_seconds(text):
    """A duration= value: seconds ("75"), or units ("1m15s", "2h",
    "1d2h3m4s"); seconds (ValueError otherwise)."""
    if re.fullmatch(r"\d+", text):
        return int(text)
    m = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text)
    if not m or not text:
        raise ValueError("not a duration: %r" % text)
    d, h, mi, s = (int(g or 0) for g in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + s


if __name__ == "__main__":
    sys.exit("a harness module; run the test_*.py files")

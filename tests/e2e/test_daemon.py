#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rblmond -f as a monitor against rbldnsd data that changes while it runs:
a listing is announced once, after confirmation, on syslog and to the
alert command with every field filled; a code change and a delisting
likewise; a zone whose RFC 5782 §5 test point breaks, or whose server goes
away, raises one zone-down and no target alerts, and one zone-up when it
heals; a resolver's bad days (faultdns.py) never become a listing. Also
the harness itself (HarnessTest): the namespace's syslog, the notify
sink, the parsers, the store reader, rbldnsd reloads and a stand-in
daemon driven through the Daemon class.
"""

import os
import signal
import subprocess
import sys
import time
import unittest

import daemon
import rbltest
from daemon import DaemonTestCase, LOG_NOTICE, LOG_WARNING

ZEN = "zen.example"
GROUP = "mail-out"
LOCAL3 = 19
TXT = "Listed by the test, see https://zen.example/q?ip=$"
DELIST = "https://example.test/?q={target}"
T1 = "192.0.2.25"
T2 = "192.0.2.26"
CLEAN = "192.0.2.27"


def zen_lines(listed=None, test_point=True):
    """rbldnsd ip4set lines: listed {ip: code}, the test point unless
    told otherwise, 127.0.0.1 never."""
    lines = [":127.0.0.2:" + TXT]
    if test_point:
        lines.append("127.0.0.2")
    for ip, code in sorted((listed or {}).items()):
        lines.append("%s :%s:%s" % (ip, code, TXT))
    return lines


def zen_expect(listed=None, test_point=True, targets=(T1, T2, CLEAN)):
    """What rbldnsd must answer once zen_lines(listed, ...) is loaded."""
    listed = listed or {}
    out = [(rbltest.qname_v4(t, ZEN), [listed[t]] if t in listed else [])
           for t in targets]
    out.append((rbltest.qname_v4("127.0.0.2", ZEN),
                ["127.0.0.2"] if test_point else []))
    return out


def zen_zone(port, **more):
    keys = {"type": "ip4", "listed": "127.0.0.2-127.0.0.11",
            "refused": "127.255.255.0/24",
            "code": ["127.0.0.2 SBL", "127.0.0.4-127.0.0.7 XBL"],
            "txt": "yes", "nameservers": "127.0.0.1:%d" % port,
            "severity": "critical", "delist_url": DELIST}
    keys.update(more)
    return (ZEN, keys)


TARGETS = [(GROUP, "ip", T1), (GROUP, "ip", T2), (GROUP, "ip", CLEAN)]


# -- the harness -------------------------------------------------------------

# A stand-in with the daemon's outward contract, to drive the harness:
# READY=1, one alert, STATUS= every 0.2 s, SIGHUP reloads (a config with
# "broken" in it is refused with FILE:LINE:), SIGTERM stops with exit 0,
# WATCHDOG=1 when WATCHDOG_USEC names it.
STAND_IN = r'''#!/usr/bin/python3 -I
import os, signal, socket, sys, syslog, time
conf = sys.argv[sys.argv.index("-c") + 1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def notify(text):
    sock.sendto(text.encode(), os.environ["NOTIFY_SOCKET"])
flags = []
def on_signal(sig, frame):
    flags.append(sig)
signal.signal(signal.SIGHUP, on_signal)
signal.signal(signal.SIGTERM, on_signal)
wd = int(os.environ.get("WATCHDOG_USEC", "0")) / 1e6
if os.environ.get("WATCHDOG_PID", str(os.getpid())) != str(os.getpid()):
    wd = 0
syslog.openlog("rblmond", syslog.LOG_PID, syslog.LOG_LOCAL3)
notify("READY=1")
syslog.syslog(syslog.LOG_WARNING, 'event=listed target=192.0.2.25 '
              'zone=zen.example txt="a \\"quoted\\" reason"')
n = 0
while True:
    while flags:
        sig = flags.pop(0)
        if sig == signal.SIGTERM:
            notify("STOPPING=1")
            sys.exit(0)
        us = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        notify("RELOADING=1\nMONOTONIC_USEC=%d" % us)
        with open(conf) as f:
            if "broken" in f.read():
                print("rblmond: %s:3: syntax error" %
                      os.path.basename(conf), file=sys.stderr, flush=True)
        notify("READY=1")
    time.sleep(wd / 2 if wd else 0.2)
    if wd:
        notify("WATCHDOG=1")
    n += 1
    notify("STATUS=cycle %d" % n)
'''

SENDER = r'''
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(sys.argv[2].encode(), sys.argv[1])
print(os.getpid())
'''

# (name, datagram, (facility, severity, ident, pid, text) or None)
SYSLOG_ROWS = [
    ("glibc with pid", b"<28>Dec  1 21:25:39 rblmond[4242]: event=listed x=1",
     (3, 4, "rblmond", 4242, "event=listed x=1")),
    ("no pid", b"<13>Jan 10 01:02:03 rblmond: hello",
     (1, 5, "rblmond", None, "hello")),
    ("local7.debug, newline", b"<191>Dec 31 23:59:59 a[1]: x\n",
     (23, 7, "a", 1, "x")),
    ("colon in text", b"<157>Feb  2 03:04:05 rblmond[9]: a: b",
     (19, 5, "rblmond", 9, "a: b")),
    ("pri too large", b"<192>Dec 31 23:59:59 a[1]: x", None),
    ("no header", b"event=listed", None),
    ("rfc 5424", b"<28>1 2024-01-01T00:00:00Z host rblmond 1 - - x", None),
    ("no text separator", b"<28>Dec  1 21:25:39 rblmond[1] x", None),
]

# (name, text, dict or None for ValueError)
ALERT_ROWS = [
    ("bare values", "event=listed target=192.0.2.25 zone=zen.example",
     {"event": "listed", "target": "192.0.2.25", "zone": "zen.example"}),
    ("quoted", 'event=listed txt="a b, c=d"',
     {"event": "listed", "txt": "a b, c=d"}),
    ("escaped quote and backslash", r'event=x txt="say \"hi\" \\ ok"',
     {"event": "x", "txt": 'say "hi" \\ ok'}),
    ("other escapes kept", r'event=x txt="\x1b[31m"',
     {"event": "x", "txt": r"\x1b[31m"}),
    ("empty quoted", 'event=x txt=""', {"event": "x", "txt": ""}),
    ("empty bare", "event=x codes=", {"event": "x", "codes": ""}),
    ("url", "event=x delist=https://e.test/?q=192.0.2.1&a=b",
     {"event": "x", "delist": "https://e.test/?q=192.0.2.1&a=b"}),
    ("event not first", "target=x event=listed", None),
    ("bare word", "event=listed target", None),
    ("two blanks", "event=listed  target=x", None),
    ("trailing blank", "event=listed ", None),
    ("unterminated", 'event=listed txt="open', None),
    ("text after quote", 'event=listed txt="a"b', None),
    ("key twice", "event=listed target=x target=y", None),
    ("quote in bare value", 'event=listed x=a"b', None),
    ("empty", "", None),
]


class HarnessTest(DaemonTestCase):
    """The harness on its own: runs without the daemon."""

    def in_ns(self, argv):
        r = self.ns.run(argv, timeout=20)
        self.assertEqual(r.returncode, 0, r)
        return r

    def test_parse_syslog(self):
        for name, data, want in SYSLOG_ROWS:
            with self.subTest(name):
                got = daemon.parse_syslog(data)
                if want is None:
                    self.assertIsNone(got)
                    continue
                self.assertEqual((got["facility"], got["severity"],
                                  got["ident"], got["pid"], got["text"]),
                                 want)

    def test_parse_alert(self):
        for name, text, want in ALERT_ROWS:
            with self.subTest(name):
                if want is None:
                    with self.assertRaises(ValueError):
                        daemon.parse_alert(text)
                else:
                    self.assertEqual(daemon.parse_alert(text), want)

    def test_parse_times(self):
        self.assertEqual(daemon.parse_when("1700000000"), 1700000000)
        self.assertEqual(daemon.parse_when("2023-11-14T22:13:20Z"),
                         1700000000)
        self.assertEqual(daemon.parse_when("2023-11-15T00:13:20+02:00"),
                         1700000000)
        self.assertRaises(ValueError, daemon.parse_when,
                          "2023-11-14T22:13:20")
        for text, secs in (("75", 75), ("75s", 75), ("1m15s", 75),
                           ("2h", 7200), ("1d2h3m4s", 93784)):
            self.assertEqual(daemon.parse_seconds(text), secs, text)
        for text in ("", "1x", "s", "1.5s"):
            self.assertRaises(ValueError, daemon.parse_seconds, text)

    def test_logger_through_the_namespace(self):
        # logger(1) writes to /dev/log: inside, that is our socket.
        text = ('event=listed target=192.0.2.25 zone=zen.example '
                'txt="Listed \\"here\\", see x" '
                'delist=https://example.test/?q=192.0.2.25')
        mark = self.syslog.mark()
        self.in_ns([daemon.LOGGER, "-t", "rblmond", "-p", "local3.warning",
                    "--id=4242", text])
        m = daemon.wait_until(lambda: self.syslog.alerts(mark), 5.0)
        self.assertTrue(m, self.syslog.describe())
        m = m[0]
        self.assertEqual((m.facility, m.severity, m.ident, m.pid),
                         (LOCAL3, LOG_WARNING, "rblmond", 4242))
        self.assertEqual(m.fields, {
            "event": "listed", "target": "192.0.2.25",
            "zone": "zen.example", "txt": 'Listed "here", see x',
            "delist": "https://example.test/?q=192.0.2.25"})

    def test_glibc_syslog_carries_the_pid(self):
        mark = self.syslog.mark()
        code = ("import os, syslog; print(os.getpid(), flush=True); "
                "syslog.openlog('rblmond', syslog.LOG_PID, "
                "syslog.LOG_DAEMON); "
                "syslog.syslog(syslog.LOG_NOTICE, 'event=zone-up zone=z "
                "state=ok')")
        r = self.in_ns([sys.executable, "-c", code])
        pid = int(r.stdout)
        got = daemon.wait_until(lambda: self.syslog.alerts(mark), 5.0)
        self.assertTrue(got, self.syslog.describe())
        self.assertEqual((got[0].facility, got[0].severity, got[0].pid,
                          got[0].get("state")), (3, LOG_NOTICE, pid, "ok"))

    def test_the_host_is_left_alone(self):
        def dev_mounts(path):
            with open(path, encoding="utf-8") as f:
                return sorted(line.split()[4] for line in f
                              if line.split()[4].startswith("/dev"))
        host_log = os.path.lexists("/dev/log")
        host_mounts = dev_mounts("/proc/self/mountinfo")
        r = self.in_ns(["/bin/sh", "-c",
                        "readlink /dev/log; echo x > /dev/null; "
                        "head -c 16 /dev/urandom | wc -c; "
                        "test -c /dev/zero && test -c /dev/full && "
                        "test -d /dev/pts && echo nodes"])
        self.assertEqual(r.stdout.decode().split(),
                         [self.syslog.path, "16", "nodes"])
        inside = dev_mounts("/proc/%d/mountinfo" % self.ns.pid)
        self.assertIn("log", os.listdir(self.ns.host_path("/dev")))
        self.assertNotEqual(inside, host_mounts)
        self.assertEqual(os.path.lexists("/dev/log"), host_log)
        self.assertEqual(dev_mounts("/proc/self/mountinfo"), host_mounts)

    def test_small_tmpfs_inside_only(self):
        path = os.path.join(self.tmp, "small")
        ns = daemon.Namespace(self.tmp, self.syslog.path,
                              [(path, "64k")]).start()
        self.addCleanup(ns.stop)
        filler = ns.host_path(os.path.join(path, "filler"))
        with self.assertRaises(OSError) as cm:
            with open(filler, "wb") as f:
                for _ in range(1000):
                    f.write(b"\0" * 4096)
                    f.flush()
        self.assertEqual(cm.exception.errno, 28)  # ENOSPC
        self.assertLessEqual(os.path.getsize(filler), 64 * 1024)
        self.assertEqual(os.listdir(path), [])
        r = ns.run(["/bin/sh", "-c", "ls %s" % path])
        self.assertEqual(r.stdout.decode().split(), ["filler"])
        # A state file there is read from inside.
        os.unlink(filler)
        db = os.path.join(path, "s.db")
        r = ns.run([sys.executable, "-c",
                    "import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); "
                    "d.execute('PRAGMA journal_mode=WAL'); "
                    "d.execute('CREATE TABLE pairs (target, zone)'); "
                    "d.execute(\"INSERT INTO pairs VALUES ('t', 'z')\"); "
                    "d.commit()", db])
        self.assertEqual(r.returncode, 0, r)
        store = daemon.Store(db, ns)
        self.assertTrue(store.exists())
        self.assertEqual(store.pairs(), {("t", "z")})
        self.assertEqual(store.integrity(), ["ok"])
        with self.assertRaises(Exception):
            store.query("DELETE FROM pairs")
        self.assertFalse(daemon.Store(db).exists())

    def test_notify_sink(self):
        mark = self.notify.mark()
        r = subprocess.run([sys.executable, "-c", SENDER, self.notify.path,
                            "READY=1\nSTATUS=2 listed, 0 errors"],
                           capture_output=True, timeout=20)
        pid = int(r.stdout)
        got = daemon.wait_until(lambda: self.notify.snapshot(mark), 5.0)
        self.assertTrue(got, self.notify.describe())
        self.assertEqual(got[0].fields, {"READY": "1",
                                         "STATUS": "2 listed, 0 errors"})
        self.assertEqual(got[0].pid, pid)

    def test_store_reader(self):
        import sqlite3
        db = sqlite3.connect(self.state_db)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE pairs (target TEXT, zone TEXT)")
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, "
                   "kind, target TEXT, zone TEXT, sent INTEGER)")
        db.execute("INSERT INTO pairs VALUES ('192.0.2.1', 'z')")
        db.execute("INSERT INTO events VALUES (1, 0, '192.0.2.1', 'z', 1)")
        db.execute("INSERT INTO events VALUES (2, 'zone-down', '', 'z', 0)")
        db.commit()
        # The writer keeps its connection (and the WAL) open.
        self.addCleanup(db.close)
        self.assertEqual(self.store.integrity(), ["ok"])
        self.assertEqual(self.store.pairs(), {("192.0.2.1", "z")})
        self.assertEqual([(e["id"], e["kind"], e["sent"])
                          for e in self.store.events()],
                         [(1, "listed", 1), (2, "zone-down", 0)])
        self.assertIn("events", self.store.tables())
        with self.assertRaises(sqlite3.OperationalError):
            self.store.connect().execute("DELETE FROM pairs")

    def test_rbldnsd_reloads(self):
        dns = daemon.LiveRbldnsd(self.tmp, [(ZEN, "ip4set", "zen")],
                                 "2.0.0.127." + ZEN,
                                 {"zen": zen_lines()}).start()
        self.addCleanup(dns.stop)
        self.assertTrue(dns.serves(zen_expect()))
        # Two changes within one second both load.
        # The second file is as long as the first: only its mtime moves.
        for listed in ({T1: "127.0.0.2"}, {T1: "127.0.0.4"},
                       {T1: "127.0.0.4", T2: "127.0.0.2"}, {}):
            dns.update("zen", zen_lines(listed), zen_expect(listed))
        dns.update("zen", zen_lines(test_point=False),
                   zen_expect(test_point=False))
        r = daemon.harness_query(dns.port, rbltest.qname_v4(T1, ZEN), "A")
        self.assertEqual(rbltest.a_records(r), [])
        # The harness's own questions are not in queries(); others are.
        mark = dns.log_mark()
        self.assertTrue(dns.serves(zen_expect(test_point=False)))
        rbltest.dns_query(dns.port, rbltest.qname_v4(T2, ZEN))
        got = daemon.wait_until(lambda: dns.queries(mark), 2.0)
        self.assertEqual(got, [{"qname": rbltest.qname_v4(T2, ZEN),
                                "qtype": "A", "rcode": "NXDOMAIN",
                                "answers": 0}])

    def test_hook_records_its_runs(self):
        env = {"RBLMON_EVENT": "listed", "RBLMON_TARGET": T1,
               "RBLMON_TXT": 'a "b" c', "PATH": "/usr/bin:/bin"}
        argv = self.hook.command.split()
        subprocess.run(argv, env=env, timeout=20, check=True)
        subprocess.run(argv, env=dict(env, RBLMON_EVENT="delisted"),
                       timeout=20, check=True)
        self.assertEqual(len(self.hook.runs()), 2)
        got = self.hook.events(event="listed")
        self.assertEqual(got, [{"RBLMON_EVENT": "listed",
                                "RBLMON_TARGET": T1,
                                "RBLMON_TXT": 'a "b" c'}])

    def test_daemon_class_on_a_stand_in(self):
        fake = rbltest.write_file(os.path.join(self.tmp, "stand-in"),
                                  STAND_IN, mode=0o755)
        path = self.config("[rblmond]\n")
        d = daemon.Daemon(self.ns, self.notify, self.syslog, path,
                          binary=fake)
        self.addCleanup(d.stop)
        d.start(watchdog_usec=200000)
        got = d.wait_alerts(event="listed", target="192.0.2.25")
        self.assertEqual(got[0].pid, d.pid)
        self.assertEqual(got[0].get("txt"), 'a "quoted" reason')
        d.wait_cycles(2)
        self.assertTrue(d.notify.with_key("WATCHDOG", "1"))
        self.assertTrue(all(n.pid == d.pid for n in self.notify.snapshot()))
        mark = self.notify.mark()
        t = daemon.monotonic_usec()
        d.hup()
        r = d.wait_notify("RELOADING", "1", since=mark)
        self.assertGreaterEqual(int(r.fields["MONOTONIC_USEC"]), t)
        d.wait_notify("READY", "1", since=mark)
        errs = len(d.err)
        self.config("[rblmond]\n; broken\n")
        d.hup()
        line = d.wait_stderr("rblmond.conf:3:", since=errs)
        self.assertIn("syntax error", line)
        with self.assertRaises(AssertionError):
            d.wait_alerts(event="delisted", timeout=0.5)
        mark = self.notify.mark()
        d.term()
        self.assertEqual(d.wait_exit(), 0)
        self.assertTrue(self.notify.with_key("STOPPING", "1", since=mark))
        d.start()
        self.assertEqual(d.kill9(), -signal.SIGKILL)


# -- the daemon --------------------------------------------------------------

class DaemonTest(DaemonTestCase):

    def server(self, listed=None, test_point=True):
        dns = daemon.LiveRbldnsd(self.tmp, [(ZEN, "ip4set", "zen")],
                                 "2.0.0.127." + ZEN,
                                 {"zen": zen_lines(listed, test_point)})
        dns.start()
        self.addCleanup(dns.stop)
        self.assertTrue(dns.serves(zen_expect(listed, test_point)))
        return dns

    def set_data(self, dns, listed=None, test_point=True):
        dns.update("zen", zen_lines(listed, test_point),
                   zen_expect(listed, test_point))
        return time.monotonic()

    def start(self, dns, interval="2s", confirm=2, confirm_delay="1s",
              zones=None, **kw):
        text = daemon.daemon_config(
            dns.port, TARGETS, zones or [zen_zone(dns.port)],
            self.state_db, hook=self.hook, interval=interval,
            confirm=confirm, confirm_delay=confirm_delay, **kw)
        return self.daemon(text)

    def target_alerts(self, d, since=0):
        return [m for m in self.syslog.alerts(since)
                if m.get("event") in ("listed", "delisted", "changed",
                                      "reminder")]

    def check_alert(self, d, m, want, severity):
        ctx = "%r\n%s" % (m, self.context(d))
        self.assertIsNone(m.error, ctx)
        self.assertEqual((m.ident, m.pid, m.facility, m.severity),
                         ("rblmond", d.pid, LOCAL3, severity), ctx)
        for k, v in want.items():
            self.assertEqual(m.get(k), v, "field %s\n%s" % (k, ctx))
        self.assertNotIn("redelivery", m.fields, ctx)

    def check_since(self, d, m):
        since = daemon.parse_when(m.get("since", ""))
        self.assertGreaterEqual(since, self.t0 - 2, m)
        self.assertLessEqual(since, time.time() + 2, m)
        return since

    def hook_run(self, d, **match):
        got = daemon.wait_until(lambda: self.hook.events(**match), 10.0)
        self.assertTrue(got, "no alert_command run with %r\n%s" %
                        (match, self.context(d)))
        self.assertEqual(len(got), 1, "%r\n%s" % (got, self.context(d)))
        return got[0]

    def check_hook(self, d, m, env):
        """The alert_command saw what syslog said; the run's RBLMON_ID is
        the store's row."""
        ctx = "%r\n%r\n%s" % (m, env, self.context(d))
        names = {"EVENT": "event", "TARGET": "target", "ZONE": "zone",
                 "CODES": "codes", "LABELS": "labels", "TXT": "txt",
                 "DELIST_URL": "delist", "SINCE": "since",
                 "SEVERITY": "severity", "GROUP": "group"}
        if "duration" in m.fields:
            # The line says 3h12m5s for people; the hook gets seconds.
            secs = daemon.parse_seconds(m.get("duration"))
            self.assertEqual(env.get("RBLMON_DURATION"), str(secs),
                             "RBLMON_DURATION vs duration=\n%s" % ctx)
        for var, key in names.items():
            if key in m.fields:
                self.assertEqual(env.get("RBLMON_" + var), m.get(key),
                                 "RBLMON_%s vs %s=\n%s" % (var, key, ctx))
        self.assertIn(env.get("RBLMON_REDELIVERY"), (None, "", "0"), ctx)
        ident = int(env["RBLMON_ID"])
        if "id" in m.fields:
            self.assertEqual(int(m.get("id")), ident, ctx)
        rows = daemon.wait_until(lambda: [
            e for e in self.store.events()
            if e["id"] == ident and e.get("sent")], 10.0)
        self.assertTrue(rows, "event %d not stored as sent\n%s" %
                        (ident, ctx))
        self.assertEqual((rows[0]["kind"], rows[0].get("target"),
                          rows[0].get("zone")),
                         (m.get("event"), m.get("target"), m.get("zone")),
                         ctx)

    def assertOnly(self, d, since, want, what):
        """The target alerts after since are exactly want: [(event,
        target)]."""
        got = [(m.get("event"), m.get("target"))
               for m in self.target_alerts(d, since)]
        self.assertEqual(got, want, "%s\n%s" % (what, self.context(d)))

    def test_listing_lifecycle(self):
        dns = self.server()
        d = self.start(dns)
        start = self.syslog.mark()
        d.wait_cycles(2)
        self.assertEqual(self.syslog.alerts(start), [],
                         "alerts with nothing listed\n" + self.context(d))

        # Listed: once, after two agreeing answers, every field filled.
        qlog = dns.log_mark()
        t_served = self.set_data(dns, {T1: "127.0.0.2"})
        mark = self.syslog.mark()
        m = d.wait_alerts(since=mark, event="listed", target=T1)[0]
        qname = rbltest.qname_v4(T1, ZEN)
        listed_answers = [q for q in dns.queries(qlog)
                          if q["qname"] == qname and q["qtype"] == "A" and
                          q["answers"] > 0]
        self.assertGreaterEqual(len(listed_answers), 2,
                                "announced before confirm=2 answers\n" +
                                self.context(d))
        # confirm_delay = 1s, less a little jitter and the time the
        # harness took to see the new data served.
        self.assertGreaterEqual(m.received - t_served, 0.6,
                                "announced before confirm_delay\n" +
                                self.context(d))
        self.assertLess(m.received - t_served, 2 * 1.2 + 1 + 2.0,
                        "the confirming query waited for an interval\n" +
                        self.context(d))
        self.check_alert(d, m, {
            "event": "listed", "target": T1, "group": GROUP, "zone": ZEN,
            "codes": "127.0.0.2", "labels": "SBL", "severity": "critical",
            "txt": TXT.replace("$", T1),
            "delist": DELIST.replace("{target}", T1)}, LOG_WARNING)
        since = self.check_since(d, m)
        self.check_hook(d, m, self.hook_run(d, event="listed", target=T1))
        self.assertEqual(self.store.pairs(), {(T1, ZEN)},
                         self.context(d))
        self.settle(d)
        self.assertOnly(d, mark, [("listed", T1)], "one listing")

        # The code changes: one changed, with the new codes and labels.
        mark = self.syslog.mark()
        self.set_data(dns, {T1: "127.0.0.4"})
        m = d.wait_alerts(since=mark, event="changed", target=T1)[0]
        self.check_alert(d, m, {
            "event": "changed", "target": T1, "group": GROUP, "zone": ZEN,
            "codes": "127.0.0.4", "labels": "XBL", "severity": "critical"},
            LOG_WARNING)
        self.check_hook(d, m, self.hook_run(d, event="changed", target=T1))
        self.settle(d)
        self.assertOnly(d, mark, [("changed", T1)], "one change")

        # Delisted: once, at notice, with how long it was listed.
        mark = self.syslog.mark()
        self.set_data(dns, {})
        m = d.wait_alerts(since=mark, event="delisted", target=T1)[0]
        self.check_alert(d, m, {"event": "delisted", "target": T1,
                                "group": GROUP, "zone": ZEN}, LOG_NOTICE)
        duration = daemon.parse_seconds(m.get("duration", ""))
        self.assertAlmostEqual(duration, time.time() - since, delta=4,
                               msg=self.context(d))
        self.check_hook(d, m, self.hook_run(d, event="delisted", target=T1))
        daemon.wait_until(lambda: not self.store.pairs(), 5.0)
        self.assertEqual(self.store.pairs(), set(), self.context(d))
        self.settle(d)
        self.assertOnly(d, mark, [("delisted", T1)], "one delisting")
        self.assertEqual([m.get("event") for m in self.syslog.alerts(start)],
                         ["listed", "changed", "delisted"],
                         self.context(d))
        self.assertEqual([e["kind"] for e in self.store.events()],
                         ["listed", "changed", "delisted"],
                         self.context(d))
        self.assertStopsCleanly(d)
        self.assertEqual(self.store.integrity(), ["ok"])

    def test_zone_down_and_up(self):
        dns = self.server({T1: "127.0.0.2"})
        d = self.start(dns, interval="1s")
        start = self.syslog.mark()
        d.wait_alerts(event="listed", target=T1)

        # The test point goes: one zone-down, then no target alerts.
        mark = self.syslog.mark()
        self.set_data(dns, {T1: "127.0.0.2"}, test_point=False)
        m = d.wait_alerts(since=mark, event="zone-down", zone=ZEN)[0]
        self.check_alert(d, m, {"event": "zone-down", "zone": ZEN,
                                "state": "dead"}, LOG_WARNING)
        self.assertTrue(m.get("detail"), m)
        # Listed while the zone cannot be trusted: not announced yet.
        self.set_data(dns, {T1: "127.0.0.2", T2: "127.0.0.2"},
                      test_point=False)
        self.settle(d, 3)
        self.assertOnly(d, mark, [], "target alerts while down")

        # Back: one zone-up, then the listing found meanwhile.
        up = self.syslog.mark()
        self.set_data(dns, {T1: "127.0.0.2", T2: "127.0.0.2"})
        m = d.wait_alerts(since=up, event="zone-up", zone=ZEN)[0]
        self.check_alert(d, m, {"event": "zone-up", "zone": ZEN,
                                "state": "ok"}, LOG_NOTICE)
        d.wait_alerts(since=up, event="listed", target=T2)
        self.settle(d, 2)
        self.assertOnly(d, up, [("listed", T2)], "after the zone is up")
        zone_alerts = [m.get("event") for m in self.syslog.alerts(start)
                       if m.get("event", "").startswith("zone-")]
        self.assertEqual(zone_alerts, ["zone-down", "zone-up"],
                         self.context(d))
        self.assertStopsCleanly(d)

    def test_server_gone_keeps_the_listing(self):
        dns = self.server({T1: "127.0.0.2"})
        d = self.start(dns, interval="1s")
        start = self.syslog.mark()
        d.wait_alerts(event="listed", target=T1)
        port = dns.port

        # Timeouts: the zone is dead, the listing stands.
        mark = self.syslog.mark()
        dns.stop()
        m = d.wait_alerts(since=mark, event="zone-down", zone=ZEN)[0]
        self.assertEqual(m.get("state"), "dead", m)
        self.settle(d, 3)
        self.assertOnly(d, mark, [], "target alerts while the server is "
                        "gone")
        self.assertEqual(self.store.pairs(), {(T1, ZEN)}, self.context(d))

        dns.start_on(port)
        up = self.syslog.mark()
        d.wait_alerts(since=up, event="zone-up", zone=ZEN)
        self.settle(d, 3)
        self.assertOnly(d, mark, [], "target alerts after the server is "
                        "back (the listing never ended)")
        self.assertEqual([m.get("event") for m in self.syslog.alerts(start)],
                         ["listed", "zone-down", "zone-up"],
                         self.context(d))
        self.assertEqual(self.store.pairs(), {(T1, ZEN)}, self.context(d))
        self.assertStopsCleanly(d)

    def test_bad_days_never_list(self):
        good = "good.test"
        listed = "192.0.2.2"
        per_target = {11: "servfail", 12: "silent", 13: "hijack",
                      14: "quota", 15: "malformed", 16: "refused",
                      20: "garbage", 22: "wrongid", 23: "wrongname",
                      27: "badrdata", 34: "qr0", 35: "echo", 37: "badnx",
                      39: "trailing", 49: "rcode:9", 74: "opcode:2",
                      88: "many:16:127.255.255.254", 89: "many:16:8.8.8.8",
                      90: "otherowner", 24: "a:127.0.0.2,198.51.100.7",
                      25: "a:127.0.0.2,127.255.255.254"}
        rules = {rbltest.qname_v4("192.0.2.%d" % n, good): act
                 for n, act in per_target.items()}
        rules[rbltest.qname_v4(listed, good)] = "listed"
        fdns = rbltest.FaultDNS(self.tmp, rules).start()
        self.addCleanup(fdns.stop)
        broken = {"servfail.test": "dead", "silent.test": "dead",
                  "refused.test": "dead", "malformed.test": "dead",
                  "quota.test": "refused", "hijack.test": "bogus",
                  "listsall.test": "lists-all",
                  "notestpoint.test": "dead"}
        ns = "127.0.0.1:%d" % fdns.port
        zones = [(z, {"type": "ip4", "listed": "127.0.0.2-127.0.0.11",
                      "refused": "127.255.255.0/24", "txt": "yes",
                      "nameservers": ns})
                 for z in [good] + sorted(broken)]
        targets = [(None, "ip", "192.0.2.%d" % n) for n in
                   sorted(per_target)] + [(None, "ip", listed),
                                          (None, "ip", "192.0.2.10")]
        text = daemon.daemon_config(fdns.port, targets, zones,
                                    self.state_db, hook=self.hook,
                                    interval="1s", confirm=2,
                                    confirm_delay="1s")
        d = self.daemon(text)
        d.wait_alerts(event="listed", target=listed, zone=good)
        for z, state in sorted(broken.items()):
            m = d.wait_alerts(event="zone-down", zone=z)[0]
            self.assertEqual(m.get("state"), state, "%s\n%s" %
                             (z, self.context(d)))
        self.settle(d, 4)
        got = sorted((m.get("event"), m.get("target") or m.get("zone"))
                     for m in self.syslog.alerts(0))
        want = sorted([("listed", listed)] +
                      [("zone-down", z) for z in broken])
        self.assertEqual(got, want, "only the real listing and one "
                         "zone-down per broken zone\n" + self.context(d))
        self.assertEqual(self.store.pairs(), {(listed, good)},
                         self.context(d))
        self.assertStopsCleanly(d)


if __name__ == "__main__":
    unittest.main()

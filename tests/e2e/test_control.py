#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rblmond's control plane end to end: the real rblmond -f against rbldnsd
on loopback, asked through the real rblmonctl (text and --json, exit
codes) and through a raw socket (pipelined requests answered in order,
bad ones with an error object). Every command of docs/control.md, the
metrics of docs/metrics.md (parsed with prometheus_client, the six
luzilla_rbls_* series of the dnsbl_exporter word for word) on the socket,
over HTTP and in the textfile, the Nagios plugin's states, the access
rule (nobody may read, not check, sweep or reload), the socket's mode,
no daemon (exit 3), and a second daemon on the same socket refused.

ControlTest shares one daemon whose data does not change; the suites
after it start a daemon of their own when the test changes what it
sees (a listing that ends, a zone that breaks, a reload, a stale cycle).
"""

import json
import os
import re
import socket
import stat
import time
import unittest
import urllib.error
import urllib.request

import ctlclient
import daemon
import rbltest
from ctlclient import COMMANDS, LUZILLA, NATIVE, Metrics, ask, run_ctl
from daemon import DaemonTestCase

ZEN = "zen.example"
BL = "bl.example"
GROUP = "mail-out"
T1 = "192.0.2.25"
T2 = "192.0.2.26"
CLEAN = "198.51.100.7"
UNWATCHED = "192.0.2.99"
DELIST = "https://example.test/?q={target}"
SBL_TXT = "SBL listing of $"
XBL_TXT = "XBL listing of $"
# How long a test waits for the daemon to get somewhere (seconds).
WAIT = 20.0


def zen_files(listed=(T1,), xbl=(T1,), test_point=True):
    """rbldnsd data of zen.example as two datasets, as Spamhaus' zen is
    built: one answers 127.0.0.2 (SBL), the other 127.0.0.4 (XBL), so a
    target in both has two codes."""
    sbl = [":127.0.0.2:" + SBL_TXT]
    if test_point:
        sbl.append("127.0.0.2")
    sbl += sorted(listed)
    return {"zen": sbl, "zenx": [":127.0.0.4:" + XBL_TXT] + sorted(xbl)}


def zen_expect(listed=(T1,), xbl=(T1,), test_point=True):
    out = []
    for t in (T1, T2, CLEAN):
        codes = (["127.0.0.2"] if t in listed else []) + \
            (["127.0.0.4"] if t in xbl else [])
        out.append((rbltest.qname_v4(t, ZEN), codes))
    out.append((rbltest.qname_v4("127.0.0.2", ZEN),
                ["127.0.0.2"] if test_point else []))
    return out


def start_dns(folder, files):
    dns = daemon.LiveRbldnsd(folder, [(ZEN, "ip4set", "zen"),
                                      (ZEN, "ip4set", "zenx"),
                                      (BL, "ip4set", "bl")],
                             "2.0.0.127." + ZEN,
                             dict(files, bl=[":127.0.0.2:bl $",
                                             "127.0.0.2"]))
    return dns.start()


def zones_of(port):
    ns = "127.0.0.1:%d" % port
    return [
        (ZEN, {"type": "ip4", "listed": "127.0.0.2-127.0.0.11",
               "code": ["127.0.0.2 SBL", "127.0.0.4-127.0.0.7 XBL"],
               "txt": "yes", "nameservers": ns, "severity": "critical",
               "delist_url": DELIST, "max_qps": "50"}),
        (BL, {"type": "ip4", "listed": "127.0.0.2", "txt": "yes",
              "nameservers": ns, "severity": "warning",
              "daily_budget": "1000000"}),
    ]


TARGETS = [(GROUP, "ip", T1), (GROUP, "ip", T2), (None, "ip", CLEAN)]


def config_text(port, state_db, socket_path="", interval="1s", extra=(),
                targets=TARGETS, zones=None, jitter="10%"):
    return daemon.daemon_config(port, targets, zones or zones_of(port),
                                state_db, interval=interval, jitter=jitter,
                                confirm=1, confirm_delay="1s",
                                socket=socket_path, extra=list(extra))


def txt_of(target, codes):
    """The TXT rblmond reports for target with codes (rbldnsd answers one
    string per dataset; rblmond joins them with "; ")."""
    texts = {"127.0.0.2": SBL_TXT, "127.0.0.4": XBL_TXT}
    return {texts[c].replace("$", target) for c in codes}


def row(text, first):
    """The cells of the first output line whose first cell is first (None
    when there is none)."""
    for line in text.splitlines():
        cells = line.split()
        if cells and cells[0] == first:
            return cells
    return None


def kv(text):
    """`key: value` lines of a text as a dict."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z][a-z -]*):\s+(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def perfdata(line):
    """A plugin line's performance data after "|": {label: [fields]}."""
    if "|" not in line:
        return None
    out = {}
    for item in line.split("|", 1)[1].split():
        label, _, value = item.partition("=")
        out[label] = value.split(";")
    return out


class Stack:
    """A namespace with its syslog and notify sinks, rbldnsd serving zen
    and bl, and rblmond -f on a configuration, for a class of tests that
    share it (DaemonTestCase builds the same for a single test)."""

    def __init__(self, folder, files, config):
        self.folder = folder
        self.stops = []
        try:
            self.syslog = daemon.SyslogSink(os.path.join(folder,
                                                         "log.sock"))
            self.stops.append(self.syslog.close)
            self.notify = daemon.NotifySink(os.path.join(folder,
                                                         "notify.sock"))
            self.stops.append(self.notify.close)
            self.ns = daemon.Namespace(folder, self.syslog.path).start()
            self.stops.append(self.ns.stop)
            self.dns = start_dns(folder, files)
            self.stops.append(self.dns.stop)
            self.state_db = os.path.join(folder, "state.db")
            self.socket = os.path.join(folder, "rblmond.sock")
            self.config_path = rbltest.write_file(
                os.path.join(folder, "rblmond.conf"),
                config(self.dns.port, self.state_db))
            self.d = daemon.Daemon(self.ns, self.notify, self.syslog,
                                   self.config_path)
            self.stops.append(self.d.stop)
            self.d.start()
        except BaseException:
            self.stop()
            raise

    def stop(self):
        while self.stops:
            self.stops.pop()()


def wait_answer(sock, request, pred, timeout=WAIT):
    """Ask request (raw) until pred(answer) holds; the last answer."""
    last = [None]

    def once():
        try:
            last[0] = ctlclient.ask_raw(sock, request, 5.0)
        except (OSError, ValueError, AssertionError):
            return False
        return pred(last[0])
    daemon.wait_until(once, timeout, 0.1)
    return last[0]


class CtlAsserts:
    """Checks shared by the suites (mixed into the test cases)."""

    def ctx(self, run, d=None):
        text = run.describe() if run is not None else ""
        if d is not None:
            text += "\n" + d.describe(0)
        return text

    def assertCtl(self, sock, args, rc=0, d=None, **kw):
        """rblmonctl ARGS in text and in --json: both exit rc, --json
        prints one JSON line whose ok says the same; (text run, answer)."""
        text = run_ctl(sock, *args, **kw)
        self.assertEqual(text.rc, rc, "exit code (text)\n" +
                         self.ctx(text, d))
        jrc, obj, jrun = ask(sock, *args, **kw)
        self.assertEqual(jrc, rc, "exit code (--json)\n" + self.ctx(jrun, d))
        self.assertIsInstance(obj, dict, "--json prints one JSON object\n" +
                              self.ctx(jrun, d))
        self.assertIs(obj.get("ok"), rc == 0, self.ctx(jrun, d))
        if rc == 0:
            self.assertEqual(text.err, "", self.ctx(text, d))
            self.assertEqual(jrun.err, "", self.ctx(jrun, d))
        else:
            # The error goes to stderr, as the daemon said it.
            self.assertEqual(text.out, "", self.ctx(text, d))
            self.assertEqual(text.err, "rblmonctl: %s\n" % obj.get("error"),
                             self.ctx(text, d))
            self.assertEqual(jrun.err, text.err, self.ctx(jrun, d))
        return text, obj

    def assertNagios(self, sock, args, rc, state, d=None, perf=True,
                     **kw):
        r = run_ctl(sock, "nagios", *args, **kw)
        ctx = self.ctx(r, d)
        self.assertEqual(r.rc, rc, "nagios exit code\n" + ctx)
        lines = r.out.splitlines()
        self.assertEqual(len(lines), 1, "one line of plugin output\n" + ctx)
        self.assertTrue(lines[0].startswith("RBLMON %s - " % state), ctx)
        p = perfdata(lines[0])
        if perf:
            self.assertIsNotNone(p, "performance data after |\n" + ctx)
            self.assertEqual(sorted(p), ["age", "errors", "listed",
                                         "listed_targets", "zones_ok"],
                             ctx)
        else:
            self.assertIsNone(p, "no performance data\n" + ctx)
        return lines[0], p


# -- one daemon shared by the tests that only look -------------------------

class ControlTest(rbltest.E2ETestCase, CtlAsserts):
    """T1 listed on zen with two codes (SBL and XBL), T2 and CLEAN clean,
    bl.example lists nothing; socket_mode 0666, metrics over HTTP and
    into a textfile."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.http_port = rbltest.free_port()
        cls.prom_dir = os.path.join(cls.class_tmp, "prom")
        os.makedirs(cls.prom_dir)
        cls.textfile = os.path.join(cls.prom_dir, "rblmond.prom")
        extra = ["socket_mode = 0666",
                 "metrics_listen = 127.0.0.1:%d" % cls.http_port,
                 "metrics_textfile = %s" % cls.textfile]
        cls.stack = Stack(cls.class_tmp, zen_files(),
                          lambda port, db: config_text(port, db,
                                                       extra=extra))
        cls.addClassCleanup(cls.stack.stop)
        cls.sock = cls.stack.socket
        cls.d = cls.stack.d
        # The listing is in the store and every zone finished a cycle.
        got = wait_answer(cls.sock, "listed",
                          lambda a: a.get("count") == 1)
        if not got or got.get("count") != 1:
            raise AssertionError("T1 not listed in time: %r\n%s" %
                                 (got, cls.d.describe(0)))
        got = wait_answer(cls.sock, "zones", lambda a: all(
            z["last_cycle"] is not None for z in a["zones"]))
        if not got or any(z["last_cycle"] is None for z in got["zones"]):
            raise AssertionError("no cycle ended: %r\n%s" %
                                 (got, cls.d.describe(0)))

    @classmethod
    def tearDownClass(cls):
        # SIGTERM: a clean exit, and no sanitizer report over the whole
        # run of the shared daemon.
        cls.d.term()
        rc = cls.d.wait_exit()
        report = [w for w in ("AddressSanitizer", "runtime error:",
                              "LeakSanitizer") if w in cls.d.stderr()]
        cls.stack.stop()
        super().tearDownClass()
        if rc != 0 or report:
            raise AssertionError("the shared rblmond: exit %s, %r\n%s" %
                                 (rc, report, cls.d.stderr()))

    def test_status(self):
        out, a = self.assertCtl(self.sock, ["status"], d=self.d)
        ctx = "%r\n%s" % (a, out.out)
        self.assertEqual((a["protocol"], a["pid"], a["uid"], a["config"],
                          a["generation"]),
                         (1, self.d.pid, 0, self.stack.config_path, 1), ctx)
        self.assertEqual((a["targets"], a["zones"], a["pairs"],
                          a["zones_ok"], a["zones_not_ok"]),
                         (3, 2, 6, 2, []), ctx)
        self.assertEqual((a["listed"], a["listed_targets"], a["errors"],
                          a["pending"], a["interval_max"]),
                         (1, 1, 0, 0, 1), ctx)
        self.assertLessEqual(a["started"], time.time(), ctx)
        self.assertGreaterEqual(a["uptime"], 0, ctx)
        cyc = a["cycle"]
        self.assertIsInstance(cyc, dict, ctx)
        self.assertLessEqual(abs(cyc["ended"] - time.time()), 5, ctx)
        self.assertEqual(sorted(cyc["by_status"]), sorted(
            rbltest.STATUSES), ctx)
        self.assertGreaterEqual(cyc["by_status"]["listed"], 1, ctx)
        self.assertEqual(cyc["by_status"]["error"], 0, ctx)
        self.assertEqual(a["store"], {"path": self.stack.state_db,
                                      "commits": a["store"]["commits"],
                                      "failing": False}, ctx)
        self.assertGreaterEqual(a["store"]["commits"], 1, ctx)
        self.assertGreaterEqual(a["alerts"]["announced"], 1, ctx)
        self.assertEqual(a["alerts"]["hook_failures"], 0, ctx)
        self.assertGreaterEqual(a["control"]["requests"], 1, ctx)
        # The text says the same.
        k = kv(out.out)
        self.assertIn("pid %d" % self.d.pid, k.get("version", ""), ctx)
        self.assertEqual(k.get("targets"), "3", ctx)
        self.assertEqual(k.get("zones"), "2, 2 ok", ctx)
        self.assertEqual(k.get("listed"), "1 pair on 1 target", ctx)
        self.assertIn(self.stack.config_path, k.get("config", ""), ctx)

    def test_targets(self):
        out, a = self.assertCtl(self.sock, ["targets"], d=self.d)
        self.assertEqual(a["targets"], [
            {"target": T1, "group": GROUP, "listed": 1},
            {"target": T2, "group": GROUP, "listed": 0},
            {"target": CLEAN, "group": None, "listed": 0}], a)
        self.assertEqual(a["count"], 3, a)
        self.assertEqual(row(out.out, "TARGET"),
                         ["TARGET", "GROUP", "LISTED"], out.out)
        self.assertEqual(row(out.out, T1), [T1, GROUP, "1"], out.out)
        self.assertEqual(row(out.out, CLEAN), [CLEAN, "-", "0"], out.out)

    def test_zones(self):
        out, a = self.assertCtl(self.sock, ["zones"], d=self.d)
        zones = {z["zone"]: z for z in a["zones"]}
        self.assertEqual([z["zone"] for z in a["zones"]], [ZEN, BL], a)
        probes = [{"point": "127.0.0.2", "outcome": "codes",
                   "code": "127.0.0.2", "verdict": "listed"},
                  {"point": "127.0.0.1", "outcome": "nxdomain",
                   "code": None, "verdict": "clean"}]
        for name, want in ((ZEN, {"severity": "critical", "max_qps": 50,
                                  "budget": None, "listed": 1}),
                           (BL, {"severity": "warning", "max_qps": None,
                                 "budget": 1000000, "listed": 0})):
            z = zones[name]
            ctx = "%s: %r" % (name, z)
            self.assertEqual((z["type"], z["state"], z["reason"],
                              z["interval"], z["stretched"], z["probes"]),
                             ("ip4", "ok", None, 1, False, probes), ctx)
            for k, v in want.items():
                self.assertEqual(z[k], v, "%s\n%s" % (k, ctx))
            self.assertGreater(z["used_today"], 0, ctx)
            self.assertGreaterEqual(z["queries"], z["used_today"], ctx)
            self.assertLessEqual(abs(z["last_probe"] - time.time()), 10,
                                 ctx)
            self.assertIsInstance(z["last_cycle"]["seconds"], (int, float),
                                  ctx)
            r = row(out.out, name)
            self.assertIsNotNone(r, out.out)
            self.assertEqual(r[1], "ok", out.out)
            self.assertEqual(r[-1], want["severity"], out.out)

    def test_listed(self):
        out, a = self.assertCtl(self.sock, ["listed"], d=self.d)
        self.assertEqual(a["count"], 1, a)
        e = a["listed"][0]
        ctx = repr(a)
        self.assertEqual({k: e[k] for k in ("target", "zone", "group",
                                            "codes", "labels", "delist",
                                            "severity")},
                         {"target": T1, "zone": ZEN, "group": GROUP,
                          "codes": ["127.0.0.2", "127.0.0.4"],
                          "labels": ["SBL", "XBL"],
                          "delist": DELIST.replace("{target}", T1),
                          "severity": "critical"}, ctx)
        self.assertEqual(set(e["txt"].split("; ")),
                         txt_of(T1, e["codes"]), ctx)
        self.assertLessEqual(e["since"], e["last_seen"], ctx)
        self.assertGreaterEqual(e["since"], self.d_started_wall() - 2, ctx)
        r = row(out.out, T1)
        self.assertEqual(r[:4], [T1, ZEN, "127.0.0.2,127.0.0.4",
                                 "SBL,XBL"], out.out)
        self.assertIn("txt: " + e["txt"], out.out)
        self.assertIn("delist: " + e["delist"], out.out)

    def d_started_wall(self):
        return ask(self.sock, "status")[1]["started"]

    def test_show_watched(self):
        out, a = self.assertCtl(self.sock, ["show", T1], d=self.d)
        ctx = repr(a)
        self.assertEqual((a["target"], a["watched"], a["group"]),
                         (T1, True, GROUP), ctx)
        zones = {z["zone"]: z for z in a["zones"]}
        self.assertEqual(list(zones), [ZEN, BL], ctx)
        z = zones[ZEN]
        self.assertEqual((z["status"], z["codes"], z["labels"], z["delist"]),
                         ("listed", ["127.0.0.2", "127.0.0.4"],
                          ["SBL", "XBL"], DELIST.replace("{target}", T1)),
                         ctx)
        self.assertEqual(set(z["txt"].split("; ")), txt_of(T1, z["codes"]),
                         ctx)
        self.assertEqual(zones[BL]["status"], "clean", ctx)
        self.assertEqual(row(out.out, ZEN)[:4], [ZEN, "listed",
                                                 "127.0.0.2,127.0.0.4",
                                                 "SBL,XBL"], out.out)
        self.assertEqual(row(out.out, BL)[:2], [BL, "clean"], out.out)
        # A clean target; and one given in another spelling.
        _, a = self.assertCtl(self.sock, ["show", CLEAN], d=self.d)
        self.assertEqual([(z["zone"], z["status"]) for z in a["zones"]],
                         [(ZEN, "clean"), (BL, "clean")], a)
        self.assertEqual(a["group"], None, a)

    def test_show_not_watched(self):
        _, a = self.assertCtl(self.sock, ["show", UNWATCHED], rc=1,
                              d=self.d)
        self.assertEqual(a["error"], "%s is not watched (try check)" %
                         UNWATCHED, a)
        _, a = self.assertCtl(self.sock, ["show", "1::2::3"], rc=1,
                              d=self.d)
        self.assertEqual(a["error"], '"1::2::3" is not an address or a '
                         'domain', a)

    def test_check_listed_and_clean(self):
        out, a = self.assertCtl(self.sock, ["check", T1], d=self.d)
        ctx = repr(a)
        self.assertEqual(a["target"], T1, ctx)
        self.assertEqual([c["zone"] for c in a["checks"]], [ZEN, BL], ctx)
        z, b = a["checks"]
        self.assertEqual({k: z[k] for k in ("status", "codes", "labels",
                                            "error", "zone_state")},
                         {"status": "listed",
                          "codes": ["127.0.0.2", "127.0.0.4"],
                          "labels": ["SBL", "XBL"], "error": None,
                          "zone_state": "ok"}, ctx)
        self.assertEqual(set(z["txt"].split("; ")), txt_of(T1, z["codes"]),
                         ctx)
        self.assertEqual({k: b[k] for k in ("status", "codes", "labels",
                                            "txt", "error", "zone_state")},
                         {"status": "clean", "codes": [], "labels": [],
                          "txt": None, "error": None, "zone_state": "ok"},
                         ctx)
        for c in a["checks"]:
            self.assertIsInstance(c["ms"], int, ctx)
            self.assertGreaterEqual(c["ms"], 0, ctx)
        self.assertEqual(row(out.out, ZEN)[:4], [ZEN, "listed",
                                                 "127.0.0.2,127.0.0.4",
                                                 "SBL,XBL"], out.out)
        self.assertEqual(row(out.out, BL)[:2], [BL, "clean"], out.out)
        self.assertIn("txt: " + z["txt"], out.out)
        # A clean target, and one that is not watched: checked all the
        # same.
        for target in (CLEAN, UNWATCHED):
            out, a = self.assertCtl(self.sock, ["check", target], d=self.d)
            self.assertEqual(a["target"], target, a)
            self.assertEqual([(c["zone"], c["status"], c["codes"])
                              for c in a["checks"]],
                             [(ZEN, "clean", []), (BL, "clean", [])], a)
            self.assertEqual(row(out.out, ZEN)[:2], [ZEN, "clean"],
                             out.out)

    def test_check_one_zone(self):
        out, a = self.assertCtl(self.sock, ["check", T1, ZEN], d=self.d)
        self.assertEqual([(c["zone"], c["status"]) for c in a["checks"]],
                         [(ZEN, "listed")], a)
        self.assertIsNone(row(out.out, BL), out.out)
        _, a = self.assertCtl(self.sock, ["check", T1, BL], d=self.d)
        self.assertEqual([(c["zone"], c["status"]) for c in a["checks"]],
                         [(BL, "clean")], a)

    def test_check_unknown_zone(self):
        _, a = self.assertCtl(self.sock, ["check", T1, "nope.example"],
                              rc=1, d=self.d)
        self.assertEqual(a["error"], 'zone "nope.example" is not '
                         'configured', a)

    def test_sweep(self):
        mark = self.d.notify.mark()
        out, a = self.assertCtl(self.sock, ["sweep"], d=self.d)
        self.assertEqual(a["zones"], [ZEN, BL], a)
        for z in (ZEN, BL):
            self.assertIn("  %s\n" % z, out.out)
        # Cycles go on after it.
        self.d.wait_cycles(1, since=mark)

    def test_diagnose_all_ok(self):
        out, a = self.assertCtl(self.sock, ["diagnose"], d=self.d)
        self.assertEqual([c["cause"] for c in a["causes"]], ["none"], a)
        self.assertEqual(a["causes"][0]["zones"], [], a)
        self.assertEqual(a["zones"], [], a)
        self.assertIn("every zone is ok", out.out)

    def test_explain_listed(self):
        text = ("554 5.7.1 Service unavailable; Client host [%s] blocked "
                "using %s; see https://zen.example/q?ip=%s" % (T1, ZEN, T1))
        out, a = self.assertCtl(self.sock, ["explain", text], d=self.d)
        ctx = repr(a)
        self.assertEqual((a["kind"], a["target"], a["zone"], a["list"],
                          a["checked"]),
                         ("listed", T1, ZEN, None, True), ctx)
        self.assertIn(T1, a["explanation"], ctx)
        self.assertEqual([(c["zone"], c["status"], c["codes"], c["labels"],
                           c["zone_state"]) for c in a["checks"]],
                         [(ZEN, "listed", ["127.0.0.2", "127.0.0.4"],
                           ["SBL", "XBL"], "ok")], ctx)
        k = kv(out.out)
        self.assertEqual((k.get("kind"), k.get("target"), k.get("zone")),
                         ("listed", T1, ZEN), out.out)
        self.assertEqual(row(out.out, ZEN)[:2], [ZEN, "listed"], out.out)

    def test_explain_open_resolver(self):
        text = ("554 5.7.1 Service unavailable; Client host [%s] blocked "
                "using zen.spamhaus.org; Error: open resolver; "
                "https://check.spamhaus.org/returnc/pub/198.51.100.53/" % T1)
        out, a = self.assertCtl(self.sock, ["explain", text], d=self.d)
        ctx = repr(a)
        self.assertEqual((a["kind"], a["target"], a["zone"]),
                         ("receiver-resolver", T1, "zen.spamhaus.org"), ctx)
        # zen.spamhaus.org is not configured here: nothing checked, and
        # the answer says why.
        self.assertEqual((a["checked"], a["checks"]), (False, []), ctx)
        self.assertIn("not a configured zone", a["note"], ctx)
        self.assertEqual(kv(out.out).get("kind"), "receiver-resolver",
                         out.out)
        with self.subTest("the text says why nothing was checked"):
            self.assertIn(a["note"], out.out, out.out)

    def test_explain_stdin(self):
        dsn = ("This is the mail system at host mx.example.net.\n"
               "\n"
               "I'm sorry to have to inform you that your message could "
               "not\nbe delivered to one or more recipients.\n"
               "\n"
               "<bob@example.com>: host mx.example.com[203.0.113.5] said: "
               "554 5.7.1\n"
               "    Service unavailable; Client host [%s] blocked using\n"
               "    %s; https://zen.example/q?ip=%s (in reply to RCPT TO\n"
               "    command)\n\n" % (T1, ZEN, T1))
        out, a = self.assertCtl(self.sock, ["explain", "-"], d=self.d,
                                stdin=dsn)
        ctx = repr(a)
        self.assertEqual((a["kind"], a["target"], a["zone"], a["checked"]),
                         ("listed", T1, ZEN, True), ctx)
        self.assertEqual([(c["zone"], c["status"]) for c in a["checks"]],
                         [(ZEN, "listed")], ctx)
        self.assertEqual(kv(out.out).get("target"), T1, out.out)
        # More than one request holds: a usage error, nothing sent.
        r = run_ctl(self.sock, "explain", "-", stdin="x" * 2000)
        self.assertEqual((r.rc, r.out), (2, ""), r.describe())
        self.assertTrue(r.err.startswith("rblmonctl: "), r.describe())

    def test_version(self):
        out, a = self.assertCtl(self.sock, ["version"], d=self.d)
        v = rbltest.run_rblmond(["-V"]).stdout.split()
        self.assertEqual(v[0], "rblmond", v)
        self.assertEqual((a["version"], a["protocol"]), (v[1], 1), a)
        self.assertEqual(out.out, "rblmond %s, protocol 1\n" % v[1])
        self.assertEqual(ask(self.sock, "status")[1]["version"], v[1])
        r = run_ctl(None, "-V")
        self.assertEqual((r.rc, r.out), (0, "rblmonctl %s\n" % v[1]),
                         r.describe())

    def test_help(self):
        out, a = self.assertCtl(self.sock, ["help"], d=self.d)
        self.assertEqual([(c["name"], c["usage"], c["access"])
                          for c in a["commands"]], COMMANDS, a)
        for c in a["commands"]:
            self.assertTrue(c["help"], c)
        lines = out.out.splitlines()
        for name, usage, _ in COMMANDS:
            self.assertTrue([ln for ln in lines if ln.startswith(usage +
                                                                 "  ")],
                            "%s missing\n%s" % (usage, out.out))
        # rblmonctl -h lists them too, and its own explain - and nagios.
        r = run_ctl(None, "-h")
        self.assertEqual(r.rc, 0, r.describe())
        usages = [ln.strip().split("  ")[0] for ln in r.out.splitlines()
                  if ln.startswith("  ") and not ln.startswith("   ")]
        for _, usage, _ in COMMANDS:
            self.assertIn(usage, usages, r.out)
        self.assertIn("explain -", usages, r.out)
        self.assertTrue([u for u in usages if u.startswith("nagios")],
                        r.out)

    def test_history_of_the_listing(self):
        out, a = self.assertCtl(self.sock, ["history", T1, "--limit", "5"],
                                d=self.d)
        self.assertEqual([(e["event"], e["target"], e["zone"], e["codes"])
                          for e in a["events"]],
                         [("listed", T1, ZEN, ["127.0.0.2", "127.0.0.4"])],
                         a)
        self.assertIsNone(a["events"][0]["duration"], a)
        self.assertEqual(row(out.out, "TIME")[:5],
                         ["TIME", "EVENT", "TARGET", "ZONE", "DETAILS"],
                         out.out)
        _, a = self.assertCtl(self.sock, ["history", T2], d=self.d)
        self.assertEqual(a["events"], [], a)
        for bad in ("0", "10001", "x"):
            r = run_ctl(self.sock, "history", "--limit", bad)
            self.assertEqual((r.rc, r.out), (2, ""), r.describe())

    # -- metrics --

    def assertMetrics(self, text, what):
        """The whole check of a metrics document against the listing."""
        m = Metrics(text)
        ctx = "%s:\n%s" % (what, text)
        self.assertEqual(m.comment_errors, [], ctx)
        # Every family has HELP and TYPE, right before its samples,
        # which are never split.
        self.assertEqual(set(m.help), set(m.type), ctx)
        current = None
        seen = []
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                current = line.split()[2]
                self.assertNotIn(current, seen, "family twice\n" + ctx)
                seen.append(current)
            elif line and not line.startswith("#"):
                name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
                self.assertEqual(m.family_of(name), current,
                                 "sample outside its family: %s\n%s" %
                                 (line, ctx))
        for name in m.type:
            self.assertIn(name, m.families, ctx)
            self.assertTrue(m.help[name], "empty HELP of %s" % name)
        # The native families of docs/metrics.md.
        for name, (typ, labels) in NATIVE.items():
            self.assertEqual(m.type.get(name), typ, "%s\n%s" % (name, ctx))
            for lab, _ in m.samples(name):
                self.assertEqual(tuple(sorted(lab)), labels,
                                 "%s labels\n%s" % (name, ctx))
        listed = sorted((lab["target"], lab["group"], lab["zone"],
                         lab["code"], lab["label"], v)
                        for lab, v in m.samples("rblmon_listed"))
        self.assertEqual(listed, [
            (T1, GROUP, ZEN, "127.0.0.2", "SBL", 1.0),
            (T1, GROUP, ZEN, "127.0.0.4", "XBL", 1.0)], ctx)
        self.assertEqual(m.value("rblmon_targets"), 3, ctx)
        self.assertEqual(m.value("rblmon_zones"), 2, ctx)
        for z, n in ((ZEN, 1), (BL, 0)):
            self.assertEqual(m.value("rblmon_zone_listed_targets", zone=z),
                             n, ctx)
            self.assertEqual(m.value("rblmon_zone_state", zone=z,
                                     state="ok"), 1, ctx)
        self.assertEqual(m.value("rblmon_budget_limit", zone=BL), 1000000,
                         ctx)
        self.assertIsNone(m.value("rblmon_budget_limit", zone=ZEN), ctx)
        self.assertGreaterEqual(m.value("rblmon_alerts_total",
                                        event="listed"), 1, ctx)
        # The six luzilla_rbls_* families, as the exporter writes them:
        # names in order, types, HELP, label names sorted.
        luz = [n for n in m.order if n.startswith("luzilla_")]
        self.assertEqual(luz, sorted(LUZILLA), ctx)
        for name, (typ, labels, help_text) in LUZILLA.items():
            self.assertEqual((m.type.get(name), m.help.get(name)),
                             (typ, help_text), "%s\n%s" % (name, ctx))
            self.assertTrue(m.samples(name), "%s has no sample" % name)
            for lab, _ in m.samples(name):
                self.assertEqual(tuple(sorted(lab)), labels,
                                 "%s labels\n%s" % (name, ctx))
        for line in text.splitlines():
            if line.startswith("luzilla_") and "{" in line:
                names = re.findall(r'([a-z]+)="', line)
                self.assertEqual(names, sorted(names), line)
        self.assertEqual(m.value("luzilla_rbls_used"), 2, ctx)
        self.assertEqual(m.value("luzilla_rbls_targets"), 3, ctx)
        self.assertEqual(m.value("luzilla_rbls_listed", rbl=ZEN), 1, ctx)
        self.assertEqual(m.value("luzilla_rbls_listed", rbl=BL), 0, ctx)
        pairs = {(lab["rbl"], lab["ip"], lab["hostname"]): v
                 for lab, v in m.samples("luzilla_rbls_ips_blacklisted")}
        want = {(z, t, t): 1.0 if (z, t) == (ZEN, T1) else 0.0
                for z in (ZEN, BL) for t in (T1, T2, CLEAN)}
        self.assertEqual(pairs, want, ctx)
        errors = {(lab["rbl"], lab["ip"], lab["hostname"]): v
                  for lab, v in m.samples("luzilla_rbls_errors")}
        self.assertEqual(errors, {k: 0.0 for k in want}, ctx)
        durations = [v for _, v in m.samples(
            "rblmon_sweep_duration_seconds")]
        self.assertEqual(m.value("luzilla_rbls_duration"), max(durations),
                         ctx)
        return m

    def test_metrics_command(self):
        out, a = self.assertCtl(self.sock, ["metrics"], d=self.d)
        self.assertMetrics(a["metrics"], "metrics command")
        self.assertEqual(out.out.rstrip("\n"), a["metrics"].rstrip("\n"))

    def test_metrics_http(self):
        url = "http://127.0.0.1:%d" % self.http_port
        with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
            self.assertEqual(r.status, 200)
            ctype = r.headers.get("Content-Type", "")
            body = r.read().decode("utf-8")
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"),
                        ctype)
        m = self.assertMetrics(body, "HTTP")
        sock = Metrics(ask(self.sock, "metrics")[1]["metrics"])
        self.assertEqual(m.type, sock.type)
        self.assertEqual(m.help, sock.help)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(url + "/nope", timeout=10)
        self.assertEqual(cm.exception.code, 404)
        cm.exception.close()

    def test_metrics_textfile(self):
        def stamp():
            try:
                return os.stat(self.textfile).st_mtime_ns
            except OSError:
                return None
        first = daemon.wait_until(stamp, WAIT)
        self.assertTrue(first, "no %s\n%s" % (self.textfile,
                                              self.d.describe(0)))
        # Written again a second after a later cycle ends.
        again = daemon.wait_until(lambda: (stamp() or first) != first and
                                  stamp(), WAIT)
        self.assertTrue(again, "not written again\n" + self.d.describe(0))
        with open(self.textfile, encoding="utf-8") as f:
            text = f.read()
        m = self.assertMetrics(text, "textfile")
        sock = Metrics(ask(self.sock, "metrics")[1]["metrics"])
        self.assertEqual(m.type, sock.type)
        # Renamed into place: nothing else is left in the folder. A
        # temporary file seen now may be the next write's; it must go.
        extra = set(os.listdir(self.prom_dir)) - {"rblmond.prom"}
        daemon.wait_until(lambda: not extra & set(os.listdir(
            self.prom_dir)), 3.0)
        self.assertEqual(extra & set(os.listdir(self.prom_dir)), set(),
                         "temporary files left")
        self.assertIn("rblmond.prom", os.listdir(self.prom_dir))

    # -- nagios --

    def test_nagios_critical(self):
        line, p = self.assertNagios(self.sock, [], 2, "CRITICAL", self.d)
        self.assertIn("%s on %s" % (T1, ZEN), line)
        self.assertEqual(p["listed"], ["1", "1", "1", "0"], line)
        self.assertEqual(p["listed_targets"][0], "1", line)
        self.assertEqual(p["zones_ok"], ["2", "", "", "0", "2"], line)
        self.assertEqual(p["errors"][0], "0", line)
        self.assertTrue(re.fullmatch(r"\d+s", p["age"][0]), line)
        self.assertEqual(p["age"][2], "3", line)

    def test_nagios_warning_thresholds(self):
        line, p = self.assertNagios(self.sock, ["-w", "1", "-c", "5"], 1,
                                    "WARNING", self.d)
        self.assertIn("%s on %s" % (T1, ZEN), line)
        self.assertEqual(p["listed"], ["1", "1", "5", "0"], line)
        line, p = self.assertNagios(self.sock, ["-w", "2", "-c", "5"], 0,
                                    "OK", self.d)
        self.assertEqual(p["listed"], ["1", "2", "5", "0"], line)
        r = run_ctl(self.sock, "nagios", "-w", "0")
        self.assertEqual(r.rc, 3, r.describe())
        self.assertTrue(r.out.startswith("RBLMON UNKNOWN - "), r.describe())

    # -- the socket itself --

    def test_pipelining(self):
        reqs = ["version", "status", "listed", "show " + T1,
                "history --limit 1", "zones", "version"]
        with ctlclient.RawClient(self.sock) as c:
            c.send("".join(r + "\n" for r in reqs))
            lines = c.lines(len(reqs))
            extra = c.lines(1, timeout=0.3)
        self.assertEqual(len(lines), len(reqs), lines)
        self.assertEqual(extra, [], "more lines than requests")
        got = [json.loads(x) for x in lines]
        for r, a in zip(reqs, got):
            self.assertIs(a.get("ok"), True, "%s: %r" % (r, a))
        self.assertEqual(got[0], {"ok": True, "version": got[1]["version"],
                                  "protocol": 1})
        self.assertEqual(got[1]["pid"], self.d.pid)
        self.assertEqual(got[2]["listed"][0]["target"], T1)
        self.assertEqual(got[3]["target"], T1)
        self.assertEqual(len(got[4]["events"]), 1)
        self.assertIn("zones", got[5])
        self.assertEqual(got[6], got[0])

    def test_pipelining_bad_request_in_the_middle(self):
        reqs = [b"version", b"frobnicate now", b"show", b"\xff\xfe",
                b"listed", b"show " + T1.encode(), b"version"]
        with ctlclient.RawClient(self.sock) as c:
            c.send(b"".join(r + b"\n" for r in reqs))
            lines = c.lines(len(reqs))
            extra = c.lines(1, timeout=0.3)
        self.assertEqual(len(lines), len(reqs), lines)
        self.assertEqual(extra, [])
        got = [json.loads(x) for x in lines]
        self.assertEqual([a["ok"] for a in got],
                         [True, False, False, False, True, True, True], got)
        for a in got[1:4]:
            self.assertEqual(sorted(a), ["error", "ok"], a)
            self.assertTrue(a["error"], a)
        self.assertIn("frobnicate", got[1]["error"])
        self.assertEqual(got[4]["count"], 1, got[4])
        self.assertEqual(got[5]["target"], T1)
        self.assertEqual(got[6]["version"], got[0]["version"])

    def test_pipelining_line_too_long(self):
        # Past 1 KiB: the error, then the server closes; what follows is
        # not answered.
        with ctlclient.RawClient(self.sock) as c:
            c.send(b"version\n" + b"x" * 1100 + b"\nversion\n")
            lines = c.lines(3, timeout=5.0)
            closed = c.eof
        self.assertEqual(len(lines), 2, lines)
        got = [json.loads(x) for x in lines]
        self.assertIs(got[0]["ok"], True, got)
        self.assertEqual(sorted(got[1]), ["error", "ok"], got)
        self.assertIs(got[1]["ok"], False, got)
        self.assertTrue(closed, "the connection stays open")
        # Others are answered as before.
        self.assertEqual(ctlclient.ask_raw(self.sock, "version"), got[0])

    def test_access_nobody(self):
        self.assertEqual(stat.S_IMODE(os.stat(self.sock).st_mode), 0o666)
        for args in (["status"], ["listed"], ["show", T1], ["metrics"]):
            self.assertCtl(self.sock, args, d=self.d, as_nobody=True)
        for args in (["check", T1], ["check", T1, ZEN], ["sweep"],
                     ["reload"]):
            _, a = self.assertCtl(self.sock, args, rc=1, d=self.d,
                                  as_nobody=True)
            self.assertEqual(a["error"], "%s needs root (uid 0)" % args[0],
                             a)
        # explain answers, without live checks.
        text = "Client host [%s] blocked using %s" % (T1, ZEN)
        _, a = self.assertCtl(self.sock, ["explain", text], d=self.d,
                              as_nobody=True)
        self.assertEqual((a["kind"], a["target"], a["checked"],
                          a["checks"]), ("listed", T1, False, []), a)
        self.assertIn("root", a["note"], a)
        # Root may.
        _, a = self.assertCtl(self.sock, ["check", T1, ZEN], d=self.d)
        self.assertEqual(a["checks"][0]["status"], "listed", a)


# -- daemons of their own ----------------------------------------------------

class ControlDaemonTest(DaemonTestCase, CtlAsserts):

    def start(self, files=None, **kw):
        self.dns = start_dns(self.tmp, files or zen_files())
        self.addCleanup(self.dns.stop)
        d = self.daemon(config_text(self.dns.port, self.state_db, **kw))
        sock = os.path.join(self.tmp, "rblmond.sock")
        return d, sock

    def set_data(self, **kw):
        files = zen_files(**kw)
        for name in ("zen", "zenx"):
            self.dns.write(name, files[name])
        self.dns.reload(zen_expect(**kw))

    def test_history_listing_then_delisting(self):
        d, sock = self.start(zen_files(listed=(), xbl=()))
        d.wait_cycles(1)
        _, a = self.assertCtl(sock, ["history"], d=d)
        self.assertEqual(a["events"], [], a)

        self.set_data(listed=(T1, T2), xbl=())
        t_listed = time.time()
        for t in (T1, T2):
            d.wait_alerts(event="listed", target=t)
        self.set_data(listed=(T2,), xbl=())
        m = d.wait_alerts(event="delisted", target=T1)[0]
        t_delisted = time.time()
        out, a = self.assertCtl(sock, ["history"], d=d)
        ev = a["events"]
        ctx = "%r\n%s" % (a, self.context(d))
        self.assertEqual(len(ev), 3, ctx)
        self.assertEqual(ev[0]["event"], "delisted", ctx)
        self.assertEqual(ev[0]["target"], T1, ctx)
        self.assertEqual(sorted((e["event"], e["target"]) for e in ev[1:]),
                         [("listed", T1), ("listed", T2)], ctx)
        ids = [e["id"] for e in ev]
        self.assertEqual(ids, sorted(ids, reverse=True), "newest first\n" +
                         ctx)
        listed_t1 = [e for e in ev if e["event"] == "listed" and
                     e["target"] == T1][0]
        self.assertEqual((listed_t1["codes"], listed_t1["labels"],
                          listed_t1["duration"]),
                         (["127.0.0.2"], ["SBL"], None), ctx)
        dur = ev[0]["duration"]
        self.assertIsInstance(dur, int, ctx)
        self.assertAlmostEqual(dur, ev[0]["time"] - listed_t1["time"],
                               delta=2, msg=ctx)
        self.assertLessEqual(dur, t_delisted - t_listed + 2, ctx)
        self.assertEqual(daemon.parse_seconds(m.get("duration")), dur, ctx)
        self.assertGreaterEqual(ev[0]["time"], listed_t1["time"], ctx)
        # The text: the same rows, newest first.
        rows = [ln.split() for ln in out.out.splitlines()
                if ln[:4].isdigit()]
        self.assertEqual([(r[2], r[3]) for r in rows],
                         [(e["event"], e["target"]) for e in ev], out.out)
        # By target, and limited.
        _, a = self.assertCtl(sock, ["history", T1], d=d)
        self.assertEqual([(e["event"], e["target"]) for e in a["events"]],
                         [("delisted", T1), ("listed", T1)], a)
        _, a = self.assertCtl(sock, ["history", "--limit", "1"], d=d)
        self.assertEqual([(e["event"], e["target"]) for e in a["events"]],
                         [("delisted", T1)], a)
        _, a = self.assertCtl(sock, ["history", T2, "--limit", "1"], d=d)
        self.assertEqual([(e["event"], e["target"]) for e in a["events"]],
                         [("listed", T2)], a)
        _, a = self.assertCtl(sock, ["history", "--limit", "2"], d=d)
        self.assertEqual([e["id"] for e in a["events"]], ids[:2], a)
        # What stands now.
        _, a = self.assertCtl(sock, ["listed"], d=d)
        self.assertEqual([(e["target"], e["zone"]) for e in a["listed"]],
                         [(T2, ZEN)], a)
        self.assertStopsCleanly(d)

    def test_reload(self):
        d, sock = self.start(targets=TARGETS[:1])
        _, a = self.assertCtl(sock, ["status"], d=d)
        self.assertEqual((a["generation"], a["targets"]), (1, 1), a)
        # The same file: a new generation (text, then --json).
        r = run_ctl(sock, "reload")
        self.assertEqual((r.rc, r.err), (0, ""), r.describe())
        self.assertIn("generation 2\n", r.out, r.describe())
        self.assertEqual(ask(sock, "status")[1]["generation"], 2)
        jrc, a, jr = ask(sock, "reload")
        self.assertEqual((jrc, a), (0, {"ok": True, "generation": 3}),
                         jr.describe())
        # Another target: taken.
        good = config_text(self.dns.port, self.state_db, targets=TARGETS)
        self.config(good)
        jrc, a, jr = ask(sock, "reload")
        self.assertEqual((jrc, a), (0, {"ok": True, "generation": 4}),
                         jr.describe())
        _, a = self.assertCtl(sock, ["status"], d=d)
        self.assertEqual((a["generation"], a["targets"]), (4, 3), a)
        # A broken one: refused with FILE:LINE, the old one runs on.
        # The unknown key as line 2, right under [rblmond]; the file
        # also drops every target, which would show if it were taken.
        lines = good.splitlines()
        self.assertEqual(lines[0], "[rblmond]")
        lines.insert(1, "intervall = 5s")
        at = 2
        lines = [ln for ln in lines if not ln.startswith("ip = ")]
        path = self.config("\n".join(lines) + "\n")
        r = run_ctl(sock, "reload")
        self.assertEqual(r.rc, 1, r.describe())
        self.assertEqual(r.out, "", r.describe())
        self.assertTrue(r.err.startswith("rblmonctl: %s:%d: " %
                                         (path, at)), r.describe())
        self.assertIn("intervall", r.err, r.describe())
        jrc, a, jr = ask(sock, "reload")
        self.assertEqual((jrc, a["ok"]), (1, False), jr.describe())
        self.assertTrue(a["error"].startswith("%s:%d: " % (path, at)), a)
        mark = self.notify.mark()
        _, a = self.assertCtl(sock, ["status"], d=d)
        self.assertEqual((a["generation"], a["targets"]), (4, 3), a)
        d.wait_cycles(1, since=mark)
        _, a = self.assertCtl(sock, ["targets"], d=d)
        self.assertEqual([t["target"] for t in a["targets"]],
                         [T1, T2, CLEAN], a)
        self.assertStopsCleanly(d)

    def test_diagnose_and_nagios_as_zones_break(self):
        d, sock = self.start(zen_files(listed=(), xbl=()))
        wait_answer(sock, "status", lambda a: a["cycle"] is not None)
        line, p = self.assertNagios(sock, [], 0, "OK", d)
        self.assertIn("nothing listed on 2 zones", line)
        self.assertEqual(p["listed"], ["0", "1", "1", "0"], line)
        self.assertEqual(p["zones_ok"], ["2", "", "", "0", "2"], line)
        _, a = self.assertCtl(sock, ["diagnose"], d=d)
        self.assertEqual([c["cause"] for c in a["causes"]], ["none"], a)

        # zen's positive test point goes: zen is dead, and bl.example,
        # whose test point answers, shows that no cause they share is at
        # work.
        mark = self.syslog.mark()
        self.set_data(listed=(), xbl=(), test_point=False)
        d.wait_alerts(since=mark, event="zone-down", zone=ZEN)
        out, a = self.assertCtl(sock, ["diagnose"], d=d)
        ctx = "%r\n%s" % (a, out.out)
        self.assertEqual([(z["zone"], z["state"]) for z in a["zones"]],
                         [(ZEN, "dead")], ctx)
        self.assertEqual(a["zones"][0]["reason"],
                         "test point 127.0.0.2 answered NXDOMAIN", ctx)
        self.assertNotIn("none", [c["cause"] for c in a["causes"]], ctx)
        self.assertEqual(row(out.out, ZEN), [ZEN, "dead"] +
                         a["zones"][0]["reason"].split(), ctx)
        with self.subTest("the text of a zone not ok"):
            self.assertNotIn("every zone is ok", out.out, ctx)
        _, a = self.assertCtl(sock, ["status"], d=d)
        self.assertEqual((a["zones_ok"], a["zones_not_ok"], a["listed"]),
                         (1, [ZEN], 0), a)
        line, p = self.assertNagios(sock, [], 1, "WARNING", d)
        self.assertIn("1 zone not ok: " + ZEN, line)
        self.assertEqual(p["zones_ok"], ["1", "", "", "0", "2"], line)
        self.assertEqual(p["listed"][0], "0", line)

        # bl.example's goes too: the positive test points are missing
        # everywhere, one cause naming both zones.
        mark = self.syslog.mark()
        self.dns.update("bl", [":127.0.0.2:bl $"],
                        [(rbltest.qname_v4("127.0.0.2", BL), [])])
        d.wait_alerts(since=mark, event="zone-down", zone=BL)
        out, a = self.assertCtl(sock, ["diagnose"], d=d)
        ctx = "%r\n%s" % (a, out.out)
        self.assertEqual([(c["cause"], c["zones"]) for c in a["causes"]],
                         [("nxdomain-all", [ZEN, BL])], ctx)
        self.assertTrue(a["causes"][0]["evidence"], ctx)
        self.assertTrue(a["causes"][0]["advice"], ctx)
        self.assertEqual([z["zone"] for z in a["zones"]], [ZEN, BL], ctx)
        self.assertIn("nxdomain-all: %s, %s" % (ZEN, BL), out.out)
        line, p = self.assertNagios(sock, [], 1, "WARNING", d)
        self.assertEqual(p["zones_ok"], ["0", "", "", "0", "2"], line)
        self.assertStopsCleanly(d)

    def test_nagios_max_age(self):
        # One pair and no jitter: the first cycle ends at once, the next
        # an hour later.
        d, sock = self.start(targets=[(None, "ip", CLEAN)], interval="1h",
                             jitter="0%")
        a = wait_answer(sock, "status", lambda a: a["cycle"] is not None)
        self.assertIsNotNone(a and a["cycle"], self.context(d))
        ended = a["cycle"]["ended"]
        line, p = self.assertNagios(sock, [], 0, "OK", d)
        self.assertEqual(p["age"][2], "10800", line)
        daemon.wait_until(lambda: time.time() >= ended + 2.2, 5.0)
        line, p = self.assertNagios(sock, ["--max-age", "1"], 3, "UNKNOWN",
                                    d)
        self.assertEqual(p["age"][2], "1", line)
        self.assertGreaterEqual(int(p["age"][0].rstrip("s")), 2, line)
        self.assertEqual(ask(sock, "status")[1]["cycle"]["ended"], ended,
                         "a cycle ended meanwhile\n" + self.context(d))
        self.assertNagios(sock, ["--max-age", "1h"], 0, "OK", d)
        self.assertStopsCleanly(d)

    def test_second_daemon_refused(self):
        d, sock = self.start()
        other_db = os.path.join(self.tmp, "other.db")
        path = self.config(config_text(self.dns.port, other_db,
                                       socket_path=sock), "second.conf")
        d2 = daemon.Daemon(self.ns, self.notify, self.syslog, path)
        self.addCleanup(d2.stop)
        d2.start(wait_ready=False)
        rc = d2.wait_exit()
        self.assertEqual(rc, 1, d2.describe(0))
        self.assertIn("rblmond: %s: another rblmond is listening there" %
                      sock, d2.stderr(), d2.describe(0))
        self.assertFalse(os.path.exists(other_db),
                         "the second daemon opened its store")
        # The first answers on, on the same socket.
        self.assertTrue(stat.S_ISSOCK(os.lstat(sock).st_mode))
        _, a = self.assertCtl(sock, ["status"], d=d)
        self.assertEqual(a["pid"], d.pid, a)
        self.assertStopsCleanly(d)

    def test_socket_mode_0600(self):
        d, sock = self.start(extra=["socket_mode = 0600"])
        self.assertEqual(stat.S_IMODE(os.stat(sock).st_mode), 0o600)
        for args in (["status"], ["listed"]):
            r = run_ctl(sock, *args, as_nobody=True)
            self.assertEqual((r.rc, r.out), (3, ""), r.describe())
            self.assertEqual(r.err, "rblmonctl: cannot connect to %s: "
                             "Permission denied (the socket is for root "
                             "and its group: see socket_group)\n" % sock,
                             r.describe())
        self.assertNagios(sock, [], 3, "UNKNOWN", d, perf=False,
                          as_nobody=True)
        self.assertCtl(sock, ["status"], d=d)
        self.assertStopsCleanly(d)


# -- no daemon ---------------------------------------------------------------

class NoDaemonTest(rbltest.E2ETestCase, CtlAsserts):

    def assertUnreachable(self, sock, why):
        for args in (["status"], ["listed"], ["check", T1]):
            for json_out in (False, True):
                r = run_ctl(sock, *args, json_out=json_out)
                self.assertEqual((r.rc, r.out), (3, ""), r.describe())
                self.assertEqual(r.err, "rblmonctl: cannot connect to %s: "
                                 "%s (is rblmond running?)\n" % (sock, why),
                                 r.describe())
        line, _ = self.assertNagios(sock, [], 3, "UNKNOWN", perf=False)
        self.assertIn(why, line)

    def test_socket_missing(self):
        self.assertUnreachable(os.path.join(self.tmp, "rblmond.sock"),
                               "No such file or directory")

    def test_socket_nobody_listens(self):
        path = os.path.join(self.tmp, "rblmond.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.close()
        self.assertTrue(stat.S_ISSOCK(os.lstat(path).st_mode))
        self.assertUnreachable(path, "Connection refused")


if __name__ == "__main__":
    unittest.main()

# SPDX-License-Identifier: ISC
"""Shared harness of the end-to-end suites: temporary folders, free loopback
ports, rbldnsd and faultdns.py started and stopped with bounded waits,
configuration files, and rblmond runs with their JSON lines parsed. Every
process started here is killed at tearDown and again at exit.
"""

import atexit
import ipaddress
import json
import os
import pwd
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from dnslib import QTYPE, DNSRecord

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
RBLDNSD = "/usr/sbin/rbldnsd"
HOST = "127.0.0.1"

# Every wait in this harness is bounded by one of these (seconds).
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
RUN_TIMEOUT = 60.0

STATUSES = ("clean", "listed", "refused", "bogus", "ignored", "error",
            "suppressed")
ZONE_STATES = ("ok", "dead", "lists-all", "refused", "bogus")

_processes = []


def rblmond_path():
    """The binary under test: $RBLMOND, else build/rblmond of this tree."""
    path = os.environ.get("RBLMOND")
    if not path:
        path = os.path.join(HERE, "..", "..", "build", "rblmond")
    return os.path.abspath(path)


def _kill(proc):
    if proc.poll() is not None:
        return
    try:
        proc.terminate()
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)
    except OSError:
        pass


def _kill_all():
    while _processes:
        _kill(_processes.pop())


atexit.register(_kill_all)


def _spawn(argv, **kw):
    proc = subprocess.Popen(argv, **kw)
    _processes.append(proc)
    return proc


def _forget(proc):
    _kill(proc)
    if proc in _processes:
        _processes.remove(proc)


def make_tempdir(prefix="rblmon-e2e-"):
    """A fresh folder that an unprivileged server user can read."""
    path = tempfile.mkdtemp(prefix=prefix)
    os.chmod(path, 0o755)
    return path


def write_file(path, text, mode=0o644):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 right now."""
    for _ in range(100):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            u.bind((HOST, 0))
            port = u.getsockname()[1]
            t.bind((HOST, port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise RuntimeError("no free port on %s" % HOST)


def dns_query(port, qname, qtype="A", timeout=0.5):
    """One UDP query to 127.0.0.1:port; the parsed reply or None."""
    q = DNSRecord.question(qname, qtype)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(q.pack(), (HOST, port))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                data = s.recv(65535)
                try:
                    r = DNSRecord.parse(data)
                except Exception:
                    return None
                if r.header.id == q.header.id:
                    return r
        except (OSError, socket.timeout):
            return None
    return None


def a_records(reply):
    return sorted(str(rr.rdata) for rr in reply.rr if rr.rtype == QTYPE.A)


def wait_answering(port, qname, proc=None, timeout=START_TIMEOUT):
    """Poll until the server answers qname; False on timeout or exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if dns_query(port, qname, timeout=0.2) is not None:
            return True
        time.sleep(0.05)
    return False


# -- query names (RFC 5782 §2) ---------------------------------------------

def qname_v4(ip, zone):
    return ".".join(reversed(ip.split("."))) + "." + zone


def qname_v6(ip, zone):
    hexs = ipaddress.IPv6Address(ip).exploded.replace(":", "")
    return ".".join(reversed(hexs)) + "." + zone


def qname_of(target, zone):
    try:
        addr = ipaddress.ip_address(target)
    except ValueError:
        return target.lower().rstrip(".") + "." + zone
    if addr.version == 4:
        return qname_v4(target, zone)
    return qname_v6(target, zone)


def canonical(target):
    """The target as rblmond prints it."""
    try:
        return str(ipaddress.ip_address(target))
    except ValueError:
        return target.lower().rstrip(".")


# -- DNS servers -----------------------------------------------------------

class Rbldnsd:
    """Debian's rbldnsd serving zone files from a folder on 127.0.0.1.

    zones: list of (zone, dataset type, file name inside folder). probe: a
    name whose answer means the data is loaded.
    """

    def __init__(self, folder, zones, probe):
        self.folder = folder
        self.zones = zones
        self.probe = probe
        self.port = None
        self.proc = None
        self.log_path = os.path.join(folder, "rbldnsd.log")

    def argv(self, port):
        argv = [RBLDNSD, "-n", "-b", "%s/%d" % (HOST, port),
                "-w", self.folder, "-t", "60"]
        if os.geteuid() == 0:
            # rbldnsd refuses to run as root.
            argv += ["-u", _unprivileged_user()]
        argv += ["%s:%s:%s" % z for z in self.zones]
        return argv

    def start(self):
        if not os.access(RBLDNSD, os.X_OK):
            raise RuntimeError("%s is not installed (Debian: rbldnsd)" %
                               RBLDNSD)
        for _ in range(5):
            port = free_port()
            log = open(self.log_path, "ab")
            try:
                self.proc = _spawn(self.argv(port), stdout=log,
                                   stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
            finally:
                log.close()
            if wait_answering(port, self.probe, self.proc):
                self.port = port
                return self
            _forget(self.proc)
            self.proc = None
        raise RuntimeError("rbldnsd did not start:\n" + self.log())

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None:
            _forget(self.proc)
            self.proc = None


def _unprivileged_user():
    for name in ("rbldns", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("no unprivileged user for rbldnsd")


class FaultDNS:
    """faultdns.py on 127.0.0.1; rules maps query names to actions, mode
    (faultdns.py --mode) is the zone mode of every name not under *.test."""

    def __init__(self, folder, rules=None, mode=None):
        self.folder = folder
        self.rules = dict(rules or {})
        self.mode = mode
        self.port = None
        self.proc = None
        self.log_path = os.path.join(folder, "faultdns-%d.log" % id(self))
        self.err_path = os.path.join(folder, "faultdns-%d.err" % id(self))

    def start(self):
        argv = [sys.executable, os.path.join(HERE, "faultdns.py"),
                "--log", self.log_path]
        for name, act in sorted(self.rules.items()):
            argv += ["--rule", "%s=%s" % (name, act)]
        if self.mode is not None:
            argv += ["--mode", self.mode]
        err = open(self.err_path, "wb")
        try:
            self.proc = _spawn(argv, stdout=subprocess.PIPE, stderr=err,
                               stdin=subprocess.DEVNULL)
        finally:
            err.close()
        line = self._read_line(START_TIMEOUT)
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError("faultdns.py did not start: %r %s" %
                               (line, self.errors()))
        self.port = int(line)
        if not wait_answering(self.port, "2.0.0.127.good.test", self.proc):
            self.stop()
            raise RuntimeError("faultdns.py does not answer")
        self.clear_log()
        return self

    def _read_line(self, timeout):
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                break
            part = os.read(fd, 100)
            if not part:
                break
            buf += part
        return buf.decode("ascii", "replace")

    def errors(self):
        try:
            with open(self.err_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def clear_log(self):
        with open(self.log_path, "w", encoding="utf-8"):
            pass

    def queries(self):
        """[(transport, qtype, qname)] received since the last clear_log."""
        return [q[:3] for q in self.timed_queries()]

    def timed_queries(self):
        """[(transport, qtype, qname, unix time)] since the last clear_log."""
        out = []
        try:
            with open(self.log_path, encoding="utf-8") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 4:
                        out.append((parts[0], parts[1], parts[2],
                                    float(parts[3])))
        except OSError:
            pass
        return out

    def stop(self):
        if self.proc is not None:
            _forget(self.proc)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None


# -- configuration ---------------------------------------------------------

def render_config(port, targets, zones, timeout="300ms", tries=1,
                  max_inflight=None, extra=""):
    """An rblmond configuration.

    targets: list of (group or None, key, value), e.g. (None, "ip", "...").
    zones: list of (name, {key: value or [values]}), keys in order given.
    """
    lines = ["[rblmond]", "nameservers = %s:%d" % (HOST, port),
             "timeout = %s" % timeout, "tries = %d" % tries]
    if max_inflight is not None:
        lines.append("max_inflight = %d" % max_inflight)
    if extra:
        lines.append(extra.rstrip("\n"))
    groups = []
    for g, _, _ in targets:
        if g not in groups:
            groups.append(g)
    for g in groups:
        lines.append("")
        lines.append("[targets]" if g is None else "[targets %s]" % g)
        for gg, key, value in targets:
            if gg == g:
                lines.append("%s = %s" % (key, value))
    for name, keys in zones:
        lines.append("")
        lines.append("[zone %s]" % name)
        for key, value in keys.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            for v in values:
                lines.append("%s = %s" % (key, v))
    return "\n".join(lines) + "\n"


# -- running rblmond -------------------------------------------------------

class Run:
    """One finished rblmond run."""

    def __init__(self, argv, rc, stdout, stderr, seconds):
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.results = []
        self.summary = None
        self.bad_lines = []

    def parse_json(self):
        for line in self.stdout.splitlines():
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                self.bad_lines.append(line)
                continue
            if isinstance(obj, dict) and "summary" in obj and len(obj) == 1:
                if self.summary is not None:
                    self.bad_lines.append(line)
                self.summary = obj["summary"]
            else:
                if self.summary is not None:
                    self.bad_lines.append("after summary: " + line)
                self.results.append(obj)
        return self

    def by_pair(self):
        return {(r.get("target"), r.get("zone")): r for r in self.results}

    def describe(self):
        return ("argv: %s\nexit: %s\nstdout:\n%s\nstderr:\n%s" %
                (" ".join(self.argv), self.rc, self.stdout[-6000:],
                 self.stderr[-3000:]))


def run_rblmond(args, timeout=RUN_TIMEOUT, env=None):
    """Run rblmond with args; a Run. Killed (and failed) past timeout."""
    binary = rblmond_path()
    argv = [binary] + list(args)
    e = dict(os.environ)
    e.setdefault("LC_ALL", "C")
    if env:
        e.update(env)
    start = time.monotonic()
    proc = _spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                  stdin=subprocess.DEVNULL, env=e)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _forget(proc)
        out, err = proc.communicate(timeout=STOP_TIMEOUT)
        raise AssertionError("rblmond ran past %.0f s: %s" %
                             (timeout, " ".join(argv)))
    finally:
        if proc in _processes:
            _processes.remove(proc)
    return Run(argv, proc.returncode, out.decode("utf-8", "replace"),
               err.decode("utf-8", "replace"), time.monotonic() - start)


def run_once(config_path, all_pairs=False, timeout=RUN_TIMEOUT):
    args = ["-c", config_path, "--once", "--json"]
    if all_pairs:
        args.append("--all")
    return run_rblmond(args, timeout=timeout).parse_json()


class E2ETestCase(unittest.TestCase):
    """A test case with a temporary folder and checks shared by the suites."""

    maxDiff = 8000
    keep_tmp = bool(os.environ.get("RBLMON_E2E_KEEP"))

    @classmethod
    def setUpClass(cls):
        path = rblmond_path()
        if not os.access(path, os.X_OK):
            raise AssertionError("rblmond not found at %s (set RBLMOND)" %
                                 path)
        cls.class_tmp = make_tempdir()

    @classmethod
    def tearDownClass(cls):
        _kill_all()
        if not cls.keep_tmp:
            shutil.rmtree(cls.class_tmp, ignore_errors=True)

    def setUp(self):
        self.tmp = make_tempdir()
        if not self.keep_tmp:
            self.addCleanup(shutil.rmtree, self.tmp, True)

    def config(self, text, name="rblmond.conf"):
        return write_file(os.path.join(self.tmp, name), text)

    def assertWellFormed(self, run, all_pairs=False):
        """Checks every --once --json run must pass; returns the summary."""
        ctx = run.describe()
        self.assertEqual(run.bad_lines, [], "lines that are not JSON\n" + ctx)
        self.assertIsNotNone(run.summary, "no summary line\n" + ctx)
        s = run.summary
        for key in ("targets", "zones", "pairs", "by_status", "zone_state",
                    "seconds"):
            self.assertIn(key, s, ctx)
        by = s["by_status"]
        for st in STATUSES:
            self.assertIsInstance(by.get(st, 0), int, ctx)
        # "unchecked": pairs a sweep stopped early never got to.
        self.assertLessEqual(set(by), set(STATUSES) | {"unchecked"}, ctx)
        self.assertEqual(sum(by.values()), s["pairs"],
                         "pairs != sum(by_status)\n" + ctx)
        for zone, state in s["zone_state"].items():
            self.assertIn(state, ZONE_STATES, "zone %s\n%s" % (zone, ctx))
        unchecked_zones = s.get("unchecked_zones", [])
        self.assertEqual(set(unchecked_zones) & set(s["zone_state"]), set(),
                         ctx)
        self.assertEqual(len(s["zone_state"]) + len(unchecked_zones),
                         s["zones"], ctx)
        self.assertIs(s.get("incomplete"),
                      bool(by.get("unchecked") or unchecked_zones or
                           "stopped" in s), ctx)
        self.assertEqual(set(s.get("zone_reason", {})),
                         {z for z, st in s["zone_state"].items()
                          if st != "ok"}, ctx)
        seen = set()
        counts = {}
        for r in run.results:
            self.assertIn(r.get("status"), STATUSES, "%r\n%s" % (r, ctx))
            pair = (r.get("target"), r.get("zone"))
            self.assertNotIn(pair, seen, "pair printed twice: %r\n%s" %
                             (pair, ctx))
            seen.add(pair)
            counts[r["status"]] = counts.get(r["status"], 0) + 1
            if not all_pairs:
                self.assertNotEqual(r["status"], "clean",
                                    "clean printed without --all\n" + ctx)
            if r["status"] == "suppressed":
                self.assertNotEqual(s["zone_state"].get(r["zone"]), "ok",
                                    "suppressed in an ok zone\n" + ctx)
            for key in ("codes", "labels"):
                if key in r:
                    self.assertIsInstance(r[key], list, ctx)
                    self.assertTrue(r[key], "empty %s: %r\n%s" %
                                    (key, r, ctx))
        for st in STATUSES:
            if st == "clean" and not all_pairs:
                continue
            self.assertEqual(counts.get(st, 0), by.get(st, 0),
                             "lines with status %s vs summary\n%s" %
                             (st, ctx))
        if all_pairs:
            self.assertEqual(len(run.results),
                             s["pairs"] - by.get("unchecked", 0), ctx)
        return s

    def assertExit(self, run, code):
        self.assertEqual(run.rc, code, "exit code\n" + run.describe())

    def assertNoCrash(self, run):
        self.assertGreaterEqual(run.rc, 0, "killed by a signal\n" +
                                run.describe())
        for word in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
            self.assertNotIn(word, run.stderr, run.describe())

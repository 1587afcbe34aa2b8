#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Control socket latency of `rblmond -f` on the sweep benchmark's data
(bench/gen_zones.py: 10.20.0.0/16 on ten rbldnsd zones, 3 % listed, so
655,360 pairs and 19,660 listings), Python standard library only.

    control_bench.py [--rblmond PATH] [--rblmonctl PATH] [--status N]
                     [--listed N] [--raw N] [--rounds N] [--keep]

Runs of the daemon, with interval = 1s (the first cycle runs flat out,
no max_qps) unless said otherwise, and confirm = 1:

  quiet   a fresh state_db, no client: how long the first cycle takes
          and the daemon's CPU time for it.
  busy    a fresh state_db, `rblmonctl --json status` run back to back
          for the whole first cycle (its latency while sweeping, and the
          cycle's duration and CPU time beside quiet's: what a client
          costs the sweep). quiet and busy alternate, --rounds times (2),
          and the best of each is compared. The last busy daemon sweeps
          on; once every listing stands (status.listed) and the store
          holds them: N `status`, N `listed` through rblmonctl (wall time,
          end to end, process start included), and `listed` and
          `metrics` on a raw socket (time to the first byte, to the last,
          bytes).
  idle    the same state_db (the listings come back from it) with
          interval = 90s: once the first cycle, spread over the one-minute
          warm-up, is done, nothing is due for half a minute; the same
          measurements there are the reference.

Prints a table and key=value lines; exits 0 when every answer was right
(the goals are reported, not enforced), 1 when one was not (a failed
request, or `listed` missing listings), 2 when the benchmark cannot run.
rbldnsd is stopped and the data folder removed in every case; every wait
is bounded.
"""

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_zones  # noqa: E402

RBLDNSD = os.environ.get("RBLDNSD", "/usr/sbin/rbldnsd")
PAIRS = 65536 * len(gen_zones.ZONES)

# Every wait is bounded (seconds).
READY_LIMIT = 30
CYCLE_LIMIT = 600
LISTED_LIMIT = 180
STOP_LIMIT = 60
CTL_LIMIT = 120  # one rblmonctl run
IDLE_INTERVAL = 90  # the idle run's interval; its warm-up is 60 s
IDLE_MARGIN = 3  # stop measuring this long before the next cycle

CPU_REQUESTS = 2000  # status requests whose CPU time is measured

GOAL_STATUS_P99_MS = 10.0
GOAL_LISTED_MS = 1000.0


def fail(msg):
    print("control_bench: " + msg, file=sys.stderr)
    sys.exit(2)


def pct(xs, p):
    """Nearest-rank percentile of a non-empty list."""
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, -(-p * len(xs) // 100) - 1))
    return xs[int(k)]


def spread(xs):
    """p50/p99/max of a list of ms, as text."""
    if not xs:
        return "-"
    return "%.1f/%.1f/%.1f" % (pct(xs, 50), pct(xs, 99), max(xs))


# -- rbldnsd ---------------------------------------------------------------

def free_port():
    for _ in range(20):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            u.bind((gen_zones.HOST, 0))
            port = u.getsockname()[1]
            t.bind((gen_zones.HOST, port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    fail("no free port on %s" % gen_zones.HOST)


def start_rbldnsd(folder):
    """rbldnsd on a free port of 127.0.0.1, serving folder/zones; (proc,
    port)."""
    runas = ["-u", "nobody"] if os.geteuid() == 0 else []
    zones = ["%s:ip4set:%s" % (z, z) for z in gen_zones.ZONES]
    for _ in range(3):
        port = free_port()
        log = open(os.path.join(folder, "rbldnsd.log"), "ab")
        proc = subprocess.Popen(
            [RBLDNSD, "-n"] + runas + ["-b", "127.0.0.1/%d" % port, "-w",
                                       os.path.join(folder, "zones"),
                                       "-t", "60"] + zones,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if gen_zones.dns_query(port, "2.0.0.127." + gen_zones.ZONES[-1],
                                   0.2):
                return proc, port
            time.sleep(0.05)
        stop(proc)
    fail("rbldnsd did not start (see its log)")


def stop(proc, sig=signal.SIGTERM):
    """Stop proc (bounded, then SIGKILL); its exit status."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout=STOP_LIMIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


# -- the daemon ------------------------------------------------------------

def write_conf(path, port, state_db, sock, interval):
    lines = ["[rblmond]", "nameservers = 127.0.0.1:%d" % port,
             "timeout = 2s", "tries = 3", "state_db = %s" % state_db,
             "socket = %s" % sock, "interval = %s" % interval,
             "confirm = 1", "confirm_delay = 0s", "remind = 0", "",
             "[targets]", "net = %d.%d.0.0/16" % gen_zones.NET]
    for zone in gen_zones.ZONES:
        lines += ["", "[zone %s]" % zone, "type = ip4",
                  "listed = 127.0.0.2-127.0.0.11"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class Daemon:
    """rblmond -f with a NOTIFY_SOCKET of its own, read by a thread."""

    def __init__(self, folder, name, rblmond, port, interval, fresh):
        self.folder = folder
        self.state_db = os.path.join(folder, "control.db")
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.state_db + suffix):
                    os.unlink(self.state_db + suffix)
        self.sock = os.path.join(folder, "rblmond.sock")
        self.conf = os.path.join(folder, "control-%s.conf" % name)
        write_conf(self.conf, port, self.state_db, self.sock, interval)
        npath = os.path.join(folder, "notify-%s.sock" % name)
        if os.path.exists(npath):
            os.unlink(npath)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(npath)
        self.notify.settimeout(0.2)
        self.lock = threading.Lock()
        self.ready = None
        self.cycle_done = None  # monotonic time every zone finished one
        self.last_status = ""
        self.closing = False
        self.t0 = time.monotonic()
        self.err = open(os.path.join(folder, "rblmond-%s.err" % name), "wb")
        env = dict(os.environ, NOTIFY_SOCKET=npath)
        self.proc = subprocess.Popen([rblmond, "-f", "-c", self.conf],
                                     env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.err)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.closing:
            try:
                msg = self.notify.recv(4096).decode("utf-8", "replace")
            except socket.timeout:
                continue
            except OSError:
                return
            now = time.monotonic()
            for line in msg.split("\n"):
                with self.lock:
                    if line == "READY=1" and self.ready is None:
                        self.ready = now
                    if not line.startswith("STATUS="):
                        continue
                    self.last_status = line[7:]
                    m = re.search(r"last cycles: (\d+) pairs", line)
                    if (self.cycle_done is None and m and
                            int(m.group(1)) >= PAIRS):
                        self.cycle_done = now

    def wait(self, what, limit):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self.proc.poll() is None:
            with self.lock:
                if getattr(self, what) is not None:
                    return getattr(self, what)
            time.sleep(0.02)
        fail("rblmond: no %s within %d s (exit %s, last STATUS: %s)" % (
            what, limit, self.proc.poll(), self.last_status))

    def stop(self):
        rc = stop(self.proc)
        self.closing = True
        self.thread.join(2)
        self.notify.close()
        self.err.close()
        return rc


def cpu_s(pid):
    """utime + stime of pid, seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- clients ---------------------------------------------------------------

def ask(path, line, timeout=60.0):
    """One request on a raw socket: (answer object or None, bytes, ms to
    the first byte, ms to the newline)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    chunks, first, n = [], None, 0
    try:
        t0 = time.perf_counter()
        s.connect(path)
        s.sendall(line.encode() + b"\n")
        while True:
            part = s.recv(1 << 20)
            if not part:
                break
            if first is None:
                first = time.perf_counter()
            chunks.append(part)
            n += len(part)
            if part.endswith(b"\n"):
                break
        t1 = time.perf_counter()
    except OSError:
        return None, n, None, None
    finally:
        s.close()
    data = b"".join(chunks)
    try:
        obj = json.loads(data)
    except ValueError:
        obj = None
    return (obj, n, (first - t0) * 1000.0 if first else None,
            (t1 - t0) * 1000.0)


def ctl_run(ctl, sock, args, out_path=None):
    """rblmonctl -s sock --json args, timed end to end: (ms, exit code,
    stdout bytes or None when written to out_path)."""
    out = open(out_path, "wb") if out_path else subprocess.PIPE
    try:
        t0 = time.perf_counter()
        r = subprocess.run([ctl, "-s", sock, "--json"] + args,
                           stdin=subprocess.DEVNULL, stdout=out,
                           stderr=subprocess.DEVNULL, timeout=CTL_LIMIT)
        ms = (time.perf_counter() - t0) * 1000.0
    finally:
        if out_path:
            out.close()
    return ms, r.returncode, r.stdout


class Checks:
    def __init__(self):
        self.fails = []

    def status_ok(self, where, rc, text, pid):
        try:
            obj = json.loads(text)
        except (TypeError, ValueError):
            obj = None
        if rc != 0 or not obj or obj.get("ok") is not True or \
                obj.get("pid") != pid:
            self.fails.append("%s: status exit %s, answer %r" % (
                where, rc, (text or b"")[:200]))
            return None
        return obj


def hammer(ctl, sock, pid, stop_ev, checks, where):
    """rblmonctl status back to back until stop_ev; the ms of each."""
    out = []
    while not stop_ev.is_set():
        ms, rc, text = ctl_run(ctl, sock, ["status"])
        checks.status_ok(where, rc, text, pid)
        out.append(ms)
    return out


def queries(sock):
    obj, _, _, _ = ask(sock, "zones")
    if not obj or not obj.get("ok"):
        return None
    return sum(z["queries"] for z in obj["zones"])


def measure(ctl, d, n_status, n_listed, n_raw, checks, where, want,
            deadline=None):
    """The latency figures of one state of the daemon: dict of lists."""
    pid = d.proc.pid
    r = {"status": [], "listed": [], "ttfb": [], "total": [], "bytes": [],
         "rows": [], "metrics": [], "metrics_bytes": [], "complete": True}
    q0, t0 = queries(d.sock), time.monotonic()

    def late():
        if deadline is not None and time.monotonic() > deadline:
            r["complete"] = False
            return True
        return False
    for _ in range(n_status):
        if late():
            break
        ms, rc, text = ctl_run(ctl, d.sock, ["status"])
        checks.status_ok(where, rc, text, pid)
        r["status"].append(ms)
        time.sleep(0.01)
    out = os.path.join(d.folder, "listed.json")
    for i in range(n_listed):
        if late():
            break
        ms, rc, _ = ctl_run(ctl, d.sock, ["listed"], out)
        r["listed"].append(ms)
        size = os.path.getsize(out)
        if rc != 0 or size == 0:
            checks.fails.append("%s: rblmonctl listed exit %s, %d bytes" %
                                (where, rc, size))
        elif i == 0:
            with open(out, "rb") as f:
                obj = json.loads(f.read())
            if obj.get("count") != len(obj.get("listed", ())):
                checks.fails.append("%s: rblmonctl listed count %s, %d "
                                    "rows" % (where, obj.get("count"),
                                              len(obj.get("listed", ()))))
    for _ in range(n_raw):
        if late():
            break
        obj, n, ttfb, total = ask(d.sock, "listed")
        if not obj or not obj.get("ok"):
            checks.fails.append("%s: raw listed: %d bytes, no answer" %
                                (where, n))
            continue
        r["ttfb"].append(ttfb)
        r["total"].append(total)
        r["bytes"].append(n)
        r["rows"].append(obj["count"])
        if obj["count"] != want:
            rows = {(x["target"], x["zone"]) for x in obj["listed"]}
            checks.fails.append(
                "%s: listed has %d rows (%d distinct), %d listings stand" %
                (where, obj["count"], len(rows), want))
    for _ in range(max(1, n_raw // 2)):
        if late():
            break
        obj, n, ttfb, total = ask(d.sock, "metrics")
        if not obj or not obj.get("ok"):
            checks.fails.append("%s: metrics: %d bytes, no answer (a "
                                "client is dropped past 4 MiB unread)" %
                                (where, n))
            r["metrics_bytes"].append(n)
            continue
        r["metrics"].append(total)
        r["metrics_bytes"].append(n)
    q1, t1 = queries(d.sock), time.monotonic()
    r["qps"] = (q1 - q0) / (t1 - t0) if None not in (q0, q1) else None
    # The daemon's CPU per status request, a connection each: only where
    # nothing else runs, the idle daemon.
    r["cpu_us"] = None
    if deadline is not None and not late():
        c0 = cpu_s(pid)
        for _ in range(CPU_REQUESTS):
            obj, _, _, _ = ask(d.sock, "status")
            if not obj or obj.get("ok") is not True:
                checks.fails.append("%s: raw status failed" % where)
                break
        r["cpu_us"] = (cpu_s(pid) - c0) / CPU_REQUESTS * 1e6
    r["seconds"] = t1 - t0
    return r


def wait_listed(d, want, checks):
    """Until status.listed == want and listed answers a stable count
    (the store commits once a second); the status answer."""
    deadline = time.monotonic() + LISTED_LIMIT
    last = None
    while time.monotonic() < deadline:
        obj, _, _, _ = ask(d.sock, "status")
        if obj and obj.get("listed") == want:
            lst, _, _, _ = ask(d.sock, "listed")
            count = lst.get("count") if lst else None
            if count == want or (count is not None and count == last):
                return obj
            last = count
        time.sleep(1.0)
    checks.fails.append("listings: status.listed never reached %d" % want)
    return None


# -- the runs --------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rblmond", default=os.environ.get(
        "RBLMOND", os.path.join(os.path.dirname(HERE), "build", "rblmond")))
    ap.add_argument("--rblmonctl", default=os.environ.get("RBLMONCTL"))
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--listed", type=int, default=30)
    ap.add_argument("--raw", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2,
                    help="first cycles, each quiet and with status")
    ap.add_argument("--keep", action="store_true",
                    help="keep the data folder")
    a = ap.parse_args(argv[1:])
    ctl = a.rblmonctl or os.path.join(os.path.dirname(a.rblmond),
                                      "rblmonctl")
    for path in (a.rblmond, ctl, RBLDNSD):
        if not os.access(path, os.X_OK):
            fail("%s is missing" % path)
    folder = tempfile.mkdtemp(prefix="rblmon-ctlbench.")
    os.chmod(folder, 0o755)
    dns = None
    try:
        gen_zones.cmd_gen(folder)
        with open(os.path.join(folder, "expected.tsv")) as f:
            want = sum(1 for _ in f)
        dns, port = start_rbldnsd(folder)
        print("rbldnsd pid %d on 127.0.0.1/%d; rblmond %s; rblmonctl %s" %
              (dns.pid, port, a.rblmond, ctl), flush=True)
        return run(a, ctl, folder, port, want)
    finally:
        if dns is not None:
            stop(dns)
        if a.keep:
            print("data kept in " + folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def first_cycle(a, ctl, folder, port, name, with_status, checks):
    """A fresh daemon's first cycle, with or without rblmonctl status
    back to back: (seconds, the daemon's CPU seconds, status ms list,
    the daemon still running, the rblmonctl processes' CPU seconds)."""
    d = Daemon(folder, name, a.rblmond, port, "1s", True)
    d.wait("ready", READY_LIMIT)
    stop_ev = threading.Event()
    samples = []
    t = None
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    if with_status:
        t = threading.Thread(target=lambda: samples.extend(hammer(
            ctl, d.sock, d.proc.pid, stop_ev, checks, name)))
        t.start()
    seconds = d.wait("cycle_done", CYCLE_LIMIT) - d.t0
    cpu = cpu_s(d.proc.pid)
    stop_ev.set()
    if t is not None:
        t.join(CTL_LIMIT)
    # The rblmonctl processes (the only children reaped meanwhile).
    k = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (k.ru_utime + k.ru_stime) - (kids.ru_utime + kids.ru_stime)
    print("%s: first cycle %.2f s (%.0f q/s), rblmond CPU %.2f s%s" % (
        name, seconds, PAIRS / seconds, cpu,
        ", %d status requests: p50/p99/max %s ms, rblmonctl CPU %.2f s" % (
            len(samples), spread(samples), client) if with_status else ""),
        flush=True)
    return seconds, cpu, samples, d, client


def run(a, ctl, folder, port, want):
    checks = Checks()
    load0 = os.getloadavg()[0]

    print("== first cycles: quiet (no client), then rblmonctl status back "
          "to back; %d rounds" % a.rounds, flush=True)
    quiet, busy_runs, d = [], [], None
    for _ in range(max(1, a.rounds)):
        if d is not None and d.stop() != 0:
            checks.fails.append("busy run: rblmond exit not 0")
        s, cpu, _, q, _ = first_cycle(a, ctl, folder, port, "quiet",
                                      False, checks)
        if q.stop() != 0:
            checks.fails.append("quiet run: rblmond exit not 0")
        quiet.append((s, cpu))
        s, cpu, samples, d, client = first_cycle(a, ctl, folder, port,
                                                 "busy", True, checks)
        busy_runs.append((s, cpu, samples, client))
    # The last busy daemon goes on sweeping (interval 1s).
    st = wait_listed(d, want, checks)
    print("listings standing: %s of %d" % (
        st.get("listed") if st else "?", want), flush=True)
    busy = measure(ctl, d, a.status, a.listed, a.raw, checks, "busy", want)
    if d.stop() != 0:
        checks.fails.append("busy run: rblmond exit not 0")

    print("== idle: interval %ds, after its first cycle" % IDLE_INTERVAL,
          flush=True)
    d = Daemon(folder, "idle", a.rblmond, port, "%ds" % IDLE_INTERVAL,
               False)
    d.wait("ready", READY_LIMIT)
    d.wait("cycle_done", CYCLE_LIMIT)
    time.sleep(2)
    q0 = queries(d.sock)
    idle = measure(ctl, d, a.status, a.listed, a.raw, checks, "idle", want,
                   d.t0 + IDLE_INTERVAL - IDLE_MARGIN)
    q1 = queries(d.sock)
    if d.stop() != 0:
        checks.fails.append("idle run: rblmond exit not 0")
    if not idle["complete"]:
        print("idle: the next cycle was near, fewer samples", flush=True)
    load1 = os.getloadavg()[0]

    first = [ms for _, _, xs, _ in busy_runs for ms in xs]
    report(a, want, quiet, busy_runs, first, busy, idle,
           (q1 - q0) if None not in (q0, q1) else None, load0, load1,
           checks)
    return 1 if checks.fails else 0


def ratio(b, i):
    if not b or not i:
        return "-"
    return "%.2f" % (pct(b, 50) / pct(i, 50))


def report(a, want, quiet, busy_runs, first, busy, idle, idle_q, load0,
           load1, checks):
    def row(m, b, i, r, g):
        print("%-38s %-22s %-22s %-6s %s" % (m, b, i, r, g))

    def mean(xs):
        return "%.0f" % (sum(xs) / len(xs)) if xs else "-"
    quiet_s = min(s for s, _ in quiet)
    busy_s = min(s for s, _, _, _ in busy_runs)
    quiet_cpu = min(c for _, c in quiet)
    busy_cpu = min(c for _, c, _, _ in busy_runs)
    client_cpu = min(c for _, _, _, c in busy_runs)
    print()
    print("== summary: %d pairs, %d listings; ms as p50/p99/max" % (
        PAIRS, want))
    row("measure", "busy (sweeping)", "idle", "b/i", "goal")
    row("status, first cycle (%d back to back)" % len(first),
        spread(first), "-", "-", "p99 <= %.0f ms" % GOAL_STATUS_P99_MS)
    row("status (%d/%d)" % (len(busy["status"]), len(idle["status"])),
        spread(busy["status"]), spread(idle["status"]),
        ratio(busy["status"], idle["status"]),
        "p99 <= %.0f ms" % GOAL_STATUS_P99_MS)
    row("rblmonctl --json listed (%d/%d)" % (len(busy["listed"]),
                                             len(idle["listed"])),
        spread(busy["listed"]), spread(idle["listed"]),
        ratio(busy["listed"], idle["listed"]), "-")
    row("listed raw: first byte (%d/%d)" % (len(busy["ttfb"]),
                                            len(idle["ttfb"])),
        spread(busy["ttfb"]), spread(idle["ttfb"]),
        ratio(busy["ttfb"], idle["ttfb"]), "-")
    row("listed raw: whole answer", spread(busy["total"]),
        spread(idle["total"]), ratio(busy["total"], idle["total"]),
        "< %.0f ms" % GOAL_LISTED_MS)
    row("listed bytes / rows", "%s / %s" % (mean(busy["bytes"]),
                                            mean(busy["rows"])),
        "%s / %s" % (mean(idle["bytes"]), mean(idle["rows"])), "-",
        "%d rows" % want)
    row("metrics raw: whole answer / bytes",
        "%s / %s" % (spread(busy["metrics"]), mean(busy["metrics_bytes"])),
        "%s / %s" % (spread(idle["metrics"]), mean(idle["metrics_bytes"])),
        ratio(busy["metrics"], idle["metrics"]), "an answer")
    row("sweep q/s / queries, measuring",
        "%.0f q/s" % busy["qps"] if busy["qps"] is not None else "-",
        "%s queries" % idle_q if idle_q is not None else "-", "-",
        "idle: 0")
    row("first cycle s, quiet / with status",
        "%.2f / %.2f" % (quiet_s, busy_s), "-",
        "%.2f" % (busy_s / quiet_s), "<= 1.05")
    row("rblmond CPU s, quiet / with status",
        "%.2f / %.2f" % (quiet_cpu, busy_cpu), "-",
        "%.2f" % (busy_cpu / quiet_cpu), "-")
    row("rblmonctl CPU s, first cycle (least)", "%.2f" % client_cpu, "-",
        "-", "(%d CPUs in all)" % os.cpu_count())
    row("rblmond CPU per status (%d, raw)" % CPU_REQUESTS, "-",
        "%.0f us" % idle["cpu_us"] if idle["cpu_us"] is not None else "-",
        "-", "-")
    row("load average (1 min) before / after", "%.2f / %.2f" % (
        load0, load1), "-", "-", "(%d CPUs)" % os.cpu_count())
    print("first cycles (s): quiet %s; with status %s" % (
        " ".join("%.2f" % s for s, _ in quiet),
        " ".join("%.2f" % s for s, _, _, _ in busy_runs)))
    print()
    fig = {
        "quiet_cycle_s": "%.3f" % quiet_s, "busy_cycle_s": "%.3f" % busy_s,
        "cycle_ratio": "%.3f" % (busy_s / quiet_s),
        "first_status_p50_ms": "%.2f" % pct(first, 50) if first else "-",
        "first_status_p99_ms": "%.2f" % pct(first, 99) if first else "-",
        "first_status_max_ms": "%.2f" % max(first) if first else "-"}
    for name, r in (("busy", busy), ("idle", idle)):
        for key in ("status", "listed", "ttfb", "total", "metrics"):
            xs = r[key]
            for p in (50, 99):
                fig["%s_%s_p%d_ms" % (name, key, p)] = (
                    "%.2f" % pct(xs, p) if xs else "-")
            fig["%s_%s_max_ms" % (name, key)] = (
                "%.2f" % max(xs) if xs else "-")
        fig["%s_listed_bytes" % name] = mean(r["bytes"])
        fig["%s_listed_rows" % name] = mean(r["rows"])
    fig["idle_status_cpu_us"] = ("%.1f" % idle["cpu_us"]
                                 if idle["cpu_us"] is not None else "-")
    fig["verdict"] = "FAIL" if checks.fails else "PASS"
    print(" ".join("%s=%s" % kv for kv in fig.items()))
    seen = set()
    for f in checks.fails:
        if f not in seen:
            seen.add(f)
            print("control_bench: " + f, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

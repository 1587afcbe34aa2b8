#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The daemon's part of the sweep benchmark (bench/sweep-bench.sh).

    daemon_bench.py cycle RBLMOND CONF FOLDER
    daemon_bench.py idle RBLMOND CONF FOLDER

Runs `rblmond -f` on the benchmark's configuration (the same rbldnsd data
as --once) with a state_db, confirm = 2 and confirm_delay = 0s, and reads
its sd_notify STATUS= lines on a socket of its own.

cycle: interval = 1s, so the first cycle runs flat out. Its figures
(seconds from the start, peak RSS, the store's commits) are taken when
every zone has finished a cycle; then every expected listing
(FOLDER/expected.tsv) must come to stand confirmed, and after SIGTERM the
store must hold exactly those, each announced once.

idle: interval = 90s; the first cycle is spread over a 60 s warm-up, then
nothing is due until the next: the CPU time taken over 20 s of that gap.

Prints one line of key=value figures; exits 1 when a check fails.
"""
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time

LIMIT_S = 600  # every wait is bounded


def expected(folder):
    with open(os.path.join(folder, "expected.tsv")) as f:
        return sum(1 for _ in f)


def write_conf(src, dst, state_db, interval):
    with open(src) as f:
        text = f.read()
    extra = ("state_db = %s\ninterval = %s\nconfirm = 2\n"
             "confirm_delay = 0s\nremind = 0\nsocket = %s.sock\n" %
             (state_db, interval, state_db))
    text = text.replace("[rblmond]\n", "[rblmond]\n" + extra, 1)
    with open(dst, "w") as f:
        f.write(text)


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def vm_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main(argv):
    mode, rblmond, conf, folder = argv[1:5]
    pairs = 0
    with open(os.path.join(folder, "queries.txt")) as f:
        pairs = sum(1 for _ in f)
    want = expected(folder)
    state_db = os.path.join(folder, "daemon-%s.db" % mode)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(state_db + suffix):
            os.unlink(state_db + suffix)
    dconf = os.path.join(folder, "daemon-%s.conf" % mode)
    write_conf(conf, dconf, state_db, "1s" if mode == "cycle" else "90s")
    sock_path = os.path.join(folder, "notify-%s.sock" % mode)
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.5)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    err = open(os.path.join(folder, "daemon-%s.err" % mode), "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen([rblmond, "-f", "-c", dconf], env=env,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=err)
    status, done_at, hwm, fails = "", None, 0, []
    commits, standing = "-", False
    try:
        while time.monotonic() - t0 < LIMIT_S and proc.poll() is None:
            try:
                msg = sock.recv(4096).decode("utf-8", "replace")
            except socket.timeout:
                continue
            for line in msg.split("\n"):
                if not line.startswith("STATUS="):
                    continue
                status = line[7:]
                m = re.search(r"last cycles: (\d+) pairs", status)
                s = re.search(r"(\d+) listings standing", status)
                c = re.search(r"(\d+) store commits", status)
                # The first cycle is done when every zone has finished
                # one: its figures are taken then.
                if done_at is None and m and int(m.group(1)) >= pairs:
                    done_at = time.monotonic()
                    hwm = vm_hwm_kib(proc.pid)
                    commits = c.group(1) if c else "-"
                # Then every listing must come to stand (confirmed).
                if s and int(s.group(1)) >= want:
                    standing = True
            if done_at is not None and standing:
                break
        if done_at is not None and not standing:
            fails.append("not every listing confirmed (last STATUS: %s)"
                         % status)
        if done_at is None:
            fails.append("no complete first cycle within %d s (last "
                         "STATUS: %s)" % (LIMIT_S, status))
        idle = "-"
        if done_at is not None and mode == "idle":
            time.sleep(2)
            hz = os.sysconf("SC_CLK_TCK")
            a, ta = cpu_ticks(proc.pid), time.monotonic()
            time.sleep(20)
            b, tb = cpu_ticks(proc.pid), time.monotonic()
            idle = "%.2f" % (100.0 * (b - a) / hz / (tb - ta))
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            rc = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        err.close()
        sock.close()
    if rc != 0:
        fails.append("rblmond exit %s" % rc)
    db = sqlite3.connect("file:%s?mode=ro" % state_db, uri=True)
    rows = db.execute("SELECT count(*) FROM pairs").fetchone()[0]
    events = db.execute("SELECT count(*) FROM events WHERE kind = "
                        "'listed'").fetchone()[0]
    unsent = db.execute("SELECT count(*) FROM events WHERE sent = "
                        "0").fetchone()[0]
    db.close()
    if rows != want or events != want or unsent != 0:
        fails.append("store: %d pairs, %d listed events, %d unsent; want "
                     "%d, %d, 0" % (rows, events, unsent, want, want))
    seconds = done_at - t0 if done_at is not None else 0
    print("mode=%s seconds=%.3f qps=%.0f rss_mib=%.1f commits=%s "
          "idle_cpu_pct=%s listed=%d verdict=%s" %
          (mode, seconds, (pairs + 20) / seconds if seconds else 0,
           hwm / 1024.0, commits, idle, rows,
           "PASS" if not fails else "FAIL"))
    for f in fails:
        print("daemon_bench: " + f, file=sys.stderr)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

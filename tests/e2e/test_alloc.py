#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rblmond --once with one allocation, or one libevent event_new, made to
fail: every N of a small run, as c-ares tests its out-of-memory paths. The
shim tests/shim/failalloc.c is preloaded. Each run must end either in a
clear error (exit 2 or 3, an "rblmond:" message, stdout only whole JSON
lines, no pair twice) or in a complete report with every pair exactly once
and a summary that adds up; never a signal, a hang, a sanitizer report, a
pair decided wrongly, or exit 0/1 with a pair missing.
"""

import concurrent.futures
import os
import unittest

import rbltest
from rbltest import E2ETestCase

ZONE_IP = "good-ip.test"
ZONE_DOM = "good-dom.test"
# Listed over TCP (its UDP answers are truncated): a socket opened in the
# middle of the sweep, whose watch can fail while other queries are queued.
T_TCP = "192.0.2.1"
T_UDP = "2001:db8::1"
T_CLEAN = "example.org"

# Seconds a single run may take; a run that takes longer hangs.
RUN_LIMIT = 20.0
WORKERS = 4
# N past the counted calls: no failure is injected, the run must be whole.
BEYOND = 3


def shim_path():
    """The shim: $RBLMON_FAILALLOC, else tests/failalloc.so of the build."""
    path = os.environ.get("RBLMON_FAILALLOC")
    if not path:
        path = os.path.join(os.path.dirname(rbltest.rblmond_path()),
                            "tests", "failalloc.so")
    return os.path.abspath(path)


def expected():
    """(target, zone) -> the record a run without failures prints."""
    out = {}
    for t in (T_TCP, T_UDP):
        out[(t, ZONE_IP)] = {
            "status": "listed", "codes": ["127.0.0.2"],
            "txt": "Listed: " + rbltest.qname_of(t, ZONE_IP)}
    out[(T_CLEAN, ZONE_DOM)] = {"status": "clean"}
    return out


def read_counts(path):
    """The shim's report: counts, calls per object and kind, failed call."""
    counts = {"alloc": 0, "event_new": 0, "by": {}, "kind": {},
              "failed": None}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return counts
    for line in lines:
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("alloc", "event_new"):
            counts[parts[0]] = int(parts[1])
        elif len(parts) == 3 and parts[0] in ("by", "kind"):
            table = counts[parts[0]]
            table[parts[1]] = table.get(parts[1], 0) + int(parts[2])
        elif parts and parts[0] == "failed":
            counts["failed"] = " ".join(parts[1:])
    return counts


class AllocTest(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shim = shim_path()
        if not os.path.exists(cls.shim):
            raise AssertionError("allocation shim not found at %s (set "
                                 "RBLMON_FAILALLOC)" % cls.shim)
        rules = {rbltest.qname_of(T_TCP, ZONE_IP): "tc",
                 rbltest.qname_of(T_UDP, ZONE_IP): "listed"}
        cls.server = rbltest.FaultDNS(cls.class_tmp, rules).start()
        cls.addClassCleanup(cls.server.stop)
        targets = [(None, "ip", T_TCP), (None, "ip", T_UDP),
                   (None, "domain", T_CLEAN)]
        zones = [(ZONE_IP, {"type": "ip", "txt": "yes"}),
                 (ZONE_DOM, {"type": "domain"})]
        cls.configs = {}
        # One query at a time makes the order of calls the same in every
        # run; the default window has several slots in flight at once.
        for name, inflight in (("serial", 1), ("window", None)):
            cls.configs[name] = rbltest.write_file(
                os.path.join(cls.class_tmp, name + ".conf"),
                rbltest.render_config(cls.server.port, targets, zones,
                                      timeout="300ms", tries=1,
                                      max_inflight=inflight))

    def env(self, report, **fail):
        e = {"LD_PRELOAD": self.shim, "RBLMON_FAIL_COUNT": report}
        # AddressSanitizer wants to be first in the link order; the shim
        # before it is harmless (it only counts and forwards).
        asan = os.environ.get("ASAN_OPTIONS", "")
        e["ASAN_OPTIONS"] = (asan + ":" if asan else "") + \
            "verify_asan_link_order=0"
        for key, n in fail.items():
            e["RBLMON_FAIL_" + key.upper()] = str(n)
        return e

    def run_with(self, config, report, **fail):
        """A finished Run, or None when it ran past RUN_LIMIT."""
        try:
            return rbltest.run_rblmond(
                ["-c", config, "--once", "--json", "--all"],
                timeout=RUN_LIMIT, env=self.env(report, **fail)).parse_json()
        except AssertionError:
            return None

    def count(self, config):
        """Calls made by a run with nothing failed; checks that run too."""
        report = os.path.join(self.tmp, "count")
        run = self.run_with(config, report)
        self.assertIsNotNone(run, "the run without failures hangs")
        self.assertEqual(self.judge(run), [], run.describe())
        self.assertExit(run, 1)
        got = {k: v["status"] for k, v in run.by_pair().items()}
        self.assertEqual(got, {k: v["status"] for k, v in
                               expected().items()}, run.describe())
        counts = read_counts(report)
        self.assertIsNone(counts["failed"])
        self.assertGreater(counts["alloc"], 50, counts)
        self.assertGreater(counts["event_new"], 2, counts)
        return counts

    # -- what a run must look like -----------------------------------------

    @staticmethod
    def judge_lines(run, want):
        """Problems with the lines printed, whatever the outcome."""
        problems = []
        if run.rc is None or run.rc < 0:
            problems.append("killed by signal %s" % (-(run.rc or 0)))
        for word in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            if word in run.stderr:
                problems.append("sanitizer report (%s)" % word)
        if run.stdout and not run.stdout.endswith("\n"):
            problems.append("stdout ends inside a line")
        if run.bad_lines:
            problems.append("not whole JSON lines: %r" % run.bad_lines[:3])
        seen = set()
        for r in run.results:
            pair = (r.get("target"), r.get("zone"))
            if pair in seen:
                problems.append("pair printed twice: %s on %s" % pair)
            seen.add(pair)
            w = want.get(pair)
            st = r.get("status")
            if w is None:
                problems.append("a pair that does not exist: %r" % (r,))
            elif st not in (w["status"], "error", "suppressed"):
                problems.append("%s on %s is %s, not %s (or error)" %
                                (pair[0], pair[1], st, w["status"]))
            elif st == "listed":
                if r.get("codes") != w["codes"]:
                    problems.append("%s on %s: codes %r" %
                                    (pair[0], pair[1], r.get("codes")))
                if "txt" in r and r["txt"] != w["txt"]:
                    problems.append("%s on %s: another pair's TXT %r" %
                                    (pair[0], pair[1], r["txt"]))
        return problems

    @staticmethod
    def judge_summary(run, want, complete):
        s = run.summary
        if s is None:
            return ["no summary"] if complete else []
        problems = []
        by = s.get("by_status", {})
        if s.get("pairs") != len(want):
            problems.append("summary counts %s of %d pairs" %
                            (s.get("pairs"), len(want)))
        if sum(by.values()) != s.get("pairs"):
            problems.append("summary: by_status does not add up")
        states = s.get("zone_state", {})
        for zone, state in states.items():
            if state not in rbltest.ZONE_STATES:
                problems.append("zone %s state %r" % (zone, state))
        if not complete:
            return problems
        if set(states) != {z for _, z in want}:
            problems.append("zone states %r" % (states,))
        for st in rbltest.STATUSES:
            lines = sum(1 for r in run.results if r.get("status") == st)
            if lines != by.get(st, 0):
                problems.append("%d %s lines, summary says %s" %
                                (lines, st, by.get(st, 0)))
        for r in run.results:
            if r.get("status") == "suppressed" and \
                    states.get(r.get("zone")) == "ok":
                problems.append("suppressed in an ok zone: %r" % (r,))
        return problems

    @staticmethod
    def exit_code(run):
        """The exit code the printed results call for."""
        statuses = {r.get("status") for r in run.results}
        states = set((run.summary or {}).get("zone_state", {}).values())
        if "listed" in statuses:
            return 1
        if statuses - {"clean"} or states - {"ok"}:
            return 3
        return 0

    def judge(self, run):
        """Every problem with one run; [] when it is acceptable."""
        if run is None:
            return ["ran past %.0f s" % RUN_LIMIT]
        want = expected()
        problems = self.judge_lines(run, want)
        clear_error = run.rc in (2, 3) and "rblmond:" in run.stderr
        if clear_error:
            return problems + self.judge_summary(run, want, False)
        problems += self.judge_summary(run, want, True)
        missing = set(want) - set(run.by_pair())
        if missing:
            problems.append("exit %s without a message, pairs missing: %s" %
                            (run.rc, sorted(missing)))
        elif run.rc != self.exit_code(run):
            problems.append("exit %s for these results (want %d)" %
                            (run.rc, self.exit_code(run)))
        return problems

    # -- the sweeps --------------------------------------------------------

    def sweep(self, config, key, total):
        """Runs with call N of key failed, N = 1 .. total + BEYOND."""
        def one(n):
            report = os.path.join(self.tmp, "%s-%d" % (key, n))
            run = self.run_with(config, report, **{key: n})
            return n, run, read_counts(report)

        failures = []
        injected = 0
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            for n, run, counts in pool.map(one,
                                           range(1, total + BEYOND + 1)):
                if counts["failed"] is not None:
                    injected += 1
                problems = self.judge(run)
                if problems:
                    failures.append((n, counts["failed"], problems, run))
        return failures, injected

    def report(self, key, total, failures):
        lines = ["%d of %d runs with one %s failed went wrong:" %
                 (len(failures), total + BEYOND, key)]
        for n, failed, problems, _ in failures:
            lines.append("  N=%d (%s): %s" % (n, failed or "nothing failed",
                                              "; ".join(problems)))
        for n, _, _, run in failures[:3]:
            if run is not None:
                lines.append("--- N=%d\n%s" % (n, run.describe()))
        return "\n".join(lines)

    def check_every(self, name, key):
        config = self.configs[name]
        counts = self.count(config)
        total = counts[key if key == "event_new" else "alloc"]
        failures, injected = self.sweep(config, key, total)
        # The shim really failed a call in (nearly) every run.
        self.assertGreaterEqual(injected, total - 2, "failures injected")
        if failures:
            self.fail(self.report(key, total, failures))

    def test_shim_sees_every_library(self):
        """Allocations of libc, c-ares, libevent and jansson are counted."""
        report = os.path.join(self.tmp, "count")
        run = self.run_with(self.configs["serial"], report)
        self.assertIsNotNone(run)
        counts = read_counts(report)
        libs = " ".join(counts["by"])
        for lib in ("libcares", "libevent", "libjansson", "rblmond"):
            self.assertIn(lib, libs, counts["by"])
        for kind in ("malloc", "calloc", "realloc", "strdup", "event_new"):
            self.assertGreater(counts["kind"].get(kind, 0), 0, counts["kind"])

    def test_every_allocation_serial(self):
        self.check_every("serial", "alloc")

    def test_every_allocation_window(self):
        self.check_every("window", "alloc")

    def test_every_event_new_serial(self):
        self.check_every("serial", "event_new")

    def test_every_event_new_window(self):
        self.check_every("window", "event_new")


if __name__ == "__main__":
    unittest.main()

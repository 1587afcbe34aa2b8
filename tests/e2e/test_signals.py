#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""How a sweep of rblmond --once ends when it cannot run to its end: a
SIGTERM or SIGINT in the middle (whole lines, a summary marked incomplete,
exit 3 or 1 if something was listed; a second signal ends it at once), a
reader that goes away (no death by SIGPIPE, one message), a disk that is
full (the real errno), and too few file descriptors for the event loop
(a message, never 0 or 1).
"""

import fcntl
import os
import resource
import select
import signal
import subprocess
import time
import unittest

import rbltest
from rbltest import E2ETestCase, FaultDNS

GOOD = "good.test"
# Linux: fcntl(F_SETPIPE_SZ), to make a pipe fill up quickly.
F_SETPIPE_SZ = 1031


def slow_config(test, port, net="192.0.2.0/24", qps=20, extra_zone=None,
                name="rblmond.conf"):
    keys = {"type": "ip4", "max_qps": qps}
    keys.update(extra_zone or {})
    return test.config(rbltest.render_config(
        port, [(None, "net", net)], [(GOOD, keys)]), name=name)


class Proc:
    """rblmond started in the background with its output on pipes."""

    def __init__(self, args, stdout=subprocess.PIPE, preexec_fn=None):
        env = dict(os.environ)
        env.setdefault("LC_ALL", "C")
        self.argv = [rbltest.rblmond_path()] + list(args)
        self.proc = rbltest._spawn(self.argv, stdin=subprocess.DEVNULL,
                                   stdout=stdout, stderr=subprocess.PIPE,
                                   env=env, preexec_fn=preexec_fn)
        self.out = b""

    def read_lines(self, n, timeout):
        """Read stdout until it holds n whole lines; False on timeout."""
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while self.out.count(b"\n") < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return False
            chunk = os.read(fd, 65536)
            if not chunk:
                return False
            self.out += chunk
        return True

    def finish(self, timeout=rbltest.RUN_TIMEOUT):
        """Wait for the end; a rbltest.Run with everything it wrote."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            rbltest._forget(self.proc)
            raise AssertionError("rblmond ran past %.0f s" % timeout)
        run = rbltest.Run(self.argv, self.proc.returncode,
                          (self.out + (out or b"")).decode(),
                          err.decode(), 0.0)
        return run


class SignalTest(E2ETestCase):

    def setUp(self):
        super().setUp()
        rules = {rbltest.qname_v4("192.0.2.1", GOOD): "listed"}
        self.dns = FaultDNS(self.tmp, rules).start()
        self.addCleanup(self.dns.stop)

    def stop_midway(self, sig, args):
        """Start a sweep slowed by max_qps, signal it after 3 lines."""
        p = Proc(["-c", slow_config(self, self.dns.port), "--once"] + args)
        self.assertTrue(p.read_lines(3, 10.0), "no lines came out")
        p.proc.send_signal(sig)
        return p.finish(timeout=10.0)

    def check_incomplete_json(self, run, name, rc):
        run.parse_json()
        ctx = run.describe()
        self.assertTrue(run.stdout.endswith("\n"), ctx)
        s = self.assertWellFormed(run, all_pairs=True)
        self.assertIs(s["incomplete"], True, ctx)
        self.assertEqual(s["stopped"], "stopped by " + name, ctx)
        self.assertGreater(s["by_status"].get("unchecked", 0), 0, ctx)
        self.assertEqual(s["pairs"], 256, ctx)
        self.assertExit(run, rc)

    def test_sigterm_json(self):
        run = self.stop_midway(signal.SIGTERM, ["--json", "--all"])
        # 192.0.2.1 is listed and comes second: a listing found wins.
        self.check_incomplete_json(run, "SIGTERM", 1)
        self.assertEqual(run.by_pair()[("192.0.2.1", GOOD)]["status"],
                         "listed")

    def test_sigint_json(self):
        self.dns.stop()
        self.dns = FaultDNS(self.tmp).start()
        run = self.stop_midway(signal.SIGINT, ["--json", "--all"])
        self.check_incomplete_json(run, "SIGINT", 3)

    def test_sigterm_text(self):
        self.dns.stop()
        self.dns = FaultDNS(self.tmp, {
            rbltest.qname_v4("192.0.2.%d" % n, GOOD): "a:127.0.0.99"
            for n in range(256)}).start()
        path = slow_config(self, self.dns.port,
                           extra_zone={"listed": "127.0.0.2"})
        p = Proc(["-c", path, "--once"])
        time.sleep(1.5)
        p.proc.send_signal(signal.SIGTERM)
        run = p.finish(timeout=10.0)
        ctx = run.describe()
        self.assertExit(run, 3)
        self.assertTrue(run.stdout.endswith("\n"), ctx)
        lines = run.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["TARGET", "GROUP", "ZONE",
                                            "STATUS", "CODES", "LABELS",
                                            "DETAIL"], ctx)
        self.assertRegex(run.stdout, r"sweep incomplete \(stopped by "
                         r"SIGTERM\): \d+ of 256 pairs not checked", ctx)
        self.assertRegex(lines[-1], r"^256 targets x 1 zones: \d+ pairs",
                         ctx)
        for line in lines[1:-2]:
            self.assertRegex(line, r"^192\.0\.2\.\d+\s+-\s+good\.test\s+"
                             r"ignored\s+127\.0\.0\.99$", ctx)

    def test_second_signal_ends_it_at_once(self):
        # The table is written at the end; a reader that does not read
        # makes that wait, and a second SIGTERM must not.
        path = slow_config(self, self.dns.port, net="192.0.0.0/22",
                           qps=500)
        p = Proc(["-c", path, "--once", "--all"])
        fcntl.fcntl(p.proc.stdout.fileno(), F_SETPIPE_SZ, 4096)
        time.sleep(1.0)
        p.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        self.assertIsNone(p.proc.poll(), "the first SIGTERM killed it")
        p.proc.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        try:
            p.proc.wait(timeout=3.0)
        except subprocess.TimeoutExpired:
            self.fail("a second SIGTERM did not end it")
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertEqual(p.proc.returncode, -signal.SIGTERM)
        p.proc.stdout.close()
        p.proc.stderr.close()

    def test_reader_goes_away(self):
        # `rblmond --once --json --all | head -1`: no death by SIGPIPE,
        # the sweep stops instead of running on, one message.
        path = slow_config(self, self.dns.port, net="192.0.2.0/24",
                           qps=100)
        p = Proc(["-c", path, "--once", "--json", "--all"])
        t0 = time.monotonic()
        self.assertTrue(p.read_lines(1, 10.0))
        p.proc.stdout.close()
        try:
            err = p.proc.stderr.read()
            p.proc.wait(timeout=10.0)
        finally:
            p.proc.stderr.close()
        err = err.decode()
        self.assertEqual(p.proc.returncode, 1, err)  # 192.0.2.1 listed
        self.assertLess(time.monotonic() - t0, 2.0, "ran on: " + err)
        self.assertEqual(err.count("rblmond:"), 1, err)
        self.assertIn("cannot write results: Broken pipe", err)

    def test_reader_goes_away_text(self):
        self.dns.stop()
        self.dns = FaultDNS(self.tmp).start()
        path = slow_config(self, self.dns.port, net="192.0.0.0/22",
                           qps=2000)
        p = Proc(["-c", path, "--once", "--all"])
        # The table (some 40 kB) is written at the end, into 4 kB.
        fcntl.fcntl(p.proc.stdout.fileno(), F_SETPIPE_SZ, 4096)
        self.assertTrue(p.read_lines(1, 10.0))
        p.proc.stdout.close()
        try:
            err = p.proc.stderr.read().decode()
            p.proc.wait(timeout=10.0)
        finally:
            p.proc.stderr.close()
        self.assertEqual(p.proc.returncode, 3, err)
        self.assertEqual(err.count("rblmond:"), 1, err)
        self.assertIn("Broken pipe", err)

    def test_disk_full(self):
        listed = slow_config(self, self.dns.port, qps=0)
        clean = slow_config(self, self.dns.port, net="192.0.2.2/31", qps=0,
                            name="clean.conf")
        for args, path, rc in ((["--json", "--all"], listed, 1),
                               ([], listed, 1), (["--json"], listed, 1),
                               (["--json", "--all"], clean, 3),
                               ([], clean, 3)):
            with self.subTest(args=args, rc=rc):
                with open("/dev/full", "wb") as full:
                    p = Proc(["-c", path, "--once"] + args, stdout=full)
                    run = p.finish(timeout=20.0)
                self.assertExit(run, rc)
                self.assertEqual(run.stderr,
                                 "rblmond: cannot write results: No space "
                                 "left on device\n", run.describe())

    def test_too_few_descriptors(self):
        path = slow_config(self, self.dns.port, qps=0)

        # Four descriptors: stdin, stdout, stderr and one more, too few
        # for the socket pair libevent wants for its signal handling.
        def limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (4, 4))

        for args in (["--json"], []):
            with self.subTest(args=args):
                p = Proc(["-c", path, "--once"] + args, preexec_fn=limit)
                run = p.finish(timeout=20.0)
                self.assertNoCrash(run)
                self.assertNotIn(run.rc, (0, 1), run.describe())
                self.assertExit(run, 3)
                self.assertIn("rblmond: ", run.stderr)
                self.assertIn("the sweep cannot run", run.stderr)
                self.assertEqual(run.stdout, "")


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The progress line of rblmond --once: on a terminal (stderr a pty) a
sweep that lasts more than a moment redraws "done/total pairs, rate, ETA"
and clears it at the end; with stderr not a terminal nothing of it is
written. JSON lines reach a reader while the sweep runs. The sweep is
made slow by a polite max_qps, as public lists are.
"""

import os
import pty
import re
import select
import subprocess
import time
import unittest

import rbltest
from rbltest import E2ETestCase, FaultDNS

# 128 targets at 40 q/s: at least 2.2 s, long enough for the line to show.
TARGETS = [(None, "net", "192.0.2.0/25")]
ZONES = [("good.test", {"type": "ip4", "max_qps": 40})]
PROGRESS = re.compile(r"(\d+)/(\d+) pairs \((\d+)%\), (\d+) q/s, ETA (\d+) s")


class ProgressTest(E2ETestCase):

    def setUp(self):
        super().setUp()
        self.dns = FaultDNS(self.tmp).start()
        self.addCleanup(self.dns.stop)
        self.path = self.config(rbltest.render_config(self.dns.port,
                                                      TARGETS, ZONES))

    def run_on_pty(self, args):
        """Run rblmond with stderr on a pty; (exit code, stdout, pty text)."""
        master, slave = pty.openpty()
        proc = subprocess.Popen([rbltest.rblmond_path()] + args,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        seen = b""
        deadline = time.monotonic() + rbltest.RUN_TIMEOUT
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        chunk = b""  # the pty closes with the child
                    if not chunk:
                        break
                    seen += chunk
                elif proc.poll() is not None:
                    break
            out = proc.communicate(timeout=rbltest.STOP_TIMEOUT)[0]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(master)
        return proc.returncode, out.decode(), seen.decode("utf-8", "replace")

    def test_progress_on_a_terminal(self):
        rc, out, tty = self.run_on_pty(["-c", self.path, "--once"])
        self.assertEqual(rc, 0, out + tty)
        lines = PROGRESS.findall(tty)
        self.assertTrue(lines, "no progress line on the terminal: %r" % tty)
        for done, total, pct, _, _ in lines:
            self.assertEqual(int(total), 128)
            self.assertLessEqual(int(done), 128)
            self.assertEqual(int(pct), round(100 * int(done) / 128))
        dones = [int(d) for d, *_ in lines]
        self.assertEqual(dones, sorted(dones), "progress went backwards")
        # Each redraw returns to the start of the line and clears it, and
        # the last one is wiped so the table starts on a clean line.
        self.assertTrue(tty.endswith("\r\x1b[K"), repr(tty[-40:]))
        self.assertIn("128 pairs", out)

    def test_no_progress_off_a_terminal(self):
        run = rbltest.run_rblmond(["-c", self.path, "--once"])
        self.assertEqual(run.rc, 0, run.describe())
        self.assertGreater(run.seconds, 1.5, "the sweep was not slow")
        self.assertEqual(run.stderr, "")

    def test_json_lines_come_as_they_are_found(self):
        # A reader of a slow sweep (a pipe, not a terminal) gets each
        # line within moments, not in blocks at the end.
        # 32 pairs at 8 q/s: some 3 s, about 2 kB in all.
        path = self.config(rbltest.render_config(
            self.dns.port, [(None, "net", "192.0.2.0/27")],
            [("good.test", {"type": "ip4", "max_qps": 8})]), name="slow.conf")
        proc = subprocess.Popen([rbltest.rblmond_path(), "-c", path,
                                 "--once", "--json", "--all"],
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        try:
            start = time.monotonic()
            ready, _, _ = select.select([proc.stdout], [], [], 10.0)
            first = time.monotonic() - start
            self.assertTrue(ready, "no line in 10 s")
            head = os.read(proc.stdout.fileno(), 65536).decode()
            self.assertIn('"zone":"good.test"', head.split("\n")[0])
            self.assertLess(first, 1.0, "the first line took %.1f s" % first)
            self.assertIsNone(proc.poll(), "the sweep was not slow")
            rest = proc.communicate(timeout=rbltest.RUN_TIMEOUT)[0]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(len((head + rest.decode()).splitlines()), 32 + 1)

    def test_no_progress_between_json_lines_on_a_terminal(self):
        # JSON on a terminal goes to the same screen: no progress there.
        master, slave = pty.openpty()
        try:
            proc = subprocess.run([rbltest.rblmond_path(), "-c", self.path,
                                   "--once", "--json"],
                                  stdin=subprocess.DEVNULL, stdout=slave,
                                  stderr=slave,
                                  timeout=rbltest.RUN_TIMEOUT)
            os.close(slave)
            slave = None
            text = b""
            while select.select([master], [], [], 0.2)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                text += chunk
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        self.assertEqual(proc.returncode, 0)
        self.assertNotRegex(text.decode(), PROGRESS.pattern)
        self.assertIn('"summary"', text.decode())


if __name__ == "__main__":
    unittest.main()

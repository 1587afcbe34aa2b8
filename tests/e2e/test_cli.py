#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rblmond's command line: --check-config (exit 0, or 2 with
"rblmond: FILE:LINE: message"), warnings that do not stop it, files that
are not regular files, usage errors (exit 2), -V, and the shipped sample
configuration. No DNS traffic (one --once run asks a port nobody serves).
"""

import os
import re
import time
import unittest

import rbltest
from rbltest import E2ETestCase, run_rblmond

HEAD = ["[rblmond]", "nameservers = 127.0.0.1:5353", "timeout = 300ms",
        "tries = 1"]
TARGETS = ["[targets]", "ip = 192.0.2.25"]
ZONE = ["[zone zen.example]", "type = ip",
        "listed = 127.0.0.2-127.0.0.11", "refused = 127.255.255.0/24",
        "code = 127.0.0.2 SBL", "code = 127.0.0.4-127.0.0.7 XBL",
        "code = &6 MASKED", "txt = yes", "max_qps = 20",
        "test_points = yes"]
VALID = HEAD + [""] + TARGETS + [""] + ZONE

# (name, lines, 1-based number of the offending line[, text the message
# must hold])
BAD = [
    ("unknown key rblmond", HEAD + ["colour = blue"] + TARGETS + ZONE, 5),
    ("unknown key zone", VALID + ["frobnicate = 1"], len(VALID) + 1),
    ("unknown key targets", HEAD + TARGETS + ["host = mx.example"] + ZONE,
     7),
    # The reader sees section headers itself: the header's own line.
    ("unknown section", VALID + ["[zones]", "x = 1"], len(VALID) + 1),
    ("key before section", ["timeout = 2s"] + VALID, 1),
    ("timeout below 100ms", ["[rblmond]", "timeout = 50ms"] + TARGETS +
     ZONE, 2),
    ("timeout not a duration", ["[rblmond]", "timeout = soon"] + TARGETS +
     ZONE, 2),
    ("tries zero", ["[rblmond]", "tries = 0"] + TARGETS + ZONE, 2),
    ("tries eleven", ["[rblmond]", "tries = 11"] + TARGETS + ZONE, 2),
    ("max_inflight word", ["[rblmond]", "max_inflight = many"] + TARGETS +
     ZONE, 2),
    ("bad ip", HEAD + ["[targets]", "ip = 999.0.2.1"] + ZONE, 6),
    ("ipv6 /64 net", HEAD + ["[targets]", "ip = 192.0.2.1",
                             "net = 2001:db8::/64"] + ZONE, 7),
    ("ipv4 /15 net", HEAD + ["[targets]", "net = 10.0.0.0/15"] + ZONE, 6),
    ("net host bits", HEAD + ["[targets]", "net = 192.0.2.1/24"] + ZONE, 6),
    ("bad domain", HEAD + ["[targets]", "domain = exa mple.com"] + ZONE, 6),
    ("zone type", HEAD + TARGETS + ["[zone z.example]", "type = ipx"], 8),
    ("listed code", HEAD + TARGETS + ["[zone z.example]", "type = ip",
                                      "listed = 300.0.0.1"], 9),
    ("refused range", HEAD + TARGETS + ["[zone z.example]", "type = ip",
                                        "refused = 127.0.0.9-127.0.0.2"], 9),
    ("txt maybe", HEAD + TARGETS + ["[zone z.example]", "type = ip",
                                    "txt = maybe"], 9),
    ("test_points maybe", HEAD + TARGETS + ["[zone z.example]", "type = ip",
                                            "test_points = perhaps"], 9),
    ("max_qps word", HEAD + TARGETS + ["[zone z.example]", "type = ip",
                                       "max_qps = fast"], 9),
    ("max_qps below the floor", HEAD + TARGETS +
     ["[zone z.example]", "max_qps = 0.00000000001"], 8),
    ("listed outside 127/8", HEAD + TARGETS +
     ["[zone z.example]", "listed = 127.0.0.2", "listed = 10.0.0.1"], 9),
    ("listed every address", HEAD + TARGETS +
     ["[zone z.example]", "listed = 0.0.0.0/0"], 8),
    ("code label outside 127/8", HEAD + TARGETS +
     ["[zone z.example]", "code = 192.0.2.1 nonsense"], 8),
    ("test_listed of the wrong family", HEAD + TARGETS +
     ["[zone z.example]", "test_listed = ::1", "type = ip4"], 8,
     "test_listed: ::1 is an IPv6 address"),
    ("test_listed not a domain", HEAD + TARGETS +
     ["[zone d.example]", "type = domain", "test_listed = a..b"], 9,
     'test_listed: invalid domain "a..b"'),
    ("a query that could take 17 hours",
     ["[rblmond]", "timeout = 60s", "tries = 10"] + TARGETS + ZONE, 3),
    ("timeout over the cap with the default tries",
     ["[rblmond]", "timeout = 60s"] + TARGETS + ZONE, 2),
    ("vertical tab continuation", HEAD + ["[targets]", "ip = 192.0.2.1",
                                          "\v192.0.2.99"] + ZONE, 7),
    ("form feed continuation", HEAD + ["[targets]", "ip = 192.0.2.1",
                                       "\f192.0.2.99"] + ZONE, 7),
]


def text(lines):
    return "\n".join(lines) + "\n"


class CheckConfigTest(E2ETestCase):

    def check(self, path):
        return run_rblmond(["-c", path, "--check-config"], timeout=20)

    def test_valid(self):
        path = self.config(text(VALID))
        run = self.check(path)
        self.assertNoCrash(run)
        self.assertExit(run, 0)
        self.assertNotIn("rblmond: ", run.stderr, run.describe())

    def test_errors_name_file_and_line(self):
        for name, lines, lineno, *message in BAD:
            with self.subTest(name):
                path = self.config(text(lines), name="bad.conf")
                run = self.check(path)
                self.assertNoCrash(run)
                self.assertExit(run, 2)
                prefix = "rblmond: %s:%d: " % (path, lineno)
                self.assertTrue(run.stderr.startswith(prefix),
                                "%s: want prefix %r\n%s" %
                                (name, prefix, run.describe()))
                self.assertGreater(len(run.stderr.strip()), len(prefix),
                                   "no message: " + run.describe())
                # One error, on one line.
                self.assertEqual(run.stderr.count("\n"), 1, run.describe())
                for m in message:
                    self.assertIn(m, run.stderr, run.describe())

    def test_control_bytes_escaped(self):
        """An ESC in a key name or a label never reaches the terminal."""
        cases = [
            ("key", VALID + ["co\x1b[2Jlour = 1"],
             'unknown key "co\\x1b[2Jlour" in [zone zen.example]'),
            ("label", VALID + ["code = 127.0.0.3 S\x1b]0;owned\x07BL"],
             'code: label "S\\x1b]0;owned\\x07BL" may hold printable '
             'characters only, no quotes or backslashes'),
        ]
        for name, lines, message in cases:
            with self.subTest(name):
                path = self.config(text(lines), name="esc.conf")
                run = self.check(path)
                self.assertExit(run, 2)
                self.assertEqual(run.stderr, "rblmond: %s:%d: %s\n" %
                                 (path, len(lines), message), run.describe())
                for ch in run.stderr[:-1]:
                    self.assertTrue(" " <= ch <= "~", run.describe())

    def test_fifo_is_not_read(self):
        """A FIFO as -c or as an include is refused at once, not waited
        on for ever (nobody ever writes to it)."""
        fifo = os.path.join(self.tmp, "zones.fifo")
        os.mkfifo(fifo)
        run = run_rblmond(["-c", fifo, "--check-config"], timeout=10)
        self.assertNoCrash(run)
        self.assertExit(run, 2)
        self.assertEqual(run.stderr, "rblmond: %s: not a regular file\n" %
                         fifo, run.describe())
        path = self.config(text(HEAD + ["include = zones.fifo", ""] +
                                TARGETS + ZONE))
        for mode in ("--check-config", "--once"):
            with self.subTest(mode):
                run = run_rblmond(["-c", path, mode], timeout=10)
                self.assertNoCrash(run)
                self.assertExit(run, 2)
                self.assertEqual(run.stderr, 'rblmond: %s:5: include: '
                                 '"%s": not a regular file\n' % (path, fifo),
                                 run.describe())
                self.assertEqual(run.stdout, "", run.describe())

    def test_device_is_not_read(self):
        run = run_rblmond(["-c", "/dev/zero", "--check-config"], timeout=10)
        self.assertExit(run, 2)
        self.assertEqual(run.stderr,
                         "rblmond: /dev/zero: not a regular file\n",
                         run.describe())

    def test_many_groups_load_fast(self):
        """65,534 [targets NAME] groups, each opened twice: found by a
        hash, not a scan of every group before it (that took over 4 s in
        a release build). The bound holds for a sanitizer build too."""
        lines = ["[zone zen.example]"]
        for i in range(65534):
            lines += ["[targets g%d]" % i, "ip = 10.%d.%d.1" % divmod(i, 256)]
        for i in range(0, 65534, 2):
            lines += ["[targets g%d]" % i, "ip = 10.%d.%d.2" % divmod(i, 256)]
        path = self.config(text(lines), name="groups.conf")
        start = time.monotonic()
        run = run_rblmond(["-c", path, "--check-config"], timeout=60)
        seconds = time.monotonic() - start
        self.assertExit(run, 0)
        self.assertIn("targets: 98301,", run.stdout, run.describe())
        self.assertLess(seconds, 2.0, run.describe())

    def test_retired_zone_warns(self):
        """A retired list loads with a warning, from --check-config and
        from --once alike; it does not make the file an error."""
        retired = ["[zone dnsbl.sorbs.net]", "type = ip4"]
        head = ["[rblmond]", "nameservers = 127.0.0.1:%d" %
                rbltest.free_port(), "timeout = 300ms", "tries = 1"]
        lines = head + TARGETS + ZONE + retired
        path = self.config(text(lines))
        warning = ("rblmond: %s:%d: warning: [zone dnsbl.sorbs.net]: SORBS "
                   "(retired 2024-06-05): " % (path, len(lines) - 1))
        run = self.check(path)
        self.assertNoCrash(run)
        self.assertExit(run, 0)
        self.assertTrue(run.stderr.startswith(warning), run.describe())
        self.assertEqual(run.stderr.count("\n"), 1, run.describe())
        self.assertIn("OK (targets: 1, zones: 2, pairs: 2)", run.stdout)
        # Nothing listens on the port: the zones are not healthy (exit 3),
        # but the warning comes first, before any query.
        run = run_rblmond(["-c", path, "--once", "--json"], timeout=30)
        self.assertNoCrash(run)
        self.assertExit(run, 3)
        self.assertTrue(run.stderr.startswith(warning), run.describe())

    def test_error_in_included_file(self):
        inc = ["[zone inc.example]", "type = ip", "listed = 127.0.0.2",
               "bogus_key = 1"]
        self.config(text(inc), name="zones.conf")
        path = self.config(text(HEAD + ["include = zones.conf", ""] +
                                TARGETS))
        run = self.check(path)
        self.assertNoCrash(run)
        self.assertExit(run, 2)
        self.assertRegex(run.stderr, r"^rblmond: (\S*/)?zones\.conf:4: ",
                         run.describe())

    def test_include_ok(self):
        self.config(text(ZONE), name="zones.conf")
        path = self.config(text(HEAD + ["include = zones.conf", ""] +
                                TARGETS))
        run = self.check(path)
        self.assertExit(run, 0)

    def test_net_size_boundary(self):
        """A net of max_net_addresses addresses passes; one bigger does not."""
        ok = HEAD + ["max_net_addresses = 256", "[targets]",
                     "net = 192.0.2.0/24"] + ZONE
        run = self.check(self.config(text(ok)))
        self.assertExit(run, 0)
        big = HEAD + ["max_net_addresses = 256", "[targets]",
                      "net = 192.0.2.0/23"] + ZONE
        path = self.config(text(big), name="big.conf")
        run = self.check(path)
        self.assertExit(run, 2)
        self.assertTrue(run.stderr.startswith("rblmond: %s:7: " % path),
                        run.describe())

    def test_missing_file(self):
        path = os.path.join(self.tmp, "absent.conf")
        run = self.check(path)
        self.assertExit(run, 2)
        self.assertTrue(run.stderr.startswith("rblmond: %s" % path),
                        run.describe())

    def test_once_refuses_bad_config(self):
        path = self.config(text(VALID + ["nonsense = 1"]))
        run = run_rblmond(["-c", path, "--once", "--json"], timeout=20)
        self.assertExit(run, 2)
        self.assertEqual(run.stdout, "", run.describe())

    def test_shipped_config(self):
        path = os.path.join(rbltest.SOURCE_DIR, "conf", "rblmond.conf")
        self.assertTrue(os.path.exists(path), path)
        run = self.check(path)
        self.assertNoCrash(run)
        self.assertExit(run, 0)


class UsageTest(E2ETestCase):

    def test_usage_errors(self):
        good = self.config(text(VALID))
        cases = [
            ("unknown option", ["--bogus"]),
            ("unknown short option", ["-Z"]),
            ("foreground with once", ["-c", good, "-f", "--once"]),
            ("foreground with check", ["-c", good, "--check-config", "-f"]),
            ("json without once", ["-c", good, "-f", "--json"]),
            ("both modes", ["-c", good, "--check-config", "--once"]),
            ("json without once", ["-c", good, "--check-config", "--json"]),
            ("all without once", ["-c", good, "--all", "--check-config"]),
            ("stray argument", ["-c", good, "--once", "extra"]),
            ("-c without file", ["-c"]),
        ]
        for name, args in cases:
            with self.subTest(name):
                run = run_rblmond(args, timeout=20)
                self.assertNoCrash(run)
                self.assertExit(run, 2)
                self.assertTrue(run.stderr.strip(), run.describe())

    def test_arguments_escaped(self):
        """What the user typed reaches the terminal escaped, never raw."""
        path = self.config(text(VALID), name="a\x1b[31m.conf")
        run = run_rblmond(["-c", path, "--check-config"], timeout=20)
        self.assertExit(run, 0)
        self.assertEqual(run.stdout.split(": OK ")[0],
                         path.replace("\x1b", "\\x1b"), run.describe())
        run = run_rblmond(["--once", "x\x07y"], timeout=20)
        self.assertExit(run, 2)
        self.assertIn('unexpected argument "x\\x07y"', run.stderr,
                      run.describe())
        self.assertNotIn("\x07", run.stderr + run.stdout)
        self.assertNotIn("\x1b", run.stdout)

    def test_version(self):
        for opt in ("-V", "--version"):
            run = run_rblmond([opt], timeout=20)
            self.assertExit(run, 0)
            self.assertRegex(run.stdout, r"^rblmond \d+\.\d+\.\d+",
                             run.describe())

    def test_help(self):
        run = run_rblmond(["-h"], timeout=20)
        self.assertExit(run, 0)
        self.assertIn("usage", run.stdout.lower())
        self.assertIn("--check-config", run.stdout)
        self.assertTrue(re.search(r"--once", run.stdout))


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rblmond's command line: --check-config (exit 0, or 2 with
"rblmond: FILE:LINE: message"), usage errors (exit 2), -V, and the shipped
sample configuration. No DNS traffic.
"""

import os
import re
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

# (name, lines, 1-based number of the offending line)
BAD = [
    ("unknown key rblmond", HEAD + ["colour = blue"] + TARGETS + ZONE, 5),
    ("unknown key zone", VALID + ["frobnicate = 1"], len(VALID) + 1),
    ("unknown key targets", HEAD + TARGETS + ["host = mx.example"] + ZONE,
     7),
    # inih reports a section through its first key: either line will do.
    ("unknown section", VALID + ["[zones]", "x = 1"],
     (len(VALID) + 1, len(VALID) + 2)),
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
        for name, lines, lineno in BAD:
            with self.subTest(name):
                path = self.config(text(lines), name="bad.conf")
                run = self.check(path)
                self.assertNoCrash(run)
                self.assertExit(run, 2)
                lines = lineno if isinstance(lineno, tuple) else (lineno,)
                prefixes = tuple("rblmond: %s:%d: " % (path, n)
                                 for n in lines)
                self.assertTrue(run.stderr.startswith(prefixes),
                                "%s: want prefix %r\n%s" %
                                (name, prefixes[0], run.describe()))
                prefix = prefixes[0]
                self.assertGreater(len(run.stderr.strip()), len(prefix),
                                   "no message: " + run.describe())

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
            ("no mode", ["-c", good]),
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

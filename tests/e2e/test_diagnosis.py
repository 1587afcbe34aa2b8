#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Why zones are not ok, as rblmond --once says it: a reason per zone
(JSON zone_reason, the table's "zone X is dead: ..." line) and the cause
several zones share with its advice (JSON diagnosis, the table, and one
warning on stderr), against faultdns.py's broken zones.
"""

import re
import unittest

import rbltest
from rbltest import E2ETestCase, FaultDNS

TARGETS = [(None, "ip", "192.0.2.10")]


def zone(name, **keys):
    conf = {"type": "ip4", "refused": "127.255.255.0/24"}
    conf.update(keys)
    return (name, conf)


class DiagnosisTest(E2ETestCase):

    def setUp(self):
        super().setUp()
        self.dns = FaultDNS(self.tmp).start()
        self.addCleanup(self.dns.stop)
        self.servers = "127.0.0.1:%d" % self.dns.port

    def sweep(self, zones, args=("--json",)):
        path = self.config(rbltest.render_config(self.dns.port, TARGETS,
                                                 zones, timeout="200ms"))
        return rbltest.run_rblmond(["-c", path, "--once"] + list(args))

    def test_reason_per_zone(self):
        run = self.sweep([zone("good.test"), zone("notestpoint.test"),
                          zone("silent.test"), zone("servfail.test"),
                          zone("quota.test"), zone("hijack.test"),
                          zone("listsall.test")]).parse_json()
        s = self.assertWellFormed(run)
        self.assertExit(run, 3)
        self.assertEqual(s["zone_reason"], {
            "notestpoint.test": "test point 127.0.0.2 answered NXDOMAIN",
            "silent.test": "test point 127.0.0.2 timed out",
            "servfail.test": "server refused (SERVFAIL/REFUSED)",
            "quota.test": "test point 127.0.0.2 answered the refusal code "
                          "127.255.255.254",
            "hijack.test": "test point 127.0.0.2 answered 198.51.100.7, "
                           "outside 127/8",
            "listsall.test": "test point 127.0.0.1 is listed (127.0.0.2)",
        }, run.describe())
        causes = {d["cause"]: d["zones"] for d in s["diagnosis"]}
        # good.test's test points work: NXDOMAIN is that list's own doing.
        self.assertEqual(causes, {
            "public-resolver": ["quota.test"],
            "nxdomain-rewrite": ["hijack.test"],
            "unreachable": ["silent.test", "servfail.test"],
            "lists-all": ["listsall.test"],
        }, run.describe())
        for d in s["diagnosis"]:
            if d["cause"] != "lists-all":
                self.assertIn(self.servers, d["evidence"])
            self.assertTrue(d["advice"], d)
        # JSON mode: stderr stays quiet, the summary says it all.
        self.assertEqual(run.stderr, "")

    def test_every_list_nxdomain(self):
        zones = [zone("notestpoint-a.test"), zone("notestpoint-b.test"),
                 zone("notestpoint-c.test")]
        run = self.sweep(zones).parse_json()
        s = self.assertWellFormed(run)
        self.assertExit(run, 3)
        self.assertEqual(len(s["diagnosis"]), 1, run.describe())
        d = s["diagnosis"][0]
        self.assertEqual(d["cause"], "nxdomain-all")
        self.assertEqual(d["zones"], [z for z, _ in zones])
        self.assertEqual(d["evidence"], "every list's 127.0.0.2 test point "
                         "came back NXDOMAIN through " + self.servers)
        self.assertIn("point `nameservers` at your own recursive resolver",
                      d["advice"])

        text = self.sweep(zones, args=())
        self.assertExit(text, 3)
        for z, _ in zones:
            self.assertIn("zone %s is dead: test point 127.0.0.2 answered "
                          "NXDOMAIN; 1 pair suppressed" % z, text.stdout)
        self.assertEqual(text.stdout.count("cause nxdomain-all: "), 1,
                         text.describe())
        # One warning for a person, not one per zone.
        warnings = [l for l in text.stderr.splitlines() if l]
        self.assertEqual(len(warnings), 1, text.describe())
        self.assertRegex(warnings[0], r"^rblmond: every list's 127\.0\.0\.2 "
                         r"test point came back NXDOMAIN through " +
                         re.escape(self.servers) + ": this resolver cannot "
                         r"reach the lists")

    def test_all_ok_says_nothing(self):
        run = self.sweep([zone("good.test")], args=()).parse_json()
        self.assertExit(run, 0)
        self.assertEqual(run.stderr, "")
        self.assertNotIn("cause", run.stdout)
        js = self.sweep([zone("good.test")]).parse_json()
        s = self.assertWellFormed(js)
        self.assertEqual(s["diagnosis"], [])
        self.assertEqual(s["zone_reason"], {})


if __name__ == "__main__":
    unittest.main()

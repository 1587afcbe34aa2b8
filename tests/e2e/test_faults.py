#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rblmond --once against faultdns.py: every bad day a DNSBL can have, both
for a whole zone (decided by the RFC 5782 §5 test points: the zone is not
ok and its pairs are suppressed) and for single targets inside a healthy
zone (error, refused or bogus for that pair). A fault never becomes a
listing, an error never becomes clean.
"""

import unittest

import rbltest
from rbltest import E2ETestCase

GOOD = "good.test"

# Single targets inside the healthy zone good.test, by last octet of
# 192.0.2.N: (faultdns action, expected status).
PER_TARGET = {
    2: ("listed", "listed"),
    10: (None, "clean"),
    11: ("servfail", "error"),
    12: ("silent", "error"),
    13: ("hijack", "bogus"),
    14: ("quota", "refused"),
    15: ("malformed", "error"),
    16: ("refused", "error"),
    17: ("tc", "listed"),
    18: ("a:127.0.0.2,127.0.0.3,127.0.0.10", "listed"),
    19: ("nodata", "clean"),
    20: ("garbage", "error"),
    21: ("a:127.0.0.99", "ignored"),
    22: ("wrongid", "error"),
    23: ("wrongname", "error"),
    24: ("a:127.0.0.2,198.51.100.7", "bogus"),
    25: ("a:127.0.0.2,127.255.255.254", "refused"),
    26: ("txtctl", "listed"),
    27: ("badrdata", "error"),
    28: ("notimp", "error"),
    29: ("formerr", "error"),
    30: ("headeronly", "error"),
    31: ("late", "error"),
    32: ("txtlong", "listed"),
    33: ("txtfail", "listed"),
    # Headers and messages c-ares 1.18 hands back as success.
    34: ("qr0", "error"),
    35: ("echo", "error"),
    36: ("tctcp", "error"),
    37: ("badnx", "error"),
    38: ("badnodata", "error"),
    39: ("trailing", "error"),
    # Many records: every one counts, identical ones are printed once.
    88: ("many:16:127.255.255.254", "refused"),
    89: ("many:16:8.8.8.8", "bogus"),
    # Owners: the answer for our name, or nothing believed.
    90: ("otherowner", "error"),
    91: ("otherowner+a", "error"),
    92: ("cname", "listed"),
}
# Every rcode without records (192.0.2.40+N), with A 127.0.0.2 (56+N), and
# every opcode with the listed answer (72+N): only NOERROR and NXDOMAIN of
# a QUERY response ever mean anything.
for _n in range(16):
    PER_TARGET[40 + _n] = ("rcode:%d" % _n,
                           "clean" if _n in (0, 3) else "error")
    PER_TARGET[56 + _n] = ("rcode+a:%d" % _n,
                           "listed" if _n == 0 else "error")
    PER_TARGET[72 + _n] = ("opcode:%d" % _n,
                           "listed" if _n == 0 else "error")

V6_LISTED = "2001:db8::5"
V6_BROKEN = "2001:db8::6"
V6_CLEAN = "2001:db8::7"
DOM_LISTED = "listed.example.com"
DOM_BROKEN = "broken.example.com"
DOM_CLEAN = "clean.example.com"


def ip(n):
    return "192.0.2.%d" % n


def rules():
    out = {}
    for n, (act, _) in PER_TARGET.items():
        if act is not None:
            out[rbltest.qname_v4(ip(n), GOOD)] = act
    out[rbltest.qname_v4(ip(5), "tc.test")] = "listed"
    out[rbltest.qname_v6(V6_LISTED, "good-6.test")] = "listed"
    out[rbltest.qname_v6(V6_BROKEN, "good-6.test")] = "servfail"
    out[DOM_LISTED + ".good-dom.test"] = "listed"
    out[DOM_BROKEN + ".good-dom.test"] = "servfail"
    return out


def zone(name, **keys):
    """A zone as a list-of-pairs config section; IPv4 unless told."""
    conf = {
        "type": "ip4",
        "listed": "127.0.0.2-127.0.0.11",
        "refused": "127.255.255.0/24",
        "code": ["127.0.0.2 SBL", "127.0.0.3 CSS", "127.0.0.10 PBL"],
        "txt": "yes",
    }
    conf.update(keys)
    return (name, conf)


class FaultTest(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dns = rbltest.FaultDNS(cls.class_tmp, rules()).start()
        cls.addClassCleanup(cls.dns.stop)

    # -- helpers -----------------------------------------------------------

    def sweep(self, targets, zones, timeout="300ms", tries=1, port=None):
        """Run --once --json --all; the run, its summary and its pairs."""
        conf = []
        for t in targets:
            key = "domain" if t[0].isalpha() else "ip"
            conf.append((None, key, t))
        path = self.config(rbltest.render_config(
            port or self.dns.port, conf, zones, timeout=timeout,
            tries=tries))
        self.dns.clear_log()
        run = rbltest.run_once(path, all_pairs=True, timeout=30)
        self.assertNoCrash(run)
        summary = self.assertWellFormed(run, all_pairs=True)
        return run, summary, run.by_pair()

    def expect(self, run, summary, pairs, statuses, states, exit_code):
        """Check statuses {(target, zone): status}, zone states, exit."""
        ctx = run.describe()
        got = {p: r["status"] for p, r in pairs.items()}
        self.assertEqual(got, statuses, ctx)
        self.assertEqual(summary["zone_state"], states, ctx)
        self.assertFaultInvariants(run)
        self.assertExit(run, exit_code)

    def assertFaultInvariants(self, run):
        """No listing from a fault, no clean from an error, anywhere."""
        for r in run.results:
            pair = (r["target"], r["zone"])
            ctx = "%r\n%s" % (r, run.describe())
            if (r["zone"] == GOOD and r["status"] != "suppressed" and
                    r["target"].startswith("192.0.2.")):
                n = int(r["target"].split(".")[3])
                if n in PER_TARGET:
                    self.assertEqual(r["status"], PER_TARGET[n][1], ctx)
            if r["status"] == "suppressed":
                self.assertNotIn("codes", r, ctx)
                self.assertNotIn("txt", r, ctx)
            if r["status"] == "error" and "error" in r:
                self.assertIsInstance(r["error"], str, ctx)
            if r["status"] in ("refused", "bogus"):
                self.assertIn("codes", r, ctx)
            if r["status"] == "bogus":
                self.assertTrue(any(not c.startswith("127.")
                                    for c in r["codes"]), ctx)
            if r["status"] != "listed":
                self.assertNotIn("labels", r, ctx)
            if r["status"] == "listed":
                self.assertTrue(r.get("codes"), ctx)
                self.assertTrue(all(c.startswith("127.")
                                    for c in r["codes"]), ctx)
            if "codes" in r:
                self.assertEqual(len(r["codes"]), len(set(r["codes"])),
                                 "a code printed twice: %s" % ctx)
            self.assertIn(pair, run.by_pair(), ctx)

    def target_queries(self, zone_name, targets):
        """Queries faultdns saw for these targets on zone_name."""
        names = {rbltest.qname_of(t, zone_name) for t in targets}
        return [q for q in self.dns.queries() if q[2] in names]

    def probe_queries(self, zone_name):
        points = {"2.0.0.127", "1.0.0.127", "test", "invalid",
                  rbltest.qname_v6("::ffff:7f00:2", "").rstrip("."),
                  rbltest.qname_v6("::ffff:7f00:1", "").rstrip(".")}
        return [q for q in self.dns.queries()
                if q[2] in {p + "." + zone_name for p in points}]

    def zone_down(self, mode, per_target, per_status, state):
        """A zone-wide fault and the same fault for single targets."""
        bad = "%s.test" % mode
        targets = [ip(5), ip(10)] + [ip(n) for n in per_target]
        run, s, pairs = self.sweep(targets, [zone(GOOD), zone(bad)])
        statuses = {(t, bad): "suppressed" for t in targets}
        for t in targets:
            statuses[(t, GOOD)] = "clean"
        for n in per_target:
            statuses[(ip(n), GOOD)] = per_status
        self.expect(run, s, pairs, statuses, {GOOD: "ok", bad: state}, 3)
        self.assertEqual(self.target_queries(bad, targets), [],
                         "a zone that is not ok was queried for targets")
        return run

    # -- whole zones and single targets ------------------------------------

    def test_good_zone(self):
        targets = [ip(2), ip(10), ip(19)]
        run, s, pairs = self.sweep(targets, [zone(GOOD)])
        self.expect(run, s, pairs, {
            (ip(2), GOOD): "listed", (ip(10), GOOD): "clean",
            (ip(19), GOOD): "clean"}, {GOOD: "ok"}, 1)
        r = pairs[(ip(2), GOOD)]
        self.assertEqual(r["codes"], ["127.0.0.2"])
        self.assertEqual(r["labels"], ["SBL"])
        self.assertEqual(r["txt"], "Listed: 2.2.0.192.good.test")
        self.assertEqual(len(self.probe_queries(GOOD)), 2,
                         self.dns.queries())

    def test_servfail(self):
        self.zone_down("servfail", [11], "error", "dead")

    def test_refused_rcode(self):
        self.zone_down("refused", [16, 28, 29], "error", "dead")

    def test_timeout(self):
        run = self.zone_down("silent", [12, 22, 23, 31], "error", "dead")
        self.assertLess(run.seconds, 10, run.describe())

    def test_malformed(self):
        self.zone_down("malformed", [15, 20, 27, 30], "error", "dead")

    def test_quota_refused(self):
        run = self.zone_down("quota", [14, 25], "refused", "refused")
        pairs = run.by_pair()
        self.assertIn("127.255.255.254", pairs[(ip(14), GOOD)]["codes"])
        self.assertEqual(sorted(pairs[(ip(25), GOOD)]["codes"]),
                         ["127.0.0.2", "127.255.255.254"])

    def test_hijack_bogus(self):
        run = self.zone_down("hijack", [13, 24], "bogus", "bogus")
        pairs = run.by_pair()
        self.assertEqual(pairs[(ip(13), GOOD)]["codes"], ["198.51.100.7"])

    def test_lists_all(self):
        self.zone_down("listsall", [], "clean", "lists-all")

    def test_no_test_point(self):
        self.zone_down("notestpoint", [], "clean", "dead")

    def test_truncated_then_tcp(self):
        tc = "tc.test"
        targets = [ip(5), ip(6), ip(17)]
        run, s, pairs = self.sweep(targets, [zone(GOOD), zone(tc)])
        self.expect(run, s, pairs, {
            (ip(5), tc): "listed", (ip(6), tc): "clean",
            (ip(17), tc): "clean", (ip(5), GOOD): "clean",
            (ip(6), GOOD): "clean", (ip(17), GOOD): "listed"},
            {GOOD: "ok", tc: "ok"}, 1)
        self.assertEqual(pairs[(ip(5), tc)]["codes"], ["127.0.0.2"])
        self.assertEqual(pairs[(ip(17), GOOD)]["codes"], ["127.0.0.2"])
        tcp = {q[2] for q in self.dns.queries() if q[0] == "tcp"}
        self.assertIn(rbltest.qname_v4(ip(5), tc), tcp)
        self.assertIn(rbltest.qname_v4(ip(17), GOOD), tcp)
        self.assertIn("2.0.0.127." + tc, tcp)

    def test_several_a_records(self):
        multi = "multi.test"
        targets = [ip(5), ip(18)]
        run, s, pairs = self.sweep(targets, [zone(GOOD), zone(multi)])
        self.expect(run, s, pairs, {
            (ip(5), multi): "listed", (ip(18), multi): "listed",
            (ip(5), GOOD): "clean", (ip(18), GOOD): "listed"},
            {GOOD: "ok", multi: "ok"}, 1)
        for pair in ((ip(5), multi), (ip(18), multi), (ip(18), GOOD)):
            r = pairs[pair]
            self.assertEqual(sorted(r["codes"]),
                             ["127.0.0.10", "127.0.0.2", "127.0.0.3"], r)
            self.assertEqual(sorted(r["labels"]), ["CSS", "PBL", "SBL"], r)

    def test_ignored_code(self):
        targets = [ip(10), ip(21)]
        run, s, pairs = self.sweep(targets, [zone(GOOD)])
        self.expect(run, s, pairs, {
            (ip(10), GOOD): "clean", (ip(21), GOOD): "ignored"},
            {GOOD: "ok"}, 0)
        self.assertEqual(pairs[(ip(21), GOOD)].get("codes"),
                         ["127.0.0.99"])

    def test_test_points_off(self):
        off = "notestpoint-off.test"
        lister = "listsall-off.test"
        targets = [ip(5)]
        run, s, pairs = self.sweep(targets, [
            zone(off, test_points="no"), zone(lister, test_points="no")])
        self.expect(run, s, pairs, {
            (ip(5), off): "clean", (ip(5), lister): "listed"},
            {off: "ok", lister: "ok"}, 1)
        self.assertEqual(self.probe_queries(off), [])
        self.assertEqual(self.probe_queries(lister), [])
        self.assertEqual(len(self.target_queries(off, targets)), 1)

    def test_listed_wins_over_incomplete(self):
        targets = [ip(2), ip(11)]
        run, s, pairs = self.sweep(targets, [zone(GOOD),
                                             zone("servfail.test")])
        self.expect(run, s, pairs, {
            (ip(2), GOOD): "listed", (ip(11), GOOD): "error",
            (ip(2), "servfail.test"): "suppressed",
            (ip(11), "servfail.test"): "suppressed"},
            {GOOD: "ok", "servfail.test": "dead"}, 1)

    def test_untrusted_txt(self):
        targets = [ip(26), ip(32), ip(33)]
        run, s, pairs = self.sweep(targets, [zone(GOOD)])
        self.expect(run, s, pairs, {(t, GOOD): "listed" for t in targets},
                    {GOOD: "ok"}, 1)
        ctl = pairs[(ip(26), GOOD)].get("txt", "")
        self.assertTrue(ctl.startswith("bad"), ctl)
        for ch in ctl:
            self.assertFalse(ord(ch) < 0x20 or ord(ch) == 0x7F,
                             "control character in txt %r" % ctl)
        self.assertNotIn("\x1b", run.stdout)
        # Twelve 255-byte strings, cut at the 400-character cap.
        long_txt = pairs[(ip(32), GOOD)].get("txt", "")
        self.assertEqual(len(long_txt), 400, long_txt)
        self.assertEqual(long_txt, "0" * 255 + "1" * 142 + "...")
        self.assertNotIn("txt", pairs[(ip(33), GOOD)])

    def test_every_per_target_fault_at_once(self):
        targets = [ip(n) for n in sorted(PER_TARGET)]
        run, s, pairs = self.sweep(targets, [zone(GOOD)])
        self.expect(run, s, pairs,
                    {(ip(n), GOOD): st for n, (_, st) in PER_TARGET.items()},
                    {GOOD: "ok"}, 1)

    def test_broken_headers(self):
        """rcodes 1, 2, 4-15 with or without records, QR=0, an echoed
        query, any opcode but QUERY, TC over TCP, counts that promise
        missing records and junk after the last: never clean or listed."""
        nums = [n for n in sorted(PER_TARGET) if 34 <= n <= 87]
        targets = [ip(n) for n in nums]
        run, s, pairs = self.sweep(targets, [zone(GOOD)])
        self.expect(run, s, pairs,
                    {(ip(n), GOOD): PER_TARGET[n][1] for n in nums},
                    {GOOD: "ok"}, 1)
        for n in nums:
            r = pairs[(ip(n), GOOD)]
            if r["status"] == "error":
                self.assertTrue(r.get("error"), r)
                self.assertNotIn("codes", r, r)
        self.assertEqual(pairs[(ip(56 + 6), GOOD)]["error"],
                         "rcode YXDOMAIN (6)")
        self.assertEqual(pairs[(ip(40 + 9), GOOD)]["error"],
                         "rcode NOTAUTH (9)")
        self.assertEqual(pairs[(ip(34), GOOD)]["error"],
                         "not a response (QR=0)")
        self.assertEqual(pairs[(ip(36), GOOD)]["error"],
                         "truncated answer (TC)")
        # SERVFAIL and REFUSED come with their message, named.
        self.assertEqual(pairs[(ip(40 + 2), GOOD)]["error"],
                         "rcode SERVFAIL (2)")
        self.assertEqual(pairs[(ip(40 + 5), GOOD)]["error"],
                         "rcode REFUSED (5)")
        # tctcp: the TCP answer was asked for, and its TC not believed.
        tcp = {q[2] for q in self.dns.queries() if q[0] == "tcp"}
        self.assertIn(rbltest.qname_v4(ip(36), GOOD), tcp)

    def test_many_records_and_owners(self):
        """A refusal or hijack after 16 listings wins; identical records
        print once; records for another owner are not believed; a CNAME
        chain to the listing is a listing."""
        nums = [88, 89, 90, 91, 92]
        run, s, pairs = self.sweep([ip(n) for n in nums], [zone(GOOD)])
        self.expect(run, s, pairs,
                    {(ip(n), GOOD): PER_TARGET[n][1] for n in nums},
                    {GOOD: "ok"}, 1)
        self.assertEqual(pairs[(ip(88), GOOD)]["codes"],
                         ["127.0.0.2", "127.255.255.254"])
        self.assertEqual(pairs[(ip(89), GOOD)]["codes"],
                         ["127.0.0.2", "8.8.8.8"])
        for n in (90, 91):
            self.assertEqual(pairs[(ip(n), GOOD)]["error"],
                             "A record for another name")
        r = pairs[(ip(92), GOOD)]
        self.assertEqual(r["codes"], ["127.0.0.2"])
        self.assertEqual(r["labels"], ["SBL"])
        self.assertEqual(r["txt"], "Listed via CNAME")

    def test_broken_zones_are_dead(self):
        """A zone whose every answer is broken, test points included."""
        for mode, per_target in (("rcode9", [49]), ("rcode6", [62]),
                                 ("qr0", [34]), ("echo", [35]),
                                 ("opcode4", [76]), ("tctcp", [36]),
                                 ("badnx", [37]), ("badnodata", [38]),
                                 ("trailing", [39]), ("otherowner", [90])):
            with self.subTest(mode=mode):
                self.zone_down(mode, per_target, "error", "dead")

    def test_closed_tcp_spares_other_zones(self):
        """A zone whose server closes every TCP connection: c-ares fails
        every query in flight to that server with it, and the healthy
        zone's pairs must still be decided, not errors."""
        bad = "tcpclose.test"
        targets = [ip(2)] + [ip(n) for n in range(150, 190)]
        run, s, pairs = self.sweep(targets, [
            zone(GOOD), zone(bad, test_points="no")])
        statuses = {(t, GOOD): "clean" for t in targets}
        statuses[(ip(2), GOOD)] = "listed"
        statuses.update({(t, bad): "error" for t in targets})
        self.expect(run, s, pairs, statuses, {GOOD: "ok", bad: "ok"}, 1)
        tcp = [q for q in self.dns.queries()
               if q[0] == "tcp" and q[2].endswith("." + bad)]
        self.assertTrue(tcp, "no TCP connection was ever closed")
        for t in targets:
            self.assertEqual(pairs[(t, bad)]["error"],
                             "connection refused or closed")
        # The healthy zone's queries never needed TCP.
        self.assertFalse([q for q in self.dns.queries()
                          if q[0] == "tcp" and q[2].endswith("." + GOOD)])

    def test_retry_while_another_retries(self):
        """A query sent while another waits for its doubled retry has
        its own first retry on time, not when the other's is due."""
        silent = "silent-retry.test"
        targets = [ip(n) for n in (200, 201)]
        run, s, pairs = self.sweep(targets, [
            zone(silent, test_points="no", max_qps="0.7")],
            timeout="1s", tries=2)
        self.expect(run, s, pairs, {(t, silent): "error" for t in targets},
                    {silent: "ok"}, 3)
        second = rbltest.qname_v4(targets[1], silent)
        times = sorted(q[3] for q in self.dns.timed_queries()
                       if q[2] == second)
        self.assertEqual(len(times), 2, self.dns.timed_queries())
        # Its retry is due 1 s after it was sent; the first query's retry
        # (doubled to 2 s) was due later.
        self.assertLess(times[1] - times[0], 1.3, times)

    def test_ipv6_and_domain_zones(self):
        z6, zd = "good-6.test", "good-dom.test"
        targets = [V6_LISTED, V6_BROKEN, V6_CLEAN, DOM_LISTED, DOM_BROKEN,
                   DOM_CLEAN]
        run, s, pairs = self.sweep(targets, [
            zone(z6, type="ip6"), zone(zd, type="domain")])
        self.expect(run, s, pairs, {
            (V6_LISTED, z6): "listed", (V6_BROKEN, z6): "error",
            (V6_CLEAN, z6): "clean", (DOM_LISTED, zd): "listed",
            (DOM_BROKEN, zd): "error", (DOM_CLEAN, zd): "clean"},
            {z6: "ok", zd: "ok"}, 1)
        self.assertEqual(pairs[(DOM_LISTED, zd)]["txt"],
                         "Listed: listed.example.com.good-dom.test")
        seen = {q[2] for q in self.probe_queries(z6)}
        self.assertEqual(seen, {
            rbltest.qname_v6("::ffff:7f00:2", z6),
            rbltest.qname_v6("::ffff:7f00:1", z6)})
        seen = {q[2] for q in self.probe_queries(zd)}
        self.assertEqual(seen, {"test." + zd, "invalid." + zd})

    def test_max_qps(self):
        """A zone's max_qps spreads its queries; other zones are not held."""
        slow, fast = "good-slow.test", "good-fast.test"
        targets = ["192.0.2.%d" % n for n in range(100, 140)]
        run, s, pairs = self.sweep(targets, [
            zone(slow, max_qps="20"), zone(fast)], timeout="2s")
        self.expect(run, s, pairs,
                    {(t, z): "clean" for t in targets for z in (slow, fast)},
                    {slow: "ok", fast: "ok"}, 0)
        times = sorted(q[3] for q in self.dns.timed_queries()
                       if q[2].endswith("." + slow))
        self.assertEqual(len(times), 42, "40 targets and 2 test points")
        # A token bucket may start with a burst of about a second's worth.
        self.assertGreaterEqual(times[-1] - times[0], 0.9, run.describe())
        for i, t0 in enumerate(times):
            in_window = sum(1 for t in times[i:] if t < t0 + 1.0)
            self.assertLessEqual(in_window, 40, "queries within 1 s")
        fast_times = sorted(q[3] for q in self.dns.timed_queries()
                            if q[2].endswith("." + fast))
        self.assertLess(fast_times[-1] - fast_times[0], 0.9,
                        "an unlimited zone waited for a limited one")

    def test_no_server(self):
        """Nothing listens on the nameserver port: errors, not clean."""
        port = rbltest.free_port()
        targets = [ip(2), ip(10)]
        run, s, pairs = self.sweep(targets, [
            zone(GOOD), zone("good-noprobe.test", test_points="no")],
            port=port)
        statuses = {(t, GOOD): "suppressed" for t in targets}
        statuses.update({(t, "good-noprobe.test"): "error"
                         for t in targets})
        self.expect(run, s, pairs, statuses,
                    {GOOD: "dead", "good-noprobe.test": "ok"}, 3)
        self.assertLess(run.seconds, 10, run.describe())
        # ICMP port unreachable: a connection failure, said as such.
        for t in targets:
            self.assertEqual(pairs[(t, "good-noprobe.test")]["error"],
                             "connection refused or closed")


if __name__ == "__main__":
    unittest.main()

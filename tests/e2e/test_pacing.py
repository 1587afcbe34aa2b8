#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Pacing of rblmond --once, measured where it matters: the times at which
faultdns.py received each query. A slow zone (0.1 q/s) never holds back a
faster one beside it, nor makes it burst afterwards; TXT follow-ups of
listed pairs take tokens from their zone's rate like every other query.
"""

import unittest

import rbltest
from rbltest import E2ETestCase, FaultDNS

SLOW = "good-slow.test"
FAST = "good-fast.test"
TXT = "good-txt.test"
# Scheduling slack on a busy test machine (seconds).
SLACK = 0.5


def spans(times, window):
    """Most queries that fall within any `window` seconds."""
    most = 0
    for i, t in enumerate(times):
        n = sum(1 for u in times[i:] if u - t < window)
        most = max(most, n)
    return most


class PacingTest(E2ETestCase):

    def run_sweep(self, dns, targets, zones):
        path = self.config(rbltest.render_config(dns.port, targets, zones,
                                                 timeout="1s"))
        run = rbltest.run_once(path, all_pairs=True, timeout=60)
        self.assertWellFormed(run, all_pairs=True)
        return run

    def test_slow_zone_beside_fast_zone(self):
        dns = FaultDNS(self.tmp).start()
        self.addCleanup(dns.stop)
        targets = [(None, "ip", "192.0.2.%d" % n) for n in range(1, 5)]
        targets += [(None, "ip", "2001:db8::1"), (None, "ip", "2001:db8::2")]
        run = self.run_sweep(dns, targets, [
            (SLOW, {"type": "ip6", "max_qps": "0.1", "test_points": "no"}),
            (FAST, {"type": "ip4", "max_qps": "1"})])
        self.assertExit(run, 0)
        log = dns.timed_queries()
        start = min(t for _, _, _, t in log)
        fast = sorted(t - start for _, _, q, t in log
                      if q.endswith("." + FAST))
        slow = sorted(t - start for _, _, q, t in log
                      if q.endswith("." + SLOW))
        ctx = "fast %r\nslow %r\n%s" % (fast, slow, run.describe())
        self.assertEqual(len(fast), 2 + 4, ctx)
        self.assertEqual(len(slow), 2, ctx)
        # Test points at 0 s and 1 s, then one pair a second: the first
        # at 2 s, not when the slow zone's next token is due (10 s).
        first_pair = fast[2]
        self.assertLess(first_pair, 2.0 + SLACK, ctx)
        for a, b in zip(fast, fast[1:]):
            self.assertGreater(b - a, 1.0 - SLACK, "a burst\n" + ctx)
        self.assertLess(fast[-1], 5.0 + SLACK, ctx)
        # The slow zone keeps its own pace.
        self.assertGreater(slow[1] - slow[0], 10.0 - SLACK, ctx)

    def test_txt_follow_ups_take_tokens(self):
        targets = [(None, "ip", "192.0.2.%d" % n) for n in range(1, 7)]
        rules = {rbltest.qname_v4(v, TXT): "listed" for _, _, v in targets}
        dns = FaultDNS(self.tmp, rules).start()
        self.addCleanup(dns.stop)
        run = self.run_sweep(dns, targets, [
            (TXT, {"type": "ip4", "max_qps": "2", "txt": "yes",
                   "test_points": "no"})])
        self.assertExit(run, 1)
        for _, _, v in targets:
            r = run.by_pair()[(v, TXT)]
            self.assertEqual(r["txt"], "Listed: " + rbltest.qname_v4(v, TXT))
        log = dns.timed_queries()
        times = sorted(t for _, _, _, t in log)
        kinds = sorted(k for _, k, _, _ in log)
        ctx = "%r\n%s" % (log, run.describe())
        self.assertEqual(kinds, ["A"] * 6 + ["TXT"] * 6, ctx)
        # 12 queries at 2 a second with a burst of 2: at least 5 s, and
        # never more than 3 in one second.
        self.assertGreater(times[-1] - times[0], 5.0 - SLACK, ctx)
        self.assertLessEqual(spans(times, 1.0 - SLACK), 3, ctx)


if __name__ == "__main__":
    unittest.main()

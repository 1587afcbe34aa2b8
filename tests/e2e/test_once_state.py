#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rblmond --once with a state_db: one cycle of the monitor.

Against rbldnsd whose data the test rewrites: the first run confirms a
listing (its second query asked at once), records it and runs the
alert_command once; a second run finds it standing and announces nothing;
once delisted, the next run announces the delisting with its duration;
without a state_db the same runs announce nothing and ask each pair once.
The output and exit codes are those of --once either way.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import daemon  # noqa: E402
import rbltest  # noqa: E402

ZEN = "zen.example"
TXT = "Listed by the test"
T1 = "192.0.2.25"
T2 = "192.0.2.26"


def zen_lines(listed):
    lines = [":127.0.0.2:" + TXT, "127.0.0.2"]
    for ip, code in sorted(listed.items()):
        lines.append("%s :%s:%s" % (ip, code, TXT))
    return lines


def zen_expect(listed):
    out = [(rbltest.qname_v4(t, ZEN), [listed[t]] if t in listed else [])
           for t in (T1, T2)]
    out.append((rbltest.qname_v4("127.0.0.2", ZEN), ["127.0.0.2"]))
    return out


class OnceStateTest(rbltest.E2ETestCase):

    def setUp(self):
        super().setUp()
        self.dns = daemon.LiveRbldnsd(self.tmp, [(ZEN, "ip4set", "zen")],
                                      "2.0.0.127." + ZEN,
                                      {"zen": zen_lines({})}).start()
        self.addCleanup(self.dns.stop)
        self.hook = daemon.Hook(self.tmp)
        self.db = os.path.join(self.tmp, "state.db")

    def conf(self, state_db):
        text = daemon.daemon_config(
            self.dns.port, [(None, "ip", T1), (None, "ip", T2)],
            [(ZEN, {"type": "ip4", "listed": "127.0.0.2-127.0.0.11",
                    "code": "127.0.0.2 SBL", "txt": "yes",
                    "delist_url": "https://example.test/?q={target}"})],
            state_db, hook=self.hook, confirm=2, confirm_delay="1h")
        return self.config(text)

    def once(self, path):
        mark = self.dns.log_mark()
        run = rbltest.run_once(path)
        self.assertWellFormed(run)
        return run, self.dns.queries(mark)

    def asked(self, queries, target):
        name = rbltest.qname_v4(target, ZEN)
        return sum(1 for q in queries if q["qname"] == name and
                   q["qtype"] == "A")

    def test_cycle_with_state(self):
        path = self.conf(self.db)
        self.dns.update("zen", zen_lines({T1: "127.0.0.2"}),
                        zen_expect({T1: "127.0.0.2"}))
        run, queries = self.once(path)
        self.assertExit(run, 1)
        self.assertEqual(run.by_pair()[(T1, ZEN)]["status"], "listed",
                         run.describe())
        # The confirming query went out at once, not confirm_delay later.
        self.assertEqual(self.asked(queries, T1), 2, queries)
        self.assertEqual(self.asked(queries, T2), 1, queries)
        listed = self.hook.events(event="listed", target=T1)
        self.assertEqual(len(listed), 1, self.hook.describe())
        self.assertEqual(listed[0]["RBLMON_CODES"], "127.0.0.2")
        self.assertEqual(listed[0]["RBLMON_LABELS"], "SBL")
        self.assertEqual(listed[0]["RBLMON_TXT"], TXT)
        self.assertEqual(listed[0]["RBLMON_DELIST_URL"],
                         "https://example.test/?q=" + T1)
        store = daemon.Store(self.db)
        self.assertEqual(store.pairs(), {(T1, ZEN)})
        self.assertEqual([(e["target"], e["sent"]) for e in store.events()],
                         [(T1, 1)])
        self.assertEqual(store.integrity(), ["ok"])

        # Standing: reported again, announced no more.
        run, queries = self.once(path)
        self.assertExit(run, 1)
        self.assertEqual(len(self.hook.runs()), 1, self.hook.describe())
        self.assertEqual(self.asked(queries, T1), 1, queries)

        # Delisted: the next run confirms it and says for how long.
        self.dns.update("zen", zen_lines({}), zen_expect({}))
        run, queries = self.once(path)
        self.assertExit(run, 0)
        self.assertEqual(self.asked(queries, T1), 2, queries)
        gone = self.hook.events(event="delisted", target=T1)
        self.assertEqual(len(gone), 1, self.hook.describe())
        self.assertTrue(gone[0]["RBLMON_DURATION"].isdigit(), gone)
        self.assertEqual(store.pairs(), set())
        self.assertEqual(len(self.hook.runs()), 2, self.hook.describe())

    def test_without_state_nothing_is_announced(self):
        path = self.conf(None)
        self.dns.update("zen", zen_lines({T1: "127.0.0.2"}),
                        zen_expect({T1: "127.0.0.2"}))
        for _ in range(2):
            run, queries = self.once(path)
            self.assertExit(run, 1)
            self.assertEqual(self.asked(queries, T1), 1, queries)
        self.assertEqual(self.hook.runs(), [], self.hook.describe())
        self.assertFalse(os.path.exists(self.db))


if __name__ == "__main__":
    unittest.main()

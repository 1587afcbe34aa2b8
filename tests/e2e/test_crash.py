#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rblmond killed with SIGKILL while listings change (rbldnsd data
toggled during each run; half the kills at a random moment, half as the
first alert of a batch arrives), then started again, many times over.
After each restart the state file passes PRAGMA integrity_check; at the
end every event row was announced on syslog at least once, nothing twice
unless the repeat says redelivery=1, no alert without a row, each pair's
history alternates listed / delisted, and the standing pairs are what
rbldnsd serves. The alert command is best effort
across a kill (commands still waiting are dropped), but it too never sees
an event twice without redelivery.

RBLMON_CRASH_LOOPS sets the number of kills (50 by default; 2000 for a
long run), RBLMON_CRASH_SEED the random seed (printed on failure).
"""

import collections
import os
import random
import time
import unittest

import daemon
import rbltest
from daemon import DaemonTestCase

ZONE = "crash.example"
TARGETS = ["192.0.2.%d" % n for n in range(1, 17)]
LOOPS = int(os.environ.get("RBLMON_CRASH_LOOPS", "50"))
SEED = int(os.environ.get("RBLMON_CRASH_SEED", "0") or 0) or \
    random.SystemRandom().randrange(1, 1 << 31)


def lines(listed):
    out = [":127.0.0.2:crash test", "127.0.0.2"]
    out += sorted(listed, key=TARGETS.index)
    return out


def expect(listed):
    out = [(rbltest.qname_v4(t, ZONE), ["127.0.0.2"] if t in listed else [])
           for t in TARGETS]
    out.append((rbltest.qname_v4("127.0.0.2", ZONE), ["127.0.0.2"]))
    return out


def check_by_id(rows, announced):
    """Problems (texts) of announced [(row id, is a repeat)] against the
    stored rows: each row at least once, at most once without
    redelivery=1, and no id that is not a row."""
    problems = []
    seen = collections.defaultdict(list)
    for ident, repeat in announced:
        seen[ident].append(repeat)
    ids = {r["id"] for r in rows}
    for ident in sorted(set(seen) - ids):
        problems.append("id %s announced, not in the store" % ident)
    for r in rows:
        got = seen.get(r["id"], [])
        if not got:
            problems.append("never announced: %r" % r)
        elif got.count(False) > 1:
            problems.append("announced %d times without redelivery=1: %r"
                            % (got.count(False), r))
    return problems


def check_by_key(rows, announced):
    """The same for announcements that name no row id: by (kind, target,
    zone), as many announcements as rows at least, and no more first
    announcements than rows."""
    problems = []
    want = collections.Counter(row_key(r["kind"], r["target"], r["zone"])
                               for r in rows)
    have = collections.Counter(k for k, _ in announced)
    first = collections.Counter(k for k, repeat in announced if not repeat)
    for k in sorted(set(want) | set(have)):
        if have[k] < want[k]:
            problems.append("%r: %d rows, announced %d times" %
                            (k, want[k], have[k]))
        if first[k] > want[k]:
            problems.append("%r: %d rows, %d announcements without "
                            "redelivery=1" % (k, want[k], first[k]))
    return problems


def row_key(kind, target, zone):
    return (kind or "", target or "", zone or "")


class CrashTest(DaemonTestCase):

    def test_kill_nine_loop(self):
        rng = random.Random(SEED)
        listed = set(rng.sample(TARGETS, 5))
        dns = daemon.LiveRbldnsd(self.tmp, [(ZONE, "ip4set", "crash")],
                                 "2.0.0.127." + ZONE,
                                 {"crash": lines(listed)}).start()
        self.addCleanup(dns.stop)
        zone = (ZONE, {"type": "ip4", "listed": "127.0.0.2",
                       "code": "127.0.0.2 SBL", "txt": "no"})
        text = daemon.daemon_config(
            dns.port, [("out", "ip", t) for t in TARGETS], [zone],
            self.state_db, hook=self.hook, interval="1s", confirm=1,
            confirm_delay="1s", alert_max=4)
        d = self.daemon(text, start=False)
        where = "seed %d (RBLMON_CRASH_SEED), loop %%d" % SEED
        t_end = time.monotonic() + 20 + LOOPS * 3.0

        def toggle():
            for t in rng.sample(TARGETS, rng.randint(1, 6)):
                listed.symmetric_difference_update({t})
            dns.update("crash", lines(listed), expect(listed))

        for loop in range(LOOPS):
            self.assertLess(time.monotonic(), t_end, "too slow")
            d.start()
            ctx = where % loop
            if loop:
                self.assertEqual(self.store.integrity(), ["ok"], ctx)
            time.sleep(rng.uniform(0, 0.6))
            mark = self.syslog.mark()
            toggle()
            if rng.random() < 0.5:
                # At a random moment.
                time.sleep(rng.uniform(0, 0.8))
            else:
                # As the first alert of a batch arrives: the rest are
                # still to be announced or marked sent.
                daemon.wait_until(lambda: self.syslog.alerts(mark), 3.0,
                                  0.001)
            self.assertTrue(d.alive(), "%s: exited before the kill\n%s" %
                            (ctx, self.context(d)))
            self.assertEqual(d.kill9(), -9, ctx)

        # A last run: the outbox drains, the pairs catch up, a clean stop.
        d.start()
        ctx = where % LOOPS
        self.assertEqual(self.store.integrity(), ["ok"], ctx)
        want_pairs = {(t, ZONE) for t in listed}

        def caught_up():
            try:
                unsent = self.store.query(
                    "SELECT count(*) AS n FROM events WHERE sent = 0")
                return (unsent[0]["n"] == 0 and
                        self.store.pairs() == want_pairs)
            except Exception:
                return False
        self.assertTrue(daemon.wait_until(caught_up, 20.0),
                        "%s: the store does not catch up with %r\n%s" %
                        (ctx, sorted(want_pairs), self.context(d)))
        self.assertStopsCleanly(d)
        self.assertEqual(self.store.integrity(), ["ok"], ctx)
        # Alert commands still running finish on their own.
        seen = []
        daemon.wait_until(lambda: seen.append(len(self.hook.runs())) or
                          (len(seen) > 10 and seen[-1] == seen[-11]), 10.0,
                          0.1)

        rows = self.store.events()
        self.assertTrue(rows, ctx)
        self.assertEqual({r["kind"] for r in rows} - {"listed", "delisted"},
                         set(), "%s: only listings and delistings\n%s" %
                         (ctx, self.context(d)))
        for r in rows:
            self.assertEqual(r["sent"], 1, "%s: %r" % (ctx, r))

        alerts = [m for m in self.syslog.messages() if m.is_alert]
        for m in alerts:
            self.assertIsNone(m.error, "%s: %r" % (ctx, m))
        with self.subTest("syslog"):
            if all(m.get("id") for m in alerts):
                problems = check_by_id(rows, [
                    (int(m.get("id")), m.get("redelivery") == "1")
                    for m in alerts])
            else:
                problems = check_by_key(rows, [
                    (row_key(m.get("event"), m.get("target"),
                             m.get("zone")), m.get("redelivery") == "1")
                    for m in alerts])
            self.assertEqual(problems, [], "%s\n%s" %
                             (ctx, self.syslog.describe(last=200)))
        with self.subTest("alert_command"):
            # Best effort (a kill drops the commands still waiting), but
            # never an event twice unless it says so, nor one not stored.
            problems = [p for p in check_by_id(rows, [
                (int(r["env"].get("RBLMON_ID") or 0),
                 r["env"].get("RBLMON_REDELIVERY") == "1")
                for r in self.hook.runs()])
                if not p.startswith("never announced")]
            self.assertTrue(self.hook.runs(), ctx)
            self.assertEqual(problems, [], "%s\n%s" %
                             (ctx, self.hook.describe()))

        # Each pair's history alternates, and ends where the data is.
        history = collections.defaultdict(list)
        for r in rows:
            history[r["target"]].append(r["kind"])
        for t, kinds in sorted(history.items()):
            want = ["listed", "delisted"] * len(kinds)
            self.assertEqual(kinds, want[:len(kinds)],
                             "%s: history of %s" % (ctx, t))
            self.assertEqual(kinds[-1] == "listed", t in listed,
                             "%s: last event of %s" % (ctx, t))
        for t in listed:
            self.assertIn(t, history, "%s: %s listed, never announced" %
                          (ctx, t))


if __name__ == "__main__":
    unittest.main()

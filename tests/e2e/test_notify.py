#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""What rblmond -f tells systemd through $NOTIFY_SOCKET (sd_notify
datagrams, every one from the daemon's own pid): READY=1 once the store
is open, STATUS= after each cycle, RELOADING=1 with MONOTONIC_USEC at
SIGHUP and READY=1 again (after a refused configuration too), STOPPING=1
at SIGTERM before a clean exit with the store flushed, and WATCHDOG=1
well inside WATCHDOG_USEC (only when it is set).
"""

import signal
import time
import unittest

import daemon
from daemon import DaemonTestCase

ZONE = "notify.example"
LISTED = "192.0.2.41"
CLEAN = "192.0.2.42"


class NotifyTest(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.dns = daemon.LiveRbldnsd(
            self.tmp, [(ZONE, "ip4set", "notify")], "2.0.0.127." + ZONE,
            {"notify": [":127.0.0.2:listed", "127.0.0.2", LISTED]}).start()
        self.addCleanup(self.dns.stop)

    def text(self, extra=()):
        zone = (ZONE, {"type": "ip4", "listed": "127.0.0.2",
                       "code": "127.0.0.2 SBL", "txt": "no"})
        return daemon.daemon_config(
            self.dns.port, [("out", "ip", LISTED), ("out", "ip", CLEAN)],
            [zone], self.state_db, hook=self.hook, interval="1s",
            confirm=1, confirm_delay="1s", extra=extra)

    def start(self, **kw):
        d = self.daemon(self.text(), start=False)
        # The store is open by READY=1: look the moment it comes.
        seen = []
        d.start(wait_ready=False, **kw)
        deadline = time.monotonic() + daemon.READY_TIMEOUT
        ready = None
        while not ready and d.alive() and time.monotonic() < deadline:
            ready = self.notify.with_key("READY", "1")
            if ready:
                seen.append(self.store.exists())
            time.sleep(0.005)
        self.assertTrue(ready, "no READY=1\n" + self.context(d))
        self.assertEqual(seen[:1], [True], "READY=1 before the state file "
                         "exists\n" + self.context(d))
        return d

    def assertFromDaemon(self, d):
        for n in self.notify.snapshot():
            if n.pid is not None:
                self.assertEqual(n.pid, d.pid, "%r\n%s" %
                                 (n, self.context(d)))

    def test_ready_status_stopping(self):
        d = self.start()
        items = self.notify.snapshot()
        first = [i for i, n in enumerate(items)
                 if n.fields.get("READY") == "1"][0]
        for n in items[:first]:
            self.assertFalse({"RELOADING", "STOPPING", "WATCHDOG"} &
                             set(n.fields), n)
        status = d.wait_cycles(1, since=first + 1)[0]
        self.assertTrue(status.fields["STATUS"].strip(), status)
        d.wait_alerts(event="listed", target=LISTED)
        d.wait_cycles(2)
        self.assertEqual(self.notify.with_key("WATCHDOG"), [],
                         "WATCHDOG=1 without WATCHDOG_USEC")
        mark = self.notify.mark()
        d.term()
        d.wait_notify("STOPPING", "1", since=mark, timeout=5.0)
        self.assertEqual(d.wait_exit(), 0, self.context(d))
        self.assertFalse(self.notify.with_key("READY", since=mark))
        self.assertFromDaemon(d)
        # Flushed on the way out.
        self.assertEqual(self.store.pairs(), {(LISTED, ZONE)})
        rows = [e for e in self.store.events() if e["target"] == LISTED]
        self.assertEqual([(e["kind"], e["sent"]) for e in rows],
                         [("listed", 1)], self.context(d))
        self.assertEqual(self.store.integrity(), ["ok"])

    def test_sigint_is_a_clean_stop(self):
        d = self.start()
        d.wait_cycles(1)
        d.signal(signal.SIGINT)
        self.assertEqual(d.wait_exit(), 0, self.context(d))

    def test_reload(self):
        d = self.start()
        d.wait_cycles(1)
        for label, text in (("same configuration", self.text()),
                            ("refused configuration",
                             self.text(["frobnicate = yes"]))):
            with self.subTest(label):
                self.config(text)
                mark = self.notify.mark()
                before = daemon.monotonic_usec()
                d.hup()
                r = d.wait_notify("RELOADING", "1", since=mark,
                                  what="SIGHUP")
                after = daemon.monotonic_usec()
                usec = int(r.fields.get("MONOTONIC_USEC", "-1"))
                self.assertGreaterEqual(usec, before, r)
                self.assertLessEqual(usec, after, r)
                index = self.notify.snapshot().index(r)
                ready = d.wait_notify("READY", "1", since=index + 1,
                                      what="after RELOADING=1")
                self.assertGreaterEqual(ready.received, r.received)
                d.wait_cycles(1, since=index + 1)
                self.assertTrue(d.alive(), self.context(d))
        self.assertFromDaemon(d)
        self.assertStopsCleanly(d)

    def test_watchdog(self):
        d = self.start(watchdog_usec=500000)
        ready = self.notify.with_key("READY", "1")[0]
        time.sleep(3.0)
        self.assertTrue(d.alive(), self.context(d))
        pings = [n.received for n in self.notify.with_key("WATCHDOG", "1")
                 if n.received >= ready.received]
        self.assertGreaterEqual(len(pings), 5, self.context(d))
        gaps = [b - a for a, b in zip([ready.received] + pings,
                                      pings + [time.monotonic()])]
        self.assertLess(max(gaps), 0.5, "a watchdog gap of %.3f s\n%s" %
                        (max(gaps), self.context(d)))
        self.assertFromDaemon(d)
        self.assertStopsCleanly(d)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The state file on a small tmpfs (mounted inside the test's mount
namespace only) that a filler file fills up while listings change: the
daemon stays up and goes on announcing, raises exactly one storage-error,
and once the filler is gone writes what happened meanwhile and what
happens next; nothing stored before the disk filled up is lost.
"""

import errno
import os
import unittest

import daemon
import rbltest
from daemon import DaemonTestCase, LOG_WARNING

ZONE = "full.example"
T1, T2, T3 = "192.0.2.31", "192.0.2.32", "192.0.2.33"
TARGETS = [T1, T2, T3]


def lines(listed):
    return [":127.0.0.2:listed", "127.0.0.2"] + sorted(listed)


def expect(listed):
    out = [(rbltest.qname_v4(t, ZONE), ["127.0.0.2"] if t in listed else [])
           for t in TARGETS]
    return out + [(rbltest.qname_v4("127.0.0.2", ZONE), ["127.0.0.2"])]


def fill(path):
    """Write path until the file system says ENOSPC; the bytes written."""
    n = 0
    with open(path, "wb", buffering=0) as f:
        for size in (1 << 16, 1 << 12, 1 << 9, 1):
            for _ in range(1 << 16):
                try:
                    n += f.write(b"\0" * size)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
            else:
                raise AssertionError("%s never filled up" % path)
    return n


def stable(row):
    """An event row without the columns that may change later."""
    return {k: v for k, v in row.items() if k not in ("sent", "redelivery")}


class DiskFullTest(DaemonTestCase):

    tmpfs = [("state", "4m")]

    def setUp(self):
        super().setUp()
        # The daemon sees the tmpfs at self.tmp/state; the test reaches it
        # through the namespace.
        self.state_db = os.path.join(self.tmp, "state", "state.db")
        self.store = daemon.Store(self.state_db, self.ns)
        self.filler = self.ns.host_path(os.path.join(self.tmp, "state",
                                                     "filler"))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "state",
                                                     "state.db")))

    def stored(self, target, kind):
        return [e for e in self.store.events()
                if e["target"] == target and e["kind"] == kind and
                e["sent"] == 1]

    def test_disk_full_while_listings_change(self):
        dns = daemon.LiveRbldnsd(self.tmp, [(ZONE, "ip4set", "full")],
                                 "2.0.0.127." + ZONE,
                                 {"full": lines([T1])}).start()
        self.addCleanup(dns.stop)
        zone = (ZONE, {"type": "ip4", "listed": "127.0.0.2",
                       "code": "127.0.0.2 SBL", "txt": "yes"})
        text = daemon.daemon_config(
            dns.port, [("out", "ip", t) for t in TARGETS], [zone],
            self.state_db, hook=self.hook, interval="1s", confirm=1,
            confirm_delay="1s")
        d = self.daemon(text)
        self.assertTrue(self.store.exists(), self.context(d))
        d.wait_alerts(event="listed", target=T1)
        self.assertTrue(daemon.wait_until(
            lambda: self.stored(T1, "listed"), 10.0), self.context(d))
        d.wait_cycles(1)
        before = self.store.events()
        self.assertEqual(self.store.pairs(), {(T1, ZONE)})

        # Full: changes go on being announced, one storage-error.
        fill(self.filler)
        mark = self.syslog.mark()
        dns.update("full", lines([T2]), expect([T2]))
        d.wait_alerts(since=mark, event="listed", target=T2)
        d.wait_alerts(since=mark, event="delisted", target=T1)
        m = d.wait_alerts(since=mark, event="storage-error")[0]
        self.assertEqual((m.ident, m.severity), ("rblmond", LOG_WARNING),
                         m)
        self.assertTrue(m.get("detail"), m)
        self.settle(d, 3)
        self.assertTrue(d.alive(), self.context(d))
        self.assertEqual(len(self.syslog.alerts(0, event="storage-error")),
                         1, self.context(d))

        # Room again: what happened meanwhile, and what happens next, is
        # written.
        os.unlink(self.filler)
        self.assertTrue(daemon.wait_until(
            lambda: (self.stored(T2, "listed") and
                     self.stored(T1, "delisted")), 15.0),
            "the changes made while the disk was full were not written\n"
            + self.context(d))
        mark = self.syslog.mark()
        dns.update("full", lines([T2, T3]), expect([T2, T3]))
        d.wait_alerts(since=mark, event="listed", target=T3)
        self.assertTrue(daemon.wait_until(
            lambda: self.stored(T3, "listed"), 10.0), self.context(d))
        self.assertTrue(daemon.wait_until(
            lambda: self.store.pairs() == {(T2, ZONE), (T3, ZONE)}, 10.0),
            self.context(d))
        after = {e["id"]: stable(e) for e in self.store.events()}
        for e in before:
            self.assertEqual(after.get(e["id"]), stable(e),
                             "a row stored before the disk filled up "
                             "changed or went\n" + self.context(d))
        self.assertEqual(len(self.syslog.alerts(0, event="storage-error")),
                         1, self.context(d))
        self.assertStopsCleanly(d)
        self.assertEqual(self.store.integrity(), ["ok"])


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""SIGHUP reloads of a running rblmond -f. Each broken configuration (a
syntax error, an unknown key, a line over 200 characters, bad networks,
an include that cannot be read, an include loop) is refused with a
FILE:LINE: message on stderr, as --check-config reports it, and the daemon
goes on with the old configuration: none of the new one is applied, not
even in part. A valid one is then applied: its new target is checked and
announced, and the pairs of a zone it dropped leave the store without a
delisting.
"""

import os
import unittest

import daemon
import rbltest
from daemon import DaemonTestCase

KEEP = "keep.example"
GONE = "gone.example"
OLD_T = "192.0.2.10"
NEW_T = "192.0.2.20"
CONF = "rblmond.conf"


def zone_keys():
    return {"type": "ip4", "listed": "127.0.0.2-127.0.0.11",
            "code": "127.0.0.2 SBL", "txt": "yes"}


def render(port, state_db, hook, targets, zones, breakage=(),
           monitor=True):
    """A configuration with the breakage lines before the [rblmond]
    section, which comes last, so that its keys do not move the line
    numbers. monitor=False leaves the monitor's keys out (for a check of
    the breakage alone). Returns (text, the line number of the
    breakage's first line)."""
    lines = ["[targets mail-out]"]
    lines += ["ip = %s" % t for t in targets]
    for z in zones:
        lines += ["", "[zone %s]" % z]
        for k, v in zone_keys().items():
            lines.append("%s = %s" % (k, v))
    lines.append("")
    first = len(lines) + 1
    lines += list(breakage)
    if monitor:
        tail = daemon.daemon_config(port, [], [], state_db, hook=hook,
                                    interval="1s", confirm=1,
                                    confirm_delay="1s")
    else:
        tail = rbltest.render_config(port, [], [])
    lines += tail.rstrip("\n").split("\n")
    return "\n".join(lines) + "\n", first


LONG = "; " + "x" * 240

# (name, breakage lines, {other file: text}, offset of the line named in
# the message from the first breakage line, files that may be named)
BROKEN = [
    ("syntax error", ["this line is not ini"], {}, 0, [CONF]),
    ("unknown key", ["[rblmond]", "frobnicate = yes"], {}, 1, [CONF]),
    ("unknown key in a zone", ["[zone extra.example]", "type = ip4",
                               "colour = red"], {}, 2, [CONF]),
    ("line over 200 characters", ["[targets]", LONG], {}, 1, [CONF]),
    ("host bits set", ["[targets]", "net = 198.51.100.1/24"], {}, 1,
     [CONF]),
    ("prefix too long", ["[targets]", "net = 198.51.100.0/33"], {}, 1,
     [CONF]),
    ("missing include", ["[rblmond]", "include = missing.conf"], {}, 1,
     [CONF]),
    ("include of a folder", ["[rblmond]", "include = conf.d"], {}, 1,
     [CONF]),
    ("include loop", ["[rblmond]", "include = loop-a.conf"],
     {"loop-a.conf": "[rblmond]\ninclude = loop-b.conf\n",
      "loop-b.conf": "[rblmond]\ninclude = loop-a.conf\n"}, None,
     ["loop-a.conf:2:", "loop-b.conf:2:"]),
]


def data(listed):
    return [":127.0.0.2:listed", "127.0.0.2"] + sorted(listed)


class ReloadTest(DaemonTestCase):

    def setUp(self):
        super().setUp()
        os.mkdir(os.path.join(self.tmp, "conf.d"))
        files = {"keep": data([NEW_T]), "gone": data([OLD_T])}
        self.dns = daemon.LiveRbldnsd(
            self.tmp, [(KEEP, "ip4set", "keep"), (GONE, "ip4set", "gone")],
            "2.0.0.127." + KEEP, files).start()
        self.addCleanup(self.dns.stop)

    def render(self, targets, zones, breakage=(), monitor=True):
        return render(self.dns.port, self.state_db, self.hook, targets,
                      zones, breakage, monitor)

    def needles(self, first, offset, names):
        if offset is None:
            return names
        return ["%s:%d:" % (n, first + offset) for n in names]

    def test_check_config_agrees(self):
        """The broken files are refused by --check-config at the line the
        reload must name (the expectations themselves are right), and the
        same file unbroken passes."""
        for name, breakage, files, offset, names in BROKEN:
            with self.subTest(name):
                for fname, text in files.items():
                    rbltest.write_file(os.path.join(self.tmp, fname), text)
                text, first = self.render([OLD_T, NEW_T], [KEEP],
                                          breakage, monitor=False)
                path = self.config(text, "check.conf")
                run = rbltest.run_rblmond(["-c", path, "--check-config"])
                self.assertEqual(run.rc, 2, run.describe())
                want = [n.replace(CONF, "check.conf") for n in
                        self.needles(first, offset, names)]
                self.assertTrue(any(w in run.stderr for w in want),
                                "%r not in\n%s" % (want, run.describe()))
        text, _ = self.render([OLD_T, NEW_T], [KEEP], monitor=False)
        run = rbltest.run_rblmond(["-c", self.config(text, "check.conf"),
                                   "--check-config"])
        self.assertEqual(run.rc, 0, run.describe())

    def test_broken_then_valid(self):
        text, _ = self.render([OLD_T], [KEEP, GONE])
        d = self.daemon(text)
        start = self.syslog.mark()
        d.wait_alerts(event="listed", target=OLD_T, zone=GONE)
        self.assertTrue(daemon.wait_until(
            lambda: self.store.pairs() == {(OLD_T, GONE)}, 10.0),
            self.context(d))

        for name, breakage, files, offset, names in BROKEN:
            with self.subTest(name):
                for fname, ftext in files.items():
                    rbltest.write_file(os.path.join(self.tmp, fname), ftext)
                # The new configuration, broken: any part of it applied
                # would check NEW_T (listed on KEEP) or drop GONE.
                text, first = self.render([OLD_T, NEW_T], [KEEP], breakage)
                self.config(text)
                errs = len(d.err)
                mark = self.notify.mark()
                d.hup()
                want = self.needles(first, offset, names)
                got = daemon.wait_until(lambda: [
                    line for _, line in d.err[errs:]
                    if any(w in line for w in want)], 10.0)
                self.assertTrue(got, "no %r on stderr after SIGHUP\n%s" %
                                (want, self.context(d)))
                self.assertTrue(d.alive(), self.context(d))
                d.wait_notify("READY", "1", since=mark,
                              what="after a refused reload")
                d.wait_cycles(1)

        self.settle(d, 2)
        self.assertTrue(d.alive(), self.context(d))
        got = [(m.get("event"), m.get("target"), m.get("zone"))
               for m in self.syslog.alerts(start)]
        self.assertEqual(got, [("listed", OLD_T, GONE)],
                         "a refused configuration was applied\n" +
                         self.context(d))
        self.assertEqual(self.store.pairs(), {(OLD_T, GONE)},
                         self.context(d))

        # Valid: NEW_T is checked and announced, GONE's pairs go.
        text, _ = self.render([OLD_T, NEW_T], [KEEP])
        self.config(text)
        errs = len(d.err)
        mark = self.syslog.mark()
        d.hup()
        d.wait_alerts(since=mark, event="listed", target=NEW_T, zone=KEEP)
        self.assertTrue(daemon.wait_until(
            lambda: self.store.pairs() == {(NEW_T, KEEP)}, 10.0),
            "the dropped zone's pairs are still stored\n" +
            self.context(d))
        zones = {r["zone"] for r in self.store.query(
            "SELECT zone FROM zones")}
        self.assertNotIn(GONE, zones, self.context(d))
        self.settle(d, 2)
        got = [(m.get("event"), m.get("target"), m.get("zone"))
               for m in self.syslog.alerts(mark)]
        self.assertEqual(got, [("listed", NEW_T, KEEP)],
                         "a dropped zone is not a delisting\n" +
                         self.context(d))
        self.assertFalse([line for _, line in d.err[errs:]
                          if "%s:" % CONF in line], self.context(d))
        self.assertStopsCleanly(d)


if __name__ == "__main__":
    unittest.main()

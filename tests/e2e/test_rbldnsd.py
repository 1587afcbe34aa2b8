#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rblmond --once against real zone data served by rbldnsd on loopback:
generated IPv4, IPv6 and domain zones with several return codes, TXT
records and RFC 5782 §5 test points; a few hundred targets, a few percent
listed at random (fixed seed). The report must name exactly the listed
pairs with their codes, labels and TXT, and add up.
"""

import ipaddress
import os
import random
import re
import unittest

import rbltest
from rbltest import E2ETestCase

SEED = 5782
GROUP = "mail-out"

# Zone name -> type, rbldnsd datasets, rblmond keys.
ZONE_IP4 = "ip4.bl.test"
ZONE_BITS = "bits.bl.test"
ZONE_IP6 = "ip6.bl.test"
ZONE_DOM = "dom.bl.test"
ZONE_BOTH = "both.bl.test"

IP4_LABELS = [("127.0.0.2", "127.0.0.2", "SBL"),
              ("127.0.0.3", "127.0.0.3", "CSS"),
              ("127.0.0.4", "127.0.0.7", "XBL"),
              ("127.0.0.10", "127.0.0.11", "PBL")]
# 127.0.0.9 is listed but carries no label.
IP4_CODES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.6",
             "127.0.0.9", "127.0.0.10"]
BITS_LABELS = [(2, "BLACK"), (4, "GREY"), (8, "RED")]
BITS_CODES = ["127.0.0.2", "127.0.0.4", "127.0.0.6", "127.0.0.8",
              "127.0.0.14"]
IP4_TEMPLATE = "Listed code %s, see https://bl.test/q?ip=$"


def ip4_labels(code):
    n = int(ipaddress.IPv4Address(code))
    return [lab for lo, hi, lab in IP4_LABELS
            if int(ipaddress.IPv4Address(lo)) <= n <=
            int(ipaddress.IPv4Address(hi))]


def bits_labels(code):
    last = int(code.split(".")[3])
    return [lab for mask, lab in BITS_LABELS if last & mask]


TABLE_COLUMNS = ("TARGET", "GROUP", "ZONE", "STATUS", "CODES", "LABELS",
                 "DETAIL")


def parse_table(test, text):
    """The rows of a text report by (target, zone), each {column: text},
    and the summary line split around its time: [before, after].

    Columns are found where their names start in the header; each row is
    cut at those offsets (the last column runs to the end of the line).
    """
    lines = text.splitlines()
    test.assertTrue(lines, "no output")
    header = lines[0]
    starts = []
    for name in TABLE_COLUMNS:
        m = re.search(r"(?:^|  )(%s)(?:  |$)" % name, header)
        test.assertIsNotNone(m, "no %s column in %r" % (name, header))
        starts.append(m.start(1))
    test.assertEqual(starts, sorted(starts), "columns out of order: %r" %
                     header)
    test.assertEqual(header.split(), list(TABLE_COLUMNS), header)
    rows = {}
    body = lines[1:]
    test.assertTrue(body, "no summary line")
    for line in body[:-1]:
        cells = {}
        for i, name in enumerate(TABLE_COLUMNS):
            end = starts[i + 1] if i + 1 < len(starts) else len(line)
            cells[name] = line[starts[i]:end].strip()
            if i + 1 < len(starts):
                # A cell that spills into the next column breaks the table.
                test.assertEqual(line[end - 2:end].strip(), "",
                                 "cell %s spills over: %r" % (name, line))
        pair = (cells["TARGET"], cells["ZONE"])
        test.assertNotIn(pair, rows, "row printed twice: %r" % line)
        rows[pair] = cells
    m = re.match(r"^(.*: \d+ pairs in) [0-9.]+ s:(.*)$", body[-1])
    test.assertIsNotNone(m, "summary line %r" % body[-1])
    return rows, [m.group(1), m.group(2)]


class Data:
    """Targets, zone files and the listings they must produce."""

    def __init__(self, rng):
        self.rng = rng
        # (group, key, text as written in the config)
        self.config_targets = []
        self.groups = {}  # canonical target -> group or None
        self.v4, self.v6, self.domains = [], [], []
        # (target, zone) -> {"codes": [...], "labels": [...], "txt": ...}
        self.expected = {}
        self.files = {}
        self.make_targets()
        self.make_zones()

    def line(self, group, key, written):
        self.config_targets.append((group, key, written))

    def target(self, group, kind, canon):
        if canon in self.groups:
            return
        self.groups[canon] = group
        {"4": self.v4, "6": self.v6, "d": self.domains}[kind].append(canon)

    def make_targets(self):
        rng = self.rng
        for last in sorted(rng.sample(range(1, 255), 100)):
            t = "192.0.2.%d" % last
            self.line(None, "ip", t)
            self.target(None, "4", t)
        self.line(GROUP, "net", "198.51.100.0/24")
        for i in range(256):
            self.target(GROUP, "4", "198.51.100.%d" % i)
        # Written twice: once in the net above, once on its own.
        self.line(GROUP, "ip", "198.51.100.77")
        self.line(None, "net", "203.0.113.64/28")
        for i in range(64, 80):
            self.target(None, "4", "203.0.113.%d" % i)
        for i in range(30):
            addr = ipaddress.IPv6Address("2001:db8:%x::%x" %
                                         (i % 3, 0x100 + i * 7))
            # Some written long and in capitals: output must be canonical.
            written = addr.exploded.upper() if i % 4 == 0 else str(addr)
            self.line(None, "ip", written)
            self.target(None, "6", str(addr))
        for i in range(40):
            name = "host%d.example%d.org" % (i, i % 5)
            written = name.upper() + "." if i % 7 == 0 else name
            group = GROUP if i % 2 else None
            self.line(group, "domain", written)
            self.target(group, "d", name)
        for name in ("a.spam.example.net", "b.spam.example.net"):
            self.line(None, "domain", name)
            self.target(None, "d", name)

    def pick(self, pool, share, minimum=2):
        n = max(minimum, int(len(pool) * share))
        return sorted(self.rng.sample(pool, n), key=pool.index)

    def make_zones(self):
        self.make_ip4()
        self.make_bits()
        self.make_ip6()
        self.make_dom()
        self.make_both()

    def listing(self, target, zone, codes, labels, txt):
        entry = {"codes": codes}
        if labels:
            entry["labels"] = labels
        if txt is not None:
            entry["txt"] = txt
        self.expected[(target, zone)] = entry

    def make_ip4(self):
        lines = ["$SOA 60 ns.bl.test hostmaster.bl.test 1 60 60 60 60",
                 ":127.0.0.2:" + IP4_TEMPLATE % "127.0.0.2",
                 "127.0.0.2"]
        # A /28 inside the /24: every address in it is listed.
        lines.append("198.51.100.32/28 :127.0.0.10:" +
                     IP4_TEMPLATE % "127.0.0.10")
        for i in range(32, 48):
            t = "198.51.100.%d" % i
            self.listing(t, ZONE_IP4, ["127.0.0.10"], ["PBL"],
                         IP4_TEMPLATE.replace("$", t) % "127.0.0.10")
        pool = [t for t in self.v4 if (t, ZONE_IP4) not in self.expected]
        for t in self.pick(pool, 0.05):
            code = self.rng.choice(IP4_CODES)
            lines.append("%s :%s:%s" % (t, code, IP4_TEMPLATE % code))
            self.listing(t, ZONE_IP4, [code], ip4_labels(code),
                         IP4_TEMPLATE.replace("$", t) % code)
        self.files["ip4"] = lines

    def make_bits(self):
        lines = [":127.0.0.2:bits", "127.0.0.2"]
        for t in self.pick(self.v4, 0.04):
            code = self.rng.choice(BITS_CODES)
            lines.append("%s :%s:bits %s" % (t, code, code))
            self.listing(t, ZONE_BITS, [code], bits_labels(code), None)
        self.files["bits"] = lines

    def make_ip6(self):
        lines = [":127.0.0.2:v6 test point", "::ffff:7f00:2"]
        for k, t in enumerate(self.pick(self.v6, 0.15)):
            code = self.rng.choice(["127.0.0.2", "127.0.0.3"])
            text = "IPv6 listing %d" % k
            lines.append("%s :%s:%s" % (t, code, text))
            self.listing(t, ZONE_IP6, [code], None, text)
        self.files["ip6"] = lines

    def make_dom(self):
        lines = [":127.0.0.2:domain test point", "test",
                 ".spam.example.net :127.0.0.5:spam network"]
        for t in ("a.spam.example.net", "b.spam.example.net"):
            self.listing(t, ZONE_DOM, ["127.0.0.5"], ["SPAMNET"], None)
        pool = [t for t in self.domains if "spam" not in t]
        for t in self.pick(pool, 0.1):
            lines.append("%s :127.0.0.2:domain listed" % t)
            self.listing(t, ZONE_DOM, ["127.0.0.2"], ["DBL"], None)
        self.files["dom"] = lines

    def make_both(self):
        v4 = [":127.0.0.2:both v4", "127.0.0.2"]
        v6 = [":127.0.0.2:both v6", "::ffff:7f00:2"]
        for t in self.pick(self.v4, 0.03):
            v4.append(t)
            self.listing(t, ZONE_BOTH, ["127.0.0.2"], ["BOTH"], "both v4")
        for t in self.pick(self.v6, 0.1):
            v6.append(t)
            self.listing(t, ZONE_BOTH, ["127.0.0.2"], ["BOTH"], "both v6")
        self.files["both4"] = v4
        self.files["both6"] = v6

    # -- what rbldnsd serves and rblmond is told ---------------------------

    DATASETS = [(ZONE_IP4, "ip4set", "ip4"), (ZONE_BITS, "ip4set", "bits"),
                (ZONE_IP6, "ip6trie", "ip6"), (ZONE_DOM, "dnset", "dom"),
                (ZONE_BOTH, "ip4set", "both4"),
                (ZONE_BOTH, "ip6trie", "both6")]

    @staticmethod
    def zones():
        return [
            (ZONE_IP4, {
                "type": "ip4",
                "listed": "127.0.0.2-127.0.0.11",
                "refused": "127.255.255.0/24",
                "code": ["%s-%s %s" % (lo, hi, lab) if lo != hi else
                         "%s %s" % (lo, lab) for lo, hi, lab in IP4_LABELS],
                "txt": "yes",
            }),
            (ZONE_BITS, {
                "type": "ip4",
                "code": ["&%d %s" % (m, lab) for m, lab in BITS_LABELS],
                "txt": "no",
            }),
            (ZONE_IP6, {"type": "ip6", "listed": "127.0.0.2-127.0.0.3",
                        "txt": "yes"}),
            (ZONE_DOM, {"type": "domain", "listed": "127.0.0.2-127.0.0.5",
                        "code": ["127.0.0.2 DBL", "127.0.0.5 SPAMNET"],
                        "txt": "no"}),
            (ZONE_BOTH, {"type": "ip", "listed": "127.0.0.2",
                         "code": "127.0.0.2 BOTH", "txt": "yes"}),
        ]

    def all_pairs(self):
        pairs = set()
        for t in self.v4:
            pairs |= {(t, ZONE_IP4), (t, ZONE_BITS), (t, ZONE_BOTH)}
        for t in self.v6:
            pairs |= {(t, ZONE_IP6), (t, ZONE_BOTH)}
        for t in self.domains:
            pairs.add((t, ZONE_DOM))
        return pairs


class RbldnsdTest(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = Data(random.Random(SEED))
        folder = cls.class_tmp
        for name, lines in cls.data.files.items():
            rbltest.write_file(os.path.join(folder, name),
                               "\n".join(lines) + "\n")
        cls.server = rbltest.Rbldnsd(folder, Data.DATASETS,
                                     "2.0.0.127." + ZONE_IP4).start()
        cls.addClassCleanup(cls.server.stop)
        cls.full_config = rbltest.write_file(
            os.path.join(folder, "full.conf"),
            rbltest.render_config(cls.server.port, cls.data.config_targets,
                                  Data.zones(), timeout="2s", tries=2))
        cls.full = rbltest.run_once(cls.full_config)

    def test_server_sanity(self):
        """The data really is served as the expectations assume."""
        port = self.server.port
        for (t, zone), want in sorted(self.data.expected.items())[:20]:
            r = rbltest.dns_query(port, rbltest.qname_of(t, zone), "A", 2)
            self.assertIsNotNone(r, (t, zone))
            self.assertEqual(rbltest.a_records(r), want["codes"], (t, zone))
        r = rbltest.dns_query(port, "1.0.0.127." + ZONE_IP4, "A", 2)
        self.assertEqual(rbltest.a_records(r), [])

    def test_listed_pairs_exactly(self):
        run = self.full
        self.assertNoCrash(run)
        self.assertWellFormed(run)
        got = {}
        for r in run.results:
            self.assertEqual(r["status"], "listed",
                             "only listings expected: %r\n%s" %
                             (r, run.describe()))
            got[(r["target"], r["zone"])] = r
        want = self.data.expected
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        self.assertEqual((missing, extra), ([], []),
                         "missing / unexpected listings")
        for pair, w in sorted(want.items()):
            r = got[pair]
            self.assertEqual(r.get("codes"), w["codes"], pair)
            self.assertEqual(r.get("labels"), w.get("labels"), pair)
            self.assertEqual(r.get("txt"), w.get("txt"), pair)
            self.assertEqual(r.get("group"), self.data.groups[pair[0]], pair)
        self.assertExit(run, 1)

    def test_summary_adds_up(self):
        s = self.assertWellFormed(self.full)
        d = self.data
        self.assertEqual(s["targets"],
                         len(d.v4) + len(d.v6) + len(d.domains))
        self.assertEqual(s["zones"], 5)
        self.assertEqual(s["pairs"], len(d.all_pairs()))
        by = s["by_status"]
        self.assertEqual(by.get("listed"), len(d.expected))
        self.assertEqual(by.get("clean"), s["pairs"] - len(d.expected))
        for st in ("refused", "bogus", "ignored", "error", "suppressed"):
            self.assertEqual(by.get(st, 0), 0, st)
        self.assertEqual(s["zone_state"],
                         {z: "ok" for z, _ in Data.zones()})
        self.assertIsInstance(s["seconds"], (int, float))
        self.assertLess(s["seconds"], 30)

    def test_all_prints_every_pair(self):
        run = rbltest.run_once(self.full_config, all_pairs=True)
        self.assertNoCrash(run)
        self.assertWellFormed(run, all_pairs=True)
        got = {(r["target"], r["zone"]): r["status"] for r in run.results}
        self.assertEqual(set(got), self.data.all_pairs())
        for pair, status in got.items():
            want = "listed" if pair in self.data.expected else "clean"
            self.assertEqual(status, want, pair)
        for r in run.results:
            if r["status"] == "clean":
                self.assertNotIn("codes", r, r)
                self.assertNotIn("txt", r, r)
        self.assertExit(run, 1)

    def test_nothing_listed(self):
        d = self.data
        listed = {t for t, _ in d.expected}
        clean4 = [t for t in d.v4 if t not in listed][:40]
        clean6 = [t for t in d.v6 if t not in listed][:5]
        cleand = [t for t in d.domains if t not in listed][:5]
        targets = [(None, "ip", t) for t in clean4 + clean6]
        targets += [(None, "domain", t) for t in cleand]
        path = self.config(rbltest.render_config(
            self.server.port, targets, Data.zones(), timeout="2s", tries=2))
        run = rbltest.run_once(path)
        self.assertNoCrash(run)
        s = self.assertWellFormed(run)
        self.assertEqual(run.results, [], run.describe())
        self.assertEqual(len(run.stdout.strip().splitlines()), 1,
                         run.describe())
        self.assertEqual(s["by_status"].get("clean"), s["pairs"])
        self.assertEqual(s["pairs"], 3 * 40 + 2 * 5 + 5)
        self.assertExit(run, 0)

    def test_text_report(self):
        """Without --json: one row per listing, every column right."""
        run = rbltest.run_rblmond(["-c", self.full_config, "--once"])
        self.assertNoCrash(run)
        self.assertExit(run, 1)
        rows, tail = parse_table(self, run.stdout)
        d = self.data
        self.assertEqual(sorted(rows), sorted(d.expected),
                         "rows are not the listed pairs\n" + run.describe())
        for (t, zone), want in sorted(d.expected.items()):
            row = rows[(t, zone)]
            group = d.groups[t]
            self.assertIn(row["GROUP"], (group,) if group else ("", "-"),
                          (t, zone, row))
            self.assertEqual(row["STATUS"], "listed", (t, zone, row))
            self.assertEqual(row["CODES"], ",".join(want["codes"]),
                             (t, zone, row))
            self.assertEqual(row["LABELS"], ",".join(want.get("labels", [])),
                             (t, zone, row))
            self.assertEqual(row["DETAIL"], want.get("txt", ""),
                             (t, zone, row))
        pairs = len(d.all_pairs())
        self.assertEqual(tail, ["%d targets x 5 zones: %d pairs in" %
                                (len(d.groups), pairs),
                                " %d clean %d listed" %
                                (pairs - len(d.expected), len(d.expected))],
                         run.describe())


if __name__ == "__main__":
    unittest.main()

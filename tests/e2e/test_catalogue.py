#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The shipped catalogue (conf/zones.conf) behind the four broken resolvers
a newcomer's first run meets: NXDOMAIN for every name (no network, a
blocked resolver), a refusal code for every name, 127.0.0.2 for every name
(a list that lists the world) and an address outside 127/8 for every name
(NXDOMAIN rewriting). Not one pair may come out clean or listed, the run
must exit 3, and only the RFC 5782 §5 test points may be asked.
"""

import ipaddress
import os
import re
import unittest

import rbltest
from rbltest import E2ETestCase

CATALOGUE = os.path.join(rbltest.SOURCE_DIR, "conf", "zones.conf")
T_V4 = "192.0.2.1"
T_V6 = "2001:db8::1"
T_DOMAIN = "example.com"

# faultdns.py --mode MODE: the A record it answers every name with (None:
# NXDOMAIN).
MODES = {
    "notestpoint": None,
    "quota": "127.255.255.254",
    "listsall": "127.0.0.2",
    "hijack": "198.51.100.7",
}

# The RFC 5782 §5 points rblmond asks when a zone names none of its own.
DEFAULT_POINTS = {
    "ip": ("127.0.0.2", "127.0.0.1"),
    "ip4": ("127.0.0.2", "127.0.0.1"),
    "ip6": ("::ffff:127.0.0.2", "::ffff:127.0.0.1"),
    "domain": ("test", "invalid"),
}


def read_catalogue(path):
    """[zone name, {key: [values]}] in file order: an INI reader just good
    enough for zones.conf (comments, repeated keys, " ;" after a value)."""
    zones = []
    keys = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line[0] in ";#":
                continue
            m = re.match(r"^\[zone\s+(\S+)\]$", line)
            if m:
                keys = {}
                zones.append((m.group(1).lower(), keys))
                continue
            if line.startswith("["):
                keys = None
                continue
            key, sep, value = line.partition("=")
            if not sep or keys is None:
                continue
            value = re.split(r"\s;", value, maxsplit=1)[0].strip()
            keys.setdefault(key.strip(), []).append(value)
    return zones


def code_int(text):
    return int(ipaddress.IPv4Address(text))


def code_match(item, code):
    """One `listed`/`refused` item (quad, a-b, a/n or &mask) against code."""
    item = item.split()[0]
    if item.startswith("&"):
        mask = item[1:]
        mask = code_int(mask) if "." in mask else int(mask)
        return (code >> 24) == 127 and code & mask & 0xFFFFFF != 0
    if "/" in item:
        return ipaddress.IPv4Address(code) in \
            ipaddress.IPv4Network(item, strict=True)
    lo, _, hi = item.partition("-")
    return code_int(lo) <= code <= code_int(hi or lo)


def classify(keys, answer):
    """The status of an answer for this zone (docs/behaviour.md)."""
    if answer is None:
        return "clean"
    code = code_int(answer)
    if any(code_match(i, code) for i in keys.get("refused", [])):
        return "refused"
    if code >> 24 != 127:
        return "bogus"
    listed = keys.get("listed", [])
    if not listed or any(code_match(i, code) for i in listed):
        return "listed"
    return "ignored"


def health(positive, negative):
    """The zone state from its two test points (docs/behaviour.md)."""
    if "refused" in (positive, negative):
        return "refused"
    if "bogus" in (positive, negative):
        return "bogus"
    if negative in ("listed", "ignored"):
        return "lists-all"
    if positive not in ("listed", "ignored") or negative != "clean":
        return "dead"
    return "ok"


def probe_names(zone, keys):
    """The two test point query names of a zone, as faultdns logs them."""
    ztype = keys.get("type", ["ip"])[-1]
    pos, neg = DEFAULT_POINTS[ztype]
    pos = keys.get("test_listed", [pos])[-1]
    neg = keys.get("test_unlisted", [neg])[-1]
    return [rbltest.qname_of(p, zone).lower() for p in (pos, neg)]


def expected_state(keys, answer):
    """What the two test points make of a resolver answering `answer`."""
    if keys.get("test_points", ["yes"])[-1] == "no":
        return "ok"  # not probed: taken as healthy
    verdict = classify(keys, answer)
    return health(verdict, verdict)


class CatalogueTest(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zones = read_catalogue(CATALOGUE)

    def test_catalogue_read(self):
        """The reader of this test sees the catalogue's zones and kinds."""
        names = [z for z, _ in self.zones]
        self.assertGreaterEqual(len(names), 8, names)
        self.assertEqual(len(names), len(set(names)), names)
        kinds = {k.get("type", ["ip"])[-1] for _, k in self.zones}
        self.assertIn("domain", kinds)
        self.assertTrue(kinds & {"ip", "ip4"}, kinds)
        self.assertTrue(any(k.get("type", ["ip"])[-1] in ("ip", "ip6")
                            for _, k in self.zones), "no zone takes IPv6")

    def test_every_zone_has_test_points(self):
        """Each shipped zone is probed: the domain lists by their own
        documented test names, never taken as healthy unasked."""
        own = {"dbl.spamhaus.org": "dbltest.com",
               "multi.uribl.com": "test.uribl.com",
               "multi.surbl.org": "test.surbl.org"}
        for zone, keys in self.zones:
            self.assertNotEqual(keys.get("test_points", ["yes"])[-1], "no",
                                zone)
            for key in ("test_listed", "test_unlisted"):
                self.assertNotIn("none", keys.get(key, []), (zone, key))
            if zone in own:
                self.assertEqual(keys.get("test_listed"), [own[zone]], zone)

    def start_server(self, mode):
        try:
            server = rbltest.FaultDNS(self.tmp, mode=mode)
        except TypeError as e:
            self.fail("rbltest.FaultDNS takes no mode= (faultdns.py "
                      "--mode): %s" % e)
        server.start()
        self.addCleanup(server.stop)
        return server

    def run_mode(self, mode):
        server = self.start_server(mode)
        targets = [(None, "ip", T_V4), (None, "ip", T_V6),
                   (None, "domain", T_DOMAIN)]
        path = self.config(rbltest.render_config(
            server.port, targets, [], timeout="500ms", tries=2,
            extra="include = %s" % CATALOGUE))
        run = rbltest.run_once(path, all_pairs=True, timeout=30)
        return server, run

    def check_mode(self, mode):
        server, run = self.run_mode(mode)
        ctx = "mode %s\n%s" % (mode, run.describe())
        self.assertNoCrash(run)
        s = self.assertWellFormed(run, all_pairs=True)
        # Not one verdict from a resolver that cannot be trusted.
        statuses = [r["status"] for r in run.results]
        self.assertNotIn("clean", statuses, ctx)
        self.assertNotIn("listed", statuses, ctx)
        self.assertExit(run, 3)
        # Every pair of the catalogue is there.
        pairs = set()
        for zone, keys in self.zones:
            ztype = keys.get("type", ["ip"])[-1]
            if ztype in ("ip", "ip4"):
                pairs.add((T_V4, zone))
            if ztype in ("ip", "ip6"):
                pairs.add((T_V6, zone))
            if ztype == "domain":
                pairs.add((T_DOMAIN, zone))
        self.assertEqual(set(run.by_pair()), pairs, ctx)
        # The state of each zone, as its test points decide it.
        answer = MODES[mode]
        want = {zone: expected_state(keys, answer)
                for zone, keys in self.zones}
        self.assertEqual(s["zone_state"], want, ctx)
        for r in run.results:
            self.assertEqual(r["status"], "suppressed", "%r\n%s" % (r, ctx))
        # Only the test points were asked (max_qps 5-10 must not make this
        # slow), each at least once, and no TXT.
        probes = set()
        for zone, keys in self.zones:
            if keys.get("test_points", ["yes"])[-1] != "no":
                probes.update(probe_names(zone, keys))
        asked = server.queries()
        names = {q for _, _, q in asked}
        self.assertEqual(names - probes, set(), "not test points\n" + ctx)
        self.assertEqual(probes - names, set(), "never asked\n" + ctx)
        self.assertEqual({t for _, t, _ in asked}, {"A"}, ctx)
        self.assertLessEqual(len(asked), 2 * 2 * len(probes), ctx)
        self.assertLess(run.seconds, 10, ctx)
        return want

    def test_nxdomain_for_everything(self):
        want = self.check_mode("notestpoint")
        self.assertEqual(set(want.values()), {"dead"}, want)

    def test_refusal_code_for_everything(self):
        want = self.check_mode("quota")
        self.assertNotIn("ok", want.values(), want)
        # Spamhaus documents 127.255.255.254 as its refusal.
        self.assertEqual(want.get("zen.spamhaus.org"), "refused", want)

    def test_127_0_0_2_for_everything(self):
        want = self.check_mode("listsall")
        self.assertEqual(set(want.values()), {"lists-all"}, want)

    def test_hijacked_for_everything(self):
        want = self.check_mode("hijack")
        self.assertEqual(set(want.values()), {"bogus"}, want)


if __name__ == "__main__":
    unittest.main()

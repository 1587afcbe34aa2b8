# SPDX-License-Identifier: ISC
"""Clients of rblmond's control socket for the end-to-end suites: the real
rblmonctl run with arguments (as root, or as nobody through setpriv), a
raw socket client that pipelines request lines and reads the answer lines
back (every wait bounded), the command table and the luzilla_rbls_*
reference of docs/control.md and docs/metrics.md, and the Prometheus text
parsed with prometheus_client's own parser.
"""

import collections
import json
import os
import re
import select
import socket
import subprocess
import time

from prometheus_client.parser import text_string_to_metric_families

import rbltest

SETPRIV = "/usr/bin/setpriv"
AS_NOBODY = [SETPRIV, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]

# Bound of one rblmonctl run and of a raw client's reads (seconds).
CTL_TIMEOUT = 30.0

# docs/control.md: every command of the socket, its usage and who may run
# it ("write": root or the daemon's own user).
COMMANDS = [
    ("status", "status", "read"),
    ("targets", "targets", "read"),
    ("zones", "zones", "read"),
    ("listed", "listed", "read"),
    ("show", "show TARGET", "read"),
    ("check", "check TARGET [ZONE]", "write"),
    ("history", "history [TARGET] [--limit N]", "read"),
    ("sweep", "sweep", "write"),
    ("reload", "reload", "write"),
    ("metrics", "metrics", "read"),
    ("diagnose", "diagnose", "read"),
    ("explain", "explain TEXT", "read"),
    ("version", "version", "read"),
    ("help", "help", "read"),
]

# docs/metrics.md: the six series of the Go dnsbl_exporter, word for word:
# name -> (type, label names, HELP).
LUZILLA = {
    "luzilla_rbls_used": (
        "gauge", (),
        "The number of RBLs to check IPs against (configured via "
        "rbls.ini)"),
    "luzilla_rbls_ips_blacklisted": (
        "gauge", ("hostname", "ip", "rbl"), "Blacklisted IPs"),
    "luzilla_rbls_errors": (
        "gauge", ("hostname", "ip", "rbl"),
        "Whether an error occurred while testing this target against the "
        "RBL (1) or not (0)"),
    "luzilla_rbls_listed": (
        "gauge", ("rbl",), "The number of listings in RBLs (this is bad)"),
    "luzilla_rbls_targets": (
        "gauge", (),
        "The number of targets that are being probed (configured via "
        "targets.ini or ?target=)"),
    "luzilla_rbls_duration": (
        "gauge", (), "The scrape's duration (in seconds)"),
}

# docs/metrics.md: the native families, name -> (type, label names).
NATIVE = {
    "rblmon_targets": ("gauge", ()),
    "rblmon_zones": ("gauge", ()),
    "rblmon_listed": ("gauge", ("code", "group", "label", "target",
                                "zone")),
    "rblmon_zone_listed_targets": ("gauge", ("zone",)),
    "rblmon_zone_state": ("gauge", ("state", "zone")),
    "rblmon_queries_total": ("counter", ("zone",)),
    "rblmon_answers_total": ("counter", ("class", "zone")),
    "rblmon_errors_total": ("counter", ("reason", "zone")),
    "rblmon_budget_used": ("gauge", ("zone",)),
    "rblmon_budget_limit": ("gauge", ("zone",)),
    "rblmon_sweep_duration_seconds": ("gauge", ("zone",)),
    "rblmon_last_cycle_timestamp_seconds": ("gauge", ("zone",)),
    "rblmon_alerts_total": ("counter", ("event",)),
    "rblmon_hook_failures_total": ("counter", ()),
}


def rblmonctl_path():
    """The client under test: $RBLMONCTL, else rblmonctl beside rblmond."""
    path = os.environ.get("RBLMONCTL")
    if not path:
        path = os.path.join(os.path.dirname(rbltest.rblmond_path()),
                            "rblmonctl")
    return os.path.abspath(path)


class CtlRun(collections.namedtuple("CtlRun", "rc out err argv")):
    """One finished rblmonctl run: (exit code, stdout, stderr, argv)."""

    __slots__ = ()

    def json(self):
        """stdout as the one JSON line --json prints (ValueError else)."""
        lines = self.out.splitlines()
        if len(lines) != 1:
            raise ValueError("not one line: %r" % self.out[:2000])
        return json.loads(lines[0])

    def describe(self):
        return "argv: %s\nexit: %s\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.argv), self.rc, self.out[-6000:], self.err[-3000:])


def run_ctl(sock, *args, json_out=False, stdin=None, as_nobody=False,
            timeout=CTL_TIMEOUT, binary=None):
    """rblmonctl -s SOCK [--json] ARGS; stdin: text for it (else
    /dev/null). A CtlRun; fails when it runs past timeout."""
    argv = [binary or rblmonctl_path()]
    if sock is not None:
        argv += ["-s", sock]
    if json_out:
        argv.append("--json")
    argv += [str(a) for a in args]
    if as_nobody:
        argv = AS_NOBODY + argv
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    try:
        p = subprocess.run(argv, input=None if stdin is None else
                           stdin.encode("utf-8"),
                           stdin=subprocess.DEVNULL if stdin is None
                           else None, capture_output=True, timeout=timeout,
                           env=env)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("rblmonctl ran past %.0f s: %s" %
                             (timeout, " ".join(argv))) from e
    return CtlRun(p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"), argv)


def ask(sock, *args, **kw):
    """run_ctl with --json: (exit code, the answer object or None, the
    CtlRun)."""
    r = run_ctl(sock, *args, json_out=True, **kw)
    try:
        obj = r.json()
    except ValueError:
        obj = None
    return r.rc, obj, r


class RawClient:
    """A stream connection to the socket that sends request bytes as they
    are and reads answer lines back, every read bounded."""

    def __init__(self, path, timeout=CTL_TIMEOUT):
        self.path = path
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.eof = False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data)

    def lines(self, n, timeout=None):
        """The next n answer lines (bytes without the newline); fewer when
        the server closes or the time is up."""
        deadline = time.monotonic() + (timeout or self.timeout)
        out = []
        while len(out) < n:
            if b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                out.append(line)
                continue
            left = deadline - time.monotonic()
            if self.eof or left <= 0:
                break
            if not select.select([self.sock], [], [], left)[0]:
                break
            part = self.sock.recv(1 << 16)
            if not part:
                self.eof = True
            self.buf += part
        return out

    def ask(self, requests, timeout=None):
        """Send every request line at once (one write), then read as many
        answers; each answer decoded (a line that is not JSON raises)."""
        self.send("".join(r + "\n" for r in requests))
        return [json.loads(line) for line in
                self.lines(len(requests), timeout)]

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def ask_raw(path, request, timeout=CTL_TIMEOUT):
    """One request over a fresh connection; the answer object."""
    with RawClient(path, timeout) as c:
        got = c.ask([request], timeout)
    if len(got) != 1:
        raise AssertionError("no answer to %r on %s" % (request, path))
    return got[0]


# -- metrics -----------------------------------------------------------------

_COMMENT_RE = re.compile(r"^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$")
_SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]")


class Metrics:
    """A metrics document: the families as prometheus_client parses them
    (by the name the text gives in # TYPE), and the HELP and TYPE lines as
    written."""

    def __init__(self, text):
        self.text = text
        self.help = {}
        self.type = {}
        self.order = []
        self.sample_names = []
        self.comment_errors = []
        for line in text.splitlines():
            if line.startswith("#"):
                m = _COMMENT_RE.match(line)
                if m is None:
                    self.comment_errors.append(line)
                    continue
                kind, name, rest = m.groups()
                into = self.help if kind == "HELP" else self.type
                if name in into:
                    self.comment_errors.append("twice: " + line)
                into[name] = rest
                if name not in self.order:
                    self.order.append(name)
            elif line:
                m = _SAMPLE_RE.match(line)
                self.sample_names.append(m.group(1) if m else line)
        self.families = {}
        for f in text_string_to_metric_families(text):
            # The parser drops _total from a counter's name; key by the
            # name the text declared.
            name = f.name
            if name not in self.type and name + "_total" in self.type:
                name = name + "_total"
            self.families[name] = f

    def samples(self, name):
        """[(labels dict, value)] of family name."""
        f = self.families.get(name)
        return [] if f is None else [(dict(s.labels), s.value)
                                     for s in f.samples]

    def value(self, name, **labels):
        """The value of the one sample of name with exactly labels (None
        when there is none, AssertionError when there are several)."""
        got = [v for lab, v in self.samples(name) if lab == labels]
        if len(got) > 1:
            raise AssertionError("%d samples %s%r" % (len(got), name,
                                                      labels))
        return got[0] if got else None

    def family_of(self, sample):
        """The declared family a sample name belongs to (None: none)."""
        if sample in self.type:
            return sample
        for suffix in ("_bucket", "_sum", "_count", "_created"):
            base = sample[:-len(suffix)]
            if sample.endswith(suffix) and base in self.type:
                return base
        return None

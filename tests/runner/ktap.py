"""Incremental parser for ptlab's console: KTAP v1 as KUnit prints it.

Feed console lines one at a time (``Parser.feed``); each call returns the
events that line produced (a suite starting, a test result, a metric, a
panic, the end-of-run marker).  ``Parser.close`` ends the stream and checks
that every plan was met.  No I/O here: the runner, the matrix and later
tools (a QMP oracle, gdb scripts) share this module.

Tolerated on purpose: ``\\r``, ANSI escapes and other control characters,
emulator or firmware noise between lines, diagnostics printed at the wrong
indentation (the kernel's own printk lines are not indented), missing
``KTAP version`` headers, and nesting of any depth (4 spaces per level).
"""

import re
from dataclasses import dataclass, field

INDENT = 4
MAX_DIAG_LINES = 400  # per case; the middle is dropped beyond this

ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[()][0-9A-Za-z]|[@-Z\\-_])")
CTRL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

VERSION_RE = re.compile(r"^K?TAP version (\d+)\s*$")
SUBTEST_RE = re.compile(r"^#\s*Subtest:\s*(.*?)\s*$")
PLAN_RE = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*?))?\s*$")
RESULT_RE = re.compile(r"^(not ok|ok)(?:\s+(\d+))?(?:\s+-)?(?:\s+([^#]*?))?\s*(?:#\s*(.*?))?\s*$")
DIRECTIVE_RE = re.compile(r"^(SKIP|TODO)\b[:\s]*(.*)$", re.IGNORECASE)
METRIC_RE = re.compile(r"^#\s*metric\s+(\S+)\s+(\S+)(?:\s+(.*?))?\s*$")
TALLY_RE = re.compile(r"^#\s*(.+?):\s*pass:(\d+)\s+fail:(\d+)\s+skip:(\d+)\s+total:(\d+)\s*$")
PANIC_RE = re.compile(r"Kernel panic on CPU (\d+):\s?(.*)$")
WHILE_RE = re.compile(r"^while running test (\S+)")
END_RE = re.compile(r"# ptlab: end of run: (\w+)\s*(.*?)\s*$")
NOTE_RE = re.compile(r"^#\s*(ptlab: .*|no test matches .*)$")
BOOT_CMDLINE_RE = re.compile(r"^#\s*(cmdline: .*)$")


def clean_line(raw):
    """Console text without line ends, escapes and control characters."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    s = raw.rstrip("\r\n")
    if "\r" in s:
        # a terminal would show the text after the last carriage return
        tail = s.rsplit("\r", 1)[1]
        s = tail if tail.strip() else s.replace("\r", "")
    s = ANSI_RE.sub("", s)
    s = s.replace("\t", " " * INDENT)
    s = CTRL_RE.sub("", s)
    return s.rstrip()


@dataclass
class Result:
    """One ``ok``/``not ok`` line: a test case, or a suite's own result."""
    path: tuple            # ("cmdline", "parse_bad"); suites: ("cmdline",)
    number: int
    ok: bool
    directive: str = ""    # "SKIP", "TODO" or ""
    reason: str = ""       # text after the directive
    diagnostics: list = field(default_factory=list)
    is_suite: bool = False
    line_no: int = 0
    time: float = None     # seconds since the previous result (runner sets it)

    @property
    def name(self):
        return ".".join(self.path)

    @property
    def status(self):
        if self.directive in ("SKIP", "TODO"):
            return "skip"
        return "pass" if self.ok else "fail"


@dataclass
class SuiteStart:
    path: tuple
    plan: int
    index: int          # 1-based position in the parent
    parent_plan: int    # the parent's plan, None if not known

    @property
    def name(self):
        return ".".join(self.path)


@dataclass
class Metric:
    key: str            # "suite.name" as printed
    suite: str
    name: str
    value: object       # int, float or None (nan / unparsable)
    raw: str
    unit: str
    test: str           # the case that printed it (known once its result
                        # line arrives; until then its suite's name)
    line_no: int = 0

    def as_dict(self):
        return {"key": self.key, "suite": self.suite, "name": self.name,
                "value": self.value, "raw": self.raw, "unit": self.unit,
                "test": self.test}


@dataclass
class Panic:
    cpu: int
    message: str
    test: str = ""      # from "while running test x.y"
    line_no: int = 0


@dataclass
class End:
    status: str         # "pass", "fail", "panic" or whatever the kernel said
    detail: str = ""
    line_no: int = 0


class Node:
    """An open KTAP document: the top level or a (sub)test's subtests."""

    def __init__(self, depth, name=None, implicit=False):
        self.depth = depth
        self.name = name
        self.plan = None
        self.plan_note = ""
        self.results = []
        self.failed_leaves = 0
        self.implicit = implicit
        self.announced = False
        self.tallies = []          # the suite's own "# name: pass:..." lines

    def label(self):
        return self.name if self.name else "#?"


def parse_value(raw):
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        v = float(raw)
    except ValueError:
        return None
    if v != v or v in (float("inf"), float("-inf")):
        return None
    return v


class Parser:
    def __init__(self):
        self.stack = []
        self.line_no = 0
        self.seen_ktap = False
        self.finished = False       # end marker seen or close() called
        self.closed = False
        self.results = []           # every Result, in order
        self.metrics = []
        self.issues = []            # plan/structure problems, in order
        self.warnings = []          # oddities that do not fail a run
        self.notes = []             # "# ptlab: ..." lines besides the end
        self.boot_cmdline = []      # what the kernel said of its command line
        self.panic = None
        self.end = None
        self.totals = None          # the kernel's "# Totals:" line
        self.pending = []           # output since the last result
        self.pending_dropped = 0
        self.last_result = None
        self.roots = 0
        self.where = ""
        self.unassigned_metrics = []  # printed before their case's result

    # ---- counts -------------------------------------------------------
    @property
    def leaves(self):
        return [r for r in self.results if not r.is_suite]

    def counts(self):
        """(passed, failed, skipped) over test cases.  A suite that says
        ``not ok`` although none of its cases failed counts as a failure."""
        p = f = s = 0
        for r in self.results:
            st = r.status
            if r.is_suite:
                if st == "fail" and not getattr(r, "_child_failed", 0):
                    f += 1
                continue
            if st == "pass":
                p += 1
            elif st == "fail":
                f += 1
            else:
                s += 1
        return p, f, s

    def failures(self):
        return [r for r in self.results if r.status == "fail" and
                (not r.is_suite or not getattr(r, "_child_failed", 0))]

    # ---- where are we -------------------------------------------------
    def current_suite(self):
        names = [n.label() for n in self.stack[1:]]
        return ".".join(names)

    def position(self):
        """Where the run is: "in suite foo at case 3/5 (after bar)"."""
        if self.finished:
            return self.where
        if not self.seen_ktap:
            return "before any KTAP output"
        if not self.stack:
            return "after the tests"
        top = self.stack[-1]
        if len(self.stack) == 1:
            done = len(top.results)
            if top.plan is not None and done >= top.plan:
                return "after the last suite"
            return "between suites (%d of %s done)" % (done, top.plan if top.plan is not None else "?")
        s = "in suite %s at case %d/%s" % (self.current_suite(), len(top.results) + 1,
                                           top.plan if top.plan is not None else "?")
        if top.results:
            s += " (after %s)" % top.results[-1].path[-1]
        return s

    # ---- feeding --------------------------------------------------------
    def feed(self, raw):
        """Parse one console line; returns a list of events."""
        self.line_no += 1
        line = clean_line(raw)
        events = []
        if self.closed or not line.strip():
            return events

        m = PANIC_RE.search(line)
        if m:
            if self.panic is None:
                self.panic = Panic(int(m.group(1)), m.group(2).strip(),
                                   line_no=self.line_no)
                events.append(self.panic)
            self._diag(line)
            return events
        m = END_RE.search(line)
        if m:
            if self.end is None:
                self.end = End(m.group(1), m.group(2), self.line_no)
                events.append(self.end)
                self._finish()
            return events
        if self.finished:
            return events

        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // INDENT
        if not self.seen_ktap:
            m = BOOT_CMDLINE_RE.match(stripped)
            if m:
                self.boot_cmdline.append(m.group(1))

        if self.panic is not None and not self.panic.test:
            m = WHILE_RE.match(stripped)
            if m:
                self.panic.test = m.group(1)

        m = VERSION_RE.match(stripped)
        if m:
            self.seen_ktap = True
            self._open(depth)
            return events
        m = SUBTEST_RE.match(stripped)
        if m:
            self.seen_ktap = True
            top = self.stack[-1] if self.stack else None
            if top and top.depth == depth and top.name is None and not top.results and depth > 0:
                top.name = m.group(1)
            else:
                self._open(depth).name = m.group(1)
            return events
        m = PLAN_RE.match(stripped)
        if m and (self.seen_ktap or depth == 0):
            self.seen_ktap = True
            return self._plan(depth, int(m.group(1)), m.group(2) or "")
        m = RESULT_RE.match(stripped)
        if m and (self.seen_ktap or self.stack):
            return self._result(depth, m, events)
        m = METRIC_RE.match(stripped)
        if m:
            key, raw_value, unit = m.group(1), m.group(2), m.group(3) or ""
            suite, _, name = key.partition(".")
            if not name:
                suite, name = "", key
            met = Metric(key, suite, name, parse_value(raw_value), raw_value,
                         unit, self._running_test(), self.line_no)
            self.metrics.append(met)
            if len(self.stack) > 1:
                self.unassigned_metrics.append(met)
            events.append(met)
            return events
        m = TALLY_RE.match(stripped)
        if m:
            tally = tuple(int(m.group(i)) for i in (2, 3, 4))
            if depth == 0 and m.group(1) in ("Totals", "ptlab: totals"):
                self.totals = tally     # the whole run (older logs: Totals)
            elif depth > 0 and self.stack and self.stack[-1].depth == depth:
                self.stack[-1].tallies.append((m.group(1), tally))
            return events
        m = NOTE_RE.match(stripped)
        if m and depth == 0:
            self.notes.append(m.group(1))
        self._diag(line)
        return events

    def close(self):
        """End of the console stream: check what is still open."""
        if not self.finished:
            self._finish()
        self.closed = True

    # ---- internals ------------------------------------------------------
    def _running_test(self):
        if len(self.stack) < 2:
            return ""
        return self.current_suite()

    def _diag(self, line):
        if not self.seen_ktap:
            return
        self.pending.append(line)
        if len(self.pending) > MAX_DIAG_LINES:
            # keep the start (where failures are reported) and the end
            del self.pending[MAX_DIAG_LINES // 2]
            self.pending_dropped += 1

    def _take_pending(self):
        lines = self.pending
        if self.pending_dropped:
            lines.insert(MAX_DIAG_LINES // 2,
                         "[... %d lines dropped ...]" % self.pending_dropped)
        self.pending = []
        self.pending_dropped = 0
        return lines

    def _path(self, leaf=None):
        names = [n.label() for n in self.stack[1:]]
        if leaf is not None:
            names.append(leaf)
        return tuple(names)

    def _close_node(self, node, why):
        """A node leaves the stack without its result line."""
        if node.depth == 0:
            where = "at top level"
        else:
            where = "in suite " + ".".join(self._path())
        if node.plan is None:
            if node.depth == 0 and not node.results:
                self.issues.append("no test plan or results at top level")
            else:
                self.issues.append("no plan %s (%d results)" % (where, len(node.results)))
        elif len(node.results) != node.plan:
            self.issues.append("plan said %d, got %d %s" % (node.plan, len(node.results), where))
        if node.depth > 0:
            self.issues.append("no result line for suite %s%s" % (".".join(self._path()), why))

    def _pop(self, why=""):
        node = self.stack[-1]
        self._close_node(node, why)
        self.stack.pop()
        return node

    def _open(self, depth):
        """Make a fresh node at @depth the innermost one."""
        if depth == 0:
            while self.stack:
                self._pop(" (a new KTAP document started)")
            self.roots += 1
            if self.roots > 1:
                self.warnings.append("KTAP output restarted at line %d" % self.line_no)
        else:
            while self.stack and self.stack[-1].depth >= depth:
                self._pop(" (next suite started)")
        if not self.stack and depth > 0:
            self.stack.append(Node(0, implicit=True))
            self.roots += 1
        while self.stack and self.stack[-1].depth < depth - 1:
            self.stack.append(Node(self.stack[-1].depth + 1, implicit=True))
        node = Node(depth)
        self.stack.append(node)
        self.unassigned_metrics = []
        self.pending = []
        self.pending_dropped = 0
        self.seen_ktap = True
        return node

    def _plan(self, depth, n, note):
        events = []
        while self.stack and self.stack[-1].depth > depth:
            self._pop(" (plan of an outer level came first)")
        if not self.stack or self.stack[-1].depth < depth:
            self._open(depth)
        node = self.stack[-1]
        if node.plan is not None:
            self.warnings.append("second plan line at line %d ignored" % self.line_no)
            return events
        node.plan = n
        node.plan_note = note
        self.pending = []
        if depth > 0 and not node.announced:
            node.announced = True
            parent = self.stack[-2]
            events.append(SuiteStart(self._path(), n, len(parent.results) + 1, parent.plan))
        return events

    def _result(self, depth, m, events):
        ok = m.group(1) == "ok"
        number = int(m.group(2)) if m.group(2) else None
        name = (m.group(3) or "").strip()
        directive, reason = "", ""
        if m.group(4) is not None:
            d = DIRECTIVE_RE.match(m.group(4))
            if d:
                directive, reason = d.group(1).upper(), d.group(2).strip()
        child = None
        while self.stack and self.stack[-1].depth > depth + 1:
            self._pop(" (outer result came first)")
        if self.stack and self.stack[-1].depth == depth + 1:
            child = self.stack[-1]
            if child.name is None:
                child.name = name or None
            cpath = ".".join(self._path())
            if child.plan is None:
                self.issues.append("no plan in suite %s (%d results)" % (cpath, len(child.results)))
            elif len(child.results) != child.plan:
                self.issues.append("plan said %d, got %d in suite %s" % (child.plan, len(child.results), cpath))
            if name and child.name != name:
                self.warnings.append("suite %s reported as %s" % (child.name, name))
            self._check_tallies(child, cpath)
            self.stack.pop()
        if not self.stack or self.stack[-1].depth < depth:
            self._open(depth)
        node = self.stack[-1]
        expected = len(node.results) + 1
        if number is None:
            number = expected
        elif number != expected:
            self.warnings.append("%s: result numbered %d, expected %d" % (
                ".".join(self._path(name or "?")), number, expected))
        if not name:
            name = child.name if child and child.name else "#%d" % number
        res = Result(self._path(name), number, ok, directive, reason,
                     self._take_pending(), child is not None, self.line_no)
        if child is not None:
            res._child_failed = child.failed_leaves
        node.results.append(res)
        self.results.append(res)
        counts_as_failed = res.status == "fail" and (child is None or not child.failed_leaves)
        if counts_as_failed:
            for n in self.stack:
                n.failed_leaves += 1
        self.last_result = res
        if not res.is_suite:
            for met in self.unassigned_metrics:
                met.test = res.name
        self.unassigned_metrics = []
        events.append(res)
        return events

    def _check_tallies(self, node, where):
        """A suite's tally lines must agree with its results."""
        mine = [0, 0, 0]
        for r in node.results:
            mine[("pass", "fail", "skip").index(r.status)] += 1
        for what, tally in node.tallies:
            if tally != tuple(mine):
                self.issues.append(
                    "suite %s: kernel's %s line says pass:%d fail:%d skip:%d, parsed pass:%d fail:%d skip:%d"
                    % ((where, what) + tally + tuple(mine)))

    def _finish(self):
        self.where = self.position()
        self.finished = True
        while self.stack:
            self._pop(" (output ended)")
        if not self.seen_ktap:
            self.issues.append("no KTAP output")
        elif self.totals is not None and self.panic is None:
            mine = self.counts()
            if mine != self.totals:
                self.issues.append(
                    "kernel's Totals say pass:%d fail:%d skip:%d, parsed pass:%d fail:%d skip:%d" %
                    (self.totals + mine))

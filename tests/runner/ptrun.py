#!/usr/bin/env python3
"""Boot ptlab in an emulator (or replay a recorded console), follow its
KTAP output live and decide whether the run passed.

    ptrun.py --arch x86_64 --boot direct --smp 4 [--filter 'pgtable.*']
    ptrun.py --replay console.log [--replay-exit 3]

Exit status: 0 if the run passed (or ended as --expect said), 1 if not,
2 for bad options.  The last line always reads "N passed, N failed".
"""

import argparse
import json
import os
import re
import shlex
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import emulators  # noqa: E402
import ktap  # noqa: E402
import oracle as oracles  # noqa: E402
import verdict as verdicts  # noqa: E402

TAIL_LINES = 30
DIAG_LINES_SHOWN = 60
SLOW_CASE = 1.0   # seconds: show a case's time from here on

MEM_RE = re.compile(r"^[1-9][0-9]*[KMGT]?$")


class Colours:
    def __init__(self, on):
        self.on = on

    def __call__(self, code, text):
        return "\033[%sm%s\033[0m" % (code, text) if self.on else text

    def green(self, t): return self("32", t)
    def red(self, t): return self("1;31", t)
    def yellow(self, t): return self("33", t)
    def bold(self, t): return self("1", t)
    def dim(self, t): return self("2", t)


class Display:
    """What the user sees: results as they arrive, or the raw console."""

    def __init__(self, out, label, verbose=False, tty=None, replay=False):
        self.out = out
        self.replay = replay
        self.label = label
        self.verbose = verbose
        self.tty = out.isatty() if tty is None else tty
        colour = self.tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        self.c = Colours(colour)
        self.status_shown = False
        self.live = True
        self.start = time.monotonic()
        self.suite = ""
        self.suite_progress = ""
        self.case_start = None     # when the case now running began
        self.last_status = 0.0

    def elapsed(self):
        return time.monotonic() - self.start

    def _clear_status(self):
        if self.status_shown:
            self.out.write("\r\033[K")
            self.status_shown = False

    def _draw_status(self):
        if not self.tty or self.verbose:
            return
        text = "  %5.1f s  %s" % (self.elapsed(), self.suite or "booting")
        if self.suite_progress:
            text += " " + self.suite_progress
        if self.case_start is not None:
            # KTAP names a case only when it ends: say how long this one runs
            text += ", case %s running %.1f s" % (
                self.next_case(), self.elapsed() - self.case_start)
        self.out.write("\r\033[K" + self.c.dim(text))
        self.out.flush()
        self.status_shown = True
        self.last_status = time.monotonic()

    def print(self, text=""):
        self._clear_status()
        self.out.write(text + "\n")
        self.out.flush()

    def tick(self):
        """Redraw the status line (tty only): called while the run goes on."""
        if self.live and self.tty and not self.verbose and (
                not self.status_shown or time.monotonic() - self.last_status >= 0.2):
            self._draw_status()

    def raw(self, line):
        if self.verbose:
            self.print(line)

    def next_case(self):
        done = self.suite_progress.split("/")[0]
        return str(int(done) + 1) if done.isdigit() else "?"

    def event(self, ev, parser):
        if isinstance(ev, (ktap.SuiteStart, ktap.Result)):
            suite_ended = isinstance(ev, ktap.Result) and ev.is_suite
            self.case_start = None if suite_ended else self.elapsed()
        if isinstance(ev, ktap.SuiteStart):
            self.suite = ev.name
            self.suite_progress = "0/%d" % ev.plan
            if not self.verbose:
                pos = "%d/%s" % (ev.index, ev.parent_plan if ev.parent_plan is not None else "?")
                at = "" if self.replay else ", at %.1f s" % self.elapsed()
                self.print(self.c.bold("== %s" % ev.name) +
                           self.c.dim(" (suite %s, %d case%s%s)" % (
                               pos, ev.plan, "" if ev.plan == 1 else "s", at)))
        elif isinstance(ev, ktap.Result):
            if parser.stack and len(parser.stack) > 1:
                top = parser.stack[-1]
                self.suite_progress = "%d/%s" % (len(top.results), top.plan if top.plan is not None else "?")
            if self.verbose:
                return
            st = ev.status
            if ev.is_suite and not (st == "fail" and not getattr(ev, "_child_failed", 0)):
                return
            took = ""
            if ev.time is not None and ev.time >= SLOW_CASE and not self.replay:
                took = self.c.dim("  (%.1f s)" % ev.time)
            if st == "pass":
                self.print("  %s  %s%s" % (self.c.green("ok  "), ev.name, took))
            elif st == "skip":
                why = ev.reason or ev.directive.lower()
                self.print("  %s  %s (%s)%s" % (self.c.yellow("skip"), ev.name, why, took))
            else:
                extra = " (the suite failed without a failing case)" if ev.is_suite else ""
                self.print("  %s  %s%s%s" % (self.c.red("FAIL"), ev.name, extra, took))
                diags = [d.strip() for d in ev.diagnostics if d.strip()]
                if len(diags) > DIAG_LINES_SHOWN:
                    n = len(diags) - DIAG_LINES_SHOWN
                    diags = diags[:DIAG_LINES_SHOWN // 2] + ["[... %d more lines ...]" % n] + \
                        diags[-DIAG_LINES_SHOWN // 2:]
                for d in diags:
                    self.print("        " + d)
        elif isinstance(ev, ktap.Panic):
            if not self.verbose:
                self.print(self.c.red("  PANIC on CPU %d: %s" % (ev.cpu, ev.message)))
        elif isinstance(ev, ktap.End):
            self.suite = "end of run: %s" % ev.status
            self.suite_progress = ""
            self.case_start = None

    def finish(self):
        self.live = False
        self._clear_status()
        self.out.flush()


class Session:
    """Feeds console lines to the parser, the display, the log and the tail."""

    def __init__(self, display, log=None):
        self.parser = ktap.Parser()
        self.display = display
        self.log = log
        self.tail = deque(maxlen=TAIL_LINES)
        self.all_err = []          # stderr lines (for the emulator status)
        self.all_out = []          # stdout lines (Hercules: its status line)
        self.oracle = None         # oracles.Oracle when --oracle
        self.last_result_time = None

    def line(self, text, stream="out"):
        """Returns True once the kernel has ended the run."""
        if self.oracle and stream == "out":
            self.oracle.line(ktap.clean_line(text))
        if self.log:
            self.log.write(text + "\n")
        shown = ktap.clean_line(text)
        if stream == "err":
            self.all_err.append(shown)
        else:
            self.all_out.append(shown)
        if shown.strip():
            self.tail.append(shown)
        self.display.raw(shown)
        was_ended = self.parser.end is not None
        for ev in self.parser.feed(text):
            now = self.display.elapsed()
            if isinstance(ev, ktap.SuiteStart):
                self.last_result_time = now
            elif isinstance(ev, ktap.Result):
                if self.last_result_time is not None and not ev.is_suite:
                    ev.time = now - self.last_result_time
                self.last_result_time = now
            self.display.event(ev, self.parser)
        return not was_ended and self.parser.end is not None


def build_cmdline(args):
    # the kernel checks that it found as many CPUs as the emulator has
    parts = ["smp.expect=%d" % args.smp] if getattr(args, "smp", None) else []
    if getattr(args, "oracle", False):
        parts.append("oracle=1")
    if args.filter:
        parts.append("ktest.filter=" + args.filter)
    if args.append:
        parts.append(args.append)
    return " ".join(parts)


def make_label(args, backend):
    if args.replay:
        label = "replay %s" % os.path.basename(args.replay)
    elif backend is not None:
        label = backend.label()
    else:
        label = "%s %s smp%d" % (args.arch, args.boot if args.arch == "x86_64" else args.emu, args.smp)
    if args.mem != "256M" and not args.replay:
        label += " %s" % args.mem
    if getattr(args, "cpu", None) and not args.replay:
        label += " cpu=%s" % args.cpu
    if args.filter and not args.replay:
        label += " filter=%s" % args.filter
    if args.expect:
        label += " expect=%s" % args.expect
    return label


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="ptrun.py", description="Boot ptlab and check its KTAP test output.")
    p.add_argument("--arch", choices=("x86_64", "s390x"), default="x86_64")
    p.add_argument("--emu", choices=("qemu", "hercules"), default="qemu")
    p.add_argument("--boot", choices=("direct", "iso"), default="direct",
                   help="x86_64: -kernel (PVH) or a GRUB ISO")
    p.add_argument("--smp", type=int, default=1, help="number of CPUs")
    p.add_argument("--mem", default="256M", help="memory size: 256M, 1G, ...")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds (default 120)")
    p.add_argument("--filter", help="run only these tests (ktest.filter=...)")
    p.add_argument("--append", default="", help="extra kernel command-line arguments")
    p.add_argument("--verbose", "-v", action="store_true", help="show the raw console")
    p.add_argument("--kernel", help="kernel image (default build/<arch>/ptlab.elf)")
    p.add_argument("--replay", metavar="LOGFILE", help="parse a recorded console log, boot nothing")
    p.add_argument("--replay-exit", type=int, metavar="CODE",
                   help="with --replay: the emulator's recorded exit status")
    p.add_argument("--expect", choices=verdicts.OUTCOMES[:-1],
                   help="succeed iff the run ends this way (negative controls)")
    p.add_argument("--expect-failed", metavar="CASES",
                   help="with --expect fail: exactly these cases (suite.case,...) "
                        "must fail, so a control fails for the right reason")
    p.add_argument("--metrics", metavar="FILE", help="write the metrics as JSON lines")
    p.add_argument("--log", metavar="FILE", help="save the raw console output")
    p.add_argument("--cpu", metavar="MODEL",
                   help="QEMU CPU model, e.g. qemu64,+la57 (x86-64 5-level paging)")
    p.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                   help="extra QEMU argument (repeatable)")
    p.add_argument("--result-json", metavar="FILE", help="write the verdict and counts as JSON")
    p.add_argument("--oracle", action="store_true",
                   help="x86_64/qemu: answer the kernel's page-table oracle requests "
                        "with QEMU's 'info tlb' (tests/runner/oracle.py)")
    p.add_argument("--end-grace", type=float, default=10.0, help=argparse.SUPPRESS)
    # test-only: run this command instead of the emulator (shell words)
    p.add_argument("--command", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.smp < 1:
        p.error("--smp must be at least 1")
    if not MEM_RE.match(args.mem):
        p.error("--mem %r: give a size like 256M, 1G or 77M" % args.mem)
    if args.timeout <= 0:
        p.error("--timeout must be positive")
    if args.expect_failed and args.expect != "fail":
        p.error("--expect-failed needs --expect fail")
    if args.cpu and args.emu != "qemu":
        p.error("--cpu is a QEMU option")
    if args.boot == "iso" and args.arch != "x86_64":
        p.error("--boot iso is for --arch x86_64 only")
    if args.replay_exit is not None and not args.replay:
        p.error("--replay-exit needs --replay")
    if args.replay and args.command:
        p.error("--replay and --command exclude each other")
    if args.oracle and (args.arch != "x86_64" or args.emu != "qemu" or args.replay):
        p.error("--oracle needs --arch x86_64 with QEMU")
    if args.filter is not None and (not args.filter or any(ch.isspace() for ch in args.filter)):
        p.error("--filter must be one word without spaces")
    return p, args


def write_metrics(path, parser, label, arch):
    with open(path, "w") as f:
        for m in parser.metrics:
            d = m.as_dict()
            d["run"] = label
            d["arch"] = arch
            f.write(json.dumps(d) + "\n")


def main(argv=None, out=None):
    out = out or sys.stdout
    p, args = parse_args(argv)
    qmp_dir = tempfile.mkdtemp(prefix="ptrun-qmp-") if args.oracle else None
    qmp_path = os.path.join(qmp_dir, "qmp.sock") if qmp_dir else None
    extra = (("-cpu", args.cpu) if args.cpu else ()) + tuple(args.qemu_arg) + (("-qmp", "unix:%s,server=on,wait=off" % qmp_path)
                                    if qmp_path else ())
    cfg = emulators.RunConfig(arch=args.arch, emu=args.emu, boot=args.boot, smp=args.smp,
                              mem=args.mem, kernel=args.kernel, cmdline=build_cmdline(args),
                              extra_args=extra, timeout=args.timeout)
    try:
        backend = emulators.make_backend(cfg)
    except emulators.NotAvailable as e:
        p.print_usage(sys.stderr)
        print("ptrun.py: error: %s" % e, file=sys.stderr)
        return 2

    label = make_label(args, backend)
    display = Display(out, label, verbose=args.verbose, replay=bool(args.replay))
    log = open(args.log, "w", errors="replace") if args.log else None
    session = Session(display, log)
    timed_out = stuck = None
    emu_status = None
    setup_error = None
    source = "replay" if args.replay else "run"

    try:
        if args.replay:
            display.print(display.c.bold("[%s]" % label))
            try:
                with open(args.replay, "rb") as f:
                    for raw in f:
                        session.line(raw.decode("utf-8", errors="replace").rstrip("\n"))
            except OSError as e:
                p.error("--replay: %s" % e)
            if args.replay_exit is not None:
                lines = [ktap.clean_line(x) for x in Path(args.replay).read_text(errors="replace").splitlines()]
                emu_status = backend.status(args.replay_exit, lines)
                if emu_status.kind == "timeout":
                    timed_out, emu_status = args.timeout, None
        else:
            with tempfile.TemporaryDirectory(prefix="ptrun-") as tmp:
                try:
                    if args.command:
                        argv_cmd = shlex.split(args.command)
                    else:
                        backend.check()
                        backend.prepare(tmp)
                        argv_cmd = backend.command()
                    display.print(display.c.bold("[%s]" % label) + " " +
                                  display.c.dim(" ".join(shlex.quote(a) for a in argv_cmd)))
                    display.start = time.monotonic()
                    proc = emulators.EmulatorProcess(argv_cmd, args.timeout, end_grace=args.end_grace,
                                                     tick=0.25 if display.tty else None,
                                                     on_tick=display.tick,
                                                     stdin_pipe=bool(qmp_path))
                    if qmp_path:
                        session.oracle = oracles.Oracle(qmp_path, proc.write_stdin)
                    code = proc.run(session.line)
                    if proc.timed_out:
                        timed_out = args.timeout
                    elif proc.stuck:
                        stuck = args.end_grace
                    else:
                        lines = session.all_err
                        if backend.status_from_console:
                            lines = session.all_out + session.all_err
                        emu_status = backend.status(code, lines)
                        if emu_status.kind == "timeout":   # the wrapper's own
                            timed_out, emu_status = args.timeout, None
                except emulators.SetupError as e:
                    setup_error = e
    except KeyboardInterrupt:
        display.finish()
        print("\ninterrupted", file=out)
        return 130
    finally:
        if log:
            log.close()
        if qmp_dir:
            import shutil
            shutil.rmtree(qmp_dir, ignore_errors=True)

    session.parser.close()
    display.finish()
    parser = session.parser
    if setup_error:
        v = verdicts.Verdict("error", "%s: %s" % (setup_error.kind, setup_error.message))
    else:
        v = verdicts.decide(parser, emu_status, timed_out, stuck,
                            emu_name=backend.name if not args.command else "command",
                            source=source)
    passed, failed, skipped = parser.counts()
    elapsed = display.elapsed()

    if args.expect:
        ok = v.outcome == args.expect
        if ok:
            reason = "EXPECTED %s, got it: %s" % (args.expect, v.reason)
        else:
            reason = "UNEXPECTED: expected %s, got %s: %s" % (args.expect, v.outcome, v.reason)
        if ok and args.expect_failed:
            want = set(n.strip() for n in args.expect_failed.split(",") if n.strip())
            got = set(r.name for r in parser.failures() if not r.is_suite)
            if got != want:
                ok = False
                reason = "UNEXPECTED: failed cases %s, expected %s" % (
                    ",".join(sorted(got)) or "none", ",".join(sorted(want)))
    else:
        ok = v.ok
        reason = v.reason if not ok else "PASS" if args.replay else "PASS in %.1f s" % elapsed
    # --oracle with the oracle suite run but never asking is no check at all
    if (session.oracle and ok and not session.oracle.answers and not args.expect and
            any(r.name.startswith("x86_oracle.") for r in parser.leaves())):
        ok = False
        reason = "FAILED: --oracle given, the x86_oracle suite ran, but the kernel asked nothing"
    c = display.c
    display.print(c.green(reason) if ok else c.red(reason))
    if not args.verbose:
        for w in parser.boot_cmdline:
            display.print(c.yellow("  kernel: %s" % w))
    for w in parser.warnings[:5]:
        display.print(c.dim("  note: %s" % w))
    if session.oracle:
        for good, what in session.oracle.answers:
            display.print("  oracle (QEMU info tlb): %s" % what)
        if not session.oracle.answers:
            display.print(c.dim("  oracle: the kernel asked nothing (oracle suite filtered out?)"))
    if not ok and not args.verbose and session.tail:
        display.print(c.dim("--- last %d console lines ---" % len(session.tail)))
        for line in session.tail:
            display.print("  " + line)
        display.print(c.dim("---"))
    summary = "%d passed, %d failed" % (passed, failed)
    if skipped:
        summary += ", %d skipped" % skipped
    display.print("[%s] %s" % (label, summary))
    display.finish()

    if args.metrics:
        write_metrics(args.metrics, parser, label, args.arch)
    if args.result_json:
        with open(args.result_json, "w") as f:
            json.dump({"label": label, "ok": ok, "outcome": v.outcome, "reason": v.reason,
                       "expect": args.expect, "passed": passed, "failed": failed,
                       "skipped": skipped, "metrics": len(parser.metrics),
                       "elapsed": round(elapsed, 3)}, f)
            f.write("\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""How a run ended, from the parsed console and the emulator's status.

Outcomes: "pass", "fail", "panic", "timeout", "incomplete", "crash"
(the emulator or machine died: triple fault, wild disabled wait, stuck
emulator) and "error" (the run could not start).  A run passes only when
every plan was met, nothing failed, the kernel printed its pass marker and
the emulator's exit status agrees.
"""

from dataclasses import dataclass

OUTCOMES = ("pass", "fail", "panic", "timeout", "incomplete", "crash", "error")


@dataclass
class Verdict:
    outcome: str
    reason: str         # one line: "FAILED: 2 tests failed"

    @property
    def ok(self):
        return self.outcome == "pass"


def _plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def decide(parser, emu=None, timed_out=None, stuck=None, emu_name="emulator",
           source="run"):
    """@parser: a closed ktap.Parser.  @emu: emulators.EmuStatus or None
    (replay without an exit code).  @timed_out: the timeout in seconds if
    the hard timeout fired.  @stuck: seconds the emulator was given to exit
    after the end-of-run marker, if it did not."""
    passed, failed, skipped = parser.counts()
    where = parser.position()
    end = parser.end
    panic = parser.panic
    emu_kind = emu.kind if emu else "unknown"

    if timed_out is not None and panic is None:
        return Verdict("timeout", "TIMEOUT after %g s %s" % (timed_out, where))

    if panic is not None or (end and end.status == "panic") or emu_kind == "panic":
        if panic is not None:
            msg = "CRASH: kernel panic: %s" % panic.message
            if panic.test:
                msg += " (in test %s)" % panic.test
            elif parser.seen_ktap:
                msg += " (%s)" % where
        else:
            msg = "CRASH: kernel panic (%s), no panic message seen %s" % (
                emu.detail if emu_kind == "panic" else "end-of-run marker", where)
        if timed_out is not None:
            msg += "; then TIMEOUT after %g s" % timed_out
        return Verdict("panic", msg)

    if stuck is not None:
        return Verdict("crash", "EMULATOR: %s still running %g s after the end-of-run marker" % (
            emu_name, stuck))

    if emu_kind == "crash":
        msg = "EMULATOR: %s" % emu.detail
        if end is None:
            msg += " %s" % where
        return Verdict("crash", msg)

    if not parser.seen_ktap and end is not None and end.status == "fail":
        detail = end.detail.strip("() ") or (parser.notes[-1] if parser.notes else "")
        return Verdict("fail", "FAILED: kernel ended the run before any test%s" % (
            ": " + detail if detail else ""))

    if end is None:
        what = "console output" if source == "run" else "log"
        return Verdict("incomplete", "INCOMPLETE: %s ends without the end-of-run marker %s" % (
            what, where))
    if parser.issues:
        return Verdict("incomplete", "INCOMPLETE: %s" % parser.issues[0])

    if failed:
        return Verdict("fail", "FAILED: %s failed" % _plural(failed, "test"))
    if end.status != "pass":
        detail = end.detail or "; ".join(n for n in parser.notes if "end of run" not in n)
        return Verdict("fail", "FAILED: kernel reported end of run: %s%s" % (
            end.status, " (%s)" % detail if detail else ""))
    if emu_kind not in ("pass", "unknown"):
        return Verdict("crash", "EMULATOR: kernel said pass but %s" % emu.detail)
    return Verdict("pass", "PASS")

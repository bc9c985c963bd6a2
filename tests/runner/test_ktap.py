"""The KTAP parser, the verdicts and the emulator backends, without I/O."""

import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import emulators  # noqa: E402
import ktap  # noqa: E402
import verdict  # noqa: E402

LOGS = HERE / "logs"


def parse(name, emu=None, **kw):
    p = ktap.Parser()
    events = []
    with open(LOGS / name, "rb") as f:
        for raw in f:
            events += p.feed(raw)
    p.close()
    return p, events, verdict.decide(p, emu, source="replay", **kw)


def x86(code, lines=()):
    return emulators.QemuX86(emulators.RunConfig()).status(code, list(lines))


def s390(code, lines=()):
    return emulators.QemuS390x(emulators.RunConfig(arch="s390x")).status(code, list(lines))


class LogVerdicts(unittest.TestCase):
    def test_pass(self):
        p, events, v = parse("pass.log", x86(1))
        self.assertEqual(v.outcome, "pass")
        self.assertEqual(p.counts(), (5, 0, 0))
        self.assertEqual(p.issues, [])
        names = [e.name for e in events if isinstance(e, ktap.Result) and not e.is_suite]
        self.assertEqual(names, ["cmdline.parse_basic", "cmdline.parse_quotes",
                                 "cmdline.unknown_reported", "format.integers", "format.strings"])
        starts = [(e.name, e.index, e.plan, e.parent_plan) for e in events
                  if isinstance(e, ktap.SuiteStart)]
        self.assertEqual(starts, [("cmdline", 1, 3, 2), ("format", 2, 2, 2)])

    def test_assertion_failure(self):
        p, _, v = parse("assert_fail.log", x86(3))
        self.assertEqual(v.outcome, "fail")
        self.assertEqual(v.reason, "FAILED: 2 tests failed")
        self.assertEqual(p.counts(), (3, 2, 0))
        bad = p.failures()
        self.assertEqual([r.name for r in bad], ["cmdline.parse_bad", "other.second"])
        self.assertIn("# parse_bad: EXPECTATION FAILED at tests/ktest/cmdline.c:42",
                      [d.strip() for d in bad[0].diagnostics])
        self.assertEqual(len(bad[0].diagnostics), 2)

    def test_panic_mid_suite(self):
        p, events, v = parse("panic_midsuite.log", x86(5))
        self.assertEqual(v.outcome, "panic")
        self.assertEqual(v.reason, "CRASH: kernel panic: BUG at mm/page_alloc.c:311: "
                         "free list corrupted (in test page_alloc.orders_aligned)")
        self.assertEqual(p.counts(), (2, 0, 0))
        self.assertEqual(p.panic.cpu, 2)
        self.assertTrue(any(isinstance(e, ktap.Panic) for e in events))
        # the panic wins over the unmet plans it causes
        self.assertTrue(p.issues)

    def test_hang(self):
        p, _, v = parse("hang.log")
        self.assertEqual(v.outcome, "incomplete")
        self.assertEqual(v.reason, "INCOMPLETE: log ends without the end-of-run marker "
                         "in suite smp at case 2/3 (after all_online)")
        self.assertEqual(p.counts(), (1, 0, 0))

    def test_hang_timeout(self):
        p, _, v = parse("hang.log", timed_out=120)
        self.assertEqual(v.outcome, "timeout")
        self.assertEqual(v.reason, "TIMEOUT after 120 s in suite smp at case 2/3 (after all_online)")

    def test_garbage_and_cr(self):
        p, _, v = parse("garbage_cr.log", x86(1))
        self.assertEqual(v.outcome, "pass", v.reason)
        self.assertEqual(p.counts(), (3, 0, 0))
        self.assertEqual(p.warnings, [])

    def test_plan_mismatch(self):
        p, _, v = parse("plan_mismatch.log", x86(1))
        self.assertEqual(v.outcome, "incomplete")
        self.assertEqual(v.reason, "INCOMPLETE: plan said 5, got 3 in suite foo")

    def test_skip(self):
        p, _, v = parse("skip.log", s390(0))
        self.assertEqual(v.outcome, "pass")
        self.assertEqual(p.counts(), (2, 0, 4))
        skips = {r.name: r.reason for r in p.results if r.status == "skip"}
        self.assertEqual(skips["pgtable.huge_fault"], "no EDAT-1")
        self.assertEqual(skips["tlb_shootdown"], "needs 2 CPUs")
        self.assertIn("x86_fixup", skips)        # the suite itself, SKIP w/o reason
        self.assertEqual(skips["x86_fixup"], "")

    def test_nested_deeper_than_two(self):
        p, events, v = parse("nested.log", x86(3))
        self.assertEqual(v.outcome, "fail")
        self.assertEqual(p.counts(), (4, 1, 0))
        self.assertEqual([r.name for r in p.failures()], ["mm.pgtable.levels.pmd"])
        suites = [e.name for e in events if isinstance(e, ktap.SuiteStart)]
        self.assertEqual(suites, ["mm", "mm.pgtable", "mm.pgtable.levels", "flat"])
        self.assertEqual(p.issues, [])

    def test_metrics(self):
        p, _, v = parse("metrics.log", x86(1))
        self.assertEqual(v.outcome, "pass")
        got = [(m.key, m.value, m.unit, m.test) for m in p.metrics]
        self.assertEqual(got, [
            ("cmdline.parse_cost", 120, "ns", "cmdline.parse_basic"),
            ("cmdline.ratio", 1.197, "x", "cmdline.ratios"),
            ("cmdline.deep_one", 7, "pages", "cmdline.ratios"),
            ("cmdline.unindented", None, "ns", "cmdline.ratios"),
            ("cmdline.after_suite", 3, "cpus", ""),
        ])
        self.assertEqual(p.metrics[3].raw, "nan")
        self.assertEqual(p.metrics[0].suite, "cmdline")
        self.assertEqual(p.metrics[0].name, "parse_cost")

    def test_no_ktap(self):
        p, _, v = parse("no_ktap.log", x86(3))
        self.assertEqual(v.outcome, "fail")
        self.assertEqual(v.reason, "FAILED: kernel ended the run before any test: not enough memory")

    def test_triple_fault(self):
        _, _, v = parse("triple_fault.log", x86(0))
        self.assertEqual(v.outcome, "crash")
        self.assertEqual(v.reason, "EMULATOR: qemu exited with 0 (triple fault?) "
                         "in suite x86_fixup at case 2/3 (after invalid_opcode)")

    def test_emulator_disagrees(self):
        _, _, v = parse("pass.log", x86(3))
        self.assertEqual(v.outcome, "crash")
        self.assertEqual(v.reason, "EMULATOR: kernel said pass but qemu exited with 3 (fail)")

    def test_stuck_emulator(self):
        _, _, v = parse("pass.log", None, stuck=10)
        self.assertEqual(v.reason, "EMULATOR: emulator still running 10 s after the end-of-run marker")

    def test_s390x_fail(self):
        lines = (LOGS / "s390x_fail.log").read_text().splitlines()
        p, _, v = parse("s390x_fail.log", s390(1, lines))
        self.assertEqual(v.outcome, "fail")
        self.assertEqual(p.counts(), (0, 1, 0))

    def test_real_logs(self):
        # consoles saved from real QEMU runs of the x86-64 kernel
        for name, code, outcome in (("x86_64-pass.log", 1, "pass"),
                                    ("x86_64-selftest-fail.log", 3, "fail"),
                                    ("x86_64-selftest-panic.log", 5, "panic")):
            if not (LOGS / name).exists():
                continue
            with self.subTest(name):
                p, _, v = parse(name, x86(code))
                self.assertEqual(v.outcome, outcome, v.reason)
                if outcome != "panic":
                    self.assertEqual(p.issues, [])


class Parsing(unittest.TestCase):
    def feed(self, text):
        p = ktap.Parser()
        ev = []
        for line in text.splitlines():
            ev += p.feed(line)
        p.close()
        return p, ev

    def test_clean_line(self):
        self.assertEqual(ktap.clean_line("    ok 1 x\r\n"), "    ok 1 x")
        self.assertEqual(ktap.clean_line(b"\x1b[2J\x1b[01;01Hok 1 x\r"), "ok 1 x")
        self.assertEqual(ktap.clean_line("noise\r    ok 2 y"), "    ok 2 y")
        self.assertEqual(ktap.clean_line("a\x00b\x07c"), "abc")
        self.assertEqual(ktap.clean_line(b"\xff\xfeok"), "\ufffd\ufffdok")

    def test_result_forms(self):
        m = ktap.RESULT_RE.match
        self.assertEqual(m("ok 3 something # SKIP no EDAT-1").groups(),
                         ("ok", "3", "something", "SKIP no EDAT-1"))
        self.assertEqual(m("not ok 12 - a_b").groups(), ("not ok", "12", "a_b", None))
        self.assertEqual(m("ok 2 suite # SKIP").group(4), "SKIP")
        self.assertIsNone(m("okay then"))

    def test_missing_result_lines(self):
        p, _ = self.feed("KTAP version 1\n1..2\n    KTAP version 1\n    # Subtest: a\n"
                         "    1..1\n    ok 1 x\n    KTAP version 1\n    # Subtest: b\n    1..1\n"
                         "    ok 1 y\nok 2 b\n# ptlab: end of run: pass\n")
        self.assertIn("no result line for suite a (next suite started)", p.issues)
        self.assertIn("plan said 2, got 1 at top level", p.issues)

    def test_suite_fails_without_failing_case(self):
        p, _ = self.feed("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: a\n"
                         "    1..1\n    ok 1 x\nnot ok 1 a\n# ptlab: end of run: fail\n")
        self.assertEqual(p.counts(), (1, 1, 0))
        self.assertEqual([r.name for r in p.failures()], ["a"])

    def test_totals_cross_check(self):
        p, _ = self.feed("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: a\n"
                         "    1..1\n    ok 1 x\nok 1 a\n# Totals: pass:2 fail:0 skip:0 total:2\n"
                         "# ptlab: end of run: pass\n")
        self.assertEqual(p.issues, ["kernel's Totals say pass:2 fail:0 skip:0, "
                                    "parsed pass:1 fail:0 skip:0"])

    def test_suite_tally_cross_check(self):
        # KUnit's per-suite lines, inside the suite; the run's own is ours
        p, _ = self.feed("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: a\n"
                         "    1..2\n    ok 1 x\n    ok 2 y # SKIP why\n"
                         "    # a: pass:1 fail:0 skip:1 total:2\n"
                         "    # Totals: pass:2 fail:0 skip:0 total:2\n"
                         "ok 1 a\n# ptlab: totals: pass:1 fail:0 skip:1 total:2\n"
                         "# ptlab: end of run: pass\n")
        self.assertEqual(p.issues, ["suite a: kernel's Totals line says pass:2 fail:0 skip:0, "
                                    "parsed pass:1 fail:0 skip:1"])

    def test_boot_cmdline_reports_kept(self):
        p, _ = self.feed("# cmdline: unknown option 'bogus' ignored\nKTAP version 1\n1..1\n"
                         "    KTAP version 1\n    # Subtest: a\n    1..1\n"
                         "    # cmdline: not a boot line\n    ok 1 x\nok 1 a\n"
                         "# ptlab: end of run: pass\n")
        self.assertEqual(p.boot_cmdline, ["cmdline: unknown option 'bogus' ignored"])

    def test_no_output(self):
        p, _ = self.feed("")
        v = verdict.decide(p, x86(1))
        self.assertEqual(v.outcome, "incomplete")
        self.assertIn("before any KTAP output", v.reason)

    def test_lines_after_end_ignored(self):
        p, _ = self.feed("KTAP version 1\n1..0\n# ptlab: end of run: pass\nnot ok 1 junk\n")
        self.assertEqual(p.counts(), (0, 0, 0))
        self.assertEqual(verdict.decide(p, x86(1)).outcome, "pass")


class Backends(unittest.TestCase):
    def test_x86_codes(self):
        self.assertEqual(x86(1).kind, "pass")
        self.assertEqual(x86(3).kind, "fail")
        self.assertEqual(x86(5).kind, "panic")
        self.assertEqual(x86(0).detail, "qemu exited with 0 (triple fault?)")
        self.assertEqual(x86(-9).detail, "qemu killed by SIGKILL")
        self.assertEqual(x86(7).kind, "crash")
        self.assertEqual(x86(None).kind, "unknown")

    def test_s390x_codes(self):
        psw = "PSW: 0x0002000180000000 0x%016x"
        self.assertEqual(s390(0).kind, "pass")
        self.assertEqual(s390(1, ["Guest crashed on cpu 0: disabled-wait", psw % 0xbad]).kind, "fail")
        self.assertEqual(s390(1, [psw % 0xdead]).kind, "panic")
        self.assertEqual(s390(1, [psw % 0x1234]).detail, "qemu exited with 1, disabled wait at 0x1234")
        self.assertEqual(s390(1, ["qemu-system-s390x: could not load kernel"]).kind, "crash")

    def test_commands(self):
        cfg = emulators.RunConfig(smp=4, mem="1G", kernel="k.elf", cmdline="ktest.filter=a*",
                                  extra_args=("-cpu", "max"))
        cmd = emulators.QemuX86(cfg).command()
        self.assertEqual(cmd[0], "qemu-system-x86_64")
        for pair in (["-smp", "4"], ["-m", "1G"], ["-kernel", "k.elf"],
                     ["-append", "ktest.filter=a*"], ["-serial", "stdio"], ["-cpu", "max"]):
            self.assertIn(pair, [cmd[i:i + 2] for i in range(len(cmd))])
        self.assertIn("-no-reboot", cmd)
        cfg.arch = "s390x"
        cmd = emulators.QemuS390x(cfg).command()
        self.assertEqual(cmd[0], "qemu-system-s390x")
        self.assertIn("guest_errors", cmd)
        self.assertIn("panic=exit-failure", cmd)

    def test_make_backend(self):
        mk = emulators.make_backend
        self.assertIsInstance(mk(emulators.RunConfig()), emulators.QemuX86)
        self.assertIsInstance(mk(emulators.RunConfig(arch="s390x")), emulators.QemuS390x)
        self.assertIsInstance(mk(emulators.RunConfig(arch="s390x", emu="hercules")),
                              emulators.Hercules)
        for bad in (dict(arch="x86_64", emu="hercules"), dict(arch="s390x", emu="hercules", smp=9),
                    dict(arch="s390x", emu="hercules", boot="iso")):
            with self.assertRaises(emulators.NotAvailable):
                mk(emulators.RunConfig(**bad))
        with self.assertRaises(emulators.NotAvailable):
            mk(emulators.RunConfig(arch="s390x", boot="iso"))

    def test_grub_quote(self):
        self.assertEqual(emulators.grub_quote("ktest.filter=a,b.c"), "ktest.filter=a,b.c")
        self.assertEqual(emulators.grub_quote("ktest.filter=pg*"), "'ktest.filter=pg*'")
        self.assertEqual(emulators.grub_quote("x=it's"), "'x=it'\\''s'")


if __name__ == "__main__":
    unittest.main()

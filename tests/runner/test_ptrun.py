"""ptrun.py end to end: replays of recorded consoles, options, and real
processes through a fake emulator (timeout, exit codes, stderr)."""

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOGS = HERE / "logs"
PTRUN = HERE / "ptrun.py"
FAKE = HERE / "fake_emu.py"


def ptrun(*args, timeout=60):
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([sys.executable, str(PTRUN)] + [str(a) for a in args],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, env=env, text=True)
    return p.returncode, p.stdout.splitlines(), p.stderr


def fake(log, *extra):
    return " ".join(shlex.quote(str(a)) for a in [sys.executable, FAKE, LOGS / log] + list(extra))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0): look at its state
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Replay(unittest.TestCase):
    def test_pass(self):
        rc, out, _ = ptrun("--replay", LOGS / "pass.log", "--replay-exit", 1)
        self.assertEqual(rc, 0)
        self.assertEqual(out[-1], "[replay pass.log] 5 passed, 0 failed")
        self.assertIn("  ok    cmdline.parse_basic", out)
        self.assertIn("PASS", out)
        self.assertFalse(any("last" in l and "console lines" in l for l in out))

    def test_failure_shows_diagnostics_and_tail(self):
        rc, out, _ = ptrun("--replay", LOGS / "assert_fail.log", "--replay-exit", 3)
        self.assertEqual(rc, 1)
        self.assertEqual(out[-1], "[replay assert_fail.log] 3 passed, 2 failed")
        i = out.index("  FAIL  cmdline.parse_bad")
        self.assertEqual(out[i + 1].strip(), "# parse_bad: EXPECTATION FAILED at tests/ktest/cmdline.c:42")
        self.assertIn("FAILED: 2 tests failed", out)
        t = out.index("FAILED: 2 tests failed")
        self.assertTrue(out[t + 1].startswith("--- last 26 console lines"))
        self.assertEqual(out[-3].strip(), "# ptlab: end of run: fail")

    def test_panic(self):
        rc, out, _ = ptrun("--replay", LOGS / "panic_midsuite.log")
        self.assertEqual(rc, 1)
        self.assertIn("CRASH: kernel panic: BUG at mm/page_alloc.c:311: free list corrupted "
                      "(in test page_alloc.orders_aligned)", out)
        self.assertIn("Call trace:", [l.strip() for l in out])
        rc, out, _ = ptrun("--replay", LOGS / "panic_midsuite.log", "--expect", "panic")
        self.assertEqual(rc, 0)
        self.assertTrue(out[-2].startswith("EXPECTED panic, got it: CRASH"))
        self.assertEqual(out[-1], "[replay panic_midsuite.log expect=panic] 2 passed, 0 failed")

    def test_hang_is_incomplete(self):
        rc, out, _ = ptrun("--replay", LOGS / "hang.log")
        self.assertEqual(rc, 1)
        self.assertTrue(any(l.startswith("INCOMPLETE: log ends without the end-of-run marker "
                                         "in suite smp") for l in out))
        rc, out, _ = ptrun("--replay", LOGS / "hang.log", "--expect", "fail")
        self.assertEqual(rc, 1)
        self.assertTrue(any(l.startswith("UNEXPECTED: expected fail, got incomplete") for l in out))

    def test_expect_failed_names_the_cases(self):
        rc, out, _ = ptrun("--replay", LOGS / "assert_fail.log", "--expect", "fail",
                           "--expect-failed", "cmdline.parse_bad,other.second")
        self.assertEqual(rc, 0, out)
        rc, out, _ = ptrun("--replay", LOGS / "assert_fail.log", "--expect", "fail",
                           "--expect-failed", "cmdline.parse_bad")
        self.assertEqual(rc, 1)
        self.assertIn("UNEXPECTED: failed cases cmdline.parse_bad,other.second, "
                      "expected cmdline.parse_bad", out)

    def test_skip_and_garbage(self):
        rc, out, _ = ptrun("--replay", LOGS / "skip.log")
        self.assertEqual(rc, 0)
        self.assertEqual(out[-1], "[replay skip.log] 2 passed, 0 failed, 4 skipped")
        self.assertIn("  skip  pgtable.huge_fault (no EDAT-1)", out)
        rc, out, _ = ptrun("--replay", LOGS / "garbage_cr.log", "--replay-exit", 1)
        self.assertEqual(rc, 0, out)

    def test_plan_mismatch(self):
        rc, out, _ = ptrun("--replay", LOGS / "plan_mismatch.log", "--replay-exit", 1)
        self.assertEqual(rc, 1)
        self.assertIn("INCOMPLETE: plan said 5, got 3 in suite foo", out)

    def test_triple_fault(self):
        rc, out, _ = ptrun("--replay", LOGS / "triple_fault.log", "--replay-exit", 0)
        self.assertEqual(rc, 1)
        self.assertIn("EMULATOR: qemu exited with 0 (triple fault?) in suite x86_fixup "
                      "at case 2/3 (after invalid_opcode)", out)

    def test_s390x_psw_in_log(self):
        rc, out, _ = ptrun("--arch", "s390x", "--replay", LOGS / "s390x_fail.log",
                           "--replay-exit", 1, "--expect", "fail")
        self.assertEqual(rc, 0, out)

    def test_metrics_and_log_files(self):
        with tempfile.TemporaryDirectory() as d:
            m, lg = Path(d) / "m.jsonl", Path(d) / "console.log"
            rc, out, _ = ptrun("--replay", LOGS / "metrics.log", "--metrics", m, "--log", lg,
                               "--result-json", Path(d) / "r.json")
            self.assertEqual(rc, 0)
            rows = [json.loads(l) for l in m.read_text().splitlines()]
            self.assertEqual([r["key"] for r in rows][:2], ["cmdline.parse_cost", "cmdline.ratio"])
            self.assertEqual(rows[1]["value"], 1.197)
            self.assertIsNone(rows[3]["value"])
            self.assertEqual(rows[0]["test"], "cmdline.parse_basic")
            self.assertEqual(lg.read_text(), (LOGS / "metrics.log").read_text())
            r = json.loads((Path(d) / "r.json").read_text())
            self.assertEqual((r["ok"], r["outcome"], r["passed"], r["metrics"]), (True, "pass", 2, 5))

    def test_verbose_shows_console(self):
        rc, out, _ = ptrun("--replay", LOGS / "pass.log", "--verbose")
        self.assertEqual(rc, 0)
        self.assertIn("    # Subtest: cmdline", out)
        self.assertEqual(out[-1], "[replay pass.log] 5 passed, 0 failed")


class Options(unittest.TestCase):
    def test_bad_options(self):
        for args in (["--mem", "12X"], ["--smp", "0"], ["--arch", "arm"],
                     ["--arch", "s390x", "--boot", "iso"], ["--replay-exit", "1"],
                     ["--timeout", "0"], ["--expect", "maybe"], ["--bogus"]):
            with self.subTest(args=args):
                rc, out, err = ptrun(*args)
                self.assertEqual(rc, 2)
                self.assertIn("usage:", err)

    def test_hercules_options(self):
        for args, msg in ((["--emu", "hercules"], "runs s390x only"),
                          (["--arch", "s390x", "--emu", "hercules", "--smp", "9"], "--smp must be 1..8")):
            with self.subTest(args=args):
                rc, _, err = ptrun(*args)
                self.assertEqual(rc, 2)
                self.assertIn(msg, err)

    def test_missing_kernel(self):
        rc, out, _ = ptrun("--kernel", "/nonexistent/ptlab.elf")
        self.assertEqual(rc, 1)
        self.assertTrue(any(l.startswith("NOT BUILT: /nonexistent/ptlab.elf does not exist") for l in out), out)
        self.assertEqual(out[-1], "[x86_64 direct smp1] 0 passed, 0 failed")


class FakeEmulator(unittest.TestCase):
    """Real processes: the runner's own process handling."""

    def test_timeout_kills_the_group(self):
        with tempfile.TemporaryDirectory() as d:
            pidfile = Path(d) / "pids"
            t0 = time.monotonic()
            rc, out, _ = ptrun("--command", fake("hang.log", "--hang", 60, "--pidfile", pidfile),
                               "--timeout", 1.5)
            took = time.monotonic() - t0
            self.assertEqual(rc, 1)
            self.assertLess(took, 10)
            self.assertIn("TIMEOUT after 1.5 s in suite smp at case 2/3 (after all_online)", out)
            self.assertEqual(out[-1], "[x86_64 direct smp1] 1 passed, 0 failed")
            self.assertIn("# every_pair_ipis: waiting for CPU 3", [l.strip() for l in out])
            for pid in map(int, pidfile.read_text().split()):
                self.assertFalse(pid_alive(pid), "pid %d survived" % pid)

    def test_expect_timeout(self):
        rc, out, _ = ptrun("--command", fake("hang.log", "--hang", 60), "--timeout", 1,
                           "--expect", "timeout")
        self.assertEqual(rc, 0, out)

    def test_exit_codes(self):
        rc, out, _ = ptrun("--command", fake("pass.log", "--exit", 1))
        self.assertEqual(rc, 0, out)
        self.assertTrue(out[-2].startswith("PASS in "))
        rc, out, _ = ptrun("--command", fake("pass.log", "--exit", 3))
        self.assertEqual(rc, 1)
        self.assertIn("EMULATOR: kernel said pass but qemu exited with 3 (fail)", out)
        rc, out, _ = ptrun("--command", fake("assert_fail.log", "--exit", 3))
        self.assertEqual(rc, 1)
        self.assertIn("FAILED: 2 tests failed", out)

    def test_stuck_after_end(self):
        t0 = time.monotonic()
        rc, out, _ = ptrun("--command", fake("pass.log", "--hang", 60), "--end-grace", 0.5)
        self.assertEqual(rc, 1)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertIn("EMULATOR: command still running 0.5 s after the end-of-run marker", out)

    def test_s390x_psw_on_stderr(self):
        lines = (LOGS / "s390x_fail.log").read_text().splitlines()
        with tempfile.TemporaryDirectory() as d:
            console = Path(d) / "console"
            console.write_text("\n".join(lines[:-1]) + "\n")
            cmd = " ".join(shlex.quote(str(a)) for a in
                           [sys.executable, FAKE, console, "--exit", 1, "--stderr", lines[-1]])
            rc, out, _ = ptrun("--arch", "s390x", "--command", cmd)
            self.assertEqual(rc, 1)
            self.assertIn("FAILED: 1 test failed", out)
            rc, out, _ = ptrun("--arch", "s390x", "--command", cmd.replace("bad'", "123'"))
            self.assertIn("EMULATOR: qemu exited with 1, disabled wait at 0x123", out)


class HerculesBackend(unittest.TestCase):
    """The Hercules backend: hercules-run.sh's status line is the exit status."""

    def herc(self, log, exit_code, *extra):
        return ptrun("--arch", "s390x", "--emu", "hercules", "--smp", 2,
                     "--command", fake(log, "--exit", exit_code), *extra)

    def test_replay(self):
        rc, out, _ = ptrun("--arch", "s390x", "--emu", "hercules", "--replay",
                           LOGS / "s390x-hercules-pass.log", "--replay-exit", 0)
        self.assertEqual(rc, 0, out)
        self.assertEqual(out[-1], "[replay s390x-hercules-pass.log] 11 passed, 0 failed")
        rc, out, _ = ptrun("--arch", "s390x", "--emu", "hercules", "--replay",
                           LOGS / "s390x-hercules-selftest-fail.log", "--replay-exit", 1,
                           "--expect", "fail")
        self.assertEqual(rc, 0, out)

    def test_pass_and_fail(self):
        rc, out, _ = self.herc("s390x-hercules-pass.log", 0)
        self.assertEqual(rc, 0, out)
        self.assertTrue(out[-2].startswith("PASS in "), out)
        rc, out, _ = self.herc("s390x-hercules-selftest-fail.log", 1)
        self.assertEqual(rc, 1)
        self.assertIn("FAILED: 2 tests failed", out)

    def test_status_line_must_agree(self):
        lines = (LOGS / "s390x-hercules-pass.log").read_text().splitlines()
        with tempfile.TemporaryDirectory() as d:
            for last, code, want in (
                    (lines[-1].replace("FFF status pass", "BAD status fail"), 1,
                     "EMULATOR: kernel said pass but hercules: disabled wait PSW "
                     "0002000180000000 0000000000000BAD (fail)"),
                    (lines[-1].replace("FFF status pass", "123 status other"), 1,
                     "EMULATOR: hercules: disabled wait at 0x123"),
                    (lines[-1], 1, "EMULATOR: hercules: disabled wait PSW 0002000180000000 "
                     "0000000000000FFF (pass), but hercules-run exited with 1"),
                    ("hercules-run: no disabled wait (hercules exit code 0)", 2,
                     "EMULATOR: hercules ended without a disabled wait (exit code 0)")):
                with self.subTest(last=last):
                    console = Path(d) / "console"
                    console.write_text("\n".join(lines[:-1] + [last]) + "\n")
                    rc, out, _ = ptrun("--arch", "s390x", "--emu", "hercules", "--command",
                                       " ".join(shlex.quote(str(a)) for a in
                                                [sys.executable, FAKE, console, "--exit", code]))
                    self.assertEqual(rc, 1)
                    self.assertIn(want, out)

    def test_own_timeout_is_a_timeout(self):
        lines = (LOGS / "s390x-hercules-pass.log").read_text().splitlines()
        with tempfile.TemporaryDirectory() as d:
            console = Path(d) / "console"
            console.write_text("\n".join(lines[:20] + ["hercules-run: timeout after 57 s"]) + "\n")
            rc, out, _ = ptrun("--arch", "s390x", "--emu", "hercules", "--timeout", 60,
                               "--expect", "timeout", "--command",
                               " ".join(shlex.quote(str(a)) for a in
                                        [sys.executable, FAKE, console, "--exit", 124]))
            self.assertEqual(rc, 0, out)
            self.assertTrue(any(l.startswith("EXPECTED timeout, got it: TIMEOUT after 60 s") for l in out), out)

    def test_command_line(self):
        sys.path.insert(0, str(HERE))
        import emulators
        cfg = emulators.RunConfig(arch="s390x", emu="hercules", smp=4, mem="1G",
                                  cmdline="smp.expect=4", timeout=60)
        cmd = emulators.make_backend(cfg).command()
        self.assertEqual(cmd[1:], [str(emulators.REPO / "boot/s390x/hercules-run.sh"),
                                   str(emulators.REPO / "build/s390x/ptlab.bin"),
                                   "smp.expect=4", "4", "1024", "57"])
        self.assertEqual(emulators.mem_mib("64M"), 64)
        self.assertEqual(emulators.mem_mib("512"), 512)


if __name__ == "__main__":
    unittest.main()

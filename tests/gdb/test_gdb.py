#!/usr/bin/env python3
"""gdb as a way to use ptlab, tested against the kernel itself.

    python3 tests/gdb/test_gdb.py [--arch x86_64|s390x] [--smp N] [--mem M]
                                  [--cpu MODEL] [--timeout S] [--elf PATH]
                                  [--keep DIR]

Boots build/<arch>/ptlab.elf halted under QEMU's gdb stub (tests/tools/gdb.sh,
GDB_BATCH=1) with ktest.filter=pgtable.demand_fault_zeroed, stops at kmain
(as `make gdb` does), then at ktest_run_all, and lets tests/gdb/session.py run every pt-* command of
tests/gdb/ptlab.py next to the kernel's own answers: nr_free_pages(),
nr_cpus_online, rcu_gp_seq(), rcu_pending_callbacks(), mm_translate(), the
pt_dump() it prints on the console, the console's boot lines, and QEMU's MMU
(a word stored through a user address must show up at the physical address
pt-walk found).  Where ptlab.py walks page tables, it then breaks in
handle_mm_fault, steps with next and finish, and checks the new mapping,
then stops after the test's mm is torn down (tlb_finish_mmu) to compare
pt-rcu with RCU callbacks pending.  Finally the kernel must finish its run
and pass.  Exit status 1 if any
check fails; everything is bounded by --timeout.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# What differs per architecture: the levels a walk goes through, top first,
# and the tests the kernel runs.
FILTER = "pgtable.demand_fault_zeroed"
ARCHES = {
    "x86_64": {"levels": ["pgd", "pud", "pmd", "pte"], "table_entries": 512,
               "filter": FILTER, "huge_direct_map": True},
    # region-second table on top; QEMU 7.2 has no EDAT-1: no 1 MiB leaves
    "s390x": {"levels": ["p4d", "pud", "pmd", "pte"], "table_entries": 256,
              "filter": FILTER, "huge_direct_map": False},
}


class Checks:
    def __init__(self):
        self.n = self.failed = 0

    def __call__(self, cond, what, detail=""):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s%s" % ("ok" if cond else "not ok", self.n, what,
                                "" if cond or not detail else ": " + detail),
              flush=True)
        return cond

    def equal(self, got, want, what):
        return self(got == want, what, "got %r, want %r" % (got, want))


def search(pattern, text, flags=re.M):
    m = re.search(pattern, text or "", flags)
    return m.groups() if m else None


def run_gdb(args, tmp):
    """Boot, run session.py in gdb; returns (gdb output, result, console)."""
    elf = args.elf
    console, result = tmp / "console.log", tmp / "result.json"
    env = dict(os.environ, GDB_BATCH="1", GDB_CONSOLE=str(console),
               QEMU_CPU=args.cpu or "",
               GDB_TIMEOUT=str(args.timeout), PTLAB_GDB_CONSOLE=str(console),
               PTLAB_GDB_OUT=str(result), PTLAB_ROOT=str(args.root),
               GDB_CMDS="source %s" % (REPO / "tests" / "gdb" / "session.py"))
    cmd = [str(REPO / "tests" / "tools" / "gdb.sh"), args.arch, str(elf),
           "kmain", ARCHES[args.arch]["filter"], "", str(args.smp),
           args.mem]
    p = subprocess.Popen(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=args.timeout + 15)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)   # gdb.sh, gdb and QEMU
        out, _ = p.communicate()
        out += "\ntest_gdb: killed after %d s\n" % (args.timeout + 15)
    try:
        res = json.loads(result.read_text())
    except (OSError, ValueError):
        res = None
    try:
        con = console.read_text(errors="replace")
    except OSError:
        con = ""
    return out, res, con


def arch_walks(res):
    return not any(st["name"] == "walk_not_yet" for st in res["steps"])


def check_phase1(ok, res, con, args, steps, vals):
    """Allocator, CPUs and RCU: what the commands say and what the kernel says."""
    ok.equal(res.get("stop0"), "kmain", "gdb stopped at kmain (gdb.sh's breakpoint)")
    ok.equal(res.get("stop1"), "ktest_run_all", "gdb went on to ktest_run_all")
    broken = [s for s in res["steps"]
              if "Python Exception" in s["text"] or "Traceback" in s["text"]]
    ok(not broken, "%d gdb commands ran without a Python error" % len(res["steps"]),
       "; ".join("%s: %s" % (s["cmd"], s["text"][-200:]) for s in broken))

    cpus = steps.get("cpus", "")
    n = search(r"^(\d+) CPUs online \(nr_cpus_online (\d+) ", cpus)
    smp = search(r"^smp: (\d+) of (\d+) CPUs online", con)
    ok(n is not None and smp is not None, "pt-cpus and the console report online CPUs",
       cpus[-300:])
    if n and smp:
        ok.equal(int(n[0]), vals["nr_cpus_online"], "pt-cpus online count = nr_cpus_online")
        ok.equal(int(n[0]), int(smp[0]), "pt-cpus online count = console 'smp: N of M'")
        ok.equal(int(n[0]), args.smp, "pt-cpus online count = -smp")
    rows = re.findall(r"^[ *]\s*\d+\s+\d+\s+yes ", cpus, re.M)
    ok.equal(len(rows), args.smp, "pt-cpus lists one online row per CPU")
    # the IPIs column: "<sent per kind joined by +> / <received ...>"
    ipis = {int(m[0]): (sum(map(int, m[1].split("+"))), sum(map(int, m[2].split("+"))))
            for m in re.findall(r"^[ *]\s*(\d+)\s.*?\s([\d+]+) / ([\d+]+)\s", cpus, re.M)}
    want = {c: (vals.get("ipis_sent_%d" % c), vals.get("ipis_received_%d" % c))
            for c in range(args.smp)}
    ok(ipis == want,
       "pt-cpus IPIs sent/received per CPU = the kernel's cpu_stats()",
       "%r vs %r" % (ipis, want))

    buddy = steps.get("buddy", "")
    free = search(r"^free pages: (\d+) ", buddy)
    ok(free is not None and int(free[0]) == vals["nr_free_pages"],
       "pt-buddy free pages = nr_free_pages()",
       "pt-buddy %s, kernel %r" % (free, vals["nr_free_pages"]))
    ok("buddy check: ok" in buddy, "pt-buddy: lists, counters and sum agree", buddy[-500:])
    summed = search(r"sum of blocks x 2\^order = (\d+) pages: matches nr_free (\d+)", buddy)
    ok(summed is not None and summed[0] == summed[1],
       "pt-buddy: sum of blocks x 2^order = nr_free")
    handed = search(r"handed_over \d+ \((\d+) KiB\)", buddy)
    boot = search(r"^mm: .* (\d+) KiB free", con)
    ok(handed is not None and boot is not None and handed[0] == boot[0],
       "pt-buddy handed_over = console 'mm: ... KiB free'", "%s vs %s" % (handed, boot))

    rcu = steps.get("rcu", "")
    seq = search(r"^rcu: gp_seq (\d+) ", rcu)
    ok(seq is not None and int(seq[0]) == vals["rcu_gp_seq"],
       "pt-rcu gp_seq = rcu_gp_seq()", "%s vs %r" % (seq, vals["rcu_gp_seq"]))
    pend = search(r"^pending callbacks: (\d+)", rcu)
    ok(pend is not None and int(pend[0]) == vals["rcu_pending"],
       "pt-rcu pending callbacks = sum of rcu_pending_callbacks()",
       "%s vs %r" % (pend, vals["rcu_pending"]))

    page = steps.get("page_buddy", "")
    order = vals["max_order"]
    ok(search(r"type buddy \(\d+\), order %d," % order, page) is not None and
       "free block of %d pages" % (1 << order) in page,
       "pt-page of the first order-%d free block: buddy, order %d" % (order, order), page)
    ok(not res["ok_of"]["frag_not_table"] and "not a page-table page (buddy)"
       in steps.get("frag_not_table", ""), "pt-frag refuses a free page",
       steps.get("frag_not_table", ""))


def check_phase2(ok, res, con, arch, steps, vals, la57=False):
    """A demand fault: the walk, the dump, the frames, against the kernel."""
    want_levels = list(ARCHES[arch]["levels"])
    if la57:    # the p4d is a level of its own
        want_levels.insert(1, "p4d")
    ok.equal(res.get("stop2"), "handle_mm_fault", "gdb stopped in handle_mm_fault")
    ok.equal(res.get("stop_next"), "handle_mm_fault", "'next' stays in handle_mm_fault")
    ok(res.get("stop_finish") not in (None, "handle_mm_fault") and
       vals.get("finish_ret") == 0, "'finish' returns 0 from handle_mm_fault",
       "in %s, returned %r" % (res.get("stop_finish"), vals.get("finish_ret")))

    before = steps.get("walk_before", "")
    ok("=> not mapped" in before and "kernel mm_translate: not mapped" in before,
       "before the fault: pt-walk and mm_translate() say not mapped", before)

    after = steps.get("walk_after", "")
    levels = re.findall(r"^  (\w+)\[\s*\d+\]", after, re.M)
    ok.equal(levels, want_levels, "pt-walk goes through every level")
    mine = search(r"^=> pa (0x[0-9a-f]+) .*prot (\S+)\)$", after)
    kern = search(r"^kernel mm_translate: pa (0x[0-9a-f]+) prot (\S+):", after)
    ok(mine is not None and mine == kern, "pt-walk = mm_translate() (pa and prot)",
       "walk %s, kernel %s" % (mine, kern))
    va = vals["va"]
    if mine:
        pa = int(mine[0], 16)
        ok.equal(pa & 0xfff, va & 0xfff, "pt-walk keeps the page offset")
        ok.equal(mine[1], "rw-u", "the fault mapped a user read-write page")
    ok.equal(vals.get("mmu_via_walk"), vals["mmu_marker"],
             "QEMU's MMU: a word stored at the user va is at pt-walk's pa")
    ok.equal(search(r"^=> .*$", steps.get("walk_this_cpu", ""), re.M),
             search(r"^=> .*$", after, re.M),
             "pt-walk $pt_mm() (this CPU's active_mm) = pt-walk $mm")
    ok.equal(vals["active_mm"], vals["mm"], "$pt_this_cpu()->active_mm is the test's mm")

    for name in ("dump_mm", "dump_init_mm", "dump_range"):
        got = steps.get(name, "").rstrip("\n").splitlines()
        want = res["console"].get(name, "").rstrip("\n").splitlines()
        diff = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                    min(len(got), len(want)))
        ok(got == want and len(want) >= 2,
           "%s: pt-dump = the kernel's pt_dump() on the console (%d lines)" % (
               name, len(want)),
           "first difference at line %d:\n  gdb:    %r\n  kernel: %r" % (
               diff, got[diff] if diff < len(got) else None,
               want[diff] if diff < len(want) else None))
    if mine:
        run = "1 x page rw-u -> pa %#x" % (int(mine[0], 16) & ~0xfff)
        ok(run in steps.get("dump_mm", ""), "pt-dump shows the new page", run)
    if ARCHES[arch]["huge_direct_map"]:
        ok(" x huge " in steps.get("dump_init_mm", ""),
           "pt-dump &init_mm shows the direct map's huge pages")

    buddy = steps.get("buddy2", "")
    free = search(r"^free pages: (\d+) ", buddy)
    ok(free is not None and int(free[0]) == vals["nr_free_pages2"] and
       "buddy check: ok" in buddy, "after the fault: pt-buddy = nr_free_pages(), checks ok",
       "%s vs %r" % (free, vals["nr_free_pages2"]))

    table = steps.get("page_pte_table", "")
    used = search(r"(\d+) of (\d+) entries used", table)
    ok("type pgtable" in table and "level pte," in table and
       "mm %#x," % vals["mm"] in table, "pt-page of the pte table: pgtable, level pte, "
       "owned by the mm", table)
    ok(used == ("1", str(ARCHES[arch]["table_entries"])),
       "pt-page: the pte table maps exactly the faulted page", table)
    ok.equal(vals["nr_tables_pte"], 1, "the mm counts one pte table")
    frag = steps.get("frag_pte_table", "")
    ok("nr_tables 1;" in frag and re.search(r"slot \d at pa 0x[0-9a-f]+: 1 of", frag)
       is not None, "pt-frag of the pte table: one table, one entry used", frag)
    data = steps.get("page_data", "")
    ok("type user" in data and "mapcount 1" in data,
       "pt-page of the data page: user, mapcount 1", data)
    cur = search(r"^\*\s*\d+\s+\d+\s+yes\s+(0x[0-9a-f]+) .* (\S+)$",
                 steps.get("cpus2", ""))
    ok(cur is not None and int(cur[0], 16) == vals["mm"] and cur[1] == FILTER,
       "pt-cpus: the selected CPU runs %s with the test's mm" % FILTER,
       steps.get("cpus2", ""))


def check_phase3(ok, res, steps, vals):
    """RCU with work to do: the mm's tables wait for a grace period."""
    ok.equal(res.get("stop3"), "tlb_finish_mmu", "gdb stopped in tlb_finish_mmu")
    rcu = steps.get("rcu3", "")
    seq = search(r"^rcu: gp_seq (\d+) ", rcu)
    pend = search(r"^pending callbacks: (\d+)", rcu)
    ok(seq is not None and int(seq[0]) == vals["rcu_gp_seq3"],
       "after the teardown: pt-rcu gp_seq = rcu_gp_seq()",
       "%s vs %r" % (seq, vals["rcu_gp_seq3"]))
    ok(pend is not None and int(pend[0]) == vals["rcu_pending3"] and
       vals["rcu_pending3"] >= 1,
       "after the teardown: pt-rcu pending callbacks = rcu_pending_callbacks() >= 1",
       "%s vs %r" % (pend, vals["rcu_pending3"]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", default="x86_64", choices=sorted(ARCHES))
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mem", default="128M")
    ap.add_argument("--cpu", help="QEMU CPU model (qemu64,+la57: 5-level paging)")
    ap.add_argument("--timeout", type=int, default=45,
                    help="seconds for gdb and QEMU (default 45)")
    ap.add_argument("--elf", help="kernel to boot (default build/<arch>/ptlab.elf)")
    ap.add_argument("--keep", metavar="DIR", help="keep console, gdb output and results here")
    args = ap.parse_args(argv)

    t0 = time.monotonic()
    args.elf = Path(args.elf or REPO / "build" / args.arch / "ptlab.elf").resolve()
    if not args.elf.exists():
        print("not ok 1 - %s does not exist (make ARCH=%s)" % (args.elf, args.arch))
        return 1
    # the headers ptlab.py reads: those of the tree the ELF was built in
    args.root = args.elf.parents[2]
    if not (args.root / "mm" / "page.h").exists():
        args.root = REPO
    tmp = Path(tempfile.mkdtemp(prefix="ptlab-gdb-"))
    try:
        out, res, con = run_gdb(args, tmp)
        if args.keep:
            keep = Path(args.keep)
            keep.mkdir(parents=True, exist_ok=True)
            for f in tmp.iterdir():
                shutil.copy(f, keep / f.name)
            (keep / "gdb.out").write_text(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ok = Checks()
    if ok(res is not None, "gdb session ran and wrote its results"):
        steps = {s["name"]: s["text"] for s in res["steps"]}
        res["ok_of"] = {s["name"]: s["ok"] for s in res["steps"]}
        vals = res["values"]
        check_phase1(ok, res, con, args, steps, vals)
        ok(arch_walks(res), "ptlab.py walks %s page tables" % args.arch)
        la57 = "la57" in (args.cpu or "")
        if la57:
            ok("5 levels" in con, "the kernel reports 5-level paging")
        check_phase2(ok, res, con, args.arch, steps, vals, la57)
        check_phase3(ok, res, steps, vals)
    ok("# ptlab: end of run: pass" in con, "the kernel finished its run and passed")
    print("test_gdb (%s): %d checks, %d failed (%.1f s)" % (
        args.arch, ok.n, ok.failed, time.monotonic() - t0))
    if ok.failed:
        print("--- gdb output (tail)\n" + "\n".join(out.splitlines()[-30:]))
        print("--- console (tail)\n" + "\n".join(con.splitlines()[-15:]))
    return 1 if ok.failed else 0


if __name__ == "__main__":
    sys.exit(main())

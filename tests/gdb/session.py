# The gdb half of tests/gdb/test_gdb.py: sourced by gdb (after ptlab.py)
# once the kernel stopped at kmain; it goes on to ktest_run_all.  It runs the pt-* commands and
# asks the kernel the same questions (by calling its functions, and by
# having it print pt_dump() on the console), then writes everything to the
# JSON file named by $PTLAB_GDB_OUT for test_gdb.py to compare.  It judges
# nothing itself.  Phases 2 and 3 (a demand fault, then the teardown that
# hands tables to RCU) run where ptlab.py walks page tables; elsewhere it
# records what pt-walk answers ("not yet").  It uses ptlab.py's helpers
# (arch, sym, nelems): gdb sources both into the same namespace.
import contextlib
import json
import os

import gdb


def _ptlab_session():
    out = {"steps": [], "values": {}, "console": {}}
    console = os.environ["PTLAB_GDB_CONSOLE"]

    def save():
        with open(os.environ["PTLAB_GDB_OUT"], "w") as f:
            json.dump(out, f, indent=1)

    def run(name, cmd):
        try:
            text, ok = gdb.execute(cmd, to_string=True), True
        except gdb.error as e:
            text, ok = str(e), False
        out["steps"].append({"name": name, "cmd": cmd, "ok": ok, "text": text})
        save()      # a session that hangs later still tells how far it got
        return text

    @contextlib.contextmanager
    def only_this_vcpu(on=True):
        """Only the selected vCPU runs meanwhile (@on), then as before."""
        lock = gdb.parameter("scheduler-locking")
        if on:
            gdb.execute("set scheduler-locking on")
        try:
            yield
        finally:
            gdb.execute("set scheduler-locking %s" % lock)

    def alone(name, cmd):
        """@cmd with only the selected vCPU resumed.  An all-CPU 'finish'
        on s390x once came back with the target running again (gdb 13,
        QEMU 7.2), and every later command failed; the code it runs here
        waits for no other CPU."""
        with only_this_vcpu():
            return run(name, cmd)

    def value(name, expr, alone=True):
        """A number the kernel gives, on the stopped vCPU alone."""
        with only_this_vcpu(alone):
            try:
                out["values"][name] = int(gdb.parse_and_eval(expr)) & (2**64 - 1)
            except gdb.error as e:
                out["values"][name] = "error: %s" % e
        return out["values"][name]

    def printed(name, cmd):
        """What the kernel prints on its console while gdb runs @cmd."""
        before = os.path.getsize(console)
        run(name + ".call", cmd)
        with open(console, "rb") as f:
            f.seek(before)
            out["console"][name] = f.read().decode(errors="replace")

    def where():
        try:
            return gdb.selected_frame().name()
        except gdb.error:
            return None

    # --- phase 0: stopped at kmain, as `make gdb` does; on to the tests --
    out["arch"] = arch().name
    out["stop0"] = where()
    run("break1", "tbreak ktest_run_all")
    run("continue1", "continue")

    # --- phase 1: allocator, CPUs, RCU (every architecture) -------------
    out["stop1"] = where()
    run("cpus", "pt-cpus")
    value("nr_cpus_online", "nr_cpus_online")
    # each CPU's IPI counters as the kernel's cpu_stats() gives them
    for c in range(out["values"]["nr_cpus_online"]):
        for way in ("sent", "received"):
            value("ipis_%s_%d" % (way, c),
                  "+".join("cpu_stats(%d)->%s[%d]" % (c, way, k)
                           for k in range(int(gdb.parse_and_eval("IPI_NR")))))
    run("buddy", "pt-buddy")
    value("nr_free_pages", "nr_free_pages()")
    run("rcu", "pt-rcu")
    possible = value("nr_cpus_possible", "nr_cpus_possible")
    value("rcu_gp_seq", "rcu_gp_seq()")
    value("rcu_pending", "+".join("rcu_pending_callbacks(%d)" % c
                                  for c in range(possible)))
    # the first free block of the largest order, as the free list has it
    top = nelems(sym("zone", "mm/page_alloc.c")["area"]) - 1
    value("max_order", str(top))
    run("page_buddy", "pt-page (struct page *)((char *)'mm/page_alloc.c'::zone"
        ".area[%d].list.next - (unsigned long)&((struct page *)0)->free)" % top)
    run("frag_not_table", "pt-frag (struct page *)((char *)'mm/page_alloc.c'::"
        "zone.area[%d].list.next - (unsigned long)&((struct page *)0)->free)" % top)

    if not arch().page_tables:
        run("walk_not_yet", "pt-walk &init_mm 0")
        run("dump_not_yet", "pt-dump &init_mm")
    else:
        # --- phase 2: a demand fault in the pgtable suite ---------------
        run("break", "break handle_mm_fault")
        run("continue", "continue")
        out["stop2"] = where()
        run("set_mm", "set $mm = mm")
        run("set_va", "set $va = addr")
        value("va", "$va", alone=False)
        value("mm", "$mm", alone=False)
        run("walk_before", "pt-walk $mm $va -k")
        run("next1", "next")
        run("next2", "next")
        out["stop_next"] = where()
        run("finish", "finish")
        out["stop_finish"] = where()
        value("finish_ret", "$", alone=False)   # finish puts it in history
        run("walk_after", "pt-walk $mm $va -k")
        run("walk_this_cpu", "pt-walk $pt_mm() $va")
        value("active_mm", "$pt_this_cpu()->active_mm", alone=False)
        value("nr_tables_pte", "$mm->nr_tables[PT_PTE]", alone=False)
        # the MMU as oracle: a word stored through the user address (QEMU
        # walks this vCPU's tables) must appear at the pa the walk found
        marker = 0x5074_6c61_625f_6764   # "ptlab_gd"
        page_va = (out["values"]["va"] & ~0xfff) + 0x800
        value("mmu_before", "*(unsigned long *)%#x" % page_va, alone=False)
        run("mmu_write", "set *(unsigned long *)%#x = %#x" % (page_va, marker))
        out["values"]["mmu_marker"] = marker
        out["values"]["mmu_page_va"] = page_va
        walk = [s for s in out["steps"] if s["name"] == "walk_after"][0]["text"]
        for line in walk.splitlines():
            if line.startswith("=> pa "):
                pa = int(line.split()[2], 16)
                dm = arch().phys_to_virt((pa & ~0xfff) + 0x800)
                value("mmu_via_walk", "*(unsigned long *)%#x" % dm, alone=False)
        run("mmu_restore", "set *(unsigned long *)%#x = %#x" %
            (page_va, out["values"]["mmu_before"]))

        run("dump_mm", "pt-dump $mm")
        printed("dump_mm", "call (void)pt_dump($mm, 0, 0)")
        run("dump_init_mm", "pt-dump &init_mm")
        printed("dump_init_mm", "call (void)pt_dump(&init_mm, 0, 0)")
        run("dump_range", "pt-dump $mm $va $va+1")
        printed("dump_range", "call (void)pt_dump($mm, $va, $va + 1)")
        run("buddy2", "pt-buddy")
        value("nr_free_pages2", "nr_free_pages()")
        for line in walk.splitlines():
            if "pte[" in line:      # the pte table and the data page
                tpa = int(line.split(" at pa ")[1].split()[0], 16)
                run("page_pte_table", "pt-page pa %#x" % tpa)
                run("frag_pte_table", "pt-frag pa %#x" % tpa)
                dpa = int(line.rsplit(" at pa ", 1)[1], 16)
                run("page_data", "pt-page pa %#x" % dpa)
        run("cpus2", "pt-cpus")

        # --- phase 3: the mm's teardown hands its tables to RCU ---------
        run("delete2", "delete")
        run("break3", "break tlb_finish_mmu")
        run("continue3", "continue")
        out["stop3"] = where()
        run("delete3", "delete")
        alone("finish3", "finish")
        run("rcu3", "pt-rcu")
        value("rcu_gp_seq3", "rcu_gp_seq()")
        value("rcu_pending3", "+".join("rcu_pending_callbacks(%d)" % c
                                       for c in range(possible)))

    # --- the kernel finishes its run undisturbed -------------------------
    run("delete", "delete")
    run("continue_end", "continue")
    save()


_ptlab_session()

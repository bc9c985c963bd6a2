/*
 * What each architecture provides to the generic kernel.  Inline primitives
 * (atomics, barriers, IRQ flags, this_cpu) live in the asm/ headers; the functions
 * below are implemented in arch/<arch>/.
 */
#ifndef PTLAB_ARCH_H
#define PTLAB_ARCH_H

#include "kernel/compiler.h"
#include <asm/ptrace.h>

struct percpu;

struct boot_info;

extern const char arch_name[];

/*
 * First thing kmain calls, on the boot CPU with interrupts off: set up the
 * console, the per-CPU pointer of the boot CPU and the exception handlers,
 * and fill @bi from what the loader handed over (@magic/@info are the two
 * words the boot entry passes to kmain unchanged).
 */
void arch_early_init(unsigned long magic, unsigned long info,
		     struct boot_info *bi);

/*
 * Between memblock and the memmap: make all of memblock's RAM reachable
 * through phys_to_virt (x86-64 extends its early direct map; s390x runs
 * with DAT off and has nothing to do).
 */
void arch_mm_early_init(void);

/* Write bytes to the hardware console; no locking (printk does it). */
void arch_console_write(const char *s, size_t n);

enum run_status { RUN_PASS = 0, RUN_FAIL = 1, RUN_PANIC = 2 };

/*
 * Stop every other CPU and leave the emulator with @status:
 * x86-64: isa-debug-exit port 0xf4, QEMU exit code (status << 1) | 1;
 * s390x: disabled wait, address 0xfff (pass), 0xbad (fail), 0xdead (panic).
 */
__noreturn void arch_end_run(enum run_status status);

/* Print @regs in the architecture's usual layout, a few lines. */
void arch_dump_regs(const struct pt_regs *regs);

/* Fill @regs with the caller's registers (for panic() outside a trap). */
void arch_save_regs(struct pt_regs *regs);

/*
 * Frame-pointer / back-chain unwinding.  A frame is (fp, ip); next returns
 * false at the end of the chain or when fp leaves the current stack.
 */
struct unwind_frame {
	unsigned long fp;
	unsigned long ip;
};
void arch_unwind_start(const struct pt_regs *regs, struct unwind_frame *f);
bool arch_unwind_next(struct unwind_frame *f);

/* Wait for an interrupt with interrupts enabled (never spin: TCG). */
void arch_cpu_idle(void);

/* --- SMP (kernel/smp.c drives these) --- */

/*
 * The CPUs the machine has: hardware ids (APIC ID / CPU address) into
 * @hw_ids, the boot CPU first; returns how many (at least 1).  A firmware
 * table that does not check out is reported and counts as one CPU.
 */
unsigned arch_smp_detect(unsigned *hw_ids, unsigned max);

/* Start @pc's CPU on a stack ending at @stack_top; it must end up in
 * secondary_cpu_main() with this_cpu() == @pc.  0 or -errno; on an error
 * the CPU must never run with @pc or the stack (they go to the next CPU). */
int arch_cpu_start(struct percpu *pc, unsigned long stack_top);

/* A CPU started but not online in time: stop it for good, so that @pc and
 * its stack can serve the next CPU.  0, or -errno if it may still run. */
int arch_cpu_park(struct percpu *pc);

/* Map a CPU's KSTACK_SIZE stack @pages; returns the base it runs at
 * (default: the pages themselves; x86-64 adds an unmapped guard). */
unsigned long arch_map_stack(unsigned cpu, void *pages);

/* Interrupt @pc's CPU with an IPI of @kind (handled by smp_handle_ipi). */
void arch_send_ipi(const struct percpu *pc, unsigned kind);

/* Start this CPU's periodic tick (TICK_HZ), which calls smp_tick(). */
void arch_tick_start(void);

#define TICK_HZ 100

/* Cycle-ish counter for metrics (TSC / TOD clock), and its rate in Hz. */
uint64_t arch_clock(void);
uint64_t arch_clock_hz(void);

#endif

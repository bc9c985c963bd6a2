/*
 * SMP: bring-up of every CPU the machine has, cross-CPU function calls,
 * and per-CPU workers that tests use to run code on chosen CPUs.
 */
#ifndef PTLAB_SMP_H
#define PTLAB_SMP_H

#include "kernel/cpumask.h"

extern cpumask_t cpu_online_mask;
extern unsigned nr_cpus_online;
extern unsigned nr_cpus_possible;   /* what the machine described */

enum ipi_kind {
	IPI_CALL,   /* run queued cross-CPU calls */
	IPI_WAKE,   /* leave idle and look for work */
	IPI_NR
};

typedef void (*smp_call_fn)(void *arg);

/*
 * Run @fn(@arg) on @cpu (in interrupt context there).  With @wait, return
 * after it ran; otherwise after it was queued.  Calling with interrupts
 * disabled could deadlock (two CPUs waiting for each other): it is
 * reported and refused.  A target that does not answer within the bound
 * is reported by number.  Returns 0, -EINVAL (offline or IRQs off) or
 * -ETIMEDOUT.
 */
int smp_call_function_single(unsigned cpu, smp_call_fn fn, void *arg,
			     bool wait);
/* The same on every CPU of @mask except the caller. */
int smp_call_function_many(const cpumask_t *mask, smp_call_fn fn, void *arg,
			   bool wait);
/* On every online CPU, the caller included (its call runs first). */
int on_each_cpu(smp_call_fn fn, void *arg, bool wait);

/* How long a cross-call or a worker join may take before it is reported. */
#define SMP_CALL_TIMEOUT_MS 2000

/* Count of IPIs by kind, ticks and spurious interrupts, per CPU. */
struct ipi_stats {
	unsigned long sent[IPI_NR];
	unsigned long received[IPI_NR];
	unsigned long calls_run;
	unsigned long ticks;
	unsigned long spurious;   /* x86-64 LAPIC spurious vector (s390x has none) */
};
struct ipi_stats *cpu_stats(unsigned cpu);

/*
 * Bring up the other CPUs (boot CPU, after the page allocator).  One that
 * fails is reported and skipped; the others are still tried.
 */
void smp_init(void);

/* Positions in the firmware's CPU list (0: the boot CPU) of the CPUs that
 * did not come online, and of those smp.fail_start= / smp.stall_start=
 * asked to fail (@stalls_only: the latter only). */
extern cpumask_t cpu_start_failed_mask;
void smp_start_injected(cpumask_t *m, bool stalls_only);
/* The hardware id of the firmware's @i-th CPU. */
unsigned smp_firmware_hw_id(unsigned i);
/* Counted by a CPU stalled by smp.stall_start= until it is parked. */
extern unsigned long smp_stalled_spins;

/* Generic parts of an application processor's life (arch calls these). */
__noreturn void secondary_cpu_main(void);
void smp_handle_ipi(enum ipi_kind kind);
void smp_tick(unsigned long interrupted_ip);

/* Send an IPI and count it. */
void smp_send_ipi(unsigned cpu, enum ipi_kind kind);

/* Clock cycles the boot CPU spent starting the others. */
uint64_t smp_bringup_cycles(void);

/* Milliseconds since boot, from arch_clock (0 before calibration). */
uint64_t uptime_ms(void);
/* Busy-wait (TCG: keep short); for bring-up delays. */
void udelay(unsigned long us);

#endif

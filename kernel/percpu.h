/*
 * Per-CPU state.  Each CPU's area is reached through this_cpu(), which the
 * architecture implements with a register it dedicates to it (x86-64: the
 * GS base; s390x: a pointer in the CPU's lowcore).
 */
#ifndef PTLAB_PERCPU_H
#define PTLAB_PERCPU_H

#include "kernel/compiler.h"
#include "kernel/extable.h"

#define MAX_CPUS 64
#define KSTACK_SIZE 16384   /* every CPU's kernel stack */

struct ktest;
struct smp_cpu;
struct mm;

struct percpu {
	struct percpu *self;     /* x86-64 reads %gs:0: keep first */
	unsigned cpu;            /* logical number, 0 = boot CPU */
	unsigned hw_id;          /* APIC ID / CPU address */
	struct fault_info last_fault;
	struct ktest *cur_test;  /* test case running on this CPU, if any */
	int trap_depth;          /* nested exceptions being handled */
	unsigned long stack_top; /* for the unwinder's bounds check */
	bool online;
	struct mm *active_mm;    /* address space loaded here; NULL: kernel */
	int rcu_nesting;         /* rcu_read_lock() depth */
	bool rcu_qs_wanted;      /* a grace period waits for this CPU */
	struct smp_cpu *smp;     /* kernel/smp.c's per-CPU state */
};

extern struct percpu percpu_areas[MAX_CPUS];

#include <asm/percpu.h>  /* this_cpu() */

static inline unsigned smp_processor_id(void)
{
	return this_cpu()->cpu;
}

#endif

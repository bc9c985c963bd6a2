#include "mm/tlbflush.h"
#include "mm/mm.h"
#include "kernel/cmdline.h"
#include "kernel/smp.h"
#include <asm/barrier.h>

struct tlb_stats tlb_stats;
bool tlb_skip_remote;

KERNEL_PARAM_BOOL("tlb.skip_remote", tlb_skip_remote,
		  "1: never flush other CPUs' TLBs (negative control only)");

struct flush_args {
	struct mm *mm;
	unsigned long start, end;
};

static void flush_remote(void *arg)
{
	const struct flush_args *a = arg;

	arch_flush_tlb_local(a->mm, a->start, a->end);
	__atomic_fetch_add(&tlb_stats.remote_flushes, 1, __ATOMIC_RELAXED);
}

void flush_tlb_mm_range(struct mm *mm, unsigned long start, unsigned long end)
{
	struct flush_args a = { mm, start, end };
	unsigned self = smp_processor_id(), n;
	cpumask_t others;

	__atomic_fetch_add(&tlb_stats.flushes, 1, __ATOMIC_RELAXED);
	arch_flush_tlb_local(mm, start, end);
	/* the cleared entries before the reading of who has the mm loaded:
	 * a CPU that loads it later walks the new tables */
	smp_mb();
	others = mm->cpu_mask;
	cpumask_clear_cpu(&others, self);
	n = cpumask_weight(&others);
	if (!n || tlb_skip_remote || ARCH_TLB_BROADCAST)
		return;
	__atomic_fetch_add(&tlb_stats.shootdowns, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&tlb_stats.ipis, n, __ATOMIC_RELAXED);
	smp_call_function_many(&others, flush_remote, &a, true);
}

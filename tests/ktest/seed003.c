/*
 * Seed 003 ("x86: mm: free page table pages by RCU instead of semi RCU"):
 * mmu_gather frees page tables in batches after a grace period, but when
 * the batch page cannot be allocated it used to free a single table right
 * after an IPI to every CPU.  The IPI waits for walkers that run with
 * interrupts off — not for walkers under rcu_read_lock(), which keep
 * interrupts on.  The fix frees single tables by RCU too.
 *
 * The freeing CPU faults a page in and unmaps it, over and over: its pte
 * table is allocated and freed each time (a neighbouring region keeps the
 * upper levels).  The other CPUs walk to that pte table without locks and
 * hold it for a while.  A freed table is poisoned, so a walker that reads
 * poison read freed memory.
 */
#include "kernel/arch.h"
#include "kernel/rcu.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "mm/mmu_gather.h"
#include "mm/page_alloc.h"
#include "lib/string.h"
#include "tests/ktest/mm_helpers.h"

#define POISON64 (0x0101010101010101ull * PAGE_POISON)
#define RUN_MS 1000
#define CONTROL_MS 8000   /* the negative control stops at its first catch */
#define HOLD_MS 20      /* how long a slow walker lingers */

static struct {
	struct mm *mm;
	unsigned long va;
	bool irqs_off;              /* walkers disable interrupts instead */
	volatile bool stop;
	unsigned long walks, held, uaf, cycles;
} w;

/*
 * One lockless walk to the pte of w.va; true if it read freed memory.
 * A slow walker: once it holds the pte table it waits (bounded) until the
 * table is unhooked and then a little longer, as a walker delayed by an
 * interrupt or a preempted vCPU would — so whether the table is freed
 * under it depends only on the freeing policy, not on luck.
 */
static bool walk_once(void)
{
	pt_entry_t *table = w.mm->pgd, *parent = NULL, seen = 0;
	unsigned level = w.mm->top_level;
	unsigned long flags = 0;
	bool freed = false;

	if (w.irqs_off)
		flags = local_irq_save();
	else
		rcu_read_lock();
	for (;;) {
		pt_entry_t e = READ_ONCE(table[pt_index(level, w.va)]);

		if (e == POISON64) {
			freed = true;
			break;
		}
		if (level == PT_PTE || !pt_entry_is_table(level, e))
			break;
		parent = &table[pt_index(level, w.va)];
		seen = e;
		table = phys_to_virt(pt_entry_pa(level, e));
		level = pt_next_level(level);
		if (level == PT_PTE) {
			uint64_t end = uptime_ms() + HOLD_MS, unhooked = 0;

			__atomic_fetch_add(&w.held, 1, __ATOMIC_RELAXED);
			while (uptime_ms() < end &&
			       READ_ONCE(table[pt_index(level, w.va)]) != POISON64) {
				if (!unhooked && READ_ONCE(*parent) != seen) {
					unhooked = uptime_ms();
					end = unhooked + HOLD_MS;  /* now linger */
				}
				cpu_relax();
			}
		}
	}
	if (w.irqs_off)
		local_irq_restore(flags);
	else
		rcu_read_unlock();
	return freed;
}

static void job(struct ktest *t, void *arg)
{
	unsigned long start = uptime_ms();
	bool stop_early = arg != NULL;   /* negative control: first hit ends */
	unsigned long run_ms = stop_early ? CONTROL_MS : RUN_MS;

	if (smp_processor_id() != t->cpu) {
		while (!READ_ONCE(w.stop)) {
			if (walk_once())
				__atomic_fetch_add(&w.uaf, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&w.walks, 1, __ATOMIC_RELAXED);
		}
		return;
	}
	switch_mm(w.mm);
	while (uptime_ms() - start < run_ms && !(stop_early && READ_ONCE(w.uaf))) {
		if (mm_declare(w.mm, w.va, w.va + PAGE_SIZE, VM_READ | VM_WRITE) ||
		    touch_write(w.va, 1)) {
			KT_FAIL(t, "could not fault the region in");
			break;
		}
		unmap_range(w.mm, w.va, w.va + PAGE_SIZE);
		w.cycles++;
	}
	switch_mm(NULL);
	WRITE_ONCE(w.stop, true);
}

/* Run the scenario with this table-freeing policy; the walkers' verdict. */
static void scenario(struct ktest *t, bool batching, unsigned single_mode,
		     bool irqs_off, bool stop_early)
{
	bool saved_batching = tlb_table_batching;
	unsigned saved_mode = tlb_single_table_mode;

	if (nr_cpus_online < 2)
		ktest_skip(t, "needs a walker on another CPU");
	memset(&w, 0, sizeof(w));
	w.irqs_off = irqs_off;
	w.va = ALIGN_UP(USER_VA_START + (1ul << 40), 1ul << 39) + 0x123000;
	w.mm = mm_create();
	KT_ASSERT(t, w.mm != NULL);
	/* a neighbour under the same pmd table (not the same pte table)
	 * keeps the upper levels alive */
	KT_ASSERT_EQ(t, mm_declare(w.mm, w.va + (4ul << 20), w.va + (4ul << 20) + PAGE_SIZE,
				   VM_READ | VM_WRITE), 0);
	tlb_table_batching = batching;
	tlb_single_table_mode = single_mode;
	ktest_run_on(t, &cpu_online_mask, job, stop_early ? (void *)1 : NULL, 30000);
	tlb_table_batching = saved_batching;
	tlb_single_table_mode = saved_mode;
	mmput(w.mm);
	ktest_printf(t, "%lu cycles, %lu walks, %lu held a pte table, %lu read freed tables",
		     w.cycles, w.walks, w.held, w.uaf);
	KT_EXPECT_GT(t, w.walks, 0ul);
}

static void batched_rcu_free(struct ktest *t)
{
	unsigned long batches = tlb_gather_stats.batches_rcu;

	scenario(t, true, TLB_SINGLE_RCU, false, false);
	KT_EXPECT_EQ(t, w.uaf, 0ul);
	KT_EXPECT_GT(t, tlb_gather_stats.batches_rcu, batches);
}

static void single_table_rcu_free(struct ktest *t)
{
	unsigned long single = tlb_gather_stats.tables_single_rcu;

	scenario(t, false, TLB_SINGLE_RCU, false, false);
	KT_EXPECT_EQ(t, w.uaf, 0ul);
	KT_EXPECT_GT(t, tlb_gather_stats.tables_single_rcu, single);
	ktest_metric(t, "single_rcu_tables", tlb_gather_stats.tables_single_rcu - single, "tables");
}

/* The old way is safe for walkers with interrupts off... */
static void single_table_ipi_free_irqs_off_walker(struct ktest *t)
{
	unsigned long single = tlb_gather_stats.tables_single_ipi;

	scenario(t, false, TLB_SINGLE_IPI, true, false);
	KT_EXPECT_EQ(t, w.uaf, 0ul);
	KT_EXPECT_GT(t, tlb_gather_stats.tables_single_ipi, single);
}

/* ...and not for rcu_read_lock() walkers: the bug the seed fixes.  This is
 * the negative control: the walkers must catch it. */
static void single_table_ipi_free_rcu_walker(struct ktest *t)
{
	scenario(t, false, TLB_SINGLE_IPI, false, true);
	KT_EXPECT_GT(t, w.uaf, 0ul);
}

static const struct ktest_case seed003_cases[] = {
	KTEST_CASE(batched_rcu_free),
	KTEST_CASE(single_table_rcu_free),
	KTEST_CASE(single_table_ipi_free_irqs_off_walker),
	KTEST_CASE(single_table_ipi_free_rcu_walker),
	{ 0 },
};
KTEST_SUITE(seed003_rcu_table_free, seed003_cases);

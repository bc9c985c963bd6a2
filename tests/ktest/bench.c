/*
 * Benchmarks (`make bench`; manual suite `bench`): each case runs design
 * variants one after the other in the same boot and reports counts (IPIs,
 * flushes, tables, pages) and times as ratios between the variants, which
 * survive the emulator's speed.  Nothing here asserts a time.
 */
#include "kernel/arch.h"
#include "kernel/rcu.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "mm/mmu_gather.h"
#include "mm/page_alloc.h"
#include "mm/pt_reclaim.h"
#include "mm/tlbflush.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"
#include "tests/ktest/mm_helpers.h"

#define PTE_SPAN (1ul << pt_level_shift(PT_PMD))

static unsigned long bench_base(void)
{
	return ALIGN_UP(USER_VA_START + (1ul << 43), 1ul << 39);
}

static void metric(struct ktest *t, const char *fmt, const char *variant,
		   uint64_t value, const char *unit)
{
	char name[64];

	snprintf(name, sizeof(name), fmt, variant);
	ktest_metric(t, name, value, unit);
}

/* Fault a pte table's worth in and MADV_DONTNEED it, @rounds times. */
static uint64_t fault_dontneed_rounds(struct ktest *t, struct mm *mm,
				      unsigned rounds, unsigned pages)
{
	unsigned long base = bench_base();
	uint64_t t0 = arch_clock();

	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < pages; i++)
			touch_write(base + i * PAGE_SIZE, i);
		madvise_dontneed(mm, base, base + pages * PAGE_SIZE);
		/* the freed table comes back after a grace period: wait for it,
		 * as a steady workload would have had time to */
		rcu_barrier();
	}
	return arch_clock() - t0;
}

/* Seed 000: the per-CPU cache of page-table pages against none. */
static void table_cache(struct ktest *t)
{
	const unsigned rounds = 100;
	bool saved = pt_cache_enabled;
	uint64_t cyc[2];
	struct mm *mm = test_mm_start(t);

	KT_ASSERT_EQ(t, mm_declare(mm, bench_base(), bench_base() + PTE_SPAN,
				   VM_READ | VM_WRITE), 0);
	for (int on = 1; on >= 0; on--) {
		unsigned long hits = pt_cache_hits, misses = pt_cache_misses;

		pt_cache_enabled = on;
		pt_cache_drain();
		cyc[on] = fault_dontneed_rounds(t, mm, rounds, 8);
		metric(t, "cache_%s_hits", on ? "on" : "off", pt_cache_hits - hits, "tables");
		metric(t, "cache_%s_buddy_allocs", on ? "on" : "off",
		       pt_cache_misses - misses, "tables");
	}
	pt_cache_enabled = saved;
	ktest_metric_ratio(t, "cache_off_vs_on_time", cyc[0], cyc[1], "x");
	test_mm_end(mm);
}

/* Per-CPU page lists against the zone lock alone. */
static void page_lists(struct ktest *t)
{
	const unsigned n = 20000;
	bool saved = pcp_enabled;
	uint64_t cyc[2];

	for (int on = 1; on >= 0; on--) {
		uint64_t t0;

		pcp_enabled = on;
		t0 = arch_clock();
		for (unsigned i = 0; i < n; i++)
			__free_pages(alloc_pages(GFP_NOFAULT, 0), 0);
		cyc[on] = arch_clock() - t0;
	}
	pcp_enabled = saved;
	drain_all_pages();
	ktest_metric_ratio(t, "pcp_off_vs_on_time", cyc[0], cyc[1], "x");
}

/* mmu_gather: one shootdown per batch against one per page. */
static struct {
	struct mm *mm;
	volatile unsigned loaded;
	volatile bool done;
	uint64_t cyc[2];
	unsigned long ipis[2], flushes[2];
} sh;

static void shootdown_job(struct ktest *t, void *arg)
{
	unsigned long base = bench_base();
	const unsigned pages = 256;

	if (smp_processor_id() != t->cpu) {
		switch_mm(sh.mm);
		__atomic_fetch_add(&sh.loaded, 1, __ATOMIC_RELAXED);
		KT_WAIT_UNTIL(t, sh.done, 60000);
		switch_mm(NULL);
		return;
	}
	if (!KT_WAIT_UNTIL(t, sh.loaded == nr_cpus_online - 1, 60000)) {
		sh.done = true;
		return;
	}
	switch_mm(sh.mm);
	for (int batched = 1; batched >= 0; batched--) {
		unsigned long ipis = tlb_stats.ipis, flushes = tlb_stats.flushes;
		uint64_t t0;

		for (unsigned i = 0; i < pages; i++)
			touch_write(base + i * PAGE_SIZE, i);
		tlb_batch_pages_limit = batched ? 0 : 1;
		t0 = arch_clock();
		zap_range(sh.mm, base, base + pages * PAGE_SIZE);
		sh.cyc[batched] = arch_clock() - t0;
		tlb_batch_pages_limit = 0;
		sh.ipis[batched] = tlb_stats.ipis - ipis;
		sh.flushes[batched] = tlb_stats.flushes - flushes;
	}
	switch_mm(NULL);
	sh.done = true;
}

static void shootdown_batching(struct ktest *t)
{
	unsigned long base = bench_base();

	memset(&sh, 0, sizeof(sh));
	sh.mm = mm_create();
	KT_ASSERT(t, sh.mm != NULL);
	KT_ASSERT_EQ(t, mm_declare(sh.mm, base, base + 256 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	ktest_run_on(t, &cpu_online_mask, shootdown_job, NULL, 60000);
	mmput(sh.mm);
	metric(t, "zap256_%s_ipis", "batched", sh.ipis[1], "ipis");
	metric(t, "zap256_%s_ipis", "per_page", sh.ipis[0], "ipis");
	metric(t, "zap256_%s_flushes", "batched", sh.flushes[1], "flushes");
	metric(t, "zap256_%s_flushes", "per_page", sh.flushes[0], "flushes");
	ktest_metric_ratio(t, "zap256_per_page_vs_batched_time", sh.cyc[0], sh.cyc[1], "x");
}

/* How freed tables wait: batched RCU, one by one by RCU, one by one by IPI. */
static void table_free_policy(struct ktest *t)
{
	static const struct { const char *name; bool batch; unsigned single; } v[] = {
		{ "batch_rcu", true, TLB_SINGLE_RCU },
		{ "single_rcu", false, TLB_SINGLE_RCU },
		{ "single_ipi", false, TLB_SINGLE_IPI },
	};
	bool saved_batch = tlb_table_batching;
	unsigned saved_single = tlb_single_table_mode;
	unsigned long base = bench_base();
	const unsigned rounds = 100;
	uint64_t cyc[3];
	struct mm *mm = test_mm_start(t);

	for (unsigned k = 0; k < ARRAY_SIZE(v); k++) {
		unsigned long ipis = cpu_stats(t->cpu)->sent[IPI_CALL];
		unsigned long gps = rcu_stats.gps_completed;
		uint64_t t0;

		tlb_table_batching = v[k].batch;
		tlb_single_table_mode = v[k].single;
		t0 = arch_clock();
		for (unsigned r = 0; r < rounds; r++) {
			/* four pte tables under one pmd table each round */
			mm_declare(mm, base, base + 4 * PTE_SPAN, VM_READ | VM_WRITE);
			for (unsigned i = 0; i < 4; i++)
				touch_write(base + i * PTE_SPAN, i);
			unmap_range(mm, base, base + 4 * PTE_SPAN);
		}
		cyc[k] = arch_clock() - t0;
		rcu_barrier();
		metric(t, "free_%s_ipis", v[k].name, cpu_stats(t->cpu)->sent[IPI_CALL] - ipis, "ipis");
		metric(t, "free_%s_grace_periods", v[k].name, rcu_stats.gps_completed - gps, "gps");
	}
	tlb_table_batching = saved_batch;
	tlb_single_table_mode = saved_single;
	ktest_metric_ratio(t, "free_single_rcu_vs_batch_time", cyc[1], cyc[0], "x");
	ktest_metric_ratio(t, "free_single_ipi_vs_batch_time", cyc[2], cyc[0], "x");
	test_mm_end(mm);
}

/*
 * Seed 002: what reclaiming empty tables saves, and costs — kept, pte
 * tables only (found empty by reading them, or by their count of used
 * entries), or every level.  A sparse heap: one page in each of 32 pte
 * tables, spread over 4 pmd tables.
 */
static void pte_reclaim(struct ktest *t)
{
	static const char *const variant[] = { "off", "pte", "all_levels", "pte_count" };
	bool saved = pt_reclaim_enabled, saved_all = pt_reclaim_all_levels;
	bool saved_count = pt_reclaim_count;
	unsigned long base = bench_base(), pmd_span = 1ul << pt_level_shift(PT_PUD);
	const unsigned pmds = 4, per_pmd = 8;
	uint64_t cyc[4];
	struct mm *mm = test_mm_start(t);
	long empty[PT_NR_LEVELS];

	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		empty[l] = mm->nr_tables[l];
	KT_ASSERT_EQ(t, mm_declare(mm, base, base + pmds * pmd_span, VM_READ | VM_WRITE), 0);
	for (unsigned v = 0; v < 4; v++) {
		uint64_t t0, bytes_left = 0, read = pt_reclaim_entries_read;

		pt_reclaim_enabled = v > 0;
		pt_reclaim_all_levels = v == 2;
		pt_reclaim_count = v == 3;
		for (unsigned p = 0; p < pmds; p++)
			for (unsigned i = 0; i < per_pmd; i++)
				touch_write(base + p * pmd_span + i * PTE_SPAN, i);
		t0 = arch_clock();
		madvise_dontneed(mm, base, base + pmds * pmd_span);
		cyc[v] = arch_clock() - t0;
		for (unsigned l = 0; l < PT_NR_LEVELS; l++)
			bytes_left += (uint64_t)(mm->nr_tables[l] - empty[l]) * pt_table_bytes(l);
		metric(t, "reclaim_%s_table_bytes_left", variant[v], bytes_left, "bytes");
		metric(t, "reclaim_%s_entries_read", variant[v],
		       pt_reclaim_entries_read - read, "entries");
	}
	pt_reclaim_enabled = saved;
	pt_reclaim_all_levels = saved_all;
	pt_reclaim_count = saved_count;
	ktest_metric_ratio(t, "reclaim_pte_vs_off_time", cyc[1], cyc[0], "x");
	ktest_metric_ratio(t, "reclaim_all_levels_vs_off_time", cyc[2], cyc[0], "x");
	ktest_metric_ratio(t, "reclaim_count_vs_scan_time", cyc[3], cyc[1], "x");
	test_mm_end(mm);
}

static const struct ktest_case bench_cases[] = {
	KTEST_CASE(table_cache),
	KTEST_CASE(page_lists),
	KTEST_CASE(shootdown_batching),
	KTEST_CASE(table_free_policy),
	KTEST_CASE(pte_reclaim),
	{ 0 },
};
KTEST_SUITE_FLAGS(bench, bench_cases, KTEST_MANUAL);

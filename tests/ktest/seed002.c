/*
 * Seed 002 ("Free user PTE page table pages"): after MADV_DONTNEED-like
 * zaps, empty pte tables are freed — with the mmap lock only read-held,
 * so faults on other CPUs may be filling the very table being freed.
 */
#include "kernel/arch.h"
#include "kernel/rcu.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "mm/pt_reclaim.h"
#include "mm/page_alloc.h"
#include "lib/string.h"
#include "tests/ktest/mm_helpers.h"

#define PTE_SPAN (1ul << pt_level_shift(PT_PMD))   /* what one pte table maps */

static unsigned long region(void)
{
	return ALIGN_UP(USER_VA_START + (1ul << 41), 1ul << 39);
}

static void dontneed_frees_empty_tables(struct ktest *t)
{
	unsigned long base = region(), reclaimed = pt_reclaimed_tables;
	struct mm *mm = test_mm_start(t);
	long pmds;

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 8 * PTE_SPAN, VM_READ | VM_WRITE), 0);
	for (unsigned i = 0; i < 8; i++)
		for (unsigned k = 0; k < 3; k++)
			KT_EXPECT_EQ(t, touch_write(base + i * PTE_SPAN + k * 7 * PAGE_SIZE, i), 0);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 8);
	pmds = mm->nr_tables[PT_PMD];
	madvise_dontneed(mm, base, base + 8 * PTE_SPAN);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 0);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PMD], pmds);     /* only pte tables */
	KT_EXPECT_EQ(t, mm->rss, 0ul);
	KT_EXPECT_EQ(t, pt_reclaimed_tables - reclaimed, 8ul);
	/* the region is still there: a fault brings a table back */
	KT_EXPECT_EQ(t, touch_write(base + 5 * PTE_SPAN, 1), 0);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 1);
	ktest_metric(t, "bytes_freed_8_tables", 8 * pt_table_bytes(PT_PTE), "bytes");
	test_mm_end(mm);
}

static void partly_used_table_kept(struct ktest *t)
{
	unsigned long base = region();
	struct mm *mm = test_mm_start(t);
	uint64_t v = 0;

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + PTE_SPAN, VM_READ | VM_WRITE), 0);
	KT_EXPECT_EQ(t, touch_write(base, 11), 0);
	KT_EXPECT_EQ(t, touch_write(base + PTE_SPAN / 2, 22), 0);
	madvise_dontneed(mm, base, base + PTE_SPAN / 2);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 1);
	KT_EXPECT_EQ(t, touch_read(base + PTE_SPAN / 2, &v), 0);
	KT_EXPECT_EQ(t, v, 22ull);                       /* untouched half */
	test_mm_end(mm);
}

static void reclaim_off_keeps_tables(struct ktest *t)
{
	unsigned long base = region();
	struct mm *mm = test_mm_start(t);

	pt_reclaim_enabled = false;
	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 2 * PTE_SPAN, VM_READ | VM_WRITE), 0);
	KT_EXPECT_EQ(t, touch_write(base, 1), 0);
	KT_EXPECT_EQ(t, touch_write(base + PTE_SPAN, 1), 0);
	madvise_dontneed(mm, base, base + 2 * PTE_SPAN);
	pt_reclaim_enabled = true;
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 2);
	KT_EXPECT_EQ(t, mm->rss, 0ul);
	test_mm_end(mm);
}

/*
 * The race: CPUs fault random pages in, one CPU keeps zapping random
 * ranges with reclaim, and a walker reads the tables locklessly.  A fault
 * that wrote into a table being freed would leave a mapping behind in a
 * freed table: reported as "non-empty table freed" and as a leaked page.
 */
#define RACE_TABLES 8
#define RACE_MS 1500

static struct {
	struct mm *mm;
	unsigned long base;
	volatile bool stop;
	unsigned long touches, zaps, odd_values, walks, uaf;
} r;

static bool walk_uaf(unsigned long va)
{
	pt_entry_t *table = r.mm->pgd;
	unsigned level = r.mm->top_level;
	bool bad = false;

	rcu_read_lock();
	for (;;) {
		pt_entry_t e = READ_ONCE(table[pt_index(level, va)]);

		if (e == 0x0101010101010101ull * PAGE_POISON) {
			bad = true;
			break;
		}
		if (level == PT_PTE || !pt_entry_is_table(level, e))
			break;
		table = phys_to_virt(pt_entry_pa(level, e));
		level = pt_next_level(level);
	}
	rcu_read_unlock();
	return bad;
}

static void race_job(struct ktest *t, void *arg)
{
	unsigned cpu = smp_processor_id();
	uint64_t end = uptime_ms() + RACE_MS;
	struct rand_state rng;

	rand_seed(&rng, t->seed + cpu);
	if (cpu == t->cpu) {                 /* the zapper */
		while (uptime_ms() < end) {
			unsigned long a = r.base + rand_below(&rng, RACE_TABLES * PTE_SPAN / PAGE_SIZE) * PAGE_SIZE;
			unsigned long len = (1 + rand_below(&rng, 1024)) * PAGE_SIZE;

			madvise_dontneed(r.mm, a, MIN(a + len, r.base + RACE_TABLES * PTE_SPAN));
			r.zaps++;
		}
		WRITE_ONCE(r.stop, true);
		return;
	}
	if (cpu == (t->cpu + 1) % nr_cpus_online && nr_cpus_online > 2) {   /* a walker */
		while (!READ_ONCE(r.stop)) {
			unsigned long va = r.base + rand_below(&rng, RACE_TABLES * PTE_SPAN);

			if (walk_uaf(va))
				__atomic_fetch_add(&r.uaf, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&r.walks, 1, __ATOMIC_RELAXED);
		}
		return;
	}
	switch_mm(r.mm);                    /* faulting CPUs */
	while (!READ_ONCE(r.stop)) {
		unsigned long va = r.base + rand_below(&rng, RACE_TABLES * PTE_SPAN / PAGE_SIZE) * PAGE_SIZE;
		uint64_t mark = ((uint64_t)cpu << 56) | va, v = 0;

		if (touch_write(va + 8 * cpu, mark) || touch_read(va + 8 * cpu, &v)) {
			KT_FAIL(t, "CPU %u: fault at %#lx failed", cpu, va);
			break;
		}
		/* a zap in between gives a fresh zero page; nothing else is right */
		if (v != mark && v != 0)
			__atomic_fetch_add(&r.odd_values, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r.touches, 1, __ATOMIC_RELAXED);
	}
	switch_mm(NULL);
}

static void reclaim_races_faults(struct ktest *t)
{
	unsigned long retries = mm_fault_retries, reclaimed = pt_reclaimed_tables;
	unsigned long nonempty = pt_free_nonempty_reports;

	if (nr_cpus_online < 2)
		ktest_skip(t, "needs a faulting CPU besides the zapper");
	memset(&r, 0, sizeof(r));
	r.base = region();
	r.mm = mm_create();
	KT_ASSERT(t, r.mm != NULL);
	KT_ASSERT_EQ(t, mm_declare(r.mm, r.base, r.base + RACE_TABLES * PTE_SPAN,
				   VM_READ | VM_WRITE), 0);
	ktest_run_on(t, &cpu_online_mask, race_job, NULL, RACE_MS + 30000);
	madvise_dontneed(r.mm, r.base, r.base + RACE_TABLES * PTE_SPAN);
	KT_EXPECT_EQ(t, r.mm->nr_tables[PT_PTE], 0);    /* all empty, all gone */
	KT_EXPECT_EQ(t, r.mm->rss, 0ul);
	mmput(r.mm);
	ktest_printf(t, "%lu touches, %lu zaps, %lu tables reclaimed, %lu faults retried, %lu walks",
		     r.touches, r.zaps, pt_reclaimed_tables - reclaimed,
		     mm_fault_retries - retries, r.walks);
	KT_EXPECT_GT(t, r.touches, 0ul);
	KT_EXPECT_GT(t, pt_reclaimed_tables - reclaimed, 0ul);
	KT_EXPECT_EQ(t, r.odd_values, 0ul);
	KT_EXPECT_EQ(t, r.uaf, 0ul);
	KT_EXPECT_EQ(t, pt_free_nonempty_reports, nonempty);
	ktest_metric(t, "fault_retries", mm_fault_retries - retries, "retries");
}

static const struct ktest_case seed002_cases[] = {
	KTEST_CASE(dontneed_frees_empty_tables),
	KTEST_CASE(partly_used_table_kept),
	KTEST_CASE(reclaim_off_keeps_tables),
	KTEST_CASE(reclaim_races_faults),
	{ 0 },
};
KTEST_SUITE(seed002_pte_reclaim, seed002_cases);

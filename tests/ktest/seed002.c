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
#include "lib/vsnprintf.h"
#include "tests/ktest/mm_helpers.h"

#define PTE_SPAN (1ul << pt_level_shift(PT_PMD))   /* what one pte table maps */
#define PMD_SPAN (1ul << pt_level_shift(PT_PUD))   /* what one pmd table maps */

static unsigned long region(void)
{
	return ALIGN_UP(USER_VA_START + (1ul << 41), 1ul << 39);
}

static void dontneed_frees_empty_tables(struct ktest *t)
{
	unsigned long base = region(), reclaimed = pt_reclaimed[PT_PTE];
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
	KT_EXPECT_EQ(t, pt_reclaimed[PT_PTE] - reclaimed, 8ul);
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
 * pt_reclaim.all_levels=1: once its pte tables are gone, an empty pmd
 * table goes too, and so on up; what still maps something stays.
 */
static void all_levels_frees_upper_tables(struct ktest *t)
{
	unsigned long base = region(), pmd_freed = pt_reclaimed[PT_PMD];
	bool saved = pt_reclaim_all_levels;
	struct mm *mm = test_mm_start(t);
	long before[PT_NR_LEVELS];
	uint64_t v = 0;

	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		before[l] = mm->nr_tables[l];
	pt_reclaim_all_levels = true;
	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 2 * PMD_SPAN, VM_READ | VM_WRITE), 0);
	for (unsigned p = 0; p < 2; p++)
		for (unsigned i = 0; i < 3; i++)
			KT_EXPECT_EQ(t, touch_write(base + p * PMD_SPAN + i * PTE_SPAN, p * 3 + i), 0);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PMD] - before[PT_PMD], 2);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 6);

	/* the first pmd table empties; the second keeps one pte table */
	madvise_dontneed(mm, base, base + PMD_SPAN + 2 * PTE_SPAN);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 1);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PMD] - before[PT_PMD], 1);
	KT_EXPECT_EQ(t, pt_reclaimed[PT_PMD] - pmd_freed, 1ul);
	KT_EXPECT_EQ(t, touch_read(base + PMD_SPAN + 2 * PTE_SPAN, &v), 0);
	KT_EXPECT_EQ(t, v, 5ull);

	/* all of it: every table the region needed is gone */
	madvise_dontneed(mm, base, base + 2 * PMD_SPAN);
	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		KT_EXPECT_EQ(t, mm->nr_tables[l], before[l]);
	KT_EXPECT_EQ(t, pt_reclaimed[PT_PMD] - pmd_freed, 2ul);
	KT_EXPECT_EQ(t, mm->rss, 0ul);

	/* and a fault builds the path again */
	KT_EXPECT_EQ(t, touch_write(base + PMD_SPAN, 7), 0);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PMD] - before[PT_PMD], 1);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 1);
	pt_reclaim_all_levels = saved;
	test_mm_end(mm);
}

/*
 * pt_reclaim.detect=count: the zap trusts each pte table's count of used
 * entries instead of reading them, so the count must be exact after every
 * fault, map and zap.  Random ones on one CPU, every table checked after
 * each.
 */
static unsigned used_entries(const pt_entry_t *table)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pt_level_entries(PT_PTE); i++)
		n += !pt_entry_is_none(PT_PTE, table[i]);
	return n;
}

static void count_matches_entries(struct ktest *t)
{
	const unsigned tables = 4, steps = 300;
	unsigned long base = region(), freed = pt_reclaimed[PT_PTE];
	unsigned long read = pt_reclaim_entries_read;
	bool saved = pt_reclaim_count;
	struct mm *mm = test_mm_start(t);
	struct rand_state rng;
	unsigned mismatches = 0;

	rand_seed(&rng, t->seed);
	pt_reclaim_count = true;
	KT_ASSERT_EQ(t, mm_declare(mm, base, base + tables * PTE_SPAN, VM_READ | VM_WRITE), 0);
	for (unsigned s = 0; s < steps && !mismatches; s++) {
		unsigned long va = base + rand_below(&rng, tables * PTE_SPAN / PAGE_SIZE) * PAGE_SIZE;

		if (rand_below(&rng, 3)) {
			KT_EXPECT_EQ(t, touch_write(va, s), 0);
		} else {
			unsigned long len = (1 + rand_below(&rng, 64)) * PAGE_SIZE;

			madvise_dontneed(mm, va, MIN(va + len, base + tables * PTE_SPAN));
		}
		for (unsigned i = 0; i < tables; i++) {
			unsigned level;
			pt_entry_t e = READ_ONCE(*pt_walk(mm, base + i * PTE_SPAN, PT_PMD, &level));
			const pt_entry_t *table;

			if (level != PT_PMD || !pt_entry_is_table(PT_PMD, e))
				continue;
			table = phys_to_virt(pt_entry_pa(PT_PMD, e));
			if (*pte_used_count(table) != used_entries(table)) {
				KT_FAIL(t, "step %u: table %u counts %u entries, holds %u", s, i,
					*pte_used_count(table), used_entries(table));
				mismatches++;
			}
		}
	}
	madvise_dontneed(mm, base, base + tables * PTE_SPAN);
	pt_reclaim_count = saved;
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 0);
	KT_EXPECT_GT(t, pt_reclaimed[PT_PTE] - freed, 0ul);
	KT_EXPECT_EQ(t, pt_reclaim_entries_read, read);   /* nothing scanned */
	test_mm_end(mm);
}

/*
 * The race: CPUs fault random pages in, one CPU keeps zapping random
 * ranges with reclaim, and a walker reads the tables locklessly.  A fault
 * that wrote into a table being freed would leave a mapping behind in a
 * freed table: reported as "non-empty table freed" and as a leaked page.
 * The address space is @windows windows of @window_len bytes, @stride
 * apart: one window of eight pte tables races on a pte table's life; four
 * windows in four pmd tables, with whole windows zapped now and then, race
 * on a pmd table's (pt_reclaim.all_levels=1).
 */
#define RACE_MS 1500
#define RACE_MAX_WINDOWS 4

static struct {
	struct mm *mm;
	unsigned long base, stride, window_len;
	unsigned windows;
	volatile bool stop;
	unsigned long touches, zaps, odd_values, walks, uaf;
} r;

static unsigned long race_page(struct rand_state *rng)
{
	return r.base + rand_below(rng, r.windows) * r.stride +
	       rand_below(rng, r.window_len / PAGE_SIZE) * PAGE_SIZE;
}

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

static void race_zapper(struct rand_state *rng)
{
	uint64_t end = uptime_ms() + RACE_MS;

	while (uptime_ms() < end) {
		unsigned long a = race_page(rng);
		unsigned long window = ALIGN_DOWN(a - r.base, r.stride) + r.base;
		unsigned long len = (1 + rand_below(rng, 1024)) * PAGE_SIZE;

		if (r.windows > 1 && rand_below(rng, 8) == 0) {
			a = window;   /* the whole window: its pmd table may go */
			len = r.window_len;
		}
		madvise_dontneed(r.mm, a, MIN(a + len, window + r.window_len));
		r.zaps++;
	}
	WRITE_ONCE(r.stop, true);
}

static void race_job(struct ktest *t, void *arg)
{
	unsigned cpu = smp_processor_id();
	struct rand_state rng;

	rand_seed(&rng, t->seed + cpu);
	if (cpu == t->cpu) {
		race_zapper(&rng);
		return;
	}
	if (cpu == (t->cpu + 1) % nr_cpus_online && nr_cpus_online > 2) {   /* a walker */
		while (!READ_ONCE(r.stop)) {
			unsigned long va = race_page(&rng) + rand_below(&rng, PAGE_SIZE);

			if (walk_uaf(va))
				__atomic_fetch_add(&r.uaf, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&r.walks, 1, __ATOMIC_RELAXED);
		}
		return;
	}
	switch_mm(r.mm);                    /* faulting CPUs */
	while (!READ_ONCE(r.stop)) {
		unsigned long va = race_page(&rng);
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

#define RACE_ALL_LEVELS 1u   /* pt_reclaim.all_levels=1 */
#define RACE_COUNT      2u   /* pt_reclaim.detect=count */

static void race(struct ktest *t, unsigned windows, unsigned long stride,
		 unsigned long window_len, unsigned flags)
{
	bool all_levels = flags & RACE_ALL_LEVELS;
	bool saved_count = pt_reclaim_count;
	const char *tag = all_levels ? "all_levels" : flags & RACE_COUNT ? "count" : "pte";
	unsigned long retries = mm_fault_retries, nonempty = pt_free_nonempty_reports;
	unsigned long freed[PT_NR_LEVELS];
	bool saved = pt_reclaim_all_levels;
	long before[PT_NR_LEVELS];
	char name[48];

	if (nr_cpus_online < 2)
		ktest_skip(t, "needs a faulting CPU besides the zapper");
	memset(&r, 0, sizeof(r));
	r.base = region();
	r.windows = windows;
	r.stride = stride;
	r.window_len = window_len;
	r.mm = mm_create();
	KT_ASSERT(t, r.mm != NULL);
	for (unsigned w = 0; w < windows; w++)
		KT_ASSERT_EQ(t, mm_declare(r.mm, r.base + w * stride,
					   r.base + w * stride + window_len,
					   VM_READ | VM_WRITE), 0);
	for (unsigned l = 0; l < PT_NR_LEVELS; l++) {
		before[l] = r.mm->nr_tables[l];
		freed[l] = pt_reclaimed[l];
	}
	pt_reclaim_all_levels = all_levels;
	pt_reclaim_count = flags & RACE_COUNT;
	ktest_run_on(t, &cpu_online_mask, race_job, NULL, RACE_MS + 30000);
	for (unsigned l = 0; l < PT_NR_LEVELS; l++)   /* during the race */
		freed[l] = pt_reclaimed[l] - freed[l];
	for (unsigned w = 0; w < windows; w++)
		madvise_dontneed(r.mm, r.base + w * stride, r.base + w * stride + window_len);
	pt_reclaim_all_levels = saved;
	pt_reclaim_count = saved_count;
	/* all empty, all gone: down to the tables the mm started with */
	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		if (l == PT_PTE || all_levels)
			KT_EXPECT_EQ(t, r.mm->nr_tables[l], before[l]);
	KT_EXPECT_EQ(t, r.mm->rss, 0ul);
	mmput(r.mm);
	/* how much of a race there was depends on the emulator's pace: the
	 * counts are reported, correctness is what is checked */
	ktest_printf(t, "during the race: %lu touches, %lu zaps, %lu pte and %lu pmd "
		     "tables reclaimed, %lu faults retried, %lu walks", r.touches,
		     r.zaps, freed[PT_PTE], freed[PT_PMD],
		     mm_fault_retries - retries, r.walks);
	KT_EXPECT_GT(t, r.touches, 0ul);
	KT_EXPECT_GT(t, r.zaps, 0ul);
	KT_EXPECT_EQ(t, r.odd_values, 0ul);
	KT_EXPECT_EQ(t, r.uaf, 0ul);
	KT_EXPECT_EQ(t, pt_free_nonempty_reports, nonempty);
	snprintf(name, sizeof(name), "%s_fault_retries", tag);
	ktest_metric(t, name, mm_fault_retries - retries, "retries");
	snprintf(name, sizeof(name), "%s_tables_reclaimed_in_race", tag);
	ktest_metric(t, name, freed[PT_PTE] + freed[PT_PMD], "tables");
}

static void reclaim_races_faults(struct ktest *t)
{
	race(t, 1, 8 * PTE_SPAN, 8 * PTE_SPAN, 0);
}

static void count_races_faults(struct ktest *t)
{
	race(t, 1, 8 * PTE_SPAN, 8 * PTE_SPAN, RACE_COUNT);
}

static void all_levels_races_faults(struct ktest *t)
{
	race(t, RACE_MAX_WINDOWS, PMD_SPAN, 2 * PTE_SPAN, RACE_ALL_LEVELS);
}

static const struct ktest_case seed002_cases[] = {
	KTEST_CASE(dontneed_frees_empty_tables),
	KTEST_CASE(partly_used_table_kept),
	KTEST_CASE(reclaim_off_keeps_tables),
	KTEST_CASE(reclaim_races_faults),
	KTEST_CASE(count_matches_entries),
	KTEST_CASE(count_races_faults),
	KTEST_CASE(all_levels_frees_upper_tables),
	KTEST_CASE(all_levels_races_faults),
	{ 0 },
};
KTEST_SUITE(seed002_pte_reclaim, seed002_cases);

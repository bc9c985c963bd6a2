/* Page tables: levels, counting, faults, zap/unmap, misuse, W^X. */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "mm/page_alloc.h"
#include "mm/fault_inject.h"
#include "mm/slab.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "tests/ktest/mm_helpers.h"
#include "tests/ktest/wx.h"

/* An address in user space aligned to @span, clear of the bottom. */
static unsigned long boundary(unsigned long span)
{
	return ALIGN_UP(USER_VA_START + 2 * span, span);
}

/* Pages on both sides of every level's boundary, and the top of user space. */
static void level_boundaries(struct ktest *t)
{
	unsigned long addrs[2 * PT_NR_LEVELS + 2];
	unsigned n = 0;
	long want[PT_NR_LEVELS];
	struct mm *mm = test_mm_start(t);

	/* the span of one entry at each level a walk may visit, pmd and up
	 * (from the top the MMU can have: s390x grows to it at 8 PiB) */
	for (unsigned l = PT_PGD; l != PT_PTE; l = pt_next_level(l)) {
		unsigned long b = boundary(1ul << pt_level_shift(l));

		/* every boundary fits in user space on both MMUs */
		KT_ASSERT(t, b - PAGE_SIZE >= USER_VA_START && b + PAGE_SIZE <= USER_VA_END);
		KT_ASSERT_EQ(t, mm_declare(mm, b - PAGE_SIZE, b + PAGE_SIZE, VM_READ | VM_WRITE), 0);
		addrs[n++] = b - PAGE_SIZE;
		addrs[n++] = b;
	}
	KT_ASSERT_EQ(t, mm_declare(mm, USER_VA_END - PAGE_SIZE, USER_VA_END, VM_READ | VM_WRITE), 0);
	addrs[n++] = USER_VA_END - PAGE_SIZE;
	ktest_printf(t, "%u pages: both sides of %u boundaries, and the top of user space",
		     n, (n - 1) / 2);
	for (unsigned i = 0; i < n; i++)
		KT_EXPECT_EQ(t, touch_write(addrs[i] + 8, addrs[i]), 0);
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = 0, pa = 0;

		KT_EXPECT_EQ(t, touch_read(addrs[i] + 8, &v), 0);
		KT_EXPECT_EQ(t, v, addrs[i]);
		KT_EXPECT(t, mm_translate(mm, addrs[i], &pa, NULL));
		for (unsigned j = 0; j < i; j++) {
			uint64_t pb = 0;

			mm_translate(mm, addrs[j], &pb, NULL);
			KT_EXPECT_NE(t, pa, pb);
		}
	}
	expected_tables(mm, addrs, n, want);
	expect_tables(t, mm, want);
	KT_EXPECT_EQ(t, mm->rss, n);
	unmap_range(mm, USER_VA_START, USER_VA_END);
	empty_mm_tables(mm, want);
	expect_tables(t, mm, want);
	KT_EXPECT_EQ(t, mm->rss, 0ul);
	test_mm_end(mm);
}

static unsigned long level_span(unsigned level)
{
	return 1ul << pt_level_shift(level);
}

/*
 * N pages at stride S: the counters must match the MMU's formula.  The
 * strides come from the MMU's own spans (x86-64: 4K, 1M, 6M, 1G, 512G;
 * s390x: 4K, 512K, 3M, 2G, 4T): within a pte table, across pte tables,
 * across pmd tables, across pud tables.
 */
static void table_count_formula(struct ktest *t)
{
	unsigned above_pud = PT_NR_LEVELS - 1;
	struct { unsigned n; unsigned long stride; } cases[5];
	unsigned long addrs[64];
	long want[PT_NR_LEVELS];

	while (pt_next_level(above_pud) != PT_PUD)   /* x86-64: p4d folded */
		above_pud--;
	cases[0].n = 64; cases[0].stride = PAGE_SIZE;
	cases[1].n = 40; cases[1].stride = level_span(PT_PMD) / 2;
	cases[2].n = 20; cases[2].stride = 3 * level_span(PT_PMD);
	cases[3].n = 9;  cases[3].stride = level_span(PT_PUD);
	cases[4].n = 5;  cases[4].stride = level_span(above_pud);
	for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
		unsigned long base = boundary(1ul << 30) + PAGE_SIZE * 3;
		unsigned long end = base + cases[c].n * cases[c].stride;
		struct mm *mm;
		unsigned n = 0;

		if (end > USER_VA_END)
			continue;
		mm = test_mm_start(t);
		KT_ASSERT_EQ(t, mm_declare(mm, ALIGN_DOWN(base, PAGE_SIZE), end, VM_READ | VM_WRITE), 0);
		for (unsigned i = 0; i < cases[c].n; i++) {
			addrs[n] = base + i * cases[c].stride;
			KT_EXPECT_EQ(t, touch_write(addrs[n], i), 0);
			n++;
		}
		expected_tables(mm, addrs, n, want);
		expect_tables(t, mm, want);
		if (c == 0)
			for (unsigned l = 0; l < PT_NR_LEVELS; l++)
				if (want[l]) {
					char name[40];

					snprintf(name, sizeof(name), "bytes_%s_64_pages", pt_level_name(l));
					ktest_metric(t, name, (uint64_t)want[l] * pt_table_bytes(l), "bytes");
				}
		test_mm_end(mm);
	}
}

static void demand_fault_zeroed(struct ktest *t)
{
	unsigned long base = boundary(1ul << 21);
	struct mm *mm = test_mm_start(t);
	unsigned long faults;
	uint64_t v = 1;

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 16 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_EXPECT_EQ(t, touch_read(base + 40, &v), 0);
	KT_EXPECT_EQ(t, v, 0ull);                   /* fresh pages are zero */
	faults = mm->faults;
	KT_EXPECT_EQ(t, touch_write(base + 40, 77), 0);
	KT_EXPECT_EQ(t, mm->faults, faults);        /* already mapped */
	KT_EXPECT_EQ(t, touch_read(base + 40, &v), 0);
	KT_EXPECT_EQ(t, v, 77ull);
	/* outside every region: the fault is refused, not fatal */
	KT_EXPECT_EQ(t, touch_read(base + 16 * PAGE_SIZE, &v), -EFAULT);
	KT_EXPECT_EQ(t, touch_write(base - PAGE_SIZE, 1), -EFAULT);
	KT_EXPECT_EQ(t, mm->faults, faults);
	test_mm_end(mm);
}

static void read_only_region(struct ktest *t)
{
	unsigned long base = boundary(1ul << 21);
	struct mm *mm = test_mm_start(t);
	uint64_t v;

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + PAGE_SIZE, VM_READ), 0);
	KT_EXPECT_EQ(t, touch_read(base, &v), 0);
	KT_EXPECT_EQ(t, touch_write(base, 1), -EFAULT);   /* present, read-only */
	KT_EXPECT_EQ(t, last_fault()->addr, base);
	test_mm_end(mm);
}

static void zap_keeps_tables(struct ktest *t)
{
	unsigned long base = boundary(1ul << 30);
	struct mm *mm = test_mm_start(t);
	long tables[PT_NR_LEVELS];
	uint64_t v = 5;

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 64 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	for (unsigned i = 0; i < 64; i++)
		KT_EXPECT_EQ(t, touch_write(base + i * PAGE_SIZE, i + 1), 0);
	memcpy(tables, mm->nr_tables, sizeof(tables));
	KT_EXPECT_EQ(t, mm->rss, 64ul);
	zap_range(mm, base, base + 64 * PAGE_SIZE);
	KT_EXPECT_EQ(t, mm->rss, 0ul);
	KT_EXPECT_EQ(t, memcmp(tables, mm->nr_tables, sizeof(tables)), 0);
	/* the region is still declared: a new, zeroed page comes in */
	KT_EXPECT_EQ(t, touch_read(base + 3 * PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 0ull);
	test_mm_end(mm);
}

static void unmap_frees_tables(struct ktest *t)
{
	unsigned long base = boundary(1ul << 39);
	struct mm *mm = test_mm_start(t);
	long want[PT_NR_LEVELS];
	uint64_t v;

	/* two regions sharing a pte table: unmapping one keeps it */
	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 4 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_ASSERT_EQ(t, mm_declare(mm, base + 8 * PAGE_SIZE, base + 12 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_EXPECT_EQ(t, touch_write(base, 1), 0);
	KT_EXPECT_EQ(t, touch_write(base + 8 * PAGE_SIZE, 2), 0);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 1);
	unmap_range(mm, base, base + 4 * PAGE_SIZE);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 1);
	KT_EXPECT_EQ(t, touch_read(base, &v), -EFAULT);     /* gone */
	KT_EXPECT_EQ(t, touch_read(base + 8 * PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 2ull);
	unmap_range(mm, base + 8 * PAGE_SIZE, base + 12 * PAGE_SIZE);
	empty_mm_tables(mm, want);
	expect_tables(t, mm, want);
	test_mm_end(mm);
}

static void huge_fault(struct ktest *t)
{
	unsigned long span = 1ul << pt_level_shift(PT_HUGE_LEVEL);
	unsigned long base = boundary(span);
	struct mm *mm;
	unsigned level;
	uint64_t v = 9;

	if (!pt_huge_supported())
		ktest_skip(t, "no huge pages on this CPU (EDAT-1 missing)");
	mm = test_mm_start(t);
	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 2 * span, VM_READ | VM_WRITE | VM_HUGE), 0);
	KT_EXPECT_EQ(t, touch_write(base + span + 123 * 8, 42), 0);
	KT_EXPECT_EQ(t, touch_read(base + span + PAGE_SIZE * 7, &v), 0);
	KT_EXPECT_EQ(t, v, 0ull);
	KT_EXPECT(t, pt_entry_is_leaf(PT_HUGE_LEVEL,
				      *pt_walk(mm, base + span, PT_PTE, &level)));
	KT_EXPECT_EQ(t, level, (unsigned)PT_HUGE_LEVEL);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 0);
	KT_EXPECT_EQ(t, mm->rss, span / PAGE_SIZE);
	test_mm_end(mm);
}

static void misuse_reported(struct ktest *t)
{
	unsigned long wrong = page_misuse_count(MISUSE_WRONG_TYPE);
	unsigned long dbl = page_misuse_count(MISUSE_DOUBLE_FREE);
	unsigned long nonempty = pt_free_nonempty_reports;
	struct ptdesc *pt = pagetable_alloc(NULL, PT_PTE);
	struct ptdesc *full = pagetable_alloc(NULL, PT_PTE);
	pt_entry_t *table;

	KT_ASSERT(t, pt && full);
	ktest_expect_reports(t, 3);
	__free_pages(ptdesc_page(pt), 0);          /* wrong door */
	KT_EXPECT_EQ(t, page_misuse_count(MISUSE_WRONG_TYPE), wrong + 1);
	pagetable_free(pt);
	pagetable_free(pt);                        /* twice */
	KT_EXPECT_EQ(t, page_misuse_count(MISUSE_DOUBLE_FREE), dbl + 1);
	table = page_address(ptdesc_page(full));
	table[7] = pt_mk_leaf(PT_PTE, 0x1000, PROT_READ);
	pagetable_free(full);                      /* still maps something */
	KT_EXPECT_EQ(t, pt_free_nonempty_reports, nonempty + 1);
	/* the same through the table API (a 2 KiB half on s390x) */
	table = pt_alloc_table(NULL, PT_PTE);
	KT_ASSERT(t, table != NULL);
	ktest_expect_reports(t, 1);
	table[9] = pt_mk_leaf(PT_PTE, 0x2000, PROT_READ);
	pt_free_table(NULL, PT_PTE, table);
	KT_EXPECT_EQ(t, pt_free_nonempty_reports, nonempty + 2);
	/* freed twice through the table API: reported, counters untouched */
	for (unsigned level = PT_PTE; level <= PT_PMD; level++) {
		long kernel = pt_kernel_counters.tables[level];

		table = pt_alloc_table(NULL, level);
		KT_ASSERT(t, table != NULL);
		pt_free_table(NULL, level, table);
		dbl = page_misuse_count(MISUSE_DOUBLE_FREE);
		ktest_expect_reports(t, 1);
		pt_free_table(NULL, level, table);
		KT_EXPECT_EQ(t, page_misuse_count(MISUSE_DOUBLE_FREE), dbl + 1);
		KT_EXPECT_EQ(t, pt_kernel_counters.tables[level], kernel);
	}
}

/* Kernel text is read-only, rodata too (what the fault looks like is the
 * architecture's: tests/ktest/<arch>/wx.c). */
static const uint64_t some_rodata = 0x1234;

static void kernel_wx(struct ktest *t)
{
	uint64_t v;

	KT_EXPECT_EQ(t, probe_write_u64((void *)&kernel_wx, 0), -EFAULT);
	wx_expect_write_fault(t, (unsigned long)&kernel_wx);
	KT_EXPECT_EQ(t, probe_read_u64((void *)&some_rodata, &v), 0);
	KT_EXPECT_EQ(t, probe_write_u64((void *)&some_rodata, 0), -EFAULT);
	wx_expect_write_fault(t, (unsigned long)&some_rodata);
	KT_EXPECT_EQ(t, some_rodata, 0x1234ull);
}

/* Kernel data is not executable, where the MMU can say so. */
static void kernel_data_noexec(struct ktest *t)
{
	const char *why = wx_no_exec_reason();

	if (why)
		ktest_skip(t, "%s", why);
	KT_EXPECT_EQ(t, probe_exec(wx_data_ret), -EFAULT);
	wx_expect_exec_fault(t, (unsigned long)wx_data_ret);
}

static void switch_tracks_cpus(struct ktest *t)
{
	struct mm *mm = mm_create();
	unsigned self = smp_processor_id();

	KT_ASSERT(t, mm != NULL);
	KT_EXPECT(t, !cpumask_test(&mm->cpu_mask, self));
	KT_EXPECT_EQ(t, mm->grabs, 1u);
	switch_mm(mm);
	KT_EXPECT(t, cpumask_test(&mm->cpu_mask, self));
	KT_EXPECT(t, current_mm() == mm);
	KT_EXPECT_EQ(t, mm->grabs, 2u);          /* the CPU holds it */
	switch_mm(NULL);
	KT_EXPECT(t, !cpumask_test(&mm->cpu_mask, self));
	KT_EXPECT(t, current_mm() == NULL);
	KT_EXPECT_EQ(t, mm->grabs, 1u);
	mmget(mm);
	mmput(mm);                 /* not the last user: still alive */
	KT_EXPECT_EQ(t, mm->users, 1u);
	mmput(mm);
}

/*
 * Faults while allocations fail: a fault that cannot get its page or a
 * table fails cleanly (the access reports an error) and a retry succeeds
 * later; at the end every page holds what was written, the tables are
 * exactly what the addresses need, and nothing leaked.
 */
#define FI_PAGES 24

static void faults_under_allocation_failure(struct ktest *t)
{
	unsigned long stride = level_span(PT_PMD);     /* a pte table each */
	unsigned long base = boundary(1ul << 30), addrs[FI_PAGES];
	struct fault_attr_saved saved;
	unsigned long failed = 0, injected;
	long want[PT_NR_LEVELS];
	struct mm *mm = test_mm_start(t);
	uint64_t v;

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + FI_PAGES * stride, VM_READ | VM_WRITE), 0);
	fault_attr_save(&fail_page_alloc, &saved);
	fault_attr_set(&fail_page_alloc, 3, 0, 1);
	for (unsigned i = 0; i < FI_PAGES; i++) {
		unsigned tries = 0;

		addrs[i] = base + i * stride + 8 * i;
		while (touch_write(addrs[i], 1000 + i) != 0 && ++tries < 10)
			failed++;
		KT_EXPECT_LT(t, tries, 10u);
	}
	injected = fail_page_alloc.injected;
	fault_attr_restore(&fail_page_alloc, &saved);
	KT_EXPECT_GT(t, injected, 0ul);
	KT_EXPECT_GT(t, failed, 0ul);      /* some faults did fail */
	for (unsigned i = 0; i < FI_PAGES; i++) {
		KT_EXPECT_EQ(t, touch_read(addrs[i], &v), 0);
		KT_EXPECT_EQ(t, v, 1000ull + i);
	}
	KT_EXPECT_EQ(t, mm->rss, (unsigned long)FI_PAGES);
	expected_tables(mm, addrs, FI_PAGES, want);
	expect_tables(t, mm, want);
	ktest_metric(t, "faults_failed_by_injection", failed, "faults");
	test_mm_end(mm);
}

/* mmgrab keeps the struct after the last mmput tore the address space down
 * (what a lazy CPU or a walker that only reads counters needs). */
static void grab_outlives_teardown(struct ktest *t)
{
	unsigned long objects = kmalloc_live_objects();
	unsigned long base = boundary(1ul << 21);
	struct mm *mm = test_mm_start(t);

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 64 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	for (unsigned i = 0; i < 64; i++)
		KT_EXPECT_EQ(t, touch_write(base + i * PAGE_SIZE, i), 0);
	switch_mm(NULL);
	KT_EXPECT_EQ(t, mm->rss, 64ul);
	mmgrab(mm);
	mmput(mm);                 /* the last user: tables and pages go */
	KT_EXPECT(t, mm->pgd == NULL);
	KT_EXPECT_EQ(t, mm->rss, 0ul);
	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		KT_EXPECT_EQ(t, mm->nr_tables[l], 0l);
	KT_EXPECT_GT(t, kmalloc_live_objects(), objects);   /* the struct lives */
	mmdrop(mm);
	KT_EXPECT_EQ(t, kmalloc_live_objects(), objects);
}

/* Every CPU faults in random pages of one region at once: racing table
 * allocations must leave exactly one table per span and no leak. */
#define RACE_PAGES 96
#define RACE_SPAN (64ul << 21)     /* 64 pte tables' worth */

static struct {
	struct mm *mm;
	unsigned long base;
	unsigned long addr[MAX_CPUS][RACE_PAGES];
} race;

static void race_job(struct ktest *t, void *arg)
{
	unsigned cpu = smp_processor_id();
	struct rand_state r;

	rand_seed(&r, t->seed ^ cpu);
	switch_mm(race.mm);
	for (unsigned i = 0; i < RACE_PAGES; i++) {
		unsigned long va = race.base + rand_below(&r, RACE_SPAN / PAGE_SIZE) * PAGE_SIZE;

		race.addr[cpu][i] = va;
		if (touch_write(va + 8 * cpu, va))
			KT_FAIL(t, "CPU %u: fault at %#lx failed", cpu, va);
	}
	switch_mm(NULL);
}

static void concurrent_faults(struct ktest *t)
{
	static unsigned long all[MAX_CPUS * RACE_PAGES];
	unsigned n = 0, distinct = 0;
	long want[PT_NR_LEVELS];

	race.mm = mm_create();
	KT_ASSERT(t, race.mm != NULL);
	race.base = boundary(1ul << 30);
	KT_ASSERT_EQ(t, mm_declare(race.mm, race.base, race.base + RACE_SPAN, VM_READ | VM_WRITE), 0);
	ktest_run_on(t, &cpu_online_mask, race_job, NULL, 60000);
	for (unsigned c = 0; c < nr_cpus_online; c++)
		for (unsigned i = 0; i < RACE_PAGES; i++) {
			bool seen = false;

			for (unsigned j = 0; j < n && !seen; j++)
				seen = all[j] == race.addr[c][i];
			if (!seen)
				all[n++] = race.addr[c][i];
		}
	distinct = n;
	expected_tables(race.mm, all, n, want);
	expect_tables(t, race.mm, want);
	KT_EXPECT_EQ(t, race.mm->rss, distinct);
	KT_EXPECT(t, cpumask_empty(&race.mm->cpu_mask));
	mmput(race.mm);
}

static void metrics(struct ktest *t)
{
	unsigned long base = boundary(1ul << 30);
	const unsigned n = 2000;
	uint64_t hz = arch_clock_hz(), t0, d;
	struct mm *mm = test_mm_start(t);

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + n * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	t0 = arch_clock();
	for (unsigned i = 0; i < n; i++)
		touch_write(base + i * PAGE_SIZE, i);
	d = arch_clock() - t0;
	if (hz)
		ktest_metric(t, "fault_ns", d * 1000000000 / hz / n, "ns");
	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		if (mm->nr_tables[l]) {
			char name[40];

			snprintf(name, sizeof(name), "bytes_%s_%u_pages", pt_level_name(l), n);
			ktest_metric(t, name, (uint64_t)mm->nr_tables[l] * pt_table_bytes(l), "bytes");
		}
	test_mm_end(mm);
}

static const struct ktest_case pgtable_cases[] = {
	KTEST_CASE(level_boundaries),
	KTEST_CASE(table_count_formula),
	KTEST_CASE(demand_fault_zeroed),
	KTEST_CASE(read_only_region),
	KTEST_CASE(zap_keeps_tables),
	KTEST_CASE(unmap_frees_tables),
	KTEST_CASE(huge_fault),
	KTEST_CASE(misuse_reported),
	KTEST_CASE(kernel_wx),
	KTEST_CASE(kernel_data_noexec),
	KTEST_CASE(switch_tracks_cpus),
	KTEST_CASE(grab_outlives_teardown),
	KTEST_CASE(faults_under_allocation_failure),
	KTEST_CASE(concurrent_faults),
	KTEST_CASE(metrics),
	{ 0 },
};
KTEST_SUITE(pgtable, pgtable_cases);

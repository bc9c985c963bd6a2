/*
 * Seed 004 ("arm64: mm: use appropriate ctors for page tables"): every
 * level of page table gets the constructor and is accounted, user and
 * kernel tables alike; a page descriptor is a union discriminated by what
 * the page was allocated for, so a slab page can never be taken for a
 * page table (there is no spinlock in a slab page).
 */
#include "kernel/ktest.h"
#include "mm/mm.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "tests/ktest/mm_helpers.h"

static void every_level_accounted(struct ktest *t)
{
	unsigned long base = ALIGN_UP(USER_VA_START + (1ul << 42), 1ul << 39);
	struct pt_counters before = pt_user_counters;
	struct mm *mm = test_mm_start(t);
	unsigned levels = 0;

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_EXPECT_EQ(t, touch_write(base, 1), 0);
	/* one table at each level of the walk, counted per mm and globally */
	for (unsigned l = mm->top_level;; l = pt_next_level(l)) {
		KT_EXPECT_EQ(t, mm->nr_tables[l], 1);
		KT_EXPECT_EQ(t, pt_user_counters.tables[l] - before.tables[l], 1);
		KT_EXPECT_EQ(t, pt_user_counters.bytes[l] - before.bytes[l],
			     (long)pt_table_bytes(l));
		levels++;
		if (l == PT_PTE)
			break;
	}
	/* and every one of them carries its constructor's marks */
	for (unsigned l = mm->top_level; l != PT_PTE; l = pt_next_level(l)) {
		unsigned got;
		pt_entry_t *ep = pt_walk(mm, base, l, &got);
		struct page *pg = virt_to_page(ep);

		KT_EXPECT_EQ(t, got, l);
		KT_EXPECT_EQ(t, pg->type, PG_PGTABLE);
		KT_EXPECT(t, pg->pt.mm == mm);
	}
	ktest_metric(t, "levels", levels, "levels");
	test_mm_end(mm);
}

static void kernel_tables_accounted(struct ktest *t)
{
	long total = 0;

	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		total += pt_kernel_counters.tables[l];
	KT_EXPECT_GT(t, total, 0l);
	KT_EXPECT_GE(t, pt_kernel_counters.tables[init_mm.top_level], 1l);
	ktest_metric(t, "kernel_table_bytes",
		     (uint64_t)(pt_kernel_counters.bytes[0] + pt_kernel_counters.bytes[1] +
				pt_kernel_counters.bytes[2] + pt_kernel_counters.bytes[3] +
				pt_kernel_counters.bytes[4]), "bytes");
}

static void slab_page_is_not_a_table(struct ktest *t)
{
	unsigned long wrong = page_misuse_count(MISUSE_WRONG_TYPE);
	void *obj = kmalloc(64, GFP_NOFAULT);
	struct page *pg;

	KT_ASSERT(t, obj != NULL);
	pg = virt_to_page(obj);
	KT_EXPECT_EQ(t, pg->type, PG_SLAB);
	ktest_expect_reports(t, 1);
	KT_EXPECT(t, !free_pages_typed(pg, 0, PG_PGTABLE, 0));
	KT_EXPECT_EQ(t, page_misuse_count(MISUSE_WRONG_TYPE), wrong + 1);
	KT_EXPECT_EQ(t, pg->type, PG_SLAB);     /* untouched */
	kfree(obj);
}

static const struct ktest_case seed004_cases[] = {
	KTEST_CASE(every_level_accounted),
	KTEST_CASE(kernel_tables_accounted),
	KTEST_CASE(slab_page_is_not_a_table),
	{ 0 },
};
KTEST_SUITE(seed004_table_ctors, seed004_cases);

/* Helpers shared by the address-space suites. */
#ifndef PTLAB_TESTS_MM_HELPERS_H
#define PTLAB_TESTS_MM_HELPERS_H

#include "kernel/extable.h"
#include "kernel/ktest.h"
#include "mm/mm.h"

/* A fresh mm loaded on this CPU; the test fails (and ends) on OOM. */
static inline struct mm *test_mm_start(struct ktest *t)
{
	struct mm *mm = mm_create();

	if (!mm)
		KT_FAIL(t, "mm_create failed");
	KT_ASSERT(t, mm != NULL);
	switch_mm(mm);
	return mm;
}

static inline void test_mm_end(struct mm *mm)
{
	switch_mm(NULL);
	mmput(mm);
}

/* Touch a user address through the MMU: 0 or -EFAULT. */
static inline int touch_write(unsigned long va, uint64_t v)
{
	return probe_write_u64((volatile void *)va, v);
}

static inline int touch_read(unsigned long va, uint64_t *v)
{
	return probe_read_u64((const volatile void *)va, v);
}

/* Tables per level a walk of @addrs needs: distinct parent-level spans. */
static inline void expected_tables(struct mm *mm, const unsigned long *addrs,
				   unsigned n, long *want)
{
	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		want[l] = 0;
	want[mm->top_level] = 1;
	for (unsigned parent = mm->top_level; parent != PT_PTE;
	     parent = pt_next_level(parent)) {
		unsigned shift = pt_level_shift(parent);
		long distinct = 0;

		for (unsigned i = 0; i < n; i++) {
			bool seen = false;

			for (unsigned j = 0; j < i && !seen; j++)
				seen = addrs[j] >> shift == addrs[i] >> shift;
			distinct += !seen;
		}
		want[pt_next_level(parent)] = distinct;
	}
}

/*
 * Tables an mm keeps with no region left: its top table, and those of its
 * own below it that hold the kernel's shared entries (s390x: the
 * region-second table under a region-first top).
 */
static inline void empty_mm_tables(struct mm *mm, long *want)
{
	unsigned long kva = (unsigned long)&init_mm;   /* in every mm */
	pt_entry_t *table = mm->pgd;
	unsigned level = mm->top_level;

	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		want[l] = 0;
	want[level] = 1;
	while (level != PT_PTE) {
		pt_entry_t e = table[pt_index(level, kva)];
		struct page *pg;

		if (!pt_entry_is_table(level, e))
			break;
		table = phys_to_virt(pt_entry_pa(level, e));
		pg = virt_to_page(table);
		if (!pg || pg->type != PG_PGTABLE || pg->pt.mm != mm)
			break;
		level = pt_next_level(level);
		want[level]++;
	}
}

static inline void expect_tables(struct ktest *t, struct mm *mm,
				 const long *want)
{
	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		if (mm->nr_tables[l] != want[l])
			KT_FAIL(t, "%s tables: %ld, expected %ld", pt_level_name(l),
				mm->nr_tables[l], want[l]);
}

#endif

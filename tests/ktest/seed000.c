/*
 * Seed 000 ("x86, mm: Use cache of page tables"): a page is marked a page
 * table when it is allocated, not patched in on the free path, and freed
 * in one symmetric place; a cache of ready table pages must not hide
 * leaks and must give its pages back under memory pressure.
 */
#include "kernel/ktest.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "lib/string.h"
#include <asm/irq.h>

/* What the leak check reads: free pages plus the tables' cache. */
static unsigned long free_and_cached(void)
{
	return nr_free_pages() + pt_cache_pages();
}

static void typed_at_allocation(struct ktest *t)
{
	for (unsigned level = 0; level < PT_NR_LEVELS; level++) {
		struct ptdesc *pt = pagetable_alloc(NULL, level);
		struct page *page;

		KT_ASSERT(t, pt != NULL);
		page = ptdesc_page(pt);
		/* typed and described before anything was mapped through it */
		KT_EXPECT_EQ(t, page->type, PG_PGTABLE);
		KT_EXPECT_EQ(t, pt->level, level);
		KT_EXPECT(t, pt->mm == NULL);
		KT_EXPECT(t, pt_table_empty(level, page_address(page)));
		pagetable_free(pt);
	}
}

static void cache_does_not_hide_leaks(struct ktest *t)
{
	unsigned long before, free_before;
	struct ptdesc *pt;

	if (!pt_cache_enabled)
		ktest_skip(t, "table cache off (pt_cache=0)");
	pt_cache_drain();
	before = free_and_cached();
	free_before = nr_free_pages();
	pt = pagetable_alloc(NULL, PT_PTE);
	KT_ASSERT(t, pt != NULL);
	/* held: one page less in both views */
	KT_EXPECT_EQ(t, free_and_cached(), before - 1);
	pagetable_free(pt);
	/* freed into the cache: not back in the buddy lists, yet not lost */
	KT_EXPECT_EQ(t, pt_cache_pages(), 1ul);
	KT_EXPECT_EQ(t, free_and_cached(), before);
	pt_cache_drain();
	KT_EXPECT_EQ(t, pt_cache_pages(), 0ul);
	KT_EXPECT_EQ(t, nr_free_pages(), free_before);
	/* a cached page comes back zeroed, typed and described anew */
	pt = pagetable_alloc(NULL, PT_PMD);
	KT_ASSERT(t, pt != NULL);
	KT_EXPECT_EQ(t, pt->level, (uint8_t)PT_PMD);
	pagetable_free(pt);
}

/* A walker that writes into a table after it was freed into the cache is
 * caught when the page is handed out again, as for any freed page. */
static void cache_catches_write_after_free(struct ktest *t)
{
	unsigned long poison = page_misuse_count(MISUSE_POISON);
	struct ptdesc *pt, *again;
	unsigned long flags;
	uint64_t *words;

	if (!pt_cache_enabled || !page_poisoning)
		ktest_skip(t, "needs the table cache and page_poison=1");
	pt_cache_drain();
	pt = pagetable_alloc(NULL, PT_PTE);
	KT_ASSERT(t, pt != NULL);
	words = page_address(ptdesc_page(pt));
	ktest_expect_reports(t, 1);
	flags = local_irq_save();   /* no RCU callback refills the cache meanwhile */
	pagetable_free(pt);
	words[100] = 0x1234;                   /* the write after free */
	again = pagetable_alloc(NULL, PT_PTE); /* this CPU's cache: same page */
	local_irq_restore(flags);
	KT_ASSERT(t, again == pt);
	KT_EXPECT_EQ(t, page_misuse_count(MISUSE_POISON), poison + 1);
	KT_EXPECT(t, pt_table_empty(PT_PTE, words));   /* handed out clean */
	pagetable_free(again);
	pt_cache_drain();
}

static void cache_drained_under_pressure(struct ktest *t)
{
	struct ptdesc *pts[PT_CACHE_MAX];
	void *chain = NULL;
	unsigned long got = 0, cached;
	struct page *p;

	if (!pt_cache_enabled)
		ktest_skip(t, "table cache off (pt_cache=0)");
	for (unsigned i = 0; i < PT_CACHE_MAX; i++) {
		pts[i] = pagetable_alloc(NULL, PT_PTE);
		KT_ASSERT(t, pts[i] != NULL);
	}
	for (unsigned i = 0; i < PT_CACHE_MAX; i++)
		pagetable_free(pts[i]);
	cached = pt_cache_pages();
	KT_EXPECT_GE(t, cached, 1ul);
	/* take every page there is: the cache must give its pages up */
	while ((p = alloc_pages(GFP_NOWARN | GFP_NOFAULT, 0))) {
		*(void **)page_address(p) = chain;
		chain = page_address(p);
		got++;
	}
	KT_EXPECT_EQ(t, pt_cache_pages(), 0ul);
	while (chain) {
		void *next = *(void **)chain;

		free_pages(chain, 0);
		chain = next;
	}
	ktest_metric(t, "pages_got_back_from_cache", cached, "pages");
}

static const struct ktest_case seed000_cases[] = {
	KTEST_CASE(typed_at_allocation),
	KTEST_CASE(cache_does_not_hide_leaks),
	KTEST_CASE(cache_catches_write_after_free),
	KTEST_CASE(cache_drained_under_pressure),
	{ 0 },
};
KTEST_SUITE(seed000_table_cache, seed000_cases);

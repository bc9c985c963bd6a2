/* kmalloc/kfree: size classes, no overlap, misuse reports, fault injection. */
#include "kernel/ktest.h"
#include "mm/fault_inject.h"
#include "mm/slab.h"
#include "lib/string.h"

#define NOBJ 300

static void sizes_and_patterns(struct ktest *t)
{
	static uint8_t *objs[NOBJ];
	static size_t sizes[NOBJ];
	unsigned long pages_before = nr_free_pages(), bad = 0;

	for (unsigned i = 0; i < NOBJ; i++) {
		sizes[i] = 1 + rand_below(&t->rng, i % 10 ? 2048 : 9000);
		objs[i] = kmalloc(sizes[i], GFP_NOFAULT);
		KT_ASSERT(t, objs[i] != NULL);
		memset(objs[i], (int)(i & 0xff), sizes[i]);
	}
	KT_EXPECT_LT(t, nr_free_pages(), pages_before);
	/* every object still holds its own pattern: nothing overlaps */
	for (unsigned i = 0; i < NOBJ; i++)
		for (size_t k = 0; k < sizes[i]; k++)
			bad += objs[i][k] != (uint8_t)i;
	KT_EXPECT_EQ(t, bad, 0ul);
	for (unsigned i = 0; i < NOBJ; i += 2)
		kfree(objs[i]);
	for (unsigned i = 1; i < NOBJ; i += 2)
		kfree(objs[i]);
	/* empty slabs went back: the page count is whole again */
	KT_EXPECT_EQ(t, nr_free_pages(), pages_before);
}

static void alignment_and_zeroing(struct ktest *t)
{
	for (size_t size = 1; size <= 4096; size = size * 2 + 1) {
		uint8_t *p = kzalloc(size, GFP_NOFAULT);
		size_t nonzero = 0;
		size_t align = 8;

		KT_ASSERT(t, p != NULL);
		for (size_t k = 0; k < size; k++)
			nonzero += p[k] != 0;
		KT_EXPECT_EQ(t, nonzero, 0ul);
		KT_EXPECT_EQ(t, (uintptr_t)p & (align - 1), 0ul);
		kfree(p);
	}
	KT_EXPECT(t, kmalloc(0, GFP_KERNEL) == NULL);
	kfree(NULL); /* allowed, does nothing */
}

static void misuse(struct ktest *t)
{
	unsigned long dbl = kfree_misuse_count(KFREE_DOUBLE);
	unsigned long mid = kfree_misuse_count(KFREE_NOT_OBJECT);
	unsigned long wrong = kfree_misuse_count(KFREE_WRONG_PAGE);
	uint8_t *a = kmalloc(100, GFP_NOFAULT), *b = kmalloc(100, GFP_NOFAULT);
	void *page = __get_free_pages(GFP_NOFAULT, 0);

	KT_ASSERT(t, a && b && page);
	ktest_expect_reports(t, 3);
	kfree(a);
	kfree(a);
	KT_EXPECT_EQ(t, kfree_misuse_count(KFREE_DOUBLE), dbl + 1);
	kfree(b + 8);
	KT_EXPECT_EQ(t, kfree_misuse_count(KFREE_NOT_OBJECT), mid + 1);
	kfree(page);
	KT_EXPECT_EQ(t, kfree_misuse_count(KFREE_WRONG_PAGE), wrong + 1);
	kfree(b);
	free_pages(page, 0);
}

static void write_after_free(struct ktest *t)
{
	unsigned long n = kfree_misuse_count(KFREE_POISON);
	uint8_t *keep = kmalloc(64, GFP_NOFAULT), *a = kmalloc(64, GFP_NOFAULT);
	uint8_t *again;

	KT_ASSERT(t, keep && a);  /* keep holds the slab while a is free */
	kfree(a);
	a[3] = 1;                 /* the bug under test */
	ktest_expect_reports(t, 1);
	again = kmalloc(64, GFP_NOFAULT); /* lowest free slot: a again */
	KT_EXPECT(t, again == a);
	KT_EXPECT_EQ(t, kfree_misuse_count(KFREE_POISON), n + 1);
	kfree(again);
	kfree(keep);
}

static void fault_injection(struct ktest *t)
{
	unsigned failed = 0;
	void *p[12];
	struct fault_attr_saved saved_kmalloc, saved_page;
	unsigned long injected;

	fault_attr_save(&fail_kmalloc, &saved_kmalloc);
	fault_attr_save(&fail_page_alloc, &saved_page);
	fault_attr_set(&fail_kmalloc, 4, 0, 1);
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = kmalloc(200, GFP_KERNEL);
		failed += !p[i];
	}
	injected = fail_kmalloc.injected;
	fault_attr_set(&fail_kmalloc, 0, 0, 0);
	KT_EXPECT_EQ(t, failed, 3u);
	KT_EXPECT_EQ(t, injected, 3ul);
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		kfree(p[i]);
	/* a failing page allocator under kmalloc: NULL, not a crash */
	fault_attr_set(&fail_page_alloc, 1, 0, 1);
	KT_EXPECT(t, kmalloc(3000, GFP_NOWARN) == NULL);
	KT_EXPECT(t, kmalloc(8192, GFP_NOWARN) == NULL);
	fault_attr_restore(&fail_page_alloc, &saved_page);
	fault_attr_restore(&fail_kmalloc, &saved_kmalloc);
}

static const struct ktest_case slab_cases[] = {
	KTEST_CASE(sizes_and_patterns),
	KTEST_CASE(alignment_and_zeroing),
	KTEST_CASE(misuse),
	KTEST_CASE(write_after_free),
	KTEST_CASE(fault_injection),
	{ 0 },
};
KTEST_SUITE(kmalloc, slab_cases);

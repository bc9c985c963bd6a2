/* memblock range arithmetic and the hand-over to the buddy allocator. */
#include "kernel/ktest.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"

static void expect_ranges(struct ktest *t, const struct memblock_type *m,
			  const struct phys_range *want, unsigned n)
{
	KT_ASSERT_EQ(t, m->n, n);
	for (unsigned i = 0; i < n; i++) {
		KT_EXPECT_EQ(t, m->r[i].start, want[i].start);
		KT_EXPECT_EQ(t, m->r[i].end, want[i].end);
	}
}

static void add_merges(struct ktest *t)
{
	static struct memblock_type m;
	const struct phys_range want[] = { { 0x1000, 0x5000 }, { 0x8000, 0xa000 } };

	m.n = 0;
	memblock_add(&m, 0x8000, 0x9000, true);
	memblock_add(&m, 0x1000, 0x2000, true);
	memblock_add(&m, 0x2000, 0x3000, true);       /* touches: merge */
	memblock_add(&m, 0x2800, 0x5000, true);       /* overlaps: merge */
	memblock_add(&m, 0x9000, 0xa000, true);
	memblock_add(&m, 0xb100, 0xbf00, true);       /* < 1 page inside: gone */
	expect_ranges(t, &m, want, 2);
}

static void rounding(struct ktest *t)
{
	static struct memblock_type m;
	const struct phys_range ram[] = { { 0x2000, 0x4000 } };
	const struct phys_range res[] = { { 0x1000, 0x5000 } };

	m.n = 0;
	memblock_add(&m, 0x1001, 0x4fff, true);   /* RAM rounds inward */
	expect_ranges(t, &m, ram, 1);
	m.n = 0;
	memblock_add(&m, 0x1001, 0x4fff, false);  /* reservations outward */
	expect_ranges(t, &m, res, 1);
}

static void remove_splits(struct ktest *t)
{
	static struct memblock_type m;
	const struct phys_range want[] = {
		{ 0x0000, 0x2000 }, { 0x3000, 0x4000 }, { 0x9000, 0x10000 } };

	m.n = 0;
	memblock_add(&m, 0x0, 0x6000, true);
	memblock_add(&m, 0x8000, 0x10000, true);
	memblock_remove(&m, 0x2000, 0x3000);  /* split */
	memblock_remove(&m, 0x4000, 0x9000);  /* tail of one, head of next */
	expect_ranges(t, &m, want, 3);
	memblock_remove(&m, 0x0, 0x100000);
	KT_EXPECT_EQ(t, m.n, 0u);
}

/* Every RAM page is either reserved or was handed to the buddy allocator. */
static void nothing_lost(struct ktest *t)
{
	const struct page_alloc_stats *st = &page_alloc_stats;
	unsigned long reserved = 0, handed = 0, wrong = 0;
	struct phys_range r;
	uint64_t idx = 0;

	KT_EXPECT_EQ(t, st->ram_pages, memblock_total(&memblock.ram) >> PAGE_SHIFT);
	KT_EXPECT_EQ(t, st->ram_pages, st->reserved_pages + st->handed_over);
	while (memblock_next_free(&idx, &r))
		for (uint64_t pfn = r.start >> PAGE_SHIFT; pfn < r.end >> PAGE_SHIFT; pfn++) {
			unsigned type = pfn_to_page(pfn)->type;

			handed++;
			wrong += type == PG_RESERVED || type == PG_HOLE;
		}
	for (unsigned i = 0; i < memblock.ram.n; i++)
		for (uint64_t pfn = memblock.ram.r[i].start >> PAGE_SHIFT;
		     pfn < memblock.ram.r[i].end >> PAGE_SHIFT; pfn++)
			reserved += pfn_to_page(pfn)->type == PG_RESERVED;
	KT_EXPECT_EQ(t, handed, st->handed_over);
	KT_EXPECT_EQ(t, reserved, st->reserved_pages);
	KT_EXPECT_EQ(t, wrong, 0ul);
	ktest_metric(t, "ram_kib", st->ram_pages * (PAGE_SIZE / 1024), "KiB");
	ktest_metric(t, "reserved_kib", st->reserved_pages * (PAGE_SIZE / 1024), "KiB");
}

/* Frames between RAM ranges (holes) have a memmap entry but stay holes. */
static void holes_stay_holes(struct ktest *t)
{
	unsigned long holes = 0, bad = 0;

	for (unsigned i = 0; i + 1 < memblock.ram.n; i++)
		for (uint64_t pfn = memblock.ram.r[i].end >> PAGE_SHIFT;
		     pfn < memblock.ram.r[i + 1].start >> PAGE_SHIFT; pfn++) {
			struct page *p = pfn_to_page(pfn);

			if (!p)
				continue; /* a whole section without RAM */
			holes++;
			bad += p->type != PG_HOLE;
		}
	KT_EXPECT_EQ(t, bad, 0ul);
	ktest_metric(t, "hole_frames_with_memmap", holes, "pages");
}

static const struct ktest_case memblock_cases[] = {
	KTEST_CASE(add_merges),
	KTEST_CASE(rounding),
	KTEST_CASE(remove_splits),
	KTEST_CASE(nothing_lost),
	KTEST_CASE(holes_stay_holes),
	{ 0 },
};
KTEST_SUITE(memblock, memblock_cases);

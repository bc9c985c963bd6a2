/*
 * The memmap: a struct page for every frame of every 32 MiB section that
 * holds RAM, allocated from memblock.  Frames in a section that are not
 * RAM stay PG_HOLE; RAM that memblock reserved becomes PG_RESERVED; the
 * rest goes to the buddy allocator.
 */
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "kernel/printk.h"
#include "lib/string.h"

static void memmap_alloc_section(uint64_t sec)
{
	size_t bytes = SECTION_PAGES * sizeof(struct page);
	uint64_t pa = memblock_alloc(bytes, PAGE_SIZE);
	struct page *map;

	if (!pa)
		panic("out of memory for the memmap of section %llu (%zu bytes)",
		      (unsigned long long)sec, bytes);
	map = phys_to_virt(pa);
	memset(map, 0, bytes);
	for (unsigned long i = 0; i < SECTION_PAGES; i++)
		map[i].pfn = (uint32_t)(sec * SECTION_PAGES + i);
	/* biased so that section_memmap[sec][pfn] is pfn's page */
	section_memmap[sec] = map - sec * SECTION_PAGES;
	page_alloc_stats.memmap_bytes += bytes;
	page_alloc_stats.sections++;
}

void page_alloc_init(void)
{
	struct phys_range r;
	uint64_t idx = 0;

	page_alloc_init_lists();
	for (unsigned i = 0; i < memblock.ram.n; i++) {
		uint64_t first = memblock.ram.r[i].start >> PAGE_SHIFT;
		uint64_t last = (memblock.ram.r[i].end >> PAGE_SHIFT) - 1;

		for (uint64_t s = first >> SECTION_SHIFT;
		     s <= last >> SECTION_SHIFT; s++)
			if (!section_memmap[s])
				memmap_alloc_section(s);
	}
	/* every RAM frame starts reserved; the free ones are released below */
	for (unsigned i = 0; i < memblock.ram.n; i++)
		for (uint64_t pfn = memblock.ram.r[i].start >> PAGE_SHIFT;
		     pfn < memblock.ram.r[i].end >> PAGE_SHIFT; pfn++) {
			pfn_to_page(pfn)->type = PG_RESERVED;
			page_alloc_stats.ram_pages++;
		}
	while (memblock_next_free(&idx, &r))
		page_alloc_free_boot_range(r.start >> PAGE_SHIFT,
					   r.end >> PAGE_SHIFT);
	page_alloc_stats.reserved_pages =
		page_alloc_stats.ram_pages - page_alloc_stats.handed_over;
	for (unsigned o = 0; o < MAX_ORDER; o++)
		page_alloc_stats.boot_free[o] = nr_free_blocks(o);
}

/*
 * From the loader's memory map to a working page allocator: memblock from
 * boot_info and the command line (mem=, memhole=), the architecture's early
 * mappings, then the memmap and the buddy lists.
 */
#include "mm/init.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "lib/string.h"

#define MAX_HOLES 8
#define MIN_FREE_PAGES 4096  /* 16 MiB: below this the suites cannot run */

static uint64_t mem_limit = UINT64_MAX;
static struct phys_range holes[MAX_HOLES];
static unsigned nr_holes;

static int set_mem(const char *v, size_t len)
{
	uint64_t size;

	if (parse_size(v, len, &size) || size < PAGE_SIZE)
		return -EINVAL;
	mem_limit = size;
	return 0;
}
KERNEL_PARAM("mem", set_mem, "<size>[KMG]: use no RAM above this address");

/* "<size>@<start>[,<size>@<start>...]", sizes with optional K/M/G */
static int set_memhole(const char *v, size_t len)
{
	while (len) {
		size_t end = 0, at;
		uint64_t size, start;

		while (end < len && v[end] != ',')
			end++;
		for (at = 0; at < end && v[at] != '@'; at++)
			;
		if (at == end || nr_holes == MAX_HOLES ||
		    parse_size(v, at, &size) ||
		    parse_size(v + at + 1, end - at - 1, &start) || !size ||
		    start + size < start)
			return -EINVAL;
		holes[nr_holes].start = start;
		holes[nr_holes].end = start + size;
		nr_holes++;
		v += end;
		len -= end;
		if (len) {  /* skip the comma */
			v++;
			len--;
		}
	}
	return 0;
}
KERNEL_PARAM("memhole", set_memhole,
	     "<size>@<start>[,...]: pretend these physical ranges are not RAM (up to 8)");

static void memblock_from_boot_info(const struct boot_info *bi)
{
	const uint64_t max_phys = 1ull << MAX_PHYS_BITS;

	for (unsigned i = 0; i < bi->nr_ram; i++) {
		uint64_t end = MIN(bi->ram[i].end, MIN(mem_limit, max_phys));

		if (bi->ram[i].end > max_phys)
			printk("mm: RAM above %llu GiB ignored (MAX_PHYS_BITS)\n",
			       (unsigned long long)(max_phys >> 30));
		if (end > bi->ram[i].start)
			memblock_add(&memblock.ram, bi->ram[i].start, end, true);
	}
	for (unsigned i = 0; i < nr_holes; i++) {
		printk("mm: memhole [%#llx-%#llx) removed from RAM\n",
		       (unsigned long long)holes[i].start,
		       (unsigned long long)holes[i].end);
		memblock_remove(&memblock.ram, holes[i].start, holes[i].end);
	}
	for (unsigned i = 0; i < bi->nr_reserved; i++)
		memblock_add(&memblock.reserved, bi->reserved[i].start,
			     bi->reserved[i].end, false);
}

bool mm_init(const struct boot_info *bi)
{
	const struct page_alloc_stats *st = &page_alloc_stats;

	memblock_from_boot_info(bi);
	if (memblock.ram.n == 0) {
		printk("mm: the loader reported no usable RAM\n");
		return false;
	}
	arch_mm_early_init();
	page_alloc_init();
	if (memblock.overflow || bi->truncated)
		printk("mm: memory map had more ranges than fit; some RAM unused\n");
	printk("mm: %lu KiB RAM in %u ranges, %lu KiB reserved, %lu KiB free; memmap %lu KiB in %lu sections\n",
	       st->ram_pages * 4, memblock.ram.n, st->reserved_pages * 4,
	       st->handed_over * 4, st->memmap_bytes >> 10, st->sections);
	if (nr_free_pages() < MIN_FREE_PAGES) {
		printk("mm: only %lu KiB free; the tests need at least %u KiB\n",
		       nr_free_pages() * 4, MIN_FREE_PAGES * 4);
		return false;
	}
	return true;
}

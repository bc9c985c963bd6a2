/*
 * The boot stub maps the first 4 GiB; RAM above that (the -m 6G case, past
 * the PCI hole) gets 2 MiB direct-map entries here, in page directories
 * taken from memblock below 4 GiB where the early map can reach them.
 */
#include "kernel/arch.h"
#include "mm/memblock.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include <asm/page.h>

#define GIB (1ull << 30)
#define PTE_PRESENT_RW 0x3ull
#define PDE_LARGE      0x80ull

extern uint64_t early_pdpt[512];

static void map_gib(uint64_t gb)
{
	uint64_t pd_pa, *pd;

	if (early_pdpt[gb] & 1)
		return;
	pd_pa = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!pd_pa)
		panic("no memory for direct-map page directory %llu",
		      (unsigned long long)gb);
	pd = phys_to_virt(pd_pa);
	for (unsigned i = 0; i < 512; i++)
		pd[i] = (gb * GIB + i * (2ull << 20)) | PTE_PRESENT_RW | PDE_LARGE;
	/* a not-present entry cannot be cached: no TLB flush needed */
	early_pdpt[gb] = pd_pa | PTE_PRESENT_RW;
}

void arch_mm_early_init(void)
{
	memblock.alloc_limit = 4 * GIB;
	for (unsigned i = 0; i < memblock.ram.n; i++) {
		uint64_t s = memblock.ram.r[i].start, e = memblock.ram.r[i].end;

		for (uint64_t gb = s / GIB; gb * GIB < e && gb < 512; gb++)
			if (gb >= 4)
				map_gib(gb);
	}
	memblock.alloc_limit = UINT64_MAX;
}

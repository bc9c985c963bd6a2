/*
 * x86-64 MMU: the kernel's page tables (a direct map of the low 4 GiB and
 * all RAM, the image in 4 KiB pages with W^X), CR3 switching and local
 * TLB invalidation.  User mms share the kernel half (PGD slots 256..511;
 * with LA57 that is slot 511 alone, the kernel's p4d table).
 */
#include "arch/x86_64/mmu.h"
#include "kernel/boot.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include <asm/cpu.h>

#define GIB (1ull << 30)
#define KERNEL_PGD_FIRST 256

uint64_t x86_trampoline_cr3;
bool x86_la57;
static bool have_1g_pages;
static pt_entry_t *stack_area_pud;

static void map_or_die(unsigned long va, uint64_t pa, unsigned prot,
		       unsigned level)
{
	int err = mm_map_page(&init_mm, va, pa, prot, level);

	if (err)
		panic("paging: cannot map %#lx (level %u): %d", va, level, err);
}

/*
 * Kernel stacks of the other CPUs live in their own area, each with an
 * unmapped gap below it, so an overflow faults (and, with no stack left
 * for the page-fault frame, ends in a #DF on its IST stack: a report).
 */
#define STACK_AREA_BASE 0xffffc90000000000ul

unsigned long arch_map_stack(unsigned cpu, void *pages)
{
	unsigned long top = STACK_AREA_BASE + (2ul * cpu + 2) * KSTACK_SIZE;
	unsigned long base = top - KSTACK_SIZE;

	for (unsigned long off = 0; off < KSTACK_SIZE; off += PAGE_SIZE)
		map_or_die(base + off, virt_to_phys((char *)pages + off),
			   PROT_READ | PROT_WRITE, PT_PTE);
	return base;
}

static void map_direct(void)
{
	uint64_t top = 4 * GIB;

	for (unsigned i = 0; i < memblock.ram.n; i++)
		if (memblock.ram.r[i].end > top)
			top = memblock.ram.r[i].end;
	for (uint64_t pa = 0; pa < top;) {
		if (have_1g_pages && IS_ALIGNED(pa, GIB) && pa + GIB <= ALIGN_UP(top, GIB)) {
			map_or_die(DIRECT_MAP_BASE + pa, pa, PROT_READ | PROT_WRITE, PT_PUD);
			pa += GIB;
		} else {
			map_or_die(DIRECT_MAP_BASE + pa, pa, PROT_READ | PROT_WRITE, PT_PMD);
			pa += 2ull << 20;
		}
	}
}

extern char boot_stack_guard[];

/* The image in 4 KiB pages: text r-x, rodata r--, data and bss rw-. */
static void map_image(void)
{
	for (unsigned long va = (unsigned long)__kernel_start;
	     va < (unsigned long)__kernel_end; va += PAGE_SIZE) {
		unsigned prot = PROT_READ;

		if (va == (unsigned long)boot_stack_guard)
			continue;
		if (va >= (unsigned long)__text_start && va < (unsigned long)__text_end)
			prot |= PROT_EXEC;
		else if (va >= (unsigned long)__data_start)
			prot |= PROT_WRITE;
		map_or_die(va, va - KERNEL_VMA, prot, PT_PTE);
	}
}

/*
 * APs enable paging while running at the trampoline's physical address:
 * their first CR3 is the kernel's tables plus an identity map of the
 * first 2 MiB.  They switch to init_mm at once (ap_start).
 */
static void build_trampoline_pgd(void)
{
	pt_entry_t *pgd = pt_alloc_table(NULL, PT_PGD), *table = pgd;

	if (!pgd)
		panic("paging: no memory for the AP trampoline tables");
	for (unsigned i = KERNEL_PGD_FIRST; i < 512; i++)
		pgd[i] = init_mm.pgd[i];
	/* entry 0 at every level down to the pmd: va 0..2 MiB */
	for (unsigned l = PT_PGD; l != PT_PMD; l = pt_next_level(l)) {
		pt_entry_t *next = pt_alloc_table(NULL, pt_next_level(l));

		if (!next)
			panic("paging: no memory for the AP trampoline tables");
		table[0] = pt_mk_table(l, virt_to_phys(next), false);
		table = next;
	}
	table[0] = pt_mk_leaf(PT_PMD, 0, PROT_READ | PROT_WRITE | PROT_EXEC);
	x86_trampoline_cr3 = virt_to_phys(pgd);
}

/*
 * The entry a kernel address hangs from in the part every mm shares: the
 * top table's, or with LA57 the kernel p4d's (the PML5 shares just that
 * table).  *level: the entry's level.  NULL if that p4d does not exist.
 */
static pt_entry_t *kernel_shared_entry(unsigned long va, unsigned *level)
{
	pt_entry_t *top = &init_mm.pgd[pt_index(PT_PGD, va)];

	*level = PT_PGD;
	if (!x86_la57)
		return top;
	if (!pt_entry_is_table(PT_PGD, *top))
		return NULL;
	*level = PT_P4D;
	return (pt_entry_t *)phys_to_virt(pt_entry_pa(PT_PGD, *top)) +
	       pt_index(PT_P4D, va);
}

void arch_paging_init(void)
{
	uint32_t a, b, c, d;
	pt_entry_t *slot;
	unsigned level;

	cpuid(0x80000001, 0, &a, &b, &c, &d);
	have_1g_pages = d & (1u << 26);
	init_mm.top_level = PT_PGD;
	init_mm.pgd = pt_alloc_table(NULL, PT_PGD);
	if (!init_mm.pgd)
		panic("paging: no memory for the kernel's top table");
	map_direct();
	map_image();
	/* the stack area's pud table now: user mms copy the kernel's slots
	 * when they are created, later slots would not reach them */
	stack_area_pud = pt_alloc_table(NULL, PT_PUD);
	slot = kernel_shared_entry(STACK_AREA_BASE, &level);
	if (!stack_area_pud || !slot)
		panic("paging: no memory for the stack area");
	*slot = pt_mk_table(level, virt_to_phys(stack_area_pud), false);
	/* every kernel slot user mms will copy must exist from now on */
	for (unsigned i = 0; i < 2; i++) {
		unsigned long va = i ? KERNEL_VMA : DIRECT_MAP_BASE;

		slot = kernel_shared_entry(va, &level);
		if (!slot || pt_entry_is_none(level, *slot))
			panic("paging: kernel slot for %#lx missing", va);
	}
	build_trampoline_pgd();
	init_mm.hw_root = virt_to_phys(init_mm.pgd);
	write_cr3(init_mm.hw_root);
	printk("paging: kernel tables loaded (%u levels, direct map in %s pages, image W^X)\n",
	       x86_la57 ? 5 : 4, have_1g_pages ? "1 GiB" : "2 MiB");
}

int arch_mm_init(struct mm *mm)
{
	for (unsigned i = KERNEL_PGD_FIRST; i < 512; i++)
		mm->pgd[i] = init_mm.pgd[i];
	mm->hw_root = virt_to_phys(mm->pgd);
	return 0;
}

void arch_mm_release(struct mm *mm)
{
	for (unsigned i = KERNEL_PGD_FIRST; i < 512; i++)
		mm->pgd[i] = 0;
}

void arch_switch_mm(struct mm *mm)
{
	if (read_cr3() != mm->hw_root)
		write_cr3(mm->hw_root);
}

pt_entry_t arch_pt_clear(struct mm *mm, unsigned long va, unsigned level,
			 pt_entry_t *ep)
{
	(void)mm;
	(void)va;
	(void)level;
	return __atomic_exchange_n(ep, 0, __ATOMIC_ACQ_REL);
}

static void flush_all_local(void)
{
	uint64_t cr4 = read_cr4();

	/* toggling PGE drops global entries too */
	__asm__ __volatile__("mov %0, %%cr4; mov %1, %%cr4"
			     : : "r"(cr4 & ~0x80ull), "r"(cr4) : "memory");
}

#define INVLPG_MAX 32   /* beyond this many pages a full flush is cheaper */

void arch_flush_tlb_local(struct mm *mm, unsigned long start, unsigned long end)
{
	if (mm != &init_mm && read_cr3() != mm->hw_root)
		return;  /* not loaded here: no PCID, so nothing is cached */
	if ((end - start) / PAGE_SIZE > INVLPG_MAX) {
		if (mm == &init_mm)
			flush_all_local();
		else
			write_cr3(read_cr3());
		return;
	}
	for (unsigned long va = start; va < end; va += PAGE_SIZE)
		__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

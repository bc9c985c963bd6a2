/*
 * s390x DAT: the kernel's tables (an identity map of RAM, the image with
 * read-only text and rodata), address-space control elements, IPTE/IDTE
 * invalidation and page-table allocation.
 *
 * Layout (asm/pgtable.h): every ASCE designates a region-second table
 * whose entry 0 points to the kernel's region-third table (RAM below
 * 4 TiB, identity-mapped: virtual = real, so SCCBs, other CPUs' lowcores
 * and SIGP set prefix keep using the addresses they always used); user
 * space starts at 4 TiB.  The kernel runs in primary-space mode with the
 * loaded mm's ASCE in CR1 and touches user addresses directly, as x86-64
 * does.  Interruptions run with DAT on too (their new PSWs say so once
 * this CPU's DAT is enabled).
 */
#include "arch/s390x/s390x.h"
#include "kernel/boot.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include <asm/cpu.h>
#include <asm/lowcore.h>

#define MIB (1ul << 20)

bool s390_have_edat1, s390_have_iep;
static bool have_idte;          /* facility 3: DAT-enhancement 1 */
static uint64_t facility_list[4];

#define CR0_EDAT 0x0000000000800000ul   /* bit 40: enhanced-DAT enablement */
#define CR0_IEP  0x0000000000100000ul   /* bit 43: instruction-execution prot. */

bool s390_facility(unsigned nr)
{
	return nr < 64 * ARRAY_SIZE(facility_list) &&
	       (facility_list[nr / 64] >> (63 - nr % 64)) & 1;
}

/* STFL (bits 0-31, at 0xc8 of the lowcore), then STFLE where it exists. */
static void detect_facilities(void)
{
	uint32_t stfl;

	__asm__ __volatile__("stfl 0" : : : "memory");
	stfl = *(volatile uint32_t *)0xc8;
	facility_list[0] = (uint64_t)stfl << 32;
	if (stfl & (0x80000000u >> 7)) {
		register unsigned long r0 __asm__("0") = ARRAY_SIZE(facility_list) - 1;

		__asm__ __volatile__("stfle %0" : "=Q"(facility_list), "+d"(r0)
				     : : "cc", "memory");
	}
	have_idte = s390_facility(3);
	s390_have_edat1 = s390_facility(8);
	s390_have_iep = s390_facility(130);
}

/* The ASCE of @mm's top table (region-second, or region-first). */
uint64_t s390_asce(const struct mm *mm)
{
	return virt_to_phys(mm->pgd) | S390_ASCE_TL_FULL |
	       (mm->top_level == PT_PGD ? S390_ASCE_DT_R1 : S390_ASCE_DT_R2);
}

static void load_asce(uint64_t asce)
{
	/* primary and secondary: the kernel only uses primary space */
	__asm__ __volatile__("lctlg 1,1,%0\n\tlctlg 7,7,%0"
			     : : "QS"(asce) : "memory");
}

/*
 * This CPU's DAT: EDAT/IEP controls, the kernel's ASCE in CR1, CR7 and
 * CR13 (home), DAT on, and DAT on in every new PSW of its lowcore so that
 * interruptions see the same addresses as the code they interrupt.
 */
void s390_dat_enable_cpu(void)
{
	volatile struct psw_pair *new = (volatile struct psw_pair *)LC_RESTART_NEW_PSW;
	uint64_t cr0 = stctg(0), asce = init_mm.hw_root;
	unsigned char old;

	cr0 &= ~(CR0_EDAT | CR0_IEP);
	if (s390_have_edat1)
		cr0 |= CR0_EDAT;
	if (s390_have_iep)
		cr0 |= CR0_IEP;
	lctlg0(cr0);
	load_asce(asce);
	__asm__ __volatile__("lctlg 13,13,%0" : : "QS"(asce) : "memory");
	__asm__ __volatile__("stosm %0,0x04" : "=Q"(old) : : "memory");
	for (unsigned i = 0; i < 6; i++)
		new[i].mask |= PSW_MASK_DAT;
}

static void map_or_die(unsigned long va, uint64_t pa, unsigned prot,
		       unsigned level)
{
	int err = mm_map_page(&init_mm, va, pa, prot, level);

	if (err)
		panic("paging: cannot map %#lx (level %u): %d", va, level, err);
}

/* Protection of one 4 KiB page of the identity map. */
static unsigned page_prot(unsigned long pa)
{
	if (pa >= (unsigned long)__text_start && pa < (unsigned long)__text_end)
		return PROT_READ | PROT_EXEC;
	if (pa >= (unsigned long)__rodata_start && pa < (unsigned long)__data_start)
		return PROT_READ;
	return PROT_READ | PROT_WRITE;
}

/*
 * RAM, identity-mapped: 1 MiB leaves with EDAT-1, except the segments
 * that hold the image (and the lowcore), which get 4 KiB pages so text
 * and rodata can be read-only; without EDAT-1 (Hercules 3.13) 4 KiB pages
 * throughout.
 */
static uint64_t map_ram(void)
{
	uint64_t top = 0;
	unsigned long image_end = ALIGN_UP((unsigned long)__kernel_end, MIB);

	for (unsigned i = 0; i < memblock.ram.n; i++)
		if (memblock.ram.r[i].end > top)
			top = memblock.ram.r[i].end;
	top = ALIGN_UP(top, MIB);
	if (top > USER_VA_START)
		panic("paging: RAM up to %#llx does not fit below user space",
		      (unsigned long long)top);
	for (uint64_t seg = 0; seg < top; seg += MIB) {
		if (s390_have_edat1 && seg >= image_end) {
			map_or_die(seg, seg, PROT_READ | PROT_WRITE, PT_PMD);
			continue;
		}
		for (uint64_t pa = seg; pa < seg + MIB; pa += PAGE_SIZE)
			map_or_die(pa, pa, page_prot(pa), PT_PTE);
	}
	return top;
}

void arch_paging_init(void)
{
	pt_entry_t *r3;
	uint64_t top;

	detect_facilities();
	init_mm.top_level = PT_P4D;
	init_mm.pgd = pt_alloc_table(NULL, PT_P4D);
	r3 = pt_alloc_table(NULL, PT_PUD);
	if (!init_mm.pgd || !r3)
		panic("paging: no memory for the kernel's top tables");
	/* the entry every ASCE shares: fixed from here on */
	init_mm.pgd[0] = pt_mk_table(PT_P4D, virt_to_phys(r3), false);
	top = map_ram();
	init_mm.hw_root = s390_asce(&init_mm);
	s390_dat_enable_cpu();
	printk("paging: DAT on, region-second ASCE %#llx, RAM [0, %#llx) identity-mapped in %s pages, text read-only; EDAT-1 %s, IEP %s, IDTE %s\n",
	       (unsigned long long)init_mm.hw_root, (unsigned long long)top,
	       s390_have_edat1 ? "1 MiB" : "4 KiB",
	       s390_have_edat1 ? "yes" : "no", s390_have_iep ? "yes (data no-execute)" : "no",
	       have_idte ? "yes" : "no (CSP purge)");
}

int arch_mm_init(struct mm *mm)
{
	mm->pgd[0] = init_mm.pgd[0];
	mm->hw_root = s390_asce(mm);
	return 0;
}

static void reload_asce(void *arg)
{
	struct mm *mm = arg;

	if (this_cpu()->active_mm == mm)
		arch_switch_mm(mm);
}

/*
 * Upgrade to a region-first table when a region reaches past 8 PiB (Linux:
 * crst_table_upgrade).  The old region-second table becomes entry 0 of the
 * new top and stays the mm's (counted as a p4d table).  Under the mmap
 * lock (written), so no walk is under way; CPUs that have the mm loaded
 * get the new ASCE by a cross-call we do not wait for (we hold the lock),
 * and until then the old one still translates everything below 8 PiB —
 * an access above faults (ASCE type) and the fault reloads (traps.c).
 */
int arch_mm_grow(struct mm *mm, unsigned long end)
{
	cpumask_t others;
	unsigned long flags;
	pt_entry_t *r1;

	if (mm->top_level == PT_PGD || end <= S390_R2_LIMIT)
		return 0;
	r1 = pt_alloc_table(mm, PT_PGD);
	if (!r1)
		return -ENOMEM;
	r1[0] = pt_mk_table(PT_PGD, virt_to_phys(mm->pgd), true);
	flags = local_irq_save();
	WRITE_ONCE(mm->pgd, r1);
	WRITE_ONCE(mm->top_level, PT_PGD);
	WRITE_ONCE(mm->hw_root, s390_asce(mm));
	reload_asce(mm);
	others = mm->cpu_mask;
	cpumask_clear_cpu(&others, smp_processor_id());
	local_irq_restore(flags);
	if (!cpumask_empty(&others))
		smp_call_function_many(&others, reload_asce, mm, false);
	return 0;
}

void arch_mm_release(struct mm *mm)
{
	pt_entry_t *r2 = mm->pgd;

	if (mm->top_level == PT_PGD) {
		/* the old top under entry 0: take it out like any table */
		r2 = phys_to_virt(pt_entry_pa(PT_PGD, mm->pgd[0]));
		arch_pt_clear(mm, 0, PT_PGD, &mm->pgd[0]);
	}
	/* user translations are gone (IPTE/IDTE on teardown); the kernel's
	 * part is the same in every ASCE, so nothing cached can mislead */
	r2[0] = pt_entry_none(PT_P4D);
	if (r2 != mm->pgd)
		pt_free_table(mm, PT_P4D, r2);
}

void arch_switch_mm(struct mm *mm)
{
	if (stctg(1) != mm->hw_root)
		load_asce(mm->hw_root);
}

/*
 * IPTE: set the entry's invalid bit and purge the translation from the
 * TLB of every CPU (an architected broadcast).  QEMU looks the page up by
 * the whole virtual address, so it gets all of it.
 */
static void ipte(pt_entry_t *ep, unsigned long va)
{
	unsigned long pto = (unsigned long)ep & ~0x7fful;

	__asm__ __volatile__("ipte %[pto],%[va]"
			     : "+m"(*ep) : [pto] "a"(pto), [va] "a"(va) : "memory");
}

/*
 * IDTE: invalidate a region or segment entry and purge, on every CPU,
 * the TLB entries and cached table entries made through it.  R1 is the
 * origin and type of the table holding the entry, R2 the address it maps.
 * Without IDTE: set the invalid bit with CSP, whose purge bit clears
 * every CPU's TLB completely.
 */
static void idte(pt_entry_t *ep, unsigned long va, unsigned level)
{
	static const unsigned long dt[] = {
		0, S390_ASCE_DT_SEG, S390_ASCE_DT_R3, S390_ASCE_DT_R2, S390_ASCE_DT_R1,
	};
	unsigned long origin = (unsigned long)(ep - pt_index(level, va));
	unsigned long addr = va & ~((1ul << pt_level_shift(level)) - 1);

	if (have_idte) {
		__asm__ __volatile__("idte %[r1],0,%[r2]"
				     : "+m"(*ep)
				     : [r1] "a"(origin | dt[level]), [r2] "a"(addr)
				     : "memory");
	} else {
		uint32_t *low = (uint32_t *)ep + 1;
		register unsigned long even __asm__("2") = *low;
		register unsigned long odd __asm__("3") = *low | S390_RTE_I;

		__asm__ __volatile__("csp %[pair],%[addr]"
				     : [pair] "+d"(even), "+m"(*low)
				     : "d"(odd), [addr] "d"((unsigned long)low | 1)
				     : "cc", "memory");
	}
}

pt_entry_t arch_pt_clear(struct mm *mm, unsigned long va, unsigned level,
			 pt_entry_t *ep)
{
	pt_entry_t old = READ_ONCE(*ep);

	(void)mm;
	if (pt_entry_valid(level, old)) {
		if (level == PT_PTE)
			ipte(ep, va);
		else
			idte(ep, va, level);
	}
	WRITE_ONCE(*ep, pt_entry_none(level));
	return old;
}

/*
 * Every invalidation above already purged every CPU (ARCH_TLB_BROADCAST),
 * and invalid entries are never cached: nothing is left to flush here.
 */
void arch_flush_tlb_local(struct mm *mm, unsigned long start, unsigned long end)
{
	(void)mm;
	(void)start;
	(void)end;
}


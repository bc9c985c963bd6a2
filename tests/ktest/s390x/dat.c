/*
 * s390x DAT where it differs from x86-64: the ASCE and the table formats,
 * 2 KiB page tables, which translation exception names which missing
 * level, the kernel's identity map, and invalidation that reaches other
 * CPUs by itself (IPTE for page-table entries, IDTE for segment entries).
 *
 * Staleness: a CPU that cached a translation keeps it after the entry is
 * merely overwritten (observable on QEMU; Hercules flushes on any
 * interruption).  The tests report whether they saw that, and never need
 * it: what they require is that after IPTE/IDTE the other CPU faults.
 */
#include "arch/s390x/s390x.h"
#include "kernel/errno.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "mm/page_alloc.h"
#include "lib/string.h"
#include "tests/ktest/mm_helpers.h"
#include <asm/cpu.h>
#include <asm/irq.h>

#define TIB (1ul << 42)
#define GIB (1ul << 30)
#define MIB (1ul << 20)

static unsigned long test_base(void)
{
	return USER_VA_START + 3 * TIB + 5 * GIB;   /* 1 MiB aligned */
}

/* The ASCE, the entries of each level and the page table's placement. */
static void tables_and_asce(struct ktest *t)
{
	unsigned long va = test_base() + 0x1234000;
	struct mm *mm = test_mm_start(t);
	pt_entry_t r2e, r3e, ste, *r3, *sgt, *pgt;
	struct page *pg;

	KT_EXPECT_EQ(t, mm->top_level, (unsigned)PT_P4D);
	KT_EXPECT_EQ(t, mm->hw_root, virt_to_phys(mm->pgd) | 0x8 | 0x3);
	KT_EXPECT_EQ(t, stctg(1), mm->hw_root);          /* loaded */
	KT_EXPECT_EQ(t, (unsigned long)mm->pgd & 0x3fff, 0ul);
	KT_EXPECT_EQ(t, mm->pgd[0], init_mm.pgd[0]);      /* the kernel's */
	KT_EXPECT_EQ(t, mm->pgd[1], 0x28ull);            /* empty r2 entry */
	KT_ASSERT_EQ(t, mm_declare(mm, va, va + PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_ASSERT_EQ(t, touch_write(va, 7), 0);

	r2e = mm->pgd[pt_index(PT_P4D, va)];
	KT_EXPECT_EQ(t, r2e & 0x2f, 0x0bull);             /* valid, TT r2, TL 3 */
	r3 = phys_to_virt(pt_entry_pa(PT_P4D, r2e));
	KT_EXPECT_EQ(t, (unsigned long)r3 & 0x3fff, 0ul);
	KT_EXPECT_EQ(t, r3[0], 0x24ull);                  /* empty r3 entry */
	r3e = r3[pt_index(PT_PUD, va)];
	KT_EXPECT_EQ(t, r3e & 0x2f, 0x07ull);             /* valid, TT r3, TL 3 */
	sgt = phys_to_virt(pt_entry_pa(PT_PUD, r3e));
	KT_EXPECT_EQ(t, sgt[0], 0x20ull);                 /* empty segment entry */
	ste = sgt[pt_index(PT_PMD, va)];
	KT_EXPECT_EQ(t, ste & 0x7ff, 0ull);               /* valid, TT 0, no FC */
	pgt = phys_to_virt(pt_entry_pa(PT_PMD, ste));
	KT_EXPECT_EQ(t, (unsigned long)pgt & 0x7ff, 0ul); /* 2 KiB aligned */
	KT_EXPECT_EQ(t, pgt[0], 0x400ull);                /* empty pte */
	KT_EXPECT(t, pt_entry_is_leaf(PT_PTE, pgt[pt_index(PT_PTE, va)]));
	KT_EXPECT_EQ(t, pt_index(PT_PTE, va), 0x34u);

	/* one 2 KiB table at the start of its page, typed and counted */
	pg = virt_to_page(pgt);
	KT_ASSERT(t, pg != NULL);
	KT_EXPECT_EQ(t, pg->type, (unsigned)PG_PGTABLE);
	KT_EXPECT_EQ(t, page_address(pg), (void *)pgt);
	KT_EXPECT_EQ(t, pg->pt.level, (unsigned)PT_PTE);
	KT_EXPECT_EQ(t, pg->pt.nr_tables, 1u);
	KT_EXPECT(t, pg->pt.mm == mm);
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PTE], 1);
	KT_EXPECT_EQ(t, pt_table_bytes(PT_PTE), 2048ul);
	KT_EXPECT_EQ(t, pt_table_bytes(PT_PMD), 16384ul);
	ktest_printf(t, "asce %#llx, r2e %#llx, r3e %#llx, ste %#llx",
		     (unsigned long long)mm->hw_root, (unsigned long long)r2e,
		     (unsigned long long)r3e, (unsigned long long)ste);
	test_mm_end(mm);
}

/*
 * The exception names the first invalid level: region-second (0x3a),
 * region-third (0x3b), segment (0x10) or page (0x11), and the TEID the page.
 */
static void exception_per_level(struct ktest *t)
{
	unsigned long base = test_base();
	static const struct { unsigned long off; unsigned long code; } cases[] = {
		{ PAGE_SIZE, 0x11 },       /* same page table */
		{ MIB, 0x10 },             /* same segment table */
		{ 2 * GIB, 0x3b },         /* same region-third table */
		{ 8 * TIB, 0x3a },         /* another region-second entry */
	};
	struct mm *mm = test_mm_start(t);
	uint64_t v;

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_ASSERT_EQ(t, touch_write(base, 1), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long va = base + cases[i].off;

		KT_EXPECT_EQ(t, touch_read(va + 0x18, &v), -EFAULT);   /* no region */
		KT_EXPECT_EQ(t, last_fault()->code & 0x7f, cases[i].code);
		KT_EXPECT_EQ(t, last_fault()->addr, va);
	}
	/* read-only region: the store is a protection exception, not a fault
	 * the region allows */
	KT_ASSERT_EQ(t, mm_declare(mm, base + MIB, base + MIB + PAGE_SIZE, VM_READ), 0);
	KT_EXPECT_EQ(t, touch_read(base + MIB, &v), 0);
	KT_EXPECT_EQ(t, touch_write(base + MIB, 1), -EFAULT);
	KT_EXPECT_EQ(t, last_fault()->code & 0x7f, 0x04ul);
	KT_EXPECT_EQ(t, last_fault()->addr, base + MIB);
	test_mm_end(mm);
}

/* Lowcore, text, rodata, data: how the kernel's identity map has them. */
static void kernel_identity_map(struct ktest *t)
{
	static const uint64_t rodata_word = 1;
	static uint64_t data_word = 2;
	const struct { const void *va; unsigned prot; } cases[] = {
		{ (void *)0x200, PROT_READ | PROT_WRITE },          /* lowcore */
		{ (void *)&kernel_identity_map, PROT_READ | PROT_EXEC },
		{ &rodata_word, PROT_READ },
		{ &data_word, PROT_READ | PROT_WRITE },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t pa = 0;
		unsigned prot = 0;

		KT_EXPECT(t, mm_translate(&init_mm, (unsigned long)cases[i].va, &pa, &prot));
		KT_EXPECT_EQ(t, pa, (uint64_t)(uintptr_t)cases[i].va);
		KT_EXPECT_EQ(t, prot & (PROT_WRITE | PROT_EXEC | PROT_USER),
			     cases[i].prot & (PROT_WRITE | PROT_EXEC));
	}
	KT_EXPECT_EQ(t, (unsigned long)this_cpu(), *(unsigned long *)0x200);
}

/* With EDAT-1 RAM above the image is in 1 MiB leaves. */
static void kernel_map_uses_edat(struct ktest *t)
{
	unsigned long va = 255 * MIB;
	uint64_t pa;
	unsigned level;

	if (!pt_huge_supported())
		ktest_skip(t, "no EDAT-1 (facility 8): the identity map is in 4 KiB pages");
	if (!mm_translate(&init_mm, va, &pa, NULL))
		ktest_skip(t, "less than 256 MiB of RAM");
	KT_EXPECT(t, pt_entry_is_leaf(PT_PMD, *pt_walk(&init_mm, va, PT_PTE, &level)));
	KT_EXPECT_EQ(t, level, (unsigned)PT_PMD);
}

/*
 * CPU A (the test's) changes an entry that CPU B has just used, while B
 * spins with interruptions off (nothing flushes its TLB behind our back):
 * first by only overwriting the entry (B may or may not still see the old
 * page: reported, not required), then with arch_pt_clear (IPTE or IDTE),
 * after which B must fault.  The page is the test's own, mapped with no
 * region around it, so B's faults are refused instead of resolved.
 */
static struct {
	struct mm *mm;
	unsigned long va;
	unsigned level;            /* entry to change: PT_PTE or PT_PMD */
	volatile unsigned step;
	volatile int read_overwritten, read_cleared;
	volatile uint64_t v_overwritten;
} inv;

static void wait_step_of(volatile unsigned *step, unsigned s)
{
	uint64_t end = uptime_ms() + 10000;

	while (*step < s && uptime_ms() < end)
		cpu_relax();
}

static void wait_step(unsigned s)
{
	wait_step_of(&inv.step, s);
}

static void inv_reader(struct ktest *t)
{
	unsigned long flags;
	uint64_t v = 0;

	switch_mm(inv.mm);
	flags = local_irq_save();
	if (touch_read(inv.va, &v) || v != 0x5a5a)
		KT_FAIL(t, "reader: first read %#llx", (unsigned long long)v);
	inv.step = 1;
	wait_step(2);                       /* entry overwritten, no IPTE */
	v = 0;
	inv.read_overwritten = touch_read(inv.va, &v);
	inv.v_overwritten = v;
	inv.step = 3;
	wait_step(4);                       /* restored, read again */
	touch_read(inv.va, &v);
	inv.step = 5;
	wait_step(6);                       /* cleared with IPTE/IDTE */
	inv.read_cleared = touch_read(inv.va, &v);
	inv.step = 7;
	local_irq_restore(flags);
	switch_mm(NULL);
}

static void inv_job(struct ktest *t, void *arg)
{
	unsigned level;
	pt_entry_t *ep, saved;

	if (smp_processor_id() != t->cpu) {
		inv_reader(t);
		return;
	}
	ep = pt_walk(inv.mm, inv.va, inv.level, &level);
	saved = *ep;
	wait_step(1);
	WRITE_ONCE(*ep, pt_entry_none(inv.level));   /* no IPTE/IDTE: wrong */
	inv.step = 2;
	wait_step(3);
	WRITE_ONCE(*ep, saved);
	inv.step = 4;
	wait_step(5);
	KT_EXPECT_EQ(t, arch_pt_clear(inv.mm, inv.va, inv.level, ep), saved);
	KT_EXPECT_EQ(t, *ep, pt_entry_none(inv.level));
	inv.step = 6;
	wait_step(7);
	WRITE_ONCE(*ep, saved);                        /* for the teardown */
}

static void invalidate_on_other_cpu(struct ktest *t, unsigned level)
{
	uint64_t *page;
	cpumask_t two;

	if (nr_cpus_online < 2)
		ktest_skip(t, "needs 2 CPUs");
	memset(&inv, 0, sizeof(inv));
	inv.level = level;
	inv.va = test_base() + 7 * MIB + 5 * PAGE_SIZE;
	page = __get_free_pages(GFP_ZERO, 0);
	KT_ASSERT(t, page != NULL);
	*page = 0x5a5a;
	inv.mm = mm_create();
	if (!inv.mm)
		free_pages(page, 0);
	KT_ASSERT(t, inv.mm != NULL);
	KT_EXPECT_EQ(t, mm_map_page(inv.mm, inv.va, virt_to_phys(page),
				    PROT_READ | PROT_USER, PT_PTE), 0);
	ktest_pair_mask(t, &two);
	ktest_run_on(t, &two, inv_job, NULL, 30000);
	KT_EXPECT_EQ(t, inv.step, 7u);
	ktest_printf(t, "entry overwritten without invalidation: the other CPU %s",
		     inv.read_overwritten ? "faulted (nothing cached)" :
		     inv.v_overwritten == 0x5a5a ? "still read the page (stale TLB entry)" :
		     "read something else");
	ktest_metric(t, "stale_read_seen", !inv.read_overwritten, "bool");
	KT_EXPECT_EQ(t, inv.read_cleared, -EFAULT);
	mmput(inv.mm);           /* unmaps the page: not PG_USER, not freed */
	free_pages(page, 0);
}

static void ipte_reaches_other_cpus(struct ktest *t)
{
	invalidate_on_other_cpu(t, PT_PTE);
}

static void idte_reaches_other_cpus(struct ktest *t)
{
	invalidate_on_other_cpu(t, PT_PMD);
}

/*
 * A region past 8 PiB: the mm gets a region-first table on top (its entry
 * 0 the old region-second table), the new ASCE is loaded here and on the
 * other CPU that has the mm loaded, both reach old and new addresses, and
 * teardown leaves nothing behind.
 */
#define PIB (1ul << 50)

static struct {
	struct mm *mm;
	unsigned long low, high;
	volatile unsigned step;
	volatile uint64_t cr1_before, cr1_after, v_low, v_high;
	volatile int err_high;
} up;

static void upgrade_job(struct ktest *t, void *arg)
{
	uint64_t v = 0;

	if (smp_processor_id() == t->cpu) {
		wait_step_of(&up.step, 1);
		KT_EXPECT_EQ(t, mm_declare(up.mm, up.high, up.high + PAGE_SIZE,
					   VM_READ | VM_WRITE), 0);
		KT_EXPECT_EQ(t, touch_write(up.high, 0x4242), 0);
		up.step = 2;
		wait_step_of(&up.step, 3);
		switch_mm(NULL);
		return;
	}
	switch_mm(up.mm);
	up.cr1_before = stctg(1);
	touch_read(up.low, &v);
	up.v_low = v;
	up.step = 1;
	wait_step_of(&up.step, 2);
	up.err_high = touch_read(up.high, &v);   /* the new ASCE, IPI or not */
	up.v_high = v;
	up.cr1_after = stctg(1);
	up.step = 3;
	switch_mm(NULL);
}

static void region_first_upgrade(struct ktest *t)
{
	struct mm *mm = test_mm_start(t);
	long want[PT_NR_LEVELS];
	pt_entry_t *old_top = mm->pgd;
	uint64_t r2_asce = mm->hw_root;
	cpumask_t two;

	up.mm = mm;
	up.step = 0;
	up.low = test_base();
	up.high = 24 * PIB + 3 * TIB;
	KT_ASSERT_EQ(t, mm_declare(mm, up.low, up.low + PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_ASSERT_EQ(t, touch_write(up.low, 0x1717), 0);
	KT_EXPECT_EQ(t, mm->top_level, (unsigned)PT_P4D);
	if (nr_cpus_online < 2) {
		KT_ASSERT_EQ(t, mm_declare(mm, up.high, up.high + PAGE_SIZE, VM_READ | VM_WRITE), 0);
		KT_EXPECT_EQ(t, touch_write(up.high, 0x4242), 0);
	} else {
		ktest_pair_mask(t, &two);
		ktest_run_on(t, &two, upgrade_job, NULL, 30000);
		switch_mm(mm);
		KT_EXPECT_EQ(t, up.cr1_before, r2_asce);
		KT_EXPECT_EQ(t, up.cr1_after, mm->hw_root);
		KT_EXPECT_EQ(t, up.v_low, 0x1717ull);
		KT_EXPECT_EQ(t, up.err_high, 0);
		KT_EXPECT_EQ(t, up.v_high, 0x4242ull);
	}
	KT_EXPECT_EQ(t, mm->top_level, (unsigned)PT_PGD);
	KT_EXPECT_EQ(t, mm->hw_root, virt_to_phys(mm->pgd) | 0xc | 0x3);
	KT_EXPECT_EQ(t, stctg(1), mm->hw_root);
	KT_EXPECT_EQ(t, pt_entry_pa(PT_PGD, mm->pgd[0]), virt_to_phys(old_top));
	KT_EXPECT_EQ(t, mm->pgd[0] & 0x2f, 0x0full);   /* valid, TT r1, TL 3 */
	KT_EXPECT_EQ(t, mm->nr_tables[PT_PGD], 1);
	{
		unsigned long addrs[2] = { up.low, up.high };
		uint64_t v = 0;

		KT_EXPECT_EQ(t, touch_read(up.low, &v), 0);
		KT_EXPECT_EQ(t, v, 0x1717ull);
		expected_tables(mm, addrs, 2, want);
		expect_tables(t, mm, want);
	}
	/* beyond every region the fault is refused, at either height */
	KT_EXPECT_EQ(t, touch_write(up.high + 8 * PIB, 1), -EFAULT);
	KT_EXPECT_EQ(t, last_fault()->code & 0x7f, 0x39ul);   /* region-first */
	unmap_range(mm, USER_VA_START, USER_VA_END);
	empty_mm_tables(mm, want);
	KT_EXPECT_EQ(t, want[PT_P4D], 1l);
	expect_tables(t, mm, want);
	test_mm_end(mm);
}

static const struct ktest_case dat_cases[] = {
	KTEST_CASE(tables_and_asce),
	KTEST_CASE(exception_per_level),
	KTEST_CASE(kernel_identity_map),
	KTEST_CASE(kernel_map_uses_edat),
	KTEST_CASE(ipte_reaches_other_cpus),
	KTEST_CASE(idte_reaches_other_cpus),
	KTEST_CASE(region_first_upgrade),
	{ 0 },
};
KTEST_SUITE(s390x_dat, dat_cases);

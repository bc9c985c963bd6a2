#include "mm/pt_reclaim.h"
#include "mm/mm.h"
#include "kernel/cmdline.h"

bool pt_reclaim_enabled = true;
unsigned long pt_reclaimed_tables;

KERNEL_PARAM_BOOL("pt_reclaim", pt_reclaim_enabled,
		  "0|1: free pte tables a MADV_DONTNEED-style zap leaves empty");

/* Lock order: the pmd table's lock, then the pte table's. */
bool try_to_free_pte(struct mmu_gather *tlb, pt_entry_t *pmd_table,
		     unsigned long va)
{
	struct mm *mm = tlb->mm;
	pt_entry_t *pmdp = &pmd_table[pt_index(PT_PMD, va)];
	pt_entry_t pmd = READ_ONCE(*pmdp), *pte_table;
	unsigned long span = 1ul << pt_level_shift(PT_PMD);
	spinlock_t *pml, *ptl;
	bool freed = false;

	if (!pt_entry_is_table(PT_PMD, pmd))
		return false;
	pte_table = phys_to_virt(pt_entry_pa(PT_PMD, pmd));
	pml = pt_lock(mm, PT_PMD, pmd_table);
	ptl = pt_lock(mm, PT_PTE, pte_table);
	spin_lock(pml);
	if (ptl != pml)
		spin_lock(ptl);
	/* a fault holding the pte lock has finished filling it by now; one
	 * that comes later finds it unhooked and walks again */
	if (READ_ONCE(*pmdp) == pmd && pt_table_empty(PT_PTE, pte_table)) {
		arch_pt_clear(mm, ALIGN_DOWN(va, span), PT_PMD, pmdp);
		freed = true;
	}
	if (ptl != pml)
		spin_unlock(ptl);
	spin_unlock(pml);
	if (freed) {
		tlb_track_range(tlb, ALIGN_DOWN(va, span), ALIGN_DOWN(va, span) + span);
		tlb_remove_table(tlb, pte_table, PT_PTE);
		__atomic_fetch_add(&pt_reclaimed_tables, 1, __ATOMIC_RELAXED);
	}
	return freed;
}

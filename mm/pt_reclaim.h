/*
 * Reclaim of empty pte tables (seed 002): a zap that leaves a pte table
 * empty frees it at once, with the mmap lock held only for reading, while
 * faults may be filling it again.  The alternative the seed discusses — a
 * reference count per table, two atomics per mapping — is not needed: the
 * zap checks emptiness under the table's lock, and faults re-check under
 * that lock that the table is still hooked (mm/memory.c walk_lock).
 */
#ifndef PTLAB_MM_PT_RECLAIM_H
#define PTLAB_MM_PT_RECLAIM_H

#include "mm/mmu_gather.h"

/* If the pte table under @pmd_table's entry for @va is empty, unhook it
 * and queue it on @tlb; true if it did. */
bool try_to_free_pte(struct mmu_gather *tlb, pt_entry_t *pmd_table,
		     unsigned long va);

/* MADV_DONTNEED: zap [start, end) and free the pte tables left empty. */
void madvise_dontneed(struct mm *mm, unsigned long start, unsigned long end);

extern bool pt_reclaim_enabled;          /* pt_reclaim=0|1 */
extern unsigned long pt_reclaimed_tables;

#endif

/*
 * Reclaim of empty page tables (seed 002): a zap that leaves a pte table
 * empty frees it at once, with the mmap lock held only for reading, while
 * faults may be filling it again.  The alternative the seed discusses — a
 * reference count per table, two atomics per mapping — is not needed: the
 * zap checks emptiness under the table's lock, and faults re-check under
 * that lock that the table is still hooked (mm/memory.c walk_alloc and
 * walk_lock).  The same rule lets pt_reclaim.all_levels=1 free empty pmd,
 * pud and p4d tables too, which the seed thread names as the point of a
 * per-mm page-table lock over per-table counts.  pt_reclaim.detect=count
 * finds an empty pte table by its count of used entries (pte_used_count)
 * instead of reading them all.
 */
#ifndef PTLAB_MM_PT_RECLAIM_H
#define PTLAB_MM_PT_RECLAIM_H

#include "mm/mmu_gather.h"

/* If the table that @parent_table's entry for @va points to is empty,
 * unhook it and queue it on @tlb; true if it did. */
bool try_to_free_table(struct mmu_gather *tlb, pt_entry_t *parent_table,
		       unsigned parent_level, unsigned long va);

/* MADV_DONTNEED: zap [start, end) and free the pte tables left empty. */
void madvise_dontneed(struct mm *mm, unsigned long start, unsigned long end);

extern bool pt_reclaim_enabled;          /* pt_reclaim=0|1 */
extern bool pt_reclaim_all_levels;       /* pt_reclaim.all_levels=0|1 */
extern bool pt_reclaim_count;            /* pt_reclaim.detect=count */
extern unsigned long pt_reclaim_entries_read;   /* by emptiness scans */
extern unsigned long pt_reclaimed[PT_NR_LEVELS];   /* tables freed, by level */

#endif

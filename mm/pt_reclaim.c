#include "mm/pt_reclaim.h"
#include "mm/mm.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "lib/string.h"

bool pt_reclaim_enabled = true;
bool pt_reclaim_all_levels;
bool pt_reclaim_count;
unsigned long pt_reclaimed[PT_NR_LEVELS];
unsigned long pt_reclaim_entries_read;

KERNEL_PARAM_BOOL("pt_reclaim", pt_reclaim_enabled,
		  "0|1: free pte tables a MADV_DONTNEED-style zap leaves empty");
KERNEL_PARAM_BOOL("pt_reclaim.all_levels", pt_reclaim_all_levels,
		  "0|1: with pt_reclaim, free empty pmd/pud/p4d tables too");

static int set_detect(const char *v, size_t len)
{
	if (len == 4 && !memcmp(v, "scan", 4))
		pt_reclaim_count = false;
	else if (len == 5 && !memcmp(v, "count", 5))
		pt_reclaim_count = true;
	else
		return -EINVAL;
	return 0;
}
KERNEL_PARAM("pt_reclaim.detect", set_detect,
	     "scan|count: find an empty pte table by reading its entries, "
	     "or by its count of used entries");

/* Is @table empty?  Counts the entries a scan reads (for make bench). */
static bool table_is_empty(unsigned level, const pt_entry_t *table)
{
	size_t n = pt_table_bytes(level) / sizeof(pt_entry_t), i;

	if (level == PT_PTE && READ_ONCE(pt_reclaim_count))
		return *pte_used_count(table) == 0;
	for (i = 0; i < n && pt_entry_is_none(level, table[i]); i++)
		;
	__atomic_fetch_add(&pt_reclaim_entries_read, MIN(i + 1, n), __ATOMIC_RELAXED);
	return i == n;
}

/*
 * Lock order: the parent table's lock, then the child's (they are the same
 * lock above the pmd level).  A walker that installs an entry into a table
 * holds that table's lock and checks that the table is still hooked
 * (mm/memory.c), so a table found empty here under both locks stays empty.
 */
bool try_to_free_table(struct mmu_gather *tlb, pt_entry_t *parent_table,
		       unsigned parent_level, unsigned long va)
{
	struct mm *mm = tlb->mm;
	unsigned level = pt_next_level(parent_level);
	pt_entry_t *ep = &parent_table[pt_index(parent_level, va)];
	pt_entry_t e = READ_ONCE(*ep), *table;
	unsigned long span = 1ul << pt_level_shift(parent_level);
	unsigned long base = ALIGN_DOWN(va, span);
	spinlock_t *parent_lock, *lock;
	bool freed = false;

	if (!pt_entry_is_table(parent_level, e))
		return false;
	table = phys_to_virt(pt_entry_pa(parent_level, e));
	parent_lock = pt_lock(mm, parent_level, parent_table);
	lock = pt_lock(mm, level, table);
	spin_lock(parent_lock);
	if (lock != parent_lock)
		spin_lock(lock);
	if (READ_ONCE(*ep) == e && table_is_empty(level, table)) {
		arch_pt_clear(mm, base, parent_level, ep);
		freed = true;
	}
	if (lock != parent_lock)
		spin_unlock(lock);
	spin_unlock(parent_lock);
	if (freed) {
		/* paging-structure caches may still hold the table */
		tlb_track_range(tlb, base, base + span);
		tlb_remove_table(tlb, table, level);
		__atomic_fetch_add(&pt_reclaimed[level], 1, __ATOMIC_RELAXED);
	}
	return freed;
}

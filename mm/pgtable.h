/*
 * Page-table pages and tables, for every level of both MMUs.
 *
 * The life of a table page (seeds 000 and 004): pagetable_alloc() types the
 * page PG_PGTABLE, records level and owner and initialises the split lock;
 * pagetable_free() is the one place that frees it.  A small per-CPU cache
 * keeps freed single-page tables (poisoned while cached, zeroed when handed
 * out again); the leak check counts what it holds, and memory pressure
 * drains it.
 *
 * Tables are handed out as virtual addresses by pt_alloc_table(), which
 * also counts them per mm and per level (pt_release_table() uncounts): on
 * s390x two 2 KiB page tables may share one page (page_table_alloc()), so
 * a table is not always a whole ptdesc.
 */
#ifndef PTLAB_MM_PGTABLE_H
#define PTLAB_MM_PGTABLE_H

#include "mm/page.h"
#include <asm/pgtable.h>

struct mm;

/* Counters, per level, for the kernel's tables and for user mms. */
struct pt_counters {
	long tables[PT_NR_LEVELS];
	long bytes[PT_NR_LEVELS];
};
extern struct pt_counters pt_kernel_counters, pt_user_counters;

/* One table page for @level of @mm (NULL: the kernel's); NULL on OOM. */
struct ptdesc *pagetable_alloc(struct mm *mm, unsigned level);
/* Undo pagetable_alloc: checks (debug) that the table is empty. */
void pagetable_free(struct ptdesc *pt);

/* A table for @level of @mm, as a virtual address (see above). */
pt_entry_t *pt_alloc_table(struct mm *mm, unsigned level);
void pt_free_table(struct mm *mm, unsigned level, pt_entry_t *table);

/* Account a table of @level (+1/-1) to @mm's and the global counters. */
void pt_account(struct mm *mm, unsigned level, int delta);

/*
 * Freeing in two steps, for tables that must outlive their unhooking
 * (mmu_gather: after the TLB flush, after a grace period): the mm stops
 * counting the table when it is unhooked; the memory is counted until it is
 * released.  pt_free_table() does both at once.
 */
void pt_unhook_table(struct mm *mm, unsigned level);
void pt_release_table(bool user, unsigned level, pt_entry_t *table);
/* The same after a grace period; @table stays a valid table until then. */
void pt_release_table_rcu(bool user, unsigned level, pt_entry_t *table);

/* Is every entry of @table (at @level) empty? */
bool pt_table_empty(unsigned level, const pt_entry_t *table);
/* Debug check of a table being freed: one that still maps something is
 * reported and made empty. */
void pt_check_empty_on_free(unsigned level, pt_entry_t *table);

/*
 * The count of used entries of the pte table holding @ep (seed 002's
 * per-table count, without the references walkers would take: the
 * still-hooked re-check under the lock does their job).  Changed only under
 * the table's lock, by whoever sets or clears an entry.
 */
static inline uint16_t *pte_used_count(const pt_entry_t *ep)
{
	uintptr_t off = (uintptr_t)ep & (PAGE_SIZE - 1);

	return &virt_to_page(ep)->pt.pte_used[off / pt_table_bytes(PT_PTE)];
}

/* Pages sitting in the per-CPU table caches. */
unsigned long pt_cache_pages(void);
/* Give every cached table page back to the page allocator. */
void pt_cache_drain(void);
extern bool pt_cache_enabled;   /* pt_cache=0|1 */
extern unsigned long pt_cache_hits, pt_cache_misses;
#define PT_CACHE_MAX 8          /* pages per CPU */

/* Lock that guards the entries of @table (at @level) of @mm. */
spinlock_t *pt_lock(struct mm *mm, unsigned level, pt_entry_t *table);

/* Count of "table not empty when freed" reports (debug check). */
extern unsigned long pt_free_nonempty_reports;

#endif

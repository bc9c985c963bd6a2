/*
 * mmu_gather: tearing down a range in batches.  Cleared leaves and
 * unhooked tables are queued; one TLB flush (a shootdown if other CPUs
 * have the mm loaded) covers the whole batch, then the data pages are
 * freed, and the tables after a grace period — lockless walkers under
 * rcu_read_lock() or with interrupts off may still be reading them.
 *
 * Tables are queued in a page-sized batch.  When that page cannot be
 * allocated, each table goes alone (seed 003):
 *   tlb.single=rcu (default): through RCU, using the rcu_head in its ptdesc;
 *   tlb.single=ipi: the old x86 way, an IPI to every CPU and then a
 *     synchronous free — which waits for walkers with interrupts off but
 *     not for rcu_read_lock() walkers (the bug the seed fixes).
 */
#ifndef PTLAB_MM_MMU_GATHER_H
#define PTLAB_MM_MMU_GATHER_H

#include "mm/pgtable.h"
#include "kernel/rcu.h"

#define TLB_GATHER_PAGES 16   /* inline, until a batch page is allocated */

struct tlb_page_ref {
	struct page *page;
	uint8_t order;
};
#define TLB_PAGE_BATCH_MAX (PAGE_SIZE / sizeof(struct tlb_page_ref))

struct mmu_table_batch {
	struct rcu_head rcu;
	unsigned nr;
	struct {
		pt_entry_t *table;
		uint8_t level;
		bool user;
	} t[];
};

#define TLB_TABLE_BATCH_MAX \
	((PAGE_SIZE - sizeof(struct mmu_table_batch)) / \
	 sizeof(((struct mmu_table_batch *)0)->t[0]))

struct mmu_gather {
	struct mm *mm;
	unsigned long start, end;     /* to flush; start >= end: nothing */
	unsigned nr_pages, max_pages;
	struct tlb_page_ref *pages;   /* inline_pages, or a whole page */
	struct tlb_page_ref inline_pages[TLB_GATHER_PAGES];
	struct mmu_table_batch *batch;
};

enum { TLB_SINGLE_RCU, TLB_SINGLE_IPI };
extern unsigned tlb_single_table_mode;  /* tlb.single=rcu|ipi */
extern bool tlb_table_batching;         /* tlb.batch=0: always one by one */
/* Flush after this many pages at most (0: as many as fit); the bench
 * compares batched teardown with a flush per page. */
extern unsigned tlb_batch_pages_limit;

struct tlb_gather_stats {
	unsigned long batches_rcu;      /* table batches freed after a GP */
	unsigned long tables_batched;
	unsigned long tables_single_rcu;
	unsigned long tables_single_ipi;
	unsigned long pages_freed;
};
extern struct tlb_gather_stats tlb_gather_stats;

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm);
/* [start, end) holds cleared translations that must be flushed. */
void tlb_track_range(struct mmu_gather *tlb, unsigned long start,
		     unsigned long end);
/* Free this data block after the flush. */
void tlb_remove_page(struct mmu_gather *tlb, struct page *page,
		     unsigned order);
/* Free this (already unhooked) table after the flush and a grace period. */
void tlb_remove_table(struct mmu_gather *tlb, pt_entry_t *table,
		      unsigned level);
/* Flush now and free what can be freed. */
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);

#endif

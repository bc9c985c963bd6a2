#include "mm/mmu_gather.h"
#include "mm/mm.h"
#include "mm/page_alloc.h"
#include "mm/tlbflush.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/smp.h"
#include "lib/string.h"

unsigned tlb_single_table_mode = TLB_SINGLE_RCU;
bool tlb_table_batching = true;
unsigned tlb_batch_pages_limit;
struct tlb_gather_stats tlb_gather_stats;

static int set_single(const char *v, size_t len)
{
	if (len == 3 && !memcmp(v, "rcu", 3))
		tlb_single_table_mode = TLB_SINGLE_RCU;
	else if (len == 3 && !memcmp(v, "ipi", 3))
		tlb_single_table_mode = TLB_SINGLE_IPI;
	else
		return -EINVAL;
	return 0;
}
KERNEL_PARAM("tlb.single", set_single,
	     "rcu|ipi: how a table is freed when no batch page is available");
KERNEL_PARAM_BOOL("tlb.batch", tlb_table_batching,
		  "0|1: queue freed tables in page-sized batches (default 1)");

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm)
{
	tlb->mm = mm;
	tlb->start = ~0ul;
	tlb->end = 0;
	tlb->nr_pages = 0;
	tlb->pages = tlb->inline_pages;
	tlb->max_pages = TLB_GATHER_PAGES;
	tlb->batch = NULL;
}

void tlb_track_range(struct mmu_gather *tlb, unsigned long start,
		     unsigned long end)
{
	tlb->start = MIN(tlb->start, start);
	tlb->end = MAX(tlb->end, end);
}

static void flush_tlb_only(struct mmu_gather *tlb)
{
	if (tlb->start >= tlb->end)
		return;
	flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end);
	tlb->start = ~0ul;
	tlb->end = 0;
}

static void free_pages_now(struct mmu_gather *tlb)
{
	for (unsigned i = 0; i < tlb->nr_pages; i++) {
		tlb->pages[i].page->user.mapcount = 0;
		free_pages_typed(tlb->pages[i].page, tlb->pages[i].order, PG_USER,
				 (unsigned long)__builtin_return_address(0));
	}
	__atomic_fetch_add(&tlb_gather_stats.pages_freed, tlb->nr_pages,
			   __ATOMIC_RELAXED);
	tlb->nr_pages = 0;
}

void tlb_remove_page(struct mmu_gather *tlb, struct page *page, unsigned order)
{
	if (tlb->nr_pages == tlb->max_pages && tlb->pages == tlb->inline_pages) {
		/* more to gather: one page holds 256 references (no page:
		 * just flush more often) */
		struct tlb_page_ref *big = __get_free_pages(GFP_NOWARN, 0);

		if (big) {
			memcpy(big, tlb->pages, tlb->nr_pages * sizeof(*big));
			tlb->pages = big;
			tlb->max_pages = TLB_PAGE_BATCH_MAX;
		}
	}
	if (tlb->nr_pages == tlb->max_pages ||
	    (tlb_batch_pages_limit && tlb->nr_pages >= tlb_batch_pages_limit))
		tlb_flush_mmu(tlb);
	tlb->pages[tlb->nr_pages].page = page;
	tlb->pages[tlb->nr_pages].order = (uint8_t)order;
	tlb->nr_pages++;
}

static void free_batch_rcu(struct rcu_head *head)
{
	struct mmu_table_batch *b = container_of(head, struct mmu_table_batch, rcu);

	for (unsigned i = 0; i < b->nr; i++)
		pt_release_table(b->t[i].user, b->t[i].level, b->t[i].table);
	free_pages(b, 0);
}

static void ipi_nop(void *arg)
{
}

/*
 * No batch page: free this one table on its own, after flushing (the
 * flush makes sure no TLB or table cache still points into it).
 */
static void remove_table_one(struct mmu_gather *tlb, pt_entry_t *table,
			     unsigned level)
{
	struct ptdesc *pt = page_ptdesc(virt_to_page(table));

	flush_tlb_only(tlb);
	if (tlb_single_table_mode == TLB_SINGLE_IPI) {
		/* every CPU answers once it has interrupts on: no walker with
		 * interrupts off is left in the table — but an rcu_read_lock()
		 * walker with interrupts on may well be (seed 003) */
		smp_call_function_many(&cpu_online_mask, ipi_nop, NULL, true);
		__atomic_fetch_add(&tlb_gather_stats.tables_single_ipi, 1,
				   __ATOMIC_RELAXED);
		pt_release_table(pt->mm != NULL, level, table);
		return;
	}
	__atomic_fetch_add(&tlb_gather_stats.tables_single_rcu, 1,
			   __ATOMIC_RELAXED);
	pt_release_table_rcu(pt->mm != NULL, level, table);
}

void tlb_remove_table(struct mmu_gather *tlb, pt_entry_t *table, unsigned level)
{
	struct mm *owner = mm_is_kernel(tlb->mm) ? NULL : tlb->mm;

	pt_unhook_table(owner, level);
	if (!tlb->batch && tlb_table_batching) {
		tlb->batch = __get_free_pages(GFP_NOWARN, 0);
		if (tlb->batch)
			tlb->batch->nr = 0;
	}
	if (!tlb->batch) {
		remove_table_one(tlb, table, level);
		return;
	}
	tlb->batch->t[tlb->batch->nr].table = table;
	tlb->batch->t[tlb->batch->nr].level = (uint8_t)level;
	tlb->batch->t[tlb->batch->nr].user = owner != NULL;
	tlb->batch->nr++;
	__atomic_fetch_add(&tlb_gather_stats.tables_batched, 1, __ATOMIC_RELAXED);
	if (tlb->batch->nr == TLB_TABLE_BATCH_MAX)
		tlb_flush_mmu(tlb);
}

void tlb_flush_mmu(struct mmu_gather *tlb)
{
	flush_tlb_only(tlb);
	free_pages_now(tlb);
	if (tlb->batch) {
		__atomic_fetch_add(&tlb_gather_stats.batches_rcu, 1, __ATOMIC_RELAXED);
		call_rcu(&tlb->batch->rcu, free_batch_rcu);
		tlb->batch = NULL;
	}
}

void tlb_finish_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
	if (tlb->pages != tlb->inline_pages)
		free_pages(tlb->pages, 0);
	tlb->pages = tlb->inline_pages;
}

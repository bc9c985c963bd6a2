/*
 * The s390x page-table fragment allocator: a page table is 2 KiB, so two
 * share one 4 KiB page (seed 001).
 *
 * A page whose one half is free sits on a list of such pages (one for the
 * kernel's tables, one for user tables).  The list cannot run through the
 * ptdesc's list_head: that is where its rcu_head lives (it overlays the
 * list, as Linux's overlays lru), busy whenever a half waits for a grace
 * period.  So the list runs through the free half itself — free memory
 * nobody reads.
 *
 * Freeing a table that lockless walkers may still read (page_table_free_rcu,
 * Linux's pte_free_defer) leaves it alone — a valid, empty page table —
 * until a grace period has passed; the page's one rcu_head carries it.  If
 * the other half is freed the same way while that grace period runs, it is
 * marked to wait for the next one: the callback re-queues the rcu_head, so
 * each half gets a whole grace period that started after it was freed.
 *
 * frag.broken=1 (negative control only) puts a deferred half back on the
 * free list at once, as if the grace period were over.
 */
#include "mm/pgtable.h"
#include "mm/page_alloc.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/rcu.h"
#include "kernel/spinlock.h"
#include "lib/list.h"
#include "lib/string.h"

#define HALF 2048u

static spinlock_t frag_lock = SPINLOCK_INIT;
static LIST_HEAD(user_frags);
static LIST_HEAD(kernel_frags);
bool frag_broken;
unsigned long frag_pages_freed, frag_deferred;

KERNEL_PARAM_BOOL("frag.broken", frag_broken,
		  "1: deferred 2 KiB tables are reused at once (negative control)");

static unsigned half_of(const pt_entry_t *table)
{
	return ((uintptr_t)table & (PAGE_SIZE - 1)) ? 1 : 0;
}

static pt_entry_t *half_addr(struct ptdesc *pt, unsigned h)
{
	return (pt_entry_t *)((char *)page_address(ptdesc_page(pt)) + h * HALF);
}

/* The list node of a page with a free half lives in that half. */
static struct list_head *node_of(struct ptdesc *pt, unsigned h)
{
	return (struct list_head *)half_addr(pt, h);
}

static struct ptdesc *ptdesc_of_node(struct list_head *n)
{
	return page_ptdesc(virt_to_page(n));
}

static struct list_head *list_for(struct ptdesc *pt)
{
	return pt->mm ? &user_frags : &kernel_frags;
}

static void count_tables(struct ptdesc *pt)
{
	pt->nr_tables = (uint8_t)(!!(pt->frag_mask & PT_FRAG_USED(0)) +
				  !!(pt->frag_mask & PT_FRAG_USED(1)));
}

/*
 * A half has become free (frag_lock held).  Returns true when the whole
 * page is free now and the caller must give it back.
 */
static bool half_freed(struct ptdesc *pt, unsigned h)
{
	unsigned other = h ^ 1;
	unsigned busy_other = PT_FRAG_USED(other) | PT_FRAG_PENDING(other) |
			      PT_FRAG_NEXT(other);

	count_tables(pt);
	if (!(pt->frag_mask & busy_other)) {
		/* both halves free: the page goes */
		if (pt->frag_mask & PT_FRAG_LISTED(other))
			list_del(node_of(pt, other));
		pt->frag_mask &= ~PT_FRAG_LISTED(other);
		return true;
	}
	/* listed only while the other half holds a live table; while it
	 * waits for a grace period its callback settles the page */
	if (pt->frag_mask & PT_FRAG_USED(other)) {
		list_add(node_of(pt, h), list_for(pt));
		pt->frag_mask |= PT_FRAG_LISTED(h);
	}
	return false;
}

static void free_page_of(struct ptdesc *pt)
{
	pt->frag_mask = 0;
	pt->nr_tables = 1;   /* pagetable_free checks the lower half */
	pt_table_init(PT_PTE, page_address(ptdesc_page(pt)));
	__atomic_fetch_add(&frag_pages_freed, 1, __ATOMIC_RELAXED);
	pagetable_free(pt);
}

pt_entry_t *page_table_alloc(struct mm *mm)
{
	struct list_head *list = mm ? &user_frags : &kernel_frags;
	unsigned long flags = spin_lock_irqsave(&frag_lock);
	struct ptdesc *pt;
	pt_entry_t *table;
	unsigned h;

	if (!list_empty(list)) {
		struct list_head *n = list->next;

		list_del(n);
		pt = ptdesc_of_node(n);
		h = (struct list_head *)half_addr(pt, 0) == n ? 0 : 1;
		pt->frag_mask &= ~PT_FRAG_LISTED(h);
		pt->frag_mask |= PT_FRAG_USED(h);
		count_tables(pt);
		spin_unlock_irqrestore(&frag_lock, flags);
		table = half_addr(pt, h);
		pt_table_init(PT_PTE, table);
		return table;
	}
	spin_unlock_irqrestore(&frag_lock, flags);

	pt = pagetable_alloc(mm, PT_PTE);    /* initialises the lower half */
	if (!pt)
		return NULL;
	flags = spin_lock_irqsave(&frag_lock);
	pt->frag_mask = PT_FRAG_USED(0) | PT_FRAG_LISTED(1);
	count_tables(pt);
	list_add(node_of(pt, 1), list_for(pt));
	spin_unlock_irqrestore(&frag_lock, flags);
	return half_addr(pt, 0);
}

bool page_table_live(const pt_entry_t *table)
{
	struct ptdesc *pt = page_ptdesc(virt_to_page(table));

	return READ_ONCE(pt->frag_mask) & PT_FRAG_USED(half_of(table));
}

/* Free now: nobody can be reading @table (never published, or after a GP). */
void page_table_free(pt_entry_t *table)
{
	struct ptdesc *pt = page_ptdesc(virt_to_page(table));
	unsigned h = half_of(table);
	unsigned long flags = spin_lock_irqsave(&frag_lock);
	bool page_free;

	if (!(pt->frag_mask & PT_FRAG_USED(h))) {
		spin_unlock_irqrestore(&frag_lock, flags);
		report_bad_page(ptdesc_page(pt), MISUSE_DOUBLE_FREE,
				(unsigned long)__builtin_return_address(0),
				"2 KiB page table (half %u, mask %#x) freed twice",
				h, pt->frag_mask);
		return;
	}
	pt_check_empty_on_free(PT_PTE, table);
	pt->frag_mask &= ~PT_FRAG_USED(h);
	page_free = half_freed(pt, h);
	spin_unlock_irqrestore(&frag_lock, flags);
	if (page_free)
		free_page_of(pt);
}

static void frag_rcu(struct rcu_head *head)
{
	struct ptdesc *pt = container_of(head, struct ptdesc, rcu);
	unsigned long flags = spin_lock_irqsave(&frag_lock);
	bool page_free = false;

	for (unsigned h = 0; h < 2; h++) {
		if (!(pt->frag_mask & PT_FRAG_PENDING(h)))
			continue;
		pt->frag_mask &= ~PT_FRAG_PENDING(h);
		/* checked now, not when deferred: a walker must not have
		 * written into it during the grace period either */
		pt_check_empty_on_free(PT_PTE, half_addr(pt, h));
		page_free |= half_freed(pt, h);
	}
	if (pt->frag_mask & (PT_FRAG_NEXT(0) | PT_FRAG_NEXT(1))) {
		/* freed while this grace period ran: it needs the next one */
		unsigned next = pt->frag_mask & (PT_FRAG_NEXT(0) | PT_FRAG_NEXT(1));

		pt->frag_mask = (uint8_t)((pt->frag_mask & ~next) | next >> 2);
		spin_unlock_irqrestore(&frag_lock, flags);
		call_rcu(&pt->rcu, frag_rcu);
		return;
	}
	spin_unlock_irqrestore(&frag_lock, flags);
	if (page_free)
		free_page_of(pt);
}

void page_table_free_rcu(pt_entry_t *table)
{
	struct ptdesc *pt = page_ptdesc(virt_to_page(table));
	unsigned h = half_of(table);
	unsigned long flags;
	bool queue;

	if (frag_broken) {
		page_table_free(table);
		return;
	}
	flags = spin_lock_irqsave(&frag_lock);
	if (!(pt->frag_mask & PT_FRAG_USED(h))) {
		spin_unlock_irqrestore(&frag_lock, flags);
		report_bad_page(ptdesc_page(pt), MISUSE_DOUBLE_FREE,
				(unsigned long)__builtin_return_address(0),
				"2 KiB page table (half %u, mask %#x) deferred twice",
				h, pt->frag_mask);
		return;
	}
	pt->frag_mask &= ~PT_FRAG_USED(h);
	queue = !(pt->frag_mask & (PT_FRAG_PENDING(0) | PT_FRAG_PENDING(1)));
	pt->frag_mask |= queue ? PT_FRAG_PENDING(h) : PT_FRAG_NEXT(h);
	count_tables(pt);
	spin_unlock_irqrestore(&frag_lock, flags);
	__atomic_fetch_add(&frag_deferred, 1, __ATOMIC_RELAXED);
	if (queue)
		call_rcu(&pt->rcu, frag_rcu);
}

#include "mm/pgtable.h"
#include "mm/mm.h"
#include "mm/page_alloc.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/rcu.h"
#include "lib/string.h"

struct pt_counters pt_kernel_counters, pt_user_counters;
unsigned long pt_cache_hits, pt_cache_misses;
bool pt_cache_enabled = true;
unsigned long pt_free_nonempty_reports;

struct pt_cache {
	spinlock_t lock;
	struct list_head pages;
	unsigned count;
};
static struct pt_cache caches[MAX_CPUS];
static bool caches_ready;

KERNEL_PARAM_BOOL("pt_cache", pt_cache_enabled,
		  "0|1: per-CPU cache of ready page-table pages (default 1)");

static void caches_init(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		spin_lock_init(&caches[i].lock);
		INIT_LIST_HEAD(&caches[i].pages);
	}
	caches_ready = true;
}

/* The global counters say what memory holds tables (until really freed). */
static void account_global(bool user, unsigned level, int delta)
{
	struct pt_counters *c = user ? &pt_user_counters : &pt_kernel_counters;

	__atomic_fetch_add(&c->tables[level], delta, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->bytes[level], delta * (long)pt_table_bytes(level),
			   __ATOMIC_RELAXED);
}

/* An mm's counters say what its tree holds (until a table is unhooked). */
static void account_mm(struct mm *mm, unsigned level, int delta)
{
	if (mm)
		__atomic_fetch_add(&mm->nr_tables[level], delta, __ATOMIC_RELAXED);
}

void pt_account(struct mm *mm, unsigned level, int delta)
{
	account_global(mm != NULL, level, delta);
	account_mm(mm, level, delta);
}

void pt_unhook_table(struct mm *mm, unsigned level)
{
	account_mm(mm, level, -1);
}

static struct page *cache_get(void)
{
	unsigned long flags;
	struct pt_cache *c;
	struct page *page = NULL;

	if (!caches_ready || !READ_ONCE(pt_cache_enabled))
		return NULL;
	flags = local_irq_save();
	c = &caches[smp_processor_id()];
	spin_lock(&c->lock);
	if (!list_empty(&c->pages)) {
		page = list_first_entry(&c->pages, struct page, pt.list);
		list_del(&page->pt.list);
		c->count--;
	}
	spin_unlock(&c->lock);
	local_irq_restore(flags);
	return page;
}

/* Keep an empty single-page table for reuse; false when the cache is full. */
static bool cache_put(struct page *page)
{
	unsigned long flags;
	struct pt_cache *c;
	bool kept = false;

	if (!caches_ready || !READ_ONCE(pt_cache_enabled))
		return false;
	flags = local_irq_save();
	c = &caches[smp_processor_id()];
	spin_lock(&c->lock);
	if (c->count < PT_CACHE_MAX) {
		page->pt.level = PT_CACHED;
		page->pt.mm = NULL;
		list_add(&page->pt.list, &c->pages);
		c->count++;
		kept = true;
	}
	spin_unlock(&c->lock);
	local_irq_restore(flags);
	return kept;
}

unsigned long pt_cache_pages(void)
{
	unsigned long n = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++)
		n += READ_ONCE(caches[i].count);
	return n;
}

void pt_cache_drain(void)
{
	if (!caches_ready)
		return;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct pt_cache *c = &caches[i];

		for (;;) {
			unsigned long flags = spin_lock_irqsave(&c->lock);
			struct page *page = NULL;

			if (!list_empty(&c->pages)) {
				page = list_first_entry(&c->pages, struct page, pt.list);
				list_del(&page->pt.list);
				c->count--;
			}
			spin_unlock_irqrestore(&c->lock, flags);
			if (!page)
				break;
			free_pages_typed(page, 0, PG_PGTABLE,
					 (unsigned long)__builtin_return_address(0));
		}
	}
}
MEMORY_PRESSURE_HOOK(pt_cache_drain);

struct ptdesc *pagetable_alloc(struct mm *mm, unsigned level)
{
	unsigned long caller = (unsigned long)__builtin_return_address(0);
	size_t bytes = pt_table_bytes(level);
	unsigned order = 0;
	struct page *page = NULL;
	struct ptdesc *pt;

	if (!caches_ready)
		caches_init();
	while ((PAGE_SIZE << order) < bytes)
		order++;
	if (order == 0 && (page = cache_get())) {
		page_poison_check(page, caller);
		memset(page_address(page), 0, PAGE_SIZE);
		__atomic_fetch_add(&pt_cache_hits, 1, __ATOMIC_RELAXED);
	}
	if (!page) {
		page = alloc_pages_typed(GFP_ZERO, order, PG_PGTABLE, caller);
		__atomic_fetch_add(&pt_cache_misses, 1, __ATOMIC_RELAXED);
	}
	if (!page)
		return NULL;
	pt = page_ptdesc(page);
	INIT_LIST_HEAD(&pt->list);
	pt->mm = mm;
	pt->level = (uint8_t)level;
	pt->nr_tables = 1;
	pt->pte_used[0] = pt->pte_used[1] = 0;
	spin_lock_init(&pt->ptl);
	pt_table_init(level, page_address(page));
	return pt;
}

bool pt_table_empty(unsigned level, const pt_entry_t *table)
{
	size_t n = pt_table_bytes(level) / sizeof(pt_entry_t);

	for (size_t i = 0; i < n; i++)
		if (!pt_entry_is_none(level, table[i]))
			return false;
	return true;
}

void pt_check_empty_on_free(unsigned level, pt_entry_t *table)
{
	if (pt_table_empty(level, table))
		return;
	/* a table that still maps something: a use after free waiting to
	 * happen; report it (the caller frees it anyway, it has already
	 * forgotten it) */
	printk("pagetable_free: %s table at %p (pfn %#x) is not empty\n",
	       pt_level_name(level), table, virt_to_page(table)->pfn);
	dump_stack();
	__atomic_fetch_add(&pt_free_nonempty_reports, 1, __ATOMIC_RELAXED);
	ktest_report_problem("non-empty table freed");
	pt_table_init(level, table);
}

void pagetable_free(struct ptdesc *pt)
{
	struct page *page = ptdesc_page(pt);
	unsigned level = pt->level, order = page->order;

	if (page->type == PG_PGTABLE && level == PT_CACHED) {
		/* already freed once: it sits in a table cache */
		report_bad_page(page, MISUSE_DOUBLE_FREE,
				(unsigned long)__builtin_return_address(0),
				"page table freed twice (it is in the table cache)");
		return;
	}

	if (page->type == PG_PGTABLE && level < PT_NR_LEVELS)
		pt_check_empty_on_free(level, page_address(page));
	/* a single page waits in the cache, poisoned like a freed page so a
	 * walker that still reads it is caught (zeroed when handed out) */
	if (page->type == PG_PGTABLE && order == 0 && READ_ONCE(pt_cache_enabled)) {
		page_poison(page);
		if (cache_put(page))
			return;
	}
	free_pages_typed(page, order, PG_PGTABLE,
			 (unsigned long)__builtin_return_address(0));
}

pt_entry_t *pt_alloc_table(struct mm *mm, unsigned level)
{
	pt_entry_t *table;

#ifdef ARCH_PTE_FRAGMENTS
	if (level == PT_PTE)
		table = page_table_alloc(mm);
	else
#endif
	{
		struct ptdesc *pt = pagetable_alloc(mm, level);

		table = pt ? page_address(ptdesc_page(pt)) : NULL;
	}
	if (table) {
		pt_account(mm, level, +1);
		if (level == PT_PTE)
			*pte_used_count(table) = 0;
	}
	return table;
}

/* A pte table's count of used entries must be back to 0 when it goes. */
static void check_pte_count(unsigned level, pt_entry_t *table)
{
	uint16_t *count = pte_used_count(table);

	if (level != PT_PTE || !*count)
		return;
	printk("pt_release_table: pte table at %p freed with %u entries counted\n",
	       table, *count);
	dump_stack();
	__atomic_fetch_add(&pt_free_nonempty_reports, 1, __ATOMIC_RELAXED);
	ktest_report_problem("pte table freed with a used-entry count");
	*count = 0;
}

/*
 * Is @table a live table of @level?  A table freed twice (or not a table)
 * is reported here, before its counters are touched: they must stay true.
 */
static bool table_live(unsigned level, const pt_entry_t *table,
		       unsigned long caller)
{
	struct page *page = virt_to_page(table);
	bool live = page->type == PG_PGTABLE && page_ptdesc(page)->level == level;

#ifdef ARCH_PTE_FRAGMENTS
	if (live && level == PT_PTE)
		live = page_table_live(table);   /* its half, not the page */
#endif
	if (!live)
		report_bad_page(page, page->type == PG_PGTABLE ? MISUSE_DOUBLE_FREE :
				page_misuse_of(page->type), caller,
				"%s table at %p is not a live table (freed twice?)",
				pt_level_name(level), table);
	return live;
}

/* pt_release_table() for a table known to be live. */
static void release_table(bool user, unsigned level, pt_entry_t *table)
{
	check_pte_count(level, table);
	account_global(user, level, -1);
#ifdef ARCH_PTE_FRAGMENTS
	if (level == PT_PTE) {
		page_table_free(table);
		return;
	}
#endif
	pagetable_free(page_ptdesc(virt_to_page(table)));
}

static void release_table_rcu(struct rcu_head *head)
{
	struct ptdesc *pt = container_of(head, struct ptdesc, rcu);

	INIT_LIST_HEAD(&pt->list);
	pagetable_free(pt);
}

void pt_release_table_rcu(bool user, unsigned level, pt_entry_t *table)
{
	struct ptdesc *pt = page_ptdesc(virt_to_page(table));

	if (!table_live(level, table, (unsigned long)__builtin_return_address(0)))
		return;
	check_pte_count(level, table);
	account_global(user, level, -1);
#ifdef ARCH_PTE_FRAGMENTS
	if (level == PT_PTE) {
		page_table_free_rcu(table);   /* its half of a shared page */
		return;
	}
#endif
	pt->level = (uint8_t)level;
	call_rcu(&pt->rcu, release_table_rcu);
}

void pt_release_table(bool user, unsigned level, pt_entry_t *table)
{
	if (table_live(level, table, (unsigned long)__builtin_return_address(0)))
		release_table(user, level, table);
}

void pt_free_table(struct mm *mm, unsigned level, pt_entry_t *table)
{
	if (!table_live(level, table, (unsigned long)__builtin_return_address(0)))
		return;
	pt_unhook_table(mm, level);
	release_table(mm != NULL, level, table);
}

spinlock_t *pt_lock(struct mm *mm, unsigned level, pt_entry_t *table)
{
	/* split locks for the two busiest levels, one lock for the rest */
	if (level == PT_PTE || level == PT_PMD)
		return &virt_to_page(table)->pt.ptl;
	return &mm->page_table_lock;
}

/* Cached table pages are free memory in waiting: count them as free. */
static uint64_t read_free_and_cached(void)
{
	return nr_free_pages() + pt_cache_pages();
}
KTEST_INVARIANT("free pages (incl. table cache)", read_free_and_cached);

static uint64_t read_table_pages(void)
{
	return pt_user_counters.tables[PT_PTE] + pt_user_counters.tables[PT_PMD] +
	       pt_user_counters.tables[PT_PUD] + pt_user_counters.tables[PT_P4D] +
	       pt_user_counters.tables[PT_PGD];
}
KTEST_INVARIANT("user page tables", read_table_pages);

/*
 * The buddy page allocator: one zone of all RAM, free lists for orders
 * 0..MAX_ORDER-1, and per-CPU lists of order-0 pages in front of it.
 */
#ifndef PTLAB_MM_PAGE_ALLOC_H
#define PTLAB_MM_PAGE_ALLOC_H

#include "mm/page.h"

#define MAX_ORDER 11            /* blocks of up to 2^10 pages (4 MiB) */
BUILD_BUG_ON(MAX_ORDER - 1 > SECTION_SHIFT); /* a block never spans sections */

typedef unsigned gfp_t;
#define GFP_KERNEL   0u
#define GFP_ZERO     0x1u  /* hand out zeroed memory */
#define GFP_NOFAULT  0x2u  /* exempt from fault injection (infrastructure) */
#define GFP_NOPCP    0x4u  /* bypass the per-CPU lists (tests, figures) */
#define GFP_NOWARN   0x8u  /* no message when the allocation fails */

/*
 * Allocate 2^order contiguous pages, aligned to their size.  Returns NULL
 * when no block is free (after draining every CPU's list) or when fault
 * injection says so.  The pages are PG_KERNEL until free_pages().
 */
struct page *alloc_pages(gfp_t gfp, unsigned order);
void __free_pages(struct page *page, unsigned order);

/* Address-based forms, as Linux has them. */
void *__get_free_pages(gfp_t gfp, unsigned order);
void free_pages(void *addr, unsigned order);

/*
 * For the allocators of a purpose (page tables, slabs, user pages): the
 * block gets @type at allocation, and only a free with the same type is
 * accepted (seed 000: the type is set when the page is allocated, and
 * cleared in the one function that frees it for that purpose).
 */
struct page *alloc_pages_typed(gfp_t gfp, unsigned order, enum page_type type,
			       unsigned long caller);
bool free_pages_typed(struct page *page, unsigned order, enum page_type type,
		      unsigned long caller);

/* Misuse the allocator detects and reports (never silently absorbs). */
enum page_misuse {
	MISUSE_DOUBLE_FREE,
	MISUSE_WRONG_TYPE,
	MISUSE_NOT_BLOCK_START,
	MISUSE_WRONG_ORDER,
	MISUSE_RESERVED,
	MISUSE_INVALID,
	MISUSE_POISON,
	MISUSE_NR
};
unsigned long page_misuse_count(enum page_misuse kind);
/* What freeing a page of type @seen (not the expected one) is. */
enum page_misuse page_misuse_of(unsigned seen);
/* Report a bad page from any allocator: message, backtrace, counters. */
void report_bad_page(struct page *page, enum page_misuse kind,
		     unsigned long caller, const char *fmt, ...) __printf(4, 5);

/* Counters: free pages in the buddy lists plus every CPU's list. */
unsigned long nr_free_pages(void);
unsigned long nr_free_blocks(unsigned order);
unsigned long nr_managed_pages(void);
unsigned pcp_count(unsigned cpu);
/* Give this CPU's / every CPU's list back to the buddy lists. */
void drain_local_pages(void);
void drain_all_pages(void);

extern bool page_poisoning;     /* page_poison=0|1, default on */
/* Fill a page that is free in waiting (no-op without page_poisoning)... */
void page_poison(struct page *page);
/* ...and report a write into it when it is handed out again. */
void page_poison_check(struct page *page, unsigned long caller);
extern bool pcp_enabled;        /* page_alloc.pcp=0|1, default on */
#define PAGE_POISON 0x6b

/*
 * Caches of free-able pages register a hook; an allocation that would
 * fail runs them all (after draining the per-CPU lists) and tries again.
 * The section name is a C identifier so hosted builds get
 * __start_/__stop_ symbols from the linker.
 */
#define MEMORY_PRESSURE_HOOK(fn) \
	static void (*const __mph_##fn)(void) \
	__used __section("mm_pressure") __aligned(8) = fn

/* Per-CPU list sizes: refill/drain in batches of PCP_BATCH, keep <= high */
#define PCP_BATCH 16
#define PCP_HIGH  64

/* Boot: memmap for every RAM section, then every free page to the lists. */
void page_alloc_init(void);
/* Used by page_alloc_init (mm/memmap.c): empty lists, then boot ranges. */
void page_alloc_init_lists(void);
void page_alloc_free_boot_range(uint64_t start_pfn, uint64_t end_pfn);

/*
 * Check every invariant of the free lists (types, orders, alignment,
 * counters, full coalescing); returns the number of problems printed.
 */
unsigned page_alloc_check(void);

/* Totals recorded when memblock handed over (nothing may be lost). */
struct page_alloc_stats {
	unsigned long ram_pages;       /* every RAM page frame */
	unsigned long reserved_pages;  /* kept by memblock */
	unsigned long handed_over;     /* freed into the buddy lists */
	unsigned long memmap_bytes;
	unsigned long sections;
	unsigned long boot_free[MAX_ORDER]; /* per-order counts at handover */
};
extern struct page_alloc_stats page_alloc_stats;

#endif

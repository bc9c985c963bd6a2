/*
 * struct page: one per page frame, at most 64 bytes.  Its type says what the frame
 * is used for and selects the member of the union that is valid.  The
 * allocator of a purpose sets the type and only the matching free clears it
 * (seeds 000 and 004): freeing a frame through the wrong door is reported,
 * never silently accepted.
 */
#ifndef PTLAB_MM_PAGE_H
#define PTLAB_MM_PAGE_H

#include "kernel/compiler.h"
#include "kernel/spinlock.h"
#include "kernel/rcu_types.h"
#include "lib/list.h"
#include <asm/page.h>

enum page_type {
	PG_HOLE = 0,    /* no RAM behind this frame (memmap starts zeroed) */
	PG_RESERVED,    /* firmware, kernel image, boot data, memmap */
	PG_BUDDY,       /* head of a free block on a buddy list */
	PG_BUDDY_TAIL,  /* inside a free block */
	PG_PCP,         /* free order-0 page on a CPU's list */
	PG_KERNEL,      /* head of an alloc_pages() block */
	PG_TAIL,        /* inside an allocated block */
	PG_PGTABLE,     /* page-table page: struct ptdesc */
	PG_SLAB,        /* kmalloc slab or large kmalloc block */
	PG_USER,        /* anonymous user data page */
	PG_NR_TYPES
};

/* page->flags */
#define PGF_POISONED 0x0001u   /* filled with PAGE_POISON when freed */

struct mm;
struct kmem_cache;

/*
 * A page-table page (PG_PGTABLE).  Set up by pagetable_alloc(), torn down
 * only by pagetable_free().
 */
struct ptdesc {
	union {
		struct list_head list;  /* on a CPU's table cache while unused */
		struct rcu_head rcu;    /* waiting for a grace period to be freed
					 * (overlays list, as rcu_head overlays
					 * lru in Linux: seed 001) */
	};
	struct mm *mm;          /* owner; NULL for the kernel's tables */
	spinlock_t ptl;         /* split lock: guards the entries (pte, pmd) */
	uint8_t level;          /* PT_PTE .. PT_PGD; PT_CACHED in the cache */
	uint8_t nr_tables;      /* tables living in this page (s390x: 2 KiB) */
	uint8_t frag_mask;      /* s390x 2 KiB halves: PT_FRAG_* bits */
	uint16_t pte_used[2];   /* pte tables: entries in use, per 2 KiB half
				 * on s390x (pt_reclaim.detect=count); kept
				 * under ptl */
};

/* ptdesc->frag_mask, bit 0 = the lower 2 KiB half, bit 1 = the upper */
#define PT_FRAG_USED(h)    (0x01u << (h))  /* a live table */
#define PT_FRAG_PENDING(h) (0x04u << (h))  /* freed, its grace period runs */
#define PT_FRAG_NEXT(h)    (0x10u << (h))  /* freed, waits for the next one */
#define PT_FRAG_LISTED(h)  (0x40u << (h))  /* free, on the fragment list */

#define PT_CACHED 0xff

struct page {
	uint8_t type;           /* enum page_type */
	uint8_t order;          /* block order, valid on block heads */
	uint16_t flags;
	uint32_t pfn;
	union {
		struct list_head free;       /* PG_BUDDY, PG_PCP */
		uint32_t head_pfn;           /* PG_TAIL */
		unsigned long alloc_caller;  /* PG_KERNEL */
		struct ptdesc pt;            /* PG_PGTABLE */
		struct {                     /* PG_SLAB */
			struct kmem_cache *cache; /* NULL: large kmalloc */
			struct list_head list;
			uint16_t inuse;
			uint64_t used[2];    /* object bitmap */
		} slab;
		struct {                     /* PG_USER */
			uint32_t mapcount;
		} user;
	};
};

BUILD_BUG_ON(sizeof(struct page) > 64);  /* memmap cost: <= 1.6% of RAM */

const char *page_type_name(unsigned type);

/* memmap lookup: sections of SECTION_PAGES frames, up to MAX_PHYS_BITS */
#define SECTION_SHIFT  13                     /* 32 MiB of 4 KiB pages */
#define SECTION_PAGES  (1ul << SECTION_SHIFT)
#define MAX_PHYS_BITS  36                     /* 64 GiB */
#define NR_SECTIONS    (1ul << (MAX_PHYS_BITS - PAGE_SHIFT - SECTION_SHIFT))

/* Indexed by section: memmap pointer biased so that [pfn] works. */
extern struct page *section_memmap[NR_SECTIONS];

static inline bool pfn_valid(uint64_t pfn)
{
	uint64_t sec = pfn >> SECTION_SHIFT;

	return sec < NR_SECTIONS && section_memmap[sec];
}

/* NULL when no memmap covers @pfn. */
static inline struct page *pfn_to_page(uint64_t pfn)
{
	return pfn_valid(pfn) ? &section_memmap[pfn >> SECTION_SHIFT][pfn] : NULL;
}

static inline uint64_t page_to_pfn(const struct page *page)
{
	return page->pfn;
}

static inline void *page_address(const struct page *page)
{
	return phys_to_virt((uint64_t)page->pfn << PAGE_SHIFT);
}

static inline struct page *virt_to_page(const void *va)
{
	return pfn_to_page(virt_to_phys(va) >> PAGE_SHIFT);
}

static inline struct ptdesc *page_ptdesc(struct page *page)
{
	return &page->pt;
}

static inline struct page *ptdesc_page(struct ptdesc *pt)
{
	return container_of(pt, struct page, pt);
}

#endif

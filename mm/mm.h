/*
 * Address spaces.  A struct mm owns a tree of page tables whose top table
 * shares the kernel's mappings, a list of declared regions (vmas), and the
 * set of CPUs that currently have it loaded.
 */
#ifndef PTLAB_MM_MM_H
#define PTLAB_MM_MM_H

#include "kernel/cpumask.h"
#include "kernel/rwlock.h"
#include "kernel/spinlock.h"
#include "lib/list.h"
#include "mm/pgtable.h"

/* vma flags */
#define VM_READ  PROT_READ
#define VM_WRITE PROT_WRITE
#define VM_EXEC  PROT_EXEC
#define VM_HUGE  0x100u   /* fault in huge pages where aligned */

struct vma {
	unsigned long start, end;
	unsigned flags;
	struct list_head node;
};

struct mm {
	pt_entry_t *pgd;            /* top table (level top_level) */
	unsigned top_level;
	uint64_t hw_root;           /* what the MMU is loaded with (CR3/ASCE) */
	uint32_t users;             /* mmget/mmput: the address space lives */
	uint32_t grabs;             /* mmgrab/mmdrop: the struct lives */
	rwlock_t mmap_lock;         /* vmas; read for faults, write to change */
	spinlock_t page_table_lock; /* upper-level entries */
	struct list_head vmas;      /* sorted, non-overlapping */
	cpumask_t cpu_mask;         /* CPUs that have loaded it */
	long nr_tables[PT_NR_LEVELS];
	unsigned long rss;          /* data pages mapped (4 KiB units) */
	unsigned long faults;
};

/* Faults that found their table unhooked by a reclaim and walked again. */
extern unsigned long mm_fault_retries;

/* The kernel's own address space (its tables count as kernel tables). */
extern struct mm init_mm;

static inline bool mm_is_kernel(const struct mm *mm)
{
	return mm == &init_mm;
}

/* Set up init_mm and the kernel's tables (after the page allocator). */
void paging_init(void);

/* A new address space with an empty user part; NULL on OOM. */
struct mm *mm_create(void);
void mmget(struct mm *mm);
/* Drop a user: the last one tears the address space down (exit_mmap). */
void mmput(struct mm *mm);
void mmgrab(struct mm *mm);
void mmdrop(struct mm *mm);

/* Declare [start, end) as an anonymous region; -EINVAL on overlap/range. */
int mm_declare(struct mm *mm, unsigned long start, unsigned long end,
	       unsigned flags);

/* Load @mm on this CPU (NULL: back to the kernel's tables). */
void switch_mm(struct mm *mm);
/* The address space loaded on this CPU. */
struct mm *current_mm(void);

/*
 * Resolve a fault at @addr in @mm: allocate any missing table and a zeroed
 * page under the right locks.  0, -EFAULT (no region or not permitted) or
 * -ENOMEM.  @write: a store; @exec: an instruction fetch.
 */
int handle_mm_fault(struct mm *mm, unsigned long addr, bool write, bool exec);

/* Unmap and free the data pages of [start, end); keep the tables. */
void zap_range(struct mm *mm, unsigned long start, unsigned long end);
/* zap_range, then drop the regions and free the tables no region needs. */
void unmap_range(struct mm *mm, unsigned long start, unsigned long end);

/* Map one existing frame (tests): -EEXIST if something is there. */
int mm_map_page(struct mm *mm, unsigned long va, uint64_t pa, unsigned prot,
		unsigned level);

/*
 * Walk @mm to @va: the entry at the lowest level reached (a leaf, an empty
 * entry, or the entry at @stop_level), its level in *level_out.
 */
pt_entry_t *pt_walk(struct mm *mm, unsigned long va, unsigned stop_level,
		    unsigned *level_out);

/* Print the tables of [from, to): one line per table and per entry run. */
void pt_dump(struct mm *mm, unsigned long from, unsigned long to);

/* Translate @va in @mm like the MMU would; false if not mapped. */
bool mm_translate(struct mm *mm, unsigned long va, uint64_t *pa,
		  unsigned *prot);

/* --- architecture hooks (arch/<a>/mmu.c) --- */

/* Build the kernel's tables (direct map, image with W^X) and load them. */
void arch_paging_init(void);
/* Fill a new mm's top table with the kernel's part; set hw_root. */
int arch_mm_init(struct mm *mm);
/*
 * A region up to @end is being declared (mmap_lock held for writing): grow
 * the address space if its top table cannot reach that far (s390x: a
 * region-first table on top).  0 or -ENOMEM.  Default: nothing to do.
 */
int arch_mm_grow(struct mm *mm, unsigned long end);
/* Before the top table is freed. */
void arch_mm_release(struct mm *mm);
/* Load @mm's tables on this CPU. */
void arch_switch_mm(struct mm *mm);
/*
 * Clear the entry at @ep (level @level, mapping @va of @mm) and return what
 * it held.  The translation may stay in this or other CPUs' TLBs until the
 * range is flushed (x86-64), or is already gone everywhere (s390x IPTE).
 */
pt_entry_t arch_pt_clear(struct mm *mm, unsigned long va, unsigned level,
			 pt_entry_t *ep);
/* Flush this CPU's TLB for [start, end) of @mm (tables included). */
void arch_flush_tlb_local(struct mm *mm, unsigned long start,
			  unsigned long end);

#endif

/*
 * z/Architecture DAT behind the generic page-table interface.
 *
 * Levels carry Linux's names (0 pte, 1 pmd, 2 pud, 3 p4d, 4 pgd) and map
 * onto the hardware tables as Linux maps them:
 *   pgd = region-first table  (entry: 8 PiB, address bits 0-10)
 *   p4d = region-second table (entry: 4 TiB, bits 11-21)
 *   pud = region-third table  (entry: 2 GiB, bits 22-32)
 *   pmd = segment table       (entry: 1 MiB, bits 33-43)
 *   pte = page table          (entry: 4 KiB, bits 44-51)
 * Region and segment tables ("CRST") have 2048 entries, 16 KiB (an order-2
 * allocation; the ASCE/entry TL field 3 says all four 4 KiB quarters are
 * valid); a page table has 256 entries, 2 KiB, and must be 2 KiB aligned.
 *
 * Address spaces (arch/s390x/mmu.c): an ASCE designates a region-second
 * table (8 PiB) whose entry 0 points to the kernel's region-third table,
 * the identity map of RAM below 4 TiB, shared by all ASCEs; user space
 * starts at 4 TiB, so no user table ever shares a table with the kernel.
 * A region that reaches past 8 PiB gets the mm a region-first table on top
 * (arch_mm_grow: its entry 0 is the old region-second table), for user
 * space up to 8 EiB.
 *
 * Invalid entries are not zero: region entries 0x20 plus their table type,
 * segment entries 0x20, page-table entries 0x400.  pt_table_init fills a
 * new table with them (a zeroed table would be all valid entries).
 */
#ifndef PTLAB_ASM_PGTABLE_H
#define PTLAB_ASM_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/page.h>

typedef uint64_t pt_entry_t;

enum { PT_PTE, PT_PMD, PT_PUD, PT_P4D, PT_PGD, PT_NR_LEVELS };

/* generic protection bits */
#define PROT_READ  1u
#define PROT_WRITE 2u
#define PROT_EXEC  4u
#define PROT_USER  8u   /* a user mapping (s390x: software bit only) */

/* page-table entry (Principles of Operation, "Page-Table Entries") */
#define S390_PTE_ORIGIN   (~0xfffull)
#define S390_PTE_ZERO     0x800ull   /* bit 52: must be 0 */
#define S390_PTE_I        0x400ull   /* invalid */
#define S390_PTE_P        0x200ull   /* DAT protection */
#define S390_PTE_IEP      0x100ull   /* no-execute (IEP facility only) */
#define S390_PTE_SW_USER  0x002ull   /* bits 56-63 are the program's */
#define S390_PTE_SW_EXEC  0x004ull

/* segment-table entry */
#define S390_STE_PT_ORIGIN (~0x7ffull)     /* page table, 2 KiB aligned */
#define S390_STE_SFAA      (~0xfffffull)   /* EDAT-1 large page frame */
#define S390_STE_FC        0x400ull   /* format control: a 1 MiB leaf */
#define S390_STE_P         0x200ull
#define S390_STE_IEP       0x100ull
#define S390_STE_I         0x020ull
/* in a large STE, bits 44-51 are ignored while bit 47 (ACCF valid) is 0 */
#define S390_STE_SW_USER   0x4000ull
#define S390_STE_SW_EXEC   0x2000ull

/* region-table entries (and the ASCE: same origin, type and length) */
#define S390_RTE_ORIGIN    (~0xfffull)
#define S390_RTE_I         0x020ull
#define S390_RTE_TT_R1     0x00cull
#define S390_RTE_TT_R2     0x008ull
#define S390_RTE_TT_R3     0x004ull
#define S390_RTE_TT_MASK   0x00cull
#define S390_RTE_TL_FULL   0x003ull   /* next table: all 2048 entries */

#define S390_ASCE_DT_R1    0x00cull
#define S390_ASCE_DT_R2    0x008ull
#define S390_ASCE_DT_R3    0x004ull
#define S390_ASCE_DT_SEG   0x000ull
#define S390_ASCE_TL_FULL  0x003ull

/* User space: above the kernel's 4 TiB region; past 8 PiB (the reach of
 * a region-second table) with a region-first table; half of what that
 * reaches, so no address computation in generic code wraps. */
#define USER_VA_START 0x0000040000000000ul
#define USER_VA_END   0x8000000000000000ul
#define S390_R2_LIMIT 0x0020000000000000ul

/* Every bit of a 64-bit address is translated: no canonical form. */
#define PT_VA_BITS 64

static inline unsigned long pt_va_canon(unsigned long va)
{
	return va;
}

/* Huge leaves: 1 MiB segment leaves with EDAT-1. */
#define PT_HUGE_LEVEL PT_PMD

/* CPU facilities, found by arch/s390x/mmu.c before the first table. */
extern bool s390_have_edat1;   /* facility 8: 1 MiB segment leaves */
extern bool s390_have_iep;     /* facility 130: no-execute bits */

static inline unsigned pt_level_shift(unsigned level)
{
	static const unsigned char shifts[] = { 12, 20, 31, 42, 53 };

	return shifts[level];
}

static inline unsigned pt_level_entries(unsigned level)
{
	return level == PT_PTE ? 256 : 2048;
}

/* Bytes of one table at @level: 2 KiB page tables, 16 KiB CRSTs. */
static inline size_t pt_table_bytes(unsigned level)
{
	return level == PT_PTE ? 2048 : 16384;
}

/* No level is folded: region-first is there when an mm needs it. */
static inline unsigned pt_next_level(unsigned level)
{
	return level - 1;
}

static inline const char *pt_level_name(unsigned level)
{
	static const char *const names[] = { "pte", "pmd", "pud", "p4d", "pgd" };

	return names[level];
}

static inline unsigned pt_index(unsigned level, unsigned long va)
{
	return (unsigned)(va >> pt_level_shift(level)) & (pt_level_entries(level) - 1);
}

/* The empty (invalid) entry of a table at @level. */
static inline pt_entry_t pt_entry_none(unsigned level)
{
	static const pt_entry_t empty[] = {
		S390_PTE_I, S390_STE_I, S390_RTE_I | S390_RTE_TT_R3,
		S390_RTE_I | S390_RTE_TT_R2, S390_RTE_I | S390_RTE_TT_R1,
	};

	return empty[level];
}

/*
 * None: the empty pattern.  A region or segment entry is none as soon as
 * its invalid bit is set: IDTE sets that bit first and arch_pt_clear
 * writes the pattern after, and a lockless walk (walk_alloc, seed 002's
 * reclaim racing faults) that sees the entry in between must take it for
 * empty — it allocates, then re-checks under the lock the clearer holds.
 * A page-table entry is only ever cleared under its table's lock.
 */
static inline bool pt_entry_is_none(unsigned level, pt_entry_t e)
{
	if (level == PT_PTE)
		return e == S390_PTE_I;
	return e & S390_RTE_I;
}

static inline bool pt_entry_valid(unsigned level, pt_entry_t e)
{
	return !(e & (level == PT_PTE ? S390_PTE_I : S390_RTE_I));
}

static inline bool pt_entry_is_leaf(unsigned level, pt_entry_t e)
{
	if (!pt_entry_valid(level, e))
		return false;
	return level == PT_PTE || (level == PT_PMD && (e & S390_STE_FC));
}

static inline bool pt_entry_is_table(unsigned level, pt_entry_t e)
{
	return level != PT_PTE && pt_entry_valid(level, e) &&
	       !(level == PT_PMD && (e & S390_STE_FC));
}

static inline uint64_t pt_entry_pa(unsigned level, pt_entry_t e)
{
	switch (level) {
	case PT_PTE:
		return e & S390_PTE_ORIGIN;
	case PT_PMD:
		return e & (e & S390_STE_FC ? S390_STE_SFAA : S390_STE_PT_ORIGIN);
	default:
		return e & S390_RTE_ORIGIN;
	}
}

/* An entry at @level pointing to the table at @table_pa (one level down). */
static inline pt_entry_t pt_mk_table(unsigned level, uint64_t table_pa,
				     bool user)
{
	static const pt_entry_t type[] = {
		0, 0, S390_RTE_TT_R3 | S390_RTE_TL_FULL,
		S390_RTE_TT_R2 | S390_RTE_TL_FULL, S390_RTE_TT_R1 | S390_RTE_TL_FULL,
	};

	(void)user;  /* no user bit: the kernel runs in the user's space */
	return table_pa | type[level];
}

/* A leaf: a 4 KiB page (pte) or, with EDAT-1, a 1 MiB segment (pmd). */
static inline pt_entry_t pt_mk_leaf(unsigned level, uint64_t pa, unsigned prot)
{
	bool pte = level == PT_PTE;
	pt_entry_t e = pa;

	if (!pte)
		e |= S390_STE_FC;
	if (!(prot & PROT_WRITE))
		e |= pte ? S390_PTE_P : S390_STE_P;
	if (prot & PROT_EXEC)
		e |= pte ? S390_PTE_SW_EXEC : S390_STE_SW_EXEC;
	else if (s390_have_iep)
		e |= pte ? S390_PTE_IEP : S390_STE_IEP;
	if (prot & PROT_USER)
		e |= pte ? S390_PTE_SW_USER : S390_STE_SW_USER;
	return e;
}

static inline unsigned pt_entry_prot(unsigned level, pt_entry_t e)
{
	bool pte = level == PT_PTE;

	return PROT_READ |
	       (e & (pte ? S390_PTE_P : S390_STE_P) ? 0 : PROT_WRITE) |
	       (e & (pte ? S390_PTE_SW_EXEC : S390_STE_SW_EXEC) ? PROT_EXEC : 0) |
	       (e & (pte ? S390_PTE_SW_USER : S390_STE_SW_USER) ? PROT_USER : 0);
}

/* Reference and change are in the storage keys, not in the entries. */
static inline bool pt_entry_young(pt_entry_t e) { (void)e; return true; }
static inline bool pt_entry_dirty(pt_entry_t e) { (void)e; return true; }

/* IPTE and IDTE purge the TLBs of every CPU: no shootdown IPIs. */
#define ARCH_TLB_BROADCAST 1

static inline bool pt_huge_supported(void)
{
	return s390_have_edat1;
}

/* Fill a new table with invalid entries (a zero entry would be valid). */
static inline void pt_table_init(unsigned level, void *table)
{
	pt_entry_t *t = table, none = pt_entry_none(level);

	for (unsigned i = 0; i < pt_level_entries(level); i++)
		t[i] = none;
}

/*
 * Page tables are 2 KiB: page_table_alloc() puts two in one page
 * (arch/s390x/pgalloc.c).  page_table_free() frees at once;
 * page_table_free_rcu() after a grace period, the table staying valid
 * meanwhile (Linux's pte_free_defer).  Accounting is the caller's
 * (pt_alloc_table / pt_release_table*).
 */
#define ARCH_PTE_FRAGMENTS 1
struct mm;
pt_entry_t *page_table_alloc(struct mm *mm);
void page_table_free(pt_entry_t *table);
void page_table_free_rcu(pt_entry_t *table);
/* Is @table a half in use (not free, not waiting for a grace period)? */
bool page_table_live(const pt_entry_t *table);
extern bool frag_broken;                      /* frag.broken=1 */
extern unsigned long frag_pages_freed, frag_deferred;

#endif

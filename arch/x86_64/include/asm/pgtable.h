/*
 * x86-64 4- or 5-level paging behind the generic page-table interface.
 * Levels are numbered as Linux names them: 0 pte, 1 pmd, 2 pud, 3 p4d,
 * 4 pgd.  With 4 levels the p4d is folded (the pgd indexes bits 39..47);
 * with LA57, chosen at boot when the CPU has it (boot/x86_64/head.S), the
 * pgd is the PML5 (bits 48..56) and the p4d a real level.  Every table is
 * one 4 KiB page of 512 entries.
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
#define PROT_USER  8u   /* a user mapping (x86: U/S bit) */

#define X86_P   (1ull << 0)
#define X86_RW  (1ull << 1)
#define X86_US  (1ull << 2)
#define X86_PWT (1ull << 3)
#define X86_PCD (1ull << 4)
#define X86_A   (1ull << 5)
#define X86_D   (1ull << 6)
#define X86_PS  (1ull << 7)
#define X86_G   (1ull << 8)
#define X86_NX  (1ull << 63)
#define X86_ADDR_MASK 0x000ffffffffff000ull

/* 5-level paging is on (CR4.LA57, set by the boot code). */
extern bool x86_la57;

/* User space: the lower canonical half, page 0 left out. */
#define USER_VA_START 0x0000000000001000ul
#define USER_VA_END   (x86_la57 ? 0x0100000000000000ul : 0x0000800000000000ul)

/* Walks index with 48- or 57-bit addresses; the rest is sign extension. */
#define PT_VA_BITS (x86_la57 ? 57 : 48)

static inline unsigned long pt_va_canon(unsigned long va)
{
	unsigned shift = 64 - PT_VA_BITS;

	return (unsigned long)((long)(va << shift) >> shift);
}

/* Where huge leaves are possible: 2 MiB at the pmd level, 1 GiB at pud. */
#define PT_HUGE_LEVEL PT_PMD

static inline unsigned pt_level_shift(unsigned level)
{
	/* with p4d folded, the pgd indexes what a p4d would: bits 39..47 */
	if (level == PT_PGD)
		return x86_la57 ? 48 : 39;
	return 12 + 9 * level;
}

static inline unsigned pt_level_entries(unsigned level)
{
	(void)level;
	return 512;
}

/* Bytes of one table at @level (allocation size of the ptdesc). */
static inline size_t pt_table_bytes(unsigned level)
{
	(void)level;
	return PAGE_SIZE;
}

/* The level below @level in a walk (the p4d level folded unless LA57). */
static inline unsigned pt_next_level(unsigned level)
{
	return level == PT_PGD && !x86_la57 ? PT_PUD : level - 1;
}

static inline const char *pt_level_name(unsigned level)
{
	static const char *const names[] = { "pte", "pmd", "pud", "p4d", "pgd" };

	return names[level];
}

static inline unsigned pt_index(unsigned level, unsigned long va)
{
	return (va >> pt_level_shift(level)) & 511;
}

static inline pt_entry_t pt_entry_none(unsigned level)
{
	(void)level;
	return 0;
}

static inline bool pt_entry_is_none(unsigned level, pt_entry_t e)
{
	(void)level;
	return e == 0;
}

static inline bool pt_entry_is_leaf(unsigned level, pt_entry_t e)
{
	return (e & X86_P) && (level == PT_PTE || (e & X86_PS));
}

static inline bool pt_entry_is_table(unsigned level, pt_entry_t e)
{
	return level != PT_PTE && (e & X86_P) && !(e & X86_PS);
}

static inline uint64_t pt_entry_pa(unsigned level, pt_entry_t e)
{
	uint64_t mask = X86_ADDR_MASK;

	if (level != PT_PTE && (e & X86_PS))  /* bit 12 is PAT in large leaves */
		mask &= ~((1ull << pt_level_shift(level)) - 1);
	return e & mask;
}

static inline pt_entry_t pt_mk_table(unsigned level, uint64_t table_pa,
				     bool user)
{
	(void)level;
	/* permissions are decided at the leaf: tables allow everything */
	return table_pa | X86_P | X86_RW | (user ? X86_US : 0);
}

static inline pt_entry_t pt_mk_leaf(unsigned level, uint64_t pa, unsigned prot)
{
	pt_entry_t e = pa | X86_P | X86_A;

	if (level != PT_PTE)
		e |= X86_PS;
	if (prot & PROT_WRITE)
		e |= X86_RW | X86_D;
	if (!(prot & PROT_EXEC))
		e |= X86_NX;
	if (prot & PROT_USER)
		e |= X86_US;
	else
		e |= X86_G;
	return e;
}

static inline unsigned pt_entry_prot(unsigned level, pt_entry_t e)
{
	(void)level;
	return PROT_READ | (e & X86_RW ? PROT_WRITE : 0) |
	       (e & X86_NX ? 0 : PROT_EXEC) | (e & X86_US ? PROT_USER : 0);
}

static inline bool pt_entry_young(pt_entry_t e) { return e & X86_A; }
static inline bool pt_entry_dirty(pt_entry_t e) { return e & X86_D; }

/* Invalidations are local: other CPUs need an IPI (mm/tlbflush.c). */
#define ARCH_TLB_BROADCAST 0

/* 2 MiB leaves exist on every x86-64 CPU. */
static inline bool pt_huge_supported(void)
{
	return true;
}

/* Empty entries are zero: a zeroed page is an empty table. */
static inline void pt_table_init(unsigned level, void *table)
{
	(void)level;
	(void)table;
}

#endif

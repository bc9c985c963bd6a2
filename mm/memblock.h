/*
 * Early physical memory: RAM and reserved ranges, and a range allocator
 * for the memmap and early page tables.  When the buddy allocator takes
 * over, every RAM page that memblock did not reserve is handed to it.
 */
#ifndef PTLAB_MM_MEMBLOCK_H
#define PTLAB_MM_MEMBLOCK_H

#include "kernel/boot.h"

#define MEMBLOCK_MAX 128

struct memblock_type {
	struct phys_range r[MEMBLOCK_MAX];
	unsigned n;
};

struct memblock {
	struct memblock_type ram;       /* page-aligned, sorted, merged */
	struct memblock_type reserved;  /* page-aligned, sorted, merged */
	uint64_t alloc_limit;           /* memblock_alloc stays below this */
	bool overflow;                  /* a table was full: ranges lost */
};

extern struct memblock memblock;

/* Add [start, end) (rounded inward for RAM, outward for reservations). */
void memblock_add(struct memblock_type *t, uint64_t start, uint64_t end,
		  bool round_in);
/* Remove [start, end) from @t (a hole punched by the command line). */
void memblock_remove(struct memblock_type *t, uint64_t start, uint64_t end);

/* Allocate @size bytes aligned to @align, top-down; 0 when none is left. */
uint64_t memblock_alloc(uint64_t size, uint64_t align);

/*
 * Iterate over RAM minus reservations: *idx starts at 0; returns false at
 * the end.  Ranges come back sorted and page-aligned.
 */
bool memblock_next_free(uint64_t *idx, struct phys_range *out);

uint64_t memblock_total(const struct memblock_type *t);

#endif

/* Page size and the kernel's view of physical memory (x86-64). */
#ifndef PTLAB_ASM_PAGE_H
#define PTLAB_ASM_PAGE_H

#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ul << PAGE_SHIFT)

/* Kernel virtual layout: direct map of RAM and the linked image. */
#define DIRECT_MAP_BASE 0xffff800000000000ul
#define KERNEL_VMA      0xffffffff80000000ul

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP_BASE);
}

static inline uint64_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}

#endif

/* Page size and the kernel's view of physical memory (s390x, DAT off). */
#ifndef PTLAB_ASM_PAGE_H
#define PTLAB_ASM_PAGE_H

#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ul << PAGE_SHIFT)

/* DAT is off: the kernel sees real memory at its own addresses. */
static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline uint64_t virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va;
}

#endif

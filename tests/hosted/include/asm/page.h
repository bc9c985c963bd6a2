/* Hosted shim: "physical memory" is one mmap'd region at hosted_phys_base. */
#ifndef PTLAB_HOSTED_ASM_PAGE_H
#define PTLAB_HOSTED_ASM_PAGE_H

#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ul << PAGE_SHIFT)

extern uint8_t *hosted_phys_base;

static inline void *phys_to_virt(uint64_t pa)
{
	return hosted_phys_base + pa;
}

static inline uint64_t virt_to_phys(const void *va)
{
	return (uint64_t)((const uint8_t *)va - hosted_phys_base);
}

#endif

/*
 * this_cpu(): a pointer in the lowcore's software area.  Every CPU has its
 * own lowcore through its prefix register, so the same real address 0x200
 * holds each CPU's own pointer.
 */
#ifndef PTLAB_ASM_PERCPU_H
#define PTLAB_ASM_PERCPU_H

#include <asm/lowcore.h>

static inline struct percpu *this_cpu(void)
{
	return *(struct percpu *const volatile *)LC_PERCPU;
}

static inline void set_this_cpu(struct percpu *pc)
{
	*(struct percpu *volatile *)LC_PERCPU = pc;
}

#endif

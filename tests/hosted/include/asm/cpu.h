/* Hosted shim: the kernel's mm/ and lib/ code built as a Linux program. */
#ifndef PTLAB_HOSTED_ASM_CPU_H
#define PTLAB_HOSTED_ASM_CPU_H

#include <sched.h>

static inline void cpu_relax(void)
{
	sched_yield(); /* threads stand in for CPUs: let the holder run */
}

#endif

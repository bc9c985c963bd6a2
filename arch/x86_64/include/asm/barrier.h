/* x86-64 is TSO: only store->load ordering needs a fence. */
#ifndef PTLAB_ASM_BARRIER_H
#define PTLAB_ASM_BARRIER_H

#include <asm/cpu.h>

#define mb()      __asm__ __volatile__("mfence" ::: "memory")
#define rmb()     __asm__ __volatile__("lfence" ::: "memory")
#define wmb()     __asm__ __volatile__("sfence" ::: "memory")
#define smp_mb()  __asm__ __volatile__("lock; addl $0,-4(%%rsp)" ::: "memory", "cc")
#define smp_rmb() __asm__ __volatile__("" ::: "memory")
#define smp_wmb() __asm__ __volatile__("" ::: "memory")

#endif

/*
 * s390 is strongly ordered (stores are not reordered with stores, loads
 * not with loads); only a later load passing an earlier store needs a
 * serialisation: "bcr 14,0" (fast-BCR-serialisation facility, z196+) is
 * cheaper than the full "bcr 15,0", which older machines need.  With
 * -march=z10 we cannot assume the facility, so mb() uses bcr 15,0.
 */
#ifndef PTLAB_ASM_BARRIER_H
#define PTLAB_ASM_BARRIER_H

#include <asm/cpu.h>

#define mb()      __asm__ __volatile__("bcr 15,0" ::: "memory")
#define rmb()     __asm__ __volatile__("" ::: "memory")
#define wmb()     __asm__ __volatile__("" ::: "memory")
#define smp_mb()  mb()
#define smp_rmb() rmb()
#define smp_wmb() wmb()

#endif

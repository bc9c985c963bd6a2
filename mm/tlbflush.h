/*
 * TLB shootdown: make every CPU that has an address space loaded drop its
 * translations of a range.  This CPU flushes itself; the others get an IPI
 * (a cross-CPU call, waited for), unless the architecture's invalidation is
 * already a broadcast (s390x IPTE/IDTE: ARCH_TLB_BROADCAST).
 */
#ifndef PTLAB_MM_TLBFLUSH_H
#define PTLAB_MM_TLBFLUSH_H

#include "kernel/compiler.h"

struct mm;

void flush_tlb_mm_range(struct mm *mm, unsigned long start, unsigned long end);

struct tlb_stats {
	unsigned long flushes;          /* flush_tlb_mm_range calls */
	unsigned long shootdowns;       /* of them, with remote CPUs to flush */
	unsigned long ipis;             /* remote flush requests sent */
	unsigned long remote_flushes;   /* remote flushes run */
};
extern struct tlb_stats tlb_stats;

/* Negative control only: do not flush remote CPUs (tlb.skip_remote=1). */
extern bool tlb_skip_remote;

#endif

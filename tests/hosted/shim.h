/* Hosted test helpers (see shim.c). */
#ifndef PTLAB_HOSTED_SHIM_H
#define PTLAB_HOSTED_SHIM_H

#include "kernel/boot.h"

extern unsigned long hosted_reports;  /* ktest_report_problem() calls */

/* Make this thread play CPU @cpu. */
void hosted_set_cpu(unsigned cpu);

/* mmap @size bytes of "RAM" (minus @holes) and run mm_init over it. */
void hosted_boot_memory(uint64_t size, const struct phys_range *holes,
			unsigned nr_holes);

#endif

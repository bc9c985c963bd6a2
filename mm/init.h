#ifndef PTLAB_MM_INIT_H
#define PTLAB_MM_INIT_H

#include "kernel/compiler.h"

struct boot_info;

/* Set up memblock, the memmap and the page allocator; false: cannot run. */
bool mm_init(const struct boot_info *bi);

#endif

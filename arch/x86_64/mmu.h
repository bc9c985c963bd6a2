#ifndef PTLAB_X86_MMU_H
#define PTLAB_X86_MMU_H

#include "kernel/compiler.h"

/* CR3 an AP enables paging with: kernel tables + identity of low 2 MiB. */
extern uint64_t x86_trampoline_cr3;

#endif

/*
 * What a denied write to kernel text/rodata and a denied instruction fetch
 * from kernel data look like: per architecture (tests/ktest/<arch>/wx.c),
 * for the generic pgtable.kernel_wx and pgtable.kernel_data_noexec.
 */
#ifndef PTLAB_TESTS_WX_H
#define PTLAB_TESTS_WX_H

#include "kernel/ktest.h"

/* A "return" instruction in writable, non-executable kernel data. */
extern uint8_t wx_data_ret[16];

/* The last fault on this CPU was the refused store to @addr. */
void wx_expect_write_fault(struct ktest *t, unsigned long addr);

/* NULL, or why this CPU cannot refuse to execute data (the case skips). */
const char *wx_no_exec_reason(void);

/* The last fault on this CPU was the refused instruction fetch at @addr. */
void wx_expect_exec_fault(struct ktest *t, unsigned long addr);

#endif

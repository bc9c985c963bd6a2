/*
 * Minimal setjmp/longjmp for test aborts: the callee-saved r6-r15 (r14 is
 * the return address, r15 the stack) and the PSW system mask, so that a
 * longjmp out of an interruption handler (interrupts off) comes back with
 * the interrupt state ksetjmp saw.  -msoft-float: no FP registers to keep.
 */
#ifndef PTLAB_ASM_SETJMP_H
#define PTLAB_ASM_SETJMP_H

#include "kernel/compiler.h"

struct kjmp_buf {
	unsigned long gprs[10];  /* r6-r15 */
	unsigned long sysmask;   /* first byte: the PSW system mask */
};

int ksetjmp(struct kjmp_buf *b) __attribute__((returns_twice));
__noreturn void klongjmp(struct kjmp_buf *b, int v);

#endif

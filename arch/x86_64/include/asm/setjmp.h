/* Minimal setjmp/longjmp for test aborts (callee-saved registers only). */
#ifndef PTLAB_ASM_SETJMP_H
#define PTLAB_ASM_SETJMP_H

#include "kernel/compiler.h"

struct kjmp_buf {
	unsigned long rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

int ksetjmp(struct kjmp_buf *b) __attribute__((returns_twice));
__noreturn void klongjmp(struct kjmp_buf *b, int v);

#endif

/* Register frame the trap entry (entry.S) builds; order matters. */
#ifndef PTLAB_ASM_PTRACE_H
#define PTLAB_ASM_PTRACE_H

#include <stdint.h>

struct pt_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

static inline unsigned long instruction_pointer(const struct pt_regs *r)
{
	return r->rip;
}

#endif

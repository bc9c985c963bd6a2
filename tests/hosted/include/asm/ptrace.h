#ifndef PTLAB_HOSTED_ASM_PTRACE_H
#define PTLAB_HOSTED_ASM_PTRACE_H

struct pt_regs {
	unsigned long ip;
};

#endif

#include "kernel/errno.h"
#include "kernel/extable.h"
#include <asm/extable.h>

int probe_read_u64(const volatile void *p, uint64_t *val)
{
	uint64_t v;
	int err = 0;

	__asm__ __volatile__(
		"1: movq (%2), %0\n"
		"2:\n"
		".pushsection .text.fixup, \"ax\"\n"
		"3: movl %3, %1\n"
		"   xorl %k0, %k0\n"
		"   jmp 2b\n"
		".popsection\n"
		ASM_EXTABLE(1b, 3b)
		: "=&r"(v), "+r"(err) : "r"(p), "i"(-EFAULT) : "memory");
	if (!err)
		*val = v;
	return err;
}

int probe_write_u64(volatile void *p, uint64_t val)
{
	int err = 0;

	__asm__ __volatile__(
		"1: movq %2, (%1)\n"
		"2:\n"
		".pushsection .text.fixup, \"ax\"\n"
		"3: movl %3, %0\n"
		"   jmp 2b\n"
		".popsection\n"
		ASM_EXTABLE(1b, 3b)
		: "+r"(err) : "r"(p), "r"(val), "i"(-EFAULT) : "memory");
	return err;
}

/* probe_exec_asm(target): call *target; the fixup undoes the call. */
__asm__(
	".text\n"
	".globl probe_exec_asm\n"
	"probe_exec_asm:\n"
	"	xorl %eax, %eax\n"
	"	call *%rdi\n"
	"	ret\n"
	".globl probe_exec_fault\n"
	"probe_exec_fault:\n"
	"	addq $8, %rsp\n"       /* the return address the call pushed */
	"	movl $-14, %eax\n"
	"	ret\n");

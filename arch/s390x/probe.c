/* probe_read_u64/probe_write_u64: one access with an extable entry; probe_exec. */
#include "kernel/errno.h"
#include "kernel/extable.h"
#include <asm/extable.h>

int probe_read_u64(const volatile void *p, uint64_t *val)
{
	uint64_t v = 0;
	int err = 0;

	__asm__ __volatile__(
		"1:	lg	%0,0(%2)\n"
		"2:\n"
		".pushsection .text.fixup, \"ax\"\n"
		"3:	lhi	%1,%3\n"
		"	j	2b\n"
		".popsection\n"
		ASM_EXTABLE(1b, 3b)
		: "+&d"(v), "+d"(err) : "a"(p), "K"(-EFAULT) : "memory");
	if (!err)
		*val = v;
	return err;
}

int probe_write_u64(volatile void *p, uint64_t val)
{
	int err = 0;

	__asm__ __volatile__(
		"1:	stg	%2,0(%1)\n"
		"2:\n"
		".pushsection .text.fixup, \"ax\"\n"
		"3:	lhi	%0,%3\n"
		"	j	2b\n"
		".popsection\n"
		ASM_EXTABLE(1b, 3b)
		: "+d"(err) : "a"(p), "d"(val), "K"(-EFAULT) : "memory");
	return err;
}

/*
 * probe_exec_asm(target): call the code at @target with r14 pointing back
 * here.  If fetching it faults, the run-time extable entry for @target
 * sends the CPU to probe_exec_fault with r14 still set by the basr: it
 * returns -EFAULT to the same place.
 */
__asm__(
	".text\n"
	".globl probe_exec_asm\n"
	"probe_exec_asm:\n"
	"	lgr	%r1,%r2\n"
	"	lgr	%r0,%r14\n"      /* the target only returns: r0 survives */
	"	lghi	%r2,0\n"
	"	basr	%r14,%r1\n"
	"	lgr	%r14,%r0\n"
	"	br	%r14\n"
	".globl probe_exec_fault\n"
	"probe_exec_fault:\n"
	"	lghi	%r2,-14\n"
	"	br	%r14\n");

/* probe_read_u64/probe_write_u64: one access with an extable entry. */
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

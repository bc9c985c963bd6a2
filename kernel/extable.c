#include "kernel/extable.h"
#include "kernel/percpu.h"

extern const struct extable_entry __extable_start[], __extable_end[];

/* Entries added at run time (tests that jump to an address they chose). */
static struct extable_entry dynamic[4];

void extable_add_dynamic(unsigned long insn, unsigned long fixup)
{
	for (unsigned i = 0; i < ARRAY_SIZE(dynamic); i++)
		if (!dynamic[i].insn || dynamic[i].insn == insn) {
			dynamic[i].fixup = fixup;
			__atomic_store_n(&dynamic[i].insn, insn, __ATOMIC_RELEASE);
			return;
		}
}

void extable_remove_dynamic(unsigned long insn)
{
	for (unsigned i = 0; i < ARRAY_SIZE(dynamic); i++)
		if (dynamic[i].insn == insn)
			__atomic_store_n(&dynamic[i].insn, 0, __ATOMIC_RELEASE);
}

/* The table is small and only searched on faults: a linear scan will do. */
unsigned long extable_lookup(unsigned long insn)
{
	for (unsigned i = 0; i < ARRAY_SIZE(dynamic); i++)
		if (__atomic_load_n(&dynamic[i].insn, __ATOMIC_ACQUIRE) == insn)
			return dynamic[i].fixup;
	for (const struct extable_entry *e = __extable_start; e < __extable_end;
	     e++)
		if (e->insn == insn)
			return e->fixup;
	return 0;
}

void extable_record(const struct fault_info *fi)
{
	struct fault_info *last = &this_cpu()->last_fault;
	unsigned long count = last->count;

	*last = *fi;
	last->count = count + 1;
}

const struct fault_info *last_fault(void)
{
	return &this_cpu()->last_fault;
}

/* Each arch: call @target; probe_exec_fault is where a faulting fetch of
 * @target is sent (it returns -EFAULT from probe_exec_asm). */
int probe_exec_asm(const void *target);
extern char probe_exec_fault[];

int probe_exec(const void *target)
{
	int ret;

	extable_add_dynamic((unsigned long)target, (unsigned long)probe_exec_fault);
	ret = probe_exec_asm(target);
	extable_remove_dynamic((unsigned long)target);
	return ret;
}

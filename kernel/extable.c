#include "kernel/extable.h"
#include "kernel/percpu.h"

extern const struct extable_entry __extable_start[], __extable_end[];

/* The table is small and only searched on faults: a linear scan will do. */
unsigned long extable_lookup(unsigned long insn)
{
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

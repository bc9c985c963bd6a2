/*
 * Exception fixups: an instruction that may fault is listed with a place to
 * resume.  The trap handler records what happened in this CPU's
 * last_fault and jumps to the fixup; tests read last_fault to check the
 * exception really was the one they expected.
 */
#ifndef PTLAB_EXTABLE_H
#define PTLAB_EXTABLE_H

#include "kernel/compiler.h"

struct extable_entry {
	unsigned long insn;
	unsigned long fixup;
};

struct fault_info {
	unsigned long code;   /* x86 vector | s390x program interruption code */
	unsigned long error;  /* x86 error code | s390x translation-exc. code */
	unsigned long addr;   /* faulting data address (CR2 / TEID), or 0 */
	unsigned long ip;     /* address of the faulting instruction */
	unsigned long count;  /* fixups taken on this CPU so far */
};

/* Fixup address for a faulting instruction, or 0 if none is registered. */
unsigned long extable_lookup(unsigned long insn);

/* Run-time entries (up to 4), for code at addresses chosen at run time. */
void extable_add_dynamic(unsigned long insn, unsigned long fixup);
void extable_remove_dynamic(unsigned long insn);

/*
 * Call the code at @target (which should just return); -EFAULT if the
 * fetch faults instead (no-execute / not mapped), 0 if it ran.
 */
int probe_exec(const void *target);

/* Called by the arch trap code once it has filled @fi for this CPU. */
void extable_record(const struct fault_info *fi);

/* The last fixed-up fault on this CPU. */
const struct fault_info *last_fault(void);

/*
 * Read or write 8 bytes at @p, returning -EFAULT instead of faulting
 * (implemented per arch with an extable entry).  Tests use them to see
 * whether an address is mapped on this CPU right now.
 */
int probe_read_u64(const volatile void *p, uint64_t *val);
int probe_write_u64(volatile void *p, uint64_t val);

#endif

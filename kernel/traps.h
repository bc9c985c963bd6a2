/* What the arch trap handlers share: fixups and unexpected exceptions. */
#ifndef PTLAB_TRAPS_H
#define PTLAB_TRAPS_H

#include "kernel/compiler.h"
#include "kernel/extable.h"
#include <asm/ptrace.h>

/*
 * An exception no fixup claims.  Inside a test case (and not nested in
 * another exception) the case fails with the full report and the run goes
 * on with the next case; anywhere else this is a panic.
 */
__noreturn void trap_unexpected(const struct pt_regs *regs, const char *fmt,
				...) __printf(2, 3);

#endif

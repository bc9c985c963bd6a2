#include "kernel/traps.h"
#include "kernel/ktest.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "lib/vsnprintf.h"

__noreturn void trap_unexpected(const struct pt_regs *regs, const char *fmt,
				...)
{
	struct percpu *cpu = this_cpu();
	struct ktest *t = cpu->cur_test;
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!t || cpu->trap_depth != 1)
		panic_regs(regs, "%s", msg);

	printk("Unexpected exception on CPU %u in test %s.%s: %s\n",
	       cpu->cpu, t->suite->name, t->tcase->name, msg);
	dump_state(regs);
	ktest_fail_at(t, __FILE__, __LINE__, "unexpected exception: %s", msg);
	cpu->trap_depth = 0;
	ktest_abort(t);
}

/*
 * The tick (clock comparator, an external interruption) never comes while
 * external interruptions are off in the PSW — not even while the SCLP
 * console waits for its service signal in an enabled wait with only that
 * subclass on in CR0.  That is what makes an interrupts-off region an RCU
 * reader (kernel/rcu.c): a tick there would report a quiescent state.
 */
#include "kernel/arch.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/ktest.h"
#include <asm/irq.h>

static void no_tick_with_interrupts_off(struct ktest *t)
{
	unsigned self = smp_processor_id();
	unsigned long flags, ticks, end;

	flags = local_irq_save();
	ticks = cpu_stats(self)->ticks;
	/* five tick periods, and a console write (an SCLP enabled wait) */
	end = uptime_ms() + 5 * 1000 / TICK_HZ;
	while (uptime_ms() < end)
		cpu_relax();
	printk("    # console write with interrupts off\n");
	KT_EXPECT_EQ(t, cpu_stats(self)->ticks, ticks);
	KT_EXPECT(t, irqs_disabled());
	local_irq_restore(flags);
	/* and the pending one comes as soon as they are on */
	end = uptime_ms() + 2000;
	while (cpu_stats(self)->ticks == ticks && uptime_ms() < end)
		cpu_relax();
	KT_EXPECT_GT(t, cpu_stats(self)->ticks, ticks);
}

static const struct ktest_case tick_cases[] = {
	KTEST_CASE(no_tick_with_interrupts_off),
	{ 0 },
};
KTEST_SUITE(s390x_tick, tick_cases);

/* The local APIC's spurious vector is counted per CPU, not reported. */
#include "arch/x86_64/apic.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "lib/string.h"
#include "mm/slab.h"
#include <asm/irq.h>

#define STR(x) #x
#define XSTR(x) STR(x)

static unsigned long spurious_seen[MAX_CPUS];

/* A software "int" takes the spurious vector's path through the IDT (a
 * real spurious interrupt cannot be made on demand); interrupts off so a
 * tick cannot come in between. */
static void raise_spurious(struct ktest *t, void *arg)
{
	unsigned cpu = smp_processor_id();
	unsigned long flags = local_irq_save(), before = cpu_stats(cpu)->spurious;

	__asm__ __volatile__("int $" XSTR(VEC_SPURIOUS) ::: "memory");
	spurious_seen[cpu] = cpu_stats(cpu)->spurious - before;
	local_irq_restore(flags);
}

static void spurious_vector_counted(struct ktest *t)
{
	char *log = kzalloc(2048, GFP_NOFAULT);
	unsigned n;

	KT_ASSERT(t, log != NULL);
	memset(spurious_seen, 0, sizeof(spurious_seen));
	console_capture(log, 2048);
	n = ktest_run_on(t, &cpu_online_mask, raise_spurious, NULL, 20000);
	console_capture(NULL, 0);
	KT_EXPECT_EQ(t, n, nr_cpus_online);
	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++)
		if (spurious_seen[cpu] != 1)
			KT_FAIL(t, "CPU %u counted %lu spurious interrupts for one",
				cpu, spurious_seen[cpu]);
	KT_EXPECT(t, strstr(log, "unexpected interrupt") == NULL);
	kfree(log);
}

static const struct ktest_case apic_cases[] = {
	KTEST_CASE(spurious_vector_counted),
	{ 0 },
};
KTEST_SUITE(apic, apic_cases);

/*
 * Deliberately broken tests: they prove that a failing assertion, an
 * unexpected exception, a panic and a hang each end up as a failed run.
 * The suite is manual: it runs only with ktest.filter=selftest[.<case>],
 * which the test matrix does with --expect fail|panic|timeout.
 */
#include "kernel/arch.h"
#include "kernel/ktest.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "kernel/rcu.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "lib/string.h"
#include <asm/cpu.h>
#include <asm/irq.h>

static void assertion_fails(struct ktest *t)
{
	int answer = 41;

	KT_EXPECT_EQ(t, answer, 42);
}

static void skips(struct ktest *t)
{
	ktest_skip(t, "skipping is not failing");
}

static __noinline void crash_here(void)
{
	panic("deliberate panic from the selftest suite");
}

static void panics(struct ktest *t)
{
	crash_here();
}

static void hangs(struct ktest *t)
{
	local_irq_disable();
	for (;;)
		arch_cpu_idle();
}

static void unexpected_exception(struct ktest *t)
{
	/* a wild write: the test fails with the report, the run goes on */
	*(volatile unsigned long *)(uintptr_t)UNMAPPED_TEST_ADDRESS = 1;
	KT_FAIL(t, "the write to an unmapped address did not fault");
}

static void passes_after_exception(struct ktest *t)
{
	KT_EXPECT_EQ(t, this_cpu()->trap_depth, 0);
	KT_EXPECT(t, !irqs_disabled());
}

static volatile bool never_set;

/* A partner that never comes: the wait gives up and fails the case. */
static void partner_never_comes(struct ktest *t)
{
	if (KT_WAIT_UNTIL(t, never_set, 200))
		KT_FAIL(t, "a flag nobody sets was seen set");
}

static volatile bool reader_inside;

static void stall_job(struct ktest *t, void *arg)
{
	if (smp_processor_id() != t->cpu) {
		rcu_read_lock();
		reader_inside = true;
		for (;;)
			arch_cpu_idle();   /* ticks come: the stall is seen */
	}
	if (KT_WAIT_UNTIL(t, reader_inside, 20000))
		synchronize_rcu();
	KT_FAIL(t, "synchronize_rcu() returned under a reader that never left");
}

/* A reader that never leaves: the grace period is reported, then the run
 * ends with a panic instead of hanging in synchronize_rcu(). */
static void rcu_stall_ends_run(struct ktest *t)
{
	cpumask_t two;

	ktest_pair_mask(t, &two);
	rcu_stall_ms = 100;
	rcu_stall_panic_ms = 1000;
	reader_inside = false;
	ktest_run_on(t, &two, stall_job, NULL, 60000);
}

static volatile bool deaf_inside;

static void deaf_job(struct ktest *t, void *arg)
{
	if (smp_processor_id() != t->cpu) {
		local_irq_disable();
		deaf_inside = true;
		for (;;)            /* grace periods go on: only calls are lost */
			rcu_quiescent_state();
	}
	if (KT_WAIT_UNTIL(t, deaf_inside, 20000))
		rcu_barrier();
	KT_FAIL(t, "rcu_barrier() returned without a CPU's barrier callback");
}

/* A CPU that never answers rcu_barrier()'s cross-call: the barrier ends the
 * run at rcu.stall_panic_ms instead of waiting for it forever. */
static void rcu_barrier_ends_run(struct ktest *t)
{
	cpumask_t two;

	ktest_pair_mask(t, &two);
	rcu_stall_panic_ms = 3000;
	deaf_inside = false;
	ktest_expect_reports(t, 1);   /* the unanswered cross-call */
	ktest_run_on(t, &two, deaf_job, NULL, 60000);
}

static struct page *leaked_page;

/* The leak check after every case must catch this. */
static void leaks_page(struct ktest *t)
{
	leaked_page = alloc_pages(GFP_NOFAULT, 0);
	KT_ASSERT(t, leaked_page != NULL);
}

/*
 * A table that still maps a page, handed to RCU: the report comes from the
 * callback, after this function returned, while the runner drains RCU for
 * the leak check.  It must still fail this case.
 */
static void reports_after_return(struct ktest *t)
{
	pt_entry_t *table = pt_alloc_table(NULL, PT_PTE);

	KT_ASSERT(t, table != NULL);
	table[3] = pt_mk_leaf(PT_PTE, 0x1000, PROT_READ);
	pt_unhook_table(NULL, PT_PTE);
	pt_release_table_rcu(false, PT_PTE, table);
}

static volatile unsigned long recursion_limit = ~0ul;

static __noinline __attribute__((noipa)) unsigned long recurse(unsigned long n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	if (n >= recursion_limit)
		return n;
	return recurse(n + 1) + pad[0];
}

static void overflow_job(struct ktest *t, void *arg)
{
	recurse(0);
}

/* Blow another CPU's stack: its guard page must turn this into a report. */
static void stack_overflow(struct ktest *t)
{
	cpumask_t one;

	if (nr_cpus_online < 2)
		ktest_skip(t, "needs a second CPU (the boot stack is in .bss)");
	cpumask_clear(&one);
	cpumask_set(&one, 1);
	ktest_run_on(t, &one, overflow_job, NULL, 5000);
}

/*
 * A job that outlives its join bound: ktest_run_on fails the case, names
 * the CPU and leaves it out from then on (cpu_wedged_mask).  The job waits
 * for a release given only after the join gave up, so it cannot finish in
 * time by luck, and it never touches @t: it ends after its case did.
 */
static volatile unsigned late_release, late_state; /* 1 running, 2 released, 3 never */
static volatile bool late_job_queued;
static unsigned late_cpu;

static void late_job(struct ktest *t, void *arg)
{
	uint64_t start = uptime_ms();

	late_state = 1;
	while (!late_release && uptime_ms() - start < 10000)
		cpu_relax();
	late_state = late_release ? 2 : 3;
}

static void join_times_out(struct ktest *t)
{
	cpumask_t one;

	if (nr_cpus_online < 2)
		ktest_skip(t, "needs 2 CPUs");
	late_cpu = t->cpu == 1 ? 0 : 1;
	late_release = late_state = 0;
	late_job_queued = true;
	cpumask_clear(&one);
	cpumask_set(&one, late_cpu);
	KT_EXPECT_EQ(t, ktest_run_on(t, &one, late_job, NULL, 200), 1u);
	late_release = 1;
}

static unsigned ran_here[MAX_CPUS];

static void count_job(struct ktest *t, void *arg)
{
	ran_here[smp_processor_id()]++;
}

/* After join_times_out (so it runs last in its line: the CPU stays out
 * for every later case): the late job ended, the CPU is idle again, and
 * still no job goes to it. */
static void wedged_cpu_not_used(struct ktest *t)
{
	unsigned n;

	if (!late_job_queued)
		ktest_skip(t, "follows selftest.join_times_out");
	KT_WAIT_UNTIL(t, late_state == 2, 5000);
	KT_EXPECT(t, cpumask_test(&cpu_wedged_mask, late_cpu));
	memset(ran_here, 0, sizeof(ran_here));
	n = ktest_run_on(t, &cpu_online_mask, count_job, NULL, 5000);
	KT_EXPECT_EQ(t, n, nr_cpus_online - 1);
	KT_EXPECT_EQ(t, ran_here[late_cpu], 0u);
	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++)
		if (cpu != late_cpu)
			KT_EXPECT_EQ(t, ran_here[cpu], 1u);
}

static const struct ktest_case selftest_cases[] = {
	KTEST_CASE(assertion_fails),
	KTEST_CASE(skips),
	KTEST_CASE(unexpected_exception),
	KTEST_CASE(passes_after_exception),
	KTEST_CASE(leaks_page),
	KTEST_CASE(reports_after_return),
	KTEST_CASE(partner_never_comes),
	KTEST_CASE(rcu_stall_ends_run),
	KTEST_CASE(rcu_barrier_ends_run),
	KTEST_CASE(panics),
	KTEST_CASE(stack_overflow),
	KTEST_CASE(join_times_out),      /* leaves a CPU out: keep these last */
	KTEST_CASE(wedged_cpu_not_used),
	KTEST_CASE(hangs),
	{ 0 },
};
KTEST_SUITE_FLAGS(selftest, selftest_cases, KTEST_MANUAL);

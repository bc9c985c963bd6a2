#include "kernel/worker.h"
#include "kernel/arch.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/rcu.h"
#include "kernel/smp.h"
#include <asm/irq.h>
#include <asm/setjmp.h>

enum { JOB_IDLE, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct worker {
	unsigned owner;          /* CPU waiting for the job: woken when done */
	ktest_work_fn fn;
	struct ktest *t;
	void *arg;
	unsigned state;
	struct kjmp_buf abort_jmp;
};

static struct worker workers[MAX_CPUS];
cpumask_t cpu_wedged_mask;

static void run_job(struct worker *w)
{
	struct percpu *pc = this_cpu();

	pc->cur_test = w->t;
	if (ksetjmp(&w->abort_jmp) == 0)
		w->fn(w->t, w->arg);
	pc->cur_test = NULL;
	local_irq_enable();  /* an aborted job may have left them off */
}

__noreturn void worker_abort(void)
{
	klongjmp(&workers[smp_processor_id()].abort_jmp, 1);
}

__noreturn void worker_loop(void)
{
	struct worker *w = &workers[smp_processor_id()];

	for (;;) {
		rcu_idle_enter();   /* no reader here: a quiescent state */
		local_irq_disable();
		if (__atomic_load_n(&w->state, __ATOMIC_ACQUIRE) == JOB_QUEUED) {
			__atomic_store_n(&w->state, JOB_RUNNING, __ATOMIC_RELAXED);
			local_irq_enable();
			run_job(w);
			__atomic_store_n(&w->state, JOB_DONE, __ATOMIC_RELEASE);
			smp_send_ipi(w->owner, IPI_WAKE);
			continue;
		}
		/* the wake IPI may come between the check and the wait: the
		 * architecture's idle enables interrupts and waits atomically */
		arch_cpu_idle();
		local_irq_enable();
	}
}

unsigned ktest_pair_mask(struct ktest *t, cpumask_t *two)
{
	unsigned other = t->cpu == 1 ? 0 : 1;

	if (nr_cpus_online < 2)
		ktest_skip(t, "needs 2 CPUs");
	cpumask_clear(two);
	cpumask_set(two, t->cpu);
	cpumask_set(two, other);
	return other;
}

unsigned ktest_run_on(struct ktest *t, const cpumask_t *mask,
		      ktest_work_fn fn, void *arg, unsigned timeout_ms)
{
	unsigned self = smp_processor_id(), cpu, n = 0;
	bool run_here = cpumask_test(mask, self);
	cpumask_t used;
	uint64_t start;

	cpumask_clear(&used);
	for_each_cpu(cpu, mask) {
		struct worker *w = &workers[cpu];

		if (cpu == self || !cpumask_test(&cpu_online_mask, cpu))
			continue;
		if (cpumask_test(&cpu_wedged_mask, cpu)) {
			/* later cases see why they got fewer CPUs than asked */
			ktest_printf(t, "CPU %u left out: an earlier job of it outlived its join",
				     cpu);
			continue;
		}
		w->owner = self;
		w->fn = fn;
		w->t = t;
		w->arg = arg;
		__atomic_store_n(&w->state, JOB_QUEUED, __ATOMIC_RELEASE);
		smp_send_ipi(cpu, IPI_WAKE);
		cpumask_set(&used, cpu);
		n++;
	}
	if (run_here) {
		fn(t, arg);
		n++;
	}
	start = uptime_ms();
	for_each_cpu(cpu, &used) {
		struct worker *w = &workers[cpu];

		for (;;) {
			unsigned long flags = local_irq_save();

			if (__atomic_load_n(&w->state, __ATOMIC_ACQUIRE) == JOB_DONE) {
				local_irq_restore(flags);
				break;
			}
			if (uptime_ms() - start > timeout_ms) {
				local_irq_restore(flags);
				KT_FAIL(t, "CPU %u still running its job after %u ms; it is not used again",
					cpu, timeout_ms);
				cpumask_set(&cpu_wedged_mask, cpu);
				break;
			}
			/* woken by the worker's IPI when done, or by the tick */
			arch_cpu_idle();
			local_irq_restore(flags);
		}
		if (!cpumask_test(&cpu_wedged_mask, cpu))
			__atomic_store_n(&w->state, JOB_IDLE, __ATOMIC_RELAXED);
	}
	return n;
}

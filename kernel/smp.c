/*
 * Bring-up of the other CPUs, cross-CPU calls and the idle loop.
 *
 * A cross-call is a slot owned by the caller (one per caller and target),
 * queued on the target's list and run from the target's IPI handler.  The
 * caller waits for it with interrupts enabled, so two CPUs calling each
 * other at once both make progress.
 */
#include "kernel/smp.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/rcu.h"
#include "kernel/spinlock.h"
#include "kernel/worker.h"
#include "mm/page_alloc.h"
#include "lib/list.h"
#include "lib/string.h"
#include <asm/barrier.h>

cpumask_t cpu_online_mask;
unsigned nr_cpus_online = 1;
unsigned nr_cpus_possible = 1;

struct call_slot {
	struct list_head node;
	smp_call_fn fn;
	void *arg;
	unsigned busy;           /* set by the caller, cleared when run */
};

struct smp_cpu {
	spinlock_t queue_lock;
	struct list_head queue;  /* call slots to run here */
	struct call_slot slots[MAX_CPUS]; /* this CPU's calls, by target */
	struct ipi_stats stats;
};

static struct smp_cpu smp_cpus[MAX_CPUS];

/* Where a CPU's stack pages are seen from; an arch may map them elsewhere
 * with a guard gap (x86-64 does). */
__weak unsigned long arch_map_stack(unsigned cpu, void *pages)
{
	(void)cpu;
	return (unsigned long)pages;
}
static uint64_t bringup_clock;

struct ipi_stats *cpu_stats(unsigned cpu)
{
	return &smp_cpus[cpu].stats;
}

uint64_t uptime_ms(void)
{
	uint64_t hz = arch_clock_hz();

	return hz ? arch_clock() / (hz / 1000) : 0;
}

void udelay(unsigned long us)
{
	uint64_t hz = arch_clock_hz(), start = arch_clock();

	if (!hz)
		return;
	while (arch_clock() - start < us * (hz / 1000000))
		cpu_relax();
}

void smp_send_ipi(unsigned cpu, enum ipi_kind kind)
{
	__atomic_fetch_add(&smp_cpus[smp_processor_id()].stats.sent[kind], 1,
			   __ATOMIC_RELAXED);
	arch_send_ipi(&percpu_areas[cpu], kind);
}

static void run_call_queue(void)
{
	struct smp_cpu *me = this_cpu()->smp;

	for (;;) {
		struct call_slot *slot;
		smp_call_fn fn;
		void *arg;

		spin_lock(&me->queue_lock);
		if (list_empty(&me->queue)) {
			spin_unlock(&me->queue_lock);
			return;
		}
		slot = list_first_entry(&me->queue, struct call_slot, node);
		list_del(&slot->node);
		spin_unlock(&me->queue_lock);
		fn = slot->fn;
		arg = slot->arg;
		fn(arg);
		me->stats.calls_run++;
		/* releases the slot to its owner: nothing touches it after */
		__atomic_store_n(&slot->busy, 0, __ATOMIC_RELEASE);
	}
}

void smp_handle_ipi(enum ipi_kind kind)
{
	struct smp_cpu *me = this_cpu()->smp;

	me->stats.received[kind]++;
	rcu_ipi();
	if (kind == IPI_CALL)
		run_call_queue();
	/* IPI_WAKE only ends the idle wait: the idle loop looks for work */
}

void smp_tick(unsigned long interrupted_ip)
{
	this_cpu()->smp->stats.ticks++;
	rcu_tick(interrupted_ip);
}

/* Wait with interrupts on until every slot is idle; report stragglers. */
static int wait_slots(const cpumask_t *targets)
{
	struct smp_cpu *me = this_cpu()->smp;
	uint64_t start = uptime_ms();
	unsigned cpu;

	for_each_cpu(cpu, targets) {
		while (__atomic_load_n(&me->slots[cpu].busy, __ATOMIC_ACQUIRE)) {
			if (uptime_ms() - start > SMP_CALL_TIMEOUT_MS) {
				printk("smp: CPU %u did not answer a cross-call from CPU %u within %u ms\n",
				       cpu, smp_processor_id(), SMP_CALL_TIMEOUT_MS);
				ktest_report_problem("unanswered cross-call");
				return -ETIMEDOUT;
			}
			cpu_relax();
		}
	}
	return 0;
}

int smp_call_function_many(const cpumask_t *mask, smp_call_fn fn, void *arg,
			   bool wait)
{
	unsigned self = smp_processor_id(), cpu;
	struct smp_cpu *me = this_cpu()->smp;
	cpumask_t targets;
	int err;

	if (irqs_disabled()) {
		/* it could wait on a CPU that waits on us with IRQs off */
		WARN("cross-CPU call with interrupts disabled");
		return -EINVAL;
	}
	cpumask_clear(&targets);
	for_each_cpu(cpu, mask)
		if (cpu != self && cpumask_test(&cpu_online_mask, cpu))
			cpumask_set(&targets, cpu);
	/* a slot may still be in flight from an earlier no-wait call */
	err = wait_slots(&targets);
	if (err)
		return err;
	for_each_cpu(cpu, &targets) {
		struct call_slot *slot = &me->slots[cpu];
		struct smp_cpu *dst = &smp_cpus[cpu];
		unsigned long flags;

		slot->fn = fn;
		slot->arg = arg;
		__atomic_store_n(&slot->busy, 1, __ATOMIC_RELAXED);
		flags = spin_lock_irqsave(&dst->queue_lock);
		list_add_tail(&slot->node, &dst->queue);
		spin_unlock_irqrestore(&dst->queue_lock, flags);
		smp_send_ipi(cpu, IPI_CALL);
	}
	return wait ? wait_slots(&targets) : 0;
}

int smp_call_function_single(unsigned cpu, smp_call_fn fn, void *arg,
			     bool wait)
{
	cpumask_t one;

	if (cpu >= MAX_CPUS || !cpumask_test(&cpu_online_mask, cpu))
		return -EINVAL;
	if (cpu == smp_processor_id()) {
		unsigned long flags = local_irq_save();

		fn(arg);
		local_irq_restore(flags);
		return 0;
	}
	cpumask_clear(&one);
	cpumask_set(&one, cpu);
	return smp_call_function_many(&one, fn, arg, wait);
}

int on_each_cpu(smp_call_fn fn, void *arg, bool wait)
{
	unsigned long flags;

	if (irqs_disabled()) {
		WARN("on_each_cpu with interrupts disabled");
		return -EINVAL;
	}
	flags = local_irq_save();
	fn(arg);
	local_irq_restore(flags);
	return smp_call_function_many(&cpu_online_mask, fn, arg, wait);
}

static void smp_cpu_init(struct percpu *pc)
{
	struct smp_cpu *s = &smp_cpus[pc->cpu];

	spin_lock_init(&s->queue_lock);
	INIT_LIST_HEAD(&s->queue);
	pc->smp = s;
}

/*
 * Test knobs for bring-up's failure paths, as masks of positions in the
 * firmware's CPU list (bit n: its n-th CPU; the boot CPU, bit 0, cannot
 * fail): fail_start makes smp_init count the CPU as not started without
 * asking the arch; stall_start lets it start but stall before coming
 * online, so that it has to be parked.
 */
static uint64_t fail_start_mask, stall_start_mask;
static volatile bool stall_this_start;   /* the CPU being started stalls */
unsigned long smp_stalled_spins;         /* a stalled CPU counts here */
cpumask_t cpu_start_failed_mask;

static int set_start_mask(const char *v, size_t len, uint64_t *mask)
{
	return parse_u64(v, len, 0, mask) || (*mask & 1) ? -EINVAL : 0;
}

static int set_fail_start(const char *v, size_t len)
{
	return set_start_mask(v, len, &fail_start_mask);
}
KERNEL_PARAM("smp.fail_start", set_fail_start,
	     "<mask>: bit n: the firmware's n-th CPU counts as not started (tests bring-up)");

static int set_stall_start(const char *v, size_t len)
{
	return set_start_mask(v, len, &stall_start_mask);
}
KERNEL_PARAM("smp.stall_start", set_stall_start,
	     "<mask>: bit n: the firmware's n-th CPU starts but never comes online (tests parking)");

static unsigned fw_hw_ids[MAX_CPUS];

unsigned smp_firmware_hw_id(unsigned i)
{
	return i < nr_cpus_possible ? fw_hw_ids[i] : ~0u;
}

void smp_start_injected(cpumask_t *m, bool stalls_only)
{
	uint64_t want = stall_start_mask | (stalls_only ? 0 : fail_start_mask);

	cpumask_clear(m);
	for (unsigned i = 1; i < nr_cpus_possible; i++)
		if (want >> i & 1)
			cpumask_set(m, i);
}

__noreturn void secondary_cpu_main(void)
{
	struct percpu *pc = this_cpu();

	if (__atomic_load_n(&stall_this_start, __ATOMIC_ACQUIRE))
		for (;;) {   /* until parked; the smp suite sees these stop */
			__atomic_fetch_add(&smp_stalled_spins, 1, __ATOMIC_RELAXED);
			cpu_relax();
		}
	arch_tick_start();
	__atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
	local_irq_enable();
	worker_loop();
}

/*
 * Start the firmware's @i-th CPU as @pc: NULL once it is online, else
 * what went wrong; *@parked says whether it surely runs nothing of ours
 * any more (so @pc and its stack may serve the next one).
 */
static const char *start_one(struct percpu *pc, unsigned i, bool *parked)
{
	uint64_t start;

	*parked = true;
	if (fail_start_mask >> i & 1)
		return "did not start (smp.fail_start)";
	__atomic_store_n(&stall_this_start, stall_start_mask >> i & 1,
			 __ATOMIC_RELEASE);
	/* on failure the arch has made sure the CPU will not run */
	if (arch_cpu_start(pc, pc->stack_top))
		return "did not start";
	start = uptime_ms();
	while (!__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE)) {
		if (uptime_ms() - start > 2000) {
			/* it may still come: it must not, on a per-CPU area
			 * and stack that go to the next CPU */
			*parked = arch_cpu_park(pc) == 0;
			__atomic_store_n(&stall_this_start, false, __ATOMIC_RELAXED);
			return *parked ? "started but never came online (parked)"
				       : "started but never came online, and could not be stopped";
		}
		cpu_relax();
	}
	return NULL;
}

/*
 * A CPU that fails to start is reported by its position in the firmware's
 * list and its hardware id, and bring-up goes on with the next one under
 * the same logical number, so the online CPUs stay 0..nr_cpus_online-1.
 * Only a CPU that started and could not be stopped ends it: the next one
 * would need the per-CPU area and stack it may still use.
 */
void smp_init(void)
{
	unsigned hw_ids[MAX_CPUS], n, cpu = 1;
	struct percpu *boot = this_cpu();
	void *stack = NULL;   /* kept for the next try after a failed one */

	rcu_init();
	smp_cpu_init(boot);
	boot->online = true;
	cpumask_set(&cpu_online_mask, 0);
	n = arch_smp_detect(hw_ids, MAX_CPUS);
	nr_cpus_possible = n;
	memcpy(fw_hw_ids, hw_ids, n * sizeof(hw_ids[0]));
	boot->hw_id = hw_ids[0];
	bringup_clock = arch_clock();
	for (unsigned i = 1; i < n; i++) {
		struct percpu *pc = &percpu_areas[cpu];
		const char *why;
		bool parked;

		BUILD_BUG_ON(KSTACK_SIZE != PAGE_SIZE << 2);
		if (!stack) {
			stack = __get_free_pages(GFP_NOFAULT | GFP_ZERO, 2);
			if (!stack) {
				printk("smp: no memory for a stack: the firmware's CPUs %u to %u not started\n",
				       i, n - 1);
				for (; i < n; i++)
					cpumask_set(&cpu_start_failed_mask, i);
				break;
			}
			/* mapped once per logical number (x86-64: at a fixed
			 * address), so a retry keeps it */
			pc->stack_top = arch_map_stack(cpu, stack) + KSTACK_SIZE;
		}
		pc->self = pc;
		pc->cpu = cpu;
		pc->hw_id = hw_ids[i];
		pc->online = false;
		smp_cpu_init(pc);
		why = start_one(pc, i, &parked);
		if (!why) {
			cpumask_set(&cpu_online_mask, cpu);
			nr_cpus_online++;
			cpu++;
			stack = NULL;
			continue;
		}
		cpumask_set(&cpu_start_failed_mask, i);
		printk("smp: the firmware's CPU %u (hw id %u) %s\n", i, hw_ids[i], why);
		if (!parked) {
			for (i++; i < n; i++)
				cpumask_set(&cpu_start_failed_mask, i);
			printk("smp: no more CPUs started: CPU %u's per-CPU area and stack may still be in use\n",
			       cpu);
			break;
		}
		/* a fresh per-CPU area for the next try (the stalled CPU
		 * may have written to this one) */
		*pc = (struct percpu){ .stack_top = pc->stack_top };
	}
	/* a stack left from failed tries stays: on x86-64 it is mapped at
	 * the logical number's address, and freeing it would leave that
	 * mapping on a page the allocator hands out again */
	bringup_clock = arch_clock() - bringup_clock;
	arch_tick_start();
	printk("smp: %u of %u CPUs online\n", nr_cpus_online, nr_cpus_possible);
}

uint64_t smp_bringup_cycles(void)
{
	return bringup_clock;
}

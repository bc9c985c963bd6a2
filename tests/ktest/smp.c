/* SMP: every CPU online and reachable, cross-calls, locks, ticks. */
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/ktest.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/worker.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

#define JOIN_MS 20000

static uint64_t expect_cpus;   /* smp.expect=<n>: the runner's -smp */

static int set_expect(const char *v, size_t len)
{
	return parse_u64(v, len, 10, &expect_cpus) || !expect_cpus ||
	       expect_cpus > MAX_CPUS ? -EINVAL : 0;
}
KERNEL_PARAM("smp.expect", set_expect,
	     "<n>: CPUs the emulator was given (checked by the smp suite)");

static void need_cpus(struct ktest *t, unsigned n)
{
	if (nr_cpus_online < n)
		ktest_skip(t, "needs %u CPUs, %u online", n, nr_cpus_online);
}

/* Every CPU online but those smp.fail_start=/smp.stall_start= failed,
 * as CPUs 0..nr_cpus_online-1. */
static void all_online(struct ktest *t)
{
	cpumask_t injected;

	smp_start_injected(&injected, false);
	KT_EXPECT_EQ(t, nr_cpus_online + cpumask_weight(&injected), nr_cpus_possible);
	KT_EXPECT_EQ(t, cpumask_weight(&cpu_online_mask), nr_cpus_online);
	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++)
		KT_EXPECT(t, cpumask_test(&cpu_online_mask, cpu));
	if (expect_cpus)
		KT_EXPECT_EQ(t, nr_cpus_possible, expect_cpus);
	else
		ktest_printf(t, "no smp.expect= given: only firmware's count checked");
	ktest_metric(t, "cpus_online", nr_cpus_online, "cpus");
}

/*
 * With smp.fail_start= / smp.stall_start=: bring-up went past each CPU
 * told to fail, recorded exactly those, gave the others consecutive
 * numbers in the firmware's order, and parked a stalled one for good (its
 * spin counter stands still).
 */
static void failed_starts_skipped(struct ktest *t)
{
	cpumask_t injected;
	unsigned cpu = 0;
	unsigned long spins, later;
	uint64_t start;

	smp_start_injected(&injected, false);
	if (cpumask_empty(&injected))
		ktest_skip(t, "no smp.fail_start= or smp.stall_start= given");
	for (unsigned i = 0; i < MAX_CPUS; i++)
		if (cpumask_test(&cpu_start_failed_mask, i) != cpumask_test(&injected, i))
			KT_FAIL(t, "the firmware's CPU %u: %s, yet %s", i,
				cpumask_test(&injected, i) ? "told to fail" : "not told to fail",
				cpumask_test(&cpu_start_failed_mask, i) ?
				"recorded as not started" : "not recorded as not started");
	for (unsigned i = 0; i < nr_cpus_possible; i++) {
		if (cpumask_test(&injected, i))
			continue;
		if (cpu < nr_cpus_online && percpu_areas[cpu].hw_id != smp_firmware_hw_id(i))
			KT_FAIL(t, "CPU %u has hw id %u, expected the firmware's CPU %u (hw id %u)",
				cpu, percpu_areas[cpu].hw_id, i, smp_firmware_hw_id(i));
		cpu++;
	}
	KT_EXPECT_EQ(t, cpu, nr_cpus_online);
	smp_start_injected(&injected, true);
	if (cpumask_empty(&injected))
		return;
	/* it did run (so the arch really started it), then stood still */
	spins = READ_ONCE(smp_stalled_spins);
	KT_EXPECT_GT(t, spins, 0ul);
	start = uptime_ms();
	while (uptime_ms() - start < 300)
		arch_cpu_idle();
	later = READ_ONCE(smp_stalled_spins);
	KT_EXPECT_EQ(t, later, spins);
}

static struct {
	unsigned ran[MAX_CPUS];
	unsigned hw[MAX_CPUS];
} who;

static void report_id(struct ktest *t, void *arg)
{
	unsigned cpu = smp_processor_id();

	__atomic_fetch_add(&who.ran[cpu], 1, __ATOMIC_RELAXED);
	who.hw[cpu] = this_cpu()->hw_id;
}

static void each_cpu_runs_once(struct ktest *t)
{
	unsigned n;

	memset(&who, 0, sizeof(who));
	n = ktest_run_on(t, &cpu_online_mask, report_id, NULL, JOIN_MS);
	KT_EXPECT_EQ(t, n, nr_cpus_online);
	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++) {
		KT_EXPECT_EQ(t, who.ran[cpu], 1u);
		KT_EXPECT_EQ(t, who.hw[cpu], percpu_areas[cpu].hw_id);
		for (unsigned other = 0; other < cpu; other++)
			KT_EXPECT_NE(t, who.hw[cpu], who.hw[other]);
	}
}

static unsigned pair_hits[MAX_CPUS][MAX_CPUS];

static void mark_pair(void *arg)
{
	unsigned src = (unsigned)(uintptr_t)arg;

	__atomic_fetch_add(&pair_hits[src][smp_processor_id()], 1, __ATOMIC_RELAXED);
}

static void call_every_other(struct ktest *t, void *arg)
{
	unsigned self = smp_processor_id();

	for (unsigned dst = 0; dst < nr_cpus_online; dst++)
		if (dst != self)
			KT_EXPECT_EQ(t, smp_call_function_single(dst, mark_pair,
				     (void *)(uintptr_t)self, true), 0);
}

static unsigned long call_ipis(bool received)
{
	unsigned long n = 0;

	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++) {
		struct ipi_stats *st = cpu_stats(cpu);

		n += received ? READ_ONCE(st->received[IPI_CALL])
			      : READ_ONCE(st->sent[IPI_CALL]);
	}
	return n;
}

static void every_pair_ipis(struct ktest *t)
{
	unsigned long sent = call_ipis(false), received = call_ipis(true);
	unsigned long calls = nr_cpus_online * (nr_cpus_online - 1ul);

	need_cpus(t, 2);
	memset(pair_hits, 0, sizeof(pair_hits));
	ktest_run_on(t, &cpu_online_mask, call_every_other, NULL, JOIN_MS);
	for (unsigned s = 0; s < nr_cpus_online; s++)
		for (unsigned d = 0; d < nr_cpus_online; d++)
			if (pair_hits[s][d] != (s != d))
				KT_FAIL(t, "CPU %u -> CPU %u: %u calls ran, %u expected",
					s, d, pair_hits[s][d], s != d);
	/* at most one IPI per call; two sent to a CPU before it takes the
	 * first may arrive as one (a pending bit on both arches) */
	sent = call_ipis(false) - sent;
	received = call_ipis(true) - received;
	KT_EXPECT_GE(t, received, 1ul);
	KT_EXPECT_LE(t, received, sent);
	KT_EXPECT_LE(t, sent, calls);
	ktest_printf(t, "%lu calls, %lu call IPIs sent, %lu taken", calls, sent,
		     received);
}

/* All CPUs cross-call all others at once, for a bounded number of rounds. */
#define STORM_ROUNDS 200
static unsigned long storm_runs[MAX_CPUS][MAX_CPUS];   /* [callee][caller] */
static unsigned long storm_done[MAX_CPUS];

static void storm_target(void *arg)
{
	unsigned caller = (unsigned)(uintptr_t)arg;

	storm_runs[smp_processor_id()][caller]++;  /* one writer per cell */
}

static void storm_caller(struct ktest *t, void *arg)
{
	unsigned self = smp_processor_id();

	for (unsigned r = 0; r < STORM_ROUNDS; r++) {
		int err = smp_call_function_many(&cpu_online_mask, storm_target,
						 (void *)(uintptr_t)self, r % 3 != 0);
		if (err) {
			KT_FAIL(t, "round %u: cross-call failed with %d", r, err);
			return;
		}
		storm_done[self]++;
	}
	/* the no-wait calls of the last rounds must land too */
	KT_EXPECT_EQ(t, smp_call_function_many(&cpu_online_mask, storm_target,
					       (void *)(uintptr_t)self, true), 0);
}

static void cross_call_storm(struct ktest *t)
{
	unsigned n = nr_cpus_online;

	need_cpus(t, 2);
	memset(storm_runs, 0, sizeof(storm_runs));
	memset(storm_done, 0, sizeof(storm_done));
	ktest_run_on(t, &cpu_online_mask, storm_caller, NULL, JOIN_MS);
	for (unsigned callee = 0; callee < n; callee++)
		for (unsigned caller = 0; caller < n; caller++) {
			unsigned long want = callee == caller ? 0 : STORM_ROUNDS + 1;

			if (storm_runs[callee][caller] != want)
				KT_FAIL(t, "CPU %u ran %lu calls from CPU %u, expected %lu",
					callee, storm_runs[callee][caller], caller, want);
		}
}

static spinlock_t counter_lock = SPINLOCK_INIT;
static unsigned long shared_counter;
#define LOCK_ITERS 20000

static void hammer_lock(struct ktest *t, void *arg)
{
	bool irqsave = arg != NULL;

	for (unsigned i = 0; i < LOCK_ITERS; i++) {
		if (irqsave) {
			unsigned long f = spin_lock_irqsave(&counter_lock);

			shared_counter++;
			spin_unlock_irqrestore(&counter_lock, f);
		} else {
			spin_lock(&counter_lock);
			shared_counter++;
			spin_unlock(&counter_lock);
		}
	}
}

static void spinlock_exclusion(struct ktest *t)
{
	shared_counter = 0;
	ktest_run_on(t, &cpu_online_mask, hammer_lock, NULL, JOIN_MS);
	KT_EXPECT_EQ(t, shared_counter, (unsigned long)LOCK_ITERS * nr_cpus_online);
	shared_counter = 0;
	ktest_run_on(t, &cpu_online_mask, hammer_lock, (void *)1, JOIN_MS);
	KT_EXPECT_EQ(t, shared_counter, (unsigned long)LOCK_ITERS * nr_cpus_online);
	KT_EXPECT(t, !spin_is_locked(&counter_lock));
}

/*
 * The starvation guard's promise (kernel/spinlock.h): once a waiter has
 * claimed the next turn, nobody else takes the lock before it -- not the
 * holder taking it again at once, not a newcomer, not spin_trylock.  Here
 * A holds the lock until B has claimed the turn, C starts waiting, then A
 * releases and at once takes it again: B must be first in the log.
 * Without the guard A or C wins nearly every round (seen: 10 to 12 of the
 * 12 here), so the case fails.
 */
enum { FAIR_PLAIN, FAIR_IRQSAVE, FAIR_TRYLOCK, FAIR_MODES };
#define FAIR_ROUNDS 4

static spinlock_t fair_lock;
static struct {
	unsigned mode, a, b, c;          /* c == a: no third CPU */
	unsigned held, claimed, c_waiting; /* handshakes */
	unsigned order[3], n;            /* who got the lock, under fair_lock */
} fair;

static void fair_log(void)
{
	if (fair.n < ARRAY_SIZE(fair.order))
		fair.order[fair.n] = smp_processor_id();
	fair.n++;
}

/* Take fair_lock the round's way and log it; B always spins (trylock
 * never claims a turn). */
static void fair_take(struct ktest *t, bool is_b)
{
	unsigned long flags;

	if (fair.mode == FAIR_IRQSAVE) {
		flags = spin_lock_irqsave(&fair_lock);
		fair_log();
		spin_unlock_irqrestore(&fair_lock, flags);
	} else if (fair.mode == FAIR_TRYLOCK && !is_b) {
		if (!KT_WAIT_UNTIL(t, spin_trylock(&fair_lock), 10000))
			return;
		fair_log();
		spin_unlock(&fair_lock);
	} else {
		spin_lock(&fair_lock);
		fair_log();
		spin_unlock(&fair_lock);
	}
}

static void fair_job(struct ktest *t, void *arg)
{
	unsigned self = smp_processor_id();

	if (self == fair.b) {
		if (KT_WAIT_UNTIL(t, READ_ONCE(fair.held), 10000))
			fair_take(t, true);
	} else if (self == fair.a) {
		spin_lock(&fair_lock);
		WRITE_ONCE(fair.held, 1);
		/* B claims the turn after STARVE_SPINS rounds of waiting */
		KT_WAIT_UNTIL(t, __atomic_load_n(&fair_lock.starving, __ATOMIC_ACQUIRE) ==
			      1 + fair.b, 10000);
		__atomic_store_n(&fair.claimed, 1, __ATOMIC_RELEASE);
		if (fair.c != fair.a) {
			KT_WAIT_UNTIL(t, READ_ONCE(fair.c_waiting), 10000);
			udelay(1000);   /* C is in its waiting loop now */
		}
		spin_unlock(&fair_lock);
		fair_take(t, false);
	} else {
		/* after A saw B's claim: C competes for the lock, not the turn */
		if (!KT_WAIT_UNTIL(t, __atomic_load_n(&fair.claimed, __ATOMIC_ACQUIRE), 10000))
			return;
		WRITE_ONCE(fair.c_waiting, 1);
		fair_take(t, false);
	}
}

static void spinlock_starving_waiter_goes_first(struct ktest *t)
{
	static const char *const modes[] = { "spin_lock", "spin_lock_irqsave",
					     "spin_trylock" };
	unsigned want, others[2], nothers = 0;
	cpumask_t m;

	need_cpus(t, 2);
	for (unsigned cpu = 0; cpu < nr_cpus_online && nothers < 2; cpu++)
		if (cpu != t->cpu)
			others[nothers++] = cpu;
	cpumask_clear(&m);
	cpumask_set(&m, t->cpu);
	for (unsigned i = 0; i < nothers; i++)
		cpumask_set(&m, others[i]);
	want = nothers + 1;
	for (unsigned mode = 0; mode < FAIR_MODES; mode++)
		for (unsigned r = 0; r < FAIR_ROUNDS; r++) {
			memset(&fair, 0, sizeof(fair));
			spin_lock_init(&fair_lock);
			fair.mode = mode;
			fair.a = t->cpu;
			fair.b = others[0];
			fair.c = nothers > 1 ? others[1] : t->cpu;
			ktest_run_on(t, &m, fair_job, NULL, JOIN_MS);
			KT_EXPECT_EQ(t, fair.n, want);
			if (fair.n && fair.order[0] != fair.b) {
				KT_FAIL(t, "%s, round %u: CPU %u got the lock before CPU %u, which had claimed the turn",
					modes[mode], r, fair.order[0], fair.b);
				return;
			}
			KT_EXPECT(t, !spin_is_locked(&fair_lock));
		}
}

/* The claimed turn, one CPU: trylock stands back for another CPU's
 * claim (lock untouched) and takes its own, clearing it; so does
 * spin_lock_irqsave. */
static void spinlock_turn_is_kept(struct ktest *t)
{
	unsigned me = smp_processor_id(), other = (me + 1) % MAX_CPUS;
	spinlock_t l = SPINLOCK_INIT;
	unsigned long flags;

	l.starving = 1 + other;
	KT_EXPECT(t, !spin_trylock(&l));
	KT_EXPECT_EQ(t, l.locked, 0u);
	KT_EXPECT_EQ(t, l.starving, 1 + other);
	l.starving = 1 + me;
	KT_EXPECT(t, spin_trylock(&l));
	KT_EXPECT_EQ(t, l.starving, 0u);
	spin_unlock(&l);
	l.starving = 1 + me;
	flags = spin_lock_irqsave(&l);
	KT_EXPECT(t, irqs_disabled());
	KT_EXPECT_EQ(t, l.starving, 0u);
	KT_EXPECT(t, spin_is_locked(&l));
	spin_unlock_irqrestore(&l, flags);
	KT_EXPECT(t, !spin_is_locked(&l));
}

/*
 * Every CPU ticks, and not faster than TICK_HZ: a busy host may delay or
 * merge ticks (so no lower bound beyond one), but more than twice the rate
 * means a mis-programmed timer or a wrong clock calibration.
 */
#define TICK_WINDOW_MS 300

static void ticks_advance(struct ktest *t)
{
	unsigned long before[MAX_CPUS], most = 2 * TICK_HZ * TICK_WINDOW_MS / 1000 + 2;
	uint64_t start = uptime_ms(), took;

	if (!arch_clock_hz())
		ktest_skip(t, "clock not calibrated");
	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++)
		before[cpu] = cpu_stats(cpu)->ticks;
	while (uptime_ms() - start < TICK_WINDOW_MS)
		arch_cpu_idle();
	took = uptime_ms() - start;
	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++) {
		unsigned long d = cpu_stats(cpu)->ticks - before[cpu];

		if (d == 0)
			KT_FAIL(t, "CPU %u had no tick in %llu ms", cpu,
				(unsigned long long)took);
		if (took < 2 * TICK_WINDOW_MS && d > most)
			KT_FAIL(t, "CPU %u ticked %lu times in %llu ms (TICK_HZ %u)",
				cpu, d, (unsigned long long)took, TICK_HZ);
		if (cpu == 0)
			ktest_metric(t, "cpu0_ticks_per_s", d * 1000 / (took ? took : 1),
				     "ticks/s");
	}
}

static void nop_call(void *arg)
{
}

static void call_with_irqs_off_refused(struct ktest *t)
{
	int err;

	need_cpus(t, 2);
	ktest_expect_reports(t, 2);
	local_irq_disable();
	err = smp_call_function_single(1, nop_call, NULL, true);
	local_irq_enable();
	KT_EXPECT_EQ(t, err, -EINVAL);
	local_irq_disable();
	err = on_each_cpu(nop_call, NULL, false);
	local_irq_enable();
	KT_EXPECT_EQ(t, err, -EINVAL);
}

static volatile unsigned release_deaf, deaf_ready;

/* CPU 1 goes deaf (interrupts off) until CPU 0 gave up calling it. */
static void deaf_or_caller(struct ktest *t, void *arg)
{
	if (smp_processor_id() == 1) {
		unsigned long flags = local_irq_save();

		deaf_ready = 1;
		KT_WAIT_UNTIL(t, release_deaf, 20000);
		local_irq_restore(flags);
		return;
	}
	if (!KT_WAIT_UNTIL(t, deaf_ready, 20000))
		return;
	KT_EXPECT_EQ(t, smp_call_function_single(1, nop_call, NULL, true),
		     -ETIMEDOUT);
	release_deaf = 1;
}

/* A CPU that never answers is named after the bound, not waited on forever. */
static void unanswered_call_reported(struct ktest *t)
{
	cpumask_t both;
	char *log;

	need_cpus(t, 2);
	release_deaf = deaf_ready = 0;
	cpumask_clear(&both);
	cpumask_set(&both, 0);
	cpumask_set(&both, 1);
	ktest_expect_reports(t, 1);
	log = ktest_capture_console(t);
	ktest_run_on(t, &both, deaf_or_caller, NULL, JOIN_MS);
	console_capture(NULL, 0);
	/* the report must name the CPU that did not answer, not the caller */
	KT_EXPECT(t, strstr(log, "CPU 1 did not answer") != NULL);
	kfree(log);
	/* the late call still runs once CPU 1 listens again */
	KT_EXPECT_EQ(t, smp_call_function_single(1, nop_call, NULL, true), 0);
}

static void metrics(struct ktest *t)
{
	uint64_t hz = arch_clock_hz(), t0, d;
	const unsigned iters = 200;
	unsigned long spurious = 0;

	ktest_metric(t, "bringup_us", hz ? smp_bringup_cycles() * 1000000 / hz : 0, "us");
	if (hz && nr_cpus_online > 1)   /* what one AP costs, INIT-SIPI or SIGP to online */
		ktest_metric(t, "bringup_per_ap_us", smp_bringup_cycles() * 1000000 / hz /
			     (nr_cpus_online - 1), "us");
	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++) {
		unsigned long n = READ_ONCE(cpu_stats(cpu)->spurious);

		spurious += n;
		if (n)
			ktest_printf(t, "CPU %u: %lu spurious interrupts", cpu, n);
	}
	ktest_metric(t, "spurious_irqs", spurious, "irqs");
	if (nr_cpus_online < 2 || !hz)
		return;
	t0 = arch_clock();
	for (unsigned i = 0; i < iters; i++)
		smp_call_function_single(1, nop_call, NULL, true);
	d = arch_clock() - t0;
	ktest_metric(t, "ipi_round_trip_ns", d * 1000000000 / hz / iters, "ns");
	for (unsigned n = 1; n < nr_cpus_online; n++) {
		cpumask_t m;
		char name[48];

		cpumask_clear(&m);
		for (unsigned c = 1; c <= n; c++)
			cpumask_set(&m, c);
		t0 = arch_clock();
		for (unsigned i = 0; i < iters; i++)
			smp_call_function_many(&m, nop_call, NULL, true);
		d = arch_clock() - t0;
		snprintf(name, sizeof(name), "cross_call_%u_cpus_ns", n);
		ktest_metric(t, name, d * 1000000000 / hz / iters, "ns");
	}
}

static const struct ktest_case smp_cases[] = {
	KTEST_CASE(all_online),
	KTEST_CASE(failed_starts_skipped),
	KTEST_CASE(each_cpu_runs_once),
	KTEST_CASE(every_pair_ipis),
	KTEST_CASE(cross_call_storm),
	KTEST_CASE(spinlock_exclusion),
	KTEST_CASE(spinlock_turn_is_kept),
	KTEST_CASE(spinlock_starving_waiter_goes_first),
	KTEST_CASE(ticks_advance),
	KTEST_CASE(call_with_irqs_off_refused),
	KTEST_CASE(unanswered_call_reported),
	KTEST_CASE(metrics),
	{ 0 },
};
KTEST_SUITE(smp, smp_cases);

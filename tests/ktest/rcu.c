/* RCU: torture with a pipeline check, waiting, barrier, expedited, stalls. */
#include "kernel/arch.h"
#include "kernel/printk.h"
#include "kernel/rcu.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "kernel/ktest.h"
#include "mm/fault_inject.h"
#include "mm/slab.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

/*
 * rcutorture's idea: a writer replaces a shared object and retires the old
 * one; each grace period after retirement ages it one pipeline step, and
 * at the end it is poisoned and freed.  A reader that still holds an
 * object aged 2 or more saw a grace period end while it was reading.
 */
#define PIPE_LEN 4
#define POISON 0x5afe5afe5afe5afeull

struct tort {
	struct rcu_head rh;
	uint64_t poison;
	unsigned pipe;         /* 0 current, 1 retired, 2+ a GP passed */
};

static struct {
	struct tort *current;
	volatile bool stop;
	bool expedited;        /* the writer's grace periods are expedited */
	unsigned long hist[PIPE_LEN + 1];   /* [PIPE_LEN]: poisoned */
	unsigned long reads, updates, remote_updates, alloc_failures;
} tort;
static spinlock_t tort_lock = SPINLOCK_INIT;   /* updaters, one at a time */

static void tort_age(struct rcu_head *rh)
{
	struct tort *p = container_of(rh, struct tort, rh);

	if (++p->pipe < PIPE_LEN) {
		call_rcu(&p->rh, tort_age);
		return;
	}
	p->poison = POISON;
	kfree(p);
}

static void tort_reader(void)
{
	struct tort *p;
	unsigned pipe;

	rcu_read_lock();
	p = rcu_dereference(tort.current);
	if (p) {
		/* hold it a while, now and then a long while */
		unsigned spin = tort.reads % 97 == 0 ? 20000 : 50;

		for (volatile unsigned i = 0; i < spin; i++)
			;
		pipe = READ_ONCE(p->pipe);
		if (READ_ONCE(p->poison) == POISON || pipe > PIPE_LEN)
			pipe = PIPE_LEN;
		__atomic_fetch_add(&tort.hist[pipe], 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&tort.reads, 1, __ATOMIC_RELAXED);
	}
	rcu_read_unlock();
}

/*
 * Replace the current object; the old one ages on this CPU's list.  With
 * @wait the first step is a synchronize_rcu_expedited() right here: a
 * reader that still holds the object afterwards sees it aged.
 */
static void tort_update(bool remote, bool wait)
{
	struct tort *n = kmalloc(sizeof(*n), GFP_KERNEL | GFP_NOWARN), *old;

	if (!n) {
		__atomic_fetch_add(&tort.alloc_failures, 1, __ATOMIC_RELAXED);
		return;
	}
	n->poison = 0;
	n->pipe = 0;
	spin_lock(&tort_lock);
	old = tort.current;
	rcu_assign_pointer(tort.current, n);
	tort.updates++;
	tort.remote_updates += remote;
	spin_unlock(&tort_lock);
	if (old) {
		old->pipe = 1;
		if (wait) {
			synchronize_rcu_expedited();
			WRITE_ONCE(old->pipe, 2);
		}
		call_rcu(&old->rh, tort_age);
	}
}

/*
 * The test's CPU writes (and reads), the others read — and update now and
 * then, so callbacks are queued on every CPU at once — until it stops.  It
 * stops after @arg ms once it made TORT_MIN_UPDATES updates, or at
 * TORT_MAX_MS whatever happened: bounded, and not at the mercy of a busy
 * host that slows the emulator down.
 */
#define TORT_MIN_UPDATES 200
#define TORT_MAX_MS 15000

static void tort_job(struct ktest *t, void *arg)
{
	uint64_t start = uptime_ms(), min_end = start + (uintptr_t)arg;

	if (smp_processor_id() != t->cpu) {
		for (unsigned n = 1; !READ_ONCE(tort.stop); n++) {
			tort_reader();
			if (n % 256 == 0)
				tort_update(true, false);
		}
		return;
	}
	for (;;) {
		uint64_t now = uptime_ms();

		if (now >= start + TORT_MAX_MS ||
		    (now >= min_end && tort.updates >= TORT_MIN_UPDATES))
			break;
		tort_update(false, tort.expedited);
		if (!tort.expedited && READ_ONCE(tort.updates) % 8 == 0)
			synchronize_rcu();
		tort_reader();
	}
	WRITE_ONCE(tort.stop, true);
}

static void run_torture(struct ktest *t, unsigned ms, bool expedited)
{
	memset(&tort, 0, sizeof(tort));
	tort.expedited = expedited;
	ktest_run_on(t, &cpu_online_mask, tort_job, (void *)(uintptr_t)ms,
		     TORT_MAX_MS + 20000);
	if (tort.current) {
		tort.current->pipe = 1;
		call_rcu(&tort.current->rh, tort_age);
		tort.current = NULL;
	}
	/* each barrier lets every retired object age one step */
	for (unsigned i = 0; i < PIPE_LEN; i++)
		rcu_barrier();
}

static void print_hist(struct ktest *t)
{
	ktest_printf(t, "pipeline: %lu %lu %lu %lu poisoned %lu; reads %lu updates %lu "
		     "(%lu by the readers' CPUs)",
		     tort.hist[0], tort.hist[1], tort.hist[2], tort.hist[3],
		     tort.hist[PIPE_LEN], tort.reads, tort.updates,
		     tort.remote_updates);
}

static void check_torture(struct ktest *t, unsigned ms, bool expedited)
{
	uint64_t gps = rcu_stats.gps_completed;

	run_torture(t, ms, expedited);
	print_hist(t);
	KT_EXPECT_GE(t, tort.updates, (unsigned long)TORT_MIN_UPDATES);
	KT_EXPECT_GE(t, tort.reads, tort.updates);
	if (nr_cpus_online > 1)
		KT_EXPECT_GT(t, tort.remote_updates, 0ul);
	KT_EXPECT_GT(t, rcu_stats.gps_completed, gps);
	for (unsigned i = 2; i <= PIPE_LEN; i++)
		if (tort.hist[i])
			KT_FAIL(t, "%lu reads saw an object %s", tort.hist[i],
				i == PIPE_LEN ? "poisoned" : "a grace period too old");
}

static void torture(struct ktest *t)
{
	check_torture(t, 1500, false);
	ktest_metric(t, "torture_reads", tort.reads, "reads");
	ktest_metric(t, "torture_updates", tort.updates, "updates");
}

/* The same with an expedited grace period after every update of the
 * writer: its IPIs interrupt the readers, and must not end a grace period
 * under one. */
static void torture_expedited(struct ktest *t)
{
	unsigned long exp = rcu_stats.expedited;

	check_torture(t, 1000, true);
	KT_EXPECT_GT(t, rcu_stats.expedited, exp);
}

/* The negative control: with grace periods that do not wait, the same
 * torture must see too-old or poisoned objects. */
static void broken_gp_is_caught(struct ktest *t)
{
	unsigned long bad = 0;

	if (nr_cpus_online < 2)
		ktest_skip(t, "readers need another CPU");
	rcu_broken = true;
	run_torture(t, 1000, false);
	rcu_broken = false;
	print_hist(t);
	for (unsigned i = 2; i <= PIPE_LEN; i++)
		bad += tort.hist[i];
	KT_EXPECT_GT(t, bad, 0ul);  /* the detector works */
}

static void torture_with_fault_injection(struct ktest *t)
{
	struct fault_attr_saved saved;

	fault_attr_save(&fail_kmalloc, &saved);
	fault_attr_set(&fail_kmalloc, 5, 0, t->seed);
	run_torture(t, 500, false);
	fault_attr_restore(&fail_kmalloc, &saved);
	print_hist(t);
	KT_EXPECT_GT(t, tort.alloc_failures, 0ul);
	for (unsigned i = 2; i <= PIPE_LEN; i++)
		KT_EXPECT_EQ(t, tort.hist[i], 0ul);
}

static volatile int reader_state;   /* 0 idle, 1 inside, 2 left */

enum reader_kind {
	READER_LOCK,            /* rcu_read_lock() */
	READER_IRQS_OFF,        /* interrupts disabled */
	READER_IRQS_OFF_NESTED, /* the same, entering and leaving rcu_read_lock() */
};
static const char *const reader_names[] = {
	[READER_LOCK] = "rcu_read_lock()",
	[READER_IRQS_OFF] = "interrupts-off",
	[READER_IRQS_OFF_NESTED] = "interrupts-off (nesting rcu_read_lock())",
};

struct reader_case {
	enum reader_kind kind;
	bool expedited;         /* the waiter's grace period */
};

/* One CPU reads for 300 ms; the other waits for a grace period that
 * starts while it reads, and must not return before it left. */
static void long_reader(struct ktest *t, void *arg)
{
	const struct reader_case *rc = arg;
	unsigned long flags = 0;
	uint64_t end;

	if (smp_processor_id() == t->cpu) {
		if (!KT_WAIT_UNTIL(t, reader_state != 0, 20000))
			return;
		if (rc->expedited)
			synchronize_rcu_expedited();
		else
			synchronize_rcu();
		if (reader_state != 2)
			KT_FAIL(t, "synchronize_rcu%s() returned inside an %s reader",
				rc->expedited ? "_expedited" : "",
				reader_names[rc->kind]);
		return;
	}
	if (rc->kind == READER_LOCK)
		rcu_read_lock();
	else
		flags = local_irq_save();
	reader_state = 1;
	end = uptime_ms() + 300;
	while (uptime_ms() < end) {
		if (rc->kind == READER_IRQS_OFF_NESTED) {
			/* its unlock sees rcu_qs_wanted: still no quiescent
			 * state, interrupts are off */
			rcu_read_lock();
			cpu_relax();
			rcu_read_unlock();
		}
		cpu_relax();
	}
	reader_state = 2;
	if (rc->kind == READER_LOCK)
		rcu_read_unlock();
	else
		local_irq_restore(flags);
}

static void run_long_reader(struct ktest *t, enum reader_kind kind,
			    bool expedited)
{
	struct reader_case rc = { kind, expedited };
	cpumask_t two;

	ktest_pair_mask(t, &two);
	reader_state = 0;
	ktest_run_on(t, &two, long_reader, &rc, 20000);
}

static void sync_waits_for_reader(struct ktest *t)
{
	run_long_reader(t, READER_LOCK, false);
	run_long_reader(t, READER_IRQS_OFF, false);
}

/* A reader with interrupts off stays one across an rcu_read_lock() section
 * inside it: the inner outermost unlock must not report a quiescent state. */
static void irqs_off_reader_nests_lock(struct ktest *t)
{
	run_long_reader(t, READER_IRQS_OFF_NESTED, false);
	run_long_reader(t, READER_IRQS_OFF_NESTED, true);
}

/* The IPIs of an expedited grace period reach a reader in rcu_read_lock()
 * at once (they must not count as its quiescent state) and one with
 * interrupts off when it leaves. */
static void expedited_waits_for_reader(struct ktest *t)
{
	run_long_reader(t, READER_LOCK, true);
	run_long_reader(t, READER_IRQS_OFF, true);
}

static volatile bool qs_spinning, qs_stop;

/* CPU t->cpu waits for a grace period while the other spins with
 * interrupts off (no tick, so no quiescent state unless it says so). */
static void irqs_off_spinner(struct ktest *t, void *arg)
{
	if (smp_processor_id() == t->cpu) {
		if (KT_WAIT_UNTIL(t, qs_spinning, 20000))
			synchronize_rcu();
		qs_stop = true;
		return;
	}
	unsigned long flags = local_irq_save();
	uint64_t end = uptime_ms() + 15000;

	qs_spinning = true;
	while (!qs_stop && uptime_ms() < end) {
		rcu_quiescent_state();
		cpu_relax();
	}
	local_irq_restore(flags);
	KT_EXPECT(t, qs_stop);   /* the grace period ended while we spun */
}

static void quiescent_state_from_a_loop(struct ktest *t)
{
	cpumask_t two;
	uint64_t gps = rcu_stats.gps_completed;
	unsigned long stalls = rcu_stats.stalls_reported;

	ktest_pair_mask(t, &two);
	qs_spinning = qs_stop = false;
	ktest_run_on(t, &two, irqs_off_spinner, NULL, 30000);
	KT_EXPECT_GT(t, rcu_stats.gps_completed, gps);
	KT_EXPECT_EQ(t, rcu_stats.stalls_reported, stalls);
}

static volatile int slow_state;   /* 0 queued, 1 running, 2 released, 3 done */

static void slow_cb(struct rcu_head *rh)
{
	uint64_t end = uptime_ms() + 5000;

	slow_state = 1;
	while (slow_state == 1 && uptime_ms() < end)
		cpu_relax();
	slow_state = 3;
	kfree(rh);
}

static void queue_slow(struct ktest *t, void *arg)
{
	struct rcu_head *rh = kmalloc(sizeof(*rh), GFP_NOFAULT);

	KT_ASSERT(t, rh != NULL);
	call_rcu(rh, slow_cb);
}

/* A callback that is running is still pending: the leak check after each
 * case relies on it (an idle CPU may be freeing tables right then). */
static void running_callback_is_pending(struct ktest *t)
{
	cpumask_t other;

	if (nr_cpus_online < 2)
		ktest_skip(t, "needs 2 CPUs");
	cpumask_clear(&other);
	cpumask_set(&other, t->cpu == 1 ? 0 : 1);
	slow_state = 0;
	/* queued on the other CPU: this one, busy here, never runs that list */
	ktest_run_on(t, &other, queue_slow, NULL, 10000);
	if (KT_WAIT_UNTIL(t, slow_state == 1, 20000)) {
		KT_EXPECT_EQ(t, rcu_pending_callbacks(t->cpu == 1 ? 0 : 1), 0ul);
		KT_EXPECT(t, rcu_callbacks_pending());
	}
	slow_state = 2;
	rcu_barrier();
	KT_EXPECT_EQ(t, slow_state, 3);
	KT_EXPECT(t, !rcu_callbacks_pending());
}

static unsigned long barrier_count;

static void count_cb(struct rcu_head *rh)
{
	__atomic_fetch_add(&barrier_count, 1, __ATOMIC_RELAXED);
	kfree(rh);
}

static void queue_many(struct ktest *t, void *arg)
{
	for (unsigned i = 0; i < (uintptr_t)arg; i++) {
		struct rcu_head *rh = kmalloc(sizeof(*rh), GFP_NOFAULT);

		KT_ASSERT(t, rh != NULL);
		call_rcu(rh, count_cb);
	}
}

static void barrier_waits_for_all(struct ktest *t)
{
	barrier_count = 0;
	ktest_run_on(t, &cpu_online_mask, queue_many, (void *)50, 20000);
	rcu_barrier();
	KT_EXPECT_EQ(t, barrier_count, 50ul * nr_cpus_online);
	for (unsigned c = 0; c < nr_cpus_online; c++)
		KT_EXPECT_EQ(t, rcu_pending_callbacks(c), 0ul);
}

static unsigned long cbs_ran_on[MAX_CPUS];
static unsigned long barrier_calls;

static void count_on_cpu_cb(struct rcu_head *rh)
{
	struct { struct rcu_head rh; unsigned cpu; } *c = (void *)rh;

	__atomic_fetch_add(&cbs_ran_on[c->cpu], 1, __ATOMIC_RELAXED);
	kfree(c);
}

/* Queue a few callbacks, rcu_barrier(), check they all ran; repeat. */
static void barrier_loop(struct ktest *t, void *arg)
{
	unsigned cpu = smp_processor_id(), queued = 0;
	uint64_t end = uptime_ms() + (uintptr_t)arg;

	for (unsigned round = 0; round < 200 && uptime_ms() < end; round++) {
		for (unsigned i = 0; i <= round % 4; i++) {
			struct { struct rcu_head rh; unsigned cpu; } *c;

			c = kmalloc(sizeof(*c), GFP_NOFAULT);
			KT_ASSERT(t, c != NULL);
			c->cpu = cpu;
			call_rcu(&c->rh, count_on_cpu_cb);
			queued++;
		}
		rcu_barrier();
		__atomic_fetch_add(&barrier_calls, 1, __ATOMIC_RELAXED);
		KT_ASSERT_EQ(t, __atomic_load_n(&cbs_ran_on[cpu], __ATOMIC_RELAXED),
			     (unsigned long)queued);
	}
}

/* Every CPU calls rcu_barrier() at once: each must still wait for its own
 * callbacks, and the shared barrier state must survive. */
static void concurrent_barriers(struct ktest *t)
{
	unsigned long runs = rcu_stats.barriers;

	memset(cbs_ran_on, 0, sizeof(cbs_ran_on));
	barrier_calls = 0;
	ktest_run_on(t, &cpu_online_mask, barrier_loop, (void *)1500, 30000);
	runs = rcu_stats.barriers - runs;
	KT_EXPECT_GT(t, barrier_calls, 0ul);
	KT_EXPECT_LE(t, runs, barrier_calls);
	for (unsigned c = 0; c < nr_cpus_online; c++)
		KT_EXPECT_EQ(t, rcu_pending_callbacks(c), 0ul);
	ktest_metric(t, "barrier_calls", barrier_calls, "calls");
	ktest_metric(t, "barriers_run", runs, "barriers");
}

static volatile bool deaf_ready;

/*
 * The other CPU queues callbacks, then goes deaf (interrupts off) until
 * the test CPU's rcu_barrier() has seen its cross-call go unanswered and
 * said so; it keeps grace periods going meanwhile (rcu_quiescent_state()),
 * so only the cross-call is missing.
 */
static void deaf_during_barrier(struct ktest *t, void *arg)
{
	unsigned long flags, timeouts = rcu_stats.barrier_timeouts;
	uint64_t end;

	if (smp_processor_id() == t->cpu) {
		if (KT_WAIT_UNTIL(t, deaf_ready, 20000))
			rcu_barrier();
		return;
	}
	queue_many(t, arg);
	flags = local_irq_save();
	end = uptime_ms() + 20000;
	deaf_ready = true;
	while (__atomic_load_n(&rcu_stats.barrier_timeouts, __ATOMIC_ACQUIRE) ==
	       timeouts && uptime_ms() < end) {
		rcu_quiescent_state();
		cpu_relax();
	}
	local_irq_restore(flags);   /* the queued call runs now */
	KT_EXPECT_EQ(t, rcu_stats.barrier_timeouts, timeouts + 1);
}

/* A CPU that answers rcu_barrier()'s cross-call late: reported, named, and
 * still waited for (its callbacks ran when rcu_barrier() returns). */
static void barrier_waits_for_a_late_cpu(struct ktest *t)
{
	cpumask_t two;
	unsigned other = ktest_pair_mask(t, &two);
	char want[48], *log;

	barrier_count = 0;
	deaf_ready = false;
	ktest_expect_reports(t, 1);
	log = ktest_capture_console(t);
	ktest_run_on(t, &two, deaf_during_barrier, (void *)50, 30000);
	console_capture(NULL, 0);
	KT_EXPECT_EQ(t, barrier_count, 50ul);
	KT_EXPECT_EQ(t, rcu_pending_callbacks(other), 0ul);
	snprintf(want, sizeof(want), "waiting for CPU(s) %u,", other);
	KT_EXPECT(t, strstr(log, want) != NULL);
	kfree(log);
}

/*
 * A callback flood on one CPU (F) while it works: it runs readers in a
 * loop, and the test's CPU (when it is another) keeps sending it
 * cross-calls.  The callbacks see which of F's ticks runs them (the tick
 * count does not move within one tick) and how far F's loop has got.
 */
#define FLOOD_CBS_PER_CPU 2048  /* F's share shrinks with every helper */
#define FLOOD_MS 30000          /* a bound only: it drains in about 1 s */

static struct {
	unsigned cpu;                   /* F */
	unsigned long n;                /* callbacks queued */
	volatile bool measuring, queued, done;
	unsigned long ran, in_reader;   /* any CPU (helpers run F's list too) */
	/* F only, one callback at a time there */
	unsigned long on_f, tick, in_tick, max_in_tick, batches;
	unsigned long work_seen, batches_after_work;
	volatile unsigned long work;    /* F's loop iterations */
	unsigned long pings, pings_while_pending;
} flood;

static void flood_cb(struct rcu_head *rh)
{
	struct percpu *c = this_cpu();

	if (c->rcu_nesting)     /* the tick interrupted a reader */
		__atomic_fetch_add(&flood.in_reader, 1, __ATOMIC_RELAXED);
	if (c->cpu == flood.cpu && flood.measuring) {
		unsigned long tick = cpu_stats(c->cpu)->ticks;

		if (!flood.batches || tick != flood.tick) {
			flood.tick = tick;
			flood.in_tick = 0;
			flood.batches++;
			if (flood.work != flood.work_seen)
				flood.batches_after_work++;
			flood.work_seen = flood.work;
		}
		if (++flood.in_tick > flood.max_in_tick)
			flood.max_in_tick = flood.in_tick;
		flood.on_f++;
	}
	kfree(rh);
	__atomic_fetch_add(&flood.ran, 1, __ATOMIC_RELEASE);
}

static void flood_ping(void *arg)
{
	flood.pings++;
	if (rcu_pending_callbacks(flood.cpu))
		flood.pings_while_pending++;
}

static void flood_job(struct ktest *t, void *arg)
{
	uint64_t end = uptime_ms() + FLOOD_MS;

	if (smp_processor_id() != flood.cpu) {
		/* the test's CPU: a cross-call each time F's loop got on */
		if (!KT_WAIT_UNTIL(t, flood.queued, 20000))
			return;
		while (!flood.done) {
			unsigned long work = flood.work;

			if (smp_call_function_single(flood.cpu, flood_ping, NULL, true)) {
				KT_FAIL(t, "CPU %u did not answer a cross-call mid-flood",
					flood.cpu);
				return;
			}
			KT_WAIT_UNTIL(t, flood.work - work >= 100 || flood.done, 20000);
		}
		return;
	}
	flood.measuring = true;
	for (unsigned long i = 0; i < flood.n; i++) {
		struct rcu_head *rh = kmalloc(sizeof(*rh), GFP_NOFAULT);

		KT_ASSERT(t, rh != NULL);
		call_rcu(rh, flood_cb);
	}
	flood.queued = true;
	/* F's own work, while its ticks run the flood: a spin inside a
	 * reader, then one outside, so about half of the ticks land in a
	 * reader (where they must not run callbacks) and half outside (where
	 * they do; QEMU tends to deliver a lone vCPU's tick at a pause) */
	while (__atomic_load_n(&flood.ran, __ATOMIC_ACQUIRE) < flood.n &&
	       uptime_ms() < end) {
		bool inside = flood.work & 1;

		if (inside)
			rcu_read_lock();
		for (volatile unsigned i = 0; i < 50; i++)
			cpu_relax();
		if (inside)
			rcu_read_unlock();
		flood.work++;
	}
	flood.measuring = false;
	flood.done = true;
}

static void flood_is_bounded(struct ktest *t)
{
	uint64_t hz = arch_clock_hz(), t0;
	cpumask_t cpus;

	memset(&flood, 0, sizeof(flood));
	flood.cpu = nr_cpus_online > 1 ? (t->cpu == 1 ? 0 : 1) : t->cpu;
	flood.n = FLOOD_CBS_PER_CPU * (nr_cpus_online < 8 ? nr_cpus_online : 8);
	cpumask_clear(&cpus);
	cpumask_set(&cpus, t->cpu);
	cpumask_set(&cpus, flood.cpu);
	__atomic_store_n(&rcu_stats.max_cbs_per_tick, 0, __ATOMIC_RELAXED);
	t0 = arch_clock();
	ktest_run_on(t, &cpus, flood_job, NULL, FLOOD_MS + 10000);
	ktest_printf(t, "CPU %u: %lu of %lu callbacks in %lu ticks, at most %lu in one; "
		     "%lu loops; %lu of %lu cross-calls answered mid-flood",
		     flood.cpu, flood.on_f, flood.ran, flood.batches,
		     flood.max_in_tick, flood.work, flood.pings_while_pending,
		     flood.pings);
	if (hz)
		ktest_metric(t, "callbacks_per_s",
			     flood.ran * hz / (arch_clock() - t0 + 1), "cb/s");
	/* the flood drains completely, never inside a reader */
	KT_EXPECT_EQ(t, flood.ran, flood.n);
	KT_EXPECT_EQ(t, rcu_pending_callbacks(flood.cpu), 0ul);
	KT_EXPECT_EQ(t, flood.in_reader, 0ul);
	/* F's ticks ran a real share, each at most a batch, and F's loop went
	 * on between them */
	KT_EXPECT_GT(t, flood.on_f, (unsigned long)RCU_CB_BATCH);
	KT_EXPECT_LE(t, flood.max_in_tick, (unsigned long)RCU_CB_BATCH);
	KT_EXPECT_GT(t, flood.batches_after_work, 0ul);
	/* the figure, updated by several CPUs at once, lost none of them */
	KT_EXPECT_GE(t, __atomic_load_n(&rcu_stats.max_cbs_per_tick, __ATOMIC_RELAXED),
		     flood.max_in_tick);
	KT_EXPECT_LE(t, __atomic_load_n(&rcu_stats.max_cbs_per_tick, __ATOMIC_RELAXED),
		     (unsigned long)RCU_CB_BATCH);
	/* and it answered cross-calls while callbacks were still waiting */
	if (flood.cpu != t->cpu)
		KT_EXPECT_GT(t, flood.pings_while_pending, 0ul);
}

#define EXP_ROUNDS 300

static volatile unsigned exp_started;

static void expedited_loop(struct ktest *t, void *arg)
{
	__atomic_fetch_add(&exp_started, 1, __ATOMIC_RELAXED);
	/* start together: the calls (and their counting) overlap */
	if (!KT_WAIT_UNTIL(t, exp_started == nr_cpus_online, 20000))
		return;
	for (unsigned i = 0; i < EXP_ROUNDS; i++)
		synchronize_rcu_expedited();
}

/* Every CPU at once, over and over: each call waits for its own grace
 * period, and each is counted. */
static void expedited_from_every_cpu(struct ktest *t)
{
	unsigned long exp = rcu_stats.expedited;
	uint64_t gps = rcu_stats.gps_completed;

	exp_started = 0;
	ktest_run_on(t, &cpu_online_mask, expedited_loop, NULL, 60000);
	KT_EXPECT_EQ(t, rcu_stats.expedited - exp,
		     (unsigned long)EXP_ROUNDS * nr_cpus_online);
	KT_EXPECT_GE(t, rcu_stats.gps_completed - gps, (uint64_t)EXP_ROUNDS);
}

static void expedited_vs_normal(struct ktest *t)
{
	uint64_t hz = arch_clock_hz(), t0, normal, exp;
	unsigned long ticks0, ticks_normal, ticks_exp;
	const unsigned n = 10;

	ticks0 = cpu_stats(t->cpu)->ticks;
	t0 = arch_clock();
	for (unsigned i = 0; i < n; i++)
		synchronize_rcu();
	normal = arch_clock() - t0;
	ticks_normal = cpu_stats(t->cpu)->ticks - ticks0;
	ticks0 = cpu_stats(t->cpu)->ticks;
	t0 = arch_clock();
	for (unsigned i = 0; i < n; i++)
		synchronize_rcu_expedited();
	exp = arch_clock() - t0;
	ticks_exp = cpu_stats(t->cpu)->ticks - ticks0;
	if (hz) {
		ktest_metric(t, "gp_us", normal * 1000000 / hz / n, "us");
		ktest_metric(t, "expedited_gp_us", exp * 1000000 / hz / n, "us");
	}
	ktest_metric(t, "gp_ticks_x10", ticks_normal, "ticks");
	ktest_metric(t, "expedited_gp_ticks_x10", ticks_exp, "ticks");
	ktest_metric_ratio(t, "normal_vs_expedited", normal, exp, "x");
	/* a normal grace period waits for ticks, an expedited one does not */
	if (nr_cpus_online > 1)
		KT_EXPECT_LT(t, exp, normal);
}

static void read_side_cost(struct ktest *t)
{
	uint64_t hz = arch_clock_hz(), t0;
	const unsigned n = 100000;

	t0 = arch_clock();
	for (unsigned i = 0; i < n; i++) {
		rcu_read_lock();
		rcu_read_unlock();
	}
	if (hz)
		ktest_metric(t, "read_lock_unlock_ns", (arch_clock() - t0) * 1000000000 / hz / n, "ns");
	KT_EXPECT_EQ(t, this_cpu()->rcu_nesting, 0);
}

static void stalled_reader(struct ktest *t, void *arg)
{
	if (smp_processor_id() == t->cpu) {
		if (!KT_WAIT_UNTIL(t, reader_state != 0, 20000))
			return;
		/* a grace period now cannot end until the reader leaves */
		synchronize_rcu();
		return;
	}
	rcu_read_lock();
	reader_state = 1;
	/* the stall timeout is shortened by the case: far below this */
	KT_WAIT_UNTIL(t, rcu_stats.stalls_reported != (uintptr_t)arg, 60000);
	rcu_read_unlock();
}

static void stall_is_reported(struct ktest *t)
{
	unsigned saved = rcu_stall_ms;
	unsigned long before = rcu_stats.stalls_reported;
	cpumask_t two;
	unsigned other = ktest_pair_mask(t, &two);
	char want[32], *log;

	reader_state = 0;
	rcu_stall_ms = 200;
	ktest_expect_reports(t, 1);
	log = ktest_capture_console(t);
	ktest_run_on(t, &two, stalled_reader, (void *)(uintptr_t)before, 20000);
	console_capture(NULL, 0);
	rcu_stall_ms = saved;
	KT_EXPECT_EQ(t, rcu_stats.stalls_reported, before + 1);
	snprintf(want, sizeof(want), "CPU %u: rcu_nesting 1", other);
	KT_EXPECT(t, strstr(log, want) != NULL);
	kfree(log);
}

static const struct ktest_case rcu_cases[] = {
	KTEST_CASE(torture),
	KTEST_CASE(torture_expedited),
	KTEST_CASE(broken_gp_is_caught),
	KTEST_CASE(torture_with_fault_injection),
	KTEST_CASE(sync_waits_for_reader),
	KTEST_CASE(expedited_waits_for_reader),
	KTEST_CASE(irqs_off_reader_nests_lock),
	KTEST_CASE(quiescent_state_from_a_loop),
	KTEST_CASE(barrier_waits_for_all),
	KTEST_CASE(concurrent_barriers),
	KTEST_CASE(running_callback_is_pending),
	KTEST_CASE(barrier_waits_for_a_late_cpu),
	KTEST_CASE(flood_is_bounded),
	KTEST_CASE(expedited_from_every_cpu),
	KTEST_CASE(expedited_vs_normal),
	KTEST_CASE(read_side_cost),
	KTEST_CASE(stall_is_reported),
	{ 0 },
};
KTEST_SUITE(rcu, rcu_cases);

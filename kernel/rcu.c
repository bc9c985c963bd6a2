/*
 * Tick-driven RCU (see rcu.h for the read side).
 *
 * Grace periods: gp_seq is even while idle and odd while a grace period
 * runs; starting one sets every online CPU in qs_mask, and the last CPU to
 * report a quiescent state ends it.  Callbacks wait on each CPU in three
 * segments: "next" (queued, tagged with the grace period that will cover
 * them), "wait" (tagged likewise, next in line) and "done" (ready); the
 * tick moves them along and invokes at most RCU_CB_BATCH ready ones, only
 * when it did not interrupt a reader.  A CPU that spends all its time in
 * readers would never run its callbacks, so CPUs that wait (idle,
 * synchronize_rcu, rcu_barrier) also run other CPUs' ready callbacks, one
 * CPU per list at a time so each list still runs in order.  One global
 * lock: good for the 64 CPUs ptlab supports (docs/rcu.md: how it would
 * grow).
 */
#include "kernel/rcu.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "mm/page_alloc.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

struct cb_list {
	struct rcu_head *head;
	struct rcu_head **tail;
	unsigned long n;
};

struct rcu_cpu {
	spinlock_t lock;                /* the segments; other CPUs help too */
	bool invoking;                  /* one CPU at a time runs this list */
	struct cb_list next, wait, done;
	uint64_t next_seq, wait_seq;    /* gp_seq at which they are safe */
	unsigned long last_tick_ip;
	uint64_t last_tick_ms;
	struct rcu_head barrier_head;
	uint64_t barrier_queued;        /* barrier_seq its head was queued for */
};

static struct {
	spinlock_t lock;
	uint64_t gp_seq;
	uint64_t gp_seq_needed;
	cpumask_t qs_mask;
	cpumask_t waiters;      /* CPUs idling until a grace period ends */
	uint64_t gp_start_ms;
	bool stall_reported;
} rcu = { .lock = SPINLOCK_INIT };

static struct rcu_cpu rcu_cpus[MAX_CPUS];
struct rcu_stats rcu_stats;
unsigned rcu_stall_ms = 10000;  /* a busy 2-core host slows TCG down */
unsigned rcu_stall_panic_ms = 60000;
bool rcu_broken;

static int set_stall_ms(const char *v, size_t len)
{
	uint64_t ms;

	if (parse_u64(v, len, 10, &ms) || ms < 10 || ms > 600000)
		return -EINVAL;
	rcu_stall_ms = (unsigned)ms;
	return 0;
}
KERNEL_PARAM("rcu.stall_ms", set_stall_ms,
	     "<ms>: report a grace period older than this (default 10000)");

static int set_stall_panic_ms(const char *v, size_t len)
{
	uint64_t ms;

	if (parse_u64(v, len, 10, &ms) || (ms && ms < 10) || ms > 3600000)
		return -EINVAL;
	rcu_stall_panic_ms = (unsigned)ms;
	return 0;
}
KERNEL_PARAM("rcu.stall_panic_ms", set_stall_panic_ms,
	     "<ms>: end the run if a grace period is this old, or an rcu_barrier() "
	     "missing a CPU waited this long (default 60000, 0: wait forever)");

KERNEL_PARAM_BOOL("rcu.broken", rcu_broken,
		  "1: grace periods end without waiting (negative control only)");

static void cbl_init(struct cb_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
	l->n = 0;
}

static void cbl_append(struct cb_list *dst, struct cb_list *src)
{
	if (!src->head)
		return;
	*dst->tail = src->head;
	dst->tail = src->tail;
	dst->n += src->n;
	cbl_init(src);
}

void rcu_init(void)
{
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
		spin_lock_init(&rcu_cpus[cpu].lock);
		cbl_init(&rcu_cpus[cpu].next);
		cbl_init(&rcu_cpus[cpu].wait);
		cbl_init(&rcu_cpus[cpu].done);
	}
}

uint64_t rcu_gp_seq(void)
{
	return __atomic_load_n(&rcu.gp_seq, __ATOMIC_ACQUIRE);
}

/*
 * The gp_seq value after a whole grace period that starts after now.
 * Callers (call_rcu, synchronize_rcu*) have just unpublished something,
 * and x86 and s390x both let a later load pass an earlier store: without
 * the full barrier gp_seq could be read before that store is visible, so
 * the snapshot could name a grace period another CPU already started, and
 * a CPU that reported for it and then began a reader could still find the
 * old pointer.  With it, a grace period whose start this load missed
 * starts after the store is visible; rcu.lock orders that start before
 * every CPU's report, and so before any reader that follows a report.
 */
static uint64_t seq_snap(void)
{
	smp_mb();
	return (rcu_gp_seq() + 3) & ~1ull;
}

static bool seq_done(uint64_t s)
{
	return rcu_gp_seq() >= s;
}

/* rcu.lock held */
static void end_gp(void)
{
	unsigned cpu, self = smp_processor_id();

	__atomic_store_n(&rcu.gp_seq, rcu.gp_seq + 1, __ATOMIC_RELEASE);
	rcu_stats.gps_completed++;
	for_each_cpu(cpu, &rcu.waiters)
		if (cpu != self)
			smp_send_ipi(cpu, IPI_WAKE);
}

/* rcu.lock held */
static void start_gp(void)
{
	unsigned cpu;

	if (rcu.gp_seq & 1)
		return;
	__atomic_store_n(&rcu.gp_seq, rcu.gp_seq + 1, __ATOMIC_RELEASE);
	rcu.gp_start_ms = uptime_ms();
	rcu.stall_reported = false;
	rcu.qs_mask = cpu_online_mask;
	for_each_cpu(cpu, &rcu.qs_mask)
		WRITE_ONCE(percpu_areas[cpu].rcu_qs_wanted, true);
}

/* Ask for grace periods until gp_seq reaches @s. */
static void request_gp(uint64_t s)
{
	unsigned long flags = spin_lock_irqsave(&rcu.lock);

	if (s > rcu.gp_seq_needed)
		rcu.gp_seq_needed = s;
	if (rcu.gp_seq < rcu.gp_seq_needed)
		start_gp();
	spin_unlock_irqrestore(&rcu.lock, flags);
}

/*
 * This CPU is outside any reader right now (interrupts may be off).
 * Ordering: the reads of the sections it left come before the release of
 * rcu.lock below, and a grace period ends only under that lock after it
 * (end_gp's release of gp_seq then carries them to whoever frees), so
 * nothing is freed under them.  No barrier is needed for that.
 */
static void report_qs(void)
{
	struct percpu *c = this_cpu();
	unsigned long flags;

	if (!READ_ONCE(c->rcu_qs_wanted))
		return;
	flags = spin_lock_irqsave(&rcu.lock);
	WRITE_ONCE(c->rcu_qs_wanted, false);
	if ((rcu.gp_seq & 1) && cpumask_test(&rcu.qs_mask, c->cpu)) {
		cpumask_clear_cpu(&rcu.qs_mask, c->cpu);
		if (cpumask_empty(&rcu.qs_mask)) {
			end_gp();
			if (rcu.gp_seq < rcu.gp_seq_needed)
				start_gp();
		}
	}
	spin_unlock_irqrestore(&rcu.lock, flags);
}

void rcu_quiescent_state(void)
{
	if (WARN_ON(this_cpu()->rcu_nesting > 0))
		return;
	report_qs();
}

void rcu_read_unlock_special(void)
{
	/* with interrupts off the CPU is still a reader (sched semantics) */
	if (!irqs_disabled())
		report_qs();
}

/* Move callbacks along the segments (rc->lock held). */
static void advance_locked(struct rcu_cpu *rc, uint64_t *need)
{
	if (rc->wait.head && seq_done(rc->wait_seq))
		cbl_append(&rc->done, &rc->wait);
	if (!rc->wait.head && rc->next.head) {
		rc->wait_seq = rc->next_seq;
		cbl_append(&rc->wait, &rc->next);
		if (seq_done(rc->wait_seq))
			cbl_append(&rc->done, &rc->wait);
	} else if (rc->next.head && rc->next_seq == rc->wait_seq) {
		cbl_append(&rc->wait, &rc->next);
	}
	*need = 0;
	if (rc->wait.head && !seq_done(rc->wait_seq))
		*need = rc->wait_seq;
	if (rc->next.head && rc->next_seq > *need)
		*need = rc->next_seq;
}

static void advance(struct rcu_cpu *rc)
{
	unsigned long flags = spin_lock_irqsave(&rc->lock);
	uint64_t need;

	advance_locked(rc, &need);
	spin_unlock_irqrestore(&rc->lock, flags);
	if (need)
		request_gp(need);
}

/* Several CPUs run batches at once (helpers): a plain compare-and-store
 * could lose the larger figure. */
static void stat_max(unsigned long *max, unsigned long n)
{
	unsigned long cur = __atomic_load_n(max, __ATOMIC_RELAXED);

	while (n > cur && !__atomic_compare_exchange_n(max, &cur, n, true,
						       __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

/*
 * Run up to RCU_CB_BATCH ready callbacks of @rc (caller outside any
 * reader).  Skipped if another CPU is running this list right now.
 */
static void invoke_callbacks(struct rcu_cpu *rc)
{
	struct rcu_head *h, *batch = NULL, **tail = &batch;
	unsigned long flags = spin_lock_irqsave(&rc->lock), n = 0;

	if (rc->invoking || !rc->done.head) {
		spin_unlock_irqrestore(&rc->lock, flags);
		return;
	}
	rc->invoking = true;
	while (rc->done.head && n < RCU_CB_BATCH) {
		h = rc->done.head;
		rc->done.head = h->next;
		rc->done.n--;
		*tail = h;
		tail = &h->next;
		n++;
	}
	if (!rc->done.head)
		rc->done.tail = &rc->done.head;
	*tail = NULL;
	spin_unlock_irqrestore(&rc->lock, flags);

	while (batch) {
		h = batch;
		batch = h->next;
		h->func(h);
	}
	flags = spin_lock_irqsave(&rc->lock);
	rc->invoking = false;
	spin_unlock_irqrestore(&rc->lock, flags);
	__atomic_fetch_add(&rcu_stats.cbs_invoked, n, __ATOMIC_RELAXED);
	stat_max(&rcu_stats.max_cbs_per_tick, n);
}

static void process_callbacks(void)
{
	struct rcu_cpu *rc = &rcu_cpus[smp_processor_id()];

	advance(rc);
	invoke_callbacks(rc);
}

/* A waiting CPU runs other CPUs' ready callbacks too (see the top). */
static void help_callbacks(void)
{
	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++) {
		advance(&rcu_cpus[cpu]);
		invoke_callbacks(&rcu_cpus[cpu]);
	}
}

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	unsigned long flags;

	if (rcu_broken) {   /* the negative control: no grace period at all */
		func(head);
		return;
	}
	flags = local_irq_save();
	struct rcu_cpu *rc = &rcu_cpus[smp_processor_id()];
	uint64_t s = seq_snap();

	head->func = func;
	head->next = NULL;
	spin_lock(&rc->lock);
	*rc->next.tail = head;
	rc->next.tail = &head->next;
	rc->next.n++;
	if (s > rc->next_seq)  /* one tag for the segment: the latest wins */
		rc->next_seq = s;
	spin_unlock(&rc->lock);
	local_irq_restore(flags);
	request_gp(s);
}

unsigned long rcu_pending_callbacks(unsigned cpu)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu];

	return READ_ONCE(rc->next.n) + READ_ONCE(rc->wait.n) + READ_ONCE(rc->done.n);
}

bool rcu_callbacks_pending(void)
{
	/* a batch taken off a list is no longer counted but may still be
	 * running on some CPU (an idle one helps): that is pending too, or a
	 * caller would count memory its callbacks are about to free */
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
		if (rcu_pending_callbacks(cpu) || READ_ONCE(rcu_cpus[cpu].invoking))
			return true;
	return false;
}

static void report_stall(void)
{
	unsigned long flags = spin_lock_irqsave(&rcu.lock);
	uint64_t now = uptime_ms(), seq = rcu.gp_seq, start = rcu.gp_start_ms;
	cpumask_t holding = rcu.qs_mask;
	unsigned cpu;

	if ((seq & 1) && rcu.stall_reported && rcu_stall_panic_ms &&
	    now - start >= rcu_stall_panic_ms) {
		/* reported long ago and still stuck: whoever waits would hang
		 * the run; end it here, with the report above as the reason */
		spin_unlock_irqrestore(&rcu.lock, flags);
		panic("rcu: grace period %llu stuck for %llu ms (rcu.stall_panic_ms)",
		      (unsigned long long)seq, (unsigned long long)(now - start));
	}
	if (!(seq & 1) || rcu.stall_reported || now - start < rcu_stall_ms) {
		spin_unlock_irqrestore(&rcu.lock, flags);
		return;
	}
	rcu.stall_reported = true;
	spin_unlock_irqrestore(&rcu.lock, flags);
	printk("rcu: stall: grace period %llu has waited %llu ms for %u CPU(s)\n",
	       (unsigned long long)seq, (unsigned long long)(now - start),
	       cpumask_weight(&holding));
	for_each_cpu(cpu, &holding) {
		char where[96];

		ksym_format(where, sizeof(where), rcu_cpus[cpu].last_tick_ip);
		printk("rcu:   CPU %u: rcu_nesting %d, last tick %llu ms ago at %s\n",
		       cpu, READ_ONCE(percpu_areas[cpu].rcu_nesting),
		       (unsigned long long)(now - rcu_cpus[cpu].last_tick_ms), where);
	}
	__atomic_fetch_add(&rcu_stats.stalls_reported, 1, __ATOMIC_RELEASE);
	ktest_report_problem("rcu stall");
}

void rcu_tick(unsigned long interrupted_ip)
{
	struct percpu *c = this_cpu();
	struct rcu_cpu *rc = &rcu_cpus[c->cpu];

	rc->last_tick_ip = interrupted_ip;
	rc->last_tick_ms = uptime_ms();
	/* the tick came, so interrupts were on: only rcu_read_lock counts */
	if (c->rcu_nesting == 0) {
		report_qs();
		process_callbacks();
	} else {
		advance(rc);   /* bookkeeping only: helpers may run them */
	}
	if (rcu_gp_seq() & 1)
		report_stall();
}

void rcu_idle_enter(void)
{
	unsigned long flags = local_irq_save();

	report_qs();
	process_callbacks();
	help_callbacks();
	local_irq_restore(flags);
}

/* Idle until the grace period moves past @seen (or a tick comes). */
static void wait_gp_change(uint64_t seen)
{
	unsigned long flags = local_irq_save();
	unsigned self = smp_processor_id();

	cpumask_set(&rcu.waiters, self);
	smp_mb();   /* the waiter bit before the re-check: end_gp wakes us */
	if (rcu_gp_seq() == seen)
		arch_cpu_idle();
	cpumask_clear_cpu(&rcu.waiters, self);
	local_irq_restore(flags);
}

/* Wait (interrupts on, outside any reader) until gp_seq reaches @s. */
static void wait_for_seq(uint64_t s)
{
	while (!seq_done(s)) {
		unsigned long flags = local_irq_save();
		uint64_t seen = rcu_gp_seq();

		report_qs();
		process_callbacks();
		help_callbacks();
		local_irq_restore(flags);
		if (!seq_done(s))
			wait_gp_change(seen);
	}
}

static bool may_wait(const char *what)
{
	if (this_cpu()->rcu_nesting > 0 || irqs_disabled()) {
		/* it would wait for itself: a deadlock */
		warn_at(__FILE__, __LINE__, what);
		return false;
	}
	return true;
}

void synchronize_rcu(void)
{
	uint64_t s;

	if (!may_wait("synchronize_rcu() inside a read-side section") ||
	    rcu_broken)
		return;
	s = seq_snap();
	request_gp(s);
	wait_for_seq(s);
}

/* Any IPI: it proves interrupts were on, so only a reader holds us back
 * (and its outermost unlock reports, since rcu_qs_wanted is set). */
void rcu_ipi(void)
{
	if (this_cpu()->rcu_nesting == 0)
		report_qs();
}

void synchronize_rcu_expedited(void)
{
	unsigned self = smp_processor_id();
	uint64_t s;

	if (!may_wait("synchronize_rcu_expedited() inside a read-side section") ||
	    rcu_broken)
		return;
	/* callers on several CPUs at once, and no lock here */
	__atomic_fetch_add(&rcu_stats.expedited, 1, __ATOMIC_RELAXED);
	s = seq_snap();
	request_gp(s);
	while (!seq_done(s)) {
		uint64_t seen = rcu_gp_seq();
		cpumask_t targets = rcu.qs_mask;
		unsigned long flags;
		unsigned cpu;

		flags = local_irq_save();
		report_qs();
		local_irq_restore(flags);
		for_each_cpu(cpu, &targets)
			if (cpu != self)
				smp_send_ipi(cpu, IPI_WAKE);
		/* woken when the grace period ends, or by the next tick */
		if (!seq_done(s))
			wait_gp_change(seen);
	}
}

/*
 * Memory pressure: freed memory may be waiting for a grace period (page
 * tables, objects).  An allocation about to fail waits for the callbacks
 * when it may (interrupts on, not inside a reader) and tries again.
 */
static void rcu_memory_pressure(void)
{
	if (irqs_disabled() || this_cpu()->rcu_nesting || !rcu_callbacks_pending())
		return;
	rcu_barrier();
}
MEMORY_PRESSURE_HOOK(rcu_memory_pressure);

/*
 * rcu_barrier() callers share one barrier at a time (each CPU has one
 * barrier_head).  barrier_seq is odd while a barrier runs; a caller is
 * done once a barrier that started after its call has ended, whether it
 * ran that barrier itself or another CPU did.
 */
static spinlock_t barrier_lock = SPINLOCK_INIT;
static uint64_t barrier_seq;
static unsigned barrier_left;

static void barrier_cb(struct rcu_head *h)
{
	__atomic_fetch_sub(&barrier_left, 1, __ATOMIC_RELEASE);
}

static void queue_barrier(void *arg)
{
	struct rcu_cpu *rc = &rcu_cpus[smp_processor_id()];

	/* the waiter reads it to name the CPUs still missing */
	__atomic_store_n(&rc->barrier_queued,
			 __atomic_load_n(&barrier_seq, __ATOMIC_RELAXED),
			 __ATOMIC_RELAXED);
	call_rcu(&rc->barrier_head, barrier_cb);
}

/* "1 3 7": the online CPUs that have not queued barrier @seq yet. */
static unsigned barrier_missing(uint64_t seq, char *buf, size_t size)
{
	unsigned n = 0;
	size_t len = 0;

	buf[0] = 0;
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!cpumask_test(&cpu_online_mask, cpu) ||
		    __atomic_load_n(&rcu_cpus[cpu].barrier_queued,
				    __ATOMIC_RELAXED) == seq)
			continue;
		if (len < size)
			len += snprintf(buf + len, size - len, "%s%u",
					n ? " " : "", cpu);
		n++;
	}
	return n;
}

/* Push grace periods and callbacks along, then idle unless @done. */
static void barrier_wait_step(bool (*done)(uint64_t), uint64_t arg)
{
	unsigned long flags = local_irq_save();

	report_qs();
	process_callbacks();
	help_callbacks();
	if (!done(arg))
		arch_cpu_idle();    /* the next tick or IPI wakes us */
	local_irq_restore(flags);
}

static bool barrier_cbs_ran(uint64_t unused)
{
	(void)unused;
	return !__atomic_load_n(&barrier_left, __ATOMIC_ACQUIRE);
}

static bool barrier_seq_reached(uint64_t s)
{
	return __atomic_load_n(&barrier_seq, __ATOMIC_ACQUIRE) >= s;
}

void rcu_barrier(void)
{
	uint64_t s, start;
	char missing[3 * MAX_CPUS];
	int err;

	if (!may_wait("rcu_barrier() inside a read-side section"))
		return;
	s = (__atomic_load_n(&barrier_seq, __ATOMIC_ACQUIRE) + 3) & ~1ull;
	while (!spin_trylock(&barrier_lock)) {
		if (barrier_seq_reached(s))
			return;
		barrier_wait_step(barrier_seq_reached, s);
	}
	if (barrier_seq_reached(s)) {
		spin_unlock(&barrier_lock);
		return;
	}
	__atomic_store_n(&barrier_seq, barrier_seq + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&barrier_left, nr_cpus_online, __ATOMIC_RELEASE);
	start = uptime_ms();
	/* each CPU's callbacks run in order: its barrier callback is last */
	err = on_each_cpu(queue_barrier, NULL, true);
	if (err) {
		/* smp.c named the CPU and reported it; an unanswered call stays
		 * queued there and runs when it listens again, so wait on, but
		 * not forever: returning early would break the promise (and
		 * reuse a barrier_head still queued), so end the run instead */
		barrier_missing(barrier_seq, missing, sizeof(missing));
		printk("rcu: rcu_barrier() on CPU %u: queueing the barrier callbacks "
		       "failed (%d); waiting for CPU(s) %s, up to rcu.stall_panic_ms "
		       "(%u ms)\n", smp_processor_id(), err, missing, rcu_stall_panic_ms);
		__atomic_fetch_add(&rcu_stats.barrier_timeouts, 1, __ATOMIC_RELEASE);
	}
	while (!barrier_cbs_ran(0)) {
		if (err && rcu_stall_panic_ms &&
		    uptime_ms() - start >= rcu_stall_panic_ms &&
		    barrier_missing(barrier_seq, missing, sizeof(missing)))
			panic("rcu: rcu_barrier() waited %llu ms for CPU(s) %s to queue "
			      "their barrier callback (rcu.stall_panic_ms)",
			      (unsigned long long)(uptime_ms() - start), missing);
		barrier_wait_step(barrier_cbs_ran, 0);
	}
	rcu_stats.barriers++;
	__atomic_store_n(&barrier_seq, barrier_seq + 1, __ATOMIC_RELEASE);
	spin_unlock(&barrier_lock);
}

/*
 * RCU for a kernel without a scheduler.
 *
 * Read side: rcu_read_lock()/rcu_read_unlock() (nestable, per CPU), and —
 * as in Linux's consolidated RCU — any region with interrupts disabled.
 * A CPU passes a quiescent state when its tick interrupts code outside
 * both (the tick itself proves interrupts were on), when it goes idle, at
 * the outermost rcu_read_unlock() if a grace period asked for one, and at
 * an explicit rcu_quiescent_state() from a long loop outside any reader.
 */
#ifndef PTLAB_RCU_H
#define PTLAB_RCU_H

#include "kernel/compiler.h"
#include "kernel/percpu.h"
#include <asm/barrier.h>

#include "kernel/rcu_types.h"

struct rcu_cpu;
void rcu_read_unlock_special(void);

/* Per-CPU nesting lives in struct percpu (rcu_nesting). */
static inline void rcu_read_lock(void)
{
	this_cpu()->rcu_nesting++;
	barrier();
}

static inline void rcu_read_unlock(void)
{
	struct percpu *c = this_cpu();

	barrier();
	if (--c->rcu_nesting == 0 && READ_ONCE(c->rcu_qs_wanted))
		rcu_read_unlock_special();
}

static inline bool rcu_read_lock_held(void)
{
	return this_cpu()->rcu_nesting > 0;
}

#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_CONSUME)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

/* Run @func(@head) after a grace period, from a tick outside any reader. */
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
/* Wait for a grace period (not from inside a reader: reported). */
void synchronize_rcu(void);
/* The same, forcing quiescent states with IPIs instead of waiting for ticks. */
void synchronize_rcu_expedited(void);
/* Wait until every callback queued before this call has run. */
void rcu_barrier(void);
/* A quiescent state for this CPU (caller is outside any reader). */
void rcu_quiescent_state(void);

/* Called from the tick with the interrupted instruction's address. */
void rcu_tick(unsigned long interrupted_ip);
/* Called from every IPI handler. */
void rcu_ipi(void);
/* Called by a CPU about to wait for an interrupt in its idle loop. */
void rcu_idle_enter(void);
/* Before any CPU starts. */
void rcu_init(void);

/* Grace-period sequence: odd while one is in progress. */
uint64_t rcu_gp_seq(void);

/* Figures and knobs for tests (gps_completed and barriers are written under
 * a lock, the others atomically). */
struct rcu_stats {
	unsigned long gps_completed;
	unsigned long cbs_invoked;
	unsigned long max_cbs_per_tick;
	unsigned long stalls_reported;
	unsigned long expedited;
	unsigned long barriers;          /* barriers run; callers may share one */
	unsigned long barrier_timeouts;  /* ... whose cross-call went unanswered */
};
extern struct rcu_stats rcu_stats;
extern unsigned rcu_stall_ms;        /* rcu.stall_ms= */
extern unsigned rcu_stall_panic_ms;  /* rcu.stall_panic_ms= (0: never) */
extern bool rcu_broken;              /* rcu.broken=1: GPs do not wait */
#define RCU_CB_BATCH 64              /* callbacks per tick per CPU, at most */

/* Callbacks queued on @cpu and not yet invoked; any CPU. */
unsigned long rcu_pending_callbacks(unsigned cpu);
/* Any callback queued, or still running (taken off its list), anywhere. */
bool rcu_callbacks_pending(void);

#endif

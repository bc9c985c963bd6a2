/*
 * Spinlocks.
 *
 * Not a ticket lock: under TCG the vCPUs outnumber the host's cores, and a
 * ticket lock hands the lock to one particular waiter, which the host may
 * have descheduled while every other vCPU spins; lock hand-offs then crawl
 * at the host's scheduling rate (seen here: 60000 acquisitions taking tens
 * of seconds).  Linux uses an unfair lock in guests without paravirtual
 * spinlocks for the same reason.  This is a test-and-test-and-set lock that
 * whichever running CPU comes first takes, with a starvation guard for
 * fairness: a CPU that has waited STARVE_SPINS rounds claims the lock's
 * next turn, and the others stand back until it had it.
 *
 * What the guard promises: one claim stands at a time, and while it stands
 * nobody else takes the lock -- not the CPU that just released it and takes
 * it again at once, not a newcomer, not spin_trylock -- so the claimant
 * gets it at the next release (smp.spinlock_starving_waiter_goes_first).
 * What it does not: FIFO order; a bound for a waiter that has not claimed
 * (another may win every claim); any progress for a CPU that only uses
 * spin_trylock (it never claims); and while a claim stands the hand-off
 * waits for the claimant's vCPU, as a ticket lock's would -- but once per
 * STARVE_SPINS-long wait, not at every hand-off.
 */
#ifndef PTLAB_SPINLOCK_H
#define PTLAB_SPINLOCK_H

#include "kernel/compiler.h"
#include "kernel/percpu.h"
#include <asm/irq.h>
#include <asm/barrier.h>

typedef struct {
	uint32_t locked;
	uint32_t starving;   /* 0, or 1 + the CPU that has the next turn */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }
#define STARVE_SPINS 4096

static inline void spin_lock_init(spinlock_t *l)
{
	l->locked = 0;
	l->starving = 0;
}

/* May this CPU (@me = 1 + its number) try now, and did it get the lock? */
static inline bool spin_try_as(spinlock_t *l, uint32_t me)
{
	uint32_t st = __atomic_load_n(&l->starving, __ATOMIC_RELAXED);

	if (st && st != me)
		return false;
	if (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	if (st == me)
		__atomic_store_n(&l->starving, 0, __ATOMIC_RELAXED);
	return true;
}

static inline void spin_lock(spinlock_t *l)
{
	uint32_t me = smp_processor_id() + 1, expect;

	for (unsigned spins = 0; !spin_try_as(l, me); spins++) {
		if (spins >= STARVE_SPINS) {
			expect = 0;
			__atomic_compare_exchange_n(&l->starving, &expect, me, false,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		}
		cpu_relax();
	}
}

static inline bool spin_trylock(spinlock_t *l)
{
	return spin_try_as(l, smp_processor_id() + 1);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED);
}

static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = local_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_unlock(l);
	local_irq_restore(flags);
}

#endif

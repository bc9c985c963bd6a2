/*
 * Per-CPU workers: every CPU but the boot CPU waits in worker_loop() for a
 * job; tests hand out jobs with ktest_run_on() and join them with a bound.
 */
#ifndef PTLAB_WORKER_H
#define PTLAB_WORKER_H

#include "kernel/cpumask.h"

struct ktest;
typedef void (*ktest_work_fn)(struct ktest *t, void *arg);

/*
 * Run @fn(@t, @arg) on every online CPU of @mask at once (the calling CPU
 * too, if it is in @mask) and wait for all of them.  Assertions inside @fn
 * work as in the test itself (a fatal one ends @fn on that CPU only).  A
 * CPU that has not finished after @timeout_ms fails the test, named.
 * Returns the number of CPUs that ran @fn.
 */
unsigned ktest_run_on(struct ktest *t, const cpumask_t *mask,
		      ktest_work_fn fn, void *arg, unsigned timeout_ms);

/* @two := the test's CPU and one other (CPU 0 or 1), which is returned;
 * with a single CPU the case is skipped. */
unsigned ktest_pair_mask(struct ktest *t, cpumask_t *two);

/* An AP's life after bring-up: idle until a job comes, run it, repeat. */
__noreturn void worker_loop(void);

/* Called by ktest_abort() on a CPU that is not the test's own. */
__noreturn void worker_abort(void);

/*
 * CPUs whose job outlived its join: no job goes to them for the rest of
 * the boot, even once that job has ended (it may still hold what its case
 * gave it); a later ktest_run_on() leaves them out and says so.
 */
extern cpumask_t cpu_wedged_mask;

#endif

/*
 * Fault injection: make a share of allocations fail, deterministically for
 * a given seed, so tests can prove their fallback paths.  Set from the
 * command line (fail_page_alloc=, fail_kmalloc=) or by a test around a
 * region of code with fault_attr_set()/fault_attr_disable().
 */
#ifndef PTLAB_MM_FAULT_INJECT_H
#define PTLAB_MM_FAULT_INJECT_H

#include "kernel/spinlock.h"
#include "lib/rand.h"

struct fault_attr {
	const char *name;
	spinlock_t lock;
	bool enabled;
	uint32_t every;        /* fail every Nth call (0: off) */
	uint32_t percent;      /* or fail with this probability */
	struct rand_state rng;
	unsigned long calls;   /* calls seen while enabled */
	unsigned long injected;
};

extern struct fault_attr fail_page_alloc;
extern struct fault_attr fail_kmalloc;

/* True when this call should fail. */
bool should_fail(struct fault_attr *a);

/* every > 0: every Nth call fails; else percent% of calls (seeded). */
void fault_attr_set(struct fault_attr *a, uint32_t every, uint32_t percent,
		    uint64_t seed);
void fault_attr_disable(struct fault_attr *a);

/* Parse "<N>" (every Nth) or "<P>%" with an optional ",<seed>". */
int fault_attr_parse(struct fault_attr *a, const char *s, size_t len);

#endif

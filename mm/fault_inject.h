/*
 * Fault injection: make a share of allocations fail, deterministically for
 * a given seed, so tests can prove their fallback paths.  Set from the
 * command line (fail_page_alloc=, fail_kmalloc=), for the whole run, or by
 * a test around a region of code: fault_attr_save(), fault_attr_set(), then
 * fault_attr_restore(), so a boot-time setting outlives the test.
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

/* What fault_attr_restore() puts back: setting, random state, counts. */
struct fault_attr_saved {
	bool enabled;
	uint32_t every, percent;
	struct rand_state rng;
	unsigned long calls, injected;
};
void fault_attr_save(struct fault_attr *a, struct fault_attr_saved *s);
void fault_attr_restore(struct fault_attr *a, const struct fault_attr_saved *s);

/* Parse "<N>" (every Nth) or "<P>%" with an optional ",<seed>". */
int fault_attr_parse(struct fault_attr *a, const char *s, size_t len);

#endif

/* Sets of CPUs, up to MAX_CPUS. */
#ifndef PTLAB_CPUMASK_H
#define PTLAB_CPUMASK_H

#include "kernel/compiler.h"
#include "kernel/percpu.h"
#include "lib/bitops.h"

#define CPUMASK_WORDS ((MAX_CPUS + 63) / 64)

typedef struct {
	uint64_t bits[CPUMASK_WORDS];
} cpumask_t;

static inline void cpumask_clear(cpumask_t *m)
{
	for (unsigned i = 0; i < CPUMASK_WORDS; i++)
		m->bits[i] = 0;
}

static inline void cpumask_set(cpumask_t *m, unsigned cpu)
{
	__atomic_fetch_or(&m->bits[cpu / 64], 1ull << (cpu % 64), __ATOMIC_RELAXED);
}

static inline void cpumask_clear_cpu(cpumask_t *m, unsigned cpu)
{
	__atomic_fetch_and(&m->bits[cpu / 64], ~(1ull << (cpu % 64)), __ATOMIC_RELAXED);
}

static inline bool cpumask_test(const cpumask_t *m, unsigned cpu)
{
	return __atomic_load_n(&m->bits[cpu / 64], __ATOMIC_RELAXED) >> (cpu % 64) & 1;
}

static inline unsigned cpumask_weight(const cpumask_t *m)
{
	unsigned n = 0;

	for (unsigned i = 0; i < CPUMASK_WORDS; i++)
		n += popcount64(m->bits[i]);
	return n;
}

static inline bool cpumask_empty(const cpumask_t *m)
{
	return cpumask_weight(m) == 0;
}

/* Next CPU in @m at or after @cpu; MAX_CPUS when there is none. */
static inline unsigned cpumask_next(const cpumask_t *m, unsigned cpu)
{
	for (; cpu < MAX_CPUS; cpu++)
		if (cpumask_test(m, cpu))
			return cpu;
	return MAX_CPUS;
}

#define for_each_cpu(cpu, mask) \
	for ((cpu) = cpumask_next(mask, 0); (cpu) < MAX_CPUS; \
	     (cpu) = cpumask_next(mask, (cpu) + 1))

#endif

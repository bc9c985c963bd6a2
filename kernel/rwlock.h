/*
 * Spinning reader/writer lock (there is no scheduler to sleep in).  A
 * waiting writer stops new readers, so writers cannot starve.
 */
#ifndef PTLAB_RWLOCK_H
#define PTLAB_RWLOCK_H

#include "kernel/compiler.h"
#include <asm/cpu.h>

typedef struct {
	int32_t count;      /* > 0: readers, -1: a writer */
	uint32_t writers_waiting;
} rwlock_t;

#define RWLOCK_INIT { 0, 0 }

static inline void rwlock_init(rwlock_t *l)
{
	l->count = 0;
	l->writers_waiting = 0;
}

static inline void read_lock(rwlock_t *l)
{
	for (;;) {
		int32_t c = __atomic_load_n(&l->count, __ATOMIC_RELAXED);

		if (c >= 0 && !__atomic_load_n(&l->writers_waiting, __ATOMIC_RELAXED) &&
		    __atomic_compare_exchange_n(&l->count, &c, c + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		cpu_relax();
	}
}

static inline void read_unlock(rwlock_t *l)
{
	__atomic_fetch_sub(&l->count, 1, __ATOMIC_RELEASE);
}

static inline void write_lock(rwlock_t *l)
{
	__atomic_fetch_add(&l->writers_waiting, 1, __ATOMIC_RELAXED);
	for (;;) {
		int32_t c = 0;

		if (__atomic_compare_exchange_n(&l->count, &c, -1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		cpu_relax();
	}
	__atomic_fetch_sub(&l->writers_waiting, 1, __ATOMIC_RELAXED);
}

static inline void write_unlock(rwlock_t *l)
{
	__atomic_store_n(&l->count, 0, __ATOMIC_RELEASE);
}

static inline bool rwlock_is_write_locked(rwlock_t *l)
{
	return __atomic_load_n(&l->count, __ATOMIC_RELAXED) < 0;
}

#endif

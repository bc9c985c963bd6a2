/* Small, seedable PRNG (xorshift64*): reproducible test randomness. */
#ifndef PTLAB_LIB_RAND_H
#define PTLAB_LIB_RAND_H

#include <stdint.h>

struct rand_state {
	uint64_t s;
};

static inline void rand_seed(struct rand_state *r, uint64_t seed)
{
	/* splitmix64 step: turns small/zero seeds into well-mixed states */
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	r->s = (z ^ (z >> 31)) | 1;
}

static inline uint64_t rand_next(struct rand_state *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform-enough value in [0, n) for test purposes; n > 0. */
static inline uint64_t rand_below(struct rand_state *r, uint64_t n)
{
	return rand_next(r) % n;
}

#endif

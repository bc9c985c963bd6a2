/* Bit helpers that never call into libgcc (which we do not link). */
#ifndef PTLAB_LIB_BITOPS_H
#define PTLAB_LIB_BITOPS_H

#include <stdint.h>

static inline unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Index of the lowest set bit; x must not be 0. */
static inline unsigned lowest_bit64(uint64_t x)
{
	return (unsigned)__builtin_ctzll(x);
}

/* Index of the highest set bit; x must not be 0. */
static inline unsigned highest_bit64(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

#endif

/* Hosted shim: each thread plays one CPU. */
#ifndef PTLAB_HOSTED_ASM_PERCPU_H
#define PTLAB_HOSTED_ASM_PERCPU_H

extern __thread struct percpu *hosted_this_cpu;

static inline struct percpu *this_cpu(void)
{
	return hosted_this_cpu;
}

#endif

/* this_cpu(): %gs:0 holds the CPU's own struct percpu pointer. */
#ifndef PTLAB_ASM_PERCPU_H
#define PTLAB_ASM_PERCPU_H

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ ("movq %%gs:0, %0" : "=r"(p));
	return p;
}

#endif

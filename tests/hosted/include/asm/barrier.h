#ifndef PTLAB_HOSTED_ASM_BARRIER_H
#define PTLAB_HOSTED_ASM_BARRIER_H

#define mb()      __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()     __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()     __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb()  mb()
#define smp_rmb() rmb()
#define smp_wmb() wmb()

#endif

/* Compiler helpers shared by every file of the kernel (both arches). */
#ifndef PTLAB_COMPILER_H
#define PTLAB_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guarded: a hosted build's C library may define some of them. */
#ifndef __noreturn
#define __noreturn      __attribute__((noreturn))
#endif
#ifndef __unused
#define __unused        __attribute__((unused))
#endif
#ifndef __used
#define __used          __attribute__((used))
#endif
#ifndef __aligned
#define __aligned(x)    __attribute__((aligned(x)))
#endif
#ifndef __packed
#define __packed        __attribute__((packed))
#endif
#ifndef __section
#define __section(s)    __attribute__((section(s)))
#endif
#ifndef __printf
#define __printf(a, b)  __attribute__((format(printf, a, b)))
#endif
#ifndef __noinline
#define __noinline      __attribute__((noinline))
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __weak
#define __weak          __attribute__((weak))
#endif

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define ALIGN_UP(x, a)   (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

#define barrier() __asm__ __volatile__("" ::: "memory")

/* Single-copy-atomic access the compiler may not tear, fuse or elide. */
#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)

#endif

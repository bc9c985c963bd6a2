/* Console output, warnings and panic. */
#ifndef PTLAB_PRINTK_H
#define PTLAB_PRINTK_H

#include <stdarg.h>
#include "kernel/compiler.h"

struct pt_regs;

/*
 * Format and write to the console.  Each call's text is written whole, under
 * the console lock, so lines from different CPUs never interleave as long as
 * callers print whole lines.
 */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);

/* Write raw bytes to the console under the console lock. */
void console_write(const char *s, size_t n);

/* Also copy console output into @buf (NUL-terminated); NULL stops. */
void console_capture(char *buf, size_t size);

/*
 * Print the message, the registers (of @regs if given, else of the caller),
 * a backtrace with symbol names, then end the run as failed.  Safe to call
 * from a trap handler and on several CPUs at once (the first one wins).
 */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);
__noreturn void panic_regs(const struct pt_regs *regs, const char *fmt, ...)
	__printf(2, 3);

/*
 * Print a warning with a backtrace; the running test fails unless it said
 * it expects the report (ktest_expect_reports).
 */
void warn_at(const char *file, int line, const char *cond);

#define BUG_ON(c) do { \
	if (unlikely(c)) \
		panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c); \
} while (0)

#define WARN_ON(c) ({ \
	bool __w = !!(c); \
	if (unlikely(__w)) \
		warn_at(__FILE__, __LINE__, #c); \
	__w; \
})

/* An unconditional warning with a message. */
#define WARN(msg) warn_at(__FILE__, __LINE__, msg)

#define pr_info(...) printk(__VA_ARGS__)

/* Print registers and backtrace without ending the run (shared by panic). */
void dump_state(const struct pt_regs *regs);
/* Print the caller's backtrace. */
void dump_stack(void);

#endif

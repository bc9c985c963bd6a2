/* printk, warnings and panic: the kernel's only way to talk to the user. */
#include "kernel/printk.h"
#include "kernel/arch.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

static spinlock_t console_lock = SPINLOCK_INIT;
static int panic_cpu = -1;    /* CPU that owns the console while panicking */
static unsigned long warn_count;

/*
 * Take the console lock.  While a panic is in progress only the panicking
 * CPU prints, and it gives up waiting for a lock holder that may never come
 * back (it may be the CPU that faulted inside printk).
 */
static bool console_lock_acquire(void)
{
	int pc = __atomic_load_n(&panic_cpu, __ATOMIC_RELAXED);

	if (pc < 0) {
		spin_lock(&console_lock);
		return true;
	}
	if ((unsigned)pc != smp_processor_id())
		for (;;)
			arch_cpu_idle(); /* silenced: the panic report goes first */
	for (unsigned long i = 0; i < 1000000; i++) {
		if (spin_trylock(&console_lock))
			return true;
		cpu_relax();
	}
	return false; /* print anyway, unlocked */
}

/* Tests capture what the kernel prints to check its reports. */
static char *capture_buf;
static size_t capture_size, capture_len;

void console_capture(char *buf, size_t size)
{
	unsigned long flags = local_irq_save();
	bool locked = console_lock_acquire();

	capture_buf = buf;
	capture_size = size;
	capture_len = 0;
	if (buf && size)
		buf[0] = '\0';
	if (locked)
		spin_unlock(&console_lock);
	local_irq_restore(flags);
}

void console_write(const char *s, size_t n)
{
	unsigned long flags = local_irq_save();
	bool locked = console_lock_acquire();

	if (capture_buf && capture_len + 1 < capture_size) {
		size_t k = MIN(n, capture_size - 1 - capture_len);

		memcpy(capture_buf + capture_len, s, k);
		capture_len += k;
		capture_buf[capture_len] = '\0';
	}
	arch_console_write(s, n);
	if (locked)
		spin_unlock(&console_lock);
	local_irq_restore(flags);
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

	console_write(buf, len);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

static void print_backtrace(const struct pt_regs *regs)
{
	struct unwind_frame f;
	char sym[128];

	printk("Call trace:\n");
	arch_unwind_start(regs, &f);
	for (int depth = 0; depth < 32; depth++) {
		/* the first address is where the CPU was; the rest are returns */
		if (depth)
			ksym_format_return(sym, sizeof(sym), f.ip);
		else
			ksym_format(sym, sizeof(sym), f.ip);
		printk("  [<%016lx>] %s\n", f.ip, sym);
		if (!arch_unwind_next(&f))
			break;
	}
}

void dump_stack(void)
{
	struct pt_regs here;

	arch_save_regs(&here);
	print_backtrace(&here);
}

void dump_state(const struct pt_regs *regs)
{
	struct pt_regs here;

	if (!regs) {
		arch_save_regs(&here);
		regs = &here;
	}
	arch_dump_regs(regs);
	print_backtrace(regs);
}

static __noreturn void vpanic(const struct pt_regs *regs, const char *fmt,
			      va_list ap)
{
	int expect = -1;
	char buf[256];

	local_irq_save();
	if (!__atomic_compare_exchange_n(&panic_cpu, &expect,
					 (int)smp_processor_id(), false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
		/* Another CPU is already reporting; a nested panic on the
		 * panicking CPU means the report itself crashed: just end. */
		if ((unsigned)expect == smp_processor_id())
			arch_end_run(RUN_PANIC);
		for (;;)
			arch_cpu_idle();
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	printk("Kernel panic on CPU %u: %s\n", smp_processor_id(), buf);
	if (ktest_current())
		printk("while running test %s.%s\n", ktest_current()->suite->name,
		       ktest_current()->tcase->name);
	dump_state(regs);
	printk("# ptlab: end of run: panic\n");
	arch_end_run(RUN_PANIC);
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(NULL, fmt, ap);
}

__noreturn void panic_regs(const struct pt_regs *regs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(regs, fmt, ap);
}

void warn_at(const char *file, int line, const char *cond)
{
	__atomic_fetch_add(&warn_count, 1, __ATOMIC_RELAXED);
	printk("WARNING on CPU %u at %s:%d: %s\n", smp_processor_id(), file,
	       line, cond);
	dump_stack();
	ktest_report_problem("warning");
}

/*
 * The few kernel services mm/ and lib/ call, for the hosted build: console
 * output to stderr (only with PTLAB_VERBOSE=1), panic as abort(), problem
 * reports counted for the tests, and "physical memory" from mmap.
 */
#include "shim.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/ksyms.h"
#include "mm/init.h"
#include "mm/page_alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

/* lib/vsnprintf.c is renamed to pt_vsnprintf in the hosted build */
int pt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

__thread struct percpu *hosted_this_cpu = &percpu_areas[0];
uint8_t *hosted_phys_base;
unsigned long hosted_reports;

static int verbose(void)
{
	static int v = -1;

	if (v < 0) {
		const char *e = getenv("PTLAB_VERBOSE");

		v = e && *e == '1';
	}
	return v;
}

void console_write(const char *s, size_t n)
{
	if (verbose())
		fwrite(s, 1, n, stderr);
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = pt_vsnprintf(buf, sizeof(buf), fmt, ap);

	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
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

void panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	pt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "hosted panic: %s\n", buf);
	abort();
}

void dump_stack(void)
{
}

void warn_at(const char *file, int line, const char *cond)
{
	fprintf(stderr, "WARNING at %s:%d: %s\n", file, line, cond);
	abort();
}

void ksym_format(char *buf, size_t size, unsigned long addr)
{
	snprintf(buf, size, "%#lx", addr);
}

void ktest_report_problem(const char *what)
{
	(void)what;
	__atomic_fetch_add(&hosted_reports, 1, __ATOMIC_RELAXED);
}

/* No boot-time test framework here: nothing is ever a running case. */
struct ktest *ktest_current(void)
{
	return NULL;
}

void arch_mm_early_init(void)
{
}

void hosted_set_cpu(unsigned cpu)
{
	struct percpu *p = &percpu_areas[cpu];

	p->self = p;
	p->cpu = cpu;
	hosted_this_cpu = p;
}

void hosted_boot_memory(uint64_t size, const struct phys_range *holes,
			unsigned nr_holes)
{
	static struct boot_info bi;

	hosted_phys_base = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
	if (hosted_phys_base == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	hosted_set_cpu(0);
	bi.loader = "hosted";
	/* RAM in pieces around the holes; page 0 stays reserved as on real
	 * machines (x86 real-mode area, s390x lowcore) */
	uint64_t start = 0;
	for (unsigned i = 0; i <= nr_holes; i++) {
		uint64_t end = i < nr_holes ? holes[i].start : size;

		boot_add_ram(&bi, start, end);
		if (i < nr_holes)
			start = holes[i].end;
	}
	boot_add_reserved(&bi, 0, PAGE_SIZE);
	if (!mm_init(&bi)) {
		fprintf(stderr, "hosted: mm_init failed\n");
		exit(2);
	}
}

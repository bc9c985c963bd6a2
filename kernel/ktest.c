/*
 * The boot-time test runner: selects suites with ktest.filter, runs each
 * case with a fresh struct ktest, checks the registered invariants around
 * it, and prints KTAP v1 as KUnit does.
 */
#include "kernel/ktest.h"
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/rcu.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "mm/mm.h"
#include "mm/slab.h"
#include <asm/irq.h>
#include "lib/string.h"
#include "lib/vsnprintf.h"

extern const struct ktest_suite *const __ktest_suites_start[];
extern const struct ktest_suite *const __ktest_suites_end[];
extern const struct ktest_invariant __ktest_invariants_start[];
extern const struct ktest_invariant __ktest_invariants_end[];

#define CASE_INDENT "    "
#define MAX_INVARIANTS 16

static char filter_buf[CMDLINE_MAX];   /* comma-separated suite[.case] globs */
static uint64_t global_seed = 1;

static int set_filter(const char *val, size_t len)
{
	if (len == 0 || len >= sizeof(filter_buf))
		return -EINVAL;
	memcpy(filter_buf, val, len);
	filter_buf[len] = '\0';
	return 0;
}
KERNEL_PARAM("ktest.filter", set_filter,
	     "<suite-glob>[.<case-glob>][,...]: run only these tests");

static int set_seed(const char *val, size_t len)
{
	return parse_u64(val, len, 0, &global_seed) ? -EINVAL : 0;
}
KERNEL_PARAM("ktest.seed", set_seed, "<n>: seed for the tests' randomness");

/* The case being run by the boot CPU: reports from any CPU go there. */
static struct ktest *running_case;
/* Reports while no case runs (boot, between cases): they fail the run. */
static unsigned stray_reports;

struct ktest *ktest_current(void)
{
	return this_cpu()->cur_test;
}

#define CAPTURE_BYTES 4096

char *ktest_capture_console(struct ktest *t)
{
	char *log = kzalloc(CAPTURE_BYTES, GFP_NOFAULT);

	KT_ASSERT(t, log != NULL);
	console_capture(log, CAPTURE_BYTES);
	return log;
}

void ktest_expect_reports(struct ktest *t, unsigned n)
{
	__atomic_fetch_add(&t->expected_reports, n, __ATOMIC_SEQ_CST);
}

void ktest_report_problem(const char *what)
{
	struct ktest *t = __atomic_load_n(&running_case, __ATOMIC_ACQUIRE);
	unsigned left;

	if (!t) {
		__atomic_fetch_add(&stray_reports, 1, __ATOMIC_RELAXED);
		printk("# ptlab: %s report outside any test (see above): the run fails\n",
		       what);
		return;
	}
	left = __atomic_load_n(&t->expected_reports, __ATOMIC_RELAXED);
	while (left && !__atomic_compare_exchange_n(&t->expected_reports,
						    &left, left - 1, false,
						    __ATOMIC_SEQ_CST,
						    __ATOMIC_RELAXED))
		;
	if (!left)
		ktest_fail_at(t, __FILE__, __LINE__,
			      "unexpected %s report (see above)", what);
}

static bool has_wildcard(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?')
			return true;
	return false;
}

/* Match one "suite[.case]" element of f[0..n) against suite/case. */
static bool element_match(const char *f, size_t n, const char *suite,
			  const char *tcase, bool manual)
{
	char pat[128];
	const char *dot = NULL;
	size_t slen;

	for (size_t i = 0; i < n; i++)
		if (f[i] == '.') {
			dot = f + i;
			break;
		}
	slen = dot ? (size_t)(dot - f) : n;
	if (slen >= sizeof(pat) || n - slen >= sizeof(pat))
		return false;
	if (manual && (has_wildcard(f, slen) || strlen(suite) != slen ||
		       memcmp(f, suite, slen)))
		return false;
	memcpy(pat, f, slen);
	pat[slen] = '\0';
	if (!glob_match(pat, suite, strlen(suite)))
		return false;
	if (!dot || !tcase)
		return true;
	memcpy(pat, dot + 1, n - slen - 1);
	pat[n - slen - 1] = '\0';
	return glob_match(pat, tcase, strlen(tcase));
}

/* A NULL @tcase asks whether any case of the suite could be selected. */
bool ktest_filter_match(const char *f, const char *suite, const char *tcase,
			bool manual)
{
	if (!f || !*f)
		return !manual;
	while (*f) {
		const char *end = strchr(f, ',');
		size_t n = end ? (size_t)(end - f) : strlen(f);

		if (n && element_match(f, n, suite, tcase, manual))
			return true;
		f += n;
		if (*f == ',')
			f++;
	}
	return false;
}

static bool case_selected(const struct ktest_suite *s,
			  const struct ktest_case *c)
{
	return ktest_filter_match(filter_buf, s->name, c->name,
				  s->flags & KTEST_MANUAL);
}

static unsigned selected_cases(const struct ktest_suite *s)
{
	unsigned n = 0;

	for (const struct ktest_case *c = s->cases; c->name; c++)
		n += case_selected(s, c);
	return n;
}

void ktest_printf(struct ktest *t, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	(void)t;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk(CASE_INDENT "# %s\n", buf);
}

void ktest_metric(struct ktest *t, const char *name, uint64_t value,
		  const char *unit)
{
	printk(CASE_INDENT "# metric %s.%s %llu %s\n", t->suite->name, name,
	       (unsigned long long)value, unit);
}

void ktest_metric_ratio(struct ktest *t, const char *name, uint64_t num,
			uint64_t den, const char *unit)
{
	uint64_t milli;

	if (den == 0) {
		printk(CASE_INDENT "# metric %s.%s nan %s\n", t->suite->name,
		       name, unit);
		return;
	}
	/* split so num * 1000 cannot overflow for large num */
	milli = (num / den) * 1000 + (num % den) * 1000 / den;
	printk(CASE_INDENT "# metric %s.%s %llu.%03llu %s\n", t->suite->name,
	       name, (unsigned long long)(milli / 1000),
	       (unsigned long long)(milli % 1000), unit);
}

void ktest_fail_at(struct ktest *t, const char *file, int line,
		   const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (t->result != KT_SKIP)
		t->result = KT_FAIL;
	printk(CASE_INDENT "# %s: EXPECTATION FAILED at %s:%d\n", t->tcase->name,
	       file, line);
	printk(CASE_INDENT "# %s\n", buf);
}

uint64_t ktest_deadline(unsigned ms)
{
	return uptime_ms() + ms;
}

/* One turn of KT_WAIT_UNTIL: relax, or fail the case once time is up. */
bool ktest_wait_expired(struct ktest *t, uint64_t deadline, const char *what,
			const char *file, int line)
{
	if (uptime_ms() < deadline) {
		cpu_relax();
		return false;
	}
	ktest_fail_at(t, file, line, "gave up waiting for %s", what);
	return true;
}

void ktest_fail_cmp(struct ktest *t, const char *file, int line,
		    const char *a, const char *op, const char *b,
		    unsigned long long va, unsigned long long vb, bool fatal)
{
	ktest_fail_at(t, file, line,
		      "Expected %s %s %s, but %s == %lld (0x%llx), %s == %lld (0x%llx)",
		      a, op, b, a, (long long)va, va, b, (long long)vb, vb);
	if (fatal)
		ktest_abort(t);
}

__noreturn void ktest_abort(struct ktest *t)
{
	/* on a worker CPU only that CPU's part of the test ends */
	if (t->cpu != smp_processor_id())
		worker_abort();
	klongjmp(&t->abort_jmp, 1);
}

__noreturn void ktest_skip(struct ktest *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->skip_reason, sizeof(t->skip_reason), fmt, ap);
	va_end(ap);
	t->result = KT_SKIP;
	ktest_abort(t);
}

/* FNV-1a: mixes suite and case names into the seed, stable under filtering. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static enum ktest_result run_case(const struct ktest_suite *s,
				  const struct ktest_case *c, unsigned index)
{
	const struct ktest_invariant *inv = __ktest_invariants_start;
	size_t ninv = (size_t)(__ktest_invariants_end - inv);
	uint64_t before[MAX_INVARIANTS];
	volatile bool irqs_were_on;
	struct ktest t;

	memset(&t, 0, sizeof(t));
	t.suite = s;
	t.tcase = c;
	t.result = KT_PASS;
	t.cpu = smp_processor_id();
	t.seed = hash_str(hash_str(0xcbf29ce484222325ull ^ global_seed,
				   s->name), c->name);
	rand_seed(&t.rng, t.seed);

	BUG_ON(ninv > MAX_INVARIANTS);
	for (size_t i = 0; i < ninv; i++)
		before[i] = inv[i].read();

	irqs_were_on = !irqs_disabled();
	this_cpu()->cur_test = &t;
	__atomic_store_n(&running_case, &t, __ATOMIC_RELEASE);
	if (ksetjmp(&t.abort_jmp) != 0) {
		/* aborted, maybe from a trap handler: interrupts as before */
		if (irqs_were_on)
			local_irq_enable();
	} else {
		c->fn(&t);
	}
	if (irqs_were_on == irqs_disabled()) {
		t.result = KT_FAIL;
		printk(CASE_INDENT "# %s: ended with interrupts %s\n", c->name,
		       irqs_were_on ? "disabled" : "enabled");
		if (irqs_were_on)
			local_irq_enable();
	}
	this_cpu()->cur_test = NULL;
	if (current_mm()) {
		/* an aborted case may leave its address space loaded */
		switch_mm(NULL);
		t.result = KT_FAIL;
		printk(CASE_INDENT "# %s: ended with a user mm loaded\n", c->name);
	}

	/* memory waiting for a grace period (tables freed by RCU) is not a
	 * leak: let the callbacks run before counting.  The case still owns
	 * what they report (a bad page, a non-empty table). */
	for (unsigned i = 0; i < 8 && rcu_callbacks_pending(); i++)
		rcu_barrier();   /* callbacks may queue more (s390x fragments) */
	__atomic_store_n(&running_case, NULL, __ATOMIC_RELEASE);

	if (t.expected_reports && t.result != KT_SKIP) {
		t.result = KT_FAIL;
		printk(CASE_INDENT "# %s: %u expected problem report(s) never came\n",
		       c->name, t.expected_reports);
	}

	/* A skipped case may have set things up halfway: check it too. */
	for (size_t i = 0; i < ninv; i++) {
		uint64_t after = inv[i].read();

		if (after != before[i]) {
			t.result = KT_FAIL;
			printk(CASE_INDENT "# %s: %s changed: %llu before, %llu after (leak?)\n",
			       c->name, inv[i].name,
			       (unsigned long long)before[i],
			       (unsigned long long)after);
		}
	}

	if (t.result == KT_SKIP)
		printk(CASE_INDENT "ok %u %s # SKIP %s\n", index, c->name,
		       t.skip_reason);
	else
		printk(CASE_INDENT "%s %u %s\n",
		       t.result == KT_PASS ? "ok" : "not ok", index, c->name);
	return t.result;
}

struct tally {
	unsigned pass, fail, skip;
};

static void print_tally(const char *indent, const char *what,
			const struct tally *ty)
{
	printk("%s# %s: pass:%u fail:%u skip:%u total:%u\n", indent, what,
	       ty->pass, ty->fail, ty->skip, ty->pass + ty->fail + ty->skip);
}

static void count(struct tally *ty, enum ktest_result r)
{
	if (r == KT_PASS)
		ty->pass++;
	else if (r == KT_FAIL)
		ty->fail++;
	else
		ty->skip++;
}

static enum ktest_result run_suite(const struct ktest_suite *s,
				   unsigned index, struct tally *total)
{
	struct tally ty = { 0, 0, 0 };
	unsigned n = 0;
	enum ktest_result r;

	printk(CASE_INDENT "KTAP version 1\n");
	printk(CASE_INDENT "# Subtest: %s\n", s->name);
	printk(CASE_INDENT "1..%u\n", selected_cases(s));
	for (const struct ktest_case *c = s->cases; c->name; c++) {
		if (!case_selected(s, c))
			continue;
		count(&ty, run_case(s, c, ++n));
	}
	/* as KUnit: the suite's tally and its "Totals" (which would count
	 * parameterised cases one by one; ptlab has none), inside the suite */
	print_tally(CASE_INDENT, s->name, &ty);
	print_tally(CASE_INDENT, "Totals", &ty);
	total->pass += ty.pass;
	total->fail += ty.fail;
	total->skip += ty.skip;

	if (ty.fail)
		r = KT_FAIL;
	else if (ty.pass == 0 && ty.skip)
		r = KT_SKIP;
	else
		r = KT_PASS;
	if (r == KT_SKIP)
		printk("ok %u %s # SKIP\n", index, s->name);
	else
		printk("%s %u %s\n", r == KT_PASS ? "ok" : "not ok", index,
		       s->name);
	return r;
}

int ktest_run_all(void)
{
	const struct ktest_suite *const *sp;
	struct tally total = { 0, 0, 0 };
	unsigned nsuites = 0, index = 0, failed_suites = 0;

	for (sp = __ktest_suites_start; sp < __ktest_suites_end; sp++)
		nsuites += selected_cases(*sp) > 0;

	printk("KTAP version 1\n");
	printk("1..%u\n", nsuites);
	printk("# ktest.seed=%llu ktest.filter=%s\n",
	       (unsigned long long)global_seed,
	       filter_buf[0] ? filter_buf : "*");
	for (sp = __ktest_suites_start; sp < __ktest_suites_end; sp++) {
		if (selected_cases(*sp) == 0)
			continue;
		failed_suites += run_suite(*sp, ++index, &total) == KT_FAIL;
	}
	print_tally("", "ptlab: totals", &total);   /* the whole run: ours */
	if (nsuites == 0)
		printk("# no test matches ktest.filter=%s\n", filter_buf);
	if (stray_reports)
		printk("# ptlab: %u problem report(s) outside any test: run failed\n",
		       stray_reports);
	return failed_suites || nsuites == 0 || stray_reports ? RUN_FAIL : RUN_PASS;
}

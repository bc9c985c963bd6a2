/*
 * Boot-time tests, printed as KTAP v1 the way KUnit prints it.
 *
 *   static void my_case(struct ktest *t) { KT_EXPECT_EQ(t, 1 + 1, 2); }
 *   static const struct ktest_case my_cases[] = { KTEST_CASE(my_case), {0} };
 *   KTEST_SUITE(my_suite, my_cases);
 *
 * EXPECT records a failure and goes on; ASSERT and SKIP end the case at once
 * (a longjmp back into the runner, so they work from helper functions too).
 * After every case the runner compares each registered invariant (free
 * pages, ...) with its value before the case: a difference fails the case.
 */
#ifndef PTLAB_KTEST_H
#define PTLAB_KTEST_H

#include "kernel/compiler.h"
#include "lib/rand.h"
#include <asm/setjmp.h>

enum ktest_result { KT_PASS, KT_FAIL, KT_SKIP };

struct ktest;
typedef void (*ktest_fn)(struct ktest *t);

struct ktest_case {
	const char *name;
	ktest_fn fn;
};

/* Manual suites run only when ktest.filter names them exactly. */
#define KTEST_MANUAL 1u

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	unsigned flags;
};

struct ktest {
	const struct ktest_suite *suite;
	const struct ktest_case *tcase;
	enum ktest_result result;
	char skip_reason[128];
	uint64_t seed;           /* derived from ktest.seed, suite and case */
	struct rand_state rng;   /* seeded with seed: reproducible runs */
	struct kjmp_buf abort_jmp;
	unsigned expected_reports; /* problem reports the case provokes */
	unsigned cpu;              /* the CPU running the case itself */
};

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SUITE_FLAGS(sname, case_array, fl) \
	static const struct ktest_suite __ktest_suite_##sname = { \
		#sname, case_array, fl }; \
	static const struct ktest_suite *const __ktest_ptr_##sname \
	__used __section(".ktest_suites") __aligned(8) = &__ktest_suite_##sname

#define KTEST_SUITE(sname, case_array) KTEST_SUITE_FLAGS(sname, case_array, 0)

/* A value that must be the same before and after every test case. */
struct ktest_invariant {
	const char *name;
	uint64_t (*read)(void);
};

#define KTEST_INVARIANT(iname, fn) \
	static const struct ktest_invariant __ktest_inv_##fn \
	__used __section(".ktest_invariants") __aligned(8) = { iname, fn }

/* Diagnostics and figures, printed at the running case's indentation. */
void ktest_printf(struct ktest *t, const char *fmt, ...) __printf(2, 3);
void ktest_metric(struct ktest *t, const char *name, uint64_t value,
		  const char *unit);
/* value = num/den printed with three decimals (ratios of times, ...) */
void ktest_metric_ratio(struct ktest *t, const char *name, uint64_t num,
			uint64_t den, const char *unit);

/* Mark the case failed with a message ("file:line: ..."). */
void ktest_fail_at(struct ktest *t, const char *file, int line,
		   const char *fmt, ...) __printf(4, 5);
__noreturn void ktest_abort(struct ktest *t);
__noreturn void ktest_skip(struct ktest *t, const char *fmt, ...)
	__printf(2, 3);

/*
 * Spin until @cond holds, at most @ms milliseconds: true if it held, false
 * (and the case fails, naming the condition) if not.  For handshakes
 * between CPUs, so a partner that never comes fails the case instead of
 * hanging the run.
 */
#define KT_WAIT_UNTIL(t, cond, ms) ({ \
	uint64_t kt__deadline = ktest_deadline(ms); \
	bool kt__ok; \
	while (!(kt__ok = !!(cond)) && \
	       !ktest_wait_expired(t, kt__deadline, #cond, __FILE__, __LINE__)) \
		; \
	kt__ok; \
})
uint64_t ktest_deadline(unsigned ms);
bool ktest_wait_expired(struct ktest *t, uint64_t deadline, const char *what,
			const char *file, int line);

void ktest_fail_cmp(struct ktest *t, const char *file, int line,
		    const char *a, const char *op, const char *b,
		    unsigned long long va, unsigned long long vb, bool fatal);

/*
 * Detectors (bad page, WARN_ON, ...) call ktest_report_problem(): the
 * running case fails unless it announced the report beforehand with
 * ktest_expect_reports(); a case that announced more than it got fails too.
 */
void ktest_expect_reports(struct ktest *t, unsigned n);
void ktest_report_problem(const char *what);

/*
 * From now on the console is also copied into a fresh buffer (4 KiB, kept
 * NUL-terminated), which is returned; console_capture(NULL, 0) ends it and
 * the caller kfrees it.  The case ends if there is no memory.
 */
char *ktest_capture_console(struct ktest *t);

/* The case running on this CPU, or NULL. */
struct ktest *ktest_current(void);

/* Run every selected suite; returns RUN_PASS or RUN_FAIL. */
int ktest_run_all(void);

/* Does filter @f select suite/case?  Exposed for the runner's own tests. */
bool ktest_filter_match(const char *f, const char *suite, const char *tcase,
			bool manual);

/* Mixed signedness compares as C does; literals in tests stay readable. */
#define KT__CMP(t, a, op, b, fatal) do { \
	__typeof__(a) __a = (a); \
	__typeof__(b) __b = (b); \
	_Pragma("GCC diagnostic push") \
	_Pragma("GCC diagnostic ignored \"-Wsign-compare\"") \
	bool __ok = __a op __b; \
	_Pragma("GCC diagnostic pop") \
	if (!__ok) \
		ktest_fail_cmp(t, __FILE__, __LINE__, #a, #op, #b, \
			       (unsigned long long)__a, \
			       (unsigned long long)__b, fatal); \
} while (0)

#define KT_EXPECT_EQ(t, a, b) KT__CMP(t, a, ==, b, false)
#define KT_EXPECT_NE(t, a, b) KT__CMP(t, a, !=, b, false)
#define KT_EXPECT_LT(t, a, b) KT__CMP(t, a, <, b, false)
#define KT_EXPECT_LE(t, a, b) KT__CMP(t, a, <=, b, false)
#define KT_EXPECT_GT(t, a, b) KT__CMP(t, a, >, b, false)
#define KT_EXPECT_GE(t, a, b) KT__CMP(t, a, >=, b, false)
#define KT_ASSERT_EQ(t, a, b) KT__CMP(t, a, ==, b, true)
#define KT_ASSERT_NE(t, a, b) KT__CMP(t, a, !=, b, true)
#define KT_ASSERT_LT(t, a, b) KT__CMP(t, a, <, b, true)
#define KT_ASSERT_LE(t, a, b) KT__CMP(t, a, <=, b, true)
#define KT_ASSERT_GT(t, a, b) KT__CMP(t, a, >, b, true)
#define KT_ASSERT_GE(t, a, b) KT__CMP(t, a, >=, b, true)

#define KT_EXPECT(t, cond) do { \
	if (!(cond)) \
		ktest_fail_at(t, __FILE__, __LINE__, "Expected %s", #cond); \
} while (0)

#define KT_ASSERT(t, cond) do { \
	if (!(cond)) { \
		ktest_fail_at(t, __FILE__, __LINE__, "Expected %s", #cond); \
		ktest_abort(t); \
	} \
} while (0)

#define KT_EXPECT_STREQ(t, a, b) do { \
	const char *__a = (a), *__b = (b); \
	if (strcmp(__a, __b)) \
		ktest_fail_at(t, __FILE__, __LINE__, \
			      "Expected %s == %s, but \"%s\" != \"%s\"", \
			      #a, #b, __a, __b); \
} while (0)

#define KT_FAIL(t, ...) ktest_fail_at(t, __FILE__, __LINE__, __VA_ARGS__)

#endif

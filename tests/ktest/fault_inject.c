/*
 * The fault-injection knobs themselves: what fail_page_alloc= and
 * fail_kmalloc= accept, that a boot-time setting is in force when the
 * tests run, and that a test borrowing an attribute gives it back.  (The
 * allocators' behaviour under injection is tested in their own suites.)
 */
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "mm/fault_inject.h"
#include "mm/page_alloc.h"
#include "lib/string.h"

static int parse(struct fault_attr *a, const char *s)
{
	return fault_attr_parse(a, s, strlen(s));
}

static void parse_accepts_and_rejects(struct ktest *t)
{
	static const char *const bad[] = {
		"", "0", "0%", "101%", "abc", "3,", "3,x", "%", "5%%", "-1",
		"4294967296",
	};
	struct fault_attr a = { .name = "test" };

	spin_lock_init(&a.lock);
	KT_ASSERT_EQ(t, parse(&a, "3"), 0);
	KT_EXPECT(t, a.enabled);
	KT_EXPECT_EQ(t, a.every, 3u);
	KT_EXPECT_EQ(t, a.percent, 0u);
	KT_ASSERT_EQ(t, parse(&a, "25%,9"), 0);
	KT_EXPECT_EQ(t, a.every, 0u);
	KT_EXPECT_EQ(t, a.percent, 25u);
	KT_ASSERT_EQ(t, parse(&a, "100%"), 0);
	KT_EXPECT(t, should_fail(&a) && should_fail(&a));
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		KT_EXPECT_EQ(t, parse(&a, bad[i]), -EINVAL);
		/* a refused value leaves the setting alone */
		KT_EXPECT_EQ(t, a.percent, 100u);
	}
}

/* The value of @key on the boot command line, or NULL. */
static const char *boot_value(const char *key, size_t *len)
{
	const char *pos = boot_info.cmdline;
	struct cmdline_token tok;
	const char *found = NULL;

	while (cmdline_next(&pos, &tok))
		if (tok.key_len == strlen(key) && !memcmp(tok.key, key, tok.key_len)) {
			found = tok.val;     /* the last one wins, as when parsing */
			*len = tok.val_len;
		}
	return found;
}

static void check_boot_setting(struct ktest *t, struct fault_attr *global,
			       unsigned *checked)
{
	struct fault_attr want = { .name = "want" };
	size_t len;
	const char *v = boot_value(global->name, &len);

	if (!v)
		return;
	spin_lock_init(&want.lock);
	if (fault_attr_parse(&want, v, len))
		return;   /* refused at boot too: reported then, default kept */
	ktest_printf(t, "%s=%.*s: %lu calls, %lu failed so far", global->name,
		     (int)len, v, global->calls, global->injected);
	KT_EXPECT(t, global->enabled);
	KT_EXPECT_EQ(t, global->every, want.every);
	KT_EXPECT_EQ(t, global->percent, want.percent);
	(*checked)++;
}

/* Booted with fail_page_alloc= or fail_kmalloc=: still set for the tests
 * (tests/matrix.txt has such a run). */
static void boot_setting_in_force(struct ktest *t)
{
	unsigned checked = 0;

	check_boot_setting(t, &fail_page_alloc, &checked);
	check_boot_setting(t, &fail_kmalloc, &checked);
	if (!checked)
		ktest_skip(t, "no fail_page_alloc= or fail_kmalloc= at boot");
}

/* A test that borrows an attribute puts back whatever was there. */
static void borrowing_gives_back(struct ktest *t)
{
	struct fault_attr_saved saved;
	bool enabled = fail_page_alloc.enabled;
	uint32_t every = fail_page_alloc.every, percent = fail_page_alloc.percent;
	unsigned failed = 0;

	fault_attr_save(&fail_page_alloc, &saved);
	fault_attr_set(&fail_page_alloc, 2, 0, 5);
	for (unsigned i = 0; i < 4; i++) {
		struct page *p = alloc_pages(GFP_NOWARN, 0);

		failed += !p;
		if (p)
			__free_pages(p, 0);
	}
	fault_attr_restore(&fail_page_alloc, &saved);
	KT_EXPECT_EQ(t, failed, 2u);
	KT_EXPECT_EQ(t, fail_page_alloc.enabled, enabled);
	KT_EXPECT_EQ(t, fail_page_alloc.every, every);
	KT_EXPECT_EQ(t, fail_page_alloc.percent, percent);
	KT_EXPECT_EQ(t, fail_page_alloc.injected, saved.injected);
}

static const struct ktest_case fault_inject_cases[] = {
	KTEST_CASE(parse_accepts_and_rejects),
	KTEST_CASE(boot_setting_in_force),
	KTEST_CASE(borrowing_gives_back),
	{ 0 }
};
KTEST_SUITE(fault_inject, fault_inject_cases);

/* Command-line tokenising and option dispatch. */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "lib/string.h"

static void tokens(struct ktest *t)
{
	const char *pos = "  a=1 flag\tb=x=y   c= ";
	struct cmdline_token tok;

	KT_ASSERT(t, cmdline_next(&pos, &tok));
	KT_EXPECT_EQ(t, tok.key_len, 1u);
	KT_EXPECT(t, !memcmp(tok.key, "a", 1) && tok.val_len == 1 && *tok.val == '1');
	KT_ASSERT(t, cmdline_next(&pos, &tok));
	KT_EXPECT(t, tok.key_len == 4 && !memcmp(tok.key, "flag", 4));
	KT_EXPECT_EQ(t, tok.val_len, 0u);
	KT_ASSERT(t, cmdline_next(&pos, &tok));
	/* only the first '=' splits */
	KT_EXPECT(t, tok.key_len == 1 && tok.val_len == 3 && !memcmp(tok.val, "x=y", 3));
	KT_ASSERT(t, cmdline_next(&pos, &tok));
	KT_EXPECT(t, tok.key_len == 1 && tok.val_len == 0);
	KT_EXPECT(t, !cmdline_next(&pos, &tok));
	pos = "";
	KT_EXPECT(t, !cmdline_next(&pos, &tok));
}

static uint64_t test_num;
static unsigned test_flag_hits;

static int set_num(const char *val, size_t len)
{
	return parse_u64(val, len, 0, &test_num) ? -EINVAL : 0;
}

static int set_flag(const char *val, size_t len)
{
	(void)val;
	if (len)
		return -EINVAL;
	test_flag_hits++;
	return 0;
}

static const struct kernel_param test_params[] = {
	{ "t.num", set_num, "<n>" },
	{ "t.flag", set_flag, "no value" },
};

static void dispatch(struct ktest *t)
{
	struct cmdline_report rep = { 0, 0 };

	test_num = 0;
	test_flag_hits = 0;
	cmdline_apply("t.num=0x10 t.flag t.flag", test_params, 2, &rep);
	KT_EXPECT_EQ(t, test_num, 16u);
	KT_EXPECT_EQ(t, test_flag_hits, 2u);
	KT_EXPECT_EQ(t, rep.unknown, 0u);
	KT_EXPECT_EQ(t, rep.bad, 0u);
}

static void unknown_reported_once(struct ktest *t)
{
	struct cmdline_report rep = { 0, 0 };

	cmdline_apply("bogus=1 t.num=5 bogus=2 other bogus", test_params, 2, &rep);
	KT_EXPECT_EQ(t, rep.unknown, 2u); /* "bogus" once, "other" once */
	KT_EXPECT_EQ(t, test_num, 5u);
}

static void bad_values_counted(struct ktest *t)
{
	struct cmdline_report rep = { 0, 0 };

	test_num = 3;
	cmdline_apply("t.num=12z t.num= t.flag=yes t.num=99999999999999999999",
		      test_params, 2, &rep);
	KT_EXPECT_EQ(t, rep.bad, 4u);
	KT_EXPECT_EQ(t, test_num, 3u); /* default kept */
}

/* The real boot command line went through the same code: check its tally. */
static void boot_line_clean(struct ktest *t)
{
	if (boot_cmdline_report.bad)
		ktest_printf(t, "boot command line had %u bad value(s)",
			     boot_cmdline_report.bad);
	KT_EXPECT_EQ(t, boot_cmdline_report.bad, 0u);
}

static void filter_syntax(struct ktest *t)
{
	KT_EXPECT(t, ktest_filter_match("", "format", "glob", false));
	KT_EXPECT(t, !ktest_filter_match("", "selftest", "x", true));
	KT_EXPECT(t, ktest_filter_match("form*", "format", "glob", false));
	KT_EXPECT(t, ktest_filter_match("format.gl*", "format", "glob", false));
	KT_EXPECT(t, !ktest_filter_match("format.int*", "format", "glob", false));
	KT_EXPECT(t, ktest_filter_match("a,format.glob", "format", "glob", false));
	KT_EXPECT(t, ktest_filter_match("format.x", "format", NULL, false));
	/* manual suites need their exact name */
	KT_EXPECT(t, !ktest_filter_match("*", "selftest", "x", true));
	KT_EXPECT(t, !ktest_filter_match("self*", "selftest", "x", true));
	KT_EXPECT(t, ktest_filter_match("selftest", "selftest", "x", true));
	KT_EXPECT(t, ktest_filter_match("selftest.x", "selftest", "x", true));
}

static const struct ktest_case cmdline_cases[] = {
	KTEST_CASE(tokens),
	KTEST_CASE(dispatch),
	KTEST_CASE(unknown_reported_once),
	KTEST_CASE(bad_values_counted),
	KTEST_CASE(boot_line_clean),
	KTEST_CASE(filter_syntax),
	{ 0 },
};
KTEST_SUITE(cmdline, cmdline_cases);

/* vsnprintf and the string helpers the console output depends on. */
#include "kernel/ktest.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

#define EXPECT_FMT(t, want, ...) do { \
	char __buf[96]; \
	int __n = snprintf(__buf, sizeof(__buf), __VA_ARGS__); \
	KT_EXPECT_STREQ(t, __buf, want); \
	KT_EXPECT_EQ(t, __n, (int)strlen(want)); \
} while (0)

static void integers(struct ktest *t)
{
	EXPECT_FMT(t, "42", "%d", 42);
	EXPECT_FMT(t, "-42", "%i", -42);
	EXPECT_FMT(t, "-9223372036854775808", "%lld", (long long)INT64_MIN);
	EXPECT_FMT(t, "18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	EXPECT_FMT(t, "ffffffff", "%x", 0xffffffffu);
	EXPECT_FMT(t, "0XAB", "%#X", 0xab);
	EXPECT_FMT(t, "017", "%#o", 15);
	EXPECT_FMT(t, "255 -1", "%hhu %hhd", 0x1ff, 0xff);
	EXPECT_FMT(t, "42 18446744073709551615", "%zu %zu", (size_t)42, (size_t)-1);
}

static void width_and_flags(struct ktest *t)
{
	EXPECT_FMT(t, "   7|7   |007", "%4d|%-4d|%03d", 7, 7, 7);
	EXPECT_FMT(t, "+7  7", "%+d % d", 7, 7);
	EXPECT_FMT(t, "-0007", "%05d", -7);
	EXPECT_FMT(t, "  0042", "%6.4d", 42);
	EXPECT_FMT(t, "0x00000000001234", "%#016lx", 0x1234ul);
	EXPECT_FMT(t, "     x", "%*s", 6, "x");
	EXPECT_FMT(t, "x     |", "%-*s|", 6, "x");
	EXPECT_FMT(t, "", "%.0d", 0);
}

static void strings_and_pointers(struct ktest *t)
{
	const char *volatile none = NULL; /* hide NULL from -Wformat */

	EXPECT_FMT(t, "(null)", "%s", none);
	EXPECT_FMT(t, "abc", "%s", "abc");
	EXPECT_FMT(t, "ab", "%.2s", "abcdef");
	EXPECT_FMT(t, "c=Z 100%", "c=%c 100%%", 'Z');
	EXPECT_FMT(t, "0x1000", "%p", (void *)0x1000);
}

static void truncation(struct ktest *t)
{
	char buf[8];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = snprintf(buf, 5, "%s", "abcdefgh");
	KT_EXPECT_EQ(t, n, 8);
	KT_EXPECT_STREQ(t, buf, "abcd");
	KT_EXPECT_EQ(t, buf[5], 'X'); /* nothing written past the size */
	n = snprintf(NULL, 0, "%d", 12345);
	KT_EXPECT_EQ(t, n, 5);
}

static void number_parsing(struct ktest *t)
{
	uint64_t v = 0;

	KT_EXPECT_EQ(t, parse_u64("123", 3, 0, &v), 0);
	KT_EXPECT_EQ(t, v, 123u);
	KT_EXPECT_EQ(t, parse_u64("0x1F", 4, 0, &v), 0);
	KT_EXPECT_EQ(t, v, 31u);
	KT_EXPECT_EQ(t, parse_u64("017", 3, 0, &v), 0);
	KT_EXPECT_EQ(t, v, 15u);
	KT_EXPECT_EQ(t, parse_u64("18446744073709551615", 20, 0, &v), 0);
	KT_EXPECT_EQ(t, v, UINT64_MAX);
	v = 7;
	KT_EXPECT_EQ(t, parse_u64("18446744073709551616", 20, 0, &v), -1);
	KT_EXPECT_EQ(t, parse_u64("12a", 3, 0, &v), -1);
	KT_EXPECT_EQ(t, parse_u64("", 0, 0, &v), -1);
	KT_EXPECT_EQ(t, parse_u64("0x", 2, 0, &v), -1);
	KT_EXPECT_EQ(t, v, 7u); /* untouched on error */
	KT_EXPECT_EQ(t, parse_size("64M", 3, &v), 0);
	KT_EXPECT_EQ(t, v, 64ull << 20);
	KT_EXPECT_EQ(t, parse_size("3g", 2, &v), 0);
	KT_EXPECT_EQ(t, v, 3ull << 30);
	KT_EXPECT_EQ(t, parse_size("M", 1, &v), -1);
}

static void glob(struct ktest *t)
{
	KT_EXPECT(t, glob_match("*", "anything", 8));
	KT_EXPECT(t, glob_match("page_*", "page_alloc", 10));
	KT_EXPECT(t, !glob_match("page_*", "pgtable", 7));
	KT_EXPECT(t, glob_match("p?ge", "page", 4));
	KT_EXPECT(t, glob_match("*a*b*c", "xxaxxbxxc", 9));
	KT_EXPECT(t, !glob_match("*a*b*c", "xxaxxbxx", 8));
	KT_EXPECT(t, glob_match("", "", 0));
	KT_EXPECT(t, !glob_match("", "x", 1));
}

static const struct ktest_case format_cases[] = {
	KTEST_CASE(integers),
	KTEST_CASE(width_and_flags),
	KTEST_CASE(strings_and_pointers),
	KTEST_CASE(truncation),
	KTEST_CASE(number_parsing),
	KTEST_CASE(glob),
	{ 0 },
};
KTEST_SUITE(format, format_cases);

/* The unwinder and the symbol table that panic reports rely on. */
#include "kernel/arch.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include <asm/setjmp.h>

void kmain(unsigned long magic, unsigned long info);

#define MAX_FRAMES 16

struct trace {
	const char *names[MAX_FRAMES];
	int n;
};

static __noinline __attribute__((noipa)) int bt_leaf(struct trace *tr)
{
	struct pt_regs regs;
	struct unwind_frame f;

	arch_save_regs(&regs);
	arch_unwind_start(&regs, &f);
	do {
		tr->names[tr->n] = tr->n ? ksym_lookup_return(f.ip, NULL) :
					   ksym_lookup(f.ip, NULL);
		tr->n++;
	} while (tr->n < MAX_FRAMES && arch_unwind_next(&f));
	barrier();
	return tr->n;
}

static __noinline __attribute__((noipa)) int bt_middle(struct trace *tr)
{
	int r = bt_leaf(tr);

	barrier();
	return r + 1;
}

static __noinline __attribute__((noipa)) int bt_top(struct trace *tr)
{
	int r = bt_middle(tr);

	barrier();
	return r + 1;
}

/* A call to a function that never returns can be its caller's last
 * instruction: the frame must still be named after the caller. */
static struct kjmp_buf noreturn_jmp;

static __noinline __noreturn __attribute__((noipa)) void bt_noreturn(struct trace *tr)
{
	bt_leaf(tr);
	klongjmp(&noreturn_jmp, 1);
}

static __noinline __attribute__((noipa)) void bt_ends_in_call(struct trace *tr)
{
	bt_noreturn(tr);
}

static int find(const struct trace *tr, const char *name)
{
	for (int i = 0; i < tr->n; i++)
		if (tr->names[i] && !strcmp(tr->names[i], name))
			return i;
	return -1;
}

static void unwind_order(struct ktest *t)
{
	struct trace tr = { { 0 }, 0 };
	int leaf, middle, top, self, runner;

	bt_top(&tr);
	for (int i = 0; i < tr.n; i++)
		ktest_printf(t, "frame %d: %s", i, tr.names[i] ? tr.names[i] : "?");
	leaf = find(&tr, "bt_leaf");
	middle = find(&tr, "bt_middle");
	top = find(&tr, "bt_top");
	self = find(&tr, "unwind_order");
	runner = find(&tr, "ktest_run_all");
	KT_EXPECT_EQ(t, leaf, 0);
	KT_EXPECT_EQ(t, middle, 1);
	KT_EXPECT_EQ(t, top, 2);
	KT_EXPECT_EQ(t, self, 3);
	KT_EXPECT_GT(t, runner, self);
	KT_EXPECT_LT(t, tr.n, MAX_FRAMES); /* the chain ended by itself */
}

static void noreturn_call_names_caller(struct ktest *t)
{
	static struct trace tr;

	memset(&tr, 0, sizeof(tr));
	if (ksetjmp(&noreturn_jmp) == 0)
		bt_ends_in_call(&tr);
	KT_EXPECT_EQ(t, find(&tr, "bt_noreturn"), 1);
	KT_EXPECT_EQ(t, find(&tr, "bt_ends_in_call"), 2);
	KT_EXPECT_EQ(t, find(&tr, "noreturn_call_names_caller"), 3);
}

static void symbol_lookup(struct ktest *t)
{
	unsigned long addr = ksym_address("bt_middle"), off = 99;
	char buf[64];

	KT_ASSERT_NE(t, addr, 0ul);
	KT_EXPECT_STREQ(t, ksym_lookup(addr, &off), "bt_middle");
	KT_EXPECT_EQ(t, off, 0ul);
	KT_EXPECT_STREQ(t, ksym_lookup(addr + 2, &off), "bt_middle");
	KT_EXPECT_EQ(t, off, 2ul);
	ksym_format(buf, sizeof(buf), addr + 4);
	KT_EXPECT_STREQ(t, buf, "bt_middle+0x4");
	KT_EXPECT(t, ksym_lookup(0x10, &off) == NULL);
	KT_EXPECT_EQ(t, ksym_address("no_such_symbol_anywhere"), 0ul);
	KT_EXPECT_EQ(t, ksym_address("kmain"), (unsigned long)&kmain);
}

static const struct ktest_case backtrace_cases[] = {
	KTEST_CASE(unwind_order),
	KTEST_CASE(noreturn_call_names_caller),
	KTEST_CASE(symbol_lookup),
	{ 0 },
};
KTEST_SUITE(backtrace, backtrace_cases);

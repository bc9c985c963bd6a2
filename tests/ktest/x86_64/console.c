/* The serial console really is a 16550 and printk reports what it wrote. */
#include "arch/x86_64/serial.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"

static void uart_present(struct ktest *t)
{
	KT_EXPECT(t, serial_present);
	KT_EXPECT(t, serial_scratch_test(0xa5));
	KT_EXPECT(t, serial_scratch_test(0x3c));
}

static void printk_length(struct ktest *t)
{
	int n = printk("    # console check %d%s\n", 12345, "!");

	KT_EXPECT_EQ(t, n, 27);
}

static const struct ktest_case console_cases[] = {
	KTEST_CASE(uart_present),
	KTEST_CASE(printk_length),
	{ 0 },
};
KTEST_SUITE(console, console_cases);

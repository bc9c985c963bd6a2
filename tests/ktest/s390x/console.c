/*
 * The SCLP console is the one the machine offered, and writes complete:
 * QEMU offers ASCII (event type 0x1a), Hercules line mode (type 2).
 */
#include "arch/s390x/sclp.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/worker.h"

static void console_matches_mask(struct ktest *t)
{
	KT_EXPECT_EQ(t, sclp.mask_resp, SCLP_RC_NORMAL);
	KT_ASSERT_NE(t, sclp.console, SCLP_CONSOLE_NONE);
	if (sclp.receive_mask & SCLP_EVMASK_ASCII)
		KT_EXPECT_EQ(t, sclp.console, SCLP_CONSOLE_ASCII);
	else
		KT_EXPECT_EQ(t, sclp.console, SCLP_CONSOLE_LINE);
	if (sclp.console == SCLP_CONSOLE_LINE)
		KT_EXPECT(t, sclp.receive_mask & SCLP_EVMASK_MSG);
	ktest_printf(t, "console %s, sclp receive mask %#010x",
		     sclp.console == SCLP_CONSOLE_ASCII ? "ASCII" : "line mode",
		     sclp.receive_mask);
}

static void write_completes(struct ktest *t)
{
	unsigned long writes = sclp.writes, errors = sclp.write_errors;
	unsigned long irqs = sclp.irqs;
	int n = printk("    # console check %d%s\n", 12345, "!");

	KT_EXPECT_EQ(t, n, 27);
	KT_EXPECT_EQ(t, sclp.writes, writes + 1);
	KT_EXPECT_EQ(t, sclp.write_errors, errors);
	KT_EXPECT_EQ(t, sclp.last_write_resp, SCLP_RC_NORMAL);
	KT_EXPECT_GT(t, sclp.irqs, irqs);  /* completion by service signal */
}

#define LINES_PER_CPU 8

static void print_lines(struct ktest *t, void *arg)
{
	for (unsigned i = 0; i < LINES_PER_CPU; i++)
		printk("    # console line %u from CPU %u\n", i,
		       smp_processor_id());
}

/*
 * Every CPU prints at once: each request must still get its own service
 * signal (a floating interruption, taken only by the CPU waiting for it).
 */
static void write_from_every_cpu(struct ktest *t)
{
	unsigned long writes = sclp.writes, errors = sclp.write_errors;
	unsigned n;

	n = ktest_run_on(t, &cpu_online_mask, print_lines, NULL, 20000);
	KT_EXPECT_EQ(t, n, nr_cpus_online);
	KT_EXPECT_EQ(t, sclp.writes, writes + n * LINES_PER_CPU);
	KT_EXPECT_EQ(t, sclp.write_errors, errors);
}

static void ebcdic_table(struct ktest *t)
{
	/* the characters CP 037 places differently from CP 1047 */
	KT_EXPECT_EQ(t, ascii_to_ebcdic('['), 0xba);
	KT_EXPECT_EQ(t, ascii_to_ebcdic(']'), 0xbb);
	KT_EXPECT_EQ(t, ascii_to_ebcdic('^'), 0xb0);
	KT_EXPECT_EQ(t, ascii_to_ebcdic('|'), 0x4f);
	KT_EXPECT_EQ(t, ascii_to_ebcdic('A'), 0xc1);
	KT_EXPECT_EQ(t, ascii_to_ebcdic('z'), 0xa9);
	KT_EXPECT_EQ(t, ascii_to_ebcdic(' '), 0x40);
	KT_EXPECT_EQ(t, ascii_to_ebcdic('\x80'), 0x6f);
	ktest_printf(t, "CP 037 check: [x] ^ | ~ { } \\ @ #");
}

static void ram_and_cpus(struct ktest *t)
{
	KT_EXPECT_EQ(t, sclp.info_resp, SCLP_RC_NORMAL_READ);
	KT_EXPECT_GT(t, sclp.ram_size, 0ull);
	KT_EXPECT_EQ(t, sclp.ram_size % (1ull << 20), 0ull);
	KT_EXPECT_GE(t, sclp.cpu_count, 1u);
	ktest_metric(t, "ram_mib", sclp.ram_size >> 20, "MiB");
	ktest_metric(t, "sclp_cpus", sclp.cpu_count, "cpus");
}

static const struct ktest_case console_cases[] = {
	KTEST_CASE(console_matches_mask),
	KTEST_CASE(write_completes),
	KTEST_CASE(write_from_every_cpu),
	KTEST_CASE(ebcdic_table),
	KTEST_CASE(ram_and_cpus),
	{ 0 },
};
KTEST_SUITE(console, console_cases);

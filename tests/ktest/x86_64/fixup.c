/* x86-64 exception fixups: #UD and #PF caught, recorded and resumed. */
#include "kernel/extable.h"
#include "kernel/ktest.h"
#include <asm/cpu.h>
#include <asm/extable.h>

static void invalid_opcode(struct ktest *t)
{
	unsigned long before = last_fault()->count, ud_ip;

	__asm__ __volatile__(
		"leaq 1f(%%rip), %0\n"
		"1: ud2\n"
		"2:\n"
		ASM_EXTABLE(1b, 2b)
		: "=r"(ud_ip) : : "memory");
	KT_EXPECT_EQ(t, last_fault()->count, before + 1);
	KT_EXPECT_EQ(t, last_fault()->code, 6ul);
	KT_EXPECT_EQ(t, last_fault()->ip, ud_ip);
}

static void page_fault_read(struct ktest *t)
{
	volatile void *p = (volatile void *)(UNMAPPED_TEST_ADDRESS + 0x123);
	unsigned long before = last_fault()->count;
	uint64_t v = 0xdead;

	KT_EXPECT_EQ(t, probe_read_u64(p, &v), -14);
	KT_EXPECT_EQ(t, v, 0xdeadull); /* untouched */
	KT_EXPECT_EQ(t, last_fault()->count, before + 1);
	KT_EXPECT_EQ(t, last_fault()->code, 14ul);
	KT_EXPECT_EQ(t, last_fault()->addr, (unsigned long)p);
	/* error code: not present (bit 0 clear), read (bit 1 clear) */
	KT_EXPECT_EQ(t, last_fault()->error & 3, 0ul);
}

static void page_fault_write(struct ktest *t)
{
	volatile void *p = (volatile void *)(UNMAPPED_TEST_ADDRESS + 0x1000);

	KT_EXPECT_EQ(t, probe_write_u64(p, 1), -14);
	KT_EXPECT_EQ(t, last_fault()->addr, (unsigned long)p);
	KT_EXPECT_EQ(t, last_fault()->error & 2, 2ul); /* write */
}

static void probe_mapped(struct ktest *t)
{
	static volatile uint64_t cell = 0x1122334455667788ull;
	unsigned long before = last_fault()->count;
	uint64_t v = 0;

	KT_EXPECT_EQ(t, probe_read_u64(&cell, &v), 0);
	KT_EXPECT_EQ(t, v, 0x1122334455667788ull);
	KT_EXPECT_EQ(t, probe_write_u64(&cell, 5), 0);
	KT_EXPECT_EQ(t, cell, 5ull);
	KT_EXPECT_EQ(t, last_fault()->count, before); /* no fault taken */
}

static void non_canonical(struct ktest *t)
{
	uint64_t v;

	/* a non-canonical address raises #GP, not #PF */
	KT_EXPECT_EQ(t, probe_read_u64((void *)0x8000000000000000ul, &v), -14);
	KT_EXPECT_EQ(t, last_fault()->code, 13ul);
}

static const struct ktest_case x86_fixup_cases[] = {
	KTEST_CASE(invalid_opcode),
	KTEST_CASE(page_fault_read),
	KTEST_CASE(page_fault_write),
	KTEST_CASE(probe_mapped),
	KTEST_CASE(non_canonical),
	{ 0 },
};
KTEST_SUITE(x86_fixup, x86_fixup_cases);

/*
 * s390x exception fixups: an operation exception (suppressing: the old
 * PSW points past the instruction), an addressing exception (a real
 * address beyond the machine's memory, DAT off for that one instruction)
 * and a translation exception (DAT on, nothing mapped) caught, recorded,
 * resumed.
 */
#include "arch/s390x/s390x.h"
#include "arch/s390x/sclp.h"
#include "mm/mm.h"
#include "kernel/extable.h"
#include "kernel/ktest.h"
#include <asm/cpu.h>
#include <asm/extable.h>

static void operation_exception(struct ktest *t)
{
	unsigned long before = last_fault()->count, insn;

	__asm__ __volatile__(
		"	larl	%0,1f\n"
		"1:	.word	0x0000\n"       /* opcode 00: not assigned */
		"2:\n"
		ASM_EXTABLE(1b, 2b)
		: "=a"(insn) : : "memory");
	KT_EXPECT_EQ(t, last_fault()->count, before + 1);
	KT_EXPECT_EQ(t, last_fault()->code, 0x0001ul);
	KT_EXPECT_EQ(t, last_fault()->ip, insn);
	KT_EXPECT_EQ(t, last_fault()->addr, 0ul);
}

static void addressing_exception(struct ktest *t)
{
	unsigned long before = last_fault()->count, insn;
	uint64_t v = 0x1234;
	volatile uint64_t *p;
	int err = 0;

	unsigned char mask = 0;

	KT_ASSERT_NE(t, sclp.ram_size, 0ull);
	p = (volatile uint64_t *)(uintptr_t)(sclp.ram_size + 0x100);
	/* DAT and interruptions off for the access: the address is real */
	__asm__ __volatile__(
		"	stnsm	%4,0xf8\n"
		"	larl	%0,1f\n"
		"1:	lg	%1,0(%3)\n"     /* RXY: 6 bytes, ILC 3 */
		"	j	3f\n"
		"2:	lhi	%2,1\n"
		"3:	ssm	%4\n"
		ASM_EXTABLE(1b, 2b)
		: "=&a"(insn), "+d"(v), "+d"(err) : "a"(p), "Q"(mask) : "memory");
	KT_EXPECT_EQ(t, err, 1);
	KT_EXPECT_EQ(t, v, 0x1234ull);  /* suppressed: not loaded */
	KT_EXPECT_EQ(t, last_fault()->count, before + 1);
	KT_EXPECT_EQ(t, last_fault()->code, 0x0005ul);
	KT_EXPECT_EQ(t, last_fault()->ip, insn);
}

/*
 * DAT on, the kernel's tables loaded: the region-second entry for the
 * address is invalid.  The TEID names the page, primary space (bits 62-63
 * zero) and, with facility 75, fetch (0x800) or store (0x400).
 */
static void probe_unmapped(struct ktest *t)
{
	volatile void *p = (volatile void *)(uintptr_t)(UNMAPPED_TEST_ADDRESS + 0x123);
	uint64_t v = 0xdead;

	KT_ASSERT(t, current_mm() == NULL);
	KT_EXPECT_EQ(t, probe_read_u64(p, &v), -14);
	KT_EXPECT_EQ(t, v, 0xdeadull);  /* untouched */
	KT_EXPECT_EQ(t, last_fault()->code, 0x003aul);
	KT_EXPECT_EQ(t, last_fault()->addr, UNMAPPED_TEST_ADDRESS);
	KT_EXPECT_EQ(t, last_fault()->error & 3, 0ul);
	if (s390_facility(75))
		KT_EXPECT_EQ(t, last_fault()->error & 0xc00, 0x800ul);
	KT_EXPECT_EQ(t, probe_write_u64(p, 1), -14);
	KT_EXPECT_EQ(t, last_fault()->code, 0x003aul);
	KT_EXPECT_EQ(t, last_fault()->addr, UNMAPPED_TEST_ADDRESS);
	if (s390_facility(75))
		KT_EXPECT_EQ(t, last_fault()->error & 0xc00, 0x400ul);
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

static void specification_exception(struct ktest *t)
{
	unsigned long insn;
	uint64_t v = 0;
	int err = 0;

	/* lpq needs a 16-byte aligned operand: odd address -> code 6 */
	static uint64_t pair[4] __aligned(16);
	volatile void *odd = (char *)pair + 8;

	__asm__ __volatile__(
		"	larl	%0,1f\n"
		"1:	lpq	%%r4,0(%3)\n"
		"	j	3f\n"
		"2:	lhi	%2,1\n"
		"3:\n"
		ASM_EXTABLE(1b, 2b)
		: "=&a"(insn), "+d"(v), "+d"(err) : "a"(odd)
		: "r4", "r5", "memory");
	KT_EXPECT_EQ(t, err, 1);
	KT_EXPECT_EQ(t, last_fault()->code, 0x0006ul);
	KT_EXPECT_EQ(t, last_fault()->ip, insn);
}

static const struct ktest_case s390x_fixup_cases[] = {
	KTEST_CASE(operation_exception),
	KTEST_CASE(addressing_exception),
	KTEST_CASE(probe_unmapped),
	KTEST_CASE(probe_mapped),
	KTEST_CASE(specification_exception),
	{ 0 },
};
KTEST_SUITE(s390x_fixup, s390x_fixup_cases);

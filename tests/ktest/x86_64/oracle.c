/*
 * The kernel's page tables against an independent oracle: QEMU's own
 * "info tlb" walk of this CPU's CR3, fetched by the host runner
 * (ptrun.py --oracle, which boots with oracle=1; tests/runner/oracle.py).
 * The kernel lists every leaf it has in the user half, the runner compares
 * and answers on the serial line.
 */
#include "arch/x86_64/serial.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "tests/ktest/mm_helpers.h"

static bool oracle_on;

KERNEL_PARAM_BOOL("oracle", oracle_on,
		  "1: the host runner answers page-table oracle requests (ptrun.py --oracle)");

/* Print every leaf of the user half, as the oracle will read them. */
static unsigned list_leaves(struct mm *mm, pt_entry_t *table, unsigned level,
			    unsigned long base)
{
	unsigned long span = 1ul << pt_level_shift(level);
	unsigned n = 0;

	for (unsigned i = 0; i < pt_level_entries(level); i++) {
		unsigned long va = base + i * span;
		pt_entry_t e = table[i];

		if (va >= USER_VA_END)
			break;
		if (pt_entry_is_table(level, e)) {
			n += list_leaves(mm, phys_to_virt(pt_entry_pa(level, e)),
					 pt_next_level(level), va);
		} else if (pt_entry_is_leaf(level, e)) {
			unsigned prot = pt_entry_prot(level, e);

			printk("    # oracle: map %016lx %016llx %c%c%c%c\n", va,
			       (unsigned long long)pt_entry_pa(level, e),
			       prot & PROT_EXEC ? '-' : 'X', level != PT_PTE ? 'P' : '-',
			       prot & PROT_USER ? 'U' : '-', prot & PROT_WRITE ? 'W' : '-');
			n++;
		}
	}
	return n;
}

/* One line from the runner on the serial input, within @ms. */
static bool read_reply(char *buf, size_t size, unsigned ms)
{
	uint64_t end = uptime_ms() + ms;
	size_t n = 0;

	while (uptime_ms() < end) {
		int c = serial_getc();

		if (c < 0) {
			cpu_relax();
			continue;
		}
		if (c == '\r' || c == '\n') {
			if (!n)
				continue;
			buf[n] = '\0';
			return true;
		}
		if (n + 1 < size)
			buf[n++] = (char)c;
	}
	return false;
}

/* Ask the runner about the @entries map lines just printed; its answer. */
static const char *ask_oracle(struct ktest *t, unsigned entries, char *buf,
			      size_t size)
{
	printk("    # oracle: dump cpu=%u entries=%u\n", smp_processor_id(), entries);
	if (!read_reply(buf, size, 30000)) {
		KT_FAIL(t, "no answer from the oracle within 30 s");
		return "";
	}
	return buf;
}

/* An mm to show the oracle; the case is skipped without one. */
static struct mm *oracle_mm_start(struct ktest *t)
{
	if (!oracle_on)
		ktest_skip(t, "no oracle on the host side (run with ptrun.py --oracle)");
	return test_mm_start(t);
}

static void info_tlb_agrees(struct ktest *t)
{
	const unsigned long base = 1ul << 39;  /* clear of the large-page block */
	unsigned long huge = 1ul << pt_level_shift(PT_PMD);
	struct mm *mm;
	char reply[160];
	unsigned n;

	mm = oracle_mm_start(t);
	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 16 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_ASSERT_EQ(t, mm_declare(mm, base + 32 * PAGE_SIZE, base + 36 * PAGE_SIZE, VM_READ), 0);
	KT_ASSERT_EQ(t, mm_declare(mm, base + 64 * PAGE_SIZE, base + 66 * PAGE_SIZE,
				   VM_READ | VM_EXEC), 0);
	KT_ASSERT_EQ(t, mm_declare(mm, base + 8 * huge, base + 10 * huge,
				   VM_READ | VM_WRITE | VM_HUGE), 0);
	for (unsigned i = 0; i < 16; i += 3)
		KT_EXPECT_EQ(t, touch_write(base + i * PAGE_SIZE, i), 0);
	for (unsigned i = 32; i < 36; i++) {
		uint64_t v;

		KT_EXPECT_EQ(t, touch_read(base + i * PAGE_SIZE, &v), 0);
	}
	{
		uint64_t v;

		KT_EXPECT_EQ(t, touch_read(base + 65 * PAGE_SIZE, &v), 0);
	}
	KT_EXPECT_EQ(t, touch_write(base + 8 * huge + 5 * PAGE_SIZE, 1), 0);
	KT_EXPECT_EQ(t, mm_map_page(mm, (1ul << 30) - PAGE_SIZE, 0x5000, PROT_READ | PROT_USER,
				    PT_PTE), 0);
	if (x86_la57)   /* above 4-level paging's reach: a p4d entry of its own */
		KT_EXPECT_EQ(t, mm_map_page(mm, 1ul << 52, 0x6000, PROT_READ | PROT_USER,
					    PT_PTE), 0);

	n = list_leaves(mm, mm->pgd, mm->top_level, 0);
	ask_oracle(t, n, reply, sizeof(reply));
	if (strncmp(reply, "oracle ok", 9))
		KT_FAIL(t, "%s", reply);
	else
		ktest_printf(t, "%s", reply);
	KT_EXPECT_EQ(t, n, 6u + 4 + 1 + 1 + 1 + x86_la57); /* rw, ro, exec, huge, mapped, high */
	test_mm_end(mm);
}

/* The oracle must notice when the kernel's view is wrong: claim a page
 * that is not mapped. */
static void info_tlb_catches_a_lie(struct ktest *t)
{
	const unsigned long base = 1ul << 39;
	struct mm *mm;
	char reply[160];
	unsigned n;

	mm = oracle_mm_start(t);
	KT_ASSERT_EQ(t, mm_declare(mm, base, base + 4 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_EXPECT_EQ(t, touch_write(base, 1), 0);
	n = list_leaves(mm, mm->pgd, mm->top_level, 0);
	printk("    # oracle: map %016lx %016llx X-UW\n", base + 2 * PAGE_SIZE, 0x1234000ull);
	KT_EXPECT(t, !strncmp(ask_oracle(t, n + 1, reply, sizeof(reply)),
			      "oracle mismatch", 15));
	test_mm_end(mm);
}

static const struct ktest_case oracle_cases[] = {
	KTEST_CASE(info_tlb_agrees),
	KTEST_CASE(info_tlb_catches_a_lie),
	{ 0 },
};
KTEST_SUITE(x86_oracle, oracle_cases);

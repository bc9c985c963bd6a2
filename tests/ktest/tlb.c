/*
 * TLB shootdown and mmu_gather batching.  On x86-64 under QEMU a CPU keeps
 * a stale translation until it flushes itself (platform notes), so a
 * missing shootdown is observable: the negative control proves the test
 * would see one.  A fresh read proves nothing; a stale read proves a bug.
 */
#include "kernel/arch.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "mm/mmu_gather.h"
#include "mm/page_alloc.h"
#include "mm/tlbflush.h"
#include "lib/string.h"
#include "tests/ktest/mm_helpers.h"

#define JOIN_MS 30000
#define PATTERN 0x5eed5eed00000000ull

/* User addresses well away from the kernel's large pages (QEMU flushes a
 * whole TLB for an invlpg inside the block that holds them). */
static unsigned long test_base(void)
{
	return ALIGN_UP(USER_VA_START + (1ul << 39), 1ul << 30);
}

static void need_cpus(struct ktest *t, unsigned n)
{
	if (nr_cpus_online < n)
		ktest_skip(t, "needs %u CPUs", n);
}

static struct {
	struct mm *mm;
	unsigned long va;
	volatile unsigned step;     /* handshake between the two CPUs */
	volatile bool abandoned;    /* one side timed out: both stop */
	unsigned rounds, stale;
	uint64_t seen[8];
} sd;

/*
 * Round r: CPU 0 writes, CPU 1 reads (caching the translation), CPU 0
 * zaps, CPU 1 reads again at once — a fresh page reads zero.
 */
#define STEP(r, k) (4 * (r) + (k))

#define HANDSHAKE_MS 20000   /* a loaded 2-core host slows TCG a lot */

/* False if the partner never got there (this side fails) or gave up. */
static bool wait_step(struct ktest *t, unsigned want)
{
	if (!KT_WAIT_UNTIL(t, sd.step == want || sd.abandoned, HANDSHAKE_MS))
		sd.abandoned = true;
	return !sd.abandoned;
}

static void reader_job(struct ktest *t, void *arg)
{
	switch_mm(sd.mm);
	for (unsigned r = 0; r < sd.rounds; r++) {
		uint64_t v = 0;

		if (!wait_step(t, STEP(r, 1)))
			break;
		touch_read(sd.va, &v);               /* caches the translation */
		if (v != PATTERN + r && !tlb_skip_remote)
			KT_FAIL(t, "round %u: read %#llx before the zap", r,
				(unsigned long long)v);
		sd.step = STEP(r, 2);
		if (!wait_step(t, STEP(r, 3)))
			break;
		touch_read(sd.va, &v);               /* after the zap */
		if (v != 0) {
			sd.stale++;
			if (sd.stale <= ARRAY_SIZE(sd.seen))
				sd.seen[sd.stale - 1] = v;
		}
		sd.step = STEP(r, 4);
	}
	wait_step(t, STEP(sd.rounds, 1));   /* loaded until the last zap is done */
	switch_mm(NULL);
}

static void zapper_job(struct ktest *t, void *arg)
{
	if (smp_processor_id() != t->cpu) {
		reader_job(t, arg);
		return;
	}
	switch_mm(sd.mm);
	for (unsigned r = 0; r < sd.rounds; r++) {
		touch_write(sd.va, PATTERN + r);
		sd.step = STEP(r, 1);
		if (!wait_step(t, STEP(r, 2)))
			break;
		zap_range(sd.mm, sd.va, sd.va + PAGE_SIZE);
		sd.step = STEP(r, 3);
		if (!wait_step(t, STEP(r, 4)))
			break;
		/* the reader faulted a fresh page in: drop it for the next round */
		zap_range(sd.mm, sd.va, sd.va + PAGE_SIZE);
	}
	sd.step = STEP(sd.rounds, 1);
	switch_mm(NULL);
}

static void run_pair(struct ktest *t, unsigned rounds)
{
	cpumask_t two;

	memset(&sd, 0, sizeof(sd));
	sd.rounds = rounds;
	sd.va = test_base();
	sd.mm = mm_create();
	KT_ASSERT(t, sd.mm != NULL);
	KT_ASSERT_EQ(t, mm_declare(sd.mm, sd.va, sd.va + PAGE_SIZE, VM_READ | VM_WRITE), 0);
	ktest_pair_mask(t, &two);
	ktest_run_on(t, &two, zapper_job, NULL, JOIN_MS);
	mmput(sd.mm);
}

static void zap_shoots_down(struct ktest *t)
{
	struct tlb_stats before = tlb_stats;

	need_cpus(t, 2);
	run_pair(t, 20);
	KT_EXPECT_EQ(t, sd.stale, 0u);
	for (unsigned i = 0; i < sd.stale && i < ARRAY_SIZE(sd.seen); i++)
		ktest_printf(t, "stale read: %#llx", (unsigned long long)sd.seen[i]);
	if (!ARCH_TLB_BROADCAST) {
		/* one shootdown per zap (two per round), to the one other CPU */
		KT_EXPECT_EQ(t, tlb_stats.shootdowns - before.shootdowns, 40ul);
		KT_EXPECT_EQ(t, tlb_stats.ipis - before.ipis, 40ul);
		KT_EXPECT_EQ(t, tlb_stats.remote_flushes - before.remote_flushes, 40ul);
	}
}

static void missing_shootdown_is_seen(struct ktest *t)
{
	need_cpus(t, 2);
	if (ARCH_TLB_BROADCAST)
		ktest_skip(t, "invalidation is an architected broadcast here");
	tlb_skip_remote = true;
	run_pair(t, 20);
	tlb_skip_remote = false;
	ktest_printf(t, "%u of 20 reads after the zap were stale", sd.stale);
	KT_EXPECT_GT(t, sd.stale, 0u);   /* the detector works */
}

/* Many pages, many CPUs: one shootdown for the whole batch. */
#define BATCH_PAGES 64

static struct {
	struct mm *mm;
	unsigned long base;
	volatile unsigned loaded;
	volatile bool done;
	struct tlb_stats before;
	unsigned long pages_before;
} bz;

static void batch_job(struct ktest *t, void *arg)
{
	if (smp_processor_id() != t->cpu) {
		switch_mm(bz.mm);
		__atomic_fetch_add(&bz.loaded, 1, __ATOMIC_RELAXED);
		KT_WAIT_UNTIL(t, bz.done, HANDSHAKE_MS);
		switch_mm(NULL);
		return;
	}
	if (!KT_WAIT_UNTIL(t, bz.loaded == nr_cpus_online - 1, HANDSHAKE_MS)) {
		bz.done = true;
		return;
	}
	bz.before = tlb_stats;
	bz.pages_before = tlb_gather_stats.pages_freed;
	zap_range(bz.mm, bz.base, bz.base + BATCH_PAGES * PAGE_SIZE);
	bz.done = true;
}

static void batched_zap_one_shootdown(struct ktest *t)
{
	need_cpus(t, 2);
	memset(&bz, 0, sizeof(bz));
	bz.base = test_base();
	bz.mm = test_mm_start(t);
	KT_ASSERT_EQ(t, mm_declare(bz.mm, bz.base, bz.base + BATCH_PAGES * PAGE_SIZE,
				   VM_READ | VM_WRITE), 0);
	for (unsigned i = 0; i < BATCH_PAGES; i++)
		KT_EXPECT_EQ(t, touch_write(bz.base + i * PAGE_SIZE, i), 0);
	ktest_run_on(t, &cpu_online_mask, batch_job, NULL, JOIN_MS);
	if (!ARCH_TLB_BROADCAST) {
		KT_EXPECT_EQ(t, tlb_stats.shootdowns - bz.before.shootdowns, 1ul);
		KT_EXPECT_EQ(t, tlb_stats.ipis - bz.before.ipis,
			     (unsigned long)nr_cpus_online - 1);
	}
	KT_EXPECT_EQ(t, tlb_gather_stats.pages_freed - bz.pages_before,
		     (unsigned long)BATCH_PAGES);
	ktest_metric(t, "ipis_per_64_page_zap", tlb_stats.ipis - bz.before.ipis, "ipis");
	test_mm_end(bz.mm);
}

/* Only CPUs that have the mm loaded are interrupted. */
static void idle_cpus_left_alone(struct ktest *t)
{
	unsigned long base = test_base();
	struct mm *mm = test_mm_start(t);
	struct tlb_stats before;

	KT_ASSERT_EQ(t, mm_declare(mm, base, base + PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KT_EXPECT_EQ(t, touch_write(base, 1), 0);
	before = tlb_stats;
	zap_range(mm, base, base + PAGE_SIZE);
	KT_EXPECT_EQ(t, tlb_stats.ipis - before.ipis, 0ul);
	KT_EXPECT_EQ(t, tlb_stats.flushes - before.flushes, 1ul);
	test_mm_end(mm);
}

static const struct ktest_case tlb_cases[] = {
	KTEST_CASE(zap_shoots_down),
	KTEST_CASE(missing_shootdown_is_seen),
	KTEST_CASE(batched_zap_one_shootdown),
	KTEST_CASE(idle_cpus_left_alone),
	{ 0 },
};
KTEST_SUITE(tlb, tlb_cases);

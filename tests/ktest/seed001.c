/*
 * Seed 001 (s390 pte_free_defer()): s390 page tables are 2 KiB, two per
 * 4 KiB page.  One half may be freed by RCU while the other half is in
 * use; the rcu_head overlays the ptdesc's list_head, so the free-fragment
 * list cannot run through it; and a deferred table must stay a valid page
 * table until its grace period ends.  (arch/s390x/pgalloc.c; x86-64 has
 * whole-page tables: the suite skips there.)
 */
#include "kernel/arch.h"
#include "kernel/rcu.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "mm/mmu_gather.h"
#include "mm/page_alloc.h"
#include "mm/pt_reclaim.h"
#include "lib/string.h"
#include "tests/ktest/mm_helpers.h"

#ifdef ARCH_PTE_FRAGMENTS

#define HALF_ENTRIES 256


static unsigned long free_and_cached(void)
{
	return nr_free_pages() + pt_cache_pages();
}

static bool same_page(const void *a, const void *b)
{
	return ((uintptr_t)a & ~(PAGE_SIZE - 1)) == ((uintptr_t)b & ~(PAGE_SIZE - 1));
}

static bool all_empty(const pt_entry_t *table)
{
	for (unsigned i = 0; i < HALF_ENTRIES; i++)
		if (!pt_entry_is_none(PT_PTE, READ_ONCE(table[i])))
			return false;
	return true;
}

static void two_tables_share_a_page(struct ktest *t)
{
	struct mm *mm = mm_create();
	unsigned long before, freed;
	pt_entry_t *a, *b;

	KT_ASSERT(t, mm != NULL);
	before = free_and_cached();
	freed = frag_pages_freed;
	a = page_table_alloc(mm);
	b = page_table_alloc(mm);
	KT_ASSERT(t, a && b);
	KT_EXPECT(t, same_page(a, b));
	KT_EXPECT_EQ(t, (uintptr_t)a ^ (uintptr_t)b, 2048ul);
	KT_EXPECT_EQ(t, free_and_cached(), before - 1);   /* one page, two tables */
	KT_EXPECT(t, all_empty(a) && all_empty(b));
	KT_EXPECT_EQ(t, virt_to_page(a)->pt.nr_tables, 2);
	page_table_free(a);
	KT_EXPECT_EQ(t, free_and_cached(), before - 1);   /* b keeps the page */
	KT_EXPECT_EQ(t, frag_pages_freed, freed);
	page_table_free(b);
	KT_EXPECT_EQ(t, frag_pages_freed, freed + 1);
	KT_EXPECT_EQ(t, free_and_cached(), before);
	mmput(mm);
}

/* A reader on another CPU looks at the deferred half during the grace
 * period: it must stay an empty table, and the other half untouched. */
static struct {
	pt_entry_t *deferred, *live;
	pt_entry_t live_entry;
	volatile int state;     /* 0 start, 1 deferred, 2 reader done */
	volatile bool reading;  /* the reader is inside rcu_read_lock() */
	unsigned long bad_reads, reads;
} d;

static void defer_job(struct ktest *t, void *arg)
{
	if (smp_processor_id() != t->cpu) {
		uint64_t end;

		rcu_read_lock();               /* holds the grace period */
		d.reading = true;
		KT_WAIT_UNTIL(t, d.state != 0, 20000);
		end = uptime_ms() + 50;
		while (uptime_ms() < end) {
			if (!all_empty(d.deferred) ||
			    READ_ONCE(d.live[5]) != d.live_entry)
				d.bad_reads++;
			d.reads++;
		}
		rcu_read_unlock();
		d.state = 2;
		return;
	}
	/* the reader first: the grace period must wait */
	if (!KT_WAIT_UNTIL(t, d.reading, 20000)) {
		d.state = 2;
		return;
	}
	page_table_free_rcu(d.deferred);
	d.state = 1;
	/* while the reader holds the grace period, the half is not reused */
	for (unsigned i = 0; i < 8 && d.state == 1; i++) {
		pt_entry_t *n = page_table_alloc((struct mm *)arg);

		if (n == d.deferred)
			d.bad_reads += 1000;       /* handed out under a reader */
		if (n)
			page_table_free(n);
	}
}

static void deferred_half_stays_valid(struct ktest *t, bool broken)
{
	struct mm *mm;
	cpumask_t two;

	if (nr_cpus_online < 2)
		ktest_skip(t, "the reader needs another CPU");
	mm = mm_create();
	KT_ASSERT(t, mm != NULL);
	memset(&d, 0, sizeof(d));
	d.deferred = page_table_alloc(mm);
	d.live = page_table_alloc(mm);
	KT_ASSERT(t, d.deferred && d.live && same_page(d.deferred, d.live));
	d.live_entry = pt_mk_leaf(PT_PTE, 0x5000, PROT_READ);
	d.live[5] = d.live_entry;          /* the half in use maps something */
	ktest_pair_mask(t, &two);
	frag_broken = broken;
	ktest_run_on(t, &two, defer_job, mm, 20000);
	frag_broken = false;
	rcu_barrier();
	ktest_printf(t, "%lu reads, %lu saw the deferred half disturbed", d.reads, d.bad_reads);
	if (broken)
		KT_EXPECT_GT(t, d.bad_reads, 0ul);  /* the detector works */
	else
		KT_EXPECT_EQ(t, d.bad_reads, 0ul);
	KT_EXPECT_EQ(t, d.live[5], d.live_entry);
	d.live[5] = pt_entry_none(PT_PTE);
	page_table_free(d.live);
	mmput(mm);
}

static void deferred_half_stays_valid_rcu(struct ktest *t)
{
	deferred_half_stays_valid(t, false);
}

/* Negative control: reusing the half at once is caught. */
static void deferred_half_reused_at_once_is_caught(struct ktest *t)
{
	deferred_half_stays_valid(t, true);
}

/* Both halves deferred back to back: one rcu_head, two grace periods. */
static void both_halves_deferred(struct ktest *t)
{
	struct mm *mm = mm_create();
	unsigned long before, freed;
	pt_entry_t *a, *b;
	struct ptdesc *pt;

	KT_ASSERT(t, mm != NULL);
	before = free_and_cached();
	freed = frag_pages_freed;
	a = page_table_alloc(mm);
	b = page_table_alloc(mm);
	KT_ASSERT(t, a && b && same_page(a, b));
	pt = page_ptdesc(virt_to_page(a));
	page_table_free_rcu(a);
	page_table_free_rcu(b);
	/* the second waits for the grace period after the first's */
	KT_EXPECT_NE(t, pt->frag_mask & (PT_FRAG_PENDING(0) | PT_FRAG_PENDING(1)), 0);
	KT_EXPECT_NE(t, pt->frag_mask & (PT_FRAG_NEXT(0) | PT_FRAG_NEXT(1)), 0);
	KT_EXPECT_EQ(t, pt->nr_tables, 0);
	KT_EXPECT(t, all_empty(a) && all_empty(b));   /* still valid tables */
	KT_EXPECT_EQ(t, frag_pages_freed, freed);
	rcu_barrier();
	rcu_barrier();
	KT_EXPECT_EQ(t, frag_pages_freed, freed + 1);
	KT_EXPECT_EQ(t, free_and_cached(), before);
	ktest_expect_reports(t, 1);
	page_table_free(a);                           /* and never twice */
	mmput(mm);
}

/*
 * Tables of a real address space: faults fill a pte table, MADV_DONTNEED
 * empties and reclaims it (one by one, through page_table_free_rcu), over
 * and over, while a walker on another CPU holds the table until it is
 * unhooked and a while after: it must only ever read empty entries or the
 * data page's entry.
 */
#define HOLD_MS 20

static struct {
	struct mm *mm;
	unsigned long va;
	volatile bool stop;
	unsigned long cycles, held, bad;
	pt_entry_t bad_value;
} w;

/* Invalid (empty, or just invalidated by IPTE, which sets the bit before
 * the entry is cleared), or the user page's leaf: never a list node or
 * anything else.  (The data page itself may be freed meanwhile — it goes
 * after the TLB flush, not after a grace period — so only the entry is
 * judged.) */
static bool entry_ok(pt_entry_t e)
{
	return !pt_entry_valid(PT_PTE, e) ||
	       (pt_entry_is_leaf(PT_PTE, e) && (pt_entry_prot(PT_PTE, e) & PROT_USER));
}

static void walk(void)
{
	pt_entry_t *table = w.mm->pgd, *parent = NULL, seen = 0;
	unsigned level = w.mm->top_level;

	rcu_read_lock();
	while (level != PT_PTE) {
		pt_entry_t e = READ_ONCE(table[pt_index(level, w.va)]);

		if (!pt_entry_is_table(level, e))
			goto out;
		parent = &table[pt_index(level, w.va)];
		seen = e;
		table = phys_to_virt(pt_entry_pa(level, e));
		level = pt_next_level(level);
	}
	w.held++;
	for (uint64_t end = uptime_ms() + HOLD_MS, unhooked = 0; uptime_ms() < end;) {
		/* entries 0 and 1: where a free half keeps its list node */
		pt_entry_t e0 = READ_ONCE(table[0]), e1 = READ_ONCE(table[1]);

		if (!entry_ok(e0) || !entry_ok(e1)) {
			w.bad_value = entry_ok(e0) ? e1 : e0;
			w.bad++;
			break;
		}
		if (!unhooked && READ_ONCE(*parent) != seen)
			end = (unhooked = uptime_ms()) + HOLD_MS;
	}
out:
	rcu_read_unlock();
}

static void walk_job(struct ktest *t, void *arg)
{
	uint64_t end = uptime_ms() + (uintptr_t)arg;

	if (smp_processor_id() != t->cpu) {
		while (!READ_ONCE(w.stop))
			walk();
		return;
	}
	switch_mm(w.mm);
	while (uptime_ms() < end && !w.bad) {
		touch_write(w.va, 1);
		madvise_dontneed(w.mm, w.va, w.va + PAGE_SIZE);
		w.cycles++;
	}
	switch_mm(NULL);
	WRITE_ONCE(w.stop, true);
}

static void walkers(struct ktest *t, bool broken, unsigned ms)
{
	bool saved = tlb_table_batching;
	unsigned long deferred = frag_deferred;

	if (nr_cpus_online < 2)
		ktest_skip(t, "the walker needs another CPU");
	memset(&w, 0, sizeof(w));
	w.mm = mm_create();
	KT_ASSERT(t, w.mm != NULL);
	w.va = USER_VA_START + (3ul << 30);          /* pte index 0 */
	KT_ASSERT_EQ(t, mm_declare(w.mm, w.va, w.va + PAGE_SIZE, VM_READ | VM_WRITE), 0);
	tlb_table_batching = false;       /* every table through the RCU path */
	frag_broken = broken;
	ktest_run_on(t, &cpu_online_mask, walk_job, (void *)(uintptr_t)ms, ms + 20000);
	frag_broken = false;
	tlb_table_batching = saved;
	mmput(w.mm);
	ktest_printf(t, "%lu cycles, %lu walks held a table, %lu bad reads (first %#llx), %lu deferred frees",
		     w.cycles, w.held, w.bad, (unsigned long long)w.bad_value,
		     frag_deferred - deferred);
	KT_EXPECT_GT(t, w.cycles, 0ul);
	if (!broken)
		KT_EXPECT_GT(t, frag_deferred - deferred, 0ul);
}

static void walkers_see_valid_tables(struct ktest *t)
{
	walkers(t, false, 1000);
	KT_EXPECT_EQ(t, w.bad, 0ul);
}

/* Negative control: without the grace period the walker reads the free
 * list's node (or another table) in the half it holds. */
static void walkers_catch_reuse_at_once(struct ktest *t)
{
	walkers(t, true, 5000);
	KT_EXPECT_GT(t, w.bad, 0ul);
}

static const struct ktest_case seed001_cases[] = {
	KTEST_CASE(two_tables_share_a_page),
	KTEST_CASE(deferred_half_stays_valid_rcu),
	KTEST_CASE(deferred_half_reused_at_once_is_caught),
	KTEST_CASE(both_halves_deferred),
	KTEST_CASE(walkers_see_valid_tables),
	KTEST_CASE(walkers_catch_reuse_at_once),
	{ 0 },
};

#else

static void no_fragments(struct ktest *t)
{
	ktest_skip(t, "page tables are whole pages on this MMU");
}

static const struct ktest_case seed001_cases[] = {
	KTEST_CASE(no_fragments),
	{ 0 },
};

#endif

KTEST_SUITE(seed001_pte_fragments, seed001_cases);

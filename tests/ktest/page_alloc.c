/* The buddy allocator: coalescing, alignment, per-CPU lists, misuse. */
#include "kernel/arch.h"
#include "kernel/ktest.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/worker.h"
#include "mm/fault_inject.h"
#include "mm/page_alloc.h"
#include "lib/bitops.h"
#include "lib/string.h"

/* Words of each page that get a pattern (every 512 bytes). */
#define PATTERN_WORDS 8

static uint64_t pattern(uint64_t pfn, unsigned k)
{
	return (pfn << 8 | k) ^ 0xa5a5000000000000ull;
}

/* Allocated pages chained through their first word. */
struct chain {
	void *head;
	unsigned long n;
};

static void chain_push(struct chain *c, struct page *p)
{
	void **va = page_address(p);

	*va = c->head;
	c->head = va;
	c->n++;
}

static void snapshot_orders(unsigned long *counts)
{
	for (unsigned o = 0; o < MAX_ORDER; o++)
		counts[o] = nr_free_blocks(o);
}

static void expect_orders(struct ktest *t, const unsigned long *before)
{
	for (unsigned o = 0; o < MAX_ORDER; o++)
		if (nr_free_blocks(o) != before[o])
			KT_FAIL(t, "order %u: %lu free blocks, %lu expected", o,
				nr_free_blocks(o), before[o]);
}

/* Take every free page as order-0 pages, pattern each, verify, free all. */
static void alloc_every_page(struct ktest *t)
{
	unsigned long before[MAX_ORDER], free_before, bad = 0;
	struct chain c = { NULL, 0 };
	struct page *p;

	drain_all_pages();
	free_before = nr_free_pages();
	snapshot_orders(before);
	while ((p = alloc_pages(GFP_NOWARN | GFP_NOFAULT, 0))) {
		uint64_t *w = page_address(p);

		for (unsigned k = 1; k < PATTERN_WORDS; k++)
			w[k * 64] = pattern(p->pfn, k);
		chain_push(&c, p);
	}
	KT_EXPECT_EQ(t, c.n, free_before);
	KT_EXPECT_EQ(t, nr_free_pages(), 0ul);
	for (void **va = c.head; va; va = *va) {
		struct page *pg = virt_to_page(va);
		uint64_t *w = (uint64_t *)va;

		for (unsigned k = 1; k < PATTERN_WORDS; k++)
			bad += w[k * 64] != pattern(pg->pfn, k);
		bad += pg->type != PG_KERNEL;
	}
	KT_EXPECT_EQ(t, bad, 0ul);
	for (void **va = c.head, **next; va; va = next) {
		next = *va;
		free_pages(va, 0);
	}
	drain_all_pages();
	KT_EXPECT_EQ(t, nr_free_pages(), free_before);
	expect_orders(t, before);
	KT_EXPECT_EQ(t, page_alloc_check(), 0u);
	ktest_metric(t, "pages_cycled", c.n, "pages");
}

/*
 * Free everything in four scattered passes: blocks merge in odd orders,
 * next to holes and at the ends of RAM; after each pass the lists must be
 * consistent, and at the end exactly as merged as before.
 */
static void scattered_merge(struct ktest *t)
{
	unsigned long before[MAX_ORDER], free_before;
	struct chain c = { NULL, 0 };
	uint64_t salt = rand_next(&t->rng);
	struct page *p;

	drain_all_pages();
	free_before = nr_free_pages();
	snapshot_orders(before);
	while ((p = alloc_pages(GFP_NOWARN | GFP_NOFAULT | GFP_NOPCP, 0)))
		chain_push(&c, p);
	for (unsigned pass = 0; pass < 4; pass++) {
		void **keep = NULL, **va, **next;

		for (va = c.head; va; va = next) {
			uint64_t pfn = virt_to_page(va)->pfn;

			next = *va;
			if (((pfn * 0x9e3779b97f4a7c15ull ^ salt) >> 61) % 4 == pass ||
			    pass == 3) {
				free_pages(va, 0);
			} else {
				*va = keep;
				keep = va;
			}
		}
		c.head = keep;
		drain_all_pages();
		KT_EXPECT_EQ(t, page_alloc_check(), 0u);
	}
	KT_EXPECT_EQ(t, nr_free_pages(), free_before);
	expect_orders(t, before);
}

static void orders_aligned(struct ktest *t)
{
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		struct page *p = alloc_pages(GFP_NOFAULT | GFP_NOPCP, o);
		unsigned long tails_ok = 0;

		if (!p) {
			ktest_printf(t, "no free block of order %u", o);
			continue;
		}
		KT_EXPECT_EQ(t, p->pfn & ((1u << o) - 1), 0u);
		KT_EXPECT_EQ(t, p->type, PG_KERNEL);
		KT_EXPECT_EQ(t, p->order, o);
		for (unsigned long i = 1; i < 1ul << o; i++)
			tails_ok += p[i].type == PG_TAIL &&
				    p[i].head_pfn == p->pfn;
		KT_EXPECT_EQ(t, tails_ok, (1ul << o) - 1);
		__free_pages(p, o);
	}
	KT_EXPECT_EQ(t, page_alloc_check(), 0u);
}

/* Allocating order 0 from the buddy lists splits the smallest block. */
static void split_exact(struct ktest *t)
{
	unsigned long before[MAX_ORDER];
	unsigned k = 0;
	struct page *p;

	drain_all_pages();
	snapshot_orders(before);
	while (k < MAX_ORDER && !before[k])
		k++;
	KT_ASSERT_LT(t, k, MAX_ORDER);
	p = alloc_pages(GFP_NOFAULT | GFP_NOPCP, 0);
	KT_ASSERT(t, p != NULL);
	KT_EXPECT_EQ(t, nr_free_blocks(k), before[k] - 1);
	for (unsigned o = 0; o < k; o++)
		KT_EXPECT_EQ(t, nr_free_blocks(o), before[o] + 1);
	__free_pages(p, 0);
	drain_all_pages();
	expect_orders(t, before);
}

static void pcp_refill_and_drain(struct ktest *t)
{
	unsigned cpu = smp_processor_id();
	struct page *p, *many[PCP_HIGH + 1];
	unsigned long free_before;

	if (!pcp_enabled)
		ktest_skip(t, "per-CPU lists off (page_alloc.pcp=0)");
	drain_local_pages();
	free_before = nr_free_pages();
	KT_EXPECT_EQ(t, pcp_count(cpu), 0u);
	p = alloc_pages(GFP_NOFAULT, 0);
	KT_ASSERT(t, p != NULL);
	KT_EXPECT_EQ(t, pcp_count(cpu), PCP_BATCH - 1u); /* refilled a batch */
	__free_pages(p, 0);
	KT_EXPECT_EQ(t, pcp_count(cpu), (unsigned)PCP_BATCH);
	KT_EXPECT_EQ(t, nr_free_pages(), free_before);

	for (unsigned i = 0; i < ARRAY_SIZE(many); i++) {
		many[i] = alloc_pages(GFP_NOFAULT | GFP_NOPCP, 0);
		KT_ASSERT(t, many[i] != NULL);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(many); i++) {
		__free_pages(many[i], 0);
		KT_EXPECT_LE(t, pcp_count(cpu), (unsigned)PCP_HIGH);
	}
	drain_local_pages();
	KT_EXPECT_EQ(t, pcp_count(cpu), 0u);
	KT_EXPECT_EQ(t, nr_free_pages(), free_before);
	KT_EXPECT_EQ(t, page_alloc_check(), 0u);
}

/* Pages parked on a CPU list are taken back when the buddy lists run dry. */
/* Leave a batch of free pages on this CPU's list. */
static void park_batch(struct ktest *t, void *arg)
{
	struct page *p = alloc_pages(GFP_NOFAULT, 0);

	KT_ASSERT(t, p != NULL);
	__free_pages(p, 0);
	KT_EXPECT_GT(t, pcp_count(smp_processor_id()), 1u);
}

static void drain_on_demand(struct ktest *t)
{
	struct chain c = { NULL, 0 };
	unsigned long free_before;
	unsigned other = t->cpu == 0 ? 1 : 0;
	struct page *p;

	if (!pcp_enabled)
		ktest_skip(t, "per-CPU lists off (page_alloc.pcp=0)");
	drain_all_pages();
	free_before = nr_free_pages();
	park_batch(t, NULL);
	if (nr_cpus_online > 1) {          /* and on another CPU */
		cpumask_t one;

		cpumask_clear(&one);
		cpumask_set(&one, other);
		ktest_run_on(t, &one, park_batch, NULL, 10000);
	}
	/* straight from the buddy lists: once they are empty, the pages
	 * parked on every CPU must be drained and handed out too, never a
	 * failure */
	while ((p = alloc_pages(GFP_NOWARN | GFP_NOFAULT | GFP_NOPCP, 0)))
		chain_push(&c, p);
	KT_EXPECT_EQ(t, c.n, free_before);
	KT_EXPECT_EQ(t, pcp_count(smp_processor_id()), 0u);
	if (nr_cpus_online > 1)
		KT_EXPECT_EQ(t, pcp_count(other), 0u);
	for (void **va = c.head, **next; va; va = next) {
		next = *va;
		free_pages(va, 0);
	}
	drain_all_pages();
	KT_EXPECT_EQ(t, nr_free_pages(), free_before);
}

/*
 * Drain on demand while other CPUs keep refilling their lists: memory is
 * nearly all taken, the other CPUs allocate and free one page in a loop
 * (each refill takes a batch from the buddy lists onto its own list), and
 * this CPU allocates all but one page per churning CPU of what is left.
 * Each such allocation must succeed: at every moment enough pages are free
 * somewhere, if only on a churner's list.
 */
#define DRAIN_RACE_LEFT 48
#define DRAIN_RACE_ROUNDS 40

static struct {
	volatile bool stop;
	unsigned long failures, churns;
} drain_race;

static void drain_race_job(struct ktest *t, void *arg)
{
	if (smp_processor_id() != t->cpu) {
		unsigned long n = 0;

		while (!drain_race.stop) {
			struct page *p = alloc_pages(GFP_NOWARN | GFP_NOFAULT, 0);

			if (p)
				__free_pages(p, 0);
			n++;
		}
		__atomic_fetch_add(&drain_race.churns, n, __ATOMIC_RELAXED);
		return;
	}
	for (unsigned r = 0; r < DRAIN_RACE_ROUNDS; r++) {
		struct chain c = { NULL, 0 };

		while (c.n < DRAIN_RACE_LEFT - (nr_cpus_online - 1)) {
			struct page *p = alloc_pages(GFP_NOWARN | GFP_NOFAULT, 0);

			if (!p) {
				drain_race.failures++;
				break;
			}
			chain_push(&c, p);
		}
		for (void **va = c.head, **next; va; va = next) {
			next = *va;
			free_pages(va, 0);
		}
	}
	drain_race.stop = true;
}

static void drain_races_refills(struct ktest *t)
{
	struct chain hog = { NULL, 0 };
	unsigned long free_before;
	struct page *p;

	if (nr_cpus_online < 2)
		ktest_skip(t, "needs a second CPU");
	if (!pcp_enabled)
		ktest_skip(t, "per-CPU lists off (page_alloc.pcp=0)");
	drain_all_pages();
	free_before = nr_free_pages();
	while (nr_free_pages() > DRAIN_RACE_LEFT &&
	       (p = alloc_pages(GFP_NOWARN | GFP_NOFAULT | GFP_NOPCP, 0)))
		chain_push(&hog, p);
	drain_all_pages();
	KT_ASSERT_EQ(t, nr_free_pages(), (unsigned long)DRAIN_RACE_LEFT);
	memset(&drain_race, 0, sizeof(drain_race));
	ktest_run_on(t, &cpu_online_mask, drain_race_job, NULL, 60000);
	KT_EXPECT_EQ(t, drain_race.failures, 0ul);
	KT_EXPECT_GT(t, drain_race.churns, 0ul);
	for (void **va = hog.head, **next; va; va = next) {
		next = *va;
		free_pages(va, 0);
	}
	drain_all_pages();
	KT_EXPECT_EQ(t, nr_free_pages(), free_before);
	KT_EXPECT_EQ(t, page_alloc_check(), 0u);
}

static void expect_misuse(struct ktest *t, enum page_misuse kind,
			  unsigned long before)
{
	KT_EXPECT_EQ(t, page_misuse_count(kind), before + 1);
}

static void misuse_double_free(struct ktest *t)
{
	unsigned long n = page_misuse_count(MISUSE_DOUBLE_FREE);
	struct page *p = alloc_pages(GFP_NOFAULT, 0);
	struct page *q = alloc_pages(GFP_NOFAULT, 2);

	KT_ASSERT(t, p && q);
	__free_pages(p, 0);
	__free_pages(q, 2);
	ktest_expect_reports(t, 3);
	__free_pages(p, 0);     /* on a per-CPU list */
	expect_misuse(t, MISUSE_DOUBLE_FREE, n);
	__free_pages(q, 2);     /* on a buddy list */
	expect_misuse(t, MISUSE_DOUBLE_FREE, n + 1);
	__free_pages(q + 1, 0); /* inside a free block */
	expect_misuse(t, MISUSE_DOUBLE_FREE, n + 2);
	drain_all_pages();
	KT_EXPECT_EQ(t, page_alloc_check(), 0u);
}

static void misuse_wrong_type(struct ktest *t)
{
	unsigned long n = page_misuse_count(MISUSE_WRONG_TYPE);
	struct page *p = alloc_pages_typed(GFP_NOFAULT, 0, PG_PGTABLE, 0);

	KT_ASSERT(t, p != NULL);
	ktest_expect_reports(t, 1);
	__free_pages(p, 0);  /* a page table through the generic door */
	expect_misuse(t, MISUSE_WRONG_TYPE, n);
	KT_EXPECT_EQ(t, p->type, PG_PGTABLE); /* untouched */
	KT_EXPECT(t, free_pages_typed(p, 0, PG_PGTABLE, 0));
}

static void misuse_not_block_start(struct ktest *t)
{
	unsigned long n = page_misuse_count(MISUSE_NOT_BLOCK_START);
	struct page *p = alloc_pages(GFP_NOFAULT, 2);

	KT_ASSERT(t, p != NULL);
	ktest_expect_reports(t, 2);
	__free_pages(p + 1, 0);
	expect_misuse(t, MISUSE_NOT_BLOCK_START, n);
	free_pages((char *)page_address(p) + 64, 0);
	expect_misuse(t, MISUSE_NOT_BLOCK_START, n + 1);
	KT_EXPECT_EQ(t, p[1].type, PG_TAIL);
	__free_pages(p, 2);
}

static void misuse_wrong_order(struct ktest *t)
{
	unsigned long n = page_misuse_count(MISUSE_WRONG_ORDER);
	struct page *p = alloc_pages(GFP_NOFAULT, 2);

	KT_ASSERT(t, p != NULL);
	ktest_expect_reports(t, 1);
	__free_pages(p, 1);
	expect_misuse(t, MISUSE_WRONG_ORDER, n);
	KT_EXPECT_EQ(t, p->type, PG_KERNEL);
	__free_pages(p, 2);
	KT_EXPECT_EQ(t, page_alloc_check(), 0u);
}

static char kernel_image_page[PAGE_SIZE] __aligned(PAGE_SIZE);

static void misuse_reserved_and_invalid(struct ktest *t)
{
	unsigned long res = page_misuse_count(MISUSE_RESERVED);
	unsigned long inv = page_misuse_count(MISUSE_INVALID);
	uint64_t beyond = (uint64_t)page_alloc_stats.sections << (SECTION_SHIFT + PAGE_SHIFT);

	ktest_expect_reports(t, 2);
	free_pages(kernel_image_page, 0);
	expect_misuse(t, MISUSE_RESERVED, res);
	/* far above any section with a memmap */
	free_pages(phys_to_virt((1ull << MAX_PHYS_BITS) + beyond), 0);
	expect_misuse(t, MISUSE_INVALID, inv);
}

static void poison_catches_write_after_free(struct ktest *t)
{
	unsigned long n = page_misuse_count(MISUSE_POISON);
	struct page *p, *again;
	volatile uint8_t *va;

	if (!page_poisoning)
		ktest_skip(t, "page poisoning off (page_poison=0)");
	p = alloc_pages(GFP_NOFAULT, 0);
	KT_ASSERT(t, p != NULL);
	va = page_address(p);
	__free_pages(p, 0);
	va[100] = 0x42;     /* the bug under test */
	ktest_expect_reports(t, 1);
	again = alloc_pages(GFP_NOFAULT, 0); /* LIFO per-CPU list: same page */
	KT_EXPECT(t, again == p || !pcp_enabled);
	if (again != p) {
		/* without per-CPU lists the page is elsewhere: find it */
		struct page *q = again;

		__free_pages(q, 0);
		again = alloc_pages(GFP_NOFAULT | GFP_NOPCP, 0);
	}
	expect_misuse(t, MISUSE_POISON, n);
	__free_pages(again, 0);
}

static void fault_injection_every_n(struct ktest *t)
{
	struct page *got[30];
	unsigned failed = 0, pattern_ok = 0;
	struct fault_attr_saved saved;
	unsigned long injected;

	fault_attr_save(&fail_page_alloc, &saved);
	fault_attr_set(&fail_page_alloc, 3, 0, 1);
	for (unsigned i = 0; i < ARRAY_SIZE(got); i++) {
		got[i] = alloc_pages(GFP_NOWARN, 0);
		failed += !got[i];
		pattern_ok += !got[i] == ((i + 1) % 3 == 0);
	}
	/* exempt allocations are not counted and never fail */
	for (unsigned i = 0; i < 3; i++) {
		struct page *p = alloc_pages(GFP_NOFAULT, 0);

		KT_EXPECT(t, p != NULL);
		if (p)
			__free_pages(p, 0);
	}
	injected = fail_page_alloc.injected;
	fault_attr_restore(&fail_page_alloc, &saved);
	KT_EXPECT_EQ(t, failed, 10u);
	KT_EXPECT_EQ(t, pattern_ok, 30u);
	KT_EXPECT_EQ(t, injected, 10ul);
	for (unsigned i = 0; i < ARRAY_SIZE(got); i++)
		if (got[i])
			__free_pages(got[i], 0);
}

static uint64_t failure_mask(uint64_t seed)
{
	uint64_t mask = 0;
	struct fault_attr_saved saved;

	fault_attr_save(&fail_page_alloc, &saved);
	fault_attr_set(&fail_page_alloc, 0, 30, seed);
	for (unsigned i = 0; i < 64; i++) {
		struct page *p = alloc_pages(GFP_NOWARN, 0);

		if (p)
			__free_pages(p, 0);
		else
			mask |= 1ull << i;
	}
	fault_attr_restore(&fail_page_alloc, &saved);
	return mask;
}

static void fault_injection_seeded(struct ktest *t)
{
	uint64_t a = failure_mask(7), b = failure_mask(7), c = failure_mask(8);
	unsigned n = popcount64(a);

	KT_EXPECT_EQ(t, a, b);            /* deterministic for a seed */
	KT_EXPECT_NE(t, a, c);            /* and the seed matters */
	KT_EXPECT(t, n > 5 && n < 40);    /* ~30% of 64 */
}

/* Mixed-order traffic from every CPU at once, with blocks handed across
 * CPUs through a shared exchange so frees land on other CPUs' lists. */
#define STRESS_OPS 3000
#define EXCHANGE 64

static struct {
	spinlock_t lock;
	struct page *page[EXCHANGE];
	unsigned order[EXCHANGE];
} exchange;

static void stress_job(struct ktest *t, void *arg)
{
	struct rand_state r;
	struct page *mine[32];
	unsigned order[32], n = 0;

	rand_seed(&r, t->seed + smp_processor_id());
	for (unsigned i = 0; i < STRESS_OPS; i++) {
		unsigned op = (unsigned)rand_below(&r, 10);

		if (op < 5 && n < ARRAY_SIZE(mine)) {
			unsigned o = rand_below(&r, 4) ? 0 : (unsigned)rand_below(&r, MAX_ORDER);
			struct page *p = alloc_pages(GFP_NOWARN | GFP_NOFAULT, o);

			if (p) {
				*(uint64_t *)page_address(p) = p->pfn;
				mine[n] = p;
				order[n++] = o;
			}
		} else if (op < 8 && n) {
			unsigned k = (unsigned)rand_below(&r, n);

			if (*(uint64_t *)page_address(mine[k]) != mine[k]->pfn)
				KT_FAIL(t, "block at pfn %#x was overwritten", mine[k]->pfn);
			__free_pages(mine[k], order[k]);
			mine[k] = mine[--n];
			order[k] = order[n];
		} else if (n) {
			/* swap one of ours with whatever sits in a random slot */
			unsigned slot = (unsigned)rand_below(&r, EXCHANGE);
			unsigned long f = spin_lock_irqsave(&exchange.lock);
			struct page *other = exchange.page[slot];
			unsigned other_order = exchange.order[slot];

			exchange.page[slot] = mine[n - 1];
			exchange.order[slot] = order[n - 1];
			spin_unlock_irqrestore(&exchange.lock, f);
			n--;
			if (other)
				__free_pages(other, other_order);
		}
	}
	while (n--)
		__free_pages(mine[n], order[n]);
}

static void all_cpus_stress(struct ktest *t)
{
	unsigned long free_before = nr_free_pages();

	memset(&exchange, 0, sizeof(exchange));
	spin_lock_init(&exchange.lock);
	ktest_run_on(t, &cpu_online_mask, stress_job, NULL, 60000);
	for (unsigned i = 0; i < EXCHANGE; i++)
		if (exchange.page[i])
			__free_pages(exchange.page[i], exchange.order[i]);
	drain_all_pages();
	KT_EXPECT_EQ(t, page_alloc_check(), 0u);
	KT_EXPECT_EQ(t, nr_free_pages(), free_before);
	ktest_metric(t, "stress_cpus", nr_cpus_online, "cpus");
}

static void metrics(struct ktest *t)
{
	const unsigned iters = 10000;
	uint64_t hz = arch_clock_hz(), t0, pcp_ticks, zone_ticks, o9_ticks;
	bool saved = pcp_enabled;

	t0 = arch_clock();
	for (unsigned i = 0; i < iters; i++)
		__free_pages(alloc_pages(GFP_NOFAULT, 0), 0);
	pcp_ticks = arch_clock() - t0;

	pcp_enabled = false;
	t0 = arch_clock();
	for (unsigned i = 0; i < iters; i++)
		__free_pages(alloc_pages(GFP_NOFAULT, 0), 0);
	zone_ticks = arch_clock() - t0;
	pcp_enabled = saved;

	t0 = arch_clock();
	for (unsigned i = 0; i < iters / 100; i++) {
		struct page *p = alloc_pages(GFP_NOFAULT, 9);

		KT_ASSERT(t, p != NULL);
		__free_pages(p, 9);
	}
	o9_ticks = arch_clock() - t0;
	if (hz) {
		ktest_metric(t, "order0_pcp_cycle_ns", pcp_ticks * 1000000000ull / hz / iters, "ns");
		ktest_metric(t, "order0_zone_cycle_ns", zone_ticks * 1000000000ull / hz / iters, "ns");
		ktest_metric(t, "order9_cycle_ns", o9_ticks * 1000000000ull / hz / (iters / 100), "ns");
	}
	ktest_metric_ratio(t, "zone_vs_pcp", zone_ticks, pcp_ticks, "x");
	ktest_metric_ratio(t, "memmap_bytes_per_page", page_alloc_stats.memmap_bytes,
			   page_alloc_stats.ram_pages, "bytes");
	ktest_metric(t, "poisoning", page_poisoning, "on");
}

static const struct ktest_case page_alloc_cases[] = {
	KTEST_CASE(alloc_every_page),
	KTEST_CASE(scattered_merge),
	KTEST_CASE(orders_aligned),
	KTEST_CASE(split_exact),
	KTEST_CASE(pcp_refill_and_drain),
	KTEST_CASE(drain_on_demand),
	KTEST_CASE(drain_races_refills),
	KTEST_CASE(misuse_double_free),
	KTEST_CASE(misuse_wrong_type),
	KTEST_CASE(misuse_not_block_start),
	KTEST_CASE(misuse_wrong_order),
	KTEST_CASE(misuse_reserved_and_invalid),
	KTEST_CASE(poison_catches_write_after_free),
	KTEST_CASE(fault_injection_every_n),
	KTEST_CASE(fault_injection_seeded),
	KTEST_CASE(all_cpus_stress),
	KTEST_CASE(metrics),
	{ 0 },
};
KTEST_SUITE(page_alloc, page_alloc_cases);

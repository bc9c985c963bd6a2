/*
 * Hosted tests of the page allocator, kmalloc and memblock, built with
 * AddressSanitizer and UndefinedBehaviorSanitizer.  Threads play CPUs, so
 * the per-CPU lists and the zone lock are exercised concurrently too.
 */
#include "check.h"
#include "shim.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "lib/rand.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int check_failures;

#define MIB (1ull << 20)
static unsigned long boot_free, boot_orders[MAX_ORDER];

static void expect_boot_state(void)
{
	drain_all_pages();
	CHECK_EQ(nr_free_pages(), boot_free);
	for (unsigned o = 0; o < MAX_ORDER; o++)
		CHECK_EQ(nr_free_blocks(o), boot_orders[o]);
	CHECK_EQ(page_alloc_check(), 0);
}

static void test_boot_accounting(void)
{
	const struct page_alloc_stats *st = &page_alloc_stats;

	CHECK_EQ(st->ram_pages, st->handed_over + st->reserved_pages);
	CHECK_EQ(st->ram_pages, memblock_total(&memblock.ram) >> PAGE_SHIFT);
	CHECK(pfn_to_page((33 * MIB) >> PAGE_SHIFT)->type == PG_HOLE);
	CHECK(pfn_to_page(0)->type == PG_RESERVED);
	CHECK_EQ(page_alloc_check(), 0);
}

static void test_all_pages(void)
{
	void *head = NULL;
	unsigned long n = 0;
	struct page *p;

	while ((p = alloc_pages(GFP_NOWARN, 0))) {
		void **va = page_address(p);

		*va = head;
		head = va;
		n++;
	}
	CHECK_EQ(n, boot_free);
	while (head) {
		void *next = *(void **)head;

		free_pages(head, 0);
		head = next;
	}
	expect_boot_state();
}

static void test_misuse(void)
{
	unsigned long reports = hosted_reports;
	struct page *a = alloc_pages(0, 0), *b = alloc_pages(0, 3);
	struct page *pt = alloc_pages_typed(0, 0, PG_PGTABLE, 0);

	__free_pages(a, 0);
	__free_pages(a, 0);
	CHECK_EQ(page_misuse_count(MISUSE_DOUBLE_FREE), 1);
	__free_pages(b + 2, 0);
	CHECK_EQ(page_misuse_count(MISUSE_NOT_BLOCK_START), 1);
	__free_pages(b, 2);
	CHECK_EQ(page_misuse_count(MISUSE_WRONG_ORDER), 1);
	__free_pages(pt, 0);
	CHECK_EQ(page_misuse_count(MISUSE_WRONG_TYPE), 1);
	CHECK_EQ(hosted_reports, reports + 4);
	__free_pages(b, 3);
	CHECK(free_pages_typed(pt, 0, PG_PGTABLE, 0));
	expect_boot_state();
}

/* Random mixed-order traffic against a shadow list of live blocks. */
struct block {
	struct page *page;
	unsigned order;
};

static void random_traffic(struct rand_state *r, unsigned ops,
			   struct block *live, unsigned max_live)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ops; i++) {
		if (n < max_live && (n == 0 || rand_below(r, 100) < 55)) {
			unsigned order = rand_below(r, 4) ? 0 : (unsigned)rand_below(r, MAX_ORDER);
			struct page *p = alloc_pages(GFP_NOWARN | (rand_below(r, 2) ? GFP_NOPCP : 0), order);

			if (p) {
				/* stamp the block: overlapping blocks would clash */
				*(uint64_t *)page_address(p) = (uint64_t)(uintptr_t)p;
				live[n].page = p;
				live[n].order = order;
				n++;
			}
		} else {
			unsigned k = (unsigned)rand_below(r, n);

			CHECK_EQ(*(uint64_t *)page_address(live[k].page),
				 (uint64_t)(uintptr_t)live[k].page);
			__free_pages(live[k].page, live[k].order);
			live[k] = live[--n];
		}
	}
	while (n) {
		n--;
		__free_pages(live[n].page, live[n].order);
	}
}

static void test_random_single(void)
{
	static struct block live[512];
	struct rand_state r;

	rand_seed(&r, 42);
	random_traffic(&r, 200000, live, 512);
	expect_boot_state();
}

#define THREADS 4

static void *stress_thread(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;
	struct block *live = calloc(256, sizeof(*live));
	struct rand_state r;

	hosted_set_cpu(cpu);
	rand_seed(&r, cpu + 1);
	random_traffic(&r, 50000, live, 256);
	for (unsigned i = 0; i < 2000; i++) {
		size_t size = 1 + rand_below(&r, 3000);
		unsigned char *p = kmalloc(size, GFP_NOWARN);

		if (p) {
			memset(p, (int)cpu, size);
			kfree(p);
		}
	}
	free(live);
	return NULL;
}

static void test_threads(void)
{
	pthread_t th[THREADS];

	for (unsigned i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, stress_thread, (void *)(uintptr_t)(i + 1));
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	hosted_set_cpu(0);
	CHECK_EQ(kmalloc_live_objects(), 0);
	expect_boot_state();
}

static void test_kmalloc(void)
{
	static unsigned char *objs[1000];
	struct rand_state r;
	unsigned long reports = hosted_reports;

	rand_seed(&r, 7);
	for (unsigned i = 0; i < 1000; i++) {
		objs[i] = kmalloc(1 + rand_below(&r, 5000), 0);
		CHECK(objs[i] != NULL);
	}
	for (unsigned i = 0; i < 1000; i += 3)
		kfree(objs[i]);
	kfree(objs[0]); /* double */
	CHECK_EQ(hosted_reports, reports + 1);
	for (unsigned i = 0; i < 1000; i++)
		if (i % 3)
			kfree(objs[i]);
	CHECK_EQ(kmalloc_live_objects(), 0);
	expect_boot_state();
}

int main(void)
{
	/* 96 MiB with two holes, one of them not section aligned */
	const struct phys_range holes[] = {
		{ 33 * MIB, 35 * MIB }, { 60 * MIB + 4096, 61 * MIB } };

	hosted_boot_memory(96 * MIB, holes, 2);
	boot_free = nr_free_pages();
	for (unsigned o = 0; o < MAX_ORDER; o++)
		boot_orders[o] = nr_free_blocks(o);

	RUN(test_boot_accounting);
	RUN(test_all_pages);
	RUN(test_misuse);
	RUN(test_random_single);
	RUN(test_threads);
	RUN(test_kmalloc);
	printf("hosted mm: %s\n", check_failures ? "FAILED" : "all ok");
	return check_failures != 0;
}

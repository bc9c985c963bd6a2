/*
 * libFuzzer target: random sequences of allocations and frees of mixed
 * orders, kmalloc traffic, CPU switches, per-CPU list toggles and
 * deliberate misuse.  After every step the allocator's invariants must hold
 * (page_alloc_check: lists, counters, types); at the end of each input
 * everything is freed, no page may be unaccounted for, and the lists must
 * be exactly as merged as at boot.  Any violation aborts, which libFuzzer reports as a finding.
 */
#include "shim.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"

#include <stdio.h>
#include <stdlib.h>

#define MIB (1ull << 20)
#define MAX_LIVE 256
#define CPUS 4

struct block {
	struct page *page;
	unsigned order;
};

static struct block live[MAX_LIVE], grave[16];
static void *objs[64];
static unsigned nlive, ngrave, nobjs;
static unsigned long boot_free, boot_orders[MAX_ORDER], live_pages;

#define REQUIRE(c) do { \
	if (!(c)) { \
		fprintf(stderr, "fuzz: invariant broken: %s (line %d)\n", #c, __LINE__); \
		abort(); \
	} \
} while (0)

static void setup(void)
{
	static int done;
	const struct phys_range holes[] = { { 9 * MIB + 8192, 10 * MIB } };

	if (done)
		return;
	done = 1;
	hosted_boot_memory(40 * MIB, holes, 1);
	page_poisoning = true;
	boot_free = nr_free_pages();
	for (unsigned o = 0; o < MAX_ORDER; o++)
		boot_orders[o] = nr_free_blocks(o);
}

static void op_alloc(uint8_t arg)
{
	unsigned order = arg % 8 == 0 ? arg % MAX_ORDER : 0;
	gfp_t gfp = GFP_NOWARN | (arg & 0x40 ? GFP_NOPCP : 0) |
		    (arg & 0x20 ? GFP_ZERO : 0);
	struct page *p;

	if (nlive == MAX_LIVE)
		return;
	p = alloc_pages(gfp, order);
	if (!p)
		return;
	REQUIRE(p->type == PG_KERNEL && p->order == order);
	REQUIRE((p->pfn & ((1u << order) - 1)) == 0);
	live[nlive].page = p;
	live[nlive].order = order;
	nlive++;
	live_pages += 1ul << order;
}

static void op_free(uint8_t arg)
{
	struct block b;

	if (!nlive)
		return;
	unsigned k = arg % nlive;

	b = live[k];
	live[k] = live[--nlive];
	__free_pages(b.page, b.order);
	live_pages -= 1ul << b.order;
	grave[ngrave++ % 16] = b;
}

static void op_double_free(uint8_t arg)
{
	struct block b = grave[arg % 16];
	unsigned long before = page_misuse_count(MISUSE_DOUBLE_FREE);
	unsigned t;

	if (!b.page)
		return;
	t = b.page->type;
	/* only while it is still free: it may have been handed out again */
	if (t != PG_BUDDY && t != PG_BUDDY_TAIL && t != PG_PCP)
		return;
	__free_pages(b.page, b.order);
	REQUIRE(page_misuse_count(MISUSE_DOUBLE_FREE) == before + 1);
}

static void op_free_tail(uint8_t arg)
{
	unsigned long before = page_misuse_count(MISUSE_NOT_BLOCK_START);

	for (unsigned i = 0; i < nlive; i++) {
		struct block *b = &live[(i + arg) % nlive];

		if (b->order) {
			__free_pages(b->page + 1 + arg % ((1u << b->order) - 1), 0);
			REQUIRE(page_misuse_count(MISUSE_NOT_BLOCK_START) == before + 1);
			return;
		}
	}
}

static void op_kmalloc(uint8_t arg)
{
	if (nobjs < 64) {
		void *p = kmalloc((size_t)arg * 24 + 1, GFP_NOWARN);

		if (p)
			objs[nobjs++] = p;
	}
}

static void op_kfree(uint8_t arg)
{
	if (nobjs) {
		unsigned k = arg % nobjs;

		kfree(objs[k]);
		objs[k] = objs[--nobjs];
	}
}

static void check_accounting(void)
{
	REQUIRE(page_alloc_check() == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	for (size_t i = 0; i + 1 < size; i += 2) {
		uint8_t arg = data[i + 1];

		switch (data[i] % 10) {
		case 0: case 1: case 2: op_alloc(arg); break;
		case 3: case 4: op_free(arg); break;
		case 5: op_double_free(arg); break;
		case 6: op_free_tail(arg); break;
		case 7: op_kmalloc(arg); break;
		case 8: op_kfree(arg); break;
		case 9:
			if (arg & 1)
				hosted_set_cpu(arg % CPUS);
			else if (arg & 2)
				pcp_enabled = !pcp_enabled;
			else
				drain_all_pages();
			break;
		}
		check_accounting();
	}
	while (nlive)
		op_free(0);
	while (nobjs)
		op_kfree(0);
	hosted_set_cpu(0);
	pcp_enabled = true;
	ngrave = 0;
	for (unsigned i = 0; i < 16; i++)
		grave[i].page = NULL;
	drain_all_pages();
	REQUIRE(live_pages == 0);
	REQUIRE(nr_free_pages() == boot_free);
	for (unsigned o = 0; o < MAX_ORDER; o++)
		REQUIRE(nr_free_blocks(o) == boot_orders[o]);
	REQUIRE(kmalloc_live_objects() == 0);
	check_accounting();
	return 0;
}

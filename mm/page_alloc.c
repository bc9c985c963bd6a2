/*
 * Buddy allocator.  Free blocks are linked through their struct page (never
 * through the memory itself), so freed memory can be poisoned whole and
 * checked when it is handed out again.
 */
#include "mm/page_alloc.h"
#include "mm/fault_inject.h"
#include "mm/memblock.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

struct page *section_memmap[NR_SECTIONS];
struct page_alloc_stats page_alloc_stats;
bool page_poisoning = true;
bool pcp_enabled = true;

struct free_area {
	struct list_head list;
	unsigned long nr;
};

static struct {
	spinlock_t lock;
	struct free_area area[MAX_ORDER];
	unsigned long nr_free;      /* pages on the buddy lists */
} zone;

struct pcp {
	spinlock_t lock;            /* remote drains take it too: no IPI */
	struct list_head list;
	unsigned count;
} __aligned(64);

static struct pcp pcps[MAX_CPUS];
static unsigned long misuse[MISUSE_NR];

static const char *const type_names[PG_NR_TYPES] = {
	"hole", "reserved", "buddy", "buddy-tail", "pcp", "kernel", "tail",
	"pgtable", "slab", "user",
};

static const char *const misuse_names[MISUSE_NR] = {
	"double free", "wrong type", "not a block start", "wrong order",
	"reserved page", "invalid address", "write after free",
};

const char *page_type_name(unsigned type)
{
	return type < PG_NR_TYPES ? type_names[type] : "corrupt";
}

KERNEL_PARAM_BOOL("page_poison", page_poisoning,
		  "0|1: fill freed pages and check them on allocation (default 1)");

KERNEL_PARAM_BOOL("page_alloc.pcp", pcp_enabled,
		  "0|1: per-CPU lists in front of the buddy lists (default 1)");

unsigned long page_misuse_count(enum page_misuse kind)
{
	return __atomic_load_n(&misuse[kind], __ATOMIC_RELAXED);
}

void report_bad_page(struct page *page, enum page_misuse kind,
		     unsigned long caller, const char *fmt, ...)
{
	char msg[160], who[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ksym_format(who, sizeof(who), caller);
	__atomic_fetch_add(&misuse[kind], 1, __ATOMIC_RELAXED);
	if (page)
		printk("BAD PAGE (%s): %s: pfn %#lx type %s order %u flags %#x, caller %s\n",
		       misuse_names[kind], msg, (unsigned long)page->pfn,
		       page_type_name(page->type), page->order, page->flags,
		       who);
	else
		printk("BAD PAGE (%s): %s, caller %s\n", misuse_names[kind],
		       msg, who);
	dump_stack();
	ktest_report_problem("bad page");
}

/* --- the buddy lists (zone.lock held) ------------------------------- */

/* Put a block whose pages are all PG_BUDDY_TAIL on the lists, merging. */
static void free_one(uint64_t pfn, unsigned order)
{
	struct page *head;

	while (order < MAX_ORDER - 1) {
		struct page *b = pfn_to_page(pfn ^ (1ul << order));

		if (!b || b->type != PG_BUDDY || b->order != order)
			break;
		list_del(&b->free);
		zone.area[order].nr--;
		b->type = PG_BUDDY_TAIL;
		pfn &= ~(1ul << order);
		order++;
	}
	head = pfn_to_page(pfn);
	head->type = PG_BUDDY;
	head->order = order;
	list_add(&head->free, &zone.area[order].list);
	zone.area[order].nr++;
}

/* Take a block of @order off the lists, splitting a larger one if needed. */
static struct page *rmqueue(unsigned order)
{
	struct page *page;
	unsigned o;

	for (o = order; o < MAX_ORDER; o++)
		if (!list_empty(&zone.area[o].list))
			break;
	if (o == MAX_ORDER)
		return NULL;
	page = list_first_entry(&zone.area[o].list, struct page, free);
	list_del(&page->free);
	zone.area[o].nr--;
	/* no longer a merge candidate, before the lock is dropped: a CPU
	 * freeing its buddy must not see PG_BUDDY on a block in use */
	page->type = PG_BUDDY_TAIL;
	while (o > order) {
		struct page *half;

		o--;
		half = page + (1ul << o);  /* same section: blocks never span */
		half->type = PG_BUDDY;
		half->order = (uint8_t)o;
		list_add(&half->free, &zone.area[o].list);
		zone.area[o].nr++;
	}
	zone.nr_free -= 1ul << order;
	return page;
}

/* --- poisoning ------------------------------------------------------- */

void page_poison(struct page *page)
{
	if (!page_poisoning)
		return;
	memset(page_address(page), PAGE_POISON, PAGE_SIZE);
	page->flags |= PGF_POISONED;
}

void page_poison_check(struct page *page, unsigned long caller)
{
	const uint64_t *p = page_address(page);
	const uint64_t want = 0x0101010101010101ull * PAGE_POISON;
	uint64_t diff = 0;

	if (!(page->flags & PGF_POISONED))
		return;
	page->flags &= ~PGF_POISONED;
	/* fast pass without branches; locate the damage only if there is any */
	for (unsigned i = 0; i < PAGE_SIZE / 8; i += 4)
		diff |= (p[i] ^ want) | (p[i + 1] ^ want) | (p[i + 2] ^ want) |
			(p[i + 3] ^ want);
	if (!diff)
		return;
	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		if (p[i] != want) {
			report_bad_page(page, MISUSE_POISON, caller,
					"freed page written at offset %#x (found %#llx)",
					i * 8, (unsigned long long)p[i]);
			return;
		}
}

/* --- per-CPU lists ---------------------------------------------------- */

/* Move up to @n pages from @p to the buddy lists (p->lock held). */
static void pcp_drain_locked(struct pcp *p, unsigned n)
{
	spin_lock(&zone.lock);
	while (n-- && !list_empty(&p->list)) {
		struct page *page = list_entry(p->list.prev, struct page, free);

		list_del(&page->free);
		p->count--;
		page->type = PG_BUDDY_TAIL;
		zone.nr_free++;
		free_one(page->pfn, 0);
	}
	spin_unlock(&zone.lock);
}

static struct page *pcp_alloc(void)
{
	unsigned long flags = local_irq_save();
	struct pcp *p = &pcps[smp_processor_id()];
	struct page *page = NULL;

	spin_lock(&p->lock);
	if (list_empty(&p->list)) {
		spin_lock(&zone.lock);
		for (unsigned i = 0; i < PCP_BATCH; i++) {
			struct page *pg = rmqueue(0);

			if (!pg)
				break;
			pg->type = PG_PCP;
			list_add_tail(&pg->free, &p->list);
			p->count++;
		}
		spin_unlock(&zone.lock);
	}
	if (!list_empty(&p->list)) {
		page = list_first_entry(&p->list, struct page, free);
		list_del(&page->free);
		p->count--;
	}
	spin_unlock(&p->lock);
	local_irq_restore(flags);
	return page;
}

static void pcp_free(struct page *page)
{
	unsigned long flags = local_irq_save();
	struct pcp *p = &pcps[smp_processor_id()];

	spin_lock(&p->lock);
	page->type = PG_PCP;
	list_add(&page->free, &p->list);
	if (++p->count > PCP_HIGH)
		pcp_drain_locked(p, PCP_BATCH);
	spin_unlock(&p->lock);
	local_irq_restore(flags);
}

void drain_local_pages(void)
{
	unsigned long flags = local_irq_save();
	struct pcp *p = &pcps[smp_processor_id()];

	spin_lock(&p->lock);
	pcp_drain_locked(p, p->count);
	spin_unlock(&p->lock);
	local_irq_restore(flags);
}

void drain_all_pages(void)
{
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct pcp *p = &pcps[cpu];
		unsigned long flags;

		if (!READ_ONCE(p->count))
			continue;
		flags = spin_lock_irqsave(&p->lock);
		pcp_drain_locked(p, p->count);
		spin_unlock_irqrestore(&p->lock, flags);
	}
}

/* Any CPU's parked page, for an allocation the buddy lists cannot serve:
 * that CPU may refill its list faster than a drain empties it. */
static struct page *pcp_take_any(void)
{
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct pcp *p = &pcps[cpu];
		struct page *page = NULL;
		unsigned long flags;

		if (!READ_ONCE(p->count))
			continue;
		flags = spin_lock_irqsave(&p->lock);
		if (!list_empty(&p->list)) {
			page = list_first_entry(&p->list, struct page, free);
			list_del(&page->free);
			p->count--;
		}
		spin_unlock_irqrestore(&p->lock, flags);
		if (page)
			return page;
	}
	return NULL;
}

unsigned pcp_count(unsigned cpu)
{
	return cpu < MAX_CPUS ? READ_ONCE(pcps[cpu].count) : 0;
}

/* --- memory pressure --------------------------------------------------- */

/* weak: a hosted build may link no hook at all */
extern void (*const __start_mm_pressure[])(void) __weak;
extern void (*const __stop_mm_pressure[])(void) __weak;

static void run_memory_pressure_hooks(void)
{
	for (void (*const *h)(void) = __start_mm_pressure; h < __stop_mm_pressure; h++)
		(*h)();
}

/* --- allocation and free ---------------------------------------------- */

static struct page *zone_alloc(unsigned order)
{
	unsigned long flags = spin_lock_irqsave(&zone.lock);
	struct page *page = rmqueue(order);

	spin_unlock_irqrestore(&zone.lock, flags);
	return page;
}

struct page *alloc_pages_typed(gfp_t gfp, unsigned order, enum page_type type,
			       unsigned long caller)
{
	struct page *page = NULL;
	unsigned long n = 1ul << order;

	if (order >= MAX_ORDER)
		return NULL;
	if (!(gfp & GFP_NOFAULT) && should_fail(&fail_page_alloc))
		return NULL;
	if (order == 0 && !(gfp & GFP_NOPCP) && READ_ONCE(pcp_enabled))
		page = pcp_alloc();
	else
		page = zone_alloc(order);
	/* pages parked on CPU lists and in caches are free too.  Another CPU
	 * may refill its list between our drain and our try: a single page
	 * is then taken from that list; a block is tried again a few times
	 * while the pages are there (fragmentation can fail a high order
	 * with enough pages free) */
	for (unsigned tries = 0; !page && tries < 4; tries++) {
		drain_all_pages();
		run_memory_pressure_hooks();
		drain_all_pages();
		page = zone_alloc(order);
		if (!page && order == 0)
			page = pcp_take_any();
		if (nr_free_pages() < n)
			break;
	}
	if (!page) {
		if (!(gfp & GFP_NOWARN))
			printk("page allocation failure: order %u, %lu pages free\n",
			       order, nr_free_pages());
		return NULL;
	}
	for (unsigned long i = 0; i < n; i++) {
		page_poison_check(page + i, caller);
		if (i) {
			page[i].type = PG_TAIL;
			page[i].head_pfn = page->pfn;
		}
	}
	page->type = (uint8_t)type;
	page->order = (uint8_t)order;
	page->alloc_caller = caller;
	if (gfp & GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
	return page;
}

enum page_misuse page_misuse_of(unsigned seen)
{
	switch (seen) {
	case PG_BUDDY:
	case PG_BUDDY_TAIL:
	case PG_PCP:
		return MISUSE_DOUBLE_FREE;
	case PG_TAIL:
		return MISUSE_NOT_BLOCK_START;
	case PG_HOLE:
	case PG_RESERVED:
		return MISUSE_RESERVED;
	default:
		return MISUSE_WRONG_TYPE;
	}
}

bool free_pages_typed(struct page *page, unsigned order, enum page_type type,
		      unsigned long caller)
{
	uint8_t seen = (uint8_t)type;
	unsigned long n = 1ul << order;

	if (!page) {
		report_bad_page(NULL, MISUSE_INVALID, caller,
				"free of a page outside the memmap");
		return false;
	}
	/* claim the block atomically: two CPUs freeing it cannot both win */
	if (!__atomic_compare_exchange_n(&page->type, &seen, PG_BUDDY_TAIL,
					 false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED)) {
		enum page_misuse kind = page_misuse_of(seen);

		if (kind == MISUSE_NOT_BLOCK_START)
			report_bad_page(page, kind, caller,
					"freeing %s block at a tail (head pfn %#x)",
					page_type_name(type), page->head_pfn);
		else
			report_bad_page(page, kind, caller, "freeing as %s",
					page_type_name(type));
		return false;
	}
	if (page->order != order) {
		page->type = (uint8_t)type;
		report_bad_page(page, MISUSE_WRONG_ORDER, caller,
				"freeing order %u of an order-%u block", order,
				page->order);
		return false;
	}
	for (unsigned long i = 0; i < n; i++) {
		page[i].type = PG_BUDDY_TAIL;
		page_poison(page + i);
	}
	if (order == 0 && READ_ONCE(pcp_enabled)) {
		pcp_free(page);
	} else {
		unsigned long flags = spin_lock_irqsave(&zone.lock);

		zone.nr_free += n;
		free_one(page->pfn, order);
		spin_unlock_irqrestore(&zone.lock, flags);
	}
	return true;
}

struct page *alloc_pages(gfp_t gfp, unsigned order)
{
	return alloc_pages_typed(gfp, order, PG_KERNEL,
				 (unsigned long)__builtin_return_address(0));
}

void __free_pages(struct page *page, unsigned order)
{
	free_pages_typed(page, order, PG_KERNEL,
			 (unsigned long)__builtin_return_address(0));
}

void *__get_free_pages(gfp_t gfp, unsigned order)
{
	struct page *page = alloc_pages_typed(gfp, order, PG_KERNEL,
			(unsigned long)__builtin_return_address(0));

	return page ? page_address(page) : NULL;
}

void free_pages(void *addr, unsigned order)
{
	unsigned long caller = (unsigned long)__builtin_return_address(0);

	if (!IS_ALIGNED((uintptr_t)addr, PAGE_SIZE)) {
		report_bad_page(virt_to_page(addr), MISUSE_NOT_BLOCK_START,
				caller, "free_pages(%p) is not page aligned",
				addr);
		return;
	}
	free_pages_typed(virt_to_page(addr), order, PG_KERNEL, caller);
}

/* --- counters ------------------------------------------------------------ */

unsigned long nr_free_pages(void)
{
	unsigned long n = READ_ONCE(zone.nr_free);

	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
		n += READ_ONCE(pcps[cpu].count);
	return n;
}

unsigned long nr_free_blocks(unsigned order)
{
	return order < MAX_ORDER ? READ_ONCE(zone.area[order].nr) : 0;
}

unsigned long nr_managed_pages(void)
{
	return page_alloc_stats.handed_over;
}

/* --- boot hand-over and consistency checks ------------------------------ */

void page_alloc_free_boot_range(uint64_t start_pfn, uint64_t end_pfn)
{
	unsigned long flags = spin_lock_irqsave(&zone.lock);

	/* largest aligned blocks first, so the lists start fully merged */
	while (start_pfn < end_pfn) {
		unsigned order = 0;

		while (order + 1 < MAX_ORDER &&
		       IS_ALIGNED(start_pfn, 1ul << (order + 1)) &&
		       start_pfn + (1ul << (order + 1)) <= end_pfn)
			order++;
		for (unsigned long i = 0; i < 1ul << order; i++)
			pfn_to_page(start_pfn + i)->type = PG_BUDDY_TAIL;
		zone.nr_free += 1ul << order;
		page_alloc_stats.handed_over += 1ul << order;
		free_one(start_pfn, order);
		start_pfn += 1ul << order;
	}
	spin_unlock_irqrestore(&zone.lock, flags);
}

void page_alloc_init_lists(void)
{
	spin_lock_init(&zone.lock);
	for (unsigned o = 0; o < MAX_ORDER; o++)
		INIT_LIST_HEAD(&zone.area[o].list);
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
		spin_lock_init(&pcps[cpu].lock);
		INIT_LIST_HEAD(&pcps[cpu].list);
	}
}

static unsigned check_block(const struct page *head, unsigned o)
{
	uint64_t pfn = head->pfn;
	const struct page *buddy = pfn_to_page(pfn ^ (1ul << o));
	unsigned bad = 0;

	if (head->type != PG_BUDDY || head->order != o) {
		printk("check: pfn %#llx on order-%u list has type %s order %u\n",
		       (unsigned long long)pfn, o, page_type_name(head->type),
		       head->order);
		bad++;
	}
	if (!IS_ALIGNED(pfn, 1ul << o)) {
		printk("check: order-%u block at pfn %#llx is misaligned\n", o,
		       (unsigned long long)pfn);
		bad++;
	}
	/* greedy merging leaves no two free buddies of the same order */
	if (o + 1 < MAX_ORDER && buddy && buddy->type == PG_BUDDY &&
	    buddy->order == o) {
		printk("check: free buddies %#llx and %#llx not merged (order %u)\n",
		       (unsigned long long)pfn,
		       (unsigned long long)buddy->pfn, o);
		bad++;
	}
	for (unsigned long i = 1; i < 1ul << o; i++)
		if (head[i].type != PG_BUDDY_TAIL) {
			printk("check: page %#llx inside a free block has type %s\n",
			       (unsigned long long)(pfn + i),
			       page_type_name(head[i].type));
			bad++;
			break;
		}
	return bad;
}

unsigned page_alloc_check(void)
{
	unsigned long flags = local_irq_save(), pages = 0;
	unsigned bad = 0;

	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
		spin_lock(&pcps[cpu].lock);
	spin_lock(&zone.lock);
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		struct list_head *pos;
		unsigned long n = 0;

		list_for_each(pos, &zone.area[o].list) {
			bad += check_block(list_entry(pos, struct page, free), o);
			n++;
		}
		if (n != zone.area[o].nr) {
			printk("check: order %u list has %lu blocks, counter says %lu\n",
			       o, n, zone.area[o].nr);
			bad++;
		}
		pages += n << o;
	}
	if (pages != zone.nr_free) {
		printk("check: %lu pages on the lists, counter says %lu\n",
		       pages, zone.nr_free);
		bad++;
	}
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct list_head *pos;
		unsigned n = 0;

		list_for_each(pos, &pcps[cpu].list) {
			if (list_entry(pos, struct page, free)->type != PG_PCP)
				bad++;
			n++;
		}
		if (n != pcps[cpu].count) {
			printk("check: CPU %u list has %u pages, counter says %u\n",
			       cpu, n, pcps[cpu].count);
			bad++;
		}
	}
	spin_unlock(&zone.lock);
	for (unsigned cpu = MAX_CPUS; cpu-- > 0;)
		spin_unlock(&pcps[cpu].lock);
	local_irq_restore(flags);
	return bad;
}


#include "mm/slab.h"
#include "mm/fault_inject.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/bitops.h"
#include "lib/string.h"

struct kmem_cache {
	unsigned size;
	unsigned capacity;          /* objects per slab page */
	spinlock_t lock;
	struct list_head partial;   /* slabs with at least one free object */
};

#define NR_CLASSES 7  /* 32 .. 2048 */
BUILD_BUG_ON(PAGE_SIZE / KMALLOC_MIN > 128); /* bitmap: two words */

static struct kmem_cache caches[NR_CLASSES];
static bool caches_ready;
static unsigned long live_objects;
static unsigned long kfree_misuse[KFREE_NR];

static const char *const kfree_misuse_names[KFREE_NR] = {
	"double free", "pointer inside an object", "not a kmalloc page",
	"write after free",
};

static void init_caches(void)
{
	for (unsigned i = 0; i < NR_CLASSES; i++) {
		caches[i].size = KMALLOC_MIN << i;
		caches[i].capacity = PAGE_SIZE / caches[i].size;
		spin_lock_init(&caches[i].lock);
		INIT_LIST_HEAD(&caches[i].partial);
	}
	__atomic_store_n(&caches_ready, true, __ATOMIC_RELEASE);
}

static struct kmem_cache *size_class(size_t size)
{
	unsigned i = 0;

	while (((size_t)KMALLOC_MIN << i) < size)
		i++;
	return &caches[i];
}

static void kfree_report(const void *p, struct page *page,
			 enum kfree_misuse kind, unsigned long caller)
{
	char who[96];

	ksym_format(who, sizeof(who), caller);
	__atomic_fetch_add(&kfree_misuse[kind], 1, __ATOMIC_RELAXED);
	printk("BAD KFREE (%s): %p in pfn %#lx (type %s), caller %s\n",
	       kfree_misuse_names[kind], p,
	       page ? (unsigned long)page->pfn : 0ul,
	       page ? page_type_name(page->type) : "none", who);
	dump_stack();
	ktest_report_problem("bad kfree");
}

unsigned long kfree_misuse_count(enum kfree_misuse kind)
{
	return __atomic_load_n(&kfree_misuse[kind], __ATOMIC_RELAXED);
}

static int find_free_slot(const struct page *slab, unsigned capacity)
{
	for (unsigned w = 0; w < 2; w++) {
		uint64_t used = slab->slab.used[w];

		if (~used && w * 64 < capacity) {
			unsigned bit = lowest_bit64(~used);

			if (w * 64 + bit < capacity)
				return (int)(w * 64 + bit);
		}
	}
	return -1;
}

static void check_object_poison(const uint8_t *obj, unsigned size,
				unsigned long caller)
{
	for (unsigned i = 0; i < size; i++)
		if (obj[i] != SLAB_POISON) {
			kfree_report(obj, virt_to_page(obj), KFREE_POISON,
				     caller);
			return;
		}
}

static void *cache_alloc(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	unsigned long flags = spin_lock_irqsave(&c->lock);
	struct page *slab;
	uint8_t *obj;
	int slot;

	if (list_empty(&c->partial)) {
		spin_unlock_irqrestore(&c->lock, flags);
		slab = alloc_pages_typed(gfp & ~GFP_ZERO, 0, PG_SLAB, caller);
		if (!slab)
			return NULL;
		slab->slab.cache = c;
		slab->slab.inuse = 0;
		slab->slab.used[0] = slab->slab.used[1] = 0;
		memset(page_address(slab), SLAB_POISON, PAGE_SIZE);
		flags = spin_lock_irqsave(&c->lock);
		list_add(&slab->slab.list, &c->partial);
	}
	slab = list_first_entry(&c->partial, struct page, slab.list);
	slot = find_free_slot(slab, c->capacity);
	BUG_ON(slot < 0);
	slab->slab.used[slot / 64] |= 1ull << (slot % 64);
	if (++slab->slab.inuse == c->capacity)
		list_del_init(&slab->slab.list);
	spin_unlock_irqrestore(&c->lock, flags);

	obj = (uint8_t *)page_address(slab) + (unsigned)slot * c->size;
	check_object_poison(obj, c->size, caller);
	if (gfp & GFP_ZERO)
		memset(obj, 0, c->size);
	__atomic_fetch_add(&live_objects, 1, __ATOMIC_RELAXED);
	return obj;
}

static void *kmalloc_caller(size_t size, gfp_t gfp, unsigned long caller)
{
	struct page *page;
	unsigned order = 0;

	if (!size)
		return NULL;
	if (!(gfp & GFP_NOFAULT) && should_fail(&fail_kmalloc))
		return NULL;
	if (!__atomic_load_n(&caches_ready, __ATOMIC_ACQUIRE)) {
		static spinlock_t once = SPINLOCK_INIT;
		unsigned long flags = spin_lock_irqsave(&once);

		if (!caches_ready)
			init_caches();
		spin_unlock_irqrestore(&once, flags);
	}
	if (size <= KMALLOC_MAX_CACHED)
		return cache_alloc(size_class(size), gfp, caller);
	while ((PAGE_SIZE << order) < size)
		order++;
	page = alloc_pages_typed(gfp, order, PG_SLAB, caller);
	if (!page)
		return NULL;
	page->slab.cache = NULL;
	__atomic_fetch_add(&live_objects, 1, __ATOMIC_RELAXED);
	return page_address(page);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return kmalloc_caller(size, gfp,
			      (unsigned long)__builtin_return_address(0));
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc_caller(size, gfp | GFP_ZERO,
			      (unsigned long)__builtin_return_address(0));
}

void kfree(const void *p)
{
	unsigned long caller = (unsigned long)__builtin_return_address(0);
	struct page *page;
	struct kmem_cache *c;
	unsigned long flags, off;
	unsigned slot;

	if (!p)
		return;
	page = virt_to_page(p);
	if (!page || page->type != PG_SLAB) {
		kfree_report(p, page, KFREE_WRONG_PAGE, caller);
		return;
	}
	c = page->slab.cache;
	if (!c) {
		if (p != page_address(page)) {
			kfree_report(p, page, KFREE_NOT_OBJECT, caller);
			return;
		}
		if (free_pages_typed(page, page->order, PG_SLAB, caller))
			__atomic_fetch_sub(&live_objects, 1, __ATOMIC_RELAXED);
		return;
	}
	off = (uintptr_t)p - (uintptr_t)page_address(page);
	if (off % c->size) {
		kfree_report(p, page, KFREE_NOT_OBJECT, caller);
		return;
	}
	slot = (unsigned)(off / c->size);
	flags = spin_lock_irqsave(&c->lock);
	if (!(page->slab.used[slot / 64] & (1ull << (slot % 64)))) {
		spin_unlock_irqrestore(&c->lock, flags);
		kfree_report(p, page, KFREE_DOUBLE, caller);
		return;
	}
	page->slab.used[slot / 64] &= ~(1ull << (slot % 64));
	memset((void *)(uintptr_t)p, SLAB_POISON, c->size);
	if (page->slab.inuse-- == c->capacity)
		list_add(&page->slab.list, &c->partial);
	if (page->slab.inuse == 0) {
		list_del(&page->slab.list);
		spin_unlock_irqrestore(&c->lock, flags);
		free_pages_typed(page, 0, PG_SLAB, caller);
	} else {
		spin_unlock_irqrestore(&c->lock, flags);
	}
	__atomic_fetch_sub(&live_objects, 1, __ATOMIC_RELAXED);
}

unsigned long kmalloc_live_objects(void)
{
	return __atomic_load_n(&live_objects, __ATOMIC_RELAXED);
}

static uint64_t read_live_objects(void)
{
	return kmalloc_live_objects();
}
KTEST_INVARIANT("kmalloc objects", read_live_objects);

/*
 * Address spaces: creation, regions, demand faults, zap and unmap, and
 * teardown.  Locking: mmap_lock (read) for faults and zaps, (write) to
 * change regions; page_table_lock for upper-level entries; the split lock
 * of a pmd or pte table for its entries.
 */
#include "mm/mm.h"
#include "mm/mmu_gather.h"
#include "mm/pt_reclaim.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/rcu.h"
#include "lib/string.h"

struct mm init_mm;
unsigned long mm_fault_retries;   /* faults that lost a race with reclaim */

/* --- walking ---------------------------------------------------------------- */

static pt_entry_t *entry_table(unsigned level, pt_entry_t e)
{
	return phys_to_virt(pt_entry_pa(level, e));
}

pt_entry_t *pt_walk(struct mm *mm, unsigned long va, unsigned stop_level,
		    unsigned *level_out)
{
	pt_entry_t *table = mm->pgd;
	unsigned level = mm->top_level;

	for (;;) {
		pt_entry_t *ep = &table[pt_index(level, va)];
		pt_entry_t e = READ_ONCE(*ep);

		if (level == stop_level || !pt_entry_is_table(level, e)) {
			*level_out = level;
			return ep;
		}
		table = entry_table(level, e);
		level = pt_next_level(level);
	}
}

/* Is @table (at @level) still what @parent points to? */
static bool still_hooked(pt_entry_t *parent, unsigned level, pt_entry_t *table)
{
	pt_entry_t e;

	if (!parent)  /* the top table */
		return true;
	e = READ_ONCE(*parent);
	return pt_entry_is_table(level, e) && entry_table(level, e) == table;
}

/*
 * Walk to the entry at @target for @va, allocating missing tables on the
 * way.  Returns NULL on OOM, or when a huge leaf sits above @target.
 * *table_out is the table holding the returned entry (for its lock) and
 * *parent_out the entry that points to that table: after taking the lock
 * the caller checks that it still does (empty tables may be reclaimed,
 * seed 002).  Call inside rcu_read_lock(): tables are freed by RCU.
 *
 * A new table goes in only while its parent is still hooked, checked
 * under the parent's lock: a table with an entry is not empty, so it and
 * every table above it stay in the tree (pt_reclaim.all_levels).
 */
static pt_entry_t *walk_alloc(struct mm *mm, unsigned long va, unsigned target,
			      pt_entry_t **table_out, pt_entry_t **parent_out,
			      unsigned *parent_level_out)
{
	pt_entry_t *parent = NULL;
	unsigned parent_level = 0;
	pt_entry_t *table = mm->pgd;
	unsigned level = mm->top_level;

	while (level != target) {
		pt_entry_t *ep = &table[pt_index(level, va)];
		unsigned below = pt_next_level(level);
		pt_entry_t e = READ_ONCE(*ep);

		if (pt_entry_is_none(level, e)) {
			pt_entry_t *new = pt_alloc_table(mm_is_kernel(mm) ? NULL : mm, below);
			spinlock_t *lock;

			if (!new)
				return NULL;
			bool unhooked;

			lock = pt_lock(mm, level, table);
			spin_lock(lock);
			unhooked = !still_hooked(parent, parent_level, table);
			if (!unhooked && pt_entry_is_none(level, *ep)) {
				WRITE_ONCE(*ep, pt_mk_table(level, virt_to_phys(new),
							    !mm_is_kernel(mm)));
				new = NULL;
			}
			spin_unlock(lock);
			if (new)  /* another CPU populated it first */
				pt_free_table(mm_is_kernel(mm) ? NULL : mm, below, new);
			if (unhooked) {  /* reclaimed under us: from the top */
				__atomic_fetch_add(&mm_fault_retries, 1, __ATOMIC_RELAXED);
				parent = NULL;
				table = mm->pgd;
				level = mm->top_level;
			}
			/* read it again: a reclaim may already have taken the
			 * new (still empty) table out again (seed 002) */
			continue;
		}
		if (!pt_entry_is_table(level, e))
			return NULL;
		parent = ep;
		parent_level = level;
		table = entry_table(level, e);
		level = below;
	}
	*table_out = table;
	*parent_out = parent;
	*parent_level_out = parent_level;
	return &table[pt_index(level, va)];
}

/*
 * The entry for @va at @level, with the lock of its table held and the
 * table still in the tree; NULL on OOM.  Retries while a reclaim unhooks
 * the table under us.
 */
static pt_entry_t *walk_lock(struct mm *mm, unsigned long va, unsigned level,
			     spinlock_t **lock_out)
{
	unsigned waits = 0;

	for (;;) {
		pt_entry_t *ep, *table, *parent;
		unsigned parent_level;
		spinlock_t *lock;

		rcu_read_lock();
		ep = walk_alloc(mm, va, level, &table, &parent, &parent_level);
		if (!ep) {
			rcu_read_unlock();
			/* a table allocation inside the reader cannot wait for
			 * the memory that grace periods will give back: out of
			 * the reader, wait for them, and walk again */
			if (waits++ < 3 && !irqs_disabled() && rcu_callbacks_pending()) {
				rcu_barrier();
				continue;
			}
			return NULL;
		}
		lock = pt_lock(mm, level, table);
		spin_lock(lock);
		rcu_read_unlock();   /* the lock now keeps the table alive */
		if (still_hooked(parent, parent_level, table)) {
			*lock_out = lock;
			return ep;
		}
		spin_unlock(lock);
		__atomic_fetch_add(&mm_fault_retries, 1, __ATOMIC_RELAXED);
	}
}

/* --- regions --------------------------------------------------------------- */

static struct vma *find_vma(struct mm *mm, unsigned long addr)
{
	struct list_head *pos;

	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);

		if (addr >= v->start && addr < v->end)
			return v;
	}
	return NULL;
}

static bool span_has_vma(struct mm *mm, unsigned long start, unsigned long end)
{
	struct list_head *pos;

	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);

		if (v->start < end && v->end > start)
			return true;
	}
	return false;
}

__weak int arch_mm_grow(struct mm *mm, unsigned long end)
{
	(void)mm;
	(void)end;
	return 0;
}

int mm_declare(struct mm *mm, unsigned long start, unsigned long end,
	       unsigned flags)
{
	struct vma *v;
	struct list_head *pos;
	int err;

	if (start >= end || start < USER_VA_START || end > USER_VA_END ||
	    !IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE))
		return -EINVAL;
	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	v->start = start;
	v->end = end;
	v->flags = flags;
	write_lock(&mm->mmap_lock);
	err = span_has_vma(mm, start, end) ? -EINVAL : arch_mm_grow(mm, end);
	if (err) {
		write_unlock(&mm->mmap_lock);
		kfree(v);
		return err;
	}
	list_for_each(pos, &mm->vmas)
		if (list_entry(pos, struct vma, node)->start > start)
			break;
	list_add_tail(&v->node, pos);
	write_unlock(&mm->mmap_lock);
	return 0;
}

/* Cut [start, end) out of the region list (mmap_lock held for write). */
static int remove_vmas(struct mm *mm, unsigned long start, unsigned long end)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);

		if (v->end <= start || v->start >= end)
			continue;
		if (v->start >= start && v->end <= end) {
			list_del(&v->node);
			kfree(v);
		} else if (v->start < start && v->end > end) {
			struct vma *tail = kmalloc(sizeof(*tail), GFP_KERNEL);

			if (!tail)
				return -ENOMEM;
			*tail = *v;
			tail->start = end;
			v->end = start;
			list_add(&tail->node, &v->node);
		} else if (v->start < start) {
			v->end = start;
		} else {
			v->start = end;
		}
	}
	return 0;
}

/* --- faults ---------------------------------------------------------------- */

int handle_mm_fault(struct mm *mm, unsigned long addr, bool write, bool exec)
{
	unsigned long caller = (unsigned long)__builtin_return_address(0);
	unsigned level = PT_PTE, order;
	pt_entry_t *ep;
	struct page *page;
	struct vma *v;
	spinlock_t *lock;
	int ret = 0;

	read_lock(&mm->mmap_lock);
	v = find_vma(mm, addr);
	if (!v || (write && !(v->flags & VM_WRITE)) ||
	    (exec && !(v->flags & VM_EXEC))) {
		ret = -EFAULT;
		goto out;
	}
	if ((v->flags & VM_HUGE) && pt_huge_supported()) {
		unsigned long span = 1ul << pt_level_shift(PT_HUGE_LEVEL);
		unsigned long base = ALIGN_DOWN(addr, span);

		if (base >= v->start && base + span <= v->end)
			level = PT_HUGE_LEVEL;
	}
	order = pt_level_shift(level) - PAGE_SHIFT;
	page = alloc_pages_typed(GFP_ZERO, order, PG_USER, caller);
	if (!page) {
		ret = -ENOMEM;
		goto out;
	}
	page->user.mapcount = 1;
	ep = walk_lock(mm, addr, level, &lock);
	if (!ep) {
		page->user.mapcount = 0;
		free_pages_typed(page, order, PG_USER, caller);
		ret = -ENOMEM;
		goto out;
	}
	if (pt_entry_is_none(level, *ep)) {
		WRITE_ONCE(*ep, pt_mk_leaf(level, (uint64_t)page->pfn << PAGE_SHIFT,
					   (v->flags & (VM_READ | VM_WRITE | VM_EXEC)) |
					   PROT_USER));
		if (level == PT_PTE)
			(*pte_used_count(ep))++;
		page = NULL;
		__atomic_fetch_add(&mm->rss, 1ul << order, __ATOMIC_RELAXED);
		__atomic_fetch_add(&mm->faults, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(lock);
	if (page) {
		/* raced with another CPU's fault, or a stale TLB entry made
		 * this CPU fault on a present page: flush and retry */
		page->user.mapcount = 0;
		free_pages_typed(page, order, PG_USER, caller);
		arch_flush_tlb_local(mm, addr, addr + PAGE_SIZE);
	}
out:
	read_unlock(&mm->mmap_lock);
	return ret;
}

int mm_map_page(struct mm *mm, unsigned long va, uint64_t pa, unsigned prot,
		unsigned level)
{
	pt_entry_t *ep;
	spinlock_t *lock;
	int ret = 0;

	read_lock(&mm->mmap_lock);
	ep = walk_lock(mm, va, level, &lock);
	if (!ep) {
		read_unlock(&mm->mmap_lock);
		return -ENOMEM;
	}
	if (pt_entry_is_none(level, *ep)) {
		WRITE_ONCE(*ep, pt_mk_leaf(level, pa, prot));
		if (level == PT_PTE)
			(*pte_used_count(ep))++;
	} else {
		ret = -EEXIST;
	}
	spin_unlock(lock);
	read_unlock(&mm->mmap_lock);
	return ret;
}

bool mm_translate(struct mm *mm, unsigned long va, uint64_t *pa, unsigned *prot)
{
	unsigned level;
	pt_entry_t e = READ_ONCE(*pt_walk(mm, va, PT_PTE, &level));

	if (!pt_entry_is_leaf(level, e))
		return false;
	*pa = pt_entry_pa(level, e) + (va & ((1ul << pt_level_shift(level)) - 1));
	if (prot)
		*prot = pt_entry_prot(level, e);
	return true;
}

/* --- zap, unmap and teardown --------------------------------------------- */

/* A cleared leaf: its data block goes after the flush (if it is ours). */
static void zap_leaf(struct mmu_gather *tlb, pt_entry_t e, unsigned level)
{
	struct page *page = pfn_to_page(pt_entry_pa(level, e) >> PAGE_SHIFT);
	unsigned order = pt_level_shift(level) - PAGE_SHIFT;

	if (!page || page->type != PG_USER)
		return;  /* a frame the test mapped itself (mm_map_page) */
	__atomic_fetch_sub(&tlb->mm->rss, 1ul << order, __ATOMIC_RELAXED);
	tlb_remove_page(tlb, page, order);
}

enum zap_mode {
	ZAP_KEEP_TABLES,      /* zap_range */
	ZAP_RECLAIM,          /* madvise_dontneed: empty tables go too */
	ZAP_FREE_UNNEEDED,    /* unmap_range: tables no region needs go */
};

/*
 * Clear every leaf of [start, end) under @table (at @level, covering from
 * @base); then, as @mode says, free tables below it.
 */
static void zap_table(struct mmu_gather *tlb, pt_entry_t *table, unsigned level,
		      unsigned long base, unsigned long start, unsigned long end,
		      enum zap_mode mode)
{
	struct mm *mm = tlb->mm;
	unsigned shift = pt_level_shift(level);
	unsigned long span = 1ul << shift;
	unsigned i = start > base ? (unsigned)((start - base) >> shift) : 0;
	spinlock_t *lock = pt_lock(mm, level, table);

	for (; i < pt_level_entries(level); i++) {
		unsigned long va = base + (unsigned long)i * span;
		pt_entry_t e = READ_ONCE(table[i]);

		if (va >= end || va < base)  /* va < base: wrapped at the top */
			break;
		if (pt_entry_is_none(level, e))
			continue;
		if (pt_entry_is_leaf(level, e)) {
			if (va < start || va + span > end)
				continue;  /* huge leaf only partly in range: kept */
			spin_lock(lock);
			if (pt_entry_is_none(level, READ_ONCE(table[i]))) {
				spin_unlock(lock);   /* another zap was first */
				continue;
			}
			e = arch_pt_clear(mm, va, level, &table[i]);
			if (level == PT_PTE)
				(*pte_used_count(&table[i]))--;
			spin_unlock(lock);
			tlb_track_range(tlb, va, va + span);
			zap_leaf(tlb, e, level);
			continue;
		}
		unsigned below = pt_next_level(level);
		pt_entry_t *child = entry_table(level, e);

		zap_table(tlb, child, below, va, start, end, mode);
		if (mode == ZAP_RECLAIM && READ_ONCE(pt_reclaim_enabled) &&
		    (below == PT_PTE || READ_ONCE(pt_reclaim_all_levels))) {
			try_to_free_table(tlb, table, level, va);
			continue;
		}
		if (mode != ZAP_FREE_UNNEEDED || span_has_vma(mm, va, va + span))
			continue;
		if (!pt_table_empty(below, child))
			continue;
		spin_lock(lock);
		arch_pt_clear(mm, va, level, &table[i]);
		spin_unlock(lock);
		/* paging-structure caches may hold the table: flush its span */
		tlb_track_range(tlb, va, va + span);
		tlb_remove_table(tlb, child, below);
	}
}

static void zap(struct mm *mm, unsigned long start, unsigned long end,
		enum zap_mode mode)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, mm);
	/* with the mmap lock read-held, another zap may free a table this
	 * one is walking: RCU keeps it readable until this walk is done */
	rcu_read_lock();
	zap_table(&tlb, mm->pgd, mm->top_level, 0, start, end, mode);
	rcu_read_unlock();
	tlb_finish_mmu(&tlb);
}

void zap_range(struct mm *mm, unsigned long start, unsigned long end)
{
	read_lock(&mm->mmap_lock);
	zap(mm, start, end, ZAP_KEEP_TABLES);
	read_unlock(&mm->mmap_lock);
}

void madvise_dontneed(struct mm *mm, unsigned long start, unsigned long end)
{
	read_lock(&mm->mmap_lock);
	zap(mm, start, end, ZAP_RECLAIM);
	read_unlock(&mm->mmap_lock);
}

void unmap_range(struct mm *mm, unsigned long start, unsigned long end)
{
	write_lock(&mm->mmap_lock);
	if (remove_vmas(mm, start, end))
		printk("unmap_range: out of memory splitting a region\n");
	zap(mm, start, end, ZAP_FREE_UNNEEDED);
	write_unlock(&mm->mmap_lock);
}

/* --- life of an mm --------------------------------------------------------- */

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (!mm)
		return NULL;
	mm->users = 1;
	mm->grabs = 1;
	rwlock_init(&mm->mmap_lock);
	spin_lock_init(&mm->page_table_lock);
	INIT_LIST_HEAD(&mm->vmas);
	mm->top_level = init_mm.top_level;
	mm->pgd = pt_alloc_table(mm, mm->top_level);
	if (!mm->pgd || arch_mm_init(mm)) {
		if (mm->pgd)
			pt_free_table(mm, mm->top_level, mm->pgd);
		kfree(mm);
		return NULL;
	}
	return mm;
}

void mmget(struct mm *mm)
{
	__atomic_fetch_add(&mm->users, 1, __ATOMIC_RELAXED);
}

void mmgrab(struct mm *mm)
{
	__atomic_fetch_add(&mm->grabs, 1, __ATOMIC_RELAXED);
}

void mmdrop(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->grabs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(mm);
}

/* exit_mmap: every region, every table, then the top table. */
static void mm_teardown(struct mm *mm)
{
	WARN_ON(!cpumask_empty(&mm->cpu_mask));
	unmap_range(mm, USER_VA_START, USER_VA_END);
	arch_mm_release(mm);
	pt_free_table(mm, mm->top_level, mm->pgd);
	mm->pgd = NULL;
	for (unsigned l = 0; l < PT_NR_LEVELS; l++)
		WARN_ON(mm->nr_tables[l] != 0);
	WARN_ON(mm->rss != 0);
}

void mmput(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL) == 0) {
		mm_teardown(mm);
		mmdrop(mm);
	}
}

void paging_init(void)
{
	rwlock_init(&init_mm.mmap_lock);
	spin_lock_init(&init_mm.page_table_lock);
	INIT_LIST_HEAD(&init_mm.vmas);
	init_mm.users = init_mm.grabs = 1;
	arch_paging_init();
}

struct mm *current_mm(void)
{
	return this_cpu()->active_mm;
}

void switch_mm(struct mm *mm)
{
	struct percpu *cpu = this_cpu();
	unsigned long flags = local_irq_save();
	struct mm *old = cpu->active_mm;

	/* a CPU that has an mm loaded holds a grab on it: the struct (its
	 * cpu_mask, its counters) outlives a teardown while it is loaded */
	if (mm)
		mmgrab(mm);
	if (old)
		cpumask_clear_cpu(&old->cpu_mask, cpu->cpu);
	if (mm)
		cpumask_set(&mm->cpu_mask, cpu->cpu);
	cpu->active_mm = mm;
	arch_switch_mm(mm ? mm : &init_mm);
	local_irq_restore(flags);
	if (old)
		mmdrop(old);
}

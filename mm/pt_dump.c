/*
 * pt_dump: one line per table, and one line per run of entries that map
 * consecutive memory with the same permissions.
 */
#include "mm/mm.h"
#include "kernel/printk.h"

struct run {
	unsigned long start, end;   /* virtual */
	uint64_t pa;
	unsigned level, prot;
	unsigned indent;
	unsigned long count;
};

static void prot_str(unsigned prot, char *buf)
{
	buf[0] = 'r';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = prot & PROT_USER ? 'u' : 'k';
	buf[4] = 0;
}

static void run_flush(struct run *r)
{
	char p[5];

	if (!r->count)
		return;
	prot_str(r->prot, p);
	printk("%*s[%016lx-%016lx) %lu x %s %s -> pa %#llx\n", (int)r->indent, "",
	       pt_va_canon(r->start), pt_va_canon(r->end - 1) + 1, r->count,
	       r->level == PT_PTE ? "page" : "huge", p,
	       (unsigned long long)r->pa);
	r->count = 0;
}

static void run_add(struct run *r, unsigned long va, unsigned long span,
		    uint64_t pa, unsigned level, unsigned prot, unsigned indent)
{
	if (r->count && r->end == va && r->level == level && r->prot == prot &&
	    r->indent == indent && r->pa + (r->end - r->start) == pa) {
		r->end += span;
		r->count++;
		return;
	}
	run_flush(r);
	*r = (struct run){ va, va + span, pa, level, prot, indent, 1 };
}

static void dump_table(struct mm *mm, pt_entry_t *table, unsigned level,
		       unsigned long base, unsigned long from, unsigned long last,
		       unsigned indent, struct run *r)
{
	unsigned shift = pt_level_shift(level);
	unsigned long span = 1ul << shift;
	struct page *pg = virt_to_page(table);

	run_flush(r);
	printk("%*s%s table at pa %#llx (pfn %#x, %s) covering %016lx\n",
	       (int)indent, "", pt_level_name(level),
	       (unsigned long long)virt_to_phys(table), pg ? pg->pfn : 0,
	       pg ? page_type_name(pg->type) : "?", pt_va_canon(base));
	for (unsigned i = 0; i < pt_level_entries(level); i++) {
		unsigned long va = base + (unsigned long)i * span;
		pt_entry_t e = READ_ONCE(table[i]);

		if (va < base || va > last)     /* va < base: wrapped at the top */
			break;
		if (va + (span - 1) < from || pt_entry_is_none(level, e))
			continue;
		if (pt_entry_is_leaf(level, e)) {
			run_add(r, va, span, pt_entry_pa(level, e), level,
				pt_entry_prot(level, e), indent + 2);
		} else if (pt_entry_is_table(level, e)) {
			dump_table(mm, phys_to_virt(pt_entry_pa(level, e)),
				   pt_next_level(level), va, from, last,
				   indent + 2, r);
		} else {
			run_flush(r);
			printk("%*s[%016lx] odd entry %#llx\n", (int)indent + 2, "",
			       va, (unsigned long long)e);
		}
	}
	run_flush(r);
}

void pt_dump(struct mm *mm, unsigned long from, unsigned long to)
{
	/* walk in raw (unextended) addresses: kernel halves dump too */
	unsigned long mask = PT_VA_BITS == 64 ? ~0ul : (1ul << PT_VA_BITS) - 1;
	struct run r = { .count = 0 };

	printk("pt_dump of mm %p [%016lx-%016lx), %ld/%ld/%ld/%ld/%ld tables (pte..pgd)\n",
	       (void *)mm, from, to, mm->nr_tables[PT_PTE], mm->nr_tables[PT_PMD],
	       mm->nr_tables[PT_PUD], mm->nr_tables[PT_P4D], mm->nr_tables[PT_PGD]);
	/* the last address, not the end: [0, 2^64) has no end on s390x */
	dump_table(mm, mm->pgd, mm->top_level, 0, from & mask, (to - 1) & mask,
		   0, &r);
}

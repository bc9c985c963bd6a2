#include "mm/memblock.h"
#include "lib/string.h"
#include <asm/page.h>

struct memblock memblock = { .alloc_limit = UINT64_MAX };

static void insert_at(struct memblock_type *t, unsigned i, uint64_t s,
		      uint64_t e)
{
	if (t->n == MEMBLOCK_MAX) {
		memblock.overflow = true;
		return;
	}
	memmove(&t->r[i + 1], &t->r[i], (t->n - i) * sizeof(t->r[0]));
	t->r[i].start = s;
	t->r[i].end = e;
	t->n++;
}

static void delete_at(struct memblock_type *t, unsigned i)
{
	memmove(&t->r[i], &t->r[i + 1], (t->n - i - 1) * sizeof(t->r[0]));
	t->n--;
}

void memblock_add(struct memblock_type *t, uint64_t start, uint64_t end,
		  bool round_in)
{
	unsigned i;

	if (round_in) {
		start = ALIGN_UP(start, PAGE_SIZE);
		end = ALIGN_DOWN(end, PAGE_SIZE);
	} else {
		start = ALIGN_DOWN(start, PAGE_SIZE);
		end = ALIGN_UP(end, PAGE_SIZE);
	}
	if (end <= start)
		return;
	for (i = 0; i < t->n && t->r[i].end < start; i++)
		;
	insert_at(t, i, start, end);
	/* merge with every neighbour it touches or overlaps */
	if (i > 0 && t->r[i - 1].end >= t->r[i].start)
		i--;
	while (i + 1 < t->n && t->r[i + 1].start <= t->r[i].end) {
		t->r[i].start = MIN(t->r[i].start, t->r[i + 1].start);
		t->r[i].end = MAX(t->r[i].end, t->r[i + 1].end);
		delete_at(t, i + 1);
	}
}

void memblock_remove(struct memblock_type *t, uint64_t start, uint64_t end)
{
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	for (unsigned i = 0; i < t->n;) {
		struct phys_range *r = &t->r[i];

		if (r->end <= start || r->start >= end) {
			i++;
		} else if (r->start >= start && r->end <= end) {
			delete_at(t, i);
		} else if (r->start < start && r->end > end) {
			uint64_t tail_end = r->end;

			r->end = start;
			insert_at(t, i + 1, end, tail_end);
			i += 2;
		} else if (r->start < start) {
			r->end = start;
			i++;
		} else {
			r->start = end;
			i++;
		}
	}
}

bool memblock_next_free(uint64_t *idx, struct phys_range *out)
{
	const struct memblock_type *res = &memblock.reserved;

	for (unsigned i = 0; i < memblock.ram.n; i++) {
		uint64_t cur = MAX(memblock.ram.r[i].start, *idx);
		uint64_t end = memblock.ram.r[i].end;
		unsigned j = 0;

		while (cur < end) {
			/* skip reservations that end before the cursor */
			while (j < res->n && res->r[j].end <= cur)
				j++;
			if (j < res->n && res->r[j].start <= cur) {
				cur = res->r[j].end;
				continue;
			}
			out->start = cur;
			out->end = j < res->n ? MIN(end, res->r[j].start) : end;
			*idx = out->end;
			return true;
		}
	}
	return false;
}

uint64_t memblock_alloc(uint64_t size, uint64_t align)
{
	struct phys_range r, best = { 0, 0 };
	uint64_t idx = 0, found = 0;

	size = ALIGN_UP(size, PAGE_SIZE);
	while (memblock_next_free(&idx, &r)) {
		uint64_t top = MIN(r.end, memblock.alloc_limit), cand;

		if (top < size || top <= r.start)
			continue;
		cand = ALIGN_DOWN(top - size, align);
		if (cand >= r.start && cand + size <= top) {
			best = r;
			found = cand;
		}
	}
	if (best.end == 0)
		return 0;
	memblock_add(&memblock.reserved, found, found + size, false);
	return found;
}

uint64_t memblock_total(const struct memblock_type *t)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < t->n; i++)
		sum += t->r[i].end - t->r[i].start;
	return sum;
}

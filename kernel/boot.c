#include "kernel/boot.h"

struct boot_info boot_info;

static void add_range(struct phys_range *r, unsigned *nr, bool *truncated,
		      uint64_t start, uint64_t end)
{
	if (end <= start)
		return;
	if (*nr == BOOT_MAX_RANGES) {
		*truncated = true;
		return;
	}
	r[*nr].start = start;
	r[*nr].end = end;
	(*nr)++;
}

void boot_add_ram(struct boot_info *bi, uint64_t start, uint64_t end)
{
	add_range(bi->ram, &bi->nr_ram, &bi->truncated, start, end);
}

void boot_add_reserved(struct boot_info *bi, uint64_t start, uint64_t end)
{
	add_range(bi->reserved, &bi->nr_reserved, &bi->truncated, start, end);
}

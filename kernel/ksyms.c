/*
 * Symbol lookup over the table linker/ksyms.sh generates: addresses sorted
 * ascending, names as offsets into one string blob.
 */
#include "kernel/ksyms.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

extern const unsigned long ksym_addrs[];
extern const unsigned int ksym_name_offs[];
extern const char ksym_names[];
extern const unsigned long ksym_count;
extern char __text_start[], __text_end[];

const char *ksym_lookup(unsigned long addr, unsigned long *offset)
{
	unsigned long lo = 0, hi = ksym_count;

	if (addr < (unsigned long)__text_start ||
	    addr >= (unsigned long)__text_end || ksym_count == 0)
		return NULL;
	/* last symbol whose address is <= addr */
	while (hi - lo > 1) {
		unsigned long mid = (lo + hi) / 2;

		if (ksym_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksym_addrs[lo] > addr)
		return NULL;
	if (offset)
		*offset = addr - ksym_addrs[lo];
	return ksym_names + ksym_name_offs[lo];
}

unsigned long ksym_address(const char *name)
{
	for (unsigned long i = 0; i < ksym_count; i++)
		if (!strcmp(ksym_names + ksym_name_offs[i], name))
			return ksym_addrs[i];
	return 0;
}

static void format(char *buf, size_t size, unsigned long addr,
		   const char *name, unsigned long off)
{
	if (name)
		snprintf(buf, size, "%s+0x%lx", name, off);
	else
		snprintf(buf, size, "0x%lx", addr);
}

void ksym_format(char *buf, size_t size, unsigned long addr)
{
	unsigned long off = 0;
	const char *name = ksym_lookup(addr, &off);

	format(buf, size, addr, name, off);
}

const char *ksym_lookup_return(unsigned long addr, unsigned long *offset)
{
	unsigned long off = 0;
	const char *name = addr ? ksym_lookup(addr - 1, &off) : NULL;

	if (name && offset)
		*offset = off + 1;
	return name;
}

void ksym_format_return(char *buf, size_t size, unsigned long addr)
{
	unsigned long off = 0;
	const char *name = ksym_lookup_return(addr, &off);

	format(buf, size, addr, name, off);
}

/*
 * Just enough ACPI to find the CPUs: RSDP -> XSDT (or RSDT) -> MADT.
 * Firmware tables are input: every length and checksum is checked before a
 * byte past the header is trusted.
 */
#include "arch/x86_64/acpi.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/page.h"
#include <asm/page.h>

struct rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;      /* revision >= 2 */
	uint64_t xsdt;
	uint8_t xchecksum;
	uint8_t reserved[3];
} __packed;

struct sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_rev;
	uint32_t creator;
	uint32_t creator_rev;
} __packed;

#define MAX_TABLE_LEN (1u << 20)

static uint8_t sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static const struct sdt_header *check_table(uint64_t pa, const char *want)
{
	const struct sdt_header *h;

	/* the direct map covers the low 4 GiB and all RAM */
	if (!pa || (pa >= (1ull << 32) && !pfn_valid(pa >> PAGE_SHIFT))) {
		printk("acpi: %s at %#llx is out of reach\n", want,
		       (unsigned long long)pa);
		return NULL;
	}
	h = phys_to_virt(pa);
	if (memcmp(h->sig, want, 4)) {
		printk("acpi: expected %s at %#llx, found '%.4s'\n", want,
		       (unsigned long long)pa, h->sig);
		return NULL;
	}
	if (h->length < sizeof(*h) || h->length > MAX_TABLE_LEN) {
		printk("acpi: %s has a bad length %u\n", want, h->length);
		return NULL;
	}
	if (sum(h, h->length)) {
		printk("acpi: %s checksum is wrong\n", want);
		return NULL;
	}
	return h;
}

/* Find the MADT through the XSDT (8-byte entries) or RSDT (4-byte). */
static const struct sdt_header *find_madt(const struct rsdp *r)
{
	const struct sdt_header *root;
	unsigned entry_size;

	if (r->revision >= 2 && r->xsdt) {
		if (r->length < sizeof(*r) || r->length > 4096 ||
		    sum(r, r->length)) {
			printk("acpi: RSDP extended checksum or length is wrong\n");
			return NULL;
		}
		root = check_table(r->xsdt, "XSDT");
		entry_size = 8;
	} else {
		root = check_table(r->rsdt, "RSDT");
		entry_size = 4;
	}
	if (!root)
		return NULL;
	for (uint32_t off = sizeof(*root); off + entry_size <= root->length;
	     off += entry_size) {
		const uint8_t *e = (const uint8_t *)root + off;
		uint64_t pa = 0;
		const struct sdt_header *h;

		memcpy(&pa, e, entry_size);
		if (!pa || (pa >= (1ull << 32) && !pfn_valid(pa >> PAGE_SHIFT)))
			continue;
		h = phys_to_virt(pa);
		if (!memcmp(h->sig, "APIC", 4))
			return check_table(pa, "APIC");
	}
	printk("acpi: no MADT in the root table\n");
	return NULL;
}

int acpi_madt_cpus(const void *rsdp, unsigned *ids, unsigned max,
		   uint64_t *lapic_pa)
{
	const struct rsdp *r = rsdp;
	const struct sdt_header *madt;
	const uint8_t *p, *end;
	unsigned n = 0;

	if (memcmp(r->sig, "RSD PTR ", 8) || sum(r, 20)) {
		printk("acpi: RSDP signature or checksum is wrong\n");
		return -EINVAL;
	}
	madt = find_madt(r);
	if (!madt)
		return -EINVAL;
	if (madt->length < sizeof(*madt) + 8) {
		printk("acpi: MADT too short\n");
		return -EINVAL;
	}
	*lapic_pa = *(const uint32_t *)((const uint8_t *)madt + sizeof(*madt));
	p = (const uint8_t *)madt + sizeof(*madt) + 8;
	end = (const uint8_t *)madt + madt->length;
	while (p + 2 <= end) {
		uint8_t type = p[0], len = p[1];

		if (len < 2 || p + len > end) {
			printk("acpi: MADT entry of length %u at offset %u overruns the table\n",
			       len, (unsigned)(p - (const uint8_t *)madt));
			return -EINVAL;
		}
		/* type 0: processor local APIC; flags bit 0 = enabled */
		if (type == 0 && len >= 8 && (p[4] & 1)) {
			if (n == max) {
				printk("acpi: more than %u CPUs; the rest stay off\n", max);
				break;
			}
			ids[n++] = p[3];
		} else if (type == 5 && len >= 12) {
			memcpy(lapic_pa, p + 4, 8); /* 64-bit APIC address override */
		}
		p += len;
	}
	if (n == 0) {
		printk("acpi: MADT lists no enabled CPU\n");
		return -EINVAL;
	}
	return (int)n;
}

uint64_t acpi_find_rsdp(void)
{
	/* the first KiB of the EBDA, then the BIOS ROM area */
	uint64_t ebda = (uint64_t)*(const uint16_t *)phys_to_virt(0x40e) << 4;
	const uint64_t areas[2][2] = { { ebda, ebda + 1024 },
				       { 0xe0000, 0x100000 } };

	for (unsigned a = 0; a < 2; a++)
		for (uint64_t pa = areas[a][0]; pa + 20 <= areas[a][1]; pa += 16)
			if (!memcmp(phys_to_virt(pa), "RSD PTR ", 8) &&
			    !sum(phys_to_virt(pa), 20))
				return pa;
	return 0;
}

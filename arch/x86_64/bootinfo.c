/*
 * What the loader hands over: multiboot2 tags (GRUB) or the PVH
 * hvm_start_info (QEMU -kernel).  Both are read through the early direct
 * map of the first 4 GiB, before anything can reuse their memory.
 */
#include "arch/x86_64/bootinfo.h"
#include "kernel/boot.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include <asm/cpu.h>

#define MB2_BOOT_MAGIC 0x36d76289
#define PVH_MAGIC      0x336ec578

enum { E820_RAM = 1 };

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_mmap_entry {
	uint64_t addr, len;
	uint32_t type, reserved;
};

struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct pvh_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

extern char __kernel_phys_start[];

static void copy_cmdline(struct boot_info *bi, const char *s)
{
	if (strlcpy(bi->cmdline, s, sizeof(bi->cmdline)) >= sizeof(bi->cmdline))
		printk("boot: command line longer than %zu bytes truncated\n",
		       sizeof(bi->cmdline) - 1);
}

static void parse_multiboot2(struct boot_info *bi, uint64_t pa)
{
	const uint8_t *base = phys_to_virt(pa);
	uint32_t total = *(const uint32_t *)base;

	bi->loader = "multiboot2";
	/* GRUB puts its info just past the kernel: keep it out of the pool */
	boot_add_reserved(bi, pa, pa + total);
	for (uint32_t off = 8; off + 8 <= total;) {
		const struct mb2_tag *tag = (const void *)(base + off);

		if (tag->type == 0 || tag->size < 8)
			break;
		if (tag->type == 1) {
			copy_cmdline(bi, (const char *)(tag + 1));
		} else if (tag->type == 6) {
			const uint32_t *hdr = (const uint32_t *)(tag + 1);
			uint32_t esize = hdr[0];
			const uint8_t *e = (const uint8_t *)(hdr + 2);
			const uint8_t *end = (const uint8_t *)tag + tag->size;

			for (; esize && e + esize <= end; e += esize) {
				const struct mb2_mmap_entry *m = (const void *)e;

				if (m->type == E820_RAM)
					boot_add_ram(bi, m->addr, m->addr + m->len);
			}
		} else if ((tag->type == 14 || tag->type == 15) && !bi->acpi_rsdp) {
			bi->acpi_rsdp = pa + off + 8;
		}
		off += ALIGN_UP(tag->size, 8u);
	}
}

static void parse_pvh(struct boot_info *bi, uint64_t pa)
{
	const struct pvh_start_info *si = phys_to_virt(pa);

	bi->loader = "pvh";
	if (si->magic != PVH_MAGIC) {
		printk("boot: PVH start info has bad magic %#x\n", si->magic);
		return;
	}
	if (si->cmdline_paddr)
		copy_cmdline(bi, phys_to_virt(si->cmdline_paddr));
	bi->acpi_rsdp = si->rsdp_paddr;
	if (si->version < 1 || !si->memmap_paddr) {
		printk("boot: PVH start info v%u has no memory map\n",
		       si->version);
		return;
	}
	const struct pvh_memmap_entry *m = phys_to_virt(si->memmap_paddr);

	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (m[i].type == E820_RAM)
			boot_add_ram(bi, m[i].addr, m[i].addr + m[i].size);
}

void x86_parse_boot_info(struct boot_info *bi, unsigned long magic,
			 unsigned long info)
{
	if (magic == MB2_BOOT_MAGIC)
		parse_multiboot2(bi, info);
	else if (magic == PVH_MAGIC)
		parse_pvh(bi, info);
	else
		bi->loader = "unknown loader";
	/* BIOS data, EBDA, option ROMs, and later the AP trampoline */
	boot_add_reserved(bi, 0, 0x100000);
	boot_add_reserved(bi, (uint64_t)(uintptr_t)__kernel_phys_start,
			  virt_to_phys(__kernel_end));
}

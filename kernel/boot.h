/* What the loader told us, in a form both architectures share. */
#ifndef PTLAB_BOOT_H
#define PTLAB_BOOT_H

#include "kernel/compiler.h"

#define CMDLINE_MAX      1024
#define BOOT_MAX_RANGES  64

struct phys_range {
	uint64_t start; /* inclusive */
	uint64_t end;   /* exclusive */
};

struct boot_info {
	const char *loader;            /* "multiboot2", "pvh", "qemu", ... */
	char cmdline[CMDLINE_MAX];
	struct phys_range ram[BOOT_MAX_RANGES];
	unsigned nr_ram;
	/* ranges inside RAM that must never be handed out (image, boot data) */
	struct phys_range reserved[BOOT_MAX_RANGES];
	unsigned nr_reserved;
	uint64_t acpi_rsdp;            /* x86-64: physical address, 0 if none */
	bool truncated;                /* more ranges than fitted */
};

extern struct boot_info boot_info;

/* Record a range; sets bi->truncated instead of overflowing. */
void boot_add_ram(struct boot_info *bi, uint64_t start, uint64_t end);
void boot_add_reserved(struct boot_info *bi, uint64_t start, uint64_t end);

/* Kernel image bounds from the linker script (virtual addresses). */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[];

#endif

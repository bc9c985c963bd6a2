#ifndef PTLAB_X86_ACPI_H
#define PTLAB_X86_ACPI_H

#include "kernel/compiler.h"

/*
 * Find the local APICs in the MADT reached from the RSDP at @rsdp (a
 * kernel virtual address).  Every table's signature, length and checksum
 * is checked; enabled APIC IDs go to @ids (up to @max).  Returns the count,
 * or a negative errno with the reason printed.
 */
int acpi_madt_cpus(const void *rsdp, unsigned *ids, unsigned max,
		   uint64_t *lapic_pa);

/* Search the BIOS areas for an RSDP; physical address or 0. */
uint64_t acpi_find_rsdp(void);

#endif

/* x86-64 CPU discovery (ACPI MADT) and INIT-SIPI-SIPI start-up. */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/desc.h"
#include "arch/x86_64/mmu.h"
#include "mm/mm.h"
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include <asm/cpu.h>

#define TRAMPOLINE_PA 0x8000

extern const char trampoline_start[], trampoline_end[];
extern uint64_t tramp_cr3, tramp_stack, tramp_percpu, tramp_entry;
extern uint32_t tramp_cr4_extra;
extern char ap_entry64[];

unsigned arch_smp_detect(unsigned *ids, unsigned max)
{
	uint64_t rsdp = boot_info.acpi_rsdp, lapic_pa = 0xfee00000;
	unsigned boot_id = lapic_id(), n;
	int found;

	lapic_init_cpu();
	if (!rsdp)
		rsdp = acpi_find_rsdp();
	if (!rsdp) {
		printk("smp: no ACPI RSDP; running on one CPU\n");
		ids[0] = boot_id;
		return 1;
	}
	found = acpi_madt_cpus(phys_to_virt(rsdp), ids, max, &lapic_pa);
	if (found <= 0) {
		printk("smp: the ACPI tables do not check out; running on one CPU\n");
		ids[0] = boot_id;
		return 1;
	}
	n = (unsigned)found;
	/* the boot CPU first, the others in MADT order */
	for (unsigned i = 0; i < n; i++)
		if (ids[i] == boot_id) {
			ids[i] = ids[0];
			ids[0] = boot_id;
			break;
		}
	lapic_set_base(lapic_pa);
	return n;
}

void ap_start(struct percpu *pc);
void ap_start(struct percpu *pc)
{
	switch_mm(NULL);  /* leave the trampoline's identity map */
	x86_load_gdt(pc->cpu);
	x86_idt_load();
	lapic_init_cpu();
	secondary_cpu_main();
}

int arch_cpu_start(struct percpu *pc, unsigned long stack_top)
{
	uint8_t *tramp = phys_to_virt(TRAMPOLINE_PA);
	size_t len = (size_t)(trampoline_end - trampoline_start);

	memcpy(tramp, trampoline_start, len);
	*(uint64_t *)(tramp + ((char *)&tramp_cr3 - trampoline_start)) = x86_trampoline_cr3;
	*(uint32_t *)(tramp + ((char *)&tramp_cr4_extra - trampoline_start)) =
		(uint32_t)(read_cr4() & X86_CR4_LA57);
	*(uint64_t *)(tramp + ((char *)&tramp_stack - trampoline_start)) = stack_top;
	*(uint64_t *)(tramp + ((char *)&tramp_percpu - trampoline_start)) = (uint64_t)(uintptr_t)pc;
	*(uint64_t *)(tramp + ((char *)&tramp_entry - trampoline_start)) = (uint64_t)(uintptr_t)ap_entry64;

	lapic_send(pc->hw_id, 0x4500);                 /* INIT, assert */
	udelay(10000);
	for (int i = 0; i < 2 && !__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE); i++) {
		lapic_send(pc->hw_id, 0x4600 | (TRAMPOLINE_PA >> 12)); /* SIPI */
		udelay(200);
	}
	return 0;
}

/*
 * INIT puts the CPU back into wait-for-SIPI whatever it was doing; only a
 * SIPI to its own APIC ID wakes it, and bring-up sends none again.
 */
int arch_cpu_park(struct percpu *pc)
{
	lapic_send(pc->hw_id, 0x4500);                 /* INIT, assert */
	udelay(10000);
	return 0;
}

/* x86-64 bring-up of the boot CPU and the end of a run. */
#include "arch/x86_64/bootinfo.h"
#include "arch/x86_64/desc.h"
#include "arch/x86_64/serial.h"
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include <asm/cpu.h>
#include <asm/pgtable.h>
#include <asm/irq.h>

const char arch_name[] = "x86_64";

extern char boot_stack_top[];

static uint64_t tsc_hz;

/*
 * The legacy PIC would deliver the PIT's IRQ0 on vector 8 (a "double
 * fault"): move it out of the exception range, then mask every line.
 */
static void pic_disable(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* TSC rate from PIT channel 2 counting down 10 ms (gate via port 0x61). */
static uint64_t calibrate_tsc(void)
{
	const unsigned pit_hz = 1193182, ms = 10;
	unsigned count = pit_hz * ms / 1000;
	uint8_t gate = inb(0x61);
	uint64_t t0, t1;

	outb(0x61, (gate & ~0x02) | 0x01);  /* speaker off, gate on */
	outb(0x43, 0xb0);                   /* ch2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	for (unsigned long i = 0; !(inb(0x61) & 0x20); i++)
		if (i > 100000000ul)
			return 0; /* no PIT: leave the rate unknown */
	t1 = rdtsc();
	outb(0x61, gate);
	return (t1 - t0) * (1000 / ms);
}

void arch_early_init(unsigned long magic, unsigned long info,
		     struct boot_info *bi)
{
	struct percpu *boot_cpu = &percpu_areas[0];

	x86_la57 = read_cr4() & X86_CR4_LA57;   /* head.S chose */
	boot_cpu->self = boot_cpu;
	boot_cpu->cpu = 0;
	boot_cpu->stack_top = (unsigned long)boot_stack_top;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)boot_cpu);

	x86_load_gdt(0);
	x86_idt_build();
	x86_idt_load();
	pic_disable();
	serial_init();
	x86_parse_boot_info(bi, magic, info);
	tsc_hz = calibrate_tsc();
}

void arch_console_write(const char *s, size_t n)
{
	serial_write(s, n);
}

__noreturn void arch_end_run(enum run_status status)
{
	local_irq_disable();
	/* QEMU's isa-debug-exit: the emulator exits with (status << 1) | 1 */
	outb(0xf4, (uint8_t)status);
	printk("ptlab: no isa-debug-exit device at port 0xf4; halting\n");
	for (;;)
		__asm__ __volatile__("hlt");
}

void arch_cpu_idle(void)
{
	unsigned long flags = local_save_flags();

	/* sti's one-instruction shadow makes "sti; hlt" race-free */
	__asm__ __volatile__("sti; hlt" ::: "memory");
	if (!(flags & X86_EFLAGS_IF))
		local_irq_disable();
}

uint64_t arch_clock(void)
{
	return rdtsc();
}

uint64_t arch_clock_hz(void)
{
	return tsc_hz;
}

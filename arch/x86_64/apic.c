/* The local APIC (xAPIC, MMIO; TCG has no x2APIC): IPIs, EOI, the tick. */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/desc.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include <asm/cpu.h>
#include <asm/irq.h>

enum {
	LAPIC_ID = 0x20, LAPIC_TPR = 0x80, LAPIC_EOI = 0xb0, LAPIC_SVR = 0xf0,
	LAPIC_ESR = 0x280, LAPIC_ICR_LO = 0x300, LAPIC_ICR_HI = 0x310,
	LAPIC_LVT_TIMER = 0x320, LAPIC_LVT_LINT0 = 0x350,
	LAPIC_LVT_LINT1 = 0x360, LAPIC_LVT_ERROR = 0x370,
	LAPIC_TIMER_INIT = 0x380, LAPIC_TIMER_CUR = 0x390,
	LAPIC_TIMER_DIV = 0x3e0,
};
#define ICR_PENDING    (1u << 12)
#define LVT_MASKED     (1u << 16)
#define TIMER_PERIODIC (1u << 17)

static volatile uint8_t *lapic = (volatile uint8_t *)(DIRECT_MAP_BASE + 0xfee00000ul);
static uint32_t timer_ticks_per_hz;

static uint32_t rd(unsigned reg)
{
	return *(volatile uint32_t *)(lapic + reg);
}

static void wr(unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(lapic + reg) = v;
}

void lapic_set_base(uint64_t pa)
{
	lapic = phys_to_virt(pa);
}

unsigned lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

void lapic_send(unsigned apic_id, uint32_t low)
{
	unsigned long flags = local_irq_save();

	while (rd(LAPIC_ICR_LO) & ICR_PENDING)
		cpu_relax();
	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, low);
	local_irq_restore(flags);
}

static void on_ipi_call(struct pt_regs *regs)
{
	lapic_eoi();
	smp_handle_ipi(IPI_CALL);
}

static void on_ipi_wake(struct pt_regs *regs)
{
	lapic_eoi();
	smp_handle_ipi(IPI_WAKE);
}

static void on_timer(struct pt_regs *regs)
{
	lapic_eoi();
	smp_tick(regs->rip);
}

/*
 * An interrupt the LAPIC withdrew before the CPU took it: the SDM (vol. 3,
 * "Spurious Interrupt") says it sets no in-service bit, so no EOI -- one
 * here would retire a real interrupt still in service.  Counted, since
 * many of them would mean a flaky interrupt source.
 */
static void on_spurious(struct pt_regs *regs)
{
	cpu_stats(smp_processor_id())->spurious++;
}

void lapic_init_cpu(void)
{
	x86_set_irq_handler(VEC_IPI_CALL, on_ipi_call);
	x86_set_irq_handler(VEC_IPI_WAKE, on_ipi_wake);
	x86_set_irq_handler(VEC_TIMER, on_timer);
	x86_set_irq_handler(VEC_SPURIOUS, on_spurious);
	wr(LAPIC_TPR, 0);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_LINT1, LVT_MASKED);
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_SVR, 0x100 | VEC_SPURIOUS);   /* software enable */
	wr(LAPIC_ESR, 0);
	wr(LAPIC_ESR, 0);
}

void arch_send_ipi(const struct percpu *pc, unsigned kind)
{
	lapic_send(pc->hw_id, kind == IPI_CALL ? VEC_IPI_CALL : VEC_IPI_WAKE);
}

/* Timer counts at bus clock / 16: measure it against the TSC once. */
static uint32_t calibrate_timer(void)
{
	uint64_t hz = arch_clock_hz(), t0;
	uint32_t start = 0xffffffffu;

	if (!hz)
		return 0;
	wr(LAPIC_TIMER_DIV, 0x3);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	wr(LAPIC_TIMER_INIT, start);
	t0 = arch_clock();
	while (arch_clock() - t0 < hz / 100)  /* 10 ms */
		cpu_relax();
	return (start - rd(LAPIC_TIMER_CUR)) * 100 / TICK_HZ;
}

static bool tick_on = true;

KERNEL_PARAM_BOOL("tick", tick_on, "0|1: periodic local APIC tick (default 1)");

void arch_tick_start(void)
{
	if (!tick_on)
		return;
	if (!timer_ticks_per_hz)
		timer_ticks_per_hz = calibrate_timer();
	if (!timer_ticks_per_hz) {
		printk("apic: timer not calibrated; no tick on CPU %u\n",
		       smp_processor_id());
		return;
	}
	wr(LAPIC_TIMER_DIV, 0x3);
	wr(LAPIC_LVT_TIMER, VEC_TIMER | TIMER_PERIODIC);
	wr(LAPIC_TIMER_INIT, timer_ticks_per_hz);
}

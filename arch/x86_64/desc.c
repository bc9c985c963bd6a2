/* Descriptor tables: a GDT and TSS per CPU, one IDT for all. */
#include "arch/x86_64/desc.h"
#include "kernel/percpu.h"
#include <asm/ptrace.h>

#define IST_STACK_SIZE 8192

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct gdt {
	uint64_t null, code, data;
	uint64_t tss_lo, tss_hi;
} __aligned(16);

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t reserved;
} __packed;

static struct gdt gdts[MAX_CPUS];
static struct tss tsses[MAX_CPUS];
/* One emergency stack per CPU for #DF, NMI and #MC: a kernel stack
 * overflow ends in a readable report instead of a silent triple fault. */
static uint8_t ist_stacks[MAX_CPUS][IST_STACK_SIZE] __aligned(16);
static struct idt_gate idt[256] __aligned(16);

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

void x86_load_gdt(unsigned cpu)
{
	struct gdt *g = &gdts[cpu];
	struct tss *t = &tsses[cpu];
	uint64_t base = (uint64_t)(uintptr_t)t, limit = sizeof(*t) - 1;
	struct desc_ptr p = { sizeof(*g) - 1, (uint64_t)(uintptr_t)g };

	t->ist[0] = (uint64_t)(uintptr_t)&ist_stacks[cpu][IST_STACK_SIZE];
	t->iomap_base = sizeof(*t);
	g->null = 0;
	g->code = 0x00af9a000000ffffull;
	g->data = 0x00cf92000000ffffull;
	/* 64-bit available TSS (type 9), present */
	g->tss_lo = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		    (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
		    (((base >> 24) & 0xff) << 56);
	g->tss_hi = base >> 32;

	__asm__ __volatile__(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"ltr %w3\n\t"
		: : "m"(p), "i"(KERNEL_CS), "i"(KERNEL_DS), "r"(TSS_SEL)
		: "rax", "memory");
}

extern char trap_stubs[];

void x86_idt_build(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t h = (uint64_t)(uintptr_t)(trap_stubs + 16 * v);
		struct idt_gate *g = &idt[v];

		g->off0 = h & 0xffff;
		g->sel = KERNEL_CS;
		g->ist = (v == 2 || v == 8 || v == 18) ? 1 : 0;
		g->type = 0x8e; /* present, DPL 0, interrupt gate */
		g->off1 = (h >> 16) & 0xffff;
		g->off2 = h >> 32;
		g->reserved = 0;
	}
}

void x86_idt_load(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ __volatile__("lidt %0" : : "m"(p));
}

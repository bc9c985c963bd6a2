/* GDT, TSS and IDT: x86-64 descriptor tables. */
#ifndef PTLAB_X86_DESC_H
#define PTLAB_X86_DESC_H

#include "kernel/compiler.h"
#include <asm/ptrace.h>

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define TSS_SEL   0x18

/* Load this CPU's GDT and TSS (IST stack for #DF, NMI and #MC). */
void x86_load_gdt(unsigned cpu);
/* Build the shared IDT once, on the boot CPU. */
void x86_idt_build(void);
/* Load the shared IDT on this CPU. */
void x86_idt_load(void);

typedef void (*irq_handler_t)(struct pt_regs *regs);
/* Route vector @vec (>= 32) to @fn. */
void x86_set_irq_handler(unsigned vec, irq_handler_t fn);

#endif

/* Hosted shim: there are no interrupts, so the flag is a no-op. */
#ifndef PTLAB_HOSTED_ASM_IRQ_H
#define PTLAB_HOSTED_ASM_IRQ_H

#include <stdbool.h>
#include <asm/cpu.h>

static inline unsigned long local_irq_save(void) { return 0; }
static inline void local_irq_restore(unsigned long f) { (void)f; }
static inline void local_irq_enable(void) {}
static inline void local_irq_disable(void) {}
static inline bool irqs_disabled(void) { return false; }

#endif

#ifndef PTLAB_X86_APIC_H
#define PTLAB_X86_APIC_H

#include "kernel/compiler.h"

#define VEC_TIMER    0xef
#define VEC_IPI_CALL 0xf0
#define VEC_IPI_WAKE 0xf1
#define VEC_SPURIOUS 0xff

void lapic_set_base(uint64_t pa);
/* Enable this CPU's local APIC and route our vectors. */
void lapic_init_cpu(void);
unsigned lapic_id(void);
void lapic_eoi(void);
/* ICR: @apic_id gets @low (vector | delivery mode | level ...). */
void lapic_send(unsigned apic_id, uint32_t low);

#endif

/*
 * Local interrupt flag: the external and I/O mask bits of the PSW's
 * system-mask byte.  The flags word is that byte as stnsm stored it.
 */
#ifndef PTLAB_ASM_IRQ_H
#define PTLAB_ASM_IRQ_H

#include <stdbool.h>
#include <asm/cpu.h>

#define PSW_SYSMASK_IO  0x02
#define PSW_SYSMASK_EXT 0x01

static inline unsigned long local_save_flags(void)
{
	unsigned char mask;

	/* "or nothing in": stores the system mask, changes nothing */
	__asm__ __volatile__("stosm %0,0" : "=Q"(mask) : : "memory");
	return mask;
}

static inline void local_irq_enable(void)
{
	unsigned char old;

	__asm__ __volatile__("stosm %0,%1" : "=Q"(old)
			     : "i"(PSW_SYSMASK_IO | PSW_SYSMASK_EXT) : "memory");
}

static inline void local_irq_disable(void)
{
	unsigned char old;

	__asm__ __volatile__("stnsm %0,%1" : "=Q"(old)
			     : "i"(0xff & ~(PSW_SYSMASK_IO | PSW_SYSMASK_EXT))
			     : "memory");
}

static inline unsigned long local_irq_save(void)
{
	unsigned char old;

	__asm__ __volatile__("stnsm %0,%1" : "=Q"(old)
			     : "i"(0xff & ~(PSW_SYSMASK_IO | PSW_SYSMASK_EXT))
			     : "memory");
	return old;
}

static inline void local_irq_restore(unsigned long flags)
{
	unsigned char mask = (unsigned char)flags;

	__asm__ __volatile__("ssm %0" : : "Q"(mask) : "memory");
}

static inline bool irqs_disabled(void)
{
	return !(local_save_flags() & PSW_SYSMASK_EXT);
}

#endif

/* What the s390x arch files share among themselves. */
#ifndef PTLAB_S390X_S390X_H
#define PTLAB_S390X_S390X_H

#include "kernel/compiler.h"
#include <asm/pgtable.h>
#include <asm/ptrace.h>

/* kmain's magic from boot/s390x/head.S: 0x5339000n, n = how we came in */
#define BOOT_MAGIC_HIGH   0x5339
#define BOOT_ENTRY_ZARCH  1     /* already in z/Architecture: QEMU */
#define BOOT_ENTRY_ESA    2     /* switched from ESA/390: Hercules IPL */

/*
 * Wait with @int_mask (PSW_MASK_EXT and/or PSW_MASK_IO) enabled until an
 * interruption has been handled, then return with the PSW system mask as
 * it was.  Interruptions end the wait by clearing the wait bit of the old
 * PSW (s390_leave_wait).
 */
void s390_enabled_wait(unsigned long int_mask);

static inline void s390_leave_wait(struct pt_regs *regs)
{
	regs->psw_mask &= ~PSW_MASK_WAIT;
}

/* The new PSWs head.S and smp.c put in a lowcore (entry.S). */
extern const struct psw_pair { unsigned long mask, addr; } s390_new_psws[6];

/* SIGP stop @addr and wait (bounded) for SIGP sense to say it stopped:
 * true if it did (or is not operational). */
bool s390_stop_cpu(uint16_t addr);

/* Handlers for external interruptions other than the SCLP's. */
void s390_tick_interrupt(unsigned long interrupted_ip);
void s390_ipi_interrupt(void);

/* DAT (arch/s390x/mmu.c). */
bool s390_facility(unsigned nr);      /* STFLE bit @nr (after paging) */
struct mm;
uint64_t s390_asce(const struct mm *mm);
void s390_dat_enable_cpu(void);       /* CR0/CR1/CR7/CR13, DAT on, new PSWs */

/* Entry of a secondary CPU (entry.S), reached through its restart PSW. */
void s390_secondary_entry(void);

#endif

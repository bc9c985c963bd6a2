/*
 * The register frame the interruption entries (entry.S) build on the
 * stack: all general registers, the old PSW and what the lowcore said
 * about the interruption.  Offsets are shared with the assembly.
 */
#ifndef PTLAB_ASM_PTRACE_H
#define PTLAB_ASM_PTRACE_H

#define PT_GPRS       0
#define PT_PSW_MASK   128
#define PT_PSW_ADDR   136
#define PT_CLASS      144   /* INT_* of asm/lowcore.h + 1; 0: arch_save_regs */
#define PT_ILC        148
#define PT_INT_CODE   150
#define PT_INT_PARM   152
#define PT_CPU_ADDR   156
#define PT_TEID       160
#define PT_SIZE       168

/* the standard s390x frame: back chain, register save area (r14 at 112) */
#define STACK_FRAME_OVERHEAD 160
#define STACK_FRAME_R14      112

/* PSW mask bits (z/Architecture, 64-bit PSW) */
#define PSW_MASK_PER   0x4000000000000000ul
#define PSW_MASK_DAT   0x0400000000000000ul
#define PSW_MASK_IO    0x0200000000000000ul
#define PSW_MASK_EXT   0x0100000000000000ul
#define PSW_MASK_MCHK  0x0004000000000000ul
#define PSW_MASK_WAIT  0x0002000000000000ul
#define PSW_MASK_PSTATE 0x0001000000000000ul
#define PSW_MASK_EA    0x0000000100000000ul
#define PSW_MASK_BA    0x0000000080000000ul
#define PSW_KERNEL     (PSW_MASK_EA | PSW_MASK_BA)  /* 64-bit, all off */

#ifndef __ASSEMBLY__
#include <stdint.h>

struct pt_regs {
	unsigned long gprs[16];
	unsigned long psw_mask;
	unsigned long psw_addr;
	uint32_t int_class;   /* 1 + INT_*, 0 when filled by arch_save_regs */
	uint16_t ilc;         /* program/SVC: ILC halfword, bytes = ilc & 6 */
	uint16_t int_code;    /* program, SVC or external interruption code */
	uint32_t int_parm;    /* external: parameter; I/O: interruption parm */
	uint16_t cpu_addr;    /* external: signalling CPU; I/O: low subch. id */
	uint16_t pad;
	uint64_t teid;        /* program: translation-exception id;
				 machine check: interruption code */
};

_Static_assert(sizeof(struct pt_regs) == PT_SIZE, "pt_regs layout");
_Static_assert(__builtin_offsetof(struct pt_regs, psw_mask) == PT_PSW_MASK,
	       "pt_regs layout");
_Static_assert(__builtin_offsetof(struct pt_regs, int_class) == PT_CLASS,
	       "pt_regs layout");
_Static_assert(__builtin_offsetof(struct pt_regs, ilc) == PT_ILC,
	       "pt_regs layout");
_Static_assert(__builtin_offsetof(struct pt_regs, int_parm) == PT_INT_PARM,
	       "pt_regs layout");
_Static_assert(__builtin_offsetof(struct pt_regs, cpu_addr) == PT_CPU_ADDR,
	       "pt_regs layout");
_Static_assert(__builtin_offsetof(struct pt_regs, teid) == PT_TEID,
	       "pt_regs layout");

static inline unsigned long instruction_pointer(const struct pt_regs *r)
{
	return r->psw_addr;
}

#endif /* __ASSEMBLY__ */
#endif

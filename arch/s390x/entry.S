/*
 * Interruption entries.  Each class has its own lowcore register save
 * area and return-PSW slot (asm/lowcore.h); the new PSWs keep external,
 * I/O and machine-check interruptions off, so an entry runs to the C
 * handler and back without being interrupted except by a program check
 * (which uses other slots).  We are always in supervisor state on one
 * kernel stack per CPU: the frame goes below the interrupted r15.
 *
 *   stack: [160-byte frame, back chain 0][struct pt_regs][interrupted...]
 *
 * The C handler may change the pt_regs (a fixup's new PSW address, the
 * wait bit cleared); the exit loads registers and PSW from it.
 */
#include <asm/lowcore.h>
#include <asm/ptrace.h>

#define FRAME (STACK_FRAME_OVERHEAD + PT_SIZE)
#define REGS(off) (STACK_FRAME_OVERHEAD + (off))

.macro INT_ENTRY name, cls, oldpsw, handler
	.globl \name
	.type \name, @function
\name:
	stmg	%r0,%r15,LC_SAVE_AREA(\cls)
	aghi	%r15,-FRAME
	mvc	REGS(PT_GPRS)(128,%r15),LC_SAVE_AREA(\cls)
	mvc	REGS(PT_PSW_MASK)(16,%r15),\oldpsw
	xc	REGS(PT_CLASS)(PT_SIZE-PT_CLASS,%r15),REGS(PT_CLASS)(%r15)
	mvi	REGS(PT_CLASS)+3(%r15),\cls + 1
	xc	0(8,%r15),0(%r15)               /* back chain: end of chain */
	.if \cls == INT_PGM
	mvc	REGS(PT_ILC)(4,%r15),LC_PGM_ILC /* ILC + interruption code */
	mvc	REGS(PT_TEID)(8,%r15),LC_TRANS_EXC_ID
	.elseif \cls == INT_EXT
	mvc	REGS(PT_INT_PARM)(4,%r15),LC_EXT_PARAM
	mvc	REGS(PT_CPU_ADDR)(2,%r15),LC_EXT_CPU_ADDR
	mvc	REGS(PT_INT_CODE)(2,%r15),LC_EXT_INT_CODE
	.elseif \cls == INT_SVC
	mvc	REGS(PT_ILC)(4,%r15),LC_SVC_ILC
	.elseif \cls == INT_IO
	mvc	REGS(PT_INT_PARM)(4,%r15),LC_IO_SUBCHANNEL+4
	mvc	REGS(PT_CPU_ADDR)(2,%r15),LC_IO_SUBCHANNEL+2
	.elseif \cls == INT_MCCK
	mvc	REGS(PT_TEID)(8,%r15),LC_MCCK_CODE
	.endif
	la	%r2,REGS(0)(%r15)
	brasl	%r14,\handler
	mvc	LC_RETURN_PSW(\cls)(16),REGS(PT_PSW_MASK)(%r15)
	lmg	%r0,%r15,REGS(PT_GPRS)(%r15)
	lpswe	LC_RETURN_PSW(\cls)
	.size \name, . - \name
.endm

	.text
	.balign 8
INT_ENTRY s390_restart_entry, INT_RESTART, LC_RESTART_OLD_PSW, s390_do_restart
INT_ENTRY s390_ext_entry,     INT_EXT,     LC_EXT_OLD_PSW,     s390_do_ext
INT_ENTRY s390_svc_entry,     INT_SVC,     LC_SVC_OLD_PSW,     s390_do_svc
INT_ENTRY s390_pgm_entry,     INT_PGM,     LC_PGM_OLD_PSW,     s390_do_pgm
INT_ENTRY s390_mcck_entry,    INT_MCCK,    LC_MCCK_OLD_PSW,    s390_do_mcck
INT_ENTRY s390_io_entry,      INT_IO,      LC_IO_OLD_PSW,      s390_do_io

/*
 * The new PSWs, in lowcore order (restart, external, SVC, program,
 * machine check, I/O): 64-bit addressing, every interruption off.
 */
	.section .rodata
	.balign 8
	.globl s390_new_psws
s390_new_psws:
	.quad PSW_KERNEL, s390_restart_entry
	.quad PSW_KERNEL, s390_ext_entry
	.quad PSW_KERNEL, s390_svc_entry
	.quad PSW_KERNEL, s390_pgm_entry
	.quad PSW_KERNEL, s390_mcck_entry
	.quad PSW_KERNEL, s390_io_entry

/*
 * arch_save_regs(regs): the caller's registers, its r15 and, as the PSW
 * address, the return address into it.  A leaf: no frame of its own.
 */
	.text
	.globl arch_save_regs
	.type arch_save_regs, @function
arch_save_regs:
	stmg	%r0,%r15,PT_GPRS(%r2)
	epsw	%r0,%r1
	sllg	%r0,%r0,32
	llgfr	%r1,%r1
	ogr	%r0,%r1
	stg	%r0,PT_PSW_MASK(%r2)
	stg	%r14,PT_PSW_ADDR(%r2)
	xc	PT_CLASS(PT_SIZE-PT_CLASS,%r2),PT_CLASS(%r2)
	lmg	%r0,%r1,PT_GPRS(%r2)
	br	%r14
	.size arch_save_regs, . - arch_save_regs

/*
 * A secondary CPU after SIGP restart: the restart new PSW of its own
 * lowcore (arch/s390x/smp.c) brings it here with its prefix set, so
 * this_cpu() already works; the lowcore also holds its stack top.
 */
	.globl s390_secondary_entry
	.type s390_secondary_entry, @function
s390_secondary_entry:
	lg	%r15,LC_STACK_TOP
	aghi	%r15,-STACK_FRAME_OVERHEAD
	xc	0(8,%r15),0(%r15)       /* back chain 0: the unwinder stops */
	brasl	%r14,s390_secondary_start
	.size s390_secondary_entry, . - s390_secondary_entry

	.section .note.GNU-stack, "", @progbits

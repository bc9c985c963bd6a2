/*
 * s390x entry at 0x10000, reached two ways:
 *   - QEMU -kernel: z/Architecture, 64-bit addressing already;
 *   - Hercules IPL of the flat image: ESA/390, 31-bit, from the IPL PSW
 *     at absolute 0 below.
 * Until "sam64" only ESA/390 instructions may run.  SIGP set-architecture
 * switches Hercules to z/Architecture (cc 0); QEMU refuses it (cc 1):
 * that condition code tells kmain which path we came by.
 *
 * Entry at 0x10000 makes QEMU treat us as a Linux image and copy -append
 * into the parm area at 0x10480 (hw/s390x/ipl.c): the area is part of
 * this section, zero-filled, so it is always in the image.  Hercules
 * loads the same area from a parameter file (boot/s390x/hercules-run.sh).
 * Format: plain ASCII, NUL-terminated, at most 0xb7f bytes.
 */
#include <asm/lowcore.h>
#include <asm/ptrace.h>

/* kmain's magic (arch/s390x/setup.c): how we were entered */
#define BOOT_MAGIC_HIGH  0x5339       /* "S9" */
#define BOOT_ENTRY_ZARCH 1            /* already z/Architecture (QEMU) */
#define BOOT_ENTRY_ESA   2            /* switched from ESA/390 (Hercules) */
#define BOOT_STACK_SIZE  16384        /* = KSTACK_SIZE, checked in setup.c */

	/* ESA/390 short IPL PSW at absolute 0: 31-bit, address _start */
	.section .ipl, "a"
	.long 0x00080000, 0x80000000 + 0x10000

	.section .head.text, "awx"
	.globl _start
	.type _start, @function
_start:
	lhi	%r1,1                   /* parameter: z/Architecture */
	sr	%r3,%r3                 /* CPU address (unused by the order) */
	sigp	%r0,%r3,0x12                   /* SIGP set architecture */
	lhi	%r10,BOOT_ENTRY_ZARCH   /* lhi keeps the condition code */
	jnz	1f
	lhi	%r10,BOOT_ENTRY_ESA
1:	sam64
	/* z/Architecture from here */
	llilh	%r2,BOOT_MAGIC_HIGH     /* magic: 0x5339000n */
	llghr	%r10,%r10
	ogr	%r2,%r10

	/* the program new PSW first: anything may trap from now on */
	larl	%r1,s390_new_psws
	mvc	LC_PGM_NEW_PSW(16),3*16(%r1)
	mvc	LC_RESTART_NEW_PSW(6*16),0(%r1)

	larl	%r15,boot_stack_top
	aghi	%r15,-STACK_FRAME_OVERHEAD

	/* clear .bss (the boot stack is in it; both ends 4 KiB aligned) */
	larl	%r1,__bss_start
	larl	%r4,__bss_end
2:	clgr	%r1,%r4
	jhe	3f
	xc	0(256,%r1),0(%r1)
	la	%r1,256(%r1)
	j	2b
3:	xc	0(8,%r15),0(%r15)       /* back chain 0: the unwinder stops */
	larl	%r1,percpu_areas        /* this_cpu() works from here on */
	stg	%r1,LC_PERCPU

	larl	%r3,parmarea            /* info: the command line */
	brasl	%r14,kmain
	/* kmain does not return; if it did, stop as a panic would */
	larl	%r1,dead_psw
	lpswe	0(%r1)
	.size _start, . - _start

	.balign 8
dead_psw:
	.quad PSW_MASK_WAIT | PSW_KERNEL, 0xdead

	/* QEMU's KERN_PARM_AREA: -append lands here */
	.org 0x480
	.globl parmarea
parmarea:
	.fill 0x1000 - 0x480, 1, 0
	.globl parmarea_end
parmarea_end:

	.section .bss, "aw", @nobits
	.balign 4096
	.globl boot_stack, boot_stack_top
boot_stack:
	.space BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits

/*
 * From 32-bit protected mode to long mode with paging (assembly only):
 * shared by the boot entry and the AP trampoline.  @cr3 is any operand
 * movl accepts (an immediate or a memory location); clobbers eax, ecx, edx.
 */
#ifndef PTLAB_ASM_LONG_MODE_H
#define PTLAB_ASM_LONG_MODE_H

.macro enable_long_mode cr3
	movl %cr4, %eax
	orl $0xa0, %eax                 /* PAE | PGE */
	movl %eax, %cr4
	movl \cr3, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x900, %eax                /* EFER: LME | NXE */
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax           /* PG | WP | PE */
	movl %eax, %cr0
.endm

#endif

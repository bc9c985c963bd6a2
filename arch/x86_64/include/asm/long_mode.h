/*
 * From 32-bit protected mode to long mode with paging (assembly only):
 * shared by the boot entry and the AP trampoline.  @cr3 and @cr4_extra
 * are operands movl/orl accept (an immediate or a memory location);
 * @cr4_extra is CR4_LA57 for 5-level paging (@cr3 then points to a PML5),
 * else 0.  Clobbers eax, ecx, edx.
 */
#define CR4_LA57 0x1000
#ifndef PTLAB_ASM_LONG_MODE_H
#define PTLAB_ASM_LONG_MODE_H

.macro enable_long_mode cr3, cr4_extra
	movl %cr4, %eax
	orl $0xa0, %eax                 /* PAE | PGE */
	orl \cr4_extra, %eax             /* LA57: only while paging is off */
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

/*
 * x86-64 entry.  Two ways in, both 32-bit protected mode with paging off:
 *   - GRUB multiboot2: EAX = 0x36d76289, EBX = multiboot2 info;
 *   - QEMU -kernel via the PVH ELF note: EBX = hvm_start_info (EAX unset).
 * We clear .bss, build early page tables (identity and direct map of the
 * first 4 GiB in 2 MiB pages, plus the kernel image at KERNEL_VMA), enter
 * long mode and call kmain(magic, info) on the boot stack.  When the CPU
 * offers 5-level paging (LA57; QEMU: -cpu ...,+la57) we use it, as Linux
 * does: a PML5 whose first and last entries both lead to the 4-level
 * table, which then serves as the p4d of low and kernel addresses alike.
 */
#include <asm/long_mode.h>

#define KERNEL_VMA 0xffffffff80000000
#define MB2_MAGIC  0xe85250d6
#define PVH_MAGIC  0x336ec578
#define PHYS(x)    ((x) - KERNEL_VMA)

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long 0                         /* i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
	.word 0, 0                      /* end tag */
	.long 8
mb2_header_end:

	/* Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY (18): QEMU's PVH boot */
	.section .note.pvh, "a"
	.balign 4
	.long 4                         /* name size ("Xen\0") */
	.long 8                         /* desc size: 64-bit entry */
	.long 18
	.asciz "Xen"
	.balign 4
	.quad _start_pvh

	.section .boot.text, "ax"
	.code32
	.globl _start32
_start32:
	cli
	movl %eax, %edi
	movl %ebx, %esi
	jmp 1f

	.globl _start_pvh
_start_pvh:
	cli
	movl $PVH_MAGIC, %edi
	movl %ebx, %esi
1:
	movl %edi, boot_magic
	movl %esi, boot_info_ptr

	/* clear .bss (the page tables below live there) */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	cld
	rep stosb

	/* PD: 2048 x 2 MiB = 0..4 GiB, present | writable | large */
	movl $PHYS(early_pd), %edi
	movl $0x83, %eax
	xorl %edx, %edx
	movl $2048, %ecx
2:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %edi
	loop 2b

	/* PDPT (low/direct map): 4 entries -> the 4 PD pages */
	movl $PHYS(early_pdpt), %edi
	movl $PHYS(early_pd) + 3, %eax
	movl %eax, 0(%edi)
	addl $4096, %eax
	movl %eax, 8(%edi)
	addl $4096, %eax
	movl %eax, 16(%edi)
	addl $4096, %eax
	movl %eax, 24(%edi)

	/* PDPT (kernel image): -2 GiB -> first 2 GiB */
	movl $PHYS(early_pdpt_kernel), %edi
	movl $PHYS(early_pd) + 3, %eax
	movl %eax, 510 * 8(%edi)
	addl $4096, %eax
	movl %eax, 511 * 8(%edi)

	/* PML4: [0] identity, [256] direct map, [511] kernel image */
	movl $PHYS(early_pml4), %edi
	movl $PHYS(early_pdpt) + 3, %eax
	movl %eax, 0(%edi)
	movl %eax, 256 * 8(%edi)
	movl $PHYS(early_pdpt_kernel) + 3, %eax
	movl %eax, 511 * 8(%edi)

	/* LA57?  CPUID leaf 7 (if there is one), ECX bit 16 */
	xorl %eax, %eax
	cpuid
	cmpl $7, %eax
	jb 4f
	movl $7, %eax
	xorl %ecx, %ecx
	cpuid
	testl $(1 << 16), %ecx
	jz 4f
	movl $PHYS(early_pml5), %edi
	movl $PHYS(early_pml4) + 3, %eax
	movl %eax, 0(%edi)
	movl %eax, 511 * 8(%edi)
	movl $CR4_LA57, boot_cr4_extra
	movl $PHYS(early_pml5), boot_cr3
4:
	enable_long_mode boot_cr3, boot_cr4_extra

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode

	.code64
long_mode:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp                 /* ends the frame-pointer chain */
	movl boot_magic, %edi
	movl boot_info_ptr, %esi
	movabsq $kmain, %rax
	call *%rax
3:	cli
	hlt
	jmp 3b

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
boot_magic:
	.long 0
boot_info_ptr:
	.long 0
boot_cr3:
	.long PHYS(early_pml4)
boot_cr4_extra:
	.long 0

	.section .bss
	.balign 4096
	.globl early_pml4
early_pml4:
	.skip 4096
early_pml5:
	.skip 4096
	.globl early_pdpt
early_pdpt:
	.skip 4096
early_pdpt_kernel:
	.skip 4096
early_pd:
	.skip 4 * 4096
	/* left unmapped once the kernel's own tables are loaded: an overflow
	 * of the boot stack faults instead of corrupting the tables above */
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.skip 4096
boot_stack_bottom:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits

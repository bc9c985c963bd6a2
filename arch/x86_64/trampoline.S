/*
 * AP start-up code.  Copied to TRAMPOLINE_PA (below 1 MiB) before each
 * SIPI; runs there in real mode, switches to protected then long mode with
 * the boot CPU's page tables, and jumps to ap_entry64 with the CPU's
 * struct percpu.  Every address below is computed relative to that copy.
 */
#include <asm/long_mode.h>

#define TRAMPOLINE_PA 0x8000
#define REL(x) ((x) - trampoline_start + TRAMPOLINE_PA)

	.section .rodata
	.globl trampoline_start, trampoline_end
	.globl tramp_cr3, tramp_cr4_extra, tramp_stack, tramp_percpu, tramp_entry
	.balign 16
	.code16
trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl REL(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $REL(tramp32)

	.code32
tramp32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	enable_long_mode REL(tramp_cr3), REL(tramp_cr4_extra)
	ljmpl $0x18, $REL(tramp64)

	.code64
tramp64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq REL(tramp_stack), %rsp
	movq REL(tramp_percpu), %rdi
	movq REL(tramp_entry), %rax
	xorl %ebp, %ebp
	jmpq *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
tramp_gdt_ptr:
	.word tramp_gdt_ptr - tramp_gdt - 1
	.long REL(tramp_gdt)
	.balign 8
tramp_cr3:
	.quad 0
tramp_cr4_extra:
	.long 0
	.balign 8
tramp_stack:
	.quad 0
tramp_percpu:
	.quad 0
tramp_entry:
	.quad 0
trampoline_end:

	.text
	.code64
/* First 64-bit code of an AP, on its own stack: GS base, then C. */
	.globl ap_entry64
ap_entry64:
	movq %rdi, %rax
	movq %rdi, %rdx
	shrq $32, %rdx
	movl $0xc0000101, %ecx          /* GS base = struct percpu */
	wrmsr
	pushq $0                        /* a zero return address ends traces */
	xorl %ebp, %ebp
	jmp ap_start

	.section .note.GNU-stack, "", @progbits

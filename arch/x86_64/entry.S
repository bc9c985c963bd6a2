/*
 * Exception and interrupt entry: one stub per vector pushes a dummy error
 * code where the CPU pushes none, then the vector number, and joins the
 * common path that saves the registers as struct pt_regs and calls
 * x86_trap(regs).
 */
	.text
	.code64

	.balign 16
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* vectors where the CPU pushes an error code itself */
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	pushq $vec
	.else
	pushq $0
	pushq $vec
	.endif
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call x86_trap
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp                  /* vector and error code */
	iretq

/* void arch_save_regs(struct pt_regs *regs): the caller's view */
	.globl arch_save_regs
arch_save_regs:
	movq %r15, 0(%rdi)
	movq %r14, 8(%rdi)
	movq %r13, 16(%rdi)
	movq %r12, 24(%rdi)
	movq %r11, 32(%rdi)
	movq %r10, 40(%rdi)
	movq %r9, 48(%rdi)
	movq %r8, 56(%rdi)
	movq %rbp, 64(%rdi)
	movq %rdi, 72(%rdi)
	movq %rsi, 80(%rdi)
	movq %rdx, 88(%rdi)
	movq %rcx, 96(%rdi)
	movq %rbx, 104(%rdi)
	movq %rax, 112(%rdi)
	movq $-1, 120(%rdi)             /* vector: none */
	movq $0, 128(%rdi)
	movq (%rsp), %rax               /* return address = caller's rip */
	movq %rax, 136(%rdi)
	movq %cs, %rax
	movq %rax, 144(%rdi)
	pushfq
	popq %rax
	movq %rax, 152(%rdi)
	leaq 8(%rsp), %rax              /* caller's rsp after return */
	movq %rax, 160(%rdi)
	movq %ss, %rax
	movq %rax, 168(%rdi)
	movq 112(%rdi), %rax
	ret

	.section .note.GNU-stack, "", @progbits

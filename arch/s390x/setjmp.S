/* ksetjmp/klongjmp: r6-r15 and the PSW system mask (see asm/setjmp.h) */
	.text
	.globl ksetjmp
	.type ksetjmp, @function
ksetjmp:
	stmg	%r6,%r15,0(%r2)
	xc	80(8,%r2),80(%r2)
	stosm	80(%r2),0               /* store the system mask, change nothing */
	lghi	%r2,0
	br	%r14
	.size ksetjmp, . - ksetjmp

	.globl klongjmp
	.type klongjmp, @function
klongjmp:
	lgfr	%r1,%r3
	ltgr	%r1,%r1
	jnz	1f
	lghi	%r1,1                   /* longjmp(b, 0) returns 1 */
1:	lmg	%r6,%r15,0(%r2)
	ssm	80(%r2)
	lgr	%r2,%r1
	br	%r14
	.size klongjmp, . - klongjmp

	.section .note.GNU-stack, "", @progbits

/* Register a fixup for the instruction at label 'from' (inline asm use). */
#ifndef PTLAB_ASM_EXTABLE_H
#define PTLAB_ASM_EXTABLE_H

#define ASM_EXTABLE(from, to) \
	".pushsection .ex_table, \"a\"\n\t" \
	".balign 8\n\t" \
	".quad " #from ", " #to "\n\t" \
	".popsection\n\t"

#endif

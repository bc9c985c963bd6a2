#ifndef PTLAB_HOSTED_ASM_SETJMP_H
#define PTLAB_HOSTED_ASM_SETJMP_H

#include <setjmp.h>

struct kjmp_buf {
	jmp_buf jb;
};

#define ksetjmp(b) setjmp((b)->jb)
#define klongjmp(b, v) longjmp((b)->jb, v)

#endif

/*
 * The lowcore: the first 8 KiB of each CPU's real address space (moved
 * per CPU by its prefix register).  Hardware fields from the Principles of
 * Operation (z/Architecture lowcore); 0x200-0x11ff is ours.  Usable from
 * assembly: plain numbers only.
 */
#ifndef PTLAB_ASM_LOWCORE_H
#define PTLAB_ASM_LOWCORE_H

#define LC_SIZE             0x2000

/* stored by the CPU on an interruption */
#define LC_EXT_PARAM        0x080   /* u32 external-interruption parameter */
#define LC_EXT_CPU_ADDR     0x084   /* u16 signalling CPU (SIGP orders) */
#define LC_EXT_INT_CODE     0x086   /* u16 */
#define LC_SVC_ILC          0x088   /* u16 */
#define LC_SVC_CODE         0x08a   /* u16 */
#define LC_PGM_ILC          0x08c   /* u16, bytes = value & 6 */
#define LC_PGM_CODE         0x08e   /* u16 */
#define LC_TRANS_EXC_ID     0x0a8   /* u64 translation-exception id */
#define LC_IO_SUBCHANNEL    0x0b8   /* u32 id, u32 param, u32 int word */
#define LC_MCCK_CODE        0x0e8   /* u64 machine-check int. code */

/* old PSWs (stored) and new PSWs (loaded), 16 bytes each, in class order */
#define LC_RESTART_OLD_PSW  0x120
#define LC_EXT_OLD_PSW      0x130
#define LC_SVC_OLD_PSW      0x140
#define LC_PGM_OLD_PSW      0x150
#define LC_MCCK_OLD_PSW     0x160
#define LC_IO_OLD_PSW       0x170
#define LC_RESTART_NEW_PSW  0x1a0
#define LC_EXT_NEW_PSW      0x1b0
#define LC_SVC_NEW_PSW      0x1c0
#define LC_PGM_NEW_PSW      0x1d0
#define LC_MCCK_NEW_PSW     0x1e0
#define LC_IO_NEW_PSW       0x1f0

/* --- software area (0x200-0x11ff) --- */
#define LC_PERCPU           0x200   /* struct percpu * of this CPU */
#define LC_STACK_TOP        0x208   /* secondary start: initial stack top */
/*
 * One register save area (128 bytes) and one return-PSW slot per
 * interruption class, so that a program check taken while another class's
 * entry code runs cannot clobber it.
 */
#define LC_SAVE_AREA(cls)   (0x300 + (cls) * 0x80)  /* 0x300-0x5ff */
#define LC_RETURN_PSW(cls)  (0x600 + (cls) * 0x10)  /* 0x600-0x65f */

/* interruption classes, in the order of the PSW slots above */
#define INT_RESTART 0
#define INT_EXT     1
#define INT_SVC     2
#define INT_PGM     3
#define INT_MCCK    4
#define INT_IO      5

#endif

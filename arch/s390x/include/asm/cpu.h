/* s390x instructions the generic code and the arch code need. */
#ifndef PTLAB_ASM_CPU_H
#define PTLAB_ASM_CPU_H

#include <stdint.h>

struct psw {
	uint64_t mask;
	uint64_t addr;
} __attribute__((aligned(8)));

static inline void cpu_relax(void)
{
	/* no pause instruction; under TCG a spinner only needs to reload */
	__asm__ __volatile__("" ::: "memory");
}

/* CPU address of this CPU (the SIGP target number) */
static inline uint16_t stap(void)
{
	uint16_t addr;

	__asm__ __volatile__("stap %0" : "=Q"(addr));
	return addr;
}

/* TOD clock: bit 51 ticks every microsecond (4096 units per us) */
static inline uint64_t get_tod_clock(void)
{
	uint64_t clk;

	__asm__ __volatile__("stckf %0" : "=Q"(clk) : : "cc");
	return clk;
}

#define TOD_UNITS_PER_US 4096ull

static inline void set_clock_comparator(uint64_t v)
{
	__asm__ __volatile__("sckc %0" : : "Q"(v));
}

static inline uint64_t stctg(int cr)
{
	uint64_t v;

	/* the register number must be a constant: one asm per use */
	switch (cr) {
	case 0:  __asm__ __volatile__("stctg 0,0,%0" : "=QS"(v)); break;
	case 1:  __asm__ __volatile__("stctg 1,1,%0" : "=QS"(v)); break;
	case 13: __asm__ __volatile__("stctg 13,13,%0" : "=QS"(v)); break;
	case 14: __asm__ __volatile__("stctg 14,14,%0" : "=QS"(v)); break;
	default: v = 0; break;
	}
	return v;
}

static inline void lctlg0(uint64_t v)
{
	__asm__ __volatile__("lctlg 0,0,%0" : : "QS"(v) : "memory");
}

/* CR0 external-interruption subclass masks */
#define CR0_MALFUNCTION_ALERT 0x8000ul
#define CR0_EMERGENCY_SIGNAL  0x4000ul
#define CR0_EXTERNAL_CALL     0x2000ul
#define CR0_CLOCK_COMPARATOR  0x0800ul
#define CR0_CPU_TIMER         0x0400ul
#define CR0_SERVICE_SIGNAL    0x0200ul
#define CR0_EXT_SUBCLASSES    0xfff0ul  /* bits 48-59: all of them */

/* external interruption codes */
#define EXT_CLOCK_COMPARATOR  0x1004
#define EXT_CPU_TIMER         0x1005
#define EXT_EMERGENCY_SIGNAL  0x1201
#define EXT_EXTERNAL_CALL     0x1202
#define EXT_SERVICE_SIGNAL    0x2401

/* SIGP orders and status bits */
#define SIGP_SENSE            0x01
#define SIGP_EXTERNAL_CALL    0x02
#define SIGP_EMERGENCY_SIGNAL 0x03
#define SIGP_STOP             0x05
#define SIGP_RESTART          0x06
#define SIGP_INITIAL_CPU_RESET 0x0b
#define SIGP_SET_PREFIX       0x0d
#define SIGP_SET_ARCHITECTURE 0x12
#define SIGP_STATUS_STOPPED   0x40ul

#define SIGP_CC_ACCEPTED      0
#define SIGP_CC_STATUS        1
#define SIGP_CC_BUSY          2
#define SIGP_CC_NOT_OPERATIONAL 3

/*
 * One SIGP: returns the condition code, the status word when it is 1.
 * The parameter goes in the odd register of the R1 pair, status comes
 * back in the even one.
 */
static inline int sigp(uint16_t addr, uint8_t order, uint32_t parm,
		       uint32_t *status)
{
	register unsigned long r0 __asm__("0") = 0;
	register unsigned long r1 __asm__("1") = parm;
	int cc;

	__asm__ __volatile__("sigp %%r0,%[addr],0(%[order])\n\t"
			     "ipm %[cc]\n\t"
			     "srl %[cc],28"
			     : [cc] "=d"(cc), "+d"(r0)
			     : "d"(r1), [addr] "d"((unsigned long)addr),
			       [order] "a"((unsigned long)order)
			     : "cc", "memory");
	if (status && cc == SIGP_CC_STATUS)
		*status = (uint32_t)r0;
	return cc;
}

/* SIGP, retrying while the target answers busy (both emulators do), at
 * most SIGP_BUSY_TRIES times. */
#define SIGP_BUSY_TRIES 10000000ul   /* several seconds, even in TCG */

static inline int sigp_retry(uint16_t addr, uint8_t order, uint32_t parm,
			     uint32_t *status)
{
	/* busy is a transient answer; one that never ends is the caller's
	 * error to report (cc 2 comes back), not a silent hang */
	int cc = sigp(addr, order, parm, status);

	for (unsigned long tries = 1; cc == SIGP_CC_BUSY && tries < SIGP_BUSY_TRIES;
	     tries++)
		cc = sigp(addr, order, parm, status);
	return cc;
}

/*
 * In user space (64 TiB, asm/pgtable.h) where no test declares anything:
 * with the kernel's tables loaded its region-second entry is invalid, so
 * an access is a region-second-translation exception (code 0x3a); with a
 * user mm loaded the fault finds no region and is refused.
 */
#define UNMAPPED_TEST_ADDRESS 0x0000400000000000ul

#include <asm/page.h>

#endif

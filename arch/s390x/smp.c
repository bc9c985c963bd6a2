/*
 * s390x SMP.  The CPU list comes from SCLP read SCP info.  A secondary
 * CPU gets its own 8 KiB lowcore (new PSWs, this_cpu() pointer, stack
 * top), SIGP set prefix points it there, SIGP restart makes it load the
 * restart new PSW: s390_secondary_entry.  IPIs are emergency signals; the
 * kinds pending for a CPU are bits in a word the handler takes at once
 * (one signal may stand for several sends).
 */
#include "arch/s390x/s390x.h"
#include "arch/s390x/sclp.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "mm/page_alloc.h"
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/lowcore.h>

static unsigned long ipi_pending[MAX_CPUS];
static uint8_t *cpu_lowcore[MAX_CPUS];   /* of a CPU being started */

/* External interruptions every running CPU takes (besides its tick). */
static void enable_ipis(void)
{
	lctlg0(stctg(0) | CR0_EMERGENCY_SIGNAL);
}

unsigned arch_smp_detect(unsigned *hw_ids, unsigned max)
{
	uint16_t self = stap();
	unsigned n = 1;

	hw_ids[0] = self;
	for (unsigned i = 0; i < sclp.cpu_count && n < max; i++)
		if (sclp.cpu_addr[i] != self)
			hw_ids[n++] = sclp.cpu_addr[i];
	if (sclp.cpu_count && sclp.cpu_count != n)
		printk("smp: SCLP lists %u CPUs, using %u\n", sclp.cpu_count, n);
	enable_ipis();
	return n;
}

/*
 * An 8 KiB lowcore below 2 GiB (a prefix is a 31-bit real address, 8 KiB
 * aligned): blocks the allocator hands out above are kept aside and given
 * back once a low one is found.
 */
static uint8_t *alloc_lowcore(void)
{
	uint8_t *high[16], *lc = NULL;
	unsigned nhigh = 0;

	while (nhigh < ARRAY_SIZE(high)) {
		lc = __get_free_pages(GFP_NOFAULT | GFP_ZERO, 1);
		if (!lc || (uintptr_t)lc < 0x80000000ul)
			break;
		high[nhigh++] = lc;
		lc = NULL;
	}
	while (nhigh)
		free_pages(high[--nhigh], 1);
	return lc;
}

/*
 * A CPU given up on keeps its prefix on @lc: a SIGP store status would
 * write there and a restart (an operator's) would take its restart PSW.
 * So @lc stays allocated for good (8 KiB; setting the prefix elsewhere
 * would need a lowcore no one else uses either), and that PSW becomes a
 * disabled wait, so a restart cannot run s390_secondary_entry on a stack
 * and per-CPU area that now belong to the next CPU.
 */
static void abandon_lowcore(uint8_t *lc)
{
	struct psw_pair *restart = (struct psw_pair *)(lc + LC_RESTART_NEW_PSW);

	restart[INT_RESTART].mask = PSW_KERNEL | PSW_MASK_WAIT;
	restart[INT_RESTART].addr = 0;
	*(struct percpu **)(lc + LC_PERCPU) = NULL;
	*(unsigned long *)(lc + LC_STACK_TOP) = 0;
}

int arch_cpu_start(struct percpu *pc, unsigned long stack_top)
{
	uint8_t *lc = alloc_lowcore();
	struct psw_pair *new_psws;
	uint32_t status = 0;
	int cc;

	if (!lc) {
		printk("smp: no lowcore below 2 GiB for CPU %u\n", pc->cpu);
		return -ENOMEM;
	}
	new_psws = (struct psw_pair *)(lc + LC_RESTART_NEW_PSW);
	memcpy(new_psws, s390_new_psws, sizeof(s390_new_psws));
	new_psws[INT_RESTART].addr = (unsigned long)s390_secondary_entry;
	*(struct percpu **)(lc + LC_PERCPU) = pc;
	*(unsigned long *)(lc + LC_STACK_TOP) = stack_top;

	cc = sigp_retry((uint16_t)pc->hw_id, SIGP_SET_PREFIX,
			(uint32_t)(uintptr_t)lc, &status);
	if (cc != SIGP_CC_ACCEPTED) {
		/* the prefix did not change: nothing can reach lc */
		printk("smp: SIGP set prefix to CPU address %u: cc %d, status 0x%08x\n",
		       pc->hw_id, cc, cc == SIGP_CC_STATUS ? status : 0);
		free_pages(lc, 1);
		return -EIO;
	}
	cc = sigp_retry((uint16_t)pc->hw_id, SIGP_RESTART, 0, &status);
	if (cc != SIGP_CC_ACCEPTED) {
		printk("smp: SIGP restart to CPU address %u: cc %d, status 0x%08x\n",
		       pc->hw_id, cc, cc == SIGP_CC_STATUS ? status : 0);
		abandon_lowcore(lc);
		return -EIO;
	}
	cpu_lowcore[pc->cpu] = lc;
	return 0;
}

int arch_cpu_park(struct percpu *pc)
{
	uint8_t *lc = cpu_lowcore[pc->cpu];

	if (!s390_stop_cpu((uint16_t)pc->hw_id))
		return -EBUSY;
	if (lc)
		abandon_lowcore(lc);
	cpu_lowcore[pc->cpu] = NULL;
	return 0;
}

/* C side of s390_secondary_entry: on the CPU's own stack and lowcore. */
__noreturn void s390_secondary_start(void);
__noreturn void s390_secondary_start(void)
{
	volatile struct psw_pair *restart =
		(volatile struct psw_pair *)LC_RESTART_NEW_PSW;

	/* from now on a restart is an operator's: report it, like CPU 0 */
	restart->addr = s390_new_psws[INT_RESTART].addr;
	lctlg0(stctg(0) & ~CR0_EXT_SUBCLASSES);
	/* the restart PSW brought us here with DAT off: now the tables */
	s390_dat_enable_cpu();
	enable_ipis();
	secondary_cpu_main();
}

void arch_send_ipi(const struct percpu *pc, unsigned kind)
{
	int cc;

	__atomic_fetch_or(&ipi_pending[pc->cpu], 1ul << kind, __ATOMIC_SEQ_CST);
	cc = sigp_retry((uint16_t)pc->hw_id, SIGP_EMERGENCY_SIGNAL, 0, NULL);
	/* a lost IPI would leave its sender waiting forever: say so now */
	if (cc != SIGP_CC_ACCEPTED)
		panic("smp: emergency signal to CPU %u (address %u) failed: cc %d",
		      pc->cpu, pc->hw_id, cc);
}

void s390_ipi_interrupt(void)
{
	unsigned long kinds = __atomic_exchange_n(&ipi_pending[smp_processor_id()],
						  0, __ATOMIC_SEQ_CST);

	for (unsigned kind = 0; kind < IPI_NR; kind++)
		if (kinds & (1ul << kind))
			smp_handle_ipi(kind);
}

/*
 * s390x SMP: the CPU list comes from SCLP read SCP info.  Secondary CPUs
 * are not started yet (arch_smp_detect reports the boot CPU only); IPIs
 * are emergency signals carrying a per-CPU mask of pending kinds.
 */
#include "arch/s390x/s390x.h"
#include "arch/s390x/sclp.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include <asm/cpu.h>

static unsigned long ipi_pending[MAX_CPUS];

unsigned arch_smp_detect(unsigned *hw_ids, unsigned max)
{
	hw_ids[0] = stap();
	if (sclp.cpu_count > 1 && max > 1)
		printk("smp: the machine has %u CPUs; starting secondary CPUs is not implemented on s390x yet\n",
		       sclp.cpu_count);
	return 1;
}

int arch_cpu_start(struct percpu *pc, unsigned long stack_top)
{
	(void)pc;
	(void)stack_top;
	return -EIO;
}

void arch_send_ipi(const struct percpu *pc, unsigned kind)
{
	__atomic_fetch_or(&ipi_pending[pc->cpu], 1ul << kind, __ATOMIC_SEQ_CST);
	sigp_retry((uint16_t)pc->hw_id, SIGP_EMERGENCY_SIGNAL, 0, NULL);
}

void s390_ipi_interrupt(void)
{
	unsigned long kinds = __atomic_exchange_n(&ipi_pending[smp_processor_id()],
						  0, __ATOMIC_SEQ_CST);

	for (unsigned kind = 0; kind < IPI_NR; kind++)
		if (kinds & (1ul << kind))
			smp_handle_ipi(kind);
}

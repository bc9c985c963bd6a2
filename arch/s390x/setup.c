/* s390x bring-up of the boot CPU, the clock, idle and the end of a run. */
#include "arch/s390x/s390x.h"
#include "arch/s390x/sclp.h"
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"
#include <asm/cpu.h>
#include <asm/extable.h>
#include <asm/irq.h>
#include <asm/lowcore.h>

const char arch_name[] = "s390x";

extern char boot_stack[], boot_stack_top[];
extern char parmarea[], parmarea_end[];

static uint64_t boot_clock;
static bool clock_physical;  /* arch_clock from PTFF query-physical-clock */

#define TICK_TOD (1000000ull / TICK_HZ * TOD_UNITS_PER_US)

/* The command line QEMU (-append) or Hercules (parm file) left for us. */
static void read_cmdline(struct boot_info *bi)
{
	size_t max = MIN((size_t)(parmarea_end - parmarea),
			 sizeof(bi->cmdline) - 1);
	size_t n = strnlen(parmarea, max);

	memcpy(bi->cmdline, parmarea, n);
	bi->cmdline[n] = '\0';
	if (n == max && parmarea[n])
		printk("s390x: command line longer than %zu bytes, cut\n", max);
}

static void fill_memory(struct boot_info *bi)
{
	if (!sclp.ram_size) {
		printk("s390x: read SCP info failed (response 0x%04x): no RAM known\n",
		       sclp.info_resp);
		return;
	}
	boot_add_ram(bi, 0, sclp.ram_size);
	/* lowcore of the boot CPU (prefix 0) */
	boot_add_reserved(bi, 0, LC_SIZE);
	/* entry code and the parm area, then the kernel proper */
	boot_add_reserved(bi, (uintptr_t)__kernel_start,
			  (uintptr_t)parmarea_end);
	boot_add_reserved(bi, (uintptr_t)parmarea_end,
			  (uintptr_t)__kernel_end);
}

static void print_sclp_info(void)
{
	static const char *const names[] = { "none", "ASCII", "line mode" };
	char addrs[64 * 4];
	size_t len = 0;

	addrs[0] = '\0';
	for (unsigned i = 0; i < sclp.cpu_count && len + 8 < sizeof(addrs); i++)
		len += (size_t)snprintf(addrs + len, sizeof(addrs) - len, "%s%u",
					i ? " " : "", sclp.cpu_addr[i]);
	printk("sclp: console %s (receive mask 0x%08x), %llu MiB RAM (%llu x %u MiB), %u CPUs: %s\n",
	       names[sclp.console], sclp.receive_mask,
	       (unsigned long long)(sclp.ram_size >> 20),
	       (unsigned long long)sclp.increments, sclp.increment_mb,
	       sclp.cpu_count, addrs);
}

#define PTFF_QAF 0x00   /* query available functions */
#define PTFF_QPT 0x03   /* query physical clock */

/*
 * PTFF (perform timing facility function): the condition code, or -1 if
 * the instruction does not exist here (operation exception, fixed up).
 */
static int ptff(void *block, unsigned func)
{
	register unsigned long r0 __asm__("0") = func;
	register unsigned long r1 __asm__("1") = (unsigned long)block;
	int cc = -1;

	__asm__ __volatile__("1:	.word	0x0104\n"
			     "	ipm	%[cc]\n"
			     "	srl	%[cc],28\n"
			     "2:\n"
			     ASM_EXTABLE(1b, 2b)
			     : [cc] "+d"(cc) : "d"(r0), "d"(r1) : "cc", "memory");
	return cc;
}

static uint64_t physical_clock(void)
{
	uint64_t block[2] = { 0, 0 };

	ptff(block, PTFF_QPT);
	return block[0];
}

/*
 * Which clock arch_clock() reads.  Hercules keeps its TOD clock unique
 * by adding 1 us whenever it is read twice within a host microsecond,
 * so a CPU polling the TOD (timeouts, udelay) makes it run several times
 * too fast.  Its physical clock (PTFF QPT) is the host clock as it is.
 * QEMU's TOD does not drift like that (and QEMU has no PTFF): STCKF.
 */
static void clock_init(void)
{
	uint32_t qaf[4] = { 0, 0, 0, 0 };

	clock_physical = ptff(qaf, PTFF_QAF) == 0 &&
			 (qaf[0] & (0x80000000u >> PTFF_QPT)) &&
			 physical_clock() != 0;
	boot_clock = clock_physical ? physical_clock() : get_tod_clock();
}

void arch_early_init(unsigned long magic, unsigned long info,
		     struct boot_info *bi)
{
	struct percpu *boot_cpu = &percpu_areas[0];

	(void)info;  /* the parm area; we know where it is */
	boot_cpu->self = boot_cpu;
	boot_cpu->cpu = 0;
	boot_cpu->hw_id = stap();
	boot_cpu->stack_top = (unsigned long)boot_stack_top;
	set_this_cpu(boot_cpu);
	/* no external interruption subclass until someone wants one */
	lctlg0(stctg(0) & ~CR0_EXT_SUBCLASSES);

	sclp_init();
	clock_init();
	if ((magic >> 16) != BOOT_MAGIC_HIGH)
		bi->loader = "unknown";
	else if ((magic & 0xffff) == BOOT_ENTRY_ESA)
		bi->loader = "hercules";   /* IPL in ESA/390, switched */
	else
		bi->loader = "qemu";       /* entered in z/Architecture */
	print_sclp_info();
	printk("s390x: clock: %s\n", clock_physical ?
	       "physical clock (PTFF query physical clock)" : "TOD clock (STCKF)");
	if (boot_stack_top - boot_stack != KSTACK_SIZE)
		panic("s390x: boot stack is %ld bytes, KSTACK_SIZE %d",
		      (long)(boot_stack_top - boot_stack), KSTACK_SIZE);
	read_cmdline(bi);
	fill_memory(bi);
}

void arch_mm_early_init(void)
{
	/* DAT is still off: all RAM is reachable at its real address, and the
	 * identity map arch_paging_init builds keeps it that way */
}

void arch_console_write(const char *s, size_t n)
{
	sclp_console_write(s, n);
}

void s390_enabled_wait(unsigned long int_mask)
{
	struct psw psw;
	uint32_t hi, lo;
	unsigned char sysmask;

	/* interrupts off while we build the PSW, then on atomically */
	__asm__ __volatile__("stnsm %0,0xfc" : "=Q"(sysmask) : : "memory");
	__asm__ __volatile__("epsw %0,%1" : "=d"(hi), "=d"(lo));
	psw.mask = (((uint64_t)hi << 32) | lo) | int_mask | PSW_MASK_WAIT;
	__asm__ __volatile__(
		"	larl	%%r1,0f\n"
		"	stg	%%r1,8(%[p])\n"
		"	lpswe	0(%[p])\n"
		"0:	ssm	0(%[m])\n"
		: : [p] "a"(&psw), [m] "a"(&sysmask) : "r1", "memory", "cc");
}

void arch_cpu_idle(void)
{
	s390_enabled_wait(PSW_MASK_EXT | PSW_MASK_IO);
}

uint64_t arch_clock(void)
{
	return (clock_physical ? physical_clock() : get_tod_clock()) -
	       boot_clock;
}

uint64_t arch_clock_hz(void)
{
	return TOD_UNITS_PER_US * 1000000;
}

void arch_tick_start(void)
{
	unsigned long flags = local_irq_save();

	set_clock_comparator(get_tod_clock() + TICK_TOD);
	lctlg0(stctg(0) | CR0_CLOCK_COMPARATOR);
	local_irq_restore(flags);
}

/*
 * The clock comparator is an external interruption: it only comes while
 * the PSW has external interruptions on, never inside a region that
 * disabled them (the SCLP's enabled waits mask its subclass in CR0), which
 * is what makes such a region an RCU reader.
 */
void s390_tick_interrupt(unsigned long interrupted_ip)
{
	set_clock_comparator(get_tod_clock() + TICK_TOD);
	smp_tick(interrupted_ip);
}

bool s390_stop_cpu(uint16_t addr)
{
	uint32_t status = 0;

	if (sigp_retry(addr, SIGP_STOP, 0, NULL) == SIGP_CC_NOT_OPERATIONAL)
		return true;
	for (unsigned long i = 0; i < 1000000; i++) {
		int cc = sigp_retry(addr, SIGP_SENSE, 0, &status);

		if (cc == SIGP_CC_NOT_OPERATIONAL ||
		    (cc == SIGP_CC_STATUS && (status & SIGP_STATUS_STOPPED)))
			return true;
	}
	return false;
}

/*
 * Every other CPU stopped (a CPU still running or in an enabled wait
 * keeps QEMU alive), then a disabled wait whose address QEMU turns into
 * the exit code (0xfff: 0, else 1) and Hercules logs (HHCCP011I).
 */
__noreturn void arch_end_run(enum run_status status)
{
	static const unsigned long codes[] = {
		[RUN_PASS] = 0xfff, [RUN_FAIL] = 0xbad, [RUN_PANIC] = 0xdead,
	};
	uint16_t self = stap();
	struct psw psw = {
		.mask = PSW_KERNEL | PSW_MASK_WAIT,
		.addr = (unsigned)status < ARRAY_SIZE(codes) ? codes[status] : 0xdead,
	};

	local_irq_disable();
	sclp_console_flush();
	if (sclp.cpu_count) {
		for (unsigned i = 0; i < sclp.cpu_count; i++)
			if (sclp.cpu_addr[i] != self)
				s390_stop_cpu(sclp.cpu_addr[i]);
	} else {
		for (unsigned addr = 0; addr < MAX_CPUS; addr++)
			if (addr != self)
				s390_stop_cpu((uint16_t)addr);
	}
	for (;;)
		__asm__ __volatile__("lpswe %0" : : "Q"(psw) : "memory");
}

/* The boot CPU's path from the arch entry to the end of the run. */
#include "kernel/arch.h"
#include <asm/irq.h>
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "mm/init.h"
#include "mm/mm.h"

static void print_boot_info(const struct boot_info *bi)
{
	uint64_t total = 0;

	printk("ptlab %s (%s), loaded by %s\n", PTLAB_VERSION, arch_name,
	       bi->loader);
	printk("command line: %s\n", bi->cmdline);
	for (unsigned i = 0; i < bi->nr_ram; i++) {
		printk("  ram      [0x%012llx-0x%012llx)\n",
		       (unsigned long long)bi->ram[i].start,
		       (unsigned long long)bi->ram[i].end);
		total += bi->ram[i].end - bi->ram[i].start;
	}
	for (unsigned i = 0; i < bi->nr_reserved; i++)
		printk("  reserved [0x%012llx-0x%012llx)\n",
		       (unsigned long long)bi->reserved[i].start,
		       (unsigned long long)bi->reserved[i].end);
	printk("memory: %llu KiB in %u ranges%s\n",
	       (unsigned long long)(total >> 10), bi->nr_ram,
	       bi->truncated ? " (map truncated)" : "");
}

__noreturn void kmain(unsigned long magic, unsigned long info)
{
	int status;

	arch_early_init(magic, info, &boot_info);
	print_boot_info(&boot_info);
	cmdline_parse(boot_info.cmdline);
	if (!mm_init(&boot_info)) {
		printk("# ptlab: end of run: fail (not enough memory)\n");
		arch_end_run(RUN_FAIL);
	}
	paging_init();
	smp_init();
	local_irq_enable();

	status = ktest_run_all();
	if (boot_cmdline_report.bad) {
		printk("# ptlab: %u bad command-line value(s): run failed\n",
		       boot_cmdline_report.bad);
		status = RUN_FAIL;
	}
	printk("# ptlab: end of run: %s\n", status == RUN_PASS ? "pass" : "fail");
	arch_end_run(status);
}

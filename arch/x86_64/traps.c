/* x86-64 exceptions and interrupts: dispatch, fixups, register dumps. */
#include "arch/x86_64/desc.h"
#include "kernel/arch.h"
#include "kernel/ksyms.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "mm/mm.h"
#include <asm/irq.h>
#include <asm/cpu.h>

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved 15", "x87 FP", "alignment check",
	"machine check", "SIMD FP", "virtualization", "control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "hypervisor injection",
	"VMM communication", "security", "reserved 31",
};

static irq_handler_t irq_handlers[256];

void x86_set_irq_handler(unsigned vec, irq_handler_t fn)
{
	if (vec >= 32 && vec < 256)
		irq_handlers[vec] = fn;
}

/*
 * A fault on a user address of the loaded mm: demand paging.  Interrupts
 * go back on if the faulting code had them, so a CPU waiting here for the
 * mmap lock still answers cross-calls.
 */
static bool user_fault(struct pt_regs *regs, unsigned long addr)
{
	struct mm *mm = current_mm();
	int err;

	if (!mm || addr < USER_VA_START || addr >= USER_VA_END)
		return false;
	if (regs->rflags & X86_EFLAGS_IF)
		local_irq_enable();
	err = handle_mm_fault(mm, addr, regs->error_code & 2,
			      regs->error_code & 16);
	local_irq_disable();
	return err == 0;
}

static void handle_exception(struct pt_regs *regs)
{
	unsigned long vec = regs->vector;
	unsigned long cr2 = vec == 14 ? read_cr2() : 0;
	unsigned long fixup;
	char where[96];

	if (vec == 14 && user_fault(regs, cr2))
		return;
	fixup = extable_lookup(regs->rip);
	if (fixup && vec != 8 && vec != 18) {
		struct fault_info fi = {
			.code = vec, .error = regs->error_code,
			.addr = cr2, .ip = regs->rip,
		};

		extable_record(&fi);
		regs->rip = fixup;
		return;
	}
	ksym_format(where, sizeof(where), regs->rip);
	if (vec == 8)
		trap_unexpected(regs, "double fault at %s, rsp %#lx%s", where,
				(unsigned long)regs->rsp,
				regs->rsp <= this_cpu()->stack_top - KSTACK_SIZE + 64 ?
				" (kernel stack overflow: the guard page was hit)" : "");
	if (vec == 14)
		trap_unexpected(regs, "page fault at address %#lx, error code %#lx (%s %s%s%s) at %s",
				cr2, (unsigned long)regs->error_code,
				regs->error_code & 1 ? "protection" : "not-present",
				regs->error_code & 2 ? "write" : "read",
				regs->error_code & 16 ? " ifetch" : "",
				regs->error_code & 8 ? " reserved-bit" : "",
				where);
	trap_unexpected(regs, "%s (vector %lu), error code %#lx at %s",
			exception_names[vec], vec,
			(unsigned long)regs->error_code, where);
}

void x86_trap(struct pt_regs *regs);
void x86_trap(struct pt_regs *regs)
{
	struct percpu *cpu = this_cpu();

	cpu->trap_depth++;
	if (regs->vector < 32) {
		handle_exception(regs);
	} else if (irq_handlers[regs->vector]) {
		irq_handlers[regs->vector](regs);
	} else {
		printk("unexpected interrupt, vector %lu, on CPU %u\n",
		       (unsigned long)regs->vector, cpu->cpu);
	}
	cpu->trap_depth--;
}

void arch_dump_regs(const struct pt_regs *r)
{
	char sym[96];

	ksym_format(sym, sizeof(sym), r->rip);
	printk("CPU %u RIP: %04lx:%016lx %s\n", smp_processor_id(),
	       (unsigned long)r->cs, (unsigned long)r->rip, sym);
	printk("RSP: %04lx:%016lx RFLAGS: %08lx", (unsigned long)r->ss,
	       (unsigned long)r->rsp, (unsigned long)r->rflags);
	if (r->vector != (uint64_t)-1)
		printk(" vector %lu error %#lx", (unsigned long)r->vector,
		       (unsigned long)r->error_code);
	printk("\n");
	printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", (unsigned long)r->rax,
	       (unsigned long)r->rbx, (unsigned long)r->rcx);
	printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", (unsigned long)r->rdx,
	       (unsigned long)r->rsi, (unsigned long)r->rdi);
	printk("RBP: %016lx R08: %016lx R09: %016lx\n", (unsigned long)r->rbp,
	       (unsigned long)r->r8, (unsigned long)r->r9);
	printk("R10: %016lx R11: %016lx R12: %016lx\n", (unsigned long)r->r10,
	       (unsigned long)r->r11, (unsigned long)r->r12);
	printk("R13: %016lx R14: %016lx R15: %016lx\n", (unsigned long)r->r13,
	       (unsigned long)r->r14, (unsigned long)r->r15);
	printk("CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx\n",
	       (unsigned long)read_cr0(), (unsigned long)read_cr2(),
	       (unsigned long)read_cr3(), (unsigned long)read_cr4());
}

/* A frame pointer we may dereference: 8-aligned, inside this CPU's stack. */
static bool frame_ok(unsigned long fp)
{
	unsigned long top = this_cpu()->stack_top;

	return fp && !(fp & 7) && top && fp >= top - KSTACK_SIZE &&
	       fp <= top - 16;
}

void arch_unwind_start(const struct pt_regs *regs, struct unwind_frame *f)
{
	f->ip = regs->rip;
	f->fp = regs->rbp;
}

bool arch_unwind_next(struct unwind_frame *f)
{
	unsigned long next;

	if (!frame_ok(f->fp))
		return false;
	next = ((unsigned long *)f->fp)[0];
	f->ip = ((unsigned long *)f->fp)[1];
	/* callers' frames lie above: anything else is a broken chain */
	if (next && next <= f->fp)
		return false;
	f->fp = next;
	/* a zero saved frame pointer marks the entry code's frame: stop */
	return next != 0 && f->ip != 0;
}

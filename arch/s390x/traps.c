/*
 * s390x interruption handlers (entered from entry.S with a pt_regs),
 * exception fixups, register dumps and the back-chain unwinder.
 */
#include "arch/s390x/s390x.h"
#include "arch/s390x/sclp.h"
#include "kernel/arch.h"
#include "kernel/ksyms.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "mm/mm.h"
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/lowcore.h>

#define PGM_CODE_MASK 0x7f   /* without the PER (0x80) and TX (0x200) bits */
#define PGM_PER       0x80

static const char *pgm_name(unsigned code)
{
	switch (code & PGM_CODE_MASK) {
	case 0x01: return "operation";
	case 0x02: return "privileged-operation";
	case 0x03: return "execute";
	case 0x04: return "protection";
	case 0x05: return "addressing";
	case 0x06: return "specification";
	case 0x07: return "data";
	case 0x08: return "fixed-point overflow";
	case 0x09: return "fixed-point divide";
	case 0x0a: return "decimal overflow";
	case 0x0b: return "decimal divide";
	case 0x10: return "segment-translation";
	case 0x11: return "page-translation";
	case 0x12: return "translation-specification";
	case 0x13: return "special-operation";
	case 0x15: return "operand";
	case 0x38: return "ASCE-type";
	case 0x39: return "region-first-translation";
	case 0x3a: return "region-second-translation";
	case 0x3b: return "region-third-translation";
	case 0x40: return "monitor event";
	case 0x00: return code & PGM_PER ? "PER event" : "code 0";
	default:   return "unknown";
	}
}

/* DAT exceptions: nullifying, and the TEID names the failing page. */
static bool pgm_is_translation(unsigned code)
{
	code &= PGM_CODE_MASK;
	return code == 0x10 || code == 0x11 || (code >= 0x38 && code <= 0x3b);
}

/*
 * Address of the instruction that caused a program interruption.  For
 * nullifying exceptions the old PSW points at it; for suppressing and
 * terminating ones (operation, addressing, ...) it points past it and the
 * ILC says by how much.  An ILC of 0 (some instruction-fetch cases) leaves
 * the PSW address as it is, which is then the failing fetch address.
 */
static unsigned long pgm_insn_addr(const struct pt_regs *regs)
{
	if (pgm_is_translation(regs->int_code))
		return regs->psw_addr;
	return regs->psw_addr - (regs->ilc & 6);
}

/* TEID bits (Principles of Operation, "Translation-Exception Identification") */
#define TEID_ASCE_MASK  0x003ul   /* bits 62-63: 0 = primary space */
#define TEID_PROT_VALID 0x004ul   /* bit 61: DAT/IEP protection, address valid */
#define TEID_IEP        0x080ul   /* bit 56: instruction-execution protection */
#define TEID_FS_MASK    0xc00ul   /* bits 52-53: 01 store, 10 fetch */
#define TEID_FS_STORE   0x400ul

/*
 * The failing page of a DAT exception, or of a protection exception whose
 * TEID is valid (DAT protection, IEP), with the access kind; false for
 * anything else (low-address or key protection, other codes).
 */
static bool pgm_fault_addr(const struct pt_regs *regs, unsigned long *addr,
			   bool *write, bool *exec)
{
	unsigned code = regs->int_code & PGM_CODE_MASK;
	unsigned long ip = pgm_insn_addr(regs);

	*addr = regs->teid & ~(PAGE_SIZE - 1);
	if (pgm_is_translation(code)) {
		*write = (regs->teid & TEID_FS_MASK) == TEID_FS_STORE;
		/* the instruction's own page (or the next, for one that
		 * straddles) cannot fail a data access: it was the fetch */
		*exec = *addr == (ip & ~(PAGE_SIZE - 1)) ||
			*addr == ((ip + 5) & ~(PAGE_SIZE - 1));
		return true;
	}
	if (code == 0x04 && (regs->teid & TEID_PROT_VALID)) {
		*exec = regs->teid & TEID_IEP;
		*write = !*exec;
		if (*exec)  /* IEP: the TEID address is not the fetch's */
			*addr = ip & ~(PAGE_SIZE - 1);
		return true;
	}
	return false;
}

/*
 * A fault on a user address of the loaded mm (in primary space, where the
 * kernel runs): demand paging.  Interrupts go back on if the interrupted
 * PSW had them, so a CPU waiting here for the mmap lock still answers
 * cross-calls.  On success the instruction runs again: translation
 * exceptions are nullifying (the PSW points at it already), protection is
 * suppressing (the PSW points past it).
 */
static bool user_fault(struct pt_regs *regs, unsigned long addr, bool write,
		       bool exec)
{
	struct mm *mm = current_mm();
	int err;

	if (!mm || addr < USER_VA_START || addr >= USER_VA_END ||
	    (regs->teid & TEID_ASCE_MASK) || (regs->int_code & PGM_PER))
		return false;
	if (stctg(1) != READ_ONCE(mm->hw_root)) {
		/* the mm grew a region-first table: load it and retry */
		arch_switch_mm(mm);
		regs->psw_addr = pgm_insn_addr(regs);
		return true;
	}
	if (regs->psw_mask & PSW_MASK_EXT)
		local_irq_enable();
	err = handle_mm_fault(mm, addr, write, exec);
	local_irq_disable();
	if (err)
		return false;
	regs->psw_addr = pgm_insn_addr(regs);
	return true;
}

void s390_do_pgm(struct pt_regs *regs);
void s390_do_pgm(struct pt_regs *regs)
{
	struct percpu *cpu = this_cpu();
	unsigned long ip = pgm_insn_addr(regs);
	unsigned long fixup, addr = 0;
	bool write = false, exec = false, dat;
	char where[96];

	cpu->trap_depth++;
	dat = pgm_fault_addr(regs, &addr, &write, &exec);
	if (dat && user_fault(regs, addr, write, exec)) {
		cpu->trap_depth--;
		return;
	}
	fixup = extable_lookup(ip);
	if (fixup && !(regs->int_code & PGM_PER)) {
		struct fault_info fi = {
			.code = regs->int_code, .ip = ip,
		};

		if (dat) {
			fi.error = regs->teid;
			fi.addr = addr;
		}
		extable_record(&fi);
		regs->psw_addr = fixup;
		cpu->trap_depth--;
		return;
	}
	ksym_format(where, sizeof(where), ip);
	if (dat)
		trap_unexpected(regs, "%s exception (code 0x%04x) for address %#lx (TEID %#llx) at %s, ILC %u",
				pgm_name(regs->int_code), regs->int_code, addr,
				(unsigned long long)regs->teid, where,
				regs->ilc & 6);
	trap_unexpected(regs, "%s exception (code 0x%04x) at %s, ILC %u",
			pgm_name(regs->int_code), regs->int_code, where,
			regs->ilc & 6);
}

void s390_do_ext(struct pt_regs *regs);
void s390_do_ext(struct pt_regs *regs)
{
	struct percpu *cpu = this_cpu();

	cpu->trap_depth++;
	switch (regs->int_code) {
	case EXT_SERVICE_SIGNAL:
		sclp_handle_irq(regs->int_parm);
		break;
	case EXT_CLOCK_COMPARATOR:
		s390_tick_interrupt(regs->psw_addr);
		break;
	case EXT_EMERGENCY_SIGNAL:
		s390_ipi_interrupt();
		break;
	default:
		printk("unexpected external interruption, code 0x%04x, on CPU %u\n",
		       regs->int_code, cpu->cpu);
		break;
	}
	s390_leave_wait(regs);
	cpu->trap_depth--;
}

void s390_do_svc(struct pt_regs *regs);
void s390_do_svc(struct pt_regs *regs)
{
	this_cpu()->trap_depth++;
	trap_unexpected(regs, "supervisor call %u (no system calls here)",
			regs->int_code);
}

void s390_do_io(struct pt_regs *regs);
void s390_do_io(struct pt_regs *regs)
{
	this_cpu()->trap_depth++;
	trap_unexpected(regs, "I/O interruption, subchannel 0x%04x, parameter %#x (no device is enabled)",
			regs->cpu_addr, regs->int_parm);
}

void s390_do_mcck(struct pt_regs *regs);
void s390_do_mcck(struct pt_regs *regs)
{
	this_cpu()->trap_depth++;
	panic_regs(regs, "machine check, interruption code 0x%016llx",
		   (unsigned long long)regs->teid);
}

void s390_do_restart(struct pt_regs *regs);
void s390_do_restart(struct pt_regs *regs)
{
	this_cpu()->trap_depth++;
	panic_regs(regs, "restart interruption (operator restart or SIGP restart)");
}

static const char *class_name(uint32_t cls)
{
	static const char *const names[] = {
		"registers", "restart", "external", "supervisor call",
		"program", "machine check", "I/O",
	};

	return cls < ARRAY_SIZE(names) ? names[cls] : "?";
}

void arch_dump_regs(const struct pt_regs *r)
{
	char sym[96];

	ksym_format(sym, sizeof(sym), r->psw_addr);
	printk("CPU %u (address %u) PSW %016lx %016lx %s\n",
	       smp_processor_id(), stap(), r->psw_mask, r->psw_addr, sym);
	switch (r->int_class) {
	case 1 + INT_PGM:
		printk("program interruption code 0x%04x (%s), ILC %u, TEID 0x%016llx\n",
		       r->int_code, pgm_name(r->int_code), r->ilc & 6,
		       (unsigned long long)r->teid);
		break;
	case 1 + INT_EXT:
		printk("external interruption code 0x%04x, parameter %#x, CPU address %u\n",
		       r->int_code, r->int_parm, r->cpu_addr);
		break;
	case 1 + INT_SVC:
		printk("supervisor call %u, ILC %u\n", r->int_code, r->ilc & 6);
		break;
	case 0:
		break;
	default:
		printk("%s interruption\n", class_name(r->int_class));
		break;
	}
	for (int i = 0; i < 16; i += 4)
		printk("GPRS %2d: %016lx %016lx %016lx %016lx\n", i,
		       r->gprs[i], r->gprs[i + 1], r->gprs[i + 2],
		       r->gprs[i + 3]);
	printk("CR0: %016llx CR1: %016llx CR14: %016llx\n",
	       (unsigned long long)stctg(0), (unsigned long long)stctg(1),
	       (unsigned long long)stctg(14));
}

/*
 * A stack pointer we may follow: 8-aligned, with a whole standard frame
 * inside this CPU's stack.
 */
static bool frame_ok(unsigned long sp)
{
	unsigned long top = this_cpu()->stack_top;

	return sp && !(sp & 7) && top && sp >= top - KSTACK_SIZE &&
	       sp <= top - STACK_FRAME_OVERHEAD;
}

void arch_unwind_start(const struct pt_regs *regs, struct unwind_frame *f)
{
	f->ip = regs->psw_addr;
	f->fp = regs->gprs[15];
}

/*
 * Back chain: 0(sp) is the caller's sp; the callee saved its return
 * address (r14) at 112 in the caller's frame.  A zero chain (head.S and
 * every interruption frame) ends the walk.
 */
bool arch_unwind_next(struct unwind_frame *f)
{
	unsigned long back, ip;

	if (!frame_ok(f->fp))
		return false;
	back = *(const unsigned long *)f->fp;
	/* callers' frames lie above: anything else is a broken chain */
	if (!back || back <= f->fp || !frame_ok(back))
		return false;
	ip = *(const unsigned long *)(back + STACK_FRAME_R14);
	if (!ip)
		return false;
	f->fp = back;
	f->ip = ip;
	return true;
}

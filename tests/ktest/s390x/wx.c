/*
 * s390x W^X expectations: a store to a page with the DAT-protection bit is
 * a protection exception (code 4) whose TEID names the page (bit 61 says
 * the address is valid); a fetch from a page with the IEP bit is one too,
 * with TEID bit 56.  Without the instruction-execution-protection facility
 * (Hercules 3.13) data cannot be made non-executable.
 */
#include "kernel/extable.h"
#include "mm/mm.h"
#include "tests/ktest/wx.h"

#define PGM_PROTECTION  0x04ul
#define TEID_PROT_VALID 0x04ul
#define TEID_IEP        0x80ul

uint8_t wx_data_ret[16] __aligned(8) = { 0x07, 0xfe };   /* br %r14 */

void wx_expect_write_fault(struct ktest *t, unsigned long addr)
{
	KT_EXPECT_EQ(t, last_fault()->code & 0x7f, PGM_PROTECTION);
	KT_EXPECT_EQ(t, last_fault()->error & (TEID_PROT_VALID | TEID_IEP),
		     TEID_PROT_VALID);
	KT_EXPECT_EQ(t, last_fault()->addr, addr & ~(PAGE_SIZE - 1));
}

const char *wx_no_exec_reason(void)
{
	return s390_have_iep ? NULL :
	       "no instruction-execution protection (facility 130): kernel data stays executable";
}

void wx_expect_exec_fault(struct ktest *t, unsigned long addr)
{
	KT_EXPECT_EQ(t, last_fault()->code & 0x7f, PGM_PROTECTION);
	KT_EXPECT_EQ(t, last_fault()->error & (TEID_PROT_VALID | TEID_IEP),
		     TEID_PROT_VALID | TEID_IEP);
	KT_EXPECT_EQ(t, last_fault()->addr, addr & ~(PAGE_SIZE - 1));
	KT_EXPECT_EQ(t, last_fault()->ip, addr);
}

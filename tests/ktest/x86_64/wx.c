/* x86-64 W^X expectations: #PF error codes (present + write / fetch). */
#include "kernel/extable.h"
#include "tests/ktest/wx.h"

uint8_t wx_data_ret[16] = { 0xc3 };        /* ret */

void wx_expect_write_fault(struct ktest *t, unsigned long addr)
{
	KT_EXPECT_EQ(t, last_fault()->code, 14ul);
	KT_EXPECT_EQ(t, last_fault()->error & 3, 3ul);       /* present, write */
	KT_EXPECT_EQ(t, last_fault()->addr, addr);
}

const char *wx_no_exec_reason(void)
{
	return NULL;   /* NX exists on every x86-64 CPU */
}

void wx_expect_exec_fault(struct ktest *t, unsigned long addr)
{
	KT_EXPECT_EQ(t, last_fault()->code, 14ul);
	KT_EXPECT_EQ(t, last_fault()->error & 0x11, 0x11ul); /* present, fetch */
	KT_EXPECT_EQ(t, last_fault()->addr, addr);
}

#ifndef PTLAB_X86_BOOTINFO_H
#define PTLAB_X86_BOOTINFO_H

struct boot_info;
void x86_parse_boot_info(struct boot_info *bi, unsigned long magic,
			 unsigned long info);

#endif

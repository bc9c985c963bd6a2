/* The kernel's own symbol table, generated at link time (linker/ksyms.sh). */
#ifndef PTLAB_KSYMS_H
#define PTLAB_KSYMS_H

#include "kernel/compiler.h"

/*
 * Name of the function containing @addr and the offset into it; NULL when
 * @addr is outside the kernel's text.
 */
const char *ksym_lookup(unsigned long addr, unsigned long *offset);

/* Address of the function named @name, or 0. */
unsigned long ksym_address(const char *name);

/* "name+0xoff" or "0x<addr>" into buf. */
void ksym_format(char *buf, size_t size, unsigned long addr);

/*
 * The same for a return address: named after the byte before it, since a
 * call to a function that never returns may be its caller's last
 * instruction (the return address is then the next function's start).
 */
const char *ksym_lookup_return(unsigned long addr, unsigned long *offset);
void ksym_format_return(char *buf, size_t size, unsigned long addr);

#endif

#ifndef PTLAB_X86_SERIAL_H
#define PTLAB_X86_SERIAL_H

#include "kernel/compiler.h"

extern bool serial_present;
void serial_init(void);
void serial_write(const char *s, size_t n);
/* A received byte, or -1 when none is waiting. */
int serial_getc(void);
/* Write @pattern to the scratch register and read it back. */
bool serial_scratch_test(uint8_t pattern);

#endif

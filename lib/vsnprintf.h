/* printf-style formatting into a buffer (no floating point). */
#ifndef PTLAB_LIB_VSNPRINTF_H
#define PTLAB_LIB_VSNPRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include "kernel/compiler.h"

/*
 * Supports flags "-0+ #", width and precision (also '*'), length modifiers
 * hh h l ll z t j, and conversions d i u x X o c s p %.  Returns the length
 * the full output would have had; buf always ends in NUL when size > 0.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif

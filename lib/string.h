/* Freestanding string and memory helpers (GCC may emit calls to mem*). */
#ifndef PTLAB_LIB_STRING_H
#define PTLAB_LIB_STRING_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
/* First occurrence of @needle in @hay, or NULL. */
char *strstr(const char *hay, const char *needle);

/*
 * Parse an unsigned integer: decimal, 0x hex, or 0 octal when base is 0.
 * The whole of s[0..len) must be consumed and the value must fit in 64 bits,
 * otherwise -1 is returned and *out is left alone.
 */
int parse_u64(const char *s, size_t len, unsigned base, uint64_t *out);

/* Parse a size with an optional K/M/G suffix (binary units). */
int parse_size(const char *s, size_t len, uint64_t *out);

/* Shell-style match of str[0..len) against pattern ('*' and '?' only). */
bool glob_match(const char *pattern, const char *str, size_t len);

#endif

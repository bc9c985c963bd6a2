/* Minimal assertions for the hosted tests: report and count, never stop. */
#ifndef PTLAB_HOSTED_CHECK_H
#define PTLAB_HOSTED_CHECK_H

#include <stdio.h>

extern int check_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			__LINE__, #cond); \
		check_failures++; \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	unsigned long long __a = (unsigned long long)(a); \
	unsigned long long __b = (unsigned long long)(b); \
	if (__a != __b) { \
		fprintf(stderr, "%s:%d: check failed: %s == %s (%llu != %llu)\n", \
			__FILE__, __LINE__, #a, #b, __a, __b); \
		check_failures++; \
	} \
} while (0)

#define RUN(test) do { \
	int __before = check_failures; \
	test(); \
	printf("%-4s %s\n", check_failures == __before ? "ok" : "FAIL", #test); \
} while (0)

#endif

/*
 * Kernel command line: "key=value key2 ...".  Any file can register an
 * option with KERNEL_PARAM; cmdline_parse() calls its handler with the
 * value (empty for a bare key).  Unknown keys are reported once and ignored;
 * a handler's error is reported with the offending value and counted, and
 * the run goes on with the option's default.
 */
#ifndef PTLAB_CMDLINE_H
#define PTLAB_CMDLINE_H

#include "kernel/compiler.h"

struct kernel_param {
	const char *name;
	int (*set)(const char *val, size_t len); /* 0 or -EINVAL */
	const char *help;
};

#define KERNEL_PARAM(str, fn, helptext) \
	static const struct kernel_param __kparam_##fn \
	__used __section(".kparams") __aligned(8) = { str, fn, helptext }

/* "0" or "1" into *@out; -EINVAL otherwise. */
int cmdline_bool(const char *val, size_t len, bool *out);

/* An on/off option backed by the bool @var. */
#define KERNEL_PARAM_BOOL(str, var, helptext) \
	static int __set_bool_##var(const char *val, size_t len) \
	{ \
		return cmdline_bool(val, len, &var); \
	} \
	KERNEL_PARAM(str, __set_bool_##var, helptext)

/* A "key[=value]" token found in a command line. */
struct cmdline_token {
	const char *key;
	size_t key_len;
	const char *val;  /* "" for a bare key */
	size_t val_len;
};

/* Next token at *pos, advancing it; false at the end of the string. */
bool cmdline_next(const char **pos, struct cmdline_token *tok);

struct cmdline_report {
	unsigned unknown;   /* options no handler knew */
	unsigned bad;       /* options whose handler refused the value */
};

/* Apply @s to @params[0..n); print and count problems into @rep. */
void cmdline_apply(const char *s, const struct kernel_param *params, size_t n,
		   struct cmdline_report *rep);

/* Apply the boot command line to every registered option. */
void cmdline_parse(const char *s);

/* Problems found in the boot command line (a bad value fails the run). */
extern struct cmdline_report boot_cmdline_report;

#endif

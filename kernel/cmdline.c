/* Kernel command line parsing; see cmdline.h for the rules. */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"

/* weak: a hosted build links no parameter table */
extern const struct kernel_param __kparams_start[] __weak, __kparams_end[] __weak;

struct cmdline_report boot_cmdline_report;

int cmdline_bool(const char *val, size_t len, bool *out)
{
	if (len != 1 || (val[0] != '0' && val[0] != '1'))
		return -EINVAL;
	*out = val[0] == '1';
	return 0;
}

bool cmdline_next(const char **pos, struct cmdline_token *tok)
{
	const char *p = *pos, *eq;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p) {
		*pos = p;
		return false;
	}
	tok->key = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	*pos = p;
	eq = tok->key;
	while (eq < p && *eq != '=')
		eq++;
	tok->key_len = (size_t)(eq - tok->key);
	if (eq < p) {
		tok->val = eq + 1;
		tok->val_len = (size_t)(p - eq - 1);
	} else {
		tok->val = "";
		tok->val_len = 0;
	}
	return true;
}

static const struct kernel_param *find_param(const struct kernel_param *params,
					     size_t n, const char *key,
					     size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(params[i].name) == len &&
		    !memcmp(params[i].name, key, len))
			return &params[i];
	return NULL;
}

/* Has this unknown key already appeared earlier in the same line? */
static bool seen_before(const char *s, const struct cmdline_token *tok)
{
	struct cmdline_token prev;
	const char *pos = s;

	while (cmdline_next(&pos, &prev) && prev.key < tok->key)
		if (prev.key_len == tok->key_len &&
		    !memcmp(prev.key, tok->key, tok->key_len))
			return true;
	return false;
}

void cmdline_apply(const char *s, const struct kernel_param *params, size_t n,
		   struct cmdline_report *rep)
{
	struct cmdline_token tok;
	const char *pos = s;
	/* inside a test the reports belong to its KTAP subtest */
	const char *indent = ktest_current() ? "    " : "";

	while (cmdline_next(&pos, &tok)) {
		const struct kernel_param *p =
			find_param(params, n, tok.key, tok.key_len);

		if (!p) {
			if (!seen_before(s, &tok)) {
				printk("%s# cmdline: unknown option '%.*s' ignored\n",
				       indent, (int)tok.key_len, tok.key);
				rep->unknown++;
			}
			continue;
		}
		if (p->set(tok.val, tok.val_len)) {
			printk("%s# cmdline: bad value '%.*s' for %s (%s); default kept\n",
			       indent, (int)tok.val_len, tok.val, p->name, p->help);
			rep->bad++;
		}
	}
}

void cmdline_parse(const char *s)
{
	cmdline_apply(s, __kparams_start,
		      (size_t)(__kparams_end - __kparams_start),
		      &boot_cmdline_report);
}

#!/bin/sh
# Turn `nm -n` output (stdin) into the kernel's symbol table (assembly on
# stdout): text symbols only, sorted by address, for backtraces.
# With empty input it emits an empty table (first link pass).
awk 'BEGIN { n = 0 }
$2 ~ /^[tTwW]$/ && $3 !~ /^(\.L|__kernel_|__text_)/ {
	addr[n] = $1; name[n] = $3; n++
}
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl ksym_count"
	print "ksym_count:\n\t.quad " n + 0
	print "\t.globl ksym_addrs"
	print "ksym_addrs:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "\t.globl ksym_name_offs"
	print "ksym_name_offs:"
	off = 0
	for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
	print "\t.globl ksym_names"
	print "ksym_names:"
	for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
	print "\t.section .note.GNU-stack, \"\", @progbits"
}'

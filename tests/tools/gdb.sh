#!/bin/sh
# Boot ptlab halted under QEMU's gdb stub and attach gdb with symbols.
# Usage: gdb.sh <arch> <elf> <breakpoint> <filter> <append> <smp> <mem>
# Environment: GDB_BATCH=1 runs non-interactively (commands from GDB_CMDS,
# separated by ';', default "bt") and ends QEMU and gdb after GDB_TIMEOUT
# seconds (default 120); GDBPORT picks the stub's TCP port (default: a free
# one); GDB_CONSOLE is where the kernel's console goes (default
# build/<arch>/gdb-console.log); QEMU_CPU is a -cpu model (e.g.
# qemu64,+la57 for 5-level paging).  gdb loads tests/gdb/ptlab.py (pt-*
# commands).
set -eu
arch=$1 elf=$2 brk=$3 filter=$4 append=$5 smp=$6 mem=$7
dir=$(dirname "$elf")
log=${GDB_CONSOLE:-$dir/gdb-console.log}
limit=${GDB_TIMEOUT:-120}
port=${GDBPORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
args=$append
[ -n "$filter" ] && args="ktest.filter=$filter $args"

case $arch in
x86_64)
	qemu="qemu-system-x86_64 -display none -serial file:$log -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04"
	# gdb must load the 64-bit ELF: QEMU sends 64-bit registers even
	# while the boot stub runs in 32-bit mode.  A hardware breakpoint
	# survives the switch to paging.
	gdb=gdb; command -v gdb >/dev/null || gdb=gdb-multiarch
	bcmd=hbreak ;;
s390x)
	qemu="qemu-system-s390x -M s390-ccw-virtio -display none \
		-serial file:$log -no-reboot"
	gdb=gdb-multiarch
	bcmd=break ;;
*)	echo "gdb.sh: unknown arch $arch" >&2; exit 2 ;;
esac

: > "$log"
# shellcheck disable=SC2086
run_qemu=
[ "${GDB_BATCH:-0}" = 1 ] && run_qemu="timeout $((limit + 5))"
[ -n "${QEMU_CPU:-}" ] && qemu="$qemu -cpu $QEMU_CPU"
$run_qemu $qemu -smp "$smp" -m "$mem" -kernel "$elf" -append "$args" \
	-gdb "tcp:127.0.0.1:$port" -S </dev/null >"$(dirname "$log")/gdb-qemu.log" 2>&1 &
qpid=$!
trap 'kill $qpid 2>/dev/null || true' EXIT INT TERM

helpers=$(dirname "$0")/../gdb/ptlab.py
set -- -q -ex "file $elf" -ex "target remote 127.0.0.1:$port"
[ -f "$helpers" ] && set -- "$@" -ex "source $helpers"
set -- "$@" -ex "$bcmd $brk" -ex continue
if [ "${GDB_BATCH:-0}" = 1 ]; then
	old_ifs=$IFS
	IFS=';'
	for c in ${GDB_CMDS:-bt}; do set -- "$@" -ex "$c"; done
	IFS=$old_ifs
	timeout "$limit" "$gdb" -batch -nx "$@" </dev/null
else
	echo "ptlab: QEMU halted (gdb stub on port $port); console in $log"
	"$gdb" -nx "$@"
fi

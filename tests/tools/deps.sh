#!/bin/sh
# Check that the host tools ptlab needs are present.  As root, install the
# missing Debian packages; otherwise print the exact apt-get line and fail.
# Usage: deps.sh [x86_64|s390x|all] [extra-tool...]
set -u
want=${1:-all}
[ $# -gt 0 ] && shift

# tool:package pairs per need ("-": no command, ask dpkg)
common="make:make python3:python3 gcc:gcc"
x86="qemu-system-x86_64:qemu-system-x86 grub-mkrescue:grub-common -:grub-pc-bin xorriso:xorriso mformat:mtools"
s390="s390x-linux-gnu-gcc:gcc-s390x-linux-gnu qemu-system-s390x:qemu-system-misc hercules:hercules"
debug="gdb-multiarch:gdb-multiarch"

case "$want" in
	x86_64) list="$common $x86" ;;
	s390x) list="$common $s390" ;;
	none) list="" ;;
	*) list="$common $x86 $s390 $debug" ;;
esac
for extra in "$@"; do list="$list $extra"; done

missing=""
for pair in $list; do
	tool=${pair%%:*}
	pkg=${pair#*:}
	command -v "$tool" >/dev/null 2>&1 && continue
	# packages without a command of their own (grub-pc-bin, libclang-rt)
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
		grep -q 'ok installed' && continue
	case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq $missing >&2 && exit 0
	echo "deps: apt-get failed" >&2
	exit 1
fi
echo "deps: missing tools. Install them as root with:" >&2
echo "  apt-get install -y$missing" >&2
exit 1

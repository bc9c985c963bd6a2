#!/bin/bash
# Boot ptlab's flat image on Hercules 3.13 and show the guest console.
#
# Usage: hercules-run.sh <ptlab.bin> <cmdline> <ncpus> <mem-MiB> [timeout-s]
#   ncpus 1..8 (Hercules' limit), timeout default $HERCULES_TIMEOUT or 120.
#
# What it does: makes a temp dir with hercules.cnf (from hercules.cnf.in),
# ptlab.ins (the image at 0, the parameter file at 0x10480: the command
# line as plain ASCII, NUL-terminated, at most 2943 bytes), and a
# hercules.rc that IPLs and quits when a CPU enters a disabled wait
# (hao on HHCCP011I).  Hercules runs under `timeout`.
#
# Output (stdout), streamed line by line:
#   - the guest's console lines, exactly as the kernel printed them;
#     Hercules' own messages (HHCxxnnnX and their indented continuation
#     lines, "CPUnnnn: ..." lines, the banner, the rc-file echo) are
#     dropped;
#   - then exactly one last line, one of:
#       hercules-run: wait-psw <mask> <address> status <pass|fail|panic|other>
#         (the disabled-wait PSW as Hercules printed it, 16 hex digits
#          each; address 0xfff = pass, 0xbad = fail, 0xdead = panic)
#       hercules-run: timeout after <n> s
#       hercules-run: no disabled wait (hercules exit code <n>)
# Exit code: 0 pass (wait address 0xfff), 1 any other disabled wait
# (like QEMU's exit code), 124 timeout, 2 no disabled wait seen / usage.
# HERCULES_LOG=<file> keeps Hercules' complete log there.
set -u

if [ $# -lt 4 ]; then
	sed -n '2,/^set -u/p' "$0" | sed '$d' >&2
	exit 2
fi
bin=$1 cmdline=$2 ncpus=$3 mem=$4
tmo=${5:-${HERCULES_TIMEOUT:-120}}
here=$(cd "$(dirname "$0")" && pwd)

case $ncpus in [1-8]) ;; *) echo "hercules-run: ncpus must be 1..8" >&2; exit 2 ;; esac
case $mem in ''|*[!0-9]*) echo "hercules-run: mem-MiB must be a number" >&2; exit 2 ;; esac
if [ ${#cmdline} -gt 2943 ]; then
	echo "hercules-run: command line longer than 2943 bytes" >&2
	exit 2
fi
[ -r "$bin" ] || { echo "hercules-run: cannot read $bin" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/ptlab-hercules.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
cp "$bin" "$dir/ptlab.bin"
printf '%s\0' "$cmdline" > "$dir/parm.bin"
sed -e "s/@NUMCPU@/$ncpus/g" -e "s/@MAINSIZE@/$mem/g" \
	"$here/hercules.cnf.in" > "$dir/hercules.cnf"
printf 'ptlab.bin 0x00000000\nparm.bin 0x00010480\n' > "$dir/ptlab.ins"
printf 'hao tgt HHCCP011I\nhao cmd quit\nipl ptlab.ins\n' > "$dir/hercules.rc"

# Hercules writes its log line by line even into a pipe, but mawk (Debian's
# awk) fills its whole input buffer before it looks at a record, so the
# console came out in bursts or only when Hercules exited; -W interactive
# makes mawk read its input line by line.  Other awks read pipes unbuffered.
awk=(awk)
awk -W version 2>&1 | grep -q '^mawk' && awk+=(-W interactive)

cd "$dir" || exit 2
# Hercules' log -> guest console lines; awk's exit code says how it ended.
HERCULES_RC=hercules.rc timeout -k 5 "$tmo" hercules -d -f hercules.cnf \
	</dev/null 2>&1 | tee herc.log | "${awk[@]}" '
	BEGIN { rc = 3 }
	# before the rc file IPLs: banner and rc echo
	!started { if ($0 ~ /^ipl ptlab\.ins/) started = 1; next }
	done { next }
	# HHCCP011I: a CPU loaded a disabled wait PSW.  Its "PSW=..." part may
	# come a line or two later (the automatic operator interleaves), and
	# nothing after it is the guest'"'"'s.
	/^HHCCP011I/ { ended = 1 }
	ended {
		if (match($0, /PSW=[0-9A-Fa-f]+ [0-9A-Fa-f]+ [0-9A-Fa-f]+/)) {
			split(substr($0, RSTART + 4, RLENGTH - 4), w, " ")
			addr = toupper(w[3])
			sub(/^0+/, "", addr)
			if (addr == "FFF") { status = "pass"; rc = 0 }
			else if (addr == "BAD") { status = "fail"; rc = 1 }
			else if (addr == "DEAD") { status = "panic"; rc = 1 }
			else { status = "other"; rc = 1 }
			print "hercules-run: wait-psw " w[1] w[2] " " w[3] " status " status
			fflush()
			done = 1
		}
		next
	}
	/^HHC[A-Z][A-Z][0-9][0-9][0-9][A-Z]/ { in_msg = 1; next }
	in_msg && /^          / { next }
	{ in_msg = 0 }
	/^CPU[0-9A-F][0-9A-F][0-9A-F][0-9A-F]: / { next }
	{ print; fflush() }
	END { exit rc }
	'
st=("${PIPESTATUS[@]}")
[ -n "${HERCULES_LOG:-}" ] && cp herc.log "$HERCULES_LOG"
case ${st[2]} in
0|1)	exit "${st[2]}" ;;
esac
if [ "${st[0]}" = 124 ] || [ "${st[0]}" = 137 ]; then
	echo "hercules-run: timeout after $tmo s"
	exit 124
fi
echo "hercules-run: no disabled wait (hercules exit code ${st[0]})"
exit 2

"""An independent oracle for the x86-64 page tables: QEMU's own walk.

The kernel (tests/ktest/x86_64/oracle.c, run with ktest option oracle=1)
prints what it believes is mapped in the address space it has loaded,

    # oracle: map <va> <pa> <flags>        flags: 4 of X P U W or '-'
    # oracle: dump cpu=<n> entries=<count>

and then waits for one line on its serial input.  The runner asks QEMU's
monitor for "info tlb" of that CPU (over QMP), compares the user half of
it with the kernel's list and answers "oracle ok <n>" or "oracle mismatch
<what>".  "info tlb" walks the tables the CPU has in CR3: it cannot see
stale TLB entries, so this checks the tables, not the TLB.
"""

import json
import re
import socket
import time

# The lower canonical half, with 4 or 5 levels (QEMU prints the upper
# half sign-extended): user space is below 2^47, or 2^56 with LA57.
USER_END = 1 << 63
MAP_RE = re.compile(r"#\s*oracle:\s*map\s+(?:0x)?([0-9a-fA-F]+)\s+(?:0x)?([0-9a-fA-F]+)\s+([XPUW-]{4})")
DUMP_RE = re.compile(r"#\s*oracle:\s*dump\s+cpu=(\d+)\s+entries=(\d+)")
# QEMU: "<va>: <pa> XGPDACTUW" (each flag letter or '-')
TLB_RE = re.compile(r"^([0-9a-fA-F]+):\s+([0-9a-fA-F]+)\s+([X-])([G-])([P-])([D-])([A-])([C-])([T-])([U-])([W-])\s*$")


class Qmp:
    def __init__(self, path, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(timeout)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""
        self._read()                      # greeting
        self.call("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise OSError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._read()
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise OSError("QMP %s: %s" % (cmd, r["error"].get("desc")))

    def hmp(self, command, cpu=None):
        args = {"command-line": command}
        if cpu is not None:
            args["cpu-index"] = cpu
        return self.call("human-monitor-command", **args)

    def close(self):
        self.sock.close()


def parse_info_tlb(text):
    """{va: (pa, 'XPUW' flags)} for the user half."""
    out = {}
    for line in text.splitlines():
        m = TLB_RE.match(line.strip())
        if not m:
            continue
        va, pa = int(m.group(1), 16), int(m.group(2), 16)
        if va >= USER_END:
            continue
        flags = m.group(3) + m.group(5) + m.group(10) + m.group(11)
        out[va] = (pa, flags)
    return out


def compare(kernel, qemu):
    """Returns (ok, description)."""
    problems = []
    for va, (pa, flags) in sorted(kernel.items()):
        q = qemu.get(va)
        if q is None:
            problems.append("%#x: kernel maps it, QEMU does not" % va)
        elif q != (pa, flags):
            problems.append("%#x: kernel %#x %s, QEMU %#x %s" % (va, pa, flags, q[0], q[1]))
    for va in sorted(set(qemu) - set(kernel)):
        problems.append("%#x: QEMU sees %#x %s, the kernel does not" % (va, qemu[va][0], qemu[va][1]))
    if problems:
        return False, "%d difference(s): %s" % (len(problems), "; ".join(problems[:4]))
    return True, "%d entries agree" % len(kernel)


class Oracle:
    """Follows the console; answers the kernel's dump requests."""

    def __init__(self, qmp_path, reply, timeout=10.0):
        self.qmp_path = qmp_path
        self.timeout = timeout
        self.reply = reply          # writes a line to the guest's serial input
        self.expected = {}
        self.answers = []           # (ok, description) per dump

    def line(self, text):
        m = MAP_RE.search(text)
        if m:
            self.expected[int(m.group(1), 16)] = (int(m.group(2), 16), m.group(3))
            return
        m = DUMP_RE.search(text)
        if not m:
            return
        cpu, count = int(m.group(1)), int(m.group(2))
        try:
            q = Qmp(self.qmp_path, self.timeout)
            try:
                seen = parse_info_tlb(q.hmp("info tlb", cpu=cpu))
            finally:
                q.close()
            ok, what = compare(self.expected, seen)
            if len(self.expected) != count:
                ok, what = False, "runner read %d map lines, kernel printed %d" % (len(self.expected), count)
        except OSError as e:
            ok, what = False, "QMP: %s" % e
        self.answers.append((ok, what))
        self.expected = {}
        self.reply(("oracle ok %s" % what) if ok else ("oracle mismatch %s" % what))

"""Emulator backends and the process handling shared by the runners.

A backend knows how to prepare a run (``prepare``: e.g. build a per-run
GRUB ISO), the command that boots the kernel (``command``) and how to read
the run's end from the emulator's exit status and output (``status``).
``start`` and ``EmulatorProcess`` run any command with a hard timeout, in
its own process group, streaming stdout and stderr line by line as the data
arrives.
"""

import os
import re
import selectors
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class SetupError(Exception):
    """The run cannot start: missing image or tool, ISO build failure."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind        # "NOT BUILT", "EMULATOR", "SETUP"
        self.message = message


class NotAvailable(Exception):
    """This emulator has no backend yet (a usage error for the runner)."""


@dataclass
class EmuStatus:
    kind: str       # "pass", "fail", "panic", "crash" or "unknown"
    detail: str     # "qemu exited with 3 (fail)"


@dataclass
class RunConfig:
    arch: str = "x86_64"
    emu: str = "qemu"
    boot: str = "direct"
    smp: int = 1
    mem: str = "256M"
    kernel: str = None          # image path; None = the build's default
    cmdline: str = ""           # kernel command line
    extra_args: tuple = ()      # --qemu-arg ...
    timeout: float = 120.0      # the runner's hard timeout, seconds


class Backend:
    name = "emulator"
    binary = None
    # status() reads the console (stdout) too, not only stderr
    status_from_console = False

    def __init__(self, cfg):
        self.cfg = cfg
        self.tmpdir = None

    def label(self):
        return "%s %s smp%d" % (self.cfg.arch, self.cfg.emu, self.cfg.smp)

    def default_kernel(self):
        return REPO / "build" / self.cfg.arch / "ptlab.elf"

    def kernel_path(self):
        if self.cfg.kernel:
            return Path(self.cfg.kernel)
        return self.default_kernel()

    def check(self):
        """Raise SetupError when the image or the emulator is missing."""
        k = self.kernel_path()
        if not k.is_file():
            shown = str(k) if self.cfg.kernel else os.path.relpath(k, REPO)
            raise SetupError("NOT BUILT", "%s does not exist (make ARCH=%s%s)" % (
                shown, self.cfg.arch, " iso" if self.cfg.boot == "iso" else ""))
        if self.binary and not shutil.which(self.binary):
            raise SetupError("EMULATOR", "%s not found in PATH" % self.binary)

    def prepare(self, tmpdir):
        """Per-run files in @tmpdir (removed by the caller afterwards)."""
        self.tmpdir = Path(tmpdir)

    def command(self):
        raise NotImplementedError

    def start(self, timeout, **kw):
        return EmulatorProcess(self.command(), timeout, **kw)

    def status(self, code, lines):
        """EmuStatus from the exit code (None = unknown) and the output.
        Kind "timeout": the emulator's own wrapper gave up (the runner
        reports it as its own timeout)."""
        raise NotImplementedError


def describe_signal(code):
    try:
        return signal.Signals(-code).name
    except ValueError:
        return "signal %d" % -code


class QemuX86(Backend):
    name = "qemu"
    binary = "qemu-system-x86_64"
    CODES = {1: "pass", 3: "fail", 5: "panic"}

    def label(self):
        return "x86_64 %s smp%d" % (self.cfg.boot, self.cfg.smp)

    def prepare(self, tmpdir):
        super().prepare(tmpdir)
        self.iso = None
        if self.cfg.boot != "iso":
            return
        k = self.kernel_path()
        if k.suffix == ".iso":
            if self.cfg.cmdline:
                raise SetupError("SETUP", "cannot pass a command line to a prebuilt ISO (%s); give the ELF" % k)
            self.iso = k
            return
        self.iso = build_iso(k, self.cfg.cmdline, self.tmpdir)

    def command(self):
        c = self.cfg
        cmd = [self.binary, "-display", "none", "-serial", "stdio", "-no-reboot",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-smp", str(c.smp), "-m", c.mem]
        if c.boot == "iso":
            cmd += ["-cdrom", str(self.iso)]
        else:
            cmd += ["-kernel", str(self.kernel_path()), "-append", c.cmdline]
        return cmd + list(c.extra_args)

    def status(self, code, lines):
        if code is None:
            return EmuStatus("unknown", "qemu exit status not known")
        if code < 0:
            return EmuStatus("crash", "qemu killed by %s" % describe_signal(code))
        kind = self.CODES.get(code)
        if kind:
            return EmuStatus(kind, "qemu exited with %d (%s)" % (code, kind))
        if code == 0:
            return EmuStatus("crash", "qemu exited with 0 (triple fault?)")
        if code & 1:
            return EmuStatus("crash", "qemu exited with %d (kernel exit value %d?)" % (code, code >> 1))
        return EmuStatus("crash", "qemu exited with %d" % code)


GRUB_SAFE = re.compile(r"^[A-Za-z0-9_.,=:/+@%-]*$")


def grub_quote(arg):
    if GRUB_SAFE.match(arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"


def build_iso(elf, cmdline, tmpdir):
    """A GRUB rescue ISO that boots @elf with @cmdline (about 0.2 s)."""
    if not shutil.which("grub-mkrescue"):
        raise SetupError("SETUP", "grub-mkrescue not found (apt-get install grub-pc-bin grub-common xorriso mtools)")
    root = Path(tmpdir) / "iso"
    (root / "boot" / "grub").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(elf, root / "boot" / "ptlab.elf")
    args = " ".join(grub_quote(a) for a in shlex.split(cmdline)) if cmdline else ""
    (root / "boot" / "grub" / "grub.cfg").write_text(
        "set timeout=0\nset default=0\nmenuentry \"ptlab\" {\n"
        "\tmultiboot2 /boot/ptlab.elf %s\n\tboot\n}\n" % args)
    iso = Path(tmpdir) / "ptlab.iso"
    p = subprocess.run(["grub-mkrescue", "-o", str(iso),
                        "--install-modules=multiboot2 normal iso9660 biosdisk",
                        "--locales=", "--fonts=", "--themes=", "--compress=no", str(root)],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    if p.returncode != 0 or not iso.is_file():
        out = p.stdout.decode(errors="replace").strip().splitlines()[-5:]
        raise SetupError("SETUP", "grub-mkrescue failed (%d): %s" % (p.returncode, " | ".join(out)))
    return iso


PSW_RE = re.compile(r"PSW:\s*(?:0x)?[0-9a-fA-F]+\s+(?:0x)?([0-9a-fA-F]+)")


class QemuS390x(Backend):
    name = "qemu"
    binary = "qemu-system-s390x"
    WAIT_CODES = {0xfff: "pass", 0xbad: "fail", 0xdead: "panic"}

    def command(self):
        c = self.cfg
        # -d guest_errors makes QEMU print the disabled-wait PSW on stderr
        return [self.binary, "-M", "s390-ccw-virtio", "-nographic", "-no-reboot",
                "-action", "panic=exit-failure", "-d", "guest_errors",
                "-smp", str(c.smp), "-m", c.mem,
                "-kernel", str(self.kernel_path()), "-append", c.cmdline] + list(c.extra_args)

    def status(self, code, lines):
        if code is None:
            return EmuStatus("unknown", "qemu exit status not known")
        if code < 0:
            return EmuStatus("crash", "qemu killed by %s" % describe_signal(code))
        if code == 0:
            return EmuStatus("pass", "qemu exited with 0 (disabled wait 0xfff)")
        addr = None
        for line in lines:
            m = PSW_RE.search(line)
            if m:
                addr = int(m.group(1), 16)
        if addr is None:
            return EmuStatus("crash", "qemu exited with %d, no disabled-wait PSW on stderr" % code)
        kind = self.WAIT_CODES.get(addr)
        if kind and kind != "pass":
            return EmuStatus(kind, "qemu exited with %d, disabled wait 0x%x (%s)" % (code, addr, kind))
        return EmuStatus("crash", "qemu exited with %d, disabled wait at 0x%x" % (code, addr))


MEM_UNITS = {"K": 1.0 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}
HERC_WAIT_RE = re.compile(r"^hercules-run: wait-psw ([0-9A-Fa-f]+) ([0-9A-Fa-f]+) status (\w+)")
HERC_TIMEOUT_RE = re.compile(r"^hercules-run: timeout after (\d+) s")
HERC_NOWAIT_RE = re.compile(r"^hercules-run: no disabled wait \(hercules exit code (-?\d+)\)")


def mem_mib(mem):
    """QEMU-style size ("256M", "3G", "512" = MiB) in whole MiB."""
    unit = mem[-1].upper() if mem and mem[-1].isalpha() else "M"
    number = mem[:-1] if mem and mem[-1].isalpha() else mem
    return int(int(number) * MEM_UNITS[unit])


class Hercules(Backend):
    """Hercules 3.13 through boot/s390x/hercules-run.sh: it writes the
    .cnf/.ins/.rc files, runs Hercules under its own timeout, passes the
    guest console through and ends with one status line, e.g.
    "hercules-run: wait-psw 0002000180000000 0000000000000FFF status pass".
    Hercules itself always exits 0: that line is the exit status."""
    name = "hercules"
    binary = "hercules"
    status_from_console = True
    SCRIPT = REPO / "boot" / "s390x" / "hercules-run.sh"
    MAX_CPUS = 8

    def __init__(self, cfg):
        super().__init__(cfg)
        if not 1 <= cfg.smp <= self.MAX_CPUS:
            raise NotAvailable("--emu hercules: --smp must be 1..%d" % self.MAX_CPUS)
        if cfg.boot != "direct":
            raise NotAvailable("--boot %s is x86_64 only" % cfg.boot)
        if mem_mib(cfg.mem) < 1:
            raise NotAvailable("--emu hercules: --mem must be at least 1M")

    def default_kernel(self):
        return REPO / "build" / "s390x" / "ptlab.bin"

    def kernel_path(self):
        k = super().kernel_path()
        # Hercules loads the flat image: take the .bin next to an ELF
        if k.suffix == ".elf" and k.with_suffix(".bin").is_file():
            return k.with_suffix(".bin")
        return k

    def check(self):
        super().check()
        if not self.SCRIPT.is_file():
            raise SetupError("SETUP", "%s is missing" % self.SCRIPT)

    def command(self):
        c = self.cfg
        # the script's own timeout first, so Hercules is stopped cleanly and
        # the script says so; the runner's hard timeout stays the backstop
        inner = max(1, int(c.timeout) - 3)
        return ["bash", str(self.SCRIPT), str(self.kernel_path()), c.cmdline,
                str(c.smp), str(mem_mib(c.mem)), str(inner)]

    def status(self, code, lines):
        if code is not None and code < 0:
            return EmuStatus("crash", "hercules-run killed by %s" % describe_signal(code))
        for line in reversed(lines):
            m = HERC_WAIT_RE.match(line)
            if m:
                addr = int(m.group(2), 16)
                kind = m.group(3)
                detail = "hercules: disabled wait PSW %s %s (%s)" % (m.group(1), m.group(2), kind)
                if kind in ("pass", "fail", "panic"):
                    if code is not None and (code == 0) != (kind == "pass"):
                        return EmuStatus("crash", "%s, but hercules-run exited with %d" % (detail, code))
                    return EmuStatus(kind, detail)
                return EmuStatus("crash", "hercules: disabled wait at 0x%x" % addr)
            m = HERC_TIMEOUT_RE.match(line)
            if m:
                return EmuStatus("timeout", "hercules-run: timeout after %s s" % m.group(1))
            m = HERC_NOWAIT_RE.match(line)
            if m:
                return EmuStatus("crash", "hercules ended without a disabled wait (exit code %s)" % m.group(1))
        if code == 124:
            return EmuStatus("timeout", "hercules-run: timeout")
        if code is None:
            return EmuStatus("unknown", "hercules-run status not known")
        return EmuStatus("crash", "hercules-run exited with %d without a status line" % code)


def make_backend(cfg):
    if cfg.emu == "hercules":
        if cfg.arch != "s390x":
            raise NotAvailable("--emu hercules runs s390x only")
        return Hercules(cfg)
    if cfg.emu != "qemu":
        raise NotAvailable("unknown emulator %r" % cfg.emu)
    if cfg.arch == "x86_64":
        return QemuX86(cfg)
    if cfg.arch == "s390x":
        if cfg.boot != "direct":
            raise NotAvailable("--boot %s is x86_64 only" % cfg.boot)
        return QemuS390x(cfg)
    raise NotAvailable("unknown architecture %r" % cfg.arch)


class EmulatorProcess:
    """Run @argv in its own process group with a hard timeout.

    ``run(on_line)`` calls ``on_line(text, stream)`` for each line of stdout
    ("out") and stderr ("err") as soon as it is complete.  When on_line
    returns True the run has ended as far as the kernel is concerned: the
    process then gets ``end_grace`` seconds to exit on its own.  ``on_tick``
    (if given) is called at least every ``tick`` seconds while waiting.
    """

    def __init__(self, argv, timeout, end_grace=10.0, tick=None, on_tick=None,
                 stdin_pipe=False):
        self.argv = list(argv)
        self.stdin_pipe = stdin_pipe   # the oracle answers on the console input
        self.timeout = timeout
        self.end_grace = end_grace
        self.tick = tick
        self.on_tick = on_tick
        self.returncode = None
        self.timed_out = False       # the hard timeout fired
        self.stuck = False           # still running end_grace s after the end
        self.elapsed = 0.0
        self.proc = None
        self.start_time = None

    def _kill_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self):
        """Stop the whole process group: SIGTERM, then SIGKILL after 2 s."""
        if self.proc is None:
            return
        self._kill_group(signal.SIGTERM)
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            # Only while the leader is unreaped is its pid surely still
            # this group's id.
            self._kill_group(signal.SIGKILL)
            self.proc.wait()

    def write_stdin(self, text):
        """Send a line to the emulator's console input (serial RX)."""
        if self.proc and self.proc.stdin:
            try:
                self.proc.stdin.write(text.encode() + b"\r")
                self.proc.stdin.flush()
            except OSError:
                pass

    def run(self, on_line):
        self.start_time = time.monotonic()
        try:
            self.proc = subprocess.Popen(self.argv,
                                         stdin=subprocess.PIPE if self.stdin_pipe else subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         start_new_session=True)
        except OSError as e:
            raise SetupError("EMULATOR", "cannot start %s: %s" % (self.argv[0], e.strerror))
        try:
            self._pump(on_line)
        except BaseException:
            self.kill()
            raise
        self.elapsed = time.monotonic() - self.start_time
        return self.returncode

    def _pump(self, on_line):
        sel = selectors.DefaultSelector()
        bufs = {}
        for f, name in ((self.proc.stdout, "out"), (self.proc.stderr, "err")):
            os.set_blocking(f.fileno(), False)
            sel.register(f, selectors.EVENT_READ, name)
            bufs[name] = b""
        deadline = self.start_time + self.timeout
        ended_at = None

        def emit(data, name):
            nonlocal ended_at
            if on_line(data.decode("utf-8", errors="replace"), name) and ended_at is None:
                ended_at = time.monotonic()

        while sel.get_map():
            now = time.monotonic()
            limit = deadline
            if ended_at is not None:
                limit = min(limit, ended_at + self.end_grace)
            if now >= limit:
                if now >= deadline:
                    self.timed_out = True
                else:
                    self.stuck = True
                break
            wait = limit - now
            if self.tick:
                wait = min(wait, self.tick)
            for key, _ in sel.select(wait):
                name = key.data
                try:
                    data = os.read(key.fileobj.fileno(), 65536)
                except BlockingIOError:
                    continue
                if not data:
                    sel.unregister(key.fileobj)
                    if bufs[name]:
                        emit(bufs[name], name)
                        bufs[name] = b""
                    continue
                buf = bufs[name] + data
                *lines, buf = buf.split(b"\n")
                for ln in lines:
                    emit(ln, name)
                if len(buf) > 65536:        # no newline for ages: flush
                    emit(buf, name)
                    buf = b""
                bufs[name] = buf
            if self.on_tick:
                self.on_tick()
        if self.timed_out or self.stuck:
            self.kill()
            # the writers are gone: take what is left in the pipes
            drain_until = time.monotonic() + 1.0
            while sel.get_map() and time.monotonic() < drain_until:
                ready = sel.select(max(0.0, drain_until - time.monotonic()))
                if not ready:
                    break
                for key, _ in ready:
                    try:
                        data = os.read(key.fileobj.fileno(), 65536)
                    except BlockingIOError:
                        continue
                    if not data:
                        sel.unregister(key.fileobj)
                    else:
                        *lines, bufs[key.data] = (bufs[key.data] + data).split(b"\n")
                        for ln in lines:
                            emit(ln, key.data)
            sel.close()
            for name, buf in bufs.items():
                if buf:
                    emit(buf, name)
            self.returncode = self.proc.returncode
            self.proc.stdout.close()
            self.proc.stderr.close()
            return
        sel.close()
        # Both pipes are closed: the emulator is exiting.
        try:
            self.proc.wait(timeout=max(0.1, min(10.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            self.timed_out = time.monotonic() >= deadline
            self.stuck = not self.timed_out
            self.kill()
        self.returncode = self.proc.returncode
        self.proc.stdout.close()
        self.proc.stderr.close()

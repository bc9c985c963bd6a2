# ptlab gdb helpers: look at ptlab's memory management through the kernel's
# own structures.  tests/tools/gdb.sh (`make gdb`) sources this file; by hand:
# `source tests/gdb/ptlab.py`.  `help pt-<name>` describes each command.
#
#   pt-walk <mm> <va> [-k]   one address through mm's page tables, a line per level
#                            (-k: also ask the kernel's mm_translate() and compare)
#   pt-dump <mm> [from to]   every table and run of entries, as mm/pt_dump.c prints
#   pt-buddy                 buddy free lists, per-CPU lists, counters, and checks
#   pt-page <pfn|addr>       a frame's struct page: type, order, type's fields
#   pt-cpus                  per-CPU state: online, hw_id, active_mm, RCU, IPIs, ticks
#   pt-rcu                   grace-period state and every CPU's pending callbacks
#   pt-frag <pfn|addr>       the page-table fragments a page holds (s390x 2 KiB)
#   pt-help                  this list
#   $pt_this_cpu()           the selected vCPU's struct percpu *
#   $pt_mm()                 the address space loaded on it (&init_mm for NULL)
#
# <mm> is a gdb expression for a struct mm or a pointer to one (&init_mm,
# init_mm, percpu_areas[1].active_mm, $pt_mm(), 0xffff80000fc46000); quote it
# if it has spaces.  NULL means init_mm, as active_mm does.  <pfn|addr>: a
# pointer or a number at or above the kernel's virtual base is a kernel
# virtual address, a smaller number a pfn; `pa <expr>` or `pfn <expr>` says
# which.
#
# Where facts come from, most trusted first: the ELF's debug info (struct
# layouts, enums such as PT_PTE..PT_PGD and page_type, array sizes such as
# MAX_ORDER and MAX_CPUS, the kernel's own type_names), then #defines read from
# the kernel's headers in this tree (DIRECT_MAP_BASE, SECTION_SHIFT, X86_*
# bits: see HEADERS), then the level geometry, which is C code in
# arch/<arch>/include/asm/pgtable.h and is mirrored once per architecture in
# the Arch classes below.  Tables are read through the direct map, in the
# selected vCPU's address space, like the kernel reads them.

import os
import re
import struct

import gdb

M64 = (1 << 64) - 1


# --- the kernel's headers ------------------------------------------------

def _find_root():
    """The ptlab source tree: $PTLAB_ROOT, this file's tree, or the cwd."""
    cands = [os.environ.get("PTLAB_ROOT", "")]
    try:
        cands.append(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                  "..", ".."))
    except NameError:
        pass
    cands.append(os.getcwd())
    for c in cands:
        if c and os.path.exists(os.path.join(c, "mm", "page.h")):
            return os.path.realpath(c)
    return os.getcwd()


ROOT = _find_root()
try:
    _THIS = os.path.abspath(__file__)
except NameError:
    _THIS = os.path.join(ROOT, "tests", "gdb", "ptlab.py")

# Headers whose object-like #defines pt-* may read, per architecture.
HEADERS = ("arch/{arch}/include/asm/page.h", "arch/{arch}/include/asm/pgtable.h",
           "mm/page.h", "mm/page_alloc.h", "kernel/percpu.h")

_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)\s+(.*)$")
_SUFFIX = re.compile(r"\b(0[xX][0-9a-fA-F]+|\d+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU])\b")
_IDENT = re.compile(r"\b[A-Za-z_]\w*\b")


def _read_defines(arch):
    """Every object-like #define of HEADERS, as unexpanded text."""
    raw = {}
    for h in HEADERS:
        path = os.path.join(ROOT, h.format(arch=arch))
        try:
            text = open(path).read()
        except OSError:
            continue
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        for line in text.splitlines():
            m = _DEFINE.match(line.split("//")[0])
            if m:
                raw.setdefault(m.group(1), m.group(2).strip())
    return raw


def _eval_define(raw, name, depth=0):
    """The integer value of #define @name, or None if it is not a constant."""
    text = raw.get(name)
    if text is None or depth > 8:
        return None
    expr = _SUFFIX.sub(r"\1", text)
    for ident in set(_IDENT.findall(expr)):
        v = _eval_define(raw, ident, depth + 1)
        if v is None:
            return None
        expr = re.sub(r"\b%s\b" % ident, "(%d)" % v, expr)
    if not re.fullmatch(r"[\s0-9a-fA-FxX()+\-*/%<>&|^~]*", expr):
        return None
    try:
        return eval(expr.replace("/", "//"), {"__builtins__": {}}) & M64
    except Exception:
        return None


# --- reading the kernel through gdb --------------------------------------

def sym(name, file=None):
    """The value of a kernel variable; @file picks among statics of one name."""
    if file:
        for s in gdb.lookup_static_symbols(name):
            if s.symtab and s.symtab.filename.endswith(file):
                return s.value()
    s = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    if s is None:
        raise gdb.GdbError("ptlab: no symbol %s%s in the ELF" %
                           (name, " (%s)" % file if file else ""))
    return s.value()


def u(v):
    """A gdb value (integer or pointer) as an unsigned Python int."""
    return int(v) & M64


def fld(v, name, default=None):
    """Field @name of struct value @v, or @default if this kernel lacks it."""
    t = v.type.strip_typedefs()
    return v[name] if any(f.name == name for f in t.fields()) else default


def lock_held(lock):
    """Is a spinlock_t taken?  (kernel/spinlock.h: 'locked'; ticket locks:
    next != owner.)"""
    if fld(lock, "locked") is not None:
        return u(lock["locked"]) != 0
    if fld(lock, "next") is not None and fld(lock, "owner") is not None:
        return u(lock["next"]) != u(lock["owner"])
    return False


def nelems(v):
    """Number of elements of an array value."""
    lo, hi = v.type.strip_typedefs().range()
    return hi - lo + 1


def enum_names(sample):
    """{value: name} of the enum that the constant @sample belongs to."""
    t = gdb.parse_and_eval(sample).type.strip_typedefs()
    return {f.enumval: f.name for f in t.fields()}


def hexalt(v):
    """printk's %#x: 0 prints as 0, everything else as 0x..."""
    return "%#x" % v if v else "0"


def human(nbytes):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if nbytes >= 1 << shift and nbytes % (1 << shift) == 0:
            return "%d %s" % (nbytes >> shift, unit)
    return "%d bytes" % nbytes


def cpu_list(mask):
    """A cpumask_t as '0-3,5'."""
    words = mask["bits"]
    cpus = [w * 64 + b for w in range(nelems(words))
            for b in range(64) if u(words[w]) >> b & 1]
    out, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else "%d-%d" % (cpus[i], cpus[j]))
        i = j + 1
    return ",".join(out) or "none"


def symbolize(addr):
    out = gdb.execute("info symbol %#x" % addr, to_string=True).strip()
    return out if not out.startswith("No symbol") else "%#x" % addr


def read_words(addr, n, fmt):
    """@n 64-bit words at kernel virtual @addr (byte order @fmt)."""
    try:
        mem = gdb.selected_inferior().read_memory(addr, 8 * n)
    except gdb.MemoryError:
        raise gdb.GdbError("ptlab: cannot read %#x: not mapped in this vCPU's "
                           "current address space (early boot?)" % addr)
    return struct.unpack("%s%dQ" % (fmt, n), bytes(mem))


# --- per-architecture facts ------------------------------------------------

class Arch:
    """What every architecture provides: the direct map, page size, memmap."""
    name = "?"
    page_tables = False    # pt-walk / pt-dump implemented for it

    def __init__(self):
        self.defs = _read_defines(self.name)
        self.page_shift = self.const("PAGE_SHIFT")
        self.page_size = 1 << self.page_shift
        self.section_shift = self.const("SECTION_SHIFT")
        endian = gdb.execute("show endian", to_string=True)
        self.fmt = ">" if "big" in endian else "<"
        # levels as the kernel numbers them (enum PT_PTE..PT_NR_LEVELS)
        try:
            lv = enum_names("PT_PTE")
        except gdb.error:      # a kernel without page tables yet
            lv = {0: "PT_NR_LEVELS"}
        self.nr_levels = max(lv)
        self.level_name = {k: n[3:].lower() for k, n in lv.items()
                           if k < self.nr_levels}
        self.lv = {n: k for k, n in self.level_name.items()}

    def const(self, name, default=None):
        v = _eval_define(self.defs, name)
        if v is None:
            if default is not None:
                return default
            raise gdb.GdbError("ptlab: no constant %s in %s" %
                               (name, ", ".join(HEADERS).format(arch=self.name)))
        return v

    # asm/page.h
    def phys_to_virt(self, pa):
        return (pa + self.direct_map_base) & M64

    def virt_to_phys(self, va):
        return (va - self.direct_map_base) & M64

    def is_kernel_va(self, v):
        return self.direct_map_base and v >= self.direct_map_base

    def not_yet(self, what):
        hdr = "arch/%s/include/asm/pgtable.h" % self.name
        have = os.path.exists(os.path.join(ROOT, hdr))
        raise gdb.GdbError(
            "%s: %s page tables: not yet (%s) - add them to tests/gdb/ptlab.py"
            % (what, self.name, "mirror " + hdr if have else hdr + " is not on main"))


class X86_64(Arch):
    """x86-64 4- or 5-level paging, as arch/x86_64/include/asm/pgtable.h has it."""
    name = "x86_64"
    page_tables = True

    def __init__(self):
        super().__init__()
        self.direct_map_base = self.const("DIRECT_MAP_BASE")
        self.kernel_vma = self.const("KERNEL_VMA")
        # the entry bits pgtable.h names (X86_P, X86_RW, ...: single bits)
        self.bits = {n[4:]: v for n, v in ((n, self.const(n)) for n in self.defs
                     if n.startswith("X86_")) if v and not v & (v - 1)}
        self.addr_mask = self.const("X86_ADDR_MASK")
        self.prot = {n: self.const("PROT_" + n)
                     for n in ("READ", "WRITE", "EXEC", "USER")}
        # entries per table: one page of 8-byte entries
        self.index_bits = (self.page_size // 8).bit_length() - 1

    def virt_to_phys(self, va):
        base = self.kernel_vma if va >= self.kernel_vma else self.direct_map_base
        return (va - base) & M64

    @property
    def la57(self):
        """5-level paging on the selected vCPU: CR4.LA57 (bit 12), or the
        kernel's x86_la57 where the stub shows no CR4."""
        try:
            return bool(int(gdb.parse_and_eval("$cr4")) & (1 << 12))
        except (gdb.error, ValueError):
            return bool(int(gdb.parse_and_eval("x86_la57")))

    @property
    def va_bits(self):
        return 57 if self.la57 else 48

    # the inline functions of pgtable.h, one for one
    def level_shift(self, level):
        # p4d folded: the pgd indexes what a p4d would
        if level == self.lv["pgd"]:
            return self.level_shift(self.lv["p4d"]) + (self.index_bits if self.la57 else 0)
        return self.page_shift + self.index_bits * level

    def level_entries(self, level):
        return 1 << self.index_bits

    def table_bytes(self, level):
        return self.page_size

    def next_level(self, level):
        if level == self.lv["pgd"] and not self.la57:
            return self.lv["pud"]
        return level - 1

    def index(self, level, va):
        return (va >> self.level_shift(level)) & (self.level_entries(level) - 1)

    def va_canon(self, va):
        s = 64 - self.va_bits
        v = (va << s) & M64
        return ((v ^ (1 << 63)) - (1 << 63)) >> s & M64

    def is_none(self, level, e):
        return e == 0

    def _large(self, level, e):
        return level != self.lv["pte"] and e & self.bits["PS"]

    def is_leaf(self, level, e):
        return bool(e & self.bits["P"]) and (level == self.lv["pte"]
                                             or bool(e & self.bits["PS"]))

    def is_table(self, level, e):
        return level != self.lv["pte"] and bool(e & self.bits["P"]) \
            and not e & self.bits["PS"]

    def entry_pa(self, level, e):
        mask = self.addr_mask
        if self._large(level, e):   # bit 12 is PAT in large leaves
            mask &= ~((1 << self.level_shift(level)) - 1)
        return e & mask

    def entry_prot(self, level, e):
        p = self.prot["READ"]
        if e & self.bits["RW"]:
            p |= self.prot["WRITE"]
        if not e & self.bits["NX"]:
            p |= self.prot["EXEC"]
        if e & self.bits["US"]:
            p |= self.prot["USER"]
        return p

    def entry_bits(self, level, e):
        names = [n for n, b in sorted(self.bits.items(), key=lambda x: x[1])
                 if e & b and not (n == "PS" and level == self.lv["pte"])]
        return " ".join(names)

    def prot_str(self, p):
        """mm/pt_dump.c's prot_str()."""
        return "r" + ("w" if p & self.prot["WRITE"] else "-") + \
            ("x" if p & self.prot["EXEC"] else "-") + \
            ("u" if p & self.prot["USER"] else "k")


class S390x(Arch):
    """z/Architecture DAT as arch/s390x/include/asm/pgtable.h has it: levels
    pgd..pte are the region-first, -second, -third, segment and page tables;
    CRSTs of 2048 entries, 2 KiB page tables of 256; invalid entries are not
    zero; the kernel's addresses are real addresses (identity map)."""
    name = "s390x"
    page_tables = True
    SHIFTS = (12, 20, 31, 42, 53)      # pt_level_shift's table

    def __init__(self):
        super().__init__()
        # asm/page.h: phys_to_virt() is the identity
        self.direct_map_base = self.const("DIRECT_MAP_BASE", 0)
        self.va_bits = self.const("PT_VA_BITS")
        c = self.const
        self.pte = {n[9:]: c(n) for n in self.defs if n.startswith("S390_PTE_")}
        self.ste = {n[9:]: c(n) for n in self.defs if n.startswith("S390_STE_")}
        self.rte = {n[9:]: c(n) for n in self.defs if n.startswith("S390_RTE_")}
        self.prot = {n: c("PROT_" + n) for n in ("READ", "WRITE", "EXEC", "USER")}

    def is_kernel_va(self, v):
        return False       # identity: a small number is a pfn, say "pa" else

    def level_shift(self, level):
        return self.SHIFTS[level]

    def level_entries(self, level):
        return 256 if level == self.lv["pte"] else 2048

    def table_bytes(self, level):
        return 2048 if level == self.lv["pte"] else 16384

    def next_level(self, level):
        return level - 1

    def index(self, level, va):
        return (va >> self.level_shift(level)) & (self.level_entries(level) - 1)

    def va_canon(self, va):
        return va & M64

    def _pte(self, level):
        return level == self.lv["pte"]

    def _valid(self, level, e):
        return not e & (self.pte["I"] if self._pte(level) else self.rte["I"])

    def is_none(self, level, e):
        if self._pte(level):
            return e == self.pte["I"]
        return bool(e & self.rte["I"])

    def _large(self, level, e):
        return level == self.lv["pmd"] and bool(e & self.ste["FC"])

    def is_leaf(self, level, e):
        return self._valid(level, e) and (self._pte(level) or self._large(level, e))

    def is_table(self, level, e):
        return not self._pte(level) and self._valid(level, e) and \
            not self._large(level, e)

    def entry_pa(self, level, e):
        if self._pte(level):
            return e & self.pte["ORIGIN"] & M64
        if level == self.lv["pmd"]:
            return e & (self.ste["SFAA"] if self._large(level, e)
                        else self.ste["PT_ORIGIN"]) & M64
        return e & self.rte["ORIGIN"] & M64

    def entry_prot(self, level, e):
        b = self.pte if self._pte(level) else self.ste
        p = self.prot["READ"]
        if not e & b["P"]:
            p |= self.prot["WRITE"]
        if e & b["SW_EXEC"]:
            p |= self.prot["EXEC"]
        if e & b["SW_USER"]:
            p |= self.prot["USER"]
        return p

    def entry_bits(self, level, e):
        if self._pte(level):
            bits = self.pte
        elif level == self.lv["pmd"]:
            bits = self.ste
        else:
            tt = {self.rte["TT_R1"]: "R1", self.rte["TT_R2"]: "R2",
                  self.rte["TT_R3"]: "R3"}.get(e & self.rte["TT_MASK"], "?")
            return ("I " if e & self.rte["I"] else "") + "TT=" + tt + \
                " TL=%d" % (e & 3)
        names = [n for n, b in sorted(bits.items(), key=lambda x: x[1])
                 if b and not b & (b - 1) and e & b]
        return " ".join(names)

    def prot_str(self, p):
        """mm/pt_dump.c's prot_str()."""
        return "r" + ("w" if p & self.prot["WRITE"] else "-") + \
            ("x" if p & self.prot["EXEC"] else "-") + \
            ("u" if p & self.prot["USER"] else "k")


_ARCHES = {"i386:x86-64": X86_64, "s390:64-bit": S390x}
_arch_cache = {}


def arch():
    """The Arch of the program being debugged (built once per session)."""
    name = gdb.selected_inferior().architecture().name()
    if name not in _arch_cache:
        cls = _ARCHES.get(name)
        if cls is None:
            raise gdb.GdbError("ptlab: unknown architecture %s" % name)
        _arch_cache[name] = cls()
    return _arch_cache[name]


# --- struct page (mm/page.h) --------------------------------------------------

def pfn_to_page(pfn):
    """mm/page.h's pfn_to_page(): the struct page value, or None."""
    a = arch()
    memmap = sym("section_memmap")
    sec = pfn >> a.section_shift
    if sec >= nelems(memmap) or u(memmap[sec]) == 0:
        return None
    return (memmap[sec] + pfn).dereference()


def page_type_name(t):
    """The kernel's own names (page_alloc.c type_names), else the enum's."""
    try:
        names = sym("type_names", "mm/page_alloc.c")
        if t < nelems(names):
            return names[t].string()
    except (gdb.error, gdb.MemoryError):
        pass
    return enum_names("PG_HOLE").get(t, "corrupt").lower()


def page_type(name):
    return int(gdb.parse_and_eval("PG_" + name.upper().replace("-", "_")))


def frame_arg(arg, what):
    """Parse '<pfn|addr>', 'pfn <expr>' or 'pa <expr>' into a pfn."""
    a = arch()
    words = arg.split(None, 1)     # the expression keeps its quotes
    if not words:
        raise gdb.GdbError("usage: %s <pfn|address> | pfn <expr> | pa <expr>" % what)
    kind = words[0] if words[0] in ("pfn", "pa", "va") and len(words) > 1 else None
    v = gdb.parse_and_eval(words[1] if kind else arg)
    n = u(v)
    if kind is None:
        t = v.type.strip_typedefs()
        ptr = t.code == gdb.TYPE_CODE_PTR
        tag = t.target().strip_typedefs().tag if ptr else None
        if tag == "page":          # a struct page * names its frame
            return u(v["pfn"])
        if tag == "ptdesc":        # as does ptdesc_page(pt)
            off = u(gdb.parse_and_eval("&((struct page *)0)->pt"))
            pg = gdb.Value(n - off).cast(gdb.lookup_type("struct page").pointer())
            return u(pg["pfn"])
        kind = "va" if ptr or a.is_kernel_va(n) else "pfn"
    if kind == "pfn":
        return n
    return (n if kind == "pa" else a.virt_to_phys(n)) >> a.page_shift


def table_used(va, level):
    """Non-empty entries of the table at @va (level @level)."""
    a = arch()
    n = a.table_bytes(level) // 8
    return sum(not a.is_none(level, e) for e in read_words(va, n, a.fmt))


# --- address spaces (mm/mm.h) ---------------------------------------------------

def mm_arg(expr):
    """A struct mm * from a gdb expression (struct, pointer or number)."""
    v = gdb.parse_and_eval(expr)
    t = v.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_STRUCT:
        v = v.address
    elif t.code != gdb.TYPE_CODE_PTR or \
            t.target().strip_typedefs().tag != "mm":
        v = v.cast(gdb.lookup_type("struct mm").pointer())
    if u(v) == 0:          # active_mm NULL: the kernel's tables
        v = sym("init_mm").address
    return v


def kernel_call(expr_of, scratch=16):
    """Evaluate a call into the kernel, expr_of(scratch_address), on the
    selected vCPU alone (scheduler-locking on).  The scratch buffer for
    out-parameters lies below the stack pointer, which is lowered during
    the call (every ABI's callee then stays below it).  Returns
    (result, scratch bytes)."""
    prev = gdb.selected_frame()
    gdb.newest_frame().select()
    sp = u(gdb.parse_and_eval("$sp"))
    buf = (sp - 128) & ~15
    lock = gdb.parameter("scheduler-locking")
    try:
        gdb.execute("set $sp = %#x" % ((sp - 512) & ~15))
        gdb.execute("set scheduler-locking on")
        res = u(gdb.parse_and_eval(expr_of(buf)))
        data = bytes(gdb.selected_inferior().read_memory(buf, scratch))
    finally:
        gdb.execute("set $sp = %#x" % sp)
        gdb.execute("set scheduler-locking %s" % lock)
        try:
            prev.select()
        except gdb.error:
            pass
    return res, data


# --- commands ----------------------------------------------------------------------

class PtWalk(gdb.Command):
    """Walk one virtual address through an address space's page tables.
Usage: pt-walk <mm> <va> [-k]
One line per level: index, where the entry lives, its value and decoded
bits; then the physical address it translates to.  -k also calls the
kernel's mm_translate() on this vCPU and says whether it agrees."""

    def __init__(self):
        super().__init__("pt-walk", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        check = "-k" in argv
        argv = [x for x in argv if x != "-k"]
        if len(argv) != 2:
            raise gdb.GdbError("usage: pt-walk <mm> <va> [-k]")
        a = arch()
        if not a.page_tables:
            a.not_yet("pt-walk")
        mm = mm_arg(argv[0])
        va = u(gdb.parse_and_eval(argv[1]))
        level = int(mm["top_level"])
        table = u(mm["pgd"])
        if not table:
            raise gdb.GdbError("pt-walk: mm %#x has no top table yet" % u(mm))
        gdb.write("mm %#x va %#018x: top level %s, %s at pa %#x\n" %
                  (u(mm), va, a.level_name[level], a.level_name[level],
                   a.virt_to_phys(table)))
        result = None
        while True:
            i = a.index(level, va)
            (e,) = read_words(table + 8 * i, 1, a.fmt)
            head = "  %-3s[%3d] at pa %#x = %#018x %s" % (
                a.level_name[level], i, a.virt_to_phys(table) + 8 * i, e,
                a.entry_bits(level, e))
            if a.is_table(level, e):
                gdb.write("%s -> table at pa %#x\n" % (head, a.entry_pa(level, e)))
                table = a.phys_to_virt(a.entry_pa(level, e))
                level = a.next_level(level)
                continue
            if a.is_leaf(level, e):
                span = 1 << a.level_shift(level)
                prot = a.entry_prot(level, e)
                result = (a.entry_pa(level, e) + (va & (span - 1)), prot)
                gdb.write("%s -> %s at pa %#x\n" % (
                    head, "page" if level == a.lv["pte"] else human(span) + " page",
                    a.entry_pa(level, e)))
                gdb.write("=> pa %#x (%s leaf, %s, prot %s)\n" % (
                    result[0], a.level_name[level], human(span),
                    a.prot_str(prot)))
            else:
                gdb.write("%s\n=> not mapped (%s %s entry)\n" % (
                    head, "empty" if a.is_none(level, e) else "odd",
                    a.level_name[level]))
            break
        if check:
            self.kernel_check(mm, va, result)

    @staticmethod
    def kernel_check(mm, va, result):
        ok, data = kernel_call(lambda buf: "mm_translate((struct mm *)%#x, %#x, "
                               "(unsigned long *)%#x, (unsigned int *)%#x)" %
                               (u(mm), va, buf, buf + 8))
        fmt = arch().fmt
        pa, prot = struct.unpack(fmt + "QI", data[:12])
        mine = "pa %#x prot %s" % (result[0], arch().prot_str(result[1])) \
            if result else "not mapped"
        kern = "pa %#x prot %s" % (pa, arch().prot_str(prot)) \
            if ok & 0xff else "not mapped"
        gdb.write("kernel mm_translate: %s: %s\n" %
                  (kern, "agrees" if kern == mine else "DISAGREES with " + mine))


class PtDump(gdb.Command):
    """Dump an address space's page tables as the kernel's pt_dump() does.
Usage: pt-dump <mm> [from to]
One line per table (level, pa, pfn, page type, start of what it covers)
and one per run of entries mapping consecutive memory with the same
permissions.  Without a range: everything (the kernel's pt_dump(mm, 0, 0)).
The output matches mm/pt_dump.c line for line."""

    def __init__(self):
        super().__init__("pt-dump", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if len(argv) not in (1, 3):
            raise gdb.GdbError("usage: pt-dump <mm> [from to]")
        a = arch()
        if not a.page_tables:
            a.not_yet("pt-dump")
        mm = mm_arg(argv[0])
        frm, to = (u(gdb.parse_and_eval(x)) for x in argv[1:]) \
            if len(argv) == 3 else (0, 0)
        for line in pt_dump_lines(mm, frm, to):
            gdb.write(line + "\n")


def pt_dump_lines(mm, frm, to):
    """mm/pt_dump.c, statement for statement, returning the lines."""
    a = arch()
    out = []
    run = {"count": 0}

    def run_flush():
        if not run["count"]:
            return
        out.append("%s[%016x-%016x) %d x %s %s -> pa %s" % (
            " " * run["indent"], a.va_canon(run["start"]),
            (a.va_canon((run["end"] - 1) & M64) + 1) & M64, run["count"],
            "page" if run["level"] == a.lv["pte"] else "huge",
            a.prot_str(run["prot"]), hexalt(run["pa"])))
        run["count"] = 0

    def run_add(va, span, pa, level, prot, indent):
        r = run
        if r["count"] and r["end"] == va and r["level"] == level and \
                r["prot"] == prot and r["indent"] == indent and \
                r["pa"] + (r["end"] - r["start"]) == pa:
            r["end"] += span
            r["count"] += 1
            return
        run_flush()
        run.update(start=va, end=va + span, pa=pa, level=level, prot=prot,
                   indent=indent, count=1)

    def dump_table(table, level, base, frm, last, indent):
        span = 1 << a.level_shift(level)
        pa = a.virt_to_phys(table)
        pg = pfn_to_page(pa >> a.page_shift)
        run_flush()
        out.append("%s%s table at pa %s (pfn %s, %s) covering %016x" % (
            " " * indent, a.level_name[level], hexalt(pa),
            hexalt(u(pg["pfn"])) if pg is not None else "0",
            page_type_name(int(pg["type"])) if pg is not None else "?",
            a.va_canon(base)))
        n = a.level_entries(level)
        for i, e in enumerate(read_words(table, n, a.fmt)):
            va = (base + i * span) & M64
            if va < base or va > last:
                break
            if va + span - 1 < frm or a.is_none(level, e):
                continue
            if a.is_leaf(level, e):
                run_add(va, span, a.entry_pa(level, e), level,
                        a.entry_prot(level, e), indent + 2)
            elif a.is_table(level, e):
                dump_table(a.phys_to_virt(a.entry_pa(level, e)),
                           a.next_level(level), va, frm, last, indent + 2)
            else:
                run_flush()
                out.append("%s[%016x] odd entry %s" % (" " * (indent + 2), va,
                                                       hexalt(e)))
        run_flush()

    if not u(mm["pgd"]):
        raise gdb.GdbError("pt-dump: mm %#x has no top table yet" % u(mm))
    mask = M64 if a.va_bits == 64 else (1 << a.va_bits) - 1
    nr = "/".join(str(int(mm["nr_tables"][i])) for i in range(a.nr_levels))
    out.append("pt_dump of mm %s [%016x-%016x), %s tables (%s..%s)" % (
        hexalt(u(mm)), frm, to, nr, a.level_name[0],
        a.level_name[a.nr_levels - 1]))
    dump_table(u(mm["pgd"]), int(mm["top_level"]), 0, frm & mask,
               (to - 1) & M64 & mask, 0)
    return out


class PtBuddy(gdb.Command):
    """The buddy allocator: free blocks per order, per-CPU lists, counters.
Usage: pt-buddy
Walks every free list (struct page.free) and checks it against area[o].nr,
checks that the sum of blocks x 2^order equals zone.nr_free, and prints
what nr_free_pages() would return (buddy lists plus per-CPU lists)."""

    LIST_CAP = 100000   # list nodes walked per order before giving up

    def __init__(self):
        super().__init__("pt-buddy", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        a = arch()
        zone = sym("zone", "mm/page_alloc.c")
        pcps = sym("pcps", "mm/page_alloc.c")
        page_p = gdb.lookup_type("struct page").pointer()
        off = u(gdb.parse_and_eval("&((struct page *)0)->free"))
        buddy = page_type("buddy")
        nr_free = u(zone["nr_free"])
        gdb.write("buddy allocator (mm/page_alloc.c zone): nr_free %d pages "
                  "(%d KiB)%s\n" % (nr_free, nr_free * a.page_size >> 10,
                                    ", zone.lock HELD: may be mid-update"
                                    if lock_held(zone["lock"]) else ""))
        gdb.write("  order  block     blocks      pages  list\n")
        total, bad = 0, 0
        for o in range(nelems(zone["area"])):
            area = zone["area"][o]
            nr = u(area["nr"])
            head = u(area["list"].address)
            node, walked, wrong = u(area["list"]["next"]), 0, 0
            try:
                while node and node != head and walked < self.LIST_CAP:
                    pg = gdb.Value(node - off).cast(page_p).dereference()
                    if int(pg["type"]) != buddy or int(pg["order"]) != o:
                        wrong += 1
                    walked += 1
                    node = u(pg["free"]["next"])
            except gdb.MemoryError:
                node = None
            if not node:
                note, bad = "list unreadable (not set up yet?)", bad + 1
            elif node != head:
                note = "not walked to the end"
            elif walked != nr:
                note, bad = "%d on the list: MISMATCH" % walked, bad + 1
            else:
                note = "ok"
            if wrong:
                note += ", %d not buddy/order %d: BAD" % (wrong, o)
                bad += 1
            total += nr << o
            gdb.write("  %5d  %8s %8d %10d  %s\n" % (
                o, human(a.page_size << o), nr, nr << o, note))
        ok = total == nr_free
        bad += not ok
        gdb.write("  sum of blocks x 2^order = %d pages: %s nr_free %d\n" %
                  (total, "matches" if ok else "DOES NOT MATCH", nr_free))
        pcp_total, cpus = 0, []
        for c in range(nelems(pcps)):
            n = u(pcps[c]["count"])
            pcp_total += n
            if n:
                cpus.append("cpu%d %d" % (c, n))
        gdb.write("per-CPU lists: %d pages (%s)\n" % (pcp_total,
                                                     ", ".join(cpus) or "empty"))
        gdb.write("free pages: %d (= nr_free_pages(): buddy %d + per-CPU %d)\n" %
                  (nr_free + pcp_total, nr_free, pcp_total))
        st = sym("page_alloc_stats")
        gdb.write("page_alloc_stats: ram_pages %d reserved_pages %d "
                  "handed_over %d (%d KiB) memmap %d KiB in %d sections\n" % (
                      u(st["ram_pages"]), u(st["reserved_pages"]),
                      u(st["handed_over"]),
                      u(st["handed_over"]) * a.page_size >> 10,
                      u(st["memmap_bytes"]) >> 10, u(st["sections"])))
        gdb.write("  boot_free per order: %s\n" % " ".join(
            str(u(st["boot_free"][o])) for o in range(nelems(st["boot_free"]))))
        gdb.write("buddy check: %s\n" % ("ok" if not bad else
                                         "%d problem(s)" % bad))


class PtPage(gdb.Command):
    """The struct page of a frame (mm/page.h), found as pfn_to_page() does.
Usage: pt-page <pfn|address> | pt-page pfn <expr> | pt-page pa <expr>
A struct page * or struct ptdesc * names its own frame.
Prints its type, order, flags and the fields of its type: ptdesc (level,
owner mm, tables, lock) for page tables, cache and objects for slabs,
mapcount for user pages, the allocating caller for kernel pages."""

    def __init__(self):
        super().__init__("pt-page", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        a = arch()
        pfn = frame_arg(arg, "pt-page")
        pg = pfn_to_page(pfn)
        if pg is None:
            raise gdb.GdbError("pt-page: pfn %#x has no memmap (no RAM)" % pfn)
        t = int(pg["type"])
        name = page_type_name(t)
        flags = u(pg["flags"])
        fl = [n[4:].lower() for n in a.defs if n.startswith("PGF_")
              and flags & a.const(n)]
        gdb.write("pfn %#x (pa %#x) struct page at %#x: type %s (%d), order %d, "
                  "flags %#x%s\n" % (pfn, pfn << a.page_shift, u(pg.address),
                                     name, t, int(pg["order"]), flags,
                                     " (%s)" % " ".join(fl) if fl else ""))
        if u(pg["pfn"]) != pfn:
            gdb.write("  page->pfn is %#x: memmap CORRUPT\n" % u(pg["pfn"]))
        getattr(self, "show_" + name.replace("-", "_"), lambda p, q: None)(pg, pfn)

    def show_pgtable(self, pg, pfn):
        a = arch()
        pt = pg["pt"]
        level = int(pt["level"])
        mm = u(pt["mm"])
        if level == a.const("PT_CACHED"):
            gdb.write("  ptdesc: free, in a CPU's table cache (level PT_CACHED)\n")
            return
        owner = "%#x" % mm if mm else "NULL (the kernel's tables)"
        used = table_used(a.phys_to_virt(pfn << a.page_shift), level) \
            if level in a.level_name else "?"
        gdb.write("  ptdesc: level %s, mm %s, nr_tables %d, ptl %s, "
                  "%s of %d entries used\n" % (
                      a.level_name.get(level, "corrupt(%d)" % level), owner,
                      int(pt["nr_tables"]),
                      "locked" if lock_held(pt["ptl"]) else "free", used,
                      a.table_bytes(level) // 8 if level in a.level_name else 0))

    def show_slab(self, pg, pfn):
        s = pg["slab"]
        cache = s["cache"]
        if not u(cache):
            gdb.write("  slab: large kmalloc block of %d pages\n" %
                      (1 << int(pg["order"])))
            return
        c = cache.dereference()
        used = s["used"]
        gdb.write("  slab: cache %#x (%d-byte objects, %d per slab), inuse %d, "
                  "bitmap %s\n" % (u(cache), u(c["size"]), u(c["capacity"]),
                                   u(s["inuse"]), " ".join(
                                       "%016x" % u(used[i]) for i in range(nelems(used)))))

    def show_user(self, pg, pfn):
        gdb.write("  user page: mapcount %d\n" % u(pg["user"]["mapcount"]))

    def show_kernel(self, pg, pfn):
        gdb.write("  alloc_pages() block of %d pages, allocated by %s\n" % (
            1 << int(pg["order"]), symbolize(u(pg["alloc_caller"]))))

    def show_tail(self, pg, pfn):
        head = u(pg["head_pfn"])
        hp = pfn_to_page(head)
        gdb.write("  tail of the block at pfn %#x (%s, order %d)\n" % (
            head, page_type_name(int(hp["type"])) if hp is not None else "?",
            int(hp["order"]) if hp is not None else -1))

    def show_buddy(self, pg, pfn):
        gdb.write("  free block of %d pages [pfn %#x-%#x) on the order-%d list\n" % (
            1 << int(pg["order"]), pfn, pfn + (1 << int(pg["order"])),
            int(pg["order"])))

    def show_buddy_tail(self, pg, pfn):
        zone = sym("zone", "mm/page_alloc.c")
        for o in range(1, nelems(zone["area"])):
            head = pfn & ~((1 << o) - 1)
            hp = pfn_to_page(head)
            if hp is not None and int(hp["type"]) == page_type("buddy") \
                    and int(hp["order"]) == o:
                gdb.write("  inside the free order-%d block at pfn %#x\n" % (o, head))
                return
        gdb.write("  inside a free block whose head is not on a list "
                  "(being split or merged)\n")

    def show_pcp(self, pg, pfn):
        gdb.write("  free order-0 page on a CPU's per-CPU list\n")


class PtCpus(gdb.Command):
    """Per-CPU state: struct percpu and kernel/smp.c's counters.
Usage: pt-cpus
Every CPU the kernel set up: online, hw_id (APIC ID / CPU address),
active_mm, RCU nesting and whether a grace period waits for it, trap depth,
the test it runs, IPIs sent/received per kind, cross-calls run, ticks, and
its per-CPU page list.  '*' marks the vCPU gdb has selected."""

    def __init__(self):
        super().__init__("pt-cpus", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        areas = sym("percpu_areas")
        smp = sym("smp_cpus", "kernel/smp.c")
        pcps = sym("pcps", "mm/page_alloc.c")
        kinds = {k: n[4:].lower() for k, n in enum_names("IPI_CALL").items()
                 if n != "IPI_NR"}
        me = this_cpu_index()
        online = 0
        gdb.write(" %3s %5s %-6s %-18s %12s %5s %9s / %-14s %6s %6s %3s  %s\n" % (
            "cpu", "hw_id", "online", "active_mm", "rcu nest,qs", "traps",
            "IPIs sent", "received", "calls",
            "ticks", "pcp", "test"))
        for c in range(nelems(areas)):
            pc = areas[c]
            if c and not u(pc["self"]) and not pc["online"]:
                continue
            st = smp[c]["stats"]
            online += bool(pc["online"])
            test = u(pc["cur_test"])
            tname = "-"
            if test:
                t = pc["cur_test"].dereference()
                try:
                    tname = "%s.%s" % (t["suite"]["name"].string(),
                                       t["tcase"]["name"].string())
                except (gdb.error, gdb.MemoryError):
                    tname = "%#x" % test
            amm = u(fld(pc, "active_mm", 0))
            gdb.write("%s%3d %5d %-6s %-18s %4d,%-7s %5d %9s / %-14s %6d %6d %3d  %s\n" % (
                "*" if c == me else " ", c, u(pc["hw_id"]),
                "yes" if pc["online"] else "no",
                "%#x" % amm if amm else "init_mm",
                int(fld(pc, "rcu_nesting", 0)),
                "wanted" if fld(pc, "rcu_qs_wanted", False) else "-",
                int(fld(pc, "trap_depth", 0)),
                "+".join(str(u(st["sent"][k])) for k in kinds),
                "+".join(str(u(st["received"][k])) for k in kinds),
                u(st["calls_run"]), u(st["ticks"]), u(pcps[c]["count"]), tname))
        gdb.write("%d CPUs online (nr_cpus_online %d of nr_cpus_possible %d, "
                  "cpu_online_mask %s); IPIs by kind: %s\n" % (
                      online, u(sym("nr_cpus_online")),
                      u(sym("nr_cpus_possible")), cpu_list(sym("cpu_online_mask")),
                      "+".join(kinds.values())))
        if not online:
            gdb.write("(before smp_init: no CPU is marked online yet; the boot CPU "
                      "runs, and nr_cpus_online counts it from the start)\n")


def this_cpu_index():
    """The kernel's CPU number of gdb's selected vCPU, or None."""
    areas = sym("percpu_areas")
    base, size = u(areas.address), areas[0].type.sizeof
    try:                       # x86-64: this_cpu() is %gs:0 = the GS base
        gs = u(gdb.parse_and_eval("$gs_base"))
        if base <= gs < base + size * nelems(areas):
            return (gs - base) // size
    except gdb.error:
        pass
    th = gdb.selected_thread()  # QEMU: thread n is vCPU n-1 = hw id n-1
    if th is None:
        return None
    for c in range(nelems(areas)):
        if (u(areas[c]["self"]) or c == 0) and u(areas[c]["hw_id"]) == th.num - 1:
            return c
    return None


class PtRcu(gdb.Command):
    """RCU state (kernel/rcu.c): grace periods and queued callbacks.
Usage: pt-rcu
gp_seq (odd while a grace period runs), gp_seq_needed, the CPUs a grace
period still waits for (qs_mask), and per CPU the callbacks in its next,
wait and done segments with the gp_seq each waits for."""

    def __init__(self):
        super().__init__("pt-rcu", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        r = sym("rcu", "kernel/rcu.c")
        cpus = sym("rcu_cpus", "kernel/rcu.c")
        areas = sym("percpu_areas")
        seq = u(r["gp_seq"])
        gdb.write("rcu: gp_seq %d (%s, %d grace periods completed), gp_seq_needed %d%s\n" % (
            seq, "grace period in progress since %d ms" % u(r["gp_start_ms"])
            if seq & 1 else "idle", seq >> 1, u(r["gp_seq_needed"]),
            ", rcu.lock HELD" if lock_held(r["lock"]) else ""))
        gdb.write("  waiting for quiescent states from: %s; idle waiters: %s%s\n" % (
            cpu_list(r["qs_mask"]), cpu_list(r["waiters"]),
            "; stall reported" if r["stall_reported"] else ""))
        gdb.write("  cpu  next(n@seq)  wait(n@seq)  done  nesting qs_wanted last_tick_ms\n")
        total = 0
        for c in range(nelems(cpus)):
            rc, pc = cpus[c], areas[c]
            n = [u(rc[s]["n"]) for s in ("next", "wait", "done")]
            if not sum(n) and not pc["online"]:
                continue
            total += sum(n)
            gdb.write("  %3d %6d@%-5d %6d@%-5d %5d %7d %-9s %d\n" % (
                c, n[0], u(rc["next_seq"]), n[1], u(rc["wait_seq"]), n[2],
                int(fld(pc, "rcu_nesting", 0)),
                "yes" if fld(pc, "rcu_qs_wanted", False) else "no",
                u(rc["last_tick_ms"])))
        gdb.write("pending callbacks: %d\n" % total)
        st = sym("rcu_stats")
        gdb.write("rcu_stats: %s; rcu_stall_ms %d%s\n" % (
            " ".join("%s %d" % (f.name, u(st[f.name])) for f in st.type.fields()),
            u(sym("rcu_stall_ms")), ", rcu.broken=1" if sym("rcu_broken") else ""))


class PtFrag(gdb.Command):
    """Page-table fragments in one page (s390x shares a page between two
2 KiB page tables).
Usage: pt-frag <pfn|address>
Shows the ptdesc's level, owner and nr_tables, the page split into slots of
the level's table size (pt_table_bytes), how many entries each slot uses,
and (s390x, arch/s390x/pgalloc.c) each 2 KiB half's state from
ptdesc->frag_mask: a live table, free on the fragment list, waiting for a
grace period (pending), or freed during one and waiting for the next."""

    def __init__(self):
        super().__init__("pt-frag", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        a = arch()
        pfn = frame_arg(arg, "pt-frag")
        pg = pfn_to_page(pfn)
        if pg is None or int(pg["type"]) != page_type("pgtable"):
            raise gdb.GdbError("pt-frag: pfn %#x is not a page-table page (%s)" % (
                pfn, page_type_name(int(pg["type"])) if pg is not None else "no memmap"))
        pt = pg["pt"]
        level = int(pt["level"])
        if level not in a.level_name:
            gdb.write("pfn %#x: ptdesc level %d: not in use (table cache)\n" %
                      (pfn, level))
            return
        bytes_ = a.table_bytes(level)
        block = a.page_size << int(pg["order"])
        slots = max(1, block // bytes_)
        mm = u(pt["mm"])
        gdb.write("pfn %#x: %s table page, mm %s, nr_tables %d; %d slot(s) of %s\n" % (
            pfn, a.level_name[level], "%#x" % mm if mm else "NULL (kernel)",
            int(pt["nr_tables"]), slots, human(bytes_)))
        va = a.phys_to_virt(pfn << a.page_shift)
        mask = int(fld(pt, "frag_mask", 0)) if slots == 2 else 0
        for s in range(slots):
            state = ""
            if slots == 2:
                # mm/page.h PT_FRAG_*: used, pending, next, listed per half
                bits = [(0x01, "table"), (0x04, "pending rcu"),
                        (0x10, "waits for the next gp"), (0x40, "free, listed")]
                names = [n for b, n in bits if mask & (b << s)]
                state = " [%s]" % (", ".join(names) or "free")
            if slots == 2 and not mask & (0x01 << s):
                # a free half holds the list node, not entries
                gdb.write("  slot %d at pa %#x%s\n" % (
                    s, (pfn << a.page_shift) + s * bytes_, state))
                continue
            gdb.write("  slot %d at pa %#x: %d of %d entries used%s\n" % (
                s, (pfn << a.page_shift) + s * bytes_,
                table_used(va + s * bytes_, level), bytes_ // 8, state))
        if slots == 1:
            gdb.write("  (%s: one table per page; fragments are an s390x matter)\n"
                      % a.name)


class PtHelp(gdb.Command):
    """List the ptlab gdb commands."""

    def __init__(self):
        super().__init__("pt-help", gdb.COMMAND_SUPPORT)

    def invoke(self, arg, from_tty):
        head = open(_THIS).read().split("\n\n")[0]
        gdb.write("\n".join(l[2:] for l in head.splitlines()) + "\n")


class ThisCpu(gdb.Function):
    """$pt_this_cpu(): the selected vCPU's struct percpu * (this_cpu())."""

    def __init__(self):
        super().__init__("pt_this_cpu")

    def invoke(self):
        c = this_cpu_index()
        if c is None:
            raise gdb.GdbError("$pt_this_cpu: cannot tell which CPU this is")
        return sym("percpu_areas")[c].address


class CurrentMm(gdb.Function):
    """$pt_mm(): the address space loaded on the selected vCPU (init_mm if none)."""

    def __init__(self):
        super().__init__("pt_mm")

    def invoke(self):
        return mm_arg("$pt_this_cpu()->active_mm")


for _c in (PtWalk, PtDump, PtBuddy, PtPage, PtCpus, PtRcu, PtFrag, PtHelp,
           ThisCpu, CurrentMm):
    _c()

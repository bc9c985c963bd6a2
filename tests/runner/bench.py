#!/usr/bin/env python3
"""Run the manual `bench` suite on each configuration and print the figures.

    bench.py [--arch x86_64 --arch s390x] [--smp 4] [--json FILE]
             [--baseline FILE]
    bench.py --compare OLD.json NEW.json

The kernel's bench cases compare design variants inside one boot and
report counts and time ratios (tests/ktest/bench.c); this prints them side
by side, one column per configuration.  With --baseline (a --json file
from an earlier run, e.g. of main before your change) each figure is
followed by its change; --compare does that for two saved files without
booting anything.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def run(arch, smp, emu, timeout):
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as f:
        path = f.name
    try:
        cmd = [sys.executable, str(HERE / "ptrun.py"), "--arch", arch, "--emu", emu,
               "--smp", str(smp), "--filter", "bench", "--timeout", str(timeout),
               "--metrics", path]
        rc = subprocess.call(cmd, cwd=REPO, stdin=subprocess.DEVNULL)
        metrics = {}
        with open(path) as f:
            for line in f:
                m = json.loads(line)
                metrics[m["key"]] = (m["raw"], m.get("unit", ""))
        return rc, metrics
    finally:
        os.unlink(path)


def number(text):
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return None if v != v else v     # nan: compared as text


def change(old, new):
    """How @new (text) differs from @old (text): '', '=', '+12%', 'new'."""
    if old is None:
        return "new"
    a, b = number(old), number(new)
    if a is None or b is None:
        return "=" if old == new else "was %s" % old
    if a == b:
        return "="
    if a == 0:
        return "was 0"
    return "%+.0f%%" % ((b - a) * 100.0 / abs(a))


def print_table(columns, baseline=None):
    """columns: {config: {metric: (value, unit)}}; baseline: {config:
    {metric: value}} or None.  Returns the number of figures that changed."""
    names = sorted({n for m in columns.values() for n in m} |
                   {n for m in (baseline or {}).values() for n in m})
    width = max([len(n) for n in names] + [10])
    cell = 26 if baseline is not None else 18
    changed = 0
    print("%-*s  %s" % (width, "metric", "  ".join("%*s" % (cell, c) for c in columns)))
    for n in names:
        cells = []
        for c, m in columns.items():
            v = m.get(n)
            text = "-" if v is None else ("%s %s" % v).strip()
            if baseline is not None:
                old = baseline.get(c, {}).get(n)
                if v is None and old is None:
                    d = ""
                elif v is None:
                    d = "gone"
                else:
                    d = change(old, v[0])
                changed += d not in ("", "=")
                text += " (%s)" % d if d else ""
            cells.append("%*s" % (cell, text.strip()))
        print("%-*s  %s" % (width, n, "  ".join(cells)))
    return changed


def load(path):
    with open(path) as f:
        return json.load(f)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", action="append", choices=("x86_64", "s390x"))
    ap.add_argument("--smp", type=int, default=4)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--json", help="also write {config: {metric: value}} here")
    ap.add_argument("--baseline", metavar="FILE",
                    help="an earlier --json file: show each figure's change")
    ap.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"),
                    help="compare two --json files, boot nothing")
    args = ap.parse_args(argv)
    arches = args.arch or ["x86_64", "s390x"]

    if args.compare:
        old, new = (load(p) for p in args.compare)
        changed = print_table({c: {n: (v, "") for n, v in m.items()}
                               for c, m in new.items()}, old)
        print("\nbench: %d figure(s) changed" % changed)
        return 0
    baseline = load(args.baseline) if args.baseline else None

    columns, failed = {}, []
    for arch in arches:
        label = "%s smp%d" % (arch, args.smp)
        print("== bench: %s" % label, flush=True)
        rc, metrics = run(arch, args.smp, "qemu", args.timeout)
        if rc:
            failed.append(label)
        columns[label] = metrics

    print()
    changed = print_table(columns, baseline)
    if baseline is not None:
        print("\nbench: %d figure(s) changed against %s" % (changed, args.baseline))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({c: {n: v[0] for n, v in m.items()} for c, m in columns.items()}, f,
                      indent=1)
    if failed:
        print("\nbench: runs failed: %s" % ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Run the manual `bench` suite on each configuration and print the figures.

    bench.py [--arch x86_64 --arch s390x] [--smp 4] [--json FILE]

The kernel's bench cases compare design variants inside one boot and
report counts and time ratios (tests/ktest/bench.c); this prints them side
by side, one column per configuration.
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", action="append", choices=("x86_64", "s390x"))
    ap.add_argument("--smp", type=int, default=4)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--json", help="also write {config: {metric: value}} here")
    args = ap.parse_args(argv)
    arches = args.arch or ["x86_64", "s390x"]

    columns, failed = {}, []
    for arch in arches:
        label = "%s smp%d" % (arch, args.smp)
        print("== bench: %s" % label, flush=True)
        rc, metrics = run(arch, args.smp, "qemu", args.timeout)
        if rc:
            failed.append(label)
        columns[label] = metrics

    names = sorted({n for m in columns.values() for n in m})
    width = max([len(n) for n in names] + [10])
    print()
    print("%-*s  %s" % (width, "metric", "  ".join("%18s" % c for c in columns)))
    for n in names:
        cells = []
        for c in columns.values():
            v = c.get(n)
            cells.append("%18s" % ("-" if v is None else "%s %s" % v))
        print("%-*s  %s" % (width, n, "  ".join(cells)))
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

#!/usr/bin/env python3
"""Write compile_commands.json for clangd: compdb.py ARCH CC_CMD AS_CMD SRC..."""
import json
import os
import shlex
import sys


def main():
    arch, cc_cmd, as_cmd, *srcs = sys.argv[1:]
    root = os.getcwd()
    out = []
    for src in srcs:
        base = as_cmd if src.endswith(".S") else cc_cmd
        obj = f"build/{arch}/{os.path.splitext(src)[0]}.o"
        out.append({
            "directory": root,
            "file": src,
            "arguments": shlex.split(base) + ["-c", src, "-o", obj],
        })
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

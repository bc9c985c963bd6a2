#!/usr/bin/env python3
"""Write compile_commands.json for clangd: compdb.py ARCH SRC...

The compile commands come from $COMPDB_CC and $COMPDB_AS (the Makefile
exports them), as a shell would split them."""
import json
import os
import shlex
import sys


def main():
    arch, *srcs = sys.argv[1:]
    cc_cmd, as_cmd = os.environ["COMPDB_CC"], os.environ["COMPDB_AS"]
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

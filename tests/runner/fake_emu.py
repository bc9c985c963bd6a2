#!/usr/bin/env python3
"""A stand-in emulator for the runner's own tests (ptrun.py --command).

    fake_emu.py LOG [--exit N] [--hang S] [--stderr TEXT] [--pidfile F]

Prints LOG to stdout as a console would, optionally a line on stderr, then
either exits with N or hangs for S seconds (with a child process in the same
process group, whose pid goes to F, to check that the runner kills the group).
"""
import argparse
import os
import subprocess
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("log")
p.add_argument("--exit", type=int, default=1)
p.add_argument("--hang", type=float, default=0)
p.add_argument("--stderr")
p.add_argument("--pidfile")
a = p.parse_args()

with open(a.log, "rb") as f:
    data = f.read()
sys.stdout.buffer.write(data)
sys.stdout.buffer.flush()
if a.stderr:
    sys.stderr.write(a.stderr + "\n")
    sys.stderr.flush()
if a.hang:
    child = subprocess.Popen(["sleep", str(a.hang)])
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d %d\n" % (os.getpid(), child.pid))
    time.sleep(a.hang)
sys.exit(a.exit)

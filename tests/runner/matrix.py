#!/usr/bin/env python3
"""Run the runner's self-tests, then every run of a test matrix file.

    matrix.py tests/matrix.txt [--only SUBSTRING] [--no-selftests] [--list]

Each non-comment line of the matrix file holds ptrun.py arguments, or, after
a '!', a shell command (hosted tests, the fuzzer) that passes when it exits
0.  Runs go one after the other with their progress on the terminal; the
last line sums everything up, and the exit status is 1 if anything failed.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PTRUN = HERE / "ptrun.py"


def read_matrix(path):
    runs = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.lstrip().startswith("!"):
                cmd = line.lstrip()[1:].strip()
                runs.append((n, "!" + cmd, None))
                continue
            try:
                words = shlex.split(line, comments=True)
            except ValueError as e:
                raise SystemExit("%s:%d: %s" % (path, n, e))
            if words:
                runs.append((n, " ".join(shlex.quote(w) for w in words), words))
    return runs


def bold(text):
    return "\033[1m%s\033[0m" % text if sys.stdout.isatty() and not os.environ.get("NO_COLOR") else text


def selftests():
    print(bold("== runner self-tests"), flush=True)
    p = subprocess.run([sys.executable, "-m", "unittest", "discover", "-s", str(HERE),
                        "-p", "test_*.py"], cwd=REPO, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.rstrip().splitlines()
    # all of it on failure; on success the last lines ("Ran N tests", "OK")
    for line in out if p.returncode else out[-3:]:
        print("  " + line if line else "", flush=True)
    return p.returncode == 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="matrix.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("matrix", help="matrix file: one line of ptrun.py arguments per run")
    ap.add_argument("--only", metavar="SUBSTRING", action="append",
                    help="run only the lines containing this (repeatable: any of them)")
    ap.add_argument("--no-selftests", action="store_true", help="skip the runner's self-tests")
    ap.add_argument("--list", action="store_true", help="print the selected runs and stop")
    args = ap.parse_args(argv)

    runs = read_matrix(args.matrix)
    if args.only:
        runs = [r for r in runs if any(s in r[1] for s in args.only)]
        if not runs:
            print("matrix.py: no line of %s matches %s" % (args.matrix, " or ".join(args.only)),
                  file=sys.stderr)
            return 2
    if args.list:
        for n, text, _ in runs:
            print("%s:%d: %s" % (args.matrix, n, text))
        return 0

    t0 = time.monotonic()
    self_ok = None if args.no_selftests else selftests()
    results = []
    with tempfile.TemporaryDirectory(prefix="matrix-") as tmp:
        for i, (n, text, words) in enumerate(runs, 1):
            print(bold("\n== run %d/%d (%s:%d): %s" % (i, len(runs), args.matrix, n, text)), flush=True)
            if words is None:
                rc = subprocess.call(text[1:], shell=True, cwd=REPO, stdin=subprocess.DEVNULL)
                results.append({"ok": rc == 0, "passed": 0, "failed": 0, "skipped": 0,
                                "expect": None, "line": "%s:%d: %s" % (args.matrix, n, text),
                                "reason": "command exited with %d" % rc})
                continue
            rj = Path(tmp) / ("run%d.json" % i)
            rc = subprocess.call([sys.executable, str(PTRUN)] + words + ["--result-json", str(rj)],
                                 cwd=REPO, stdin=subprocess.DEVNULL)
            try:
                res = json.loads(rj.read_text())
            except (OSError, ValueError):
                res = {"ok": False, "passed": 0, "failed": 0, "skipped": 0, "expect": None,
                       "reason": "ptrun.py exited with %d%s" % (
                           rc, " (bad arguments)" if rc == 2 else "")}
            res["ok"] = res.get("ok") and rc == 0
            res["line"] = "%s:%d: %s" % (args.matrix, n, text)
            results.append(res)

    ok_runs = [r for r in results if r["ok"]]
    bad_runs = [r for r in results if not r["ok"]]
    controls = [r for r in results if r.get("expect") not in (None, "pass")]
    counted = [r for r in results if r.get("expect") in (None, "pass")]
    passed = sum(r["passed"] for r in counted)
    failed = sum(r["failed"] for r in counted)
    skipped = sum(r["skipped"] for r in counted)

    print()
    for r in bad_runs:
        print("FAILED run %s\n    %s" % (r["line"], r["reason"]))
    runs_text = "%d run%s ok" % (len(ok_runs), "" if len(ok_runs) == 1 else "s")
    ok_controls = [r for r in controls if r["ok"]]
    if ok_controls:
        runs_text += " (%d negative control%s)" % (len(ok_controls), "" if len(ok_controls) == 1 else "s")
    self_text = {None: "runner self-tests skipped", True: "runner self-tests ok",
                 False: "runner self-tests FAILED"}[self_ok]
    print("make test: %s, %d failed; %d passed, %d failed, %d skipped; %s (%.0f s)" % (
        runs_text, len(bad_runs), passed, failed, skipped, self_text, time.monotonic() - t0))
    return 0 if not bad_runs and self_ok is not False else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nmatrix.py: interrupted", file=sys.stderr)
        sys.exit(130)

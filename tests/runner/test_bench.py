"""bench.py's comparison of two runs' figures (no emulator involved)."""
import io
import json
import sys
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402


class TestChange(unittest.TestCase):
    def test_numbers(self):
        self.assertEqual(bench.change("3", "6"), "+100%")
        self.assertEqual(bench.change("4", "3"), "-25%")
        self.assertEqual(bench.change("2.000", "2"), "=")
        self.assertEqual(bench.change("0", "5"), "was 0")
        self.assertEqual(bench.change(None, "5"), "new")
        self.assertEqual(bench.change("nan", "nan"), "=")
        self.assertEqual(bench.change("x", "y"), "was x")


class TestCompare(unittest.TestCase):
    def test_compare_files(self):
        old = {"x86_64 smp4": {"bench.ipis": "3", "bench.same": "1.5", "bench.gone": "5"}}
        new = {"x86_64 smp4": {"bench.ipis": "6", "bench.same": "1.500", "bench.new": "1"}}
        with tempfile.TemporaryDirectory() as d:
            a, b = Path(d) / "old.json", Path(d) / "new.json"
            a.write_text(json.dumps(old))
            b.write_text(json.dumps(new))
            out = io.StringIO()
            with redirect_stdout(out):
                rc = bench.main(["--compare", str(a), str(b)])
        lines = out.getvalue().splitlines()
        self.assertEqual(rc, 0)
        row = {l.split()[0]: l.split()[1:] for l in lines[1:] if l.startswith("bench.")}
        self.assertEqual(row["bench.ipis"], ["6", "(+100%)"])
        self.assertEqual(row["bench.same"], ["1.500", "(=)"])
        self.assertEqual(row["bench.gone"], ["-", "(gone)"])
        self.assertEqual(row["bench.new"], ["1", "(new)"])
        self.assertEqual(lines[-1], "bench: 3 figure(s) changed")


if __name__ == "__main__":
    unittest.main()

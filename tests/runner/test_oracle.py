"""Tests of the x86-64 page-table oracle's parsing and comparison."""
import unittest

import oracle

INFO_TLB = """\
0000000000005000: 0000000000005000 X------U-
0000008000000000: 000000000fc4d000 X--DA--UW
0000008001000000: 000000000f800000 X-PDA--UW
ffff800000000000: 0000000000000000 XGPDA---W
"""


class OracleTest(unittest.TestCase):
    def test_parse_keeps_user_half_and_flags(self):
        got = oracle.parse_info_tlb(INFO_TLB)
        self.assertEqual(got, {0x5000: (0x5000, "X-U-"),
                               0x8000000000: (0xfc4d000, "X-UW"),
                               0x8001000000: (0xf800000, "XPUW")})

    def test_compare_agrees(self):
        q = oracle.parse_info_tlb(INFO_TLB)
        ok, what = oracle.compare(dict(q), q)
        self.assertTrue(ok)
        self.assertIn("3 entries agree", what)

    def test_compare_finds_each_kind_of_difference(self):
        q = oracle.parse_info_tlb(INFO_TLB)
        k = dict(q)
        k[0x8000000000] = (0xfc4d000, "X-U-")   # permission differs
        del k[0x5000]                           # QEMU sees more
        k[0x9000] = (0x9000, "X-U-")            # kernel claims more
        ok, what = oracle.compare(k, q)
        self.assertFalse(ok)
        self.assertIn("3 difference(s)", what)

    def test_console_lines_drive_a_reply(self):
        replies = []
        o = oracle.Oracle("/nonexistent/qmp.sock", replies.append, timeout=0.2)
        o.line("    # oracle: map 0000000000005000 0000000000005000 X-U-")
        o.line("    # oracle: dump cpu=0 entries=1")
        self.assertEqual(len(replies), 1)
        self.assertTrue(replies[0].startswith("oracle mismatch QMP"))


if __name__ == "__main__":
    unittest.main()

"""What shown text writes out (policies.controls): every character that prints as nothing."""

import sys
import unicodedata

from memory_mcp.policies.controls import UNSHOWN, shown, written_out

# Format characters that print a mark of their own (number signs, abbreviation marks).
PRINTING = {*range(0x600, 0x606), 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x110BD, 0x110CD}


def test_every_format_character_that_prints_nothing_is_written_out() -> None:
    missed = [
        f"U+{c:04X}"
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Cf"
        and c not in PRINTING
        and not UNSHOWN.fullmatch(chr(c))
        and UNSHOWN.search(f"a{chr(c)}b") is None
    ]
    assert missed == []


def test_joiners_are_kept_where_a_script_needs_them() -> None:
    emoji = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert shown(f"{emoji} {persian}") == f"{emoji} {persian}"
    assert shown("pay\u200dpal \u200cx") == "pay\\u200dpal \\u200cx"
    assert shown("a\u200bb\U000e0041\x1b") == "a\\u200bb\\U000e0041\\x1b"
    assert written_out("\u202e") == "\\u202e"

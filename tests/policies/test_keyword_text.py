"""The words both keyword indexes hold and a search looks for (pure rules; the recall tests in
tests/service/test_recall_words.py check both backends follow them)."""

import re

import pytest

from memory_mcp.policies.keyword_text import IDENTIFIERS, indexed, search_words, unit_pattern


@pytest.mark.parametrize(
    ("text", "held", "looked_for"),
    [
        ("C++", "C++ Cplusplus", ["cplusplus"]),
        ("in C#.", "in C# Csharp.", ["in", "csharp"]),
        ("on .NET 8", "on .NET dotNET 8", ["on", "dotnet", "8"]),
        ("node.js", "node.js nodejs dotjs", ["node", "js", "nodejs"]),
        ("x+y a#b v1.2.3 docs.example.com", "x+y a#b v1.2.3 docs.example.com", None),
        ("KULLANICI kullanıcı", "KULLANICI kullanici", ["kullanici", "kullanici"]),
        ("İstanbul Straße ΟΔΟΣ", "istanbul Strasse ΟΔΟΣ", ["istanbul", "strasse", "οδοσ"]),
    ],
)
def test_identifiers_and_case_traps(text: str, held: str, looked_for: list[str] | None) -> None:
    assert indexed(text) == held
    if looked_for is not None:
        assert search_words(text) == looked_for


def test_thai_letters_keep_their_signs_and_are_searched_in_pairs() -> None:
    assert indexed("ข่าว").split() == ["ข่", "า", "ว"]
    assert indexed("ខ្មែរ").split() == ["ខ្មែ", "រ"]  # a stacked consonant stays in its cluster
    assert search_words("ข่าว") == ["ข่ า", "า ว"]
    assert search_words("ข่าว", pair="") == ["ข่า", "าว"]
    assert search_words("茶 x") == ["茶", "x"]  # a run of one unit is searched alone


def test_the_patterns_read_the_same_in_postgresql_syntax() -> None:
    """The patterns run in PostgreSQL too: only constructs both engines read alike."""
    for pattern, index, looked_for in IDENTIFIERS:
        assert "\\b" not in pattern and "\\w" not in pattern and "(?P" not in pattern
        assert re.compile(pattern)
        assert "\\g" not in index + looked_for
    assert "\\" not in unit_pattern() and "\\u" in unit_pattern(escape=True)

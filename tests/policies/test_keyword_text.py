"""The words both keyword indexes hold and a search looks for (pure rules; the recall tests in
tests/service/test_recall_words.py check both backends follow them)."""

import re

import pytest

from memory_mcp.policies import keyword_text
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


def test_the_shortcuts_change_no_text() -> None:
    """`indexed` and `searched` skip the rules a text cannot meet (folds and units need a
    non-ASCII character, each identifier rule its own punctuation): every text comes out as
    the rules applied one by one give it."""
    import random
    import re

    rules = [(re.compile(p), index, search) for p, index, search in keyword_text.IDENTIFIERS]
    unit = re.compile(keyword_text.unit_pattern())
    folds = str.maketrans(dict(keyword_text.FOLDS))

    def reference(text: str, search: bool) -> str:
        text = text.translate(folds)
        for pattern, index, looked_for in rules:
            text = pattern.sub(looked_for if search else index, text)
        return text if search else unit.sub(r" \g<0> ", text)

    pieces = ["c++", "C#", ".NET", "node.js", "e.g.", "a+b", "x#y", "..", "ı", "İ", "ß", "ς",
              "数据", "ก่อน", "ខ្មែរ", "Straße", " ", ".", "+", "#", "v1.2", "_", "é"]  # fmt: skip
    rng = random.Random(9)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))) for _ in range(3000)]
    for text in texts:
        assert keyword_text.indexed(text) == reference(text, search=False), text
        assert keyword_text.searched(text) == reference(text, search=True), text


# Lucene's TestArabicStemFilter (light10), each word with the stem it must come to.
LIGHT10 = [
    ("الحسن", "حسن"), ("والحسن", "حسن"), ("بالحسن", "حسن"), ("كالحسن", "حسن"),
    ("فالحسن", "حسن"), ("للاخر", "اخر"), ("وحسن", "حسن"), ("زوجها", "زوج"),
    ("ساهدان", "ساهد"), ("ساهدات", "ساهد"), ("ساهدون", "ساهد"), ("ساهدين", "ساهد"),
    ("ساهديه", "ساهد"), ("ساهدية", "ساهد"), ("ساهده", "ساهد"), ("ساهدة", "ساهد"),
    ("ساهدي", "ساهد"), ("وساهدون", "ساهد"), ("ساهدهات", "ساهد"), ("الو", "الو"),
    ("English", "English"), ("ولد", "ولد"), ("والد", "الد"), ("ال", "ال"),
]  # fmt: skip


@pytest.mark.parametrize(("word", "stem"), LIGHT10)
def test_arabic_words_come_to_their_light10_stem(word: str, stem: str) -> None:
    assert keyword_text.stemmed(keyword_text.folded(word)) == stem


def test_an_arabic_word_behind_its_article_is_the_bare_word() -> None:
    forms = ["قهوة", "القهوة", "بالقهوة", "والقهوة", "للقهوة", "قَهْوَةٌ", "القهـــوة"]
    assert {tuple(search_words(form)) for form in forms} == {("قهو",)}
    assert indexed("نشرب القهوة، والقهوة مرة") == "نشرب قهو، قهو مر"


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("שָׁלוֹם עֲלֵיכֶם", "שלום עליכם"),  # niqqud
        ("בְּרֵאשִׁ֖ית", "בראשית"),  # and cantillation
        ("ספר־תורה", "ספר־תורה"),  # maqaf is punctuation: kept
        ("أحمد إبراهيم آمن ٱلله", "احمد ابراهيم امن الله"),  # alef forms
        ("مستشفى مدرسة", "مستشفي مدرسه"),  # alef maqsura, teh marbuta
        ("کتاب بازی", "كتاب بازي"),  # Persian keheh and yeh
        ("ΚΑΦΈΣ καφές ϊ ΰ ἀλήθεια ᾠδή", "ΚΑΦΕΣ καφεσ ι υ αληθεια ωδη"),  # Greek accents
        ("Postgres ١٦ و ۱۶", "Postgres 16 و 16"),  # Arabic-Indic and Persian digits
        ("Ёлка и ёж", "Елка и еж"),  # Russian yo
        ("Việt Nam ở Hồ Tây, lǜ, ạ", "Viet Nam o Ho Tây, lu, a"),  # two marks; Latin Ext. Add.
        ("İstanbul Straße", "istanbul Strasse"),  # step 9's case traps, unchanged
    ],
)
def test_marks_are_dropped_and_letters_written_two_ways_are_one(written: str, folded: str) -> None:
    assert keyword_text.folded(written) == folded
    assert keyword_text.folded(folded) == folded  # folding folded text changes nothing


def test_the_stem_patterns_read_the_same_in_postgresql_syntax() -> None:
    for pattern in keyword_text.stem_patterns():
        assert "\\b" not in pattern and "\\w" not in pattern and "(?P" not in pattern
        assert re.compile(pattern)
    assert all("\\u" in p for p in keyword_text.stem_patterns(escape=True))
    assert all(len(a) == len(b) == 1 for a, b in keyword_text.LETTERS)  # translate()'s


def test_every_letter_and_mark_step_19_folds_lies_in_a_block_it_looks_for() -> None:
    """A text holding none of FOLDED_SCRIPTS skips the step (both backends), so nothing it
    folds may lie outside them."""
    blocks = keyword_text.FOLDED_SCRIPTS
    assert all(any(lo <= ord(a) <= hi for lo, hi in blocks) for a, _ in keyword_text.LETTERS)
    assert all(any(lo <= a and b <= hi for lo, hi in blocks) for a, b in keyword_text.MARKS)

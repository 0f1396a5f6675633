"""Keyword recall of the words the tokenizers read differently, the same on both backends:
queries of stopwords alone, case-folding traps, identifiers whose meaning lives in their
punctuation, and the scripts of South-East Asia written without spaces between words."""

import pytest

from memory_mcp.service import MemoryService


def _ids(svc: MemoryService, query: str) -> list[int]:
    return [h.id for h in svc.recall(query).hits]


def test_a_query_of_stopwords_alone_finds_its_memory(keyword_service: MemoryService) -> None:
    """PostgreSQL's english configuration left stopwords out of the index, so "The Who" or
    "to be or not to be" found nothing there (and memories on SQLite)."""
    band = keyword_service.remember("My favourite band is The Who").id
    hamlet = keyword_service.remember("Hamlet asks: to be or not to be").id
    keyword_service.remember("Deploys run on Fridays")
    assert _ids(keyword_service, "The Who")[:1] == [band]
    assert _ids(keyword_service, "to be or not to be")[:1] == [hamlet]
    assert _ids(keyword_service, "It") == []  # nothing says "it" yet
    it = keyword_service.remember("It is a horror novel by Stephen King").id
    assert _ids(keyword_service, "It") == [it]


@pytest.mark.parametrize(
    ("stored", "queries"),
    [
        ("Kullanıcı ayarları kaydedildi", ["KULLANICI", "kullanıcı", "kullanici", "Kullanici"]),
        ("KULLANICI AYARLARI", ["kullanıcı", "KULLANICI", "kullanici"]),
        ("Flight to İstanbul on Monday", ["istanbul", "ISTANBUL", "İSTANBUL", "İstanbul"]),
        ("ISTANBUL office", ["istanbul", "İstanbul", "ıstanbul"]),
        ("Die Straße ist gesperrt", ["STRASSE", "strasse", "Straße", "STRAẞE"]),
        ("STRASSE GESPERRT", ["Straße", "strasse"]),
        ("Ο Πετρος ήρθε", ["ΠΕΤΡΟΣ", "πετροσ", "Πετρος"]),
        ("ΠΕΤΡΟΣ", ["Πετρος", "πετρος"]),
    ],
)
def test_case_traps_fold_the_same_way(
    keyword_service: MemoryService, stored: str, queries: list[str]
) -> None:
    """Turkish dotless ı and dotted İ, German ß and Greek final ς: the tokenizers' lowercasing
    left `KULLANICI` apart from `kullanıcı`, `STRASSE` from `Straße` (both backends), and a
    final ς from σ (PostgreSQL)."""
    mid = keyword_service.remember(stored).id
    keyword_service.remember("An unrelated note about tabs")
    for query in queries:
        assert _ids(keyword_service, query) == [mid], query


def test_identifiers_whose_meaning_is_their_punctuation(keyword_service: MemoryService) -> None:
    """`C++` was read as `c`, so it found `C#` and `F#` as well; `.NET` found any "net"."""
    notes = {
        "cpp": "The engine is written in C++",
        "csharp": "The game tools are written in C#",
        "fsharp": "Pricing models use F#",
        "dotnet": "The API runs on .NET 8",
        "net": "The net result was positive",
        "node": "The backend is node.js",
        "graph": "Each node of the graph holds a js object",
    }
    ids = {name: keyword_service.remember(text).id for name, text in notes.items()}
    for query, expected in [
        ("C++", ["cpp"]),
        ("c++ engine", ["cpp"]),
        ("C#", ["csharp"]),
        ("F#", ["fsharp"]),
        (".NET", ["dotnet"]),
        ("net", ["net", "dotnet"]),  # the plain word is indexed too
        ("nodejs", ["node"]),
    ]:
        assert _ids(keyword_service, query) == [ids[n] for n in expected], query
    assert _ids(keyword_service, "node.js")[0] == ids["node"]  # then the graph: node, js


def test_ordinary_punctuation_still_reads_as_a_space(keyword_service: MemoryService) -> None:
    mid = keyword_service.remember("Tabs, not spaces; (always) tabs! Done.Next step: ship").id
    for query in ("tabs", "spaces", "always", "done", "next", "ship", "done next"):
        assert _ids(keyword_service, query) == [mid], query


SENTENCES = {
    "thai": "ฉันชอบดื่มกาแฟตอนเช้า",  # I like to drink coffee in the morning
    "lao": "ຂ້ອຍມັກກິນເຂົ້າໜຽວທຸກມື້",  # I like to eat sticky rice every day
    "khmer": "ខ្ញុំចូលចិត្តផឹកកាហ្វេ",  # I like to drink coffee
    "burmese": "ကျွန်တော်ကော်ဖီသောက်ရတာကြိုက်တယ်",  # I like drinking coffee
    "english": "The user prefers tabs over spaces",
}


def test_a_word_is_found_inside_a_thai_lao_khmer_or_burmese_sentence(
    keyword_service: MemoryService,
) -> None:
    """These scripts have no spaces between words: the whole sentence was one word."""
    ids = {name: keyword_service.remember(text).id for name, text in SENTENCES.items()}
    for query, name in [
        ("กาแฟ", "thai"),
        ("ตอนเช้า", "thai"),
        ("ເຂົ້າໜຽວ", "lao"),
        ("កាហ្វេ", "khmer"),
        ("ကော်ဖီ", "burmese"),
    ]:
        assert _ids(keyword_service, query) == [ids[name]], query


def test_thai_tone_marks_and_vowels_stay_with_their_letter(
    keyword_service: MemoryService,
) -> None:
    """ข่าว (news) and ขาว (white) differ by a tone mark alone: each ranks its own memory
    first (they share the pair าว), and the letter with its mark (ข่) is not the letter."""
    news = keyword_service.remember("ฉันอ่านข่าวทุกวัน").id  # I read the news every day
    white = keyword_service.remember("เสื้อสีขาว").id  # a white shirt
    assert _ids(keyword_service, "ข่าว")[:1] == [news]
    assert _ids(keyword_service, "ขาว")[:1] == [white]
    assert _ids(keyword_service, "ข่") == [news]
    assert _ids(keyword_service, "ข") == [white]


def _nfd(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("stored", "queries"),
    [
        # NFC stored, NFD typed (macOS file names and some keyboards decompose), and back
        ("Zoë meets us at the Señor café", [_nfd("Señor"), _nfd("café"), "Señor", "senor"]),
        (_nfd("Zoë meets us at the Señor café"), ["Señor", "café", _nfd("Zoë"), "zoe"]),
        # full-width letters and digits (CJK input methods) and ligatures
        ("Ｐｏｓｔｇｒｅｓ runs version １５", ["postgres", "15", "ＰＯＳＴＧＲＥＳ"]),
        ("Postgres runs version 15", ["Ｐｏｓｔｇｒｅｓ", "１５"]),
        ("The ﬁnal report is due", ["final"]),
        # invisible characters inside a word: zero-width space, joiner, soft hyphen, bidi mark
        ("The pass\u200bphrase is kept in the vault", ["passphrase"]),
        ("Deploy with kube\u00adctl apply", ["kubectl"]),
        ("The vault holds the passphrase", ["pass\u200dphrase", "\u202epassphrase\u202c"]),
    ],
)
def test_one_word_in_any_unicode_form_is_found(
    keyword_service: MemoryService, stored: str, queries: list[str]
) -> None:
    """Dedup and keys read NFC and NFD, full-width and plain, as one text; keyword recall did
    not (both backends): an NFD `Señor` found nothing stored as NFC, `postgres` nothing
    written in full-width letters, `passphrase` nothing with a zero-width space inside."""
    mid = keyword_service.remember(stored).id
    keyword_service.remember("An unrelated note about tabs")
    for query in queries:
        assert _ids(keyword_service, query) == [mid], query

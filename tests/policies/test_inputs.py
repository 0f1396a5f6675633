"""Bounds and text checks on every argument a caller can send (inputs.py, via the service)."""

import unicodedata

import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.names import clean_name, clean_scope, clean_tags, strip_invisible
from memory_mcp.policies import inputs
from memory_mcp.service import MemoryService


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\x00b", r"NUL character at position 1\. Send the text without NUL characters\.$"),
        ("x\ud800", r"unpaired surrogate \(U\+D800\) at position 1\. Send valid Unicode text: "
         r"each surrogate with its pair \(a whole emoji\), or none\.$"),  # it said "NUL"
    ],
)  # fmt: skip
def test_stored_text_refuses_nul_and_lone_surrogates(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        inputs.check_text(content=text)
    with pytest.raises(InvalidInput, match=r"tags contains"):
        inputs.check_text(tags=["fine", text])
    with pytest.raises(InvalidInput, match=r"metadata\.k contains"):
        inputs.check_text(metadata={"k": [text]})


def test_queries_may_hold_nul_but_not_lone_surrogates() -> None:
    inputs.check_query(query="a\x00b")
    with pytest.raises(InvalidInput, match="query contains an unpaired surrogate"):
        inputs.check_query(query="\udfff")


def test_ids_are_bounded_and_impossible_ids_are_not_found() -> None:
    assert inputs.check_ids([1, 2], 5) == [1, 2]
    with pytest.raises(InvalidInput, match="at most 5 ids"):
        inputs.check_ids(list(range(1, 7)), 5)
    for bad in (0, -3, 2**63, 10**30):
        with pytest.raises(NotFound, match="No memory with id"):
            inputs.check_ids([bad], 5)


def test_metadata_size_and_depth() -> None:
    inputs.check_metadata({"a": "b" * 50}, 100)
    with pytest.raises(InvalidInput, match="the limit is 100"):
        inputs.check_metadata({"a": "b" * 200}, 100)
    deep: dict[str, object] = {}
    node = deep
    for _ in range(50):
        node["x"] = {}
        node = node["x"]  # type: ignore[assignment]
    with pytest.raises(InvalidInput, match="nested more than"):
        inputs.check_metadata(deep, 10_000)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.remember("fine", metadata={"k": "v" * 9000}), "metadata is"),
        (lambda s: s.remember("fine", scope="*"), "scope `*`"),
        (lambda s: s.remember("fine", ttl="999999w"), "after the year 9999"),
        (lambda s: s.remember("fine", replaces=2**64), "No memory with id"),
        (lambda s: s.recall("q" * 4001), "query is 4001 characters"),
        (lambda s: s.recall(ids=list(range(1, 102))), "at most 100 ids"),
        (lambda s: s.forget([1], reason="r" * 1001), "reason is 1001"),
        (lambda s: s.forget([10**20]), "No memory with id"),
        (lambda s: s.summarize("q" * 4001), "query is 4001"),
        (lambda s: s.update(1, content="a\x00"), "NUL"),
        (lambda s: s.history(2**70), "No memory with id"),
        (lambda s: s.get(-1), "No memory with id"),
        (lambda s: s.forget([1.0]), "whole numbers such as 7, not 1.0"),
        (lambda s: s.forget([True]), "ids.0: must be a whole number, not true"),
        (lambda s: s.remember("fine", replaces=True), "replaces: must be a whole number"),
        (lambda s: s.recall(ids=["1"]), "whole numbers"),
    ],
)
def test_service_bounds_every_tool_argument(
    service: MemoryService, call: object, message: str
) -> None:
    service.remember("a memory to point at")
    with pytest.raises((InvalidInput, NotFound), match=message):
        call(service)  # type: ignore[operator]
    assert service.recall("memory").hits  # and nothing broke


def test_bounds_are_configurable(tmp_path: object, embedder: object) -> None:
    settings = Settings(db=tmp_path / "b.db", max_query_chars=100, max_ids=2)  # type: ignore[operator]
    service = MemoryService.open(settings, embedder=embedder)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="the limit is 100"):
        service.recall("q" * 101)
    with pytest.raises(InvalidInput, match="at most 2 ids"):
        service.forget([1, 2, 3])
    service.close()


def test_lengths_count_a_redaction_marker_as_one_character() -> None:
    # What redaction stored (or a memory read back) fits the limit the text it came from fit.
    inputs.check_length("content", "[REDACTED:password] " * 40 + "x" * 20, 100)
    with pytest.raises(InvalidInput, match="content is 101 characters; the limit is 100"):
        inputs.check_length("content", "[REDACTED:password]" + "x" * 100, 100)
    with pytest.raises(InvalidInput, match="content is 121 characters"):
        inputs.check_length("content", "[REDACTED:nokind]" + "x" * 104, 100)


@pytest.mark.parametrize(
    ("text", "stripped"),
    [("\u200b", ""), ("\ufeff note \u200d", "note"), (" \u2060\n", ""), ("a\u200bb", "a\u200bb")],
)
def test_invisible_characters_at_the_ends_are_stripped(text: str, stripped: str) -> None:
    assert strip_invisible(text) == stripped


def test_names_lose_invisible_characters_and_refuse_control_characters() -> None:
    assert clean_name(" glo\u200bbal\ufeff ", "scope") == "global"
    assert clean_scope("global\u200b") == "global"
    assert clean_tags(["\u200eTools", "tools"]) == ["tools"]
    for bad in ("a\nb", "a\x1b[31m", "a\x00"):
        with pytest.raises(ValueError, match="control character"):
            clean_scope(bad)


def test_an_ascii_name_is_cleaned_as_any_other() -> None:
    """ASCII names take a shorter path (one search, no category a character): each ASCII
    character, alone, inside a name and at its ends, comes out as the Unicode rules say:
    stripped if whitespace, refused if a control character (category Cc), else kept."""
    for code in range(128):
        char = chr(code)
        for name in (char, f"a{char}b", f" {char} ", char * 3):
            kept = name.strip()
            if unicodedata.category(char) == "Cc" and char in kept:
                with pytest.raises(ValueError, match=f"U\\+{code:04X}"):
                    clean_name(name, "tag")
            else:
                assert clean_name(name, "tag") == kept
    assert clean_name(" ops\u200b", "tag") == "ops"  # not ASCII: format characters go

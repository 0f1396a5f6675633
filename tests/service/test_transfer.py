"""JSONL import into a database that already holds memories: ids are renumbered, and every id
a line names (superseded_by, a summary's sources) follows its memory to its new id."""

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput
from memory_mcp.search import evaluation
from memory_mcp.service import MemoryService, transfer
from memory_mcp.service.exchange import longest_line
from memory_mcp.service.transfer import IMPORT_BATCH
from memory_mcp.timestamps import format_time
from tests.overlap import watch_overlap


def open_db(path: Path) -> MemoryService:
    return MemoryService.open(Settings(db=path, semantic=False))


def exported(service: MemoryService, path: Path) -> Path:
    buf = io.StringIO()
    service.export_jsonl(buf)
    path.write_text(buf.getvalue())
    return path


def by_content(service: MemoryService) -> dict[str, int]:
    return {m.content: m.id for m in service.store.iter_all()}


def test_links_follow_renumbered_memories(tmp_path: Path) -> None:
    source = open_db(tmp_path / "source.db")
    source.remember("Editor is Vim", key="user.editor")
    source.remember("Editor is Neovim", key="user.editor")
    wrong = source.remember("Deploys on Fridays")
    source.remember("Deploys on Thursdays", replaces=wrong.id)
    saved = source.summarize(save=True).saved_id
    assert saved is not None
    path = exported(source, tmp_path / "export.jsonl")
    source.close()

    target = open_db(tmp_path / "target.db")
    for text in ["Tea at four", "The office is in Leeds", "Lunch at noon", "Bikes go in the shed"]:
        target.remember(text)  # ids 1-4 are taken here by unrelated memories
    report = target.import_jsonl(path)
    assert (report.created, report.renumbered, report.unlinked) == (5, 5, 0)
    ids = by_content(target)
    assert target.get(ids["Editor is Vim"]).superseded_by == ids["Editor is Neovim"]
    assert target.get(ids["Deploys on Fridays"]).superseded_by == ids["Deploys on Thursdays"]
    assert [m.id for m in target.store.current_for_key("global", "user.editor")] == [
        ids["Editor is Neovim"]
    ]
    summary = target.get(ids[_summary(target)])
    assert summary.metadata["sources"] == sorted(
        ids[t] for t in ["Editor is Neovim", "Deploys on Thursdays"]
    )
    for unrelated in ["Tea at four", "The office is in Leeds", "Lunch at noon"]:
        assert target.get(ids[unrelated]).superseded_by is None
    again = target.import_jsonl(path)
    assert (again.created, again.skipped_existing) == (0, 5)
    assert by_content(target) == ids
    target.close()


def _summary(service: MemoryService) -> str:
    [summary] = [m for m in service.store.iter_all() if m.kind == "summary"]
    return summary.content


def test_a_line_waits_for_the_memory_it_names_across_batches(tmp_path: Path) -> None:
    n = IMPORT_BATCH + 44
    lines = [{"id": 10 + i, "content": f"Fact number {i}"} for i in range(n)]
    lines[0] |= {"superseded_by": 10 + n - 1, "superseded_at": "2024-01-01T00:00:00Z"}
    lines[-1] |= {"superseded_by": 11, "superseded_at": "2024-01-02T00:00:00Z"}
    path = tmp_path / "chain.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    target = open_db(tmp_path / "target.db")
    for i in range(20):
        target.remember(f"Already here {i}")  # the file's first ids are taken
    report = target.import_jsonl(path)
    assert (report.read, report.created, report.unlinked) == (n, n, 0)
    ids = by_content(target)
    assert target.get(ids["Fact number 0"]).superseded_by == ids[f"Fact number {n - 1}"]
    assert target.get(ids[f"Fact number {n - 1}"]).superseded_by == ids["Fact number 1"]
    assert target.get(ids["Fact number 1"]).superseded_by is None
    target.close()


def test_names_of_memories_not_in_the_file_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "partial.jsonl"
    lines = [
        {"id": 1, "content": "Old value", "superseded_by": 99, "superseded_at": "2024-01-01"},
        {"id": 2, "content": "A summary", "kind": "summary", "metadata": {"sources": [1, 98]}},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    target = open_db(tmp_path / "target.db")
    for i in range(100):
        target.remember(f"Unrelated {i}")  # 98 and 99 exist here, but are not those memories
    report = target.import_jsonl(path)
    assert (report.created, report.unlinked) == (2, 2)
    ids = by_content(target)
    old = target.get(ids["Old value"])
    assert (old.superseded_by, old.superseded_at) == (None, None)
    assert target.get(ids["A summary"]).metadata["sources"] == [ids["Old value"]]
    target.close()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [
                {"id": 1, "content": "a", "superseded_by": 2},
                {"id": 2, "content": "b", "superseded_by": 1},
            ],
            r"line 1: superseded_by goes round in a loop \(1 -> 2 -> 1\)",
        ),
        ([{"id": 3, "content": "a", "superseded_by": 3}], r"line 1: .*loop \(3 -> 3\)"),
        ([{"id": 4, "content": "a"}, {"id": 4, "content": "b"}], "line 2: id 4 is on line 1 too"),
        # pydantic's lax mode read `true` as 1: the line was stored as memory 1, or as 1 repeat.
        ([{"id": True, "content": "a"}], "line 1: id must be a whole number, not true"),
        ([{"content": "a", "repeat_count": True}], "line 1: repeat_count must be a whole number"),
        ([{"id": 2, "content": "a", "superseded_by": False}], "line 1: superseded_by must be"),
    ],
)  # fmt: skip
def test_a_file_whose_links_cannot_hold_is_refused(
    tmp_path: Path, lines: list[dict[str, object]], message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    target = open_db(tmp_path / "target.db")
    with pytest.raises(InvalidInput, match=message):
        target.import_jsonl(path)
    assert target.store.counts()["memories"] == 0
    target.close()


# A file whose lines name memories of earlier and later batches (IMPORT_BATCH 3), ids of
# memories not in it (77, 99), and ids taken in the target: (file id, content, names).
LINKED_FILE: list[tuple[int, str, dict[str, object]]] = [
    (10, "a", {"superseded_by": 13}),
    (11, "b", {}),
    (12, "c", {"kind": "summary", "metadata": {"sources": [10, 11]}}),
    (13, "d", {}),
    (14, "e", {"superseded_by": 11}),
    (15, "f", {}),
    (16, "g", {"kind": "summary", "metadata": {"sources": [13, 99]}}),
    (17, "h", {"superseded_by": 20}),
    (18, "i", {}),
    (19, "j", {"superseded_by": 18}),
    (20, "k", {}),
    (21, "l", {"kind": "summary", "metadata": {"sources": [17, 19, 20]}}),
    (22, "m", {"superseded_by": 77}),
    (23, "n", {}),
]
# What the import did before it embedded ahead (batch by batch): the batches it stored, and
# each memory's id here with the memories it names.
LINKED_BATCHES = [["b", "d", "f"], ["e", "a", "i"], ["c", "j", "k"], ["h", "n"], ["l"], ["g", "m"]]
LINKED_RESULT = {
    "b": (16, None, None), "d": (17, None, None), "f": (18, None, None), "e": (19, "b", None),
    "a": (20, "d", None), "i": (21, None, None), "c": (22, None, ["a", "b"]),
    "j": (23, "i", None), "k": (24, None, None), "h": (25, "k", None), "n": (26, None, None),
    "l": (27, None, ["h", "j", "k"]), "g": (28, None, ["d"]), "m": (29, None, None),
}  # fmt: skip


def test_lines_naming_other_batches_are_routed_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memory_mcp.service import transfer

    monkeypatch.setattr(transfer, "IMPORT_BATCH", 3)
    path = tmp_path / "linked.jsonl"
    lines = [{"id": i, "content": f"Memory {c}"} | names for i, c, names in LINKED_FILE]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    target = open_db(tmp_path / "target.db")
    for i in range(15):
        target.remember(f"Already here {i}")  # ids 1-15: the file's 10-15, then 16-..., move
    batches: list[list[str]] = []
    insert_many = target.store.insert_many

    def recorded(rows: Any, **kwargs: Any) -> Any:
        batches.append([r.content.removeprefix("Memory ") for r in rows])
        return insert_many(rows, **kwargs)

    monkeypatch.setattr(target.store, "insert_many", recorded)
    seen: list[tuple[int, int]] = []
    report = target.import_jsonl(path, lambda done, total: seen.append((done, total)))
    memories = {m.content: m for m in target.store.iter_all() if m.content.startswith("Memory ")}
    label = {m.id: c.removeprefix("Memory ") for c, m in memories.items()}
    result = {
        label[m.id]: (
            m.id,
            None if m.superseded_by is None else label[m.superseded_by],
            None if m.kind != "summary" else [label[i] for i in m.metadata["sources"]],
        )
        for m in memories.values()
    }
    assert (report.read, report.created, report.renumbered, report.unlinked) == (14, 14, 14, 2)
    assert batches == LINKED_BATCHES
    assert seen == [(6, 14), (9, 14), (11, 14), (14, 14), (14, 14), (14, 14)]  # after each
    assert result == LINKED_RESULT
    target.close()


def test_an_import_embeds_the_next_batch_while_one_is_stored(
    service: MemoryService, embedder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSONL import embeds batch k+1 while batch k is stored, lines naming memories of
    batch k included (their names are translated once it is stored): the insert of the first
    batch sees the second batch's embedding begin (it waits for it, bounded)."""
    from memory_mcp.service import transfer

    monkeypatch.setattr(transfer, "IMPORT_BATCH", 2)
    overlapped = watch_overlap(embedder, service.store, monkeypatch)
    lines = [
        {"id": 1, "content": "first batch fact 1"},
        {"id": 2, "content": "first batch fact 2"},
        {"id": 3, "content": "second batch fact 1", "superseded_by": 4},
        {"id": 4, "content": "second batch fact 2"},
        {"id": 5, "content": "second batch fact 3", "kind": "summary",
         "metadata": {"sources": [1, 2]}},
    ]  # fmt: skip
    path = tmp_path / "dump.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = service.import_jsonl(path)
    assert overlapped == [True]
    assert (report.created, report.unlinked) == (5, 0)
    assert service.get(3).superseded_by == 4 and service.get(5).metadata["sources"] == [1, 2]
    assert all(m.embedded for m in service.store.get_many([1, 2, 3, 4, 5], True))


def test_a_file_saved_with_a_byte_order_mark_and_crlf_imports(tmp_path: Path) -> None:
    # Windows editors and PowerShell's Out-File start UTF-8 files with a BOM.
    path = tmp_path / "edited.jsonl"
    lines = [{"content": "First line after the mark"}, {"content": "Second, CRLF-ended"}]
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(json.dumps(x).encode() + b"\r\n" for x in lines))
    service = open_db(tmp_path / "memory.db")
    try:
        assert service.import_jsonl(path).created == 2
        assert set(by_content(service)) == {"First line after the mark", "Second, CRLF-ended"}
        queries = tmp_path / "queries.jsonl"
        queries.write_bytes(b"\xef\xbb\xbf" + b'{"query": "first line", "expected_ids": [1]}\r\n')
        assert service.evaluate(queries).queries == 1
    finally:
        service.close()


def test_a_leap_second_is_read_wherever_a_time_is(service: MemoryService, tmp_path: Path) -> None:
    """`23:59:60` is a valid RFC 3339 time (a leap second, as UTC clocks and logs write it);
    datetime has no second 60, so one such time refused a whole JSONL file, a mem0 record
    lost its date, and remember refused it. Each is read as the last instant of that minute."""
    last = "2016-12-31T23:59:59.999999Z"
    path = tmp_path / "leap.jsonl"
    line = {
        "id": 7,
        "content": "Leap second logged",
        "created_at": "2016-12-31T23:59:60Z",
        "updated_at": "2016-12-31T23:59:60.5Z",
        "occurred_at": "2016-12-31T18:59:60-05:00",
    }
    path.write_text(json.dumps(line) + "\n")
    assert service.import_jsonl(path).created == 1
    stored = service.get(7)
    assert {format_time(t) for t in (stored.created_at, stored.updated_at, stored.occurred_at)} == {
        last
    }
    mem0 = tmp_path / "mem0.json"
    mem0.write_text(
        json.dumps([{"id": "a", "memory": "From mem0", "created_at": "2016-12-31T23:59:60Z"}])
    )
    assert service.import_from("mem0", mem0).created == 1
    [hit] = service.recall("From mem0", scope="*").hits
    assert format_time(hit.created_at) == last
    said = service.remember("Said at the leap", occurred_at="2016-12-31 23:59:60")
    assert format_time(service.get(said.id).occurred_at) == last  # type: ignore[arg-type]
    window = service.recall("leap", scope="*", since="2016-12-31T23:59:60Z", until="2017-01-01")
    assert {h.id for h in window.hits} == {7, said.id}


def test_an_import_line_refused_does_not_repeat_a_secret_it_holds(
    service: MemoryService, tmp_path: Path
) -> None:
    """A JSONL line whose field pydantic refuses (a token pasted as `created_at`, a number
    that is a token) was repeated in the error, cut to 40 characters but not masked: the
    CLI prints it and logs keep it. The value is masked before it is cut, as the MCP
    server's argument errors already did."""
    token = "ghp_" + "Ab1" * 12 + "Zq7x"
    path = tmp_path / "leak.jsonl"
    path.write_text(json.dumps({"id": 7, "content": "x", "created_at": {"when": token}}) + "\n")
    with pytest.raises(InvalidInput) as refused:
        service.import_jsonl(path)
    assert "[REDACTED:github_token]" in str(refused.value)
    assert token[:20] not in str(refused.value)


def test_a_lines_client_is_kept_as_a_label_a_server_would_keep(
    service: MemoryService, tmp_path: Path
) -> None:
    """`client` was the one text of a line stored as written: any length, escape sequences,
    line breaks and secrets included; every other text is bounded, cleaned and masked."""
    token = "ghp_" + "a1B2" * 9
    lines = [
        {"content": "one", "client": f"deploy-bot {token}\u001b[2J\nline two\u202e"},
        {"content": "two", "client": "c" * 100_000},
        {"content": "three", "client": "\u200b \u0007"},
        {"content": "four", "client": "claude-code 2.0.14"},  # as our exports hold it
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = service.import_jsonl(path)
    assert (report.created, report.redacted) == (4, 1)
    clients = {m.content: m.client for m in service.list_memories(limit=None)}
    assert clients == {
        "one": "deploy-bot [REDACTED:github_token] [2J line two",
        "two": "c" * 100,
        "three": None,
        "four": "claude-code 2.0.14",
    }


def test_a_summarys_text_cites_its_memories_by_their_ids_here(
    service: MemoryService, tmp_path: Path
) -> None:
    """A saved summary's text cites its memories ("[#2; also #3]"); imported where those ids
    are taken, it cited whatever memory held them here. Its citations follow the memories,
    as its `sources` do, and a re-run still finds the summary already stored."""
    source = open_db(tmp_path / "source.db")
    source.remember("Editor is Vim", key="user.editor")
    source.remember("Editor is Neovim", key="user.editor")
    source.remember("Deploys on Thursdays from the main branch")
    assert source.summarize(save=True).saved_id is not None
    path = exported(source, tmp_path / "export.jsonl")
    source.close()
    for text in ["Tea at four", "The office is in Leeds", "Lunch at noon", "Bikes in the shed"]:
        service.remember(text)  # ids 1-4 are taken here by unrelated memories
    service.import_jsonl(path)
    ids = by_content(service)
    text = _summary(service)
    cited = [int(n) for n in re.findall(r"#(\d+)", text)]
    assert sorted(cited) == sorted(ids[t] for t in ["Editor is Neovim", "Deploys on Thursdays "
                                                    "from the main branch"])  # fmt: skip
    assert "1 memory," in text and "1 memories" not in text
    again = service.import_jsonl(path)
    assert (again.created, again.skipped_existing) == (0, 4)


def test_a_citation_of_a_memory_the_file_lacks_names_none_here(
    service: MemoryService, tmp_path: Path
) -> None:
    path = tmp_path / "partial.jsonl"
    text = "2 memories.\n1. tea, four (2 memories, 2026-01-01): Tea at four [#1; also #98]"
    lines = [
        {"id": 1, "content": "Tea at four"},
        {"id": 2, "content": text, "kind": "summary", "metadata": {"sources": [1, 98]}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    for i in range(100):
        service.remember(f"Unrelated {i}")  # 98 exists here, but is not that memory
    service.import_jsonl(path)
    ids = by_content(service)
    assert _summary(service).endswith(f"Tea at four [#{ids['Tea at four']}; also #?]")


def test_an_imported_summary_renumbers_its_citations_not_the_text_it_quotes(
    service: MemoryService, tmp_path: Path
) -> None:
    """An edited summary's statement spans lines, one ending in `[#5]`: that is its text, and
    only the citation closing the theme follows the memories to their ids here. The text
    reads `[№5]`, as a summary now quotes it: `[#5]` named an unrelated memory here (one
    saved before quoted text was written so, or edited by hand)."""
    path = tmp_path / "edited.jsonl"
    text = (
        "2 memories.\n1. deploy, steps (2 memories, 2026-01-01): Deploy steps: see [#5]\n"
        "then ship it [#5; also #6]"
    )
    lines = [
        {"id": 5, "content": "Deploy steps: build, test"},
        {"id": 6, "content": "Ship on Thursdays"},
        {"id": 7, "content": text, "kind": "summary", "metadata": {"sources": [5, 6]}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    for i in range(10):
        service.remember(f"Unrelated {i}")  # 5 and 6 are taken here
    service.import_jsonl(path)
    ids = by_content(service)
    steps, ship = ids["Deploy steps: build, test"], ids["Ship on Thursdays"]
    assert _summary(service) == text.replace("[#5; also #6]", f"[#{steps}; also #{ship}]").replace(
        "see [#5]", "see [№5]"
    )


def test_a_line_longer_than_any_memory_is_refused_without_reading_it_whole(
    tmp_path: Path,
) -> None:
    """A file that is not JSON lines (a single-line dump, /dev/zero) was read a line at a
    time with no bound: one line of gigabytes was held whole (5 GB in 10 s of /dev/zero)."""
    service = MemoryService.open(
        Settings(
            db=tmp_path / "memory.db", semantic=False, max_content_chars=100, max_metadata_chars=100
        )  # fmt: skip
    )
    try:
        longest = longest_line(transfer.Limits(100, 100))
        path = tmp_path / "dump.jsonl"
        path.write_text(json.dumps({"content": "fine"}) + "\n" + "x" * (longest * 3))
        with pytest.raises(InvalidInput, match=f"Line 2 is longer than {longest:,} characters"):
            service.import_jsonl(path)
        assert service.list_memories() == []
        queries = tmp_path / "queries.jsonl"
        queries.write_text("q" * (evaluation.LONGEST_LINE + 1))
        with pytest.raises(InvalidInput, match="Line 1 is longer than 1,048,576 characters"):
            service.evaluate(queries)
        # A line just at the bound is read (and refused for what it holds, as before).
        path.write_text("x" * longest + "\n")
        with pytest.raises(InvalidInput, match="line 1: not JSON"):
            service.import_jsonl(path)
    finally:
        service.close()


def test_a_principals_export_imports_a_memory_whose_replacement_it_hid_as_current(
    service: MemoryService, tmp_path: Path
) -> None:
    """bob may not read the correction (moved to `vault`): his export says when his memory
    was replaced, not by what; imported, that line is a current memory, never one marked
    superseded by nothing (storage reads superseded_at only beside superseded_by)."""
    old = service.remember("The team printer is on floor 3", scope="team").id
    fix = service.remember("The printer is on floor 4 now", replaces=old).id
    service.move([fix], "vault")
    service.team.add("bob", ["team=read"])
    bob = service.as_principal(service.team.access_for("bob"))
    lines = [
        json.loads(line) for line in exported(bob, tmp_path / "bob.jsonl").read_text().splitlines()
    ]
    assert [(r["id"], r["superseded_by"], bool(r["superseded_at"])) for r in lines] == [
        (old, None, True)
    ]
    target = open_db(tmp_path / "target.db")
    try:
        target.import_jsonl(tmp_path / "bob.jsonl")
        (memory,) = target.list_memories()
        assert (memory.superseded_by, memory.superseded_at, memory.superseded) == (
            None,
            None,
            False,
        )
    finally:
        target.close()

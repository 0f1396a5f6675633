"""JSONL import into a database that already holds memories: ids are renumbered, and every id
a line names (superseded_by, a summary's sources) follows its memory to its new id."""

import io
import json
from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput
from memory_mcp.service import MemoryService
from memory_mcp.service.transfer import IMPORT_BATCH


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

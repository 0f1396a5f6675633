"""The CLI on stores of more than one page: a listing is read and written a page at a time."""

import contextlib
import json
import tracemalloc
from pathlib import Path

from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.adapters.cli.browse import LIST_PAGE
from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService


def _store(path: Path, n: int) -> Path:
    service = MemoryService.open(Settings(db=path, semantic=False))
    items = [{"content": f"Note {i} about the build: " + "detail " * 40} for i in range(n)]
    service.remember_many(items, dedup=False)
    service.close()
    return path


def _json(db: Path, *args: str) -> tuple[str, int]:
    """stdout of a command with `--json`, written to a file (as a pipe takes it: not kept
    in memory), and the most memory (traced) the command held at once."""
    target = db.with_suffix(".json")
    with target.open("w", encoding="utf-8") as fh, contextlib.redirect_stdout(fh):
        tracemalloc.start()
        try:
            app(["--db", str(db), *args, "--json"], standalone_mode=False)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return target.read_text(encoding="utf-8"), peak


def test_list_json_holds_one_page_whatever_the_limit(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    small = _store(tmp_path / "small.db", 2 * LIST_PAGE)  # pages follow pages in both
    large = _store(tmp_path / "large.db", 6 * LIST_PAGE)
    _json(small, "list", "--limit", "1000000")  # imports and caches warmed before measuring
    text, held_small = _json(small, "list", "--limit", "1000000")
    assert len(json.loads(text)) == 2 * LIST_PAGE
    text, held_large = _json(large, "list", "--limit", "1000000")
    assert len(json.loads(text)) == 6 * LIST_PAGE
    # Before, every memory was held as a model, a dict, one JSON string and rich's segments
    # of it (5.8 GB for `list -n 1000000 --json` at 196k memories); now one page is.
    assert held_large < 1.5 * held_small, (held_small, held_large)


def test_a_listing_across_pages_is_the_same_as_one_read(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    db = _store(tmp_path / "memory.db", 2 * LIST_PAGE + 7)  # times tie within a batch
    service = MemoryService.open(Settings(db=db, semantic=False))
    expected = service.list_memories(MemoryFilter(), limit=LIST_PAGE + 20, offset=13)
    service.close()
    text, _ = _json(db, "list", "--limit", str(LIST_PAGE + 20), "--offset", "13")
    assert (
        text
        == json.dumps([m.model_dump(mode="json") for m in expected], indent=2, ensure_ascii=False)
        + "\n"
    )
    table = CliRunner().invoke(app, ["--db", str(db), "list", "-n", "600", "--offset", "450"])
    assert table.exit_code == 0 and "451-1007 of 1007" in table.stderr
    assert table.stdout.count("Note ") == 557


def test_log_json_holds_one_page_whatever_the_limit(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    small = _store(tmp_path / "small.db", 2 * LIST_PAGE)  # one history entry a memory
    large = _store(tmp_path / "large.db", 6 * LIST_PAGE)
    _json(small, "log", "--limit", "1000000")
    text, held_small = _json(small, "log", "--limit", "1000000")
    assert len(json.loads(text)) == 2 * LIST_PAGE
    text, held_large = _json(large, "log", "--limit", "1000000")
    entries = json.loads(text)
    assert [e["id"] for e in entries] == list(range(6 * LIST_PAGE, 0, -1))
    # before: 884 MB for `log -n 1000000 --json` over 200k entries
    assert held_large < 1.5 * held_small, (held_small, held_large)


def test_a_history_across_pages_is_the_same_as_one_read(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    db = _store(tmp_path / "memory.db", 1)
    service = MemoryService.open(Settings(db=db, semantic=False))
    for i in range(LIST_PAGE + 5):
        service.update(1, content=f"Note, edit {i}")
    service.purge([1])  # a purged memory's trail stays readable, on every page
    expected = [e.id for e in service.history(1, limit=LIST_PAGE + 10)]
    service.close()
    assert len(expected) == LIST_PAGE + 7  # created, the edits, purged
    text, _ = _json(db, "history", "1", "--limit", str(LIST_PAGE + 10))
    assert [e["id"] for e in json.loads(text)] == expected

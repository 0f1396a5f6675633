"""Purge and scrub erase: afterwards no byte of the text is in the database's files.

The files are read raw (the database, its -wal and -shm) while a server still holds the
database open, as it would while you purge from the CLI, and again after it closes.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite import db, vectors
from memory_mcp.storage.sqlite.migrations import MIGRATIONS
from tests.conftest import FakeEmbedder

# Letters only (digits could occur in timestamps by chance); tails too, because the full-text
# index stores a word as the tail it does not share with the word before it.
SECRET = "Qzxjvkplm-Wbrtnyg"
WORDS = ["Qzxjvkplm", "qzxjvkplm", "vkplm", "wbrtnyg", "rtnyg"]
FILLER = [f"Filler memory {i} about the widgets build and its gadgets" for i in range(60)]


def leftovers(path: Path, needles: list[bytes]) -> dict[str, list[bytes]]:
    """Which needles each file of the database (db, -wal, -shm) still holds, raw."""
    found = {}
    for file in [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))]:
        if file.exists():
            data = file.read_bytes()
            found[file.name] = [n for n in needles if n in data]
    return found


def assert_erased(path: Path, needles: list[bytes]) -> None:
    assert path.exists()
    assert leftovers(path, needles) == {name: [] for name in leftovers(path, needles)}, (
        "the text is still in the files"
    )


def needles(*extra: bytes) -> list[bytes]:
    return [SECRET.encode(), *(w.encode() for w in WORDS), *extra]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MemoryService]:
    """A running server's service: it keeps the database (and so its log) open."""
    service = MemoryService.open(Settings(db=tmp_path / "memory.db"), embedder=FakeEmbedder())
    assert service.semantic.ensure()
    service.remember_many([{"content": text} for text in FILLER])
    yield service
    service.close()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> str:
        """stdout, then stderr (with --json: the parsed stdout)."""
        result = runner.invoke(app, ["--db", str(tmp_path / "memory.db"), *args], input=input)
        assert result.exit_code == 0, (result.output, result.stderr, result.exception)
        if "--json" in args:
            return json.loads(result.stdout)  # type: ignore[no-any-return]
        return result.stdout + result.stderr

    return invoke


def test_a_purge_leaves_no_byte_of_the_memory(server: MemoryService, cli) -> None:  # type: ignore[no-untyped-def]
    path = Path(server.settings.db)
    stored = server.remember(f"The vault code is {SECRET}", context=f"pasted {SECRET}")
    vector = vectors.to_blob(server.store.vectors_for([stored.id])[stored.id])
    server.remember(f"The vault code is {SECRET}")  # a duplicate: history records it
    server.forget([stored.id], reason=f"leaked {SECRET}")
    server.restore([stored.id])
    cli("edit", str(stored.id), "--content", "The vault code was rotated")
    assert leftovers(path, needles(vector))["memory.db-wal"]  # the test can see it
    assert SECRET in json.dumps(cli("history", str(stored.id), "--json"))

    assert "Purged #" in cli("purge", str(stored.id), "--yes")
    assert_erased(path, needles(vector, b"rotated"))
    trail = cli("history", str(stored.id), "--json")
    shown = cli("history", str(stored.id)) + json.dumps(trail)
    assert "vault" not in shown and "Qzx" not in shown and "rotated" not in shown
    assert [e["action"] for e in trail] == [
        "purge", "edit", "restore", "forget", "duplicate", "create",
    ]  # fmt: skip
    assert all(e["before"] is None and e["after"] is None for e in trail)
    assert [e["detail"] for e in trail[:2]] == [{}, {"erased": "purge"}]
    assert stored.id not in [h.id for h in server.recall("vault code", limit=50).hits]
    assert server.doctor().healthy
    server.close()
    assert_erased(path, needles(vector, b"rotated"))


def test_scrub_erases_a_string_and_keeps_the_memory(server: MemoryService, cli) -> None:  # type: ignore[no-untyped-def]
    path = Path(server.settings.db)
    stored = server.remember(f"Launch codename {SECRET}; deploys run on Fridays", tags=["ops"])
    cli("edit", str(stored.id), "--content", "Deploys run on Fridays")  # history keeps it
    assert SECRET in json.dumps(cli("history", str(stored.id), "--json"))

    said = cli("scrub", str(stored.id), input=f"{SECRET}\n")  # asked for, not echoed
    assert "scrubbed from 2 history entries" in said and SECRET not in said
    assert_erased(path, needles())
    assert server.get(stored.id).content == "Deploys run on Fridays"
    assert "[scrubbed]" in cli("history", str(stored.id))
    assert server.recall("deploys Fridays").hits[0].id == stored.id

    other = server.remember(f"Also pasted here: {SECRET} in the notes")
    result = cli("scrub", str(other.id), "--text", SECRET, "--json")
    assert result == {str(other.id): {"memory": True, "history_entries": 1}}
    assert server.get(other.id).content == "Also pasted here: [scrubbed] in the notes"
    server.semantic.fill_pending()  # the server embeds the new text again
    assert server.get(other.id).embedded
    assert_erased(path, needles())
    assert server.doctor().healthy


def test_scrub_erases_a_key_that_holds_the_text_in_its_folded_case(
    server: MemoryService, cli
) -> None:  # type: ignore[no-untyped-def]
    # The key is stored folded (`qzxjvkplm-wbrtnyg`): scrub looked for the text as typed, so
    # the key, and the history that recorded it, kept the secret in the file.
    path = Path(server.settings.db)
    stored = server.remember("The release signing phrase", key=f"signing.{SECRET}", tags=[SECRET])
    assert stored.key == f"signing.{SECRET.casefold()}"
    said = cli("scrub", str(stored.id), "--text", SECRET)
    assert f"#{stored.id}: scrubbed from the memory and 2 history entries." in said
    assert server.get(stored.id).key == "signing.[scrubbed]"
    assert_erased(path, needles())
    assert server.doctor().healthy


def test_scrub_refuses_what_it_cannot_do_safely(server: MemoryService) -> None:
    stored = server.remember("The build host is Heron-7")
    with pytest.raises(InvalidInput, match="at least 4 characters"):
        server.scrub([stored.id], " 7 ")
    with pytest.raises(NotFound, match="No memory with id 999"):
        server.scrub([stored.id, 999], "Heron")
    assert server.get(stored.id).content == "The build host is Heron-7"  # nothing changed
    assert server.scrub([stored.id], "Falcon") == {stored.id: (False, 0)}
    assert [e.action for e in server.history(stored.id)] == ["create"]


def test_a_backup_after_a_purge_holds_nothing_of_it(server: MemoryService, tmp_path: Path) -> None:
    stored = server.remember(f"The vault code is {SECRET}")
    server.backup(tmp_path / "before.db")
    server.purge([stored.id])
    server.backup(tmp_path / "after.db")
    assert SECRET.encode() in (tmp_path / "before.db").read_bytes()  # as the README warns
    assert_erased(tmp_path / "after.db", needles())


def test_upgrading_erases_the_history_of_earlier_purges(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = db.connect(path)
    for version, step in enumerate(MIGRATIONS[:3], start=1):
        with db.transaction(conn):
            step(conn)
            conn.execute(f"pragma user_version = {version}")
    snapshot = json.dumps({"content": f"The vault code is {SECRET}"})
    conn.executemany(
        "insert into history (memory_id, action, at, before, after) values (?, ?, ?, ?, ?)",
        [
            (7, "create", "2024-01-01T00:00:00.000000Z", None, snapshot),
            (7, "purge", "2024-01-02T00:00:00.000000Z", snapshot, None),
        ],
    )
    conn.close()
    service = MemoryService.open(Settings(db=path, semantic=False))
    trail = service.history(7)
    assert [(e.action, e.before, e.after, e.detail) for e in trail] == [
        ("purge", None, None, {}),
        ("create", None, None, {"erased": "purge"}),
    ]
    service.close()
    assert_erased(path, needles())


def test_a_purge_after_a_keyword_rebuild_still_erases(server: MemoryService) -> None:
    """A rebuild swaps in new keyword tables, which FTS5 creates with secure-delete off:
    the rebuild carries the option over, so purged words still leave both indexes."""
    path = Path(server.settings.db)
    shown = server.remember(f"The vault code is {SECRET}")
    hidden = server.remember(f"The old vault code was {SECRET}")
    server.forget([hidden.id])  # its words are in the hidden memories' index
    server.reindex()  # rebuilds both keyword indexes
    server.purge([shown.id, hidden.id])
    assert_erased(path, needles())
    assert server.doctor().healthy

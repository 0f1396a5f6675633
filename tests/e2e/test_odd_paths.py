"""Odd things at the database path: each command says what is there, and leaves it as it was.

Another program's SQLite file, a text or image, a folder, a link to nowhere, a truncated
file, a read-only file: the CLI prints one red line naming the cause, the server answers each
call with a tool error saying the same, and not a byte of the path (nor of its folder) changes.
"""

import contextlib
import hashlib
import os
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlean
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from memory_mcp.config import Settings
from memory_mcp.errors import ReadOnly
from memory_mcp.service import MemoryService
from tests import pg
from tests.e2e.test_faults import cli, one_red_line, seeded, tmpfs

__all__ = ["cli"]  # the fixture, used by name

COMMANDS = (
    ["stats"],
    ["remember", "hello there"],
    ["recall", "hello"],
    ["doctor"],
    ["export", "-"],
)


def _other_program(path: Path, version: int = 0) -> None:
    conn = sqlean.connect(str(path))
    conn.execute("create table bookmarks (id integer primary key, url text)")
    conn.execute("insert into bookmarks (url) values ('https://example.org')")
    conn.execute(f"pragma user_version = {version}")
    conn.commit()
    conn.close()


def _png(path: Path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels))


def _truncated(path: Path) -> None:
    seeded(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    for suffix in ("-wal", "-shm", "-reserve"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


ODD: dict[str, tuple[Callable[[Path], None], str]] = {
    "another program's SQLite": (_other_program, "another program's SQLite database"),
    "another program's SQLite at its version 3": (
        lambda p: _other_program(p, 3),
        "its tables: bookmarks",
    ),
    "a text file": (lambda p: p.write_text("shopping list\n" * 50), "not an SQLite database"),
    "a JSON file": (lambda p: p.write_text('{"memories": []}'), "not an SQLite database"),
    "a PNG image": (_png, "not an SQLite database"),
    "a folder": (lambda p: p.mkdir(), "is a folder, not a database file"),
    "a link to nowhere": (
        lambda p: p.symlink_to(p.parent / "gone" / "memory.db"),
        "symbolic link to",
    ),
    "a truncated database": (_truncated, "the file is damaged"),
}


def _state(folder: Path) -> dict[str, str]:
    """Every name in the folder and what it holds: a change anywhere shows."""
    found = {}
    for entry in sorted(folder.rglob("*")):
        if entry.is_symlink():
            found[entry.name] = f"-> {os.readlink(entry)}"
        elif entry.is_file():
            found[entry.name] = hashlib.sha256(entry.read_bytes()).hexdigest()
        else:
            found[entry.name] = "folder"
    return found


def _odd(tmp_path: Path, kind: str) -> tuple[Path, str]:
    make, words = ODD[kind]
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "memory.db"
    make(path)
    return path, words


@pytest.mark.parametrize("kind", list(ODD))
def test_each_command_names_what_is_there_and_changes_nothing(
    tmp_path: Path, cli, kind: str
) -> None:  # type: ignore[no-untyped-def]
    path, words = _odd(tmp_path, kind)
    before = _state(path.parent)
    for args in COMMANDS:
        code, out, err = cli("--db", str(path), *args)
        assert code == 1, (args, out, err)
        one_red_line(err, words, "Nothing was")
        assert "memory-mcp doctor" not in err  # it opens the file first: no help here
        assert out == ""
    assert _state(path.parent) == before


@pytest.mark.slow
@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["another program's SQLite", "a PNG image", "a folder"])
async def test_the_server_answers_with_the_cause_and_changes_nothing(
    tmp_path: Path, kind: str
) -> None:
    path, words = _odd(tmp_path, kind)
    before = _state(path.parent)
    env = {"MEMORY_MCP_DB": str(path), "MEMORY_MCP_SEMANTIC": "false"}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "memory_mcp", "serve"], env=env
    )
    with (tmp_path / "stderr.log").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=60) as client:
            for tool, args in (("remember", {"content": "x"}), ("recall", {"query": "x"})):
                result = await client.call_tool(tool, args)
                assert result.is_error
                assert words in result.content[0].text  # type: ignore[union-attr]
    assert _state(path.parent) == before


# -- read-only: reads go on, changes are refused with ReadOnly (as a PostgreSQL role's) --------


@contextlib.contextmanager
def read_only_database(tmp_path: Path) -> Iterator[Path]:
    """A database in a read-only place: a read-only mount as root (root writes through file
    modes), else a file and folder without write permission."""
    if os.geteuid() == 0:
        with tmpfs(tmp_path / "ro", "4m") as mnt:
            path = seeded(mnt / "memory.db")
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            yield path
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    path = seeded(folder / "memory.db")
    path.chmod(0o400)
    folder.chmod(0o500)
    try:
        yield path
    finally:
        folder.chmod(0o700)
        path.chmod(0o600)


def test_a_read_only_database_reads_and_refuses_changes_with_read_only(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with read_only_database(tmp_path) as path:
        before = _state(path.parent)
        for args in (["stats"], ["recall", "Heron-7"], ["export", "-"], ["doctor"]):
            code, out, err = cli("--db", str(path), *args)
            assert code == 0, (args, err)
        assert "Heron-7" in cli("--db", str(path), "export", "-")[1]
        code, _, err = cli("--db", str(path), "remember", "cannot land")
        assert code == 1
        one_red_line(err, "read-only", "can be read but not changed", "Nothing was changed")
        service = MemoryService.open(Settings(db=path, semantic=False))
        assert service.recall("Heron-7").hits
        with pytest.raises(ReadOnly, match="read-only"):
            service.remember("cannot land either")
        with pytest.raises(ReadOnly):
            service.forget([service.recall("Heron-7").hits[0].id])
        assert service.doctor().healthy
        service.close()
        assert _state(path.parent) == before


def test_a_new_database_on_a_read_only_disk_says_so(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with tmpfs(tmp_path / "ro", "1m") as mnt:
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        code, _, err = cli("--db", str(mnt / "memory.db"), "remember", "nowhere to go")
        assert code == 1
        one_red_line(err, "read-only file system", "Nothing was changed")


def test_a_database_reached_by_another_spelling_is_the_file_sqlite_opens(
    tmp_path: Path,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    """SQLite follows a link to the file and keeps its -wal and -shm beside that file: the
    files memory-mcp keeps beside the database, and the check that a migration's target is
    not its source, go by that file too (a link used to get a reserve of its own, 2 MB, and
    `migrate --to LINK` copied the database into itself, reporting success)."""
    real = seeded(tmp_path / "real" / "memory.db")
    (tmp_path / "link").mkdir()
    link = tmp_path / "link" / "memory.db"
    link.symlink_to(real)
    code, _, err = cli("--db", str(link), "remember", "Stored through the link")
    assert code == 0, err
    assert sorted(p.name for p in link.parent.iterdir()) == ["memory.db"]
    code, out, _ = cli("--db", str(real), "list", "--json")
    assert code == 0 and "Stored through the link" in out
    for target in (link, tmp_path / "real" / ".." / "real" / "memory.db"):
        code, _, err = cli("--db", str(real), "migrate", "--to", str(target))
        assert code == 1
        one_red_line(err, "The target is the source itself", str(real))


@pg.needs_postgres
def test_a_migration_the_target_refuses_is_not_told_to_resume(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    """No password for the target: nothing was copied and trying again will not help, so
    the message does not say to run it again to resume."""
    source = seeded(tmp_path / "memory.db")
    name, url = pg.fresh_role()
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    bare = url.replace(f"{name}:pw@", f"{name}@")
    code, _, err = cli("--db", str(source), "migrate", "--to", bare)
    assert code == 1
    one_red_line(err, "no password supplied", "trying again will not help")
    assert "resume" not in err

"""Text that is not UTF-8 (a Latin-1 terminal, a script's bytes) is refused naming the
argument, the byte and where it is, by every command that takes text, from the command line,
the environment, stdin or a file; file paths may hold any bytes."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

BAD = "caf\udce9"  # what Python makes of the Latin-1 bytes b"caf\xe9" on a command line


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    service = MemoryService.open(Settings(db=path, semantic=False))
    service.remember("The cafe opens at eight", scope="team")
    service.close()
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    return path


def refused(db: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), *args], env=env)
    assert result.exit_code == 1, (args, result.output, result.exception)
    assert "surrogate" not in result.stderr
    return " ".join(result.stderr.split())


COMMANDS = [
    (("remember", BAD), "Argument CONTENT"),
    (("remember", "x", "--tag", BAD), "--tag"),
    (("remember", "x", "--scope", BAD), "--scope"),
    (("remember", "x", "--key", BAD), "--key"),
    (("remember", "x", "--context", BAD), "--context"),
    (("recall", BAD), "Argument QUERY"),
    (("recall", "cafe", "--since", BAD), "--since"),
    (("list", "--scope", BAD), "--scope"),
    (("summarize", BAD), "Argument QUERY"),
    (("edit", "1", "--content", BAD), "--content"),
    (("forget", "1", "--reason", BAD), "--reason"),
    (("scrub", "1", "--text", BAD), "--text"),
    (("move", "1", "--to", BAD), "--to"),
    (("export", "-", "--scope", BAD), "--scope"),
    (("log", "--by", BAD), "--by"),
    (("token", "add", BAD), "Argument NAME"),
    (("--as", BAD, "list"), "--as"),
]


@pytest.mark.parametrize(("args", "named"), COMMANDS, ids=[" ".join(c[0]) for c in COMMANDS])
def test_every_text_argument_says_which_one_is_not_utf8(
    db: Path, args: tuple[str, ...], named: str
) -> None:
    message = refused(db, *args)
    assert f"{named} (caf\\xe9) is not valid UTF-8: byte 0xE9 at byte 4." in message, message


def test_the_environment_and_stdin_and_files_say_where(db: Path, tmp_path: Path) -> None:
    message = refused(db, "list", env={"MEMORY_MCP_AS": BAD})
    assert "--as from MEMORY_MCP_AS (caf\\xe9) is not valid UTF-8: byte 0xE9" in message
    result = CliRunner().invoke(app, ["--db", str(db), "remember", "-"], input=b"ok\ncaf\xe9")
    assert result.exit_code == 1
    assert "stdin is not valid UTF-8: byte 0xE9 at line 2, byte 4 of the line" in result.stderr
    jsonl = tmp_path / "latin1.jsonl"
    jsonl.write_bytes(b'{"content": "fine"}\n' * 5000 + b'{"content": "caf\xe9"}\n')
    for args, given in ((["import", str(jsonl)], None), (["import", "-"], jsonl.read_bytes())):
        result = CliRunner().invoke(app, ["--db", str(db), *args], input=given)
        assert result.exit_code == 1
        said = " ".join(result.stderr.split())
        assert "line 5001 is not valid UTF-8: byte 0xE9 at byte 17." in said, said
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'kind: note\\n---\\ncaf\\351' > \"$1\"\n")
    editor.chmod(0o700)
    result = CliRunner().invoke(app, ["--db", str(db), "edit", "1"], env={"EDITOR": str(editor)})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "The edited text is not valid UTF-8: byte 0xE9 at line 3" in result.stderr


def test_an_edit_saved_as_latin1_keeps_the_file_and_says_where(db: Path, tmp_path: Path) -> None:
    """An editor that saved the text in another encoding: the edit was refused and the
    temporary file deleted, so what the user typed was lost."""
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\nprintf 'kind: note\\n---\\nA long note about the caf\\351 menu' > \"$1\"\n"
    )
    editor.chmod(0o700)
    before = CliRunner().invoke(app, ["--db", str(db), "show", "1", "--json"]).stdout
    result = CliRunner().invoke(app, ["--db", str(db), "edit", "1"], env={"EDITOR": str(editor)})
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "The edited text is not valid UTF-8: byte 0xE9 at line 3" in said
    found = re.search(r"kept, byte for byte, in (\S+\.md):", said)
    assert found, said
    kept = Path(found.group(1))
    assert kept.read_bytes() == b"kind: note\n---\nA long note about the caf\xe9 menu"
    assert kept.stat().st_mode & 0o077 == 0  # private: it may hold anything
    kept.unlink()
    assert CliRunner().invoke(app, ["--db", str(db), "show", "1", "--json"]).stdout == before


def test_a_command_line_of_latin1_bytes_in_a_new_process(db: Path, tmp_path: Path) -> None:
    """The real conversion: bytes on argv, decoded by the interpreter itself."""
    base = [sys.executable.encode(), b"-m", b"memory_mcp", b"--db", os.fsencode(db)]
    env = {**os.environ, "MEMORY_MCP_SEMANTIC": "false"}
    done = subprocess.run(
        [*base, b"remember", b"caf\xe9 au lait"], capture_output=True, env=env, timeout=60
    )
    said = " ".join(done.stderr.decode().split())
    assert done.returncode == 1 and "surrogate" not in said
    assert "Argument CONTENT (caf\\xe9 au lait) is not valid UTF-8: byte 0xE9 at byte 4" in said
    target = os.fsencode(tmp_path) + b"/caf\xe9.jsonl"  # a path may hold any bytes
    done = subprocess.run([*base, b"export", target], capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert os.path.exists(target)


def test_remember_reads_stdin_no_further_than_a_memory_can_be(tmp_path: Path) -> None:
    """`remember - < /dev/zero` read (and held) forever; stdin longer than any memory is
    refused after reading that far."""
    db = tmp_path / "m.db"
    env = {"MEMORY_MCP_SEMANTIC": "false", "MEMORY_MCP_MAX_CONTENT_CHARS": "100"}
    over = CliRunner().invoke(app, ["--db", str(db), "remember", "-"], input=b"x" * 401, env=env)
    assert over.exit_code == 1
    assert "stdin holds more than a memory may (100 characters" in over.stderr
    # 100 characters of 4 bytes each are read whole and stored.
    most = CliRunner().invoke(
        app, ["--db", str(db), "remember", "-"], input="😀".encode() * 100, env=env
    )
    assert most.exit_code == 0, most.stderr

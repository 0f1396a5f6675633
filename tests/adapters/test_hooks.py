"""`memory-mcp hook …` as Claude Code runs it: a new process, the documented hook JSON on
stdin, and exactly the output shape the client reads on stdout (or nothing)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.adapters.hooks import answer, parse
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

TRANSCRIPTS = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "capture" / "transcripts"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "widgets"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text(
        '[remote "origin"]\n\turl = git@github.com:acme/widgets.git\n'
    )
    return folder


def hook(command: str, payload: dict, db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "false", **env}
    return subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", command],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
    )


def documented(event: str, folder: Path, **fields: object) -> dict:
    """The common input fields every Claude Code hook receives, then the event's own."""
    return {
        "session_id": "abc123",
        "transcript_path": str(TRANSCRIPTS / "w1.jsonl"),
        "cwd": str(folder),
        "permission_mode": "default",
        "hook_event_name": event,
        **fields,
    }


def test_stop_capture_then_session_start_and_prompt_in_new_processes(
    tmp_path: Path, folder: Path
) -> None:
    db = tmp_path / "memory.db"
    stop = hook("capture", documented("Stop", folder, stop_hook_active=False), db)
    assert (stop.returncode, stop.stdout) == (0, "")  # a Stop hook prints nothing
    start = hook("session-start", documented("SessionStart", folder, source="startup"), db)
    assert start.returncode == 0, start.stderr
    reply = json.loads(start.stdout)
    assert list(reply) == ["hookSpecificOutput"]
    assert list(reply["hookSpecificOutput"]) == ["hookEventName", "additionalContext"]
    assert reply["hookSpecificOutput"]["hookEventName"] == "SessionStart"
    assert (
        "Always use uv for anything Python here" in reply["hookSpecificOutput"]["additionalContext"]
    )
    prompt = hook(
        "prompt",
        documented("UserPromptSubmit", folder, prompt="Where are the bearer tokens checked?"),
        db,
    )
    added = json.loads(prompt.stdout)["hookSpecificOutput"]
    assert added["hookEventName"] == "UserPromptSubmit"
    assert "src/widgets/api/auth.py" in added["additionalContext"]


def test_nothing_to_say_prints_nothing_and_bad_input_never_blocks(
    tmp_path: Path, folder: Path
) -> None:
    db = tmp_path / "memory.db"
    none = hook("session-start", documented("SessionStart", folder, source="startup"), db)
    assert (none.returncode, none.stdout) == (0, "")  # no database yet
    bad = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", "prompt"],
        input="not json",
        capture_output=True,
        text=True,
        env={**os.environ, "MEMORY_MCP_DB": str(db)},
        timeout=60,
    )
    # exit 2 would block the user's prompt in Claude Code: a problem is exit 1 and one line
    assert bad.returncode == 1 and bad.stdout == "" and "not JSON" in bad.stderr
    deep = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", "prompt"],
        input="[" * 100_000 + "]" * 100_000,
        capture_output=True, text=True, env={**os.environ, "MEMORY_MCP_DB": str(db)}, timeout=60,
    )  # fmt: skip
    assert deep.returncode == 1 and "nested too deeply" in deep.stderr
    assert "Traceback" not in deep.stderr
    off = hook("capture", documented("Stop", folder), db, MEMORY_MCP_CAPTURE="false")
    assert (off.returncode, off.stdout) == (0, "") and not db.exists()


def test_every_capture_event_and_the_camel_case_clients_are_read(
    tmp_path: Path, folder: Path
) -> None:
    service = MemoryService.open(Settings(db=tmp_path / "m.db", semantic=False))
    try:
        for event, extra in (
            ("PreCompact", {"trigger": "auto"}),
            ("SessionEnd", {"reason": "exit"}),
        ):
            assert answer(service, "capture", parse(documented(event, folder, **extra))) is None
        assert service.count() > 0
        vscode = {
            "sessionId": "abc",
            "hookEventName": "SessionStart",
            "cwd": str(folder),
            "timestamp": "2026-10-05T09:00:00Z",
        }
        reply = answer(service, "session-start", parse(vscode))
        assert reply and reply["hookSpecificOutput"]["hookEventName"] == "SessionStart"
        gemini = {
            "session_id": "g",
            "hook_event_name": "BeforeAgent",
            "cwd": str(folder),
            "transcript_path": "/x",
            "prompt": "where are bearer tokens checked?",
        }
        reply = answer(service, "prompt", parse(gemini))
        assert reply and reply["hookSpecificOutput"]["hookEventName"] == "BeforeAgent"
    finally:
        service.close()


def test_profile_groups_keyed_facts_by_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "p.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    service.remember("Editor is Helix", key="user.editor")
    service.remember("Editor is Neovim", key="user.editor")
    service.remember("Deploys on Tuesdays", key="project.deploy_day")
    service.close()
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    result = CliRunner().invoke(app, ["--db", str(db), "profile", "--json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    assert list(groups) == ["project", "user"]
    assert groups["user"][0]["value"] == "Editor is Neovim" and groups["user"][0]["changes"] == 1
    assert groups["user"][0]["previous"] == []
    shown = CliRunner().invoke(app, ["--db", str(db), "profile", "--superseded"]).stdout
    assert "user.editor = Editor is Neovim" in shown and "was: Editor is Helix" in shown


@pytest.mark.slow
def test_capture_loads_the_model_so_memories_get_vectors(
    tmp_path: Path, folder: Path, model_dir: Path
) -> None:
    db = tmp_path / "memory.db"
    done = hook(
        "capture",
        documented("Stop", folder),
        db,
        MEMORY_MCP_SEMANTIC="true",
        MEMORY_MCP_MODEL_DIR=str(model_dir),
    )
    assert done.returncode == 0, done.stderr
    service = MemoryService.open(Settings(db=db, semantic=False))
    try:
        memories = service.list_memories(limit=None)
        assert memories and all(m.embedded for m in memories)
    finally:
        service.close()

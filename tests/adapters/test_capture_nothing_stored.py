"""`memory-mcp hook capture` where nothing can be stored makes no database: a transcript with
requests, but the hook's folder (and the transcript's) belongs to no project, and none says
what a session in no project keeps (about the user, or their rule): a decision names a
project it cannot tell."""

import json
import os
import subprocess
import sys
from pathlib import Path


def _line(uuid: str, kind: str, content: object, minute: int) -> str:
    message = {"role": kind, "content": content}
    at = f"2026-10-05T09:{minute:02d}:00Z"
    return json.dumps(
        {"type": kind, "message": message, "uuid": uuid, "sessionId": "s1", "timestamp": at}
    )


def test_a_capture_in_no_project_creates_no_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    transcript = tmp_path / "s1.jsonl"
    lines = [
        _line("u1", "user", "We decided to use structlog for logging.", 0),
        _line("a1", "assistant", [{"type": "text", "text": "Noted."}], 1),
    ]
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "memory.db"
    env = {**os.environ, "HOME": str(home), "MEMORY_MCP_DB": str(db),
           "MEMORY_MCP_SEMANTIC": "false"}  # fmt: skip
    env.pop("MEMORY_MCP_PROJECT", None)
    for cwd in (str(home), "/"):  # the home folder, a filesystem root: no project
        payload = {"session_id": "s1", "transcript_path": str(transcript), "cwd": cwd,
                   "hook_event_name": "Stop"}  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "memory_mcp", "hook", "capture"],
            input=json.dumps(payload), capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
        assert not db.exists()

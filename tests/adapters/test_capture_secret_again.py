"""A secret pasted into a session once, where redaction knows it (a URL's password, a
labelled value), and said again in prose ("with the password X hard-coded"): no captured
memory holds it anywhere, as the Stop hook captures it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

SECRET = "Tr0ub4dor&3"


def _line(n: int, kind: str, content: object) -> dict:
    return {"type": kind, "uuid": f"m{n}", "sessionId": "s1", "cwd": "",
            "timestamp": f"2026-11-02T09:{n:02d}:00Z",
            "message": {"role": kind, "content": content}}  # fmt: skip


def test_a_secret_found_once_is_masked_where_the_session_repeats_it(tmp_path: Path) -> None:
    folder = tmp_path / "shop"
    (folder / ".git").mkdir(parents=True)
    use = {"type": "tool_use", "id": "t1", "name": "Read",
           "input": {"file_path": f"{folder}/jobs/import.py"}}  # fmt: skip
    result = {"type": "tool_result", "tool_use_id": "t1", "content": "code"}
    lines = [
        _line(0, "user", f"The staging DB is postgres://shop:{SECRET}@db.acme.io/shop. Why"
                         " does the import job time out?"),
        _line(1, "assistant", [use]),
        _line(2, "user", [result]),
        _line(3, "assistant", [{"type": "text", "text": "The import job loads every order in"
              f" one transaction, with the password {SECRET} hard-coded in jobs/import.py."}]),
        _line(4, "user", f"We decided to rotate {SECRET} every month from now on."),
        _line(5, "assistant", [{"type": "text", "text": "Noted."}]),
    ]  # fmt: skip
    for line in lines:
        line["cwd"] = str(folder)
    transcript = tmp_path / "s1.jsonl"
    transcript.write_text("".join(json.dumps(line) + "\n" for line in lines))
    db = tmp_path / "memory.db"
    payload = {"session_id": "s1", "transcript_path": str(transcript), "cwd": str(folder),
               "hook_event_name": "Stop"}  # fmt: skip
    env = {**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "false"}
    done = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", "capture"],
        input=json.dumps(payload), capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    service = MemoryService.open(Settings(db=db, semantic=False))
    try:
        stored = service.list_memories(limit=None)
    finally:
        service.close()
    kinds = sorted(m.kind for m in stored)
    assert kinds == ["decision", "event", "event"]  # the statement, the exploration, the episode
    for memory in stored:
        for text in (memory.content, memory.context or "", json.dumps(memory.metadata)):
            assert SECRET not in text and "Tr0ub4dor" not in text
    assert any("hard-coded in jobs/import.py" in m.content for m in stored)

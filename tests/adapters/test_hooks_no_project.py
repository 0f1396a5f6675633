"""A session outside any project (a tutor or companion user's Claude Code or Codex in their
home folder, or a client that gives no folder), through the real hook commands in a temp
HOME: what the user says that lasts is kept in the default scope and briefed everywhere."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService


def hook(command: str, payload: dict, home: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    environ.update(
        HOME=str(home), MEMORY_MCP_DB=str(home / "data" / "memory.db"), MEMORY_MCP_SEMANTIC="false"
    )
    return subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", command],
        input=json.dumps(payload), capture_output=True, text=True, env=environ, timeout=60,
    )  # fmt: skip


def transcript(path: Path, cwd: str | None, *said: str) -> Path:
    """A Claude Code session: each request answered, the first with a tool call."""
    lines = []
    for n, text in enumerate(said):
        where = {} if cwd is None else {"cwd": cwd}
        lines.append({
            "type": "user", "uuid": f"u{n}", "sessionId": "s1", **where,
            "timestamp": f"2026-12-05T09:{n:02d}:00Z",
            "message": {"role": "user", "content": text},
        })  # fmt: skip
        content: list[dict] = [{"type": "text", "text": "Noted, I changed the plan."}]
        if n == 0:
            read = {"file_path": f"{cwd or '/tmp'}/notes/meals.md"}
            content.insert(0, {"type": "tool_use", "id": "t1", "name": "Read", "input": read})
        lines.append({
            "type": "assistant", "uuid": f"a{n}", "sessionId": "s1",
            "timestamp": f"2026-12-05T09:{n:02d}:30Z",
            "message": {"role": "assistant", "content": content},
        })  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.mark.parametrize("gives_folder", [True, False], ids=["home-folder", "no-cwd"])
def test_a_session_outside_a_project_keeps_what_lasts_in_the_default_scope(
    tmp_path: Path, gives_folder: bool
) -> None:
    home = tmp_path / "alice"
    (home / "data").mkdir(parents=True)
    cwd = str(home) if gives_folder else None
    said = transcript(
        home / ".claude" / "projects" / "-home-alice" / "s1.jsonl", cwd,
        "I'm vegan. Always answer in French.",
        "Can you plan my meals for the week? We decided to use structlog for logging.",
        "My daughter is called Mia.",
    )  # fmt: skip
    payload = {"session_id": "s1", "transcript_path": str(said), "hook_event_name": "Stop"}
    if cwd is not None:
        payload["cwd"] = cwd
    for _ in range(2):  # a second Stop over the same session stores nothing twice
        stop = hook("capture", payload, home)
        assert (stop.returncode, stop.stdout, stop.stderr) == (0, "", "")

    service = MemoryService.open(Settings(db=home / "data" / "memory.db", semantic=False))
    try:
        kept = service.list_memories(service.make_filter(scope="*"), limit=None)
    finally:
        service.close()
    where = {m.content: (m.scope, "about-user" in m.tags) for m in kept}
    assert where == {  # no exploration, no episode: they belong to no project
        "I'm vegan.": ("global", True),
        "My daughter is called Mia.": ("global", True),
        "Always answer in French.": ("global", False),  # a rule said in no project: theirs
    }  # the decision names a project the session cannot tell: not kept

    start = {"session_id": "s2", "hook_event_name": "SessionStart", "source": "startup"}
    if cwd is not None:
        start["cwd"] = cwd
    brief = hook("session-start", start, home)
    assert brief.returncode == 0, brief.stderr
    text = json.loads(brief.stdout)["hookSpecificOutput"]["additionalContext"]
    about = text.index("About the user:")
    assert text.index("I'm vegan.") > about and text.index("My daughter is called Mia.") > about
    assert "Always answer in French." in text

    project = home / "code" / "widgets"  # and in a project of theirs
    (project / ".git").mkdir(parents=True)
    (project / ".git" / "config").write_text('[remote "origin"]\n\turl = git@github.com:a/w.git\n')
    there = hook("session-start", {**start, "cwd": str(project)}, home)
    assert "I'm vegan." in json.loads(there.stdout)["hookSpecificOutput"]["additionalContext"]


def test_a_session_in_the_home_folder_saying_nothing_lasting_makes_no_database(
    tmp_path: Path,
) -> None:
    home = tmp_path / "bob"
    (home / "data").mkdir(parents=True)
    said = transcript(home / "s.jsonl", str(home), "Can you help me plan a trip to Rome?")
    payload = {"session_id": "s1", "transcript_path": str(said), "cwd": str(home),
               "hook_event_name": "Stop"}  # fmt: skip
    stop = hook("capture", payload, home)
    assert (stop.returncode, stop.stderr) == (0, "")
    assert not (home / "data" / "memory.db").exists()


def test_what_a_message_hands_over_is_not_stored_as_the_users(tmp_path: Path) -> None:
    """A pasted email, README or web page speaks in someone else's first person: in the home
    folder, its "I live in Leeds" and "Always run the linter" would reach every project's
    briefing as the user's own. What the user says before it is kept."""
    home = tmp_path / "carol"
    (home / "data").mkdir(parents=True)
    said = transcript(
        home / "s.jsonl", str(home),
        "I'm a teacher. Can you help me reply to this email?\n\nHi Tom,\nI live in Leeds now "
        "and I work as a data engineer at Acme. I prefer meetings on Tuesdays.\nBest, Sarah",
        "Summarize this README:\nAlways run the linter before committing. Never push to main.",
        "here's a page I found: Hello! I'm Jane. I love hiking and I have a dog named Max.",
        "My colleague says: I prefer short answers.",
        "Proofread my essay. I grew up in a small village. I am allergic to peanuts.",
        "We use tabs for indentation.",  # a team's convention, in a project it cannot name
    )  # fmt: skip
    payload = {"session_id": "s1", "transcript_path": str(said), "cwd": str(home),
               "hook_event_name": "Stop"}  # fmt: skip
    stop = hook("capture", payload, home)
    assert (stop.returncode, stop.stderr) == (0, "")
    service = MemoryService.open(Settings(db=home / "data" / "memory.db", semantic=False))
    try:
        kept = service.list_memories(service.make_filter(scope="*"), limit=None)
    finally:
        service.close()
    assert [m.content for m in kept] == ["I'm a teacher."]
    assert "reply to this email" in str(kept[0].context)  # what the user asked, kept
    assert "Leeds" not in str(kept[0].context)  # the email's own words are not stored

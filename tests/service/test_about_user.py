"""What users say about themselves: shown first in every project's briefing."""

import json
from pathlib import Path

from memory_mcp.policies import access
from memory_mcp.policies.statements import ABOUT_USER
from memory_mcp.service import MemoryService


def project(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text(
        f'[remote "origin"]\n\turl = git@github.com:acme/{name}.git\n'
    )
    return folder


def test_the_briefing_shows_what_the_user_said_about_themselves_before_newer_statements(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path, "widgets")
    keyword_service.remember(
        "I'm allergic to peanuts.", kind="fact", tags=[ABOUT_USER], scope="global"
    )
    for n in range(30):  # newer project statements than the briefing lists
        keyword_service.remember(
            f"Rule {n}: run linter pass {n} before commit {n}.",
            kind="preference",
            scope="github.com/acme/widgets",
        )
    brief = keyword_service.session_briefing(cwd=str(folder))
    about = brief.text.index("About the user:")
    assert brief.text.index("I'm allergic to peanuts.") > about
    assert about < brief.text.index("Preferences, decisions and facts:")
    assert brief.text.count("I'm allergic to peanuts.") == 1  # not listed again below


def transcript(path: Path, *said: str) -> Path:
    lines = []
    for n, text in enumerate(said):
        lines.append({
            "type": "user", "uuid": f"u{n}", "sessionId": "s1", "cwd": "/w",
            "timestamp": f"2026-10-05T09:{n:02d}:00Z",
            "message": {"role": "user", "content": text},
        })  # fmt: skip
        lines.append({
            "type": "assistant", "uuid": f"a{n}", "sessionId": "s1",
            "timestamp": f"2026-10-05T09:{n:02d}:30Z",
            "message": {"role": "assistant", "content": [{"type": "text", "text": "Noted."}]},
        })  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_capture_keeps_what_users_say_about_themselves_for_every_project(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    widgets, ledger = project(tmp_path, "widgets"), project(tmp_path, "ledger")
    said = transcript(
        tmp_path / "s1.jsonl",
        "I'm allergic to peanuts. Always use uv for Python here.",
        "Ich bin Vegetarier. We decided to go with that.",
    )
    report = keyword_service.capture(said, cwd=str(widgets))
    assert report.created == 3  # the pointer-only decision is not kept
    everything = keyword_service.list_memories(keyword_service.make_filter(scope="*"))
    where = {m.content: (m.scope, ABOUT_USER in m.tags) for m in everything if m.kind != "event"}
    assert where == {
        "I'm allergic to peanuts.": ("global", True),
        "Ich bin Vegetarier.": ("global", True),
        "Always use uv for Python here.": ("github.com/acme/widgets", False),
    }
    elsewhere = keyword_service.session_briefing(cwd=str(ledger)).text
    assert "About the user:" in elsewhere and "I'm allergic to peanuts." in elsewhere
    assert "Always use uv" not in elsewhere  # the project's rule stays with its project
    again = keyword_service.capture(said, cwd=str(widgets))
    assert again.created == 0  # taken once, wherever it went


def test_a_principal_keeps_what_it_says_about_itself_in_its_own_scope(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    grants = access.parse_grants(["github.com/acme/widgets=write"])
    alice = keyword_service.as_principal(access.principal("alice", grants))
    said = transcript(tmp_path / "s1.jsonl", "I'm allergic to peanuts. Always use uv for Python.")
    alice.capture(said, cwd=str(project(tmp_path, "widgets")))
    everything = keyword_service.list_memories(keyword_service.make_filter(scope="*"))
    where = {m.content: m.scope for m in everything if m.kind != "event"}
    assert where == {
        "I'm allergic to peanuts.": "user/alice",
        "Always use uv for Python.": "github.com/acme/widgets",
    }

"""Automatic memory on long sessions: what one session stores stays small, and the briefings
spend no slot on a memory alike to one they already show."""

import json
from pathlib import Path

from memory_mcp.policies.episodes import MAX_EXPLORED
from memory_mcp.service import MemoryService

SCOPE = "github.com/acme/widgets"


def project(tmp_path: Path) -> Path:
    folder = tmp_path / "widgets"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text(
        '[remote "origin"]\n\turl = git@github.com:acme/widgets.git\n'
    )
    return folder


def session(
    path: Path, folder: Path, prompts: list[str], replies: list[str | None], edit: int = -1
) -> Path:
    """A Claude Code transcript: per request the prompt, one Read (an Edit for request
    `edit`), its result and the reply (None: no text at all)."""
    lines = []
    for n, (prompt, reply) in enumerate(zip(prompts, replies, strict=True)):
        at = f"2026-10-05T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
        base = {"sessionId": "long", "cwd": str(folder), "gitBranch": "main", "timestamp": at}
        tool = "Edit" if n == edit else "Read"
        use = {"type": "tool_use", "id": f"t{n}", "name": tool,
               "input": {"file_path": f"{folder}/src/item_{n}.py"}}  # fmt: skip
        result = {"type": "tool_result", "tool_use_id": f"t{n}", "content": "ok"}
        lines += [
            {**base, "type": "user", "uuid": f"u{n}",
             "message": {"role": "user", "content": prompt}},
            {**base, "type": "assistant", "uuid": f"a{n}",
             "message": {"role": "assistant", "content": [use]}},
            {**base, "type": "user", "uuid": f"r{n}",
             "message": {"role": "user", "content": [result]}},
        ]  # fmt: skip
        if reply is not None:
            text = [{"type": "text", "text": reply}]
            lines.append({**base, "type": "assistant", "uuid": f"b{n}",
                          "message": {"role": "assistant", "content": text}})  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def explored(service: MemoryService) -> list[str]:
    found = service.list_memories(service.make_filter(scope="*", tags=["explored"]), limit=None)
    return [m.content for m in found]


def test_thousands_of_alike_requests_are_one_event_with_their_count(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    n = 3000
    prompts = [f"Please check item {i}." for i in range(n)]
    replies = [f"Item {i} looks fine: its total matches the ledger." for i in range(n)]
    report = keyword_service.capture(
        session(tmp_path / "t.jsonl", folder, prompts, replies), cwd=str(folder)
    )
    events = explored(keyword_service)
    assert len(events) == 1 and report.folded == n - 1
    assert events[0].startswith("Asked 'Please check item 0.'")
    assert events[0].endswith(f"({n - 1} more requests like it in this session.)")
    found = keyword_service.prompt_context("Please check item 7 again.", str(folder))
    assert found.text.count("Asked 'Please check item") == 1


def test_reads_that_concluded_nothing_leave_no_event(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    prompts = [f"Please check item {i}." for i in range(200)]
    replies: list[str | None] = [None] * 199 + ["ok"]
    keyword_service.capture(
        session(tmp_path / "t.jsonl", folder, prompts, replies), cwd=str(folder)
    )
    assert explored(keyword_service) == []
    episodes = keyword_service.list_memories(
        keyword_service.make_filter(scope="*", tags=["session"]), limit=None
    )
    assert len(episodes) == 1 and "200 requests" in episodes[0].content


WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike"]  # fmt: skip


def distinct_prompts(n: int) -> tuple[list[str], list[str]]:
    """Requests no two alike: each names its own pair of words."""
    pairs = [(a, b) for a in WORDS for b in WORDS if a != b][:n]
    prompts = [f"Why does the {a} {b} report drift?" for a, b in pairs]
    replies = [f"The {a} rounding and the {b} cache disagree on totals." for a, b in pairs]
    return prompts, replies


def test_one_session_keeps_at_most_its_cap_the_changes_first(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    prompts, replies = distinct_prompts(MAX_EXPLORED + 60)
    replies[-1] = "Fixed: the totals round once, at the end."  # an edit, short conclusion
    path = session(tmp_path / "t.jsonl", folder, prompts, replies, edit=len(prompts) - 1)
    report = keyword_service.capture(path, cwd=str(folder))
    events = explored(keyword_service)
    assert len(events) == MAX_EXPLORED and report.folded == 60
    assert any("changed src/item_" in e for e in events)


def test_a_session_captured_turn_by_turn_stays_within_its_cap(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """What Stop hooks do: capture the growing transcript after every few requests."""
    folder = project(tmp_path)
    prompts, replies = distinct_prompts(MAX_EXPLORED + 20)
    for end in range(5, len(prompts) + 1, 5):
        path = session(tmp_path / "t.jsonl", folder, prompts[:end], replies[:end])
        keyword_service.capture(path, cwd=str(folder))
    assert len(explored(keyword_service)) == MAX_EXPLORED
    alike = [f"Please check item {i}." for i in range(30)]
    longer = session(tmp_path / "t.jsonl", folder, prompts + alike, replies + alike)
    assert keyword_service.capture(longer, cwd=str(folder)).created == 0


def test_briefings_show_alike_memories_once(keyword_service: MemoryService, tmp_path: Path) -> None:
    """Events stored before capture folded them (or alike across sessions): one slot each."""
    folder = project(tmp_path)
    for i in range(8):
        keyword_service.remember(
            f"Asked 'Please check invoice {i}.': the assistant read src/invoices.py. Found:"
            f" invoice {i} totals match the ledger.",
            "event", ["captured", "explored"], SCOPE,
        )  # fmt: skip
    keyword_service.remember(
        "Asked 'Why is the ledger export slow?': the assistant read src/export.py. Found: the"
        " invoice totals are recomputed per row.",
        "event", ["captured", "explored"], SCOPE,
    )  # fmt: skip
    found = keyword_service.prompt_context(
        "check the invoice totals against the ledger", str(folder)
    )
    assert found.text.count("Please check invoice") == 1
    assert "ledger export slow" in found.text
    brief = keyword_service.session_briefing(str(folder)).text
    assert brief.count("Please check invoice") == 1 and "ledger export slow" in brief

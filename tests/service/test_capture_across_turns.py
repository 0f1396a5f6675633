"""A session's exploration events as Stop hooks capture them: after every turn, a new
process each time, on both backends. The alike count follows the session, the cap keeps
the most informative events across captures, and two captures at once keep within it."""

import json
import os
import subprocess
import sys
from itertools import combinations
from pathlib import Path

from memory_mcp.config import Settings
from memory_mcp.models import Memory
from memory_mcp.policies.episodes import MAX_EXPLORED
from memory_mcp.service import MemoryService
from tests.service.test_long_sessions import WORDS, project, session


def distinct_prompts(n: int) -> tuple[list[str], list[str]]:
    """Requests no two alike: each names its own pair of words (no pair twice, either way)."""
    pairs = list(combinations(WORDS, 2))[:n]
    assert len(pairs) == n
    prompts = [f"Why does the {a} {b} report drift?" for a, b in pairs]
    replies = [f"The {a} rounding and the {b} cache disagree on totals." for a, b in pairs]
    return prompts, replies


def capture(settings: Settings, transcript: Path, folder: Path) -> subprocess.Popen[str]:
    """`memory-mcp hook capture` as the Stop hook runs it, started (not waited for); its
    input is a file, so two can start at the same moment."""
    env = {**os.environ, "MEMORY_MCP_DB": str(settings.db), "MEMORY_MCP_SEMANTIC": "false"}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    payload = {"session_id": "long", "transcript_path": str(transcript), "cwd": str(folder),
               "hook_event_name": "Stop", "stop_hook_active": False}  # fmt: skip
    given = transcript.with_suffix(".hook.json")
    given.write_text(json.dumps(payload))
    with given.open() as stdin:
        return subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "hook", "capture"], env=env, text=True,
            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip


def done(*procs: subprocess.Popen[str]) -> None:
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert (proc.returncode, out, err) == (0, "", "")


def explored(settings: Settings, forgotten: bool = False) -> list[Memory]:
    service = MemoryService.open(settings.model_copy(update={"semantic": False}))
    try:
        flt = service.make_filter(scope="*", tags=["explored"], include_forgotten=forgotten)
        return service.list_memories(flt, limit=None)
    finally:
        service.close()


def test_the_alike_count_follows_the_turns_and_a_second_run_changes_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    prompts = [f"Please check item {i}." for i in range(12)]
    replies = [f"Item {i} looks fine: its total matches the ledger." for i in range(12)]
    path = tmp_path / "t.jsonl"
    for end in (3, 12):  # the Stop hook after request 3, then after request 12
        done(capture(settings, session(path, folder, prompts[:end], replies[:end]), folder))
    (event,) = explored(settings)
    assert event.content.endswith("(11 more requests like it in this session.)")
    assert event.metadata["alike"] == 12
    assert event.metadata["last_seen"] == "2026-10-05T00:00:11+00:00"  # request 12's time
    done(capture(settings, path, folder))  # the same transcript again (SessionEnd)
    (again,) = explored(settings)
    assert (again.content, again.metadata, again.changed_at) == (
        event.content, event.metadata, event.changed_at,
    )  # fmt: skip


def test_a_stronger_request_later_in_the_session_takes_a_weaker_ones_place(
    settings: Settings, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    prompts, replies = distinct_prompts(MAX_EXPLORED + 1)
    path = tmp_path / "t.jsonl"
    done(capture(settings, session(path, folder, prompts[:-1], replies[:-1]), folder))
    assert len(explored(settings)) == MAX_EXPLORED
    replies[-1] = "Fixed: the totals round once, at the end, in one place."
    edit = len(prompts) - 1  # the last request changed a file: worth more than a read
    done(capture(settings, session(path, folder, prompts, replies, edit=edit), folder))
    current = explored(settings)
    assert len(current) == MAX_EXPLORED
    assert any("changed src/item_40.py" in m.content for m in current)
    (weaker,) = [m for m in explored(settings, forgotten=True) if m.forgotten_at is not None]
    assert weaker.forget_reason == "A more informative request of the same session took its place."
    done(capture(settings, path, folder))  # again: the forgotten one is not stored again
    assert len(explored(settings)) == MAX_EXPLORED
    assert len(explored(settings, forgotten=True)) == MAX_EXPLORED + 1


def test_captures_of_one_session_never_hold_more_than_its_cap(
    settings: Settings, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    prompts, replies = distinct_prompts(MAX_EXPLORED + 30)
    # The session's file read at two lengths by two captures at the same moment (Stop and
    # SessionEnd), each choosing its own 40 (a change late in each).
    short = session(tmp_path / "a.jsonl", folder, prompts[:45], replies[:45], edit=44)
    whole = session(tmp_path / "b.jsonl", folder, prompts, replies, edit=60)
    done(capture(settings, short, folder), capture(settings, whole, folder))
    assert len(explored(settings)) == MAX_EXPLORED
    # A file under the same session id holding other requests (other message ids): what the
    # session holds already counts, not only what this file holds.
    other = session(tmp_path / "c.jsonl", folder, prompts[::-1], replies[::-1])
    other.write_text(other.read_text().replace('"uuid": "', '"uuid": "copy-'))
    done(capture(settings, other, folder))
    assert len(explored(settings)) == MAX_EXPLORED


def test_a_count_captured_turn_by_turn_keeps_a_short_history(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """One edit per turn made a 30,000-request session's event 30,000 history entries: it
    counts one by one to 20, then in steps of a tenth, never more than a tenth behind."""
    folder = project(tmp_path)
    prompts = [f"Please check item {i}." for i in range(80)]
    replies = [f"Item {i} looks fine: its total matches the ledger." for i in range(80)]
    for end in range(1, 81):
        path = session(tmp_path / "t.jsonl", folder, prompts[:end], replies[:end])
        keyword_service.capture(path, cwd=str(folder))
        (event,) = keyword_service.list_memories(
            keyword_service.make_filter(scope="*", tags=["explored"]), limit=None
        )
        count = event.metadata.get("alike", 1)
        assert count == end if end <= 20 else end - end // 10 <= count <= end
    assert len(keyword_service.history(event.id, limit=200)) <= 40  # one a turn: 80


def test_a_new_request_is_stored_after_the_user_forgot_an_event_of_the_session(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """A forgotten event keeps its slot's source id: the next new request was planned into
    that slot, the import path found the id taken, and it was never stored (every capture)."""
    folder = project(tmp_path)
    prompts, replies = distinct_prompts(3)
    path = tmp_path / "t.jsonl"
    keyword_service.capture(session(path, folder, prompts[:2], replies[:2]), cwd=str(folder))
    flt = keyword_service.make_filter(scope="*", tags=["explored"])
    first = min(keyword_service.list_memories(flt, limit=None), key=lambda m: m.id)
    keyword_service.forget([first.id], reason="not useful")
    for _ in range(2):  # the next turn's capture, and the one after it
        keyword_service.capture(session(path, folder, prompts, replies), cwd=str(folder))
        stored = keyword_service.list_memories(flt, limit=None)
        assert sorted(m.metadata["request"] for m in stored) == ["u1:explored", "u2:explored"]
    forgotten = keyword_service.list_memories(
        keyword_service.make_filter(scope="*", tags=["explored"], include_forgotten=True),
        limit=None,
    )
    assert [m.id for m in forgotten if m.forgotten_at is not None] == [first.id]


def test_a_later_capture_keeps_the_text_the_user_gave_an_event(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """A recount rewrote the event's text as capture makes it, over the user's edit."""
    folder = project(tmp_path)
    prompts = [f"Please check item {i}." for i in range(12)]
    replies = [f"Item {i} looks fine: its total matches the ledger." for i in range(12)]
    path = tmp_path / "t.jsonl"
    keyword_service.capture(session(path, folder, prompts[:3], replies[:3]), cwd=str(folder))
    flt = keyword_service.make_filter(scope="*", tags=["explored"])
    (event,) = keyword_service.list_memories(flt, limit=None)
    mine = "Item checks: every total matched the ledger; nothing to fix."
    keyword_service.update(event.id, content=mine)
    keyword_service.capture(session(path, folder, prompts, replies), cwd=str(folder))
    (after,) = keyword_service.list_memories(flt, limit=None)
    assert (after.content, after.metadata["alike"]) == (mine, 12)

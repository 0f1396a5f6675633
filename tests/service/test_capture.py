"""Capture from a Claude Code transcript: what is stored, where, once, and what is not."""

import json
from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

TRANSCRIPTS = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "capture" / "transcripts"
)


def project(
    tmp_path: Path, name: str = "widgets", remote: str = "git@github.com:acme/widgets.git"
) -> Path:
    folder = tmp_path / name
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {remote}\n')
    return folder


def write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def user(text: str, n: int, **extra: object) -> dict:
    return {
        "type": "user",
        "uuid": f"u{n}",
        "sessionId": "s1",
        "cwd": "/w",
        "gitBranch": "main",
        "timestamp": f"2026-10-05T09:{n:02d}:00Z",
        "message": {"role": "user", "content": text},
        **extra,
    }


def said(text: str, n: int) -> dict:
    return {
        "type": "assistant",
        "uuid": f"a{n}",
        "sessionId": "s1",
        "timestamp": f"2026-10-05T09:{n:02d}:30Z",
        "message": {"role": "assistant", "content": [{"type": "text", "text": text}]},
    }


def test_capture_stores_statements_explorations_and_one_episode_in_the_project_scope(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    report = keyword_service.capture(TRANSCRIPTS / "w1.jsonl", cwd=str(folder))
    assert report.scope == "github.com/acme/widgets" and report.requests == 3
    assert report.episode == "created"
    memories = keyword_service.list_memories(keyword_service.make_filter(scope="*"), limit=None)
    assert {m.scope for m in memories} == {"github.com/acme/widgets"}
    statements = {m.content: m.kind for m in memories if "said-by-user" in m.tags}
    assert statements == {
        "Always use uv for anything Python here, never pip or poetry.": "preference",
        "We decided to keep the tokens in the environment, not in a config file.": "decision",
    }
    explored = [m for m in memories if "explored" in m.tags]
    assert (
        explored[-1].content.startswith("Asked 'Where are the HTTP bearer tokens checked?")
        and "read src/widgets/api/auth.py" in explored[-1].content
    )
    assert explored[-1].occurred_at is not None and explored[-1].occurred_at.day == 5
    assert explored[-1].context and "BearerAuth" in explored[-1].context
    episode = [m for m in memories if "session" in m.tags]
    assert len(episode) == 1 and episode[0].key.startswith("session.")


def test_capture_twice_or_on_a_longer_transcript_stores_nothing_twice(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    lines = (TRANSCRIPTS / "w1.jsonl").read_text().splitlines(keepends=True)
    partial = tmp_path / "partial.jsonl"
    partial.write_text("".join(lines[: len(lines) // 2]))
    first = keyword_service.capture(partial, cwd=str(folder))
    full = keyword_service.capture(TRANSCRIPTS / "w1.jsonl", cwd=str(folder))
    again = keyword_service.capture(TRANSCRIPTS / "w1.jsonl", cwd=str(folder))
    assert first.created > 0 and full.already == first.created
    assert (again.created, again.episode) == (0, "unchanged")
    visible = keyword_service.list_memories(keyword_service.make_filter(scope="*"), limit=None)
    contents = [m.content for m in visible]
    assert len(contents) == len(set(contents))
    assert sum("session" in m.tags for m in visible) == 1  # the longer episode superseded


def test_private_blocks_secrets_and_ignored_paths_stay_out(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    (folder / ".memoryignore").write_text("secrets/\n")
    read = {
        "type": "tool_use",
        "id": "t1",
        "name": "Read",
        "input": {"file_path": f"{folder}/secrets/prod.key"},
    }
    read2 = {
        "type": "tool_use",
        "id": "t2",
        "name": "Read",
        "input": {"file_path": f"{folder}/src/app.py"},
    }
    lines = [
        user(
            "Always deploy with <private>the password is hunter2 and</private> make deploy."
            " We use the token sk-ant-api03-" + "a" * 90 + " everywhere.",
            1,
        ),
        {
            "type": "assistant",
            "uuid": "a1",
            "message": {"role": "assistant", "content": [read, read2]},
        },
        said("The app reads its key at startup.", 2),
    ]
    keyword_service.capture(write(tmp_path / "t.jsonl", lines), cwd=str(folder))
    memories = keyword_service.list_memories(keyword_service.make_filter(scope="*"), limit=None)
    text = json.dumps([m.model_dump(mode="json") for m in memories])
    assert "hunter2" not in text and "a" * 90 not in text and "secrets/prod.key" not in text
    assert "src/app.py" in text


def test_a_secret_where_capture_cuts_or_flattens_a_text_leaves_no_piece(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    # Commands, searches and conclusions are cut to a length and put on one line: a token
    # cut short, or wrapped at a line break that became a space, no longer looks like one.
    folder = project(tmp_path)
    token = "ghp_" + "Q7x" * 12
    wrapped = "ghp_" + "W9k" * 12
    tools = [
        {"type": "tool_use", "id": "t1", "name": "Bash",
         "input": {"command": "x" * 18 + f" && gh auth login --with-token {token}"}},
        {"type": "tool_use", "id": "t2", "name": "Grep", "input": {"pattern": f"xx {token}"}},
        {"type": "tool_use", "id": "t3", "name": "Read", "input": {"file_path": f"{folder}/a.py"}},
    ]  # fmt: skip
    conclusion = "y " * 185 + f"The token is {token} ok. Wrapped:\n{wrapped[:20]}\n{wrapped[20:]}"
    lines = [
        user("Where does the app log in to GitHub?", 1),
        {"type": "assistant", "uuid": "a1", "message": {"role": "assistant", "content": tools}},
        said(conclusion, 2),
    ]
    keyword_service.capture(write(tmp_path / "t.jsonl", lines), cwd=str(folder))
    memories = keyword_service.list_memories(keyword_service.make_filter(scope="*"), limit=None)
    assert {"explored", "session"} <= {tag for m in memories for tag in m.tags}
    text = json.dumps([m.model_dump(mode="json") for m in memories])
    assert "Q7xQ7x" not in text and "W9kW9k" not in text


def test_a_transcript_line_holding_a_line_separator_is_read_whole(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    # Claude Code writes JSON.stringify lines, which keep U+2028 and NEL raw.
    folder = project(tmp_path)
    lines = [user("We decided to ship on\u2028Fridays only.\x85Thanks", 1), said("Noted.", 2)]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    report = keyword_service.capture(path, cwd=str(folder))
    assert report.requests == 1
    memories = keyword_service.list_memories(keyword_service.make_filter(scope="*"), limit=None)
    episode = next(m for m in memories if "session" in m.tags)
    assert "We decided to ship on Fridays only." in episode.content
    assert any(m.kind == "decision" for m in memories if "said-by-user" in m.tags)


def test_capture_off_stores_nothing(settings: Settings, tmp_path: Path) -> None:
    off = MemoryService.open(settings.model_copy(update={"semantic": False, "capture": False}))
    try:
        report = off.capture(TRANSCRIPTS / "w1.jsonl", cwd=str(project(tmp_path)))
        assert report.skipped and off.count() == 0
    finally:
        off.close()


def test_outside_a_project_only_what_the_user_said_is_kept_in_the_default_scope(
    settings: Settings,
) -> None:
    """The home folder is no project: no scope is named after it; what the session explored
    (files of no project) and its decisions (about a project it cannot tell) are not kept;
    the user's rules go to the default scope."""
    on = MemoryService.open(settings.model_copy(update={"semantic": False}))
    try:
        report = on.capture(TRANSCRIPTS / "w1.jsonl", cwd=str(Path.home()))
        kept = on.list_memories(on.make_filter(scope="*"), limit=None)
    finally:
        on.close()
    assert report.scope == "global" and report.episode == "none" and report.created > 0
    assert {m.scope for m in kept} == {"global"}
    assert all("said-by-user" in m.tags and m.kind == "preference" for m in kept)
    assert any(m.content.startswith("Always use uv for anything Python") for m in kept)


def test_a_missing_transcript_is_a_clear_error(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    from memory_mcp.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Cannot read the transcript"):
        keyword_service.capture(tmp_path / "nope.jsonl", cwd=str(project(tmp_path)))


def test_briefing_holds_profile_decisions_sessions_and_files_within_budget(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    for name in ("w1", "w2", "w3", "w4"):
        keyword_service.capture(TRANSCRIPTS / f"{name}.jsonl", cwd=str(folder))
    keyword_service.remember("Editor is Helix", key="user.editor")
    keyword_service.remember("Editor is Neovim", key="user.editor")
    brief = keyword_service.session_briefing(cwd=str(folder))
    assert brief.text.startswith("Memory of github.com/acme/widgets (recalled data")
    for part in (
        "Profile:",
        "user.editor: Editor is Neovim",
        "changed 1x",
        "Preferences, decisions and facts:",
        "Last sessions:",
        "Files touched most:",
    ):
        assert part in brief.text, part
    assert brief.tokens <= brief.budget == 1200
    small = keyword_service.session_briefing(cwd=str(folder), max_tokens=150)
    assert 0 < small.tokens <= 150


def test_prompt_context_is_silent_unless_a_memory_clearly_bears_on_it(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    keyword_service.capture(TRANSCRIPTS / "w1.jsonl", cwd=str(folder))
    found = keyword_service.prompt_context("where are the bearer tokens checked?", str(folder))
    assert "src/widgets/api/auth.py" in found.text and found.tokens <= 400
    assert keyword_service.prompt_context("thanks!", str(folder)).text == ""
    assert (
        keyword_service.prompt_context("rewrite the kubernetes helm chart", str(folder)).text == ""
    )


def test_a_statement_said_again_in_a_later_session_is_a_repeat_not_a_second_memory(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    for n, session in enumerate(("s1", "s2"), start=1):
        lines = [
            {
                **user("Always use uv for Python, never pip.", n),
                "sessionId": session,
                "uuid": f"{session}-u",
            },
            said("Noted.", n),
        ]
        keyword_service.capture(write(tmp_path / f"{session}.jsonl", lines), cwd=str(folder))
    keyword_service.capture(tmp_path / "s2.jsonl", cwd=str(folder))  # re-run: not a third
    (memory,) = [m for m in keyword_service.list_memories(limit=None) if m.kind == "preference"]
    assert memory.repeat_count == 2


def test_a_preference_said_again_days_later_is_a_repeat_not_a_second_memory(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """Capture dates every statement with its turn; a preference said again on another day
    is the same preference (policies/repeats.py: lasting kinds), not a second memory."""
    folder = project(tmp_path)
    for day, session in (("05", "s1"), ("09", "s2")):
        lines = [
            {
                **user("Always use uv for Python, never pip.", 1),
                "sessionId": session,
                "uuid": f"{session}-u",
                "timestamp": f"2026-10-{day}T09:01:00Z",
            },
            {**said("Noted.", 1), "sessionId": session, "timestamp": f"2026-10-{day}T09:01:30Z"},
        ]
        keyword_service.capture(write(tmp_path / f"{session}.jsonl", lines), cwd=str(folder))
    (memory,) = [m for m in keyword_service.list_memories(limit=None) if m.kind == "preference"]
    assert memory.repeat_count == 2


def test_two_captures_of_one_session_at_once_count_each_statement_once(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both runs read what was captured before either writes (a barrier holds them there):
    whether a statement is new, a repeat, or already taken by the other run is decided in the
    write's transaction, so the session counts once."""
    import threading

    folder = project(tmp_path)
    first = [user("Always use uv for Python, never pip.", 1), said("Noted.", 1)]
    keyword_service = MemoryService.open(settings.model_copy(update={"semantic": False}))
    keyword_service.capture(write(tmp_path / "s1.jsonl", first), cwd=str(folder))
    keyword_service.close()
    second = [
        {**user("Always use uv for Python, never pip.", 2), "sessionId": "s2", "uuid": "s2-a"},
        said("Noted.", 2),
        {
            **user("We decided to keep the tokens in the environment.", 3),
            "sessionId": "s2",
            "uuid": "s2-b",
        },  # fmt: skip
        said("Understood.", 3),
    ]
    transcript = write(tmp_path / "s2.jsonl", second)
    services = [
        MemoryService.open(settings.model_copy(update={"semantic": False})) for _ in range(2)
    ]
    barrier = threading.Barrier(2, timeout=30)
    store_type = type(services[0].store)
    original = store_type.imported_ids

    def together(self: object, source: str) -> set[str]:
        found = original(self, source)  # type: ignore[arg-type]
        barrier.wait()  # neither writes before both have read
        return found

    monkeypatch.setattr(store_type, "imported_ids", together)
    errors: list[BaseException] = []

    def run(service: MemoryService) -> None:
        try:
            service.capture(transcript, cwd=str(folder))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    monkeypatch.undo()
    assert not errors, errors
    said_by_user = [m for m in services[0].list_memories(limit=None) if m.kind != "event"]
    for service in services:
        service.close()
    counts = sorted((m.content, m.repeat_count) for m in said_by_user)
    assert counts == [
        ("Always use uv for Python, never pip.", 2),
        ("We decided to keep the tokens in the environment.", 1),
    ]


def test_a_transcript_longer_than_is_read_loses_no_later_statement(
    keyword_service: MemoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past MAX_TRANSCRIPT_BYTES only the file's tail is read: its first requests are not the
    # session's first, so "the first N requests were taken" must not be applied to them.
    from memory_mcp.formats import claude_code_transcript

    folder = project(tmp_path)
    padding = {"toolUseResult": "x" * 2_000}  # a big tool output on each line
    lines = []
    for n in range(1, 9):
        lines += [user(f"Always tag release {n} with a signed tag.", n * 2, **padding)]
        lines += [said("Done.", n * 2 + 1)]
    path = tmp_path / "s1.jsonl"
    write(path, lines[:8])  # four requests: all read, all taken
    assert keyword_service.capture(path, cwd=str(folder)).created >= 4
    write(path, lines)  # eight: only the last ~six fit
    monkeypatch.setattr(
        claude_code_transcript, "MAX_TRANSCRIPT_BYTES", len(path.read_bytes()) * 3 // 4
    )
    keyword_service.capture(path, cwd=str(folder))
    said_ = {
        m.content for m in keyword_service.list_memories(limit=None) if "said-by-user" in m.tags
    }
    assert said_ == {f"Always tag release {n} with a signed tag." for n in range(1, 9)}


def test_prompt_context_reads_a_prompt_in_any_unicode_form(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """A prompt typed decomposed (NFD), in full-width letters, or with a zero-width space
    inside a word bears on the memory it names as the plain spelling does: the prompt's
    words were split at the combining accent (`se`, `or` for `Señor`), so nothing bore on it."""
    import unicodedata

    mid = keyword_service.remember("Señor Gómez runs the café on Main Street", scope="p").id
    for prompt in (
        unicodedata.normalize("NFD", "When does Señor Gómez open the café?"),
        "When does Ｓｅñｏｒ Ｇóｍｅｚ open the ｃａｆé?",
        "When does Señor Gó\u200bmez open the ca\u00adfé?",
    ):
        found = keyword_service.prompt_context(prompt, project="p")
        assert found.ids == [mid], prompt


def test_capture_redacts_each_text_of_the_transcript_once(
    keyword_service: MemoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Finding the session's secrets and storing its texts share one redaction of each text
    # (it was three for a prompt: its secrets, the records, the episode).
    from memory_mcp.policies import redact as redact_module

    scanned: list[str] = []
    findings = redact_module._findings

    def counted(text: str) -> list[tuple[int, int, str]]:
        scanned.append(text)
        return findings(text)

    monkeypatch.setattr(redact_module, "_findings", counted)
    folder = project(tmp_path)
    token = "ghp_" + "R4t" * 12
    prompt = f"Where is the token read? We set GITHUB_TOKEN={token} in CI."
    lines = [user(prompt, 1), said(f"It is read in ci.yml; {token} is in its env.", 2)]
    keyword_service.capture(write(tmp_path / "t.jsonl", lines), cwd=str(folder))
    assert scanned.count(prompt) == 1
    memories = keyword_service.list_memories(keyword_service.make_filter(scope="*"), limit=None)
    assert memories and token not in json.dumps([m.model_dump(mode="json") for m in memories])


def test_no_secret_of_the_corpus_is_stored_by_a_capture(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    # Every secret the README lists, in a request, in the reply and in a command the
    # assistant ran: the session's statements, explorations and episode keep none of them.
    from tests.secret_corpus import CORPUS
    from tests.service.test_redaction import stored_bytes

    folder = project(tmp_path)
    lines: list[dict] = []
    for n, secret in enumerate(CORPUS, start=1):
        bash = {"type": "tool_use", "id": f"t{n}", "name": "Bash",
                "input": {"command": f"cd {folder} && {secret.text}"}}  # fmt: skip
        lines += [
            user(f"We decided to keep this: {secret.text}. Where is it read?", n % 60),
            {
                "type": "assistant",
                "uuid": f"a{n}",
                "message": {"role": "assistant", "content": [bash]},
            },  # fmt: skip
            said(f"It is read in src/app.py; it was {secret.text} there.", n % 60),
        ]
        lines[-3]["uuid"], lines[-1]["uuid"] = f"u{n}", f"b{n}"
    keyword_service.capture(write(tmp_path / "t.jsonl", lines), cwd=str(folder))
    memories = keyword_service.list_memories(keyword_service.make_filter(scope="*"), limit=None)
    assert len(memories) > 3
    raw = stored_bytes(keyword_service)
    leaked = [(s.name, p) for s in CORPUS for p in s.secrets if p.encode() in raw]
    assert leaked == []


def test_a_secret_split_between_two_messages_of_a_session_is_stored_in_neither(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    # A token pasted over two requests, and a request ending with a label whose value the
    # reply starts with: neither text alone holds the secret; read joined at the seam, it
    # is masked on both sides (policies/secret_seams.py).
    from tests.secret_corpus import body
    from tests.service.test_redaction import stored_bytes

    token = "ghp_" + body(36)
    password = body(12) + "7!"
    folder = project(tmp_path)
    lines = [
        user(f"We decided to keep the deploy token in CI, it is {token[:17]}", 1),
        user(f"{token[17:]} and we always rotate it monthly.", 2),
        said("Noted, rotating monthly.", 2),
        user("We decided to use the staging database; its password is", 3),
        said(f"{password} is what I will use for the staging database.", 3),
    ]
    lines[2]["uuid"], lines[4]["uuid"] = "b2", "b3"
    keyword_service.capture(write(tmp_path / "t.jsonl", lines), cwd=str(folder))
    memories = keyword_service.list_memories(keyword_service.make_filter(scope="*"), limit=None)
    assert len(memories) >= 2
    raw = stored_bytes(keyword_service)
    for piece in (token[:17], token[17:], password):
        assert piece.encode() not in raw
    assert b"rotate it monthly" in raw

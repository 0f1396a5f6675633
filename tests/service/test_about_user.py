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


def test_what_goes_to_the_default_scope_keeps_the_users_words_alone_as_context(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """Searched from every project, an about-user memory's context holds what the user said,
    not the assistant's reply (here a drafted answer naming the project's internals); the
    project's rule keeps both, in its project."""
    said = transcript(tmp_path / "s1.jsonl", "I'm a teacher. Always use uv for Python here.")
    text = said.read_text().replace("Noted.", "Draft: the ledger service runs on db-7.internal")
    said.write_text(text)
    keyword_service.capture(said, cwd=str(project(tmp_path, "widgets")))
    everything = keyword_service.list_memories(keyword_service.make_filter(scope="*"))
    context = {m.content: m.context for m in everything if m.kind != "event"}
    assert context["I'm a teacher."] == "User: I'm a teacher. Always use uv for Python here."
    assert "db-7.internal" in (context["Always use uv for Python here."] or "")
    assert not keyword_service.recall("db-7", scope="global").hits


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


def about_lines(text: str) -> list[str]:
    """The items of the briefing's "About the user" section."""
    lines = text.split("About the user:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [line[2:] for line in lines]


def test_the_briefing_shows_at_most_eight_about_the_user_newest_first_each_once(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path, "widgets")
    for n, thing in enumerate(["peanuts", "shellfish", "cats", "dust", "pollen", "latex",
                               "penicillin", "wasps", "mould", "kiwi"]):  # fmt: skip
        keyword_service.remember(
            f"I'm allergic to {thing}.", kind="fact", tags=[ABOUT_USER], scope="global",
            occurred_at=f"2026-01-{n + 1:02d}T09:00:00Z",
        )  # fmt: skip
    # the same statement in the project: shown once
    keyword_service.remember(
        "I'm allergic to kiwi.", kind="fact", tags=[ABOUT_USER], scope="github.com/acme/widgets"
    )
    brief = keyword_service.session_briefing(cwd=str(folder), max_tokens=4000)
    shown = about_lines(brief.text)
    assert len(shown) == 8 and shown[0] == "I'm allergic to kiwi."
    assert "I'm allergic to peanuts." not in shown and "I'm allergic to shellfish." not in shown
    assert brief.text.count("I'm allergic to kiwi.") == 1


def test_a_forgotten_or_superseded_memory_about_the_user_is_not_in_the_briefing(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path, "widgets")
    old = keyword_service.remember(
        "I live in Berlin.", kind="fact", tags=[ABOUT_USER], scope="global"
    )
    keyword_service.remember(
        "I live in Lisbon.", kind="fact", tags=[ABOUT_USER], scope="global", replaces=old.id
    )
    gone = keyword_service.remember(
        "I'm vegetarian.", kind="fact", tags=[ABOUT_USER], scope="global"
    )
    keyword_service.forget([gone.id])
    text = keyword_service.session_briefing(cwd=str(folder)).text
    assert about_lines(text) == ["I live in Lisbon."]
    assert "Berlin" not in text and "vegetarian" not in text


def test_a_memory_a_client_tags_about_user_shows_in_its_project_and_global_ones_everywhere(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    widgets, ledger = project(tmp_path, "widgets"), project(tmp_path, "ledger")
    keyword_service.remember("I'm on call on Tuesdays for widgets.", kind="fact",
                             tags=["About-User"], project="github.com/acme/widgets")  # fmt: skip
    keyword_service.remember("I'm a data engineer.", tags=[ABOUT_USER])
    assert about_lines(keyword_service.session_briefing(cwd=str(widgets)).text) == [
        "I'm a data engineer.",
        "I'm on call on Tuesdays for widgets.",
    ]
    assert about_lines(keyword_service.session_briefing(cwd=str(ledger)).text) == [
        "I'm a data engineer."
    ]


def test_a_principal_sees_what_it_said_about_itself_even_when_it_may_read_global(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """Capture puts it in the principal's own scope; the briefing read only global then."""
    grants = access.parse_grants(["github.com/acme/widgets=write", "global=read"])
    alice = keyword_service.as_principal(access.principal("alice", grants))
    bob = keyword_service.as_principal(access.principal("bob", grants))
    folder = project(tmp_path, "widgets")
    keyword_service.remember("The team's lunch is vegetarian.", tags=[ABOUT_USER])
    alice.capture(transcript(tmp_path / "s1.jsonl", "I'm allergic to peanuts."), cwd=str(folder))
    assert about_lines(alice.session_briefing(cwd=str(folder)).text) == [
        "The team's lunch is vegetarian.",  # newer than the session's transcript
        "I'm allergic to peanuts.",
    ]
    assert about_lines(bob.session_briefing(cwd=str(folder)).text) == [
        "The team's lunch is vegetarian."
    ]


def test_a_small_budget_keeps_what_the_user_said_about_themselves_before_project_rules(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path, "widgets")
    keyword_service.remember("I'm allergic to peanuts.", tags=[ABOUT_USER], scope="global")
    keyword_service.remember("Always run ruff before a commit in widgets.", kind="preference",
                             scope="github.com/acme/widgets")  # fmt: skip
    brief = keyword_service.session_briefing(cwd=str(folder), max_tokens=60)
    assert "I'm allergic to peanuts." in brief.text and "ruff" not in brief.text
    assert brief.tokens <= 60


def test_an_untagged_copy_in_the_project_is_not_shown_again_below(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """Captured before about-user existed, the same words sit in the project untagged."""
    folder = project(tmp_path, "widgets")
    keyword_service.remember("I'm allergic to peanuts!", kind="fact",
                             scope="github.com/acme/widgets")  # fmt: skip
    keyword_service.remember("I'm allergic to peanuts.", tags=[ABOUT_USER], scope="global")
    text = keyword_service.session_briefing(cwd=str(folder)).text
    assert text.count("allergic to peanuts") == 1


def test_alike_statements_about_the_user_take_one_line_the_newest(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path, "widgets")
    for age, day in ((5, "2025-03-01"), (6, "2026-03-01")):
        keyword_service.remember(f"My son Tom is {age} years old.", tags=[ABOUT_USER],
                                 occurred_at=f"{day}T09:00:00Z")  # fmt: skip
    text = keyword_service.session_briefing(cwd=str(folder)).text
    assert about_lines(text) == ["My son Tom is 6 years old."]
    assert "is 5 years" not in text

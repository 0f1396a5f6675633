"""What users say about themselves: shown first in every project's briefing."""

from pathlib import Path

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

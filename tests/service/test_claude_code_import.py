"""import --format claude-code: a project's CLAUDE.md files and Claude Code's auto memory."""

from pathlib import Path

import pytest

from memory_mcp.errors import InvalidInput
from memory_mcp.formats import claude_code_memory
from memory_mcp.service import MemoryService

CLAUDE_MD = """# Widgets

@docs/extra.md

## Conventions
- Always use uv, never pip.
- Tests live in tests/, one module per package module.

<!-- a comment that is not a memory -->

```bash
uv run pytest
```

We decided on Postgres 16 for every environment.
"""


def project(tmp_path: Path) -> Path:
    folder = tmp_path / "code" / "widgets"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text(
        '[remote "origin"]\n\turl = git@github.com:acme/widgets.git\n'
    )
    (folder / "CLAUDE.md").write_text(CLAUDE_MD)
    return folder


def test_reads_items_and_paragraphs_with_headings_as_tags(tmp_path: Path) -> None:
    folder = project(tmp_path)
    home = tmp_path / "home"
    memory = claude_code_memory.auto_memory_folder(folder, home)
    memory.mkdir(parents=True)
    (memory / "MEMORY.md").write_text("- The staging box is staging.acme.internal\n")
    (memory / "debugging.md").write_text("# Debugging\nFlaky export tests come from set order.\n")
    records = claude_code_memory.read(folder, home)
    got = {(r.content, r.kind) for r in records}  # type: ignore[union-attr]
    assert got == {
        ("Always use uv, never pip.", "preference"),
        ("Tests live in tests/, one module per package module.", "note"),
        ("We decided on Postgres 16 for every environment.", "decision"),
        ("The staging box is staging.acme.internal", "note"),
        ("Flaky export tests come from set order.", "note"),
    }
    first = records[0]
    assert first.tags == ["claude-code", "Widgets", "Conventions"]  # type: ignore[union-attr]
    assert str(memory).endswith("code-widgets/memory")


def test_import_goes_to_the_projects_scope_and_reruns_add_nothing(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    first = keyword_service.import_from("claude-code", folder)
    assert first.scope == "github.com/acme/widgets" and first.created == 3
    again = keyword_service.import_from("claude-code", folder)
    assert (again.created, again.already_imported) == (0, 3)


def test_nothing_to_read_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="No Claude Code memory files"):
        claude_code_memory.read(tmp_path, tmp_path / "home")


def test_codex_agents_md_the_override_wins(keyword_service: MemoryService, tmp_path: Path) -> None:
    folder = project(tmp_path)
    (folder / "AGENTS.md").write_text("- Never run the e2e suite in CI.\n")
    with pytest.raises(InvalidInput, match="No AGENTS.override.md or AGENTS.md"):
        claude_code_memory.read_codex(tmp_path)
    (folder / "AGENTS.override.md").write_text("- Always run make check before committing.\n")
    report = keyword_service.import_from("codex", folder)
    assert (report.scope, report.created) == ("github.com/acme/widgets", 1)
    (memory,) = keyword_service.list_memories()
    assert (memory.content, memory.kind, memory.tags) == (
        "Always run make check before committing.",
        "preference",
        ["codex"],
    )


def test_a_token_wrapped_onto_the_next_line_is_masked_before_the_lines_are_joined(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    folder = project(tmp_path)
    token = "ghp_" + "Wq3" * 12
    (folder / "CLAUDE.md").write_text(
        f"# Deploy\n\nThe CI token is {token[:20]}\n{token[20:]} for uploads.\n\n"
        f"- never \x00 commit {token}\n"  # skipped (NUL): its report shows no secret either
    )
    summary = keyword_service.import_from("claude-code", folder)
    assert summary.created == 1 and summary.redacted == 1
    [memory] = keyword_service.list_memories(keyword_service.make_filter(scope="*"))
    assert memory.content == "The CI token is [REDACTED:github_token] for uploads."
    assert "Wq3Wq3" not in summary.model_dump_json()


@pytest.mark.parametrize("fmt", ["claude-code", "codex"])
def test_a_link_in_the_project_to_a_file_outside_it_is_not_read(
    keyword_service: MemoryService, tmp_path: Path, fmt: str
) -> None:
    """A cloned repository's CLAUDE.md (or rule, or AGENTS.md) linking to ../../.netrc put
    that file's lines into memory, where briefings and recall hand them to the model."""
    folder = project(tmp_path)
    outside = tmp_path / "netrc"
    outside.write_text("- machine example.com login me password-is-swordfish\n")
    (folder / "CLAUDE.md").unlink()
    (folder / ("CLAUDE.md" if fmt == "claude-code" else "AGENTS.md")).symlink_to(outside)
    (folder / ".claude" / "rules").mkdir(parents=True)
    (folder / ".claude" / "rules" / "style.md").write_text("- Always use tabs.\n")
    (folder / ".claude" / "rules" / "more.md").symlink_to(outside)
    (folder / ".claude" / "rules" / "local.md").symlink_to(folder / ".claude/rules/style.md")
    report = keyword_service.import_from(fmt, folder)
    stored = [m.content for m in keyword_service.list_memories()]
    assert not any("swordfish" in text for text in stored)
    outside_skips = [s for s in report.skipped if "outside the folder; not read" in s.reason]
    assert len(outside_skips) == (2 if fmt == "claude-code" else 1)
    if fmt == "claude-code":  # a link within the folder is its own file
        assert stored == ["Always use tabs."]

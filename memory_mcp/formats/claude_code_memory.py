"""Claude Code's own memory files, read into memories (`import --format claude-code PATH`),
and the Codex CLI's AGENTS.md (`import --format codex PATH`).

PATH is a project folder: its CLAUDE.md, .claude/CLAUDE.md, CLAUDE.local.md and
.claude/rules/*.md, and Claude Code's auto memory for that project, the folder
`~/.claude/projects/<project path, each character other than a letter or digit as "-">/memory/`
(MEMORY.md, the index, and its topic files). PATH may also be that memory folder or one
Markdown file. Each list item, and each paragraph outside lists, becomes one memory; the
headings above it become its tags; a rule, choice or correction is a preference, decision or
fact (policies/statements.py), anything else a note. Code blocks, `@path` imports and HTML
comments are not memories. The source id is the file and the text, so re-running adds only
what is new (an edited line arrives as a new memory; the old one stays until you forget it).
"""

import re
from pathlib import Path

from memory_mcp.errors import InvalidInput
from memory_mcp.formats.common import Item, Record, Skipped, digest, read_text
from memory_mcp.policies.redact import redact

FORMAT = "claude-code"
PROJECT_FILES = ("CLAUDE.md", ".claude/CLAUDE.md", "CLAUDE.local.md")
# The Codex CLI's project instructions (developers.openai.com/codex/guides/agents-md): in a
# folder, AGENTS.override.md wins over AGENTS.md. Same Markdown, read the same way.
CODEX_FORMAT = "codex"
CODEX_FILES = ("AGENTS.override.md", "AGENTS.md")
MAX_FILES = 200
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def auto_memory_folder(project: Path, home: Path | None = None) -> Path:
    """Where Claude Code keeps its auto memory for a project folder."""
    slug = re.sub(r"[^A-Za-z0-9]", "-", str(project.resolve()))
    return (home or Path.home()) / ".claude" / "projects" / slug / "memory"


def files(path: Path, home: Path | None = None) -> list[Path]:
    """The Markdown files an import of `path` reads."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InvalidInput(f"{path} is neither a project folder nor a Markdown file.")
    if (path / "MEMORY.md").is_file():  # the auto-memory folder itself
        return sorted(path.glob("*.md"))[:MAX_FILES]
    found = [path / name for name in PROJECT_FILES if (path / name).is_file()]
    found += sorted((path / ".claude" / "rules").glob("*.md"))
    memory = auto_memory_folder(path, home)
    if memory.is_dir():
        found += sorted(memory.glob("*.md"))
    return [f for f in found if f.is_file()][:MAX_FILES]


def read(path: Path, home: Path | None = None) -> list[Item]:
    """Every item and paragraph of the files, as records."""
    chosen = files(path, home)
    if not chosen:
        raise InvalidInput(
            f"No Claude Code memory files for {path}: looked for {', '.join(PROJECT_FILES)},"
            f" .claude/rules/*.md and {auto_memory_folder(path, home)}."
        )
    items: list[Item] = []
    for file in chosen:
        items += _records(file, path) if _own(file, path, home) else [_outside(file)]
    return items


def read_codex(path: Path) -> list[Item]:
    """A project folder's AGENTS.override.md (else AGENTS.md), or one Markdown file."""
    if path.is_file():
        return _records(path, path.parent)
    found = next((path / name for name in CODEX_FILES if (path / name).is_file()), None)
    if found is None:
        raise InvalidInput(f"No {' or '.join(CODEX_FILES)} in {path}.")
    return _records(found, path) if _own(found, path) else [_outside(found)]


def _own(file: Path, path: Path, home: Path | None = None) -> bool:
    """Whether a file found in a folder is that folder's own: a link in a cloned project
    (CLAUDE.md -> ../../.aws/credentials) would put a file from anywhere into memory.
    Files in the project's auto-memory folder are its own there; a file given alone is."""
    if path.is_file():
        return True
    memory = auto_memory_folder(path, home)
    real = file.resolve()
    return real.is_relative_to(path.resolve()) or (
        file.is_relative_to(memory) and real.is_relative_to(memory.resolve())
    )


def _outside(file: Path) -> Skipped:
    return Skipped(
        where=str(file), reason=f"a link to {file.resolve()}, outside the folder; not read"
    )


def _records(file: Path, base: Path) -> list[Item]:
    # Here, not at the top: the statement rules compile ~60 ms of patterns, and every
    # import of a `formats` module (the server's start, each hook) loads this one.
    from memory_mcp.policies.statements import classify

    text = _COMMENT.sub("", read_text(file))
    name = str(file.relative_to(base)) if file.is_relative_to(base) else file.name
    source = "codex" if file.name in CODEX_FILES else "claude-code"
    records: list[Item] = []
    headings: list[str] = []
    block: list[str] = []
    fenced = False

    def flush() -> None:
        # Secrets go before the lines are joined: a token wrapped onto the next line is found
        # across the line break, not once it is a space (and the report's `where` shows none).
        masked = redact("\n".join(block))
        content = " ".join(masked.text.split())
        block.clear()
        if content and not content.startswith("@"):
            statement = classify(content)
            records.append(Record(
                content=content, source_id=f"{name}:{digest(content)}",
                where=f"{name}: {content[:40]}", kind=statement.kind if statement else "note",
                tags=[source, *headings[-2:]], redacted=masked.changed,
            ))  # fmt: skip

    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            flush()
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = _HEADING.match(line)
        item = _ITEM.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            headings = [*headings[: level - 1], heading.group(2)][:level]
        elif item:
            flush()
            block.append(item.group(1))
        elif not line.strip():
            flush()
        else:
            block.append(line.strip())
    flush()
    return records

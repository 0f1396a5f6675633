"""Markdown files people can read and edit: one per scope, imported back by memory id.

    # github.com/acme/widgets
    <!-- memory-mcp: {"format": 1, "scope": "github.com/acme/widgets"} -->

    ## #12 · fact
    tags: db, postgres · created: 2026-01-02 10:00Z · updated: 2026-01-03 09:12Z

    The content, exactly as stored.

A memory starts at a heading `## #<id>` (or `## #new` for one to create), then its kind. The
line right below, when it starts with a known field, is its header; a value holding ` · `, or
starting with `"` or `[`, is written as JSON. The content runs to the next memory heading. A
content line that would read as a memory heading gets one more leading backslash on export and
loses one on import, so any text survives: headings, `---` lines, code fences.
"""

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from memory_mcp.errors import InvalidInput
from memory_mcp.formats import files
from memory_mcp.formats.common import digest
from memory_mcp.models import Memory
from memory_mcp.timestamps import minute_text

FORMAT_VERSION = 1
SUFFIX = ".md"
MAX_NAME = 120  # characters of a file name before it is shortened
SEPARATOR = " · "
FIELDS = ("tags", "key", "occurred", "created", "updated", "expires", "forgotten", "superseded by")
HEADING = re.compile(r"^## #(?P<id>\d+|new)\b(?P<rest>.*)$", re.IGNORECASE)
LOOKS_LIKE_HEADING = re.compile(r"^\\*## #(?:\d+|new)\b", re.IGNORECASE)
MARKER = re.compile(r"^<!-- memory-mcp: (?P<json>\{.*\}) -->\s*$")
HEADER_LINE = re.compile(rf"^(?:{'|'.join(FIELDS)}):(?: |$)")
GUIDE = """<!--
Edit a memory's text, its kind (after the id) or its tags, or move it to another scope's file;
add one under a `## #new · fact` heading; then run `memory-mcp import --format markdown DIR`.
Dates, key and state are for reading. Removing an entry here does not delete the memory.
-->"""


def file_names(scopes: Iterable[str]) -> dict[str, str]:
    """A safe, distinct file name per scope: percent-encoded, so reversible unless shortened
    (the file records its scope anyway), and distinct on case-insensitive file systems."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for scope in sorted(scopes):
        stem = quote(scope, safe="")
        stem = "%2E" + stem[1:] if stem.startswith(".") else stem
        if len(stem) > MAX_NAME:
            stem = f"{stem[:MAX_NAME]}~{digest(scope)[:8]}"
        name, n = stem + SUFFIX, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}~{n}{SUFFIX}"
        taken.add(name.lower())
        names[scope] = name
    return names


def preamble(scope: str) -> str:
    marker = json.dumps({"format": FORMAT_VERSION, "scope": scope}, ensure_ascii=False)
    return f"# {' '.join(scope.split())}\n<!-- memory-mcp: {marker} -->\n{GUIDE}\n"


def render(memory: Memory) -> str:
    """One memory: heading, header line, blank line, content, blank line."""
    body = "\n".join(
        "\\" + line if LOOKS_LIKE_HEADING.match(line) else line
        for line in memory.content.split("\n")
    )
    return f"\n## #{memory.id} · {memory.kind}\n{_header(memory)}\n\n{body}\n"


def _header(memory: Memory) -> str:
    values: list[tuple[str, Any]] = [
        ("tags", memory.tags or None),
        ("key", memory.key),
        ("occurred", memory.occurred_at),
        ("created", memory.created_at),
        ("updated", memory.updated_at),
        ("expires", memory.expires_at),
        ("forgotten", memory.forgotten_at),
        ("superseded by", _replacement(memory)),
    ]
    return SEPARATOR.join(f"{name}: {_value(v)}" for name, v in values if v is not None)


def _replacement(memory: Memory) -> str | None:
    """`#N`; a newer memory the exporter may not read is not named (service/masking.py)."""
    if memory.superseded_by is not None:
        return f"#{memory.superseded_by}"
    return "a newer memory" if memory.superseded else None


def _value(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{minute_text(value)}Z"
    if isinstance(value, list):
        text = ", ".join(value)
        plain = all("," not in v and v.strip() == v for v in value)
        return text if plain and _plain(text) else json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if _plain(text) else json.dumps(text, ensure_ascii=False)


def _plain(text: str) -> bool:
    return "·" not in text and "|" not in text and text[:1] not in ('"', "[", " ")


def export(
    memories: Iterable[Memory],
    directory: Path,
    progress: Callable[[int, int], None] | None = None,
    total: int = 0,
    overwrite: bool = False,
) -> tuple[list[Path], int]:
    """Write one file per scope into `directory` (created if need be); (files, memories).

    Files are private and written as files.private_file writes them; unless `overwrite`, an
    existing file stops the export before anything is written.
    """
    if directory.exists() and not directory.is_dir():
        raise InvalidInput(f"{directory} is a file; give a folder for Markdown files.")
    by_scope: dict[str, list[str]] = {}
    count = 0
    for count, memory in enumerate(memories, start=1):
        by_scope.setdefault(memory.scope, []).append(render(memory))
        if progress is not None:
            progress(count, max(total, count))
    files.make_folder(directory)
    targets = {scope: directory / name for scope, name in file_names(by_scope).items()}
    for path in targets.values():
        files.check_target(path, overwrite)
    for scope, path in targets.items():
        with files.private_file(path, overwrite) as fh:
            fh.write(preamble(scope) + "".join(by_scope[scope]))
    return list(targets.values()), count

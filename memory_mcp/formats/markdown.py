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
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from pydantic import BaseModel, Field

from memory_mcp.errors import InvalidInput
from memory_mcp.formats.common import digest
from memory_mcp.models import KINDS, MAX_KEY_CHARS, Memory, clean_scope, clean_tags
from memory_mcp.times import parse_time

FORMAT_VERSION = 1
SUFFIX = ".md"
MAX_NAME = 120  # characters of a file name before it is shortened
MAX_PROBLEMS = 10
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


class MarkdownImportReport(BaseModel):
    """What importing Markdown files changed; nothing at all when the files were not edited."""

    files: int = 0
    entries: int = 0
    unchanged: int = 0
    updated: list[int] = Field(default_factory=list, description="Edited memories.")
    created: list[int] = Field(default_factory=list, description="From #new entries.")
    already_present: list[int] = Field(
        default_factory=list, description="#new entries whose content is already stored."
    )
    removed: list[int] = Field(
        default_factory=list,
        description="In the files' scopes but in no file: reported, never deleted.",
    )
    unknown: list[int] = Field(default_factory=list, description="Ids this database lacks.")


@dataclass
class Entry:
    """One memory as written in a file; None means the file does not say (keep as is)."""

    where: str
    id: int | None
    kind: str | None
    content: str
    scope: str
    tags: list[str] | None = None
    key: str | None = None
    occurred: str | None = None


@dataclass
class Document:
    path: Path
    scope: str
    entries: list[Entry] = field(default_factory=list)


# -- writing ---------------------------------------------------------------------------------


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
        ("superseded by", f"#{memory.superseded_by}" if memory.superseded_by else None),
    ]
    return SEPARATOR.join(f"{name}: {_value(v)}" for name, v in values if v is not None)


def _value(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}Z"
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
) -> tuple[list[Path], int]:
    """Write one file per scope into `directory` (created if need be); (files, memories)."""
    if directory.exists() and not directory.is_dir():
        raise InvalidInput(f"{directory} is a file; give a folder for Markdown files.")
    by_scope: dict[str, list[str]] = {}
    count = 0
    for count, memory in enumerate(memories, start=1):
        by_scope.setdefault(memory.scope, []).append(render(memory))
        if progress is not None:
            progress(count, max(total, count))
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for scope, name in file_names(by_scope).items():
        path = directory / name
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(preamble(scope) + "".join(by_scope[scope]))
        written.append(path)
    return written, count


# -- reading ---------------------------------------------------------------------------------


def read(path: Path, max_chars: int) -> list[Document]:
    """Every Markdown file in a folder (or one file), all checked before anything is used."""
    if not path.exists():
        raise InvalidInput(f"No such file or folder: {path}")
    files = sorted(path.glob(f"*{SUFFIX}")) if path.is_dir() else [path]
    if not files:
        raise InvalidInput(f"No {SUFFIX} files in {path}.")
    documents: list[Document] = []
    problems: list[str] = []
    for file in files:
        document, found = parse(file, _text(file), max_chars)
        documents.append(document)
        problems += found
    problems += _repeated_ids(documents)
    if problems:
        shown = "\n".join(problems[:MAX_PROBLEMS])
        extra = len(problems) - MAX_PROBLEMS
        more = f"\n... and {extra} more" if extra > 0 else ""
        raise InvalidInput(f"Nothing imported: {len(problems)} problem(s).\n{shown}{more}")
    return documents


def _text(file: Path) -> str:
    try:
        with file.open(encoding="utf-8-sig", newline="") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Cannot read {file}: {exc}") from exc


def parse(file: Path, text: str, max_chars: int) -> tuple[Document, list[str]]:
    """A file's entries, and what is wrong with it (file:line messages)."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    starts = [i for i, line in enumerate(lines) if HEADING.match(line)]
    scope, problems = _scope(file, lines[: starts[0] if starts else len(lines)])
    document = Document(file, scope)
    for start, end in pairwise([*starts, len(lines)]):
        entry, found = _entry(f"{file.name}:{start + 1}", lines[start:end], scope, max_chars)
        problems += found
        if entry is not None:
            document.entries.append(entry)
    return document, problems


def _scope(file: Path, preamble_lines: list[str]) -> tuple[str, list[str]]:
    """The scope the file records, else its name decoded."""
    for number, line in enumerate(preamble_lines, start=1):
        if match := MARKER.match(line):
            try:
                scope = json.loads(match["json"]).get("scope")
                return clean_scope(scope), []
            except (json.JSONDecodeError, AttributeError, TypeError, ValueError) as exc:
                return "", [f"{file.name}:{number}: unreadable memory-mcp line ({exc})"]
    try:
        return clean_scope(unquote(file.name.removesuffix(SUFFIX))), []
    except ValueError as exc:
        return "", [f"{file.name}: {exc}"]


def _entry(
    where: str, lines: list[str], scope: str, max_chars: int
) -> tuple[Entry | None, list[str]]:
    match = HEADING.match(lines[0])
    assert match is not None
    problems: list[str] = []
    kind = match["rest"].strip().lstrip("·|-:— ").strip().lower() or None
    if kind is not None and kind not in KINDS:
        problems.append(f"{where}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    fields: dict[str, str | list[str]] = {}
    body = lines[1:]
    has_header = bool(body) and HEADER_LINE.match(body[0]) is not None
    if has_header:
        try:
            fields = _fields(body[0])
        except ValueError as exc:
            problems.append(f"{where}: header line: {exc}")
        body = body[1:]
    content = "\n".join(line[1:] if LOOKS_LIKE_HEADING.match(line) else line for line in body)
    content = content.strip()
    if not content:
        problems.append(f"{where}: no content")
    elif len(content) > max_chars:
        problems.append(f"{where}: content is {len(content)} characters; the limit is {max_chars}")
    new = match["id"].lower() == "new"
    if new:
        problems += _check_new(where, fields)
    entry = Entry(
        where=where,
        id=None if new else int(match["id"]),
        kind=kind,
        content=content,
        scope=scope,
        key=_one(fields.get("key")),
        occurred=_one(fields.get("occurred")),
    )
    if has_header:  # a header without tags means no tags; no header leaves them as they are
        try:
            entry.tags = clean_tags(_many(fields.get("tags")))
        except ValueError as exc:
            problems.append(f"{where}: tags: {exc}")
    return (None if problems else entry), problems


def _check_new(where: str, fields: dict[str, str | list[str]]) -> list[str]:
    """A #new entry's key and occurred are used, so they must be valid before anything is."""
    problems = []
    key = _one(fields.get("key"))
    if key is not None and not 0 < len(key.strip()) <= MAX_KEY_CHARS:
        problems.append(f"{where}: key must be 1 to {MAX_KEY_CHARS} characters")
    try:
        parse_time(_one(fields.get("occurred")), "occurred")
    except InvalidInput as exc:
        problems.append(f"{where}: {exc}")
    return problems


def _fields(line: str) -> dict[str, str | list[str]]:
    """`name: value · name: value`, values plain or JSON."""
    fields: dict[str, str | list[str]] = {}
    rest = line
    while rest:
        name, sep, rest = rest.partition(":")
        name = name.strip()
        if not sep or name not in FIELDS:
            raise ValueError(f"unknown field {name!r} (known: {', '.join(FIELDS)})")
        rest = rest.lstrip(" ")
        if rest[:1] in ('"', "["):
            value, end = json.JSONDecoder().raw_decode(rest)
            rest = rest[end:].lstrip(" ")
            if rest and rest[0] not in "·|":
                raise ValueError(f"expected ' · ' after the value of {name}")
            rest = rest[1:]
        else:
            cut = re.search(r" [·|] ", rest)
            value, rest = (rest, "") if cut is None else (rest[: cut.start()], rest[cut.end() :])
            value = value.strip()
        fields[name] = value if isinstance(value, list) else str(value)
    return fields


def _one(value: str | list[str] | None) -> str | None:
    return None if value is None else (", ".join(value) if isinstance(value, list) else value)


def _many(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else value.split(",")


def _repeated_ids(documents: list[Document]) -> list[str]:
    first: dict[int, str] = {}
    problems = []
    for entry in (e for d in documents for e in d.entries if e.id is not None):
        assert entry.id is not None
        if entry.id in first:
            problems.append(f"{entry.where}: #{entry.id} also appears at {first[entry.id]}")
        first.setdefault(entry.id, entry.where)
    return problems


def same_text(stored: str, written: str) -> bool:
    """Equal but for line endings (an editor may turn \\n into \\r\\n)."""

    def normal(text: str) -> str:
        return "\n".join(line.removesuffix("\r") for line in text.split("\n"))

    return normal(stored) == normal(written)


def changes(entry: Entry, memory: Memory) -> dict[str, Any]:
    """The fields an edited entry changes on its memory (empty when it was not edited)."""
    found: dict[str, Any] = {}
    if not same_text(memory.content, entry.content):
        found["content"] = entry.content
    if entry.kind is not None and entry.kind != memory.kind:
        found["kind"] = entry.kind
    if entry.tags is not None and entry.tags != memory.tags:
        found["tags"] = entry.tags
    if entry.scope != memory.scope:
        found["scope"] = entry.scope
    return found

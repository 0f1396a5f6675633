"""Reading Markdown files back (see markdown.py for the format): checked, then compared."""

import json
import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, Field

from memory_mcp.errors import InvalidInput, json_problem, nothing_imported
from memory_mcp.formats import files
from memory_mcp.formats.markdown import (
    FIELDS,
    HEADER_LINE,
    HEADING,
    LOOKS_LIKE_HEADING,
    MARKER,
    SUFFIX,
)
from memory_mcp.models import KINDS, Memory
from memory_mcp.names import MAX_KEY_CHARS, clean_name, clean_scope, clean_tags, strip_invisible
from memory_mcp.policies.keys import key_form
from memory_mcp.policies.redact import measured_length
from memory_mcp.policies.times import parse_time

MAX_PROBLEMS = 10
NOT_OURS = (
    "{path} is not a memory-mcp Markdown file: it has no `## #<id>` or `## #new` entry and no "
    "memory-mcp line. Nothing imported. `export --format markdown DIR` writes such files (add "
    "`## #new · fact` entries to create memories); another tool's notes import with "
    "`--format claude-code` or `--format codex`."
)


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
    merged: list[int] = Field(
        default_factory=list,
        description="Memories an edit gave the text of another: folded into it (history).",
    )
    skipped: list[str] = Field(
        default_factory=list,
        description="Files not read: links out of the folder, things that are not files.",
    )
    redacted: list[int] = Field(
        default_factory=list, description="Created or updated with secrets masked."
    )


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
    marked: bool = False  # has the memory-mcp line an export writes

    @property
    def ours(self) -> bool:
        """Written by an export or in its format: a file given alone with no entry and no
        memory-mcp line is someone else's Markdown (a README), which imports as nothing."""
        return self.marked or bool(self.entries)


def read(path: Path, max_chars: int) -> tuple[list[Document], list[str]]:
    """Every Markdown file in a folder (or one file), all checked before anything is used;
    and the files of the folder left unread, with why (nothing outside it is ever read)."""
    if not path.exists():
        raise InvalidInput(f"No such file or folder: {path}")
    found, skipped = files.files_in(path, SUFFIX) if path.is_dir() else ([(path, path)], [])
    if not found:
        raise InvalidInput(f"No {SUFFIX} files in {path}." + "".join(f"\n{s}" for s in skipped))
    documents: list[Document] = []
    problems: list[str] = []
    for name, real in found:
        document, problems_ = parse(name, files.read_text(real), max_chars)
        if not document.ours and not path.is_dir():  # in a folder: its entries were deleted
            raise InvalidInput(NOT_OURS.format(path=path))
        documents.append(document)
        problems += problems_
    problems += _repeated_ids(documents)
    if problems:
        raise nothing_imported(problems, "problem(s)", MAX_PROBLEMS)
    return documents, skipped


def parse(file: Path, text: str, max_chars: int) -> tuple[Document, list[str]]:
    """A file's entries, and what is wrong with it (file:line messages)."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    starts = [i for i, line in enumerate(lines) if HEADING.match(line)]
    preamble = lines[: starts[0] if starts else len(lines)]
    scope, problems = _scope(file, preamble)
    document = Document(file, scope, marked=any(MARKER.match(line) for line in preamble))
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
            except json.JSONDecodeError as exc:
                why = f"its JSON: {json_problem(exc, one_line=True)}"
                return "", [f"{file.name}:{number}: unreadable memory-mcp line ({why})"]
            except (AttributeError, TypeError, ValueError) as exc:
                return "", [f"{file.name}:{number}: unreadable memory-mcp line ({exc})"]
            except RecursionError:  # JSON nested past the parser's depth: a server error
                why = "its JSON is nested too deeply to read"
                return "", [f"{file.name}:{number}: unreadable memory-mcp line ({why})"]
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
    content = strip_invisible(content)
    if not content:
        problems.append(f"{where}: no content")
    elif (size := measured_length(content)) > max_chars:
        problems.append(f"{where}: content is {size} characters; the limit is {max_chars}")
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
        entry.tags = [tag.strip() for tag in _many(fields.get("tags")) if tag.strip()]
        try:
            clean_tags(entry.tags)  # checked here, cleaned once secrets are masked
        except ValueError as exc:
            problems.append(f"{where}: tags: {exc}")
    return (None if problems else entry), problems


def _check_new(where: str, fields: dict[str, str | list[str]]) -> list[str]:
    """A #new entry's key and occurred are used, so they must be valid before anything is."""
    problems = []
    key = _one(fields.get("key"))
    try:
        if key is not None and not 0 < len(key_form(clean_name(key, "key"))) <= MAX_KEY_CHARS:
            problems.append(f"{where}: key must be 1 to {MAX_KEY_CHARS} characters")
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
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
    if entry.tags is not None and clean_tags(entry.tags) != memory.tags:
        found["tags"] = entry.tags
    if entry.scope != memory.scope:
        found["scope"] = entry.scope
    return found

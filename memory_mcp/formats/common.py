"""What every importer shares: the records it reads, the ones it skips, and the report."""

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from memory_mcp.formats import files
from memory_mcp.names import MAX_TAG_CHARS, MAX_TAGS, clean_tags, settled_tags
from memory_mcp.timestamps import leap_second

# Where an imported memory keeps the source's tags past MAX_TAGS: metadata.imported_from's.
MORE_TAGS = "more_tags"
# How many of those did not fit in the metadata's size limit (left out, counted here).
TAGS_LEFT_OUT = "more_tags_left_out"


@dataclass(frozen=True)
class Record:
    """One memory read from another system, before our checks (secrets, size, duplicates)."""

    content: str
    source_id: str  # stable id in the source: a re-run skips the ids it brought in before
    where: str  # how the report points at it: "line 3", "memory 8f2a..."
    kind: str = "note"
    tags: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    expires_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)  # kept under metadata.imported_from
    occurred_at: datetime | None = None
    context: str | None = None  # searched with the memory, never shown
    redacted: bool = False  # secrets already masked as it was read (before lines were joined)


class Skipped(BaseModel):
    where: str = Field(description="Which record: a line, row or id in the source.")
    reason: str


class ImportSummary(BaseModel):
    """What an import from another system did; re-running it creates nothing new."""

    format: str
    source: str
    scope: str
    read: int = Field(0, description="Records read from the source.")
    created: int = 0
    already_imported: int = Field(0, description="Brought in by an earlier run: left alone.")
    duplicates: int = Field(0, description="Same content as a memory already in the scope.")
    redacted: int = Field(0, description="Created with secrets masked.")
    more_tags: int = Field(
        0,
        description=f"Created with more than {MAX_TAGS} tags: the first {MAX_TAGS} are its "
        f"tags, the rest kept in its metadata (imported_from.{MORE_TAGS}).",
    )
    tags_left_out: int = Field(
        0,
        description=f"Of those, the memories whose tags past {MAX_TAGS} did not all fit in "
        f"the metadata's size limit (MEMORY_MCP_MAX_METADATA_CHARS): those that fit are kept, "
        f"the number left out is noted (imported_from.{TAGS_LEFT_OUT}); the source has them.",
    )
    skipped: list[Skipped] = Field(
        default_factory=list, description="Records not imported and why (duplicates included)."
    )


Item = Record | Skipped


def tags(values: Iterable[object]) -> list[str]:
    """Tags from source values (text and numbers), as they are: ingest masks the secrets in
    them before stored_tags makes them fit."""
    texts = (str(v) for v in values if isinstance(v, str | int) and not isinstance(v, bool))
    return [text for text in texts if text.strip()]


C0_C1 = re.compile("[\x00-\x1f\x7f-\x9f]+")


def spaced(text: str) -> str:
    """`text` with its C0 and C1 control characters as spaces, and its spaces collapsed."""
    return " ".join(C0_C1.sub(" ", text).split())


def stored_tags(texts: Iterable[str]) -> list[str]:
    """Tags as stored (split_tags' first part)."""
    return split_tags(texts)[0]


def split_tags(texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """Tags as stored: control characters as spaces, cut to our length limit, in their one
    spelling (names.settled_tags: folded, cut again if that lengthened one), the first
    MAX_TAGS; and the rest, in the same form (kept in metadata: nothing is lost). Nothing
    in a source's tags refuses its record."""
    cut = [spaced(text)[:MAX_TAG_CHARS] for text in texts]
    forms = list(
        dict.fromkeys(f for t in settled_tags([t for t in cut if t]) for f in clean_tags([t]))
    )
    return forms[:MAX_TAGS], forms[MAX_TAGS:]


def instant(value: object) -> datetime | None:
    """A source timestamp (ISO-8601 text, or Unix seconds) as aware UTC; None if unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            moment = datetime.fromtimestamp(float(value), UTC)
        elif isinstance(value, str) and value.strip():
            moment = datetime.fromisoformat(leap_second(value.strip()))
        else:
            return None
        # An offset can carry a moment past year 1 or 9999 (0001-01-01T00:00+01:00).
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None


def digest(*parts: str) -> str:
    """A short stable id for records the source gives no id (16 hex digits)."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def read_lines(path: Path, longest: int | None = None, what: str = "") -> list[str | None]:
    """A JSON-lines file's lines, split at "\n" only (a JSON string may hold U+2028 or NEL
    raw, which str.splitlines would break a line at), each decoded on its own: None for a
    line that is not UTF-8, so one bad line does not refuse the rest. None longer than
    `longest` bytes (files.read_bounded; `what` the file should be)."""
    data = files.read_bounded(path, longest, what)  # a FIFO or a device: refused
    lines: list[str | None] = []
    for raw in data.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
        try:
            lines.append(raw.decode("utf-8").removesuffix("\r"))
        except UnicodeDecodeError:
            lines.append(None)
    return lines


def read_text(path: Path, longest: int | None = None, what: str = "") -> str:
    """A source file's text (UTF-8, with or without a byte-order mark), through a link
    too; a FIFO or a device is refused, not waited on or read without end; a line longer
    than `longest` bytes too (files.read_bounded; `what` the file should be)."""
    if longest is None:
        return files.read_text(path, follow=True)
    try:
        return files.read_bounded(path, longest, what).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise files.not_utf8_file(path) from None


def with_more_tags(
    metadata: dict[str, Any], more: list[str], limit: int
) -> tuple[dict[str, Any], int]:
    """`metadata` keeping the tags past MAX_TAGS (`more`) under imported_from, as many as fit
    in `limit` characters of JSON with the note of how many did not (TAGS_LEFT_OUT), and that
    number: the metadata's limit holds for an imported memory as for every other."""

    def kept(n: int) -> dict[str, Any]:
        origin = dict(metadata["imported_from"])
        if n:
            origin[MORE_TAGS] = more[:n]
        if n < len(more):
            origin[TAGS_LEFT_OUT] = len(more) - n
        return {**metadata, "imported_from": origin}

    def fits(n: int) -> bool:
        return len(json.dumps(kept(n), default=str)) <= limit

    if fits(len(more)):
        return kept(len(more)), 0
    low, high = 0, len(more)  # fits(low) or low == 0; not fits(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    if fits(low):
        return kept(low), len(more) - low
    return metadata, len(more)  # not even the note fits: the summary still counts them


def more_tags_said(report: ImportSummary) -> str:
    """The import summary's words for the memories with tags past MAX_TAGS (CLI and UI)."""
    said = f"{report.more_tags} with tags past {MAX_TAGS} in metadata"
    if report.tags_left_out:
        said += (
            f" ({report.tags_left_out} with some left out, past the metadata's size limit: "
            f"their number is in metadata.imported_from.{TAGS_LEFT_OUT})"
        )
    return said

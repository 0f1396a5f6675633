"""A line of a JSONL export as an import reads it (transfer.py): its model, which only
needs content (hand-written files import too), its secrets masked and its sizes checked
before anything is written; or what is wrong with it, in one line."""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, ValidationError, field_validator

from memory_mcp.errors import InvalidInput, json_problem, read_json, validation_problems
from memory_mcp.formats.common import C0_C1, spaced
from memory_mcp.models import NewMemory
from memory_mcp.names import MAX_KEY_CHARS, clean_name, printed_name
from memory_mcp.policies import inputs
from memory_mcp.policies.keys import key_form
from memory_mcp.policies.redact import redact_fields
from memory_mcp.timestamps import leap_second

MAX_CLIENT_CHARS = 100  # a line's `client`: the label of who wrote it, as a server keeps it


class ExportedMemory(NewMemory):
    """One JSONL line; only content is required, so hand-written files import too."""

    id: int | None = Field(None, ge=1, le=inputs.MAX_ID)  # larger: not an SQL integer
    scope: str = "global"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    forgotten_at: datetime | None = None
    forget_reason: str | None = None
    key: str | None = None
    occurred_at: datetime | None = None
    expires_at: datetime | None = None
    superseded_by: int | None = Field(None, ge=1, le=inputs.MAX_ID)
    superseded_at: datetime | None = None
    client: str | None = None
    repeat_count: int = Field(1, ge=1, le=inputs.MAX_ID)
    last_seen_at: datetime | None = None

    @field_validator("tags", "scope", "key", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        """Names an older version stored with control characters (refused since) import with
        them as spaces, as the other importers' tags do: its export imports again."""
        if isinstance(value, list):
            return [_spaced(item) for item in value]
        return _spaced(value)

    @field_validator("client")
    @classmethod
    def _client(cls, value: str | None) -> str | None:
        """A label, kept as a server keeps a client's name: one printable line, cut short."""
        return (spaced(printed_name(value))[:MAX_CLIENT_CHARS].rstrip() or None) if value else None

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        # An older export may hold one slot in two spellings: imported, they are one slot.
        return None if value is None else key_form(clean_name(value, "key")) or None

    @field_validator(
        "created_at", "updated_at", "forgotten_at", "occurred_at", "expires_at",
        "superseded_at", "last_seen_at", mode="before",
    )  # fmt: skip
    @classmethod
    def _leap(cls, value: Any) -> Any:
        return leap_second(value) if isinstance(value, str) else value

    @field_validator(
        "created_at", "updated_at", "forgotten_at", "occurred_at", "expires_at",
        "superseded_at", "last_seen_at",
    )  # fmt: skip
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        """Times are stored in UTC: an offset that carries one past year 1 or 9999
        (0001-01-01T00:00:00+01:00) refuses the line here, before anything is written."""
        if value is None or value.tzinfo is None:
            return value
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("is outside the years 1 to 9999 in UTC") from None


def _spaced(name: Any) -> Any:
    return spaced(name) if isinstance(name, str) and C0_C1.search(name) else name


@dataclass(frozen=True)
class Limits:
    content: int  # content and context, each
    metadata: int  # as JSON


def records(lines: Iterable[str]) -> Iterator[tuple[int, ExportedMemory | str]]:
    """(line number, record with its secrets masked, or error message), skipping blank lines."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, parse(line)[0]


# Every text a line can carry into the database goes through redaction, as `remember` does.
REDACTED_FIELDS = ("content", "context", "tags", "key", "scope", "metadata", "forget_reason",
                   "client")  # fmt: skip


def parse(line: str, limits: Limits | None = None) -> tuple[ExportedMemory | str, tuple[str, ...]]:
    """One line as a record with its secrets masked, and their kinds; or what is wrong with it.

    Text checks and sizes apply to the line as written, the model's checks to the masked record.
    """
    try:
        obj = read_json(line)
    except json.JSONDecodeError as exc:
        return f"not JSON ({json_problem(exc, one_line=True)})", ()
    except RecursionError:
        return "not readable: JSON nested too deeply", ()
    if not isinstance(obj, dict):
        return "not a JSON object", ()
    try:
        inputs.check_text(**obj)
        if limits is not None:
            _check_sizes(obj, limits)
    except InvalidInput as exc:
        return str(exc), ()
    cleaned = redact_fields(**{name: obj[name] for name in REDACTED_FIELDS if name in obj})
    try:
        return ExportedMemory.model_validate(obj | cleaned.fields), cleaned.redacted
    except ValidationError as exc:
        return validation_problems(exc.errors(), inputs.shown), ()


def _check_sizes(obj: dict[str, Any], limits: Limits) -> None:
    sizes = {"content": limits.content, "context": limits.content, "key": MAX_KEY_CHARS,
             "forget_reason": inputs.MAX_REASON_CHARS}  # fmt: skip
    for name, limit in sizes.items():
        if isinstance(obj.get(name), str):
            inputs.check_length(name, obj[name], limit)
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        inputs.check_metadata(metadata, limits.metadata)

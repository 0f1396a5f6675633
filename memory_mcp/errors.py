"""Errors the core raises; messages are written for the person or model that must act on them."""

from typing import Any


class MemoryMCPError(Exception):
    """Base class: anything the user or the model can read and act on."""


class NotFound(MemoryMCPError):
    """A memory id that does not exist."""


class InvalidInput(MemoryMCPError):
    """Arguments that fail validation (empty content, bad date, bad limit)."""


class Forbidden(MemoryMCPError):
    """A caller's grants do not allow this (a memory it cannot read is NotFound instead)."""


class SchemaMismatch(MemoryMCPError):
    """The database was written by another schema version or embedding model."""


class StorageError(MemoryMCPError):
    """The database file cannot be used right now: locked, read-only, full, or damaged."""


def nothing_imported(problems: list[str], noun: str, shown: int = 10) -> InvalidInput:
    """One error listing the first problems of a file refused before anything was written."""
    listed = "\n".join(problems[:shown])
    extra = len(problems) - shown
    more = f"\n... and {extra} more" if extra > 0 else ""
    return InvalidInput(f"Nothing imported: {len(problems)} {noun}.\n{listed}{more}")


def validation_problems(errors: list[Any]) -> str:
    """pydantic's errors (`ValidationError.errors()`) as one short sentence each, joined by
    "; ": `limit: must be greater than or equal to 1 (got 0)`. A validator's own message
    already names what it checks (`scope must not be empty`) and comes alone, without the
    model's field name (`scopes`) or pydantic's `Value error, ` before it."""
    problems = []
    for err in errors:
        message = str(err["msg"])
        if err["type"] in ("value_error", "assertion_error"):
            message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
            problems.append(message)
            continue
        message = message.replace("Input should be", "must be", 1)
        message = message.replace(" after validation", "", 1)
        where = ".".join(str(part) for part in err["loc"]) or "input"
        got = "" if err["type"] == "missing" else f" (got {_short(err.get('input'))})"
        problems.append(f"{where}: {message}{got}")
    return "; ".join(problems)


def _short(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"

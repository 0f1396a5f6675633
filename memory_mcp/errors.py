"""Errors the core raises; messages are written for the person or model that must act on them."""


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

"""Errors the core raises; messages are written for the person or model that must act on them."""

import json
import re
import sys
from collections.abc import Callable
from typing import Any


class MemoryMCPError(Exception):
    """Base class: anything the user or the model can read and act on."""


class NotFound(MemoryMCPError):
    """A memory id that does not exist."""


class InvalidInput(MemoryMCPError):
    """Arguments that fail validation (empty content, bad date, bad limit)."""


class Forbidden(MemoryMCPError):
    """A caller's grants do not allow this (a memory it cannot read is NotFound instead)."""


class Changed(MemoryMCPError):
    """A write decided on a view of a memory (an editor, a form, a confirmation) that
    another writer changed or deleted since: nothing was written."""

    def __init__(self, message: str, memory_id: int) -> None:
        super().__init__(message)
        self.memory_id = memory_id


class SchemaMismatch(MemoryMCPError):
    """The database was written by another schema version or embedding model."""

    @classmethod
    def upgraded_meanwhile(
        cls, database: str, found: int, ours: int, restart: str
    ) -> "SchemaMismatch":
        """A write refused because a newer memory-mcp upgraded the database (to schema
        version `found`) under this running process, which understands `ours`; `restart`
        says who to restart, in brackets after "Restart it"."""
        return cls(
            f"The database {database} was upgraded to schema version {found} by a newer "
            f"memory-mcp while this one (schema {ours}) was running; this process no longer "
            f"writes to it. Restart it ({restart}) so the new version serves; nothing was "
            "changed."
        )


class StorageError(MemoryMCPError):
    """The database file cannot be used right now: locked, read-only, full, or damaged."""


class Refused(StorageError):
    """The database server refused the connection (credentials, database name, options):
    unlike an outage, trying again will not help."""


class ReadOnly(StorageError):
    """This process may read the database but not make this change (a PostgreSQL role
    without the right): reads go on; vectors for memories stored without one wait for a
    process that may write them."""


def of_one_batch(exc: StorageError) -> str:
    """The failure of one batch among several, in words: its "Nothing was changed" is only
    true of that batch."""
    return str(exc).replace("Nothing was changed", "That batch was not stored")


def stopped_partway(
    exc: StorageError, done: str, command: str = "import", rerun: str | None = None
) -> StorageError:
    """A storage failure in one batch of a command that stores batch by batch, after earlier
    batches were stored: the failure's "Nothing was changed" is only true of that batch.
    `done` names what stays ("The 512 memories the earlier batches created"); `rerun` what
    to run again and what that does (by default the same command, which carries on)."""
    reason = of_one_batch(exc)
    again = rerun or f"run the same {command} again: it carries on without duplicates"
    return type(exc)(
        f"The {command} stopped partway. {reason} {done} stay; once this is fixed, {again}."
    )


def nothing_imported(problems: list[str], noun: str, shown: int = 10) -> InvalidInput:
    """One error listing the first problems of a file refused before anything was written."""
    listed = "\n".join(problems[:shown])
    extra = len(problems) - shown
    more = f"\n... and {extra} more" if extra > 0 else ""
    return InvalidInput(f"Nothing imported: {len(problems)} {noun}.\n{listed}{more}")


def validation_problems(errors: list[Any], show: Callable[[Any], str]) -> str:
    """pydantic's errors (`ValidationError.errors()`) as one short sentence each, joined by
    "; ": `limit: must be greater than or equal to 1 (got 0)`. A validator's own message
    that already names what it checks (`scope must not be empty`) comes alone, without the
    model's field name (`scopes`) or pydantic's `Value error, ` before it; one that does not
    (`is outside the years 1 to 9999`) keeps the field's name. `show` writes the value sent,
    cut short with its secrets masked first (policies.inputs.shown, which the core cannot
    import): every caller repeats what a person or model sent."""
    problems = []
    for err in errors:
        message = plain_wording(str(err["msg"]))
        where = ".".join(str(part) for part in err["loc"]) or "input"
        if err["type"] in ("value_error", "assertion_error"):
            problems.append(message if _names(message, err["loc"]) else f"{where}: {message}")
            continue
        got = "" if err["type"] == "missing" else f" (got {show(err.get('input'))})"
        problems.append(f"{where}: {message}{got}")
    return "; ".join(problems)


def plain_wording(message: str) -> str:
    """A pydantic message as a sentence: without `Value error, ` / `Assertion failed, ` before a
    validator's own words, `must be` for `Input should be`, no `after validation`."""
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return message.replace("Input should be", "must be", 1).replace(" after validation", "", 1)


def _names(message: str, loc: Any) -> bool:
    """Whether the message starts by naming its field (`scope must…` for `scopes`), or has
    no field to name."""
    field = str(loc[-1]).lower() if loc else ""
    first = message.split(" ", 1)[0].lower().strip(":,")
    return not field or bool(first) and (field.startswith(first) or first.startswith(field))


def json_problem(exc: json.JSONDecodeError, one_line: bool = False) -> str:
    """Why a text is not JSON, in one wording for every reader: `Expecting value at line 2,
    column 5` (`at column 5` for a text that is one line of a file). Python's message alone
    may end in a dangling "at" (`Invalid control character at`), its place given apart."""
    where = f"column {exc.colno}" if one_line else f"line {exc.lineno}, column {exc.colno}"
    return f"{exc.msg.removesuffix(' at')} at {where}"


def read_json(text: str | bytes) -> Any:
    """`json.loads`, with one more fault reported as a JSONDecodeError: a number of more
    digits than Python converts (`sys.get_int_max_str_digits()`, 4300), which `json.loads`
    raises as a bare ValueError that no reader expects, so one such number in a transcript,
    a hook's input or an import file crashed the whole command instead of being refused or
    skipped as the line it is."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise
        doc = text if isinstance(text, str) else text.decode("utf-8", "replace")
        limit = sys.get_int_max_str_digits()
        found = re.search(rf"(?<![\w.\"])-?\d{{{limit + 1},}}", doc)
        if found is None:
            raise
        message = f"Number with more than {limit} digits"
        raise json.JSONDecodeError(message, doc, found.start()) from None

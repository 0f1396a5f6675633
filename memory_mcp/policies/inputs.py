"""Bounds and sanity checks on what callers send, before anything reaches SQLite or the model.

Every tool argument is bounded (sizes configurable in Settings) so a flood of huge calls
fails fast with a message instead of filling memory or disk, and text that SQLite, the JSON
encoder or the tokenizer cannot take (unpaired surrogates, NUL) is refused up front.
"""

import json
import re
from collections.abc import Sequence
from typing import Any

from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.names import EMPTY_SCOPE, strip_invisible
from memory_mcp.policies.redact import measured_length, redact

MAX_ID = 2**63 - 1  # SQLite's largest integer: no memory id can be bigger
MAX_REASON_CHARS = 1_000
MAX_DEPTH = 20  # metadata nesting

_STORED_BAD = re.compile("[\x00\ud800-\udfff]")  # SQLite text functions stop at NUL
_SEARCH_BAD = re.compile("[\ud800-\udfff]")  # a NUL in a query is harmless


def check_text(**fields: Any) -> None:
    """Refuse strings (also inside lists and dicts) holding NUL or unpaired surrogates."""
    for name, value in fields.items():
        _walk(name, value, 0, _STORED_BAD)


def mend(text: str) -> str:
    """`text` with each NUL and unpaired surrogate replaced by U+FFFD: for text read from what
    a client wrote (a transcript, a hook's JSON), kept rather than refused over one character."""
    return _STORED_BAD.sub("\ufffd", text)


def check_query(**fields: Any) -> None:
    """Refuse search text holding unpaired surrogates (the tokenizer cannot encode them)."""
    for name, value in fields.items():
        _walk(name, value, 0, _SEARCH_BAD)


def _walk(name: str, value: Any, depth: int, bad: re.Pattern[str]) -> None:
    if depth > MAX_DEPTH:
        raise InvalidInput(f"{name} is nested more than {MAX_DEPTH} levels deep.")
    if isinstance(value, str):
        _check_string(name, value, bad)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(name, key, depth + 1, bad)
            _walk(f"{name}.{key}" if isinstance(key, str) else name, item, depth + 1, bad)
    elif isinstance(value, list | tuple):
        for item in value:
            _walk(name, item, depth + 1, bad)


def _check_string(name: str, value: str, pattern: re.Pattern[str]) -> None:
    bad = pattern.search(value)
    if bad is None:
        return
    char = bad.group()
    if char == "\x00":
        what, hint = "a NUL character", "Send the text without NUL characters."
    else:  # half of a character outside the BMP (an emoji cut in two), or a stray escape
        what = f"an unpaired surrogate (U+{ord(char):04X})"
        hint = "Send valid Unicode text: each surrogate with its pair (a whole emoji), or none."
    raise InvalidInput(f"{_short(name)} contains {what} at position {bad.start()}. {hint}")


def check_scope(scope: str | None) -> None:
    """A scope, when given, names one: `""` or blanks are refused, never read as the default
    (checked before anything that treats an empty string as "not given")."""
    if scope is not None and not strip_invisible(scope):
        raise InvalidInput(f"{EMPTY_SCOPE}.")


def check_length(
    name: str, value: str | None, limit: int, hint: str = "Send something shorter."
) -> None:
    """Measured as sent, before redaction (which may lengthen it): a `[REDACTED:kind]` marker
    already in it counts as one character, so a memory read back and sent again fits."""
    size = 0 if value is None else measured_length(value)
    if size > limit:
        raise InvalidInput(f"{name} is {size} characters; the limit is {limit}. {hint}")


def check_metadata(metadata: dict[str, Any] | None, limit: int) -> None:
    """Metadata must serialise to at most `limit` characters of JSON (standard JSON: no NaN or
    Infinity, which one backend would store as text no JSON reader takes and another refuse)."""
    if not metadata:
        return
    check_text(metadata=metadata)
    try:
        size = len(json.dumps(metadata, default=str, allow_nan=False))
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"metadata is not storable as JSON: {exc}.") from None
    if size > limit:
        raise InvalidInput(
            f"metadata is {size} characters as JSON; the limit is {limit}. Keep it small, "
            "and put what matters in the content."
        )


def check_ids(ids: Sequence[int], limit: int, name: str = "ids") -> list[int]:
    """At most `limit` ids; ids no memory can have (< 1, > 2**63-1) are NotFound."""
    if len(ids) > limit:
        raise InvalidInput(f"{name}: at most {limit} ids per call, not {len(ids)}.")
    check_id_values(ids)
    return list(ids)


def check_id_values(ids: Sequence[int]) -> None:
    """Ids are whole numbers (an int, never True or 1.0); out of range, no memory has them."""
    wrong = [i for i in ids if isinstance(i, bool) or not isinstance(i, int)]
    if wrong:
        sent = ", ".join(shown(i) for i in wrong[:5])
        raise InvalidInput(f"Memory ids are whole numbers such as 7, not {sent}.")
    impossible = [i for i in ids if not 1 <= i <= MAX_ID]
    if impossible:
        sent = ", ".join(shown(i) for i in impossible[:5])
        raise NotFound(f"No memory with id {sent}: memory ids are whole numbers from 1.")


def shown(value: Any, width: int = 40) -> str:
    """A value a caller sent, as an error message repeats it: quoted, its secrets masked
    before it is cut to `width`, so a key pasted into the wrong argument (a date, metadata
    sent as a string) is not copied into the reply and the server's log. A cut made first
    would leave most of a token that the masking no longer recognises."""
    if isinstance(value, str):
        text = repr(redact(value[: width + 1000]).text)
    else:
        text = redact(repr(value)[: width + 1000]).text
    return text if len(text) <= width else text[: width - 1] + "…"


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


UTF8_HINT = "Send it as UTF-8 (convert a file with e.g. `iconv -f LATIN1 -t UTF-8`)."


def not_utf8(what: str, data: bytes, hint: str = UTF8_HINT) -> str | None:
    """Where `data` first stops being UTF-8, in words a person can act on (None: it is
    UTF-8): the byte, its position counted from 1 and, past the first line, its line."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start
    else:
        return None
    line = data.count(b"\n", 0, at) + 1
    where = f"byte {at + 1}"
    if line > 1:
        column = at - data.rfind(b"\n", 0, at)
        where = f"line {line}, byte {column} of the line"
    return f"{what} is not valid UTF-8: byte 0x{data[at]:02X} at {where}. {hint}"


def utf8(data: bytes, what: str) -> str:
    """`data` decoded as UTF-8, or InvalidInput saying where it is not."""
    problem = not_utf8(what, data)
    if problem is not None:
        raise InvalidInput(problem)
    return data.decode("utf-8")

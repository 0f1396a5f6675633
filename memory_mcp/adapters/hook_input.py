"""A hook's input read within bounds: a user who pastes a 5 MB log into a prompt must not get
a hook error for it, and no hook holds the whole of it in memory.

The first MAX_INPUT_BYTES are kept, the rest is read through and dropped (the client writing
it is not cut off), and from what was kept come the object's whole fields and the start of
the field it ends in (the prompt, which Claude Code sends last): what the hooks use is the
transcript's path, the folder and the prompt's first few thousand characters. Standard
library only, and `json` only for input cut short: the remote hook (cli/remote.py), which
imports next to nothing, reads its input with it too.
"""

TYPE_CHECKING = False  # typing itself, and json, cost a hook milliseconds: only when needed
if TYPE_CHECKING:
    from typing import BinaryIO

MAX_INPUT_BYTES = 1 << 20
# The most characters of one field kept from an input cut short: far more than a query
# reads (MEMORY_MCP_MAX_QUERY_CHARS), and re-encoded it stays under MAX_INPUT_BYTES.
MAX_CUT_FIELD_CHARS = 1 << 16
_CHUNK = 1 << 16
_WHITESPACE = " \t\n\r"


def read_input(stream: "BinaryIO") -> bytes:
    """The hook's JSON, at most MAX_INPUT_BYTES of it: larger input becomes the JSON of what
    its first MAX_INPUT_BYTES hold (salvage), the rest read to its end and not kept."""
    data = stream.read(MAX_INPUT_BYTES + 1) or b""
    if len(data) <= MAX_INPUT_BYTES:
        return data
    while stream.read(_CHUNK):
        pass
    return bounded_body(data)


def bounded_body(body: bytes) -> bytes:
    """An HTTP hook body cut at MAX_INPUT_BYTES, as read_input makes stdin's."""
    if len(body) <= MAX_INPUT_BYTES:
        return body
    import json

    head = body[:MAX_INPUT_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
    fields = salvage(head)
    return body[:MAX_INPUT_BYTES] if fields is None else json.dumps(fields).encode()


def salvage(text: str) -> dict[str, object] | None:
    """The top-level fields of a JSON object cut short: every whole one, and a string value
    the cut falls in, as far as it goes (at most MAX_CUT_FIELD_CHARS). None when the text
    does not start an object."""
    import json
    from json.decoder import scanstring  # type: ignore[attr-defined]

    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if not text.startswith("{", at):
        return None
    found: dict[str, object] = {}
    at += 1
    while True:
        at = _skip(text, at)
        if not text.startswith('"', at):
            return found
        try:
            key, at = scanstring(text, at + 1)
        except ValueError:
            return found
        at = _skip(text, at)
        if not text.startswith(":", at):
            return found
        at = _skip(text, at + 1)
        try:
            value, at = decoder.raw_decode(text, at)
        except RecursionError:  # a value nested deeper than json decodes: what came before
            return found
        except ValueError:
            if text.startswith('"', at):
                found[key] = _cut_string(text[at + 1 : at + 1 + MAX_CUT_FIELD_CHARS + 8])
            return found
        found[key] = _cut(value)
        at = _skip(text, at)
        if not text.startswith(",", at):
            return found
        at += 1


def _cut_string(rest: str) -> str:
    """A JSON string's body cut anywhere (maybe inside an escape): what it decodes to."""
    import json

    for end in range(len(rest), max(len(rest) - 8, -1), -1):
        try:
            value = json.loads('"' + rest[:end] + '"')
        except ValueError:
            continue
        return str(value)[:MAX_CUT_FIELD_CHARS]
    return ""


def _cut(value: object) -> object:
    return value[:MAX_CUT_FIELD_CHARS] if isinstance(value, str) else value


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in _WHITESPACE:
        at += 1
    return at

"""JSON-RPC's errors for what a client sends that the SDK cannot take as a message: text
that is not JSON, a batch, a request with an id MCP does not allow, JSON nested deeper than
the SDK's parser reads. Both transports answer with them: stdio (stdio.py) where the SDK
would drop the line unanswered, HTTP (guards.SdkRefusals) where its answer is pydantic's
report under the wrong code, or a 202 for a request it took as a notification."""

import json
import logging
import re
import sys
from contextlib import suppress
from typing import Any

logger = logging.getLogger(__name__)

PARSE_ERROR, INVALID_REQUEST = -32700, -32600  # JSON-RPC 2.0's codes
# The SDK's parser (pydantic's) refuses JSON nested deeper than about this.
MOST_DEPTH = 200
TOO_DEEP = (f"Invalid Request: the message nests objects and arrays more than {MOST_DEPTH} "
            "levels deep, which this server does not read. Send flatter arguments.")  # fmt: skip
TOO_LONG = (f"Invalid Request: a number in the message has more than "
            f"{sys.get_int_max_str_digits()} digits, which this server does not read. Send "
            "such a value as text.")  # fmt: skip
BAD_ID = ('Invalid Request: "id" must be a string or an integer (MCP allows no null id); '
          'a notification, which gets no answer, has no "id" member at all.')  # fmt: skip


NOT_JSON = ("Parse error: the line is not JSON. Send one JSON-RPC message per line, as UTF-8 "
            "JSON with no newline inside.")  # fmt: skip
BATCH = ("Invalid Request: JSON-RPC batches (arrays) are not supported: MCP removed batching "
         "in protocol version 2025-06-18. Send each message on its own (a line on stdio, a "
         "POST over HTTP).")  # fmt: skip
NOT_JSON_RPC = ('Invalid Request: not a JSON-RPC 2.0 message: a request is an object with '
                '"jsonrpc": "2.0", a string "method", an "id" (a string or an integer) and '
                'optional object "params".')  # fmt: skip


def refusal(line: str, too_deep: bool = False) -> str | None:
    """The JSON-RPC error answering `line` (a stdio line, an HTTP body), which the SDK could
    not take as a message (`too_deep`: its parser gave up on the nesting); None for a blank
    line or a malformed response (JSON-RPC answers no response)."""
    text = line.strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except RecursionError:  # deeper than Python's parser goes: the id is found by a scan
        return error_line(_top_level_id(text), INVALID_REQUEST, TOO_DEEP)
    except json.JSONDecodeError:
        return error_line(None, PARSE_ERROR, NOT_JSON)
    except ValueError:  # valid JSON, with a number longer than Python reads from text
        return error_line(_top_level_id(text), INVALID_REQUEST, TOO_LONG)
    if isinstance(value, list):
        return error_line(None, INVALID_REQUEST, BATCH)
    if (
        isinstance(value, dict)
        and "method" not in value
        and ("result" in value or "error" in value)
    ):
        logger.warning("Ignored a malformed JSON-RPC response from the client")
        return None
    given = value.get("id") if isinstance(value, dict) else None
    known = isinstance(given, str) or (isinstance(given, int) and not isinstance(given, bool))
    if too_deep:
        return error_line(given if known else None, INVALID_REQUEST, TOO_DEEP)
    return error_line(given if known else None, INVALID_REQUEST, NOT_JSON_RPC)


def number_too_long(text: str) -> str | None:
    """For a body the SDK's parser refused: refusal()'s error if it is valid JSON holding a
    number longer than Python reads from text (JSON itself sets no limit), else None."""
    answer = refusal(text)
    return answer if answer is not None and TOO_LONG in answer else None


def nested_too_deep(error: Exception) -> bool:
    """Whether the SDK's parser refused a line for its nesting alone."""
    try:
        first = error.errors()[0]  # type: ignore[attr-defined]
    except (AttributeError, IndexError, TypeError):
        return False
    return first.get("type") == "json_invalid" and "recursion limit" in str(first.get("msg"))


def bears_id(line: str) -> bool:
    """Whether a message the SDK took as a notification (or, over HTTP, as a response) is
    a request with an "id" after all (null, a fraction, a boolean...): one it would drop
    unanswered, its client waiting."""
    if '"id"' not in line:  # the usual notification costs one substring search
        return False
    try:
        value = json.loads(line)
    except ValueError:
        return False
    # A response (the client answering roots/list) has an id too, and is none of this.
    return isinstance(value, dict) and "id" in value and "method" in value


# JSON strings, brackets and braces: enough to follow the nesting without parsing.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[][{}]')
_ID_VALUE = re.compile(r'\s*:\s*(?:("(?:[^"\\]|\\.)*")|(-?\d{1,40})\s*[,}])')


def _top_level_id(text: str) -> str | int | None:
    """The request's own "id" (a string or an integer) in JSON too deep to parse, or None."""
    depth = 0
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
        elif mark in "]}":
            depth -= 1
        elif depth == 1 and mark == '"id"' and (found := _ID_VALUE.match(text, token.end())):
            if found.group(2) is not None:
                return int(found.group(2))
            with suppress(ValueError):
                return str(json.loads(found.group(1)))
            return None
    return None


def error_line(message_id: str | int | None, code: int, text: str) -> str:
    """JSON-RPC's error message, as one line of JSON without its newline."""
    logger.warning("Answered a message that is not valid JSON-RPC with error %d", code)
    error = {"jsonrpc": "2.0", "id": message_id, "error": {"code": code, "message": text}}
    return json.dumps(error, separators=(",", ":"))


_WORDS = {"integer": "a whole number", "number": "a number", "string": "a string",
          "array": "a list", "object": "an object"}  # fmt: skip


def misplaced_booleans(where: str, value: Any, schema: dict[str, Any]) -> list[str]:
    """Where `value` (a tool argument as sent) holds a JSON boolean that its schema (the
    argument's, as tools/list gives it) does not allow, as `limit: must be a whole number,
    not true`: pydantic's lax mode reads `true` as 1 wherever a number goes."""
    if isinstance(value, bool):
        allowed = _types(schema)
        if allowed and "boolean" not in allowed:
            kind = " or ".join(_WORDS.get(t, t) for t in sorted(allowed) if t != "null")
            return [f"{where}: must be {kind}, not {json.dumps(value)}"]
        return []
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [
            w
            for i, v in enumerate(value)
            for w in misplaced_booleans(f"{where}.{i}", v, schema["items"])
        ]
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        props = schema["properties"]
        return [
            w
            for k, v in value.items()
            if k in props
            for w in misplaced_booleans(f"{where}.{k}", v, props[k])
        ]
    return []


def _types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a schema allows (its `type`, or its `anyOf` options'); empty: any."""
    if "anyOf" in schema:
        found = [_types(option) for option in schema["anyOf"]]
        return set() if any(not f for f in found) else set().union(*found)
    kind = schema.get("type")
    return {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()

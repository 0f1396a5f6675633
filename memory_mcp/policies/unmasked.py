"""Secrets a memory kept from before a rule could catch them (stored by an older version, or
before the rule existed): what today's rules would mask in its stored fields. No I/O."""

import re
from typing import Any

from memory_mcp.models import Memory
from memory_mcp.policies.redact import masked_texts, redact_fields

_MARKER = re.compile(r"\[REDACTED:\w+\]")


def _fields(memory: Memory) -> dict[str, Any]:
    return {
        "content": memory.content,
        "context": memory.context,
        "tags": list(memory.tags),
        "key": memory.key,
        "scope": memory.scope,
        "metadata": memory.metadata,
        "forget_reason": memory.forget_reason,
    }


def unmasked_kinds(memory: Memory) -> tuple[str, ...]:
    """The kinds of secret today's rules would mask in the memory as stored, if any."""
    return redact_fields(**_fields(memory)).redacted


def unmasked_texts(memory: Memory) -> list[str]:
    """The stored texts those rules would mask (what `scrub` should erase), longest first."""
    fields = _fields(memory)
    found: list[str] = []
    _removed(fields, redact_fields(**fields).fields, found)
    return sorted(dict.fromkeys(found), key=len, reverse=True)


def _removed(before: Any, after: Any, found: list[str]) -> None:
    """Add to `found` each text in `before` that redaction masked in `after`: its secrets, or
    the whole value where all of it became one marker (a tag, a field named for a secret)."""
    if isinstance(before, str) and isinstance(after, str):
        if before != after:
            found += [before] if _MARKER.fullmatch(after) else masked_texts(before)
    elif isinstance(before, dict) and isinstance(after, dict):
        for (key, value), (new_key, new_value) in zip(before.items(), after.items(), strict=False):
            _removed(key, new_key, found)
            _removed(value, new_value, found)
    elif isinstance(before, list) and isinstance(after, list):
        for value, new_value in zip(before, after, strict=False):
            _removed(value, new_value, found)
    elif isinstance(before, int | float) and not isinstance(before, bool) and before != after:
        found.append(str(before))  # a number a field named for a secret held

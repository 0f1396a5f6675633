"""The official MCP memory server's knowledge graph (modelcontextprotocol/servers, src/memory).

Its file (MEMORY_FILE_PATH, default memory.jsonl) holds one JSON object a line:
  {"type": "entity", "name": "Alice", "entityType": "person", "observations": ["Speaks Spanish"]}
  {"type": "relation", "from": "Alice", "to": "Acme", "relationType": "works_at"}
Each observation becomes the fact "Alice: Speaks Spanish", tagged with the entity's type and
name; each relation becomes "Alice works at Acme", tagged `relation` and both names. The format
has no timestamps, so these memories are dated when imported.
"""

import json
import re
from pathlib import Path
from typing import Any, TypeGuard

from memory_mcp.errors import InvalidInput, json_problem, read_json
from memory_mcp.formats.common import Item, Record, Skipped, digest, read_lines, tags
from memory_mcp.policies.redact import redact

FORMAT = "kg-jsonl"
_MASKED = re.compile(r"(\[REDACTED:[a-z_]+\])")


def read(path: Path, longest: int | None = None) -> list[Item]:
    """Every line as records to import or skips with their reason; a line longer than
    `longest` bytes refuses the file."""
    items: list[Item] = []
    recognised = 0
    lines = read_lines(path, longest, "a knowledge-graph memory file")
    for number, line in enumerate(lines, start=1):
        if line is None:
            items.append(Skipped(where=f"line {number}", reason="not UTF-8 text"))
            continue
        if not line.strip():
            continue
        found = _line(number, line)
        if isinstance(found, Skipped):
            items.append(found)
        else:
            recognised += 1
            items.extend(found)
    if items and not recognised:
        raise InvalidInput(
            f"{path} is not a knowledge-graph memory file: no line is an entity or a relation "
            f'({{"type": "entity", "name", "entityType", "observations"}} or '
            f'{{"type": "relation", "from", "to", "relationType"}}).'
        )
    return items


def _line(number: int, line: str) -> list[Item] | Skipped:
    """An entity's or relation's items; a bare Skipped when the line is neither."""
    where = f"line {number}"
    try:
        obj = read_json(line)
    except json.JSONDecodeError as exc:
        return Skipped(where=where, reason=f"not JSON ({json_problem(exc, one_line=True)})")
    except RecursionError:
        return Skipped(where=where, reason="JSON nested too deeply to read")
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "entity":
        return _entity(where, obj)
    if kind == "relation":
        return [_relation(where, obj)]
    return Skipped(where=where, reason=f"not an entity or relation (type {kind!r})")


def _entity(where: str, obj: dict[str, Any]) -> list[Item]:
    name, entity_type = obj.get("name"), obj.get("entityType")
    observations = obj.get("observations")
    if not _text(name) or not isinstance(entity_type, str) or not isinstance(observations, list):
        return [Skipped(where=where, reason="entity needs a name, an entityType and observations")]
    if not observations:
        return [Skipped(where=where, reason=f"entity {name!r} has no observations")]
    items: list[Item] = []
    for index, observation in enumerate(observations, start=1):
        at = f"{where}, observation {index}"
        if not _text(observation):
            items.append(Skipped(where=at, reason="observation is not text"))
            continue
        items.append(
            Record(
                content=f"{name}: {observation.strip()}",
                source_id=f"observation:{digest(name, observation)}",
                where=at,
                kind="fact",
                tags=tags([entity_type, name]),
                details={"entity": name, "entity_type": entity_type},
            )
        )
    return items


def _relation(where: str, obj: dict[str, Any]) -> Item:
    source, target, relation = obj.get("from"), obj.get("to"), obj.get("relationType")
    if not (_text(source) and _text(target) and _text(relation)):
        return Skipped(where=where, reason="relation needs from, to and relationType")
    # Secrets go before the underscores: `auth_ghp_…` read as words is `auth ghp …`, no
    # longer a token the masking of what is stored would find.
    masked = redact(relation)
    verb = " ".join(
        " ".join(piece.replace("_", " ").split()) if index % 2 == 0 else piece
        for index, piece in enumerate(_MASKED.split(masked.text))
        if piece.strip()
    )
    return Record(
        content=f"{source} {verb} {target}",
        source_id=f"relation:{digest(source, relation, target)}",
        where=where,
        kind="fact",
        tags=tags(["relation", source, target]),
        details={"from": source, "to": target, "relation_type": relation},
        redacted=masked.changed,
    )


def _text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())

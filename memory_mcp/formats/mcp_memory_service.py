"""An mcp-memory-service database (doobidoo/mcp-memory-service, its sqlite_vec backend).

Its `memories` table: id, content_hash (unique), content, tags (comma-separated), memory_type,
metadata (JSON), created_at / updated_at (Unix seconds), created_at_iso / updated_at_iso,
deleted_at (a soft delete, v8.64+) and superseded_by (an older version, v10.30+). The file is
opened read-only (`mode=ro`) and never changed; the vector table is not needed.

Mapping: content as is; tags kept; memory_type -> kind when it is one of ours, otherwise kind
note with the type kept as a tag; metadata kept; timestamps kept. Deleted and superseded rows
are skipped. The content hash is the source id (re-runs skip it).
"""

import json
from contextlib import closing
from pathlib import Path
from typing import Any

from memory_mcp.errors import InvalidInput, read_json
from memory_mcp.formats.common import Item, Record, Skipped, instant, tags
from memory_mcp.models import KINDS
from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.companions import WAL, beside

FORMAT = "mcp-memory-service"
REQUIRED = {"content", "content_hash", "memory_type"}
# A `memories` view is read too, and a view may compute without end (a recursive one) or
# yield rows without end: reading stops past the work, and the rows, a table the size of the
# file could need (a row of it takes 8 bytes at the least; its reading, a few steps a byte).
# The file may be an upload to the web UI by anyone logged in: one hung a worker for good.
ROW_BYTES = 8
WORK_PER_BYTE = 64
MIN_WORK = 20_000_000
STEPS = 10_000  # virtual machine steps between two looks at the budget


def read(path: Path) -> list[Item]:
    """Every row of the memories table as a record to import, or a skip with its reason."""
    size = _size(path)
    with closing(db.connect_readonly(path)) as conn:
        budget = [(MIN_WORK + WORK_PER_BYTE * size) // STEPS]

        def spent() -> int:  # non-zero stops the statement ("interrupted")
            budget[0] -= 1
            return int(budget[0] < 0)

        conn.set_progress_handler(spent, STEPS)
        try:
            rows = _rows(path, conn, size // ROW_BYTES + 1)
        except db.DatabaseError as exc:  # a broken view, text that is not UTF-8, ...
            if budget[0] < 0:
                raise _endless(path, size) from None
            raise InvalidInput(f"Cannot read the memories of {path}: {exc}.") from exc
    return [_row(dict(zip(row.keys(), row, strict=True))) for row in rows]


def _size(path: Path) -> int:
    """The bytes the file's rows may take: its own and its write-ahead log's (a running
    mcp-memory-service keeps its newest rows there, beside a main file of a few pages)."""
    files = [path, beside(path, WAL)]
    return sum(f.stat().st_size for f in files if f.is_file())


def _endless(path: Path, size: int) -> InvalidInput:
    return InvalidInput(
        f"Cannot read the memories of {path}: they take more work, or rows, than a table in "
        f"a file of {size:,} bytes can (a `memories` view that never ends?). Import a copy "
        "whose memories are a table."
    )


def _rows(path: Path, conn: db.Connection, most: int) -> list[db.Row]:
    columns = {str(r["name"]) for r in conn.execute("pragma table_info(memories)")}
    if not columns >= REQUIRED:
        raise InvalidInput(
            f"{path} is not an mcp-memory-service database: it has no memories table "
            f"with content, content_hash and memory_type columns."
        )
    found = conn.execute(
        "select type from sqlite_master where name = 'memories' collate nocase"
    ).fetchone()
    table = found is not None and found[0] == "table"
    rows = conn.execute(  # a view has no rowid to order by
        "select * from memories order by rowid limit :n" if table
        else "select * from memories limit :n",
        {"n": most + 1},
    ).fetchall()  # fmt: skip
    if len(rows) > most:
        raise _endless(path, _size(path))
    return rows


def _row(row: dict[str, Any]) -> Item:
    content_hash = str(row["content_hash"])
    where = f"row {row.get('id', '?')} ({content_hash[:12]})"
    if row.get("deleted_at") is not None:
        return Skipped(where=where, reason="deleted in mcp-memory-service")
    if row.get("superseded_by"):
        return Skipped(where=where, reason=f"superseded by {str(row['superseded_by'])[:12]}")
    content = row.get("content")
    if not isinstance(content, str) or not content.strip():
        return Skipped(where=where, reason="empty content")
    memory_type = str(row.get("memory_type") or "").strip().lower()
    kind = memory_type if memory_type in KINDS and memory_type != "summary" else "note"
    return Record(
        content=content.strip(),
        source_id=content_hash,
        where=where,
        kind=kind,
        tags=tags([*_tags(row.get("tags")), *([memory_type] if kind != memory_type else [])]),
        created_at=instant(row.get("created_at_iso")) or instant(row.get("created_at")),
        updated_at=instant(row.get("updated_at_iso")) or instant(row.get("updated_at")),
        metadata=_json_object(row.get("metadata")),
        details={"memory_type": row.get("memory_type")} if row.get("memory_type") else {},
    )


def _tags(value: object) -> list[str]:
    """Comma-separated text, as the service writes it (a JSON list is read too)."""
    if not isinstance(value, str) or not value.strip():
        return []
    if value.lstrip().startswith("["):
        try:
            parsed = read_json(value)
        except (json.JSONDecodeError, RecursionError):
            parsed = None
        if isinstance(parsed, list):
            return [str(t) for t in parsed]
    return [t for t in value.split(",") if t.strip()]


def _json_object(value: object) -> dict[str, Any]:
    if not isinstance(value, str) or not value.strip():
        return {}
    try:
        parsed = read_json(value)
    except (json.JSONDecodeError, RecursionError):
        return {}
    return parsed if isinstance(parsed, dict) else {}

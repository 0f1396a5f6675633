"""SqliteStore: every SQL statement over memories, memories_fts and memories_vec."""

import json
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

from memory_mcp.errors import NotFound, SchemaMismatch
from memory_mcp.models import HistoryEntry, Memory, MemoryFilter
from memory_mcp.policies.dedup import content_hash
from memory_mcp.storage.contract import (
    ColumnWeights,
    Counts,
    NewRow,
    VectorDelta,
    VectorRows,
)
from memory_mcp.storage.sqlite import ftsbudget, history, vectors
from memory_mcp.storage.sqlite.db import (
    Connection,
    busy_timeout,
    connect,
    scalar,
    storage_errors,
    transaction,
)
from memory_mcp.storage.sqlite.db import backup_copy as db_backup_copy
from memory_mcp.storage.sqlite.filters import memory_conditions, vector_conditions, where
from memory_mcp.storage.sqlite.fts import fts_query
from memory_mcp.timestamps import parse_stored_time, utc_now

T = TypeVar("T")

MAX_KNN_K = 4096  # sqlite-vec's ceiling for `k = ?`


class SqliteStore:
    """Owns the connection; serialises access with one lock; one transaction per write."""

    def __init__(self, conn: Connection, path: Path | None = None) -> None:
        self.conn = conn
        self.path = path
        self._lock = threading.RLock()
        self._busy_ms = busy_timeout(conn)
        self._doc_counts: dict[str, tuple[int, int]] = {}  # term -> (documents, max id then)

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with (
            self._lock,
            storage_errors(self.path, self._busy_ms, "write"),
            transaction(self.conn) as conn,
        ):
            yield conn

    def _read(self, fn: Callable[[Connection], T]) -> T:
        with self._lock, storage_errors(self.path, self._busy_ms, "read"):
            return fn(self.conn)

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    @property
    def location(self) -> str:
        return str(self.path)

    # -- meta and the vector index --------------------------------------------------------

    def has_vector_index(self) -> bool:
        return self._read(vectors.has_table)

    def vector_index_info(self) -> tuple[str, int] | None:
        """(model, dimension) the vector index was built for, or None if there is none."""
        return self._read(vectors.index_info)

    def ensure_vector_index(self, model: str, dim: int) -> None:
        """Create the vector index for (model, dim), or check the existing one matches.

        Check and create share one write transaction: two servers starting together on a
        new file must not both create (and the second drop the first's vectors).
        """
        with self._write() as c:
            info = vectors.index_info(c)
            if info is None:
                vectors.create_index(c, model, dim)
            elif info == (model, dim):
                vectors.upgrade_layout(c)
            elif info != (model, dim):
                raise SchemaMismatch(
                    f"This database's vectors were made with {info[0]} ({info[1]}-d), but "
                    f"the configured model is {model} ({dim}-d). Run `memory-mcp reindex` to "
                    f"re-embed every memory with {model}, or set MEMORY_MCP_MODEL={info[0]}."
                )

    def reset_vector_index(self, model: str, dim: int) -> None:
        """Drop and recreate an empty vector index (all memories become pending), marked as
        a reindex in progress until finish_reindex, so an interrupted one can resume."""
        with self._write() as c:
            vectors.create_index(c, model, dim)
            c.execute(_SET_META, {"k": _REINDEX_KEY, "v": json.dumps([model, dim])})

    def reindex_pending(self) -> tuple[str, int] | None:
        """(model, dim) of a reindex that started and has not finished, if any."""
        row = self._read(
            lambda c: c.execute(
                "select value from meta where key = :k", {"k": _REINDEX_KEY}
            ).fetchone()
        )
        if row is None:
            return None
        model, dim = json.loads(row[0])
        return str(model), int(dim)

    def finish_reindex(self) -> None:
        with self._write() as c:
            c.execute("delete from meta where key = :k", {"k": _REINDEX_KEY})

    # -- writes -----------------------------------------------------------------------------

    def insert(
        self, item: NewRow, client: str | None = None, supersedes: Sequence[int] = ()
    ) -> int:
        """Insert one memory; the ones it `supersedes` are marked so in the same transaction."""
        with self._write() as c:
            new_id = _insert(c, item, "create", client)
            now = utc_now()
            for old_id in supersedes:
                row = _require(c, old_id)
                c.execute(
                    """update memories set superseded_by = :new, superseded_at = :now
                       where id = :old""",
                    {"new": new_id, "now": now, "old": old_id},
                )
                history.record(c, old_id, "supersede", client, history.snapshot(row), by=new_id)
        return new_id

    def insert_many(
        self, items: Sequence[NewRow], client: str | None = None, action: str = "create"
    ) -> list[int]:
        """Insert rows (and their vectors, where given) in one transaction."""
        with self._write() as c:
            return [_insert(c, item, action, client) for item in items]

    def record_repeat(
        self,
        memory_id: int,
        client: str | None,
        action: str,
        add_tags: Sequence[str] = (),
        **detail: Any,
    ) -> None:
        """Count another sighting of a memory (exact duplicate or merged rewording)."""
        with self._write() as c:
            row = _require(c, memory_id)
            tags = list(dict.fromkeys([*json.loads(row["tags"]), *add_tags]))
            c.execute(
                """
                update memories set repeat_count = repeat_count + 1, last_seen_at = :now,
                    tags = :tags
                where id = :id
                """,
                {"id": memory_id, "now": utc_now(), "tags": json.dumps(tags)},
            )
            history.record(c, memory_id, action, client, **detail)

    def update(
        self,
        memory_id: int,
        fields: dict[str, Any],
        vector: np.ndarray | None = None,
        drop_vector: bool = False,
        client: str | None = None,
    ) -> None:
        """Update editable fields; replace or drop the vector in step; record the edit."""
        unknown = set(fields) - _EDITABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        params = {k: json.dumps(v) if k in ("tags", "metadata") else v for k, v in fields.items()}
        if "content" in params:
            params["content_hash"] = content_hash(params["content"])
        with self._write() as c:
            before = history.snapshot(_require(c, memory_id))
            c.execute(
                _UPDATE,
                {
                    "id": memory_id,
                    "now": utc_now(),
                    **{f"set_{k}": 1 if k in params else 0 for k in _EDITABLE_COLUMNS},
                    **{k: params.get(k) for k in _EDITABLE_COLUMNS},
                },
            )
            after = history.snapshot(_require(c, memory_id))
            action = "move" if set(fields) == {"scope"} else "edit"
            history.record(c, memory_id, action, client, before, after)
            if vectors.has_table(c) and (vector is not None or drop_vector):
                vectors.delete(c, memory_id)
                if vector is not None:
                    vectors.insert(c, memory_id, vector)

    def set_forgotten(
        self, ids: Iterable[int], reason: str | None, client: str | None = None
    ) -> tuple[list[int], list[int]]:
        """Soft-delete: returns (newly forgotten, already forgotten). Unknown ids raise."""
        return self._toggle_forgotten(list(ids), True, reason, client)

    def restore(self, ids: Iterable[int], client: str | None = None) -> tuple[list[int], list[int]]:
        """Undo forget: returns (restored, were not forgotten). Unknown ids raise."""
        return self._toggle_forgotten(list(ids), False, None, client)

    def _toggle_forgotten(
        self, ids: list[int], forget: bool, reason: str | None, client: str | None
    ) -> tuple[list[int], list[int]]:
        changed: list[int] = []
        unchanged: list[int] = []
        now = utc_now()
        with self._write() as c:
            for memory_id in dict.fromkeys(ids):
                row = _require(c, memory_id)
                if (row["forgotten_at"] is None) != forget:
                    unchanged.append(memory_id)
                    continue
                c.execute(
                    """
                    update memories set forgotten_at = :at, forget_reason = :reason
                    where id = :id
                    """,
                    {"id": memory_id, "at": now if forget else None, "reason": reason},
                )
                action = "forget" if forget else "restore"
                history.record(c, memory_id, action, client, reason=reason)
                changed.append(memory_id)
        return changed, unchanged

    def purge(
        self, ids: Iterable[int], client: str | None = None, action: str = "purge"
    ) -> list[int]:
        """Hard delete (explicit CLI purge only); triggers clear FTS and vectors."""
        with self._write() as c:
            purged = []
            for memory_id in dict.fromkeys(ids):
                row = _require(c, memory_id)
                history.record(c, memory_id, action, client, history.snapshot(row))
                c.execute("delete from memories where id = :id", {"id": memory_id})
                purged.append(memory_id)
        return purged

    def set_vectors(self, pairs: Sequence[tuple[int, np.ndarray]]) -> int:
        """Store vectors for memories that lack one; skips ids deleted meanwhile."""
        stored = 0
        with self._write() as c:
            for memory_id, vector in pairs:
                if c.execute(_EXISTS, {"id": memory_id}).fetchone() is None:
                    continue
                vectors.delete(c, memory_id)
                vectors.insert(c, memory_id, vector)
                stored += 1
        return stored

    # -- reads ------------------------------------------------------------------------------

    def get(self, memory_id: int) -> Memory:
        found = self._memories("where m.id = :id", {"id": memory_id})
        if not found:
            raise NotFound(f"No memory with id {memory_id}.")
        return found[0]

    def get_many(self, ids: Sequence[int], with_embedded: bool = True) -> list[Memory]:
        """Memories for the ids that exist, in the order given.

        `with_embedded=False` skips the per-row vector lookup (the hot recall path does not
        show it); `embedded` is then False for every memory.
        """
        rows = self._memories(
            "where m.id in (select value from json_each(:ids))",
            {"ids": json.dumps(list(ids))},
            with_embedded,
        )
        by_id = {m.id: m for m in rows}
        return [by_id[i] for i in ids if i in by_id]

    def find(
        self,
        flt: MemoryFilter,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = True,
        with_embedded: bool = True,
    ) -> list[Memory]:
        conds, params = memory_conditions(flt, _now())
        order = "desc" if newest_first else "asc"
        params.update(limit=-1 if limit is None else limit, offset=offset)
        return self._memories(
            f"""{where(conds)} order by m.created_at {order}, m.id {order}
                limit :limit offset :offset""",
            params,
            with_embedded,
        )

    def iter_all(self, batch: int = 500) -> Iterator[Memory]:
        """Every memory (forgotten too) in id order, streamed in batches."""
        last = 0
        while rows := self._memories(
            "where m.id > :last order by m.id limit :n", {"last": last, "n": batch}
        ):
            yield from rows
            last = rows[-1].id

    def _memories(
        self, tail: str, params: dict[str, Any], with_embedded: bool = True
    ) -> list[Memory]:
        """`select` memories (aliased m) with their embedded flag, then `tail` (where/order)."""

        def fetch(c: Connection) -> list[Memory]:
            embedded = (
                "exists (select 1 from memories_vec v where v.memory_id = m.id)"
                if with_embedded and vectors.has_table(c)
                else "0"
            )
            sql = f"select m.*, {embedded} as embedded from memories m {tail}"
            return [_to_memory(row) for row in c.execute(sql, params)]

        return self._read(fetch)

    def find_exact(self, scope: str, content: str) -> Memory | None:
        """A visible memory in `scope` with the same normalised content, if any."""
        found = self._memories(
            """where m.scope = :scope and m.content_hash = :hash and m.forgotten_at is null
               and m.superseded_by is null order by m.id limit 1""",
            {"scope": scope, "hash": content_hash(content)},
        )
        return found[0] if found else None

    def imported_ids(self, source: str) -> set[str]:
        """Source ids of the memories an importer brought in from `source` (forgotten too)."""
        sql = """
            select json_extract(metadata, '$.imported_from.id') from memories
            where json_extract(metadata, '$.imported_from.format') = :source
        """
        rows = self._read(lambda c: c.execute(sql, {"source": source}).fetchall())
        return {str(r[0]) for r in rows if r[0] is not None}

    def current_for_key(self, scope: str, key: str) -> list[Memory]:
        """The visible, not superseded memories holding `key` in `scope`."""
        return self._memories(
            """where m.scope = :scope and m.key = :key and m.forgotten_at is null
               and m.superseded_by is null order by m.id""",
            {"scope": scope, "key": key},
        )

    def expired_ids(self) -> list[int]:
        return self._read(
            lambda c: [
                int(r[0])
                for r in c.execute(
                    "select id from memories where expires_at <= :now order by id",
                    {"now": utc_now()},
                )
            ]
        )

    def history(
        self, memory_id: int | None = None, limit: int = 50, before_id: int | None = None
    ) -> list[HistoryEntry]:
        return self._read(lambda c: history.entries(c, memory_id, limit, before_id))

    def count(self, flt: MemoryFilter) -> int:
        conds, params = memory_conditions(flt, _now())
        sql = f"select count(*) from memories m {where(conds)}"
        return int(self._read(lambda c: scalar(c, sql, params)))

    def search_keywords(
        self, query: str, flt: MemoryFilter, k: int, weights: ColumnWeights = (1.0, 1.0, 1.0)
    ) -> list[tuple[int, float]]:
        """(id, score) best first for the words of `query`; [] when it has no searchable word."""
        match = fts_query(query)
        return [] if match is None else self.search_fts(match, flt, k, weights)

    def search_fts(
        self, match: str, flt: MemoryFilter, k: int, weights: ColumnWeights = (1.0, 1.0, 1.0)
    ) -> list[tuple[int, float]]:
        """(id, bm25) best first; bm25 is negated so higher is better.

        `weights` scale the columns content, tags and context (with the event date's words).
        On a large table the query is first fitted to a ranking budget (ftsbudget.py).
        """
        conds, params = memory_conditions(flt, _now())
        sql = f"""
            select m.id, -bm25(memories_fts, :w_content, :w_tags, :w_context) as score
            from memories_fts join memories m on m.id = memories_fts.rowid
            where memories_fts match :match and memories_fts.rowid > :floor
            {where(conds, "and")}
            order by score desc limit :k
        """
        params.update(k=k, w_content=weights[0], w_tags=weights[1], w_context=weights[2])

        def fetch(c: Connection) -> list[tuple[int, float]]:
            top = int(scalar(c, "select coalesce(max(id), 0) from memories"))
            plan = ftsbudget.KeywordPlan(match)
            if top > ftsbudget.POSTINGS_BUDGET:
                plan = ftsbudget.plan(
                    match, [self._doc_count(c, t, top) for t in ftsbudget.terms(match)]
                )
            floor = top - math.ceil(plan.newest_share * top) if plan.newest_share < 1 else 0
            params.update(match=plan.match, floor=floor)
            return [(int(r[0]), float(r[1])) for r in c.execute(sql, params)]

        return self._read(fetch)

    def _doc_count(self, c: Connection, term: str, top: int) -> int:
        """Documents matching one term, remembered until the table grows by a quarter."""
        known = self._doc_counts.get(term)
        if known is None or top > known[1] * 1.25:
            if len(self._doc_counts) > 10_000:
                self._doc_counts.clear()
            count = int(scalar(c, _FTS_COUNT, {"term": term}))
            known = self._doc_counts[term] = (count, top)
        return known[0]

    def search_vectors(
        self, query: np.ndarray, flt: MemoryFilter, k: int
    ) -> list[tuple[int, float]]:
        """(id, cosine similarity) best first, filters applied inside the KNN scan."""
        conds, params = vector_conditions(flt, _now())
        sql = f"""
            select memory_id, distance from memories_vec
            where embedding match :q and k = :k {where(conds, "and")}
        """
        params.update(q=vectors.to_blob(query), k=min(k, MAX_KNN_K))
        rows = self._read(lambda c: c.execute(sql, params).fetchall())
        return [(int(r[0]), 1.0 - float(r[1])) for r in rows]

    def vectors_for(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        if not self.has_vector_index():
            return {}
        rows = self._read(
            lambda c: c.execute(
                """
                select memory_id, embedding from memories_vec
                where memory_id in (select value from json_each(:ids))
                """,
                {"ids": json.dumps(list(ids))},
            ).fetchall()
        )
        return {int(r[0]): np.frombuffer(r[1], dtype="<f4") for r in rows}

    # -- in-memory copies of the vector index (vecindex.py) --------------------------------

    def vector_log_head(self) -> tuple[int, int]:
        """(generation, last logged change): whether an in-memory copy is still current."""
        generation, head, _ = self._read(vectors.log_state)
        return generation, head

    def vector_changes(self, after: int, dim: int) -> VectorDelta | None:
        """Rows changed since log position `after`, read in one snapshot; None when the log
        no longer reaches back that far, or the index was rebuilt (reload in full)."""

        def fetch(c: Connection) -> VectorDelta | None:
            c.execute("begin")
            try:
                generation, head, oldest = vectors.log_state(c)
                if head > after and (oldest is None or oldest > after + 1):
                    return None
                ids = vectors.changed_since(c, after)
                return VectorDelta(generation, head, ids, vectors.rows_for(c, ids, dim))
            finally:
                c.execute("commit")

        return self._read(fetch)

    def vector_snapshot(self, dim: int, consume: Callable[[VectorRows], None]) -> tuple[int, int]:
        """Stream every vector to `consume` from one read snapshot; returns (generation,
        log position) it reflects. A file database is read on a second connection, so
        the store stays free for other calls during a long load."""
        if self.path is None:
            return self._read(lambda c: _snapshot(c, dim, consume))
        conn = connect(self.path)
        try:
            return _snapshot(conn, dim, consume)
        finally:
            conn.close()

    def pending_embeddings(self, limit: int, after_id: int = 0) -> list[tuple[int, str]]:
        """(id, content) of memories without a vector, in id order."""
        if not self.has_vector_index():
            return []
        return self._read(
            lambda c: [
                (int(r[0]), str(r[1]))
                for r in c.execute(
                    """
                    select m.id, m.content from memories m
                    where m.id > :after and not exists
                        (select 1 from memories_vec v where v.memory_id = m.id)
                    order by m.id limit :n
                    """,
                    {"after": after_id, "n": limit},
                )
            ]
        )

    def counts(self) -> Counts:
        """Row counts of the source table and both indexes (for drift checks and stats)."""

        def fetch(c: Connection) -> Counts:
            def one(sql: str) -> int:
                return int(scalar(c, sql))

            has_vectors = vectors.has_table(c)
            return {
                "memories": one("select count(*) from memories"),
                "forgotten": one("select count(*) from memories where forgotten_at is not null"),
                "superseded": one("select count(*) from memories where superseded_by is not null"),
                "fts": one("select count(*) from memories_fts_docsize"),
                "vec": one("select count(*) from memories_vec") if has_vectors else 0,
                "orphan_vec": one(_ORPHAN_VECTORS) if has_vectors else 0,
            }

        return self._read(fetch)

    def size_bytes(self) -> int:
        """Size on disk of the database file and its write-ahead log."""
        if self.path is None:
            return 0
        files = (self.path, self.path.with_name(self.path.name + "-wal"))
        return sum(f.stat().st_size for f in files if f.exists())

    def group_counts(self, column: Literal["scope", "kind"]) -> dict[str, int]:
        """Visible memories (not forgotten, superseded or expired) per scope or kind."""
        if column not in ("scope", "kind"):
            raise ValueError(column)
        conds, params = memory_conditions(MemoryFilter(), _now())
        sql = f"""select m.{column}, count(*) from memories m {where(conds)}
                  group by m.{column} order by count(*) desc, m.{column}"""
        return self._read(lambda c: {str(r[0]): int(r[1]) for r in c.execute(sql, params)})

    # -- maintenance -------------------------------------------------------------------------

    def integrity_check(self) -> str:
        rows = self._read(lambda c: c.execute("pragma integrity_check").fetchall())
        return "; ".join(str(r[0]) for r in rows)

    def keyword_index_ok(self) -> bool:
        try:
            self._read(
                lambda c: c.execute(
                    "insert into memories_fts (memories_fts, rank) values ('integrity-check', 1)"
                )
            )
        except Exception:  # noqa: BLE001 - FTS5 reports corruption as a generic DatabaseError
            return False
        return True

    def rebuild_keyword_index(self) -> None:
        with self._write() as c:
            c.execute("insert into memories_fts (memories_fts) values ('rebuild')")

    def delete_orphan_vectors(self) -> int:
        with self._write() as c:
            if not vectors.has_table(c):
                return 0
            cur = c.execute(
                """delete from memories_vec where memory_id not in (select id from memories)"""
            )
            vectors.bump_generation(c)
            return int(cur.rowcount)

    def backup(
        self, dest: Path, progress: Callable[[int, int], None] | None = None
    ) -> tuple[int, str]:
        """Copy the database to `dest` (online backup API); (memories, integrity) of the copy."""
        with self._lock, storage_errors(self.path, self._busy_ms, "back up"):
            db_backup_copy(self.conn, dest, progress)
        copy = connect(dest, self._busy_ms)
        try:
            with storage_errors(dest, self._busy_ms, "check the backup"):
                memories = int(scalar(copy, "select count(*) from memories"))
                integrity = "; ".join(str(r[0]) for r in copy.execute("pragma integrity_check"))
        finally:
            copy.close()
        return memories, integrity

    def vector_metadata_drift(self) -> int:
        """Vectors whose filter metadata no longer matches their memory."""

        def count(c: Connection) -> int:
            if not vectors.has_table(c):
                return 0
            return int(scalar(c, vectors.DRIFT_COUNT))

        return self._read(count)

    def resync_vector_metadata(self) -> None:
        """Copy each memory's filterable fields into the vec0 metadata again."""
        with self._write() as c:
            if vectors.has_table(c):
                vectors.resync_metadata(c)


# -- helpers -----------------------------------------------------------------------------------

_EXISTS = "select 1 from memories where id = :id"
_ORPHAN_VECTORS = """
    select count(*) from memories_vec v
    where not exists (select 1 from memories m where m.id = v.memory_id)
"""
_FTS_COUNT = "select count(*) from memories_fts where memories_fts match :term"
_REINDEX_KEY = "reindex_pending"
_SET_META = (
    "insert into meta (key, value) values (:k, :v) on conflict (key) do update set value = :v"
)

_COLUMNS = (
    "id", "content", "kind", "tags", "scope", "metadata", "created_at", "updated_at",
    "forgotten_at", "forget_reason", "key", "occurred_at", "expires_at", "client",
    "superseded_by", "superseded_at", "repeat_count", "last_seen_at", "content_hash", "context",
)  # fmt: skip

_INSERT = f"""
    insert into memories ({", ".join(_COLUMNS)})
    values ({", ".join(":" + c for c in _COLUMNS)})
"""

_EDITABLE = {
    "content", "kind", "tags", "scope", "metadata", "key", "occurred_at", "expires_at", "context",
}  # fmt: skip
_EDITABLE_COLUMNS = sorted(_EDITABLE | {"content_hash"})

_UPDATE = f"""
    update memories set
        {", ".join(f"{c} = case when :set_{c} then :{c} else {c} end" for c in _EDITABLE_COLUMNS)},
        updated_at = :now
    where id = :id
"""


def _snapshot(c: Connection, dim: int, consume: Callable[[VectorRows], None]) -> tuple[int, int]:
    c.execute("begin")
    try:
        generation, head, _ = vectors.log_state(c)
        for rows in vectors.all_rows(c, dim):
            consume(rows)
    finally:
        c.execute("commit")
    return generation, head


def _now() -> datetime:
    return datetime.now(UTC)


def _insert(c: Connection, item: NewRow, action: str, client: str | None) -> int:
    now = utc_now()
    values = {name: getattr(item, name, None) for name in _COLUMNS}
    values.update(
        tags=json.dumps(item.tags),
        metadata=json.dumps(item.metadata),
        created_at=item.created_at or now,
        updated_at=item.updated_at or item.created_at or now,
        content_hash=content_hash(item.content),
    )
    new_id = int(c.execute(_INSERT, values).lastrowid or 0)
    if item.vector is not None and vectors.has_table(c):
        vectors.insert(c, new_id, item.vector)
    row = _require(c, new_id)
    history.record(c, new_id, action, client, after=history.snapshot(row))
    return new_id


def _require(c: Connection, memory_id: int) -> Any:
    row = c.execute("select * from memories where id = :id", {"id": memory_id}).fetchone()
    if row is None:
        raise NotFound(f"No memory with id {memory_id}.")
    return row


def _to_memory(row: Any) -> Memory:
    return Memory(
        id=row["id"],
        content=row["content"],
        kind=row["kind"],
        tags=json.loads(row["tags"]),
        scope=row["scope"],
        metadata=json.loads(row["metadata"]),
        created_at=parse_stored_time(row["created_at"]),
        updated_at=parse_stored_time(row["updated_at"]),
        forgotten_at=_time(row["forgotten_at"]),
        forget_reason=row["forget_reason"],
        key=row["key"],
        occurred_at=_time(row["occurred_at"]),
        expires_at=_time(row["expires_at"]),
        superseded_by=row["superseded_by"],
        superseded_at=_time(row["superseded_at"]),
        client=row["client"],
        repeat_count=row["repeat_count"],
        last_seen_at=_time(row["last_seen_at"]),
        embedded=bool(row["embedded"]),
        context=row["context"],
    )


def _time(value: str | None) -> datetime | None:
    return None if value is None else parse_stored_time(value)


__all__ = ["SqliteStore", "NewRow"]

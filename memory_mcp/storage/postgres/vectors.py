"""The pgvector index: a `vector(DIM)` table with an HNSW cosine index, and its change log.

It is created when the embedding model first loads (its dimension comes from the model), and
is always rebuildable from `memories`. A vector row is deleted with its memory (foreign key,
cascade). The filters of recall are applied inside the search by joining `memories`, so
nothing of a memory is copied here and nothing can drift.
"""

from typing import Any

import numpy as np

from memory_mcp.storage.contract import VectorRows
from memory_mcp.storage.postgres.db import Connection, meta_value, set_meta
from memory_mcp.timestamps import NEVER, epoch_micros, parse_stored_time

LOG_KEEP = 100_000  # changes kept in vec_log; a copy further behind reloads in full

_DROP = ["drop table if exists memory_vectors cascade"]


# The table's parts (restore.py makes one again when a hand dropped it).
HNSW_INDEX = """
    create index memory_vectors_hnsw on memory_vectors using hnsw (embedding vector_cosine_ops)
    """
LOG_TRIGGER = """
    create trigger memory_vectors_log after insert or update or delete on memory_vectors
    for each row execute function memory_vectors_log()
    """


def _ddl(dim: int) -> list[str]:
    return [
        f"""
        create table memory_vectors (
            memory_id bigint primary key references memories (id) on delete cascade,
            embedding vector({int(dim)}) not null
        )
        """,
        HNSW_INDEX,
        LOG_TRIGGER,
    ]


LOG_FUNCTION = f"""
create or replace function memory_vectors_log() returns trigger language plpgsql as $$
declare s bigint;
begin
    insert into vec_log (memory_id) values (case when tg_op = 'DELETE' then old.memory_id
        else new.memory_id end) returning seq into s;
    delete from vec_log where seq <= s - {LOG_KEEP};
    return null;
end $$
"""


def has_table(c: Connection) -> bool:
    row = c.execute("select to_regclass('memory_vectors') is not null as e").fetchone()
    return bool(row and row["e"])


def index_info(c: Connection) -> tuple[str, int] | None:
    if not has_table(c):
        return None
    model, dim = meta_value(c, "embedding_model"), meta_value(c, "embedding_dim")
    if model is None or dim is None:
        return None
    return model, int(dim)


def create_index(c: Connection, model: str, dim: int) -> None:
    """A new, empty vector table for (model, dim), replacing any other."""
    for statement in [*_DROP, LOG_FUNCTION, *_ddl(dim)]:
        c.execute(statement)
    set_meta(c, "embedding_model", model)
    set_meta(c, "embedding_dim", str(dim))
    bump_generation(c)


def bump_generation(c: Connection) -> None:
    """Tell in-memory copies of the index to reload in full (after a rebuild)."""
    generation = int(meta_value(c, "vec_generation") or 0) + 1
    set_meta(c, "vec_generation", str(generation))


INSERT = "insert into memory_vectors (memory_id, embedding) values (%s, %s)"


def insert(c: Connection, memory_id: int, vector: np.ndarray) -> None:
    c.execute(INSERT, (memory_id, np.asarray(vector, dtype=np.float32)))


def delete(c: Connection, memory_id: int) -> None:
    c.execute("delete from memory_vectors where memory_id = %s", (memory_id,))


def awaits_vector(c: Connection, memory_id: int, content: str) -> bool:
    """The row exists, still holds `content` and has no vector."""
    return (
        c.execute(
            """
            select 1 from memories m
            where m.id = %(id)s and m.content = %(content)s
                and not exists (select 1 from memory_vectors v where v.memory_id = m.id)
            """,
            {"id": memory_id, "content": content},
        ).fetchone()
        is not None
    )


def log_state(c: Connection) -> tuple[int, int, int | None]:
    """(generation, last logged change, oldest kept change)."""
    row = c.execute(
        """select (select value from meta where key = 'vec_generation') as g,
                  (select max(seq) from vec_log) as head, (select min(seq) from vec_log) as tail"""
    ).fetchone()
    assert row is not None
    return int(row["g"] or 0), int(row["head"] or 0), row["tail"]


def changed_since(c: Connection, seq: int) -> list[int]:
    rows = c.execute(
        "select distinct memory_id from vec_log where seq > %s order by memory_id", (seq,)
    )
    return [int(r["memory_id"]) for r in rows]


def lost_since(c: Connection, seq: int) -> list[int]:
    """Memories changed since `seq` that are still stored and have no vector."""
    rows = c.execute(
        """select distinct l.memory_id from vec_log l
           where l.seq > %s
               and exists (select 1 from memories m where m.id = l.memory_id)
               and not exists (select 1 from memory_vectors v where v.memory_id = l.memory_id)
           order by l.memory_id""",
        (seq,),
    )
    return [int(r["memory_id"]) for r in rows]


_ROWS = """
    select v.memory_id, v.embedding, m.scope, m.kind,
        (m.forgotten_at is not null or m.superseded_by is not null) as hidden,
        coalesce(m.occurred_at, m.created_at) as at, m.expires_at
    from memory_vectors v join memories m on m.id = v.memory_id
"""


def rows_for(c: Connection, ids: list[int], dim: int) -> VectorRows:
    found = c.execute(f"{_ROWS} where v.memory_id = any(%s) order by v.memory_id", (ids,))
    return vector_rows(found.fetchall(), dim)


def all_rows(c: Connection, dim: int, batch: int = 20_000) -> Any:
    last = 0
    while rows := c.execute(
        f"{_ROWS} where v.memory_id > %s order by v.memory_id limit %s", (last, batch)
    ).fetchall():
        yield vector_rows(rows, dim)
        last = int(rows[-1]["memory_id"])


def as_array(value: Any) -> np.ndarray:
    """A stored vector as float32 (pgvector's adapter gives numpy arrays)."""
    return np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value, np.float32)


def vector_rows(rows: list[Any], dim: int) -> VectorRows:
    def micros(value: str | None) -> int:
        return NEVER if value is None else epoch_micros(parse_stored_time(value))

    return VectorRows(
        ids=np.array([r["memory_id"] for r in rows], dtype=np.int64),
        vectors=np.array(
            [
                np.asarray(
                    r["embedding"].to_numpy()
                    if hasattr(r["embedding"], "to_numpy")
                    else r["embedding"],
                    dtype=np.float32,
                )
                for r in rows
            ],
            dtype=np.float32,
        ).reshape(len(rows), dim),
        scopes=[r["scope"] for r in rows],
        kinds=[r["kind"] for r in rows],
        hidden=np.array([bool(r["hidden"]) for r in rows], dtype=bool),
        at=np.array([micros(r["at"]) for r in rows], dtype=np.int64),
        expires=np.array([micros(r["expires_at"]) for r in rows], dtype=np.int64),
    )

"""The sqlite-vec index: its DDL, triggers and the statements that need its presence.

It is created when the embedding model first loads (its dimension comes from the model) and
is always rebuildable from `memories`. Functions take a connection inside the store's lock
and transaction; MemoryStore is the only caller.
"""

import numpy as np

from memory_mcp.db import Connection


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


_SET_META = (
    "insert into meta (key, value) values (:k, :v) on conflict (key) do update set value = :v"
)

_VEC_DROP = [
    "drop trigger if exists memories_vec_ad",
    "drop trigger if exists memories_vec_au",
    "drop table if exists memories_vec",
]

# Deletes and metadata changes on `memories` reach the vector index through triggers, so a
# hand edit of the source table cannot leave an orphaned or mislabelled vector.
_VEC_TRIGGERS = [
    """
    create trigger memories_vec_ad after delete on memories begin
        delete from memories_vec where memory_id = old.id;
    end
    """,
    """
    create trigger memories_vec_au after update of scope, kind, forgotten_at, created_at
    on memories begin
        update memories_vec set scope = new.scope, kind = new.kind,
            forgotten = (new.forgotten_at is not null), created_at = new.created_at
        where memory_id = new.id;
    end
    """,
]


def _ddl(dim: int) -> str:
    return f"""
        create virtual table memories_vec using vec0 (
            memory_id integer primary key,
            embedding float[{int(dim)}] distance_metric=cosine,
            scope text,
            kind text,
            forgotten integer,
            created_at text
        )
    """


def index_info(c: Connection) -> tuple[str, int] | None:
    rows = dict(
        c.execute(
            "select key, value from meta where key in ('embedding_model', 'embedding_dim')"
        ).fetchall()
    )
    if len(rows) < 2 or not has_table(c):
        return None
    return str(rows["embedding_model"]), int(rows["embedding_dim"])


def create_index(c: Connection, model: str, dim: int) -> None:
    for statement in _VEC_DROP:
        c.execute(statement)
    c.execute(_ddl(dim))
    for statement in _VEC_TRIGGERS:
        c.execute(statement)
    c.execute(_SET_META, {"k": "embedding_model", "v": model})
    c.execute(_SET_META, {"k": "embedding_dim", "v": str(dim)})


def has_table(c: Connection) -> bool:
    return (
        c.execute("select 1 from sqlite_master where name = 'memories_vec'").fetchone() is not None
    )


def insert(c: Connection, memory_id: int, vector: np.ndarray) -> None:
    c.execute(
        """
        insert into memories_vec (memory_id, embedding, scope, kind, forgotten, created_at)
        select id, :embedding, scope, kind, forgotten_at is not null, created_at
        from memories where id = :id
        """,
        {"id": memory_id, "embedding": to_blob(vector)},
    )

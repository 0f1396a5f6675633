"""The sqlite-vec index: its DDL, triggers and the statements that need its presence.

It is created when the embedding model first loads (its dimension comes from the model) and
is always rebuildable from `memories`. Functions take a connection inside the store's lock
and transaction; MemoryStore is the only caller.
"""

import numpy as np

from memory_mcp.db import Connection, scalar


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
    create trigger memories_vec_au after update of scope, kind, forgotten_at, superseded_by,
        created_at, occurred_at, expires_at on memories begin
        update memories_vec set
            scope = new.scope,
            kind = new.kind,
            hidden = (new.forgotten_at is not null or new.superseded_by is not null),
            at = coalesce(new.occurred_at, new.created_at),
            expires = coalesce(new.expires_at, :never)
        where memory_id = new.id;
    end
    """,
]

# Bumped whenever the vec0 columns change; an older layout is rebuilt from the stored
# vectors (no re-embedding) when the index is next opened.
LAYOUT = 2
NEVER = "9999-12-31T23:59:59.999999Z"  # vec0 metadata can't be NULL-compared: "no expiry"

# The metadata columns the KNN scan filters on: the usual recall (visible, unexpired, in
# these scopes, of this kind, in this window) needs no id constraint at all.
_METADATA = """
    scope text,
    kind text,
    hidden integer,
    at text,
    expires text
"""

_ROW_METADATA = """
    scope, kind, (forgotten_at is not null or superseded_by is not null),
    coalesce(occurred_at, created_at), coalesce(expires_at, :never)
"""


def _ddl(dim: int) -> str:
    return f"""
        create virtual table memories_vec using vec0 (
            memory_id integer primary key,
            embedding float[{int(dim)}] distance_metric=cosine,
            {_METADATA}
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
    _create_triggers(c)
    c.execute(_SET_META, {"k": "embedding_model", "v": model})
    c.execute(_SET_META, {"k": "embedding_dim", "v": str(dim)})
    c.execute(_SET_META, {"k": "vec_layout", "v": str(LAYOUT)})


def _create_triggers(c: Connection) -> None:
    for statement in _VEC_TRIGGERS:
        # Trigger bodies cannot take parameters: NEVER is a constant of ours, not user data.
        c.execute(statement.replace(":never", f"'{NEVER}'"))


def upgrade_layout(c: Connection) -> bool:
    """Rebuild an index of an older layout with the current columns, keeping its vectors."""
    row = c.execute("select value from meta where key = 'vec_layout'").fetchone()
    if not has_table(c) or (row is not None and int(row[0]) >= LAYOUT):
        return False
    dim = int(scalar(c, "select value from meta where key = 'embedding_dim'"))
    c.execute("create temp table vec_keep as select memory_id, embedding from memories_vec")
    for statement in _VEC_DROP:
        c.execute(statement)
    c.execute(_ddl(dim))
    _create_triggers(c)
    c.execute(
        f"""
        insert into memories_vec (memory_id, embedding, scope, kind, hidden, at, expires)
        select m.id, k.embedding, {_ROW_METADATA}
        from vec_keep k join memories m on m.id = k.memory_id
        """,
        {"never": NEVER},
    )
    c.execute("drop table vec_keep")
    c.execute(_SET_META, {"k": "vec_layout", "v": str(LAYOUT)})
    return True


def has_table(c: Connection) -> bool:
    return (
        c.execute("select 1 from sqlite_master where name = 'memories_vec'").fetchone() is not None
    )


def insert(c: Connection, memory_id: int, vector: np.ndarray) -> None:
    c.execute(
        f"""
        insert into memories_vec (memory_id, embedding, scope, kind, hidden, at, expires)
        select id, :embedding, {_ROW_METADATA}
        from memories where id = :id
        """,
        {"id": memory_id, "embedding": to_blob(vector), "never": NEVER},
    )


DRIFT_COUNT = """
    select count(*) from memories_vec v join memories m on m.id = v.memory_id
    where v.scope is not m.scope or v.kind is not m.kind
       or v.hidden is not (m.forgotten_at is not null or m.superseded_by is not null)
       or v.at is not coalesce(m.occurred_at, m.created_at)
       or v.expires is not coalesce(m.expires_at, :never)
"""


def resync_metadata(c: Connection) -> None:
    """Copy every row's metadata from `memories` again (doctor --repair)."""
    c.execute(
        """
        update memories_vec set
            scope = (select scope from memories m where m.id = memory_id),
            kind = (select kind from memories m where m.id = memory_id),
            hidden = (select forgotten_at is not null or superseded_by is not null
                      from memories m where m.id = memory_id),
            at = (select coalesce(occurred_at, created_at) from memories m
                  where m.id = memory_id),
            expires = (select coalesce(expires_at, :never) from memories m
                       where m.id = memory_id)
        """,
        {"never": NEVER},
    )

"""The sqlite-vec index: its DDL, triggers, change log and the statements that need it.

It is created when the embedding model first loads (its dimension comes from the model) and
is always rebuildable from `memories`. Functions take a connection inside the store's lock
and transaction; SqliteStore is the only caller.
"""

import json
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from memory_mcp.storage.contract import VectorRows
from memory_mcp.storage.sqlite.db import Connection, meta_value, scalar, set_meta
from memory_mcp.timestamps import NEVER

if TYPE_CHECKING:
    import numpy as np


_VEC_DROP = [
    "drop trigger if exists memories_vec_ad",
    "drop trigger if exists memories_vec_au",
    "drop table if exists memories_vec",
    "drop table if exists vec_log",
]

# Times in vec0 metadata are integer microseconds since the epoch: sqlite-vec 0.1.9 compares
# long text metadata through a side table, which made a filtered scan ~2.5x slower (measured).
_MICROS = "(unixepoch(substr({t}, 1, 19)) * 1000000 + cast(substr({t}, 21, 6) as integer))"


def micros(column: str) -> str:
    """SQL turning one of our fixed-width ISO-8601 UTC texts into integer microseconds."""
    return _MICROS.format(t=column)


# Deletes and metadata changes on `memories` reach the vector index through triggers, so a
# hand edit of the source table cannot leave an orphaned or mislabelled vector. Each change
# is also appended to vec_log, which in-memory copies of the index replay (see search/vecindex.py).
_VEC_TRIGGERS = [
    """
    create trigger memories_vec_ad after delete on memories begin
        delete from memories_vec where memory_id = old.id;
        insert into vec_log (memory_id) values (old.id);
    end
    """,
    f"""
    create trigger memories_vec_au after update of scope, kind, forgotten_at, superseded_by,
        created_at, occurred_at, expires_at on memories begin
        update memories_vec set
            scope = new.scope,
            kind = new.kind,
            hidden = (new.forgotten_at is not null or new.superseded_by is not null),
            at = {micros("coalesce(new.occurred_at, new.created_at)")},
            expires = coalesce({micros("new.expires_at")}, {NEVER})
        where memory_id = new.id;
        insert into vec_log (memory_id) values (new.id);
    end
    """,
]

# Bumped whenever the vec0 columns change; an older layout is rebuilt from the stored
# vectors (no re-embedding) when the index is next opened. 3: integer times, vec_log.
LAYOUT = 3
# Changes kept in vec_log; a copy of the index further behind than this reloads in full.
LOG_KEEP = 100_000
TRIM_EVERY = 256

# The metadata columns the KNN scan filters on: the usual recall (visible, unexpired, in
# these scopes, of this kind, in this window) needs no id constraint at all.
_METADATA = """
    scope text,
    kind text,
    hidden integer,
    at integer,
    expires integer
"""

_ROW_METADATA = f"""
    scope, kind, (forgotten_at is not null or superseded_by is not null),
    {micros("coalesce(occurred_at, created_at)")}, coalesce({micros("expires_at")}, {NEVER})
"""

_LOG_DDL = """
    create table vec_log (seq integer primary key autoincrement, memory_id integer not null)
"""


def _ddl(dim: int) -> str:
    return f"""
        create virtual table memories_vec using vec0 (
            memory_id integer primary key,
            embedding float[{int(dim)}] distance_metric=cosine,
            {_METADATA}
        )
    """


def to_blob(vector: "np.ndarray") -> bytes:
    import numpy as np  # (a command that only reads text never imports it)

    return np.asarray(vector, dtype="<f4").tobytes()


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
    _create(c, dim)
    set_meta(c, "embedding_model", model)
    set_meta(c, "embedding_dim", str(dim))


def _create(c: Connection, dim: int) -> None:
    for statement in _VEC_DROP:
        c.execute(statement)
    c.execute(_ddl(dim))
    c.execute(_LOG_DDL)
    for statement in _VEC_TRIGGERS:
        c.execute(statement)
    set_meta(c, "vec_layout", str(LAYOUT))
    bump_generation(c)


def upgrade_layout(c: Connection) -> bool:
    """Rebuild an index of an older layout with the current columns, keeping its vectors."""
    layout = meta_value(c, "vec_layout")
    if not has_table(c) or (layout is not None and int(layout) >= LAYOUT):
        return False
    dim = int(scalar(c, "select value from meta where key = 'embedding_dim'"))
    c.execute("create temp table vec_keep as select memory_id, embedding from memories_vec")
    _create(c, dim)
    c.execute(
        f"""
        insert into memories_vec (memory_id, embedding, scope, kind, hidden, at, expires)
        select m.id, k.embedding, {_ROW_METADATA}
        from vec_keep k join memories m on m.id = k.memory_id
        """
    )
    c.execute("drop table vec_keep")
    return True


def bump_generation(c: Connection) -> None:
    """Tell in-memory copies of the index to reload in full (after a rebuild or repair)."""
    c.execute(
        """
        insert into meta (key, value) values ('vec_generation', '1')
        on conflict (key) do update set value = cast(value as integer) + 1
        """
    )


# Connections that have seen the index. Once created, memories_vec is only ever dropped and
# created again inside one transaction (_create), so a connection that has seen it always will:
# remembering that spares a sqlite_master scan on every read and write (three per remember).
# Only a committed index is remembered (seen outside a transaction, which may yet roll back
# its creation); a missing one is looked up again each time (another process may create it).
_SEEN: "weakref.WeakSet[Connection]" = weakref.WeakSet()


def has_table(c: Connection) -> bool:
    if c in _SEEN:
        return True
    found = c.execute("select 1 from sqlite_master where name = 'memories_vec'").fetchone()
    if found is not None and not c.in_transaction:
        _SEEN.add(c)
    return found is not None


def insert(c: Connection, memory_id: int, vector: "np.ndarray", model: str | None = None) -> int:
    """Store the row's vector; returns its change-log position. `model`: the one the vector
    was made with; when the index is now another's (another process's reindex), nothing is
    stored (returns 0), decided by the same statement."""
    stored = c.execute(
        f"""
        insert into memories_vec (memory_id, embedding, scope, kind, hidden, at, expires)
        select id, :embedding, {_ROW_METADATA}
        from memories where id = :id
            and (:model is null
                 or :model = (select value from meta where key = 'embedding_model'))
        """,
        {"id": memory_id, "embedding": to_blob(vector), "model": model},
    )
    return _log(c, memory_id) if stored.rowcount else 0


def insert_run(
    c: Connection, rows: "list[tuple[int, np.ndarray]]", model: str | None = None
) -> list[int]:
    """insert() for each (id, vector) of rows just written together (runs.py), by one
    statement and one log statement: vec0 then costs about half as much a row. The vectors
    go as one blob, each cut out by its place; vectors of unlike sizes go one at a time, so
    vec0 names the one that does not fit."""
    blobs = [to_blob(vector) for _, vector in rows]
    width = len(blobs[0]) if blobs else 0
    if not blobs or any(len(blob) != width for blob in blobs):
        return [insert(c, memory_id, vector, model) for memory_id, vector in rows]
    ids = json.dumps([memory_id for memory_id, _ in rows])
    stored = c.execute(
        f"""
        insert into memories_vec (memory_id, embedding, scope, kind, hidden, at, expires)
        select m.id, substr(:blob, r.key * :width + 1, :width), {_ROW_METADATA}
        from json_each(:ids) r join memories m on m.id = r.value
        where :model is null
            or :model = (select value from meta where key = 'embedding_model')
        order by r.key
        """,
        {"ids": ids, "blob": b"".join(blobs), "width": width, "model": model},
    )
    if not stored.rowcount:
        return [0] * len(rows)
    # The model test is the same for every row, and each id was written by this run.
    assert stored.rowcount == len(rows), (stored.rowcount, len(rows))
    logged = c.execute(
        "insert into vec_log (memory_id) select value from json_each(:ids) order by key",
        {"ids": ids},
    )
    last = int(logged.lastrowid or 0)
    first = last - len(rows) + 1
    trim_at = last - last % TRIM_EVERY  # the last multiple the run reached, as _log trims
    if trim_at >= first:
        c.execute("delete from vec_log where seq <= :old", {"old": trim_at - LOG_KEEP})
    return list(range(first, last + 1))


def delete(c: Connection, memory_id: int) -> None:
    c.execute("delete from memories_vec where memory_id = :id", {"id": memory_id})
    _log(c, memory_id)


def awaits_vector(c: Connection, memory_id: int, content: str) -> bool:
    """The row exists, still holds `content` and has no vector (vec0's id table)."""
    return (
        c.execute(
            """
            select 1 from memories m
            where m.id = :id and m.content = :content
                and not exists (select 1 from memories_vec_rowids v where v.rowid = m.id)
            """,
            {"id": memory_id, "content": content},
        ).fetchone()
        is not None
    )


def _log(c: Connection, memory_id: int) -> int:
    logged = c.execute("insert into vec_log (memory_id) values (:id)", {"id": memory_id})
    seq = int(logged.lastrowid or 0)
    # One seek at the head of the table, every TRIM_EVERY changes (not a statement per
    # write): the log stays LOG_KEEP to LOG_KEEP + TRIM_EVERY rows long.
    if seq % TRIM_EVERY == 0:
        c.execute("delete from vec_log where seq <= :old", {"old": seq - LOG_KEEP})
    return seq


DRIFT_COUNT = f"""
    select count(*) from memories_vec v cross join memories m on m.id = v.memory_id
    where v.scope is not m.scope or v.kind is not m.kind
       or v.hidden is not (m.forgotten_at is not null or m.superseded_by is not null)
       or v.at is not {micros("coalesce(m.occurred_at, m.created_at)")}
       or v.expires is not coalesce({micros("m.expires_at")}, {NEVER})
"""


def resync_metadata(c: Connection) -> None:
    """Copy every row's metadata from `memories` again (doctor --repair)."""
    c.execute(
        f"""
        update memories_vec set
            scope = (select scope from memories m where m.id = memory_id),
            kind = (select kind from memories m where m.id = memory_id),
            hidden = (select forgotten_at is not null or superseded_by is not null
                      from memories m where m.id = memory_id),
            at = (select {micros("coalesce(occurred_at, created_at)")} from memories m
                  where m.id = memory_id),
            expires = (select coalesce({micros("expires_at")}, {NEVER}) from memories m
                       where m.id = memory_id)
        """
    )
    bump_generation(c)


def vector_rows(rows: list[Any], dim: int) -> VectorRows:
    """Rows of (id, embedding blob, scope, kind, hidden, at, expires) as columns."""
    import numpy as np

    blob = b"".join(r[1] for r in rows)
    return VectorRows(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        vectors=np.frombuffer(blob, dtype="<f4").reshape(len(rows), dim).astype(np.float32),
        scopes=[r[2] for r in rows],
        kinds=[r[3] for r in rows],
        hidden=np.array([bool(r[4]) for r in rows], dtype=bool),
        at=np.array([r[5] or 0 for r in rows], dtype=np.int64),
        expires=np.array([r[6] for r in rows], dtype=np.int64),
    )


# Metadata comes from `memories` (a plain table reads ~3x faster than vec0's metadata), with
# the same expressions the vec0 columns hold.
_METADATA_OF_M = f"""
    m.scope, m.kind, (m.forgotten_at is not null or m.superseded_by is not null),
    {micros("coalesce(m.occurred_at, m.created_at)")}, coalesce({micros("m.expires_at")}, {NEVER})
"""
_ROW_COLUMNS = f"select v.memory_id, v.embedding, {_METADATA_OF_M}"

_HEAD = "coalesce((select seq from sqlite_sequence where name = 'vec_log'), 0)"
_STATE_COLUMNS = f"""
    (select cast(value as integer) from meta where key = 'vec_generation'),
    {_HEAD},
    (select min(seq) from vec_log)
"""
_STATE = f"select {_STATE_COLUMNS}"


def log_state(c: Connection) -> tuple[int, int, int | None]:
    """(generation, last logged change, oldest change still in the log)."""
    row = c.execute(_STATE).fetchone()
    assert row is not None
    return int(row[0] or 0), int(row[1]), None if row[2] is None else int(row[2])


# The log's state (a row marked 0), then each id changed since :after (marked 1) with its
# row as it is now (no vector: it lost it or was deleted), in one statement: one snapshot,
# with no BEGIN and COMMIT around it. A log that no longer reaches back reads no ids.
# The joins run in the order written: vec0 answers `memory_id = ?` with a point lookup.
_CHANGES = f"""
    select 0, {_STATE_COLUMNS}, null, null, null, null
    union all
    select 1, l.memory_id, v.embedding, {_METADATA_OF_M}
    from (select distinct memory_id from vec_log
          where seq > :after and (select min(seq) from vec_log) <= :after + 1) l
    left join memories m on m.id = l.memory_id
    left join memories_vec v on v.memory_id = l.memory_id
"""


def changes(
    c: Connection, after: int, dim: int
) -> tuple[int, int, int | None, list[int], VectorRows]:
    """(generation, head, oldest logged change, ids changed since `after`, their rows)."""
    found = c.execute(_CHANGES, {"after": after}).fetchall()
    state = next(r for r in found if r[0] == 0)
    changed = [r[1:] for r in found if r[0] == 1]
    # A row of another width belongs to an index rebuilt for another model (its generation
    # tells the caller to reload): never decoded as one of `dim`.
    rows = vector_rows(
        [r for r in changed if r[1] is not None and r[2] is not None and len(r[1]) == 4 * dim],
        dim,
    )
    oldest = None if state[3] is None else int(state[3])
    return int(state[1] or 0), int(state[2]), oldest, [int(r[0]) for r in changed], rows


# The log's reach (a row marked 0: its oldest change, its head), then each memory changed
# since :after that is still stored and has no vector (marked 1): one statement, one snapshot.
_LOST = f"""
    select 0, (select min(seq) from vec_log), {_HEAD}
    union all
    select 1, l.memory_id, null
    from (select distinct memory_id from vec_log where seq > :after) l
    where exists (select 1 from memories m where m.id = l.memory_id)
        and not exists (select 1 from memories_vec_rowids v where v.rowid = l.memory_id)
"""


def lost(c: Connection, after: int) -> tuple[int | None, int, list[int]]:
    """(oldest logged change, head, ids changed since `after` left without a vector)."""
    found = c.execute(_LOST, {"after": after}).fetchall()
    state = next(r for r in found if r[0] == 0)
    oldest = None if state[1] is None else int(state[1])
    return oldest, int(state[2]), sorted(int(r[1]) for r in found if r[0] == 1)


def all_rows(c: Connection, dim: int, batch: int = 20_000) -> Iterator[VectorRows]:
    """Every vector with its metadata, in batches (one vec0 scan)."""
    # `cross join` keeps the vec0 scan outside: one pass over its chunks, not a lookup per id.
    cursor = c.execute(
        f"{_ROW_COLUMNS} from memories_vec v cross join memories m on m.id = v.memory_id"
    )
    while rows := cursor.fetchmany(batch):
        yield vector_rows(rows, dim)


# The vector index's parts, as _create makes them (layout 3): the vec0 table and its shadow
# tables, the change log and the two triggers. Dropped by hand, doctor --repair makes them.
_SHADOWS = (
    "info", "chunks", "rowids", "vector_chunks00", *(f"metadatachunks0{i}" for i in range(5)),
    "metadatatext00", "metadatatext01",
)  # fmt: skip
_PARTS = ("memories_vec", *(f"memories_vec_{s}" for s in _SHADOWS), "vec_log")
_TRIGGERS = ("memories_vec_ad", "memories_vec_au")
TRIGGERS, VEC_TRIGGERS = _TRIGGERS, _VEC_TRIGGERS  # (schemaparts.py compares them)


def missing_parts(c: Connection) -> list[str]:
    """The parts of the vector index the schema lacks: none before the model made one (the
    meta table names its model then), nor in an index of an older layout (rebuilt when the
    model loads)."""
    if c.execute("select 1 from sqlite_master where name = 'meta'").fetchone() is None:
        return []  # a new file
    layout = meta_value(c, "vec_layout")
    if meta_value(c, "embedding_model") is None or layout is None or int(layout) != LAYOUT:
        return []
    have = {str(r[0]) for r in c.execute("select name from sqlite_master")}
    return [name for name in (*_PARTS, *_TRIGGERS) if name not in have]


def readable(c: Connection) -> bool:
    """Whether the vec0 table is there, whole (a hand may have dropped one of its own)."""
    return has_table(c) and not set(missing_parts(c)) & set(_PARTS[:-1])


def restore_parts(c: Connection) -> list[str]:
    """Make the missing parts again (inside the caller's transaction): the log or triggers
    alone, keeping the vectors; the vec0 table or one of its own, a new empty index (every
    memory then waits for its vector: doctor --repair embeds them). Their names."""
    gone = missing_parts(c)
    if not gone:
        return []
    if set(gone) <= {"vec_log", *_TRIGGERS}:
        if "vec_log" in gone:
            c.execute(_LOG_DDL)
        for name, statement in zip(_TRIGGERS, _VEC_TRIGGERS, strict=True):
            if name in gone:
                c.execute(statement)
        bump_generation(c)
        return gone
    have = {str(r[0]) for r in c.execute("select name from sqlite_master")}
    if "memories_vec" in have:  # sqlite-vec drops its table only with every shadow table
        for name in _PARTS[1:-1]:
            if name not in have:
                c.execute(f"create table {name} (x)")
    _create(c, int(scalar(c, "select value from meta where key = 'embedding_dim'")))
    return gone

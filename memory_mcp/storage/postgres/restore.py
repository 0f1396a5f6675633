"""Parts derived from `memories` that a hand dropped or disabled (the keyword column's
trigger, BM25's totals and their trigger, the keyword GIN indexes, the vector feed's log and
triggers, the vector table's HNSW index; the table itself is made, empty, when the model
loads): found at open, reported by doctor, made again by its --repair. The memories stay
untouched; each part is made as the schema steps define it (migrations/initial.py, a trigger
with its function: a DROP FUNCTION ... CASCADE took the trigger too), and the keyword rebuild
then recomputes the rows' words and the totals."""

from memory_mcp.storage.postgres import vectors
from memory_mcp.storage.postgres.db import Connection
from memory_mcp.storage.postgres.migrations.initial import (
    CURRENT,
    FTS_FUNCTIONS,
    FTS_INDEXES,
    FTS_TRIGGER,
    VEC_LOG,
    VEC_LOG_FUNCTION,
    VEC_LOG_TRIGGER,
)
from memory_mcp.storage.postgres.migrations.keyword_words import FTS_DOC_FUNCTION

REPAIR = (
    "The database {where} lacks part of its search indexes ({parts}: dropped by hand?); the "
    "memories are intact. Run `memory-mcp doctor --repair` to rebuild them from the memories."
)


# BM25's totals (fts_stats) as the rows give them.
STATS_OF = f"""select v.visible, count(m.id) as docs, coalesce(sum(m.doc_len), 0) as tokens
               from (values (true), (false)) as v (visible)
               left join memories m on ({CURRENT}) = v.visible group by v.visible"""


def _made_by(start: str) -> str:
    return next(s for s in FTS_FUNCTIONS if s.strip().startswith(start))


# name -> (is a trigger on memories, the statements that make it), in the order to make them
_PARTS: dict[str, tuple[bool, list[str]]] = {
    "fts_stats": (
        False,
        [_made_by("create table fts_stats"), _made_by("insert into fts_stats")],
    ),
    # A trigger's function too: DROP FUNCTION ... CASCADE takes the trigger with it.
    "memories_fts": (True, [FTS_DOC_FUNCTION, FTS_TRIGGER]),
    "memories_fts_stats": (
        True,
        [
            _made_by("create function memories_fts_stats").replace(
                "create function", "create or replace function", 1
            ),
            _made_by("create trigger memories_fts_stats"),
        ],
    ),
    **{name: (False, [statement]) for name, statement in FTS_INDEXES.items()},
    "vec_log": (False, [VEC_LOG]),
    "memories_vec_log": (True, [VEC_LOG_FUNCTION, VEC_LOG_TRIGGER]),
}


# Every part as (name, is a trigger, the table it belongs to): a part is looked for only
# while its table exists (the vector table is made when the model loads).
_LOOKED_FOR = [
    *((name, trigger, "memories") for name, (trigger, _) in _PARTS.items()),
    ("memory_vectors_hnsw", False, "memory_vectors"),
    ("memory_vectors_log", True, "memory_vectors"),
]

# One statement (one round trip: every write asks it, write.py): the parts the schema lacks.
# A disabled trigger (ALTER TABLE ... DISABLE TRIGGER) counts as lacking: its rows drift alike;
# so does a replica one (ENABLE REPLICA TRIGGER: 'R' fires only under session_replication_role
# = replica). 'O' (origin, the default) and 'A' (always) fire on our writes.
_MISSING = """
    select p.name from unnest(%s::text[], %s::bool[], %s::text[]) with ordinality
        as p (name, is_trigger, owner, place)
    where to_regclass(p.owner) is not null and case when p.is_trigger
        then not exists (select 1 from pg_trigger t where t.tgrelid = to_regclass(p.owner)
                         and t.tgname = p.name and t.tgenabled in ('O', 'A'))
        else to_regclass(p.name) is null end
    order by p.place"""


def missing(c: Connection) -> list[str]:
    """The derived parts the schema lacks (none when it has no `memories` table yet)."""
    names, triggers, owners = (list(column) for column in zip(*_LOOKED_FOR, strict=True))
    return [str(r["name"]) for r in c.execute(_MISSING, (names, triggers, owners))]


def restore(c: Connection) -> list[str]:
    """Make every missing part again (inside the caller's transaction); their names."""
    gone = missing(c)
    owners = {name: owner for name, trigger, owner in _LOOKED_FOR if trigger}
    for name in gone:
        made = _VECTOR_PARTS[name] if name in _VECTOR_PARTS else _PARTS[name][1]
        if name in owners:  # a disabled one is still there: made again as defined
            c.execute(f"drop trigger if exists {name} on {owners[name]}")
        for statement in made:
            c.execute(statement)
    if {"fts_stats", "memories_fts_stats"} & set(gone):  # the totals were not kept meanwhile
        c.execute(
            f"""update fts_stats s set docs = a.docs, tokens = a.tokens
                from ({STATS_OF}) a where s.visible = a.visible"""
        )
    return gone


_VECTOR_PARTS = {
    "memory_vectors_hnsw": [vectors.HNSW_INDEX],
    "memory_vectors_log": [vectors.LOG_FUNCTION, vectors.LOG_TRIGGER],
}

"""Parts derived from `memories` that a hand dropped (the keyword column's trigger, BM25's
totals and their trigger, the keyword GIN indexes, the vector feed's log and triggers, the
vector table's HNSW index; the table itself is made, empty, when the model loads):
found at open, reported by doctor, made again by its --repair. The memories stay untouched;
each part is made as the schema steps define it (migrations/initial.py), and the keyword
rebuild then recomputes the rows' words and the totals."""

from memory_mcp.storage.postgres import vectors
from memory_mcp.storage.postgres.db import Connection, scalar
from memory_mcp.storage.postgres.migrations.initial import (
    CURRENT,
    FTS_FUNCTIONS,
    FTS_INDEXES,
    FTS_TRIGGER,
    VEC_LOG,
    VEC_LOG_TRIGGER,
)

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
    "memories_fts": (True, [FTS_TRIGGER]),
    "memories_fts_stats": (True, [_made_by("create trigger memories_fts_stats")]),
    **{name: (False, [statement]) for name, statement in FTS_INDEXES.items()},
    "vec_log": (False, [VEC_LOG]),
    "memories_vec_log": (True, [VEC_LOG_TRIGGER]),
}


def missing(c: Connection) -> list[str]:
    """The derived parts the schema lacks (none when it has no `memories` table yet)."""
    if not scalar(c, "select to_regclass('memories') is not null"):
        return []
    triggers = {
        str(r["tgname"])
        for r in c.execute(
            """select tgname from pg_trigger
               where tgrelid = to_regclass('memories') and not tgisinternal"""
        )
    }
    gone = []
    for name, (trigger, _) in _PARTS.items():
        if trigger:
            if name not in triggers:
                gone.append(name)
        elif scalar(c, "select to_regclass(%s) is null", (name,)):
            gone.append(name)
    if vectors.has_table(c):
        if scalar(c, "select to_regclass('memory_vectors_hnsw') is null"):
            gone.append("memory_vectors_hnsw")
        if not scalar(
            c,
            """select count(*) from pg_trigger where tgname = 'memory_vectors_log'
               and tgrelid = to_regclass('memory_vectors')""",
        ):
            gone.append("memory_vectors_log")
    return gone


def restore(c: Connection) -> list[str]:
    """Make every missing part again (inside the caller's transaction); their names."""
    gone = missing(c)
    for name in gone:
        made = _VECTOR_PARTS[name] if name in _VECTOR_PARTS else _PARTS[name][1]
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
    "memory_vectors_log": [vectors.LOG_TRIGGER],
}

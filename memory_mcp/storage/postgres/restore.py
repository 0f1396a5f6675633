"""Parts derived from `memories` that a hand dropped or disabled (the keyword column's
trigger, BM25's totals and their trigger, the keyword GIN indexes, the vector feed's log and
triggers, the vector table's HNSW index; the table itself is made, empty, when the model
loads), the index of one current value per key (the values that share one settled first:
currentkeys.py), the trigger that supersedes a memory once, and the functions and text search
configuration those call (functions.py: each as the newest step defines it; one replaced by
an older body is out of date): found at open (out of date: by doctor alone), reported by
doctor, made again by its --repair, in one transaction. The memories stay untouched; each
part is made as the schema steps define it (migrations/initial.py, a trigger with its
function: a DROP FUNCTION ... CASCADE took the trigger too), and the keyword rebuild then
recomputes the rows' words and the totals."""

from memory_mcp.storage.audit import settled_keys
from memory_mcp.storage.postgres import currentkeys, functions, vectors
from memory_mcp.storage.postgres.db import Connection, scalar
from memory_mcp.storage.postgres.migrations import TARGET
from memory_mcp.storage.postgres.migrations.initial import (
    CURRENT,
    CURRENT_KEY,
    FTS_FUNCTIONS,
    FTS_INDEXES,
    FTS_TRIGGER,
    SUPERSEDED_ONCE,
    VEC_LOG,
    VEC_LOG_FUNCTION,
    VEC_LOG_TRIGGER,
)
from memory_mcp.storage.postgres.migrations.keyword_words import FTS_DOC_FUNCTION

REPAIR = (
    "The database {where} lacks parts of its schema that keep its indexes and its rules "
    "({parts}: dropped by hand?); the memories are intact. Run `memory-mcp doctor --repair` "
    "to make them again, as the schema defines them."
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
    # One current value per key (its values settled first: currentkeys.py) and a memory
    # superseded at most once (what writers decide rests on them).
    "memories_current_key": (False, [CURRENT_KEY]),
    "memories_superseded_once": (
        True,
        [functions.FUNCTIONS["memories_superseded_once"].statement, SUPERSEDED_ONCE],
    ),
}


# Every part as (name, kind, the table it belongs to): a part is looked for only while its
# table exists (the vector table is made when the model loads). The functions and the
# configuration first: --repair makes them before the triggers that call them.
# (a function, or the configuration, from the schema version that first made it: a schema
# an upgrade has yet to reach lacks the newer ones).
_LOOKED_FOR = [
    (functions.CONFIGURATION, "configuration", "memories", functions.CONFIGURATION_SINCE),
    *((f"{n}()", "function", f.owner, f.since) for n, f in functions.FUNCTIONS.items()),
    *(
        (name, "trigger" if trigger else "relation", "memories", 0)
        for name, (trigger, _) in _PARTS.items()
    ),
    ("memory_vectors_hnsw", "relation", "memory_vectors", 0),
    ("memory_vectors_log", "trigger", "memory_vectors", 0),
]

# One statement (one round trip: every write asks it, write.py): the parts the schema lacks.
# A disabled trigger (ALTER TABLE ... DISABLE TRIGGER) counts as lacking: its rows drift alike;
# so does a replica one (ENABLE REPLICA TRIGGER: 'R' fires only under session_replication_role
# = replica). 'O' (origin, the default) and 'A' (always) fire on our writes.
# Tables are looked up in pg_class, under the statement's snapshot like every other catalog
# row it reads: to_regclass() reads the catalog cache, which sees a table another replica just
# made while the snapshot does not yet see that table's trigger ("lacks memory_vectors_log"
# on a replica starting beside one making the vector table).
_MISSING = f"""
    with rel as (select c.oid, c.relname from pg_class c
                 where c.relnamespace = current_schema()::regnamespace)
    select p.name from unnest(%s::text[], %s::text[], %s::text[], %s::int[]) with ordinality
        as p (name, kind, owner, since, place)
    where exists (select 1 from rel where rel.relname = p.owner)
      and p.since <= %s
      and case p.kind
        when 'trigger' then not exists (select 1 from pg_trigger t join rel on t.tgrelid = rel.oid
            where rel.relname = p.owner and t.tgname = p.name and t.tgenabled in ('O', 'A'))
        when 'function' then not exists (select 1 from pg_proc f
            where f.proname = left(p.name, -2) and f.pronamespace = current_schema()::regnamespace)
        when 'configuration' then not {functions.CONFIGURATION_THERE}
        else not exists (select 1 from rel where rel.relname = p.name) end
    order by p.place"""


def missing(c: Connection, version: int | None = None) -> list[str]:
    """The derived parts the schema lacks (none when it has no `memories` table yet).
    `version`: the schema's, if the caller read it (a write does, under its lock)."""
    columns = [list(column) for column in zip(*_LOOKED_FOR, strict=True)]
    at = schema_version(c) if version is None else version
    return [str(r["name"]) for r in c.execute(_MISSING, [*columns, at])]


def out_of_date(c: Connection) -> list[str]:
    """The functions whose body is not their newest definition (doctor's question), as
    "name() (out of date)"."""
    return [f"{name}(){OUT_OF_DATE}" for name in functions.outdated(c, schema_version(c))]


OUT_OF_DATE = " (out of date)"


def _function(part: str) -> str:
    """The function (or configuration) a part's name names."""
    return part.removesuffix(OUT_OF_DATE).removesuffix("()")


def schema_version(c: Connection) -> int:
    """The schema's version (0: none yet, or no `memories`: nothing of it to look for)."""
    if not scalar(c, "select to_regclass('memories') is not null"):
        return 0
    return int(scalar(c, "select coalesce(max(version), 0) from schema_version"))


def restore_missing(c: Connection) -> list[str]:
    """restore, but for what is out of date: before an upgrade's steps, whose checks read
    the functions' bodies (one made newest here would pass for a step's work undone)."""
    return restore(c, out_of_date_too=False)


def restore(c: Connection, out_of_date_too: bool = True) -> list[str]:
    """Make every missing part again, and every out-of-date function, the functions first,
    inside the caller's transaction; their names. On a schema an upgrade has yet to reach,
    the functions are left to the steps (whose checks read them)."""
    gone = missing(c)
    made = [name for name in gone if not _defined(name)]  # relations and triggers
    if _at_target(c):
        defined = [name for name in gone if _defined(name)]
        stale = out_of_date(c) if out_of_date_too else []
        functions.make(c, [_function(name) for name in defined + stale])
        gone = defined + stale + made
    else:
        gone = made
    triggers = {name: owner for name, kind, owner, _ in _LOOKED_FOR if kind == "trigger"}
    for name in made:
        statements = _VECTOR_PARTS[name] if name in _VECTOR_PARTS else _PARTS[name][1]
        if name in triggers:  # a disabled one is still there: made again as defined
            c.execute(f"drop trigger if exists {name} on {triggers[name]}")
        if name == "memories_current_key":  # values a write left sharing a key meanwhile
            gone[gone.index(name)] = settled_keys(name, currentkeys.settle(c))
        for statement in statements:
            c.execute(statement)
    if {"fts_stats", "memories_fts_stats"} & set(gone):  # the totals were not kept meanwhile
        c.execute(
            f"""update fts_stats s set docs = a.docs, tokens = a.tokens
                from ({STATS_OF}) a where s.visible = a.visible"""
        )
    return gone


def _defined(name: str) -> bool:
    """Whether a part is made by functions.make (a function, the configuration)."""
    return name.endswith("()") or name == functions.CONFIGURATION


def _at_target(c: Connection) -> bool:
    """Whether the schema is at the version this code's steps end at (functions.py's)."""
    return schema_version(c) == TARGET


_VECTOR_PARTS = {
    "memory_vectors_hnsw": [vectors.HNSW_INDEX],
    "memory_vectors_log": [vectors.LOG_FUNCTION, vectors.LOG_TRIGGER],
}

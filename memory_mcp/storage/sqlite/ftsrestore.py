"""A keyword index whose parts were dropped by hand (its FTS5 table, a shadow table, its
source view, a trigger): found at open, reported by doctor, made again from `memories`.

The memories are the source of truth and stay untouched; the missing index is derived and
is rebuilt as the newest schema step defines it (keyword_schema.fts_statements with step
9's text functions and tokenizer).
"""

from collections.abc import Collection
from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import (
    FTS_INDEXES,
    KEYWORDS_FUNCTION,
    TAG_KEYWORDS_FUNCTION,
    fts_statements,
)

# The first schema version whose keyword indexes are the two of fts_statements (step 9's).
SINCE_VERSION = 9
_SHADOWS = ("data", "idx", "docsize", "config")
_TRIGGERS = ("ai", "ad", "au")
REPAIR = (
    "The database {path} lacks parts of its schema that keep its indexes and its rules "
    "({parts}: dropped by hand?); the memories are intact. Run `memory-mcp doctor --repair` "
    "to make them again, as the schema defines them."
)


def parts(index: str) -> list[tuple[str, str]]:
    """(type, name) of every schema object one keyword index consists of."""
    return [
        ("table", index),
        *(("table", f"{index}_{shadow}") for shadow in _SHADOWS),
        ("view", f"{index}_source"),
        *(("trigger", f"{index}_{trigger}") for trigger in _TRIGGERS),
    ]


def missing(c: Any) -> list[str]:
    """The names of the keyword indexes' parts the schema lacks (none on a file older than
    step 9, whose schema steps make them)."""
    if int(c.execute("pragma user_version").fetchone()[0]) < SINCE_VERSION:
        return []
    have = {(str(r[0]), str(r[1])) for r in c.execute("select type, name from sqlite_master")}
    if ("table", "memories") not in have:
        return []
    return [
        name for index, _ in FTS_INDEXES for kind, name in parts(index) if (kind, name) not in have
    ]


def restore(c: Any, stale: Collection[str] = ()) -> list[str]:
    """Make every keyword index with a missing part, or one of `stale` (out of date:
    schemaparts.py), again, whole, from `memories` (inside the caller's write transaction);
    the names of those made again."""
    gone = set(missing(c)) | set(stale)
    made = []
    for index, negate in FTS_INDEXES:
        if not gone & {name for _, name in parts(index)}:
            continue
        _drop(c, index)
        for statement in fts_statements(index, negate, _FUNCTIONS, tokenize()):
            c.execute(statement)
        c.execute(f"insert into {index} ({index}, rank) values ('secure-delete', 1)")
        made.append(index)
    return made


_FUNCTIONS = FUNCTIONS = (KEYWORDS_FUNCTION, TAG_KEYWORDS_FUNCTION)


def tokenize() -> str:
    """Step 9's tokenizer (migrations/keyword_words.py)."""
    from memory_mcp.policies.keyword_text import cluster_chars

    return f"\"porter unicode61 tokenchars '{cluster_chars()}'\""


def _drop(c: Any, index: str) -> None:
    """Drop what is left of one keyword index. FTS5 cannot drop its table without its
    config table (it reads the version there first): an empty one stands in for it."""
    exists = {str(r[0]) for r in c.execute("select name from sqlite_master")}
    for trigger in _TRIGGERS:
        c.execute(f"drop trigger if exists {index}_{trigger}")
    c.execute(f"drop view if exists {index}_source")
    if index in exists:
        if f"{index}_config" not in exists:
            c.execute(f"create table {index}_config (k primary key, v) without rowid")
            c.execute(f"insert into {index}_config (k, v) values ('version', 4)")
        c.execute(f"drop table {index}")
    for shadow in _SHADOWS:  # those the table's drop did not take with it
        c.execute(f"drop table if exists {index}_{shadow}")

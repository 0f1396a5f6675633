"""What SQLite's schema relies on besides the search indexes' tables: the index that keeps
one current value per key and the trigger that keeps a memory superseded once (step 6's,
made again as is by step 15), found missing and made again; and every view and trigger,
those of the search indexes too, compared with its newest definition, as the schema steps
make it (one list: the steps' own statements, read, never edited). One a hand or a restored
dump replaced by another body is out of date: doctor names it ("name (out of date)") and
--repair makes it again (a keyword index's part: the index whole, ftsrestore.py)."""

from typing import Any

from memory_mcp.storage.audit import settled_keys
from memory_mcp.storage.sqlite import currentkeys, vectors
from memory_mcp.storage.sqlite.keyword_schema import FTS_INDEXES, fts_statements
from memory_mcp.storage.sqlite.migrations.one_current import STATEMENTS

OUT_OF_DATE = " (out of date)"
_SINCE = 6  # the schema version that made the guards

# name -> (type, statement): what writers' decisions rest on (one current value per key,
# a memory superseded once).
CURRENT_KEY = "memories_current_key"
GUARDS = {
    CURRENT_KEY: ("index", STATEMENTS[0]),
    "memories_superseded_once": ("trigger", STATEMENTS[1]),
}


def _keyword_parts() -> dict[str, str]:
    """Each keyword index's view, table and triggers, as ftsrestore makes them."""
    from memory_mcp.storage.sqlite.ftsrestore import FUNCTIONS, tokenize

    found: dict[str, str] = {}
    for index, negate in FTS_INDEXES:
        view, _, *triggers, _ = fts_statements(index, negate, FUNCTIONS, tokenize())
        found[f"{index}_source"] = view  # (the FTS5 table: a rebuild renames it in)
        found |= dict(zip((f"{index}_{t}" for t in ("ai", "ad", "au")), triggers, strict=True))
    return found


def newest() -> dict[str, str]:
    """Every part compared: name -> its newest definition."""
    vec = dict(zip(vectors.TRIGGERS, vectors.VEC_TRIGGERS, strict=True))
    return {**{n: s for n, (_, s) in GUARDS.items()}, **_keyword_parts(), **vec}


def _same(stored: str, statement: str) -> bool:
    """Whether sqlite_master's text is this statement (SQLite keeps the text as written,
    its first words in capitals; a rename quotes the names it rewrites)."""
    return _plain(stored) == _plain(statement)


def _plain(sql: str) -> str:
    """A statement's words, lowercase, without the quotes a rename puts around names."""
    return " ".join(sql.replace('"', "").split()).lower()


def missing(c: Any) -> list[str]:
    """The guards the schema lacks (none before the step that made them)."""
    if int(c.execute("pragma user_version").fetchone()[0]) < _SINCE:
        return []
    have = {str(r[0]) for r in c.execute("select name from sqlite_master")}
    if "memories" not in have:
        return []
    return [name for name in GUARDS if name not in have]


def out_of_date(c: Any) -> list[str]:
    """The parts there whose definition is not their newest ("name (out of date)"): asked
    of a schema at the newest version only (an upgrade's steps make the older ones anew)."""
    from memory_mcp.storage.sqlite.migrations import MIGRATIONS

    if int(c.execute("pragma user_version").fetchone()[0]) != len(MIGRATIONS):
        return []
    stored = {str(r[0]): str(r[1] or "") for r in c.execute("select name, sql from sqlite_master")}
    return [
        f"{name}{OUT_OF_DATE}"
        for name, statement in newest().items()
        if name in stored and not _same(stored[name], statement)
    ]


def restore(c: Any, stale: list[str]) -> list[str]:
    """Make the missing guards again, and the out-of-date guards and vector triggers
    (`stale`, out_of_date's names; the keyword parts are ftsrestore's), inside the caller's
    transaction; the names of those made. The current-key index after settling the values
    that share a key (currentkeys.py)."""
    redo = {n: (kind, s) for n, (kind, s) in GUARDS.items()}
    redo |= {n: ("trigger", s) for n, s in zip(vectors.TRIGGERS, vectors.VEC_TRIGGERS, strict=True)}
    made = []
    for part in [*missing(c), *stale]:
        name = part.removesuffix(OUT_OF_DATE)
        if name in redo:
            kind, statement = redo[name]
            c.execute(f"drop {kind} if exists {name}")
            settled = currentkeys.settle(c) if name == CURRENT_KEY else []  # written meanwhile
            c.execute(statement)
            made.append(settled_keys(part, settled))
    return made

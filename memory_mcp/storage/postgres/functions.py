"""The functions the schema's triggers, keyword column and searches call, and the text search
configuration they read, each as the newest schema step defines it: one list, derived from
the released steps (which stay frozen: read here, never edited), that doctor checks the
schema against and its --repair makes again (restore.py). A function a hand dropped is
missing (every write then failed with the server's "function does not exist"); one whose
body is not its newest definition (replaced by an older one, by hand or by a restored
dump) is out of date: the keyword column it computes would drift from what searches look
for. A step that defines a function anew needs nothing here: its statements are read."""

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from memory_mcp.storage.postgres import vectors
from memory_mcp.storage.postgres.migrations import (
    fast_keywords,
    hebrew_prefixes,
    initial,
    keyword_words,
    numbers,
    script_forms,
    spaced,
    text_forms,
)

# Every released step that defines functions: its version and statements, in step order.
_NUMBERS = f"regexp_replace(t, '{numbers.SIGN}', ' ', 'g')"
_STEPS: list[tuple[int, list[str]]] = [
    (6, initial._INITIAL),
    (8, spaced._SPACED),
    (9, keyword_words._KEYWORDS),
    (11, [keyword_words.keywords_function("create or replace", _NUMBERS)]),
    (14, fast_keywords._FAST),
    (16, [text_forms._FOLDS]),
    (19, [script_forms._FOLDS, script_forms._STEMS, script_forms._KEYWORDS]),
    (20, [hebrew_prefixes._STEMS]),
]
_DEFINES = re.compile(r"^\s*create (?:or replace )?function (\w+)\(")


@dataclass(frozen=True)
class Function:
    owner: str  # the table it serves: looked for while that table exists
    statement: str  # its newest definition (`create or replace`)
    since: int  # the schema version that first made it: looked for from then on
    settled: int  # the version that last defined it: its body is checked from then on


def _latest() -> dict[str, Function]:
    """Every function the steps define, as the last one defines it, in the order they were
    first made: a SQL function's body is checked at creation, so what it calls comes first."""
    found: dict[str, Function] = {}
    for version, statements in _STEPS:
        for statement in statements:
            if match := _DEFINES.match(statement):
                made = re.sub(r"^(\s*)create function", r"\1create or replace function", statement)
                since = found[match[1]].since if match[1] in found else version
                found[match[1]] = Function("memories", made, since, version)
    return found


FUNCTIONS: dict[str, Function] = {
    **_latest(),
    "memory_vectors_log": Function("memory_vectors", vectors.LOG_FUNCTION, 6, 6),
}

# The text search configuration memory_fts reads (step 9): english with its stemmer, no
# stopword list. Made again whole (the dictionary, then the configuration on it).
CONFIGURATION = "memory_english"
CONFIGURATION_SINCE = 9
_CONFIGURATION_MADE = [
    "drop text search configuration if exists memory_english",
    "drop text search dictionary if exists memory_english_stem",
    *(s for s in keyword_words._KEYWORDS if "text search" in s),
]


def _body(statement: str) -> str:
    """What pg_proc.prosrc holds of a definition: the text between its dollar quotes."""
    return statement.split("$$")[1]


_DIGESTS = {
    name: hashlib.md5(_body(f.statement).encode()).hexdigest() for name, f in FUNCTIONS.items()
}

# Whether the configuration is there as step 9 made it: english's mapping, every token type
# english stems with english_stem stemmed with memory_english_stem (restore._MISSING asks).
_MAPPING = """select m.maptokentype, m.mapseqno, {dictionary} from pg_ts_config_map m
    join pg_ts_dict d on d.oid = m.mapdict where m.mapcfg = {config}"""
_ENGLISH = _MAPPING.format(
    dictionary="""case d.dictname when 'english_stem' then 'memory_english_stem'
                  else d.dictname end""",
    config="'pg_catalog.english'::regconfig",
)
_OURS = _MAPPING.format(
    dictionary="d.dictname",
    config="""(select f.oid from pg_ts_config f where f.cfgname = 'memory_english'
               and f.cfgnamespace = current_schema()::regnamespace)""",
)
CONFIGURATION_THERE = f"""not exists (
    ({_ENGLISH} except {_OURS}) union all ({_OURS} except {_ENGLISH}))"""

_DIGEST = """
    select f.name, (select md5(prosrc) from pg_proc where proname = f.name
                    and pronamespace = current_schema()::regnamespace order by oid limit 1) as d
    from unnest(%s::text[], %s::text[], %s::int[]) with ordinality
        as f (name, owner, settled, place)
    where to_regclass(f.owner) is not null
      and f.settled <= %s
    order by f.place"""


def outdated(c: Any, version: int) -> list[str]:
    """The functions there whose body is not their newest definition's (on a schema an
    upgrade has yet to reach (`version`), those its steps define again are not asked about)."""
    names = list(FUNCTIONS)
    owners = [FUNCTIONS[name].owner for name in names]
    settled = [FUNCTIONS[name].settled for name in names]
    rows = c.execute(_DIGEST, (names, owners, settled, version)).fetchall()
    return [str(r["name"]) for r in rows if r["d"] not in (None, _DIGESTS[r["name"]])]


def make(c: Any, names: list[str]) -> None:
    """Define these functions (and the configuration, if named) as the newest step does,
    inside the caller's transaction."""
    if CONFIGURATION in names:
        for statement in _CONFIGURATION_MADE:
            c.execute(statement)
    for name, function in FUNCTIONS.items():
        if name in names:
            c.execute(function.statement)

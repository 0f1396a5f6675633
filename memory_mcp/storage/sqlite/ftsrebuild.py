"""Rebuilding a keyword index without locking writers out.

The keyword index is two FTS5 tables (`memories_fts` for visible memories,
`memories_fts_hidden` for the rest), each reading its text from a view `<index>_source` and
kept up to date by its own triggers `<index>_ai/_ad/_au`. FTS5's own `rebuild` is one
transaction over the whole table (seconds on a large file, longer than a writer waits for
the lock). Instead a second index, `<index>_next`, with the same definition and the same
options (secure-delete: a purged memory's words are erased from it too), is filled in short
transactions in id order, and swapped in at the end in one more short transaction; searches
use the old index until then. Triggers that exist only while it runs keep the new index in
step with every write meanwhile, for the rows already copied (ids up to the index's mark in
`meta`); later rows are copied with their text of that moment. They read the text through
the index's view, so a row moving between the two indexes (forgotten, superseded, restored)
leaves or enters it as it does the old one. So when the swap commits, the new index holds
exactly what its view holds, and the index's own triggers (recreated as they were) take over.

A rebuild killed midway leaves the new index, its triggers and the mark; the next rebuild
carries on from the mark (the rows below it are exact: the triggers kept them so). Two
rebuilds at once share the work the same way, and the one that swaps ends the other.
"""

import re
from dataclasses import dataclass
from typing import Any

from memory_mcp.storage.sqlite.db import Connection, DatabaseError, meta_value, scalar, set_meta
from memory_mcp.storage.sqlite.fts import MIN_ID

# Options FTS5 keeps per table in `<index>_config` that a new table must carry over. The
# schema turns secure-delete on for both indexes (migrations/erasure.py); a new table starts
# with it off, so it is set even when the old table's options cannot be read.
_DEFAULT_OPTIONS = {"secure-delete": 1}
_NOT_OPTIONS = ("version",)  # FTS5's own format number, written when a table is created


@dataclass(frozen=True)
class Names:
    """The tables, view, triggers and mark of one keyword index and its rebuild."""

    index: str

    @property
    def next(self) -> str:
        return f"{self.index}_next"

    @property
    def source(self) -> str:  # the view the index reads: (id, its columns)
        return f"{self.index}_source"

    @property
    def mark(self) -> str:  # in `meta`: the highest id already copied into the new index
        return f"fts_rebuild_upto:{self.index}"

    @property
    def upto(self) -> str:
        return f"(select cast(value as integer) from meta where key = '{self.mark}')"

    def own_trigger(self, name: str) -> bool:
        """Whether `name` is one of the index's own triggers (`<index>_ai` and the like; not
        those of `<index>_next`, nor of another index whose name starts with this one)."""
        head, _, suffix = name.partition(f"{self.index}_")
        return head == "" and suffix != "" and "_" not in suffix


def definition_as(c: Connection, index: str, name: str) -> str:
    """The CREATE statement of keyword index `index`, for a table called `name` (may be
    qualified)."""
    definition = str(scalar(c, f"select sql from main.sqlite_master where name = '{index}'"))
    # The name in the CREATE statement (quoted once a rename has rewritten it).
    pattern = re.compile(
        rf"^(\s*create\s+virtual\s+table\s+)(\"?){index}\2(?=[\s(])", re.IGNORECASE
    )
    create, found = pattern.subn(rf"\g<1>{name}", definition, count=1)
    if not found:
        raise RuntimeError(f"Unexpected definition of the keyword index: {definition}")
    return create


def options(c: Connection, index: str) -> dict[str, Any]:
    """The persistent FTS5 options of `index` (secure-delete and the like)."""
    found: dict[str, Any] = dict(_DEFAULT_OPTIONS)
    try:
        rows = c.execute(f"select k, v from {index}_config").fetchall()
    except DatabaseError:  # a damaged index: what the schema sets
        return found
    found.update({str(k): v for k, v in rows if k not in _NOT_OPTIONS})
    return found


def set_options(c: Connection, index: str, values: dict[str, Any]) -> None:
    for key, value in values.items():
        c.execute(f"insert into {index} ({index}, rank) values (:k, :v)", {"k": key, "v": value})


def _columns(c: Connection, n: Names) -> str:
    return ", ".join(str(r[1]) for r in c.execute(f"pragma table_info({n.index})"))


def _exists(c: Connection, name: str) -> bool:
    return (
        c.execute("select 1 from sqlite_master where name = :n", {"n": name}).fetchone() is not None
    )


def _mark(c: Connection, n: Names) -> int | None:
    value = meta_value(c, n.mark)
    return None if value is None else int(value)


def _triggers(c: Connection, n: Names) -> list[str]:
    """CREATE statements of the triggers that keep the new index in step."""
    cols = _columns(c, n)
    nxt, upto = n.next, n.upto
    copy = f"insert into {nxt} (rowid, {cols}) select id, {cols} from {n.source} where id = "
    drop = (
        f"insert into {nxt} ({nxt}, rowid, {cols}) "
        f"select 'delete', id, {cols} from {n.source} where id = "
    )
    # Before a delete or update the view still shows the text the new index holds (none if
    # the row is not in this index); after an insert or update, the text it must hold. Every
    # column counts: the view may use any.
    return [
        f"create trigger {nxt}_ai after insert on memories when new.id <= {upto} "
        f"begin {copy}new.id; end",
        f"create trigger {nxt}_bd before delete on memories when old.id <= {upto} "
        f"begin {drop}old.id; end",
        f"create trigger {nxt}_bu before update on memories when old.id <= {upto} "
        f"begin {drop}old.id; end",
        f"create trigger {nxt}_au after update on memories when new.id <= {upto} "
        f"begin {copy}new.id; end",
    ]


def _drop_next(c: Connection, n: Names) -> None:
    _drop_next_triggers(c, n)
    c.execute(f"drop table if exists {n.next}")
    c.execute("delete from meta where key = :k", {"k": n.mark})


def start(c: Connection, index: str) -> None:
    """Create the empty new index of `index` and its triggers, or keep those an earlier
    rebuild left."""
    n = Names(index)
    if _exists(c, n.next) and _mark(c, n) is not None:
        return
    _drop_next(c, n)
    c.execute(definition_as(c, index, n.next))
    set_options(c, n.next, options(c, index))
    for statement in _triggers(c, n):
        c.execute(statement)
    set_meta(c, n.mark, str(MIN_ID))


def left_behind(c: Connection, index: str) -> tuple[int, int] | None:
    """What an unfinished rebuild of `index` left: (rows copied, rows the index holds), or
    None when none is under way."""
    n = Names(index)
    upto = _mark(c, n)
    if upto is None or not _exists(c, n.next):
        return None
    copied = scalar(c, f"select count(*) from {n.source} where id <= :u", {"u": upto})
    return int(copied), int(scalar(c, f"select count(*) from {n.source}"))


def step(c: Connection, index: str, rows: int) -> int | None:
    """Copy the next `rows` memories into the new index; how many, or None when another
    rebuild already swapped it in."""
    n = Names(index)
    upto = _mark(c, n)
    if upto is None or not _exists(c, n.next):
        return None
    last, count = c.execute(
        "select max(id), count(*) from "
        "(select id from memories where id > :u order by id limit :n)",
        {"u": upto, "n": rows},
    ).fetchone() or (None, 0)
    if not count:
        return 0
    cols = _columns(c, n)
    c.execute(
        f"insert into {n.next} (rowid, {cols}) select id, {cols} from {n.source} "
        "where id > :u and id <= :last",
        {"u": upto, "last": last},
    )
    set_meta(c, n.mark, str(last))
    return int(count)


def finish(c: Connection, index: str) -> bool:
    """Copy what is left and swap the new index in; False if another rebuild already did."""
    n = Names(index)
    upto = _mark(c, n)
    if upto is None or not _exists(c, n.next):
        return False
    cols = _columns(c, n)
    c.execute(
        f"insert into {n.next} (rowid, {cols}) select id, {cols} from {n.source} where id > :u",
        {"u": upto},
    )
    keep = [
        (str(name), str(sql))
        for name, sql in c.execute(
            "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'memories'"
        )
        if n.own_trigger(str(name))
    ]
    for name, _ in keep:
        c.execute(f"drop trigger {name}")
    _drop_next_triggers(c, n)
    c.execute(f"drop table {n.index}")
    c.execute(f"alter table {n.next} rename to {n.index}")
    for _, sql in keep:
        c.execute(sql)
    c.execute("delete from meta where key = :k", {"k": n.mark})
    return True


def _drop_next_triggers(c: Connection, n: Names) -> None:
    for suffix in ("ai", "bd", "bu", "au"):
        c.execute(f"drop trigger if exists {n.next}_{suffix}")

"""Rebuilding the keyword index without locking writers out.

FTS5's own `rebuild` is one transaction over the whole table (seconds on a large file,
longer than a writer waits for the lock). Instead a second index, `memories_fts_next`, with
the same definition, is filled in short transactions in id order, and swapped in at the end
in one more short transaction; searches use the old index until then. Triggers that exist
only while it runs keep the new index in step with every write meanwhile, for the rows
already copied (ids up to the `fts_rebuild_upto` mark in `meta`); later rows are copied with
their text of that moment. So when the swap commits, the new index holds exactly what
`memories` holds, and the index's own triggers (recreated as they were) take over.

A rebuild killed midway leaves the new index, its triggers and the mark; the next rebuild
carries on from the mark (the rows below it are exact: the triggers kept them so). Two
rebuilds at once share the work the same way, and the one that swaps ends the other.
"""

import re

from memory_mcp.storage.sqlite.db import Connection, scalar

INDEX = "memories_fts"
NEXT = "memories_fts_next"
SOURCE = "memories_fts_source"  # the view the index reads: (id, its columns)
MARK = "fts_rebuild_upto"

_UPTO = f"(select cast(value as integer) from meta where key = '{MARK}')"
_SET_MARK = """
    insert into meta (key, value) values (:k, :v) on conflict (key) do update set value = :v
"""
# The name in the index's CREATE statement (quoted once a rename has rewritten it).
_NAME = re.compile(rf"^(\s*create\s+virtual\s+table\s+)(\"?){INDEX}\2(?=[\s(])", re.IGNORECASE)


def definition_as(c: Connection, name: str) -> str:
    """The keyword index's CREATE statement, for a table called `name` (may be qualified)."""
    definition = str(scalar(c, f"select sql from main.sqlite_master where name = '{INDEX}'"))
    create, found = _NAME.subn(rf"\g<1>{name}", definition, count=1)
    if not found:
        raise RuntimeError(f"Unexpected definition of the keyword index: {definition}")
    return create


def _columns(c: Connection) -> str:
    return ", ".join(str(r[1]) for r in c.execute(f"pragma table_info({INDEX})"))


def _exists(c: Connection, name: str) -> bool:
    return (
        c.execute("select 1 from sqlite_master where name = :n", {"n": name}).fetchone() is not None
    )


def _mark(c: Connection) -> int | None:
    row = c.execute("select value from meta where key = :k", {"k": MARK}).fetchone()
    return None if row is None else int(row[0])


def _triggers(c: Connection) -> list[str]:
    """CREATE statements of the triggers that keep the new index in step."""
    cols = _columns(c)
    copy = f"insert into {NEXT} (rowid, {cols}) select id, {cols} from {SOURCE} where id = "
    drop = (
        f"insert into {NEXT} ({NEXT}, rowid, {cols}) "
        f"select 'delete', id, {cols} from {SOURCE} where id = "
    )
    # Before a delete or update the view still shows the text the new index holds; after an
    # insert or update, the text it must hold. Every column counts: the view may use any.
    return [
        f"create trigger {NEXT}_ai after insert on memories when new.id <= {_UPTO} "
        f"begin {copy}new.id; end",
        f"create trigger {NEXT}_bd before delete on memories when old.id <= {_UPTO} "
        f"begin {drop}old.id; end",
        f"create trigger {NEXT}_bu before update on memories when old.id <= {_UPTO} "
        f"begin {drop}old.id; end",
        f"create trigger {NEXT}_au after update on memories when new.id <= {_UPTO} "
        f"begin {copy}new.id; end",
    ]


def _drop_next(c: Connection) -> None:
    _drop_next_triggers(c)
    c.execute(f"drop table if exists {NEXT}")
    c.execute("delete from meta where key = :k", {"k": MARK})


def start(c: Connection) -> None:
    """Create the empty new index and its triggers, or keep those an earlier rebuild left."""
    if _exists(c, NEXT) and _mark(c) is not None:
        return
    _drop_next(c)
    c.execute(definition_as(c, NEXT))
    for statement in _triggers(c):
        c.execute(statement)
    c.execute(_SET_MARK, {"k": MARK, "v": str(-(2**63))})


def step(c: Connection, rows: int) -> int | None:
    """Copy the next `rows` memories into the new index; how many, or None when another
    rebuild already swapped it in."""
    upto = _mark(c)
    if upto is None or not _exists(c, NEXT):
        return None
    last, count = c.execute(
        "select max(id), count(*) from "
        "(select id from memories where id > :u order by id limit :n)",
        {"u": upto, "n": rows},
    ).fetchone() or (None, 0)
    if not count:
        return 0
    cols = _columns(c)
    c.execute(
        f"insert into {NEXT} (rowid, {cols}) select id, {cols} from {SOURCE} "
        "where id > :u and id <= :last",
        {"u": upto, "last": last},
    )
    c.execute(_SET_MARK, {"k": MARK, "v": str(last)})
    return int(count)


def finish(c: Connection) -> bool:
    """Copy what is left and swap the new index in; False if another rebuild already did."""
    upto = _mark(c)
    if upto is None or not _exists(c, NEXT):
        return False
    cols = _columns(c)
    c.execute(
        f"insert into {NEXT} (rowid, {cols}) select id, {cols} from {SOURCE} where id > :u",
        {"u": upto},
    )
    keep = c.execute(
        "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'memories' "
        f"and name like '{INDEX}\\_%' escape '\\' and name not like '{NEXT}\\_%' escape '\\'"
    ).fetchall()
    for name, _ in keep:
        c.execute(f"drop trigger {name}")
    _drop_next_triggers(c)
    c.execute(f"drop table {INDEX}")
    c.execute(f"alter table {NEXT} rename to {INDEX}")
    for _, sql in keep:
        c.execute(sql)
    c.execute("delete from meta where key = :k", {"k": MARK})
    return True


def _drop_next_triggers(c: Connection) -> None:
    for suffix in ("ai", "bd", "bu", "au"):
        c.execute(f"drop trigger if exists {NEXT}_{suffix}")

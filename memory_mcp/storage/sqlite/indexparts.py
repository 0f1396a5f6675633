"""The search indexes' parts a hand dropped, both kinds: the keyword indexes'
(ftsrestore.py) and the vector index's (vectors.py), and the guards writers rely on and
the parts out of date (schemaparts.py), found and made again together."""

from memory_mcp.storage.sqlite import ftsrestore, schemaparts, vectors
from memory_mcp.storage.sqlite.db import Connection


def missing(c: Connection) -> list[str]:
    """The parts the schema lacks (at open and before a write: refused)."""
    return ftsrestore.missing(c) + vectors.missing_parts(c) + schemaparts.missing(c)


def doctor_finds(c: Connection) -> list[str]:
    """What doctor names: the missing parts, and those out of date."""
    return missing(c) + schemaparts.out_of_date(c)


def restore_missing(c: Connection) -> list[str]:
    """restore, but for what is out of date: before an upgrade's steps (which make the
    parts as they define them)."""
    return restore(c, out_of_date_too=False)


def restore(c: Connection, out_of_date_too: bool = True) -> list[str]:
    """Make the missing and out-of-date parts again (ftsrestore.restore,
    vectors.restore_parts, schemaparts.restore) inside the caller's write transaction; the
    parts' names."""
    gone = missing(c)
    stale = schemaparts.out_of_date(c) if out_of_date_too else []
    bare = [name.removesuffix(schemaparts.OUT_OF_DATE) for name in stale]
    ftsrestore.restore(c, bare)
    vectors.restore_parts(c)
    said = {m.partition(" (first ")[0]: m for m in schemaparts.restore(c, stale)}
    return [said.get(name, name) for name in gone + stale]  # what settling the keys did

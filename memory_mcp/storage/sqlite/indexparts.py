"""The search indexes' parts a hand dropped, both kinds: the keyword indexes'
(ftsrestore.py) and the vector index's (vectors.py), found and made again together."""

from memory_mcp.storage.sqlite import ftsrestore, vectors
from memory_mcp.storage.sqlite.db import Connection


def missing(c: Connection) -> list[str]:
    """The parts both search indexes lack."""
    return ftsrestore.missing(c) + vectors.missing_parts(c)


def restore(c: Connection) -> list[str]:
    """Make both search indexes' missing parts again (ftsrestore.restore,
    vectors.restore_parts) inside the caller's write transaction; the parts' names."""
    gone = missing(c)
    ftsrestore.restore(c)
    vectors.restore_parts(c)
    return gone

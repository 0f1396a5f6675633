"""Folding the FTS5 segments a bulk write leaves, in short transactions of their own.

Each transaction that writes to an FTS5 table adds a segment to it, and FTS5's automerge
folds them level by level (four of a level into one of the next), so a bulk write of many
batches leaves several segments per level, and a search looks each of its terms up in every
one (at 20,000 memories written 512 at a time: 10 segments). After a bulk write of at least
MIN_ROWS rows and at least 1/SHARE of an index's rows, that index is merged into one
segment: FTS5's ('merge', -MERGE_PAGES), a step a transaction, until a step finds nothing to
do. A merge rewrites the whole index, so its cost stays within SHARE times what the write
added, whatever the size of the index, and other writers wait for at most one step.
"""

from memory_mcp.storage.sqlite.db import Connection, scalar

MIN_ROWS = 256  # a write smaller than this leaves its segments to FTS5's automerge
SHARE = 8  # merge when the write added at least 1/SHARE of the index's rows
MERGE_PAGES = 500  # leaf pages one step writes (about 10 ms)


def segments(c: Connection, index: str) -> int:
    """The index's segments (its %_idx table has a row per leaf page of each)."""
    return int(scalar(c, f"select count(distinct segid) from {index}_idx"))


def due(c: Connection, index: str, written: int) -> int:
    """How many merge steps at most, when `written` rows warrant merging `index`; else 0.
    (Steps: its leaf pages over MERGE_PAGES, and one more to find that none is left.)"""
    if written < MIN_ROWS:
        return 0
    row = c.execute(f"select count(distinct segid), count(*) from {index}_idx").fetchone()
    assert row is not None  # an aggregate's one row
    segs, pages = row
    if segs < 2 or written * SHARE < int(scalar(c, f"select count(*) from {index}_docsize")):
        return 0
    return int(pages) // MERGE_PAGES + 2


def step(c: Connection, index: str) -> bool:
    """One bounded merge step; whether it did any work (FTS5 then counts 2 changes or more)."""
    before = c.total_changes
    c.execute(f"insert into {index} ({index}, rank) values ('merge', :n)", {"n": -MERGE_PAGES})
    return c.total_changes - before >= 2

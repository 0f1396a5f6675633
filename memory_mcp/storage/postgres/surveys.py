"""The keyword survey a recall needs twice, read once.

A recall ranks with search_keywords and then weighs the keyword leg with keyword_statistics
(policies/fusion.py); both need the same survey of the visible index (bm25.survey: the
query's lexemes, their capped document counts, N), a round trip each. The SQLite side keeps
its counts until the database changes (sqlite/termcounts.py); PostgreSQL has no cheap signal
of that, so nothing is kept across recalls: the survey search_keywords read is handed, once,
to the keyword_statistics call for the same words that follows it on the same thread within
KEEP_S with no write by this store committed in between, and dropped otherwise.
"""

import threading
import time

Survey = tuple[list[str], list[int], int, int]  # (lexemes, their counts, N, total tokens)
Key = tuple[tuple[str, ...], int]  # (query words and chunks, count cap)

KEEP_S = 1.0  # far longer than a recall takes between its two calls


class Surveys:
    def __init__(self) -> None:
        self._local = threading.local()
        self._writes = 0  # this store's committed (or failed) writes, any thread's

    def changed(self) -> None:
        """A write of this store ended: every survey kept before it is dropped."""
        self._writes += 1

    def keep(self, key: Key, survey: Survey) -> None:
        """Called after the survey is read: a write that ended before is counted already."""
        self._local.last = (key, time.monotonic(), self._writes, survey)

    def take(self, key: Key) -> Survey | None:
        """The survey kept for `key` on this thread, if fresh; it is given out only once."""
        last = getattr(self._local, "last", None)
        self._local.last = None
        if last is None or last[0] != key or last[2] != self._writes:
            return None
        return None if time.monotonic() - last[1] > KEEP_S else last[3]

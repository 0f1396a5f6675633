"""The permanent part of MemoryService's feature list, for the CLI and the web UI only:
purge (deleting memories for good) and scrub (erasing a string from them and their history).
MemoryService inherits it; each method hands over to the lifecycle part (lifecycle.py)."""

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from memory_mcp.service.acting import ActingAs


class Erasing(ActingAs):
    def purge_candidates(self, ids: Sequence[int], expired: bool = False) -> list[int]:
        """The ids a purge would delete: those given, plus every expired one if asked."""
        return self._lifecycle.purge_candidates(ids, expired)

    def purge(
        self,
        ids: Sequence[int],
        client: str | None = None,
        unchanged_since: Mapping[int, datetime] | None = None,
        expired: bool = False,
        listed: Collection[int] | None = None,
    ) -> list[int]:
        """Permanent deletion, by a person (CLI, web UI; no tool purges): history keeps a record.
        `unchanged_since`: per id, the `changed_at` the person confirming saw; one changed
        or deleted since deletes none (Changed), checked inside the write. `expired`
        (purge --expired): what the purge brings back already expired goes too, as
        purge_expired's chain does. `listed`: every memory the confirmation listed
        (purge_preview's); a purge that would delete another deletes none (Changed)."""
        return self._lifecycle.purge(ids, client, unchanged_since, expired, listed)

    def purge_preview(self, ids: Sequence[int], expired: bool = False) -> list[int]:
        """What purge(ids, expired=expired) would delete now, the chains behind the expired
        memories too (each brought back already expired goes with them): what a confirmation
        lists. A rehearsal in a transaction rolled back; nothing is changed."""
        return self._lifecycle.purge(ids, expired=expired, rehearse=True)

    def purge_expired(self, client: str | None = None) -> list[int]:
        """Permanently delete memories whose expiry has passed, and those their purge brings
        back already expired (a chain of expired values), in one transaction."""
        return self._lifecycle.purge_expired(client)

    def scrub(
        self, ids: Sequence[int], text: str, client: str | None = None
    ) -> dict[int, tuple[bool, int]]:
        """Erase a string (a secret) from memories and their history: per id, (memory
        changed, history entries changed). For the CLI only, like purge."""
        return self._lifecycle.scrub(ids, text, client)

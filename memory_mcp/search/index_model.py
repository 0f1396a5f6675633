"""Whether the stored vectors are still of this process's model.

Another process's `reindex` with another model starts a new generation of the vector index
(vec_log's generation). A running server notices it here and stops comparing its model's
vectors with the other's (the store keeps its vectors out of that index); a reindex back to
its model makes them its own again. The in-memory copy reads each new generation at once,
for free; a search without it asks the store at most every CHECK_EVERY_S.
"""

import time

from memory_mcp.storage.contract import Storage

CHECK_EVERY_S = 10.0

Model = tuple[str, int]  # (name, dimension)


class IndexModel:
    def __init__(self, store: Storage, ours: Model) -> None:
        self.store, self.ours = store, ours
        self._checked: int | None = None  # the generation last looked at
        self._at = 0.0
        self._theirs: Model | None = None

    def foreign(self, generation: int | None = None) -> Model | None:
        """The index's (model, dim) when it is another model's than ours, else None.
        `generation`: the index's, just read (else read here, if the last check is old)."""
        if generation is None:
            if self._checked is not None and time.monotonic() - self._at < CHECK_EVERY_S:
                return self._theirs
            generation = self.store.vector_log_head()[0]
        self._at = time.monotonic()
        if generation != self._checked:
            info = self.store.vector_index_info()
            self._checked = generation
            self._theirs = None if info is None or info == self.ours else info
        return self._theirs

    def reason(self, theirs: Model) -> str:
        return (
            f"another process re-embedded this database with {theirs[0]} ({theirs[1]}-d) "
            f"while this one runs {self.ours[0]} ({self.ours[1]}-d): restart it with "
            f"MEMORY_MCP_MODEL={theirs[0]}, or run `memory-mcp reindex` with {self.ours[0]}. "
            "What it stores meanwhile is embedded by a server running the database's model, "
            "or the next command or server start with it."
        )

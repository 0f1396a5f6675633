"""A memory's later values, for people looking by hand (CLI `show`, the web UI's memory
page), and making one of them its replacement in one step.

remember names, as `similar`, the current memories a new text may update, and recall marks
a hit with `newer`; nothing is superseded on a guess. Here the same rules run the other way
round, for a memory already stored: which later current memories of its scope may update
it (policies/updates.py: standing statements, close in meaning, or closer than the lower bar
when the later text says it changes something, about one person or subject, not a mere
rewording), read from the semantic index as remember's search reads it, and
`replace_with`, which makes one of them its replacement: `remember(TEXT, replaces=ID)`
with a stored text is not that (it counts a repeat, re-embeds the text and sets the
repeat's expiry and kind), so the store does it (MemoryWrites.replace_with).
"""

from typing import TYPE_CHECKING

from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.policies import inputs
from memory_mcp.policies.dedup import is_near_duplicate
from memory_mcp.policies.updates import CHANGE_SIMILAR_COSINE, may_list, standing
from memory_mcp.remembered import LaterMemories, Similar
from memory_mcp.service import grants, masking
from memory_mcp.service.context import Part

if TYPE_CHECKING:
    import numpy as np

# Nearest neighbours weighed: earlier memories and rewordings are among them too.
LATER_CANDIDATES = 12
NOT_NOW = "{why} Later memories that may update it are found by meaning: none are shown now."
UNEMBEDDED = (
    "Memory {id} has no embedding yet (the model was not ready when it was stored): "
    "later values are found by meaning once it has one."
)


class Later(Part):
    def later_memories(self, memory_id: int) -> LaterMemories:
        """The later current memories of `memory_id`'s scope that may update it, closest
        first, at most SIMILAR_SHOWN; none for a memory that is no standing statement, or is
        forgotten or superseded (`note` says why when semantic search cannot say). Read by
        meaning only when its scope holds a memory stored since (one count: a lone or
        newest memory is shown without vectors, numpy or the model)."""
        inputs.check_id_values([memory_id])
        memory = grants.require_readable(self.ctx, [memory_id])[0]
        # a stored scope as stored (one written before today's name rules still is one)
        since = MemoryFilter.model_construct(
            scopes=[memory.scope], since=memory.created_at, time_field="recorded"
        )
        if memory.forgotten_at or not standing(memory) or self.store.count(since) < 2:
            return LaterMemories(id=memory_id)  # (the count: itself, and any stored since)
        semantic = self.semantic
        if semantic.state == "idle":  # a CLI command: load the model now
            semantic.ensure(backlog=False)
        if not semantic.ready:
            return LaterMemories(id=memory_id, note=NOT_NOW.format(why=semantic.note or ""))
        vector = semantic.copy.vectors([memory_id]).get(memory_id)
        if vector is None:
            return LaterMemories(id=memory_id, note=UNEMBEDDED.format(id=memory_id))
        return LaterMemories(id=memory_id, later=self._nearest_later(memory, vector))

    def _nearest_later(self, memory: Memory, vector: "np.ndarray") -> list["Similar"]:
        from memory_mcp.service.rewordings import SIMILAR_SHOWN, as_similar

        flt = MemoryFilter.model_construct(scopes=[memory.scope])
        near = self.semantic.search(
            vector, flt, LATER_CANDIDATES, near_only=True, floor=CHANGE_SIMILAR_COSINE
        )
        close = {i: cosine for i, cosine in near if i != memory.id}
        rows = {m.id: m for m in self.store.get_many(list(close), with_embedded=False)}
        later = [
            rows[i]
            for i, cosine in close.items()  # best first
            if i in rows and self._may_update(memory, rows[i], cosine)
        ]
        shown = masking.memories(self.ctx, grants.readable(self.ctx, later[:SIMILAR_SHOWN]))
        return [as_similar(m) for m in shown]

    def _may_update(self, memory: Memory, other: Memory, cosine: float) -> bool:
        """`other`, stated after `memory`, may hold a newer value of it (look_near's rules
        with the roles reversed): not a rewording, which would have been merged."""
        return (
            (other.created_at, other.id) > (memory.created_at, memory.id)
            and standing(other)
            and may_list(memory.content, other.content, cosine)
            and not is_near_duplicate(
                memory.content, other.content, cosine, self.settings.near_duplicate
            )
        )

    def replace_with(self, old_id: int, new_id: int, client: str | None = None) -> Memory:
        """Make stored `new_id` the replacement of `old_id` (MemoryWrites.replace_with): the
        old memory as it is now, superseded by the new (restore undoes it)."""
        inputs.check_id_values([old_id, new_id])
        grants.require_writable(self.ctx, [old_id, new_id])
        self.store.replace_with(old_id, new_id, client)
        return masking.memories(self.ctx, [self.store.get(old_id)])[0]

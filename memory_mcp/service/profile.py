"""The profile: every current keyed fact (`user.*`, `project.*`, any key) grouped by prefix,
with when it was last set and how often it changed; superseded values only when asked.

Keys a session's episode holds (`session.<id>`, service/capture.py) are bookkeeping, not
beliefs about the user or the project, and are left out.
"""

from datetime import datetime

from pydantic import BaseModel, Field

from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.policies import inputs
from memory_mcp.service import grants, masking
from memory_mcp.service.context import ALL_SCOPES, Part

EPISODE_PREFIX = "session."
NO_PREFIX = "other"
MAX_KEYED = 2_000


class ProfileEntry(BaseModel):
    key: str
    value: str
    id: int
    scope: str
    set_at: datetime = Field(description="When the current value was stored.")
    changes: int = Field(0, description="How many times the value was replaced.")
    previous: list[str] = Field(
        default_factory=list, description="Earlier values, newest first (with superseded)."
    )


class Profile(BaseModel):
    scopes: list[str] = Field(description="The scopes read (empty: every scope).")
    groups: dict[str, list[ProfileEntry]] = Field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(entries) for entries in self.groups.values())


class Profiler(Part):
    def profile(
        self, scope: str | None = None, project: str | None = None, superseded: bool = False
    ) -> Profile:
        """Keyed facts of a scope (`*`: all), or of the project in context and global."""
        inputs.check_scope(scope)
        project_scope = self.ctx.project_scope(project)
        if scope is not None:
            scopes = [] if scope.strip() == ALL_SCOPES else [scope]
        elif project_scope is not None:
            scopes = [project_scope, self.settings.default_scope]
        else:
            scopes = []
        flt = grants.restrict(self.ctx, MemoryFilter(scopes=scopes, include_superseded=True))
        rows = [] if flt is None else self.store.keyed(flt, limit=MAX_KEYED)
        return Profile(scopes=scopes, groups=_groups(self._shown(rows), superseded))

    def _shown(self, rows: list[Memory]) -> list[Memory]:
        """The rows with a saved summary's text as the caller is shown it (masking.py): a
        summary given a key by hand is a profile value like any other. Only the text: which
        value is current is the store's to say."""
        texts = {
            m.id: m.content
            for m in masking.memories(self.ctx, [r for r in rows if r.kind == masking.SUMMARY])
        }
        return [r.model_copy(update={"content": texts[r.id]}) if r.id in texts else r for r in rows]


def _groups(rows: list[Memory], superseded: bool) -> dict[str, list[ProfileEntry]]:
    by_key: dict[tuple[str, str], list[Memory]] = {}
    for memory in rows:  # by key, newest first
        if memory.key and not memory.key.startswith(EPISODE_PREFIX):
            by_key.setdefault((memory.scope, memory.key), []).append(memory)
    groups: dict[str, list[ProfileEntry]] = {}
    for (scope, key), values in sorted(by_key.items(), key=lambda kv: kv[0][1]):
        current = [m for m in values if m.superseded_by is None]
        if not current:
            continue  # forgotten, or only old values
        now = current[0]
        older = [m.content for m in values if m.id != now.id]
        entry = ProfileEntry(
            key=key, value=now.content, id=now.id, scope=scope, set_at=now.created_at,
            changes=len(older), previous=older if superseded else [],
        )  # fmt: skip
        prefix = key.split(".", 1)[0] if "." in key else NO_PREFIX
        groups.setdefault(prefix, []).append(entry)
    return groups

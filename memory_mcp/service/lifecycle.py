"""A memory after it is stored: reading, editing, moving, forgetting, restoring, purging."""

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from memory_mcp.errors import Changed, Forbidden, InvalidInput, NotFound
from memory_mcp.models import (
    EditResult,
    ForgetResult,
    HistoryEntry,
    Memory,
    MemoryFilter,
    NewMemory,
    RestoreResult,
)
from memory_mcp.policies import inputs
from memory_mcp.policies.keys import key_form
from memory_mcp.policies.redact import redact, redact_fields
from memory_mcp.policies.times import parse_time
from memory_mcp.service import grants, masking
from memory_mcp.service.context import (
    Context,
    Part,
    check_content_left,
    named_then,
    validated,
)
from memory_mcp.timestamps import format_time, minute_text

# Shorter text is too likely to occur by chance (in other words, dates, ids) to replace blindly.
MIN_SCRUB_CHARS = 4
MAX_FOLDS_SHOWN = 100  # copies a restore names as merged into it (all are in its history)


@contextmanager
def all_or_nothing(ids: Sequence[int]) -> Iterator[None]:
    """A write to several memories that fails for one of them changes none: its error says
    so, or the caller is left to wonder about the others (`forget 1 99999`)."""
    try:
        yield
    except (NotFound, Forbidden) as exc:
        if len(set(ids)) < 2:
            raise
        raise type(exc)(f"{str(exc).rstrip('.')}; nothing was changed.") from exc


class Lifecycle(Part):
    def get(self, memory_id: int) -> Memory:
        """The memory as the caller is shown it (masking.py)."""
        return masking.memories(self.ctx, [self._get(memory_id)])[0]

    def _get(self, memory_id: int) -> Memory:
        """The memory as stored; NotFound unless the caller may read it."""
        inputs.check_id_values([memory_id])
        try:
            memory = self.store.get(memory_id)
        except NotFound:
            memory = None
        if memory is None or not self.ctx.access.can_read(memory.scope):
            raise grants.not_found(self.ctx, [memory_id])  # where a merged id went, if anywhere
        return memory

    def get_many(self, ids: Sequence[int]) -> list[Memory]:
        inputs.check_id_values(ids)
        found = self.store.get_many(list(ids), with_embedded=False)
        return masking.memories(self.ctx, grants.readable(self.ctx, found))

    def list_memories(
        self,
        flt: MemoryFilter | None = None,
        limit: int | None = 50,
        offset: int = 0,
        after: tuple[datetime, int] | None = None,
        newest_first: bool = True,
    ) -> list[Memory]:
        if limit is not None and limit < 1:
            raise InvalidInput(f"limit must be at least 1, not {limit}.")
        if offset < 0:
            raise InvalidInput(f"offset must be 0 or more, not {offset}.")
        allowed = grants.restrict(self.ctx, flt or MemoryFilter())
        # No database holds more memories than its largest id: an offset past that is past
        # every memory, a limit past it takes them all (neither is an SQL integer).
        if allowed is None or offset > inputs.MAX_ID:
            return []
        limit = None if limit is None else min(limit, inputs.MAX_ID)
        found = self.store.find(
            allowed, limit=limit, offset=offset, newest_first=newest_first, after=after
        )
        return named_then(self.store, masking.memories(self.ctx, found), allowed.as_of)

    def count(
        self,
        flt: MemoryFilter | None = None,
        before: tuple[datetime, int] | None = None,
        newest_first: bool = True,
    ) -> int:
        allowed = grants.restrict(self.ctx, flt or MemoryFilter())
        if allowed is None:
            return 0
        return self.store.count(allowed, before=before, newest_first=newest_first)

    def update(
        self,
        memory_id: int,
        content: str | None = None,
        kind: str | None = None,
        tags: list[str] | None = None,
        scope: str | None = None,
        metadata: dict[str, Any] | None = None,
        client: str | None = None,
        context: str | None = None,
        *,
        key: str | None = None,
        occurred_at: str | datetime | None = None,
        expires_at: str | datetime | None = None,
        fold: bool = True,
        unchanged_since: datetime | None = None,
    ) -> EditResult:
        """Sizes are checked on what was sent, then every text sent is redacted, as remember
        does, before anything is compared, embedded or written to history. An empty key,
        occurred_at or expires_at clears it; None leaves it as it is. The other current
        copies of the text it then says in its scope fold into it (`fold`: a batch of
        edits, a Markdown import, folds them at its end). `unchanged_since`: the
        `changed_at` of the memory the edit was made on; checked again inside the write."""
        inputs.check_text(content=content, kind=kind, tags=tags, scope=scope, context=context)
        inputs.check_scope(scope)
        self.check_sizes(content, context, metadata)
        inputs.check_id_values([memory_id])
        from memory_mcp.service.writing import clean_key  # (reading never imports writing)

        new_key = clean_key(key) if key and key.strip() else None
        sent = {"content": content, "tags": tags, "scope": scope, "metadata": metadata,
                "context": context, "key": new_key}  # fmt: skip
        cleaned = redact_fields(**{k: v for k, v in sent.items() if v is not None})
        edit = cleaned.fields
        slots = _slots(key, occurred_at, expires_at, edit.get("key") and key_form(edit["key"]))
        if content is not None:
            check_content_left(edit["content"], content)
        seen = {memory_id: unchanged_since} if unchanged_since is not None else {}
        self._refuse_unwritable([memory_id])
        self._check_unchanged(seen)
        current = self._get(memory_id)
        grants.check_write(self.ctx, current.scope)
        merged = validated(
            NewMemory,
            content=edit.get("content", current.content),
            kind=current.kind if kind is None else kind,
            tags=edit.get("tags", current.tags),
            scope=edit.get("scope"),  # a new one is checked; the current one stays as stored
            metadata=edit.get("metadata", current.metadata),
            context=edit.get("context", current.context),
        )
        if merged.scope is None:  # an older version's name (`team/*`) stays editable
            merged = merged.model_copy(update={"scope": current.scope})
        else:
            grants.check_write(self.ctx, merged.scope)  # a move needs write on both
        with self._refused_if_changed():
            memory = self._apply(memory_id, current, merged, client, slots, fold, unchanged_since)
        shown = masking.memories(self.ctx, [memory])[0]
        return EditResult(**shown.model_dump(), redacted=list(cleaned.redacted))

    def _apply(
        self,
        memory_id: int,
        current: Memory,
        merged: NewMemory,
        client: str | None,
        slots: dict[str, Any] | None = None,
        fold: bool = True,
        unchanged_since: datetime | None = None,
    ) -> Memory:
        """Write only the fields that differ; new content gets a new vector (or none yet). The
        memory holding it after: another when it folded into a correction saying the same."""
        fields = {
            key: value
            for key, value in (merged.model_dump() | (slots or {})).items()
            if value != getattr(current, key)
        }
        for name in ("occurred_at", "expires_at"):  # the store takes times as text
            if fields.get(name) is not None:
                fields[name] = format_time(fields[name])
        if not fields:
            return current
        text_changed = "content" in fields
        vectors = self.semantic.embed_documents([merged.content]) if text_changed else None
        memory_id = self.store.update(
            memory_id,
            fields,
            vector=None if vectors is None else vectors[0],
            drop_vector=text_changed and vectors is None,
            client=client,
            fold=fold,
            unchanged_since=unchanged_since,
        )
        return self.store.get(memory_id)

    def move(self, ids: Sequence[int], scope: str, client: str | None = None) -> list[EditResult]:
        """One transaction: one unknown id, or one the caller may not change, moves none."""
        inputs.check_text(scope=scope)
        inputs.check_scope(scope)
        cleaned = redact_fields(scope=scope)
        target = validated(NewMemory, content="-", scope=cleaned.fields["scope"]).scope
        assert target is not None
        with all_or_nothing(ids):
            inputs.check_id_values(ids)
            self._check_writable(ids)  # the owner's: store.move checks them in its transaction
            grants.check_write(self.ctx, target)
            self.store.move(ids, target, client)
        # one moved where a correction says the same was merged into it: that one answers
        wanted = list(dict.fromkeys(ids))
        there = {m.id for m in self.store.get_many(wanted, with_embedded=False)}
        went = [grants.merged_into(self.ctx, i) if i not in there else i for i in wanted]
        shown = list(dict.fromkeys(i for i in went if i is not None))
        moved = masking.memories(self.ctx, self.store.get_many(shown))
        return [EditResult(**m.model_dump(), redacted=list(cleaned.redacted)) for m in moved]

    def forget(
        self, ids: Sequence[int], reason: str | None = None, client: str | None = None
    ) -> ForgetResult:
        if not ids:
            raise InvalidInput("ids must name at least one memory to forget.")
        ids = inputs.check_ids(ids, self.settings.max_ids)
        inputs.check_text(reason=reason)
        inputs.check_length("reason", reason, inputs.MAX_REASON_CHARS)
        reason = None if reason is None else redact(reason).text  # the history keeps it
        with all_or_nothing(ids):
            self._check_writable(ids)
            forgotten, already = self.store.set_forgotten(ids, reason, client)
        return ForgetResult(
            forgotten=forgotten,
            already_forgotten=already,
            reason=reason,
            at=datetime.now(UTC),
            undo=f"memory-mcp restore {' '.join(map(str, forgotten or already))}",
        )

    def restore(self, ids: Sequence[int], client: str | None = None,
                replaced: bool = True) -> RestoreResult:  # fmt: skip
        if not ids:
            raise InvalidInput("Name at least one memory id to restore.")
        ids = inputs.check_ids(ids, self.settings.max_ids)
        with all_or_nothing(ids):
            self._check_writable(ids)
            done = self.store.restore(ids, client, replaced)
        return RestoreResult(
            memories=masking.memories(self.ctx, self.store.get_many(list(ids))),
            restored=done.restored, not_forgotten=done.not_forgotten,
            # as the restore's transaction decided; more than we show: the history has them
            merged={i: m for i, m in done.merged.items() if len(m) <= MAX_FOLDS_SHOWN},
            folded_into=done.folded_into,
        )  # fmt: skip

    def purge_candidates(self, ids: Sequence[int], expired: bool = False) -> list[int]:
        inputs.check_id_values(ids)
        with all_or_nothing(ids):
            grants.require_writable(self.ctx, ids)  # before the CLI asks to confirm
        return list(ids) + (self._expired() if expired else [])

    def purge(
        self,
        ids: Sequence[int],
        client: str | None = None,
        unchanged_since: Mapping[int, datetime] | None = None,
        expired: bool = False,
        listed: Collection[int] | None = None,
        rehearse: bool = False,
    ) -> list[int]:
        inputs.check_id_values(ids)
        with all_or_nothing(ids), self._refused_if_changed():
            self._refuse_unwritable(ids)
            self._check_unchanged(unchanged_since or {})
            self._check_writable(ids)
            follow = _writable_scope(self.ctx) if expired else None
            since = unchanged_since  # (the store's arguments in its order: one line)
            return self.store.purge(ids, client, "purge", since, follow, listed, rehearse)

    def _refuse_unwritable(self, ids: Sequence[int]) -> None:
        """Rights before "changed since": a principal who may only read a memory is told so
        at once, not first that it changed and then, on the retry, that it may not. Ids it
        cannot read, or that are gone, are left to the checks after (NotFound, Changed)."""
        if self.ctx.access.unrestricted:
            return
        for memory in grants.readable(self.ctx, self.store.get_many(ids, with_embedded=False)):
            grants.check_write(self.ctx, memory.scope)

    def _check_unchanged(self, seen: Mapping[int, datetime]) -> None:
        """Before the work (embedding) a stale view would waste; the write checks again."""
        found = self.store.get_many(list(seen), with_embedded=False)
        now = {m.id: m.changed_at for m in grants.readable(self.ctx, found)}
        for memory_id, since in seen.items():
            if now.get(memory_id) != since:
                raise self._changed(memory_id)

    @contextmanager
    def _refused_if_changed(self) -> Iterator[None]:
        """The store's Changed, told with what the history says of the change."""
        try:
            yield
        except Changed as exc:
            raise self._changed(exc.memory_id) from None

    def _changed(self, memory_id: int) -> Changed:
        """A write refused because the memory changed since the caller read it: when, how
        and by which client, if its history says (as this caller may read it), and what to do."""
        scopes = grants.readable_scopes(self.ctx)
        last = masking.entries(self.ctx, self.store.history(memory_id, 1, scopes=scopes))
        # one the caller may not read now reads as gone, as one purged (never "changed")
        gone = not grants.readable(self.ctx, self.store.get_many([memory_id], with_embedded=False))
        how = ""
        if last:
            by = last[0].principal or last[0].client or "an unnamed client"
            at = minute_text(last[0].at.astimezone(UTC), seconds=True)
            how = f" (last: {last[0].action} by {by} at {at} UTC)"
        return Changed(
            f"Memory #{memory_id} {'was deleted' if gone else 'changed'} since it was opened"
            f"{how}; nothing was written. See what changed (memory-mcp history {memory_id}, "
            "or its page), then make your change on the version there is now.",
            memory_id,
        )

    def purge_expired(self, client: str | None = None) -> list[int]:
        """Every expired memory the caller may delete, and what their purge brings back
        already expired (a chain of expired values), in one transaction."""
        follow = _writable_scope(self.ctx)
        return self.store.purge(self._expired(), client, action="expire", follow=follow)

    def _expired(self) -> list[int]:
        """Expired memories the caller may delete."""
        ids = self.store.expired_ids()
        if self.ctx.access.unrestricted:
            return ids
        found = self.store.get_many(ids, with_embedded=False)
        return [m.id for m in found if self.ctx.access.can_write(m.scope)]

    def _check_writable(self, ids: Sequence[int]) -> None:
        """Every id exists (else NotFound, naming where a merged one went); for a principal,
        is readable and writable too. The write decides again in its transaction."""
        if not self.ctx.access.unrestricted:
            grants.require_writable(self.ctx, ids)
        else:
            grants.require_readable(self.ctx, ids)

    def scrub(
        self, ids: Sequence[int], text: str, client: str | None = None
    ) -> dict[int, tuple[bool, int]]:
        """Remove `text` from memories and their history (it becomes [scrubbed]): per id,
        (the memory itself changed, history entries changed). New content is re-embedded."""
        if not ids:
            raise InvalidInput("Name at least one memory id to scrub.")
        ids = inputs.check_ids(ids, self.settings.max_ids)
        if len(text.strip()) < MIN_SCRUB_CHARS:
            raise InvalidInput(
                f"The text to scrub must have at least {MIN_SCRUB_CHARS} characters besides "
                "spaces: every occurrence is replaced, so a shorter one would hit unrelated text."
            )
        with all_or_nothing(ids):
            self._check_writable(ids)
            result = self.store.scrub(ids, text, client)
        if any(changed for changed, _ in result.values()):
            self.semantic.fill_pending()
        return result

    def history(
        self,
        memory_id: int | None = None,
        limit: int = 50,
        by: str | None = None,
        before_id: int | None = None,
    ) -> list[HistoryEntry]:
        if limit < 1:
            raise InvalidInput(f"limit must be at least 1, not {limit}.")
        if memory_id is not None:
            inputs.check_id_values([memory_id])
            if not self.ctx.access.unrestricted:
                self._get(memory_id)  # a principal sees the trail of what it can read now
        scopes = grants.readable_scopes(self.ctx)
        # As for list_memories: no SQL integer holds these, and none need to (every entry's
        # id is below the largest; a limit that large takes them all).
        limit = min(limit, inputs.MAX_ID)
        before_id = None if before_id is not None and before_id > inputs.MAX_ID else before_id
        entries = self.store.history(memory_id, limit, before_id, by=by, scopes=scopes)
        if memory_id is not None and not entries and before_id is None:
            self.store.get(memory_id)  # no such memory, and none ever: NotFound, as for get
        return masking.entries(self.ctx, entries)

    def superseded(self, memory_id: int) -> list[int]:
        inputs.check_id_values([memory_id])
        if self.ctx.access.unrestricted:
            return self.store.superseded_ids(memory_id)
        self._get(memory_id)  # NotFound unless the caller may read it
        found = self.store.get_many(self.store.superseded_ids(memory_id), with_embedded=False)
        return [m.id for m in grants.readable(self.ctx, found)]

    def scopes(self) -> dict[str, int]:
        counts = self.store.group_counts("scope")
        return {s: n for s, n in counts.items() if self.ctx.access.can_read(s)}


def _slots(
    key: str | None,
    occurred_at: str | datetime | None,
    expires_at: str | datetime | None,
    cleaned_key: str | None,
) -> dict[str, Any]:
    """The key and times an edit sets: "" clears one, None leaves it out."""
    slots: dict[str, Any] = {}
    if key is not None:
        slots["key"] = cleaned_key if key.strip() else None
    for name, value in (("occurred_at", occurred_at), ("expires_at", expires_at)):
        if value is not None:
            slots[name] = parse_time(value, name) if str(value).strip() else None
    return slots


def _writable_scope(ctx: Context) -> Callable[[str], bool]:
    """Whether the caller may delete a memory of a scope (a chain's next link)."""
    access = ctx.access
    return (lambda _scope: True) if access.unrestricted else access.can_write

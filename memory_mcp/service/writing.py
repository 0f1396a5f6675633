"""The write path: validate, redact, count exact repeats, merge near duplicates, supersede."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from memory_mcp.errors import InvalidInput, MemoryMCPError, NotFound
from memory_mcp.models import Memory, NewMemory
from memory_mcp.names import MAX_KEY_CHARS, clean_name
from memory_mcp.policies import inputs
from memory_mcp.policies.keys import key_form
from memory_mcp.policies.redact import redact_fields
from memory_mcp.policies.repeats import Said, event_time
from memory_mcp.policies.times import ends_after, parse_reference, parse_time
from memory_mcp.remembered import RememberResult
from memory_mcp.service import grants
from memory_mcp.service.context import (
    ALL_SCOPES,
    Context,
    Part,
    check_content_left,
    validated,
)
from memory_mcp.service.rewordings import as_similar, fold_pair, look_near, near_duplicate
from memory_mcp.storage.contract import Inserted, NewRow
from memory_mcp.timestamps import format_time

if TYPE_CHECKING:
    import numpy as np

    from memory_mcp.search.nearby import Prepared


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Times:
    occurred: datetime | None
    expires: datetime | None

    @property
    def occurred_at(self) -> str | None:
        return None if self.occurred is None else format_time(self.occurred)

    @property
    def expires_at(self) -> str | None:
        return None if self.expires is None else format_time(self.expires)


class Writer(Part):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        # Memories `remember` stored without a vector (the model was loading) get, once
        # embedded by any process, the near-duplicate check a vector would have given them.
        ctx.semantic.on_embedded = self.fold_embedded

    def remember(
        self,
        content: str,
        kind: str | None = None,
        tags: list[str] | None = None,
        scope: str | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        replaces: int | None = None,
        occurred_at: str | datetime | None = None,
        ttl: str | None = None,
        expires_at: str | datetime | None = None,
        reference_time: str | datetime | None = None,
        project: str | None = None,
        client: str | None = None,
        context: str | None = None,
        once: bool = False,
    ) -> RememberResult:
        """Check every input (cheapest first), then store the memory or count the repeat.
        With `once` (capture), the source item `metadata.imported_from` names is stored or
        counted at most once, decided in the write's transaction: a second run over the same
        item, even at the same instant, is answered as a duplicate and counts nothing."""
        inputs.check_text(
            content=content, kind=kind, tags=tags, scope=scope, key=key, ttl=ttl,
            occurred_at=occurred_at, expires_at=expires_at, reference_time=reference_time,
            context=context,
        )  # fmt: skip
        self._check_limits(content, context, metadata, replaces, scope)
        if replaces is not None:
            replaced = grants.require_readable(self.ctx, [replaces])[0]
            if scope is None:  # over the project in context, too
                scope = replaced.scope  # a correction lives where what it corrects
        new, key, redacted = self._new_memory(
            content, kind, tags, scope, metadata, project, context, clean_key(key)
        )
        assert new.scope is not None
        grants.check_write(self.ctx, new.scope)
        reference = parse_reference(reference_time)
        times = _Times(
            occurred=parse_time(occurred_at, "occurred_at", reference=reference),
            expires=_expiry(ttl, expires_at, reference),
        )
        source = new.metadata.get("imported_from") if once else None
        return self._store(new, key, replaces, times, client, redacted, source)

    def _check_limits(
        self,
        content: str,
        context: str | None,
        metadata: dict[str, Any] | None,
        replaces: int | None,
        scope: str | None,
    ) -> None:
        self.check_sizes(content, context, metadata)
        inputs.check_scope(scope)
        if replaces is not None:
            inputs.check_id_values([replaces])
        if scope is not None and scope.strip() == ALL_SCOPES:
            raise InvalidInput("scope `*` means every scope in recall; store into one scope.")

    def _new_memory(
        self,
        content: str,
        kind: str | None,
        tags: list[str] | None,
        scope: str | None,
        metadata: dict[str, Any] | None,
        project: str | None,
        context: str | None,
        key: str | None,
    ) -> tuple[NewMemory, str | None, tuple[str, ...]]:
        """The memory and key to store, secrets removed from every text, and which kinds of
        secret were. Sizes were checked on what the caller sent: redaction markers may make
        the stored text longer than that, never too long."""
        cleaned = redact_fields(
            content=content, context=context, tags=tags or [], scope=scope, key=key,
            metadata=metadata or {},
        )  # fmt: skip
        fields = cleaned.fields
        check_content_left(fields["content"], content)
        new = validated(
            NewMemory,
            content=fields["content"],
            kind=kind or "note",
            tags=fields["tags"],
            scope=fields["scope"] or self.ctx.write_scope(project),
            metadata=fields["metadata"],
            context=fields["context"],
        )
        key = fields["key"]  # compared and stored in its one spelling, once secrets are masked
        return new, None if key is None else key_form(key), cleaned.redacted

    def _store(
        self,
        new: NewMemory,
        key: str | None,
        replaces: int | None,
        times: _Times,
        client: str | None,
        redacted: Sequence[str],
        source: dict[str, str] | None = None,
    ) -> RememberResult:
        """Count an exact repeat, fold a near duplicate, else insert (superseding as asked).

        The checks before embedding only spare the model work; the insert decides again
        inside its transaction (repeat, key holder, `replaces`), so writers racing on one
        file never store a text twice, give a key two current values or replace a memory
        twice. A near duplicate is found from vectors read before; a row meanwhile hidden
        is not merged into, and the insert still catches exact repeats.
        """
        assert new.scope is not None
        outcome = self._repeat_of(new, key, replaces, times, client, redacted, source)
        if outcome is not None:
            return outcome
        mergeable = key is None and replaces is None
        # The near-duplicate search reads what it can while the model embeds (nearby.py).
        vector, ahead = self.semantic.embed_near(new.content, new.scope if mergeable else None)
        searched = None  # the vector log position the near-duplicate search reflected
        similar: tuple[Memory, ...] = ()
        if mergeable and vector is not None:
            merged, similar = self._merge_near_duplicate(
                new, vector, times, client, redacted, source, ahead
            )
            if merged is not None:
                return merged
            searched = self.semantic.searched_at()
        stored = self._insert(
            new, vector, key, times, client, replaces, once=source is not None,
            check_later=mergeable and vector is None,
        )  # fmt: skip
        if stored.status in ("duplicate", "present"):  # present: another run took its source
            return self._repeated(stored.id, redacted, stored.supersedes)
        if searched is not None and vector is not None:
            folded = self._fold_raced(stored, vector, searched, client)
            if folded is not None:
                return self._merged(folded, redacted)
        if vector is None:
            folded = self._after_unembedded_insert(stored.id)
            if folded is not None:
                return self._merged(folded, redacted)
        memory = stored.memory or self.store.get(stored.id)
        if vector is not None:
            self.semantic.copy.stored(memory, vector, stored.logged)
        return RememberResult(
            **memory.model_dump(),
            status="superseded" if stored.supersedes else "created",
            supersedes=list(stored.supersedes),
            redacted=list(redacted),
            similar=[as_similar(m) for m in similar],
        )

    def _fold_raced(
        self, stored: Inserted, vector: "np.ndarray", searched: int, client: str | None
    ) -> int | None:
        """A rewording another writer stored between our near-duplicate search and our
        insert (another process, or another request of this one) was not there to be found:
        now both are stored, and one folds into the other, as it would have one after the
        other. Searched again only when vectors changed in between (none: no statement).
        Ours, not yet acknowledged, folds into the other whichever was stored first: if that
        one's writer does the same meanwhile, the second fold is refused (its target hidden)."""
        memory = stored.memory or self.store.get(stored.id)
        if not memory.embedded:
            return None
        if (stored.logged or self.store.vector_log_head()[1]) <= searched + 1:
            return None  # (a backend that logs no position per write: the head, read now)
        found = near_duplicate(self.ctx, memory.scope, memory.content, vector, memory, either=True)
        try:
            if found is not None and self.store.merge_into(
                memory.id, found[0].id, client, cosine=found[1]
            ):
                return found[0].id
        except NotFound:
            pass  # folded meanwhile (a fold removes the later row): its history says where
        return self._folded_by_other(memory.id)  # a backlog's check may have folded it

    def _folded_by_other(self, memory_id: int) -> int | None:
        """Where another thread or process folded `memory_id`, if it did (only a merge's
        entry on the folded memory names `into`)."""
        into = self.store.history(memory_id, limit=1)[0].detail.get("into")
        return int(into) if into is not None else None

    def _insert(
        self,
        new: NewMemory,
        vector: "np.ndarray | None",
        key: str | None,
        times: _Times,
        client: str | None,
        replaces: int | None,
        once: bool = False,
        check_later: bool = False,
    ) -> Inserted:
        assert new.scope is not None
        return self.store.insert(
            NewRow(
                content=new.content,
                kind=new.kind,
                tags=new.tags,
                scope=new.scope,
                metadata=new.metadata,
                vector=vector,
                key=key,
                occurred_at=times.occurred_at,
                expires_at=times.expires_at,
                client=client,
                context=new.context,
                check_when_embedded=check_later,
            ),
            client=client,
            dedup=True,  # a correction stored already takes over (the contract)
            replaces=replaces,
            once=once,
        )

    def _repeated(
        self, memory_id: int, redacted: Sequence[str], supersedes: Sequence[int] = ()
    ) -> RememberResult:
        """A repeat; `supersedes`: the key's former value, when the repeat gave its memory
        the key (policies.repeats.adopted)."""
        return RememberResult(
            **self.store.get(memory_id).model_dump(),
            status="duplicate",
            duplicate_of=memory_id,
            supersedes=list(supersedes),
            redacted=list(redacted),
        )

    def _merged(self, memory_id: int, redacted: Sequence[str]) -> RememberResult:
        return RememberResult(
            **self.store.get(memory_id).model_dump(),
            status="merged",
            merged_into=memory_id,
            redacted=list(redacted),
        )

    def _repeat_of(
        self,
        new: NewMemory,
        key: str | None,
        replaces: int | None,
        times: _Times,
        client: str | None,
        redacted: Sequence[str],
        source: dict[str, str] | None = None,
    ) -> RememberResult | None:
        """An exact repeat of a visible memory is counted, not stored again (or embedded);
        it lives on as long as the repeat asks (see record_repeat)."""
        assert new.scope is not None
        when = event_time(new.kind, times.occurred_at)
        existing = self.store.find_exact(new.scope, new.content, when)
        if existing is None or replaces is not None or (key is not None and existing.key != key):
            return None
        if not self.store.record_repeat(
            existing.id, client, "duplicate", new.tags, source, times.expires_at, _said(new, times)
        ):
            return None  # forgotten or replaced meanwhile: store it after all
        return self._repeated(existing.id, redacted)

    def _merge_near_duplicate(
        self,
        new: NewMemory,
        vector: "np.ndarray",
        times: _Times,
        client: str | None,
        redacted: Sequence[str],
        source: dict[str, str] | None,
        ahead: "Prepared",
    ) -> tuple[RememberResult | None, tuple[Memory, ...]]:
        """Fold a rewording into the memory it repeats, only when no fact differs; else
        the current memories close to it that it does not reword (rewordings.look_near)."""
        scope = new.scope or self.settings.default_scope
        when = event_time(new.kind, times.occurred_at)
        near = look_near(self.ctx, scope, new.content, vector, new.kind, when, ahead)
        if near.duplicate is None:
            return None, near.similar
        memory_id, cosine = near.duplicate[0].id, near.duplicate[1]
        if not self.store.record_repeat(
            memory_id, client, "merge", new.tags, source, times.expires_at, _said(new, times),
            text=new.content, cosine=cosine,
        ):  # fmt: skip
            return None, ()  # hidden meanwhile: store the new one
        return self._merged(memory_id, redacted), ()

    def _after_unembedded_insert(self, memory_id: int) -> int | None:
        """A memory stored without a vector: if the model became ready meanwhile, embed it
        now (a mergeable one is checked then: fold_embedded); returns where it was merged,
        if it was (by whichever thread or process embedded it)."""
        if not self.semantic.ready:
            return None
        self.semantic.fill_pending()
        # Another thread or process may have stored the vector before our fill looked.
        self.fold_embedded(list(self.store.vectors_for([memory_id]).items()))
        return self._folded_by_other(memory_id)

    def fold_embedded(self, pairs: "list[tuple[int, np.ndarray]]") -> None:
        """Vectors just stored for the backlog: merge each memory `remember` stored without
        a vector (in any process: its create entry says so) with a rewording of it, as
        `remember` would have with the model ready; the later folds into the earlier, either
        way round (the other may have been stored with a vector meanwhile, not finding this
        one); both histories record it. Decided again inside merge_into's transaction."""
        due = set(self.store.unembedded_at_creation([mid for mid, _ in pairs])) if pairs else ()
        for memory_id, vector in pairs:
            if memory_id not in due:
                continue
            try:
                memory = self.store.get(memory_id)
                found = near_duplicate(
                    self.ctx, memory.scope, memory.content, vector, memory, either=True
                )
                if found is not None:
                    fold_pair(self.store, memory, *found)
            except NotFound:
                continue  # purged or merged meanwhile
            except MemoryMCPError as exc:
                # Runs on the model's thread: a failed merge leaves a duplicate (clutter, not
                # a lost fact) and must not stop semantic search from starting.
                logger.warning("Near-duplicate check of memory %d skipped: %s", memory_id, exc)


def _expiry(
    ttl: str | None, expires_at: str | datetime | None, reference: datetime | None
) -> datetime | None:
    if ttl is not None and expires_at is not None:
        raise InvalidInput("Give ttl or expires_at, not both.")
    if ttl:
        moment: datetime | None = ends_after(reference or datetime.now(UTC), ttl)
    else:
        moment = parse_time(expires_at, "expires_at", reference=reference)
    if moment is not None and moment <= datetime.now(UTC):
        raise InvalidInput(f"expires_at ({moment:%Y-%m-%d %H:%M}Z) is in the past.")
    return moment


def clean_key(key: str | None) -> str | None:
    """The key as it prints (see clean_name), checked before redaction like every size."""
    if key is None:
        return None
    try:
        key = clean_name(key, "key")
    except ValueError as exc:
        raise InvalidInput(f"{exc}.") from None
    if not key or len(key_form(key)) > MAX_KEY_CHARS:  # as stored: "ß" is "ss"
        raise InvalidInput(f"key must be 1 to {MAX_KEY_CHARS} characters, e.g. user.editor.")
    return key


def _said(new: NewMemory, times: _Times) -> Said:
    """What a repeat sets on the memory it repeats (policies.repeats.adopted)."""
    return Said(new.kind, new.metadata, times.occurred_at, context=new.context)

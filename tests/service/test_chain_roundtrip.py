"""A key's chain through every change (superseded twice, the middle forgotten and restored,
the last re-keyed and moved, the first purged), exported and imported into a fresh database
(JSONL, both backends either way; `migrate --to`): the same memories, links, times and
`as_of` answers, and nothing pointing at a memory that is not there. A JSONL file holds no
history, so the scope and key a memory had before a move or re-key (which `as_of` reads
from history) are not in it: its answers are the same from the last move on."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService
from memory_mcp.service.migration import EVERYTHING
from tests import pg

FIELDS = ("id", "content", "scope", "key", "superseded_by", "superseded_at", "forgotten_at",
          "created_at", "expires_at")  # fmt: skip


def _chain(svc: MemoryService) -> list[int]:
    a = svc.remember("Shell is bash", key="user.shell", scope="p1").id
    b = svc.remember("Shell is zsh", key="user.shell", scope="p1").id
    c = svc.remember("Shell is fish", key="user.shell", scope="p1").id
    svc.forget([b], reason="wrong")
    svc.restore([b])
    svc.update(c, key="user.login_shell")
    svc.move([c], "p2")
    d = svc.remember("Standup is at 9", scope="p1").id
    e = svc.remember("Standup is at 10", scope="p1", replaces=d).id
    f = svc.remember("Standup is at 11", scope="p1", replaces=e).id
    svc.purge([a, e])
    return [b, c, d, f]


def _state(svc: MemoryService) -> list[dict[str, Any]]:
    return [
        {k: getattr(m, k) for k in FIELDS} for m in svc.store.find(EVERYTHING, newest_first=False)
    ]


def _answers(
    svc: MemoryService, ids: list[int], since: datetime | None = None
) -> list[tuple[Any, ...]]:
    rows = [svc.get(i) for i in ids]
    edges = {m.created_at for m in rows} | {m.superseded_at for m in rows if m.superseded_at}
    out = []
    for edge in sorted(e for e in edges if since is None or e > since):
        for moment in (edge - timedelta(microseconds=1), edge):
            for scope in ("p1", "p2"):
                flt = MemoryFilter(scopes=[scope], as_of=moment)
                out.append((moment, scope, sorted(m.id for m in svc.list_memories(flt))))
    return out


def _dangling(svc: MemoryService) -> list[int]:
    ids = {m.id for m in svc.store.find(EVERYTHING)}
    return [
        m.id
        for m in svc.store.find(EVERYTHING)
        if m.superseded_by is not None and m.superseded_by not in ids
    ]


def _open(kind: str, tmp_path: Path, name: str) -> MemoryService:
    if kind == "postgres":
        if not pg.url():
            pytest.skip("no PostgreSQL configured")
        return MemoryService.open(
            Settings(db=pg.url(), pg_schema=pg.fresh_schema(), semantic=False)
        )
    return MemoryService.open(Settings(db=tmp_path / f"{name}.db", semantic=False))


@pytest.mark.parametrize("target", ["sqlite", "postgres"])
def test_a_chain_exported_and_imported_is_the_same(
    keyword_service: MemoryService, tmp_path: Path, target: str
) -> None:
    svc = keyword_service
    ids = _chain(svc)
    assert _dangling(svc) == []
    out = tmp_path / "all.jsonl"
    svc.export_jsonl(out)
    fresh = _open(target, tmp_path, "fresh")
    try:
        fresh.import_jsonl(out)
        assert _state(fresh) == _state(svc)
        assert _dangling(fresh) == []
        moved = max(e.at for i in ids for e in svc.history(i) if e.action in ("move", "edit"))
        assert _answers(fresh, ids, moved) == _answers(svc, ids, moved)
        # Imported again: nothing new, nothing changed.
        fresh.import_jsonl(out)
        assert _state(fresh) == _state(svc)
    finally:
        fresh.close()


@pytest.mark.parametrize("target", ["sqlite", "postgres"])
def test_a_chain_migrated_is_the_same(
    keyword_service: MemoryService, tmp_path: Path, target: str
) -> None:
    svc = keyword_service
    ids = _chain(svc)
    if target == "postgres":
        if not pg.url():
            pytest.skip("no PostgreSQL configured")
        schema = pg.fresh_schema()
        svc.migrate_to(pg.url(), schema=schema)
        fresh = MemoryService.open(Settings(db=pg.url(), pg_schema=schema, semantic=False))
    else:
        svc.migrate_to(tmp_path / "copy.db")
        fresh = MemoryService.open(Settings(db=tmp_path / "copy.db", semantic=False))
    try:
        assert _state(fresh) == _state(svc)
        assert _answers(fresh, ids) == _answers(svc, ids)
        assert [h.model_dump() for h in fresh.history(limit=1000)] == [
            h.model_dump() for h in svc.history(limit=1000)
        ]
    finally:
        fresh.close()

"""Tags take one spelling, folded as keys and the keyword index fold (NFKC, case-folded):
`ｄｅｐｌｏｙ` typed on a full-width keyboard and `deploy` were two tags (NFC alone), so a
filter typed one way missed what was stored the other. Schema step 18 settles the tags an
older memory-mcp stored (both backends)."""

import json

import pytest

from memory_mcp.config import Settings
from memory_mcp.formats.common import stored_tags
from memory_mcp.models import MemoryFilter
from memory_mcp.names import MAX_TAG_CHARS, clean_tags, settled_tags
from memory_mcp.service import MemoryService
from tests import pg

WIDE = "ｄｅｐｌｏｙ"


def test_a_tag_is_one_whichever_width_or_case_it_is_typed_in(service: MemoryService) -> None:
    wide = service.remember("Deploys go out on Fridays", tags=[WIDE, "ＯＰＳ"]).id
    plain = service.remember("Rollbacks need a second reviewer", tags=["Deploy", "ﬁx"]).id
    assert service.get(wide).tags == ["deploy", "ops"]
    assert service.get(plain).tags == ["deploy", "fix"]
    for typed in ("deploy", WIDE, "ＤＥＰＬＯＹ"):
        found = service.list_memories(MemoryFilter(tags=[typed]))
        assert sorted(m.id for m in found) == [wide, plain], typed
        assert {h.id for h in service.recall("Fridays reviewer", tags=[typed]).hits} == {
            wide,
            plain,
        }
    # A repeat brings its tags in its own spelling: the memory holds each once.
    again = service.remember("Deploys go out on Fridays", tags=["DEPLOY", "ｆｉｘ"])
    assert again.id == wide
    assert service.get(wide).tags == ["deploy", "ops", "fix"]
    edited = service.update(plain, tags=["ｆｉｘ", "FIX", "Deploy"])
    assert edited.tags == ["fix", "deploy"]


def test_a_tag_folding_makes_longer_is_cut_where_it_is_stored_as_found() -> None:
    """An import's tags (and the tags step 18 settles) are never refused: one that folding
    lengthens past the limit ("ﷺ" is 18 characters) is cut, in its form again; a tag typed
    to a write is refused as any too long."""
    long = "\ufdfa" * 4  # 4 characters typed, 72 folded
    settled = settled_tags([WIDE, "Deploy", long])
    assert settled[0] == "deploy" and len(settled) == 2
    assert len(settled[1]) <= MAX_TAG_CHARS and settled[1] == settled_tags([settled[1]])[0]
    assert stored_tags([WIDE, "DEPLOY", long]) == settled
    with pytest.raises(ValueError, match="longer than"):
        clean_tags([long])


def _as_step_17(settings: Settings, tags: dict[int, list[str]], store: object) -> None:
    """Put tags back as an older memory-mcp stored them (NFC only) and take step 18 away."""
    for memory_id, held in tags.items():
        value = json.dumps(held, ensure_ascii=False).replace("'", "''")
        pg.raw_rows(store, f"update memories set tags = '{value}' where id = {memory_id}")
    pg.raw_rows(store, "delete from meta where key = 'tag_form'")
    if isinstance(settings.db, str):
        pg.raw_rows(store, "delete from schema_version where version = 18")
    else:
        pg.raw_rows(store, "pragma user_version = 17")


def test_tags_stored_in_other_spellings_become_one_on_upgrade(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyword_settings = settings.model_copy(update={"semantic": False})
    svc = MemoryService.open(keyword_settings)
    both = svc.remember("Deploys go out on Fridays", tags=["deploy"]).id
    wide = svc.remember("Rollbacks need a second reviewer", tags=["ops"]).id
    kept = svc.remember("The runbook lives in the wiki", tags=["deploy", "docs"]).id
    _as_step_17(settings, {both: [WIDE, "deploy", "ops"], wide: ["ＯＰＳ", "ﬁx"]}, svc.store)
    svc.close()
    svc = MemoryService.open(keyword_settings)
    try:
        assert svc.get(both).tags == ["deploy", "ops"]  # merged into one, not twice
        assert svc.get(wide).tags == ["ops", "fix"]
        assert svc.get(kept).tags == ["deploy", "docs"]
        found = svc.list_memories(MemoryFilter(tags=["deploy"]))
        assert sorted(m.id for m in found) == [both, kept]
        settled = svc.history(both)[0]
        assert (settled.action, settled.client) == ("edit", "migration")
        assert settled.before and settled.after
        assert (settled.before["tags"], settled.after["tags"]) == (
            [WIDE, "deploy", "ops"],
            ["deploy", "ops"],
        )
        assert settled.before["content"] == settled.after["content"]
        assert svc.history(kept)[0].action == "create"  # nothing to settle: no entry
        assert svc.doctor().fts_ok  # the keyword index took the tags' new spelling
    finally:
        svc.close()


def test_scrub_erases_a_tag_in_the_spelling_an_older_version_stored(settings: Settings) -> None:
    """Step 18 keeps the tags as they were in the memory's history (the edit's `before`),
    and older entries hold them so too: lower-cased only, `ｈｕｎｔｅｒ２ｚｚ` for a secret
    typed on a full-width keyboard. Scrub looked for the text as typed and in its folded
    form (`hunter2zz`) only: the old spelling stayed in the history."""
    keyword_settings = settings.model_copy(update={"semantic": False})
    svc = MemoryService.open(keyword_settings)
    typings = ("ＨＵＮＴＥＲ２ＺＺ", "hunter2zz")  # as typed then, as shown now
    ids = [svc.remember(f"Deploy token {n} is in the vault", tags=["ops"]).id for n in (1, 2)]
    _as_step_17(settings, {i: ["ops", "ｈｕｎｔｅｒ２ｚｚ"] for i in ids}, svc.store)
    svc.close()
    svc = MemoryService.open(keyword_settings)
    try:
        for memory_id, typed in zip(ids, typings, strict=True):
            assert svc.get(memory_id).tags == ["ops", "hunter2zz"]
            svc.scrub([memory_id], typed)
            assert svc.get(memory_id).tags == ["ops", "[scrubbed]"]
            kept = repr([h.model_dump() for h in svc.history(memory_id)])
            assert "ｈｕｎｔｅｒ２ｚｚ" not in kept and "hunter2zz" not in kept, typed
    finally:
        svc.close()

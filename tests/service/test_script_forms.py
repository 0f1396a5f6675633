"""Keyword recall of a word in every form its script writes it, the same on both backends and
through the MCP SDK client (schema step 19): an Arabic word behind its article or a clitic
(`القهوة`, `بالقهوة`, `والقهوة`, `للقهوة`) or with a suffix, with harakat or tatweel;
Hebrew with or without niqqud; Greek with or without its accents; Persian and Urdu letters
typed on an Arabic keyboard. A database whose index an older memory-mcp wrote is re-folded
when it is opened, and a running older server refuses to write after it."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import SchemaMismatch
from memory_mcp.policies import keyword_text
from memory_mcp.service import MemoryService
from memory_mcp.storage import open_storage
from tests import pg
from tests.conftest import call_tool as call
from tests.storage.rows import row

COFFEE = "نشرب القهوة كل صباح في المكتب"  # we drink coffee every morning at the office
STORED = {
    "coffee": COFFEE,
    "milk": "أحب الشاي بالحليب",  # I like tea with milk
    "meeting": "اجتماع الفريق يوم الأحد",  # the team meets on Sunday
    "shalom": "שָׁלוֹם עֲלֵיכֶם מִן הַמִּשְׂרָד",  # peace unto you, from the office (pointed)
    "greek": "Ο καφές είναι έτοιμος στην κουζίνα",  # the coffee is ready in the kitchen
    "persian": "کتاب را دیروز خواندم",  # I read the book yesterday (Persian ک and ی)
    "digits": "نستخدم Postgres ١٦ في الإنتاج",  # we use Postgres 16 in production
    "russian": "Купили новую ёлку для офиса",  # we bought a new fir tree for the office
    "vietnamese": "Văn phòng chính ở Việt Nam, gần Hồ Tây",  # the main office is in Vietnam
}
FOUND_BY = {
    "coffee": ["قهوة", "القهوة", "بالقهوة", "والقهوة", "للقهوة", "قَهْوَةٌ", "القهـــوة"],
    "milk": ["حليب", "الحليب", "والحليب"],
    "meeting": ["الاحد", "أحد", "فريق", "والفريق"],
    "shalom": ["שלום", "שָׁלוֹם", "המשרד", "עליכם"],
    "greek": ["καφες", "ΚΑΦΈΣ", "Καφές", "ετοιμος", "κουζινα"],
    "persian": ["كتاب", "کتاب", "ديروز", "الكتاب"],
    "digits": ["16", "١٦", "۱۶", "postgres 16"],
    "russian": ["елку", "ёлку", "ЁЛКУ", "ЕЛКУ"],
    "vietnamese": ["viet", "Việt", "VIỆT", "ho tay", "phong chinh"],
}


def _ids(svc: MemoryService, query: str) -> list[int]:
    return [h.id for h in svc.recall(query).hits]


def test_every_form_of_a_word_finds_its_memory(keyword_service: MemoryService) -> None:
    ids = {name: keyword_service.remember(text).id for name, text in STORED.items()}
    keyword_service.remember("We drink coffee every morning at the office")
    for name, queries in FOUND_BY.items():
        for query in queries:
            assert _ids(keyword_service, query) == [ids[name]], query
    # A memory that says the word with its article is found by the bare word too, and
    # neither English nor another Arabic word matches by accident.
    tea = keyword_service.remember("والقهوة أفضل من الشاي").id
    assert sorted(_ids(keyword_service, "قهوة")) == sorted([ids["coffee"], tea])
    assert _ids(keyword_service, "coffee") == [len(STORED) + 1]


@pytest.fixture
async def keyword_client(keyword_service: MemoryService) -> AsyncIterator[Any]:
    from mcp import Client

    from memory_mcp.adapters.mcp_server.server import build_server

    async with Client(build_server(keyword_service, load_model=False)) as c:
        yield c


@pytest.mark.anyio
async def test_the_word_is_found_through_the_mcp_client(keyword_client: Any) -> None:
    stored = await call(keyword_client, "remember", content=COFFEE, scope="cafe")
    await call(keyword_client, "remember", content="اجتماع الفريق يوم الأحد", scope="cafe")
    for query in FOUND_BY["coffee"]:
        found = await call(keyword_client, "recall", query=query, scope="cafe")
        assert [h["id"] for h in found["hits"]] == [stored["id"]], query


def _old_folded(text: str) -> str:
    """policies.keyword_text.folded as step 16 left it: no marks dropped, no letters folded."""
    import unicodedata

    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", keyword_text._IGNORED.sub("", text))
    return text.translate(str.maketrans(dict(keyword_text.FOLDS)))


def _as_step_18(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the keyword index back as step 18 left it: every row's words by the old rules."""
    if isinstance(settings.db, str):
        from memory_mcp.storage.postgres.migrations import FTS_OF, LENGTH_OF
        from memory_mcp.storage.postgres.migrations.fast_keywords import _FAST
        from memory_mcp.storage.postgres.migrations.text_forms import _FOLDS

        pg.admin(
            f'set search_path to "{settings.pg_schema}", public;'
            f"{_FOLDS}; {_FAST[0]}; drop function memory_stems;"
            f"update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF};"
            "delete from schema_version where version = 19"
        )
        return
    from memory_mcp.storage.sqlite import db
    from memory_mcp.storage.sqlite.keyword_schema import FTS_INDEXES

    with monkeypatch.context() as patched:
        patched.setattr(keyword_text, "folded", _old_folded)
        patched.setattr(keyword_text, "stemmed", lambda text: text)
        conn = db.connect(settings.db)
        for index, _ in FTS_INDEXES:
            conn.execute(f"insert into {index} ({index}) values ('rebuild')")
        conn.execute("delete from meta where key = 'keyword_scripts'")
        conn.execute("pragma user_version = 18")
        conn.close()


def test_an_index_of_the_old_words_is_refolded_on_open(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyword_settings = settings.model_copy(update={"semantic": False})
    svc = MemoryService.open(keyword_settings)
    ids = {name: svc.remember(text).id for name, text in STORED.items()}
    svc.close()
    _as_step_18(settings, monkeypatch)
    svc = MemoryService.open(keyword_settings)
    try:
        for name in ("coffee", "shalom", "greek", "persian"):
            assert _ids(svc, FOUND_BY[name][0]) == [ids[name]], name
        report = svc.doctor()
        assert report.fts_ok and report.memories == report.fts_rows == len(STORED)
        svc.forget([ids["coffee"]])  # the index removes the row by the words it now holds
        assert _ids(svc, "قهوة") == []
        assert svc.doctor().fts_ok
    finally:
        svc.close()


def test_an_older_server_still_running_refuses_to_write_after_the_upgrade(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server of the version before step 19 writes words by the old rules: once a newer
    memory-mcp re-folded the index under it, its next write is refused, nothing written."""
    keyword_settings = settings.model_copy(update={"semantic": False})
    with monkeypatch.context() as patched:
        _as_version(patched, keyword_settings, 18)
        old = open_storage(keyword_settings)
        old.insert(row("نشرب القهوة"))
    try:
        MemoryService.open(keyword_settings).close()  # the newer one upgrades it
        with monkeypatch.context() as patched:
            _as_version(patched, keyword_settings, 18)
            with pytest.raises(SchemaMismatch, match="newer memory-mcp"):
                old.insert(row("القهوة جاهزة"))
        assert old.counts()["memories"] == 1
    finally:
        old.close()


def _as_version(patched: pytest.MonkeyPatch, settings: Settings, version: int) -> None:
    """This process runs as the memory-mcp whose newest schema step is `version`."""
    if isinstance(settings.db, str):
        from memory_mcp.storage.postgres import base as pg_base
        from memory_mcp.storage.postgres import db as pg_db

        steps = [step for step in pg_db.MIGRATIONS if step[0] <= version]
        patched.setattr(pg_db, "MIGRATIONS", steps)
        patched.setattr(pg_db, "TARGET", version)
        patched.setattr(pg_base, "TARGET", version)
        return
    from memory_mcp.storage.sqlite import base, db

    patched.setattr(db, "MIGRATIONS", db.MIGRATIONS[:version])
    patched.setattr(base, "MIGRATIONS", db.MIGRATIONS[:version])


def test_the_prompt_hook_shows_a_memory_saying_the_word_in_another_form(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """The prompt hook shows a recalled memory only when it shares the prompt's words:
    `بالمكتب` and `قهوة` are the words of `المكتب` and `القهوة`, as the index reads them."""
    from tests.service.test_capture import project

    folder = project(tmp_path)
    keyword_service.remember(COFFEE, scope="github.com/acme/widgets")
    found = keyword_service.prompt_context("متى نشرب قهوة بالمكتب", str(folder))
    assert COFFEE in found.text

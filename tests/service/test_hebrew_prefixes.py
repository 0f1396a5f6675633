"""Keyword recall of a Hebrew word behind its one-letter prefixes (schema step 20), the same
on both backends and through the MCP SDK client: `בית` finds `בבית` and `הבית`, `ספר` finds
`והספר`; the word as written ranks first; a short word is never cut (`בית` is not `ב` +
`ית`). A database whose index an older memory-mcp wrote is re-indexed when it is opened."""

import random
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.policies import keyword_text
from memory_mcp.service import MemoryService
from memory_mcp.storage import open_storage
from tests import pg
from tests.conftest import call_tool as call

STORED = {
    "book": "והספר מונח על השולחן",  # and the book lies on the table
    "home": "אני עובד בבית בימי שלישי",  # I work at home on Tuesdays
    "office": "הפגישה שהתקיימה במשרד",  # the meeting that took place at the office
    "water": "מים קרים במקרר",  # cold water in the fridge
}
FOUND_BY = {
    "book": ["ספר", "הספר", "בספר", "שולחן", "לשולחן"],
    "home": ["בית", "הבית", "לבית", "מהבית", "שלישי"],
    "office": ["משרד", "המשרד", "פגישה", "והפגישה"],
    "water": ["מים", "קרים", "מקרר", "המקרר"],
}


def _ids(svc: MemoryService, query: str) -> list[int]:
    return [h.id for h in svc.recall(query).hits]


def test_every_prefixed_form_finds_its_memory(keyword_service: MemoryService) -> None:
    ids = {name: keyword_service.remember(text).id for name, text in STORED.items()}
    for name, queries in FOUND_BY.items():
        for query in queries:
            assert _ids(keyword_service, query) == [ids[name]], query
    # Short words keep their first letter: `ית`, `ים`, `פר` find nothing.
    for cut in ("ית", "ים", "פר"):
        assert _ids(keyword_service, cut) == [], cut
    # The word as written outranks another word that only shares its form without prefixes.
    shalom = keyword_service.remember("שלום לכולם").id
    nothing = keyword_service.remember("כלום לא קרה").id
    assert _ids(keyword_service, "שלום")[:1] == [shalom]
    assert _ids(keyword_service, "כלום")[:1] == [nothing]


@pytest.fixture
async def keyword_client(keyword_service: MemoryService) -> AsyncIterator[Any]:
    from mcp import Client

    from memory_mcp.adapters.mcp_server.server import build_server

    async with Client(build_server(keyword_service, load_model=False)) as c:
        yield c


@pytest.mark.anyio
async def test_the_word_is_found_through_the_mcp_client(keyword_client: Any) -> None:
    stored = await call(keyword_client, "remember", content=STORED["home"], scope="work")
    await call(keyword_client, "remember", content=STORED["book"], scope="work")
    for query in FOUND_BY["home"]:
        found = await call(keyword_client, "recall", query=query, scope="work")
        assert [h["id"] for h in found["hits"]] == [stored["id"]], query


def _as_step_19(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the keyword index back as step 19 left it: Hebrew words as written alone."""
    if isinstance(settings.db, str):
        from memory_mcp.storage.postgres.migrations import FTS_OF, LENGTH_OF
        from memory_mcp.storage.postgres.migrations.script_forms import _STEMS

        pg.admin(
            f'set search_path to "{settings.pg_schema}", public;'
            f"{_STEMS}; update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF};"
            "delete from schema_version where version = 20"
        )
        return
    from memory_mcp.storage.sqlite import db
    from memory_mcp.storage.sqlite.keyword_schema import FTS_INDEXES

    arabic_only = [re.compile(p) for p in keyword_text.stem_patterns()]

    def step_19(text: str) -> str:
        for step in arabic_only:
            text = step.sub("", text)
        return text

    with monkeypatch.context() as patched:
        patched.setattr(keyword_text, "stemmed", step_19)
        conn = db.connect(settings.db)
        for index, _ in FTS_INDEXES:
            conn.execute(f"insert into {index} ({index}) values ('rebuild')")
        conn.execute("delete from meta where key = 'keyword_hebrew'")
        conn.execute("pragma user_version = 19")
        conn.close()


def test_an_index_of_the_old_words_is_rebuilt_on_open(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyword_settings = settings.model_copy(update={"semantic": False})
    svc = MemoryService.open(keyword_settings)
    ids = {name: svc.remember(text).id for name, text in STORED.items()}
    svc.close()
    _as_step_19(settings, monkeypatch)
    svc = MemoryService.open(keyword_settings)
    try:
        for name in ("book", "home"):
            assert _ids(svc, FOUND_BY[name][0]) == [ids[name]], name
        report = svc.doctor()
        assert report.fts_ok and report.memories == report.fts_rows == len(STORED)
        svc.forget([ids["home"]])  # the index removes the row by the words it now holds
        assert _ids(svc, "בית") == []
        assert svc.doctor().fts_ok
    finally:
        svc.close()


PIECES = ["ו", "ה", "ב", "ל", "מ", "ש", "כ", "כש", "מה", "ספר", "בית", "ית", "ם", "ן", "ׁ",
          "ָ", "־", "א", "ת", "قهوة", "ال", " ", "x", "5", "״", "יי"]  # fmt: skip


@pg.needs_postgres
def test_the_column_holds_the_words_python_does(tmp_path: Path) -> None:
    store = open_storage(Settings(db=pg.url(), pg_schema=pg.fresh_schema(tmp_path)))
    rng = random.Random(20)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 10))) for _ in range(400)]
    texts += [*STORED.values(), "והספר", "בבית", "ומהבית", "שלום", "ולכן"]
    try:
        for text in texts:
            folded = keyword_text.folded(text)
            literal = folded.replace("'", "''")
            [(stemmed,)] = pg.raw_rows(store, f"select memory_stems('{literal}')")
            assert stemmed == keyword_text.stemmed(folded), text
    finally:
        store.close()

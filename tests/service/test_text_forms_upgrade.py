"""Schema step 16 on a database whose keyword index an older memory-mcp wrote: memories
stored in NFD, full-width letters or with an invisible character inside a word are found by
their plain spelling once the database is opened (both backends)."""

import unicodedata

import pytest

from memory_mcp.config import Settings
from memory_mcp.policies import keyword_text
from memory_mcp.service import MemoryService
from tests import pg

STORED = {
    "nfd": unicodedata.normalize("NFD", "Zoë meets us at the Señor café"),
    "wide": "Ｐｏｓｔｇｒｅｓ runs version １５",
    "hidden": "The pass\u200bphrase is kept in the vault",
}
QUERIES = {"nfd": "Señor", "wide": "postgres", "hidden": "passphrase"}


def _old_folded(text: str) -> str:
    """policies.keyword_text.folded before step 16: the case traps alone."""
    return text if text.isascii() else text.translate(str.maketrans(dict(keyword_text.FOLDS)))


def _as_step_15(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the keyword index back as step 15 left it: every row's words by the old rule."""
    if isinstance(settings.db, str):
        from memory_mcp.storage.postgres.migrations import FTS_OF, LENGTH_OF, fast_keywords
        from memory_mcp.storage.postgres.migrations.keyword_words import folds

        schema = settings.pg_schema
        # As step 15 left it: step 14's memory_keywords too, so that steps 16 and 19 both
        # run again, in order (step 16 alone would leave step 19's memory_folds undone,
        # which doctor names as out of date).
        pg.admin(
            f'set search_path to "{schema}", public;'
            "create or replace function memory_folds(t text) returns text language sql "
            f"immutable as $$ select {folds('t')} $$;"
            f"{fast_keywords._FAST[0]};"
            f"update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF};"
            "delete from schema_version where version in (16, 19)"
        )
        return
    from memory_mcp.storage.sqlite import db
    from memory_mcp.storage.sqlite.keyword_schema import FTS_INDEXES

    with monkeypatch.context() as patched:
        patched.setattr(keyword_text, "folded", _old_folded)
        conn = db.connect(settings.db)
        for index, _ in FTS_INDEXES:
            conn.execute(f"insert into {index} ({index}) values ('rebuild')")
        conn.execute("delete from meta where key = 'keyword_form'")
        conn.execute("pragma user_version = 15")
        conn.close()


def test_an_index_of_the_old_words_is_rebuilt_on_open(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyword_settings = settings.model_copy(update={"semantic": False})
    svc = MemoryService.open(keyword_settings)
    ids = {name: svc.remember(text).id for name, text in STORED.items()}
    svc.close()
    _as_step_15(settings, monkeypatch)
    svc = MemoryService.open(keyword_settings)
    try:
        for name, query in QUERIES.items():
            assert [h.id for h in svc.recall(query).hits] == [ids[name]], name
        report = svc.doctor()
        assert report.fts_ok and report.memories == report.fts_rows == len(STORED)
        svc.forget([ids["nfd"]])  # the index removes the row by the words it now holds
        assert [h.id for h in svc.recall("Señor").hits] == []
        assert svc.doctor().fts_ok
    finally:
        svc.close()

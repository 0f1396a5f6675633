"""Keyword recall in scripts written without spaces (Chinese, Japanese, Korean), on both
backends: a word is found inside the sentence that holds it.

FTS5's unicode61 and PostgreSQL's parser took a whole run of such characters, often a whole
sentence, as one word, so "咖啡" never matched "我喜欢喝咖啡，不喜欢喝茶" (only the semantic
leg, with an English model, could find it)."""

from memory_mcp.service import MemoryService

SENTENCES = {
    "coffee": "我喜欢喝咖啡，不喜欢喝茶",
    "database": "项目的数据库是PostgreSQL",
    "meeting": "東京オフィスの会議は月曜日です",
    "dark": "ユーザーはダークモードを好む",
    "korean": "사용자는 다크 모드를 선호합니다",
    "tabs": "The user prefers tabs over spaces",
}

QUERIES = {
    "咖啡": "coffee",
    "喝咖啡": "coffee",
    "茶": "coffee",
    "数据库": "database",
    "PostgreSQL": "database",
    "会議": "meeting",
    "月曜日": "meeting",
    "ダークモード": "dark",
    "모드": "korean",  # the particle 를 is written onto the word
    "tabs": "tabs",
}


def _stored(svc: MemoryService) -> dict[str, int]:
    return {name: svc.remember(text).id for name, text in SENTENCES.items()}


def test_a_word_is_found_inside_an_unspaced_sentence(keyword_service: MemoryService) -> None:
    ids = _stored(keyword_service)
    for query, name in QUERIES.items():
        hits = keyword_service.recall(query).hits
        assert hits and hits[0].id == ids[name], (query, [h.content for h in hits])


def test_a_word_of_two_characters_matches_its_pair_not_its_characters(
    keyword_service: MemoryService,
) -> None:
    """Pairs of neighbours are searched: 数据 finds 数据库, not a text holding 数 and 据
    apart (PostgreSQL looked for each character, so that text matched there too)."""
    keyword_service.remember("据说这个数字不对")
    together = keyword_service.remember("数据已经备份").id
    assert [h.id for h in keyword_service.recall("数据").hits] == [together]


def test_edits_and_forgetting_keep_the_spaced_index_in_step(
    keyword_service: MemoryService,
) -> None:
    ids = _stored(keyword_service)
    keyword_service.update(ids["coffee"], content="我喜欢喝绿茶")
    assert keyword_service.recall("咖啡").hits == []
    assert [h.id for h in keyword_service.recall("绿茶").hits] == [ids["coffee"]]
    keyword_service.forget([ids["database"]])
    assert keyword_service.recall("数据库").hits == []
    assert keyword_service.doctor().fts_ok


def test_tags_with_non_ascii_characters_are_found(keyword_service: MemoryService) -> None:
    """SQLite indexed the tags' JSON, which escapes every non-ASCII character: a tag such as
    `café` or `财务报告` was never found by its words."""
    mid = keyword_service.remember("Quarterly numbers", tags=["café", "财务报告", "naïve"]).id
    for query in ("café", "cafe", "CAFÉ", "财务", "naïve", "naive"):
        assert [h.id for h in keyword_service.recall(query).hits] == [mid], query


def test_accents_are_folded_on_both_backends(keyword_service: MemoryService) -> None:
    """SQLite's FTS5 folds accents; PostgreSQL's english configuration kept them, so `cafe`
    found `café` on one backend and not the other."""
    ids = [keyword_service.remember(t).id for t in ("We meet at the café", "Herr Müller")]
    for query, expected in [("cafe", ids[0]), ("CAFÉ", ids[0]), ("Muller", ids[1])]:
        assert [h.id for h in keyword_service.recall(query).hits] == [expected], query

"""The keyword leg past its ranking budget (issue 17), on both backends: the matches of the
query's rarest terms are ranked, each scored with every term of the query, so where the best
memories hold a rare term the ranking is exact BM25's (every term, every match), scores and
order, under filters, after deletes and edits, and in the forgotten memories' own index."""

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.policies import keyword_budget
from memory_mcp.storage import open_storage
from memory_mcp.storage.contract import Storage
from tests import pg
from tests.storage.rows import row

COMMON = ["team", "release", "service", "deploy", "review"]  # each in ~40 of 120 memories
FILLER = ["note", "about", "later", "quiet", "window", "morning", "plan", "sketch"]
BUDGET = 20  # below any common word's matches, above the rare words' (12)
BIG = 10**9  # a budget no query reaches: exact BM25 over every match


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pg.needs_postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "postgres":
        given = Settings(db=pg.url(), pg_schema=pg.fresh_schema(tmp_path), semantic=False)
    else:
        given = Settings(db=tmp_path / "exact.db", semantic=False)
    store = open_storage(given)
    yield store
    store.close()


def fill(store: Storage) -> list[int]:
    """120 memories: common words in about a third each (IDF > 0), `kestrel` in 8 and
    `zebra` in 4, with more or fewer common words beside them; two scopes, two kinds, two
    event dates. Returns the ids holding a rare word."""
    rng = random.Random(17)
    rows = []
    for i in range(120):
        words = [w for w in COMMON if rng.random() < 0.35] + rng.sample(FILLER, 3)
        if i % 15 == 3:
            words.append("kestrel")
        if i % 30 == 7:
            words.append("zebra")
        rng.shuffle(words)
        when = datetime(2024, 1 + i % 2, 5, tzinfo=UTC).isoformat()
        rows.append(
            row(
                " ".join(words),
                scope=("a", "b")[i % 2],
                kind=("fact", "note")[i % 3 == 0],
                occurred_at=when,
            )  # fmt: skip
        )
    made = [m.id for m in store.insert_many(rows)]
    return [made[i] for i, r in enumerate(rows) if {"kestrel", "zebra"} & set(r.content.split())]


def ranked(
    store: Storage, query: str, flt: MemoryFilter, k: int, budget: int, mp: pytest.MonkeyPatch
) -> list[tuple[int, float]]:
    mp.setattr(keyword_budget, "POSTINGS_BUDGET", budget)
    return store.search_keywords(query, flt, k, (1.0, 1.0, 0.5))


def assert_exact(
    store: Storage, query: str, flt: MemoryFilter, rare: list[int], mp: pytest.MonkeyPatch
) -> int:
    """The ranking fitted to BUDGET is exact BM25's for as long as exact BM25's best hold a
    rare word (below that, memories with common words alone come next, and are not ranked).
    Returns how many hits were compared."""
    exact = ranked(store, query, flt, 200, BIG, mp)
    k = next((at for at, (i, _) in enumerate(exact) if i not in rare), len(exact))
    fitted = ranked(store, query, flt, k, BUDGET, mp)
    assert [i for i, _ in fitted] == [i for i, _ in exact[:k]], query
    assert [s for _, s in fitted] == pytest.approx([s for _, s in exact[:k]], rel=1e-9), query
    return k


QUERIES = ["kestrel team release", "zebra service deploy review team", "kestrel zebra review"]


def test_rare_first_ranks_as_exact_bm25(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    rare = fill(storage)
    # The common words are over the budget: the plan ranks only the rare words' matches.
    assert min(storage.keyword_statistics(" ".join(COMMON))[1]) > BUDGET
    for query in QUERIES:
        exact = ranked(storage, query, MemoryFilter(), 4, BIG, monkeypatch)
        # Memories holding the rare word and more common words rank above those holding
        # fewer (the old plan scored the rare word alone: they tied, newest first).
        assert len({s for _, s in exact}) > 1
        assert assert_exact(storage, query, MemoryFilter(), rare, monkeypatch) >= 3


def test_filters_keep_the_ranking_exact(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    rare = fill(storage)
    for flt in (
        MemoryFilter(scopes=["a"]),
        MemoryFilter(kind="note"),
        MemoryFilter(since=datetime(2024, 2, 1, tzinfo=UTC)),
    ):
        compared = [assert_exact(storage, query, flt, rare, monkeypatch) for query in QUERIES]
        assert max(compared) >= 2, flt


def test_deletes_edits_and_forgotten_memories_keep_it_exact(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    rare = fill(storage)
    storage.purge(rare[:2])
    storage.update(rare[2], {"content": "kestrel team release"})
    common_only = next(
        i for i, _ in ranked(storage, "team", MemoryFilter(), 50, BIG, monkeypatch)
        if i not in rare
    )  # fmt: skip
    storage.update(common_only, {"content": "kestrel team release service deploy review"})
    storage.set_forgotten(rare[3:7], "test")
    query = "kestrel team release"
    assert assert_exact(storage, query, MemoryFilter(), [*rare, common_only], monkeypatch) >= 3
    found = ranked(storage, query, MemoryFilter(), 2, BUDGET, monkeypatch)
    assert [i for i, _ in found][:1] == [rare[2]]  # now holds every query word
    # The forgotten memories' own index ranks them exactly too (by its own statistics).
    hidden = MemoryFilter(include_forgotten=True)
    assert assert_exact(storage, query, hidden, [*rare, common_only], monkeypatch) >= 3


def test_a_memory_holding_rare_and_common_words_comes_once_and_alike_newest_first(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage.insert_many([row(f"team release {w}") for w in FILLER * 2])
    storage.insert_many([row(f"{w} {v}") for w in FILLER for v in FILLER])  # IDF > 0
    twins = [storage.insert(row("kestrel team release note")).id for _ in range(3)]
    alone = storage.insert(row("kestrel note")).id
    found = ranked(storage, "kestrel team release", MemoryFilter(), 10, 4, monkeypatch)
    assert [i for i, _ in found] == [*twins[::-1], alone]
    assert len({s for _, s in found[:3]}) == 1 and found[2][1] > found[3][1]


def test_past_the_rare_budget_a_kept_words_match_needs_a_rarer_or_common_word_beside_it(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`zebra` (4 memories) is among the rarest, `kestrel` (8) only kept: a memory holding
    kestrel alone is not ranked (the cost bound), one holding it with a common word or with
    zebra is, scored with every term."""
    rare = fill(storage)
    monkeypatch.setattr(keyword_budget, "RARE_BUDGET", 5)
    query = "kestrel zebra review"
    exact = dict(ranked(storage, query, MemoryFilter(), 200, BIG, monkeypatch))
    found = dict(ranked(storage, query, MemoryFilter(), 200, BUDGET, monkeypatch))
    assert found == pytest.approx({i: exact[i] for i in found}, rel=1e-9)  # every term's score
    zebra = {
        i for i in rare if i in dict(ranked(storage, "zebra", MemoryFilter(), 50, BIG, monkeypatch))
    }
    review = {i for i, _ in ranked(storage, "review", MemoryFilter(), 200, BIG, monkeypatch)}
    assert set(found) == zebra | (set(rare) & review)
    assert set(rare) - zebra - review  # some hold kestrel alone: left out

"""summarize.clusters finds a summary's themes by average linkage. Before, each memory joined
the theme of the closest founder, and the memory most like all others founded the first
theme: a generic one (small talk, "thanks!") collected every topic around it into one theme,
and the summary showed it as the main theme."""

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from memory_mcp.models import Memory
from memory_mcp.policies.summarize import clusters

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _memory(i: int, text: str = "") -> Memory:
    return Memory(
        id=i, content=text or f"memory {i}", kind="note", tags=[], scope="s", metadata={},
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def _topics_and_a_hub(size: int = 3) -> dict[int, np.ndarray]:
    """Ids 1..size on topic A, size+1..2*size on topic B, and 0 a generic memory: cosine 0.8
    within a topic, 0.30 across, 0.55 between the generic one and every other."""
    dim = 3 + 2 * size
    common, a = 0.55, np.sqrt(0.8 - 0.55**2)
    vectors = {0: np.eye(dim)[0]}
    for n in range(2 * size):
        v = np.zeros(dim)
        v[0], v[1 if n < size else 2] = common, a
        v[3 + n] = np.sqrt(1 - common**2 - a**2)
        vectors[n + 1] = v
    return vectors


def _ids(themes: list[list[Memory]]) -> list[list[int]]:
    return [[m.id for m in theme] for theme in themes]


def test_a_memory_like_everything_does_not_merge_two_topics() -> None:
    vectors = _topics_and_a_hub()
    themes = _ids(clusters([_memory(i) for i in range(7)], vectors))
    assert len(themes) == 2
    assert {frozenset(t) - {0} for t in themes} == {frozenset({1, 2, 3}), frozenset({4, 5, 6})}
    assert len(themes[0]) == 4 and 0 in themes[0]  # the bigger theme (with it) comes first


def test_a_chain_of_alike_pairs_is_not_one_theme() -> None:
    # x~y and y~z at 0.6, x and z unrelated: y joins one of them, z stays apart.
    x = np.array([1.0, 0.0, 0.0])
    z = np.array([0.0, 1.0, 0.0])
    y = np.array([0.6, 0.6, np.sqrt(1 - 0.72)])
    themes = _ids(clusters([_memory(1), _memory(2), _memory(3)], {1: x, 2: y, 3: z}))
    assert sorted(map(len, themes)) == [1, 2]


def test_each_theme_is_led_by_its_most_typical_member() -> None:
    vectors = _topics_and_a_hub()
    vectors[2] = vectors[2] + 0.2 * (vectors[1] + vectors[3])  # the most like its topic
    themes = _ids(clusters([_memory(i) for i in range(7)], vectors))
    assert themes[0][0] == 2 or themes[1][0] == 2


def test_relevance_to_the_query_helps_choose_who_leads() -> None:
    vectors = _topics_and_a_hub()
    memories = [_memory(i) for i in range(1, 4)]
    plain = _ids(clusters(memories, vectors))
    assert plain == [[1, 2, 3]]  # alike: input order
    asked = _ids(clusters(memories, vectors, relevance={3: 1.0, 1: 0.0, 2: 0.0}))
    assert asked[0][0] == 3


def test_one_memory_and_none() -> None:
    assert clusters([], {}) == []
    assert _ids(clusters([_memory(5)], {5: np.ones(4)})) == [[5]]


@pytest.mark.model
def test_with_the_real_model_small_talk_and_topics_stay_apart(real_embedder: Any) -> None:
    texts = [
        "Thanks, that sounds great!",
        "Awesome, thanks so much for the help!",
        "We migrated the billing database from MySQL to PostgreSQL 15.",
        "The PostgreSQL migration needs the pgvector extension enabled first.",
        "Database backups run nightly with pg_dump to the S3 bucket.",
        "My dog Biscuit needs a walk every morning before work.",
        "Biscuit the beagle is scared of thunderstorms.",
        "The vet said Biscuit should lose a little weight.",
    ]
    vectors = dict(enumerate(real_embedder.embed_documents(texts)))
    memories = [_memory(i, t) for i, t in enumerate(texts)]
    themes = [set(t) for t in _ids(clusters(memories, vectors))]
    assert {0, 1} in themes  # small talk is a theme of its own
    assert {5, 6, 7} in themes
    assert all(t <= {2, 3, 4} for t in themes if t & {2, 3, 4})  # the database ones: alone


def test_a_vector_that_is_not_a_number_joins_no_theme() -> None:
    """A NaN in one stored vector made its similarities NaN, which won every choice of the
    closest two themes: every memory ended in one theme."""
    vectors = {i: np.eye(4)[i % 4] * 0.9 + 0.1 for i in range(6)}
    vectors[2] = np.array([np.nan, 1.0, 0.0, 0.0])
    vectors[3] = np.array([np.inf, 1.0, 0.0, 0.0])
    themes = _ids(clusters([_memory(i) for i in range(6)], vectors))
    assert sorted(map(sorted, themes)) == [[0, 4], [1, 5], [2], [3]]

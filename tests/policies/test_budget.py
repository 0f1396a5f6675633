"""budget.py as pure functions: token estimates, near-repeat skipping, snippets, and replies
that never exceed their budget, counted over the JSON they send."""

from datetime import UTC, datetime

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from memory_mcp.models import Hit, wire_json
from memory_mcp.policies import budget


def hit(i: int, text: str, score: float) -> Hit:
    return Hit(id=i, content=text, kind="note", tags=[], scope="global",
               created_at=datetime(2026, 1, 1, tzinfo=UTC), score=score)  # fmt: skip


def unit(*v: float) -> np.ndarray:
    a = np.array(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def spent(hits: list[Hit]) -> int:
    return sum(budget.hit_tokens(h) for h in hits)


def test_tokens_are_estimated_per_character_class() -> None:
    assert budget.estimate_tokens("abcdef") == 2  # three ASCII characters a token
    assert budget.estimate_tokens("abcdefg") == 3
    assert budget.estimate_tokens("2026") == 3  # three tokens per four digits
    assert budget.estimate_tokens("é") == 1  # others: one per UTF-8 byte past the first
    assert budget.estimate_tokens("用户喜欢") == 8
    assert budget.estimate_tokens("🚀") == 3
    assert budget.estimate_tokens("…") == budget.estimate_tokens("€") == 1  # but punctuation: 1
    assert budget.estimate_tokens("") == 0


# Texts in scripts the English-calibrated rule undercounted, with their token counts by
# Claude's published tokenizer (@anthropic-ai/tokenizer's countTokens).
NON_ENGLISH = {
    "🚀🎉👍🔥😀 deploy ok": 13,
    "ผู้ใช้ชอบโหมดมืดและทำงานจากกรุงเทพ": 61,
    "我喜欢喝咖啡，不喜欢喝茶。项目的数据库是PostgreSQL。": 30,
    "사용자는 다크 모드를 선호합니다": 13,
    "उपयोगकर्ता डार्क मोड पसंद करता है": 37,
}


def test_non_english_text_is_not_undercounted() -> None:
    """A budget holds what it says for emoji, Thai, CJK, Hangul and Devanagari too (one token
    per character counted emoji and Thai at half their cost, so replies ran 2x over)."""
    for text, true_count in NON_ENGLISH.items():
        assert budget.estimate_tokens(text) >= true_count, text


def test_a_lone_surrogate_is_counted_not_raised() -> None:
    assert budget.estimate_tokens("a\ud83d") == 3


def test_a_hit_costs_its_json() -> None:
    h = hit(1, "The user prefers pytest", 0.5)
    assert budget.hit_tokens(h) == budget.estimate_tokens(wire_json(h)) + 1
    assert '"truncated"' not in wire_json(h) and '"tags"' not in wire_json(h)  # defaults: out


def test_paraphrases_do_not_crowd_out_other_facts() -> None:
    hits = [
        hit(1, "deploys on friday", 1.0),
        hit(2, "we deploy fridays", 0.99),
        hit(3, "deployment day is friday", 0.98),
        hit(4, "rollback with kubectl", 0.5),
    ]
    vecs = {1: unit(1, 0.01), 2: unit(1, 0.02), 3: unit(1, 0.03), 4: unit(0, 1)}
    chosen, omitted = budget.fit(hits, vecs, max_tokens=1000, limit=2)
    assert [h.id for h in chosen] == [1, 4] and omitted == 0


def test_short_hits_stay_whole_and_long_ones_share_what_is_left() -> None:
    hits = [hit(1, "short fact", 1.0), hit(2, "word " * 2000, 0.9), hit(3, "x " * 3000, 0.8)]
    chosen, omitted = budget.fit(hits, {}, max_tokens=1000, limit=10)
    assert spent(chosen) <= 1000 and omitted == 0
    assert [h.id for h in chosen] == [1, 2, 3]
    assert chosen[0].content == "short fact" and not chosen[0].truncated
    assert chosen[1].truncated and chosen[2].truncated and chosen[1].content.endswith("…")
    assert abs(budget.hit_tokens(chosen[1]) - budget.hit_tokens(chosen[2])) <= 2


def test_hits_are_left_out_rather_than_cut_below_a_useful_size() -> None:
    hits = [hit(i, f"fact number {i} " + "detail " * 30, 1.0 - i / 10) for i in range(8)]
    chosen, omitted = budget.fit(hits, {}, max_tokens=450, limit=8)
    assert spent(chosen) <= 450
    assert len(chosen) + omitted == 8 and omitted > 0
    assert all(budget.hit_tokens(h) >= budget.MIN_HIT_TOKENS for h in chosen if h.truncated)


def test_order_follows_relevance_without_vectors() -> None:
    hits = [hit(i, f"fact {i}", 1.0 - i / 10) for i in range(5)]
    chosen, omitted = budget.fit(hits, {}, 10_000, 3)
    assert [h.id for h in chosen] == [0, 1, 2] and omitted == 0


def test_fit_whole_keeps_whole_memories_in_order_and_counts_the_rest() -> None:
    hits = [hit(i, "word " * 200, 1.0) for i in range(5)]  # ~340 tokens each
    chosen, omitted = budget.fit_whole(hits, 1000)
    assert [h.id for h in chosen] == [0, 1] and omitted == 3
    assert not any(h.truncated for h in chosen)
    alone, rest = budget.fit_whole(hits[:1], 200)
    assert alone[0].truncated and budget.hit_tokens(alone[0]) <= 200 and rest == 0


def test_snippet_cuts_at_a_word() -> None:
    assert budget.snippet("alpha beta gamma delta", 5) == "alpha beta…"
    assert budget.snippet("short", 10) == "short"


def test_a_snippet_never_ends_inside_what_reads_as_one_character() -> None:
    """A cut fell anywhere between code points: half a flag (🇩 for 🇩🇪), a family emoji
    ending in a joiner, an accent torn from its letter, a skin tone from its hand."""
    clusters = [
        "🇩🇪",
        "👨\u200d👩\u200d👧\u200d👦",
        "e\u0301",
        "👍🏽",
        "🏴\U000e0067\U000e0062\U000e007f",
    ]
    for cluster in clusters:
        for pad in range(4):
            text = "x" * pad + cluster * 200
            for tokens in range(101, 140, 3):
                cut = budget.snippet(text, tokens)
                assert cut.endswith(budget.ELLIPSIS)
                body = cut.removesuffix(budget.ELLIPSIS)[pad:]
                assert body == cluster * (len(body) // len(cluster)), (cluster, pad, tokens)


@given(
    texts=st.lists(st.text(min_size=1, max_size=3000), min_size=1, max_size=12),
    max_tokens=st.integers(min_value=100, max_value=3000),
    limit=st.integers(min_value=1, max_value=12),
)
def test_no_reply_ever_exceeds_its_budget(texts: list[str], max_tokens: int, limit: int) -> None:
    hits = [hit(i, t, 1.0 / (i + 1)) for i, t in enumerate(texts)]
    chosen, omitted = budget.fit(hits, {}, max_tokens, limit)
    assert spent(chosen) <= max_tokens
    assert len(chosen) + omitted == min(limit, len(hits))
    whole, rest = budget.fit_whole(hits, max_tokens)
    assert spent(whole) <= max_tokens and len(whole) + rest == len(hits)


def test_times_are_sent_to_the_second_with_four_digit_years() -> None:
    early = hit(1, "x", 1.0).model_copy(update={"created_at": datetime(1, 1, 1, tzinfo=UTC)})
    assert '"created_at":"0001-01-01T00:00:00Z"' in wire_json(early)
    assert '"created_at":"2026-01-01T00:00:00Z"' in wire_json(hit(2, "x", 1.0))

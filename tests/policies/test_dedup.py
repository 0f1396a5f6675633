"""Duplicate policy: exact-duplicate keys, fact extraction and the near-duplicate rule."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from memory_mcp.policies.dedup import (
    DEFAULT_NEAR_DUPLICATE,
    NEGATION,
    content_hash,
    facts,
    is_near_duplicate,
    normalize,
    same_information,
)
from memory_mcp.search.embed import FastEmbedEmbedder


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The user prefers dark mode", "the user prefers dark mode."),
        ('"User prefers dark mode."', "user prefers dark mode"),
        ("\u201cUser prefers dark mode\u201d!", "user prefers dark mode"),
        ("  Deploy   on\tFridays!! ", "deploy on fridays"),
        ("\uff30\uff4f\uff52\uff54 \uff18\uff10\uff18\uff10", "port 8080"),  # full-width
        ("Stra\u00dfe", "STRASSE"),
        ("\ufeffdark\u200b mode", "dark mode"),
    ],
)
def test_normalize_equal(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)
    assert content_hash(a) == content_hash(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Deploy on port 8080", "Deploy on port 8081"),
        ("We deploy on Fridays", "We don't deploy on Fridays"),
        ("user prefers dark mode", "user prefers dark-mode"),
        ("e.g. vim", "eg vim"),
        ('"a" and "b"', "a and b"),
        ("?!", "!?"),
    ],
)
def test_normalize_distinct(a: str, b: str) -> None:
    assert normalize(a) != normalize(b)
    assert content_hash(a) != content_hash(b)


def test_normalize_keeps_inner_quotes_and_never_empties() -> None:
    assert normalize('"a" and "b"') == '"a" and "b"'
    assert normalize("?!") == "?!"
    assert normalize("...") == "..."


def test_content_hash_is_sha256_hex_of_the_normal_form() -> None:
    import hashlib

    assert content_hash("Hi.") == hashlib.sha256(b"hi").hexdigest()


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Deploys go through Kestrel-00042 on Fridays at 14:30",
            {"?deploys": 1, "kestrel-00042": 1, "friday": 1, "14:30": 1},
        ),
        ("Our CI runs Python 3.12 on port 8080", {"ci": 1, "python": 1, "3.12": 1, "8080": 1}),
        (
            'Set user.editor to "nvim" in ~/.gitconfig',
            {"?set": 1, "user.editor": 1, '"nvim"': 1, "~/.gitconfig": 1},
        ),
        (
            "We don't deploy without approval, and never on a friday",
            {NEGATION: 3, "friday": 1},
        ),
        ("The team lead is Alice; she joined in March 2021", {"alice": 1, "march": 1, "2021": 1}),
        (
            "Logs are kept for thirty days, max 1,000 rows",
            {"?logs": 1, "30": 1, "day": 1, "max": 1, "1000": 1},
        ),
        ("It may rain in May", {"may": 1}),
        (
            "Caching is disabled for the snake_case API",
            {"?caching": 1, "disabled": 1, "snake_case": 1, "api": 1},
        ),
        ("the user prefers dark mode", {}),
        (
            "✅ Tests pass; p95 < 200 ms 👍",
            {"?tests": 1, "✅": 1, "p95": 1, "<": 1, "200": 1, "ms": 1, "👍": 1},
        ),
    ],
)
def test_facts(text: str, expected: dict[str, int]) -> None:
    assert facts(text) == Counter(expected)


def test_facts_names_are_case_insensitive() -> None:
    assert facts("We asked GitHub and Alice") == facts("we asked GITHUB and ALICE")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The project uses Python 3.12", "The project uses Python 3.11"),  # version
        ("Code reviews need two approvals", "Code reviews need three approvals"),  # number
        ("The contract renews on 2025-01-15", "The contract renews on 2025-07-15"),  # date
        ("The launch is planned for June", "The launch is planned for July"),  # month
        ("We deploy on Fridays", "We deploy on Thursdays"),  # weekday
        ("The user's manager is Priya", "The user's manager is Sanjay"),  # name
        ("Alice likes tea", "Bob likes tea"),  # sentence-initial name
        ("Deploys go through Kestrel-00042", "Deploys go through Kestrel-00058"),  # identifier
        ("The default editor is user.editor", "The default editor is core.editor"),  # dotted
        ("The API listens on port 8080", "The API listens on port 8081"),  # port
        ("Dave is allergic to peanuts", "Dave is not allergic to peanuts"),  # negation
        ("Tests can run in parallel", "Tests cannot run in parallel"),  # negation
        ("Caching is enabled in production", "Caching is disabled in production"),  # switch
        ("Run migrations before deploying", "Run migrations after deploying"),  # order in time
        ("The user prefers tabs over spaces", "The user prefers spaces over tabs"),  # role
        ("Alice mentors Bob", "Bob mentors Alice"),  # role
        ("Мне нравится кофе", "Мне не нравится кофе"),  # negation in Russian
        ("我喜欢喝咖啡", "我喜欢喝茶"),  # another drink, in Chinese
        ("Kullanıcı kahveyi seviyor", "Kullanıcı kahveyi sevmiyor"),  # Turkish negation
        ("l'utilisateur préfère le thé", "l'utilisateur préfère le café"),  # French
        ("Build status ✅", "Build status ❌"),  # emoji (the model: cosine 1.0)
        ("Latency must be < 100ms", "Latency must be > 100ms"),  # comparison
        ("Passwords need at least 12 characters", "Passwords need at most 12 characters"),
        ("The user lives north of the river", "The user lives south of the river"),
        ("Ana's birthday is March 3", "Ana's birthday is on the 4th of March"),  # other day
        ("We ship the 3rd release", "We ship 3 releases"),  # no month: an ordinal stays one
    ],
)
def test_same_information_keeps_distinct_facts_apart(a: str, b: str) -> None:
    assert not same_information(a, b)
    assert not same_information(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The user prefers dark mode", "User prefers dark mode."),
        ("We deploy on Fridays", "Deployments happen on Fridays"),
        ("Alice is the team lead", "The team lead is Alice"),
        ("The user does not drink coffee", "The user doesn't drink coffee"),
        ("Never force-push to main", "Do not ever force-push to main"),
        ("The user has two cats", "The user owns 2 cats"),
        ("The mobile app supports iOS and Android", "The mobile app supports Android and iOS"),
        ("Use ruff for linting", "Linting is done with ruff"),
        ("Backups run nightly at 02:00", "Nightly backups run at 02:00"),
        ("Пользователь любит кофе.", "пользователь любит кофе"),  # same words
        ("José prefers dark mode", "Dark mode is what José prefers"),
        ("Build is green ✅", "✅ The build is green"),
        ("Ana's birthday is March 3", "Ana's birthday is on the 3rd of March"),  # one day
        ("The audit is on 21st June", "The audit is on June 21"),
    ],
)
def test_same_information_merges_rewording(a: str, b: str) -> None:
    assert same_information(a, b)
    assert same_information(b, a)


def test_antonyms_are_not_facts() -> None:
    """The documented gap: only the cosine threshold can separate these."""
    assert same_information("The user prefers tabs", "The user prefers spaces")


def test_is_near_duplicate_needs_both_cosine_and_facts() -> None:
    same = ("The user prefers dark mode", "User prefers dark mode.")
    differ = ("The API listens on port 8080", "The API listens on port 8081")
    assert is_near_duplicate(*same, cosine=DEFAULT_NEAR_DUPLICATE)
    assert not is_near_duplicate(*same, cosine=DEFAULT_NEAR_DUPLICATE - 0.01)
    assert not is_near_duplicate(*differ, cosine=1.0)
    assert is_near_duplicate(*same, cosine=0.5, threshold=0.5)


# Cosines with all-MiniLM-L6-v2 (benchmarks/dedup_pairs.py) are noted for each pair.
MODEL_MERGE = [
    ("The mobile app supports iOS and Android", "The mobile app supports Android and iOS"),  # .996
    ("The user does not drink coffee", "The user doesn't drink coffee"),  # .988
    ("Backups run nightly at 02:00", "Nightly backups run at 02:00"),  # .985
    ("The user prefers dark mode", "User prefers dark mode."),  # .982
    ("Bob works on the billing service", "Bob is working on the billing service"),  # .978
    ("Alice is the team lead", "The team lead is Alice"),  # .970
]
MODEL_KEEP = [
    (
        "The regression was fixed in commit 3f2a9c1",
        "The regression was fixed in commit 3f2a9d1",
    ),  # .995
    ("The contract renews on 2025-01-15", "The contract renews on 2025-07-15"),  # .994
    ("Alice mentors Bob", "Bob mentors Alice"),  # .993
    ("The user prefers tabs over spaces", "The user prefers spaces over tabs"),  # .986
    ("Dave is allergic to peanuts", "Dave is not allergic to peanuts"),  # .977
    ("Deploys go through Kestrel-00042", "Deploys go through Kestrel-00058"),
    ("Alice likes tea", "Bob likes tea"),  # .670
]


@pytest.mark.model
def test_real_model_decisions(real_embedder: FastEmbedEmbedder) -> None:
    pairs = MODEL_MERGE + MODEL_KEEP
    left = real_embedder.embed_documents([a for a, _ in pairs])
    right = real_embedder.embed_documents([b for _, b in pairs])
    cosines = [float(c) for c in np.einsum("ij,ij->i", left, right)]
    decisions = {
        pair: is_near_duplicate(*pair, cosine=c) for pair, c in zip(pairs, cosines, strict=True)
    }
    assert [p for p in MODEL_MERGE if not decisions[p]] == []
    assert [p for p in MODEL_KEEP if decisions[p]] == []
    # The reason the facts check exists: cosine alone would merge most of the distinct pairs.
    keep_cosines = cosines[len(MODEL_MERGE) :]
    fooled = [
        p for p, c in zip(MODEL_KEEP, keep_cosines, strict=True) if c >= DEFAULT_NEAR_DUPLICATE
    ]
    assert len(fooled) >= 5

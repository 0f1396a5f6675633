"""policies/updates.py: which current memory a later one may update (no I/O, made-up vectors)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from memory_mcp.policies.update_words import says_change, whose
from memory_mcp.policies.updates import (
    CHANGE_NEWER_COSINE,
    CHANGE_SIMILAR_COSINE,
    NEWER_COSINE,
    SIMILAR_COSINE,
    close_to_any,
    later_values,
    may_list,
    newer_values,
    standing,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class M:
    id: int
    content: str
    kind: str = "fact"
    scope: str = "global"
    created_at: datetime = T0
    occurred_at: datetime | None = None
    superseded_by: int | None = None


def unit(angle: float) -> np.ndarray:
    """A 2-d unit vector: cosine between unit(a) and unit(b) is cos(a - b)."""
    return np.array([np.cos(angle), np.sin(angle)], np.float32)


CLOSE = float(np.arccos(SIMILAR_COSINE)) * 0.5  # cosine 0.92 between angle 0 and this
FAR = float(np.arccos(CHANGE_NEWER_COSINE)) * 1.2  # below every bar (0.37)
# Between the two bars: a later text marks this far only when it says it changes something.
MIDDLE = float(np.arccos((NEWER_COSINE + CHANGE_NEWER_COSINE) / 2))


def test_a_later_memory_a_fact_apart_is_named_on_the_older_only() -> None:
    old = M(1, "The staging database is on port 5433")
    new = M(2, "Staging DB moved to port 6543", created_at=T0 + timedelta(days=1))
    assert newer_values([new, old], {1: unit(0), 2: unit(CLOSE)}) == {1: 2}


def test_far_apart_or_the_same_facts_or_another_scope_names_nothing() -> None:
    old = M(1, "The staging database is on port 5433")
    later = T0 + timedelta(days=1)
    far = M(2, "Staging DB moved to port 6543", created_at=later)
    assert newer_values([old, far], {1: unit(0), 2: unit(FAR)}) == {}
    same = M(2, "Staging's database: port 5433", created_at=later)  # no fact differs
    assert newer_values([old, same], {1: unit(0), 2: unit(CLOSE)}) == {}
    other = M(2, "Staging DB moved to port 6543", scope="p1", created_at=later)
    assert newer_values([old, other], {1: unit(0), 2: unit(CLOSE)}) == {}


def test_only_standing_statements_count() -> None:
    """Events and dated notes (a turn of a conversation) are episodes, not values; a
    superseded memory has its successor already."""
    assert standing(M(1, "x")) and standing(M(1, "x", kind="note"))
    assert not standing(M(1, "x", kind="event"))
    assert not standing(M(1, "x", kind="note", occurred_at=T0))
    assert not standing(M(1, "x", superseded_by=5))
    old = M(1, "We met Carol on Tuesday", kind="event")
    new = M(2, "We met Carol on Friday", kind="event", created_at=T0 + timedelta(days=3))
    assert newer_values([old, new], {1: unit(0), 2: unit(CLOSE)}) == {}


def test_the_closest_later_value_is_named() -> None:
    old = M(1, "Code reviews need two approvals")
    later = M(2, "Code reviews need three approvals", created_at=T0 + timedelta(days=1))
    latest = M(3, "Code reviews need four approvals", created_at=T0 + timedelta(days=2))
    vectors = {1: unit(0), 2: unit(CLOSE * 0.5), 3: unit(CLOSE)}
    assert newer_values([old, later, latest], vectors) == {1: 2, 2: 3}


def test_two_subjects_values_are_not_one_things_update() -> None:
    later = T0 + timedelta(days=1)
    vectors = {1: unit(0), 2: unit(CLOSE)}
    alice = M(1, "Alice's email is alice@example.com")
    bob = M(2, "Bob's email is bob@example.com", created_at=later)
    assert newer_values([alice, bob], vectors) == {}
    switched = M(2, "Alice's email is alice.smith@example.com", created_at=later)
    assert newer_values([alice, switched], vectors) == {1: 2}


def test_a_later_text_that_says_it_changes_something_is_weighed_further_out() -> None:
    """ "I live in Berlin" / "I moved to Lisbon last month" sit at 0.39, as far apart as two
    facts of one topic that both hold: the later text's own words tell them apart."""
    later = T0 + timedelta(days=1)
    vectors = {1: unit(0), 2: unit(MIDDLE)}
    old = M(1, "The team standup is at 9am")
    assert newer_values([old, M(2, "Standup is now at 10:30", created_at=later)], vectors) == {1: 2}
    plain = M(2, "The design review is at 10:30", created_at=later)
    assert newer_values([old, plain], vectors) == {}
    added = M(2, "Standup is now also on Saturdays", created_at=later)  # beside, not instead
    assert newer_values([old, added], vectors) == {}


def test_one_change_updates_the_closest_value_said_before_it() -> None:
    """ "Staging DB moved to port 6543" is near both ports; it updates the staging one."""
    later = T0 + timedelta(days=1)
    staging = M(1, "The staging database is on port 5433")
    production = M(2, "The production database is on port 5432")
    moved = M(3, "Staging DB moved to port 6543", created_at=later)
    vectors = {1: unit(0), 2: unit(-MIDDLE * 0.6), 3: unit(MIDDLE * 0.5)}
    assert newer_values([production, staging, moved], vectors) == {1: 3}


def test_another_persons_value_is_not_the_writers() -> None:
    later = T0 + timedelta(days=1)
    vectors = {1: unit(0), 2: unit(CLOSE)}
    mine = M(1, "I live in Berlin")
    sister = M(2, "My sister moved to Lisbon", created_at=later)
    assert newer_values([mine, sister], vectors) == {}
    assert not may_list(mine.content, sister.content, 0.95)
    assert newer_values([mine, M(2, "I moved to Lisbon", created_at=later)], vectors) == {1: 2}


def test_remember_lists_a_change_further_out_than_a_plain_statement() -> None:
    between = (SIMILAR_COSINE + CHANGE_SIMILAR_COSINE) / 2
    old = "The project uses PostgreSQL 14"
    assert may_list(old, "We switched the database to MySQL 8", between)
    assert not may_list(old, "The analytics warehouse is BigQuery", between)
    assert not may_list(old, "We now also use Redis for caching", between)
    assert not may_list(old, "We switched the database to MySQL 8", CHANGE_SIMILAR_COSINE - 0.01)
    assert may_list(old, "The analytics warehouse is BigQuery", SIMILAR_COSINE)


@pytest.mark.parametrize(
    "text",
    [
        "We switched to pytest",
        "I moved to Lisbon last month",
        "I'm on New York time now",
        "We no longer deploy on Fridays",
        "We replaced Datadog with Grafana Loki",
        "I quit coffee last week",
        "I got promoted to senior developer",
        "I've decided to train for a full marathon instead",
        "Nous sommes passés à pytest",
        "Wir nutzen jetzt pnpm",
        "Ya no bebo café",
        "You should now use pnpm",  # a rule said with "now" is a change of the rule
        "Priya left; my manager is now Tom",
        "I left Google in May",
        "We switched to New Relic",
        "The login button is on the left now",
        "Wir sind auf pnpm gewechselt",
        "I'd moved to Lisbon before the summer",
    ],
)
def test_what_says_a_change(text: str) -> None:
    assert says_change(text)


@pytest.mark.parametrize(
    "text",
    [
        "The project uses PostgreSQL 14",
        "I live in Berlin",
        "We now also use Redis for caching",
        "I started learning the guitar too",
        "Metrics now go to Prometheus as well",
        "We opened a second office in Denver",
        "The user prefers tabs",
        "Port 5433 is reserved for staging",  # "port" is no move
        # a change wished for, planned, asked for or put as a condition is not made
        "We need a new logo for the conference",
        "I want to become a staff engineer",
        "We're hiring a new frontend developer",
        "We should switch to pnpm",
        "I'd like to move to Lisbon",
        "I’ll switch to Linux next year",
        "If we migrate to Kubernetes, logs go to Loki",
        "Don't quit the app with Ctrl+C",
        "Wir möchten auf pnpm wechseln",
        # "now" of the moment, "left" of a place, "New" of a name
        "Right now I'm debugging the login flow",
        "Just now the build failed on main",
        "The button on the left opens the menu",
        "Click the icon in the top left corner",
        "I left-click the icon",
        "New York is five hours behind us",
    ],
)
def test_what_says_no_change(text: str) -> None:
    assert not says_change(text)


def test_whose_value_a_statement_opens_with() -> None:
    assert whose("My sister moved to Lisbon") == "sister"
    assert whose("Our youngest daughter started fourth grade") == "daughter"
    assert whose("The user's partner went vegan") == "partner"
    assert whose("My manager is Dana") is None  # the writer's manager: the writer's value
    assert whose("I live in Berlin") is None and whose("My phone number is 555-0199") is None


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Mum moved to Leeds", "mum"),  # kin named without "my"
        ("Dad's new job is at Stripe", "dad"),
        ("My in-laws moved to Leeds", "in-laws"),
        ("My mother-in-law moved to Leeds", "mother-in-law"),
        ("Our neighbours moved to Leeds", "neighbour"),  # plural
        ("She moved to Leeds", "she"),
        ("His new job is at Stripe", "he"),
        ("Meine Schwester ist nach Leeds umgezogen", "schwester"),
        ("Ma sœur a déménagé à Leeds", "sœur"),
        ("Mi hermana se mudó a Leeds", "hermana"),
        ("Mia sorella si è trasferita a Leeds", "sorella"),
        ("Minha irmã mudou-se para Leeds", "irmã"),
    ],
)
def test_whose_value_in_every_form_a_person_is_named(text: str, person: str) -> None:
    assert whose(text) == person
    assert not may_list("I live in Berlin, in Kreuzberg", text, 0.95)


@pytest.mark.parametrize(
    "text",
    ["Herbs grow on the balcony", "Heroku is our host now", "Mi casa es azul", "Hero image moved"],
)
def test_a_word_that_starts_like_a_person_names_none(text: str) -> None:
    assert whose(text) is None


def test_a_named_persons_value_is_not_the_writers() -> None:
    """ "I work at Google" and "Sam's new job is at Stripe" are two people's jobs: a text in
    the writer's voice and one opening with another person's name that never speaks as the
    writer. A name that opens a thing's value ("Staging DB moved"), or a text that says
    "my" ("VS Code is my editor now"), may still update it."""
    between = (SIMILAR_COSINE + CHANGE_SIMILAR_COSINE) / 2
    mine = "I work at Google as a backend engineer"
    for theirs in [
        "Sam's new job is backend engineer at Stripe",
        "Tom now works at Google as a frontend engineer",
        "Anna moved to Stripe",
    ]:
        assert not may_list(mine, theirs, between), theirs
        assert not may_list("The user works at Google", theirs, between), theirs
    assert may_list("I use Neovim", "VS Code is my editor now", between)
    assert may_list("I keep staging on port 5433", "Staging DB moved to port 6543", between)
    assert may_list("My manager is Priya", "Priya left; my manager is now Tom", between)


def test_a_later_value_left_out_comes_with_the_hit_it_updates() -> None:
    """recall's candidates below the floor: the one said later that says it changes a head
    is shown with it; one said before, one that adds, another person's, no."""
    later = T0 + timedelta(days=1)
    head = M(1, "The user lives in Lisbon")
    moved = M(2, "I moved to Porto last month", created_at=later)
    beyond = float(np.arccos(CHANGE_SIMILAR_COSINE)) * 1.2  # what remember would not list
    vectors = {1: unit(0), 2: unit(MIDDLE), 3: unit(MIDDLE), 4: unit(beyond)}
    assert later_values([head], [moved], vectors, {}) == {1: moved}
    before = M(2, "I moved to Porto last month", created_at=T0 - timedelta(days=1))
    assert later_values([head], [before], vectors, {}) == {}
    sister = M(3, "My sister moved to Porto", created_at=later)
    added = M(3, "I now also rent a flat in Porto", created_at=later)
    assert later_values([head], [sister], vectors, {}) == later_values([head], [added], vectors, {})
    assert later_values([head], [sister], vectors, {}) == {}
    far = M(4, "I moved my desk to the window", created_at=later)
    assert later_values([head], [far], vectors, {}) == {}
    assert close_to_any([1], [2, 3, 4], vectors) == [2, 3]
    assert close_to_any([1], [4, 3, 6], vectors | {6: unit(CLOSE)}) == [6, 3]  # closest first
    event = M(2, "I moved to Porto last month", kind="event", created_at=later)
    assert later_values([head], [event], vectors, {}) == {}
    taste = M(5, "The user lives near the sea", created_at=later)  # close, says no change
    assert later_values([head], [taste], {1: unit(0), 5: unit(CLOSE)}, {}) == {}

"""Whose a statement about the user is: every about-user shape asks whether it names the
work (policies/statement_work.py). Who the user is stays theirs whatever it names; a taste
that names the work is a rule of the project, as "I prefer tabs" is; a habit of their life
told of a work occasion is neither; a heads-up about how the chat will go is not stored."""

import pytest

from memory_mcp.policies.statements import classify


def whose(sentence: str) -> tuple[str, bool] | None:
    found = classify(sentence)
    return None if found is None else (found.kind, found.about_user)


@pytest.mark.parametrize(
    "sentence",
    [
        "I avoid editing the lockfile by hand.",
        "I'm a big fan of early returns.",
        "I hate writing YAML.",
        "I refuse to use Jira.",
        "I won't use global variables.",
        "I have a strong dislike of ORMs.",
        "My favourite editor is Helix.",
        "I'm not a fan of monorepos.",
        "J'évite les ORM.",
        "Odio los tests inestables.",
        "Adoro i test automatici.",
        "Ich vermeide Merge-Commits.",  # a part of a compound names it
        "I love pre-commit hooks.",
        # the same words in every language, and a name's possessive is the name
        "Ich mag keine langen Funktionen.",  # as "I dislike long functions."
        "Ich vermeide globale Variablen.",  # as "Evito usar variables globales."
        "Evito le variabili globali.",
        "Je déteste les fonctions trop longues.",
        "I love Rust's type system.",
        "I love Go's error handling.",
        "I avoid using global state.",
        "I'm not a fan of magic numbers.",
        "My favourite shell is fish.",  # as "My favourite editor is Helix."
    ],
)
def test_a_taste_that_names_the_work_is_the_projects(sentence: str) -> None:
    assert whose(sentence) == ("preference", False)


@pytest.mark.parametrize(
    "sentence",
    [
        "I avoid spicy food.",
        "I'm a big fan of jazz.",
        "I hate cold weather.",
        "My favourite colour is green.",
        "J'adore la randonnée.",
        "Odio el calor.",
        "I love my mum's cooking.",
        "I love Jane's music.",
        "I don't like magic.",
        # a word of the work in another sense
        "I hate committing to plans too far ahead.",
        "I avoid flying from Terminal 5.",
        "I hate merging onto the motorway.",
        "I love the branches of old oak trees.",
        "I hate bugs, especially spiders.",
    ],
)
def test_a_taste_that_names_nothing_of_the_work_is_the_users(sentence: str) -> None:
    assert whose(sentence) == ("preference", True)


@pytest.mark.parametrize(
    "sentence",
    ["I'm a backend developer.", "I'm a member of the release team.", "I'm on the infra team."],
)
def test_who_the_user_is_stays_theirs_whatever_it_names(sentence: str) -> None:
    assert whose(sentence) == ("fact", True)


@pytest.mark.parametrize(
    "sentence",
    [
        "I only eat at my desk on release days.",
        "I only drink coffee on deploy days.",
        "I always wear headphones during code review.",
        "I never eat lunch before the standup.",
    ],
)
def test_a_habit_of_the_users_life_told_of_the_work_is_not_kept(sentence: str) -> None:
    assert whose(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("I only drink decaf after lunch.", ("preference", True)),
        ("I never wear a tie.", ("preference", True)),
        ("I always run the linter before pushing.", ("preference", False)),
    ],
)
def test_a_habit_that_names_no_work_day_is_kept_as_before(
    sentence: str, expected: tuple[str, bool]
) -> None:
    assert whose(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    ["I'm a night owl, so expect late messages.", "I'm an early riser, so expect replies at dawn."],
)
def test_a_heads_up_about_how_the_chat_will_go_is_not_kept(sentence: str) -> None:
    assert whose(sentence) is None


@pytest.mark.parametrize("sentence", ["I'm a night owl.", "I'm from Brazil, so excuse my English."])
def test_the_fact_alone_or_with_an_apology_is_kept(sentence: str) -> None:
    assert whose(sentence) == ("fact", True)


@pytest.mark.parametrize(
    "sentence",
    [
        "I prefer practice tests.",
        "I like timed practice tests before an exam.",
        "I dislike using wearable technology.",
        "I avoid brands that test on animals.",
        "I love retro furniture.",
    ],
)
def test_a_word_of_the_work_in_another_trades_sense_is_not_the_work(sentence: str) -> None:
    assert whose(sentence) == ("preference", True)


@pytest.mark.parametrize(
    "sentence", ["I prefer unit tests over integration tests.", "I hate retros."]
)
def test_the_same_words_in_the_works_sense_stay_the_projects(sentence: str) -> None:
    assert whose(sentence) == ("preference", False)

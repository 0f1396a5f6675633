"""Whose a statement is: the user's (every project's briefing shows it) or the project's.
A first-person taste is the user's unless it names the work (policies/statement_work.py)."""

import pytest

from memory_mcp.policies.statement_work import names_work
from memory_mcp.policies.statements import classify, kept_without_project


@pytest.mark.parametrize(
    "sentence",
    [
        "I like jazz.",
        "I like to cook.",
        "I prefer visual explanations.",
        "I prefer short answers.",
        "I prefer tea over coffee.",
        "I really like long walks on the beach.",
        "As a student, I'd rather see an example first.",
        "I prefer to go to bed early.",  # "go" the verb, not Go the language
        '"I prefer not to wear fur."',
        "I strongly prefer cruelty-free cosmetics that have not been tested on animals.",
        "I always avoid wearing bright colours.",  # a habit said as a rule: stored in the project
        "I never eat pork.",
    ],
)
def test_a_taste_with_no_word_of_the_work_is_about_the_user(sentence: str) -> None:
    found = classify(sentence)
    assert found is not None and found.kind == "preference" and found.about_user


@pytest.mark.parametrize(
    "sentence",
    [
        "I prefer tabs.",
        "I like small commits.",
        "We use Go.",
        "I prefer Go for services.",
        "I prefer pytest to unittest.",
        "I like descriptive variable names.",
        "I prefer named arguments over positional ones.",
        "I'd rather keep uv.lock in git.",
        "I like to see the diff before you commit.",
        "We prefer short answers in code review.",  # a team speaks: its project's
        "As a tech lead, I prefer boring technology.",
        "I prefer small pull requests.",
        "I always run the linter before pushing.",
        "I always use uv.",
        "Never commit secrets.",  # no "I": the project's rule
    ],
)
def test_a_taste_that_names_the_work_stays_with_the_project(sentence: str) -> None:
    found = classify(sentence)
    assert found is not None and found.kind == "preference" and not found.about_user


@pytest.mark.parametrize(
    ("text", "work"),
    [
        ("snake_case everywhere", True),
        ("call run() first", True),
        ("the camelCase names", True),
        ("C++ and C#", True),
        ("Black formats it", True),
        ("black coffee", False),
        ("yoga classes in the morning", False),
        ("all types of music", False),
        ("a mock exam", False),
    ],
)
def test_what_names_the_work(text: str, work: bool) -> None:
    assert names_work(text) is work


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("We use tabs for indentation.", False),  # a team's convention: which team?
        ("Our convention is to use snake_case.", False),
        ("We always deploy on Fridays.", False),
        ("On utilise toujours pnpm.", False),
        ("Wir benutzen immer Tabs.", False),
        ("Usiamo sempre pytest.", False),
        ("Preferimos usar pytest.", False),
        ("Always answer in French.", True),  # the user's own rule, wherever they work
        ("Never deploy on Fridays.", True),
        ("Always run the tests on CI.", True),
        ("I prefer tabs.", True),
        ("I prefer short answers.", True),
    ],
)
def test_in_no_project_a_convention_said_for_a_group_is_not_kept(sentence: str, kept: bool) -> None:
    found = classify(sentence)
    assert found is not None
    assert kept_without_project(found.kind, found.about_user, found.text) is kept


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("Wir nutzen immer pnpm.", False),
        ("Bei uns nutzt man immer pnpm.", False),
        ("Hier nutzt man immer Tabs.", False),
        ("Man sollte immer Tests schreiben.", False),
        ("Usamos siempre pnpm.", False),
        ("Nós usamos sempre pnpm.", False),
        ("A gente usa sempre pnpm.", False),
        ("Ici, on utilise toujours pnpm.", False),
        ("Ici on utilise toujours des tabulations.", False),
        ("Dans l'équipe, on fait toujours des revues de code.", False),
        ("Chez nous, on relit toujours les PR.", False),
        ("Benutze immer pnpm.", True),  # the user's own rule, in each language
        ("Usa siempre pnpm.", True),
        ("Utilise toujours pnpm.", True),
        ("Never trust man pages blindly.", True),
        ("Always run the linter, on save.", True),
        ("Never commit on Fridays, on principle.", True),
    ],
)
def test_a_groups_convention_in_each_language_is_not_kept_in_no_project(
    sentence: str, kept: bool
) -> None:
    found = classify(sentence)
    assert found is not None
    assert kept_without_project(found.kind, found.about_user, found.text) is kept

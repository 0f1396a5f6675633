"""Classes of lasting statements capture missed: a group the user belongs to, a move to a
place, a habit with its frequency (in each of the six languages), and "I need you to" + a
rule; each next to what shares its words and is not one."""

import pytest

from memory_mcp.policies.statements import classify


def about_user(sentence: str) -> tuple[str, bool] | None:
    found = classify(sentence)
    return None if found is None else (found.kind, found.about_user)


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm a member of the platform team.",
        "I'm part of the security guild.",
        "I belong to a local running club.",
        "I'm a member of the choir at my church.",
        "I joined the mobile team last month.",
        "Je fais partie de l'équipe plateforme.",
        "Je suis membre d'une association de quartier.",
    ],
)
def test_a_group_the_user_belongs_to_is_a_fact_about_them(sentence: str) -> None:
    assert about_user(sentence) == ("fact", True)


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm part of the problem.",
        "I'm part of the review for this PR.",
        "I joined the team call late.",
        "I'm a member of this channel.",
    ],
)
def test_a_part_in_what_goes_on_is_no_membership(sentence: str) -> None:
    assert classify(sentence) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "I moved to Lisbon last year.",
        "I moved to Berlin in 2019.",
        "I recently relocated to Toronto.",
        "I moved here from Brazil.",
        "I moved to a small town last spring.",
        "J'ai déménagé à Lyon l'année dernière.",
        "Ich bin letztes Jahr nach Hamburg gezogen.",
        "Me mudé a Madrid hace dos años.",
        "Mudei-me para Lisboa em 2021.",
        "Mi sono trasferita a Milano l'anno scorso.",
        "I moved to Seattle.",
        "I moved to Nice last summer.",
        "I moved to Reading for work.",
        "I moved to London for my new job.",
        "I moved to Denver for my kids.",
        # a place whose name opens with a product's: the whole name is the place
        "I moved to Signal Hill last year.",
        "I moved to Bear Creek in March.",
        "I just moved to Arch Cape.",
        "I recently moved to Teams Valley.",
    ],
)
def test_a_move_to_a_place_is_a_fact_about_the_user(sentence: str) -> None:
    assert about_user(sentence) == ("fact", True)


@pytest.mark.parametrize(
    "sentence",
    [
        "I moved to Postgres.",
        "I moved to Poetry last year.",
        "I moved to VS Code.",
        "I moved the file to src.",
        "I moved to the new API.",
        "I moved to Linear.",  # a product people move their work to
        "I moved to Notion for my notes.",
        "I moved to Figma last month.",
        "I moved here from Windows.",
        "I moved to Coda for our docs.",  # what it is for names the work
        "I moved to Basecamp for the tickets.",
        "I moved to GitHub Actions.",  # a product with a part's name
        "I moved to Arch Linux.",
    ],
)
def test_a_move_to_a_tool_or_of_a_file_is_not_about_the_user(sentence: str) -> None:
    found = classify(sentence)
    assert found is None or not found.about_user


@pytest.mark.parametrize(
    "sentence",
    [
        "I do yoga every morning.",
        "I go swimming twice a week.",
        "I walk my dog every evening.",
        "I call my mum on Sundays.",
        "Je fais du yoga tous les jours.",
        "Je vais à la piscine deux fois par semaine.",
        "Ich mache jeden Tag Yoga.",
        "Ich gehe jeden Morgen joggen.",  # "Morgen" there is no "tomorrow"
        "Hago yoga todos los días.",
        "Voy al gimnasio tres veces por semana.",
        "Faço caminhada todas as manhãs.",
        "Vou à academia duas vezes por semana.",
        "Faccio yoga ogni mattina.",
        "Vado in palestra tre volte a settimana.",
    ],
)
def test_a_habit_with_its_frequency_is_about_the_user(sentence: str) -> None:
    assert about_user(sentence) == ("preference", True)


@pytest.mark.parametrize(
    "sentence",
    [
        "I check the logs every day.",
        "I go over the backlog every Monday.",
        "I do a release every Friday.",
        "I do this every day.",
        "Je fais une sauvegarde du projet tous les soirs.",
        "Ich gehe morgen joggen.",  # tomorrow: one time
    ],
)
def test_a_routine_of_the_work_or_a_one_off_is_no_habit_of_the_user(sentence: str) -> None:
    found = classify(sentence)
    assert found is None or not found.about_user


@pytest.mark.parametrize(
    "sentence",
    [
        "I need you to never touch the migrations folder.",
        "I need you to always run the tests before committing.",
        "I need you to not touch the generated files.",
        "We want you to never push to main.",
    ],
)
def test_i_need_you_to_with_a_rule_is_the_projects_rule(sentence: str) -> None:
    assert about_user(sentence) == ("preference", False)


@pytest.mark.parametrize(
    "sentence",
    [
        "I need you to fix this.",
        "I need you to never do that again.",
        "I need you to look at the logs.",
        "I need you to not worry about it.",
    ],
)
def test_i_need_you_to_for_this_task_is_not_kept(sentence: str) -> None:
    assert classify(sentence) is None

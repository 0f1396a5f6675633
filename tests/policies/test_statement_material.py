"""What a message hands over to be worked on (an email, a README, a web page, someone's
words) is not the user's statement; the user's own words around it still are."""

import pytest

from memory_mcp.policies.statements import durable


@pytest.mark.parametrize(
    "message",
    [
        "Can you help me reply to this email?\nI live in Leeds. Always send me the agenda.",
        "Summarize this README:\nAlways run the linter before committing.",
        "Translate to French:\nI am a vegetarian and I always take the train.",
        "here's a page I found: I'm Jane. I love hiking and I have a dog named Max.",
        "My colleague says: I prefer short answers.",
        "She wrote: I'm allergic to peanuts.",
        "Proofread my essay. I grew up in a small village. I am allergic to peanuts.",
        "Here is the text below\nI'm a nurse and I live in Berlin.",
        "Write a story in the first person: I am a pilot. I live in Nice and I love sailing.",
        "Let's role-play. You are a barista and I am a customer. I live in Paris and I love jazz.",
        "I'd like to roleplay an interview.\nI'm a nurse and I live in Berlin.",
    ],
)
def test_material_handed_over_states_nothing(message: str) -> None:
    assert durable(message) == []


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        ("I'm a teacher. Reply to this email:\nI live in Leeds.", ["I'm a teacher."]),
        (
            "Always answer in German.\nTranslate this letter:\nI'm Tom.",
            ["Always answer in German."],
        ),
        ("Please always add this header to every page.\nNever use emojis.", 2),
        ("Always update the README when you add a module.\nI prefer tabs.", 2),
        ("Can you review my code?\nI prefer functional style.", ["I prefer functional style."]),
        ("I'm a nurse and I live in Berlin. Always answer in German.", 2),
        ("Pretend you are my French teacher.\nI am a vegetarian and I live in Lyon.", 1),
        ("Always write tests first.\nI prefer tabs.", 2),
    ],
)
def test_the_users_own_words_around_it_are_kept(message: str, kept: list[str] | int) -> None:
    found = [s.text for s in durable(message)]
    assert found == kept if isinstance(kept, list) else len(found) == kept


@pytest.mark.parametrize(
    "message",
    [
        "Résume ce document :\nJe suis végétarienne. Utilisez toujours des tabulations.",
        "Peux-tu relire cette lettre ?\nJe suis infirmière et j'habite à Lyon.",
        "Kannst du auf diese E-Mail antworten?\nIch wohne in Berlin. Ich bin Vegetarier.",
        "Fasse diesen Artikel zusammen:\nIch bin Lehrerin. Ich wohne in Köln.",
        "¿Puedes responder a este correo?\nVivo en Madrid. Soy vegetariano.",
        "Resume este artículo:\nSoy enfermera. Vivo en Sevilla.",
        "Podes responder a este e-mail?\nMoro em Lisboa. Sou vegetariana.",
        "Resuma este texto:\nSou professora. Moro no Porto.",
        "Puoi rispondere a questa email?\nVivo a Roma. Sono vegetariano.",
        "Riassumi questo articolo:\nSono infermiera. Vivo a Torino.",
        "Mein Kollege schreibt: Ich bin Vegetarier.",
        "Faisons un jeu de rôle. Je suis une cliente. J'habite à Paris.",
    ],
)
def test_a_lead_in_each_language_hands_over_material(message: str) -> None:
    assert durable(message) == []


@pytest.mark.parametrize(
    "message",
    [
        "From: Jane Doe <jane@example.org>\nSubject: Re: onboarding\n\nI live in Leeds. "
        "Always run the linter before pushing.",
        "Subject: team lunch\nFrom: Bob\n\nI'm vegan and I live in Bristol.",
        "Von: Anna\nBetreff: Urlaub\n\nIch wohne in Hamburg.",
        "---------- Forwarded message ---------\nFrom: Ana\nI'm a nurse and I live in Porto.",
        "Begin forwarded message:\n\nI am allergic to peanuts.",
        'What do you make of this?\n"I\'m a nurse. I live in Leeds."',
        "Thoughts on this quote?\n\u201cI live in Leeds\nand I never eat meat.\u201d",
    ],
)
def test_material_with_no_lead_line_states_nothing(message: str) -> None:
    assert durable(message) == []


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        ("I'm vegan.\nFrom: Bob\nTo: Ana\n\nI live in Leeds.", ["I'm vegan."]),
        ('I said "always" by mistake earlier. I live in York.', ["I live in York."]),
        ('> I live in Leeds.\n"Quoted," she said.\nI live in York.', ["I live in York."]),
        ("Réponds toujours en français.\nJe suis végétarienne.", 2),
        ("Antworte immer auf Deutsch.\nIch bin Vegetarier.", 2),
        ('"I avoid anything with gluten."', 1),  # all quote: their own words, quoted
        ("From now on, always use uv.\nSubject lines stay short.", 1),
    ],
)
def test_the_users_own_words_beside_unled_material_are_kept(
    message: str, kept: list[str] | int
) -> None:
    found = [s.text for s in durable(message)]
    assert found == kept if isinstance(kept, list) else len(found) == kept


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        ("Write commit messages in the imperative mood. Always use uv.", ["Always use uv."]),
        ("Review the PR description. Always squash merges.", ["Always squash merges."]),
        ("Proofread my essay. I grew up in a small village. I am allergic to peanuts.", []),
        ("Corrige ma lettre. J'habite à Lyon.", []),
    ],
)
def test_a_task_on_a_kind_of_text_is_a_rule_not_a_lead(message: str, kept: list[str]) -> None:
    """'Write commit messages ...' says how to write them; 'Proofread my essay.' hands one
    over. The first ended the message there: 'Always use uv.' was lost."""
    assert [s.text for s in durable(message)] == kept

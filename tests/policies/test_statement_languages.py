"""Durable statements in French, German, Spanish, Portuguese and Italian: the same rules,
choices and conventions as in English, and the same silences (questions, hypotheticals,
hedges, what holds for now, complaints, one-off requests)."""

import pytest

from memory_mcp.policies.statements import classify, durable

DURABLE = [
    # French
    ("On utilise toujours pnpm dans ce dépôt.", "preference"),
    ("Utilise toujours uv pour Python.", "preference"),
    ("N'utilise jamais pip directement.", "preference"),
    ("Ne touche jamais aux fichiers générés.", "preference"),
    ("Ne jamais committer les fichiers générés.", "preference"),
    ("Je préfère les tests paramétrés.", "preference"),
    ("Désormais, lance le linter avant chaque commit.", "preference"),
    ("Par convention, les migrations vont dans db/migrations.", "preference"),
    ("Les tests ne doivent jamais appeler le réseau.", "preference"),
    ("On a décidé de garder les jetons dans l'environnement.", "decision"),
    ("Non, on utilise toujours pnpm.", "preference"),
    # German
    ("Ich bevorzuge Tabs.", "preference"),
    ("Wir verwenden immer pnpm.", "preference"),
    ("Verwende immer uv für Python.", "preference"),
    ("Benutze nie pip direkt.", "preference"),
    ("Nie die generierten Dateien committen.", "preference"),
    ("Committe keine Secrets ins Repo.", "preference"),
    ("Ab sofort läuft der Linter vor jedem Commit.", "preference"),
    ("In diesem Repo nutzen wir immer pnpm.", "preference"),
    ("Tests dürfen nie das echte Netzwerk aufrufen.", "preference"),
    ("Wir haben uns für Postgres 16 entschieden.", "decision"),
    ("Ich würde lieber kleine Commits sehen.", "preference"),
    # Spanish
    ("Preferimos usar pytest.", "preference"),
    ("Usamos siempre pnpm en este repo.", "preference"),
    ("Usa siempre uv para Python.", "preference"),
    ("Nunca uses pip directamente.", "preference"),
    ("No toques los archivos generados.", "preference"),
    ("A partir de ahora ejecuta el linter antes de cada commit.", "preference"),
    ("Hemos decidido mantener los tokens en el entorno.", "decision"),
    ("Los tests nunca deben llamar a la red.", "preference"),
    # Portuguese
    ("Preferimos usar pytest.", "preference"),
    ("Usamos sempre pnpm neste repositório.", "preference"),
    ("Use sempre uv para Python.", "preference"),
    ("Nunca use pip diretamente.", "preference"),
    ("Não mexa nos arquivos gerados.", "preference"),
    ("De agora em diante rode o linter antes de cada commit.", "preference"),
    ("Decidimos manter os tokens no ambiente.", "decision"),
    ("A gente sempre usa pnpm.", "preference"),
    # Italian
    ("Usiamo sempre pytest.", "preference"),
    ("Usiamo sempre pnpm in questo repository.", "preference"),
    ("Usa sempre uv per Python.", "preference"),
    ("Non usare mai pip direttamente.", "preference"),
    ("Non toccare i file generati.", "preference"),
    ("D'ora in poi esegui il linter prima di ogni commit.", "preference"),
    ("Preferisco i test parametrizzati.", "preference"),
    ("Abbiamo deciso di tenere i token nell'ambiente.", "decision"),
]

NOT_DURABLE = [
    # questions, with or without their mark
    "Est-ce qu'on utilise toujours pnpm ?",
    "On utilise toujours pnpm?",
    "Pourquoi on utilise toujours pnpm",
    "Verwenden wir immer pnpm?",
    "Warum verwenden wir immer pnpm",
    "¿Usamos siempre pnpm en este repo?",
    "Por qué usamos siempre pnpm",
    "Usamos sempre pnpm?",
    "Por que usamos sempre pnpm",
    "Usiamo sempre pytest?",
    "Perché usiamo sempre pytest",
    # hypotheticals and hedges
    "Si on utilisait toujours pnpm, ce serait plus simple.",
    "On pourrait peut-être toujours utiliser pnpm.",
    "Je pense qu'on utilise toujours pnpm.",
    "Wenn wir immer pnpm verwenden würden, wäre es einfacher.",
    "Vielleicht sollten wir immer pnpm verwenden.",
    "Si usáramos siempre pnpm, todo sería más fácil.",
    "Quizás deberíamos usar siempre pnpm.",
    "Creo que usamos siempre pnpm.",
    "Se usássemos sempre pnpm, seria mais fácil.",
    "Talvez devêssemos usar sempre pnpm.",
    "Se usassimo sempre pnpm, sarebbe più facile.",
    "Forse dovremmo usare sempre pnpm.",
    # for now
    "Pour l'instant, utilise toujours la branche de test.",
    "Utilise toujours la branche de test aujourd'hui.",
    "Verwende heute immer den Test-Branch.",
    "Por ahora usa siempre la rama de pruebas.",
    "Por enquanto use sempre a branch de testes.",
    "Per ora usa sempre il branch di test.",
    # complaints, moods and what happens to the speaker
    "Ça plante toujours au deuxième lancement.",
    "J'oublie toujours comment marche cette regex.",
    "On a toujours le même problème.",
    "Es klappt nie beim ersten Mal.",
    "Ich vergesse immer, wie das geht.",
    "Immer diese Fehler beim Bauen.",
    "Falla siempre en la segunda ejecución.",
    "Siempre olvido cómo funciona esto.",
    "Falha sempre na segunda execução.",
    "Sempre esqueço como isso funciona.",
    "Crasha sempre al secondo avvio.",
    "Dimentico sempre come funziona.",
    # one-off requests and approvals
    "Ne t'inquiète pas pour ça.",
    "Ne change rien d'autre.",
    "Je préfère celle-ci.",
    "Mach dir keine Sorgen.",
    "Ich bevorzuge die erste Variante.",
    "No te preocupes por eso.",
    "No cambies nada más.",
    "Não se preocupe com isso.",
    "Prefiro essa.",
    "Non preoccuparti.",
    "Non fare altro.",
    "Preferisco questa.",
    # English that reads like another language's shape
    "No changes needed.",
    "No issues found.",
    "No matches for the query in the logs.",
]


@pytest.mark.parametrize(("sentence", "kind"), DURABLE)
def test_rules_and_decisions_are_found_in_five_more_languages(sentence: str, kind: str) -> None:
    found = classify(sentence)
    assert found is not None and found.kind == kind, sentence


@pytest.mark.parametrize("sentence", NOT_DURABLE)
def test_questions_hypotheticals_for_now_and_complaints_are_not(sentence: str) -> None:
    assert classify(sentence) is None


def test_a_correction_is_stored_without_its_no() -> None:
    found = classify("Non, on utilise toujours pnpm.")
    assert found is not None and found.text == "On utilise toujours pnpm."
    found = classify("Nein, wir verwenden immer pnpm.")
    assert found is not None and found.text == "Wir verwenden immer pnpm."


def test_a_message_is_split_at_sentences_starting_with_an_accent_or_inverted_mark() -> None:
    message = "Ça marche. Évite les imports circulaires. Ünd dann? ¿Usamos siempre pnpm?"
    assert [s.split()[0] for s in durable(message) or []] == []
    found = durable("Merci. On utilise toujours pnpm. Également, par convention, tabs.")
    assert [f.text for f in found] == [
        "On utilise toujours pnpm.",
        "Également, par convention, tabs.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Ne marche pas du tout.",
        "N'arrive pas à compiler le projet.",
        "Je ne comprends jamais ce code.",
        "Kriege keine Verbindung zur Datenbank.",
        "Ich verstehe nie, was das soll.",
        "Nunca entiendo este código.",
        "Nunca entendo esse código.",
        "Mai visto un errore così.",
    ],
)
def test_what_happens_to_the_speaker_with_a_dropped_subject_is_not_a_rule(sentence: str) -> None:
    assert classify(sentence) is None


# A negated rule or decision says what is not the rule, as "We don't always use Docker" and
# "We have not decided to use Postgres" do in English (both silent there).
NEGATED = [
    "Wir verwenden nicht immer Docker.",
    "Wir haben nicht entschieden, Postgres zu nehmen.",
    "Wir haben uns noch nicht entschieden.",
    "No siempre usamos Docker.",
    "No hemos decidido usar Postgres.",
    "Todavía no decidimos nada.",
    "Não usamos sempre Docker.",
    "Não decidimos usar Postgres.",
    "Non usiamo sempre Docker.",
    "Non abbiamo deciso di usare Postgres.",
    "Non abbiamo ancora scelto il database.",
]


@pytest.mark.parametrize("sentence", NEGATED)
def test_a_negated_rule_or_decision_is_not_one(sentence: str) -> None:
    assert classify(sentence) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Wir haben entschieden, keine Mocks zu nutzen.",
        "Wir haben beschlossen, nie wieder Mocks zu nutzen.",
        "Hemos decidido no usar mocks.",
        "Decidimos não usar mocks.",
        "Abbiamo deciso di non usare mock.",
        "Non usiamo mai i mock nei test.",
        "Wir verwenden nie Mocks.",
    ],
)
def test_a_rule_or_decision_to_not_do_something_still_is_one(sentence: str) -> None:
    assert classify(sentence) is not None


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Je suis allergique aux arachides.", "fact"),
        ("J'habite à Lyon.", "fact"),
        ("J'apprends l'allemand.", "fact"),
        ("Ma fille s'appelle Léa.", "fact"),
        ("J'évite le gluten.", "preference"),
        ("Ich bin Vegetarier.", "fact"),
        ("Ich arbeite bei Siemens.", "fact"),
        ("Meine Tochter heißt Mia.", "fact"),
        ("Ich esse kein Fleisch.", "preference"),
        ("Soy vegetariana.", "fact"),
        ("Tengo dos hijos.", "fact"),
        ("No como carne.", "preference"),
        ("Me encanta el senderismo.", "preference"),
        ("Moro em Lisboa.", "fact"),
        ("Minha filha se chama Ana.", "fact"),
        ("Não como carne.", "preference"),
        ("Sono vegetariano.", "fact"),
        ("Mia figlia si chiama Giulia.", "fact"),
        ("Evito il glutine.", "preference"),
    ],
)
def test_what_users_say_about_themselves_is_kept_in_five_more_languages(
    sentence: str, kind: str
) -> None:
    found = classify(sentence)
    assert found is not None and found.kind == kind and found.about_user


@pytest.mark.parametrize(
    "sentence",
    [
        "Je suis fatigué.",
        "J'adore ça.",
        "Je suis végétarien pour l'instant.",
        "Ich bin nicht vegan.",
        "Ich liebe die Idee.",
        "Ich wohne in der Nähe.",
        "Ich lerne gerade Spanisch.",
        "Vielleicht bin ich Vegetarier.",
        "Odio esto.",
        "Me encanta esta idea.",
        "Adoro isso.",
        "Odio questo.",
        "Sono stanco.",
    ],
)
def test_moods_and_reactions_in_five_more_languages_are_not_kept(sentence: str) -> None:
    assert classify(sentence) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "J'adore la nouvelle interface.",
        "J'adore le résultat.",
        "Je n'aime pas le nom de cette fonction.",
        "J'évite de toucher à ce fichier.",
        "Ich hasse den Build-Prozess hier.",
        "Ich vermeide die Datei, weil sie generiert ist.",
        "Ich vermeide den alten Code.",
        "Me encanta la nueva versión.",
        "Evito el archivo generado.",
        "No me gusta el nombre de esta función.",
        "Adoro a nova interface.",
        "Amo o resultado.",
        "Adoro la nuova interfaccia.",
        "Amo il risultato.",
        "Non mi piace il nome di questa funzione.",
        # German writes every noun with a capital: a manner, not a place or a subject
        "Ich arbeite bei Bedarf auch am Wochenende.",
        "Ich lebe in Angst vor Merge-Konflikten.",
        "Ich arbeite für Geld, nicht aus Spaß.",
        "Ich studiere Logs.",
    ],
)
def test_a_taste_for_what_is_on_the_screen_is_not_kept_in_five_more_languages(
    sentence: str,
) -> None:
    """Something new or old, a demonstrative, "here", or what a session shows (heldout5)."""
    assert classify(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Je suis marié.", "fact"),
        ("Ich bin verheiratet.", "fact"),
        ("Ich studiere Medizin.", "fact"),
        ("Ich studiere Politikwissenschaft.", "fact"),
        ("Ich arbeite bei Siemens als Ingenieurin.", "fact"),
        ("Ich wohne in Bad Homburg.", "fact"),
        ("Estoy casada.", "fact"),
        ("Sou casado.", "fact"),
        ("Sono sposata.", "fact"),
        ("Sono uno sviluppatore backend.", "fact"),
        ("Ich esse kein Fleisch.", "preference"),
        ("J'adore la randonnée.", "preference"),
        ("Adoro la pizza.", "preference"),
    ],
)
def test_marriage_a_subject_studied_and_every_article_are_kept_in_five_more_languages(
    sentence: str, kind: str
) -> None:
    found = classify(sentence)
    assert found is not None and found.kind == kind and found.about_user

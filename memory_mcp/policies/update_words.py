"""What a statement's own words say about whether it changes an earlier value, and whose
value it is. Pure functions over text, no I/O.

Two values of one thing are often far apart in meaning ("The project uses PostgreSQL 14" /
"We switched the database to MySQL 8": cosine 0.28 with all-MiniLM-L6-v2; "I live in Berlin"
/ "I moved to Lisbon last month": 0.39), as far as unrelated memories of one topic. What
tells the update apart is that its writer says it changes something: "switched", "moved to",
"now", "no longer", "instead", "new". A statement that adds ("We now also use Redis") changes
nothing, and a change of someone else's ("My sister moved to Lisbon") is not the user's.
"""

import re
from functools import lru_cache

# Words a writer uses to say that something is no longer as it was: a move, a switch, a
# replacement, a start or stop, a "now" / "no longer" / "instead" / "new". English first
# (the embedding model's language), then the other languages capture reads.
_CHANGE = re.compile(
    r"\b(?:"
    r"switch(?:ed|ing)?|mov(?:ed|ing)|migrat(?:ed|ing)|relocat(?:ed|ing)|upgrad(?:ed|ing)"
    r"|downgrad(?:ed|ing)|replac(?:ed|ing)|rewr(?:ote|itten)|renam(?:ed|ing)|chang(?:ed|ing)"
    r"|convert(?:ed|ing)|port(?:ed|ing) (?:it |us |them )?to|transitioned|quit|stopped"
    r"|gave up|given up|left|promoted|demoted|became|become|now|anymore|any more|no longer"
    r"|not any ?more|new|instead|these days|nowadays|from now on|since then"
    r"|(?:got|getting) (?:engaged|married|divorced|a new)|started|finished|gone|went"
    # French, German, Spanish, Italian, Portuguese: now / no longer / moved / switched
    r"|maintenant|désormais|dorénavant|ne \w+ plus|déménagé|passé à|passés à|remplacé"
    r"|jetzt|nun|inzwischen|nicht mehr|kein \w+ mehr|umgezogen|gewechselt|ersetzt"
    r"|ahora|ya no|me mudé|nos mudamos|cambiamos|cambié|reemplazado"
    r"|adesso|ormai|non \w+ più|trasferit[oaie]|passat[oaie] a|sostituit[oaie]"
    r"|agora|já não|não \w+ mais|mudei|mudamos|trocamos|troquei|substituído"
    r")\b",
    re.IGNORECASE,
)
# Words that make a change an addition beside what was ("also", "too", "as well", "a second").
_ADDED = re.compile(
    r"\b(?:also|too|as well|in addition|additionally|another|second|aussi|également|auch"
    r"|zusätzlich|también|además|anche|inoltre|também)\b",
    re.IGNORECASE,
)
# People a statement may be about instead of its writer ("My sister moved to Lisbon").
_PEOPLE = (
    "sister|brother|sibling|wife|husband|spouse|partner|fiancée?|girlfriend|boyfriend|son"
    "|daughter|kid|kids|child|children|baby|mother|father|mom|mum|mommy|dad|daddy|parents"
    "|grandma|grandpa|grandmother|grandfather|grandparents|cousin|aunt|uncle|niece|nephew"
    "|friend|friends|neighbou?r|roommate|flatmate|colleague|coworker|co-worker|boss|dog|cat"
)
# ... and as the other languages capture reads say it ("Meine Schwester ist umgezogen").
_THEIR_PEOPLE = (
    r"(?:mein|meine|meinen|meiner|unser|unsere)\s+(?:\w+\s+)?(schwester|bruder|mutter|vater"
    r"|eltern|frau|mann|freundin|freund|sohn|tochter|kinder|oma|opa|kollegin|kollege|chef"
    r"|chefin|nachbar|nachbarin)"
    r"|(?:ma|mon|mes|notre|nos)\s+(?:\w+\s+)?(sœur|soeur|frère|frere|mère|mere|père|pere"
    r"|parents|femme|mari|amie?|fils|fille|enfants|collègue|chef|voisine?|copine|copain)"
    r"|(?:mi|mis|nuestra|nuestro)\s+(?:\w+\s+)?(hermana|hermano|madre|padre|padres|esposa"
    r"|esposo|mujer|marido|amiga|amigo|hija|hijo|hijos|jefe|jefa|vecina|vecino|novia|novio)"
    r"|(?:mia|mio|miei|mie|nostra|nostro)\s+(?:\w+\s+)?(sorella|fratello|madre|padre"
    r"|genitori|moglie|marito|amica|amico|figlia|figlio|figli|capo|vicina|vicino)"
    r"|(?:minha|meu|meus|minhas|nossa|nosso)\s+(?:\w+\s+)?(irmã|irmão|mãe|pai|pais|esposa"
    r"|marido|mulher|amiga|amigo|filha|filho|filhos|chefe|vizinha|vizinho)"
)
_SOMEONE = re.compile(
    r"^\W*(?:"
    rf"(?:(?:my|our|the user's|user's)\s+(?:[\w-]+\s+)?(\w+-in-law|in-laws|{_PEOPLE})"
    r"|(mum|mom|mommy|mama|dad|daddy|papa|grandma|grandpa|granny|he|she|his|her))"
    rf"(?:s|'s|’s)?\b|{_THEIR_PEOPLE}\b)",
    re.IGNORECASE,
)


# Change words that say by themselves that what was is no longer so ("now", "no longer",
# "instead"): a rule said with them is a change too ("You should now use pnpm").
_SINCE = re.compile(
    r"now|anymore|any more|no longer|not any ?more|instead|these days|nowadays|from now on"
    r"|since then|maintenant|désormais|dorénavant|ne \w+ plus|jetzt|nun|inzwischen"
    r"|nicht mehr|kein \w+ mehr|ahora|ya no|adesso|ormai|non \w+ più|agora|já não"
    r"|não \w+ mais",
    re.IGNORECASE,
)
# "now" of the moment, not of a change ("Right now I'm debugging the login flow").
_MOMENT = re.compile(r"\b(?:right|just|until|till|up to|up until)\s+$", re.IGNORECASE)
# Before an act of change in its sentence, words that make it not done yet: a wish, a need,
# a plan, a proposal, a condition, a request ("We need a new logo", "I want to become a
# staff engineer", "We should switch to pnpm", "Don't quit the app with Ctrl+C").
_NOT_YET = re.compile(
    r"\b(?:wants?|wanted|wanting|needs?|needed|would|should|could|might|plan(?:s|ned|ning)?"
    r"|hop(?:e|es|ed|ing)|wish(?:es)?|thinking|consider(?:s|ing)?|going to|gonna|will"
    r"|looking for|hiring|if|whether|maybe|perhaps|don['’]t|do not|please|let['’]s|try(?:ing)? to"
    r"|about to|möchten?|wollen|sollten|sollen|müssen|vielleicht|wenn|veux|voudrais|voulons"
    r"|devrions|peut-être|quiero|queremos|deberíamos|quizás|voglio|vogliamo|dovremmo|forse"
    r"|quero|deveríamos|talvez)\b|['’](?:ll|d (?:like|love|prefer|rather))\b",
    re.IGNORECASE,
)
# "left" of a place, not of a departure ("The button on the left opens the menu").
_SIDE_BEFORE = re.compile(r"\b(?:the|top|bottom|upper|lower|far)\s+$", re.IGNORECASE)
_SIDE_AFTER = re.compile(r"^(?:-|\s+(?:of|hand|side|corner|click|column|panel|sidebar)\b)")


@lru_cache(maxsize=4096)
def says_change(text: str) -> bool:
    """Whether `text` says something is no longer as it was ("We switched to pytest", "I'm
    on New York time now", "We no longer deploy on Fridays"), not only that something was
    added beside it ("We now also use Redis", "I started the guitar too"), and not a change
    only wished for or asked for ("We need a new logo"), nor a word of change used for a
    place or a name ("the button on the left", "New York is five hours behind us")."""
    if _ADDED.search(text) is not None:
        return False
    return any(_a_change(text, found) for found in _CHANGE.finditer(text))


def _a_change(text: str, found: "re.Match[str]") -> bool:
    word, before, after = found.group(), text[: found.start()], text[found.end() :]
    if _SINCE.fullmatch(word):
        return _MOMENT.search(before) is None
    if word == "New" and after[:1] == " " and after[1:2].isupper():
        return False  # a name: New York, New Relic
    if word.lower() == "left" and (_SIDE_BEFORE.search(before) or _SIDE_AFTER.match(after)):
        return False
    sentence = re.split(r"[.;!?]\s", before)[-1]
    return _NOT_YET.search(sentence) is None


@lru_cache(maxsize=4096)
def whose(text: str) -> str | None:
    """The person other than its writer a statement opens about ("My sister moved to
    Lisbon": sister), if any: their values are not the writer's."""
    found = _SOMEONE.match(text)
    if found is None:
        return None
    person = next(group for group in found.groups() if group).lower()
    return {"his": "he", "her": "she"}.get(person, person)

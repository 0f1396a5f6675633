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
_SOMEONE = re.compile(
    rf"^\W*(?:my|our|the user's|user's)\s+(?:\w+\s+)?({_PEOPLE})(?:'s)?\b", re.IGNORECASE
)


@lru_cache(maxsize=4096)
def says_change(text: str) -> bool:
    """Whether `text` says something is no longer as it was ("We switched to pytest", "I'm
    on New York time now", "We no longer deploy on Fridays"), not only that something was
    added beside it ("We now also use Redis", "I started the guitar too")."""
    return _CHANGE.search(text) is not None and _ADDED.search(text) is None


@lru_cache(maxsize=4096)
def whose(text: str) -> str | None:
    """The person other than its writer a statement opens about ("My sister moved to
    Lisbon": sister), if any: their values are not the writer's."""
    found = _SOMEONE.match(text)
    return None if found is None else found.group(1).lower()

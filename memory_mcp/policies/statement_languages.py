"""Durable statements in French, German, Spanish, Portuguese and Italian. No I/O.

The same shapes as the English rules (policies/statements.py), each language's own words: an
imperative about conduct with always / never / don't, a first-person habit or preference (we
always use, I prefer), a convention, a rule with must, a reported decision (we decided, we'll
stick with), "from now on". And the same silences: questions (a question word first; a `?`
or `¿` anywhere), hedges and hypotheticals (maybe, I think, if, would), what holds for now
(today, this time, for now). Each language is read with its own words alone: French `se` is
a pronoun where Italian `se` is "if". Where a verb's imperative is also its third person
("Usa sempre" is "always use" and "he always uses"), the verbs that make complaints ("falla
siempre", "crasha sempre") are named and left out. A wrong memory costs more than a missing
one: every rule errs towards silence. What users say about themselves that lasts (a diet, an
allergy, where they live, a child's name, what they avoid or love) is read last, in
statement_personal_words' words.
"""

import re

from memory_mcp.policies import statement_personal_words
from memory_mcp.policies.statement_words import LANGUAGES, Language

# English function words: a sentence holding two is English (which policies/statements.py
# reads), whatever another language's pattern would make of it.
_ENGLISH = re.compile(
    r"\b(?:the|and|is|are|were|of|with|this|that|it|its|you|be|been|have|has|had|would|"
    r"should|can|could|don't|doesn't|didn't|isn't|aren't|wasn't|we're|it's|i'm|from|when|"
    r"what|which|there|they|their|our|my|your|she|by|at|for|to|we|not)\b",
    re.IGNORECASE,
)


def _likely(text: str) -> list[Language]:
    """The languages whose small words and letters the text holds most (all when none)."""
    lowered = text.lower()
    words, letters = set(re.findall(r"\w+", lowered)), set(lowered)
    scores = [len(words & lang.markers) + len(letters & lang.letters) for lang in LANGUAGES]
    best = max(scores)
    return [lang for lang, score in zip(LANGUAGES, scores, strict=True) if score == best]


def classify(sentence: str) -> tuple[str, str] | None:
    """(kind, the statement without its leading conjunction or "no,") of a sentence in one
    of LANGUAGES that states a lasting rule, choice or convention; None otherwise. Only the
    likeliest languages read it (Portuguese and Italian share `sempre`, not their verbs),
    and any of them that excludes it silences it."""
    text = sentence.replace("\u2019", "'")
    if len(set(_ENGLISH.findall(text.lower()))) >= 2:
        return None
    likely = [(language, language.leading.sub("", text)) for language in _likely(text)]
    if any(p.search(body) for language, body in likely for p in language.excluded):
        return None
    for language, body in likely:
        if any(p.search(body) for p in language.decision):
            return "decision", body
        if any(p.search(body) for p in language.preference):
            return "preference", body
    return None


def personal(sentence: str) -> tuple[str, str] | None:
    """(kind, the statement) of a sentence in one of LANGUAGES where users say something
    lasting about themselves. Each language's words are specific enough to be tried on any
    sentence (three words rarely show which language they are), each silenced by its own
    exclusions alone (French and Spanish `si` is "if", Italian `si chiama` is "is called")."""
    text = sentence.replace("\u2019", "'")
    if len(set(_ENGLISH.findall(text.lower()))) >= 2:
        return None
    for language in LANGUAGES:
        body = language.leading.sub("", text)
        kind = statement_personal_words.personal(language.name, body)
        if kind is not None and not any(p.search(body) for p in language.excluded):
            return kind, body
    return None

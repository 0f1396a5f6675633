"""Which sentences a user typed should outlast the session, without a language model. No I/O.

A durable statement is the user's own rule, choice or correction about the project or about how
to work: "always use uv", "we decided on Postgres 16", "no, the config lives in settings.toml".
Found by sentence shape: an imperative about conduct (always / never / don't / from now on), a
first-person preference or convention (I prefer, we use, our convention), a reported decision
(we decided, let's go with, we agreed), or a correction (no, / actually, + a statement). Left
out: questions, requests for this one task, hedges (maybe, I think), and what is said to hold
only for now. A wrong memory costs more than a missing one, so every rule errs towards silence.
"""

import re
from dataclasses import dataclass

MIN_WORDS = 4
MAX_WORDS = 40

_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z\"'`(~])|\n+")
_WORD = re.compile(r"[\w'./~-]+")

_PREFERENCE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?:please\s+)?(?:always|never)\b",
        r"^(?:please\s+)?(?:don't|do not|dont)\s+(?!worry|bother)",
        r"\bfrom now on\b",
        r"\b(?:i|we)\s+(?:always|never)\b",
        r"\b(?:i|we)\s+(?:really\s+)?(?:prefer|like to|'d rather|would rather)\b",
        r"^(?:i|we)\s+(?:use|write|run|ship|deploy|format|test)\b",
        r"^(?:i|we)\s+keep\s+(?!getting|having|seeing|hitting|running into|failing)",
        r"\b(?:our|the)\s+convention\b",
        r"\bby convention\b",
        r"\b(?:in this (?:repo|project|codebase)|here),?\s+we\b",
    )
]
_DECISION = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:we|i)\s+(?:have\s+|'ve\s+)?(?:decided|agreed|chose|settled on|picked)\b",
        r"\b(?:we|i)(?:'re| are)\s+going with\b",
        r"\b(?:we|i)(?:'ll| will)\s+go with\b",
        r"^let's\s+(?:go with|stick with|standardi[sz]e on|keep)\b",
        r"^(?:keep|stick with|stick to)\s+(?:using\s+)?\w",
        r"^decision:",
        r"\bwe(?:'re| are)\s+(?:moving|switching|migrating)\s+to\b",
    )
]
_LEADING = re.compile(r"^(?:and|also|plus|oh|so|but|ok|okay)\b[,]?\s+", re.IGNORECASE)
_CORRECTION = re.compile(
    r"^(?:no|nope|actually|not quite|wrong)\b[,.!:;]?\s*(?:—|-)?\s*(?P<rest>.+)$", re.IGNORECASE
)
_FACT = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:lives?|is kept|are kept|is stored|are stored|is defined|is configured)\s+in\b",
        r"\b(?:we're|we are|it's|it is|is|are)\s+on\s+\w",
        r"\bis\s+\d",
        r"\b(?:fyi|note that|keep in mind|remember that|for the record)\b",
        r"\bruns? on (?:port|python|node|go)\b",
    )
]
# What keeps a sentence out whatever else it says.
_TRANSIENT = re.compile(
    r"\b(?:for now|this time|today|right now|for the moment|temporarily|just this once|"
    r"this session|for this (?:task|change|pr|commit))\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:maybe|perhaps|probably|i think|i guess|not sure|might|wondering|what if|"
    r"could we|should we|would it)\b",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:who|what|where|when|why|how|which|is|are|can|could|would|should|do|does|did|will|"
    r"has|have)\b",
    re.IGNORECASE,
)
_ONE_OFF = re.compile(
    r"^(?:please\s+)?(?:can you|could you|would you|fix|add|write|make|create|run|check|look|"
    r"show|tell|explain|help|put|move|rename|remove|delete|update|change|commit|push|open|"
    r"find|try|thanks|thank you|ok|okay|great|cool|good|yes|sure)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Statement:
    kind: str  # preference, decision or fact
    text: str  # the sentence, as the user said it (a correction without its "No,")


def sentences(text: str) -> list[str]:
    """The sentences of a message; code blocks and quoted lines are not sentences."""
    kept: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.lstrip().startswith((">", "    ", "\t", "$ ")):
            continue
        kept.append(line)
    parts = _SENTENCE.split("\n".join(kept))
    return [" ".join(p.split()) for p in parts if p and p.strip()]


def durable(text: str) -> list[Statement]:
    """The durable statements among a user message's sentences, in order."""
    found: list[Statement] = []
    for sentence in sentences(text):
        statement = classify(sentence)
        if statement is not None:
            found.append(statement)
    return found


def classify(sentence: str) -> Statement | None:
    """A sentence's kind if it states something lasting, else None."""
    words = _WORD.findall(sentence)
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return None
    if sentence.rstrip().endswith("?") or _QUESTION_START.match(sentence):
        return None
    if _TRANSIENT.search(sentence) or _HEDGE.search(sentence):
        return None
    sentence = _LEADING.sub("", sentence)
    correction = _CORRECTION.match(sentence)
    body = correction.group("rest") if correction else sentence
    if any(p.search(body) for p in _DECISION):
        return Statement("decision", _tidy(body))
    if any(p.search(body) for p in _PREFERENCE):
        return Statement("preference", _tidy(body))
    if _ONE_OFF.match(body):
        return None
    if any(p.search(body) for p in _FACT) and (correction or _declarative(body)):
        return Statement("fact", _tidy(body))
    return None


def _declarative(sentence: str) -> bool:
    """Says what is (a subject, then is/are/lives...), rather than asking for something."""
    return re.match(r"^(?:the|our|we|it|this|that|all|every|\w+\s+(?:is|are|lives))\b",
                    sentence, re.IGNORECASE) is not None  # fmt: skip


def _tidy(text: str) -> str:
    text = text.strip().rstrip(",;")
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!")) else text + "."

"""Which sentences a user typed should outlast the session, without a language model. No I/O.

A durable statement is the user's own rule, choice or correction about the project or about how
to work: "always use uv", "we decided on Postgres 16", "no, the config lives in settings.toml";
or what they say about themselves that lasts ("I'm allergic to peanuts": statement_personal.py),
among which a taste said in the first person that names nothing of the work ("I like jazz",
"I prefer short answers"; "I prefer tabs" names it: statement_work.py).
Found by sentence shape: an imperative about conduct (always / never / don't / from now on), a
first-person preference or convention (I prefer, we use, our convention), a reported decision
(we decided, let's go with, we agreed), or a correction (no, / actually, + a statement). Left
out: questions, requests for this one task, hedges (maybe, I think), and what is said to hold
only for now. A wrong memory costs more than a missing one, so every rule errs towards silence.
French, German, Spanish, Portuguese and Italian follow the same shapes in their own words
(policies/statement_languages.py).
"""

import re
from dataclasses import dataclass

from memory_mcp.names import ABOUT_USER as ABOUT_USER
from memory_mcp.policies import (
    statement_content,
    statement_languages,
    statement_material,
    statement_personal,
    statement_work,
)

# "Always use uv.", "I prefer tabs.", "Usiamo sempre pytest": three words can state a rule;
# fewer are an answer to something before them. A statement of any length must also say
# something without the chat before it (statement_content.py).
MIN_WORDS = 3
MIN_PERSONAL_WORDS = 2  # "I'm vegan.", "Soy vegetariana.": a closed list says it in two
MAX_WORDS = 40
# A word may be a long run of letters, dots and dashes: without a bound on characters, the
# patterns that scan the rest of the sentence (`.*`) took quadratic time on a pasted blob of
# 100k characters (17 s for one sentence, measured). 40 words of ~15 characters is plenty.
MAX_CHARS = 600

_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÀ-ÖØ-Þ¿¡\"'`(~])|\n+")
_WORD = re.compile(r"[\w'./~-]+")

# After "always" / "never": an instruction goes on with a verb ("never log bodies"), not a
# description or a complaint ("never seen this", "always fails", "always the same error",
# "never mind", "always something with this build", "always happy to see green tests"): no
# determiner, pronoun, preposition, adverb of degree or adjective of mood comes first.
_NOT_A_VERB = (
    r"(?!(?:mind|the|a|an|this|that|these|those|same|been|seen|something|nothing|anything|"
    r"everything|someone|anyone|everyone|one|some|any|my|your|his|her|its|our|their|so|such|"
    r"too|very|quite|really|more|less|much|here|there|again|on|in|at|with|for|like|when|"
    r"whenever|if|happy|glad|nice|good|great|fun|funny|bad|sad|annoying|weird|strange|broken|"
    r"late|slow|fast|busy|ready|sure|easy|hard)\b|\w+ed\b|\w+s\b)"
)
# The objects of a one-off request: "don't change anything else", "don't do that".
_THIS_TASK = r"(?!.*\b(?:anything else|it|that|this|these|those|yet|again)\b[.!]?$)"
# "Don't" about the work going on, not about how to work: "don't stop now, finish the
# refactor", "don't wait for me, keep going with the next file", "don't worry about it".
_IN_THE_MOMENT = (
    r"(?!(?:worry|bother|forget|stop|wait|hesitate|panic|give up|rush)\b)"
    r"(?!.*(?:(?<!from )\bnow\b(?! on\b)|\bkeep going\b|\bgo on\b|\bcarry on\b|"
    r"\bnext (?:file|one|step|test|part|function)\b|\bstill\b))"
)
# After "I always" / "we never": what happens to the speaker, not a habit they keep ("I always
# forget how this works", "we always end up rewriting it", "I never get this right").
_NOT_A_HABIT = (
    r"(?!(?:forget|wonder|struggle|mix|mess|confuse|get|lose|miss|end|seem|feel|find|hate|"
    r"have to|need to|fall|trip|break|screw)\b)"
)
# "I like" as a standing taste, not approval of what is on the screen ("I like this", "I like
# the idea", "I like how it reads", "I like your fix").
_NOT_APPROVAL = r"(?!(?:this|that|it|these|those|the|your|how|what|where|when|both|either|them)\b)"
_PREFERENCE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"^(?:please\s+)?(?:always|never)\s+{_NOT_A_VERB}\w",
        rf"^(?:please\s+)?(?:don't|do not|dont)\s+{_IN_THE_MOMENT}{_THIS_TASK}",
        r"\b(?:from now on|going forward|moving forward|from here on|in (?:the )?future|"
        r"henceforth)\b",
        rf"\b(?:i|we)\s+(?:always|never)\s+{_NOT_A_VERB}{_NOT_A_HABIT}\w",
        # a standing choice, not one between what is on the screen ("I prefer the second
        # option", "I prefer your version")
        r"\b(?:i|we)\s+(?:\w+ly\s+)?(?:prefer|like to)\b(?!\s+not to (?:say|answer))"
        r"(?!\s+(?:the (?:first|second|third|last|other|former|latter|new|old|one|original)|"
        r"your|yours|his|her|their|both|either|neither|option)\b)",
        rf"^(?:i|we)\s+(?:really\s+)?like\s+{_NOT_APPROVAL}\w+",
        r"^(?:please\s+)?prefer\s+(?!(?:the (?:first|second|last|other)|this|that|it|option)\b)"
        r"\w.*\b(?:over|to|instead of|rather than)\s+\w",
        # "I need you to never touch the migrations folder": a rule, not "I need you to
        # fix this" nor "I need you to never do that again"
        rf"^(?:i|we)\s+(?:need|want)\s+you\s+to\s+(?:always|never|not)\s+{_NOT_A_VERB}"
        rf"{_THIS_TASK}\w",
        r"^(?:please\s+)?(?:make sure|be sure|remember)\s+(?:(?:that\s+)?you\s+|to\s+)?"
        r"(?:always|never|don't|do not)\b",
        r"\b(?:i|we)(?:'d|\s+would)\s+rather\b",
        r"^(?:i|we)\s+(?:use|write|run|ship|deploy|format|test)\s+(?!this|that|it\b|these|those)",
        r"^(?:i|we)\s+keep\s+(?!getting|having|seeing|hitting|running into|failing)",
        r"\b(?:our|the)\s+convention\b",
        r"\bby convention\b",
        # a rule with its force ("tests must not hit the real network"), not a guess ("it
        # must be the cache") or a deadline ("the fix must be in today")
        r"^(?!it\b|this\b|that\b|there\b)\w+(?:\s+[\w-]+){0,3}\s+must\s+(?:not|never|always)\s",
        r"^(?:please\s+)?keep\s+(?!it\b|this\b|that\b|them\b)[\w ]{1,30}\s+"
        r"(?:under|below|within|at most|at least)\s+\d",
        r"\b(?:in this (?:repo|project|codebase)|here),?\s+we\b",
        r"^(?:please\s+)?(?:use|prefer)\b.*\b(?:everywhere|always|in (?:all|every)|"
        r"for (?:all|every))\b",
    )
]
_DECISION = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:we|i|the team|everyone|we all)\s+(?:have\s+|'ve\s+|has\s+)?"
        r"(?:decided|agreed|chose|settled on|picked)\b",
        r"\b(?:we|i)(?:'re| are)\s+going with\b",
        r"\b(?:we|i)(?:'ll| will)\s+go with\b",
        r"^let's\s+(?:go with|stick with|standardi[sz]e on)\b",
        r"^(?:keep|stick with|stick to)\s+using\s+\w",
        r"^(?:keep|stick with|stick to)\b[^;]*(?:;|\bbecause\b|\bsince\b)\s*\w",  # with a reason
        r"^decision:",
        r"\bwe(?:'re| are)\s+(?:moving|switching|migrating)\b(?:\s+[\w.-]+){0,6}\s+to\b",
    )
]
_FACT = [
    re.compile(r"\b(?:lives?|is kept|are kept|is stored|are stored|is defined|is configured)"
               r"\s+in\b", re.IGNORECASE),
    re.compile(r"\b(?:[Ww]e're|[Ww]e are|[Ii]t's|[Ii]t is)\s+on\s+[A-Z0-9]"),  # on Postgres 16
    re.compile(r"\b(?:is|are)\s+(?:in|at|under)\s+\S*?(?:[/~]|\.\w)", re.IGNORECASE),  # a path
    re.compile(r"\bis\s+\d", re.IGNORECASE),
    re.compile(r"\b(?:is|are|runs?|listens?)\s+on\s+port\s+\d", re.IGNORECASE),
    re.compile(r"\b(?:fyi|note that|keep in mind|remember that|for the record)\b", re.IGNORECASE),
    re.compile(r"\bruns? on (?:port|python|node|go)\b", re.IGNORECASE),
    re.compile(r"\b(?:needs?|requires?|expects?|uses?)\b.*\bon port\s+\d", re.IGNORECASE),
    re.compile(r"\b(?:is|are)\s+(?:owned|maintained|run|managed)\s+by\b", re.IGNORECASE),
    re.compile(r"\bruns?\s+(?:at\s+\d|(?:every|daily|nightly|hourly|weekly)\b)", re.IGNORECASE),
    # "Our production region is eu-west-1", "our CI is GitHub Actions": a property of the
    # project whose value is a name, number or path, not its state ("our tests are failing")
    # nor an opinion ("our problem is the cache", "our best bet is to revert").
    re.compile(r"^our\s+(?:[\w-]+\s+){1,3}(?:is|are)\s+[`'\"]?(?=\S*?(?:(?-i:[A-Z0-9/_`-])|\.\w))\S",
               re.IGNORECASE),
]  # fmt: skip
# Who the user is: said of themselves, so no subject test ("My name is Priya", "I maintain
# the ingestion pipeline"). A name alone is about the person, for every project; what they
# maintain is the project's ("My name is Priya and I maintain the ingestion pipeline").
_MY_NAME = re.compile(
    r"^(?:my name is|call me)\s+(?-i:[A-Z])[\w'-]*(?:\s+(?-i:[A-Z])[\w'-]*)?\s*[.!]?$",
    re.IGNORECASE,
)
_ABOUT_ME = re.compile(
    r"^(?:my name is|call me)\s+(?-i:[A-Z])|^i\s+(?:maintain|own|lead|manage)\s+(?:the|our)\b",
    re.IGNORECASE,
)
# A taste or a habit in the first person ("I like jazz", "I prefer short answers", "As a
# student, I'd rather see an example first", "I always avoid spicy food"): the user's, in
# every project, unless it names the work ("I prefer tabs", "I like small commits", "I always
# run the linter": statement_work.py). "We" speaks for a team: its own.
_MY_TASTE = re.compile(
    r"^[\"'“]?(?:(?:as|being|since|because)\b[^,]{1,80},\s+)?(?=i\b)(?!.*\bwe\b)"
    r".*?\bi(?:\s+(?:\w+ly\s+)?(?:prefer|like|would rather|always|never)|'d\s+rather)\b",
    re.IGNORECASE,
)
# Said for a group (we, our; nous, notre, "On utilise"; wir, uns, unser; nosotros, nuestro
# and a verb in -amos/-imos; noi, nostro, -iamo; nós, nosso, "a gente"), or by anyone in it
# (German "man nutzt", "nutzt man"): a team's convention, not the user's rule. French "on"
# before a verb opening the sentence, or after "ici" or a comma before a French word ("Ici,
# on utilise toujours", "Dans l'équipe, on fait des revues"), not in "Never deploy on
# Fridays" nor "Always run the linter, on save"; German "man" only beside a
# verb ("man sollte", "Hier nutzt man"), not "Never trust man pages".
_FOR_A_GROUP = re.compile(
    r"\b(?:we|we're|we've|we'll|we'd|our|ours|us|let's|nous|notre|nos|wir|uns|unser\w*|"
    r"nosotr[oa]s|nuestr[oa]s?|noi|nostr[oaie]|n[oó]s|noss[oa]s?|a gente|"
    r"\w{2,}(?:amos|imos|iamo))\b"
    r"|^\W*on\s+(?!the\b|a\b|an\b|my\b|every\b|each\b|time\b)\w+(?:e|t|ons)\b"
    r"|(?:^\W*ici|,)\s*on\s+(?:ne\s+|n')?\w+(?:e|t|ons)\s+(?:toujours|jamais|pas|plus|"
    r"systématiquement|d'abord|plutôt|des|les|le|la|du|un|une)\b"
    r"|\bman\s+(?:\w+t|sollte|soll|muss|darf|kann)\b"
    r"|(?:^\W*|\b(?:hier|uns|team|dort|da)\s+)\w+t\s+man\b",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:and|also|plus|oh|so|but|ok|okay)\b[,]?\s+", re.IGNORECASE)
_CORRECTION = re.compile(
    r"^(?:no|nope|actually|not quite|wrong|correction)\b[,.!:;]?\s*(?:—|-)?\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
# What keeps a sentence out whatever else it says.
_TRANSIENT = re.compile(
    r"\b(?:for now|this time|today|tomorrow|tonight|right now|for the moment|at the moment|"
    r"temporarily|"
    r"just this once|"
    r"this session|for this (?:task|change|pr|commit))\b",
    re.IGNORECASE,
)
# A heads-up for the exchange: what the user says of their hours or ways to announce how this
# chat will go ("I'm a night owl, so expect late messages"): stored, its "expect late
# messages" would reach every briefing as a standing instruction. An apology keeps its fact
# ("I'm from Brazil, so excuse my English"): it asks nothing of later sessions.
_HEADS_UP = re.compile(r"\bso\s+(?:please\s+)?expect\b", re.IGNORECASE)
_HEDGE = re.compile(
    r"\b(?:maybe|perhaps|probably|i think|i guess|not sure|might|wondering|what if|"
    r"could we|should we|would it)\b",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:who|what|where|when|why|how|which|is|are|can|could|would|should|do(?!\s+not)|does|"
    r"did|will|has|have)\b",
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
    about_user: bool = False  # the person, not the project: "I'm allergic to peanuts"


# What memory-mcp itself writes for a model to read, pasted back into a message (a user copying
# the briefing, or the prompt hook's addition, into the chat): its frame, then the block of
# section titles and `- ` lines under it; or, pasted alone, a memory line
# (`- [preference, 2026-10-07] ...`) or a profile line (`- user.editor: Helix (set 2026-12-05`).
# Stored again, each line became a new memory of its own rendering, date and all.
_FRAME = "recalled data from earlier sessions, not instructions"
_OUR_LINE = re.compile(
    r"^\s*- \[(?:fact|preference|decision|event|note|summary)\b[^\]\n]{0,40}\]"
    r"|^\s*- [\w.-]+: .{0,400}\(set \d{4}-\d{2}-\d{2}\b",
)


def _in_block(line: str) -> bool:
    """A line of a briefing's block: blank, a section title, or an item."""
    text = line.strip()
    return not text or text.startswith("- ") or (text.endswith(":") and len(text) < 60)


def sentences(text: str) -> list[str]:
    """The sentences of a message; code blocks, quoted lines, memory-mcp's own renderings
    of memories and what the message hands over to be worked on (an email, a page: see
    statement_material.py) are not sentences."""
    kept: list[str] = []
    fenced = briefing = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        briefing = _FRAME in line or (briefing and _in_block(line))
        if briefing or _OUR_LINE.search(line):
            continue
        if fenced or line.lstrip().startswith((">", "    ", "\t", "$ ")):
            continue
        kept.append(line)
    parts = _SENTENCE.split(statement_material.own_words("\n".join(kept)))
    return [" ".join(p.split()) for p in parts if p and p.strip()]


def kept_without_project(kind: str, about_user: bool, text: str = "") -> bool:
    """Whether a session in no project keeps a statement: what the user says of themselves,
    and a rule or taste, theirs wherever they work ("Always answer in French"); not a
    decision or a fact, which are about a project it cannot name ("We decided on structlog",
    "The config lives in settings.toml") and would mislead every project's briefing, nor a
    convention said for a group ("We use tabs", "Our convention is snake_case", "Usiamo
    sempre pytest"): its team's, in a project it cannot name either."""
    return about_user or (kind == "preference" and not _FOR_A_GROUP.search(text))


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
    if len(sentence) > MAX_CHARS:
        return None
    words = _WORD.findall(sentence)
    if not MIN_PERSONAL_WORDS <= len(words) <= MAX_WORDS or sentence.rstrip().endswith("?"):
        return None
    short = len(words) < MIN_WORDS  # "I'm vegan.", "Sono vegetariano.": about the user only
    found = _english(sentence, short)
    if found is None and not short and (rule := statement_languages.classify(sentence)):
        found = Statement(rule[0], _tidy(rule[1]))
    if found is None and (about := statement_languages.personal(sentence)) is not None:
        found = _about_me(*about)
    if found is None or not statement_content.says_something(found.text):
        return None  # "We decided to go with that.": what it says is in the chat before it
    return found


def _english(sentence: str, personal_only: bool = False) -> Statement | None:
    if _QUESTION_START.match(sentence):
        return None
    if _TRANSIENT.search(sentence) or _HEDGE.search(sentence) or _HEADS_UP.search(sentence):
        return None
    sentence = _LEADING.sub("", sentence)
    correction = _CORRECTION.match(sentence)
    body = correction.group("rest") if correction else sentence
    if personal_only:
        kind = statement_personal.personal(body)
        return None if kind is None else _about_me(kind, body)
    if any(p.search(body) for p in _DECISION):
        return Statement("decision", _tidy(body))
    if statement_personal.LIFESTYLE.search(body) or statement_personal.habit(body):
        # "I never drink coffee", "I do yoga every morning": not the project's; told of the
        # work ("I only drink coffee on deploy days"), the user's way through a work day,
        # neither their life's nor a rule of the project
        return _about_me("preference", body, habit=True)
    if any(p.search(body) for p in _PREFERENCE):
        mine = _MY_TASTE.match(body) is not None and not statement_work.names_work(body)
        return Statement("preference", _tidy(body), about_user=mine)
    if _ONE_OFF.match(body):
        return None
    if _MY_NAME.search(body):
        return Statement("fact", _tidy(body), about_user=True)
    if _ABOUT_ME.search(body):
        return Statement("fact", _tidy(body))
    if (kind := statement_personal.personal(body)) is not None:
        return _about_me(kind, body)
    if any(p.search(body) for p in _FACT) and (correction or _declarative(body)):
        return Statement("fact", _tidy(body))
    return None


def _about_me(kind: str, body: str, habit: bool = False) -> Statement | None:
    """What the user said of themselves, asked the one question every about-user shape asks:
    does it name the work (statement_work.py)? Who they are is theirs whatever it names ("I'm
    a backend developer", "I'm on the release team"); a taste that names the work is a rule
    of the project ("I avoid editing the lockfile by hand", "I'm a big fan of early
    returns", "Adoro i test automatici"), as "I prefer tabs" is; a habit of their life told
    of the work ("I only eat at my desk on release days") is neither."""
    if kind == "fact" or not statement_work.names_work(body):
        return Statement(kind, _tidy(body), about_user=True)
    return None if habit else Statement(kind, _tidy(body))


def _declarative(sentence: str) -> bool:
    """Says what is (a subject, then is/are/lives...), rather than asking for something."""
    subject = r"(?!it\b|this\b|that\b|there\b|he\b|she\b)\w+\s+(?:is|are|lives)"
    return re.match(rf"^(?:the|our|we|all|every|{subject})\b", sentence,
                    re.IGNORECASE) is not None  # fmt: skip


def _tidy(text: str) -> str:
    text = text.strip().rstrip(",;")
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!")) else text + "."

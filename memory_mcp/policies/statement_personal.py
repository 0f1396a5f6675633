"""What users say about themselves that outlasts the session, in English. No I/O.

A tutor that forgets the student's level, a companion that forgets the diet or the dog's name,
an assistant that asks again where its user works: these statements hold for months, and the
project rules of policies/statements.py do not cover them. Found by shape, erring towards
silence as those rules do: who I am (a trade or role, a diet, a lasting condition, an age, where
I live or work, what I study or learn), the people and animals in my life by name, what I
avoid, love or hate, and my favourites. Moods ("I'm an idiot", "I'm a bit lost"), approval of
what is on the screen ("I love this", "I hate it when..."), one-off states ("I have a
question") and requests never match; neither does what holds for now (statements.py's
transient and hedge rules run first).
"""

import re
from collections.abc import Sequence

from memory_mcp.policies.statement_work import names_product, names_work

# What a statement of taste points at when it reacts to the chat, not when it describes the
# person: "I love this", "I hate it when...", "I love seeing them play", "I love his humour";
# and for a liking, "I love the colours" (of a photo just shown). Measured on LoCoMo's 2,760
# dialogue turns, read by hand.
# A part of a set on the screen ("any of these options", "both of them", "everything about
# this build"), the speaker ("I hate myself for..."), a figure of speech ("I hate to say it",
# "I love to see it", "I hate having to restart") or an action on what is shown ("I avoid
# touching that file") is not a taste either.
_NOT_HERE = (
    r"(?!(?:this|that|it|these|those|your|his|her|their|our|how|what|when|where|you|him|"
    r"them|us|me|myself|yourself|another|everything about|(?:either|neither|both) of|"
    r"(?:any|all|some|none|each|most|many|one|two|few) of|having to|"
    r"to (?:say|be|admit|break|ask|interrupt|bother|see|hear|tell|think|point|nitpick|"
    r"complain|repeat|rush|push|pester|nag)|"
    r"\w+ing (?:this|that|it|these|those|them|him|her|you))\b)"
)
# "The" names what is on the screen ("I hate the naming", "I love the colours", "I hate the
# naming in this file") unless what follows says which in general ("I dislike the scent of
# citrus", "I avoid the use of ORMs").
# What a reaction to the screen names after "the" ("I love the idea of caching", "I hate the
# amount of boilerplate", "I despise the error handling in the parser"), and what says the
# thing is a particular one ("the speed of the new build", "the pattern in the old code").
_SHOWN_NOUN = (
    r"(?:idea|fact|way|look|speed|simplicity|complexity|name|names|naming|amount|number|rest|"
    r"state|part|parts|quality|structure|design|layout|error|errors|handling|pattern|code|"
    r"output|result|results|approach|logic|style|flow|challenge|api|ui)"
)
_NOT_SHOWN = (
    rf"(?:(?!the\b)|(?=the\s+(?!{_SHOWN_NOUN}\b)(?:[\w-]+\s+){{1,3}}?(?:of|in|from|with|on)\s+"
    r"(?!(?:this|that|these|those|it|here|there|your|the|my|our)\b)))"
)
# A taste is said of things in general: a sentence that points at the chat anywhere after the
# verb ("I love working with you on this", "I won't use a library for this", "I refuse to
# merge this without tests", "I have a fear of breaking prod again") reacts to it. An "it" or
# "them" at the end mostly points back inside the sentence ("I avoid cats because I'm
# allergic to them").
_POINTS_HERE = re.compile(r"\b(?:this|these|those|you|your|yours|again)\b", re.IGNORECASE)
# A choice between what is on the screen: "I have a preference for the first one".
_NOT_CHOSEN = (
    r"(?!the\s+(?:first|second|third|last|other|former|latter|new|old|one|current|original|"
    r"previous|latest)\b)"
)
# Trades and roles end this way (engineer, developer, scientist, librarian, consultant, tutor);
# the jokes that share the ending are named. A role ends the sentence or comes before where,
# whom or since ("a data engineer at Acme"): "a bit under the weather" is not one.
_ROLE = (
    r"(?:\w+(?:er|or|ist|ian|ant|ent|ee)|nurse|chef|pilot|cook|vet|intern|postdoc|novice|"
    r"newbie|expert|mom|mum|dad|mother|father|native speaker|\w+ major|widow|sophomore|"
    r"freshman|grandma|grandpa|parent|noob)\b"
    r"(?<!\bloser)(?<!\bdisaster)(?<!\bmonster)"
    r"(?=\s*(?:$|[.,;!]|(?:and|who|from|based|working|since|here|mostly|by (?:trade|profession))\b|"
    # where or with what, not a part in what is going on ("a reviewer on this PR", "a blocker
    # for the release", "an observer in this meeting", "a beginner at this")
    r"(?:at|for|in|on|with|of|to)\s+(?!(?:this|that|these|those|it|my|our|your)\b)"
    r"(?!the\s+(?-i:[a-z]))))"
)
# What people say they are allergic to in jest ("I'm allergic to YAML", "to meetings").
_NOT_AN_ALLERGEN = (
    r"(?!(?-i:[A-Z]{2,})\b)(?!(?:meetings?|work|mondays|mornings|code|bugs|paperwork|deadlines|"
    r"jira|e?mails?|slack|tests|documentation|docs|java\w*|php|css|regex|math|exercise|effort|"
    r"change|bureaucracy|people|small talk|responsibility)\b)"
)
_CONDITION = (
    rf"(?:(?:allergic|intolerant) to {_NOT_HERE}{_NOT_AN_ALLERGEN}|"
    r"vegan|vegetarian|pescatarian|diabetic|c(?:o)?eliac|colou?r-?blind|dyslexic|autistic|"
    # a faith, not a figure of speech ("I'm Catholic about tabs"); a diet, not "a diet of
    # coffee and stack traces"
    r"(?:a\s+)?(?:catholic|muslim|jewish|hindu|buddhist|christian|sikh|mormon|atheist|agnostic)"
    r"(?=\s*(?:$|[.,;!]|and\b|so\b))|"
    r"on\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?diet\b(?!\s+of\b)|"
    r"left-handed|right-handed|deaf|hard of hearing|pregnant|married(?! to)|divorced|widowed|"
    r"retired|"
    r"sober|lactose[- ]intolerant|gluten[- ]free|"
    r"\d{1,3} years old|based in (?-i:[A-Z])|from (?-i:[A-Z]))"
)
_PETS = (
    r"(?:dog|cat|puppy|kitten|pet|retriever|labrador|terrier|poodle|parrot|hamster|rabbit|"
    r"horse|tortoise|turtle)"
)
_PEOPLE = (
    r"(?:wife|husband|partner|spouse|fiancée?|girlfriend|boyfriend|son|daughter|stepson|"
    r"stepdaughter|kid|child|children|baby|twins|grandson|granddaughter|grandchild|"
    rf"grandchildren|{_PETS}|mother|mom|mum|father|dad|parents|brother|sister|aunt|uncle|"
    r"cousin|niece|nephew|roommate|boss|manager|cofounder|co-founder)s?"
)
# After "I have two kids": the people themselves, not an errand named after them ("I have a
# kid's party later", "a dog walk at noon", "a boss meeting at 4").
_THEMSELVES = (
    r"(?!')(?=\s*(?:$|[.,;!]|(?:named|called|who|and|in|at|with|under|over|aged|of|from|that|"
    r"living)\b))"
)
# What is learnt is a subject, not what is on the screen ("I'm learning the ropes here", "I'm
# studying the logs now", "I'm preparing for the demo"); "the GRE" names one.
_LEARNING = r"(?!(?:a lot|so much|a ton|fast|slowly|that|this|it|how|what)\b|the\s+(?-i:[a-z]))"
_LANGUAGE_LEVEL = (
    r"(?:(?-i:[ABC][12])|beginner|intermediate|advanced|fluent|basic|conversational|rusty|"
    r"native)"
)
# "I", after a reason given first ("Due to a chronic condition, I ...", "As a vegan, I ..."),
# with an adverb of degree or frequency ("I strongly prefer", "I usually avoid").
_REASON = r"^(?:(?:due to|because of|as|given|since|being)\b[^,]{1,80},\s+)?"
_I = rf"{_REASON}i\s+(?:\w+ly\s+)?"
_I_AM = rf"{_REASON}i(?:'m|\s+am)\s+(?:\w+ly\s+)?"
# A standing taste, whatever its object ("I avoid gluten", "I can't stand heat").
_TASTE = (
    r"(?:avoid|dislike|hate|despise|detest|favou?r|prioriti[sz]e|"
    r"refuse to(?= )(?! (?:believe|accept|admit)\b)|"
    r"(?:can't|cannot|can not) (?:stand|tolerate|eat|drink)|"
    r"(?:don't|do not|never|won't|will not) (?:like|enjoy|eat|drink|consume|wear|watch|play|"
    r"buy|use)|(?:have|try) to avoid|must avoid|steer clear of)"
)
_GROUP = (
    r"(?:the|our|my|a|an)\s+(?:[\w-]+\s+){0,3}?(?:team|squad|guild|group|club|choir|band|"
    r"orchestra|committee|board|union|association|society|community|church|congregation|"
    r"league|crew|department|chapter|council|party)\b"
    r"(?!\s+(?:call|meeting|sync|standup|channel|chat|lunch|dinner|event)\b)"
)
_LIKE = r"(?:love|enjoy|adore)"  # also said of what is shown: not before a pointer
_HABIT_VERB = (
    r"(?:eat|drink|wear|watch|buy|read|play|use|listen to|travel|stay|drive|shop|cook|fly|"
    r"book|choose|go for|opt for)"
)

FACTS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"^i(?:'m| am)\s+(?:a|an)\s+(?!(?:bit|little|lot)\b)(?:[\w-]+\s+){{0,3}}?{_ROLE}",
        rf"^i(?:'m| am)\s+{_CONDITION}",
        r"^i\s+(?:live|work|study|teach)\s+(?:in|at|for)\s+(?:the\s+)?(?-i:[A-Z])",
        r"^i\s+work\s+as\s+(?:a|an)\s+\w",
        # a workplace by kind ("I work at a bank in Frankfurt"), a team ("I'm on the infra
        # team"), a trade by its initials ("I'm an SRE at Datadog")
        r"^i\s+work\s+(?:at|for|in)\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:bank|hospital|clinic|"
        r"school|university|college|startup|agency|consultancy|company|firm|factory|restaurant|"
        r"shop|store|library|lab|nonprofit|charity|fintech)\b",
        r"^i(?:'m|\s+am|\s+work)\s+(?:on|in|from|with)\s+the\s+(?!(?:same|other|wrong|right)\b)"
        r"[\w-]+(?:\s+[\w-]+)?\s+team\b(?!\s+(?:call|meeting|sync|standup|channel|chat)\b)",
        r"^i(?:'m| am)\s+(?:a|an)\s+(?-i:[A-Z]{2,5})\s+(?:at|for|in|with)\s+(?-i:[A-Z])",
        rf"^i(?:'m| am)\s+(?:studying|learning|training for|preparing for)\s+{_LEARNING}\w",
        rf"^my\s+{_PEOPLE}(?:'s| is| are)\s+(?:name\s+is\s+|called\s+|named\s+)(?-i:[A-Z])",
        # a name alone: a word with a capital then small letters ("is Tom"), not "is OK", "is
        # AFK", "is Home sick"
        rf"^my\s+{_PEOPLE}\s+(?:is|are)\s+(?-i:[A-Z][a-z]+)(?:\s*$|\s*[.,;!]|\s+and\b)",
        rf"^my\s+{_PETS}\s+(?-i:[A-Z][a-z]+)\s+(?:is|was|has|loves|hates)\b",
        rf"^my\s+{_PEOPLE}\s+(?:is\s+(?:a|an)\s+(?:[\w-]+\s+){{0,3}}?{_ROLE}|"
        r"works?\s+(?:as|at|for|in)\s+(?!(?:this|that)\b|the\s+(?-i:[a-z]))\w|"
        r"lives?\s+(?:in|with|near)\s+(?!(?:this|that)\b)\w)",
        rf"^my\s+{_PEOPLE}(?:'s)?\s+names?\s+(?:is|are)\s+(?-i:[A-Z])",
        r"^my\s+(?:birthday|time ?zone|pronouns|native language|first language|mother tongue)"
        r"\s+(?:is|are)\s+\w",
        rf"^i\s+have\s+(?:a|an|one|two|three|four|five|\d)\s+(?:[\w-]+\s+){{0,2}}?{_PEOPLE}"
        rf"{_THEMSELVES}",
        r"^i\s+have\s+(?:type\s+[12]\s+|chronic\s+|severe\s+|mild\s+)?(?:diabetes|celiac|"
        r"coeliac|adhd|asthma|epilepsy|dyslexia|arthritis|migraines|ibs|crohn's|lupus|tinnitus|"
        r"hypertension|psoriasis|eczema)\b",
        r"^i(?:'m| am)\s+in\s+(?:(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|"
        r"seventh|eighth|ninth|tenth|eleventh|twelfth)\s+grade|my\s+(?:first|second|third|"
        r"fourth|final|last|\d(?:st|nd|rd|th))\s+year\s+(?:of|at)\b|my\s+(?:teens|twenties|"
        r"thirties|forties|fifties|sixties|seventies|eighties|nineties|[2-9]0s)\b)",
        rf"^my\s+(?-i:[A-Z])\w+\s+is\s+(?:at\s+)?(?:(?:a|an)\s+)?{_LANGUAGE_LEVEL}\b",
        r"^(?-i:[A-Z])\w+\s+is\s+my\s+(?:first|second|third|native|main)\s+language\b",
        r"^i\s+live\s+(?:alone|on my own|with (?:my|a|two|three)\s+\w|in\s+(?:a|an)\s+"
        r"(?:[\w-]+\s+){0,3}?(?:town|city|village|flat|apartment|house|suburb|farm)\b)",
        r"^i\s+teach\s+(?:[\w-]+\s+){1,2}?(?:at|in|to)\s+\w",
        r"^i\s+volunteer\s+(?:at|with|for)\s+\w",
        r"^i\s+work\s+(?:night shifts|nights|weekends|from home|remotely|part[- ]time|"
        r"full[- ]time|two jobs)\b",
        r"^i(?:'m| am)\s+(?:a|an)\s+(?:(?:morning|night|cat|dog|people)\s+person|night owl|"
        r"early (?:riser|bird)|introvert|extrovert)\b",
        rf"{_I}have\s+(?:a|an)\s+(?:[\w-]+\s+){{0,6}}?(?:allergy|allergies|intolerance)\b",
        r"^i\s+speak\s+(?-i:[A-Z])",
        # a group the user belongs to ("I'm a member of the platform team", "I belong to a
        # running club"), not a part in what goes on ("I'm part of the problem", "a member
        # of this PR's reviewers") nor a meeting ("I joined the team call")
        rf"^i(?:'m|\s+am)\s+(?:a\s+)?(?:member|part)\s+of\s+{_GROUP}",
        rf"^i\s+(?:belong to|joined)\s+{_GROUP}",
    )
]
TASTES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"{_I}{_TASTE}\s+{_NOT_HERE}{_NOT_SHOWN}\w",
        # a standing choice, not one between what is on the screen ("the second one")
        rf"{_I}prefer\s+{_NOT_HERE}(?!not to (?:say|answer|comment|discuss|talk|share)\b)"
        rf"(?!the (?:first|second|third|last|other|former|latter|new|old|one)\b)\w",
        rf"{_I}{_LIKE}\s+{_NOT_HERE}{_NOT_SHOWN}\w",
        rf"{_I}(?:only|exclusively)\s+{_HABIT_VERB}\s+{_NOT_HERE}{_NOT_SHOWN}\w",
        # a fear, not of doing something to what is at hand ("afraid of touching the auth code")
        rf"{_I_AM}(?:afraid|scared|terrified) of\s+{_NOT_HERE}{_NOT_SHOWN}"
        r"(?!\w+ing\s+(?:the|prod|production|main|master|it)\b)\w",
        r"^i\s+learn\s+(?:best|better|most easily)\b",
        r"^i\s+play\s+(?:the\s+)?(?:guitar|piano|violin|drums|cello|bass|flute|saxophone|"
        r"trumpet|chess|tennis|football|soccer|basketball|golf|volleyball|hockey|cricket|rugby|"
        r"badminton)\b",
        rf"{_I_AM}(?:(?:a\s+)?(?:big\s+|huge\s+)?fan of|into|passionate about)\s+"
        rf"{_NOT_HERE}{_NOT_SHOWN}\w",
        rf"{_I_AM}not\s+(?:(?:a\s+)?fan of|into|interested in)\s+{_NOT_HERE}{_NOT_SHOWN}\w",
        rf"{_I}have\s+no\s+interest\s+in\s+{_NOT_HERE}{_NOT_SHOWN}\w",
        rf"{_I}have\s+(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?(?:aversion|preference|phobia|fear|"
        rf"dislike|passion|weakness|soft spot|objection)\s+(?:to|for|of)\s+{_NOT_HERE}"
        rf"{_NOT_CHOSEN}\w",
        rf"{_I}follow\s+(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?diet\b",
        # "I find textbooks dry and prefer stories", "I'm scared of heights, so I avoid ..."
        rf"^i(?:'m|\s+(?:am|find|have|get|feel|follow|believe)\b)[^,;]{{0,80}}?(?:\band|,)\s+"
        rf"(?:so\s+)?(?:i\s+)?(?:\w+ly\s+)?"
        rf"(?:prefer|avoid)\s+{_NOT_HERE}\w",
        # a favourite kind of thing, not the favourite part of what is shown ("My favourite
        # part is the new CLI", "My preferred approach is the second one")
        r"^my\s+(?:favou?rite|preferred)\s+(?!(?:part|parts|thing|bit|one|fix|approach|option|"
        r"change|version|solution|idea|feature|answer|suggestion|line|way)\b)[\w -]{1,30}?\s+"
        r"(?:is|are)\s+(?-i:(?!(?:the|this|that|these|those|your|yours|what|how)\b))\w",
    )
]
# A habit of eating, drinking or dressing (or a routine: "I run every morning") is about the
# person even where "I never / I always / I keep / I run" would make a rule of the project.
LIFESTYLE = re.compile(
    r"^i\s+(?:\w+ly\s+)?(?:never|always|only|don't|do not|rarely)?\s*(?:eat|drink|smoke|wear|"
    r"cook)\b(?!\s+(?:this|that|it|these|those|the kool-aid)\b)|^i\s+keep\s+(?:kosher|halal)\b|"
    r"^i\s+(?:run|swim|cycle|jog|walk|meditate|train)\s+(?:every|each)\s+(?:morning|day|evening|"
    r"night|week|weekend)\b|"
    r"^i\s+use\s+(?:a|an)\s+(?:wheelchair|cane|hearing aid|walker|screen reader|insulin pump)\b",
    re.IGNORECASE,
)


# A move with a place: a name ("I moved to Lisbon last year", "I relocated here from
# Brazil") that is not a tool's ("I moved to Postgres": statement_work.py), or a kind of
# place ("I moved to a small town").
_MOVED = re.compile(
    r"^i(?:'ve|\s+have)?\s+(?:\w+ly\s+|just\s+)?(?:moved|relocated)\s+"
    r"(?:back\s+|here\s+|over\s+|out\s+)?(?:to|from)\s+(?:(?P<place>(?-i:[A-Z])[\w'-]*"
    r"(?:\s+(?-i:[A-Z])[\w'-]*)*)|(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:town|city|village|"
    r"country|flat|apartment|house|suburb|neighbou?rhood|island|farm|countryside|coast)\b)",
    re.IGNORECASE,
)
# What a move is for: a thing of the work ("for our docs", "for the tickets") makes it a
# move of the work; a job or a family ("for my new job", "for my kids") does not.
_PURPOSE = re.compile(r"\bfor\s+(?:our|my|the|all)\s+(?:[\w-]+\s+){0,2}?([\w-]+)\s*[.!,;]?$",
                      re.IGNORECASE)  # fmt: skip
# A habit with its frequency ("I do yoga every morning", "I go swimming twice a week", "I
# call my mum on Sundays"), not a routine of the work ("I check the logs every day", "I do
# a release every Friday"): nothing in it names the work.
_DAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
FREQUENCY = (
    rf"(?:(?:every|each)\s+(?:other\s+)?(?:day|morning|evening|night|week|weekend|month|"
    rf"{_DAYS})|on\s+(?:{_DAYS}s|weekends)|(?:once|twice|three times|four times|\d+ times)\s+"
    r"(?:a|per)\s+(?:day|week|month)|daily|weekly)\b"
)
_HABIT = re.compile(
    r"^i\s+(?:\w+ly\s+)?(?:do|go|practi[sc]e|play|take|ride|run|swim|cycle|jog|walk|hike|"
    r"meditate|train|pray|visit|call|cook|bake|read|paint|draw|dance|sing|stretch|lift|climb|"
    rf"surf|ski|fast|work out)\b(?!\s+(?:this|that|it|these|those)\b).*\b{FREQUENCY}",
    re.IGNORECASE,
)


def personal(sentence: str) -> str | None:
    """ "fact" or "preference" for a lasting statement about the user, else None."""
    found = kind_of(sentence, FACTS, TASTES, _POINTS_HERE)
    if found is None and (moved := _MOVED.search(sentence)) is not None:
        place, purpose = moved.group("place"), _PURPOSE.search(sentence, moved.end())
        tool = place and (names_work(place) or names_product(place))
        found = None if tool or (purpose and names_work(purpose[1])) else "fact"
    return found


def habit(sentence: str) -> bool:
    """A habit of the user's with its frequency, which names nothing of the work."""
    return _HABIT.search(sentence) is not None and not names_work(sentence)


def kind_of(
    sentence: str,
    facts: Sequence[re.Pattern[str]],
    tastes: Sequence[re.Pattern[str]],
    points_here: re.Pattern[str],
) -> str | None:
    """ "fact" when a fact pattern matches the sentence (its opening quotes dropped, a curly
    apostrophe read as straight), "preference" when a taste does and nothing in it points
    at the chat; else None. Each language's patterns go through here."""
    sentence = sentence.lstrip("\"'“‘«„ ").replace("\u2019", "'")
    if any(p.search(sentence) for p in facts):
        return "fact"
    if any(p.search(sentence) for p in tastes) and not points_here.search(sentence):
        return "preference"
    return None

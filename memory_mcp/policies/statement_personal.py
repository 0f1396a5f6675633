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

# What a statement of taste points at when it reacts to the chat, not when it describes the
# person: "I love this", "I hate it when...", "I love seeing them play", "I love his humour";
# and for a liking, "I love the colours" (of a photo just shown). Measured on LoCoMo's 2,760
# dialogue turns, read by hand.
_NOT_HERE = (
    r"(?!(?:this|that|it|these|those|your|his|her|their|our|how|what|when|where|you|him|"
    r"them|us|me|doing (?:this|that|it)|(?:seeing|watching|hearing|having) "
    r"(?:them|him|her|it|this|that|these|those|you))\b)"
)
# "The" names what is on the screen ("I hate the naming", "I love the colours", "I hate the
# naming in this file") unless what follows says which in general ("I dislike the scent of
# citrus", "I avoid the use of ORMs").
_NOT_SHOWN = (
    r"(?:(?!the\b)|(?=the\s+(?:[\w-]+\s+){1,3}?(?:of|in|from|with|on)\s+"
    r"(?!(?:this|that|these|those|it|here|there|your)\b)))"
)
# Trades and roles end this way (engineer, developer, scientist, librarian, consultant, tutor);
# the jokes that share the ending are named. A role ends the sentence or comes before where,
# whom or since ("a data engineer at Acme"): "a bit under the weather" is not one.
_ROLE = (
    r"(?:\w+(?:er|or|ist|ian|ant|ent|ee)|nurse|chef|pilot|cook|vet|intern|postdoc|novice|"
    r"newbie|expert|mom|mum|dad|mother|father|native speaker|\w+ major)\b"
    r"(?<!\bloser)(?<!\bdisaster)(?<!\bmonster)"
    r"(?=\s*(?:$|[.,;!]|(?:at|for|in|on|with|of|and|who|from|based|working|since)\b))"
)
_CONDITION = (
    rf"(?:(?:allergic|intolerant) to {_NOT_HERE}|"
    r"vegan|vegetarian|pescatarian|diabetic|c(?:o)?eliac|colou?r-?blind|dyslexic|autistic|"
    r"left-handed|right-handed|deaf|hard of hearing|pregnant|married|divorced|widowed|retired|"
    r"sober|lactose[- ]intolerant|gluten[- ]free|"
    r"\d{1,3} years old|based in (?-i:[A-Z])|from (?-i:[A-Z]))"
)
_PEOPLE = (
    r"(?:wife|husband|partner|spouse|son|daughter|kid|kids|child|children|baby|dog|cat|puppy|"
    r"kitten|pet|mother|mom|mum|father|dad|brother|sister|boss|manager|cofounder|co-founder)"
)
_LEARNING = r"(?!(?:a lot|so much|a ton|fast|slowly|that|this|it|how|what)\b)"
# "I", after a reason given first ("Due to a chronic condition, I ...", "As a vegan, I ..."),
# with an adverb of degree or frequency ("I strongly prefer", "I usually avoid").
_REASON = r"^(?:(?:due to|because of|as|given|since|being)\b[^,]{1,80},\s+)?"
_I = rf"{_REASON}i\s+(?:\w+ly\s+)?"
_I_AM = rf"{_REASON}i(?:'m|\s+am)\s+(?:\w+ly\s+)?"
# A standing taste, whatever its object ("I avoid gluten", "I can't stand heat").
_TASTE = (
    r"(?:avoid|dislike|hate|despise|detest|favou?r|prioriti[sz]e|"
    r"refuse to (?!believe|accept|admit)|"
    r"(?:can't|cannot|can not) (?:stand|tolerate|eat|drink)|"
    r"(?:don't|do not|never|won't|will not) (?:like|enjoy|eat|drink|consume|wear|watch|play|"
    r"buy|use)|(?:have|try) to avoid|must avoid|steer clear of)"
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
        rf"^i(?:'m| am)\s+(?:studying|learning|training for|preparing for)\s+{_LEARNING}\w",
        rf"^my\s+{_PEOPLE}(?:'s| is| are)\s+(?:name\s+is\s+|called\s+|named\s+)?(?-i:[A-Z])",
        rf"^my\s+{_PEOPLE}(?:'s)?\s+names?\s+(?:is|are)\s+(?-i:[A-Z])",
        r"^my\s+(?:birthday|time ?zone|pronouns|native language|first language|mother tongue)"
        r"\s+(?:is|are)\s+\w",
        rf"^i\s+have\s+(?:a|an|one|two|three|four|five|\d)\s+(?:[\w-]+\s+)?{_PEOPLE}\b",
        r"^i\s+have\s+(?:diabetes|celiac|coeliac|adhd|asthma|epilepsy|dyslexia)\b",
        rf"{_I}have\s+(?:a|an)\s+(?:[\w-]+\s+){{0,6}}?(?:allergy|allergies|intolerance)\b",
        r"^i\s+speak\s+(?-i:[A-Z])",
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
        rf"{_I}(?:only|exclusively)\s+{_HABIT_VERB}\s+{_NOT_HERE}\w",
        rf"{_I_AM}(?:(?:a\s+)?(?:big\s+|huge\s+)?fan of|into|passionate about)\s+"
        rf"{_NOT_HERE}{_NOT_SHOWN}\w",
        rf"{_I_AM}not\s+(?:(?:a\s+)?fan of|into|interested in)\s+{_NOT_HERE}{_NOT_SHOWN}\w",
        rf"{_I}have\s+no\s+interest\s+in\s+{_NOT_HERE}{_NOT_SHOWN}\w",
        rf"{_I}have\s+(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?(?:aversion|preference|phobia|fear|"
        rf"dislike|passion|weakness|soft spot|objection)\s+(?:to|for|of)\s+{_NOT_HERE}\w",
        rf"{_I}follow\s+(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?diet\b",
        # "I find textbooks dry and prefer stories", "I'm scared of heights, so I avoid ..."
        rf"^i(?:'m|\s+(?:am|find|have|get|feel|follow|believe)\b)[^,;]{{0,80}}?(?:\band|,)\s+"
        rf"(?:so\s+)?(?:i\s+)?(?:\w+ly\s+)?"
        rf"(?:prefer|avoid)\s+{_NOT_HERE}\w",
        r"^my\s+(?:favou?rite|preferred)\s+[\w -]{1,30}?\s+(?:is|are)\s+\w",
    )
]


def personal(sentence: str) -> str | None:
    """ "fact" or "preference" for a lasting statement about the user, else None."""
    sentence = sentence.lstrip("\"'“‘ ").replace("\u2019", "'")
    if any(p.search(sentence) for p in FACTS):
        return "fact"
    if any(p.search(sentence) for p in TASTES):
        return "preference"
    return None

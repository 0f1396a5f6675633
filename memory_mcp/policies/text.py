"""Words of a text as recall and dedup see them: lowercase word tokens, and the stopwords."""

import re

# Function words that carry no topic: dropping them keeps natural-language questions from
# matching every memory that says "the" while the content words decide the ranking.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    s t don didn doesn isn wasn aren weren won let lets did anything something thing things
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]

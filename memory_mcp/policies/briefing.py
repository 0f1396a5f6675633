"""How a briefing is laid out and cut to its budget, and when a memory bears on a prompt. No I/O.

A briefing is sections of one-line items, in priority order; items are added while the whole
text stays within the budget (estimated tokens, policies/budget.py), so it never exceeds it.
Memory text is shown as data under a frame saying so, one line per memory, cut to a length,
its tags defused (a stored `</system-reminder>` cannot close the client's wrapper).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from memory_mcp.policies.budget import estimate_tokens
from memory_mcp.policies.controls import CONTROL, UNSEEN, written_out
from memory_mcp.policies.keyword_text import folded, stemmed
from memory_mcp.policies.text import STOPWORDS, tokens

MAX_ITEM_CHARS = 320
# A memory bears on a prompt when it shares this share of the prompt's content words (at
# least two of them), or its embedding is this close to the prompt's.
MIN_SHARED_WORDS = 2
MIN_WORD_SHARE = 0.34
MIN_COSINE = 0.5
# A tag in memory text (`</system-reminder>`, `<user>`): a client wraps the briefing in its
# own tags, and a stored `</…>` would close that wrapper, making what follows read as the
# user's or the system's words. Shown as ‹tag›, it stays text.
_TAG = re.compile(r"<(/?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?)>")


@dataclass(frozen=True)
class Section:
    title: str
    items: Sequence[str]


def render(header: str, sections: Sequence[Section], max_tokens: int) -> str:
    """The header, then each section's items while they fit; empty sections are left out.
    Returns "" when not even the header and one item fit.

    Each line is costed with its line break; the estimate of the whole is at most the sum
    of its lines' (each rounds up), so the text never exceeds `max_tokens`."""
    # The header names the project, whose scope comes from stored data or a repository's
    # remote URL (`.git/config`): a tag there closed the wrapper as a memory's would.
    header = one_line(header, limit=len(header) + 1)
    lines = [header]
    used = _cost(header)
    for section in sections:
        added = False
        for item in section.items:
            line = "- " + one_line(item)
            extra = [line] if added else ["", section.title + ":", line]
            cost = sum(_cost(x) for x in extra)
            if used + cost > max_tokens:
                continue  # a shorter item further down may still fit
            lines += extra
            used += cost
            added = True
    return "\n".join(lines) if len(lines) > 1 else ""


def _cost(line: str) -> int:
    return estimate_tokens(line + "\n")


def one_line(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    """Memory text as one inert line: no line breaks or control characters, no tags (shown as
    ‹tag›), the characters that print as nothing written out (`\\u200b`, `\\U000e0041`), cut
    to `limit`. A model reads what a person sees: Unicode tag characters carry a whole text
    no screen shows, so an instruction hidden in a memory reached the model unseen."""
    shown = UNSEEN.sub(lambda m: written_out(m.group()), CONTROL.sub(" ", text))
    flat = " ".join(_TAG.sub(r"‹\1›", shown).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def content_words(text: str) -> set[str]:
    """A text's topic words: no stopwords, no one-letter words, crude plural/ing folding; in
    one Unicode form, Arabic by its stem, as the keyword indexes read them (an NFD `Señor`
    was `se`, `or`; `بالقهوة` was not `قهوة`)."""
    return {_stem(t) for t in tokens(stemmed(folded(text))) if t not in STOPWORDS and len(t) > 1}


def word_share(query: str, text: str) -> tuple[int, float]:
    """How many of the query's content words the text holds, and what share of them."""
    wanted = content_words(query)
    if not wanted:
        return 0, 0.0
    shared = len(wanted & content_words(text))
    return shared, shared / len(wanted)


def bears_on(query: str, text: str, cosine: float | None = None) -> bool:
    """Whether a recalled memory clearly concerns the prompt (silence beats noise)."""
    if cosine is not None and cosine >= MIN_COSINE:
        return True
    shared, share = word_share(query, text)
    return shared >= MIN_SHARED_WORDS and share >= MIN_WORD_SHARE


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word

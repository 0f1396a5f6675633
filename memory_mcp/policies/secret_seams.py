"""A secret split across two texts of one session: the tail of a message and the head of
the next (a token pasted in two messages, a prompt ending `my password is` and a reply
starting with it), found in neither alone. Each pair of consecutive texts, already redacted,
is read joined at its seam (SEAM characters each side, with nothing and with a space
between), and a secret found across the seam is masked on both sides. No I/O;
service/capture.py applies it to a session's texts."""

import re
from dataclasses import dataclass, field

from memory_mcp.policies.redact import secret_spans

SEAM = 200  # characters read on each side of a seam
_JOINS = ("", " ")  # a token cut in two; a label in one text and its value in the next
_SPACE = re.compile(r"\s")


@dataclass
class Seamed:
    """A text with what was masked at its seams: its new text, the kinds, the pieces."""

    text: str
    kinds: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)


def across_seams(texts: list[str]) -> list[Seamed]:
    """Each of `texts` (in the session's order) with the pieces of a secret that a seam
    with the text before or after it cuts in two masked as `[REDACTED:kind]`."""
    masks: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    present = [i for i, text in enumerate(texts) if text.strip()]
    for before, after in zip(present, present[1:], strict=False):
        a, b = texts[before], texts[after]
        tail_at, head_to = _tail(a), _head(b)
        tail, head = a[tail_at:], b[:head_to]
        alone = [(start, end) for start, end, _ in secret_spans(head)]
        for join in _JOINS:
            seam = len(tail) + len(join)
            for start, end, kind in secret_spans(tail + join + head):
                if end <= seam or any(s + seam <= start and end <= e + seam for s, e in alone):
                    continue  # all in the first text, or in the second without the first
                if start < len(tail):
                    masks[before].append((tail_at + start, len(a), kind))
                masks[after].append((max(start - seam, 0), end - seam, kind))
    return [_masked(text, spans) for text, spans in zip(texts, masks, strict=True)]


def _tail(text: str) -> int:
    """Where the last SEAM characters of `text` start, moved on to a word's start."""
    at = max(len(text) - SEAM, 0)
    if at == 0:
        return 0
    space = _SPACE.search(text, at)
    return at if space is None else space.end()


def _head(text: str) -> int:
    """Where the first SEAM characters of `text` end, moved back to a word's end."""
    if len(text) <= SEAM:
        return len(text)
    space = max(text.rfind(" ", 0, SEAM), text.rfind("\n", 0, SEAM))
    return SEAM if space <= 0 else space


def _masked(text: str, spans: list[tuple[int, int, str]]) -> Seamed:
    result = Seamed(text)
    if not spans:
        return result
    pieces: list[str] = []
    done = 0
    for start, end, kind in sorted(spans):
        if end <= done:
            continue
        start = max(start, done)
        pieces += [text[done:start], f"[REDACTED:{kind}]"]
        result.kinds.append(kind)
        result.found.append(text[start:end])
        done = end
    result.text = "".join(pieces) + text[done:]
    return result

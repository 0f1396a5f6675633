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
_PIECES = 4  # a secret is read over this many texts at most (cut in three: `ghp_ab` `cd` `ef`)


@dataclass
class Seamed:
    """A text with what was masked at its seams: its new text, the kinds, the pieces."""

    text: str
    kinds: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)


# A piece of a text read at a seam: its index among the texts, and where it starts and ends.
_Piece = tuple[int, int, int]


def across_seams(texts: list[str]) -> list[Seamed]:
    """Each of `texts` (in the session's order) with the pieces of a secret that a seam
    with the text before or after it cuts in two masked as `[REDACTED:kind]`. The spaces
    and line ends around a seam are left out (`my token is ghp_ab\r\n` then `cd…`), and a
    short text between two seams is read with the text before it too (a secret in three)."""
    masks: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    present = [i for i, text in enumerate(texts) if text.strip()]
    for n, after in enumerate(present[1:], 1):
        b = texts[after]
        lead = len(b) - len(b.lstrip())
        head: _Piece = (after, lead, max(_head(b), lead))
        pieces = _before(texts, present[max(n - _PIECES + 1, 0) : n])
        alone = [(s, e) for s, e, _ in secret_spans(b[head[1] : head[2]])]
        for join in _JOINS:
            _read([*pieces, head], join, texts, alone, masks)
    return [_masked(text, spans) for text, spans in zip(texts, masks, strict=True)]


def _before(texts: list[str], present: list[int]) -> list[_Piece]:
    """The pieces read before a seam from the texts `present` (the last _PIECES - 1 before
    it): the last text's tail, and the texts before it while each is short (SEAM characters
    at most) and read whole."""
    pieces: list[_Piece] = []
    for index in reversed(present):
        text = texts[index]
        end, lead = len(text.rstrip()), len(text) - len(text.lstrip())
        at = max(_tail(text[:end]), lead)
        pieces.insert(0, (index, at, end))
        if at > lead:
            break  # its tail only: nothing before it is read
    return pieces


def _read(
    pieces: list[_Piece],
    join: str,
    texts: list[str],
    alone: list[tuple[int, int]],
    masks: list[list[tuple[int, int, str]]],
) -> None:
    """Find the secrets in `pieces` joined with `join` that cross the last seam (not all
    before it, nor all after it in what the last piece holds alone), and mask each piece
    of them in `masks`."""
    offsets, joined = [], ""
    for index, start, end in pieces:
        offsets.append(len(joined))
        joined += texts[index][start:end] + join
    joined = joined[: len(joined) - len(join)]
    seam = offsets[-1]
    for start, end, kind in secret_spans(joined):
        if end <= seam or any(s + seam <= start and end <= e + seam for s, e in alone):
            continue
        for (index, at, stop), offset in zip(pieces, offsets, strict=True):
            low, high = max(start - offset, 0), min(end - offset, stop - at)
            if low < high:
                masks[index].append((at + low, at + high, kind))


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

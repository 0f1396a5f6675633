"""<private>…</private> blocks: where they are in a text, and the text without them, its
kept pieces joined so that no new word or tag is spelt across a cut. No I/O; redact.py
drops them before it looks for secrets."""

import re

Span = tuple[int, int]

_PRIVATE_TAG = re.compile(r"<(/?)private>", re.IGNORECASE)
_LONGEST_TAG = len("</private>")


def private_spans(text: str) -> list[Span]:
    """Blocks to cut: nested tags count depth, an unclosed one runs to the end of the text."""
    spans: list[Span] = []
    depth = start = 0
    for tag in _PRIVATE_TAG.finditer(text):
        if not tag.group(1):
            start = tag.start() if depth == 0 else start
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, tag.end()))
        else:
            spans.append(tag.span())  # a stray closing tag: drop the tag, not the text
    if depth:
        spans.append((start, len(text)))
    # Blocks separated only by whitespace are cut as one, so every kept piece between two
    # cuts has words in it and the seam logic below only ever sees whitespace at its edges.
    merged: list[Span] = []
    for span in spans:
        if merged and not text[merged[-1][1] : span[0]].strip():
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged


def strip_private(text: str) -> tuple[str, int | None]:
    """The text without private blocks, and where in it the first one was."""
    spans = private_spans(text)
    if not spans:
        return text, None
    cuts = [0, *(edge for span in spans for edge in span), len(text)]
    head = text[: cuts[1]]
    parts: list[str] = []
    tail = trail = ""  # last characters written; whitespace held back until the next seam
    for i in range(0, len(cuts), 2):
        piece = text[cuts[i] : cuts[i + 1]]
        core = piece.strip()
        if not core:
            continue  # only the first or last piece: the text starts or ends with a block
        # The text's own indentation stays; whitespace left after a leading block goes.
        lead = piece[: len(piece) - len(piece.lstrip())] if parts or i == 0 else ""
        seam = _seam(trail, lead, tail, core) if parts else lead
        parts += [seam, core]
        tail = (tail + seam + core[-_LONGEST_TAG:])[-_LONGEST_TAG:]
        trail = piece[len(piece.rstrip()) :]
    if text[cuts[-2] :].strip():
        parts.append(trail)
    return "".join(parts), len(head.rstrip()) if head.strip() else 0


def _seam(trail: str, lead: str, before: str, after: str) -> str:
    """What joins two kept pieces: one of their whitespace runs, never both."""
    if trail and lead:
        return lead if lead.count("\n") > trail.count("\n") else trail
    if trail or lead:
        return trail or lead
    # Two words joined could spell a new tag ("<priv" + "ate>"); keep them apart then only.
    return " " if _PRIVATE_TAG.search(before + after[:_LONGEST_TAG]) else ""

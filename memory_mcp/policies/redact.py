"""Keep secrets out of stored memories: drop <private> blocks, mask credentials. No I/O.

`redact` cleans one text; `redact_fields` cleans every text of a memory (content, context,
tags, key, scope, metadata at any depth) in one step, and is what every write path calls
before anything is indexed, embedded or written to history. The shapes of secrets are in
secrets.py.
"""

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from memory_mcp.policies.controls import UNSEEN
from memory_mcp.policies.private_blocks import private_spans, strip_private
from memory_mcp.policies.secret_fields import field_kind
from memory_mcp.policies.secret_needles import ANY_SHAPE, needle_pattern, rule_picks
from memory_mcp.policies.secret_rule import Span, is_value
from memory_mcp.policies.secret_variants import (
    JOINABLE,
    Candidate,
    as_ascii,
    base64_decoded,
    lookalikes,
    string_unescaped,
    url_decoded,
)
from memory_mcp.policies.secrets import KINDS, RULES

__all__ = [
    "KINDS",
    "HIDDEN",
    "Redaction",
    "RedactedFields",
    "masked_texts",
    "measured_length",
    "redact",
    "redact_fields",
    "secret_spans",
]


@dataclass(frozen=True)
class Redaction:
    """What may be stored, and each kind of secret removed from it, once, in text order;
    `found`: the stretches removed (<private> blocks, then each secret), what a capture
    masks again wherever else its session says them (reused_secrets.py), so a text is
    redacted once for both."""

    text: str
    redacted: tuple[str, ...] = ()
    found: tuple[str, ...] = field(default=(), compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.redacted)


@dataclass(frozen=True)
class RedactedFields:
    """A memory's fields with every text redacted, and the kinds removed, in field order;
    `found`: the texts removed, as Redaction's (a value a field's name says is a secret
    whole)."""

    fields: dict[str, Any]
    redacted: tuple[str, ...] = ()
    found: tuple[str, ...] = field(default=(), compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.redacted)


# Text this module wrote earlier. Each stretch between markers is scanned on its own, as if
# the markers were the ends of the text: no match can swallow one (a URL password ending in
# a marker, a key "to the end of the text"), so redacting twice changes nothing.
_MARKER = re.compile(r"\[REDACTED:[a-z_]+\]")


# Characters that print as nothing, and bidi marks: copied from a web page or a chat, a
# token may hold one (a soft hyphen where the page could wrap, a zero-width space a chat app
# put in) that hides it from every rule, and its needle from the search below.
HIDDEN = re.compile(f"{UNSEEN.pattern}|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What a text must hold for redact to change it: a rule's needle, a "<" (a private tag), a
# "%" (an escape url_decoded reads), a `\u` or `\x` (string_unescaped's), a line break
# (_across_lines may join a token cut there) or a hidden character (_scan_shown takes it
# out). Most texts hold none: one search of the lowered text (and, for a text not all
# ASCII, one for hidden characters) then stands for every step (a needle in part of a text
# is in the whole: lower() maps each character on its own but for a final sigma, which no
# needle holds).
_WORTH_A_LOOK = re.compile(needle_pattern("<", "%", "\n", "\\u", "\\x"))


# Whether a text may hold a base64 run (secret_variants.BASE64_RUN: 24 or more characters of
# its alphabet in a row), asked with a byte translation, each byte of that alphabet to "a"
# and every other (UTF-8's non-ASCII bytes too) to a space, and a search for 24 "a"s: 0.9 us
# a memory of prose where the run's pattern took 3.2 us (a search joined to the needles'
# took more: the trie's first characters no longer let `re` skip). It finds every run the
# pattern finds (and one followed by "===", which that does not: a look too many).
_BASE64_BYTES = bytes(
    ord("a") if chr(i).isascii() and (chr(i).isalnum() or chr(i) in "+/_-") else ord(" ")
    for i in range(256)
)
_BASE64_RUN_BYTES = b"a" * 24


def _plain(text: str) -> bool:
    """Whether redact leaves `text` as it is for want of anything to look at."""
    lowered = text.lower()
    if _WORTH_A_LOOK.search(lowered) is not None or ANY_SHAPE.search(lowered) is not None:
        return False
    if _BASE64_RUN_BYTES in text.encode("utf-8", "replace").translate(_BASE64_BYTES):
        return False
    if text.isascii():  # no ASCII character is hidden or looks like another
        return True
    return HIDDEN.search(text) is None and _WORTH_A_LOOK.search(as_ascii(text).lower()) is None


def redact(text: str) -> Redaction:
    """Remove <private> blocks and replace secrets with `[REDACTED:<kind>]`. Never raises.

    Private blocks go first, so a secret split by one is still found once it is joined.
    """
    if _plain(text):
        return Redaction(text)
    joined, private_at = strip_private(text)
    found = _findings(joined)
    events = [(start, 1, kind) for start, _, kind in found]
    removed = [joined[start:end] for start, end, _ in found]
    if private_at is not None:
        events.append((private_at, 0, "private"))
        removed[:0] = [text[start:end] for start, end in private_spans(text)]
    kinds = [kind for _, _, kind in sorted(events)]
    masked = _mask(joined, found)
    for _ in range(_ROUNDS if found else 0):
        # A marker ends the stretch a rule reads, where the secret it stands for was read
        # as a word (a value's end, a passphrase's next word, a label a value took in): the
        # text around it may read otherwise now. Masking again until nothing more is found
        # makes a second redact change nothing, whatever the rules (tests/policies: fuzz).
        more = _findings(masked)
        if not more:
            break
        kinds += [kind for _, _, kind in more]
        removed += [masked[start:end] for start, end, _ in more]
        masked = _mask(masked, more)
    return Redaction(masked, tuple(dict.fromkeys(kinds)), tuple(removed))


_ROUNDS = 4  # masking the fuzz's texts settles in two (a look that finds nothing ends it)


def secret_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each secret in `text` as it is (<private> blocks not taken
    out): what redact masks in a text that holds none."""
    return [] if _plain(text) else _findings(text)


def masked_texts(text: str) -> list[str]:
    """The stretches of `text` that redact removes: its <private> blocks and secrets."""
    return list(redact(text).found)


def _findings(text: str) -> list[tuple[int, int, str]]:
    """Secret spans: overlapping candidates merge, and a group is kept if one is a secret.

    The group is named by its earliest, longest, most specific secret.
    """
    found: list[Candidate] = []
    start = 0
    for marker in [*_MARKER.finditer(text), None]:
        end = len(text) if marker is None else marker.start()
        if start < end:
            # what a rule reads up to a marker is cut short by the secret it stands for (a
            # quote opening it, a value's first half): masked with it, or not a secret
            found += [c for c in _scan_shown(text, start, end) if marker is None or -c[1] < end]
        start = len(text) if marker is None else marker.end()
    groups: list[tuple[int, int, str | None]] = []
    for start, negative_end, priority, alone in sorted(found):
        end, kind = -negative_end, RULES[priority].kind if alone else None
        if groups and start < groups[-1][1]:
            first, last, named = groups[-1]
            groups[-1] = (first, max(last, end), named or kind)
        else:
            groups.append((start, end, kind))
    return [(start, end, kind) for start, end, kind in groups if kind]


def _scan(text: str, start: int, end: int) -> list[Candidate]:
    """(start, -end, rule, alone) for each candidate in text[start:end], which has no marker."""
    found: list[Candidate] = [
        (first, -last, priority, alone)
        for priority, _, (first, last), alone in rule_picks(text, start, end)
        if first < last
    ]
    extra = _across_lines(text, start, end, found) + url_decoded(text, start, end)
    extra += string_unescaped(text, start, end)
    return found + extra + lookalikes(text, start, end) + base64_decoded(text, start, end)


def _scan_shown(text: str, start: int, end: int) -> list[Candidate]:
    """_scan of text[start:end] as it shows: with the characters that print as nothing taken
    out first (`sk-proj-Ab3\u200bAb3…`, `s\u00adk_live_…`, also where a line break or a
    %-escape cuts the token too), and what it finds mapped back to the text as it is, so a
    mask covers those characters inside a secret."""
    hidden = [] if text.isascii() else list(HIDDEN.finditer(text, start, end))
    if not hidden:  # no ASCII character is hidden: most texts skip the search
        return _scan(text, start, end)
    pieces, seams, removed, at = [], [], [0], start
    for char in hidden:
        pieces.append(text[at : char.start()])
        seams.append(char.start() - start - removed[-1])  # where it was, in the shown text
        removed.append(removed[-1] + char.end() - char.start())
        at = char.end()
    pieces.append(text[at:end])
    shown = "".join(pieces)
    found: list[Candidate] = []
    for first, negative_last, priority, alone in _scan(shown, 0, len(shown)):
        last = -negative_last
        # a hidden character just before or after a secret stays; those inside go with it
        first += start + removed[bisect_right(seams, first)]
        last += start + removed[bisect_left(seams, last)]
        found.append((first, -last, priority, alone))
    return found


# A line break (with the spaces around it) between two characters a token is made of, with
# runs of such characters on either side that together are at least as long as the shortest
# token (an "xoxb-" Slack token), or the break cannot be inside one. Prose has few.
_SHORTEST_TOKEN = 15
_RUN_BEFORE = re.compile(rf"[A-Za-z0-9_.+/=~-]{{1,{_SHORTEST_TOKEN}}}$")
_RUN_AFTER = re.compile(rf"[ \t]*([A-Za-z0-9_.+/=~-]{{1,{_SHORTEST_TOKEN}}})")


def _breaks(text: str, start: int, end: int) -> list[Span]:
    """The line breaks in text[start:end] that could be inside a token, with their spaces."""
    spans: list[Span] = []
    newline = text.find("\n", start, end)
    while newline >= 0:
        first = newline
        while first > start and text[first - 1] in " \t\r":
            first -= 1
        before = _RUN_BEFORE.search(text, max(start, first - _SHORTEST_TOKEN), first)
        after = _RUN_AFTER.match(text, newline + 1, end)
        if before and after and before.end() - before.start() + len(after[1]) >= _SHORTEST_TOKEN:
            spans.append((first, after.start(1)))
        newline = text.find("\n", newline + 1, end)
    return spans


def _across_lines(text: str, start: int, end: int, found: list[Candidate]) -> list[Candidate]:
    """Tokens a line break cuts in two, found in the text with those breaks taken out.

    Only a token that spans a break and that no rule found on the lines as they are counts,
    so a whole token at the end of a line does not swallow the first word of the next one.
    """
    breaks = _breaks(text, start, end)
    if not breaks:
        return []
    pieces, seams, removed, at = [], [], [0], start
    for first, last in breaks:
        pieces.append(text[at:first])
        seams.append(first - start - removed[-1])  # where the break was, in the joined text
        removed.append(removed[-1] + last - first)
        at = last
    pieces.append(text[at:end])
    joined = "".join(pieces)
    whole = _Spans((s, -e) for s, e, priority, _ in found if RULES[priority].joinable)
    extra: list[Candidate] = []
    for priority, _, (first, last), alone in rule_picks(joined, rules=JOINABLE):
        cut = bisect_right(seams, first)  # breaks before the token's first character
        if first >= last or cut == bisect_left(seams, last):
            continue  # a token on one line: the scan of the text as it is has it
        span = (start + first + removed[cut], start + last + removed[bisect_left(seams, last)])
        if not whole.overlap(*span):
            extra.append((span[0], -span[1], priority, alone))
    return extra


class _Spans:
    """Spans, asked whether any overlaps a given one in logarithmic time."""

    def __init__(self, spans: Iterable[Span]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.reach = list(accumulate((end for _, end in ordered), max, initial=-1))

    def overlap(self, start: int, end: int) -> bool:
        before = bisect_left(self.starts, end)  # the spans that start before `end`
        return self.reach[before] > start  # and the furthest any of them ends


def _mask(text: str, found: list[tuple[int, int, str]]) -> str:
    pieces: list[str] = []
    done = 0
    for start, end, kind in found:
        pieces += [text[done:start], f"[REDACTED:{kind}]"]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


# -- every text of a memory ----------------------------------------------------------------


def redact_fields(**fields: Any) -> RedactedFields:
    """Each field redacted: strings, and strings in lists and dicts at any depth (dict keys
    too). A dict entry whose name says it holds a secret (`password`, `dbPassword`,
    `x-api-key`, `authorization`) loses its text value whatever it looks like. A tag holding
    a secret becomes its marker alone: a tag is a short label, and stays one. Other values
    (numbers, None) are kept. Never raises; callers bound nesting first (inputs.MAX_DEPTH)."""
    kinds = _Removed()
    cleaned = {
        name: [_tag(tag, kinds) for tag in value]
        if name == "tags" and isinstance(value, list)
        else _walk(value, kinds)
        for name, value in fields.items()
    }
    return RedactedFields(cleaned, tuple(dict.fromkeys(kinds.kinds)), tuple(kinds.found))


class _Removed:
    """The kinds of secret removed from a memory's fields, and the texts."""

    def __init__(self) -> None:
        self.kinds: list[str] = []
        self.found: list[str] = []

    def add(self, result: Redaction) -> None:
        self.kinds += result.redacted
        self.found += result.found

    def whole(self, kind: str, value: str) -> None:
        self.kinds.append(kind)
        self.found.append(value)


def _tag(tag: Any, kinds: _Removed) -> Any:
    if not isinstance(tag, str):
        return _walk(tag, kinds)
    if _plain(tag):
        return tag
    result = redact(tag)
    kinds.add(result)
    secrets = [kind for kind in result.redacted if kind != "private"]
    return f"[REDACTED:{secrets[0]}]" if secrets else result.text


def _walk(value: Any, kinds: _Removed) -> Any:
    if isinstance(value, str):
        if _plain(value):  # most texts: not even a Redaction to make
            return value
        result = redact(value)
        kinds.add(result)
        return result.text
    if isinstance(value, dict):
        return dict(_entry(key, item, kinds) for key, item in value.items())
    if isinstance(value, list | tuple):
        return [_walk(item, kinds) for item in value]
    return value


def _entry(key: Any, value: Any, kinds: _Removed, within: str | None = None) -> tuple[Any, Any]:
    """One dict entry; `within`: the kind a field around it is named for."""
    name = _walk(key, kinds)
    kind = field_kind(key) if isinstance(key, str) else None
    if kind:
        return name, _named(value, kind, kinds, direct=True)
    return name, _walk(value, kinds) if within is None else _named(value, within, kinds, False)


# Kinds whose named field may hold its secret as a number (a PIN-like password, a numeric
# key); a number under a "max_token" field is a count.
_NUMERIC_KINDS = frozenset({"password", "secret", "api_key", "private_key", "aws_secret_key"})


def _named(value: Any, kind: str, kinds: _Removed, direct: bool) -> Any:
    """The value of a field named for a secret: every text in it, in lists and in dicts at
    any depth, is the secret (a dict's own secret-named entries name theirs); so is a number
    given as the field's value or in a list there, not one deeper in a dict (a password
    policy's `min_length`)."""
    if isinstance(value, str):
        if is_value(value) and not _MARKER.fullmatch(value):
            kinds.whole(kind, value)
            return f"[REDACTED:{kind}]"
        return _walk(value, kinds)
    if isinstance(value, dict):
        return dict(_entry(key, item, kinds, kind) for key, item in value.items())
    if isinstance(value, list | tuple):
        return [_named(item, kind, kinds, direct) for item in value]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and direct and kind in _NUMERIC_KINDS:
        kinds.whole(kind, str(value))
        return f"[REDACTED:{kind}]"
    return value


_KNOWN_MARKER = re.compile(rf"\[REDACTED:(?:{'|'.join(KINDS)})\]")


def measured_length(text: str) -> int:
    """The length limits apply to: each redaction marker counts as one character, so text
    that fit before redaction (or a memory exported with its markers) fits again."""
    return len(text) - sum(len(m.group()) - 1 for m in _KNOWN_MARKER.finditer(text))

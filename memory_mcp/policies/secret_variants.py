"""The same text read three more ways, for secrets hidden from the rules as it is written:
%-decoded (a URL's query), with look-alike characters read as ASCII, and base64 decoded. Each finds
candidates (start, -end, rule, alone) mapped back to the text as it is. No I/O; redact.py
scans them with the text."""

import base64
import re
from bisect import bisect_left
from collections.abc import Callable

from memory_mcp.policies.secret_needles import rule_picks
from memory_mcp.policies.secret_rule import Span
from memory_mcp.policies.secrets import RULES

Candidate = tuple[int, int, int, bool]  # start, -end, rule index, a secret on its own
JOINABLE = [(priority, rule) for priority, rule in enumerate(RULES) if rule.joinable]


_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}|\+")


def url_decoded(text: str, start: int, end: int) -> list[Candidate]:
    """Secrets %-encoded in a URL or query string (`password%3Dhunter2%21x`,
    `Authorization%3A%20Bearer%20…`, `%22ghp_…%22`), found in text[start:end] with each
    `%XX` (and `+`, a space in a query) decoded once, and mapped back to the text as it is."""
    if text.find("%", start, end) < 0:
        return []
    return _unescaped(text, start, end, _ESCAPE, _decode)


def _unescaped(
    text: str, start: int, end: int, escapes: re.Pattern[str], decode: Callable[[str], str]
) -> list[Candidate]:
    """Secrets in text[start:end] read with each of `escapes` decoded to one character."""
    pieces, seams, removed, at = [], [], [0], start
    for escape in escapes.finditer(text, start, end):
        pieces += [text[at : escape.start()], decode(escape.group())]
        seams.append(escape.start() - start - removed[-1])  # where it is in the decoded text
        removed.append(removed[-1] + len(escape.group()) - 1)
        at = escape.end()
    if removed[-1] == 0:
        return []  # only "+": nothing %-encoded
    pieces.append(text[at:end])
    found: list[Candidate] = []
    for priority, _, (first, last), alone in rule_picks("".join(pieces)):
        if first < last:
            first += start + removed[bisect_left(seams, first)]
            last += start + removed[bisect_left(seams, last)]
            found.append((first, -last, priority, alone))
    return found


def _decode(escape: str) -> str:
    return " " if escape == "+" else chr(int(escape[1:], 16))


# A string's escapes (JSON's `\u0070assword`, JavaScript's and Python's `\x70`, Python's and
# C#'s `\U00000070`, JavaScript's, Rust's and Swift's `\u{70}`): a log line or an export
# that escapes letters hides the label or the token from every rule. Only code points
# Unicode has (to U+10FFFF), so each decodes.
_STRING_ESCAPE = re.compile(
    r"\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\U00(?:0[0-9A-Fa-f]|10)[0-9A-Fa-f]{4}"
    r"|\\u\{0{0,2}(?:0?[0-9A-Fa-f]|10)?[0-9A-Fa-f]{1,4}\}"
)


def string_unescaped(text: str, start: int, end: int) -> list[Candidate]:
    """Secrets in text[start:end] read with each string escape (above) decoded once,
    mapped back to the text as it is (`{"\\u0070assword": "…"}`)."""
    if text.find("\\", start, end) < 0:
        return []
    return _unescaped(text, start, end, _STRING_ESCAPE, _unescape)


def _unescape(escape: str) -> str:
    return chr(int(escape[2:].strip("{}"), 16))


# Characters that look like ASCII ones, each standing for one: full-width forms (`ｇｈｐ＿…`)
# and the Cyrillic and Greek letters drawn like Latin ones (`ghр_…` with a Cyrillic "р"),
# which hide a token's prefix from its rule, and the spaces that are not " " (the no-break
# one French puts before ":", `mot de passe\xa0: …`; thin, ideographic), which the rules'
# `[ \t]` does not take. One for one, so a span in the text with them read as ASCII is the
# same span in the text as it is.
_CYRILLIC = ("аеорсухѕіјԁһԛԝгкмнтвАВЕКМНОРСТХЅІЈ", "aeopcyxsijdhqwrkmhtbABEKMHOPCTXSIJ")
_GREEK = ("οαικνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "oaikvptuxABEZHIKMNOPTYX")
_ASCII_LOOKALIKES = str.maketrans(
    {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}
    | dict(zip(*_CYRILLIC, strict=True))
    | dict(zip(*_GREEK, strict=True))
    | dict.fromkeys("\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008", " ")
    | dict.fromkeys("\u2009\u200a\u202f\u205f\u3000", " ")
)


def as_ascii(text: str) -> str:
    """`text` with each look-alike character read as the ASCII one it looks like."""
    return text.translate(_ASCII_LOOKALIKES)


def lookalikes(text: str, start: int, end: int) -> list[Candidate]:
    """Secrets written with look-alike characters (_ASCII_LOOKALIKES: `ghр_…`, full-width
    `ｐａｓｓｗｏｒｄ＝…`): found in text[start:end] read as ASCII, where a look-alike is
    inside the match (elsewhere the scan of the text as it is finds it)."""
    if text.isascii():
        return []
    stretch = text[start:end]
    shown = as_ascii(stretch)
    if shown == stretch:
        return []
    changed = [i for i, (a, b) in enumerate(zip(stretch, shown, strict=True)) if a != b]
    found: list[Candidate] = []
    for priority, match, (first, last), alone in rule_picks(shown):
        inside = bisect_left(changed, match.start()) < bisect_left(changed, match.end())
        if first < last and inside:
            found.append((start + first, -(start + last), priority, alone))
    return found


# A run that may be base64 (standard or URL-safe), long enough to hold a secret: decoded, a
# text holding one (`Z2hwX0…` for `ghp_…`, `cGFzc3dvcmQ9…` for `password=…`) is one whole.
BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/_=-])")


def base64_decoded(text: str, start: int, end: int) -> list[Candidate]:
    """Secrets in base64 in text[start:end]: each run that decodes to printable text in
    which a rule finds a secret of its own (or a base64 run in it does, _LEVELS deep) is
    masked whole (as that rule's kind); so is a
    block wrapped over lines (`base64` writes 76 characters a line), read joined, where a
    secret may be cut in two."""
    found: list[Candidate] = []
    block_end = start
    for run in BASE64_RUN.finditer(text, start, end):
        _add_secret(run.group(), run.start(), run.end(), found)
        if run.start() >= block_end:
            lines = _wrapped(text, run, end)
            if len(lines) > 1:
                joined = "".join(text[first:last] for first, last in lines)
                block_end = lines[-1][1]
                _add_secret(joined, run.start(), block_end, found)
    return found


# The next line of a wrapped block: its spaces, then a run of base64 characters.
_NEXT_LINE = re.compile(r"[ \t]*\r?\n[ \t]*([A-Za-z0-9+/_-]+={0,2})(?![A-Za-z0-9+/_=-])")


def _wrapped(text: str, run: re.Match[str], end: int) -> list[Span]:
    """The lines of the block wrapped at `run`'s width that starts with `run`: each as long
    as the first, but the last, which may be shorter; every line but the last unpadded."""
    width = run.end() - run.start()
    lines = [run.span()]
    while width % 4 == 0 and not text.endswith("=", lines[0][0], lines[-1][1]):
        line = _NEXT_LINE.match(text, lines[-1][1], end)
        if line is None or len(line.group(1)) > width:
            break
        lines.append(line.span(1))
        if len(line.group(1)) < width:
            break
    return lines


# How many times a run is decoded: base64 of base64 (a Kubernetes Secret's data holding a
# registry login, a config encoded twice) hides a secret from one decoding. Each level is
# shorter by a quarter, so the cost stays linear.
_LEVELS = 3


def _add_secret(run: str, first: int, last: int, found: list[Candidate], level: int = 1) -> None:
    """(first, -last) as the kind of the first rule finding a secret of its own in `run`
    decoded, if it decodes to text; else in a base64 run of that text, _LEVELS deep."""
    decoded = _decoded(run)
    if decoded is None:
        return
    for priority, _, _, alone in rule_picks(decoded):
        if alone:
            found.append((first, -last, priority, True))
            return
    if level < _LEVELS:
        inner: list[Candidate] = []
        for deeper in BASE64_RUN.finditer(decoded):
            _add_secret(deeper.group(), first, last, inner, level + 1)
            if inner:
                found.append(inner[0])
                return


def _decoded(run: str) -> str | None:
    """The run's base64 decoded, if that is printable text, tabs and line ends included (a
    hash or an id decodes to bytes that are not)."""
    padded = run.rstrip("=") + "=" * (-len(run.rstrip("=")) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        decoded = raw.decode("ascii")
    except ValueError:
        return None
    return decoded if decoded.translate(_SPACES).isprintable() else None


_SPACES = str.maketrans("\t\r\n", "   ")  # a file's tabs and line ends are text

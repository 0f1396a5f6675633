"""The same text read three more ways, for secrets hidden from the rules as it is written:
%-decoded (a URL's query), with look-alike characters read as ASCII, and base64 decoded. Each finds
candidates (start, -end, rule, alone) mapped back to the text as it is. No I/O; redact.py
scans them with the text."""

import base64
import re
from bisect import bisect_left

from memory_mcp.policies.secret_needles import possible_rules
from memory_mcp.policies.secret_rule import camel_parts
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
    pieces, seams, removed, at = [], [], [0], start
    for escape in _ESCAPE.finditer(text, start, end):
        pieces += [text[at : escape.start()], _decode(escape.group())]
        seams.append(escape.start() - start - removed[-1])  # where it is in the decoded text
        removed.append(removed[-1] + len(escape.group()) - 1)
        at = escape.end()
    if removed[-1] == 0:
        return []  # only "+": nothing %-encoded
    pieces.append(text[at:end])
    decoded = "".join(pieces)
    found: list[Candidate] = []
    possible = possible_rules(decoded.lower())
    parts = camel_parts(decoded, 0, len(decoded))
    for priority, rule in enumerate(RULES):
        if priority not in possible:
            continue
        for match in rule.matches(decoded, 0, len(decoded), parts):
            (first, last), alone = rule.pick(match)
            if first < last:
                first += start + removed[bisect_left(seams, first)]
                last += start + removed[bisect_left(seams, last)]
                found.append((first, -last, priority, alone))
    return found


def _decode(escape: str) -> str:
    return " " if escape == "+" else chr(int(escape[1:], 16))


# Characters that look like ASCII ones, each standing for one: full-width forms (`ｇｈｐ＿…`)
# and the Cyrillic and Greek letters drawn like Latin ones (`ghр_…` with a Cyrillic "р"),
# which hide a token's prefix from its rule. One for one, so a span in the text with them
# read as ASCII is the same span in the text as it is.
_CYRILLIC = ("аеорсухѕіјԁһԛԝгкмнтвАВЕКМНОРСТХЅІЈ", "aeopcyxsijdhqwrkmhtbABEKMHOPCTXSIJ")
_GREEK = ("οαικνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "oaikvptuxABEZHIKMNOPTYX")
_ASCII_LOOKALIKES = str.maketrans(
    {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}
    | dict(zip(*_CYRILLIC, strict=True))
    | dict(zip(*_GREEK, strict=True))
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
    possible = possible_rules(shown.lower())
    parts = camel_parts(shown, 0, len(shown))
    for priority, rule in enumerate(RULES):
        if priority not in possible:
            continue
        for match in rule.matches(shown, 0, len(shown), parts):
            (first, last), alone = rule.pick(match)
            inside = bisect_left(changed, match.start()) < bisect_left(changed, match.end())
            if first < last and inside:
                found.append((start + first, -(start + last), priority, alone))
    return found


# A run that may be base64 (standard or URL-safe), long enough to hold a secret: decoded, a
# text holding one (`Z2hwX0…` for `ghp_…`, `cGFzc3dvcmQ9…` for `password=…`) is one whole.
BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/_=-])")


def base64_decoded(text: str, start: int, end: int) -> list[Candidate]:
    """Secrets in base64 in text[start:end]: each run that decodes to printable text in
    which a rule finds a secret of its own is masked whole (as that rule's kind)."""
    found: list[Candidate] = []
    for run in BASE64_RUN.finditer(text, start, end):
        decoded = _decoded(run.group())
        if decoded is None:
            continue
        possible = possible_rules(decoded.lower())
        parts = camel_parts(decoded, 0, len(decoded))
        for priority, rule in enumerate(RULES):
            if priority in possible and any(
                rule.pick(match)[1] for match in rule.matches(decoded, 0, len(decoded), parts)
            ):
                found.append((run.start(), -run.end(), priority, True))
                break
    return found


def _decoded(run: str) -> str | None:
    """The run's base64 decoded, if that is printable text (a hash or an id decodes to
    bytes that are not)."""
    padded = run.rstrip("=") + "=" * (-len(run.rstrip("=")) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        decoded = raw.decode("ascii")
    except ValueError:
        return None
    return decoded if decoded.replace("\n", " ").isprintable() else None

"""Keep secrets out of stored memories: drop <private> blocks, mask credentials. No I/O.

Strict about shapes only secrets have (provider prefixes, PEM blocks, passwords in URLs) and
conservative about prose, so a memory that mentions "the password policy" survives intact.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

Span = tuple[int, int]


@dataclass(frozen=True)
class Redaction:
    """What may be stored, and each kind of secret removed from it, once, in text order."""

    text: str
    redacted: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.redacted)


def _secret(match: re.Match[str]) -> tuple[Span, bool]:
    return match.span("secret"), True


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    # Where the secret is inside a match, and whether it is one on its own: a labelled value
    # that looks like prose is redacted only when it overlaps a secret found by another rule.
    pick: Callable[[re.Match[str]], tuple[Span, bool]] = _secret


# Every pattern is linear: no nested quantifiers over overlapping classes, and each unbounded
# run either ends at a character outside its class or is followed by nothing that can fail.
# Prefixed tokens must not start inside a word, or "risk-..." would look like an "sk-" key.
_START = r"(?<![A-Za-z0-9])"
_PEM = r"-----{0}[ A-Z0-9]{{0,40}}PRIVATE KEY(?: BLOCK)?-----"
# A key whose END line is missing is still a key, and nothing says where it stops.
_PRIVATE_KEY = rf"(?P<secret>{_PEM.format('BEGIN')}(?:[\s\S]*?{_PEM.format('END')}|[\s\S]*))"
_AWS_SECRET_LABEL = r"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key)"
_HEADER = r"(?i:authorization)[\"']?[ \t]*[:=][ \t]*[\"']?(?i:{0})[ \t]+(?P<secret>{1})"


def _simple(kind: str, pattern: str) -> _Rule:
    return _Rule(kind, re.compile(pattern))


# Labelled assignments: a label, then `=`, `:`, `:=`, `=>` or the word "is", then a value.
# The tradeoff between leaking a password and shredding an ordinary memory:
# - a quoted value always counts (quotes are deliberate), unless empty or a placeholder;
# - an unquoted value is one run without spaces or quotes, at least _MIN_VALUE chars long.
#   It stops before "&name=" (the next query parameter) and before a "," or ";" that ends a
#   clause; trailing ".)]}" are punctuation. A password ending in those keeps them visible.
# - after ":" or "is", which prose uses too ("the token: it expires", "the password is
#   required"), an unquoted value must also hold a digit or symbol. So `PASSWORD=swordfish`
#   is caught but "my password is swordfish" is not; "my password is hunter2" is.
# - references are not secrets: $VAR, ${VAR}, %VAR%, <placeholder>, {{ var }}, ****, paths,
#   URLs, code like os.environ["X"] or getpass(), and null/none/true/false.
_MIN_VALUE = 4
_SEPARATOR = r"[\"']?(?:[ \t]*(?P<sep>:=|=>|=(?!=)|:(?!:))|[ \t]+(?i:is)(?=[ \t]))[ \t]*"
_BARE = r"(?:[^\s\"'`,;&]|[,;](?=[^\s\"'`,;&])|&(?![\w.-]*=))*[^\s\"'`,;&.)\]}]"
_VALUE = rf"(?:\"(?P<dq>[^\"\n]*)\"|'(?P<sq>[^'\n]*)'|(?P<bare>{_BARE}))"
_PLACEHOLDERS = frozenset({"null", "none", "nil", "true", "false", "undefined"})
_REFERENCE = re.compile(r"[$%<]|\{\{|\*+$|[~.]{0,2}/|[A-Za-z_][\w.]*[(\[]|[\w+.-]+://")


def _labelled_value(match: re.Match[str]) -> tuple[Span, bool]:
    for group in ("dq", "sq"):
        value = match.group(group)
        if value is not None:
            return match.span(group), _is_value(value)
    value = match.group("bare")
    prose = match.group("sep") in (None, ":")
    worded = len(value) >= _MIN_VALUE and not (prose and value.isalpha())
    return match.span("bare"), worded and _is_value(value)


def _is_value(value: str) -> bool:
    return value.lower() not in _PLACEHOLDERS and not _REFERENCE.match(value)


def _labelled(kind: str, labels: str) -> _Rule:
    pattern = rf"{_START}(?i:{labels}){_SEPARATOR}{_VALUE}"
    return _Rule(kind, re.compile(pattern), _labelled_value)


# Earlier rules win when two find the same span, so specific kinds come before generic ones.
_RULES = (
    _simple("private_key", _PRIVATE_KEY),
    _simple("aws_access_key", rf"{_START}(?P<secret>(?:AKIA|ASIA)[A-Z0-9]{{16}})(?![A-Za-z0-9])"),
    _simple(
        "aws_secret_key",
        rf"{_START}{_AWS_SECRET_LABEL}[\"']?[ \t]*[:=][ \t]*[\"']?"
        r"(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
    ),
    _simple(
        "github_token", rf"{_START}(?P<secret>gh[pousr]_[A-Za-z0-9]{{36,}}|github_pat_\w{{22,}})"
    ),
    _simple("gitlab_token", rf"{_START}(?P<secret>glpat-[A-Za-z0-9_-]{{20,}})"),
    _simple("slack_token", rf"{_START}(?P<secret>xox[abprs]-[A-Za-z0-9-]{{10,}})"),
    _simple("anthropic_key", rf"{_START}(?P<secret>sk-ant-[A-Za-z0-9_-]{{20,}})"),
    _simple(
        "openai_key",
        rf"{_START}(?P<secret>sk-(?!ant-)(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{{20,}}"
        r"|[A-Za-z0-9]{20,}))",
    ),
    _simple("google_api_key", rf"{_START}(?P<secret>AIza[A-Za-z0-9_-]{{35}})(?![A-Za-z0-9])"),
    _simple("stripe_key", rf"{_START}(?P<secret>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{{16,}})"),
    _simple(
        "jwt",
        rf"{_START}(?P<secret>eyJ[\w-]{{10,}}\.[\w-]{{10,}}\.[\w-]*(?:\.[\w-]+){{0,2}})",
    ),
    _simple("bearer_token", _START + _HEADER.format("bearer|token", r"[A-Za-z0-9._~+/=-]{8,}")),
    _simple("basic_auth", _START + _HEADER.format("basic", r"[A-Za-z0-9+/=]{8,}")),
    # Only the password goes: scheme, user and host say which service, which is worth keeping.
    # The password runs to the last "@" of the authority, since people paste unescaped ones.
    _simple("url_password", r"(?<=[A-Za-z0-9]://)[^\s:/@]*:(?P<secret>[^\s/@]+(?:@[^\s/@]+)*)@"),
    _labelled("password", r"passw(?:or)?d|pwd|passphrase"),
    _labelled("secret", r"(?:client[_-]?)?secret(?:[_-]?key)?"),
    _labelled("api_key", r"api[ _-]?key"),
    _labelled("token", r"(?:access[_-]?)?token"),
)
KINDS = ("private", *(rule.kind for rule in _RULES))

_PRIVATE_TAG = re.compile(r"<(/?)private>", re.IGNORECASE)
_LONGEST_TAG = len("</private>")
# Text this module wrote earlier. Each stretch between markers is scanned on its own, as if
# the markers were the ends of the text: no match can swallow one (a URL password ending in
# a marker, a key "to the end of the text"), so redacting twice changes nothing.
_MARKER = re.compile(r"\[REDACTED:[a-z_]+\]")


def redact(text: str) -> Redaction:
    """Remove <private> blocks and replace secrets with `[REDACTED:<kind>]`. Never raises.

    Private blocks go first, so a secret split by one is still found once it is joined.
    """
    text, private_at = _strip_private(text)
    found = _findings(text)
    events = [(start, 1, kind) for start, _, kind in found]
    if private_at is not None:
        events.append((private_at, 0, "private"))
    kinds = tuple(dict.fromkeys(kind for _, _, kind in sorted(events)))
    return Redaction(_mask(text, found), kinds)


def _findings(text: str) -> list[tuple[int, int, str]]:
    """Secret spans: overlapping candidates merge, and a group is kept if one is a secret.

    The group is named by its earliest, longest, most specific secret.
    """
    found: list[tuple[int, int, int, bool]] = []
    start = 0
    for marker in [*_MARKER.finditer(text), None]:
        end = len(text) if marker is None else marker.start()
        if start < end:
            found += _scan(text, start, end)
        start = len(text) if marker is None else marker.end()
    groups: list[tuple[int, int, str | None]] = []
    for start, negative_end, priority, alone in sorted(found):
        end, kind = -negative_end, _RULES[priority].kind if alone else None
        if groups and start < groups[-1][1]:
            first, last, named = groups[-1]
            groups[-1] = (first, max(last, end), named or kind)
        else:
            groups.append((start, end, kind))
    return [(start, end, kind) for start, end, kind in groups if kind]


def _scan(text: str, start: int, end: int) -> list[tuple[int, int, int, bool]]:
    """(start, -end, rule, alone) for each candidate in text[start:end], which has no marker."""
    found: list[tuple[int, int, int, bool]] = []
    for priority, rule in enumerate(_RULES):
        for match in rule.pattern.finditer(text, start, end):
            (first, last), alone = rule.pick(match)
            if first < last:
                found.append((first, -last, priority, alone))
    return found


def _mask(text: str, found: list[tuple[int, int, str]]) -> str:
    pieces: list[str] = []
    done = 0
    for start, end, kind in found:
        pieces += [text[done:start], f"[REDACTED:{kind}]"]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _private_spans(text: str) -> list[Span]:
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


def _strip_private(text: str) -> tuple[str, int | None]:
    """The text without private blocks, and where in it the first one was."""
    spans = _private_spans(text)
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

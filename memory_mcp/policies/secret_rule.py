"""What a rule for a secret is (a pattern, where the secret is in a match, the needles every
match holds) and what a labelled value must be to count. No I/O; secrets.py has the rules."""

import re
from collections.abc import Callable
from dataclasses import dataclass

Span = tuple[int, int]


Pick = Callable[[re.Match[str]], tuple[Span, bool]]


def _secret(match: re.Match[str]) -> tuple[Span, bool]:
    return match.span("secret"), True


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    # Where the secret is inside a match, and whether it is one on its own: a labelled value
    # that looks like prose is redacted only when it overlaps a secret found by another rule.
    pick: Pick = _secret
    # A token with a shape of its own is also looked for across a line break inside it
    # (a terminal or an editor wrapped it); see redact.py.
    joinable: bool = False
    needles: tuple[str, ...] = ()  # lowercase; every match holds one of them
    # For a token with no literal part (a Discord bot token): a pattern every match of the
    # lowercased text holds, looked for instead of needles (cheap: it fails at the first
    # character or two of most positions of prose).
    shape: re.Pattern[str] | None = None
    # A labelled value's label may also start a camelCase part of a word (`dbPassword`):
    # the pattern without its word-start test, matched at each such part (see matches).
    camel: re.Pattern[str] | None = None

    def may_match(self, lowered: str) -> bool:
        if self.shape is not None and self.shape.search(lowered) is not None:
            return True
        return any(needle in lowered for needle in self.needles)

    def matches(self, text: str, start: int, end: int, parts: list[int]) -> list[re.Match[str]]:
        """The pattern's matches in text[start:end], and the camel pattern's at `parts`
        (camel_parts of that stretch)."""
        found = list(self.pattern.finditer(text, start, end))
        if self.camel is not None and parts:
            for at in parts:
                match = self.camel.match(text, at, end)
                if match is not None:
                    found.append(match)
        return found


_UPPER = re.compile("[A-Z]")


def camel_parts(text: str, start: int, end: int) -> list[int]:
    """Where a camelCase part of a word starts in text[start:end]: an ASCII capital after a
    lowercase letter or digit. Found by the capitals, which `re` skips to (prose has few)."""
    return [
        upper.start()
        for upper in _UPPER.finditer(text, start, end)
        if upper.start() > 0 and text[upper.start() - 1] in _LOWER_OR_DIGIT
    ]


_LOWER_OR_DIGIT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


# An unquoted labelled value must be this long (see secrets.py's labelled assignments).
def quoted_group(match: re.Match[str]) -> str:
    """Which of a value's three forms matched: `sq` ('…'), `dq` ("…") or `bare` (the
    groups every statement and command rule names its value by)."""
    found = match.groupdict()
    return next(g for g in ("sq", "dq", "bare") if found.get(g) is not None)


MIN_VALUE = 4
_PLACEHOLDERS = frozenset({"null", "none", "nil", "true", "false", "undefined"})
# "[scrubbed]" is what `memory-mcp scrub` left where a secret was (a bare value stops at "]").
# A value that opens a structure (`{"a": …`, `["x"]`), a template's placeholder (`{token}`,
# `{r('password')}` in an f-string) or a prefixed string literal (`rf"…"`) is code.
_REFERENCE = re.compile(
    r"[$%<]|\{\{|\*+$|\[scrubbed\]?$|[~.]{0,2}/|[A-Za-z_][\w.]*[(\[]|[\w+.-]+://"
    r"|[\[{][\"'A-Za-z_]|[rbfuRBFU]{1,2}[\"']"
)


def is_value(value: str) -> bool:
    """Whether a labelled value is a value, not a placeholder or a reference to one."""
    return bool(value) and value.lower() not in _PLACEHOLDERS and not _REFERENCE.match(value)

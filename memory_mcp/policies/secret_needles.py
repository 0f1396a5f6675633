"""Which rules may match a text, by the needles each rule's matches hold (secrets.RULES):
looked for in one search, so most texts are let through with no rule run. No I/O."""

import re
from collections.abc import Iterator, Sequence

from memory_mcp.policies.secret_rule import Rule, Span, camel_parts
from memory_mcp.policies.secrets import RULES
from memory_mcp.policies.text import trie_pattern

# Each needle once, with the rules (indices in RULES) that hold it.
_NEEDLES: tuple[tuple[str, tuple[int, ...]], ...] = tuple(
    (needle, tuple(i for i, rule in enumerate(RULES) if needle in rule.needles))
    for needle in dict.fromkeys(n for rule in RULES for n in rule.needles)
)


# A needle that holds another (a "password" holds "pass") is in a text only where that one
# is: the roots, needles holding no other, are looked for first, and the needles holding a
# root only in a text that has it.
_ROOTS = tuple(n for n, _ in _NEEDLES if not any(m != n and m in n for m, _ in _NEEDLES))
_HOLDING = {
    root: tuple((n, rules) for n, rules in _NEEDLES if root in n) for root in _ROOTS
}  # each root's own entry first


def needle_pattern(*more: str) -> str:
    """A pattern matching where a text holds a root needle (or one of `more`): possible_rules
    finds nothing in a lowered text exactly where this finds nothing. A flat trie, which `re`
    skips through a character at a time to the next one a word may start with."""
    return trie_pattern([*_ROOTS, *more])


_ANY_ROOT = re.compile(needle_pattern())
# Rules with a shape instead of needles, and one pattern for every shape.
_SHAPED = tuple((i, rule.shape) for i, rule in enumerate(RULES) if rule.shape is not None)
ANY_SHAPE = re.compile("|".join(f"(?:{shape.pattern})" for _, shape in _SHAPED) or "(?!)")


def possible_rules(lowered: str) -> set[int]:
    """The rules (indices in RULES) that may match `lowered`: those whose `may_match` says
    so, found with one search for the roots and one look for each needle holding one found
    (a write redacts every text it stores; prose holds few needles)."""
    found: set[int] = set()
    roots: set[str] = set()
    match = _ANY_ROOT.search(lowered)
    while match is not None:
        roots.add(match.group())
        match = _ANY_ROOT.search(lowered, match.start() + 1)
    for root in roots:
        for needle, rules in _HOLDING[root]:
            if needle == root or needle in lowered:
                found.update(rules)
    found.update(i for i, shape in _SHAPED if shape.search(lowered) is not None)
    return found


def rule_picks(
    text: str,
    start: int = 0,
    end: int | None = None,
    rules: Sequence[tuple[int, Rule]] | None = None,
) -> Iterator[tuple[int, re.Match[str], Span, bool]]:
    """(rule index, match, the span it picks, a secret on its own) for each match in
    text[start:end] of each of `rules` (index, rule; default every rule) that possible_rules
    lets run."""
    end = len(text) if end is None else end
    rules = list(enumerate(RULES)) if rules is None else rules
    possible = possible_rules(text[start:end].lower())
    parts = camel_parts(text, start, end)
    for priority, rule in rules:
        if priority in possible:
            for match in rule.matches(text, start, end, parts):
                span, alone = rule.pick(match)
                yield priority, match, span, alone
                if not alone and rule.camel is not None:  # a labelled value, no secret
                    yield from _within(priority, rule, match, end)


_WORD_START = re.compile(r"(?<![\w'])\w")
_VALUES = ("eq", "dq", "sq", "open", "bare")  # a labelled rule's value groups


def _within(
    priority: int, rule: Rule, match: re.Match[str], end: int
) -> Iterator[tuple[int, re.Match[str], Span, bool]]:
    """The rule's matches at the words of a match's value that is no secret: its label took
    in the next one's (`the passwd's password is '…'`: the value read was "password"), which
    a second look, after the first value is masked, would find."""
    text = match.string
    value = next(match.start(g) for g in _VALUES if match.group(g) is not None)
    for word in _WORD_START.finditer(text, value, match.end()):
        inner = rule.pattern.match(text, word.start(), end)
        if inner is not None:
            span, alone = rule.pick(inner)
            yield priority, inner, span, alone
            return

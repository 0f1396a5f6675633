"""A secret said once and again: redaction finds a password where a URL or a label shows
it (`postgres://shop:PASSWORD@db`, `PGPASSWORD=…`), not where prose repeats it ("with the
password PASSWORD hard-coded"). A session's texts are read for the secrets found anywhere in
them, which are then masked wherever they appear (service/capture.py). No I/O."""

import os
import re
from collections.abc import Iterable

from memory_mcp.policies.redact import HIDDEN, redact
from memory_mcp.policies.secret_variants import as_ascii
from memory_mcp.policies.text import trie_pattern

MIN_CHARS = 6  # shorter masked values ("1234") are too likely to be ordinary words elsewhere
# A value of letters only, or digits only (with at most - _ .), is masked again only from
# this length: "postgres", "password", "example" or "welcome" are common passwords and
# common words, and masking them in every text of a session destroyed what it captured
MIN_PLAIN_CHARS = 20
MASK = "[REDACTED:secret]"
_PLAIN = re.compile(r"(?:[^\W\d]|[.-])+|[\d_.-]+")  # letters of any alphabet, or digits


def secrets_in(texts: Iterable[str]) -> frozenset[str]:
    """The secrets redaction finds in any of `texts` (secrets_of what it removes)."""
    return secrets_of(secret for text in texts for secret in redact(text).found)


def secrets_of(removed: Iterable[str]) -> frozenset[str]:
    """Of the texts redaction removed (Redaction.found, RedactedFields.found), the secrets
    to mask again: on one line each (not <private> blocks, which are dropped wherever they
    are, nor a key spanning lines), and unlike an ordinary word."""
    return frozenset(secret for secret in map(str.strip, removed) if _distinctive(secret))


def _distinctive(secret: str) -> bool:
    """Whether a secret is unlikely to be an ordinary word of other texts."""
    if len(secret) < MIN_CHARS or "\n" in secret or secret.startswith("<"):
        return False
    return len(secret) >= MIN_PLAIN_CHARS or not _PLAIN.fullmatch(secret)


class Masker:
    """A session's known secrets (`secrets_in`), masked again in each text it is given.

    Built once per capture: one pattern finds where a secret may start (the first MIN_CHARS
    characters of some secret, after no letter or digit), and a radix tree of the whole
    secrets, walked from there without recursion, picks the longest one ending before no
    letter or digit. (A pattern of the whole secrets as a trie nested a group per secret
    that begins another one: 600 of them raised RecursionError when it was compiled.)
    """

    def __init__(self, secrets: frozenset[str]) -> None:
        self.secrets = secrets
        shown = {as_ascii(HIDDEN.sub("", secret)) for secret in secrets} - {""}
        heads = list({secret[:MIN_CHARS] for secret in shown})
        self._heads = re.compile(f"{_WORD_START}(?:{trie_pattern(heads)})") if heads else None
        self._tree = _Node()
        for secret in shown:
            self._tree.insert(secret)

    def __call__(self, text: str) -> str:
        """`text` with each secret masked where it stands as a word of its own, also where
        characters that print as nothing sit inside it (they go with it) or it is spelt with
        look-alike letters (`Tr0ub4dоr` with a Cyrillic "о"): both read as ASCII, as the
        rules read them (secret_variants.as_ascii)."""
        if self._heads is None or not text:
            return text
        hidden = [] if text.isascii() else list(HIDDEN.finditer(text))
        kept: list[int] = []  # where each character of the text as shown is in the text
        at = 0
        for char in hidden:
            kept += range(at, char.start())
            at = char.end()
        shown = "".join(text[i] for i in kept) + text[at:] if hidden else text
        shown = shown if shown.isascii() else as_ascii(shown)  # one for one: spans stay
        kept += range(at, len(text)) if hidden else []
        pieces: list[str] = []
        done = 0
        for start, end in self._spans(shown):
            if hidden:  # back to the text as it is
                start, end = kept[start], kept[end - 1] + 1
            pieces += [text[done:start], MASK]
            done = end
        return "".join(pieces) + text[done:] if pieces else text

    def _spans(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        head = self._heads.search(text) if self._heads is not None else None
        while head is not None and self._heads is not None:
            end = self._tree.longest(text, head.start())
            if end is None:
                head = self._heads.search(text, head.start() + 1)
                continue
            spans.append((head.start(), end))
            head = self._heads.search(text, end)
        return spans


class _Node:
    """A radix tree of strings: each edge a run of characters, keyed by its first one."""

    __slots__ = ("edges", "ends")

    def __init__(self) -> None:
        self.edges: dict[str, tuple[str, _Node]] = {}
        self.ends = False

    def insert(self, word: str) -> None:
        node, at = self, 0
        while at < len(word):
            edge = node.edges.get(word[at])
            if edge is None:
                leaf = _Node()
                leaf.ends = True
                node.edges[word[at]] = (word[at:], leaf)
                return
            label, child = edge
            common = len(os.path.commonprefix([label, word[at : at + len(label)]]))
            if common < len(label):  # the edge splits where the word leaves it
                middle = _Node()
                middle.edges[label[common]] = (label[common:], child)
                node.edges[word[at]] = (label[:common], middle)
                child = middle
            node, at = child, at + common
        node.ends = True

    def longest(self, text: str, start: int) -> int | None:
        """Where the longest string of the tree found at `start` in `text` ends, of those
        followed by no ASCII letter or digit; None for none."""
        node, at, best = self, start, None
        while at < len(text):
            edge = node.edges.get(text[at])
            if edge is None or not text.startswith(edge[0], at):
                break
            node, at = edge[1], at + len(edge[0])
            if node.ends and (at == len(text) or text[at] not in _ALNUM):
                best = at
        return best


_WORD_START = "(?<![A-Za-z0-9])"
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def mask_again(text: str, secrets: frozenset[str]) -> str:
    """`text` with each of `secrets` masked where it stands as a word of its own (a Masker
    for many texts)."""
    return Masker(secrets)(text)

"""A secret said once and again: redaction finds a password where a URL or a label shows
it (`postgres://shop:PASSWORD@db`, `PGPASSWORD=…`), not where prose repeats it ("with the
password PASSWORD hard-coded"). A session's texts are read for the secrets found anywhere in
them, which are then masked wherever they appear (service/capture.py). No I/O."""

import re
from collections.abc import Iterable

from memory_mcp.policies.redact import masked_texts
from memory_mcp.policies.text import trie_pattern

MIN_CHARS = 6  # shorter masked values ("1234") are too likely to be ordinary words elsewhere
# A value of letters only, or digits only (with at most - _ .), is masked again only from
# this length: "postgres", "password", "example" or "welcome" are common passwords and
# common words, and masking them in every text of a session destroyed what it captured
MIN_PLAIN_CHARS = 20
MASK = "[REDACTED:secret]"
_PLAIN = re.compile(r"(?:[^\W\d]|[.-])+|[\d_.-]+")  # letters of any alphabet, or digits


def secrets_in(texts: Iterable[str]) -> frozenset[str]:
    """The secrets redaction finds in any of `texts`, on one line each (not <private>
    blocks, which are dropped wherever they are, nor a key spanning lines)."""
    found: set[str] = set()
    for text in texts:
        for secret in masked_texts(text):
            secret = secret.strip()
            if _distinctive(secret):
                found.add(secret)
    return frozenset(found)


def _distinctive(secret: str) -> bool:
    """Whether a secret is unlikely to be an ordinary word of other texts."""
    if len(secret) < MIN_CHARS or "\n" in secret or secret.startswith("<"):
        return False
    return len(secret) >= MIN_PLAIN_CHARS or not _PLAIN.fullmatch(secret)


class Masker:
    """A session's known secrets (`secrets_in`), masked again in each text it is given; its
    pattern compiled once. (A cache keyed by the set compared an equal set built by the
    next capture in the same process, thousands of secrets, at every one of its texts.)"""

    def __init__(self, secrets: frozenset[str]) -> None:
        self.secrets = secrets
        self._pattern = _pattern(secrets) if secrets else None

    def __call__(self, text: str) -> str:
        """`text` with each secret masked where it stands as a word of its own."""
        return text if self._pattern is None or not text else self._pattern.sub(MASK, text)


def mask_again(text: str, secrets: frozenset[str]) -> str:
    """`text` with each of `secrets` masked where it stands as a word of its own (a Masker
    for many texts)."""
    return Masker(secrets)(text)


def _pattern(secrets: frozenset[str]) -> re.Pattern[str]:
    """One pattern for all of them, as a trie (text.trie_pattern: a plain alternation of
    thousands of secrets, a long session's tokens, was tried one by one at every position of
    every text)."""
    return re.compile(rf"(?<![A-Za-z0-9])(?:{trie_pattern(list(secrets))})(?![A-Za-z0-9])")

"""Who may read and write which scopes, pure: grants, principals and the matching of scope
patterns. The service applies it on every path (service/grants.py); adapters only establish
who is calling.

A grant is a scope pattern with a right: `team/*=write`, `user/alice=read`. A pattern is a
scope, or a scope prefix ending in `*` (`github.com/acme/*` covers every repo of acme; a lone
`*` covers every scope). `write` includes `read`. Every principal may read and write its own
personal scope, `user/NAME`, whatever its grants say.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from memory_mcp.errors import InvalidInput
from memory_mcp.names import clean_scope, name_form

Right = Literal["read", "write"]
RIGHTS: tuple[Right, ...] = ("read", "write")
OWNER_NAME = "owner"  # the principal of the single owner token (and of local use)
PERSONAL_PREFIX = "user/"
MAX_NAME_CHARS = 64
MAX_GRANTS = 64
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+|:-]*")  # logins, addresses, IdP subjects


@dataclass(frozen=True)
class Grant:
    pattern: str
    right: Right

    def covers(self, scope: str) -> bool:
        if self.pattern.endswith("*"):
            return scope.startswith(self.pattern[:-1])
        return scope == self.pattern

    def __str__(self) -> str:
        return f"{self.pattern}={self.right}"


@dataclass(frozen=True)
class Access:
    """A caller: its principal and what it may touch. `grants` None means everything (the
    owner); otherwise only the granted scopes and the principal's own `home`."""

    principal: str | None = None
    grants: tuple[Grant, ...] | None = None
    home: str | None = None

    @property
    def unrestricted(self) -> bool:
        return self.grants is None

    @property
    def reads_everything(self) -> bool:
        return self.grants is None or any(g.pattern == "*" for g in self.grants)

    def can_read(self, scope: str) -> bool:
        return self._allows(scope, RIGHTS)

    def can_write(self, scope: str) -> bool:
        return self._allows(scope, ("write",))

    def _allows(self, scope: str, rights: tuple[Right, ...]) -> bool:
        if self.grants is None or scope == self.home:
            return True
        return any(g.right in rights and g.covers(scope) for g in self.grants)

    def readable(self, scopes: Iterable[str]) -> list[str]:
        """The scopes among `scopes` this caller may read, in order."""
        return [s for s in scopes if self.can_read(s)]


OWNER = Access(principal=None)


def owner(name: str = OWNER_NAME) -> Access:
    """Unrestricted access recorded under `name` (the owner token over HTTP)."""
    return Access(principal=name)


def principal(name: str, grants: Iterable[Grant], home: str | None = None) -> Access:
    """A restricted caller; its home is `user/NAME` unless given."""
    return Access(principal=name, grants=tuple(grants), home=home or personal_scope(name))


def personal_scope(name: str) -> str:
    return PERSONAL_PREFIX + name


def check_name(name: str) -> str:
    """A principal's name: letters, digits and `. _ @ + | : -` (a login, an e-mail address,
    an identity provider's subject), at most 64 characters; `owner` is reserved."""
    name = name.strip()
    if not _NAME.fullmatch(name) or len(name) > MAX_NAME_CHARS:
        raise InvalidInput(
            f"Principal names are 1-{MAX_NAME_CHARS} letters, digits and . _ @ + | : - "
            f"(starting with a letter or digit), not {name[:80]!r}."
        )
    if name.lower() == OWNER_NAME:
        raise InvalidInput(f"{OWNER_NAME!r} is the owner token's principal; pick another name.")
    return name


def check_pattern(pattern: str) -> str:
    """A scope, or a scope prefix ending in `*`; `*` anywhere else is refused."""
    text = pattern.strip()
    if text == "*":
        return text
    body = text[:-1] if text.endswith("*") else text
    if "*" in body or not body:
        raise InvalidInput(
            f"A grant's scope pattern is a scope or a prefix ending in `*` (`team/*`), "
            f"not {pattern[:80]!r}."
        )
    try:
        cleaned = clean_scope(body)
    except ValueError as exc:
        raise InvalidInput(f"Bad grant pattern {pattern[:80]!r}: {exc}.") from None
    return cleaned + ("*" if text.endswith("*") else "")


def parse_grant(text: str) -> Grant:
    """`PATTERN=read` or `PATTERN=write` (the right defaults to read)."""
    pattern, sep, right = text.rpartition("=")
    if not sep:
        pattern, right = text, "read"
    right = right.strip().lower()
    if right not in RIGHTS:
        raise InvalidInput(f"A grant is PATTERN=read or PATTERN=write, not {text[:80]!r}.")
    return Grant(check_pattern(pattern), right)


def parse_grants(texts: Iterable[str]) -> tuple[Grant, ...]:
    grants = tuple(dict.fromkeys(parse_grant(t) for t in texts))
    if len(grants) > MAX_GRANTS:
        raise InvalidInput(f"At most {MAX_GRANTS} grants per principal.")
    return grants


def settle_grants(stored: Iterable[str]) -> list[str]:
    """Grants stored before patterns took one Unicode form (schema step 13): each in the form
    parse_grant gives a new one (names.name_form: `café/*` typed decomposed is NFC), two
    that are now the same kept once, in their order."""
    return list(dict.fromkeys(name_form(text) for text in stored))


def forbidden_write(scope: str) -> str:
    return f"Your grants do not allow writing to scope {scope!r}."

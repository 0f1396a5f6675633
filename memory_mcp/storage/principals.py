"""The principals part of the storage contract (re-exported by contract.py, which `Storage`
combines): principals and their hashed tokens, and the principal each history entry records.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

_ACTING: ContextVar[str | None] = ContextVar("memory_mcp_acting_principal", default=None)


def acting_principal() -> str | None:
    """The principal every history entry written now records (None: local use)."""
    return _ACTING.get()


@contextmanager
def acting_as(principal: str | None) -> Iterator[None]:
    """Writes inside record `principal` in their history (backends read acting_principal)."""
    token = _ACTING.set(principal)
    try:
        yield
    finally:
        _ACTING.reset(token)


@dataclass(frozen=True)
class PrincipalRecord:
    """Grants (`PATTERN=right` texts) and a token's life; the token is never stored."""

    name: str
    grants: tuple[str, ...]
    created_at: str
    has_token: bool = False
    token_created_at: str | None = None
    expires_at: str | None = None
    last_used_at: str | None = None
    revoked_at: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "PrincipalRecord":
        """From a `principals` row with `has_token` selected (the same on every backend)."""
        return cls(
            name=row["name"],
            grants=tuple(json.loads(row["grants"])),
            created_at=row["created_at"],
            has_token=bool(row["has_token"]),
            token_created_at=row["token_created_at"],
            expires_at=row["expires_at"],
            last_used_at=row["last_used_at"],
            revoked_at=row["revoked_at"],
        )


class Principals(Protocol):
    """Principals and hashed tokens, stored with the memories: every server on one database
    agrees at once on who may call (a revoked token fails on its next request)."""

    def save_principal(self, name: str, grants: Sequence[str]) -> PrincipalRecord:
        """Create the principal, or replace its grants."""

    def set_token(
        self, name: str, token_hash: str | None, expires_at: str | None = None
    ) -> PrincipalRecord:
        """A new token hash (replacing any), or with None revoke; NotFound if unknown."""

    def get_principal(self, name: str) -> PrincipalRecord | None: ...
    def list_principals(self) -> list[PrincipalRecord]: ...
    def has_tokens(self) -> bool:
        """Whether any principal holds a token (then no caller is let in without one)."""

    def use_token(self, token_hash: str, now: str, stale_before: str) -> PrincipalRecord | None:
        """The principal whose live token (not revoked, not expired at `now`) has this hash,
        its `last_used_at` set to `now` if it was unset or before `stale_before`."""

    def scope_names(self) -> list[str]:
        """Every scope holding a memory, forgotten and superseded ones included."""

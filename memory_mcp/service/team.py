"""Principals of a shared server: their tokens (only a hash is stored), their grants, and
who a bearer token or an identity provider's claims make a caller."""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.policies import access as policy
from memory_mcp.policies.access import Access
from memory_mcp.policies.times import ends_after
from memory_mcp.service import grants
from memory_mcp.service.context import Part
from memory_mcp.storage.contract import PrincipalRecord
from memory_mcp.timestamps import format_time

TOKEN_PREFIX = "mm_"
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 is all a stored hash needs (no salt or
    slow hash: there is no password to guess)."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


class Team(Part):
    def add(
        self, name: str, grant_texts: Sequence[str], expires: str | None = None
    ) -> tuple[PrincipalRecord, str]:
        """Create a principal with grants and a token (returned once, stored as a hash);
        `expires` is a duration such as 90d. A name holding a live token is refused."""
        grants.owner_only(self.ctx, "manage principals")
        name = policy.check_name(name)
        parsed = policy.parse_grants(grant_texts)
        existing = self.store.get_principal(name)
        if existing is not None and existing.has_token:
            raise InvalidInput(f"{name!r} already has a token; use `memory-mcp token rotate`.")
        self.store.save_principal(name, [str(g) for g in parsed])
        return self._new_token(name, expires)

    def set_grants(self, name: str, grant_texts: Sequence[str]) -> PrincipalRecord:
        """Create or update a principal without a token (an identity provider's user)."""
        grants.owner_only(self.ctx, "manage principals")
        name = policy.check_name(name)
        parsed = policy.parse_grants(grant_texts)
        return self.store.save_principal(name, [str(g) for g in parsed])

    def rotate(self, name: str, expires: str | None = None) -> tuple[PrincipalRecord, str]:
        """A new token; without `expires`, it lives as long as the one it replaces did (a
        90-day token rotated is another 90-day token, not one that never expires)."""
        grants.owner_only(self.ctx, "manage principals")
        found = self._require(name)
        lifetime = None
        if found.expires_at and found.token_created_at:
            lifetime = datetime.fromisoformat(found.expires_at) - datetime.fromisoformat(
                found.token_created_at
            )  # to the second: the two times are taken microseconds apart
            lifetime = timedelta(seconds=round(lifetime.total_seconds()))
        return self._new_token(name, expires, lifetime)

    def revoke(self, name: str) -> PrincipalRecord:
        grants.owner_only(self.ctx, "manage principals")
        self._require(name)
        return self.store.set_token(name, None)

    def list(self) -> list[PrincipalRecord]:
        grants.owner_only(self.ctx, "list principals")
        return self.store.list_principals()

    def authenticate(self, token: str) -> Access | None:
        """The caller a bearer token makes, or None if it is no live token."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        now = datetime.now(UTC)
        found = self.store.use_token(
            token_hash(token), format_time(now), format_time(now - LAST_USED_EVERY)
        )
        return None if found is None else _access(found)

    def access_for(self, name: str, claimed: Sequence[str] | None = None) -> Access:
        """A caller named by an identity provider (or `--as` on the CLI): its grants from
        the claim when there is one, else those stored for it (none: its own scope only)."""
        name = policy.check_name(name)
        if claimed is not None:
            return policy.principal(name, policy.parse_grants(claimed))
        found = self.store.get_principal(name)
        return policy.principal(name, ()) if found is None else _access(found)

    def _require(self, name: str) -> PrincipalRecord:
        found = self.store.get_principal(name)
        if found is None:
            raise NotFound(f"No principal named {name!r}; see `memory-mcp token list`.")
        return found

    def _new_token(
        self, name: str, expires: str | None, lifetime: timedelta | None = None
    ) -> tuple[PrincipalRecord, str]:
        """A token that expires after `expires` (a duration such as 90d), else after
        `lifetime`, else never."""
        now, until = datetime.now(UTC), None
        if expires is not None:
            until = format_time(ends_after(now, expires, "expires"))
        elif lifetime is not None:
            until = format_time(now + max(lifetime, timedelta(seconds=1)))
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return self.store.set_token(name, token_hash(token), until), token


def _access(record: PrincipalRecord) -> Access:
    return policy.principal(record.name, policy.parse_grants(record.grants))

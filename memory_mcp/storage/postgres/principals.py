"""Principals and their hashed tokens on PostgreSQL (the `principals` table), and the scope
names grants are matched against: memory_mcp/storage/sqlite/principals.py, the same rules."""

import json
from collections.abc import Sequence
from typing import Any

from memory_mcp.errors import NotFound
from memory_mcp.storage.contract import PrincipalRecord
from memory_mcp.storage.postgres.base import PgBase
from memory_mcp.storage.postgres.db import Connection, scalar
from memory_mcp.timestamps import utc_now

_SELECT = """select name, grants, created_at, token_hash is not null as has_token,
             token_created_at, expires_at, last_used_at, revoked_at from principals"""
_LIVE = " where token_hash = %(h)s and (expires_at is null or expires_at > %(now)s)"


class PgPrincipals(PgBase):
    def save_principal(self, name: str, grants: Sequence[str]) -> PrincipalRecord:
        with self._write() as c:
            c.execute(
                """insert into principals (name, grants, created_at) values (%s, %s, %s)
                   on conflict (name) do update set grants = excluded.grants""",
                (name, json.dumps(list(grants)), utc_now()),
            )
            return _one(c, name)

    def set_token(
        self, name: str, token_hash: str | None, expires_at: str | None = None
    ) -> PrincipalRecord:
        now = utc_now()
        with self._write() as c:
            _one(c, name)
            if token_hash is None:
                c.execute(
                    """update principals set token_hash = null, expires_at = null,
                       revoked_at = %s where name = %s""",
                    (now, name),
                )
            else:
                c.execute(
                    """update principals set token_hash = %s, token_created_at = %s,
                       expires_at = %s, revoked_at = null, last_used_at = null
                       where name = %s""",
                    (token_hash, now, expires_at, name),
                )
            return _one(c, name)

    def get_principal(self, name: str) -> PrincipalRecord | None:
        rows = self._read(lambda c: c.execute(_SELECT + " where name = %s", (name,)).fetchall())
        return PrincipalRecord.from_row(rows[0]) if rows else None

    def list_principals(self) -> list[PrincipalRecord]:
        rows = self._read(lambda c: c.execute(_SELECT + " order by name").fetchall())
        return [PrincipalRecord.from_row(r) for r in rows]

    def has_tokens(self) -> bool:
        sql = "select exists (select 1 from principals where token_hash is not null)"
        return bool(self._read(lambda c: scalar(c, sql)))

    def use_token(self, token_hash: str, now: str, stale_before: str) -> PrincipalRecord | None:
        params: dict[str, Any] = {"h": token_hash, "now": now}
        rows = self._read(lambda c: c.execute(_SELECT + _LIVE, params).fetchall())
        if not rows:
            return None
        found = PrincipalRecord.from_row(rows[0])
        if found.last_used_at is None or found.last_used_at < stale_before:
            with self._write() as c:
                c.execute("update principals set last_used_at = %(now)s" + _LIVE, params)
        return found

    def scope_names(self) -> list[str]:
        sql = "select distinct scope from memories order by scope"
        return self._read(lambda c: [str(r["scope"]) for r in c.execute(sql)])


def _one(c: Connection, name: str) -> PrincipalRecord:
    row = c.execute(_SELECT + " where name = %s", (name,)).fetchone()
    if row is None:
        raise NotFound(f"No principal named {name!r}; see `memory-mcp token list`.")
    return PrincipalRecord.from_row(row)

"""SQL `where` fragments for MemoryFilter on PostgreSQL; fragments are constants, values bound."""

from datetime import datetime
from typing import Any

from memory_mcp.models import MemoryFilter
from memory_mcp.storage.postgres.base import as_jsonb
from memory_mcp.timestamps import format_time

# The scope a memory had at as_of, as sqlite's filters.SCOPE_THEN.
SCOPE_THEN = """coalesce((select h.before ->> 'scope' from history h
    where h.memory_id = {m}.id and h.at > %(f_ref)s and json_typeof(h.before -> 'scope') = 'string'
    order by h.id limit 1), {m}.scope)"""

# As sqlite's filters.REINSTATED_SINCE: a replacement undone since then was in effect then.
REINSTATED_SINCE = """not exists (select 1 from history r where r.memory_id = {m}.id
    and r.action = 'restore' and r.at > %(f_ref)s
    and r.detail ->> 'was' <= %(f_ref)s)"""


def memory_conditions(
    flt: MemoryFilter, now: datetime, alias: str = "m"
) -> tuple[list[str], dict[str, Any]]:
    """Conditions on the `memories` table (aliased) and their parameters."""
    m = alias
    conds: list[str] = []
    params: dict[str, Any] = {"f_ref": format_time(flt.as_of or now)}
    if not flt.include_forgotten:
        conds.append(f"{m}.forgotten_at is null")
    if flt.as_of is not None:
        conds.append(f"{m}.created_at <= %(f_ref)s")
        conds.append(f"({m}.superseded_at is null or {m}.superseded_at > %(f_ref)s)")
        conds.append(REINSTATED_SINCE.format(m=m))
    elif not flt.include_superseded:
        conds.append(f"{m}.superseded_by is null")
    if not flt.include_expired:
        conds.append(f"({m}.expires_at is null or {m}.expires_at > %(f_ref)s)")
    if flt.scopes:
        scope = f"{m}.scope" if flt.as_of is None else SCOPE_THEN.format(m=m)
        conds.append(f"{scope} = any(%(f_scopes)s)")
        params["f_scopes"] = list(flt.scopes)
    if flt.kind is not None:
        conds.append(f"{m}.kind = %(f_kind)s")
        params["f_kind"] = flt.kind
    moment = (
        f"coalesce({m}.occurred_at, {m}.created_at)"
        if flt.time_field == "occurred"
        else f"{m}.created_at"
    )
    if flt.since is not None:
        conds.append(f"{moment} >= %(f_since)s")
        params["f_since"] = format_time(flt.since)
    if flt.until is not None:
        conds.append(f"{moment} < %(f_until)s")
        params["f_until"] = format_time(flt.until)
    if flt.tags:
        conds.append(f"{m}.tags @> %(f_tags)s")
        params["f_tags"] = as_jsonb(list(flt.tags))
    return conds, params


def visible_only(flt: MemoryFilter) -> bool:
    """Whether a filter admits only visible rows (the partial keyword index's predicate)."""
    return not (flt.include_forgotten or flt.include_superseded or flt.as_of is not None)


def where(conds: list[str], prefix: str = "where") -> str:
    return f"{prefix} {' and '.join(conds)}" if conds else ""

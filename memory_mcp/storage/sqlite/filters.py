"""SQL `where` fragments for MemoryFilter; fragments are constants, values are bound."""

import json
from datetime import datetime
from typing import Any

from memory_mcp.models import MemoryFilter
from memory_mcp.storage.contract import beyond_vector_metadata
from memory_mcp.timestamps import epoch_micros, format_time

# The scope a memory had at as_of (`f_ref`): the scope before the first change after then that
# its history recorded with a scope (a move, an edit), else the one it has now.
SCOPE_THEN = """coalesce((select json_extract(h.before, '$.scope') from history h
    where h.memory_id = {m}.id and h.at > :f_ref
      and (json_type(h.before, '$.scope') = 'text' or json_type(h.after, '$.scope') = 'text')
      and json_type(h.before, '$.scope') = 'text'
    order by h.id limit 1), {m}.scope)"""

# Not a replacement undone since then that was in effect then (restore of a superseded
# memory clears its superseded_at; its history entry keeps the one it had, `was`).
REINSTATED_SINCE = """not exists (select 1 from history r where r.memory_id = {m}.id
    and r.action = 'restore' and r.at > :f_ref and json_extract(r.detail, '$.was') <= :f_ref)"""


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
        # What was current then: recorded by then, not yet superseded then.
        conds.append(f"{m}.created_at <= :f_ref")
        conds.append(f"({m}.superseded_at is null or {m}.superseded_at > :f_ref)")
        conds.append(REINSTATED_SINCE.format(m=m))
    elif not flt.include_superseded:
        conds.append(f"{m}.superseded_by is null")
    if not flt.include_expired:
        conds.append(f"({m}.expires_at is null or {m}.expires_at > :f_ref)")
    scope = f"{m}.scope" if flt.as_of is None else SCOPE_THEN.format(m=m)
    if len(flt.scopes) == 1:  # a plain equality lets the planner walk (scope, created_at)
        conds.append(f"{scope} = :f_scope")
        params["f_scope"] = flt.scopes[0]
    elif flt.scopes:
        conds.append(f"{scope} in (select value from json_each(:f_scopes))")
        params["f_scopes"] = json.dumps(flt.scopes)
    if flt.kind is not None:
        conds.append(f"{m}.kind = :f_kind")
        params["f_kind"] = flt.kind
    moment = (
        f"coalesce({m}.occurred_at, {m}.created_at)"
        if flt.time_field == "occurred"
        else f"{m}.created_at"
    )
    if flt.since is not None:
        conds.append(f"{moment} >= :f_since")
        params["f_since"] = format_time(flt.since)
    if flt.until is not None:
        conds.append(f"{moment} < :f_until")
        params["f_until"] = format_time(flt.until)
    if flt.tags:
        conds.append(
            f"""(select count(distinct t.value) from json_each({m}.tags) t
                where t.value in (select value from json_each(:f_tags))) = :f_ntags"""
        )
        params["f_tags"] = json.dumps(flt.tags)
        params["f_ntags"] = len(flt.tags)
    return conds, params


def vector_conditions(flt: MemoryFilter, now: datetime) -> tuple[list[str], dict[str, Any]]:
    """Constraints evaluated inside the vec0 KNN scan, so filters never starve top-k.

    The usual recall (visible, unexpired, scopes, kind, event-time window) is all vec0
    metadata; anything else becomes an id constraint over `memories`, still inside the scan.
    """
    if beyond_vector_metadata(flt):
        inner, inner_params = memory_conditions(flt, now)
        return [f"memory_id in (select m.id from memories m {where(inner)})"], inner_params
    conds = ["hidden = 0"]
    params: dict[str, Any] = {}
    if not flt.include_expired:
        conds.append("expires > :f_ref")
        params["f_ref"] = epoch_micros(now)
    if flt.scopes:
        conds.append("scope in (select value from json_each(:f_scopes))")
        params["f_scopes"] = json.dumps(flt.scopes)
    if flt.kind is not None:
        conds.append("kind = :f_kind")
        params["f_kind"] = flt.kind
    if flt.since is not None:
        conds.append("at >= :f_since")
        params["f_since"] = epoch_micros(flt.since)
    if flt.until is not None:
        conds.append("at < :f_until")
        params["f_until"] = epoch_micros(flt.until)
    return conds, params


def where(conds: list[str], prefix: str = "where") -> str:
    return f"{prefix} {' and '.join(conds)}" if conds else ""

"""SQL `where` fragments for MemoryFilter; fragments are constants, values are bound."""

import json
from typing import Any

from memory_mcp.db import format_time
from memory_mcp.models import MemoryFilter


def memory_conditions(flt: MemoryFilter, alias: str = "m") -> tuple[list[str], dict[str, Any]]:
    """Conditions on the `memories` table (aliased) and their parameters."""
    conds: list[str] = []
    params: dict[str, Any] = {}
    if not flt.include_forgotten:
        conds.append(f"{alias}.forgotten_at is null")
    if flt.scope is not None:
        conds.append(f"{alias}.scope = :f_scope")
        params["f_scope"] = flt.scope
    if flt.kind is not None:
        conds.append(f"{alias}.kind = :f_kind")
        params["f_kind"] = flt.kind
    if flt.since is not None:
        conds.append(f"{alias}.created_at >= :f_since")
        params["f_since"] = format_time(flt.since)
    if flt.until is not None:
        conds.append(f"{alias}.created_at < :f_until")
        params["f_until"] = format_time(flt.until)
    if flt.tags:
        conds.append(
            f"""(select count(distinct t.value) from json_each({alias}.tags) t
                where t.value in (select value from json_each(:f_tags))) = :f_ntags"""
        )
        params["f_tags"] = json.dumps(flt.tags)
        params["f_ntags"] = len(flt.tags)
    return conds, params


def vector_conditions(flt: MemoryFilter) -> tuple[list[str], dict[str, Any]]:
    """Constraints evaluated inside the vec0 KNN scan, so filters never starve top-k.

    scope, kind, forgotten and created_at are vec0 metadata columns; tags have no
    metadata form and become an id constraint over `memories`.
    """
    conds: list[str] = []
    params: dict[str, Any] = {}
    if not flt.include_forgotten:
        conds.append("forgotten = 0")
    if flt.scope is not None:
        conds.append("scope = :f_scope")
        params["f_scope"] = flt.scope
    if flt.kind is not None:
        conds.append("kind = :f_kind")
        params["f_kind"] = flt.kind
    if flt.since is not None:
        conds.append("created_at >= :f_since")
        params["f_since"] = format_time(flt.since)
    if flt.until is not None:
        conds.append("created_at < :f_until")
        params["f_until"] = format_time(flt.until)
    if flt.tags:
        tag_only = MemoryFilter(tags=flt.tags, include_forgotten=True)
        inner, inner_params = memory_conditions(tag_only)
        conds.append(f"memory_id in (select m.id from memories m where {' and '.join(inner)})")
        params.update(inner_params)
    return conds, params


def where(conds: list[str], prefix: str = "where") -> str:
    return f"{prefix} {' and '.join(conds)}" if conds else ""

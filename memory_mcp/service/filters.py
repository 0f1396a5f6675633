"""A filter's arguments checked and made a MemoryFilter: what recall, summaries, `list` and the
web UI's pages filter by (kept apart from recall, which imports numpy and the ranking)."""

from datetime import datetime

from memory_mcp.errors import InvalidInput
from memory_mcp.models import MemoryFilter
from memory_mcp.policies import inputs
from memory_mcp.policies.times import parse_reference, parse_time, parse_until
from memory_mcp.service.context import ALL_SCOPES, validated


def make_filter(
    scope: str | None = None,
    kind: str | None = None,
    tags: list[str] | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    include_forgotten: bool = False,
    *,
    scopes: list[str] | None = None,
    time_field: str = "occurred",
    include_superseded: bool = False,
    include_expired: bool = False,
    as_of: str | datetime | None = None,
    reference_time: str | datetime | None = None,
) -> MemoryFilter:
    """Validate filter arguments; dates may be relative to `reference_time` (or now)."""
    inputs.check_text(scope=scope, scopes=scopes, kind=kind, tags=tags)
    reference = parse_reference(reference_time)
    start = parse_time(since, "since", reference=reference)
    end = parse_until(until, reference=reference)
    if start and end and start >= end:
        raise InvalidInput(f"since ({since}) must be earlier than until ({until}).")
    if scopes is None:
        scopes = [] if scope is None or scope.strip() == ALL_SCOPES else [scope]
    return validated(
        MemoryFilter,
        scopes=scopes,
        kind=kind,
        tags=tags or [],
        since=start,
        until=end,
        time_field=time_field,
        include_forgotten=include_forgotten,
        include_superseded=include_superseded,
        include_expired=include_expired,
        as_of=parse_time(as_of, "as_of", reference=reference),
    )

"""Reading the dates people and models type."""

from datetime import UTC, date, datetime

from memory_mcp.errors import InvalidInput


def parse_time(value: str | datetime | date | None, name: str = "date") -> datetime | None:
    """ISO-8601 date or datetime -> aware UTC datetime; naive values are taken as UTC."""
    if value is None or isinstance(value, datetime):
        return _utc(value) if value is not None else None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = value.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise InvalidInput(
            f"Cannot read {name} {value!r}: use ISO-8601, e.g. 2026-11-25 or 2026-11-25T14:30:00Z."
        ) from None
    return _utc(moment)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)

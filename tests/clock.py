"""A clock stepped back, for tests of what a write dates after NTP, a restored VM or a host
behind the others moved the time: monkeypatch `memory_mcp.timestamps.datetime` with it."""

from datetime import datetime, timedelta, tzinfo


def behind(hours: int) -> type[datetime]:
    """What utc_now() reads once the clock has stepped back `hours`."""

    class Behind(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:
            return datetime.now(tz) - timedelta(hours=hours)

    return Behind

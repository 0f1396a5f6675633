"""How times are stored: fixed-width ISO-8601 UTC text, and epoch microseconds for vectors.

Every backend and format writes times through these helpers, so stored text sorts as time.
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

NEVER = 253402300799999999  # 9999-12-31T23:59:59.999999Z in microseconds: "no expiry"


_LEAP_SECOND = re.compile(r"(\d\d:\d\d):60(?:[.,]\d+)?")


def leap_second(text: str) -> str:
    """An ISO-8601 time with a leap second (`2016-12-31T23:59:60Z`, valid RFC 3339, as UTC
    clocks and logs write it) as the last instant before the next second
    (`23:59:59.999999`): Python's datetime has no second 60 and refused the whole text, so a
    file holding one did not import. Order and day are kept."""
    return _LEAP_SECOND.sub(r"\1:59.999999", text) if ":60" in text else text


def utc_now() -> str:
    return format_time(datetime.now(UTC))


def later_than(now: str, times: Iterable[str]) -> str:
    """`now`, or the microsecond after the latest of `times` (stored times) if that is not
    before it: a clock stepped back (NTP, a restored VM, a host behind the others) must not
    date a new value before the one it supersedes, or every later decision that keeps "the
    later-created value" current (move, restore, the schema steps) brought the old one back."""
    latest = max(map(parse_stored_time, times), default=None)  # (older unpadded years too)
    if latest is None or latest < parse_stored_time(now):
        return now
    return format_time(latest if latest.year == 9999 else latest + timedelta(microseconds=1))


def stated(row: Any) -> str:
    """When a stored memory (a row with `created_at` and `last_seen_at`) was last stated: its
    creation, or a repeat since. Of two values of a key the later-stated one is the value: a
    repeat that gave an older memory the key made it the value then, and a later move or
    restore compared creations and brought back the value it had replaced."""
    seen = row["last_seen_at"]
    if seen is None or parse_stored_time(seen) <= parse_stored_time(row["created_at"]):
        return str(row["created_at"])
    return str(seen)


def expired_by(expires_at: str | None, now: str) -> str | None:
    """`expires_at` (a stored time) if it is not after `now`: when a memory expired; else
    None (it has not, or never will)."""
    if expires_at is None or parse_stored_time(expires_at) > parse_stored_time(now):
        return None
    return expires_at


def epoch_micros(moment: datetime) -> int:
    """Microseconds since the epoch: the vector index's integer form of a time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def format_time(moment: datetime) -> str:
    """ISO-8601 UTC with fixed width, so text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    m = moment.astimezone(UTC)
    # Not strftime: its %Y drops the zero padding of years before 1000 on glibc ("1-01-01"),
    # which neither sorts as text nor parses back.
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond:06d}Z"
    )


def month_text(moment: datetime) -> str:
    """ "YYYY-MM", the year padded to four digits (see format_time on strftime)."""
    return f"{moment.year:04d}-{moment.month:02d}"


def day_text(moment: datetime) -> str:
    """ "YYYY-MM-DD", the year padded to four digits."""
    return f"{month_text(moment)}-{moment.day:02d}"


def minute_text(moment: datetime, seconds: bool = False) -> str:
    """ "YYYY-MM-DD HH:MM" (":SS" with seconds) as the moment gives it: no zone conversion."""
    text = f"{day_text(moment)} {moment.hour:02d}:{moment.minute:02d}"
    return f"{text}:{moment.second:02d}" if seconds else text


def longer_life(a: str | None, b: str | None) -> str | None:
    """The later of two stored expiry times; None (never expires) outlives any time."""
    return None if a is None or b is None else max(a, b, key=parse_stored_time)


def parse_stored_time(value: str) -> datetime:
    """A time as stored; also reads the unpadded years ("1-01-01T...") older versions wrote."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        year, _, rest = value.partition("-")
        return datetime.fromisoformat(f"{int(year):04d}-{rest}")

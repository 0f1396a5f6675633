"""Reading the dates people and models type: ISO-8601, written dates and relative phrases.

Everything resolves to an aware UTC datetime, with the stdlib only. Conventions:
- A written date without a time (25 Nov 2026) is the start of that day, 00:00 UTC; as the
  end of a range (parse_until), the end of that day.
- Relative phrases resolve against the reference's own calendar (default: now, in UTC): a
  reference with an offset ("2026-11-25T21:00:00-08:00") is a moment on 25 November where it
  was said, so "yesterday" is 24 November 00:00 there (08:00 UTC), not 25 November as the
  UTC calendar (05:00 on the 26th) would have it; times of day attached to a relative day
  ("yesterday at 3pm") and parts of the day are on that clock too. Results are UTC.
- "N units ago", "in N units", "last/past N units", "past week" shift the reference instant
  itself, so the time of day is kept; months and years clamp to the month's end
  (Mar 31 - 1 month = Feb 28/29).
- "last/this/next week|month|year" is the start of that period; weeks start on Monday.
- "Tuesday", "on Tuesday", "last Tuesday": the latest Tuesday strictly before the reference day
  (a week back when the reference is a Tuesday); "next Tuesday": the first strictly after it.
- Parts of the day start at 06:00 (morning), 12:00 (afternoon), 18:00 (evening, night, tonight).
"""

import calendar
import re
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, timedelta

from memory_mcp.errors import InvalidInput
from memory_mcp.policies.inputs import shown
from memory_mcp.timestamps import leap_second

# Real dates are short; longer text is a misplaced argument, and the cap bounds regex work.
MAX_CHARS = 100

_ACCEPTED = (
    "ISO-8601 (2026-11-25; 2026-11-25T14:30:00Z; no offset means UTC), a written date "
    "(25 Nov 2026; November 25, 2026 2:30 pm; 2026/11/25 14:30) or a relative phrase "
    "(now; yesterday; 3 days ago; in 2 weeks; last Tuesday; last week; this month)"
)
# Spelled out: calendar.month_name and day_name follow the process locale.
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_WEEKDAY_NAMES = "monday tuesday wednesday thursday friday saturday sunday"
_NUMBER_WORDS = "one two three four five six seven eight nine ten eleven twelve"
_MONTHS = {
    name: number for number, full in enumerate(_MONTH_NAMES.split(), 1) for name in (full, full[:3])
} | {"sept": 9}
_WEEKDAYS = {
    name: number for number, full in enumerate(_WEEKDAY_NAMES.split()) for name in (full, full[:3])
} | {"tues": 1, "thur": 3, "thurs": 3}
_NUMBERS = {"a": 1, "an": 1} | {word: n for n, word in enumerate(_NUMBER_WORDS.split(), 1)}
_STEPS = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
_UNITS = {unit: unit for unit in (*_STEPS, "month", "year")}
_UNITS |= {"sec": "second", "min": "minute", "hr": "hour", "wk": "week", "yr": "year"}
_DAY_PARTS = {"morning": 6, "afternoon": 12, "evening": 18, "night": 18}
# phrase -> (days from the reference day, hour)
_NAMED_DAYS: dict[str, tuple[int, int]] = {
    "today": (0, 0),
    "yesterday": (-1, 0),
    "tomorrow": (1, 0),
    "day before yesterday": (-2, 0),
    "day after tomorrow": (2, 0),
    "tonight": (0, 18),
    "last night": (-1, 18),
} | {
    f"{day} {part}": (offset, hour)
    for day, offset in (("this", 0), ("yesterday", -1), ("tomorrow", 1))
    for part, hour in _DAY_PARTS.items()
}

_FILLER = re.compile(r"^(?:(?:on|the) )+")  # "on Tuesday", "the day before yesterday"
_AMOUNT = r"(?P<n>[0-9]+|[a-z]+) (?P<unit>[a-z]+)"
_OFFSETS = (
    (re.compile(rf"{_AMOUNT} ago"), -1),
    (re.compile(rf"(?:last|past) {_AMOUNT}"), -1),
    (re.compile(r"past (?P<unit>[a-z]+)"), -1),  # "past week": one unit back
    (re.compile(rf"in {_AMOUNT}"), 1),
    (re.compile(rf"{_AMOUNT} from now"), 1),
)
_ANCHORED = re.compile(rf"{_AMOUNT} (?P<way>before|after) (?P<rest>.+)")
_PERIOD = re.compile(r"(?P<which>last|this|next) (?P<unit>week|month|year)")
_ISO_DAY = re.compile(r"[0-9]{4}-?[0-9]{2}-?[0-9]{2}")
_DATE_START = re.compile(r"\s*([0-9]{4,})-([0-9]{1,2})-([0-9]{1,2})(?![0-9])")
_ZONED = re.compile(r"(?:utc|gmt|z)$")  # "2 mar 2026 8:30 utc" names its timezone
_WEEKDAY = re.compile(r"(?:(?P<which>last|next) )?(?P<day>[a-z]+)")
_YMD = re.compile(r"(?P<y>[0-9]{4})/(?P<mo>[0-9]{1,2})/(?P<d>[0-9]{1,2})")
_DMY = re.compile(r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)? (?:of )?(?P<mo>[a-z]+)\.?,? (?P<y>[0-9]{4})")
_MDY = re.compile(r"(?P<mo>[a-z]+)\.? (?P<d>[0-9]{1,2})(?:st|nd|rd|th)?,? (?P<y>[0-9]{4})")
_CLOCK = (
    r"(?P<h>[0-9]{1,2})(?::(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?)?"
    r"(?: ?(?P<ap>[ap])\.?m\.?)?(?: ?(?:utc|gmt|z))?"
)
_WITH_CLOCK = (
    re.compile(rf"{_CLOCK},? on (?P<date>.+)"),  # LoCoMo: "1:56 pm on 8 may, 2023"
    re.compile(rf"(?P<date>.+?),? (?:at )?{_CLOCK}"),
)


def parse_time(
    value: str | datetime | date | None,
    name: str = "date",
    *,
    reference: datetime | None = None,
) -> datetime | None:
    """A typed date -> aware UTC datetime; None or blank -> None; unreadable -> InvalidInput.

    Accepts ISO-8601 (naive = UTC, offsets converted), written dates ("25 Nov 2026",
    "November 25, 2026 2:30 pm", "2026/11/25", "1:56 pm on 8 May, 2023") and relative phrases
    resolved against `reference` (default now; see the module docstring for the conventions).
    A date without a time is 00:00 UTC that day. `name` is the parameter named in errors.
    """
    if value is None or isinstance(value, datetime):
        return None if value is None else _utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_CHARS:
        raise _unreadable(name, text, f"longer than {MAX_CHARS} characters")
    ref = datetime.now(UTC) if reference is None else _aware(reference)
    try:
        moment = _resolve(_normalise(text), ref)
    except OverflowError:
        raise _out_of_range(name, text) from None
    except ValueError as exc:
        raise _unreadable(name, text, str(exc)) from None
    if moment is None:
        raise _why_not(name, text)
    return _utc(moment)


def parse_reference(
    value: str | datetime | date | None, name: str = "reference_time"
) -> datetime | None:
    """A reference time, read as parse_time reads it but keeping the offset it was given
    with: its calendar is the one relative phrases are read on (see the module docstring)."""
    moment = value if isinstance(value, datetime) else None
    if isinstance(value, str) and len(value) <= MAX_CHARS:
        try:
            moment = datetime.fromisoformat(leap_second(value.strip().upper()))
        except ValueError:
            moment = None
    if moment is not None and moment.tzinfo is not None:
        return moment
    return parse_time(value, name)


def parse_until(
    value: str | datetime | date | None, *, reference: datetime | None = None
) -> datetime | None:
    """The end of a time range (exclusive), as parse_time reads it, but a day named without
    a time (`2026-11-20`, `20 Nov 2026`, `yesterday`, `last Tuesday`) ends where that day
    does: "until the 20th" includes the 20th, and since = until = yesterday is yesterday."""
    end = parse_time(value, "until", reference=reference)
    if end is not None and _names_a_day(value):
        return None if end.date() == date.max else end + timedelta(days=1)  # no end at all
    return end


def _names_a_day(value: str | datetime | date | None) -> bool:
    if isinstance(value, date):
        return not isinstance(value, datetime)
    if value is None:
        return False
    text = _FILLER.sub("", _normalise(value))
    if _ISO_DAY.fullmatch(text) or _calendar_date(text) is not None:
        return True
    if text in _NAMED_DAYS:
        return _NAMED_DAYS[text][1] == 0  # "tonight" is a time of day
    match = _WEEKDAY.fullmatch(text)
    return match is not None and match["day"] in _WEEKDAYS


def wall_time(value: str) -> tuple[datetime, bool] | None:
    """The clock reading an absolute date typed without an offset names, as a naive datetime
    ("2 Mar 2026", "2026-03-02", "March 2, 2026 8:30 am", "2026/03/02 08:30"), and whether
    it names a whole day (no time of day); None for anything else: a relative phrase, a time
    with an offset or `UTC`, or text that does not read as a date. What a page that knows
    its reader's timezone reads in that timezone (parse_time reads it in UTC)."""
    text = _FILLER.sub("", _normalise(value))
    if not text or len(text) > MAX_CHARS or _ZONED.search(text):
        return None
    try:
        day = _naive_day(text)
        if day is not None:
            return day, _ISO_DAY.fullmatch(text) is not None or _calendar_date(text) is not None
        for pattern in _WITH_CLOCK:
            match = pattern.fullmatch(text)
            if (
                match
                and (day := _naive_day(_FILLER.sub("", match["date"])))
                and (clock := _clock(match))
            ):
                hour, minute, second = clock
                return day.replace(hour=hour, minute=minute, second=second), False
    except (ValueError, OverflowError):  # parse_time says what is wrong with it
        return None
    return None


def _naive_day(text: str) -> datetime | None:
    """An ISO-8601 date or date and time without an offset, or a written date, as typed."""
    try:
        moment = datetime.fromisoformat(leap_second(text.upper()))
    except ValueError:
        found = _calendar_date(text)
        return None if found is None else found.replace(tzinfo=None)
    return moment if moment.tzinfo is None else None


def resolve_relative(text: str, reference: datetime) -> datetime | None:
    """A relative phrase ("3 days ago", "last Tuesday") -> UTC datetime, None if not one.

    Raises ValueError or OverflowError when the phrase lands outside the years 1 to 9999.
    """
    moment = _relative(_FILLER.sub("", _normalise(text)), _aware(reference))
    return None if moment is None else _utc(moment)


def _why_not(name: str, text: str) -> InvalidInput:
    """Why a text that starts as a date does not read as one: the year past 9999, or a month
    or day the calendar does not have (`2026-13-45`); else that it cannot be read at all."""
    start = _DATE_START.match(text)
    if start is None:
        return _unreadable(name, text)
    year, month, day = (int(part) for part in start.groups())
    if not MINYEAR <= year <= MAXYEAR:
        return _out_of_range(name, text)
    try:
        date(year, month, day)
    except ValueError as exc:
        return InvalidInput(f"{name}: {shown(text, MAX_CHARS)} is no date: {exc}. Use {_ACCEPTED}.")
    return _unreadable(name, text)


def _out_of_range(name: str, text: str) -> InvalidInput:
    return InvalidInput(
        f"{name}: {shown(text, MAX_CHARS)} is outside the years 1 to 9999 (UTC), which is all "
        "a date may be: give one from 0001-01-01 to 9999-12-31."
    )


def _unreadable(name: str, text: str, reason: str = "") -> InvalidInput:
    why = f" ({reason})" if reason else ""
    return InvalidInput(f"{name}: cannot read {shown(text, MAX_CHARS)}{why}. Use {_ACCEPTED}.")


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _aware(moment: datetime) -> datetime:
    """The reference as given (its calendar is where it was said); naive means UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _resolve(text: str, ref: datetime) -> datetime | None:
    return _day(text, ref) or _with_clock(text, ref)


def _day(text: str, ref: datetime) -> datetime | None:
    """Any accepted form but a clock time attached to a day (so clocks never nest)."""
    text = _FILLER.sub("", text)
    return _iso(text) or _calendar_date(text) or _relative(text, ref)


def _iso(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(leap_second(text.upper()))  # "t", "z" come lowercased
    except ValueError:
        return None
    return _utc(moment)


def _with_clock(text: str, ref: datetime) -> datetime | None:
    for pattern in _WITH_CLOCK:
        match = pattern.fullmatch(text)
        if match and (day := _day(match["date"], ref)) and (clock := _clock(match)):
            hour, minute, second = clock
            return day.replace(hour=hour, minute=minute, second=second, microsecond=0)
    return None


def _clock(match: re.Match[str]) -> tuple[int, int, int] | None:
    if match["mi"] is None and match["ap"] is None:
        return None  # a bare number is not a time of day
    hour = int(match["h"])
    if match["ap"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{hour} is not an hour on a 12-hour clock")
        hour = hour % 12 + (12 if match["ap"] == "p" else 0)
    return hour, int(match["mi"] or 0), int(match["s"] or 0)


def _calendar_date(text: str) -> datetime | None:
    for pattern in (_YMD, _DMY, _MDY):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        month = int(match["mo"]) if match["mo"].isdigit() else _MONTHS.get(match["mo"])
        if month is not None:
            return datetime(int(match["y"]), month, int(match["d"]), tzinfo=UTC)
    return None


def _relative(text: str, ref: datetime) -> datetime | None:
    if text == "now":
        return ref
    if text in _NAMED_DAYS:
        days, hour = _NAMED_DAYS[text]
        return _midnight(ref) + timedelta(days=days, hours=hour)
    for resolver in (_offset, _period, _weekday):
        if (moment := resolver(text, ref)) is not None:
            return moment
    return None


def _offset(text: str, ref: datetime) -> datetime | None:
    for pattern, sign in _OFFSETS:
        match = pattern.fullmatch(text)
        if match and (amount := _amount(match)):
            return _shift(ref, sign * amount[0], amount[1])
    match = _ANCHORED.fullmatch(text)
    if match and (amount := _amount(match)) and (base := _resolve(match["rest"], ref)):
        sign = 1 if match["way"] == "after" else -1
        return _shift(base, sign * amount[0], amount[1])
    return None


def _amount(match: re.Match[str]) -> tuple[int, str] | None:
    n = match.groupdict().get("n") or "1"
    count = int(n) if n.isdigit() else _NUMBERS.get(n)
    word = match["unit"]
    unit = _UNITS.get(word) or _UNITS.get(word.removesuffix("s"))
    return None if count is None or unit is None else (count, unit)


def _period(text: str, ref: datetime) -> datetime | None:
    match = _PERIOD.fullmatch(text)
    if match is None:
        return None
    step = {"last": -1, "this": 0, "next": 1}[match["which"]]
    day = _midnight(ref)
    if match["unit"] == "week":
        return day - timedelta(days=day.weekday()) + step * timedelta(weeks=1)
    start = day.replace(day=1) if match["unit"] == "month" else day.replace(month=1, day=1)
    return _shift(start, step, match["unit"])


def _weekday(text: str, ref: datetime) -> datetime | None:
    match = _WEEKDAY.fullmatch(text)
    if match is None or match["day"] not in _WEEKDAYS:
        return None
    wanted, today = _WEEKDAYS[match["day"]], ref.weekday()
    if match["which"] == "next":
        return _midnight(ref) + timedelta(days=(wanted - today - 1) % 7 + 1)
    return _midnight(ref) - timedelta(days=(today - wanted - 1) % 7 + 1)


def _shift(moment: datetime, count: int, unit: str) -> datetime:
    if unit in _STEPS:
        return moment + count * _STEPS[unit]
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    if not MINYEAR <= year <= MAXYEAR:
        raise OverflowError("date value out of range")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])  # clamp Mar 31 -> Feb 28
    return moment.replace(year=year, month=month + 1, day=day)


_DURATION = re.compile(r"^\s*([0-9]+)\s*([a-z]+)\s*$", re.IGNORECASE)
_DURATION_UNITS = {
    "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600,
    "d": 86400, "day": 86400, "w": 604800, "wk": 604800, "week": 604800,
}  # fmt: skip
_HOW_LONG = "Use a positive number and a unit: 30m, 12h, 7d, 2w."


def parse_duration(value: str, name: str = "ttl") -> timedelta:
    """'30m', '12h', '7d', '2w' (or '90 days') -> timedelta; anything else is InvalidInput
    saying what is wrong. One longer than a timedelta holds raises OverflowError (see
    ends_after, which says how long one may be)."""
    match = _DURATION.match(value or "")
    if match is None:
        raise InvalidInput(f"{name}: cannot read {shown(value)} as a duration. {_HOW_LONG}")
    unit = match.group(2).lower()
    unit = unit[:-1] if unit not in _DURATION_UNITS and unit[:-1] in _DURATION_UNITS else unit
    if unit not in _DURATION_UNITS:
        raise InvalidInput(
            f"{name}: {shown(match.group(2))} in {shown(value)} is not a unit of time here. "
            "Use s, m, h, d or w (minutes, hours, days, weeks): 30m, 12h, 7d, 2w."
        )
    if len(match.group(1).lstrip("0")) > 12:  # past any date, and int() of 4,300 digits fails
        raise OverflowError(f"{name} {value!r} is longer than any date range")
    count = int(match.group(1))
    if count == 0:
        raise InvalidInput(f"{name}: {shown(value)} is no time at all. {_HOW_LONG}")
    return timedelta(seconds=count * _DURATION_UNITS[unit])  # OverflowError past 999999999 days


def ends_after(start: datetime, value: str, name: str = "ttl") -> datetime:
    """`start` plus the duration `value` (parse_duration); one ending after the year 9999
    is InvalidInput saying the longest it may be from `start`."""
    try:
        return start + parse_duration(value, name)
    except OverflowError:
        most = (datetime(MAXYEAR, 12, 31, 23, 59, 59, tzinfo=UTC) - start).days
        raise InvalidInput(
            f"{name}: {shown(value)} is too long: it would end after the year 9999, the last a "
            f"date may be. The longest from now is {most}d (about {most // 365} years)."
        ) from None

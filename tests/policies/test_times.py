"""parse_time and resolve_relative against a fixed reference: Wednesday 2026-11-25 15:00 UTC."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memory_mcp.errors import InvalidInput
from memory_mcp.policies.times import (
    MAX_CHARS,
    ends_after,
    parse_reference,
    parse_time,
    parse_until,
    resolve_relative,
    wall_time,
)

REF = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
PLUS_TWO = timezone(timedelta(hours=2))
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


CASES = [
    # days and parts of the day: start of the day / part, on the reference's UTC calendar
    ("now", utc(2026, 11, 25, 15)),
    ("today", utc(2026, 11, 25)),
    ("  TODAY \n", utc(2026, 11, 25)),
    ("yesterday", utc(2026, 11, 24)),
    ("Yesterday", utc(2026, 11, 24)),
    ("tomorrow", utc(2026, 11, 26)),
    ("the day before yesterday", utc(2026, 11, 23)),
    ("day after tomorrow", utc(2026, 11, 27)),
    ("tonight", utc(2026, 11, 25, 18)),
    ("this morning", utc(2026, 11, 25, 6)),
    ("this afternoon", utc(2026, 11, 25, 12)),
    ("this evening", utc(2026, 11, 25, 18)),
    ("yesterday evening", utc(2026, 11, 24, 18)),
    ("last night", utc(2026, 11, 24, 18)),
    ("tomorrow morning", utc(2026, 11, 26, 6)),
    # offsets keep the reference's time of day
    ("30 seconds ago", utc(2026, 11, 25, 14, 59, 30)),
    ("5 minutes ago", utc(2026, 11, 25, 14, 55)),
    ("10 mins ago", utc(2026, 11, 25, 14, 50)),
    ("an hour ago", utc(2026, 11, 25, 14)),
    ("2 hours ago", utc(2026, 11, 25, 13)),
    ("three days ago", utc(2026, 11, 22, 15)),
    ("3   DAYS   AGO", utc(2026, 11, 22, 15)),
    ("a week ago", utc(2026, 11, 18, 15)),
    ("2 weeks ago", utc(2026, 11, 11, 15)),
    ("one month ago", utc(2026, 10, 25, 15)),
    ("6 months ago", utc(2026, 5, 25, 15)),
    ("a year ago", utc(2025, 11, 25, 15)),
    ("twelve years ago", utc(2014, 11, 25, 15)),
    ("in 3 days", utc(2026, 11, 28, 15)),
    ("in an hour", utc(2026, 11, 25, 16)),
    ("in 2 weeks", utc(2026, 12, 9, 15)),
    ("in 1 month", utc(2026, 12, 25, 15)),
    ("in two years", utc(2028, 11, 25, 15)),
    ("3 days from now", utc(2026, 11, 28, 15)),
    ("last 7 days", utc(2026, 11, 18, 15)),
    ("past 24 hours", utc(2026, 11, 24, 15)),
    ("past week", utc(2026, 11, 18, 15)),
    # periods: start of the period, weeks start on Monday
    ("last week", utc(2026, 11, 16)),
    ("this week", utc(2026, 11, 23)),
    ("next week", utc(2026, 11, 30)),
    ("last month", utc(2026, 10, 1)),
    ("this month", utc(2026, 11, 1)),
    ("next month", utc(2026, 12, 1)),
    ("last year", utc(2025, 1, 1)),
    ("this year", utc(2026, 1, 1)),
    ("next year", utc(2027, 1, 1)),
    # weekdays: strictly before the reference day, or strictly after with "next"
    ("last Monday", utc(2026, 11, 23)),
    ("monday", utc(2026, 11, 23)),
    ("on Tuesday", utc(2026, 11, 24)),
    ("tuesday", utc(2026, 11, 24)),
    ("last thu", utc(2026, 11, 19)),
    ("thursday", utc(2026, 11, 19)),
    ("sunday", utc(2026, 11, 22)),
    ("wednesday", utc(2026, 11, 18)),
    ("on Wednesday", utc(2026, 11, 18)),
    ("last wednesday", utc(2026, 11, 18)),
    ("next wednesday", utc(2026, 12, 2)),
    ("next Tuesday", utc(2026, 12, 1)),
    ("next friday", utc(2026, 11, 27)),
    ("next sat", utc(2026, 11, 28)),
    # anchored offsets
    ("3 days before 2026-03-03", utc(2026, 2, 28)),
    ("2 days after 2026-11-25", utc(2026, 11, 27)),
    ("1 week after tomorrow", utc(2026, 12, 3)),
    # written dates
    ("25 Nov 2026", utc(2026, 11, 25)),
    ("25 November 2026", utc(2026, 11, 25)),
    ("25th of November 2026", utc(2026, 11, 25)),
    ("on 25 Nov 2026", utc(2026, 11, 25)),
    ("November 25, 2026", utc(2026, 11, 25)),
    ("Nov 25 2026", utc(2026, 11, 25)),
    ("nov. 25th, 2026", utc(2026, 11, 25)),
    ("Sept 3 2026", utc(2026, 9, 3)),
    ("2026/11/25", utc(2026, 11, 25)),
    ("2026/1/5", utc(2026, 1, 5)),
    # written dates with a clock time
    ("25 Nov 2026 14:30", utc(2026, 11, 25, 14, 30)),
    ("25 Nov 2026 14:30:15 UTC", utc(2026, 11, 25, 14, 30, 15)),
    ("November 25, 2026 2:30 pm", utc(2026, 11, 25, 14, 30)),
    ("2026/11/25 2:30PM", utc(2026, 11, 25, 14, 30)),
    ("25 nov 2026 at 9 am", utc(2026, 11, 25, 9)),
    ("25 Nov 2026 12:15 am", utc(2026, 11, 25, 0, 15)),
    ("25 Nov 2026 12 p.m.", utc(2026, 11, 25, 12)),
    ("1:56 pm on 8 May, 2023", utc(2023, 5, 8, 13, 56)),
    ("10:04 am on 19 June, 2023", utc(2023, 6, 19, 10, 4)),
    ("2026-11-25 2:30 pm", utc(2026, 11, 25, 14, 30)),
    ("yesterday at 2 pm", utc(2026, 11, 24, 14)),
    ("last tuesday 09:15", utc(2026, 11, 24, 9, 15)),
    # ISO-8601: naive is UTC, offsets are converted
    ("2026-11-25", utc(2026, 11, 25)),
    ("2026-11-25T14:30:00Z", utc(2026, 11, 25, 14, 30)),
    ("2026-11-25t14:30:00z", utc(2026, 11, 25, 14, 30)),
    ("2026-11-25 14:30", utc(2026, 11, 25, 14, 30)),
    ("2026-11-25T14:30:00+02:00", utc(2026, 11, 25, 12, 30)),
    ("2026-11-25T01:00:00-05:00", utc(2026, 11, 25, 6)),
    ("2026-11-25T23:30:00-02:00", utc(2026, 11, 26, 1, 30)),
    # a leap second (RFC 3339 allows :60): the last instant of that minute
    ("2016-12-31T23:59:60Z", utc(2016, 12, 31, 23, 59, 59, 999999)),
    ("2016-12-31T18:59:60.25-05:00", utc(2016, 12, 31, 23, 59, 59, 999999)),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_time_reads_every_accepted_form(text: str, expected: datetime) -> None:
    assert parse_time(text, reference=REF) == expected


@pytest.mark.parametrize(
    ("reference", "text", "expected"),
    [
        (utc(2026, 3, 31, 10), "1 month ago", utc(2026, 2, 28, 10)),
        (utc(2028, 3, 31, 10), "a month ago", utc(2028, 2, 29, 10)),
        (utc(2026, 1, 31), "in 1 month", utc(2026, 2, 28)),
        (utc(2026, 1, 31), "in 13 months", utc(2027, 2, 28)),
        (utc(2026, 5, 31), "6 months ago", utc(2025, 11, 30)),
        (utc(2028, 2, 29), "a year ago", utc(2027, 2, 28)),
        (utc(2028, 2, 29), "in 4 years", utc(2032, 2, 29)),
        (utc(2026, 12, 31, 23, 59), "next month", utc(2027, 1, 1)),
        (utc(2026, 1, 15), "last month", utc(2025, 12, 1)),
        (utc(2026, 1, 1), "last week", utc(2025, 12, 22)),  # a Thursday
        (utc(2026, 11, 23), "this week", utc(2026, 11, 23)),  # a Monday
        (utc(2026, 11, 29, 23), "this week", utc(2026, 11, 23)),  # a Sunday
        (utc(2026, 1, 1), "yesterday", utc(2025, 12, 31)),
    ],
)
def test_calendar_arithmetic_clamps_and_crosses_boundaries(
    reference: datetime, text: str, expected: datetime
) -> None:
    assert parse_time(text, reference=reference) == expected


@pytest.mark.parametrize("day_offset", range(7))
@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_weekdays_are_strictly_before_or_after_the_reference_day(
    day_offset: int, weekday: str
) -> None:
    reference = utc(2026, 11, 23, 23, 59) + timedelta(days=day_offset)  # Monday + offset
    start = reference.replace(hour=0, minute=0)
    wanted = WEEKDAYS.index(weekday)
    for text in (weekday, f"last {weekday}", f"on {weekday}"):
        moment = parse_time(text, reference=reference)
        assert moment is not None and moment.weekday() == wanted
        assert start - timedelta(days=7) <= moment < start
    moment = parse_time(f"next {weekday}", reference=reference)
    assert moment is not None and moment.weekday() == wanted
    assert start < moment <= start + timedelta(days=7)


def test_relative_phrases_use_the_calendar_where_the_reference_was_said() -> None:
    """A reference with an offset is a moment on its own calendar: 21:00 on Wednesday in
    California is 05:00 on Thursday in UTC, and "yesterday" said then is Tuesday there (the
    UTC calendar made it Wednesday); 01:00 on Thursday in Tokyo is 16:00 on Wednesday in UTC,
    and "yesterday" is Wednesday there (UTC made it Tuesday). Results are stored in UTC."""
    california = datetime(2026, 11, 25, 21, 0, tzinfo=timezone(timedelta(hours=-8)))
    tokyo = datetime(2026, 11, 26, 1, 0, tzinfo=timezone(timedelta(hours=9)))
    for reference, local_day in ((california, 25), (tokyo, 26)):
        midnight = datetime(2026, 11, local_day, tzinfo=reference.tzinfo)
        expected = {
            "today": midnight,
            "yesterday": midnight - timedelta(days=1),
            "tomorrow": midnight + timedelta(days=1),
            "yesterday at 3pm": midnight - timedelta(days=1) + timedelta(hours=15),
            "tonight": midnight + timedelta(hours=18),
            "this week": datetime(2026, 11, 23, tzinfo=reference.tzinfo),  # a Monday
            "last tuesday": datetime(2026, 11, 24, tzinfo=reference.tzinfo),
            "this month": datetime(2026, 11, 1, tzinfo=reference.tzinfo),
        }
        for text, moment in expected.items():
            found = parse_time(text, reference=reference)
            assert found == moment and found is not None and found.tzinfo == UTC, text
        assert parse_time("now", reference=reference) == reference.astimezone(UTC)
        assert parse_time("3 days ago", reference=reference) == reference - timedelta(days=3)
        # A written date names the day it says, whatever the reference: 00:00 UTC.
        assert parse_time("2026-11-20", reference=reference) == utc(2026, 11, 20)
    assert parse_time("yesterday", reference=datetime(2026, 11, 25, 15)) == utc(2026, 11, 24)


def test_a_reference_time_keeps_the_offset_it_was_sent_with() -> None:
    """reference_time arrives as text: read to UTC, "-08:00" was lost before any phrase was
    read against it, and "yesterday" fell on the UTC calendar's day again."""
    reference = parse_reference("2026-11-25T21:00:00-08:00")
    assert reference is not None and reference.utcoffset() == timedelta(hours=-8)
    assert parse_time("yesterday", reference=reference) == utc(2026, 11, 24, 8)
    assert parse_reference("2026-11-25T21:00:00") == utc(2026, 11, 25, 21)  # no offset: UTC
    assert parse_reference("yesterday") is not None  # a phrase: against now, in UTC
    assert parse_reference(None) is None


def test_default_reference_is_now() -> None:
    before = datetime.now(UTC)
    moment, today = parse_time("now"), parse_time("today")
    after = datetime.now(UTC)
    assert moment is not None and before <= moment <= after
    midnights = {t.replace(hour=0, minute=0, second=0, microsecond=0) for t in (before, after)}
    assert today in midnights


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   \t", None),
        (datetime(2026, 11, 25, 14, 30), utc(2026, 11, 25, 14, 30)),
        (datetime(2026, 11, 25, 14, 30, tzinfo=PLUS_TWO), utc(2026, 11, 25, 12, 30)),
        (date(2026, 11, 25), utc(2026, 11, 25)),
        ("   yesterday" + " " * 200, utc(2026, 11, 24)),
    ],
)
def test_empty_values_and_objects_pass_through(
    value: str | datetime | date | None, expected: datetime | None
) -> None:
    assert parse_time(value, reference=REF) == expected


@pytest.mark.parametrize(
    "text",
    [
        "someday",
        "yesterday-ish",
        "last tuesdayish",
        "not a date",
        "13/13/2026",
        "11/25/2026",  # month/day order is ambiguous: ask for ISO instead
        "Nov 25",  # no year
        "this tuesday",  # this week's or the coming one? ambiguous, so refused
        "25 Nov 2026 14",  # a bare number is not a time
        "in a while",
        "3 fortnights ago",
        "last decade",
        "ago",
    ],
)
def test_unreadable_text_raises_an_actionable_message(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_time(text, "since", reference=REF)
    message = str(caught.value)
    assert message.startswith("since:")
    assert repr(text) in message
    for example in (
        "ISO-8601",
        "2026-11-25",
        "2026-11-25T14:30:00Z",
        "yesterday",
        "3 days ago",
        "last Tuesday",
    ):
        assert example in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31 Feb 2026", "day is out of range for month"),
        ("2026/13/01", "month must be in 1..12"),
        ("25 Nov 2026 13 pm", "12-hour clock"),
        ("25 Nov 2026 24:00", "hour must be in 0..23"),
        ("10000 years ago", "outside the years 1 to 9999"),
        ("99999999999999999999 days ago", "outside the years 1 to 9999"),
        ("9999-12-31T23:00:00-05:00", "outside the years 1 to 9999"),
    ],
)
def test_impossible_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_time(text, "until", reference=REF)


def test_relative_phrases_out_of_range_raise_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="outside the years 1 to 9999"):
        parse_time("tomorrow", reference=datetime.max.replace(tzinfo=UTC))
    with pytest.raises(InvalidInput, match="outside the years 1 to 9999"):
        parse_time("last month", reference=datetime.min.replace(tzinfo=UTC))


def test_long_text_is_rejected_early_with_a_short_message() -> None:
    text = "3 days ago " + "x" * MAX_CHARS
    with pytest.raises(InvalidInput, match=f"longer than {MAX_CHARS} characters") as caught:
        parse_time(text, "since", reference=REF)
    assert text not in str(caught.value)
    assert "since:" in str(caught.value)


def test_resolve_relative() -> None:
    assert resolve_relative("3 days ago", REF) == utc(2026, 11, 22, 15)
    assert resolve_relative("  On TUESDAY ", REF) == utc(2026, 11, 24)
    assert resolve_relative("last week", datetime(2026, 11, 25)) == utc(2026, 11, 16)
    assert resolve_relative("2026-11-25", REF) is None
    assert resolve_relative("someday", REF) is None


WORDS = (
    "0 1 12 31 2026 99999 a an three twelve day days weeks month months year hours min ago in "
    "last past next this before after on the at of monday tue sept nov november , 2026-11-25 "
    "2026/02/30 2026-11-25t10:00z 1:56 14:30 99:99 pm am p.m. utc yesterday tomorrow tonight "
    "now morning night"
)
TOKENS = st.sampled_from(WORDS.split())


@given(st.text(max_size=MAX_CHARS + 20))
def test_any_text_gives_a_utc_datetime_or_invalid_input(text: str) -> None:
    _check_outcome(text, REF)


@given(st.lists(TOKENS, max_size=8).map(" ".join), st.datetimes(timezones=st.just(UTC)))
def test_near_miss_phrases_give_a_utc_datetime_or_invalid_input(
    text: str, reference: datetime
) -> None:
    _check_outcome(text, reference)


def _check_outcome(text: str, reference: datetime) -> None:
    try:
        moment = parse_time(text, reference=reference)
    except InvalidInput:
        return
    assert moment is None or moment.tzinfo is UTC
    assert (moment is None) == (not text.strip())


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("2026-11-20", datetime(2026, 11, 21, tzinfo=UTC)),
        ("20261120", datetime(2026, 11, 21, tzinfo=UTC)),
        ("20 Nov 2026", datetime(2026, 11, 21, tzinfo=UTC)),
        ("on the 20th of November 2026", datetime(2026, 11, 21, tzinfo=UTC)),
        ("yesterday", datetime(2026, 11, 25, tzinfo=UTC)),
        ("last Tuesday", datetime(2026, 11, 25, tzinfo=UTC)),
        ("tonight", datetime(2026, 11, 25, 18, tzinfo=UTC)),  # a time of day: as given
        ("3 days ago", datetime(2026, 11, 22, 21, tzinfo=UTC)),
        ("2026-11-20T10:00", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("last week", datetime(2026, 11, 16, tzinfo=UTC)),  # a period starts there
        ("9999-12-31", None),  # no day after it: no end
        (date(2026, 11, 20), datetime(2026, 11, 21, tzinfo=UTC)),
        (None, None),
    ],
)
def test_until_a_day_named_without_a_time_is_its_end(
    text: str | date | None, end: datetime | None
) -> None:
    assert parse_until(text, reference=datetime(2026, 11, 25, 21, tzinfo=UTC)) == end


def test_until_a_day_is_read_on_the_references_calendar() -> None:
    """'yesterday' said at 21:00 -08:00 on the 25th ends at midnight there (08:00 UTC)."""
    ref = datetime(2026, 11, 25, 21, tzinfo=timezone(timedelta(hours=-8)))
    assert parse_until("yesterday", reference=ref) == datetime(2026, 11, 25, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("10000-01-01", "'10000-01-01' is outside the years 1 to 9999 (UTC)"),
        ("2026-13-45", "'2026-13-45' is no date: month must be in 1..12"),
        ("2026-02-30T10:00", "'2026-02-30T10:00' is no date: day is out of range for month"),
        ("99999 years ago", "'99999 years ago' is outside the years 1 to 9999"),
    ],
)
def test_a_date_read_but_not_allowed_says_what_is_wrong_not_cannot_read(
    text: str, said: str
) -> None:
    # These read as dates, so "cannot read" misled: each says what is wrong with it.
    with pytest.raises(InvalidInput) as caught:
        parse_time(text, "occurred_at", reference=REF)
    assert f"occurred_at: {said}" in str(caught.value) and "cannot read" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("99999999d", "'99999999d' is too long: it would end after the year 9999"),
        ("9" * 40 + "w", "is too long: it would end after the year 9999"),
        ("0d", "'0d' is no time at all. Use a positive number and a unit"),
        ("5y", "'y' in '5y' is not a unit of time here. Use s, m, h, d or w"),
        ("soon", "cannot read 'soon' as a duration. Use a positive number and a unit"),
    ],
)
def test_a_duration_refused_says_what_is_wrong_and_what_is_allowed(text: str, said: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ends_after(REF, text)
    assert str(caught.value).startswith("ttl: ") and said in str(caught.value)
    if "too long" in said:  # and how long one may be, from the time it starts
        most = (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - REF).days
        assert f"The longest from now is {most}d" in str(caught.value)
        assert ends_after(REF, f"{most}d") < datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert ends_after(REF, "90 days") == REF + timedelta(days=90)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", (datetime(2026, 3, 2), True)),
        ("20260302", (datetime(2026, 3, 2), True)),
        ("2 Mar 2026", (datetime(2026, 3, 2), True)),
        ("on the 2nd of March 2026", (datetime(2026, 3, 2), True)),
        ("March 2, 2026", (datetime(2026, 3, 2), True)),
        ("2026/03/02", (datetime(2026, 3, 2), True)),
        ("2026-03-02T08:30", (datetime(2026, 3, 2, 8, 30), False)),
        ("March 2, 2026 8:30 pm", (datetime(2026, 3, 2, 20, 30), False)),
        ("1:56 pm on 8 May, 2023", (datetime(2023, 5, 8, 13, 56), False)),
        ("2026-03-02T08:30Z", None),  # an offset: the moment it names
        ("2026-03-02T08:30+09:00", None),
        ("2 Mar 2026 8:30 UTC", None),
        ("yesterday", None),  # relative: read against the reference's calendar
        ("yesterday at 3pm", None),
        ("7d", None),
        ("30 Feb 2026", None),  # parse_time says what is wrong with it
        ("2 Mar 2026 13 pm", None),
        ("", None),
    ],
)
def test_wall_time_is_the_clock_reading_of_an_absolute_date_without_an_offset(
    text: str, expected: tuple[datetime, bool] | None
) -> None:
    assert wall_time(text) == expected
    if expected is not None:  # the same day and clock parse_time reads, in UTC
        assert parse_time(text) == expected[0].replace(tzinfo=UTC)

"""Business hours: a weekly schedule in a time zone, public holidays and extra closed days.

Pure (no I/O): SLA clocks, idle forwarding and, later, the bot's "we are closed" answers all
count time through ``business_seconds`` and ``add_business_time``. Public holidays come from
the ``holidays`` library (data only, computed per year and cached). A calendar with no weekly
hours is open around the clock (holidays still close it when a country is named).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import msgspec

MAX_SPAN_DAYS = 800  # a calendar never open within this span has no deadline
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Hours(msgspec.Struct, frozen=True, kw_only=True):
    """Open from ``start`` to ``end`` ("09:00", "18:00"; "24:00" is midnight at the end) on
    ``day`` ("mon".."sun")."""

    day: str
    start: str
    end: str


class BusinessCalendar(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    timezone: str = "UTC"
    hours: list[Hours] = []
    holidays_country: str | None = None  # ISO 3166 code, e.g. "RU"
    holidays_subdivision: str | None = None
    closed_dates: list[date] = []  # company days off besides public holidays

    def __post_init__(self) -> None:
        problem = validation_error(self)
        if problem:
            raise ValueError(problem)



def _clock(text: str) -> int:
    """Minutes since midnight of "HH:MM" (24:00 allowed); ValueError when malformed."""
    hh, sep, mm = text.partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2:
        raise ValueError(f"{text!r} is not a time like 09:00")
    minutes = int(hh) * 60 + int(mm)
    if int(mm) > 59 or minutes > 24 * 60:
        raise ValueError(f"{text!r} is not a time of day")
    return minutes


def validation_error(cal: BusinessCalendar) -> str | None:
    """Why the calendar is unusable, or None."""
    try:
        ZoneInfo(cal.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {cal.timezone!r}"
    for item in cal.hours:
        if item.day not in DAY_NAMES:
            return f"day must be one of {', '.join(DAY_NAMES)}"
        try:
            if _clock(item.start) >= _clock(item.end):
                return f"{item.day}: start must be before end"
        except ValueError as exc:
            return str(exc)
    if cal.holidays_country:
        try:
            _holidays(cal.holidays_country, cal.holidays_subdivision, 2026)
        except NotImplementedError:
            return f"no public holidays are known for {cal.holidays_country!r}"
    return None


@lru_cache(maxsize=256)
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


ALWAYS_OPEN = BusinessCalendar()


def is_closed_day(cal: BusinessCalendar, day: date) -> bool:
    if day in cal.closed_dates:
        return True
    return bool(cal.holidays_country
                and day in _holidays(cal.holidays_country, cal.holidays_subdivision, day.year))


def _open_spans(cal: BusinessCalendar, day: date, zone: ZoneInfo
                ) -> list[tuple[datetime, datetime]]:
    """The day's open intervals as UTC datetimes, in order."""
    if is_closed_day(cal, day):
        return []
    if not cal.hours:
        spans = [(0, 24 * 60)]
    else:
        name = DAY_NAMES[day.weekday()]
        spans = sorted((_clock(h.start), _clock(h.end)) for h in cal.hours if h.day == name)
    out: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        # local wall times, through the zone (a DST change moves the UTC instants)
        lo = _local(day, start, zone).astimezone(UTC)
        hi = _local(day, end, zone).astimezone(UTC)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        elif hi > lo:
            out.append((lo, hi))
    return out


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    extra_day, minutes = divmod(minutes, 24 * 60)
    return datetime.combine(day + timedelta(days=extra_day),
                            time(minutes // 60, minutes % 60), tzinfo=zone)


def _spans_from(cal: BusinessCalendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals (UTC) that end after ``start``, clipped to begin no earlier."""
    zone = ZoneInfo(cal.timezone)
    day = start.astimezone(zone).date() - timedelta(days=1)  # a span may cross midnight
    for offset in range(MAX_SPAN_DAYS):
        for lo, hi in _open_spans(cal, day + timedelta(days=offset), zone):
            if hi > start:
                yield max(lo, start), hi


def business_seconds(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Open time between two instants, in seconds (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    total = 0.0
    for lo, hi in _spans_from(cal, start):
        if lo >= end:
            break
        total += (min(hi, end) - lo).total_seconds()
    return total


def add_business_time(cal: BusinessCalendar, start: datetime, seconds: float) -> datetime | None:
    """The instant at which ``seconds`` of open time have passed since ``start`` (None when the
    calendar is not open that long within ``MAX_SPAN_DAYS``)."""
    left = max(0.0, seconds)
    for lo, hi in _spans_from(cal, start):
        span = (hi - lo).total_seconds()
        if left <= span:
            return lo + timedelta(seconds=left)
        left -= span
    return None


def is_open(cal: BusinessCalendar, at: datetime) -> bool:
    for lo, hi in _spans_from(cal, at):
        return lo <= at < hi
    return False


def next_opening(cal: BusinessCalendar, at: datetime) -> datetime | None:
    """When the business opens next: ``at`` itself while open, else the start of the next open
    span (None when it is not open within ``MAX_SPAN_DAYS``). The bot's closed answers quote it."""
    for lo, _hi in _spans_from(cal, at):
        return lo
    return None

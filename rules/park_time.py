"""The time zone users read times in: China Standard Time (UTC+8, no daylight saving).

Stored times are UTC; a calendar date that matters to users or to the law (the day a hazard was
seen, the year of a document number) is the date in this zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")


def park_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in the park (a hazard seen at 07:00 Beijing time is dated
    that day, not the UTC day before)."""
    return moment.astimezone(BEIJING).date()


def park_midnight(day: date) -> datetime:
    """Midnight in the park at the start of the park day ``day``."""
    return datetime.combine(day, time(0), BEIJING)


def park_day_start(moment: datetime) -> datetime:
    """Midnight in the park at the start of ``moment``'s park day."""
    return park_midnight(park_date(moment))


def seen_again(earlier: datetime, later: datetime, window: timedelta) -> bool:
    """Whether a hazard seen at ``later`` was seen *again* after ``earlier``: on a later park day,
    within ``window``. Two spots of one item on one walk-through are one discovery, not a repeat."""
    return earlier < park_day_start(later) and later - earlier <= window

"""The time zone users read times in: China Standard Time (UTC+8, no daylight saving).

Stored times are UTC; a calendar date that matters to users or to the law (the day a hazard was
seen, the year of a document number) is the date in this zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")


def park_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in the park (a hazard seen at 07:00 Beijing time is dated
    that day, not the UTC day before)."""
    return moment.astimezone(BEIJING).date()

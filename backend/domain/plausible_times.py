"""The range of times ParkSafe accepts from devices, users and photos.

Python datetimes span the years 1 to 9999, but a time at either end cannot be moved to UTC
(``astimezone`` overflows), and no hazard was observed before smartphones. Times outside the
range are refused where a person or device sends them, with a message naming the field; a
camera's EXIF time outside it is ignored (the photo itself is still good). "Later than now" allows
for a device clock a day fast.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LONGEST_DEADLINE = timedelta(days=5 * 366)  # 重大隐患治理 plans run for months, not years
MAX_CLOCK_SKEW = timedelta(hours=24)
# Calendar days a list or ledger may be filtered by: a day at the calendar's end has no midnight in UTC.
FIRST_FILTER_DAY = date(2000, 1, 1)
LAST_FILTER_DAY = date(2099, 12, 31)


def too_early(value: datetime) -> bool:
    return value < EARLIEST


def too_late(value: datetime, now: datetime) -> bool:
    return value - now > MAX_CLOCK_SKEW


def utc(value: datetime) -> datetime | None:
    """``value`` in UTC, or None where it cannot be expressed there (at the ends of the calendar)."""
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None

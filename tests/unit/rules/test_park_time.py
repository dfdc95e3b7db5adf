"""Calendar dates users and the law read are Beijing dates, whatever zone a time is stored in."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rules.park_time import park_date


def test_a_hazard_seen_early_in_the_morning_in_china_is_dated_that_day() -> None:
    seen = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)  # 2026-12-04 07:30 in Beijing
    assert park_date(seen) == date(2026, 12, 4)


def test_an_afternoon_observation_keeps_its_day() -> None:
    assert park_date(datetime(2026, 12, 4, 6, 0, tzinfo=UTC)) == date(2026, 12, 4)

"""When a hazard counts as found again (重复发现), for the 督办 and for the 从重 of a penalty draft."""

from __future__ import annotations

from datetime import timedelta

from backend.db.models import Finding
from rules.park_time import seen_again


def recurred(earlier: Finding, later: Finding, window: timedelta) -> bool:
    """``later`` finds ``earlier``'s hazard again: after ``earlier`` was put right (验收闭环 before
    ``later`` was observed), on a later park day, within ``window``.

    A hazard still open when it is seen again is the same continuing violation, pursued through its
    own deadline and 督办; counted as a repeat it drew a second fine, aggravated, for one uncorrected
    act (一事不再罚)."""
    return (
        earlier.accepted_at is not None
        and earlier.accepted_at <= later.observed_at
        and seen_again(earlier.observed_at, later.observed_at, window)
    )

"""重复发现: the same item of an enterprise found again, after being put right, on a later day."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from tests import factories
from tests.conftest import ParkWorld
from tests.integration.lifecycle.escalating import (
    T0,
    closed_then_found_again,
    escalate,
    put_right,
    queued,
    refreshed,
)


def test_the_same_checklist_item_again_within_90_days_is_escalated(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    again = closed_then_found_again(db, world, days_between=59)
    unrelated = factories.finding(
        db, world.other, checklist_code="XC-05-03", observed_at=T0 - timedelta(days=2)
    )
    db.commit()
    assert escalate(database_url, T0).returncode == 0
    assert escalate(database_url, T0).returncode == 0
    assert refreshed(db, again).escalation_level == 1
    assert refreshed(db, unrelated).escalation_level == 0
    assert queued(db, again, "escalated") == 2


def test_the_same_item_seen_again_before_the_first_was_put_right_is_not_a_repeat(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    """Still open, it is the same continuing hazard (pursued by its own deadline and 督办), not one
    that came back after a fix."""
    factories.finding(db, world.own, checklist_code="XC-05-03", observed_at=T0 - timedelta(days=20))
    again = factories.finding(db, world.own, checklist_code="XC-05-03", observed_at=T0 - timedelta(days=1))
    db.commit()
    assert escalate(database_url, T0).returncode == 0
    assert refreshed(db, again).escalation_level == 0


def test_a_repeat_synced_late_between_two_findings_does_not_escalate_the_later_one_again(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    latest = closed_then_found_again(db, world, days_between=19)
    db.commit()
    assert escalate(database_url, T0).returncode == 0
    # An inspector's phone was offline: its finding of ten days ago arrives now.
    synced_late = factories.finding(
        db, world.own, checklist_code="XC-05-03", observed_at=T0 - timedelta(days=10)
    )
    db.commit()
    assert escalate(database_url, T0 + timedelta(hours=1)).returncode == 0
    assert refreshed(db, latest).escalation_level == 1
    assert queued(db, latest, "escalated") == 2
    assert refreshed(db, synced_late).escalation_level == 1  # itself a repeat of the first


def test_two_spots_of_one_item_on_one_round_are_one_discovery_not_a_repeat(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    """重复发现 is a hazard seen again on a later day, not a second spot of it on the same round."""
    put_right(db, world, T0 - timedelta(hours=3), T0 - timedelta(hours=2))  # fixed on the spot
    same_round = factories.finding(
        db, world.own, checklist_code="XC-05-03", observed_at=T0 - timedelta(hours=2)
    )
    db.commit()
    assert escalate(database_url, T0).returncode == 0
    assert refreshed(db, same_round).escalation_level == 0
    next_day = factories.finding(db, world.own, checklist_code="XC-05-03", observed_at=T0 + timedelta(days=1))
    db.commit()
    assert escalate(database_url, T0 + timedelta(days=1, hours=1)).returncode == 0
    assert refreshed(db, next_day).escalation_level == 1
    assert refreshed(db, same_round).escalation_level == 0
    # A second spot on that next day's round is a repeat too: of the first day, not of its neighbour.
    next_day_second_spot = factories.finding(
        db, world.own, checklist_code="XC-05-03", observed_at=T0 + timedelta(days=1, minutes=30)
    )
    db.commit()
    assert escalate(database_url, T0 + timedelta(days=1, hours=2)).returncode == 0
    assert refreshed(db, next_day_second_spot).escalation_level == 1

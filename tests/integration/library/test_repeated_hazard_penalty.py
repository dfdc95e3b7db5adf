"""A penalty draft weighs a hazard as 重复发现 only when it was seen again on a later day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from backend.domain.findings.legal_basis import give_legal_basis
from regulations.service import get_matcher
from tests import factories
from tests.conftest import ParkWorld

# 10:00 Beijing time on 2026-12-01
MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
REPEAT_REASON = "重复发现，从重考虑"


def drafted(db: Session, world: ParkWorld, observed_at: datetime) -> str:
    finding = factories.finding(db, world.own, checklist_code="XC-08-01", observed_at=observed_at)
    matched = give_legal_basis(db, get_matcher(), finding.id)
    db.commit()
    assert matched is not None and matched.penalty_draft is not None
    rationale: str = matched.penalty_draft["rationale"]
    return rationale


def test_a_second_worker_without_a_helmet_on_the_same_round_is_not_a_repeat(
    db: Session, world: ParkWorld
) -> None:
    first = drafted(db, world, MORNING)
    same_round = drafted(db, world, MORNING + timedelta(hours=1))
    assert REPEAT_REASON not in first
    assert REPEAT_REASON not in same_round
    assert "首次发现" in same_round


def test_the_same_item_seen_again_on_a_later_day_is_weighed_as_a_repeat(
    db: Session, world: ParkWorld
) -> None:
    drafted(db, world, MORNING)
    # 07:00 Beijing time the next day is still 2026-12-01 in UTC: the park's calendar decides.
    next_morning = drafted(db, world, MORNING + timedelta(hours=21))
    assert REPEAT_REASON in next_morning

"""A penalty draft weighs a hazard as 重复发现 only when it was seen again after being put right (验收
闭环), on a later day, within the window the escalation rules set (rules/escalation.yaml
``repeated.window_days``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.db.models import Finding
from backend.domain.findings.legal_basis import give_legal_basis
from backend.domain.findings.suggestions import effective_checklist_code
from backend.domain.findings.vocabulary import FindingStatus
from backend.jobs import JobContext
from backend.jobs.base import JobRegistry
from backend.jobs.catalog import match_finding
from backend.jobs.inprocess import InProcessJobQueue
from backend.settings import Settings
from regulations.service import get_matcher
from tests import factories
from tests.conftest import ParkWorld

RULES = Path(__file__).resolve().parents[3] / "rules" / "escalation.yaml"

# 10:00 Beijing time on 2026-12-01
MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
REPEAT_REASON = "整改后再次发现，从重考虑"


def put_right(finding: Finding) -> None:
    """Rectified and accepted (验收闭环) two hours after it was found."""
    finding.status = FindingStatus.CLOSED
    finding.accepted_at = finding.observed_at + timedelta(hours=2)


def drafted(db: Session, world: ParkWorld, observed_at: datetime, *, fixed: bool = True) -> str:
    finding = factories.finding(db, world.own, checklist_code="XC-08-01", observed_at=observed_at)
    matched = give_legal_basis(db, get_matcher(), finding.id, repeat_window_days=90)
    if fixed:
        put_right(finding)
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


def test_a_hazard_seen_again_before_it_was_put_right_is_not_weighed_as_a_repeat(
    db: Session, world: ParkWorld
) -> None:
    """The same expired extinguisher seen again while its first finding is still open is one
    continuing violation: drafted 从重 it drew a second, heavier fine for one uncorrected act."""
    drafted(db, world, MORNING, fixed=False)
    two_weeks_on = drafted(db, world, MORNING + timedelta(days=14))
    assert REPEAT_REASON not in two_weeks_on
    assert "首次发现" in two_weeks_on


def test_the_repeat_window_is_the_one_the_escalation_rules_set(
    db: Session, world: ParkWorld, settings: Settings, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """A park that shortens 重复发现 to 30 days in its rules gets penalty drafts that agree."""
    rules = tmp_path / "escalation.yaml"
    rules.write_text(
        RULES.read_text(encoding="utf-8").replace("window_days: 90", "window_days: 30"), encoding="utf-8"
    )
    context = JobContext(
        settings=settings.model_copy(update={"escalation_rules_path": rules}),
        session_factory=session_factory,
        queue=InProcessJobQueue(JobRegistry()),
    )

    def drafted_by_the_job(observed_at: datetime) -> str:
        finding = factories.finding(db, world.own, checklist_code="XC-08-01", observed_at=observed_at)
        put_right(finding)
        db.commit()
        match_finding(context, finding_id=str(finding.id))
        db.expire_all()
        matched = db.get(Finding, finding.id)
        assert matched is not None and matched.penalty_draft is not None
        rationale: str = matched.penalty_draft["rationale"]
        return rationale

    drafted_by_the_job(MORNING)
    forty_days_on = drafted_by_the_job(MORNING + timedelta(days=40))
    fifty_days_on = drafted_by_the_job(MORNING + timedelta(days=50))
    assert REPEAT_REASON not in forty_days_on  # 40 days after the only earlier one: outside 30
    assert "同一问题30天内整改后再次发现，从重考虑" in fifty_days_on  # 10 days after the second


def test_a_repeat_by_the_matched_item_is_weighed_as_escalation_counts_it(
    db: Session, world: ParkWorld
) -> None:
    """The inspector chose no item the first time; matching confidently named XC-08-01, and the
    escalation rules count that as the earlier sighting: so does the draft."""
    first = factories.finding(
        db, world.own, description="储罐区两名作业人员未佩戴安全帽", observed_at=MORNING
    )
    assert give_legal_basis(db, get_matcher(), first.id, repeat_window_days=90) is not None
    put_right(first)
    db.commit()
    assert effective_checklist_code(first) == "XC-08-01"
    assert REPEAT_REASON in drafted(db, world, MORNING + timedelta(days=2))

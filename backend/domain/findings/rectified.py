"""Whether a finding's hazard was put right in time, as the penalty draft and the notice say it."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from backend.db.models import Finding, Rectification
from backend.domain.findings.vocabulary import FindingStatus, Handling

FIXED = (FindingStatus.PENDING_VERIFICATION, FindingStatus.CLOSED)


def fixed_on_the_spot(finding: Finding) -> bool:
    """即查即改 done: the fix made during the inspection is on record (waiting for acceptance or
    accepted) and was never sent back to the enterprise. A finding merely marked 即查即改 is not."""
    return (
        finding.handling is Handling.ON_THE_SPOT and finding.dispatched_at is None and finding.status in FIXED
    )


def latest_rectification(session: Session, finding_id: uuid.UUID) -> Rectification | None:
    """The finding's most recent proof: the one waiting for review, or the one last decided."""
    return session.exec(
        select(Rectification)
        .where(Rectification.finding_id == finding_id, col(Rectification.deleted_at).is_(None))
        .order_by(col(Rectification.created_at).desc())
    ).first()


def rectified_promptly(session: Session, finding: Finding) -> bool:
    """首次发现且已及时整改 (rules/discretion.yaml ``first_offence_rectified``): fixed on the spot, or
    the accepted rectification submitted within the deadline and the finding never overdue."""
    if fixed_on_the_spot(finding):
        return True
    if finding.status is not FindingStatus.CLOSED or finding.overdue or finding.deadline is None:
        return False
    accepted = latest_rectification(session, finding.id)
    return accepted is not None and accepted.created_at <= finding.deadline

"""``parksafe match refresh``: after an upgrade of the checklist, the law library or the rules, every
open finding is matched and drafted again; a closed one keeps the documents it was closed under."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.db.models import Finding
from backend.domain.findings.legal_basis import give_legal_basis, rematch_open_findings
from backend.domain.findings.vocabulary import FindingStatus
from regulations.service import get_matcher
from tests import factories
from tests.conftest import ParkWorld


def test_open_findings_are_drafted_again_and_closed_ones_are_left_as_they_were(
    db: Session, world: ParkWorld, session_factory: sessionmaker[Session]
) -> None:
    reported = factories.finding(db, world.own, description="罐区作业人员未佩戴安全帽")
    dispatched = factories.finding(
        db, world.own, description="消防通道停了两辆车", status=FindingStatus.DISPATCHED
    )
    closed = factories.finding(db, world.own, description="配电室门口堆放纸箱", status=FindingStatus.CLOSED)
    db.commit()
    for finding in (reported, dispatched, closed):
        give_legal_basis(db, get_matcher(), finding.id, repeat_window_days=90)
        finding.penalty_draft = None  # as an older release left them
    db.commit()

    matched, changed = rematch_open_findings(session_factory, get_matcher(), 90)
    assert changed >= 2 and matched >= changed  # the world's own open findings are matched too
    db.expire_all()
    drafts = {f.id: _stored(db, f).penalty_draft for f in (reported, dispatched, closed)}
    assert drafts[reported.id] is not None and drafts[dispatched.id] is not None
    assert drafts[closed.id] is None
    assert rematch_open_findings(session_factory, get_matcher(), 90) == (matched, 0)  # nothing left to change


def _stored(db: Session, finding: Finding) -> Finding:
    found = db.get(Finding, finding.id)
    assert found is not None
    return found

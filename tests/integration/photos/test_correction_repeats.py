"""The same AI correction sent twice at once (a double tap, two API replicas) is stored once: a
copy would be written twice into the training labels ``parksafe ai export-dataset`` makes."""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from backend.db.models import DetectionCorrection, Photo
from backend.domain.accounts.roles import Role
from backend.domain.accounts.service import principal_of
from backend.domain.errors import AlreadyExists
from backend.domain.photos.corrections import CorrectionInput, CorrectionService
from tests import factories
from tests.conftest import ParkWorld

SHA = "c" * 64
MISSED_HEAD = CorrectionInput(SHA, "missing", "no_helmet", (40.0, 30.0, 88.0, 90.0), "漏检")


def test_a_correction_sent_while_the_same_one_is_being_stored_is_refused_as_a_repeat(
    world: ParkWorld, db: Session, session_factory: sessionmaker[Session]
) -> None:
    db.add(Photo(sha256=SHA, content_type="image/jpeg", bytes=1000, width=640, height=480))
    finding = factories.finding(db, world.own, photos=[SHA])
    db.commit()
    supervisor = principal_of(world.users[Role.SUPERVISOR])
    outcome: list[object] = []

    def second_request() -> None:
        with session_factory() as session:
            try:
                CorrectionService(session).add(supervisor, finding.id, MISSED_HEAD)
                session.commit()
                outcome.append("stored")
            except AlreadyExists as refused:
                outcome.append(refused)

    with session_factory() as first:
        CorrectionService(first).add(supervisor, finding.id, MISSED_HEAD)  # not committed yet
        second = threading.Thread(target=second_request)
        second.start()
        time.sleep(0.5)  # the second request is in flight while the first is being stored
        first.commit()
    second.join(timeout=30)
    assert not second.is_alive()
    [refused] = outcome
    assert isinstance(refused, AlreadyExists), outcome
    stored = db.exec(select(DetectionCorrection).where(DetectionCorrection.finding_id == finding.id)).all()
    assert len(stored) == 1

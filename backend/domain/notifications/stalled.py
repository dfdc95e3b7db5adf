"""Sending again what no job will send any more.

A send job retries for about 10 minutes (backend/jobs/catalog.py). If every attempt
fails before it can even count itself (the database was down the whole time), the
message stays ``queued`` with no job behind it; with Redis the outbox row was handed
over long ago, so the outbox sweep will not bring it back either. The scheduled run
hands such messages to the queue again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from backend.db.models import Notification
from backend.domain.notifications.outbox import SEND_JOB
from backend.jobs.base import JobQueue

# Longer than a send job's whole retry schedule, so a job still retrying is never doubled
# (and longer than SAQ keeps a finished job's key, so the resend is not dropped as a duplicate).
STALLED_AFTER = timedelta(minutes=20)


def stalled_notifications(session: Session, now: datetime, limit: int = 500) -> list[uuid.UUID]:
    """Queued messages untouched for ``STALLED_AFTER``: no attempt was recorded since."""
    return list(
        session.exec(
            select(Notification.id)
            .where(Notification.status == "queued", col(Notification.updated_at) < now - STALLED_AFTER)
            .order_by(col(Notification.updated_at))
            .limit(limit)
        ).all()
    )


async def resend_stalled(session_factory: sessionmaker[Session], queue: JobQueue, now: datetime) -> int:
    """Queue a send job for every stalled message; the job's key keeps replicas from doubling it."""
    import anyio.to_thread

    def find() -> list[uuid.UUID]:
        with session_factory() as session:
            return stalled_notifications(session, now)

    stalled = await anyio.to_thread.run_sync(find)
    for notification_id in stalled:
        await queue.enqueue(SEND_JOB, key=f"notify:{notification_id}", notification_id=str(notification_id))
    return len(stalled)

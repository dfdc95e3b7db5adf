"""Sending again what no job will send any more.

A send job retries for about 10 minutes (backend/jobs/catalog.py). If every attempt
fails before it can even count itself (the database was down the whole time), the
message stays ``queued`` with no job behind it; with Redis the outbox row was handed
over long ago, so the outbox sweep will not bring it back either. The scheduled run
hands such messages to the queue again, while they are still news; older ones are
marked failed. Delivery is at least once: a send the database could not record is
sent again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from backend.db.engine import transaction
from backend.db.models import Notification
from backend.domain.notifications.outbox import SEND_JOB
from backend.jobs.base import JobQueue

# Longer than a send job's whole retry schedule, so a message whose job is still retrying is
# left alone (the queue would refuse the same key while that job is queued or running anyway).
STALLED_AFTER = timedelta(minutes=20)
# A reminder or 督办 a day old is no longer news: failed, not sent late (the log shows it).
STALE_AFTER = timedelta(hours=24)
EXPIRED = "超过 24 小时未能发送，已放弃 / not sent within 24 hours, given up"


def _untouched(now: datetime) -> tuple[sa.ColumnElement[bool], ...]:
    """Still queued, and no attempt recorded for ``STALLED_AFTER``: no job is behind it."""
    return col(Notification.status) == "queued", col(Notification.updated_at) < now - STALLED_AFTER


def stalled_notifications(session: Session, now: datetime, limit: int = 500) -> list[uuid.UUID]:
    """Untouched messages of the last day."""
    return list(
        session.exec(
            select(Notification.id)
            .where(*_untouched(now), col(Notification.created_at) >= now - STALE_AFTER)
            .order_by(col(Notification.updated_at))
            .limit(limit)
        ).all()
    )


def expire_stale(session: Session, now: datetime) -> None:
    """Untouched messages older than a day: failed, not sent late."""
    session.connection().execute(
        sa.update(Notification)
        .where(*_untouched(now), col(Notification.created_at) < now - STALE_AFTER)
        .values(status="failed", last_error=EXPIRED, updated_at=now)
    )


async def resend_stalled(session_factory: sessionmaker[Session], queue: JobQueue, now: datetime) -> int:
    """Queue a send job for every stalled message (the job key keeps replicas from doubling it);
    give up on those older than a day. Returns how many were handed to the queue."""
    import anyio.to_thread

    def find() -> list[uuid.UUID]:
        with transaction(session_factory) as session:
            expire_stale(session, now)
            return stalled_notifications(session, now)

    stalled = await anyio.to_thread.run_sync(find)
    for notification_id in stalled:
        await queue.enqueue(SEND_JOB, key=f"notify:{notification_id}", notification_id=str(notification_id))
    return len(stalled)

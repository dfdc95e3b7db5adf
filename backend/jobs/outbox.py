"""Ask for jobs inside a transaction; hand them to the queue after it commits."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from backend.db.construct import new
from backend.db.models import JobOutbox
from backend.db.types import utcnow
from backend.jobs.base import JobQueue

log = logging.getLogger(__name__)


def request_job(session: Session, name: str, key: str, *, fresh: bool = False, **payload: Any) -> bool:
    """Record that ``name`` must run once for ``key``; False if it was already requested.

    ``fresh``: the key names a record created in this transaction, so no committed request
    can exist and the look-up is skipped (a pushed batch of new findings saves a query each).
    """
    if any(isinstance(row, JobOutbox) and row.key == key for row in session.new):
        return False
    if not fresh:
        with session.no_autoflush:  # no flush per request: a pushed batch is written in one flush
            if session.exec(select(JobOutbox.id).where(JobOutbox.key == key)).first() is not None:
                return False
    session.add(new(JobOutbox, key=key, name=name, payload=payload))
    return True


async def dispatch_pending(session_factory: sessionmaker[Session], queue: JobQueue, limit: int = 500) -> int:
    """Enqueue requested jobs not yet handed over. Safe to run from several replicas:
    the queue deduplicates by key, and each job is idempotent."""
    import anyio.to_thread

    def pending() -> list[JobOutbox]:
        with session_factory() as session:
            return list(
                session.exec(
                    select(JobOutbox)
                    .where(col(JobOutbox.dispatched_at).is_(None))
                    .order_by(col(JobOutbox.id))
                    .limit(limit)
                ).all()
            )

    def mark(ids: list[int]) -> None:
        with session_factory() as session:
            for row in session.exec(select(JobOutbox).where(col(JobOutbox.id).in_(ids))).all():
                row.dispatched_at = utcnow()
                session.add(row)
            session.commit()

    rows = await anyio.to_thread.run_sync(pending)
    for row in rows:
        await queue.enqueue(row.name, key=row.key, **row.payload)
    if rows:
        await anyio.to_thread.run_sync(mark, [row.id for row in rows if row.id is not None])
    return len(rows)

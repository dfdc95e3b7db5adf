"""Ask for jobs inside a transaction; hand them to the queue after it commits."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from backend.db.bulk import BulkRows
from backend.db.construct import new
from backend.db.models import JobOutbox
from backend.db.types import utcnow
from backend.jobs.base import JobQueue

log = logging.getLogger(__name__)


def request_job(
    session: Session,
    name: str,
    key: str,
    *,
    fresh: bool = False,
    bulk: BulkRows | None = None,
    **payload: Any,
) -> bool:
    """Record that ``name`` must run once for ``key``; False if it was already requested.

    ``fresh``: the key names a record created in this transaction, so no committed request
    can exist and the look-up is skipped (a pushed batch of new findings saves a query each).
    ``bulk``: the key names a record written set-wise; its request joins those rows (fresh).
    """
    if bulk is not None:
        bulk.add(new(JobOutbox, key=key, name=name, payload=payload))
        return True
    unflushed: dict[str, JobOutbox] = session.info.setdefault("unflushed_job_requests", {})
    earlier = unflushed.get(key)
    if earlier is not None and sa.inspect(earlier).pending:  # asked for earlier in this transaction
        return False
    if not fresh:
        with session.no_autoflush:  # no flush per request: a pushed batch is written in one flush
            if session.exec(select(JobOutbox.id).where(JobOutbox.key == key)).first() is not None:
                return False
    row = new(JobOutbox, key=key, name=name, payload=payload)
    session.add(row)
    if len(unflushed) >= 1_000:  # a long-lived session: forget the requests already flushed
        for written in [k for k, r in unflushed.items() if not sa.inspect(r).pending]:
            del unflushed[written]
    unflushed[key] = row
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

    handed: list[str] = []
    for row in await anyio.to_thread.run_sync(pending):
        try:
            await queue.enqueue(row.name, key=row.key, **row.payload)
        except LookupError:
            # A job this process does not know (a newer replica asked for it during a rolling
            # deploy): left pending for a process that does, and never in the way of the rest.
            log.warning("outbox row %s names job %r, unknown here; left pending", row.key, row.name)
            continue
        handed.append(row.key)
    # A durable queue (Redis) now owns the job. The in-process queue only holds it in memory:
    # it marks the row itself once the job has finished, so a crash before then loses nothing.
    if handed and getattr(queue, "durable", True):
        await anyio.to_thread.run_sync(partial(mark_handed_over, session_factory, handed))
    return len(handed)


def mark_handed_over(session_factory: sessionmaker[Session], keys: list[str]) -> None:
    """Stamp these outbox rows so no sweep dispatches them again."""
    if not keys:
        return
    with session_factory() as session:
        for row in session.exec(select(JobOutbox).where(col(JobOutbox.key).in_(keys))).all():
            row.dispatched_at = utcnow()
            session.add(row)
        session.commit()

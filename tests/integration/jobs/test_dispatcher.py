"""Requests nudge the outbox dispatcher after they commit; a burst of them costs one pass."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from backend.db.engine import transaction
from backend.db.models import JobOutbox
from backend.jobs import JobContext, JobRegistry, JobSpec
from backend.jobs.dispatcher import OutboxDispatcher
from backend.jobs.inprocess import InProcessJobQueue
from backend.jobs.outbox import request_job
from backend.settings import Settings


@contextmanager
def outbox_passes(engine: sa.Engine) -> Iterator[list[str]]:
    """The dispatch passes' reads of the pending job requests while the block runs."""
    reads: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "dispatched_at IS NULL" in statement:
            reads.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield reads
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


@dataclass
class NotingQueue:
    """A running in-process queue whose one job, ``note``, records its tag."""

    queue: InProcessJobQueue
    runs: list[str] = field(default_factory=list)


@pytest.fixture
async def noting(session_factory: sessionmaker[Session], settings: Settings) -> AsyncIterator[NotingQueue]:
    registry = JobRegistry()
    noting = NotingQueue(InProcessJobQueue(registry))
    registry.register(JobSpec("note", lambda _context, *, tag: noting.runs.append(tag)))
    await noting.queue.start(
        JobContext(settings=settings, session_factory=session_factory, queue=noting.queue)
    )
    yield noting
    await noting.queue.stop()


async def test_nudges_within_the_gathering_window_are_served_by_one_pass_that_runs_every_job(
    session_factory: sessionmaker[Session], noting: NotingQueue
) -> None:
    dispatcher = OutboxDispatcher(session_factory, noting.queue, gather_seconds=1.0)
    engine = session_factory.kw["bind"]
    try:
        with outbox_passes(engine) as passes:
            for n in range(5):  # five uploads, each committing its job request, then nudging
                with transaction(session_factory) as session:
                    request_job(session, "note", key=f"note:{n}", tag=str(n))
                await dispatcher.nudge()
                await asyncio.sleep(0.01)  # the next upload arrives while the window is open
            await dispatcher.idle()
            await noting.queue.join()
        assert len(passes) == 1
        assert sorted(noting.runs) == ["0", "1", "2", "3", "4"]
    finally:
        await dispatcher.stop()


async def test_a_job_unknown_to_this_process_is_left_pending_and_never_blocks_the_others(
    session_factory: sessionmaker[Session], noting: NotingQueue
) -> None:
    """During a rolling deploy a newer replica may ask for a job this one does not have."""
    with transaction(session_factory) as session:
        request_job(session, "job.from_a_newer_release", key="newer:1")
        request_job(session, "note", key="note:1", tag="after it")
    dispatcher = OutboxDispatcher(session_factory, noting.queue, gather_seconds=0)
    try:
        await dispatcher.nudge()
        await dispatcher.idle()
        await noting.queue.join()
        assert noting.runs == ["after it"]
        with session_factory() as session:
            newer = session.exec(select(JobOutbox).where(JobOutbox.key == "newer:1")).one()
            assert newer.dispatched_at is None  # still there for a replica that knows it
    finally:
        await dispatcher.stop()

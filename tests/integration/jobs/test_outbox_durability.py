"""The in-process queue holds jobs in memory: an outbox row is handed over only once its job has run,
so a process that stops first loses nothing (the next start dispatches it again)."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from backend.db.engine import transaction
from backend.db.models import JobOutbox
from backend.jobs import JobContext, JobRegistry, JobSpec
from backend.jobs.inprocess import InProcessJobQueue
from backend.jobs.outbox import dispatch_pending, request_job
from backend.settings import Settings


def counting_registry(runs: list[str]) -> JobRegistry:
    registry = JobRegistry()
    registry.register(JobSpec("note", lambda _context, *, tag: runs.append(tag)))
    return registry


def handed_over(session_factory: sessionmaker[Session], key: str) -> bool:
    with session_factory() as session:
        row = session.exec(select(JobOutbox).where(JobOutbox.key == key)).one()
        return row.dispatched_at is not None


async def test_a_job_dispatched_to_a_process_that_stops_before_running_it_runs_after_the_restart(
    session_factory: sessionmaker[Session], settings: Settings
) -> None:
    runs: list[str] = []
    with transaction(session_factory) as session:
        request_job(session, "note", key="note:1", tag="first")

    crashed = InProcessJobQueue(counting_registry(runs))
    assert await dispatch_pending(session_factory, crashed) == 1  # queued in memory, never started
    assert not handed_over(session_factory, "note:1")
    del crashed  # the process stops: its memory is gone

    restarted = InProcessJobQueue(counting_registry(runs))
    await restarted.start(JobContext(settings=settings, session_factory=session_factory, queue=restarted))
    try:
        assert await dispatch_pending(session_factory, restarted) == 1
        await restarted.join()
    finally:
        await restarted.stop()
    assert runs == ["first"]
    assert handed_over(session_factory, "note:1")
    assert await dispatch_pending(session_factory, restarted) == 0  # done: never dispatched again

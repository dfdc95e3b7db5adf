"""A standalone worker process for the Redis queue (``parksafe worker``)."""

from __future__ import annotations

import asyncio
import signal

import backend.jobs.catalog  # noqa: F401  (registers every job: the worker runs them, not only the API)
from backend.db.engine import create_db_engine, create_session_factory
from backend.jobs.base import JobContext
from backend.jobs.factory import create_job_queue
from backend.settings import Settings


async def run_worker_forever(settings: Settings) -> None:
    engine = create_db_engine(settings)
    queue = create_job_queue(settings)
    await queue.start(JobContext(settings, create_session_factory(engine), queue))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await queue.stop()
        engine.dispose()

"""A standalone worker process for the Redis queue (``parksafe worker``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from redis.exceptions import RedisError

import backend.jobs.catalog  # noqa: F401  (registers every job: the worker runs them, not only the API)
from backend.db.engine import create_db_engine, create_session_factory
from backend.jobs.base import JobContext, JobQueue, registry
from backend.jobs.factory import create_job_queue
from backend.jobs.redis_queue import RedisJobQueue
from backend.settings import Settings

log = logging.getLogger(__name__)


async def run_worker_forever(settings: Settings, retry_seconds: float = 5.0) -> None:
    """Process jobs until SIGINT or SIGTERM; wait for Redis, rather than exit, while it is down."""
    engine = create_db_engine(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    queue = create_job_queue(settings)
    try:
        if await _until_reachable(queue, stop, retry_seconds):
            await queue.start(JobContext(settings, create_session_factory(engine), queue))
            log.info(
                "worker started: queue %s, %d jobs (%s)",
                settings.job_queue_name,
                len(registry.specs()),
                ", ".join(sorted(spec.name for spec in registry.specs())),
            )
            await stop.wait()
    finally:
        await queue.stop()
        engine.dispose()
        log.info("worker stopped")


async def _until_reachable(queue: JobQueue, stop: asyncio.Event, retry_seconds: float) -> bool:
    """True once the queue's Redis answers; False if told to stop first. A worker started before
    Redis (a host booting, a Redis restart) waits for it instead of exiting with a traceback."""
    while not stop.is_set():
        try:
            if isinstance(queue, RedisJobQueue):
                await queue.ping()
            return True
        except (RedisError, OSError) as exc:
            log.warning(
                "任务队列不可用，%.0f 秒后重试 / job queue unreachable (%s), retrying in %.0f s",
                retry_seconds,
                exc,
                retry_seconds,
            )
            await _wait(stop, retry_seconds)
    return False


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)

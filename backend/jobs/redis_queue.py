"""Production queue: jobs live in Redis through SAQ, so they survive restarts and any
replica's worker may take them.

SAQ was chosen over arq and dramatiq because it is asyncio-native like Litestar,
keeps retries with exponential backoff, job keys (deduplication) and cron in one small
library, and is what litestar-fullstack uses.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

import anyio.to_thread
from redis.exceptions import RedisError
from saq import Job, Queue, Worker
from saq.queue.redis import RedisQueue
from saq.types import Context

from backend.jobs.base import JobContext, JobRegistry, JobSpec

log = logging.getLogger(__name__)


class RedisJobQueue:
    durable = True  # jobs are stored in Redis: once enqueued, the outbox row is handed over

    def __init__(
        self,
        registry: JobRegistry,
        redis_url: str,
        name: str,
        concurrency: int = 4,
        heartbeat_seconds: int = 30,
    ) -> None:
        self._registry = registry
        self._heartbeat_seconds = heartbeat_seconds
        self._redis_url = redis_url
        self._name = name
        self._concurrency = concurrency
        self._queue: Queue | None = None
        self._worker: Worker[Context] | None = None
        self._worker_task: asyncio.Task[None] | None = None

    @property
    def saq_queue(self) -> Queue:
        if self._queue is None:
            self._queue = Queue.from_url(self._redis_url, name=self._name)
        return self._queue

    async def connect(self) -> None:
        await self.saq_queue.connect()

    async def ping(self) -> None:
        """Raise ``redis.exceptions.RedisError`` unless Redis answers (connecting is lazy)."""
        queue = self.saq_queue
        assert isinstance(queue, RedisQueue)  # Queue.from_url of a redis:// URL
        await queue.redis.ping()

    async def enqueue(self, name: str, *, key: str | None = None, **payload: Any) -> None:
        spec = self._registry.get(name)
        options: dict[str, Any] = {
            "retries": spec.retries + 1,  # SAQ counts the first attempt among its "retries"
            "retry_delay": spec.retry_delay_seconds,
            "retry_backoff": spec.max_retry_delay_seconds,
            "timeout": spec.timeout_seconds,
            # Without a heartbeat SAQ takes a job whose worker was killed for running until its
            # timeout (10 minutes); with one, any worker's sweep retries it within about a minute.
            "heartbeat": self._heartbeat_seconds,
        }
        if key is not None:
            options["key"] = key
        await self.saq_queue.enqueue(name, **options, **payload)

    def _saq_function(self, spec: JobSpec, context: JobContext) -> tuple[str, Any]:
        async def run(ctx: dict[str, Any], **payload: Any) -> None:
            beating = asyncio.create_task(self._beat(ctx["job"]))
            try:
                await anyio.to_thread.run_sync(partial(spec.handler, context, **payload))
            finally:
                beating.cancel()

        return spec.name, run

    async def _beat(self, job: Job) -> None:
        """Tell Redis the job's worker is alive while the handler runs in its thread."""
        while True:
            await anyio.sleep(self._heartbeat_seconds / 3)
            try:
                await job.update()
            except Exception:  # a Redis blip must not fail the job; the next beat tries again
                log.warning("heartbeat of job %s failed", job.key, exc_info=True)

    async def start(self, context: JobContext) -> None:
        await self.connect()
        functions = [self._saq_function(spec, context) for spec in self._registry.specs()]
        self._worker = Worker(
            self.saq_queue,
            functions=functions,
            concurrency=self._concurrency,
            timers={"sweep": 10, "schedule": 1, "abort": 1, "worker_info": 10},
        )
        # Signals belong to the server process (uvicorn), not to the embedded worker.
        self._worker.SIGNALS = []
        self._worker_task = asyncio.create_task(self._worker.start())

    async def stop(self) -> None:
        if self._worker is not None:
            await self._worker.stop()
        if self._worker_task is not None:
            self._worker_task.cancel()
            await asyncio.gather(self._worker_task, return_exceptions=True)
        if self._queue is not None:
            try:
                await self._queue.disconnect()
            except (RedisError, OSError) as exc:  # Redis is down: nothing left to close politely
                log.warning("job queue disconnect failed: %s", exc)
        self._worker = None
        self._worker_task = None
        self._queue = None

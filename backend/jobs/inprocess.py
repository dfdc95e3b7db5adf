"""The embedded default: jobs run in the API process.

Jobs live in memory, so the queue is not durable: a job that came from the outbox is marked
handed over only once it has finished, and one interrupted by a stop or crash is dispatched
again at the next start (jobs are idempotent)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio.to_thread

from backend.jobs.base import JobContext, JobRegistry
from backend.jobs.outbox import mark_handed_over

log = logging.getLogger(__name__)


@dataclass
class _Queued:
    name: str
    key: str | None
    payload: dict[str, Any]
    attempt: int = 1


class InProcessJobQueue:
    durable = False

    def __init__(self, registry: JobRegistry, concurrency: int = 2) -> None:
        self._registry = registry
        self._concurrency = concurrency
        self._queue: asyncio.Queue[_Queued] = asyncio.Queue()
        self._keys: set[str] = set()
        self._workers: list[asyncio.Task[None]] = []
        self._retry_timers: set[asyncio.Task[None]] = set()
        self._context: JobContext | None = None
        self._finished: list[str] = []  # keys of finished jobs whose outbox rows await their stamp
        self._stamping: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        return None

    async def enqueue(self, name: str, *, key: str | None = None, **payload: Any) -> None:
        self._registry.get(name)  # refuse unknown jobs at the caller, not later in the worker
        if key is not None:
            if key in self._keys:
                return
            self._keys.add(key)
        await self._queue.put(_Queued(name, key, payload))

    async def start(self, context: JobContext) -> None:
        self._context = context
        self._workers = [asyncio.create_task(self._work()) for _ in range(self._concurrency)]

    async def stop(self) -> None:
        stamping = [self._stamping] if self._stamping is not None else []
        for task in [*self._workers, *self._retry_timers, *stamping]:
            task.cancel()  # safe: a job whose row keeps no stamp runs again at the next start
        await asyncio.gather(*self._workers, *self._retry_timers, *stamping, return_exceptions=True)
        self._workers.clear()
        self._retry_timers.clear()

    async def join(self) -> None:
        """Wait until every queued job, retries included, has finished (tests, CLI)."""
        while True:
            await self._queue.join()
            if self._stamping is not None:
                await asyncio.shield(self._stamping)
            if not self._retry_timers:
                return
            await asyncio.gather(*list(self._retry_timers), return_exceptions=True)

    async def _work(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                await self._run(item)
            finally:
                self._queue.task_done()

    async def _run(self, item: _Queued) -> None:
        assert self._context is not None
        spec = self._registry.get(item.name)
        try:
            await anyio.to_thread.run_sync(partial(spec.handler, self._context, **item.payload))
        except Exception:
            if item.attempt > spec.retries:
                log.exception("job %s failed for good after %d attempts", item.name, item.attempt)
                await self._finish(item)
                return
            delay = spec.backoff(item.attempt)
            log.warning(
                "job %s attempt %d failed; retrying in %.1fs", item.name, item.attempt, delay, exc_info=True
            )
            item.attempt += 1
            timer = asyncio.create_task(self._requeue_later(item, delay))
            self._retry_timers.add(timer)
            timer.add_done_callback(self._retry_timers.discard)
            return
        await self._finish(item)

    async def _requeue_later(self, item: _Queued, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._queue.put(item)

    async def _finish(self, item: _Queued) -> None:
        """Done (or failed for good): its outbox row gets stamped, then the key may be queued again.

        Stamps are written together, one transaction for all jobs finished meanwhile: on
        SQLite a commit per job would queue behind (and hold up) the requests' writes.
        """
        if item.key is None:
            return
        self._finished.append(item.key)
        if self._stamping is None or self._stamping.done():
            self._stamping = asyncio.get_running_loop().create_task(self._stamp_finished())

    async def _stamp_finished(self) -> None:
        factory = self._context.session_factory if self._context else None
        while self._finished:
            keys, self._finished = self._finished, []
            if factory is not None:
                try:
                    await anyio.to_thread.run_sync(mark_handed_over, factory, keys)
                except Exception:  # the rows stay pending: the jobs run again at the next sweep
                    log.exception("could not mark %d finished jobs done in the outbox", len(keys))
            self._keys.difference_update(keys)

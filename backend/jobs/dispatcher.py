"""Hand the job outbox to the queue in the background, one pass at a time."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.jobs.base import JobQueue
from backend.jobs.outbox import dispatch_pending

log = logging.getLogger(__name__)


class OutboxDispatcher:
    """Requests nudge it after they commit; it dispatches without keeping them waiting.

    A pass starts ``gather_seconds`` after the first nudge, and nudges that arrive before or
    during it are served by one more pass: a burst of uploads costs a few passes (each a
    read and, for Redis, a commit) instead of one each, which on SQLite would queue behind
    the uploads' own commits. A failed pass is logged and left to the periodic sweep.
    """

    def __init__(
        self, session_factory: sessionmaker[Session], queue: JobQueue, gather_seconds: float = 0.05
    ) -> None:
        self._session_factory = session_factory
        self._queue = queue
        self._gather_seconds = gather_seconds
        self._wanted = False
        self._task: asyncio.Task[None] | None = None

    async def nudge(self) -> None:
        self._wanted = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._passes())

    async def _passes(self) -> None:
        while self._wanted:
            await asyncio.sleep(self._gather_seconds)
            self._wanted = False
            try:
                await dispatch_pending(self._session_factory, self._queue)
            except Exception:
                log.exception("dispatching the job outbox failed; the sweep will retry")

    async def idle(self) -> None:
        """Wait until the passes asked for so far have run."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

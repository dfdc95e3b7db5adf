"""What a job is and how code asks for one to run.

Handlers are plain synchronous functions (they use the synchronous database
session), run in a worker thread so they never block the event loop. Each gets a
``JobContext`` and its keyword payload, which must be JSON-serialisable: the Redis
queue stores it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import sessionmaker
    from sqlmodel import Session

    from backend.settings import Settings
    from backend.storage import ObjectStore

JobHandler = Callable[..., None]


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    session_factory: sessionmaker[Session]
    queue: JobQueue
    extras: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def object_store(self) -> ObjectStore:
        """One store per worker (for S3, one boto3 client), not one per job."""
        from backend.storage import create_object_store

        return create_object_store(self.settings)


@dataclass(frozen=True)
class JobSpec:
    name: str
    handler: JobHandler
    retries: int = 5
    retry_delay_seconds: float = 2.0
    max_retry_delay_seconds: float = 300.0
    timeout_seconds: int = 600

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1-based): doubling, capped."""
        return float(min(self.retry_delay_seconds * 2 ** (attempt - 1), self.max_retry_delay_seconds))


class JobRegistry:
    """Every job the system knows, registered in one place at import time."""

    def __init__(self) -> None:
        self._specs: dict[str, JobSpec] = {}

    def register(self, spec: JobSpec) -> JobSpec:
        if spec.name in self._specs and self._specs[spec.name].handler is not spec.handler:
            raise ValueError(f"job {spec.name!r} registered twice")
        self._specs[spec.name] = spec
        return spec

    def job(self, name: str, **options: Any) -> Callable[[JobHandler], JobHandler]:
        def decorator(handler: JobHandler) -> JobHandler:
            self.register(JobSpec(name=name, handler=handler, **options))
            return handler

        return decorator

    def get(self, name: str) -> JobSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise LookupError(f"unknown job {name!r}") from None

    def specs(self) -> list[JobSpec]:
        return list(self._specs.values())


registry = JobRegistry()


class JobQueue(Protocol):
    durable: bool  # whether an enqueued job survives this process (see jobs.outbox.dispatch_pending)

    async def enqueue(self, name: str, *, key: str | None = None, **payload: Any) -> None:
        """Ask for ``name`` to run. A ``key`` still queued or running is not queued again."""

    async def start(self, context: JobContext) -> None:
        """Start processing jobs in this process."""

    async def stop(self) -> None: ...

    async def connect(self) -> None:
        """Prepare to enqueue without processing (API replicas that run no worker)."""

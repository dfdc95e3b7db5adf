from __future__ import annotations

from backend.jobs.base import JobQueue, JobRegistry, registry
from backend.jobs.inprocess import InProcessJobQueue
from backend.jobs.redis_queue import RedisJobQueue
from backend.settings import Settings


def create_job_queue(settings: Settings, job_registry: JobRegistry = registry) -> JobQueue:
    if settings.job_backend == "redis":
        return RedisJobQueue(
            job_registry,
            settings.redis_url,
            settings.job_queue_name,
            heartbeat_seconds=settings.job_heartbeat_seconds,
        )
    return InProcessJobQueue(job_registry)

"""Background jobs: one interface, an in-process runner and a Redis-backed queue (SAQ)."""

from backend.jobs.base import JobContext, JobQueue, JobRegistry, JobSpec, registry
from backend.jobs.factory import create_job_queue

__all__ = ["JobContext", "JobQueue", "JobRegistry", "JobSpec", "create_job_queue", "registry"]

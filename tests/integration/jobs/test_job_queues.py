"""Both job queues run registered jobs, retry failures with backoff and deduplicate by key.

The Redis queue runs against the real local Redis: jobs are stored there, so one
enqueued while no worker runs is done by the next worker that starts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis

from backend.jobs import JobContext, JobRegistry, JobSpec
from backend.jobs.inprocess import InProcessJobQueue
from backend.jobs.redis_queue import RedisJobQueue
from backend.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


class Journal:
    """Where test jobs write what happened: a file, since Redis jobs may run in another worker."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def record(self, name: str) -> None:
        with (self.folder / f"{name}.log").open("a") as log:
            log.write(f"{time.monotonic()}\n")

    def times(self, name: str) -> list[float]:
        path = self.folder / f"{name}.log"
        return [float(line) for line in path.read_text().split()] if path.exists() else []


def make_registry(journal: Journal) -> JobRegistry:
    registry = JobRegistry()

    def succeed(_: JobContext, *, tag: str) -> None:
        journal.record(tag)

    def fail_twice(_: JobContext, *, tag: str) -> None:
        journal.record(tag)
        if len(journal.times(tag)) < 3:
            raise RuntimeError("transient failure")

    def slow(_: JobContext, *, tag: str) -> None:
        journal.record(f"{tag}-start")
        time.sleep(0.5)
        journal.record(tag)

    def hang_first_time(_: JobContext, *, tag: str) -> None:
        journal.record(f"{tag}-start")
        if len(journal.times(f"{tag}-start")) == 1:
            time.sleep(3600)  # the first worker to run it is killed meanwhile
        journal.record(tag)

    registry.register(JobSpec("succeed", succeed))
    registry.register(JobSpec("hang_first_time", hang_first_time, retries=3, retry_delay_seconds=0.1))
    registry.register(JobSpec("slow", slow, retries=3, retry_delay_seconds=0.1))
    registry.register(JobSpec("fail_twice", fail_twice, retries=3, retry_delay_seconds=0.2))
    return registry


def context_for(queue: Any, tmp_path: Path) -> JobContext:
    return JobContext(settings=Settings(_env_file=None, data_dir=tmp_path), session_factory=None, queue=queue)  # type: ignore[arg-type]


async def wait_for(condition: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path)


@pytest.fixture
def queue_name() -> str:
    return f"parksafe-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def redis_cleanup(queue_name: str) -> AsyncIterator[None]:
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379; CI must test the Redis queue")
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    yield
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"saq:*{queue_name}*"):
        client.delete(key)


async def test_in_process_queue_retries_a_failing_job_with_growing_delays(
    journal: Journal, tmp_path: Path
) -> None:
    queue = InProcessJobQueue(make_registry(journal))
    await queue.start(context_for(queue, tmp_path))
    try:
        await queue.enqueue("fail_twice", tag="flaky")
        await queue.join()
    finally:
        await queue.stop()
    attempts = journal.times("flaky")
    assert len(attempts) == 3
    first_gap, second_gap = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert first_gap >= 0.2
    assert second_gap >= 0.4


async def test_in_process_queue_runs_a_keyed_job_once_while_it_is_pending(
    journal: Journal, tmp_path: Path
) -> None:
    queue = InProcessJobQueue(make_registry(journal))
    for _ in range(3):
        await queue.enqueue("succeed", key="thumb:abc", tag="keyed")
    await queue.start(context_for(queue, tmp_path))
    try:
        await queue.join()
    finally:
        await queue.stop()
    assert len(journal.times("keyed")) == 1


async def test_unknown_job_is_refused_when_enqueued(journal: Journal) -> None:
    queue = InProcessJobQueue(make_registry(journal))
    with pytest.raises(LookupError):
        await queue.enqueue("no_such_job")


@pytest.mark.redis
async def test_redis_job_enqueued_without_a_worker_runs_when_one_starts(
    journal: Journal, tmp_path: Path, queue_name: str, redis_cleanup: None
) -> None:
    producer = RedisJobQueue(make_registry(journal), REDIS_URL, queue_name)
    await producer.connect()
    await producer.enqueue("succeed", tag="durable")
    await producer.stop()  # the producing process goes away; the job stays in Redis

    await asyncio.sleep(0.3)
    assert journal.times("durable") == []

    worker = RedisJobQueue(make_registry(journal), REDIS_URL, queue_name)
    await worker.start(context_for(worker, tmp_path))
    try:
        await wait_for(lambda: len(journal.times("durable")) == 1)
    finally:
        await worker.stop()


@pytest.mark.redis
async def test_redis_job_interrupted_by_a_worker_restart_runs_again_on_the_next_worker(
    journal: Journal, tmp_path: Path, queue_name: str, redis_cleanup: None
) -> None:
    first = RedisJobQueue(make_registry(journal), REDIS_URL, queue_name)
    await first.start(context_for(first, tmp_path))
    await first.enqueue("slow", tag="interrupted")
    await wait_for(lambda: len(journal.times("interrupted-start")) == 1)
    await first.stop()  # the worker goes down while the job is running

    second = RedisJobQueue(make_registry(journal), REDIS_URL, queue_name)
    await second.start(context_for(second, tmp_path))
    try:
        await wait_for(lambda: len(journal.times("interrupted-start")) == 2)
        await wait_for(lambda: len(journal.times("interrupted")) >= 1)
    finally:
        await second.stop()


@pytest.mark.redis
async def test_redis_job_failing_twice_is_retried_until_it_succeeds(
    journal: Journal, tmp_path: Path, queue_name: str, redis_cleanup: None
) -> None:
    queue = RedisJobQueue(make_registry(journal), REDIS_URL, queue_name)
    await queue.start(context_for(queue, tmp_path))
    try:
        await queue.enqueue("fail_twice", tag="redis-flaky")
        await wait_for(lambda: len(journal.times("redis-flaky")) == 3)
        await asyncio.sleep(0.5)
        assert len(journal.times("redis-flaky")) == 3  # succeeded on the third try; no more runs
    finally:
        await queue.stop()


@pytest.mark.redis
async def test_redis_queue_deduplicates_jobs_by_key(
    journal: Journal, tmp_path: Path, queue_name: str, redis_cleanup: None
) -> None:
    queue = RedisJobQueue(make_registry(journal), REDIS_URL, queue_name)
    await queue.connect()
    for _ in range(3):
        await queue.enqueue("succeed", key="notify:event-1", tag="redis-keyed")
    await queue.stop()
    worker = RedisJobQueue(make_registry(journal), REDIS_URL, queue_name)
    await worker.start(context_for(worker, tmp_path))
    try:
        await wait_for(lambda: len(journal.times("redis-keyed")) >= 1)
        await asyncio.sleep(0.5)
    finally:
        await worker.stop()
    assert len(journal.times("redis-keyed")) == 1


def log_each_sweep(queue: RedisJobQueue) -> None:
    """What each sweep of this worker saw (sweep lock, active jobs, their status and age), so a run
    where no sweep picks the orphaned job up says why. Set before the worker starts its timers."""
    saq_queue: Any = queue.saq_queue
    sweep = saq_queue.sweep

    async def logged(lock: int = 60, abort: float = 5.0) -> list[str]:
        client = saq_queue.redis
        ttl = await client.pttl(saq_queue._sweep)
        active = []
        for job_id in await client.lrange(saq_queue._active, 0, -1):
            job = saq_queue.deserialize(await client.get(job_id))
            active.append((job_id, job and job.status, job and int(time.time() * 1000) - job.touched))
        swept = await sweep(lock, abort)
        logging.getLogger("saq").info("sweep: lock ttl %s ms, active %s, swept %s", ttl, active, swept)
        return list(swept)

    saq_queue.sweep = logged


KILLABLE_WORKER = """
import asyncio, sys
from pathlib import Path
from tests.integration.jobs.test_job_queues import Journal, context_for, make_registry
from backend.jobs.redis_queue import RedisJobQueue

async def main() -> None:
    folder, redis_url, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    queue = RedisJobQueue(make_registry(Journal(folder)), redis_url, name, heartbeat_seconds=3)
    await queue.start(context_for(queue, folder))
    await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.mark.redis
async def test_redis_job_whose_worker_was_killed_is_run_by_another_worker_within_seconds(
    journal: Journal, tmp_path: Path, queue_name: str, redis_cleanup: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker killed mid-job (OOM, node lost) leaves no one to fail the job: without a heartbeat
    the job counted as running until its 10-minute timeout, and the hazard's notification waited.

    Usually 15-18 s: the survivor's sweeps come every 10 s, and one waits 5 s for the dead
    worker to give the job up. The bound leaves room for a loaded CI machine (one run in about
    fifty missed 45 s there); SAQ's sweep log is kept so a miss shows what the sweeps saw."""
    caplog.set_level(logging.INFO, logger="saq")
    doomed = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_WORKER, str(journal.folder), REDIS_URL, queue_name],
        cwd=Path(__file__).resolve().parents[3],
    )
    producer = RedisJobQueue(make_registry(journal), REDIS_URL, queue_name, heartbeat_seconds=3)
    survivor = RedisJobQueue(make_registry(journal), REDIS_URL, queue_name, heartbeat_seconds=3)
    log_each_sweep(survivor)
    try:
        await producer.enqueue("hang_first_time", tag="orphaned")
        await wait_for(lambda: len(journal.times("orphaned-start")) == 1, timeout=60)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
        # The dead worker's last sweep holds the queue's sweep lock for 10 s: as if they had passed.
        redis.Redis.from_url(REDIS_URL).delete(f"saq:{queue_name}:sweep")
        await survivor.start(context_for(survivor, tmp_path))
        await wait_for(lambda: len(journal.times("orphaned")) == 1, timeout=75)
        assert len(journal.times("orphaned-start")) == 2
    finally:
        doomed.kill()
        await survivor.stop()
        await producer.stop()

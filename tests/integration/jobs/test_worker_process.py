"""The separate worker process of the production layout (`parksafe worker`) knows every job."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backend.jobs.base import registry
from tests.ports import free_port


def test_the_worker_command_registers_every_job_the_api_enqueues() -> None:
    """Run in a fresh interpreter: in this test process the app's import has registered them already."""
    import backend.jobs.catalog  # noqa: F401

    expected = sorted(spec.name for spec in registry.specs())
    script = (
        "import backend.cli  # what `parksafe worker` imports\n"
        "import backend.jobs.runner\n"
        "from backend.jobs.base import registry\n"
        "print(','.join(sorted(spec.name for spec in registry.specs())))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert expected and found.stdout.strip().split(",") == expected


def _wait_for_line(log: Path, text: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(encoding="utf-8", errors="replace"):
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not logged; log:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary")
def test_a_worker_started_before_redis_waits_for_it_then_serves_and_stops_cleanly(tmp_path: Path) -> None:
    """A host boots the worker before Redis, or Redis restarts: one readable line every few
    seconds, no traceback and no exit, and the worker serves once Redis answers."""
    port = free_port()
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "PARKSAFE_DATA_DIR": str(tmp_path / "data"),
        "PARKSAFE_JOB_BACKEND": "redis",
        "PARKSAFE_REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "PARKSAFE_LOG_LEVEL": "INFO",
    }
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "worker"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    redis_server: subprocess.Popen[bytes] | None = None
    try:
        _wait_for_line(log, "任务队列不可用")
        assert worker.poll() is None, "the worker exited while Redis was down"
        redis_server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=(tmp_path / "redis.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        _wait_for_line(log, "worker started")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
        _wait_for_line(log, "worker stopped")
        assert "Traceback" not in log.read_text(encoding="utf-8")
    finally:
        worker.kill()
        if redis_server is not None:
            redis_server.terminate()
            redis_server.wait(10)


def test_the_worker_refuses_the_in_process_queue_with_a_readable_reason(tmp_path: Path) -> None:
    env = {**os.environ, "PARKSAFE_DATA_DIR": str(tmp_path), "PARKSAFE_JOB_BACKEND": "inprocess"}
    refused = subprocess.run(
        [sys.executable, "-m", "backend.cli", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 2
    assert "PARKSAFE_JOB_BACKEND=redis" in refused.stderr
    assert "Traceback" not in refused.stderr

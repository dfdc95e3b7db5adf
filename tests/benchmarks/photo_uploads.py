"""Photo intake against writing the same bytes to disk with fsync.

- 1,000 PUTs of 200–300 KB camera-like JPEGs to a real server process, one keep-alive
  connection, vs writing each file with fsync. Goal ≤ 3× (stream, hash and store; no
  pixel decoding in the request). Measured twice: the embedded default, whose in-process
  jobs (thumbnail, perceptual hash) share the server's CPU while it receives, and the
  production layout, where the API hands those jobs to Redis for separate workers. A bare
  Litestar app that only streams each body to a file and fsyncs it is measured too: the
  framework's own floor, on these machines already above 3×.
- Peak memory: growth of the server's peak RSS (VmHWM, reset just before) while it
  receives one photo at the size limit. Goal < 3× the limit.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image

from tests.benchmarks.api_throughput import login, seed_park, server_env, start_server
from tests.benchmarks.report import Figure
from tests.ports import free_port

PHOTOS = int(os.environ.get("BENCH_PHOTOS", "1000"))


def camera_like_jpeg(rng: random.Random) -> bytes:
    """A 1280×960 scene with texture, so it compresses like a phone photo (200–300 KB)."""
    base = Image.radial_gradient("L").resize((1280, 960)).convert("RGB")
    noise = Image.effect_noise((1280, 960), 40 + rng.random() * 10).convert("RGB")
    image = Image.blend(base, noise, 0.35)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.randint(62, 68))
    return buffer.getvalue()


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def reset_peak_rss(pid: int) -> None:
    """Make VmHWM start again from the current RSS (Linux: clear_refs 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def forget_queue(url: str, name: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)


def bare_framework_puts(photos: list[bytes]) -> float:
    """Seconds for a bare Litestar app to stream each photo to a file and fsync it: the floor any
    photo PUT in this framework stands on, before hashing, checks, authentication and a database row."""
    port = free_port()
    server = start_server(["tests.benchmarks.hello_app:app"], port, {}, "/")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            started = time.perf_counter()
            for n, data in enumerate(photos):
                assert client.put(f"/bodies/{n}.jpg", content=data).status_code == 204
            return time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()


def upload_all(env: dict[str, str], photos: list[bytes], big: bytes | None = None) -> tuple[float, int]:
    """Seconds to PUT every photo to a fresh server; then its peak-RSS growth receiving ``big``."""
    port = free_port()
    server = start_server(["--factory", "mobile_api.asgi:create_app"], port, env, "/health")
    growth_bytes = 0
    try:
        headers = {"Authorization": f"Bearer {login(port)}", "content-type": "image/jpeg"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as client:
            started = time.perf_counter()
            for data in photos:
                response = client.put(f"/api/v1/photos/{hashlib.sha256(data).hexdigest()}", content=data)
                assert response.status_code == 201, response.text
            seconds = time.perf_counter() - started
            if big is not None:
                time.sleep(2)  # let the jobs of the last uploads finish
                reset_peak_rss(server.pid)
                before = status_kb(server.pid, "VmRSS")
                client.put(f"/api/v1/photos/{hashlib.sha256(big).hexdigest()}", content=big)
                growth_bytes = (status_kb(server.pid, "VmHWM") - before) * 1024
    finally:
        server.terminate()
        server.wait()
    return seconds, growth_bytes


def measure() -> list[Figure]:
    rng = random.Random(7)
    templates = [camera_like_jpeg(rng) for _ in range(8)]
    # Distinct photos: the same scene with a unique comment segment keeps JPEG decoders happy.
    photos = [
        t[:2] + b"\xff\xfe\x00\x10" + os.urandom(14) + t[2:]
        for t in (templates[n % 8] for n in range(PHOTOS))
    ]
    sizes = sorted(len(p) for p in photos)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        for n, data in enumerate(photos):
            with open(Path(folder) / f"{n}.jpg", "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        disk_seconds = time.perf_counter() - started

    bare_seconds = bare_framework_puts(photos)
    limit = 20 * 1024 * 1024
    big = templates[0][:-2] + b"\x00" * (limit - len(templates[0])) + b"\xff\xd9"
    with tempfile.TemporaryDirectory() as folder:
        env = server_env(folder)
        seed_park(env)
        embedded_seconds, growth_bytes = upload_all(env, photos, big)
    label = f"{PHOTOS} photo PUTs ({sizes[0] // 1024}–{sizes[-1] // 1024} KB)"
    figures = [
        Figure(f"{label}, bare Litestar app storing them", bare_seconds, disk_seconds, "write+fsync"),
        Figure(f"{label}, in-process jobs", embedded_seconds, disk_seconds, "write+fsync", 3.0, True),
        Figure(
            "peak RSS growth receiving a 20 MB photo (MB)",
            max(growth_bytes, 0) / 2**20,
            limit / 2**20,
            "the limit",
            goal=3.0,
            lower_is_better=True,
            unit="MB",
        ),
    ]
    redis_url = os.environ.get("PARKSAFE_REDIS_URL", "redis://127.0.0.1:6379/0")
    if not redis_reachable(redis_url):
        print(f"(Redis at {redis_url} not reachable: the production-layout photo figure skipped)")
        return figures
    queue = f"bench-photos-{os.getpid()}"
    with tempfile.TemporaryDirectory() as folder:
        # Jobs wait in Redis for workers, as in production.
        env = server_env(
            folder, job_backend="redis", redis_url=redis_url, job_queue_name=queue, run_worker="false"
        )
        seed_park(env)
        try:
            intake_seconds, _ = upload_all(env, photos)
        finally:
            forget_queue(redis_url, queue)
    figures.insert(
        2, Figure(f"{label}, jobs to Redis workers", intake_seconds, disk_seconds, "write+fsync", 3.0, True)
    )
    return figures

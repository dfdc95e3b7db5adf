"""Photo intake against writing the same bytes to disk with fsync.

- 1,000 PUTs of 200–300 KB camera-like JPEGs to a real server process, one keep-alive
  connection, vs writing each file with fsync. Goal ≤ 3× (stream, hash and store; no
  pixel decoding in the request).
- Peak memory: growth of the server's peak RSS (VmHWM) while it receives one photo at
  the size limit. Goal < 3× the limit.
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

from tests.benchmarks.api_throughput import free_port, login, start_server
from tests.benchmarks.report import Figure

PHOTOS = int(os.environ.get("BENCH_PHOTOS", "1000"))


def camera_like_jpeg(rng: random.Random) -> bytes:
    """A 1280×960 scene with texture, so it compresses like a phone photo (200–300 KB)."""
    base = Image.radial_gradient("L").resize((1280, 960)).convert("RGB")
    noise = Image.effect_noise((1280, 960), 40 + rng.random() * 10).convert("RGB")
    image = Image.blend(base, noise, 0.35)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.randint(70, 80))
    return buffer.getvalue()


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


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

    with tempfile.TemporaryDirectory() as folder:
        env = {
            "PARKSAFE_DATA_DIR": folder,
            "PARKSAFE_DATABASE_URL": f"sqlite:///{Path(folder) / 'photos.db'}",
            "PARKSAFE_LOG_LEVEL": "WARNING",
        }
        from tests.benchmarks.api_throughput import seed_park

        seed_park(env)
        port = free_port()
        server = start_server(["--factory", "mobile_api.asgi:create_app"], port, env, "/health")
        try:
            headers = {"Authorization": f"Bearer {login(port)}", "content-type": "image/jpeg"}
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as client:
                started = time.perf_counter()
                for data in photos:
                    response = client.put(f"/api/v1/photos/{hashlib.sha256(data).hexdigest()}", content=data)
                    assert response.status_code == 201, response.text
                upload_seconds = time.perf_counter() - started
                limit = 20 * 1024 * 1024
                big = templates[0][:-2] + b"\x00" * (limit - len(templates[0])) + b"\xff\xd9"
                before = peak_rss_kb(server.pid)
                client.put(f"/api/v1/photos/{hashlib.sha256(big).hexdigest()}", content=big)
                growth_bytes = (peak_rss_kb(server.pid) - before) * 1024
        finally:
            server.terminate()
            server.wait()
    return [
        Figure(
            f"{PHOTOS} photo PUTs ({sizes[0] // 1024}–{sizes[-1] // 1024} KB)",
            upload_seconds,
            disk_seconds,
            "write+fsync",
            goal=3.0,
            lower_is_better=True,
        ),
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

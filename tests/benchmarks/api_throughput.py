"""``make bench``: requests/s of ParkSafe endpoints as ratios to a bare Litestar app.

Each figure is measured in this run, against the baseline measured in this run, on
this machine, so ratios (not absolute numbers) are what to compare between commits.
Setup: a SQLite park seeded with the demo enterprises and 10,000 findings; every
server runs as one uvicorn process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.benchmarks.load import LoadResult, measure
from tests.ports import free_port

FINDINGS = 10_000
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))


def wait_until_up(port: int, path: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def start_server(args: list[str], port: int, env: dict[str, str], probe: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            *args,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env={**os.environ, **env},
    )
    wait_until_up(port, probe)
    return process


def server_env(folder: str, **settings: str) -> dict[str, str]:
    """Settings of a benchmark server: SQLite and photos in ``folder``, quiet logs, and these."""
    return {
        "PARKSAFE_DATA_DIR": folder,
        "PARKSAFE_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}",
        "PARKSAFE_LOG_LEVEL": "WARNING",
        **{f"PARKSAFE_{name.upper()}": value for name, value in settings.items()},
    }


def seed_park(env: dict[str, str]) -> None:
    """The demo park and FINDINGS findings in the database the server with ``env`` will use
    (settings passed directly: exported, they would outlive this benchmark's scratch folder)."""
    from sqlmodel import select

    from backend.db.engine import create_db_engine, create_session_factory, transaction
    from backend.db.migrate import upgrade
    from backend.db.models import Enterprise, Finding
    from backend.settings import Settings
    from seed.loader import run_seed

    values: dict[str, Any] = {name.removeprefix("PARKSAFE_").lower(): value for name, value in env.items()}
    settings = Settings(_env_file=None, **values)
    upgrade(settings.resolved_database_url)
    engine = create_db_engine(settings)
    factory = create_session_factory(engine)
    with transaction(factory) as session:
        run_seed(session, settings, demo=True)
    with transaction(factory) as session:
        enterprises = list(session.exec(select(Enterprise)).all())
        start = datetime(2026, 1, 1, tzinfo=UTC)
        session.add_all(
            Finding(
                id=uuid.uuid4(),
                park_id=enterprises[n % len(enterprises)].park_id,
                enterprise_id=enterprises[n % len(enterprises)].id,
                description=f"现场检查发现：储罐区防火堤内有杂物堆放（{n}）",
                location={"text": "罐区", "lat": 32.0, "lng": 119.0},
                observed_at=start + timedelta(minutes=n),
            )
            for n in range(FINDINGS)
        )
    engine.dispose()


def login(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        data=json.dumps({"username": "admin", "password": "Admin@2026"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        token: str = json.load(response)["access_token"]
    return token


def report(name: str, result: LoadResult, baseline: LoadResult, goal: float | None = None) -> None:
    ratio = result.per_second / baseline.per_second
    verdict = "" if goal is None else (f"  goal ≥ {goal}: " + ("met" if ratio >= goal else "NOT met"))
    errors = f"  ({result.errors} errors)" if result.errors else ""
    print(f"{name:<44} {result.per_second:9.0f} req/s   ratio {ratio:5.2f}{verdict}{errors}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = server_env(folder, login_max_failures="1000")
        seed_park(env)
        hello_port, app_port = free_port(), free_port()
        hello = start_server(["tests.benchmarks.hello_app:app"], hello_port, env, "/")
        try:
            baseline = measure("127.0.0.1", hello_port, "/", seconds=SECONDS)
        finally:
            hello.terminate()
            hello.wait()
        app = start_server(["--factory", "mobile_api.asgi:create_app"], app_port, env, "/health")
        try:
            headers = {"Authorization": f"Bearer {login(app_port)}"}
            health = measure("127.0.0.1", app_port, "/health", seconds=SECONDS)
            findings = measure("127.0.0.1", app_port, "/api/v1/findings?limit=50", headers, seconds=SECONDS)
        finally:
            app.terminate()
            app.wait()
    print(
        f"baseline: bare Litestar hello-world {baseline.per_second:9.0f} req/s ({SECONDS:.0f} s, 8 connections)"
    )
    report("GET /health", health, baseline, goal=0.5)
    report(f"GET /api/v1/findings (page of 50 of {FINDINGS})", findings, baseline)


if __name__ == "__main__":
    main()

"""Crash safety: the real server, SIGKILLed mid-traffic, keeps every promise it made.

The server runs as its own process (uvicorn, as deployed). Five devices push batches and
upload photos over HTTP; the test kills the server with SIGKILL twice while they do, and
restarts it on the same database and data folder each time. A device whose request was cut
re-sends it unchanged (same ``batch_id``, same ``mutation_id``s, same photo bytes) until the
server answers, and at the end re-sends everything it ever sent. Then:

- every push the server acknowledged (a 200 reached the device) is there, photos included;
- every retry answers what the first answer said (``applied`` again for the same batch,
  ``duplicate`` in a new one, the stored rejection unchanged);
- nothing is half-written: each record has its ``sync_mutation`` row and vice versa, each
  photo row has its stored object (served byte for byte), the audit chain is unbroken;
- tokens issued before the first crash still work after the last restart.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from backend.db.models import Comment, Finding, Photo, Rectification, SyncMutation, User
from backend.domain.accounts.roles import Role
from backend.domain.audit.service import verify_chain
from backend.domain.findings.vocabulary import FindingStatus
from backend.settings import Settings
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import jpeg_photo
from tests.ports import free_port

pytestmark = pytest.mark.slow

JSON = dict[str, Any]

SEED = 20261126
SECRET_KEY = "crash-safety-signing-key-that-is-long-enough-for-hs256"
VISITS_PER_INSPECTOR = 12
KILL_AT = (0.3, 0.65)  # share of all device operations answered when the server is killed
DISPATCHED_PER_ENTERPRISE = 4
DEADLINE_SECONDS = 180.0


class ServerProcess:
    """``uvicorn --factory mobile_api.asgi:create_app`` on a fixed port and data, killable at will."""

    def __init__(self, settings: Settings, folder: Path) -> None:
        assert settings.database_url is not None
        self.folder = folder
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("PARKSAFE_")}
        self.env.update(
            PARKSAFE_DATA_DIR=str(settings.data_dir),
            PARKSAFE_DATABASE_URL=settings.database_url,
            PARKSAFE_SECRET_KEY=SECRET_KEY,
            PARKSAFE_LOG_LEVEL="WARNING",
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        log_path = self.folder / f"server-{self.starts}.log"
        self.starts += 1
        with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "mobile_api.asgi:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                cwd=self.folder,  # no stray .env from the repository
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited at start:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server never became healthy:\n{log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing, open transactions and requests cut."""
        assert self.process is not None and self.process.poll() is None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()

    def logs(self) -> str:
        return "\n".join(path.read_text()[-2000:] for path in sorted(self.folder.glob("server-*.log")))


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[ServerProcess]:
    folder = tmp_path / "server"
    folder.mkdir()
    process = ServerProcess(settings, folder)
    try:
        yield process
    finally:
        process.stop()  # before ``settings`` empties the tables


@dataclass(frozen=True)
class Expect:
    status: Literal["applied", "rejected"]
    code: str | None = None


@dataclass
class Push:
    batch_id: str
    mutations: list[JSON]
    answer: list[JSON] | None = None  # the first results the server acknowledged


@dataclass
class Upload:
    sha256: str
    data: bytes
    statuses: list[int] = field(default_factory=list)


Step = Push | Upload


@dataclass
class Progress:
    """Operations the server has answered, for the test to time its kills."""

    answered: int = 0
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def tick(self) -> None:
        with self.lock:
            self.answered += 1

    def share(self) -> float:
        with self.lock:
            return self.answered / self.total


class HttpDevice:
    """A device on a real network: a cut connection means "try again, same request"."""

    def __init__(self, index: int, user: User, server: ServerProcess, progress: Progress) -> None:
        self.name = f"{user.role.value}-{index}"
        self.user = user
        self.rng = random.Random(SEED * 10 + index)
        self.http = httpx.Client(base_url=server.base_url, timeout=20)
        self.progress = progress
        self.device_id = f"crash-{self.name}"
        self.photo_seed = 3000 + index * 50
        self.steps: list[Step] = []
        self.expected: dict[str, Expect] = {}
        self.photos: dict[str, bytes] = {}
        self.interrupted = 0
        self.problems: list[str] = []
        response = self.http.post(
            "/api/v1/auth/login", json={"username": user.username, "password": factories.DEFAULT_PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.token: str = response.json()["access_token"]  # issued before any crash

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def close(self) -> None:
        self.http.close()

    # -- planning (deterministic per device) ------------------------------------------------

    def seeded_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_photo(self) -> tuple[str, bytes]:
        self.photo_seed += 1
        sha, data = jpeg_photo(self.photo_seed)
        self.photos[sha] = data
        return sha, data

    def mutation(self, entity: str, data: JSON, expect: Expect) -> JSON:
        mutation: JSON = {
            "mutation_id": self.seeded_id(),
            "entity": entity,
            "op": "upsert",
            "id": self.seeded_id(),
            "base_version": None,
            "client_time": datetime.now(UTC).isoformat(),
            "data": data,
        }
        self.expected[mutation["mutation_id"]] = expect
        return mutation

    def add_push(self, mutations: list[JSON], before: list[Upload], after: list[Upload]) -> None:
        self.steps.extend([*before, Push(self.seeded_id(), mutations), *after])

    def photo_uploads(self, count: int, before: list[Upload], after: list[Upload]) -> list[str]:
        hashes = []
        for _ in range(count):
            sha, data = self.new_photo()
            (before if self.rng.random() < 0.5 else after).append(Upload(sha, data))
            hashes.append(sha)
        return hashes

    def plan_inspections(self, enterprise_ids: list[str]) -> None:
        reported: list[str] = []
        for visit in range(VISITS_PER_INSPECTOR):
            before: list[Upload] = []
            after: list[Upload] = []
            mutations = []
            for _ in range(self.rng.randint(1, 3)):
                photos = self.photo_uploads(self.rng.randint(0, 2), before, after)
                data = {
                    "enterprise_id": self.rng.choice(enterprise_ids),
                    "description": f"{self.name} 第{visit + 1}次巡查发现的隐患",
                    "location": {"text": "罐区B", "lat": 32.05, "lng": 119.42},
                    "observed_at": datetime.now(UTC).isoformat(),
                    "photos": photos,
                }
                mutations.append(self.mutation("finding", data, Expect("applied")))
            if reported and self.rng.random() < 0.3:
                text = {"finding_id": self.rng.choice(reported), "text": f"{self.name} 复查意见"}
                mutations.append(self.mutation("comment", text, Expect("applied")))
            if self.rng.random() < 0.15:
                invalid = {**mutations[0]["data"], "description": ""}
                mutations.append(self.mutation("finding", invalid, Expect("rejected", "invalid_data")))
            reported.extend(
                m["id"] for m in mutations if m["entity"] == "finding" and m["data"]["description"]
            )
            self.add_push(mutations, before, after)

    def plan_rectifications(self, dispatched: list[str], reported: str, foreign: str) -> None:
        for finding_id in dispatched:
            before: list[Upload] = []
            after: list[Upload] = []
            photos = self.photo_uploads(self.rng.randint(1, 2), before, after)
            rectification = {"finding_id": finding_id, "note": f"{self.name} 已整改", "photos": photos}
            mutations = [self.mutation("rectification", rectification, Expect("applied"))]
            mutations.append(
                self.mutation(
                    "comment", {"finding_id": finding_id, "text": "整改完成，请验收"}, Expect("applied")
                )
            )
            self.add_push(mutations, before, after)
        early = {"finding_id": reported, "note": "尚未下发", "photos": [self.new_photo()[0]]}
        nosy = {"finding_id": foreign, "text": "别家企业的隐患"}
        self.add_push(
            [
                self.mutation("rectification", early, Expect("rejected", "illegal_transition")),
                self.mutation("comment", nosy, Expect("rejected", "not_found")),
                self.mutation("comment", {"finding_id": reported, "text": "收到"}, Expect("applied")),
            ],
            [],
            [],
        )

    # -- running -----------------------------------------------------------------------------

    def send(self, method: str, url: str, content_type: str | None = None, **kwargs: Any) -> httpx.Response:
        """Until the server answers; the same request again after a cut connection."""
        headers = self.headers if content_type is None else {**self.headers, "content-type": content_type}
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            try:
                response = self.http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError:
                self.interrupted += 1
                assert time.monotonic() < deadline, f"{self.name}: the server never came back"
                time.sleep(0.05)
                continue
            assert response.status_code < 500, (self.name, method, url, response.status_code, response.text)
            return response

    def push(self, batch_id: str, mutations: list[JSON]) -> list[JSON]:
        body = {"device_id": self.device_id, "batch_id": batch_id, "mutations": mutations}
        response = self.send("POST", "/api/v1/sync/push", json=body)
        assert response.status_code == 200, (self.name, response.text)
        results: list[JSON] = response.json()["results"]
        assert [r["mutation_id"] for r in results] == [m["mutation_id"] for m in mutations]
        return results

    def upload(self, step: Upload) -> None:
        response = self.send("PUT", f"/api/v1/photos/{step.sha256}", "image/jpeg", content=step.data)
        assert response.status_code in (200, 201), (self.name, response.status_code, response.text)
        assert response.json()["sha256"] == step.sha256
        step.statuses.append(response.status_code)

    def run(self) -> None:
        try:
            for step in self.steps:
                if isinstance(step, Upload):
                    self.upload(step)
                else:
                    step.answer = self.push(step.batch_id, step.mutations)
                    self.check_first_answer(step)
                self.progress.tick()
        except BaseException as exc:
            self.problems.append(f"{self.name}: {type(exc).__name__}: {exc}")

    def check_first_answer(self, step: Push) -> None:
        assert step.answer is not None
        for mutation, result in zip(step.mutations, step.answer, strict=True):
            expect = self.expected[mutation["mutation_id"]]
            # Applied before the crash or after it, the same batch answers "applied".
            assert result["status"] == expect.status, (self.name, mutation, result)
            if expect.status == "applied":
                assert result["id"] == mutation["id"] and isinstance(result["version"], int)
            else:
                assert result["error"]["code"] == expect.code, (self.name, mutation, result)

    def retry_everything(self) -> None:
        """Back online after the last restart: every batch and photo again, with the same ids."""
        pushes = [step for step in self.steps if isinstance(step, Push)]
        for step in pushes:
            assert step.answer is not None
            assert self.push(step.batch_id, step.mutations) == step.answer, (
                self.name,
                "batch answered otherwise",
            )
        everything = [m for step in pushes for m in step.mutations]
        first = {r["mutation_id"]: r for step in pushes for r in step.answer or []}
        for mutation, again in zip(everything, self.push(self.seeded_id(), everything), strict=True):
            before = first[mutation["mutation_id"]]
            if before["status"] == "applied":
                assert again["status"] == "duplicate", (self.name, mutation, again)
                assert (again["id"], again["version"]) == (before["id"], before["version"])
            else:
                assert again == before, (self.name, "a stored rejection changed", before, again)
        for upload in self.steps:
            if isinstance(upload, Upload):
                self.upload(upload)
                assert upload.statuses[-1] == 200

    def applied(self, entity: str) -> list[JSON]:
        return [
            mutation
            for step in self.steps
            if isinstance(step, Push) and step.answer is not None
            for mutation, result in zip(step.mutations, step.answer, strict=True)
            if mutation["entity"] == entity and result["status"] == "applied"
        ]


# -- the scenario ---------------------------------------------------------------------------------


@dataclass
class Fleet:
    devices: list[HttpDevice]
    progress: Progress
    seeds: set[str]  # findings that existed before any device pushed


def plan_the_fleet(db: Session, world: ParkWorld, server: ServerProcess) -> Fleet:
    park = factories.park(db)
    dispatched = {
        enterprise.id: [
            str(factories.finding(db, enterprise, status=FindingStatus.DISPATCHED).id)
            for _ in range(DISPATCHED_PER_ENTERPRISE)
        ]
        for enterprise in (world.own, world.other)
    }
    other_staff = factories.user(db, park, Role.ENTERPRISE_STAFF, world.other)
    db.commit()
    seeds = {str(world.own_finding.id), str(world.other_finding.id)} | {
        f for fs in dispatched.values() for f in fs
    }
    progress = Progress()
    inspectors = [world.users[Role.INSPECTOR], world.users[Role.PARK_ADMIN], world.users[Role.SUPERVISOR]]
    devices = [HttpDevice(i, user, server, progress) for i, user in enumerate(inspectors)]
    for device in devices:
        device.plan_inspections([str(world.own.id), str(world.other.id)])
    own_staff = HttpDevice(len(devices), world.users[Role.ENTERPRISE_STAFF], server, progress)
    own_staff.plan_rectifications(
        dispatched[world.own.id], str(world.own_finding.id), str(world.other_finding.id)
    )
    their_staff = HttpDevice(len(devices) + 1, other_staff, server, progress)
    their_staff.plan_rectifications(
        dispatched[world.other.id], str(world.other_finding.id), str(world.own_finding.id)
    )
    devices += [own_staff, their_staff]
    progress.total = sum(len(device.steps) for device in devices)
    return Fleet(devices, progress, seeds)


def traffic_with_crashes(fleet: Fleet, server: ServerProcess) -> None:
    threads = [threading.Thread(target=device.run, daemon=True) for device in fleet.devices]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    for share in KILL_AT:
        while fleet.progress.share() < share and any(t.is_alive() for t in threads):
            assert time.monotonic() < deadline, "devices made no progress"
            time.sleep(0.01)
        server.kill()  # mid-traffic: the devices are busy all the time
        time.sleep(0.3)
        server.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic()))
        assert not thread.is_alive(), "a device hung"


def every_acknowledged_push_is_there_with_its_photos(
    fleet: Fleet, session_factory: sessionmaker[Session]
) -> None:
    reader = fleet.devices[1]  # the park admin
    for device in fleet.devices:
        for mutation in device.applied("finding"):
            response = reader.send("GET", f"/api/v1/findings/{mutation['id']}")
            assert response.status_code == 200, (device.name, mutation["id"], response.text)
            finding = response.json()
            assert finding["description"] == mutation["data"]["description"]
            assert finding["photos"] == mutation["data"]["photos"]
            assert finding["missing_photos"] == []
        named = [
            sha
            for entity in ("finding", "rectification")
            for m in device.applied(entity)
            for sha in m["data"]["photos"]
        ]
        for upload in (step for step in device.steps if isinstance(step, Upload)):
            assert upload.statuses.count(201) <= 1, (device.name, "a photo was created twice")
        for sha in named:
            response = reader.send("GET", f"/api/v1/photos/{sha}")
            assert response.status_code == 200, (device.name, sha, response.text)
            assert response.content == device.photos[sha]
    with session_factory() as session:
        comments = {str(i) for i in session.exec(select(Comment.id)).all()}
        rectifications = {str(i) for i in session.exec(select(Rectification.id)).all()}
        statuses = {str(f.id): f.status for f in session.exec(select(Finding)).all()}
    for device in fleet.devices:
        assert {m["id"] for m in device.applied("comment")} <= comments, device.name
        assert {m["id"] for m in device.applied("rectification")} <= rectifications, device.name
        for mutation in device.applied("rectification"):
            assert statuses[mutation["data"]["finding_id"]] == FindingStatus.PENDING_VERIFICATION


def nothing_is_half_written(fleet: Fleet, session_factory: sessionmaker[Session], reader: HttpDevice) -> None:
    with session_factory() as session:
        recorded = {
            (row.entity, str(row.record_id)): row
            for row in session.exec(select(SyncMutation).where(col(SyncMutation.status) == "applied")).all()
        }
        records = {("finding", str(i)) for i in session.exec(select(Finding.id)).all()}
        records -= {("finding", seed) for seed in fleet.seeds}
        records |= {("comment", str(i)) for i in session.exec(select(Comment.id)).all()}
        records |= {("rectification", str(i)) for i in session.exec(select(Rectification.id)).all()}
        assert records - set(recorded) == set(), "a record was written without its sync_mutation row"
        assert set(recorded) - records == set(), "a mutation was recorded applied without its record"
        photos = list(session.exec(select(Photo.sha256)).all())
        checked, chain_break = verify_chain(session)
        assert chain_break is None, chain_break
        assert checked > 0
    uploaded = {sha: data for device in fleet.devices for sha, data in device.photos.items()}
    for sha in photos:
        response = reader.send("GET", f"/api/v1/photos/{sha}")
        assert response.status_code == 200, (sha, "a photo row without its stored object")
        assert hashlib.sha256(response.content).hexdigest() == sha
        assert response.content == uploaded[sha]


def test_a_server_killed_mid_traffic_keeps_everything_it_acknowledged(
    server: ServerProcess,
    world: ParkWorld,
    db: Session,
    session_factory: sessionmaker[Session],
) -> None:
    server.start()
    fleet = plan_the_fleet(db, world, server)
    try:
        traffic_with_crashes(fleet, server)
        assert [p for d in fleet.devices for p in d.problems] == [], server.logs()
        assert server.kills == len(KILL_AT) and server.starts == len(KILL_AT) + 1
        assert sum(d.interrupted for d in fleet.devices) > 0, "no request was ever cut: the kills missed"
        for device in fleet.devices:
            device.retry_everything()
        every_acknowledged_push_is_there_with_its_photos(fleet, session_factory)
        nothing_is_half_written(fleet, session_factory, fleet.devices[1])
        for device in fleet.devices:  # tokens from before the first crash
            response = device.send("GET", "/api/v1/enterprises")
            assert response.status_code == 200, (device.name, response.text)
    finally:
        for device in fleet.devices:
            device.close()

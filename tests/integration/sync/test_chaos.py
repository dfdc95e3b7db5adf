"""Chaos: a park's worth of devices syncing at once through lost responses, retries and reordering.

Eleven field devices (six park-role, five enterprise staff of three enterprises) work
concurrently against one app, each in its own thread and driven by its own seeded RNG, so
what every device sends, and which faults hit it, is the same on every run; only the
interleaving of threads varies. Faults:

- a batch retried at once with the same ``batch_id``, or sent twice at the same moment;
- a response lost after the server applied it: the device re-sends the batch later with the
  same ``batch_id``, or the same mutations in a new batch, or carries them into its next batch;
- photos uploaded before their finding, right after it, much later, twice, or lost and re-sent;
  a few "scene" photos are named by several devices, which upload them concurrently;
- pullers paging with small pages while everybody writes, plus every device pulling now and then.

Eleven devices, some sending a batch twice at once, push more batches at the same moment than
the server has worker threads (the last test of this module pins that case down).

In the middle, the park dispatches a deterministic share of the findings (written straight to
the database, as the dispatch endpoint would) and enterprise staff rectify them while
inspectors keep reporting and editing.

At the end: no lost finding, no duplicate, every photo linked and served byte for byte, no
change skipped by any puller that paged to the end, and nothing of one enterprise visible to
another's staff.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, func, select

from backend.db.models import (
    AuditEvent,
    Comment,
    Enterprise,
    Finding,
    JobOutbox,
    Photo,
    Rectification,
    SyncMutation,
    User,
)
from backend.db.versioning import current_version
from backend.domain.accounts.roles import Role
from backend.domain.audit.service import verify_chain
from backend.domain.findings.vocabulary import FindingStatus
from backend.jobs.outbox import dispatch_pending
from mobile_api.state import AppState
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import Device, comment_mutation, finding_mutation, jpeg_photo

JSON = dict[str, Any]

SEED = 20261125
PARK_STEPS_BEFORE_DISPATCH = 8  # each step reports 1-4 findings: dozens per device in all
PARK_STEPS_AFTER_DISPATCH = 5
STAFF_COMMENT_STEPS = 6
DISPATCH_SHARE = 0.4
SCENE_SEEDS = range(2900, 2906)  # photos several inspectors take of the same scene
PHOTO_SEEDS_PER_DEVICE = 200
PAGE_SIZES = (3, 8, 20, 60, 500)

# (fault, weight): how a device's batch travels.
FAULTS: list[tuple[str, int]] = [
    ("clean", 40),
    ("retried_at_once", 14),
    ("sent_twice_concurrently", 10),
    ("lost_then_same_batch", 12),
    ("lost_then_new_batch", 12),
    ("lost_then_carried_into_next_batch", 12),
]
# (mode, weight): when a device uploads a photo relative to the batch that names it.
UPLOAD_MODES: list[tuple[str, int]] = [
    ("before", 25),
    ("after", 25),
    ("much_later", 20),
    ("before_and_after", 15),
    ("lost_then_much_later", 15),
]


def seeded_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in options], weights=[weight for _, weight in options])[0]


@dataclass(frozen=True)
class Expect:
    """The outcome a mutation must have, whatever the number of times it is sent."""

    status: Literal["applied", "rejected"]
    code: str | None = None
    detail: Any = None


@dataclass
class Batch:
    batch_id: str
    mutations: list[JSON]


@dataclass
class PlannedFinding:
    id: str
    enterprise_id: str
    photos: list[str]
    version: int | None = None  # the newest version an answer told the device
    edited: bool = False
    deleted: bool = False
    measures: str = ""
    has_comment: bool = False


@dataclass
class Uploads:
    """Every answer to every photo upload (lost ones included: the server still answered)."""

    statuses: list[tuple[str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sha: str, status: int) -> None:
        with self.lock:
            self.statuses.append((sha, status))


@dataclass
class PullLog:
    """What one puller saw: the highest version of every record, and whether it paged to the end."""

    name: str
    enterprise_id: str | None
    latest: dict[tuple[str, str], JSON] = field(default_factory=dict)
    reached_end: bool = False

    def add(self, changes: list[JSON]) -> None:
        for change in changes:
            key = (change["entity"], change["id"])
            if key not in self.latest or change["version"] >= self.latest[key]["version"]:
                self.latest[key] = change

    def ids(self, entity: str) -> set[str]:
        return {record_id for kind, record_id in self.latest if kind == entity}


def pull_page(client: TestClient[Litestar], headers: dict[str, str], cursor: str | None, limit: int) -> JSON:
    params: dict[str, Any] = {"limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    response = client.get("/api/v1/sync/pull", params=params, headers=headers)
    assert response.status_code == 200, response.text
    page: JSON = response.json()
    return page


def login(client: TestClient[Litestar], user: User) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": factories.DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class FieldDevice:
    """One phone or tablet: sends batches through faults and checks every answer it gets."""

    def __init__(
        self,
        index: int,
        client: TestClient[Litestar],
        user: User,
        uploads: Uploads,
        photo_bytes: dict[str, bytes],
    ) -> None:
        self.name = f"{user.role.value}-{index}"
        self.client = client
        self.user = user
        self.headers = login(client, user)
        self.device_id = f"chaos-{self.name}"
        self.rng = random.Random(SEED * 100 + index)
        self.uploads = uploads
        self.photo_bytes = photo_bytes
        self.next_photo_seed = 100 + index * PHOTO_SEEDS_PER_DEVICE
        self.photo_seed_limit = self.next_photo_seed + PHOTO_SEEDS_PER_DEVICE
        self.enterprise_id = str(user.enterprise_id) if user.enterprise_id else None
        self.expected: dict[str, Expect] = {}
        self.first_batch: dict[str, str] = {}
        self.answers: dict[str, JSON] = {}
        self.backlog: list[tuple[str, Batch]] = []
        self.carried: list[JSON] = []
        self.deferred_uploads: list[str] = []
        self.uploaded: set[str] = set()
        self.findings: dict[str, PlannedFinding] = {}
        self.comments: dict[str, str] = {}  # comment id -> finding id
        self.rectifications: dict[str, str] = {}  # rectification id -> finding id
        self.rectification_photos: dict[str, list[str]] = {}
        self.pulls = PullLog(self.name, self.enterprise_id)
        self.cursor: str | None = None
        self.sent_mutations = 0

    # -- building mutations ------------------------------------------------------------

    def _ids(self, mutation: JSON) -> JSON:
        mutation["mutation_id"] = seeded_id(self.rng)
        if mutation["op"] == "upsert" and mutation.get("base_version") is None:
            mutation["id"] = seeded_id(self.rng)
        return mutation

    def new_photo(self) -> str:
        assert self.next_photo_seed < self.photo_seed_limit, "photo seeds of this device used up"
        sha, data = jpeg_photo(self.next_photo_seed)
        self.next_photo_seed += 1
        assert self.photo_bytes.setdefault(sha, data) == data, "two seeds gave the same photo hash"
        return sha

    def finding(self, enterprise_id: str, photos: list[str], before: list[str], after: list[str]) -> JSON:
        mutation = self._ids(
            finding_mutation(enterprise_id, f"{self.name} 发现隐患 {len(self.findings) + 1}", photos=photos)
        )
        self.findings[mutation["id"]] = PlannedFinding(mutation["id"], enterprise_id, list(photos))
        self.expected[mutation["mutation_id"]] = Expect("applied")
        self.plan_uploads(photos, before, after)
        return mutation

    def comment(self, finding_id: str, expect: Expect | None = None) -> JSON:
        mutation = self._ids(comment_mutation(finding_id, f"{self.name} 的意见 {len(self.comments) + 1}"))
        expect = expect or Expect("applied")
        self.expected[mutation["mutation_id"]] = expect
        if expect.status == "applied":
            self.comments[mutation["id"]] = finding_id
        return mutation

    def edit(self, target: PlannedFinding, before: list[str], after: list[str]) -> JSON:
        target.edited = True
        data: JSON
        if self.rng.random() < 0.5:
            target.measures = f"{self.name} 责令整改措施 {target.id[:8]}"
            data = {"measures": target.measures}
        else:
            added = self.new_photo()
            target.photos = [*target.photos, added]
            self.plan_uploads([added], before, after)
            data = {"photos": target.photos}
        mutation: JSON = {
            "mutation_id": seeded_id(self.rng),
            "entity": "finding",
            "op": "upsert",
            "id": target.id,
            "base_version": target.version,
            "client_time": datetime.now(UTC).isoformat(),
            "data": data,
        }
        self.expected[mutation["mutation_id"]] = Expect("applied")
        return mutation

    def delete(self, target: PlannedFinding) -> JSON:
        target.deleted = True
        mutation: JSON = {
            "mutation_id": seeded_id(self.rng),
            "entity": "finding",
            "op": "delete",
            "id": target.id,
            "base_version": target.version,
            "data": {},
        }
        self.expected[mutation["mutation_id"]] = Expect("applied")
        return mutation

    def rectification(self, finding_id: str, expect: Expect, before: list[str], after: list[str]) -> JSON:
        photos = [self.new_photo() for _ in range(self.rng.randint(1, 2))]
        mutation: JSON = {
            "mutation_id": seeded_id(self.rng),
            "entity": "rectification",
            "op": "upsert",
            "id": seeded_id(self.rng),
            "client_time": datetime.now(UTC).isoformat(),
            "data": {"finding_id": finding_id, "note": f"{self.name} 已整改", "photos": photos},
        }
        self.expected[mutation["mutation_id"]] = expect
        if expect.status == "applied":
            self.rectifications[mutation["id"]] = finding_id
            self.rectification_photos[mutation["id"]] = photos
            self.plan_uploads(photos, before, after)
        return mutation

    # -- photos --------------------------------------------------------------------------

    def plan_uploads(self, photos: list[str], before: list[str], after: list[str]) -> None:
        for sha in photos:
            if sha in self.uploaded:
                continue
            self.uploaded.add(sha)
            mode = weighted(self.rng, UPLOAD_MODES)
            if mode in ("before", "before_and_after", "lost_then_much_later"):
                before.append(sha)
            if mode in ("after", "before_and_after"):
                after.append(sha)
            if mode in ("much_later", "lost_then_much_later"):
                self.deferred_uploads.append(sha)

    def upload(self, sha: str) -> None:
        response = self.client.put(
            f"/api/v1/photos/{sha}",
            content=self.photo_bytes[sha],
            headers={**self.headers, "content-type": "image/jpeg"},
        )
        assert response.status_code in (200, 201), (self.name, sha, response.status_code, response.text)
        assert response.json()["sha256"] == sha
        self.uploads.add(sha, response.status_code)

    # -- sending batches through faults ---------------------------------------------------

    def _post(self, batch: Batch) -> list[JSON]:
        body = {"device_id": self.device_id, "batch_id": batch.batch_id, "mutations": batch.mutations}
        response = self.client.post("/api/v1/sync/push", json=body, headers=self.headers)
        assert response.status_code == 200, (self.name, response.status_code, response.text)
        assert response.json()["batch_id"] == batch.batch_id
        results: list[JSON] = response.json()["results"]
        return results

    def _check(self, batch: Batch, results: list[JSON]) -> None:
        assert [r["mutation_id"] for r in results] == [m["mutation_id"] for m in batch.mutations], self.name
        for mutation, result in zip(batch.mutations, results, strict=True):
            mutation_id = mutation["mutation_id"]
            expect = self.expected[mutation_id]
            context = (self.name, mutation, result)
            if expect.status == "applied":
                wanted = "applied" if self.first_batch[mutation_id] == batch.batch_id else "duplicate"
                assert result["status"] == wanted, context
                assert result["id"] == mutation["id"], context
                assert isinstance(result["version"], int), context
            else:
                assert result["status"] == "rejected", context
                assert result["error"]["code"] == expect.code, context
                if expect.detail is not None:
                    assert result["error"]["detail"] == expect.detail, context
            first = self.answers.setdefault(mutation_id, result)
            same = ("id", "version", "error", "server")
            assert {k: result[k] for k in same} == {k: first[k] for k in same}, ("answer changed", context)
            if expect.status == "applied" and mutation["entity"] == "finding":
                planned = self.findings[mutation["id"]]
                planned.version = max(planned.version or 0, result["version"])

    def _deliver(self, batch: Batch) -> None:
        self._check(batch, self._post(batch))

    def _deliver_twice_concurrently(self, batch: Batch) -> None:
        answers: list[list[JSON]] = []
        failures: list[BaseException] = []

        def send() -> None:
            try:
                answers.append(self._post(batch))
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failures, failures
        assert len(answers) == 2
        assert answers[0] == answers[1], "the same batch sent twice at once answered differently"
        self._check(batch, answers[0])

    def send(self, mutations: list[JSON]) -> None:
        batch = Batch(seeded_id(self.rng), [*self.carried, *mutations])
        self.carried = []
        for mutation in batch.mutations:
            self.first_batch.setdefault(mutation["mutation_id"], batch.batch_id)
        self.sent_mutations += len(mutations)
        fault = weighted(self.rng, FAULTS)
        if fault == "clean":
            self._deliver(batch)
        elif fault == "retried_at_once":
            self._deliver(batch)
            self._deliver(batch)
        elif fault == "sent_twice_concurrently":
            self._deliver_twice_concurrently(batch)
        elif fault == "lost_then_carried_into_next_batch":
            self._post(batch)
            self.carried = list(batch.mutations)
        else:
            self._post(batch)
            self.backlog.append((fault, batch))
        self._housekeeping()

    def _recover(self, fault: str, batch: Batch) -> None:
        if fault == "lost_then_same_batch":
            self._deliver(batch)
            return
        self._deliver(Batch(seeded_id(self.rng), batch.mutations))
        if self.rng.random() < 0.5:
            self._deliver(batch)  # the original batch id still answers its first results

    def _housekeeping(self) -> None:
        if self.backlog and self.rng.random() < 0.35:
            self._recover(*self.backlog.pop(0))
        if self.deferred_uploads and self.rng.random() < 0.3:
            self.upload(self.deferred_uploads.pop(self.rng.randrange(len(self.deferred_uploads))))
        if self.rng.random() < 0.1:
            self.pull_to_end(self.rng.choice(PAGE_SIZES))

    def settle(self) -> None:
        """Back online for good: every lost answer recovered, every photo uploaded."""
        while self.backlog:
            self._recover(*self.backlog.pop(0))
        if self.carried:
            self.send([])
            while self.backlog:
                self._recover(*self.backlog.pop(0))
            if self.carried:
                batch = Batch(seeded_id(self.rng), self.carried)
                self.carried = []
                self._deliver(batch)
        for sha in self.deferred_uploads:
            self.upload(sha)
        self.deferred_uploads = []

    def pull_to_end(self, limit: int) -> None:
        while True:
            page = pull_page(self.client, self.headers, self.cursor, limit)
            self.pulls.add(page["changes"])
            self.cursor = page["cursor"]
            if not page["has_more"]:
                self.pulls.reached_end = True
                return

    # -- what a working day looks like -----------------------------------------------------

    def report_step(self, enterprises: list[str], may_delete: bool) -> None:
        before: list[str] = []
        after: list[str] = []
        mutations: list[JSON] = []
        for _ in range(self.rng.randint(1, 4)):
            photos: list[str] = []
            for _ in range(self.rng.choices([0, 1, 2, 3], weights=[25, 35, 25, 15])[0]):
                sha = self.rng.choice(SCENES) if self.rng.random() < 0.1 else self.new_photo()
                if sha not in photos:
                    photos.append(sha)
            created = self.finding(self.rng.choice(enterprises), photos, before, after)
            mutations.append(created)
            if self.rng.random() < 0.2:  # a remark on the finding just made, in the same batch
                mutations.append(self.comment(created["id"]))
                self.findings[created["id"]].has_comment = True
        known = [f for f in self.findings.values() if f.version is not None and not f.deleted]
        editable = [f for f in known if not f.edited]
        if editable and self.rng.random() < 0.35:
            mutations.append(self.edit(self.rng.choice(editable), before, after))
        if known and self.rng.random() < 0.25:
            target = self.rng.choice(known)
            target.has_comment = True
            mutations.append(self.comment(target.id))
        deletable = [f for f in editable if not f.photos and not f.has_comment]
        if may_delete and deletable and self.rng.random() < 0.15:
            mutations.append(self.delete(self.rng.choice(deletable)))
        if self.rng.random() < 0.08:
            invalid = self._ids(finding_mutation(self.rng.choice(enterprises), ""))
            self.expected[invalid["mutation_id"]] = Expect("rejected", "invalid_data")
            mutations.append(invalid)
        if self.rng.random() < 0.08:
            mutations.append(self.comment(seeded_id(self.rng), Expect("rejected", "not_found")))
        self.rng.shuffle(before)
        for sha in before:
            self.upload(sha)
        self.send(mutations)
        for sha in after:
            self.upload(sha)

    def comment_step(self, own_findings: list[str], foreign_finding: str | None) -> None:
        mutations = [self.comment(self.rng.choice(own_findings)) for _ in range(self.rng.randint(1, 3))]
        if foreign_finding is not None:
            mutations.append(self.comment(foreign_finding, Expect("rejected", "not_found")))
        self.send(mutations)

    def rectify_step(
        self, assigned: list[str], rectified: list[str], own_findings: list[str], reported: str
    ) -> None:
        before: list[str] = []
        after: list[str] = []
        mutations: list[JSON] = []
        for finding_id in assigned:
            mutations.append(self.rectification(finding_id, Expect("applied"), before, after))
        if rectified and self.rng.random() < 0.3:  # a second rectification of a rectified finding
            again = Expect("rejected", "illegal_transition", {"status": "pending_verification"})
            mutations.append(self.rectification(self.rng.choice(rectified), again, before, after))
        if self.rng.random() < 0.15:  # a finding still only reported cannot be rectified yet
            early = Expect("rejected", "illegal_transition", {"status": "reported"})
            mutations.append(self.rectification(reported, early, before, after))
        for _ in range(self.rng.randint(0, 2)):
            mutations.append(self.comment(self.rng.choice(own_findings)))
        self.rng.shuffle(mutations)
        for sha in before:
            self.upload(sha)
        self.send(mutations)
        for sha in after:
            self.upload(sha)


SCENES: list[str] = []  # filled once, before any device starts
DEVICES = 11  # six park-role devices, five enterprise staff
# Threads in the event loop's default executor (asyncio's default), where Litestar runs sync
# handlers and sync dependencies.
DEFAULT_WORKER_THREADS = min(32, (os.cpu_count() or 1) + 4)
QUIET_SECONDS = 20.0  # no answer to anybody for this long: the server stopped answering


@dataclass
class Park:
    enterprises: list[Enterprise]
    seeds: dict[str, str]  # enterprise id -> a finding reported before the day starts
    park_users: list[User]
    staff_users: list[User]
    admin: User


def build_park(db: Session, world: ParkWorld) -> Park:
    park = factories.park(db)
    third = factories.enterprise(db, park, name="江南新材料股份有限公司")
    third_seed = factories.finding(db, third)
    park_users = [
        world.users[Role.INSPECTOR],
        world.users[Role.PARK_ADMIN],
        world.users[Role.SUPERVISOR],
        *(factories.user(db, park, Role.INSPECTOR) for _ in range(3)),
    ]
    staff_users = [
        world.users[Role.ENTERPRISE_STAFF],
        factories.user(db, park, Role.ENTERPRISE_STAFF, world.own),
        factories.user(db, park, Role.ENTERPRISE_STAFF, world.other),
        factories.user(db, park, Role.ENTERPRISE_STAFF, world.other),
        factories.user(db, park, Role.ENTERPRISE_STAFF, third),
    ]
    admin_for_pulling = factories.user(db, park, Role.PARK_ADMIN)
    db.commit()
    seeds = {
        str(world.own.id): str(world.own_finding.id),
        str(world.other.id): str(world.other_finding.id),
        str(third.id): str(third_seed.id),
    }
    return Park([world.own, world.other, third], seeds, park_users, staff_users, admin_for_pulling)


def unstick(database_url: str) -> None:
    """Break a stalled server free so the test can fail and clean up instead of hanging.

    On PostgreSQL a transaction left idle with the change-counter lock blocks every writer
    for ever; ending its connection lets the others go on. SQLite frees itself (busy timeout).
    """
    if not database_url.startswith("postgresql"):
        return
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                    " AND state_change < now() - interval '2 seconds'"
                )
            )
    finally:
        engine.dispose()


class Heartbeat:
    """When the server last answered anybody (every response through the client counts)."""

    def __init__(self, client: TestClient[Litestar]) -> None:
        self.last = time.monotonic()
        client.event_hooks["response"].append(self.beat)

    def beat(self, _response: object = None) -> None:
        self.last = time.monotonic()

    def quiet_for(self) -> float:
        return time.monotonic() - self.last


def run_in_threads(
    targets: list[Callable[[], None]],
    errors: list[str],
    heartbeat: Heartbeat,
    database_url: str,
    quiet: float = QUIET_SECONDS,
) -> None:
    """Run ``targets`` at once; a server that stops answering is reported (and broken free)
    rather than waited on for ever."""

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

        return run

    threads = [threading.Thread(target=guarded(target), daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    stalls = 0
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(timeout=0.5)
            if heartbeat.quiet_for() > quiet:
                break
        if heartbeat.quiet_for() > quiet:
            stalls += 1
            if stalls == 1:
                errors.append(f"stalled: the server answered nobody for {quiet:.0f}s")
            unstick(database_url)
            heartbeat.beat()
            if stalls > 20:
                errors.append("stalled for good: threads still hang")
                return


def dispatch_some(session_factory: sessionmaker[Session], candidates: list[str]) -> set[str]:
    """The park sends a deterministic share of the findings to their enterprises."""
    rng = random.Random(SEED)
    chosen = set(rng.sample(sorted(candidates), round(len(candidates) * DISPATCH_SHARE)))
    now = datetime.now(UTC)
    with session_factory() as session:
        for finding in session.exec(
            select(Finding).where(col(Finding.id).in_([uuid.UUID(i) for i in chosen]))
        ).all():
            finding.status = FindingStatus.DISPATCHED
            finding.dispatched_at = now
            finding.deadline = now + timedelta(days=7)
            session.add(finding)
        session.commit()
    return chosen


def wait_until_quiet(
    app: Litestar, client: TestClient[Litestar], session_factory: sessionmaker[Session]
) -> None:
    """Let the jobs that pushes requested (matching, thumbnails, ...) finish their writes."""
    state = AppState.of(app)
    join = getattr(state.job_queue, "join", None)
    last: int | None = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        client.blocking_portal.call(dispatch_pending, state.session_factory, state.job_queue)
        if join is not None:
            client.blocking_portal.call(join)
        with session_factory() as session:
            version = current_version(session)
            waiting = session.exec(
                select(func.count()).select_from(JobOutbox).where(col(JobOutbox.dispatched_at).is_(None))
            ).one()
        if version == last and waiting == 0:
            return
        last = version
        time.sleep(0.3)
    raise AssertionError("background jobs kept writing for a minute")


@dataclass
class Outcome:
    park: Park
    devices: list[FieldDevice]
    pullers: list[PullLog]
    uploads: Uploads
    photo_bytes: dict[str, bytes]
    dispatched: set[str]
    errors: list[str]

    @property
    def park_devices(self) -> list[FieldDevice]:
        return [d for d in self.devices if d.enterprise_id is None]

    @property
    def staff_devices(self) -> list[FieldDevice]:
        return [d for d in self.devices if d.enterprise_id is not None]

    def planned_findings(self) -> dict[str, PlannedFinding]:
        return {fid: f for d in self.park_devices for fid, f in d.findings.items()}

    def live_findings(self) -> dict[str, str]:
        """Finding id -> enterprise id of everything that must exist (the park's seeds included)."""
        live = {fid: f.enterprise_id for fid, f in self.planned_findings().items() if not f.deleted}
        live.update({seed: enterprise for enterprise, seed in self.park.seeds.items()})
        return live

    def comments(self) -> dict[str, str]:
        return {cid: fid for d in self.devices for cid, fid in d.comments.items()}

    def rectifications(self) -> dict[str, str]:
        return {rid: fid for d in self.devices for rid, fid in d.rectifications.items()}

    def enterprise_of(self) -> dict[str, str]:
        everything = {fid: f.enterprise_id for fid, f in self.planned_findings().items()}
        everything.update({seed: enterprise for enterprise, seed in self.park.seeds.items()})
        return everything


class Day:
    """Morning reports, a dispatch at noon, rectifications in the afternoon; pullers throughout."""

    def __init__(
        self,
        app: Litestar,
        client: TestClient[Litestar],
        park: Park,
        session_factory: sessionmaker[Session],
        database_url: str,
    ) -> None:
        self.app = app
        self.client = client
        self.park = park
        self.session_factory = session_factory
        self.database_url = database_url
        self.uploads = Uploads()
        self.photo_bytes: dict[str, bytes] = {}
        SCENES.clear()
        for seed in SCENE_SEEDS:
            sha, data = jpeg_photo(seed)
            self.photo_bytes[sha] = data
            SCENES.append(sha)
        users = park.park_users + park.staff_users
        self.devices = [
            FieldDevice(i, client, u, self.uploads, self.photo_bytes) for i, u in enumerate(users)
        ]
        assert len(self.devices) == DEVICES
        self.park_devices = [d for d in self.devices if d.enterprise_id is None]
        self.staff_devices = [d for d in self.devices if d.enterprise_id is not None]
        self.enterprise_ids = [str(e.id) for e in park.enterprises]
        self.errors: list[str] = []
        self.heartbeat = Heartbeat(client)
        self.writers_done = threading.Event()
        self.reported: dict[str, PlannedFinding] = {}
        self.dispatched: set[str] = set()
        puller_users = [park.admin, park.staff_users[0], park.staff_users[4]]
        self.pullers = [
            PullLog(f"puller-{n}-{u.role.value}", str(u.enterprise_id) if u.enterprise_id else None)
            for n, u in enumerate(puller_users)
        ]
        self.puller_runs = [
            self.puller(log, login(client, user), random.Random(SEED + n))
            for n, (log, user) in enumerate(zip(self.pullers, puller_users, strict=True))
        ]

    def puller(self, log: PullLog, headers: dict[str, str], rng: random.Random) -> Callable[[], None]:
        def run() -> None:
            cursor: str | None = None
            while True:
                finished = self.writers_done.is_set()
                page = pull_page(self.client, headers, cursor, rng.choice(PAGE_SIZES[1:4]))
                log.add(page["changes"])
                cursor = page["cursor"]
                if finished and not page["has_more"]:
                    log.reached_end = True
                    return
                if not page["has_more"]:
                    time.sleep(0.05)

        return run

    def morning_park(self, device: FieldDevice) -> Callable[[], None]:
        def run() -> None:
            for _ in range(PARK_STEPS_BEFORE_DISPATCH):
                device.report_step(self.enterprise_ids, may_delete=True)
            device.settle()

        return run

    def morning_staff(self, device: FieldDevice) -> Callable[[], None]:
        assert device.enterprise_id is not None
        own_seed = self.park.seeds[device.enterprise_id]
        foreign = [seed for enterprise, seed in self.park.seeds.items() if enterprise != device.enterprise_id]

        def run() -> None:
            for step in range(STAFF_COMMENT_STEPS):
                device.comment_step([own_seed], device.rng.choice(foreign) if step == 2 else None)
            device.settle()

        return run

    def afternoon_park(self, device: FieldDevice) -> Callable[[], None]:
        def run() -> None:
            for _ in range(PARK_STEPS_AFTER_DISPATCH):
                device.report_step(self.enterprise_ids, may_delete=False)
            device.settle()

        return run

    def afternoon_staff(self, device: FieldDevice) -> Callable[[], None]:
        enterprise = device.enterprise_id
        assert enterprise is not None
        colleagues = [d for d in self.staff_devices if d.enterprise_id == enterprise]
        ours = sorted(f for f in self.dispatched if self.reported[f].enterprise_id == enterprise)
        mine = ours[colleagues.index(device) :: len(colleagues)]
        seed = self.park.seeds[enterprise]
        own_findings = sorted([seed, *(f for f, p in self.reported.items() if p.enterprise_id == enterprise)])
        foreign = sorted(f for f, p in self.reported.items() if p.enterprise_id != enterprise)

        def run() -> None:
            rectified: list[str] = []
            queue = list(mine)
            while queue:
                take = [queue.pop(0) for _ in range(min(len(queue), device.rng.randint(1, 3)))]
                device.rectify_step(take, rectified, own_findings, seed)
                rectified.extend(take)
            device.comment_step(own_findings, device.rng.choice(foreign))
            device.settle()

        return run

    def run(self) -> Outcome:
        pullers = threading.Thread(
            target=run_in_threads,
            args=(self.puller_runs, self.errors, self.heartbeat, self.database_url),
            daemon=True,
        )
        pullers.start()
        try:
            self.phase(
                [self.morning_park(d) for d in self.park_devices],
                [self.morning_staff(d) for d in self.staff_devices],
            )
            if not self.errors:  # noon: the park dispatches some findings
                self.reported = {
                    fid: f for d in self.park_devices for fid, f in d.findings.items() if not f.deleted
                }
                self.dispatched = dispatch_some(self.session_factory, list(self.reported))
                self.phase(
                    [self.afternoon_park(d) for d in self.park_devices],
                    [self.afternoon_staff(d) for d in self.staff_devices],
                )
            if not self.errors:
                wait_until_quiet(self.app, self.client, self.session_factory)
        finally:
            self.writers_done.set()
            pullers.join(timeout=600)
        if not self.errors:
            for device in self.devices:  # every device, back at the office, pages to the end
                device.pull_to_end(device.rng.choice(PAGE_SIZES))
        return Outcome(
            self.park,
            self.devices,
            self.pullers,
            self.uploads,
            self.photo_bytes,
            self.dispatched,
            self.errors,
        )

    def phase(self, park_work: list[Callable[[], None]], staff_work: list[Callable[[], None]]) -> None:
        run_in_threads(park_work + staff_work, self.errors, self.heartbeat, self.database_url)


# -- what must hold at the end of the day ------------------------------------------------------


def every_mutation_was_answered_as_expected(day: Outcome) -> None:
    for device in day.devices:
        assert not device.backlog and not device.carried, device.name
        unanswered = set(device.expected) - set(device.answers)
        assert not unanswered, f"{device.name}: {len(unanswered)} mutations never got an answer"
    assert sum(d.sent_mutations for d in day.devices) >= 350, "the day was too quiet to prove anything"


def list_findings(client: TestClient[Litestar], headers: dict[str, str]) -> list[JSON]:
    items: list[JSON] = []
    while True:
        response = client.get(
            "/api/v1/findings", params={"limit": 500, "offset": len(items)}, headers=headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if not page["items"] or len(items) >= page["total"]:
            assert len(items) == page["total"]
            return items


def expected_status(day: Outcome, finding_id: str) -> str:
    rectified = set(day.rectifications().values())
    if finding_id in rectified:
        return "pending_verification"
    return "dispatched" if finding_id in day.dispatched else "reported"


def every_believed_finding_exists_exactly_once(day: Outcome, client: TestClient[Litestar]) -> None:
    headers = login(client, day.park.admin)
    items = list_findings(client, headers)
    listed = Counter(item["id"] for item in items)
    assert [fid for fid, n in listed.items() if n > 1] == [], "a finding is listed twice"
    live = day.live_findings()
    assert set(listed) - set(live) == set(), "findings nobody reported (or deleted ones) are listed"
    assert set(live) - set(listed) == set(), "findings devices believe applied are missing"
    planned = day.planned_findings()
    for item in items:
        fid = item["id"]
        assert item["enterprise_id"] == live[fid]
        assert item["missing_photos"] == [], f"finding {fid} still misses photos"
        assert item["status"] == expected_status(day, fid), fid
        if fid in planned:
            assert item["photos"] == planned[fid].photos, fid
            assert item["measures"] == planned[fid].measures, fid
    for fid in (f.id for f in planned.values() if f.deleted):
        assert client.get(f"/api/v1/findings/{fid}", headers=headers).status_code == 404


def nothing_was_applied_twice(day: Outcome, session_factory: sessionmaker[Session]) -> None:
    sent = {mid for device in day.devices for mid in device.expected}
    with session_factory() as session:
        recorded = Counter(str(mid) for mid in session.exec(select(SyncMutation.mutation_id)).all())
        assert set(recorded) == sent, "every mutation is recorded once, and nothing else is"
        reported = Counter(
            session.exec(select(AuditEvent.entity_id).where(AuditEvent.action == "finding.reported")).all()
        )
        planned = day.planned_findings()
        assert {fid: reported[fid] for fid in planned} == dict.fromkeys(planned, 1), "a report applied twice"
        added = session.exec(select(AuditEvent.after).where(AuditEvent.action == "comment.added")).all()
        added_ids = Counter(str(after["comment_id"]) for after in added if after)
        assert added_ids == Counter(list(day.comments())), "a comment applied twice, or one lost"
        submitted = session.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "rectification.submitted")
        ).one()
        assert submitted == len(day.rectifications())
        assert {str(i) for i in session.exec(select(Comment.id)).all()} == set(day.comments())
        assert {str(i) for i in session.exec(select(Rectification.id)).all()} == set(day.rectifications())
        checked, chain_break = verify_chain(session)
        assert chain_break is None, chain_break
        assert checked >= len(planned)


def named_photos(day: Outcome) -> dict[str, set[str]]:
    """Photo hash -> the enterprises whose records name it."""
    enterprise_of = day.enterprise_of()
    named: dict[str, set[str]] = {}
    for finding in day.planned_findings().values():
        for sha in finding.photos:
            named.setdefault(sha, set()).add(finding.enterprise_id)
    for device in day.staff_devices:
        for rid, photos in device.rectification_photos.items():
            for sha in photos:
                named.setdefault(sha, set()).add(enterprise_of[device.rectifications[rid]])
    return named


def every_photo_is_stored_once_linked_and_served(
    day: Outcome, client: TestClient[Litestar], session_factory: sessionmaker[Session]
) -> None:
    named = named_photos(day)
    statuses: dict[str, list[int]] = {}
    for sha, status in day.uploads.statuses:
        statuses.setdefault(sha, []).append(status)
    assert set(named) - set(statuses) == set(), "a named photo was never uploaded (test bug)"
    created_twice = {sha: s for sha, s in statuses.items() if s.count(201) != 1}
    assert created_twice == {}, "each photo is created (201) exactly once, then answered 200"
    headers = login(client, day.park.admin)
    for sha in sorted(named):
        response = client.get(f"/api/v1/photos/{sha}", headers=headers)
        assert response.status_code == 200, (sha, response.text)
        assert response.content == day.photo_bytes[sha], f"photo {sha} served with other bytes"
    with_photos = {fid for fid, f in day.planned_findings().items() if f.photos and not f.deleted}
    deadline = time.monotonic() + 20
    while True:
        with session_factory() as session:
            completed = Counter(
                session.exec(
                    select(AuditEvent.entity_id).where(AuditEvent.action == "finding.photos_complete")
                ).all()
            )
        assert [fid for fid, n in completed.items() if n > 1] == [], "photos_complete ran twice"
        if with_photos <= set(completed) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert with_photos - set(completed) == set(), "a finding whose photos all arrived never completed"


def current_versions(session_factory: sessionmaker[Session]) -> dict[tuple[str, str], tuple[int, bool]]:
    versions: dict[tuple[str, str], tuple[int, bool]] = {}
    with session_factory() as session:
        for entity, model in (("finding", Finding), ("comment", Comment), ("rectification", Rectification)):
            for record_id, version, deleted_at in session.exec(
                select(model.id, model.version, model.deleted_at)
            ).all():
                versions[(entity, str(record_id))] = (version, deleted_at is not None)
    return versions


def every_puller_that_paged_to_the_end_saw_every_change(
    day: Outcome, session_factory: sessionmaker[Session]
) -> None:
    versions = current_versions(session_factory)
    enterprise_of = day.enterprise_of()
    parents = {("comment", cid): fid for cid, fid in day.comments().items()}
    parents.update({("rectification", rid): fid for rid, fid in day.rectifications().items()})
    logs = day.pullers + [device.pulls for device in day.devices]
    for log in logs:
        assert log.reached_end, log.name
        stale: list[tuple[str, str]] = []
        for key, (version, deleted) in versions.items():
            finding_id = key[1] if key[0] == "finding" else parents[key]
            if log.enterprise_id is not None and enterprise_of[finding_id] != log.enterprise_id:
                continue
            seen = log.latest.get(key)
            if seen is None or seen["version"] != version or seen["deleted"] != deleted:
                stale.append(key)
        assert stale == [], f"{log.name} paged to the end but skipped {len(stale)} changes: {stale[:5]}"


def no_staff_puller_saw_another_enterprises_records(day: Outcome) -> None:
    enterprise_of = day.enterprise_of()
    logs = [log for log in day.pullers + [d.pulls for d in day.devices] if log.enterprise_id is not None]
    assert len(logs) >= 6
    for log in logs:
        own = log.enterprise_id
        assert log.ids("enterprise") == {own}, log.name
        for (entity, record_id), change in log.latest.items():
            if entity == "finding":
                assert change["data"]["enterprise_id"] == own, (log.name, record_id)
            elif entity in ("comment", "rectification"):
                assert enterprise_of[change["data"]["finding_id"]] == own, (log.name, entity, record_id)


def staff_fetch_only_their_own_enterprises_photos(
    day: Outcome, client: TestClient[Litestar], session_factory: sessionmaker[Session]
) -> None:
    named = named_photos(day)
    with session_factory() as session:
        uploader = {
            sha: str(user) for sha, user in session.exec(select(Photo.sha256, Photo.uploaded_by)).all()
        }
    rng = random.Random(SEED)
    for device in day.staff_devices:
        own = device.enterprise_id
        assert own is not None
        foreign = sorted(
            sha for sha, users in named.items() if own not in users and uploader[sha] != str(device.user.id)
        )
        mine = sorted(sha for sha, users in named.items() if own in users)
        assert foreign and mine
        for sha in rng.sample(foreign, min(8, len(foreign))):
            response = client.get(f"/api/v1/photos/{sha}", headers=device.headers)
            assert response.status_code == 404, (device.name, sha, response.status_code)
        for sha in rng.sample(mine, min(4, len(mine))):
            response = client.get(f"/api/v1/photos/{sha}", headers=device.headers)
            assert response.status_code == 200, (device.name, sha, response.status_code)
            assert response.content == day.photo_bytes[sha]
        listed = list_findings(client, device.headers)
        assert {item["enterprise_id"] for item in listed} == {own}, device.name


def test_a_day_of_lost_responses_retries_and_concurrent_pulls_loses_duplicates_skips_and_leaks_nothing(
    app: Litestar,
    client: TestClient[Litestar],
    world: ParkWorld,
    db: Session,
    session_factory: sessionmaker[Session],
    database_url: str,
) -> None:
    day = Day(app, client, build_park(db, world), session_factory, database_url).run()
    assert day.errors == []
    every_mutation_was_answered_as_expected(day)
    every_believed_finding_exists_exactly_once(day, client)
    nothing_was_applied_twice(day, session_factory)
    every_photo_is_stored_once_linked_and_served(day, client, session_factory)
    every_puller_that_paged_to_the_end_saw_every_change(day, session_factory)
    no_staff_puller_saw_another_enterprises_records(day)
    staff_fetch_only_their_own_enterprises_photos(day, client, session_factory)


# -- interleavings the chaos above can only hit by luck, pinned down --------------------------


def test_a_pull_page_never_skips_a_change_committed_while_the_page_is_read(
    app: Litestar, client: TestClient[Litestar], world: ParkWorld, session_factory: sessionmaker[Session]
) -> None:
    """A batch (a finding and a comment on it) commits between the page's finding query and its
    comment query. Paging on, once the server is quiet, must still deliver the finding."""
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    reader = Device(client, world.headers(client, Role.PARK_ADMIN))
    reader.pull_all()
    finding = finding_mutation(world.own.id)
    remark = comment_mutation(finding["id"])
    committed = threading.Event()
    answers: list[list[JSON]] = []

    def commit_a_batch_between_queries(*args: Any) -> None:
        statement: str = args[2]
        if not committed.is_set() and statement.lstrip().startswith("SELECT") and "FROM comment" in statement:
            committed.set()
            writer = threading.Thread(target=lambda: answers.append(inspector.push_ok([finding, remark])))
            writer.start()
            writer.join(timeout=30)

    engine = AppState.of(app).engine
    event.listen(engine, "before_cursor_execute", commit_a_batch_between_queries)
    try:
        first = reader.pull_all()
    finally:
        event.remove(engine, "before_cursor_execute", commit_a_batch_between_queries)
    assert committed.is_set(), "the page never queried comments: test bug"
    assert [[r["status"] for r in results] for results in answers] == [["applied", "applied"]]
    delivered = {change["id"] for change in first}
    if remark["id"] in delivered:  # then the cursor is past the finding too (lower version)
        assert finding["id"] in delivered, "the comment was delivered, the finding before it skipped"
    wait_until_quiet(app, client, session_factory)
    delivered |= {change["id"] for change in reader.pull_all()}
    assert {finding["id"], remark["id"]} <= delivered


def test_more_simultaneous_pushes_than_worker_threads_are_all_answered(
    app: Litestar,
    client: TestClient[Litestar],
    world: ParkWorld,
    database_url: str,
) -> None:
    """The first push is paused inside its transaction, holding the change-counter lock, while
    more pushes than the executor has threads arrive and wait for that lock; all are answered."""
    rush_size = DEFAULT_WORKER_THREADS + 1
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    first_holds_the_lock = threading.Event()
    let_it_finish = threading.Event()

    def pause_the_first_push_inside_its_transaction(*args: Any) -> None:
        statement: str = args[2]
        if statement.lstrip().startswith("INSERT INTO sync_mutation") and not first_holds_the_lock.is_set():
            first_holds_the_lock.set()
            let_it_finish.wait(timeout=30)

    statuses: list[int] = []
    errors: list[str] = []

    def push_one(n: int) -> Callable[[], None]:
        finding = finding_mutation(world.own.id, f"高峰时段上报 {n}")
        batch = [finding, comment_mutation(finding["id"])]

        def run() -> None:
            statuses.append(phone.push(batch).status_code)

        return run

    heartbeat = Heartbeat(client)
    engine = AppState.of(app).engine
    event.listen(engine, "before_cursor_execute", pause_the_first_push_inside_its_transaction)
    try:
        first = threading.Thread(
            target=run_in_threads, args=([push_one(0)], errors, heartbeat, database_url, 10.0)
        )
        first.start()
        assert first_holds_the_lock.wait(timeout=30)
        rush = [push_one(n) for n in range(1, rush_size + 1)]
        others = threading.Thread(target=run_in_threads, args=(rush, errors, heartbeat, database_url, 10.0))
        others.start()
        time.sleep(1.0)  # every push of the rush is now waiting for the lock or for a thread
        let_it_finish.set()
        first.join()
        others.join()
    finally:
        let_it_finish.set()
        event.remove(engine, "before_cursor_execute", pause_the_first_push_inside_its_transaction)
    assert errors == []
    assert sorted(statuses) == [200] * (len(rush) + 1)

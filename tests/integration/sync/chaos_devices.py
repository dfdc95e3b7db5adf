"""The chaos test's field devices: seeded plans of batches, faults, photo uploads and pulls."""

from __future__ import annotations

import os
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from litestar import Litestar
from litestar.testing import TestClient

from backend.db.models import (
    User,
)
from tests import factories
from tests.devices import comment_mutation, finding_mutation, jpeg_photo

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

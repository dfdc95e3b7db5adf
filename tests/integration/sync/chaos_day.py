"""The chaos test's day in the park: devices in threads, a dispatch in the middle, and its outcome."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, func, select

from backend.db.models import (
    Enterprise,
    Finding,
    JobOutbox,
    User,
)
from backend.db.versioning import current_version
from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from backend.jobs.outbox import dispatch_pending
from mobile_api.state import AppState
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import jpeg_photo
from tests.integration.sync.chaos_devices import (
    DEVICES,
    DISPATCH_SHARE,
    PAGE_SIZES,
    PARK_STEPS_AFTER_DISPATCH,
    PARK_STEPS_BEFORE_DISPATCH,
    QUIET_SECONDS,
    SCENE_SEEDS,
    SCENES,
    SEED,
    STAFF_COMMENT_STEPS,
    FieldDevice,
    PlannedFinding,
    PullLog,
    Uploads,
    login,
    pull_page,
)


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

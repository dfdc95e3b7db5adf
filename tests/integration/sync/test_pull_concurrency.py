"""The skipped-change trap: pullers paging while many writers commit must never miss a change.

With versions from a plain sequence, a transaction holding version 10 can commit after
one holding 11; a puller that already moved its cursor past 11 never sees 10. Only
PostgreSQL runs writers truly concurrently, so that is where this test bites.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.db.engine import transaction
from backend.domain.accounts.roles import Role
from backend.domain.accounts.service import principal_of
from backend.domain.sync.mutations import Entity, Mutation, Op, PushBatch
from backend.domain.sync.pull import PullService
from backend.domain.sync.push import PushService
from tests.conftest import ParkWorld

WRITERS = 8
BATCHES_PER_WRITER = 12
POLLERS = 4


def comment(finding_id: uuid.UUID, n: int) -> Mutation:
    return Mutation(
        uuid.uuid4(),
        Entity.COMMENT,
        Op.UPSERT,
        uuid.uuid4(),
        None,
        datetime.now(UTC),
        {"finding_id": str(finding_id), "text": f"巡查记录 {n}"},
    )


def test_pollers_paging_during_concurrent_pushes_see_every_change(
    world: ParkWorld, session_factory: sessionmaker[Session], database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers; the reordering needs PostgreSQL")
    writer_principal = principal_of(world.users[Role.INSPECTOR])
    reader_principal = principal_of(world.users[Role.PARK_ADMIN])
    written: set[uuid.UUID] = set()
    written_lock = threading.Lock()
    writers_done = threading.Event()
    seen: list[set[uuid.UUID]] = [set() for _ in range(POLLERS)]
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            rng = random.Random(index)
            for batch in range(BATCHES_PER_WRITER):
                mutations = [comment(world.own_finding.id, batch * 10 + k) for k in range(rng.randint(1, 4))]
                with transaction(session_factory) as session:
                    PushService(session, writer_principal).push(
                        f"device-{index}", PushBatch(f"device-{index}", uuid.uuid4(), mutations)
                    )
                    time.sleep(rng.random() * 0.02)  # hold the transaction open a little, as real ones do
                with written_lock:
                    written.update(m.id for m in mutations)
        except BaseException as exc:
            errors.append(exc)

    def poller(index: int) -> None:
        cursor: str | None = None
        try:
            while True:
                finished = writers_done.is_set()
                with session_factory() as session:
                    page = PullService(session).pull(reader_principal, cursor, limit=7)
                seen[index].update(c.id for c in page.changes if c.entity == "comment")
                cursor = page.cursor
                if finished and not page.has_more:
                    return
                if not page.has_more:
                    time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)

    pollers = [threading.Thread(target=poller, args=(i,)) for i in range(POLLERS)]
    writers = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in pollers + writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    writers_done.set()
    for thread in pollers:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(written) >= WRITERS * BATCHES_PER_WRITER
    for index, ids in enumerate(seen):
        assert written - ids == set(), f"poller {index} skipped {len(written - ids)} committed changes"

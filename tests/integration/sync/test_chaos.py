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

import threading
import time
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from mobile_api.state import AppState
from tests.conftest import ParkWorld
from tests.devices import Device, comment_mutation, finding_mutation
from tests.integration.sync.chaos_checks import (
    every_believed_finding_exists_exactly_once,
    every_mutation_was_answered_as_expected,
    every_photo_is_stored_once_linked_and_served,
    every_puller_that_paged_to_the_end_saw_every_change,
    no_staff_puller_saw_another_enterprises_records,
    nothing_was_applied_twice,
    staff_fetch_only_their_own_enterprises_photos,
)
from tests.integration.sync.chaos_day import (
    Day,
    Heartbeat,
    build_park,
    run_in_threads,
    wait_until_quiet,
)
from tests.integration.sync.chaos_devices import (
    DEFAULT_WORKER_THREADS,
    JSON,
)


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

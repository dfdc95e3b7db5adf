"""Notification delivery through apprise to real local HTTP receivers: retries, log, isolation."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session, col, select

from backend.db.models import Notification, NotificationAttempt
from backend.domain.accounts.roles import Role
from backend.domain.notifications.delivery import MAX_ATTEMPTS
from backend.domain.notifications.outbox import SEND_JOB
from backend.domain.notifications.stalled import EXPIRED, STALE_AFTER, STALLED_AFTER, resend_stalled
from backend.jobs.base import registry
from backend.settings import Settings
from mobile_api.app import create_app
from mobile_api.state import AppState
from tests.conftest import ParkWorld
from tests.receiver import Receiver, running_receiver


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same retry count as production, delays of 0.1–0.4 s instead of 5 s doubling to 10 minutes."""
    spec = registry.get(SEND_JOB)
    fast = dataclasses.replace(spec, retry_delay_seconds=0.1, max_retry_delay_seconds=0.4)
    monkeypatch.setitem(registry._specs, SEND_JOB, fast)


@pytest.fixture
def flaky() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def healthy() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def app(settings: Settings, flaky: Receiver, healthy: Receiver, fast_retries: None) -> Litestar:
    urls = f"enterprise_staff={flaky.url('wecom')} enterprise_staff={healthy.url('dingtalk')}"
    return create_app(Settings(**{**settings.model_dump(), "notify_urls": urls}, _env_file=None))


def dispatch(client: TestClient[Litestar], world: ParkWorld) -> None:
    deadline = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    response = client.post(
        f"/api/v1/findings/{world.own_finding.id}/dispatch",
        json={"deadline": deadline},
        headers=world.headers(client, Role.PARK_ADMIN),
    )
    assert response.status_code == 200, response.text


def notifications(db: Session) -> list[Notification]:
    db.expire_all()
    return list(db.exec(select(Notification).order_by(col(Notification.channel))).all())


def wait_until(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_receiver_that_fails_then_recovers_gets_the_message_once(
    client: TestClient[Litestar], world: ParkWorld, flaky: Receiver, healthy: Receiver, db: Session
) -> None:
    flaky.failures_left = 2
    dispatch(client, world)
    wait_until(lambda: all(n.status == "sent" for n in notifications(db)) and len(notifications(db)) == 2)
    assert len(flaky.received) == 1 and flaky.attempts == 3
    assert len(healthy.received) == 1 and healthy.attempts == 1
    wecom = next(n for n in notifications(db) if n.channel.startswith("settings:0:"))
    assert wecom.attempts == 3
    log = db.exec(
        select(NotificationAttempt)
        .where(NotificationAttempt.notification_id == wecom.id)
        .order_by(col(NotificationAttempt.id))
    ).all()
    assert [attempt.succeeded for attempt in log] == [False, False, True]
    assert log[0].error
    # Park admins read the same delivery log over HTTP; other roles may not.
    listed = client.get("/api/v1/notifications", headers=world.headers(client, Role.PARK_ADMIN)).json()
    shown = next(item for item in listed["items"] if item["channel"].startswith("settings:0:"))
    assert (shown["status"], shown["attempts"]) == ("sent", 3)
    assert [entry["succeeded"] for entry in shown["log"]] == [False, False, True]
    assert shown["title"].startswith("【隐患整改通知】")
    assert (
        client.get("/api/v1/notifications", headers=world.headers(client, Role.SUPERVISOR)).status_code == 403
    )


def test_a_receiver_that_never_recovers_is_marked_failed_and_blocks_no_one(
    client: TestClient[Litestar], world: ParkWorld, flaky: Receiver, healthy: Receiver, db: Session
) -> None:
    flaky.always_fail = True
    dispatch(client, world)
    wait_until(lambda: {n.status for n in notifications(db)} == {"failed", "sent"})
    failed = next(n for n in notifications(db) if n.status == "failed")
    assert failed.channel.startswith("settings:0:")
    assert failed.attempts == MAX_ATTEMPTS
    assert failed.last_error
    assert flaky.attempts == MAX_ATTEMPTS
    assert len(healthy.received) == 1


def test_an_enterprise_group_channel_gets_only_its_own_enterprise_findings(
    settings: Settings, world: ParkWorld, flaky: Receiver, healthy: Receiver, db: Session
) -> None:
    own_group, other_group = healthy, flaky  # two enterprises' WeCom groups, both healthy here
    urls = (
        f"enterprise_staff@{world.own.code}={own_group.url('wecom')} "
        f"enterprise_staff@{world.other.code}={other_group.url('wecom')}"
    )
    app = create_app(Settings(**{**settings.model_dump(), "notify_urls": urls}, _env_file=None))
    with TestClient(app) as client:
        dispatch(client, world)  # a finding of world.own
        wait_until(lambda: len(notifications(db)) == 1 and notifications(db)[0].status == "sent")
    assert len(own_group.received) == 1
    assert other_group.received == []  # another enterprise's staff never read this hazard


def test_a_message_whose_send_job_died_is_sent_by_the_next_scheduled_run(
    client: TestClient[Litestar], world: ParkWorld, flaky: Receiver, healthy: Receiver, db: Session
) -> None:
    """A send job gives up after ~10 minutes; if the database was down all that time, no attempt
    was counted and the message stayed queued with nothing behind it (its outbox row long handed
    over). The scheduled run queues it again; a message whose job may still be retrying is left,
    and one a day old is given up."""
    flaky.always_fail = True  # settings:0 keeps a job retrying; settings:1 is the orphan below
    dispatch(client, world)
    wait_until(lambda: any(n.status == "sent" for n in notifications(db)))
    retrying = next(n for n in notifications(db) if n.channel.startswith("settings:0:"))
    assert retrying.status == "queued"  # its job is still within its retries
    orphan = next(n for n in notifications(db) if n.channel.startswith("settings:1:"))
    orphan.status, orphan.attempts, orphan.sent_at = "queued", 0, None  # as if never sent
    now = datetime.now(UTC)
    orphan.updated_at = now - STALLED_AFTER - timedelta(minutes=1)
    db.add(orphan)
    yesterdays = Notification(  # stuck as long, but a day old: no longer news
        event_key=f"{orphan.event_key}:yesterday",
        channel=orphan.channel,
        title=orphan.title,
        body=orphan.body,
        created_at=now - STALE_AFTER - timedelta(minutes=1),
        updated_at=now - STALE_AFTER - timedelta(minutes=1),
    )
    db.add(yesterdays)
    db.commit()
    sent_before = len(healthy.received)

    state = AppState.of(client.app)
    resent = client.blocking_portal.call(resend_stalled, state.session_factory, state.job_queue, now)

    assert resent == 1  # the orphan only, not the message still being retried
    wait_until(lambda: next(n for n in notifications(db) if n.id == orphan.id).status == "sent")
    assert len(healthy.received) == sent_before + 1
    db.refresh(yesterdays)
    assert (yesterdays.status, yesterdays.last_error) == ("failed", EXPIRED)

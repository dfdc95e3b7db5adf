"""Sending one queued notification through apprise, with a delivery log.

Runs in the job worker. A failed send raises so the queue retries with backoff, until
``MAX_ATTEMPTS``; then the notification is marked failed. A sent notification is never
sent again, whatever the number of retries of its job.
"""

from __future__ import annotations

import logging
import uuid

import apprise
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.db.engine import transaction
from backend.db.models import Notification, NotificationAttempt, User
from backend.db.types import utcnow
from backend.domain.notifications.channels import configured_url
from backend.settings import Settings

MAX_ATTEMPTS = 8  # over about 10 minutes (backend/jobs/catalog.py)
log = logging.getLogger(__name__)


class DeliveryFailed(RuntimeError):
    pass


def resolve_url(session: Session, settings: Settings, channel: str) -> str | None:
    kind, _, ident = channel.partition(":")
    if kind == "settings":
        return configured_url(settings.notify_url_list, channel)
    if kind == "user":
        user = session.get(User, uuid.UUID(ident))
        return user.notify_url if user and user.is_active and user.notify_url else None
    return None


def send_with_apprise(url: str, title: str, body: str) -> str | None:
    """Send; return None on success, else what apprise said went wrong."""
    sender = apprise.Apprise()
    if not sender.add(url):
        return "无效的通知地址 / invalid apprise URL"
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        delivered = sender.notify(title=title, body=body)
    if delivered:
        return None
    return (captured.getvalue().strip() or "delivery failed")[-2000:]


def deliver(session_factory: sessionmaker[Session], settings: Settings, notification_id: uuid.UUID) -> None:
    with transaction(session_factory) as session:
        notification = session.get(Notification, notification_id)
        if notification is None or notification.status in {"sent", "failed"}:
            return
        url = resolve_url(session, settings, notification.channel)
        title, body = notification.title, notification.body
    error = send_with_apprise(url, title, body) if url else "通知渠道已不存在 / channel no longer configured"
    with transaction(session_factory) as session:
        notification = session.get(Notification, notification_id)
        assert notification is not None
        notification.attempts += 1
        notification.updated_at = utcnow()  # a recent attempt: a job is still behind it (stalled.py)
        session.add(
            NotificationAttempt(notification_id=notification.id, succeeded=error is None, error=error or "")
        )
        if error is None:
            notification.status, notification.sent_at, notification.last_error = "sent", utcnow(), ""
        else:
            notification.last_error = error
            notification.status = (
                "failed" if notification.attempts >= MAX_ATTEMPTS or url is None else "queued"
            )
        session.add(notification)
        retry = notification.status == "queued"
    if retry:
        raise DeliveryFailed(f"notification {notification_id} not delivered: {error}")

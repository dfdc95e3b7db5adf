"""Queueing notifications inside the transaction of the event that causes them.

Each (event, recipient channel) is one row with a unique ``event_key``: an event that
is processed twice queues nothing new. Delivery happens later, in the job worker.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.db.models import Enterprise, Finding, Notification, User
from backend.domain.accounts.roles import Role
from backend.domain.notifications.channels import channels_for, user_ref
from backend.domain.notifications.messages import compose
from backend.jobs.outbox import request_job
from backend.settings import Settings

SEND_JOB = "notification.send"


def _recipients(session: Session, finding: Finding, audience: Role) -> list[User]:
    query = select(User).where(User.role == audience, User.park_id == finding.park_id, col(User.is_active))
    if audience is Role.ENTERPRISE_STAFF:
        query = query.where(User.enterprise_id == finding.enterprise_id)
    return [user for user in session.exec(query).all() if user.notify_url]


def notify(
    session: Session,
    settings: Settings,
    kind: str,
    finding: Finding,
    audiences: list[Role],
    occasion: str,
    note: str = "",
) -> int:
    """Queue ``kind`` for every channel of ``audiences``; ``occasion`` makes the event unique."""
    enterprise = session.get(Enterprise, finding.enterprise_id)
    assert enterprise is not None
    message = compose(kind, finding, enterprise, settings.public_base_url, note)
    refs: list[tuple[str, User | None]] = []
    for audience in audiences:
        refs += [
            (channel.ref, None)
            for channel in channels_for(settings.notify_url_list, audience, enterprise.code)
        ]
        refs += [(user_ref(user.id), user) for user in _recipients(session, finding, audience)]
    queued = 0
    for ref, user in dict(refs).items():  # a channel serving several audiences gets one message
        key = f"{kind}:{finding.id}:{occasion}:{ref}"
        if session.exec(select(Notification.id).where(Notification.event_key == key)).first() is not None:
            continue
        notification = Notification(
            event_key=key,
            recipient_id=user.id if user else None,
            channel=ref,
            title=message.title,
            body=message.body,
            finding_id=finding.id,
        )
        session.add(notification)
        request_job(session, SEND_JOB, key=f"notify:{notification.id}", notification_id=str(notification.id))
        queued += 1
    return queued

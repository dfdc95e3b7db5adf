from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
import sqlalchemy as sa
from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlmodel import Session, col, select

from backend.db.models import Finding, Notification, NotificationAttempt
from backend.domain.accounts.principal import Principal
from backend.domain.accounts.roles import Role
from mobile_api.auth import requires_role
from mobile_api.schemas.common import LimitParam, ListResponse, OffsetParam


class AttemptOut(msgspec.Struct):
    at: datetime
    succeeded: bool
    error: str


class NotificationOut(msgspec.Struct):
    id: str
    event_key: str
    channel: str
    title: str
    body: str
    finding_id: str | None
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    log: list[AttemptOut]


@get(
    "/notifications",
    operation_id="list_notifications",
    tags=["oversight"],
    sync_to_thread=True,
    guards=[requires_role(Role.PARK_ADMIN)],
)
def list_notifications(
    principal: NamedDependency[Principal],
    db_session: NamedDependency[Session],
    status: Annotated[Literal["queued", "sent", "failed"] | None, QueryParameter()] = None,
    limit: LimitParam = 50,
    offset: OffsetParam = 0,
) -> ListResponse[NotificationOut]:
    """The delivery log (park admins): every queued message, its status, attempts and last error."""
    in_park = sa.or_(
        col(Notification.finding_id).is_(None),
        col(Notification.finding_id).in_(select(Finding.id).where(Finding.park_id == principal.park_id)),
    )
    where = sa.and_(in_park, col(Notification.status) == status) if status else in_park
    total = db_session.exec(select(sa.func.count()).select_from(Notification).where(where)).one()
    rows = db_session.exec(
        select(Notification)
        .where(where)
        .order_by(col(Notification.created_at).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    attempts: dict[object, list[AttemptOut]] = {}
    if rows:
        for attempt in db_session.exec(
            select(NotificationAttempt)
            .where(col(NotificationAttempt.notification_id).in_([row.id for row in rows]))
            .order_by(col(NotificationAttempt.id))
        ).all():
            attempts.setdefault(attempt.notification_id, []).append(
                AttemptOut(attempt.attempted_at, attempt.succeeded, attempt.error)
            )
    items = [
        NotificationOut(
            str(n.id),
            n.event_key,
            n.channel,
            n.title,
            n.body,
            str(n.finding_id) if n.finding_id else None,
            n.status,
            n.attempts,
            n.last_error,
            n.created_at,
            n.sent_at,
            attempts.get(n.id, []),
        )
        for n in rows
    ]
    return ListResponse(items, total, limit, offset)

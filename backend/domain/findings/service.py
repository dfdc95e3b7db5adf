"""Reading findings within a caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.models import AuditEvent, Comment, Enterprise, Finding, Park
from backend.db.types import utcnow
from backend.domain.accounts.principal import Principal, scope_condition
from backend.domain.accounts.roles import Role
from backend.domain.errors import DomainError, ErrorKind, InvalidInput, NotFound
from backend.domain.findings.rectified import fixed_on_the_spot
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from backend.domain.pagination import Page, PageRequest
from backend.domain.photos.links import stored_hashes
from backend.domain.plausible_times import FIRST_FILTER_DAY, LAST_FILTER_DAY
from rules.park_time import park_midnight


@dataclass(frozen=True, slots=True)
class FindingFilter:
    status: FindingStatus | None = None
    enterprise_id: uuid.UUID | None = None
    level: HazardLevel | None = None
    observed_from: date | None = None  # park calendar days, both ends included (a monthly ledger)
    observed_to: date | None = None
    overdue: bool | None = None  # 超期 as Finding.overdue_at reads it, now

    def __post_init__(self) -> None:
        for name in ("observed_from", "observed_to"):
            day = getattr(self, name)
            if day is not None and not FIRST_FILTER_DAY <= day <= LAST_FILTER_DAY:
                raise InvalidInput(
                    f"日期 {day} 超出可查询范围（{FIRST_FILTER_DAY} 至 {LAST_FILTER_DAY}）/ {name} is out of range",
                    {name: str(day)},
                )
        if self.observed_from and self.observed_to and self.observed_from > self.observed_to:
            raise InvalidInput(
                f"起始日期 {self.observed_from} 晚于截止日期 {self.observed_to} / observed_from is after observed_to",
                {"observed_from": str(self.observed_from), "observed_to": str(self.observed_to)},
            )


class NoPenaltyDraft(DomainError):
    kind = ErrorKind.NOT_FOUND
    code = "no_penalty_draft"


class FindingService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _visible(self, principal: Principal) -> sa.ColumnElement[bool]:
        return sa.and_(
            scope_condition(principal, col(Finding.park_id), col(Finding.enterprise_id)),
            col(Finding.deleted_at).is_(None),
        )

    def _matching(self, principal: Principal, filters: FindingFilter) -> sa.ColumnElement[bool]:
        conditions = [self._visible(principal)]
        if filters.status is not None:
            conditions.append(col(Finding.status) == filters.status)
        if filters.enterprise_id is not None:
            conditions.append(col(Finding.enterprise_id) == filters.enterprise_id)
        if filters.level is not None:
            conditions.append(col(Finding.level) == filters.level)
        if filters.overdue is not None:
            late = Finding.overdue_condition(utcnow())
            conditions.append(late if filters.overdue else sa.not_(late))
        if filters.observed_from is not None:
            conditions.append(col(Finding.observed_at) >= park_midnight(filters.observed_from))
        if filters.observed_to is not None:
            conditions.append(
                col(Finding.observed_at) < park_midnight(filters.observed_to + timedelta(days=1))
            )
        return sa.and_(*conditions)

    def list_page(self, principal: Principal, filters: FindingFilter, page: PageRequest) -> Page[Finding]:
        where = self._matching(principal, filters)
        total = self._session.exec(select(sa.func.count()).select_from(Finding).where(where)).one()
        items = self._session.exec(
            select(Finding)
            .where(where)
            .order_by(col(Finding.observed_at).desc(), col(Finding.id))
            .limit(page.limit)
            .offset(page.offset)
        ).all()
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    def all_matching(self, principal: Principal, filters: FindingFilter, cap: int = 100_000) -> list[Finding]:
        """Every visible finding matching ``filters`` (exports and statistics), oldest first."""
        return list(
            self._session.exec(
                select(Finding)
                .where(self._matching(principal, filters))
                .order_by(col(Finding.observed_at))
                .limit(cap)
            ).all()
        )

    def enterprises_by_id(self, principal: Principal) -> dict[uuid.UUID, Enterprise]:
        query = select(Enterprise).where(Enterprise.park_id == principal.park_id)
        return {enterprise.id: enterprise for enterprise in self._session.exec(query).all()}

    def get(self, principal: Principal, finding_id: uuid.UUID) -> Finding:
        finding = self._session.exec(
            select(Finding).where(Finding.id == finding_id, self._visible(principal))
        ).first()
        if finding is None:
            raise NotFound("finding", finding_id)
        return finding

    def missing_photos(self, findings: Sequence[Finding]) -> dict[uuid.UUID, list[str]]:
        """For each finding, the photos it names that have not been uploaded yet (one query)."""
        stored = stored_hashes(self._session, (sha for finding in findings for sha in finding.photos))
        return {finding.id: [sha for sha in finding.photos if sha not in stored] for finding in findings}

    def penalty_notice(self, principal: Principal, finding_id: uuid.UUID) -> bytes:
        from regulations.notice_pdf import NoticeFacts, render_notice

        finding = self.get(principal, finding_id)
        if not finding.penalty_draft:
            raise NoPenaltyDraft(
                "该隐患尚无处罚建议（未匹配到法律依据） / no penalty draft for this finding yet"
            )
        enterprise = self._session.get(Enterprise, finding.enterprise_id)
        park = self._session.get(Park, finding.park_id)
        assert enterprise is not None and park is not None
        authority = park.authority or f"{park.name}应急管理部门"
        facts = NoticeFacts(
            number=str(finding.id)[:8].upper(),
            enterprise=enterprise.name,
            description=finding.description,
            location=str((finding.location or {}).get("text", "")),
            observed_at=finding.observed_at,
            deadline=finding.deadline,
            authority=authority,
            draft=finding.penalty_draft,
            issued_on=utcnow(),
            rectified_on_the_spot=fixed_on_the_spot(finding),
            order_only=principal.role is Role.ENTERPRISE_STAFF,
        )
        return render_notice(facts)

    def timeline(self, finding_id: uuid.UUID) -> list[TimelineStep]:
        """The finding's audit events as readers see them. A comment's step shows the comment as it is
        now (edited, or deleted: its text gone, e.g. a phone number posted by mistake); the audit chain
        itself keeps every version for verification and is never rewritten."""
        events = self._session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "finding", AuditEvent.entity_id == str(finding_id))
            .order_by(col(AuditEvent.id))
        ).all()
        comment_ids = [comment_id for event in events if (comment_id := _added_comment(event))]
        comments = (
            {
                c.id: c
                for c in self._session.exec(select(Comment).where(col(Comment.id).in_(comment_ids))).all()
            }
            if comment_ids
            else {}
        )
        return [
            TimelineStep(event.at, event.action, event.actor_id, _as_read(event, comments))
            for event in events
        ]


@dataclass(frozen=True, slots=True)
class TimelineStep:
    at: datetime
    action: str
    actor_id: uuid.UUID | None
    detail: dict[str, Any] | None


def _added_comment(event: AuditEvent) -> uuid.UUID | None:
    """The comment a ``comment.added`` step names; None for any other step."""
    if (
        event.action != "comment.added"
        or not isinstance(event.after, dict)
        or "comment_id" not in event.after
    ):
        return None
    return uuid.UUID(event.after["comment_id"])


def _as_read(event: AuditEvent, comments: dict[uuid.UUID, Comment]) -> dict[str, Any] | None:
    detail = event.after
    comment_id = _added_comment(event)
    comment = comments.get(comment_id) if comment_id else None
    if detail is None or comment is None:
        return detail
    if comment.deleted_at is not None:
        return {**detail, "text": "", "deleted": True}
    if comment.text != detail.get("text"):
        return {**detail, "text": comment.text, "edited": True}
    return detail

"""Serving every change a caller may see, in version order, page by page.

Versions are handed out in commit order (``backend.db.versioning``), so a page that
ends at version V can promise that every change up to V that will ever be visible
already is: the next page starts after V and skips nothing. A page reads several
tables; it reads each only up to the counter value committed when the page started.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.models import (
    AuditEvent,
    ChecklistItem,
    Comment,
    Enterprise,
    Finding,
    Inspection,
    Rectification,
    ScopeExit,
    SyncedModel,
)
from backend.db.versioning import current_version
from backend.domain.accounts.principal import Principal, scope_condition
from backend.domain.errors import DomainError, ErrorKind, InvalidInput
from backend.domain.photos.links import stored_hashes
from backend.domain.sync.documents import (
    comment_document,
    enterprise_document,
    finding_document,
    inspection_document,
    rectification_document,
)

DEFAULT_PAGE = 500
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Change:
    entity: str
    id: uuid.UUID
    version: int
    deleted: bool
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PullPage:
    changes: list[Change]
    cursor: str
    has_more: bool


@dataclass(frozen=True)
class _Source:
    entity: str
    model: type[SyncedModel]
    document: Callable[[Any], dict[str, Any]]
    visible: Callable[[Principal], sa.ColumnElement[bool]]


def _finding_scope(principal: Principal) -> sa.ColumnElement[bool]:
    return scope_condition(principal, col(Finding.park_id), col(Finding.enterprise_id))


def _child_of_visible_finding(
    model: type[Rectification] | type[Comment],
) -> Callable[[Principal], sa.ColumnElement[bool]]:
    def visible(principal: Principal) -> sa.ColumnElement[bool]:
        return col(model.finding_id).in_(select(Finding.id).where(_finding_scope(principal)))

    return visible


def _enterprise_scope(principal: Principal) -> sa.ColumnElement[bool]:
    return scope_condition(principal, col(Enterprise.park_id), col(Enterprise.id))


def _inspection_scope(principal: Principal) -> sa.ColumnElement[bool]:
    return scope_condition(principal, col(Inspection.park_id), col(Inspection.enterprise_id))


def _everyone(_: Principal) -> sa.ColumnElement[bool]:
    return sa.true()


def checklist_document(item: ChecklistItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "category": item.category,
        "category_name": item.category_name,
        "kind": item.kind,
        "title": item.title,
        "method": item.method,
        "phrasings": item.phrasings,
        "level": item.level,
        "major_criterion": item.major_criterion,
        "citations": item.references.get("current", []),
    }


SOURCES: list[_Source] = [
    _Source("enterprise", Enterprise, enterprise_document, _enterprise_scope),
    _Source("inspection", Inspection, inspection_document, _inspection_scope),
    _Source("finding", Finding, finding_document, _finding_scope),
    _Source("rectification", Rectification, rectification_document, _child_of_visible_finding(Rectification)),
    _Source("comment", Comment, comment_document, _child_of_visible_finding(Comment)),
    _Source("checklist_item", ChecklistItem, checklist_document, _everyone),
]


def parse_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    # ASCII digits only: str.isdigit() also accepts "²", "①" and Arabic-Indic digits.
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        raise InvalidInput("无效的同步游标 / invalid cursor", {"cursor": cursor[:40]})
    return int(cursor)


class CursorAhead(DomainError):
    """The device has seen versions this database never handed out: it was restored from a
    backup (or the cursor was made up). Pulling on from there would skip every change up to the
    device's cursor, so the device is told to forget its pulled copies and start again."""

    kind = ErrorKind.CONFLICT
    code = "cursor_ahead"

    def __init__(self, cursor: int, server_version: int) -> None:
        super().__init__(
            "同步游标超前于服务器（服务器数据可能已从备份恢复），请从头重新同步 / "
            "cursor is ahead of the server (restored from a backup?): pull again without a cursor",
            {"cursor": str(cursor), "server_version": str(server_version)},
        )


class PullService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def pull(self, principal: Principal, cursor: str | None, limit: int = DEFAULT_PAGE) -> PullPage:
        after = parse_cursor(cursor)
        # Each SELECT below may see a newer snapshot than the one before (READ COMMITTED on
        # PostgreSQL, autocommit reads on SQLite). Reading only up to the committed counter
        # value, taken first, keeps them consistent: every version up to it is committed.
        high_water = current_version(self._session)
        if after > high_water:
            raise CursorAhead(after, high_water)
        rows: list[tuple[int, _Source | None, Any]] = []  # None: a ScopeExit
        for source in SOURCES:
            model = source.model
            records = self._session.exec(
                select(model)
                .where(
                    col(model.version) > after, col(model.version) <= high_water, source.visible(principal)
                )
                .order_by(col(model.version))
                .limit(limit + 1)
            ).all()
            rows.extend((record.version, source, record) for record in records)
        rows.extend(
            (exit_.version, None, exit_) for exit_ in self._exits(principal, after, high_water, limit)
        )
        rows.sort(key=lambda row: row[0])
        page = rows[:limit]
        changes = [
            Change(source.entity, record.id, version, record.deleted_at is not None, source.document(record))
            if source is not None
            else Change("finding", record.finding_id, version, True, {})  # no longer this caller's to see
            for version, source, record in page
        ]
        self._fill_missing_photos(changes, [record for _, _, record in page if isinstance(record, Finding)])
        self._fill_timelines(changes)
        next_cursor = str(page[-1][0]) if page else str(after)
        return PullPage(changes, next_cursor, has_more=len(rows) > limit)

    def _exits(self, principal: Principal, after: int, high_water: int, limit: int) -> list[ScopeExit]:
        """Findings moved away from the caller's enterprise (enterprise staff only: park roles see
        every enterprise's findings, the moved one included)."""
        enterprise_id = principal.scoped_enterprise_id
        if enterprise_id is None:
            return []
        return list(
            self._session.exec(
                select(ScopeExit)
                .where(
                    ScopeExit.enterprise_id == enterprise_id,
                    col(ScopeExit.version) > after,
                    col(ScopeExit.version) <= high_water,
                )
                .order_by(col(ScopeExit.version))
                .limit(limit + 1)
            ).all()
        )

    def _fill_missing_photos(self, changes: list[Change], findings: list[Finding]) -> None:
        stored = stored_hashes(self._session, (sha for finding in findings for sha in finding.photos))
        for change in changes:
            if change.entity == "finding" and change.data:  # a moved-away finding comes without data
                change.data["missing_photos"] = [sha for sha in change.data["photos"] if sha not in stored]

    def _fill_timelines(self, changes: list[Change]) -> None:
        """Each finding's steps (the contract's ``timeline``), as of the page: when, what, who.
        The details of each step stay on ``GET /findings/{id}``: a page of 500 findings with
        every step's full before/after would be megabytes on a phone's connection."""
        findings = {
            str(change.id): change for change in changes if change.entity == "finding" and change.data
        }
        if not findings:
            return
        for change in findings.values():
            change.data["timeline"] = []
        steps = self._session.exec(
            select(AuditEvent.entity_id, AuditEvent.at, AuditEvent.action, AuditEvent.actor_id)
            .where(AuditEvent.entity == "finding", col(AuditEvent.entity_id).in_(list(findings)))
            .order_by(col(AuditEvent.id))
        ).all()
        for entity_id, at, action, actor_id in steps:
            findings[entity_id].data["timeline"].append(
                {"at": at.isoformat(), "action": action, "actor_id": str(actor_id) if actor_id else None}
            )

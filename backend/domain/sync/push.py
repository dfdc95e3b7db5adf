"""Applying a pushed batch: each mutation at most once, in order, none blocking the others.

Fast path: every mutation is checked and applied in memory, then the whole batch is
written with one flush (one version allocation, multi-row inserts), its results and
audit events in the same transaction. If that write fails (a concurrent device
created the same record, say), the transaction is rolled back and the batch replayed
with one savepoint per mutation, so one failing mutation cannot undo the others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.bulk import insert_rows
from backend.db.models import SyncedModel, SyncMutation
from backend.db.types import utcnow
from backend.db.versioning import lock_changes
from backend.domain.accounts.principal import Principal
from backend.domain.audit.service import AuditLog, AuditRecord
from backend.domain.findings.legal_basis import request_matching_of_new
from backend.domain.notifications.outbox import notify
from backend.domain.sync import comment_changes, finding_changes, rectification_changes
from backend.domain.sync.context import SyncContext
from backend.domain.sync.documents import comment_document, finding_document, rectification_document
from backend.domain.sync.mutations import (
    Conflict,
    Entity,
    Mutation,
    MutationResult,
    Op,
    Outcome,
    PushBatch,
    Rejection,
)
from backend.domain.sync.validation import check_device_time
from backend.settings import Settings

log = logging.getLogger(__name__)

Applier = Callable[[SyncContext, Mutation], SyncedModel | None]

APPLIERS: dict[tuple[Entity, Op], Applier] = {
    (Entity.FINDING, Op.UPSERT): finding_changes.upsert_finding,
    (Entity.FINDING, Op.DELETE): finding_changes.delete_finding,
    (Entity.RECTIFICATION, Op.UPSERT): rectification_changes.upsert_rectification,
    (Entity.RECTIFICATION, Op.DELETE): rectification_changes.delete_rectification,
    (Entity.COMMENT, Op.UPSERT): comment_changes.upsert_comment,
    (Entity.COMMENT, Op.DELETE): comment_changes.delete_comment,
}

DOCUMENTS: dict[Entity, Callable[[Any], dict[str, Any]]] = {
    Entity.FINDING: finding_document,
    Entity.RECTIFICATION: rectification_document,
    Entity.COMMENT: comment_document,
}


@dataclass
class _Pending:
    mutation: Mutation
    outcome: Outcome
    record: SyncedModel | None = None
    error: dict[str, Any] | None = None
    server: dict[str, Any] | None = None
    version: int | None = None  # as stored with the outcome; a retried batch replays it


def _server_copy(mutation: Mutation, record: SyncedModel | None) -> dict[str, Any] | None:
    if record is None:
        return None
    document = DOCUMENTS[mutation.entity](record)
    return {
        "id": str(mutation.id),
        "version": record.version,
        "deleted": record.deleted_at is not None,
        "data": document,
    }


def _refused(mutation: Mutation, code: str, message: str) -> MutationResult:
    return MutationResult(
        mutation.mutation_id,
        Outcome.REJECTED,
        mutation.id,
        error={"code": code, "message": message, "detail": None},
    )


class PushService:
    def __init__(self, session: Session, principal: Principal, settings: Settings | None = None) -> None:
        self._session = session
        self._principal = principal
        self._settings = settings or Settings()

    def push(self, device_id: str, batch: PushBatch) -> list[MutationResult]:
        try:
            with self._session.begin_nested():
                return self._apply(device_id, batch, savepoint_each=False)
        except sa.exc.IntegrityError:
            log.info(
                "batch %s hit a constraint on the fast path; replaying mutation by mutation", batch.batch_id
            )
            self._session.expunge_all()
            return self._apply(device_id, batch, savepoint_each=True)

    def _apply(self, device_id: str, batch: PushBatch, savepoint_each: bool) -> list[MutationResult]:
        lock_changes(self._session)  # first statement: serialises with photo intake (see photos.intake)
        ctx = SyncContext(self._session, self._principal, utcnow())
        ids = [m.mutation_id for m in batch.mutations]
        recorded = {
            row.mutation_id: row
            for row in self._session.exec(
                select(SyncMutation).where(col(SyncMutation.mutation_id).in_(ids))
            ).all()
        }
        ctx.preload(batch.mutations)
        if not savepoint_each:
            ctx.allow_set_wise_creates(batch.mutations)
        results: list[MutationResult | _Pending] = []
        seen: set[uuid.UUID] = set()
        for mutation in batch.mutations:
            if mutation.mutation_id in seen:
                results.append(
                    _refused(
                        mutation,
                        "duplicate_mutation_id",
                        "同一批次中 mutation_id 重复 / mutation_id repeated in batch",
                    )
                )
                continue
            seen.add(mutation.mutation_id)
            if (
                mutation.mutation_id in recorded
                and recorded[mutation.mutation_id].user_id != self._principal.user_id
            ):
                # Someone else's mutation: its outcome (and the record in it) is not this caller's to read.
                results.append(
                    _refused(
                        mutation,
                        "mutation_id_taken",
                        "mutation_id 已被其他用户使用，请换一个 / mutation_id already used by another user",
                    )
                )
                continue
            if mutation.mutation_id in recorded:
                results.append(self._replay(recorded[mutation.mutation_id], batch.batch_id))
                continue
            if savepoint_each:
                with self._session.begin_nested() as savepoint:
                    pending = self._apply_one(ctx, mutation)
                    if pending.outcome is not Outcome.APPLIED:
                        savepoint.rollback()
                        self._session.expunge_all()
                        ctx = SyncContext(self._session, self._principal, ctx.now)
                    else:
                        self._write(ctx, device_id, batch.batch_id, [pending])
                if pending.outcome is not Outcome.APPLIED:
                    self._write(ctx, device_id, batch.batch_id, [pending])
                results.append(pending)
            else:
                results.append(self._apply_one(ctx, mutation))
        if not savepoint_each:
            self._write(ctx, device_id, batch.batch_id, [r for r in results if isinstance(r, _Pending)])
        return [self._result(r) for r in results]

    def _apply_one(self, ctx: SyncContext, mutation: Mutation) -> _Pending:
        try:
            check_device_time("client_time", mutation.client_time, ctx.now, refuse_early=False)
            record = APPLIERS[(mutation.entity, mutation.op)](ctx, mutation)
            return _Pending(mutation, Outcome.APPLIED, record)
        except Rejection as rejection:
            return _Pending(mutation, Outcome.REJECTED, error=rejection.as_error())
        except Conflict as conflict:
            record = ctx.get(_model_of(mutation.entity), mutation.id)
            return _Pending(
                mutation,
                Outcome.CONFLICT,
                record,
                error={
                    "code": "conflict",
                    "message": "记录已被他人修改 / changed on the server since your base version",
                    "detail": {"fields": conflict.fields},
                },
            )

    def _write(self, ctx: SyncContext, device_id: str, batch_id: uuid.UUID, pending: list[_Pending]) -> None:
        request_matching_of_new(self._session, ctx.new_to_match, ctx.bulk)
        ctx.new_to_match.clear()
        ctx.bulk.write(self._session)  # new findings first: the flush may insert rows that refer to them
        self._session.flush()  # allocates versions for everything else applied
        outcomes: list[dict[str, Any]] = []
        for item in pending:
            if item.outcome is Outcome.CONFLICT:
                item.server = _server_copy(item.mutation, item.record)
            # A conflict answers with the server's current version: the base to rebase the edit on.
            item.version = (
                item.record.version
                if item.record is not None and item.outcome in (Outcome.APPLIED, Outcome.CONFLICT)
                else None
            )
            error = (
                item.error
                if item.outcome is not Outcome.CONFLICT
                else {**(item.error or {}), "server": item.server}
            )
            outcomes.append(
                {
                    "mutation_id": item.mutation.mutation_id,
                    "batch_id": batch_id,
                    "device_id": device_id,
                    "user_id": self._principal.user_id,
                    "entity": item.mutation.entity.value,
                    "record_id": item.mutation.id,
                    "status": item.outcome.value,
                    "version": item.version,
                    "error": error,
                    "received_at": ctx.now,
                }
            )
        insert_rows(self._session, SyncMutation, outcomes)
        AuditLog(self._session).record_many(
            self._principal.user_id,
            [AuditRecord(e.action, e.entity, e.entity_id, e.before, e.after) for e in ctx.audit],
        )
        ctx.audit.clear()
        for kind, finding, audiences, occasion in ctx.notifications:
            notify(self._session, self._settings, kind, finding, audiences, occasion)
        ctx.notifications.clear()
        self._session.flush()

    @staticmethod
    def _replay(row: SyncMutation, batch_id: uuid.UUID) -> MutationResult:
        """The stored outcome; an applied mutation re-sent in another batch reads ``duplicate``."""
        status = Outcome(row.status)
        if status is Outcome.APPLIED and row.batch_id != batch_id:
            status = Outcome.DUPLICATE
        error = dict(row.error) if row.error else None
        server = error.pop("server", None) if error else None
        return MutationResult(row.mutation_id, status, row.record_id, row.version, error, server)

    @staticmethod
    def _result(item: MutationResult | _Pending) -> MutationResult:
        if isinstance(item, MutationResult):
            return item
        return MutationResult(
            item.mutation.mutation_id, item.outcome, item.mutation.id, item.version, item.error, item.server
        )


def _model_of(entity: Entity) -> type[SyncedModel]:
    from backend.db.models import Comment, Finding, Rectification

    models: dict[Entity, type[SyncedModel]] = {
        Entity.FINDING: Finding,
        Entity.RECTIFICATION: Rectification,
        Entity.COMMENT: Comment,
    }
    return models[entity]

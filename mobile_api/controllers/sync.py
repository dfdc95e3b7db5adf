from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.params import FromQuery, JSONBody, QueryParameter
from sqlmodel import Session

from backend.db.versioning import current_version
from backend.domain.accounts.principal import Principal
from backend.domain.sync.mutations import Entity, Mutation, MutationResult, Op, Outcome, PushBatch
from backend.domain.sync.pull import DEFAULT_PAGE, MAX_PAGE, PullService
from backend.domain.sync.push import PushService
from backend.domain.sync.validation import error_path
from backend.domain.validation_messages import in_chinese
from mobile_api.control_characters import CHECKS_TEXT_ITSELF
from mobile_api.schemas.sync import (
    MutationEnvelope,
    MutationIn,
    MutationResultOut,
    PullResponse,
    PushRequest,
    PushResponse,
)


def _invalid(exc: msgspec.ValidationError) -> dict[str, object]:
    where = error_path(exc)
    return {
        "code": "invalid_mutation",
        "message": f"变更格式不合法：{in_chinese(str(exc))} / invalid mutation: {exc}",
        "detail": {"path": where} if where else None,
    }


def _envelope(raw: object) -> MutationEnvelope | MutationResultOut:
    """The item read as a mutation, or its rejection: one without a UUID ``mutation_id`` cannot be
    recorded as applied, so it is refused, echoing what it was sent with, and the batch goes on."""
    try:
        return msgspec.convert(raw, MutationEnvelope)
    except msgspec.ValidationError as exc:
        sent = raw.get("mutation_id") if isinstance(raw, dict) else None
        return MutationResultOut(
            sent if isinstance(sent, str) else None, Outcome.REJECTED.value, None, None, _invalid(exc), None
        )


def _checked(envelope: MutationEnvelope) -> MutationIn | MutationResult:
    """The mutation with its fields checked, or its rejection naming what is wrong and where."""
    try:
        return msgspec.convert(msgspec.structs.asdict(envelope), MutationIn)
    except msgspec.ValidationError as exc:
        return MutationResult(envelope.mutation_id, Outcome.REJECTED, None, error=_invalid(exc))


def _unknown_kind(item: MutationIn) -> MutationResult | None:
    if item.entity not in Entity.__members__.values() or item.op not in Op.__members__.values():
        return MutationResult(
            item.mutation_id,
            Outcome.REJECTED,
            item.id,
            error={
                "code": "unknown_entity_or_op",
                "message": f"不支持的实体或操作 / unknown entity {item.entity!r} or op {item.op!r}",
                "detail": {"entities": [e.value for e in Entity], "ops": [o.value for o in Op]},
            },
        )
    return None


class SyncController(Controller):
    path = "/sync"
    tags = ["sync"]

    @post(
        "/push",
        status_code=200,
        operation_id="sync_push",
        sync_to_thread=True,
        opt={CHECKS_TEXT_ITSELF: True},  # a bad mutation is rejected alone; the others apply
    )
    def push(
        self,
        data: JSONBody[PushRequest],
        principal: NamedDependency[Principal],
        db_session: NamedDependency[Session],
        state: State,
    ) -> Response[PushResponse]:
        """Apply a device's batch of offline mutations; retries return the stored outcomes."""
        limit = state.parksafe.settings.sync_max_mutations
        if len(data.mutations) > limit:
            raise ClientException(
                f"批次过大：最多 {limit} 条 / batch over {limit} mutations",
                status_code=413,
                extra={"max_mutations": limit, "received": len(data.mutations)},
            )
        known: list[Mutation] = []
        early: dict[int, MutationResult] = {}
        unreadable: dict[int, MutationResultOut] = {}
        sent_as: dict[int, str] = {}
        for index, raw in enumerate(data.mutations):
            envelope = _envelope(raw)
            if isinstance(envelope, MutationResultOut):
                unreadable[index] = envelope
                continue
            sent_as[index] = raw["mutation_id"]
            item = _checked(envelope)
            if isinstance(item, MutationResult):
                early[index] = item
                continue
            rejected = _unknown_kind(item)
            if rejected is not None:
                early[index] = rejected
                continue
            known.append(
                Mutation(
                    item.mutation_id,
                    Entity(item.entity),
                    Op(item.op),
                    item.id,
                    item.base_version,
                    item.client_time,
                    item.data,
                )
            )
        applied = iter(
            PushService(db_session, principal, state.parksafe.settings).push(
                data.device_id, PushBatch(data.device_id, data.batch_id, known)
            )
        )
        results = [
            unreadable[i]
            if i in unreadable
            else MutationResultOut.of(early[i] if i in early else next(applied), sent_as[i])
            for i in range(len(data.mutations))
        ]
        # Commit here, in the worker thread that holds the change-counter lock. Left to the
        # session dependency, the commit would wait for a free thread of the same pool in
        # which other pushes wait for this lock: with enough of them, a deadlock.
        db_session.commit()
        app_state = state.parksafe
        return Response(
            PushResponse(data.batch_id, results, str(current_version(db_session))),
            background=BackgroundTask(app_state.outbox.nudge),
        )

    @get("/pull", operation_id="sync_pull", sync_to_thread=True)
    def pull(
        self,
        principal: NamedDependency[Principal],
        db_session: NamedDependency[Session],
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    ) -> PullResponse:
        """Every change the caller may see after ``cursor``, reference data included, in version order."""
        return PullResponse.of(PullService(db_session).pull(principal, cursor, limit))

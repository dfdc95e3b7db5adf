from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlmodel import Session

from backend.domain.accounts.principal import Principal
from backend.domain.errors import NotFound
from backend.domain.lifecycle.governance import (
    GovernancePlanService,
    PlanContent,
    PlanDecision,
    plan_document,
)
from backend.settings import Settings
from mobile_api.schemas.lifecycle import GovernancePlanRequest, PlanReviewRequest


class GovernancePlanController(Controller):
    """治理方案 of major hazards: the enterprise submits, the park accepts or returns it."""

    path = "/findings/{finding_id:uuid}/governance-plan"
    tags = ["findings"]

    @get("/", operation_id="get_governance_plan", sync_to_thread=True)
    def read(
        self,
        finding_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db_session: NamedDependency[Session],
        settings: NamedDependency[Settings],
    ) -> dict[str, Any]:
        plan = GovernancePlanService(db_session, settings).get(principal, finding_id)
        if plan is None:
            raise NotFound("governance_plan", finding_id)
        return plan_document(plan) or {}

    @post("/", operation_id="submit_governance_plan", status_code=200, sync_to_thread=True)
    def submit(
        self,
        finding_id: FromPath[uuid.UUID],
        data: JSONBody[GovernancePlanRequest],
        principal: NamedDependency[Principal],
        db_session: NamedDependency[Session],
        settings: NamedDependency[Settings],
    ) -> dict[str, Any]:
        plan = GovernancePlanService(db_session, settings).submit(
            principal, finding_id, PlanContent(**msgspec.structs.asdict(data))
        )
        db_session.commit()  # release the audit lock from this thread (see SyncController.push)
        return plan_document(plan) or {}

    @post("/review", operation_id="review_governance_plan", status_code=200, sync_to_thread=True)
    def review(
        self,
        finding_id: FromPath[uuid.UUID],
        data: JSONBody[PlanReviewRequest],
        principal: NamedDependency[Principal],
        db_session: NamedDependency[Session],
        settings: NamedDependency[Settings],
    ) -> dict[str, Any]:
        plan = GovernancePlanService(db_session, settings).review(
            principal, finding_id, PlanDecision(data.decision), data.comment
        )
        db_session.commit()  # release the audit lock from this thread (see SyncController.push)
        return plan_document(plan) or {}

"""治理方案: a major hazard is dispatched only once the park accepted the enterprise's plan."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from backend.db.models import Finding, GovernancePlan
from backend.db.types import utcnow
from backend.domain.accounts.principal import Principal
from backend.domain.accounts.roles import Role
from backend.domain.audit.service import AuditLog
from backend.domain.errors import DomainError, ErrorKind, Forbidden, InvalidInput, NotFound
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from backend.domain.notifications.outbox import notify
from backend.settings import Settings

PLAN_FIELDS = (
    "target_tasks",
    "methods",
    "funding_materials",
    "organization_personnel",
    "time_limit",
    "safety_and_emergency",
)


class PlanDecision(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"


class PlanNotAllowed(DomainError):
    kind = ErrorKind.CONFLICT
    code = "governance_plan_not_allowed"


@dataclass(frozen=True, slots=True)
class PlanContent:
    target_tasks: str
    methods: str
    funding_materials: str
    organization_personnel: str
    time_limit: str
    safety_and_emergency: str


def plan_document(plan: GovernancePlan | None) -> dict[str, object] | None:
    if plan is None:
        return None
    return {
        **{name: getattr(plan, name) for name in PLAN_FIELDS},
        "status": plan.status,
        "submitted_at": plan.submitted_at.isoformat() if plan.submitted_at else None,
        "reviewed_at": plan.reviewed_at.isoformat() if plan.reviewed_at else None,
        "review_comment": plan.review_comment,
    }


def plan_accepted(session: Session, finding_id: uuid.UUID) -> bool:
    plan = session.get(GovernancePlan, finding_id)
    return plan is not None and plan.status == "accepted"


class GovernancePlanService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self._session = session
        self._settings = settings

    def _major_finding(self, principal: Principal, finding_id: uuid.UUID) -> Finding:
        finding = self._session.exec(
            select(Finding).where(Finding.id == finding_id, col(Finding.deleted_at).is_(None))
        ).first()
        if finding is None or not principal.can_see(finding.park_id, finding.enterprise_id):
            raise NotFound("finding", finding_id)
        if finding.level is not HazardLevel.MAJOR or finding.status is not FindingStatus.REPORTED:
            raise PlanNotAllowed(
                "只有尚未下发的重大隐患需要治理方案 / only a reported major finding takes a governance plan",
                {"status": finding.status.value, "level": finding.level.value},
            )
        return finding

    def get(self, principal: Principal, finding_id: uuid.UUID) -> GovernancePlan | None:
        finding = self._session.get(Finding, finding_id)
        if (
            finding is None
            or finding.deleted_at is not None
            or not principal.can_see(finding.park_id, finding.enterprise_id)
        ):
            raise NotFound("finding", finding_id)
        return self._session.get(GovernancePlan, finding_id)

    def submit(self, principal: Principal, finding_id: uuid.UUID, content: PlanContent) -> GovernancePlan:
        if principal.role is not Role.ENTERPRISE_STAFF:
            raise Forbidden("治理方案由隐患所在企业提交 / the enterprise submits the governance plan")
        finding = self._major_finding(principal, finding_id)
        if blank := [name for name in PLAN_FIELDS if not getattr(content, name).strip()]:
            raise InvalidInput(
                "治理方案的每一项都须填写，不能只有空格 / every section of the plan needs content: "
                + ", ".join(blank),
                {"fields": blank},
            )
        plan = self._session.get(GovernancePlan, finding.id)
        if plan is not None and plan.status == "accepted":
            raise PlanNotAllowed(
                "治理方案已通过审核 / the plan was already accepted", {"plan_status": plan.status}
            )
        plan = plan or GovernancePlan(
            finding_id=finding.id,
            target_tasks="",
            methods="",
            funding_materials="",
            organization_personnel="",
            time_limit="",
            safety_and_emergency="",
        )
        for name in PLAN_FIELDS:
            setattr(plan, name, getattr(content, name))
        plan.status, plan.submitted_by, plan.submitted_at = "submitted", principal.user_id, utcnow()
        plan.reviewed_by, plan.reviewed_at, plan.review_comment = None, None, ""
        self._session.add(plan)
        _touch(self._session, finding)
        self._session.flush()
        AuditLog(self._session).record(
            principal.user_id, "governance_plan.submitted", "finding", finding.id, None, plan_document(plan)
        )
        notify(
            self._session,
            self._settings,
            "plan_submitted",
            finding,
            [Role.PARK_ADMIN],
            occasion=f"plan-{plan.submitted_at.isoformat() if plan.submitted_at else ''}",
            note="企业已提交重大隐患治理方案，请审核",
        )
        return plan

    def review(
        self, principal: Principal, finding_id: uuid.UUID, decision: PlanDecision, comment: str
    ) -> GovernancePlan:
        if not principal.role.is_park_role:
            raise Forbidden("治理方案由园区审核 / the park reviews governance plans")
        finding = self._major_finding(principal, finding_id)
        plan = self._session.get(GovernancePlan, finding.id)
        if plan is None or plan.status != "submitted":
            raise PlanNotAllowed(
                "没有待审核的治理方案 / no submitted plan to review",
                {"plan_status": plan.status if plan else None},
            )
        if decision is PlanDecision.RETURN and not comment.strip():
            raise InvalidInput(
                "退回时必须说明原因 / returning a plan needs a comment the enterprise will read",
                {"field": "comment"},
            )
        plan.status = "accepted" if decision is PlanDecision.ACCEPT else "returned"
        plan.reviewed_by, plan.reviewed_at, plan.review_comment = principal.user_id, utcnow(), comment
        self._session.add(plan)
        _touch(self._session, finding)
        self._session.flush()
        AuditLog(self._session).record(
            principal.user_id,
            f"governance_plan.{plan.status}",
            "finding",
            finding.id,
            None,
            {"status": plan.status, "comment": comment},
        )
        accepted = plan.status == "accepted"
        notify(
            self._session,
            self._settings,
            "plan_accepted" if accepted else "plan_returned",
            finding,
            [Role.ENTERPRISE_STAFF],
            occasion=f"plan-{plan.status}-{plan.reviewed_at.isoformat() if plan.reviewed_at else ''}",
            note="治理方案已通过园区审核，请按方案组织治理"
            if accepted
            else f"治理方案被园区退回，请修改后重新提交。退回原因：{comment.strip()}",
        )
        return plan


def _touch(session: Session, finding: Finding) -> None:
    """The plan is not part of the finding's record: touched, the finding gets a new version and
    phones pull it again, its timeline carrying the plan's step (the staff ticket list read
    须提交治理方案 after the plan had been accepted)."""
    finding.updated_at = utcnow()
    session.add(finding)

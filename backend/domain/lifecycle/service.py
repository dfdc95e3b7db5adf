"""Online lifecycle actions: dispatching a finding for rectification and reviewing the fix."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from backend.db.models import Finding
from backend.db.types import utcnow
from backend.db.versioning import lock_changes
from backend.domain.accounts.principal import Principal
from backend.domain.accounts.roles import Role
from backend.domain.audit.service import AuditLog
from backend.domain.errors import DomainError, ErrorKind, Forbidden, InvalidInput, NotFound
from backend.domain.findings.legal_basis import GRADED, request_matching
from backend.domain.findings.rectified import latest_rectification
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from backend.domain.lifecycle.governance import plan_accepted
from backend.domain.lifecycle.state_machine import LifecycleEvent, next_status
from backend.domain.notifications.outbox import notify
from backend.domain.photos.links import stored_hashes
from backend.domain.plausible_times import LONGEST_DEADLINE
from backend.settings import Settings


class AfterPhotosMissing(DomainError):
    kind = ErrorKind.CONFLICT
    code = "photos_missing"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class GovernancePlanRequired(DomainError):
    kind = ErrorKind.CONFLICT
    code = "governance_plan_required"


class GradingClosed(DomainError):
    kind = ErrorKind.CONFLICT
    code = "illegal_transition"


class LifecycleService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self._session = session
        self._settings = settings

    def commit(self) -> None:
        """Release the change lock by committing, from the thread that took it."""
        self._session.commit()

    def _finding(self, principal: Principal, finding_id: uuid.UUID) -> Finding:
        lock_changes(self._session)
        finding = self._session.exec(
            select(Finding).where(Finding.id == finding_id, col(Finding.deleted_at).is_(None))
        ).first()
        if finding is None or not principal.can_see(finding.park_id, finding.enterprise_id):
            raise NotFound("finding", finding_id)
        return finding

    def dispatch(self, principal: Principal, finding_id: uuid.UUID, deadline: datetime) -> Finding:
        if not principal.role.is_park_role:
            raise Forbidden("只有园区人员可以下发整改 / only park roles dispatch findings")
        finding = self._finding(principal, finding_id)
        now = utcnow()
        deadline = _checked_deadline(deadline, now)
        new_status = next_status(finding.status, LifecycleEvent.DISPATCH)
        if finding.level is HazardLevel.MAJOR and not plan_accepted(self._session, finding.id):
            raise GovernancePlanRequired(
                "重大隐患须先由企业提交治理方案并经园区审核通过 / a major finding needs an accepted governance plan",
                {"status": finding.status.value, "level": finding.level.value},
            )
        before = {"status": finding.status.value, "deadline": None}
        finding.status, finding.deadline, finding.dispatched_at = new_status, deadline, now
        finding.overdue = False
        self._session.add(finding)
        self._session.flush()
        AuditLog(self._session).record(
            principal.user_id,
            "finding.dispatched",
            "finding",
            finding.id,
            before,
            {"status": new_status.value, "deadline": deadline.isoformat()},
        )
        audiences = [Role.ENTERPRISE_STAFF]
        if finding.level is HazardLevel.MAJOR:
            audiences.append(Role.PARK_ADMIN)
        notify(self._session, self._settings, "dispatched", finding, audiences, occasion=now.isoformat())
        return finding

    def grade(self, principal: Principal, finding_id: uuid.UUID, level: HazardLevel, comment: str) -> Finding:
        """A park user's 隐患分级 before dispatch: matching only suggests 重大隐患 (with its criterion);
        grading one major makes its enterprise submit a 治理方案 before it can be dispatched."""
        if not principal.role.is_park_role:
            raise Forbidden("只有园区人员可以判定隐患等级 / only park roles grade findings")
        finding = self._finding(principal, finding_id)
        if finding.status is not FindingStatus.REPORTED:
            raise GradingClosed(
                "隐患已下发，不能再改等级 / only a finding not yet dispatched can be graded",
                {"status": finding.status.value},
            )
        if finding.level is HazardLevel.MAJOR and level is HazardLevel.GENERAL and not comment.strip():
            # Downgrading a 重大事故隐患 ends its 治理方案 and 督办: the ledger must say why.
            raise InvalidInput(
                "将重大隐患改判为一般隐患时请写明理由 / downgrading a major hazard needs a comment giving the reason",
                {"field": "comment"},
            )
        # Grading it 一般 where matching suggested 重大 changes no field, but it is the park's
        # decision: recorded with its reason, and the penalty draft stops calling it 重大.
        before = {"level": finding.level.value}
        changed = finding.level is not level
        finding.level = level
        self._session.add(finding)
        self._session.flush()
        event = AuditLog(self._session).record(
            principal.user_id,
            GRADED,
            "finding",
            finding.id,
            before,
            {"level": level.value, "comment": comment},
        )
        request_matching(self._session, finding, occasion=f"graded-{event['id']}")
        if changed and level is HazardLevel.MAJOR:
            notify(
                self._session,
                self._settings,
                "major",
                finding,
                [Role.ENTERPRISE_STAFF, Role.PARK_ADMIN],
                occasion=f"graded:{utcnow().isoformat()}",
                note="已判定为重大隐患：请企业提交治理方案，经园区审核通过后下发整改",
            )
        return finding

    def review(
        self,
        principal: Principal,
        finding_id: uuid.UUID,
        decision: Decision,
        comment: str,
        new_deadline: datetime | None = None,
    ) -> Finding:
        """Approve (closes it) or reject (back to rectification); a rejection may set a new
        deadline for the second attempt, else the dispatch deadline stands."""
        if principal.role is not Role.SUPERVISOR:
            raise Forbidden("只有监管审核员可以验收 / only supervisors review rectifications")
        finding = self._finding(principal, finding_id)
        event = LifecycleEvent.APPROVE if decision is Decision.APPROVE else LifecycleEvent.REJECT
        new_status = next_status(finding.status, event)
        latest = latest_rectification(self._session, finding.id)  # none is ever deleted
        if latest is not None and latest.submitted_by == principal.user_id:
            # Four eyes: whoever fixed a hazard (即查即改 on the spot) does not also accept the fix.
            raise Forbidden(
                "不能验收自己提交的整改，请由其他审核员验收 / you cannot review your own rectification"
            )
        if decision is Decision.APPROVE and latest is not None:
            missing = sorted(set(latest.photos) - stored_hashes(self._session, latest.photos))
            if missing:
                # Closing a hazard on proof nobody has seen: the ledger would show it fixed without evidence.
                raise AfterPhotosMissing(
                    "整改照片尚未上传，暂不能验收通过（可驳回或稍后再审） / the after-photos have not arrived yet",
                    {"status": finding.status.value, "photos": missing},
                )
        if decision is Decision.REJECT and not comment.strip():
            raise InvalidInput(
                "驳回时必须说明原因 / a rejection needs a comment the enterprise will read",
                {"field": "comment"},
            )
        now = utcnow()
        if decision is Decision.REJECT and finding.deadline is None and new_deadline is None:
            # Fixed on the spot (即查即改) and never dispatched: sent back to rectification, the
            # enterprise needs a time limit, and the overdue rule one to watch.
            raise InvalidInput(
                "这条隐患是即查即改的，没有整改期限：驳回时请设定整改期限 "
                "/ this finding was fixed on the spot and has no deadline: a rejection must set one",
                {"field": "deadline"},
            )
        if new_deadline is not None:
            if decision is Decision.APPROVE:
                raise InvalidInput(
                    "验收通过时不能设定新的整改期限 / a new deadline goes only with a rejection",
                    {"field": "deadline"},
                )
            new_deadline = _checked_deadline(new_deadline, now)
        before: dict[str, Any] = {"status": finding.status.value}
        after: dict[str, Any] = {
            "status": new_status.value,
            "comment": comment,
            "rectification_id": str(latest.id) if latest else None,
        }
        if new_deadline is not None:
            before["deadline"] = finding.deadline.isoformat() if finding.deadline else None
            after["deadline"] = new_deadline.isoformat()
            finding.deadline, finding.overdue = new_deadline, False
        if decision is Decision.REJECT and finding.dispatched_at is None:
            finding.dispatched_at = now  # first sent to the enterprise by this rejection
        finding.status = new_status
        if decision is Decision.APPROVE:
            finding.accepted_by, finding.accepted_at, finding.acceptance_comment = (
                principal.user_id,
                now,
                comment,
            )
        self._session.add(finding)
        self._session.flush()
        reviewed = AuditLog(self._session).record(
            principal.user_id,
            f"finding.{'approved' if decision is Decision.APPROVE else 'rejected'}",
            "finding",
            finding.id,
            before,
            after,
        )
        # Accepted in time, the draft's fine is the lower one (首次发现且已及时整改); sent back, not.
        request_matching(self._session, finding, occasion=f"reviewed-{reviewed['id']}")
        kind = "approved" if decision is Decision.APPROVE else "rejected"
        notify(
            self._session,
            self._settings,
            kind,
            finding,
            [Role.ENTERPRISE_STAFF],
            occasion=now.isoformat(),
            note=f"验收意见：{comment}" if comment else "",
        )
        return finding


def _checked_deadline(deadline: datetime, now: datetime) -> datetime:
    """The deadline in UTC, as every response and pull writes it, once it is a sane one."""
    if deadline.tzinfo is None:
        raise InvalidInput("整改期限必须带时区 / deadline needs a time zone", {"field": "deadline"})
    if deadline <= now:
        raise InvalidInput(
            "整改期限不能早于当前时间 / deadline must be in the future",
            {"field": "deadline", "deadline": deadline.isoformat()},
        )
    if deadline - now > LONGEST_DEADLINE:
        raise InvalidInput(
            "整改期限不能超过 5 年 / deadline must be within 5 years",
            {"field": "deadline", "deadline": deadline.isoformat()},
        )
    return deadline.astimezone(UTC)

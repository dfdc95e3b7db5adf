from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from backend.db.models import AuditEvent, Finding
from backend.domain.findings.vocabulary import label


class TimelineEntry(msgspec.Struct):
    at: datetime
    action: str
    actor_id: uuid.UUID | None
    detail: dict[str, Any] | None


class FindingOut(msgspec.Struct):
    """The finding's device-written ``data`` fields, then the server-side ones."""

    id: uuid.UUID
    version: int
    enterprise_id: uuid.UUID
    description: str
    location: dict[str, Any]
    photos: list[str]
    observed_at: datetime
    inspection_id: uuid.UUID | None
    status: str
    status_label: str
    level: str
    reported_by: uuid.UUID | None
    deadline: datetime | None
    source: str
    hazard_type: str
    management_class: str | None
    handling: str
    checklist_code: str | None
    responsible_person: str
    measures: str
    cost_yuan: float | None
    overdue: bool
    escalation_level: int
    accepted_by: uuid.UUID | None
    accepted_at: datetime | None
    acceptance_comment: str
    ai: list[dict[str, Any]]
    matches: dict[str, Any]
    penalty_draft: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineEntry] | msgspec.UnsetType = msgspec.UNSET

    @classmethod
    def of(cls, finding: Finding, timeline: list[AuditEvent] | None = None) -> FindingOut:
        return cls(
            id=finding.id,
            version=finding.version,
            enterprise_id=finding.enterprise_id,
            description=finding.description,
            location=finding.location,
            photos=finding.photos,
            observed_at=finding.observed_at,
            inspection_id=finding.inspection_id,
            status=finding.status.value,
            status_label=label(finding.status),
            level=finding.level.value,
            reported_by=finding.reported_by,
            deadline=finding.deadline,
            source=finding.source.value,
            hazard_type=finding.hazard_type.value,
            management_class=finding.management_class.value if finding.management_class else None,
            handling=finding.handling.value,
            checklist_code=finding.checklist_code,
            responsible_person=finding.responsible_person,
            measures=finding.measures,
            cost_yuan=float(finding.cost_yuan) if finding.cost_yuan is not None else None,
            overdue=finding.overdue,
            escalation_level=finding.escalation_level,
            accepted_by=finding.accepted_by,
            accepted_at=finding.accepted_at,
            acceptance_comment=finding.acceptance_comment,
            ai=finding.ai,
            matches=finding.matches,
            penalty_draft=finding.penalty_draft,
            created_at=finding.created_at,
            updated_at=finding.updated_at,
            timeline=msgspec.UNSET
            if timeline is None
            else [
                TimelineEntry(at=event.at, action=event.action, actor_id=event.actor_id, detail=event.after)
                for event in timeline
            ],
        )

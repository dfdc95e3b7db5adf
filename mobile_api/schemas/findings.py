from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from backend.db.models import Finding
from backend.domain.findings.service import TimelineStep
from backend.domain.sync.documents import finding_document


class TimelineEntry(msgspec.Struct):
    at: datetime
    action: str
    actor_id: uuid.UUID | None
    detail: dict[str, Any] | None


class FindingOut(msgspec.Struct):
    """The finding's device-written ``data`` fields, then the server-side ones (same as sync pull)."""

    id: uuid.UUID
    version: int
    enterprise_id: uuid.UUID
    description: str
    location: dict[str, Any]
    photos: list[str]
    observed_at: datetime
    inspection_id: uuid.UUID | None
    source: str
    hazard_type: str
    management_class: str | None
    handling: str
    checklist_code: str | None
    responsible_person: str
    measures: str
    cost_yuan: float | None
    status: str
    status_label: str
    level: str
    reported_by: uuid.UUID | None
    deadline: datetime | None
    dispatched_at: datetime | None
    overdue: bool
    escalation_level: int
    accepted_by: uuid.UUID | None
    accepted_at: datetime | None
    acceptance_comment: str
    missing_photos: list[str]
    ai: list[dict[str, Any]]
    matches: dict[str, Any]
    penalty_draft: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineEntry] | msgspec.UnsetType = msgspec.UNSET

    @classmethod
    def of(
        cls, finding: Finding, missing_photos: list[str], timeline: list[TimelineStep] | None = None
    ) -> FindingOut:
        document: dict[str, Any] = {
            "id": finding.id,
            "version": finding.version,
            **finding_document(finding, missing_photos),
        }
        if timeline is not None:
            document["timeline"] = [
                {"at": event.at, "action": event.action, "actor_id": event.actor_id, "detail": event.detail}
                for event in timeline
            ]
        return msgspec.convert(document, cls, strict=False)

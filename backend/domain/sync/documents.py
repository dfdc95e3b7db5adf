"""How each synced record looks on the wire (pull ``data`` and the online GETs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.db.models import Comment, Enterprise, Finding, Inspection, Rectification
from backend.db.types import utcnow
from backend.domain.findings.vocabulary import label

NO_LOCATION: dict[str, Any] = {"text": "", "lat": None, "lng": None}  # reported without a place


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def finding_document(finding: Finding, missing_photos: list[str] | None = None) -> dict[str, Any]:
    """The device-written ``data`` fields, then the server-side fields."""
    return {
        "enterprise_id": str(finding.enterprise_id),
        "description": finding.description,
        "location": {**NO_LOCATION, **(finding.location or {})},
        "photos": finding.photos,
        "observed_at": _time(finding.observed_at),
        "inspection_id": str(finding.inspection_id) if finding.inspection_id else None,
        "source": finding.source.value,
        "hazard_type": finding.hazard_type.value,
        "management_class": finding.management_class.value if finding.management_class else None,
        "handling": finding.handling.value,
        "checklist_code": finding.checklist_code,
        "responsible_person": finding.responsible_person,
        "measures": finding.measures,
        "cost_yuan": float(finding.cost_yuan) if finding.cost_yuan is not None else None,
        "status": finding.status.value,
        "status_label": label(finding.status),
        "level": finding.level.value,
        "reported_by": str(finding.reported_by) if finding.reported_by else None,
        "deadline": _time(finding.deadline),
        "dispatched_at": _time(finding.dispatched_at),
        "overdue": finding.overdue_at(utcnow()),
        "escalation_level": finding.escalation_level,
        "accepted_by": str(finding.accepted_by) if finding.accepted_by else None,
        "accepted_at": _time(finding.accepted_at),
        "acceptance_comment": finding.acceptance_comment,
        "missing_photos": missing_photos if missing_photos is not None else [],
        "ai": finding.ai,
        "matches": finding.matches,
        "penalty_draft": finding.penalty_draft,
        "created_at": _time(finding.created_at),
        "updated_at": _time(finding.updated_at),
    }


def enterprise_document(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "code": enterprise.code,
        "name": enterprise.name,
        "industry": enterprise.industry,
        "major_hazard_source": enterprise.major_hazard_source,
        "credit_code": enterprise.credit_code,
        "address": enterprise.address,
        "legal_representative": enterprise.legal_representative,
        "contacts": enterprise.contacts,
    }


def rectification_document(rectification: Rectification) -> dict[str, Any]:
    return {
        "finding_id": str(rectification.finding_id),
        "note": rectification.note,
        "photos": rectification.photos,
        "submitted_by": str(rectification.submitted_by) if rectification.submitted_by else None,
        "verification": rectification.verification,
        "created_at": _time(rectification.created_at),
    }


def comment_document(comment: Comment) -> dict[str, Any]:
    return {
        "finding_id": str(comment.finding_id),
        # A deleted comment's tombstone tells phones to drop it; its words stay out of every copy.
        "text": "" if comment.deleted_at is not None else comment.text,
        "author_id": str(comment.author_id) if comment.author_id else None,
        "created_at": _time(comment.created_at),
    }


def inspection_document(inspection: Inspection) -> dict[str, Any]:
    return {
        "enterprise_id": str(inspection.enterprise_id),
        "title": inspection.title,
        "source": inspection.source.value,
        "planned_on": inspection.planned_on.isoformat() if inspection.planned_on else None,
    }

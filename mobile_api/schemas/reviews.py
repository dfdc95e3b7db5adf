from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from backend.db.models import DetectionCorrection
from backend.domain.lifecycle.reviews import ReviewItem

Coordinate = Annotated[float, msgspec.Meta(ge=0, le=100_000)]


class PhotoLinks(msgspec.Struct):
    sha256: str
    url: str
    thumb_url: str
    annotated_url: str

    @classmethod
    def of(cls, sha256: str) -> PhotoLinks:
        base = f"/api/v1/photos/{sha256}"
        return cls(sha256, base, f"{base}?size=thumb", f"{base}?size=annotated")


class CorrectionOut(msgspec.Struct):
    id: uuid.UUID
    finding_id: uuid.UUID
    photo: str
    kind: str
    label: str
    box: list[float]
    model: str
    model_version: str
    note: str
    author_id: uuid.UUID | None
    created_at: datetime

    @classmethod
    def of(cls, row: DetectionCorrection) -> CorrectionOut:
        return cls(
            row.id,
            row.finding_id,
            row.photo_sha256,
            row.kind,
            row.label,
            row.box,
            row.model,
            row.model_version,
            row.note,
            row.author_id,
            row.created_at,
        )


class CorrectionIn(msgspec.Struct, forbid_unknown_fields=True):
    photo: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
    kind: Literal["wrong", "missing"]
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    box: Annotated[list[Coordinate], msgspec.Meta(min_length=4, max_length=4)]
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class RectificationSummary(msgspec.Struct):
    id: uuid.UUID
    note: str
    photos: list[str]
    created_at: datetime


class ReviewOut(msgspec.Struct):
    """One rectification waiting for a supervisor: the AI verdict first, then what to compare."""

    finding_id: uuid.UUID
    description: str
    enterprise_id: uuid.UUID
    enterprise_name: str
    level: str
    deadline: datetime | None
    submitted_at: datetime
    verdict: str | None
    waiting_for: str | None  # why there is no verdict yet (photos still to arrive), in Chinese
    reasons: list[str]
    scores: dict[str, Any]
    rectification: RectificationSummary | None
    before: list[PhotoLinks]
    after: list[PhotoLinks]
    ai: list[dict[str, Any]]  # the detector's results on the before-photos
    corrections: list[CorrectionOut]
    after_ai: list[dict[str, Any]]  # ...and on the after-photos, from the verification

    @classmethod
    def of(cls, item: ReviewItem) -> ReviewOut:
        finding, rectification = item.finding, item.rectification
        verification = (rectification.verification if rectification else None) or {}
        return cls(
            finding_id=finding.id,
            description=finding.description,
            enterprise_id=finding.enterprise_id,
            enterprise_name=item.enterprise_name,
            level=finding.level.value,
            deadline=finding.deadline,
            submitted_at=item.submitted_at,
            verdict=item.verdict,
            waiting_for=item.waiting_for,
            reasons=list(verification.get("reasons", [])),
            scores=dict(verification.get("scores", {})),
            rectification=RectificationSummary(
                rectification.id, rectification.note, list(rectification.photos), rectification.created_at
            )
            if rectification
            else None,
            before=[PhotoLinks.of(sha256) for sha256 in finding.photos],
            after=[PhotoLinks.of(sha256) for sha256 in (rectification.photos if rectification else [])],
            ai=list(finding.ai),
            corrections=[CorrectionOut.of(row) for row in item.corrections],
            after_ai=list(verification.get("ai", [])),
        )

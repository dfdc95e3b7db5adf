"""The detector's results on a finding's photos: before-photos (the finding's ``ai``) and after-photos
(their rectification's verification, ``verification.ai``)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from backend.db.models import Finding, Rectification


def results_by_photo(session: Session, findings: list[Finding]) -> dict[str, list[dict[str, Any]]]:
    """Every before- and after-photo of these findings, with the results stored for it (maybe none)."""
    by_photo: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        for sha256 in finding.photos:
            by_photo.setdefault(sha256, [])
        for result in finding.ai:
            by_photo.setdefault(result.get("photo", ""), []).append(result)
    rectifications = session.exec(
        select(Rectification).where(col(Rectification.finding_id).in_([finding.id for finding in findings]))
    ).all()
    for rectification in rectifications:
        for sha256 in rectification.photos:
            by_photo.setdefault(sha256, [])
        for result in (rectification.verification or {}).get("ai", []):
            by_photo.setdefault(result.get("photo", ""), []).append(result)
    by_photo.pop("", None)
    return by_photo
